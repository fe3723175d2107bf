//! Where a link in a guide points: another guide (and anchor), a file, or outside the set.
//!
//! Two styles are understood, because both occur in real docs: file links relative to the guide
//! (`../payments/refund.md#fees`, what Baton's guides and GitHub use) and site links the way static
//! site generators publish pages (`/en/guides/deploy/`, `../netlify/`, resolved against the page's
//! own URL, which ends in `/`).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use crate::guide::Guide;

/// What a link destination refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A URL with a scheme (`https:`, `mailto:`) or protocol-relative: not checked.
    External,
    /// An anchor on the same guide.
    SamePage {
        /// The anchor, without `#`.
        anchor: String,
    },
    /// Another guide, by candidate ids (first match wins), and an optional anchor.
    Guide {
        /// Ids that would satisfy the link, in order of preference.
        candidates: Vec<String>,
        /// The anchor, without `#`.
        anchor: Option<String>,
    },
    /// A non-Markdown file relative to the guide root (images, downloads).
    File(PathBuf),
    /// Something that cannot be judged from the guide set (site assets outside it).
    Unknown,
}

/// Resolves `dest` as written in the guide at `rel_path` (relative to the root) whose id is `id`.
pub fn resolve(rel_path: &Path, id: &str, dest: &str) -> Target {
    let dest = dest.trim();
    if dest.is_empty() {
        return Target::Unknown;
    }
    let has_scheme = dest.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if has_scheme || dest.starts_with("//") {
        return Target::External;
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(decode(a))),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or("");
    let path = decode(path);
    if path.is_empty() {
        return match anchor {
            Some(anchor) => Target::SamePage { anchor },
            None => Target::Unknown,
        };
    }
    let extension = Path::new(path.trim_end_matches('/'))
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("md" | "mdx") => {
            let base = if path.starts_with('/') {
                PathBuf::new()
            } else {
                rel_path.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            match normalize(&base.join(path.trim_start_matches('/'))) {
                Some(file) => Target::Guide {
                    candidates: vec![file.with_extension("").to_string_lossy().replace('\\', "/")],
                    anchor,
                },
                None => Target::Unknown,
            }
        }
        Some("html" | "htm") | None => {
            // Site URL: a page's own URL is its id followed by `/`.
            let base = if path.starts_with('/') {
                PathBuf::new()
            } else {
                PathBuf::from(id)
            };
            let Some(page) = normalize(&base.join(path.trim_start_matches('/'))) else {
                return Target::Unknown;
            };
            let page = page.to_string_lossy().replace('\\', "/");
            let page = page
                .trim_end_matches(".html")
                .trim_end_matches(".htm")
                .trim_end_matches("/index");
            let mut candidates = vec![page.to_string(), format!("{page}/index")];
            // Relative site links are often written from the page's parent (`../x/` meaning a
            // sibling page); accept the sibling reading too.
            if !path.starts_with('/')
                && let Some(sibling) = Path::new(id)
                    .parent()
                    .and_then(|p| normalize(&p.join(&path)))
            {
                candidates.push(sibling.to_string_lossy().replace('\\', "/"));
            }
            Target::Guide { candidates, anchor }
        }
        Some(_) if path.starts_with('/') || path.starts_with('~') || path.starts_with('@') => {
            Target::Unknown
        }
        Some(_) => match normalize(&rel_path.parent().unwrap_or(Path::new("")).join(&path)) {
            Some(file) => Target::File(file),
            None => Target::Unknown,
        },
    }
}

/// The guides a link's candidate ids can name: by front-matter id, or by file path without the
/// extension (links name files, ids come from front matter).
pub struct Lookup<'a> {
    by_id: HashMap<&'a str, &'a Guide>,
    by_path: HashMap<String, &'a Guide>,
}

impl<'a> Lookup<'a> {
    /// A lookup over a guide set.
    pub fn new(guides: &'a [Guide]) -> Lookup<'a> {
        Lookup {
            by_id: guides.iter().map(|g| (g.id.as_str(), g)).collect(),
            by_path: guides
                .iter()
                .map(|g| {
                    let path = g.rel_path.with_extension("");
                    (path.to_string_lossy().replace('\\', "/"), g)
                })
                .collect(),
        }
    }

    /// The guide with this front-matter id.
    pub fn by_id(&self, id: &str) -> Option<&'a Guide> {
        self.by_id.get(id).copied()
    }

    /// The guide of the first candidate that names one.
    pub fn find(&self, candidates: &[String]) -> Option<&'a Guide> {
        candidates.iter().find_map(|c| {
            self.by_id
                .get(c.as_str())
                .or_else(|| self.by_path.get(c))
                .copied()
        })
    }
}

/// Resolves `.` and `..`; `None` when the path climbs out of the root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => {}
        }
    }
    Some(out)
}

/// Percent-decodes a URL part (`%EC%A0%95` → `정`); invalid sequences stay as written.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guide(candidates: &[&str], anchor: Option<&str>) -> Target {
        Target::Guide {
            candidates: candidates.iter().map(|s| s.to_string()).collect(),
            anchor: anchor.map(str::to_string),
        }
    }

    #[test]
    fn file_links() {
        let from = Path::new("ko/payments/refund.md");
        assert_eq!(
            resolve(
                from,
                "ko/payments/refund",
                "../transfers/fees.md#카드-수수료"
            ),
            guide(&["ko/transfers/fees"], Some("카드-수수료"))
        );
        assert_eq!(
            resolve(from, "ko/payments/refund", "errors.md"),
            guide(&["ko/payments/errors"], None)
        );
        assert_eq!(
            resolve(from, "ko/payments/refund", "../../images/a.svg"),
            Target::File("images/a.svg".into())
        );
        assert_eq!(
            resolve(from, "ko/payments/refund", "#%EC%A0%95%EC%82%B0"),
            Target::SamePage {
                anchor: "정산".into()
            }
        );
        assert_eq!(
            resolve(from, "x", "https://example.com/a.md"),
            Target::External
        );
        assert_eq!(
            resolve(from, "x", "mailto:help@example.com"),
            Target::External
        );
        assert_eq!(
            resolve(from, "x", "../../../../etc/passwd.md"),
            Target::Unknown
        );
    }

    #[test]
    fn site_links() {
        let from = Path::new("en/guides/deploy/netlify.mdx");
        let id = "en/guides/deploy/netlify";
        assert_eq!(
            resolve(from, id, "/en/guides/routing/#dynamic-routes"),
            guide(
                &["en/guides/routing", "en/guides/routing/index"],
                Some("dynamic-routes")
            )
        );
        assert_eq!(
            resolve(from, id, "../vercel/"),
            guide(
                &[
                    "en/guides/deploy/vercel",
                    "en/guides/deploy/vercel/index",
                    "en/guides/vercel"
                ],
                None
            )
        );
        assert_eq!(resolve(from, id, "/logo.png"), Target::Unknown);
    }
}
