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

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::schema::{Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::TokenizerManager;
use tantivy::{
    Directory, Index, IndexReader, IndexSettings, ReloadPolicy, Searcher, TantivyDocument, Term,
};

use crate::analysis::{Analyzer, BatonTokenizer, is_hangul};
use crate::error::{Error, IoContext, Result};
use crate::guide::{Corpus, Guide, Lang};
use crate::synonyms::Synonyms;

/// Bumped whenever the schema, the analysis or the side files change meaning. 2: titles, headings,
/// questions and tags are plain text, so an index built before may still hold raw HTML in them.
/// 5: no kind, language or area fields (search filters by the guide table).
pub const SCHEMA_VERSION: u32 = 5;

const MANIFEST: &str = "manifest.json";
const GUIDES: &str = "guides.json";
const SYNONYMS: &str = "synonyms.toml";
const LEXICON: &str = "lexicon.json";
const INTENTS: &str = "intents.toml";
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

/// The fields of Baton's schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub text: Field,
    pub bigram: Field,
    pub path: Field,
    pub meta: Field,
    pub body: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let analyzed = |analyzer: Analyzer| {
        // Frequencies without positions: Baton never runs phrase queries, and positions would
        // double the postings size.
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer.name())
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let fields = Fields {
        text: builder.add_text_field("text", analyzed(Analyzer::Text)),
        bigram: builder.add_text_field("bigram", analyzed(Analyzer::Bigram)),
        path: builder.add_text_field("path", analyzed(Analyzer::Text)),
        meta: builder.add_text_field("meta", analyzed(Analyzer::Text)),
        body: builder.add_text_field("body", STORED),
    };
    (builder.build(), fields)
}

pub(crate) fn fields_of(schema: &Schema) -> Result<Fields> {
    let get = |name: &str| {
        schema.get_field(name).map_err(|_| Error::Index {
            path: PathBuf::new(),
            message: format!("schema has no field \"{name}\""),
        })
    };
    Ok(Fields {
        text: get("text")?,
        bigram: get("bigram")?,
        path: get("path")?,
        meta: get("meta")?,
        body: get("body")?,
    })
}

fn tokenizers() -> TokenizerManager {
    let manager = TokenizerManager::default();
    for analyzer in [Analyzer::Text, Analyzer::Bigram] {
        manager.register(analyzer.name(), BatonTokenizer(analyzer));
    }
    manager
}

/// What a build did, for the CLI to print.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    /// The manifest written.
    pub manifest: Manifest,
    /// Bytes of Markdown read.
    pub input_bytes: u64,
    /// Bytes of the index directory.
    pub index_bytes: u64,
    /// Where it was written.
    pub out: PathBuf,
}

/// Builds the index of `corpus` into `out`, replacing what is there only once the new index is
/// complete, so a reader never sees half an index. `progress` is called after each guide.
pub fn build(corpus: &Corpus, out: &Path, progress: &dyn Fn(usize)) -> Result<BuildReport> {
    let started = Instant::now();
    let synonyms_text = match corpus.synonyms_path() {
        Some(path) => {
            let text = std::fs::read_to_string(&path).at(&path)?;
            Synonyms::parse(&text).map_err(|message| Error::Config {
                path: path.clone(),
                message,
            })?;
            Some(text)
        }
        None => None,
    };
    let synonyms = synonyms_text
        .as_deref()
        .map(Synonyms::parse)
        .transpose()
        .ok()
        .flatten()
        .unwrap_or_default();

    let staging = staging_beside(out, ".kb-build-")?;

    let (schema, fields) = schema();
    let directory = MmapDirectory::open(staging.path()).map_err(|e| Error::Index {
        path: staging.path().to_path_buf(),
        message: e.to_string(),
    })?;
    let mut writer = Index::builder()
        .schema(schema)
        .settings(IndexSettings {
            // Stored section text is read for every result's snippet: uncompressed, a read is a
            // copy rather than a block decompression (the index grows by about half).
            docstore_compression: tantivy::store::Compressor::None,
            ..IndexSettings::default()
        })
        .tokenizers(tokenizers())
        .single_segment_index_writer(directory, 64 << 20)?;

    let translations = crate::guide::translations(&corpus.guides);
    let mut entries = Vec::with_capacity(corpus.guides.len());
    let mut next_doc: u32 = 0;
    let mut sections = 0;
    let mut languages = std::collections::BTreeMap::new();
    for (n, guide) in corpus.guides.iter().enumerate() {
        *languages.entry(guide.lang).or_insert(0) += 1;
        writer.add_document(page_document(&fields, guide))?;
        for section in &guide.sections {
            writer.add_document(section_document(&fields, guide, section))?;
        }
        let translation = translations.get(&guide.id).cloned();
        entries.push(GuideEntry {
            guide: GuideInfo {
                id: guide.id.clone(),
                title: guide.title.clone(),
                lang: guide.lang,
                area: guide.area.clone(),
                category: guide.category.clone(),
                path: guide.rel_path.to_string_lossy().replace('\\', "/"),
                updated: guide.updated.clone(),
                translation,
            },
            page_doc: next_doc,
            sections: guide
                .sections
                .iter()
                .map(|s| SectionEntry {
                    heading: s.heading.clone(),
                    anchor: s.anchor.clone(),
                })
                .collect(),
        });
        next_doc += 1 + guide.sections.len() as u32;
        sections += guide.sections.len();
        progress(n + 1);
    }
    writer.finalize()?;

    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        kb_version: env!("CARGO_PKG_VERSION").to_string(),
        content_hash: corpus.content_hash.clone(),
        guides: corpus.guides.len(),
        sections,
        languages,
        synonym_groups: synonyms.len(),
        built_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        build_ms: started.elapsed().as_millis() as u64,
    };
    let write = |name: &str, bytes: &[u8]| {
        let path = staging.path().join(name);
        std::fs::write(&path, bytes).at(path)
    };
    write(GUIDES, &serde_json::to_vec(&entries)?)?;
    write(
        SYNONYMS,
        synonyms_text
            .as_deref()
            .unwrap_or("groups = []\n")
            .as_bytes(),
    )?;
    let intents_text = match corpus.intents_path() {
        Some(path) => std::fs::read_to_string(&path).at(&path)?,
        None => String::new(),
    };
    write(INTENTS, intents_text.as_bytes())?;
    if let Some(path) = corpus.confidence_path() {
        write(CONFIDENCE, &std::fs::read(&path).at(&path)?)?;
    }
    write(
        LEXICON,
        &serde_json::to_vec(&crate::lexicon::Lexicon::mine(corpus))?,
    )?;
    write(MANIFEST, &serde_json::to_vec_pretty(&manifest)?)?;

    let staged = staging.keep();
    let index_bytes = publish(&staged, out)?;
    Ok(BuildReport {
        manifest,
        input_bytes: corpus.bytes,
        index_bytes,
        out: out.to_path_buf(),
    })
}

/// A temporary directory beside `out` (same file system, so the finished result can be moved into
/// place with a rename), its parent created if needed.
pub(crate) fn staging_beside(out: &Path, prefix: &str) -> Result<tempfile::TempDir> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).at(parent)?;
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(parent)
        .at(parent)
}

/// Makes the staged index world-readable (Lambda runs as another user than the one that packaged
/// it) and moves it into place, replacing an older index. Returns its size.
fn publish(staged: &Path, out: &Path) -> Result<u64> {
    use std::os::unix::fs::PermissionsExt;
    let mut bytes = 0;
    for entry in std::fs::read_dir(staged).at(staged)? {
        let entry = entry.at(staged)?;
        let path = entry.path();
        // Tantivy's writer lock is released by now; it has no place in a shipped index.
        if entry.file_name() == ".tantivy-writer.lock" {
            std::fs::remove_file(&path).at(&path)?;
            continue;
        }
        bytes += entry.metadata().at(&path)?.len();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).at(&path)?;
    }
    std::fs::set_permissions(staged, std::fs::Permissions::from_mode(0o755)).at(staged)?;
    if out.exists() {
        let old = out.with_extension(format!("old-{}", std::process::id()));
        std::fs::rename(out, &old).at(out)?;
        std::fs::rename(staged, out).at(out)?;
        std::fs::remove_dir_all(&old).at(&old)?;
    } else {
        std::fs::rename(staged, out).at(out)?;
    }
    Ok(bytes)
}

fn page_document(fields: &Fields, guide: &Guide) -> TantivyDocument {
    let mut text = String::new();
    for _ in 0..2 {
        text.push_str(&guide.title);
        text.push('\n');
        for section in &guide.sections {
            text.push_str(&section.heading);
            text.push('\n');
        }
    }
    if let Some(description) = &guide.description {
        text.push_str(description);
        text.push('\n');
    }
    for section in &guide.sections {
        text.push_str(&section.text);
        text.push('\n');
    }
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.bigram, &text);
    doc.add_text(fields.text, text);
    doc.add_text(fields.path, guide.path_words());
    let meta: Vec<&str> = guide
        .questions
        .iter()
        .chain(&guide.tags)
        .map(String::as_str)
        .collect();
    doc.add_text(fields.meta, meta.join("\n"));
    doc
}

fn section_document(
    fields: &Fields,
    guide: &Guide,
    section: &crate::markdown::Section,
) -> TantivyDocument {
    let text = format!(
        "{}\n{h}\n{h}\n{}",
        guide.title,
        section.text,
        h = section.heading
    );
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.bigram, &text);
    doc.add_text(fields.text, text);
    doc.add_text(fields.body, &section.text);
    doc
}

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
    /// Initial consonants (`ㅂㅁㅂㅎ`) → the title, heading, tag and question words they spell.
    pub(crate) initials: std::collections::HashMap<String, Vec<String>>,
    /// For each guide (by index), its translation's index in `guides`.
    pub(crate) translations: Vec<Option<usize>>,
    /// BM25 over the searched fields, prepared once.
    pub(crate) scoring: crate::scoring::Scoring,
    /// Each guide's page document and language, by guide index: what ranking reads of every
    /// guide for every query, kept together.
    pub(crate) pages: Vec<(u32, Lang)>,
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
fn initials_of(
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
        if let Some(initials) = crate::jamo::initials(&word) {
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
        Ok(KnowledgeBase {
            fields,
            searcher,
            _reader: reader,
            guides,
            synonyms,
            lexicon,
            intents,
            confidence,
            initials,
            translations,
            scoring,
            pages,
            manifest,
            dir: dir.to_path_buf(),
            _temp: None,
        })
    }

    /// Builds a temporary index of a guide directory and opens it (deleted when dropped).
    pub fn from_guides(root: &Path) -> Result<KnowledgeBase> {
        let corpus = Corpus::load(root)?;
        let temp = tempfile::Builder::new()
            .prefix("kb-index-")
            .tempdir()
            .at(std::env::temp_dir())?;
        let out = temp.path().join("index");
        build(&corpus, &out, &|_| {})?;
        let mut kb = KnowledgeBase::open(&out)?;
        kb._temp = Some(temp);
        Ok(kb)
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

    /// The model of how likely a search's best guide is right, as this set ships it.
    pub fn confidence(&self) -> &crate::confidence::Model {
        &self.confidence
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

    /// The plain text of a guide's section, by guide id and anchor (empty anchor: the
    /// introduction). `None` for an unknown guide or anchor.
    pub fn section(&self, id: &str, anchor: &str) -> Result<Option<String>> {
        let Ok(guide) = self
            .guides
            .binary_search_by(|g| g.guide.id.as_str().cmp(id))
        else {
            return Ok(None);
        };
        match self.guides[guide]
            .sections
            .iter()
            .position(|s| s.anchor == anchor)
        {
            Some(section) => self.section_text(guide, section).map(Some),
            None => Ok(None),
        }
    }

    /// The stored text of a section.
    pub(crate) fn section_text(&self, guide: usize, section: usize) -> Result<String> {
        let doc_id = self.guides[guide].page_doc + 1 + section as u32;
        let doc: TantivyDocument = self.searcher.doc(tantivy::DocAddress::new(0, doc_id))?;
        use tantivy::schema::Value;
        Ok(doc
            .get_first(self.fields.body)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string())
    }
}

/// A directory that only reads: locks are no-ops and writes fail. Tantivy's reader takes a lock
/// file while it opens segments, which fails on a read-only file system; an index that is never
/// written while served needs no lock.
#[derive(Debug, Clone)]
struct ReadOnlyDirectory(MmapDirectory);

fn read_only(path: &Path) -> std::io::Error {
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
