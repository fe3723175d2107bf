//! Embeddings kept by the blake3 hash of the text embedded, for one model: a rebuild embeds only
//! sections whose passage changed. The file (`BEC1`, the model's fingerprint, the width, then
//! hash and f16 values per entry) is rewritten whole, to a temporary name renamed into place. A
//! cache that is missing, damaged or of another model is ignored (and replaced when saved): it is
//! a cache, never a source of truth.

use std::path::Path;

use half::f16;
use rustc_hash::FxHashMap;

use crate::error::{IoContext, Result};

const MAGIC: &[u8; 4] = b"BEC1";

/// The cache in memory.
pub struct Cache {
    fingerprint: String,
    dim: usize,
    entries: FxHashMap<[u8; 32], Vec<f16>>,
}

impl Cache {
    /// A cache with nothing in it.
    pub fn empty(fingerprint: &str, dim: usize) -> Cache {
        Cache {
            fingerprint: fingerprint.to_string(),
            dim,
            entries: FxHashMap::default(),
        }
    }

    /// Reads `path`; anything unreadable or of another model gives an empty cache.
    pub fn load(path: &Path, fingerprint: &str, dim: usize) -> Cache {
        let mut cache = Cache::empty(fingerprint, dim);
        let Ok(bytes) = std::fs::read(path) else {
            return cache;
        };
        if let Some(entries) = parse(&bytes, fingerprint, dim) {
            cache.entries = entries;
        }
        cache
    }

    /// The vector for a text's hash.
    pub fn get(&self, key: &[u8; 32]) -> Option<Vec<f32>> {
        self.entries
            .get(key)
            .map(|v| v.iter().map(|x| x.to_f32()).collect())
    }

    /// Keeps a vector.
    pub fn insert(&mut self, key: [u8; 32], vector: &[f32]) {
        self.entries
            .insert(key, vector.iter().map(|&x| f16::from_f32(x)).collect());
    }

    /// Takes `other`'s entries that this cache lacks.
    pub fn absorb(&mut self, other: Cache) {
        if other.fingerprint == self.fingerprint && other.dim == self.dim {
            for (k, v) in other.entries {
                self.entries.entry(k).or_insert(v);
            }
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Writes the cache, sorted by hash so the file is the same for the same entries.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut keys: Vec<&[u8; 32]> = self.entries.keys().collect();
        keys.sort_unstable();
        let mut out = Vec::with_capacity(16 + keys.len() * (32 + 2 * self.dim));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.fingerprint.len() as u16).to_le_bytes());
        out.extend_from_slice(self.fingerprint.as_bytes());
        out.extend_from_slice(&(self.dim as u32).to_le_bytes());
        for key in keys {
            out.extend_from_slice(key);
            for x in &self.entries[key] {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).at(parent)?;
        }
        let partial = path.with_extension("partial");
        std::fs::write(&partial, &out).at(&partial)?;
        std::fs::rename(&partial, path).at(path)
    }
}

fn parse(bytes: &[u8], fingerprint: &str, dim: usize) -> Option<FxHashMap<[u8; 32], Vec<f16>>> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (len, rest) = rest.split_first_chunk::<2>()?;
    let (fp, rest) = rest.split_at_checked(u16::from_le_bytes(*len) as usize)?;
    let (width, rest) = rest.split_first_chunk::<4>()?;
    if fp != fingerprint.as_bytes() || u32::from_le_bytes(*width) as usize != dim {
        return None;
    }
    let entry = 32 + 2 * dim;
    if rest.len() % entry != 0 {
        return None;
    }
    Some(
        rest.chunks_exact(entry)
            .map(|e| {
                let (key, values) = e.split_at(32);
                let key: [u8; 32] = key.try_into().unwrap_or([0; 32]);
                (
                    key,
                    values
                        .chunks_exact(2)
                        .map(|b| f16::from_le_bytes([b[0], b[1]]))
                        .collect(),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_round_trips_and_another_models_cache_is_ignored() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("cache.bin");
        let mut cache = Cache::empty("model-a", 3);
        cache.insert([1; 32], &[0.5, -0.25, 1.0]);
        cache.save(&path).expect("saved");
        let again = Cache::load(&path, "model-a", 3);
        assert_eq!(again.get(&[1; 32]), Some(vec![0.5, -0.25, 1.0]));
        assert!(Cache::load(&path, "model-b", 3).is_empty());
        std::fs::write(&path, b"BEC1\xff").expect("written");
        assert!(Cache::load(&path, "model-a", 3).is_empty());
    }
}
