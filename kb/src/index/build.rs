//! Building an index: one deterministic segment written beside its place, then swapped in.

use crate::error::{Error, IoContext, Result};
use crate::guide::Corpus;
use crate::synonyms::Synonyms;
use encoder::Kind;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexSettings};

use super::schema::*;
use super::*;

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
    /// Sections embedded by meaning: how many in all, and how many were computed (not cached).
    pub embedded: Option<Embedding>,
}

/// The sentence model's part of a build.
#[derive(Debug, Clone, Serialize)]
pub struct Embedding {
    /// Sections with a vector.
    pub sections: usize,
    /// The intents' example phrasings and near-misses with a vector.
    pub examples: usize,
    /// Vectors computed this build (the rest came from the cache).
    pub computed: usize,
    /// Milliseconds spent embedding.
    pub ms: u64,
    /// Why the cache could not be saved, if it could not.
    pub cache_problem: Option<String>,
}

/// Builds the index of `corpus` into `out`, replacing what is there only once the new index is
/// complete, so a reader never sees half an index. `progress` is called after each guide.
pub fn build(corpus: &Corpus, out: &Path, progress: &dyn Fn(usize)) -> Result<BuildReport> {
    build_with(corpus, out, progress, None)
}

/// [`build`], with every section embedded by the sentence model when `embedder` is given.
pub fn build_with(
    corpus: &Corpus,
    out: &Path,
    progress: &dyn Fn(usize),
    embedder: Option<&crate::dense::Embedder<'_>>,
) -> Result<BuildReport> {
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
    let intents_text = match corpus.intents_path() {
        Some(path) => std::fs::read_to_string(&path).at(&path)?,
        None => String::new(),
    };
    let embedded = match embedder {
        Some(embedder) => {
            let started = Instant::now();
            let passages: Vec<(Kind, String)> = corpus
                .guides
                .iter()
                .flat_map(|g| {
                    g.sections
                        .iter()
                        .map(move |s| (Kind::Passage, crate::dense::passage(g, s)))
                })
                .collect();
            let sections = passages.len();
            // The intents' example phrasings, as the index will read them (over the shared ones).
            let intents =
                crate::intents::Intents::with_shared(&intents_text).map_err(|message| {
                    Error::Config {
                        path: corpus.intents_path().unwrap_or_default(),
                        message,
                    }
                })?;
            let examples = intents
                .example_texts()
                .into_iter()
                .map(|t| (Kind::Query, t.to_string()));
            let texts: Vec<(Kind, String)> = passages.into_iter().chain(examples).collect();
            let done = embedder.embed(&texts);
            let (fingerprint, dim) = (
                embedder.encoder.fingerprint(),
                embedder.encoder.dimensions(),
            );
            crate::dense::write(staging.path(), fingerprint, dim, &done.vectors[..sections])?;
            crate::dense::write_file(
                &staging.path().join(INTENT_VECTORS),
                fingerprint,
                dim,
                &done.vectors[sections..],
            )?;
            Some(Embedding {
                sections,
                examples: texts.len() - sections,
                computed: done.computed,
                ms: started.elapsed().as_millis() as u64,
                cache_problem: done.cache_problem,
            })
        }
        None => None,
    };

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
        embedded,
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
pub(super) fn publish(staged: &Path, out: &Path) -> Result<u64> {
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
