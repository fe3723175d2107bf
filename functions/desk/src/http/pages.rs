//! The pages' side of HTTP: the security headers of the help center, the chat widget's frame and
//! the operator console — defined once here for both deployments (`baton serve` sets them on the
//! web root it serves; the CloudFront response headers policies in `infra/template.yaml` carry the
//! same strings, which the template tests check against [`headers`]) — and serving the web root.
//!
//! No page runs inline script or style, so the CSP allows only the site's own files. The widget
//! runs in a frame on Baton's origin (its storage, its API calls and its styles are its own, and
//! the host page can read none of them); that frame alone may be embedded, and only by the sites
//! in `BATON_WIDGET_SITES`.

use std::path::PathBuf;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};

/// The widget's frame, the one page other sites may embed.
pub const WIDGET_FRAME: &str = "/widget/frame.html";
/// The widget loader host sites include with a `<script>` tag.
pub const WIDGET_LOADER: &str = "/widget/widget.js";

/// What a path of the web root is, for its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Help center pages and their assets.
    Help,
    /// The chat widget's frame.
    WidgetFrame,
    /// The loader script other sites include.
    WidgetLoader,
    /// The operator console.
    Console,
}

impl Page {
    /// The kind of a request path.
    pub fn of(path: &str) -> Page {
        if path == WIDGET_FRAME {
            Page::WidgetFrame
        } else if path == WIDGET_LOADER {
            Page::WidgetLoader
        } else if path == "/console" || path.starts_with("/console/") {
            Page::Console
        } else {
            Page::Help
        }
    }
}

/// Where Cognito's hosted UI (and its token endpoint) lives, for the console's sign-in in AWS.
pub const COGNITO_HOSTED_UI: &str = "https://*.amazoncognito.com";

/// Where the attachments bucket's presigned URLs point (`{bucket}.s3.{region}.amazonaws.com`).
pub const ATTACHMENTS_BUCKET: &str = "https://*.amazonaws.com";

/// HSTS for the pages: two years, subdomains included (browsers ignore it over plain HTTP, so it
/// costs `baton serve` on localhost nothing).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

/// The Content-Security-Policy of a page; `widget_sites` are the origins that may embed the
/// widget's frame (validated as origins by the config).
pub fn content_security_policy(page: Page, widget_sites: &[String]) -> String {
    let frame_ancestors = match page {
        Page::WidgetFrame => {
            let mut sources = vec!["'self'".to_string()];
            sources.extend(widget_sites.iter().cloned());
            sources.join(" ")
        }
        Page::Help | Page::WidgetLoader | Page::Console => "'none'".into(),
    };
    // The console trades Cognito's sign-in code for a token at the hosted UI's token endpoint;
    // in AWS the widget and the inquiry board (a help center page) upload screenshots to S3, and
    // they and the console read them from S3 (presigned URLs).
    let connect = match page {
        Page::Console => format!("'self' {COGNITO_HOSTED_UI} {ATTACHMENTS_BUCKET}"),
        Page::WidgetFrame | Page::Help => format!("'self' {ATTACHMENTS_BUCKET}"),
        Page::WidgetLoader => "'self'".into(),
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
         connect-src {connect}; font-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// Every header a page response carries.
pub fn headers(page: Page, widget_sites: &[String]) -> Vec<(HeaderName, String)> {
    let mut headers = vec![
        (
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(page, widget_sites),
        ),
        (
            header::STRICT_TRANSPORT_SECURITY,
            STRICT_TRANSPORT_SECURITY.into(),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        (
            header::REFERRER_POLICY,
            "strict-origin-when-cross-origin".into(),
        ),
    ];
    if page == Page::WidgetLoader {
        // Loaded by other sites' pages, which may require resources to opt in.
        headers.push((
            HeaderName::from_static("cross-origin-resource-policy"),
            "cross-origin".into(),
        ));
    }
    headers
}

/// The web root at `/`: files as they are, `404.html` for anything missing, each with its page
/// headers. Mounted after the API, so `/api/*` never reaches it.
pub fn router(web_root: PathBuf, widget_sites: Vec<String>) -> Router {
    let not_found = ServeFile::new(web_root.join("404.html"));
    let files = ServeDir::new(&web_root)
        .append_index_html_on_directories(true)
        .not_found_service(not_found);
    let sites: std::sync::Arc<[String]> = widget_sites.into();
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let sites = sites.clone();
            async move { with_headers(request, next, &sites).await }
        }))
}

async fn with_headers(request: Request, next: Next, sites: &[String]) -> Response {
    let request = single_slashes(request);
    let page = Page::of(request.uri().path());
    let mut response = next.run(request).await;
    // A directory's redirect adds a slash to the path as requested; a Location that a browser
    // reads as another host (`//ko/`, `/\ko/`) is never sent.
    if response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| !is_local_path(l))
    {
        *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
        response.headers_mut().remove(header::LOCATION);
    }
    let map = response.headers_mut();
    for (name, value) in headers(page, sites) {
        if let Ok(value) = HeaderValue::from_str(&value) {
            map.insert(name, value);
        }
    }
    // Pages change with every guide edit; a minute of caching is enough for a help center.
    map.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    response
}

/// The request with runs of `/` in its path made one: `//ko` is the page `/ko`, whose redirect is
/// then `/ko/`, not the protocol-relative `//ko/` a browser reads as the host `ko`.
fn single_slashes(mut request: Request) -> Request {
    let uri = request.uri();
    if !uri.path().contains("//") {
        return request;
    }
    let mut path = String::with_capacity(uri.path().len());
    for c in uri.path().chars() {
        if !(c == '/' && path.ends_with('/')) {
            path.push(c);
        }
    }
    let target = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    if let Ok(target) = target.parse() {
        *request.uri_mut() = target;
    }
    request
}

/// Whether a redirect target stays on this site: a path from the root, not `//host` or `/\host`.
fn is_local_path(location: &str) -> bool {
    location.starts_with('/') && !location.starts_with("//") && !location.starts_with("/\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_repeated_slashes_are_one_path_and_redirects_stay_home() {
        let request = |path: &str| {
            single_slashes(
                Request::get(path)
                    .body(axum::body::Body::empty())
                    .expect("request"),
            )
            .uri()
            .to_string()
        };
        assert_eq!(request("//ko"), "/ko");
        assert_eq!(request("///console//x?a=b"), "/console/x?a=b");
        assert_eq!(request("/ko/"), "/ko/");
        assert!(is_local_path("/ko/"));
        for foreign in ["//ko/", "/\\evil.example/", "https://evil.example/", "ko/"] {
            assert!(!is_local_path(foreign), "{foreign}");
        }
    }

    #[test]
    fn only_the_widget_frame_may_be_embedded_and_only_by_the_configured_sites() {
        let sites = vec!["https://shop.example.com".to_string()];
        let help = content_security_policy(Page::of("/ko/index.html"), &sites);
        assert!(help.ends_with("frame-ancestors 'none'"), "{help}");
        assert!(!help.contains("unsafe-inline"), "{help}");
        let console = content_security_policy(Page::of("/console/index.html"), &sites);
        assert!(console.ends_with("frame-ancestors 'none'"), "{console}");
        let frame = content_security_policy(Page::of(WIDGET_FRAME), &sites);
        assert!(
            frame.ends_with("frame-ancestors 'self' https://shop.example.com"),
            "{frame}"
        );
        assert_eq!(Page::of("/console"), Page::Console);
        assert_eq!(Page::of("/consoles.html"), Page::Help);
    }
}
