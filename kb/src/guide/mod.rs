//! Guides, the guide set's settings (`kb.toml`) and loading a directory of Markdown.
//!
//! Loading never fails on a bad guide: every problem becomes a [`Problem`] with a `path:line`, the
//! guide is skipped if it cannot be understood at all, and the rest of the set loads.
//!
//! One file per concept: `config.rs` (a guide set's `kb.toml`), `corpus.rs` (loading a directory of
//! guides), `parse.rs` (one file's front matter and body), `problem.rs` (what is wrong, and where);
//! the guide itself and its language here.

mod config;
mod corpus;
mod parse;
mod problem;
#[cfg(test)]
mod tests;

use crate::analysis::looks_korean;
use crate::markdown::{Reference, Section};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

pub use config::*;
pub use corpus::*;
pub use parse::*;
pub use problem::*;

/// A language Baton searches in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Korean.
    Ko,
    /// English.
    En,
}

impl Lang {
    /// Every supported language.
    pub const ALL: [Lang; 2] = [Lang::Ko, Lang::En];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// Parses `ko`, `en`, and regional forms such as `ko-KR` or `en_US`.
    pub fn parse(code: &str) -> Option<Lang> {
        let base = code
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match base.as_str() {
            "ko" | "kor" => Some(Lang::Ko),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }

    /// Detects the language of a piece of text (a query or a guide without metadata).
    pub fn detect(text: &str) -> Lang {
        if looks_korean(text) {
            Lang::Ko
        } else {
            Lang::En
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Raw HTML dropped from a title, a heading or other front matter text: only its text is indexed,
/// and `kb check` warns about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHtml {
    /// 1-based line: the heading's, or the front matter field's.
    pub line: usize,
    /// What held it, as a message says it: `title`, `heading`, `description`, `a question`, `a tag`.
    pub what: &'static str,
    /// The tags dropped, as `<name>`.
    pub tags: Vec<String>,
}

/// A parsed guide.
#[derive(Debug, Clone)]
pub struct Guide {
    /// Front-matter `id`, else the path relative to the root without extension.
    pub id: String,
    /// Path relative to the root.
    pub rel_path: PathBuf,
    /// Front-matter `lang`, else a `ko`/`en` path segment, else detected from the text.
    pub lang: Lang,
    /// Front-matter `title`, else the first `#` heading, else the file name; plain text.
    pub title: String,
    /// Product area.
    pub area: Option<String>,
    /// Kind of guide (`how-to`, `faq`, `troubleshooting`).
    pub category: Option<String>,
    /// Tags, plain text.
    pub tags: Vec<String>,
    /// How customers ask for this guide, plain text.
    pub questions: Vec<String>,
    /// One-line summary (front matter `description`), plain text.
    pub description: Option<String>,
    /// Last reviewed, `YYYY-MM-DD`.
    pub updated: Option<String>,
    /// The id of the guide this one translates, if declared.
    pub translation_of: Option<String>,
    /// `draft: true`: checked, but neither indexed nor published (a stub `baton insights
    /// --drafts` wrote, until someone answers it).
    pub draft: bool,
    /// Sections in order.
    pub sections: Vec<Section>,
    /// Every heading anchor.
    pub anchors: Vec<String>,
    /// Links and images.
    pub references: Vec<Reference>,
    /// Line of each front matter key, for messages.
    pub field_lines: BTreeMap<String, usize>,
    /// Raw HTML dropped from the title, headings and front matter text.
    pub raw_html: Vec<RawHtml>,
    /// The Markdown after the front matter, as written (the help center renders it).
    pub body: String,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
}

impl Guide {
    /// The line of a front matter field, or 1.
    pub fn line_of(&self, field: &str) -> usize {
        self.field_lines.get(field).copied().unwrap_or(1)
    }

    /// The id without its language segment: `ko/payments/refund` → `payments/refund`. Guides in
    /// two languages with the same stem are translations of each other.
    pub fn stem(&self) -> &str {
        let code = self.lang.code();
        self.id
            .strip_prefix(code)
            .and_then(|rest| rest.strip_prefix('/'))
            .unwrap_or(&self.id)
    }

    /// Words of the id's path (`guides/deploy/netlify` → `guides deploy netlify`): on sites with
    /// descriptive slugs they name the topic as well as a title does.
    pub fn path_words(&self) -> String {
        self.stem().replace(['/', '-', '_', '.'], " ")
    }
}

/// Each guide's counterpart in another language: a declared `translation_of` (either way), else
/// the guide with the same stem (`ko/payments/refund` ↔ `en/payments/refund`).
pub fn translations(guides: &[Guide]) -> std::collections::HashMap<String, String> {
    let mut pairs = std::collections::HashMap::new();
    let by_stem: std::collections::HashMap<(Lang, &str), &Guide> =
        guides.iter().map(|g| ((g.lang, g.stem()), g)).collect();
    for guide in guides {
        if let Some(of) = &guide.translation_of {
            pairs.insert(guide.id.clone(), of.clone());
            pairs.insert(of.clone(), guide.id.clone());
        }
    }
    for guide in guides {
        if pairs.contains_key(&guide.id) {
            continue;
        }
        let other = Lang::ALL
            .into_iter()
            .filter(|&l| l != guide.lang)
            .find_map(|l| by_stem.get(&(l, guide.stem())));
        if let Some(other) = other {
            pairs.insert(guide.id.clone(), other.id.clone());
        }
    }
    pairs
}
