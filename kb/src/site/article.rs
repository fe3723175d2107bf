//! One guide's body as help center HTML: the same parse as the index (same cleaning, same parser
//! options, so heading anchors are the ones search results link to), links rewritten to the
//! published pages, then sanitized.

use std::collections::BTreeSet;
use std::path::PathBuf;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::guide::Guide;
use crate::links::{self, Lookup, Target};
use crate::markdown::{clean_tool_markup, escape_html, parser_options};

/// A rendered body.
#[derive(Debug)]
pub struct Article {
    /// Sanitized HTML.
    pub html: String,
    /// Files under the guide root the body shows or links to (copied under `files/`).
    pub files: Vec<PathBuf>,
}

/// The URL path of a guide's page under the site root (`ko/payments/refund.html`).
pub fn page_path(guide: &Guide) -> String {
    format!("{}.html", guide.id)
}

/// Renders `guide`'s body. `root` is the site's base path (`/`); `lookup` finds link targets;
/// `files` are the files under the guide root.
pub fn render(guide: &Guide, lookup: &Lookup, files: &BTreeSet<PathBuf>, root: &str) -> Article {
    let cleaned = clean_tool_markup(&guide.body);
    let mut anchors = guide.anchors.iter();
    let mut used_files = Vec::new();
    let mut events = Vec::new();
    // The page shows the title as its own `h1`; a body `h1` repeating it is skipped.
    let mut skipping_title = false;
    let mut first_heading = true;
    let mut heading_anchor: Option<String> = None;
    for event in Parser::new_ext(&cleaned, parser_options()) {
        if skipping_title {
            if matches!(event, Event::End(TagEnd::Heading(_))) {
                skipping_title = false;
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                id: _,
                classes,
                attrs,
            }) => {
                let anchor = anchors.next().cloned().unwrap_or_default();
                if first_heading && level == HeadingLevel::H1 {
                    first_heading = false;
                    skipping_title = true;
                    continue;
                }
                first_heading = false;
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(anchor.clone())),
                    classes,
                    attrs,
                }));
                heading_anchor = Some(anchor);
            }
            Event::End(TagEnd::Heading(level)) => {
                // After the text, so the hidden mark takes no room before it.
                if let Some(anchor) = heading_anchor.take() {
                    events.push(Event::InlineHtml(CowStr::from(format!(
                        "<a class=\"anchor\" href=\"#{}\" aria-hidden=\"true\" tabindex=\"-1\">#</a>",
                        escape_html(&anchor)
                    ))));
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = rewrite(guide, lookup, files, root, &dest_url, &mut used_files)
                    .map_or(dest_url, CowStr::from);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = rewrite(guide, lookup, files, root, &dest_url, &mut used_files)
                    .map_or(dest_url, CowStr::from);
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            // Raw HTML is not trusted; ammonia would strip what is dangerous, but a guide's raw
            // HTML was never meant for this site either (MDX components, tool markup).
            Event::Html(_) | Event::InlineHtml(_) => {}
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(cleaned.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    used_files.sort();
    used_files.dedup();
    Article {
        html: sanitize(&html),
        files: used_files,
    }
}

/// The published URL of a link destination, `None` to keep it as written.
fn rewrite(
    guide: &Guide,
    lookup: &Lookup,
    files: &BTreeSet<PathBuf>,
    root: &str,
    dest: &str,
    used_files: &mut Vec<PathBuf>,
) -> Option<String> {
    match links::resolve(&guide.rel_path, &guide.id, dest) {
        Target::External | Target::Unknown => None,
        Target::SamePage { anchor } => Some(format!("#{anchor}")),
        Target::Guide { candidates, anchor } => {
            let target = lookup.find(&candidates)?;
            let mut url = format!("{root}{}", page_path(target));
            if let Some(anchor) = anchor {
                url.push('#');
                url.push_str(&anchor);
            }
            Some(url)
        }
        Target::File(file) => {
            if !files.contains(&file) {
                return None;
            }
            let url = format!("{root}files/{}", file.to_string_lossy().replace('\\', "/"));
            used_files.push(file);
            Some(url)
        }
    }
}

/// The sanitizer of guide HTML: ammonia's defaults (no scripts, handlers, styles; safe URL
/// schemes; `rel="noopener noreferrer"` on links), plus heading ids and the anchor links.
fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"])
        .add_tag_attributes("a", ["aria-hidden", "tabindex"])
        .add_tag_attributes("img", ["loading"])
        .add_allowed_classes("a", ["anchor"])
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guide::{Config, parse_guide};

    fn guide(rel: &str, source: &str) -> Guide {
        parse_guide(
            std::path::Path::new(rel),
            source,
            &Config::default(),
            &mut |_, m| panic!("{m}"),
        )
        .expect("guide")
    }

    #[test]
    fn links_go_to_published_pages_and_anchors_match_the_index() {
        let refund = guide(
            "ko/payments/refund.md",
            "---\nid: ko/payments/refund\ntitle: 환불\nlang: ko\n---\n# 환불\n\n## 수수료 (VAT 별도)\n\n[취소](cancel.md#단계) · [여기](#수수료-vat-별도) · [명세서](../../images/s.svg) · [없는 글](nope.md) · [밖](https://example.com)\n\n![명세서](../../images/s.svg)\n",
        );
        let cancel = guide(
            "ko/payments/cancel.md",
            "---\nid: ko/payments/cancel\ntitle: 취소\nlang: ko\n---\n## 단계\n\n취소합니다.\n",
        );
        let guides = vec![refund, cancel];
        let lookup = Lookup::new(&guides);
        let files: BTreeSet<PathBuf> = [PathBuf::from("images/s.svg")].into();
        let article = render(&guides[0], &lookup, &files, "/");
        let html = &article.html;
        assert!(!html.contains("<h1"), "the title h1 is the page's: {html}");
        assert!(html.contains("<h2 id=\"수수료-vat-별도\">"), "{html}");
        assert_eq!(guides[0].anchors[1], "수수료-vat-별도");
        assert!(
            html.contains("href=\"/ko/payments/cancel.html#%EB%8B%A8%EA%B3%84\"")
                || html.contains("href=\"/ko/payments/cancel.html#단계\""),
            "{html}"
        );
        assert!(
            html.contains("href=\"#수수료-vat-별도\"") || html.contains("href=\"#%EC%88%98"),
            "{html}"
        );
        assert!(html.contains("src=\"/files/images/s.svg\""), "{html}");
        assert!(
            html.contains("href=\"nope.md\""),
            "a broken link stays as written: {html}"
        );
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
        assert_eq!(article.files, [PathBuf::from("images/s.svg")]);
    }

    #[test]
    fn raw_html_and_scripts_never_reach_the_page() {
        let g = guide(
            "en/x.md",
            "---\ntitle: X\nlang: en\n---\nHello <img src=x onerror=alert(1)> <script>alert(1)</script>\n\n<div onclick=\"x()\">block</div>\n\n[click](javascript:alert(1))\n\n```html\n<script>alert(1)</script>\n```\n",
        );
        let guides = vec![g];
        let html = render(&guides[0], &Lookup::new(&guides), &BTreeSet::new(), "/").html;
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "code stays visible as text: {html}"
        );
    }
}
