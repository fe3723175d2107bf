//! A built index opened for search (from a read-only directory too, as a Lambda layer is).

use crate::analysis::{Analyzer, is_hangul};
use crate::error::{Error, IoContext, Result};
use crate::guide::{Corpus, Lang};
use crate::search::SectionAt;
use crate::synonyms::Synonyms;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::{Directory, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use super::build::*;
use super::schema::*;
use super::*;

/// An opened index: what search runs against.
pub struct KnowledgeBase {
    pub(crate) fields: Fields,
    pub(crate) searcher: Searcher,
    /// Kept so the searcher's segments stay valid.
    _reader: IndexReader,
    pub(crate) guides: Vec<GuideEntry>,
    pub(crate) synonyms: Synonyms,
    pub(crate) lexicon: crate::lexicon::Lexicon,
    intents: crate::intents::Intents,
    confidence: crate::confidence::Model,
    /// The model that also reads the sentence model's signals, for searches that had them.
    meaning_confidence: Option<crate::confidence::Model>,
    /// Initial consonants (`ㅂㅁㅂㅎ`) → the title, heading, tag and question words they spell.
    pub(crate) initials: std::collections::HashMap<String, Vec<String>>,
    /// For each guide (by index), its translation's index in `guides`.
    pub(crate) translations: Vec<Option<usize>>,
    /// BM25 over the searched fields, prepared once.
    pub(crate) scoring: crate::scoring::Scoring,
    /// Each guide's page document and language, by guide index: what ranking reads of every
    /// guide for every query, kept together.
    pub(crate) pages: Vec<(u32, Lang)>,
    /// Each section document's text, read on first use ([`KnowledgeBase::text`]).
    texts: Box<[OnceLock<Arc<str>>]>,
    /// Each section document's first words, analysed on its first snippet.
    pub(crate) words: Box<[OnceLock<crate::search::SectionWords>]>,
    /// Typo corrections looked up so far.
    pub(crate) corrections: crate::search::Corrections,
    /// Every section's vector, when the index was built with the sentence model.
    dense: Option<crate::dense::Dense>,
    manifest: Manifest,
    dir: PathBuf,
    /// A temporary index built from guides (`--guides`), deleted on drop.
    _temp: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for KnowledgeBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeBase")
            .field("dir", &self.dir)
            .field("guides", &self.guides.len())
            .finish()
    }
}

/// Words of titles, headings, tags and questions by their initial consonants, for queries typed
/// as `ㅂㅁㅂㅎ`: the three most frequent per spelling.
pub(super) fn initials_of(
    guides: &[GuideEntry],
    searcher: &Searcher,
    fields: Fields,
) -> Result<std::collections::HashMap<String, Vec<String>>> {
    // Only Hangul words have initial consonants: leave the rest unanalysed (open is a cold start).
    let hangul = |text: &str| {
        Analyzer::Text
            .analyze_where(text, |word| word.starts_with(is_hangul))
            .into_iter()
            .map(|t| t.text)
    };
    let mut words: BTreeSet<String> = BTreeSet::new();
    for entry in guides {
        words.extend(hangul(&entry.guide.title));
        for section in &entry.sections {
            words.extend(hangul(&section.heading));
        }
    }
    let meta = searcher.segment_reader(0).inverted_index(fields.meta)?;
    let mut stream = meta.terms().stream().map_err(tantivy::TantivyError::from)?;
    while stream.advance() {
        if let Ok(term) = std::str::from_utf8(stream.key()) {
            words.insert(term.to_string());
        }
    }
    let mut by_initials: std::collections::HashMap<String, Vec<(u64, String)>> =
        std::collections::HashMap::new();
    for word in words {
        if word.chars().count() < 2 {
            continue;
        }
        if let Some(initials) = crate::analysis::korean::jamo::initials(&word) {
            let doc_freq = searcher.doc_freq(&Term::from_field_text(fields.text, &word))?;
            by_initials
                .entry(initials)
                .or_default()
                .push((doc_freq, word));
        }
    }
    Ok(by_initials
        .into_iter()
        .map(|(initials, mut words)| {
            words.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            (
                initials,
                words.into_iter().take(3).map(|(_, w)| w).collect(),
            )
        })
        .collect())
}

impl KnowledgeBase {
    /// Opens an index directory without ever writing to it: Tantivy's lock files are not created,
    /// so this works on Lambda's read-only package and layers.
    pub fn open(dir: &Path) -> Result<KnowledgeBase> {
        let index_error = |message: String| Error::Index {
            path: dir.to_path_buf(),
            message,
        };
        if !dir.join(MANIFEST).exists() {
            return Err(index_error(
                "no index here (manifest.json missing): run kb build".into(),
            ));
        }
        let manifest = Manifest::read(dir)?;
        let guides: Vec<GuideEntry> =
            serde_json::from_slice(&std::fs::read(dir.join(GUIDES)).at(dir.join(GUIDES))?)?;
        let synonyms = Synonyms::load(&dir.join(SYNONYMS))?;
        let lexicon: crate::lexicon::Lexicon =
            serde_json::from_slice(&std::fs::read(dir.join(LEXICON)).at(dir.join(LEXICON))?)?;
        let intents = crate::intents::Intents::load(&dir.join(INTENTS))?;
        let confidence = if dir.join(CONFIDENCE).exists() {
            crate::confidence::Model::load(&dir.join(CONFIDENCE))?
        } else {
            crate::confidence::Model::shipped()
        };
        let directory = MmapDirectory::open(dir).map_err(|e| index_error(e.to_string()))?;
        let mut index = Index::open(ReadOnlyDirectory(directory))?;
        index.set_tokenizers(tokenizers());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        if searcher.segment_readers().len() > 1 {
            return Err(index_error(
                "more than one segment: rebuild it with kb build".into(),
            ));
        }
        let fields = fields_of(&index.schema())?;
        let initials = initials_of(&guides, &searcher, fields)?;
        let translations = guides
            .iter()
            .map(|entry| {
                let id = entry.guide.translation.as_deref()?;
                guides
                    .binary_search_by(|g| g.guide.id.as_str().cmp(id))
                    .ok()
            })
            .collect();
        let scoring = crate::scoring::Scoring::new(
            &searcher,
            &[fields.text, fields.bigram, fields.path, fields.meta],
        )?;
        let pages = guides.iter().map(|g| (g.page_doc, g.guide.lang)).collect();
        // Search reads scores by the doc ids of the guide table: they must all exist.
        if guides
            .iter()
            .any(|g| g.page_doc as usize + g.sections.len() >= scoring.docs())
        {
            return Err(index_error(
                "guides.json names documents the index does not have: rebuild it with kb build"
                    .into(),
            ));
        }
        let section_counts: Vec<usize> = guides.iter().map(|g| g.sections.len()).collect();
        let dense = crate::dense::Dense::open(dir, &section_counts)?;
        // The examples' vectors, from the same model as the sections'.
        let intents = match crate::dense::read_file(&dir.join(INTENT_VECTORS))? {
            Some(stored)
                if dense
                    .as_ref()
                    .is_some_and(|d| d.fingerprint() == stored.fingerprint) =>
            {
                intents
                    .with_vectors(&stored.fingerprint, stored.dim, stored.vectors)
                    .map_err(|e| {
                        index_error(format!("intents.bin: {e}: rebuild it with kb build"))
                    })?
            }
            _ => intents,
        };
        Ok(KnowledgeBase {
            dense,
            fields,
            searcher,
            _reader: reader,
            guides,
            synonyms,
            lexicon,
            intents,
            confidence,
            meaning_confidence: crate::confidence::Model::shipped_with_meaning(),
            initials,
            translations,
            texts: (0..scoring.docs()).map(|_| OnceLock::new()).collect(),
            words: (0..scoring.docs()).map(|_| OnceLock::new()).collect(),
            corrections: Default::default(),
            scoring,
            pages,
            manifest,
            dir: dir.to_path_buf(),
            _temp: None,
        })
    }

    /// Builds a temporary index of a guide directory and opens it (deleted when dropped).
    pub fn from_guides(root: &Path) -> Result<KnowledgeBase> {
        KnowledgeBase::from_guides_with(root, None)
    }

    /// [`KnowledgeBase::from_guides`], with sections embedded by the sentence model.
    pub fn from_guides_with(
        root: &Path,
        embedder: Option<&crate::dense::Embedder<'_>>,
    ) -> Result<KnowledgeBase> {
        let corpus = Corpus::load(root)?;
        let temp = tempfile::Builder::new()
            .prefix("kb-index-")
            .tempdir()
            .at(std::env::temp_dir())?;
        let out = temp.path().join("index");
        build_with(&corpus, &out, &|_| {}, embedder)?;
        let mut kb = KnowledgeBase::open(&out)?;
        kb._temp = Some(temp);
        Ok(kb)
    }

    /// True when the index holds section vectors made by `encoder`'s model file: only then are
    /// its cosines with that model's questions meaningful.
    pub fn has_vectors_of(&self, encoder: &encoder::Encoder) -> bool {
        self.dense()
            .is_some_and(|d| d.fingerprint() == encoder.fingerprint())
    }

    /// The sections' vectors, when the index has them.
    pub fn dense(&self) -> Option<&crate::dense::Dense> {
        self.dense.as_ref()
    }

    /// The manifest of the open index.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Every guide in the index, sorted by id.
    pub fn guides(&self) -> &[GuideEntry] {
        &self.guides
    }

    /// A guide by id.
    pub fn guide(&self, id: &str) -> Option<&GuideEntry> {
        self.guides
            .binary_search_by(|g| g.guide.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.guides[i])
    }

    /// The Korean–English word pairs mined from the set's translated guides.
    pub fn lexicon(&self) -> &crate::lexicon::Lexicon {
        &self.lexicon
    }

    /// The set's synonym groups (`synonyms.toml`).
    pub fn synonyms(&self) -> &Synonyms {
        &self.synonyms
    }

    /// What the bot recognizes in customers' words, as this set defines it.
    pub fn intents(&self) -> &crate::intents::Intents {
        &self.intents
    }

    /// A message's meaning as the intents read it: `vector` (its embedding as a query) and its
    /// cosine to the closest section of these guides.
    pub fn meaning_of(&self, vector: Vec<f32>) -> crate::intents::Meaning {
        let guides = self.dense.as_ref().map_or(1.0, |d| d.closest(&vector));
        crate::intents::Meaning { vector, guides }
    }

    /// The model of how likely a search's best guide is right, as this set ships it.
    pub fn confidence(&self) -> &crate::confidence::Model {
        &self.confidence
    }

    /// The model for a search's signals: the one that reads meaning when the search had it and
    /// such a model is there, else the words-only one.
    pub fn confidence_for(
        &self,
        signals: &crate::confidence::Signals,
    ) -> &crate::confidence::Model {
        match (&self.meaning_confidence, signals.meaning) {
            (Some(model), Some(_)) => model,
            _ => &self.confidence,
        }
    }

    /// Uses `model` for the searches it fits: a model that reads meaning for those with meaning,
    /// a words-only one for the rest (a refit being measured).
    pub fn with_model(mut self, model: crate::confidence::Model) -> KnowledgeBase {
        if model.reads_meaning() {
            self.meaning_confidence = Some(model);
        } else {
            self.confidence = model;
        }
        self
    }

    /// Uses `model` for [`KnowledgeBase::confidence`] (a refit being measured).
    pub fn with_confidence(mut self, model: crate::confidence::Model) -> KnowledgeBase {
        self.confidence = model;
        self
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The plain text of a section a search found: read from the index once, then kept (a help
    /// center's text is a few megabytes at most, and a hit's section is read again and again).
    pub fn text(&self, at: SectionAt) -> Result<Arc<str>> {
        let doc_id = self.doc_of(at);
        let slot = &self.texts[doc_id as usize];
        if let Some(text) = slot.get() {
            return Ok(Arc::clone(text));
        }
        let doc: TantivyDocument = self.searcher.doc(tantivy::DocAddress::new(0, doc_id))?;
        use tantivy::schema::Value;
        let text: Arc<str> = doc
            .get_first(self.fields.body)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .into();
        Ok(Arc::clone(slot.get_or_init(|| text)))
    }

    /// The document of a section.
    pub(crate) fn doc_of(&self, at: SectionAt) -> u32 {
        self.guides[at.guide as usize].page_doc + 1 + at.section
    }
}

/// A directory that only reads: locks are no-ops and writes fail. Tantivy's reader takes a lock
/// file while it opens segments, which fails on a read-only file system; an index that is never
/// written while served needs no lock.
#[derive(Debug, Clone)]
pub(super) struct ReadOnlyDirectory(MmapDirectory);

pub(super) fn read_only(path: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        format!("{}: the index is opened read-only", path.display()),
    )
}

impl Directory for ReadOnlyDirectory {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> Result<std::sync::Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: std::sync::Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: std::sync::Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, _data: &[u8]) -> std::io::Result<()> {
        Err(read_only(path))
    }
    fn sync_directory(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }
    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}
