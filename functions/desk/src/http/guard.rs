//! The layers every response passes, in one place: security headers, body, URI and header size
//! limits, the request timeout, and per-client rate limits (`baton serve` only: in AWS each
//! function instance sees a slice of the traffic, so the HTTP API's throttling and a WAF rule on
//! the CDN bound the flood instead; see `infra/README.md`).
//!
//! The pages (help center, widget, console) will set their own `Content-Security-Policy`; these
//! layers only add headers a response does not carry already.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::AppState;
use super::error::{AppError, MAX_BODY_BYTES};
use crate::config::Config;

/// Longest request target (path and query) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest header block accepted, in bytes (names, values and separators).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Longest a request may take, body included, before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Headers every API response carries unless it set its own.
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    // JSON is never a document to render or frame.
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
    // Conversations and cases must not sit in shared caches.
    (header::CACHE_CONTROL, "no-store"),
];

/// The layers around a router, outermost first: headers on every answer (even a refused one),
/// then sizes, timeout and rate limits before any handler runs.
pub fn layers(router: Router<AppState>, state: AppState) -> Router {
    router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(middleware::from_fn(timeout))
        .layer(middleware::from_fn(sizes))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

async fn sizes(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let uri_bytes = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    if uri_bytes > MAX_URI_BYTES {
        return AppError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the request target is longer than {MAX_URI_BYTES} bytes"),
        )
        .into_response();
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return AppError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("the request headers are larger than {MAX_HEADER_BYTES} bytes"),
        )
        .into_response();
    }
    next.run(request).await
}

async fn timeout(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            format!(
                "the request took longer than {} s",
                REQUEST_TIMEOUT.as_secs()
            ),
        )
        .into_response(),
    }
}

/// Per-client-address limits on what creates work for people: new conversations, and customer
/// messages, attachments and hand-off requests.
#[derive(Debug)]
pub struct RateLimits {
    conversations: Option<DefaultKeyedRateLimiter<IpAddr>>,
    messages: Option<DefaultKeyedRateLimiter<IpAddr>>,
    searches: Option<DefaultKeyedRateLimiter<IpAddr>>,
    trust_forwarded_for: bool,
    /// When the limiters last forgot idle clients (a once-a-minute sweep, not one per request).
    swept: std::sync::Mutex<std::time::Instant>,
}

/// How often the limiters forget clients whose buckets are full again.
const FORGET_EVERY: Duration = Duration::from_secs(60);

impl RateLimits {
    /// The limits of a configuration (`None` when both are off).
    pub fn from_config(config: &Config) -> Option<RateLimits> {
        let limiter = |per_minute: u32| {
            NonZeroU32::new(per_minute)
                .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n)))
        };
        let limits = RateLimits {
            conversations: limiter(config.rate_conversations),
            messages: limiter(config.rate_messages),
            searches: limiter(config.rate_searches),
            trust_forwarded_for: config.trust_forwarded_for,
            swept: std::sync::Mutex::new(std::time::Instant::now()),
        };
        (limits.conversations.is_some() || limits.messages.is_some() || limits.searches.is_some())
            .then_some(limits)
    }

    fn limiter_for(
        &self,
        method: &Method,
        path: &str,
        query: Option<&str>,
    ) -> Option<&DefaultKeyedRateLimiter<IpAddr>> {
        // A search through the API is recorded as an event: counted with the messages, so a
        // flood cannot fill the store or the counts. As-you-type ones (`typing=true`) are not
        // recorded and come many to a question: they have their own, higher limit.
        // The board's suggestions are as-you-type searches.
        if method == Method::GET && path == "/api/board/suggestions" {
            return self.searches.as_ref();
        }
        if method == Method::GET && path == "/api/search" {
            let typing = query
                .unwrap_or_default()
                .split('&')
                .any(|pair| pair == "typing=true");
            return if typing {
                self.searches.as_ref()
            } else {
                self.messages.as_ref()
            };
        }
        // An upload's bytes are written to disk: they count like the message they become.
        if method == Method::PUT {
            let rest = path.strip_prefix("/api/conversations/")?;
            return rest
                .contains("/uploads/")
                .then_some(self.messages.as_ref())
                .flatten();
        }
        if method != Method::POST {
            return None;
        }
        // A board inquiry is a new conversation; a sign-in link mails someone, and a session
        // is a guess at a link: each counted with new conversations.
        if matches!(
            path,
            "/api/conversations"
                | "/api/board/inquiries"
                | "/api/board/sign-in-links"
                | "/api/board/sessions"
        ) {
            return self.conversations.as_ref();
        }
        if path == "/api/board/suggestions/opened" {
            return self.messages.as_ref();
        }
        // A standing line's thread is a new conversation; a message in one, a message.
        if path == "/api/org/threads" {
            return self.conversations.as_ref();
        }
        if path == "/api/org/invitations"
            || (path.starts_with("/api/org/threads/") && path.ends_with("/messages"))
        {
            return self.messages.as_ref();
        }
        // Help center feedback writes events: counted with the messages.
        if path == "/api/feedback" || path == "/api/feedback/search" {
            return self.messages.as_ref();
        }
        let rest = path.strip_prefix("/api/conversations/")?;
        // Beginning an upload holds disk, and completing one posts a message.
        (rest.ends_with("/messages")
            || rest.ends_with("/handoff")
            || rest.ends_with("/attachments")
            || rest.ends_with("/uploads")
            || rest.ends_with("/complete"))
        .then_some(self.messages.as_ref())
        .flatten()
    }

    /// Forgets clients whose buckets are full again, at most once a minute.
    fn sweep(&self) {
        let mut swept = self
            .swept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if swept.elapsed() < FORGET_EVERY {
            return;
        }
        *swept = std::time::Instant::now();
        drop(swept);
        for limiter in [&self.conversations, &self.messages, &self.searches]
            .into_iter()
            .flatten()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// The client a request counts against (see [`client_address`]).
    fn client(&self, request: &Request) -> Option<IpAddr> {
        client_address(
            request.extensions(),
            request.headers(),
            self.trust_forwarded_for,
        )
    }
}

/// The client a request counts against: the connection's address, or behind a trusted proxy the
/// address it appended last to `X-Forwarded-For` (earlier entries are the client's own claims).
/// An IPv6 client counts by its /64, the block one subscriber holds.
pub fn client_address(
    extensions: &axum::http::Extensions,
    headers: &axum::http::HeaderMap,
    trust_forwarded_for: bool,
) -> Option<IpAddr> {
    let forwarded = trust_forwarded_for
        .then(|| {
            headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back()
        })
        .flatten();
    forwarded
        .or_else(|| {
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip())
        })
        .map(client_of)
}

/// The address a client's connections count against: an IPv6 client by its /64, the block one
/// subscriber holds (as the rate limits count).
pub fn client_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// Wrong operator tokens per client address: past [`AUTH_FAILURES_PER_MINUTE`] in a minute, every
/// operator request from that address, right token or not, is refused with 429 for a minute, so
/// guessing tokens goes no faster than that whatever the guesser sends (`baton serve`; in AWS API
/// Gateway's authorizer and throttling stand in front).
#[derive(Debug)]
pub struct AuthFailures {
    clients: std::sync::Mutex<HashMap<IpAddr, Failures>>,
    trust_forwarded_for: bool,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    since: Instant,
    count: u32,
    blocked_until: Option<Instant>,
}

/// Wrong operator tokens one address may send in a minute before it is refused for a minute.
pub const AUTH_FAILURES_PER_MINUTE: u32 = 10;
const AUTH_WINDOW: Duration = Duration::from_secs(60);
/// Clients remembered before the ones with nothing to remember are forgotten.
const AUTH_CLIENTS: usize = 10_000;

impl AuthFailures {
    /// The bound for a configuration's deployment.
    pub fn from_config(config: &Config) -> AuthFailures {
        AuthFailures {
            clients: std::sync::Mutex::default(),
            trust_forwarded_for: config.trust_forwarded_for,
        }
    }

    fn clients(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Failures>> {
        self.clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The request's client, when it is known.
    pub fn client(&self, parts: &axum::http::request::Parts) -> Option<IpAddr> {
        client_address(&parts.extensions, &parts.headers, self.trust_forwarded_for)
    }

    /// Seconds until `client` may try again, while it is refused.
    pub fn refused(&self, client: IpAddr) -> Option<u64> {
        let now = Instant::now();
        let until = self.clients().get(&client)?.blocked_until?;
        (until > now).then(|| (until - now).as_secs().max(1))
    }

    /// Records a wrong token from `client`; the seconds it is now refused for, if this was one
    /// too many.
    pub fn failed(&self, client: IpAddr) -> Option<u64> {
        let now = Instant::now();
        let mut clients = self.clients();
        if clients.len() >= AUTH_CLIENTS {
            clients.retain(|_, f| now.duration_since(f.since) < AUTH_WINDOW * 2);
        }
        let entry = clients.entry(client).or_insert(Failures {
            since: now,
            count: 0,
            blocked_until: None,
        });
        if now.duration_since(entry.since) >= AUTH_WINDOW {
            *entry = Failures {
                since: now,
                count: 0,
                blocked_until: entry.blocked_until.filter(|&until| until > now),
            };
        }
        entry.count += 1;
        if entry.count > AUTH_FAILURES_PER_MINUTE {
            entry.blocked_until = Some(now + AUTH_WINDOW);
            return Some(AUTH_WINDOW.as_secs());
        }
        None
    }
}

async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(limits) = state.limits.as_deref() else {
        return next.run(request).await;
    };
    let (Some(limiter), Some(client)) = (
        limits.limiter_for(
            request.method(),
            request.uri().path(),
            request.uri().query(),
        ),
        limits.client(&request),
    ) else {
        return next.run(request).await;
    };
    limits.sweep();
    match limiter.check_key(&client) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests from this address; try again in {seconds} s"),
            )
            .retry_after(seconds.max(1))
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    use super::*;

    fn state() -> (AppState, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let guides =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb/tests/fixtures/good");
        let kb = kb::KnowledgeBase::from_guides(&guides).expect("fixture guides");
        let store =
            crate::store::sqlite::SqliteStore::open(&dir.path().join("t.db")).expect("store");
        let config = Config::from_pairs(crate::config::Deployment::Local, []).expect("config");
        let desk = crate::Desk::new(Arc::new(kb), Arc::new(store));
        let state = crate::http::state(&config, desk);
        (state, dir)
    }

    /// A handler slower than the limit is cut off with a JSON 408 (time is paused, so the test
    /// does not wait half a minute).
    #[tokio::test(start_paused = true)]
    async fn a_slow_request_is_answered_408_in_json() {
        let (state, _dir) = state();
        let slow = Router::new().route(
            "/slow",
            axum::routing::get(|| async {
                tokio::time::sleep(REQUEST_TIMEOUT * 2).await;
                "late"
            }),
        );
        let app = layers(slow, state);
        let response = app
            .oneshot(Request::get("/slow").body(Body::empty()).expect("request"))
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .expect("body");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(body["error"]["code"], "timeout");
    }

    #[tokio::test]
    async fn the_limits_count_only_what_creates_work_for_people() {
        let config = Config::from_pairs(
            crate::config::Deployment::Local,
            [
                (crate::config::RATE_CONVERSATIONS, "1"),
                (crate::config::RATE_MESSAGES, "0"),
                (crate::config::RATE_SEARCHES, "0"),
            ],
        )
        .expect("config");
        let limits = RateLimits::from_config(&config).expect("limits");
        assert!(
            limits
                .limiter_for(&Method::POST, "/api/conversations", None)
                .is_some()
        );
        assert!(
            limits
                .limiter_for(&Method::GET, "/api/conversations/cv_x", None)
                .is_none()
        );
        assert!(
            limits
                .limiter_for(&Method::POST, "/api/conversations/cv_x/messages", None)
                .is_none(),
            "messages are off"
        );
        assert!(
            limits
                .limiter_for(&Method::GET, "/api/search", Some("q=x"))
                .is_none(),
            "recorded searches count with messages, which are off"
        );
        // The board: an inquiry, a sign-in link and a session count as new conversations.
        for path in [
            "/api/board/inquiries",
            "/api/board/sign-in-links",
            "/api/board/sessions",
        ] {
            assert!(
                limits.limiter_for(&Method::POST, path, None).is_some(),
                "{path}"
            );
        }
        assert!(
            limits
                .limiter_for(&Method::GET, "/api/board/form", None)
                .is_none()
        );
        let on = Config::from_pairs(
            crate::config::Deployment::Local,
            [(crate::config::RATE_MESSAGES, "5")],
        )
        .expect("config");
        assert!(
            RateLimits::from_config(&on)
                .expect("limits")
                .limiter_for(&Method::POST, "/api/board/suggestions/opened", None)
                .is_some(),
            "an opened suggestion writes an event: counted with messages"
        );
        let on = RateLimits::from_config(&on).expect("limits");
        assert!(
            on.limiter_for(&Method::GET, "/api/search", Some("q=x"))
                .is_some()
        );
        assert!(
            on.limiter_for(&Method::GET, "/api/search", Some("q=x&typing=true"))
                .is_some(),
            "as-you-type searches have their own limit"
        );
        // Every step of an upload counts: it bypassed the limit before.
        for (method, path) in [
            (Method::POST, "/api/conversations/cv_x/uploads"),
            (Method::PUT, "/api/conversations/cv_x/uploads/att_y"),
            (
                Method::POST,
                "/api/conversations/cv_x/uploads/att_y/complete",
            ),
        ] {
            assert!(
                on.limiter_for(&method, path, None).is_some(),
                "{method} {path}"
            );
        }
        let off = Config::from_pairs(
            crate::config::Deployment::Local,
            [
                (crate::config::RATE_CONVERSATIONS, "0"),
                (crate::config::RATE_MESSAGES, "0"),
                (crate::config::RATE_SEARCHES, "0"),
            ],
        )
        .expect("config");
        assert!(RateLimits::from_config(&off).is_none());
        // Every address of one IPv6 /64 is one client.
        let request = |ip: &str| {
            let mut r = Request::new(Body::empty());
            r.extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(ip.parse().expect("ip"), 1)));
            r
        };
        assert_eq!(
            limits.client(&request("2001:db8:1:2::1")),
            limits.client(&request("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            limits.client(&request("2001:db8:1:3::1")),
            limits.client(&request("2001:db8:1:2::1"))
        );
        assert_eq!(
            limits.client(&request("203.0.113.7")),
            Some("203.0.113.7".parse().expect("ip"))
        );
    }
}
