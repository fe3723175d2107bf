//! The compiled index: schema, build, manifest, and opening it (also from a read-only directory).
//!
//! An index directory holds a single-segment Tantivy index plus side files: `manifest.json`
//! (schema version, content hash, counts: how readers tell a stale index), `guides.json` (the
//! guide table: titles, language, area, sections, doc ids), copies of `synonyms.toml`,
//! `intents.toml` and `confidence.json` (so a deployed index searches and decides exactly as it
//! was built), and `lexicon.json` (the pairs mined from translated pages).
//!
//! Documents: for each guide one *page* document (title and headings twice, all text, the id's
//! path words, `questions` and `tags`), followed by one *section* document per section (stored
//! uncompressed, for snippets). Doc ids are therefore known from the guide table, which is also
//! what search filters by language and area.
//!
//! One file per step: `schema.rs` (fields, tokenizers, the documents of a guide), `build.rs`
//! (writing an index beside its place and swapping it in), `open.rs` (a built index opened for
//! search, read-only); the manifest and the guide table here.

mod build;
mod open;
mod schema;

use crate::error::{Error, IoContext, Result};
use crate::guide::{Corpus, Lang};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub use build::*;
pub use open::*;

/// Bumped whenever the schema, the analysis or the side files change meaning. 2: titles, headings,
/// questions and tags are plain text, so an index built before may still hold raw HTML in them.
/// 5: no kind, language or area fields (search filters by the guide table).
pub const SCHEMA_VERSION: u32 = 5;

const MANIFEST: &str = "manifest.json";

const GUIDES: &str = "guides.json";

const SYNONYMS: &str = "synonyms.toml";

const LEXICON: &str = "lexicon.json";

const INTENTS: &str = "intents.toml";

/// The intents' example vectors, beside `embeddings.bin`.
const INTENT_VECTORS: &str = "intents.bin";

const CONFIDENCE: &str = "confidence.json";

/// What `kb build` wrote, and how readers tell whether an index matches its guides.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// [`SCHEMA_VERSION`] at build time.
    pub schema_version: u32,
    /// The `kb` crate version that built it.
    pub kb_version: String,
    /// [`Corpus::content_hash`] of the guides it was built from.
    pub content_hash: String,
    /// Number of guides.
    pub guides: usize,
    /// Number of sections.
    pub sections: usize,
    /// Guides per language.
    pub languages: std::collections::BTreeMap<Lang, usize>,
    /// Synonym groups in effect.
    pub synonym_groups: usize,
    /// When it was built (seconds since the Unix epoch).
    pub built_at: u64,
    /// How long the build took, in milliseconds.
    pub build_ms: u64,
}

impl Manifest {
    /// Reads the manifest of an index directory.
    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).at(&path)?;
        let manifest: Manifest = serde_json::from_str(&text)?;
        if manifest.schema_version != SCHEMA_VERSION {
            return Err(Error::Index {
                path: dir.to_path_buf(),
                message: format!(
                    "schema version {} but this kb reads {SCHEMA_VERSION}: rebuild it with kb build",
                    manifest.schema_version
                ),
            });
        }
        Ok(manifest)
    }

    /// True when the index at `dir` is missing, unreadable, of another schema, or built from other
    /// guides than those now in `guides`.
    pub fn is_stale(dir: &Path, corpus: &Corpus) -> bool {
        Manifest::read(dir).map_or(true, |m| m.content_hash != corpus.content_hash)
    }
}

/// What a reader needs to show a guide: in the guide table and in every search hit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GuideInfo {
    /// Guide id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Language.
    pub lang: Lang,
    /// Product area.
    pub area: Option<String>,
    /// Kind of guide.
    pub category: Option<String>,
    /// Source file, relative to the guide root.
    pub path: String,
    /// Last reviewed.
    pub updated: Option<String>,
    /// The same guide in the other language, if there is one.
    pub translation: Option<String>,
}

/// A guide as the index remembers it (`guides.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GuideEntry {
    /// The guide.
    #[serde(flatten)]
    pub guide: GuideInfo,
    /// Doc id of the page document; section `i` is `page_doc + 1 + i`.
    pub page_doc: u32,
    /// Sections: heading and anchor.
    pub sections: Vec<SectionEntry>,
}

/// A section as the index remembers it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SectionEntry {
    /// Heading, empty for the introduction.
    pub heading: String,
    /// Anchor, empty for the introduction.
    pub anchor: String,
}
