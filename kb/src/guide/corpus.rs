//! A directory of guides, loaded: every file read, every problem kept.

use crate::error::{Error, IoContext, Result};
use std::path::{Path, PathBuf};

use super::config::*;
use super::parse::*;
use super::problem::*;
use super::*;

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
