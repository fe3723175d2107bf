//! Meaning beside words: every section embedded by the sentence model ([`encoder`]) when the
//! index is built, and a question's embedding compared with them at search time.
//!
//! - `passage.rs`: what text of a section is embedded (its title, heading and first words);
//! - `cache.rs`: embeddings kept by the hash of that text, so a rebuild embeds only what changed;
//! - `vectors.rs`: the index's `embeddings.bin` and the nearest sections to a question.
//!
//! An index built without the model has no vectors and searches by words alone; an index whose
//! vectors came from another model file is refused at open, since its cosines would mean nothing.

mod cache;
mod passage;
mod vectors;

pub use cache::Cache;
pub use passage::passage;
pub use vectors::{Dense, Near};
pub(crate) use vectors::{read_file, write, write_file};

use encoder::{Encoder, Kind};
use rayon::prelude::*;

/// What a build embeds with: the model, and where its cache is.
pub struct Embedder<'a> {
    /// The loaded model.
    pub encoder: &'a Encoder,
    /// The cache file to read and extend (`None`: embed everything, keep nothing).
    pub cache: Option<std::path::PathBuf>,
    /// A cache only read (a team's committed `embeddings.cache` beside its guides), under
    /// `cache`: a desk reads it and writes what it embeds beside its own index instead.
    pub seed: Option<std::path::PathBuf>,
    /// Called with (embedded so far, to embed) while sections are embedded.
    pub progress: &'a (dyn Fn(usize, usize) + Sync),
}

/// Where embedded sections of the guides at `guides` are kept: beside them
/// (`embeddings.cache`, which a team commits so its CI does not embed again) when the guides are
/// under the working directory or the file is already there; else under
/// `data/embed-cache/` (a docs set read from elsewhere, which Baton should not write into).
pub fn default_cache(guides: &std::path::Path) -> std::path::PathBuf {
    let beside = guides.join("embeddings.cache");
    let here = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    let inside = guides
        .canonicalize()
        .ok()
        .zip(here)
        .is_some_and(|(g, d)| g.starts_with(d));
    if beside.exists() || inside {
        return beside;
    }
    let canonical = guides
        .canonicalize()
        .unwrap_or_else(|_| guides.to_path_buf());
    let hash = blake3::hash(canonical.to_string_lossy().as_bytes()).to_hex();
    let name = canonical
        .file_name()
        .map_or("guides".into(), |n| n.to_string_lossy().into_owned());
    std::path::Path::new("data/embed-cache").join(format!("{name}-{}.bin", &hash[..12]))
}

impl<'a> Embedder<'a> {
    /// An embedder that reads `seed` (a committed cache) and keeps nothing it computes, quietly:
    /// a build that must not write beside the guides (a test, a function's read-only index).
    pub fn reading(encoder: &'a Encoder, seed: std::path::PathBuf) -> Embedder<'a> {
        fn silent(_: usize, _: usize) {}
        Embedder {
            encoder,
            cache: None,
            seed: Some(seed),
            progress: &silent,
        }
    }
}

/// Texts embedded per call: batched, so each weight row is unpacked once for all of them.
const BATCH: usize = 16;

impl Embedder<'_> {
    /// Embeds each text as its kind (sections as passages, the intents' example phrasings as
    /// queries), from the cache where it has them: the cache is read and written once per build.
    pub fn embed(&self, texts: &[(Kind, String)]) -> Embedded {
        let fingerprint = self.encoder.fingerprint();
        let mut cache = match &self.cache {
            Some(path) => Cache::load(path, fingerprint, self.encoder.dimensions()),
            None => Cache::empty(fingerprint, self.encoder.dimensions()),
        };
        if let Some(seed) = &self.seed {
            cache.absorb(Cache::load(seed, fingerprint, self.encoder.dimensions()));
        }
        let keys: Vec<[u8; 32]> = texts.iter().map(|(kind, t)| key(*kind, t)).collect();
        // Each text not cached yet, once (two sections may share a passage).
        let mut seen = std::collections::HashSet::new();
        let mut missing: Vec<usize> = (0..texts.len())
            .filter(|&i| cache.get(&keys[i]).is_none() && seen.insert(keys[i]))
            .collect();
        // A batch is of one kind: passages first, then queries.
        missing.sort_by_key(|&i| texts[i].0 == Kind::Query);
        let done = std::sync::atomic::AtomicUsize::new(0);
        let total = missing.len();
        let computed: Vec<(usize, Vec<f32>)> = missing
            .par_chunks(BATCH)
            .flat_map_iter(|chunk| {
                let vectors: Vec<Vec<f32>> = chunk
                    .chunk_by(|&a, &b| texts[a].0 == texts[b].0)
                    .flat_map(|run| {
                        let batch: Vec<&str> = run.iter().map(|&i| texts[i].1.as_str()).collect();
                        self.encoder.embed(texts[run[0]].0, &batch)
                    })
                    .collect();
                let n =
                    done.fetch_add(chunk.len(), std::sync::atomic::Ordering::Relaxed) + chunk.len();
                (self.progress)(n, total);
                chunk.iter().copied().zip(vectors).collect::<Vec<_>>()
            })
            .collect();
        for (i, vector) in &computed {
            cache.insert(keys[*i], vector);
        }
        // A cache that cannot be written (a read-only checkout) costs time next build, not this one.
        let cache_problem = match &self.cache {
            Some(path) if !computed.is_empty() => cache.save(path).err().map(|e| e.to_string()),
            _ => None,
        };
        let vectors = keys
            .iter()
            .map(|k| {
                cache
                    .get(k)
                    .unwrap_or_else(|| vec![0.0; self.encoder.dimensions()])
            })
            .collect();
        Embedded {
            vectors,
            computed: computed.len(),
            cache_problem,
        }
    }
}

/// Each of `texts` embedded as a query, on every core (a measurement's messages).
pub fn queries(encoder: &Encoder, texts: &[&str]) -> Vec<Vec<f32>> {
    texts
        .par_chunks(BATCH)
        .flat_map_iter(|batch| encoder.embed(Kind::Query, batch))
        .collect()
}

/// A text's key in the cache: the hash of a passage's text, or of `query: ` and a query's (so a
/// sentence that is both is kept twice, once per kind).
fn key(kind: Kind, text: &str) -> [u8; 32] {
    match kind {
        Kind::Passage => *blake3::hash(text.as_bytes()).as_bytes(),
        Kind::Query => {
            let mut hasher = blake3::Hasher::new();
            hasher.update(b"query: ");
            hasher.update(text.as_bytes());
            *hasher.finalize().as_bytes()
        }
    }
}

/// What [`Embedder::embed`] did.
pub struct Embedded {
    /// One vector per text, in order.
    pub vectors: Vec<Vec<f32>>,
    /// How many were computed rather than read from the cache.
    pub computed: usize,
    /// Why the cache could not be saved, if it could not.
    pub cache_problem: Option<String>,
}
