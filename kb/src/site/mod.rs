//! The static help center: every guide rendered to HTML from the same parsed guides the index is
//! built from, with home, topic and kind pages, a language chooser, `sitemap.xml` and the web
//! assets (help center script and styles, the chat widget, the operator console), written as one
//! web root a team can host anywhere (S3 + CloudFront in AWS; `baton serve` locally). Search is the
//! only call the pages make.
//!
//! Layout of the web root (`root` is the base path, `/` by default):
//! `index.html` (language chooser), `{lang}/index.html`, `{lang}/areas/{area}.html`,
//! `{lang}/kinds/{category}.html`, `{lang}/inquiries.html` (the inquiry board), `{lang}/org.html` (a business customer's space), `{id}.html` per guide, `404.html`, `files/…` (images under the
//! guide root), `assets/` (help.css, help.js, theme.css, the logo), `i18n/{lang}.json`,
//! `widget/widget.js`, `console/` (with the theme's `saved-replies.json`), `sitemap.xml`, `robots.txt`.

pub mod article;
mod pages;
pub mod theme;

use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::guide::{Corpus, Lang};
use pages::Site;
pub use theme::Theme;

/// The translation files: every UI string of the help center, the widget and the console.
pub const I18N: [(Lang, &str); 2] = [
    (Lang::Ko, include_str!("../../../web/i18n/ko.json")),
    (Lang::En, include_str!("../../../web/i18n/en.json")),
];

/// Files copied as they are into the web root.
pub const STATIC_FILES: [(&str, &str); 21] = [
    (
        "assets/help.css",
        include_str!("../../../web/help/assets/help.css"),
    ),
    (
        "assets/help.js",
        include_str!("../../../web/help/assets/help.js"),
    ),
    (
        "assets/board.js",
        include_str!("../../../web/help/assets/board.js"),
    ),
    (
        "assets/org.js",
        include_str!("../../../web/help/assets/org.js"),
    ),
    // What the help center, the widget's frame and the console share (ES modules).
    (
        "shared/i18n.js",
        include_str!("../../../web/shared/i18n.js"),
    ),
    ("shared/dom.js", include_str!("../../../web/shared/dom.js")),
    ("shared/api.js", include_str!("../../../web/shared/api.js")),
    (
        "shared/guides.js",
        include_str!("../../../web/shared/guides.js"),
    ),
    (
        "widget/widget.js",
        include_str!("../../../web/widget/widget.js"),
    ),
    (
        "widget/frame.html",
        include_str!("../../../web/widget/frame.html"),
    ),
    (
        "widget/chat.js",
        include_str!("../../../web/widget/chat.js"),
    ),
    (
        "widget/chat.css",
        include_str!("../../../web/widget/chat.css"),
    ),
    (
        "console/index.html",
        include_str!("../../../web/console/index.html"),
    ),
    (
        "console/console.js",
        include_str!("../../../web/console/console.js"),
    ),
    (
        "console/console.css",
        include_str!("../../../web/console/console.css"),
    ),
    (
        "console/insights.html",
        include_str!("../../../web/console/insights.html"),
    ),
    (
        "console/insights.js",
        include_str!("../../../web/console/insights.js"),
    ),
    (
        "console/features.html",
        include_str!("../../../web/console/features.html"),
    ),
    (
        "console/features.js",
        include_str!("../../../web/console/features.js"),
    ),
    (
        "console/sign-in.js",
        include_str!("../../../web/console/sign-in.js"),
    ),
    // Token sign-in; a deployment to AWS writes Cognito's here (infra/README.md).
    (
        "console/config.json",
        include_str!("../../../web/console/config.json"),
    ),
];

/// How to render a site.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A theme folder over the default theme.
    pub theme: Option<PathBuf>,
    /// The published base URL (`https://help.example.com`), over the theme's `url`.
    pub url: Option<String>,
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Help center pages (guides, home, topic and kind pages, the chooser and 404).
    pub pages: usize,
    /// Every file written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// Renders the help center of `corpus` into `out`, replacing what was there once everything is
/// written (a failed render leaves the previous site in place).
pub fn write(corpus: &Corpus, out: &Path, options: &Options) -> Result<Report> {
    let theme = Theme::load(options.theme.as_deref())?;
    let url = options
        .url
        .clone()
        .unwrap_or_else(|| theme.url.clone())
        .trim_end_matches('/')
        .to_string();
    let site = Site::new(corpus, &theme, url)?;
    let staging = crate::index::staging_beside(out, ".site-")?;
    let mut writer = Writer {
        root: staging.path().to_path_buf(),
        report: Report {
            pages: 0,
            files: 0,
            bytes: 0,
        },
    };
    site.write_all(&mut writer)?;
    let report = writer.report;
    let staged = staging.keep();
    if out.exists() {
        let old = crate::index::staging_beside(out, ".site-old-")?.keep();
        std::fs::rename(out, old.join("site")).at(out)?;
        std::fs::rename(&staged, out).at(out)?;
        std::fs::remove_dir_all(&old).at(&old)?;
    } else {
        std::fs::rename(&staged, out).at(out)?;
    }
    Ok(report)
}

/// Writes files under the staging root, counting them.
pub(super) struct Writer {
    root: PathBuf,
    report: Report,
}

impl Writer {
    pub(super) fn file(&mut self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).at(dir)?;
        }
        std::fs::write(&path, bytes).at(&path)?;
        self.report.files += 1;
        self.report.bytes += bytes.len() as u64;
        Ok(())
    }

    /// A help center page (counted as one).
    pub(super) fn page(&mut self, rel: &str, html: &str) -> Result<()> {
        self.report.pages += 1;
        self.file(rel, html.as_bytes())
    }
}

pub(super) fn template_error(name: &str, error: &minijinja::Error) -> Error {
    let mut message = error.to_string();
    if let Some(line) = error.line() {
        message = format!("line {line}: {message}");
    }
    Error::Template {
        name: name.to_string(),
        message,
    }
}
