//! Guides, the guide set's settings (`kb.toml`) and loading a directory of Markdown.
//!
//! Loading never fails on a bad guide: every problem becomes a [`Problem`] with a `path:line`, the
//! guide is skipped if it cannot be understood at all, and the rest of the set loads.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::analysis::looks_korean;
use crate::error::{Error, IoContext, Result};
use crate::markdown::{self, FrontMatterFormat, Reference, Section};

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

/// The settings of a guide set, read from `kb.toml` at its root (all optional).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Require Baton's full front matter on every guide (`id`, `title`, `lang`, `area`, `category`,
    /// `tags`, `questions`, `updated`). Off for docs brought from elsewhere.
    pub strict: bool,
    /// Allowed `area` values; empty allows any.
    pub areas: Vec<String>,
    /// Allowed `category` values; empty allows any.
    pub categories: Vec<String>,
    /// The synonyms file, relative to the guide root.
    pub synonyms: Option<PathBuf>,
    /// The intents file (urgent situations, "a person please" …), relative to the guide root;
    /// without one the bot knows only the intents every team shares (see [`crate::intents`]).
    pub intents: Option<PathBuf>,
    /// The bot's confidence model (`baton calibrate` writes it), relative to the guide root;
    /// without one, the model Baton ships ([`crate::confidence::Model::shipped`]).
    pub confidence: Option<PathBuf>,
}

impl Config {
    /// The name of the settings file at a guide root.
    pub const FILE: &'static str = "kb.toml";

    /// Reads `kb.toml` from `root`, or the defaults when there is none.
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join(Self::FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| Error::Config {
                path,
                message: e.message().to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(e).at(path),
        }
    }
}

/// How bad a problem is: errors fail `kb check`, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed.
    Error,
    /// Worth a look.
    Warning,
}

/// One problem in one guide, printed as `path:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    /// The guide file, as found under the root the user named.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// Error or warning.
    pub severity: Severity,
    /// Lowercase, no trailing period.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let warning = if self.severity == Severity::Warning {
            "warning: "
        } else {
            ""
        };
        write!(
            f,
            "{}:{}: {warning}{}",
            self.path.display(),
            self.line,
            self.message
        )
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

/// A loaded guide set.
#[derive(Debug)]
pub struct Corpus {
    /// The directory the guides were loaded from.
    pub root: PathBuf,
    /// `kb.toml`.
    pub config: Config,
    /// Guides sorted by id.
    pub guides: Vec<Guide>,
    /// Problems found while loading (front matter, languages); [`crate::check`] adds the rest.
    pub problems: Vec<Problem>,
    /// Hash of every input byte (guides, images excluded, settings, synonyms, schema version).
    pub content_hash: String,
    /// Total bytes of Markdown read.
    pub bytes: u64,
    /// Every file under the root, relative, for image checks.
    pub files: std::collections::BTreeSet<PathBuf>,
}

/// Markdown file extensions Baton reads.
pub const EXTENSIONS: [&str; 2] = ["md", "mdx"];

impl Corpus {
    /// Loads every `.md`/`.mdx` under `root` (hidden directories and `node_modules` skipped).
    pub fn load(root: &Path) -> Result<Corpus> {
        let config = Config::load(root)?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(crate::SCHEMA_VERSION.to_string().as_bytes());
        if let Ok(bytes) = std::fs::read(root.join(Config::FILE)) {
            hasher.update(&bytes);
        }
        let mut markdown_files = Vec::new();
        let mut files = std::collections::BTreeSet::new();
        let walker = walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                e.depth() == 0 || !(name.starts_with('.') || name == "node_modules")
            });
        for entry in walker {
            let entry = entry.map_err(|e| Error::Io {
                path: e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| root.to_path_buf()),
                error: e.into(),
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(root)
                .unwrap_or(entry.path())
                .to_path_buf();
            let is_markdown = rel
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e));
            if is_markdown {
                markdown_files.push(rel.clone());
            }
            files.insert(rel);
        }
        if markdown_files.is_empty() {
            return Err(Error::NoGuides(root.to_path_buf()));
        }

        let mut guides = Vec::with_capacity(markdown_files.len());
        let mut problems = Vec::new();
        let mut bytes = 0;
        for rel in markdown_files {
            let path = root.join(&rel);
            let raw = std::fs::read(&path).at(&path)?;
            bytes += raw.len() as u64;
            hasher.update(rel.to_string_lossy().as_bytes());
            hasher.update(&(raw.len() as u64).to_le_bytes());
            hasher.update(&raw);
            let mut report = |line: usize, message: String| {
                problems.push(Problem {
                    path: path.clone(),
                    line,
                    severity: Severity::Error,
                    message,
                });
            };
            let Ok(source) = String::from_utf8(raw) else {
                report(1, "not valid utf-8".into());
                continue;
            };
            if let Some(guide) = parse_guide(&rel, &source, &config, &mut report) {
                if guide.draft {
                    problems.push(Problem {
                        path: path.clone(),
                        line: guide.field_lines.get("draft").copied().unwrap_or(1),
                        severity: Severity::Warning,
                        message: "a draft: not indexed or published until `draft: true` is removed"
                            .into(),
                    });
                } else {
                    guides.push(guide);
                }
            }
        }
        if let Some(synonyms) = &config.synonyms {
            let path = root.join(synonyms);
            hasher.update(&std::fs::read(&path).at(&path)?);
        }
        if let Some(intents) = &config.intents {
            // Validated here so `kb check` refuses a broken file before anything is built.
            let path = root.join(intents);
            crate::intents::Intents::load(&path)?;
            hasher.update(b"intents");
            hasher.update(&std::fs::read(&path).at(&path)?);
        }
        if let Some(confidence) = &config.confidence {
            let path = root.join(confidence);
            crate::confidence::Model::load(&path)?;
            hasher.update(b"confidence");
            hasher.update(&std::fs::read(&path).at(&path)?);
        }
        guides.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Corpus {
            root: root.to_path_buf(),
            config,
            guides,
            problems,
            content_hash: hasher.finalize().to_hex().to_string(),
            bytes,
            files,
        })
    }

    /// Number of Markdown files found (guides plus those that could not be read).
    pub fn markdown_files(&self) -> usize {
        self.files
            .iter()
            .filter(|f| {
                f.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e))
            })
            .count()
    }

    /// The synonyms file of this set, if it names one.
    pub fn synonyms_path(&self) -> Option<PathBuf> {
        self.config.synonyms.as_ref().map(|s| self.root.join(s))
    }

    /// The confidence model of this set, if it names one.
    pub fn confidence_path(&self) -> Option<PathBuf> {
        self.config.confidence.as_ref().map(|s| self.root.join(s))
    }

    /// The intents file of this set, if it names one.
    pub fn intents_path(&self) -> Option<PathBuf> {
        self.config.intents.as_ref().map(|s| self.root.join(s))
    }
}

/// Parses one guide; reports problems through `report(line, message)`. `None` when the guide cannot
/// be indexed (unreadable front matter, unknown language).
pub fn parse_guide(
    rel: &Path,
    source: &str,
    config: &Config,
    report: &mut dyn FnMut(usize, String),
) -> Option<Guide> {
    let split = match markdown::split_front_matter(source) {
        Ok(split) => split,
        Err(message) => {
            report(1, message);
            return None;
        }
    };
    let (front, field_lines) = match &split.front {
        None => (serde_json::Map::new(), BTreeMap::new()),
        Some(raw) => {
            let value = match raw.format {
                FrontMatterFormat::Yaml => {
                    serde_yaml_ng::from_str::<Value>(raw.text).map_err(|e| {
                        let line = e.location().map_or(0, |l| l.line().saturating_sub(1));
                        (raw.first_line + line, e.to_string())
                    })
                }
                FrontMatterFormat::Toml => toml::from_str::<toml::Table>(raw.text)
                    .map(|t| toml_to_json(toml::Value::Table(t)))
                    .map_err(|e| {
                        let line = e
                            .span()
                            .map_or(0, |s| raw.text[..s.start].matches('\n').count());
                        (raw.first_line + line, e.message().to_string())
                    }),
            };
            let map = match value {
                Ok(Value::Object(map)) => map,
                Ok(Value::Null) => serde_json::Map::new(),
                Ok(_) => {
                    report(
                        raw.first_line,
                        "invalid front matter: expected key: value pairs".into(),
                    );
                    return None;
                }
                Err((line, message)) => {
                    report(
                        line,
                        format!("invalid front matter: {}", first_line_lowercase(&message)),
                    );
                    return None;
                }
            };
            (map, field_lines_of(raw.text, raw.first_line))
        }
    };
    let line = |field: &str| field_lines.get(field).copied().unwrap_or(1);
    let mut fields = Fields {
        map: &front,
        line: &line,
        report,
    };

    let body = markdown::parse_body(split.body, split.body_first_line);
    let mut raw_html: Vec<RawHtml> = body
        .heading_html
        .iter()
        .map(|(line, tags)| RawHtml {
            line: *line,
            what: "heading",
            tags: tags.clone(),
        })
        .collect();
    // Front matter text is shown and indexed as it reads, never as markup.
    let mut plain = |field: &str, what: &'static str, text: String| {
        let markdown::PlainText { text, html } = markdown::inline_text(&text);
        if !html.is_empty() {
            raw_html.push(RawHtml {
                line: line(field),
                what,
                tags: html,
            });
        }
        Some(text).filter(|t| !t.is_empty())
    };
    let stem_id = rel.with_extension("").to_string_lossy().replace('\\', "/");
    let id = fields.string("id").unwrap_or(stem_id);
    let front_title = fields
        .string("title")
        .and_then(|t| plain("title", "title", t));
    // The first `#` heading is plain text already: it went through the same reading as a heading.
    let title = front_title.or_else(|| body.h1.clone()).unwrap_or_else(|| {
        rel.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let lang = match fields.string("lang") {
        Some(code) => match Lang::parse(&code) {
            Some(lang) => lang,
            None => {
                (fields.report)(
                    line("lang"),
                    format!("unknown language \"{code}\" (expected ko or en)"),
                );
                return None;
            }
        },
        None => rel
            .components()
            .find_map(|c| {
                Lang::parse(&c.as_os_str().to_string_lossy()).filter(|_| {
                    let seg = c.as_os_str().to_string_lossy();
                    seg.len() == 2 || seg.len() == 5
                })
            })
            .unwrap_or_else(|| {
                let sample: String = body.sections.iter().map(|s| s.text.as_str()).collect();
                Lang::detect(&format!("{title} {sample}"))
            }),
    };
    let area = fields.string("area");
    let category = fields.string("category");
    let tags: Vec<String> = fields
        .list("tags")
        .into_iter()
        .filter_map(|t| plain("tags", "a tag", t))
        .collect();
    let questions: Vec<String> = fields
        .list("questions")
        .into_iter()
        .filter_map(|q| plain("questions", "a question", q))
        .collect();
    let description = fields
        .string("description")
        .and_then(|d| plain("description", "description", d));
    let guide = Guide {
        area,
        category,
        tags,
        questions,
        description,
        updated: fields.string("updated"),
        translation_of: fields.string("translation_of"),
        draft: matches!(front.get("draft"), Some(Value::Bool(true))),
        id,
        rel_path: rel.to_path_buf(),
        lang,
        title,
        sections: body.sections,
        anchors: body.anchors,
        references: body.references,
        field_lines: field_lines.clone(),
        raw_html,
        body: split.body.to_string(),
        body_line: split.body_first_line,
    };
    if config.strict {
        for field in [
            "id",
            "title",
            "lang",
            "area",
            "category",
            "tags",
            "questions",
            "updated",
        ] {
            if !front.contains_key(field) {
                report(1, format!("missing front matter field \"{field}\""));
            }
        }
    }
    Some(guide)
}

fn first_line_lowercase(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    // serde_yaml_ng appends " at line N column M", which the path:line prefix already says.
    let first = first.split(" at line ").next().unwrap_or(first);
    let mut chars = first.chars();
    match chars.next() {
        Some(c) => c
            .to_lowercase()
            .chain(chars)
            .collect::<String>()
            .trim_end_matches('.')
            .to_string(),
        None => String::new(),
    }
}

/// Reads typed fields from front matter, reporting wrong types.
struct Fields<'a> {
    map: &'a serde_json::Map<String, Value>,
    line: &'a dyn Fn(&str) -> usize,
    report: &'a mut dyn FnMut(usize, String),
}

impl Fields<'_> {
    fn string(&mut self, field: &str) -> Option<String> {
        match self.map.get(field)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Null => None,
            Value::String(_) => {
                (self.report)(
                    (self.line)(field),
                    format!("front matter field \"{field}\" is empty"),
                );
                None
            }
            _ => {
                (self.report)(
                    (self.line)(field),
                    format!("front matter field \"{field}\" must be text"),
                );
                None
            }
        }
    }

    fn list(&mut self, field: &str) -> Vec<String> {
        match self.map.get(field) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => s
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            Some(Value::Array(items)) => {
                let strings: Vec<String> = items
                    .iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s.trim().to_string()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .filter(|s| !s.is_empty())
                    .collect();
                if strings.len() != items.len() {
                    (self.report)(
                        (self.line)(field),
                        format!("front matter field \"{field}\" must be a list of text"),
                    );
                }
                strings
            }
            Some(_) => {
                (self.report)(
                    (self.line)(field),
                    format!("front matter field \"{field}\" must be a list of text"),
                );
                Vec::new()
            }
        }
    }
}

/// The 1-based line of each top-level key in a front matter block.
fn field_lines_of(text: &str, first_line: usize) -> BTreeMap<String, usize> {
    let mut lines = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with([' ', '\t', '-', '#']) {
            continue;
        }
        if let Some(pos) = line.find([':', '=']) {
            let key = line[..pos].trim().trim_matches(['"', '\'']);
            if !key.is_empty() {
                lines.entry(key.to_string()).or_insert(first_line + i);
            }
        }
    }
    lines
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(rel: &str, source: &str) -> (Option<Guide>, Vec<(usize, String)>) {
        let mut problems = Vec::new();
        let guide = parse_guide(Path::new(rel), source, &Config::default(), &mut |l, m| {
            problems.push((l, m))
        });
        (guide, problems)
    }

    #[test]
    fn metadata_from_front_matter() {
        let (g, p) = parse(
            "x.md",
            "---\nid: ko/pay/refund\ntitle: 환불\nlang: ko-KR\ntags: [a, b]\nquestions:\n  - 환불 돼요?\nupdated: 2026-10-01\n---\n본문\n",
        );
        let g = g.expect("guide");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(
            (g.id.as_str(), g.lang, g.title.as_str()),
            ("ko/pay/refund", Lang::Ko, "환불")
        );
        assert_eq!(g.tags, ["a", "b"]);
        assert_eq!(g.updated.as_deref(), Some("2026-10-01"));
        assert_eq!(g.stem(), "pay/refund");
        assert_eq!(g.line_of("questions"), 6);
    }

    #[test]
    fn metadata_without_front_matter() {
        let (g, _) = parse(
            "en/guides/deploy/netlify.mdx",
            "# Deploy to Netlify\n\nText.\n",
        );
        let g = g.expect("guide");
        assert_eq!(
            (g.id.as_str(), g.lang, g.title.as_str()),
            ("en/guides/deploy/netlify", Lang::En, "Deploy to Netlify")
        );
        assert_eq!(g.path_words(), "guides deploy netlify");
        let (g, _) = parse(
            "docs/intro.md",
            "+++\ntitle = \"소개\"\n+++\n한국어로 쓴 문서입니다.\n",
        );
        assert_eq!(g.expect("guide").lang, Lang::Ko);
    }

    #[test]
    fn bad_front_matter_is_reported_with_its_line() {
        let (g, p) = parse("x.md", "---\ntitle: ok\ntags: [unclosed\n---\ntext\n");
        assert!(g.is_none());
        assert_eq!(p.len(), 1);
        assert!(p[0].1.starts_with("invalid front matter:"), "{p:?}");
        let (g, p) = parse("x.md", "---\nlang: jp\n---\ntext\n");
        assert!(g.is_none());
        assert_eq!(
            p,
            [(2, "unknown language \"jp\" (expected ko or en)".to_string())]
        );
    }
}
