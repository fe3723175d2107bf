//! Baton's knowledge base: Markdown guides compiled into a bilingual (Korean/English) Tantivy index,
//! and the search that the help center, the support bot and the operators all read.
//!
//! The path of a guide through this crate, one module per step:
//! [`markdown`] (front matter, sections, anchors, links) → [`guide`] (metadata, loading a set) →
//! [`check`] (validation, `path:line: message`) → [`index`] (schema, build, manifest, read-only open)
//! → [`search`] (query analysis, ranking, snippets) → [`eval`] (quality metrics); [`site`] renders
//! the same parsed guides as the static help center.
//! Text analysis for both languages lives in [`analysis`], domain synonyms in [`synonyms`], what
//! customers' words ask for beyond a question in [`intents`], how likely the best guide is right in
//! [`confidence`], and meaning beside words (sections embedded by the sentence model, the
//! [`encoder`] crate) in [`dense`].

pub mod analysis;
pub mod bench;
pub mod check;
pub mod confidence;
pub mod dense;
pub mod error;
pub mod eval;
pub mod function_words;
pub mod guide;
pub mod index;
pub mod intents;
pub mod lexicon;
pub mod links;
pub mod markdown;
mod scoring;
pub mod search;
pub mod site;
pub mod synonyms;

pub use error::{Error, Result};
pub use guide::{Corpus, Guide, Lang, Problem, Severity};
pub use index::{GuideInfo, KnowledgeBase, Manifest, SCHEMA_VERSION, build, build_with};
pub use search::{GuideHit, SearchRequest, SearchResults, SectionHit, Snippet, Tuning};
