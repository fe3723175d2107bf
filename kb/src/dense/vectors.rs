//! The index's section vectors (`embeddings.bin`) and the nearest sections to a question.
//!
//! File: `BEV1`, the model's fingerprint (u16 length, bytes), the width (u32), the count (u32),
//! then one vector of f16 per section, in guide-table order (guide by guide, section by section).

use std::path::Path;

use half::f16;

use crate::error::{Error, IoContext, Result};

/// The file name inside an index directory.
pub(crate) const EMBEDDINGS: &str = "embeddings.bin";
const MAGIC: &[u8; 4] = b"BEV1";

/// Every section's vector, unit length, held as f32 for the comparisons.
pub struct Dense {
    fingerprint: String,
    dim: usize,
    vectors: Vec<f32>,
    /// Section index → (guide, section within it).
    owners: Vec<(u32, u32)>,
}

/// A guide near a question: its closest section and that section's cosine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    /// Index in the guide table.
    pub guide: usize,
    /// Section within the guide.
    pub section: usize,
    /// Cosine of question and section.
    pub cosine: f32,
}

/// Writes the vectors of an index being built.
pub(crate) fn write(dir: &Path, fingerprint: &str, dim: usize, vectors: &[Vec<f32>]) -> Result<()> {
    write_file(&dir.join(EMBEDDINGS), fingerprint, dim, vectors)
}

/// Writes `vectors` to `path` in this file's format (the index's section vectors, and the intents'
/// example vectors).
pub(crate) fn write_file(
    path: &Path,
    fingerprint: &str,
    dim: usize,
    vectors: &[Vec<f32>],
) -> Result<()> {
    let mut out = Vec::with_capacity(16 + fingerprint.len() + vectors.len() * dim * 2);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(fingerprint.len() as u16).to_le_bytes());
    out.extend_from_slice(fingerprint.as_bytes());
    out.extend_from_slice(&(dim as u32).to_le_bytes());
    out.extend_from_slice(&(vectors.len() as u32).to_le_bytes());
    for v in vectors {
        for &x in v {
            out.extend_from_slice(&f16::from_f32(x).to_le_bytes());
        }
    }
    std::fs::write(path, out).at(path)
}

/// Vectors read back from a file [`write_file`] wrote.
pub(crate) struct Stored {
    /// The model's fingerprint.
    pub fingerprint: String,
    /// The width of each vector.
    pub dim: usize,
    /// How many vectors.
    pub count: usize,
    /// All of them, one after another.
    pub vectors: Vec<f32>,
}

/// Reads `path`; `None` when there is no such file.
pub(crate) fn read_file(path: &Path) -> Result<Option<Stored>> {
    if !path.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(path).at(path)?;
    let bad = |message: &str| Error::Index {
        path: path.to_path_buf(),
        message: message.to_string(),
    };
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| bad("not an embeddings file"))?;
    let (len, rest) = rest
        .split_first_chunk::<2>()
        .ok_or_else(|| bad("truncated"))?;
    let (fp, rest) = rest
        .split_at_checked(u16::from_le_bytes(*len) as usize)
        .ok_or_else(|| bad("truncated"))?;
    let (dim, rest) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| bad("truncated"))?;
    let (count, rest) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| bad("truncated"))?;
    let (dim, count) = (
        u32::from_le_bytes(*dim) as usize,
        u32::from_le_bytes(*count) as usize,
    );
    if dim == 0 || Some(rest.len()) != count.checked_mul(dim * 2) {
        return Err(bad(
            "its length does not match its header: rebuild it with kb build",
        ));
    }
    Ok(Some(Stored {
        fingerprint: String::from_utf8_lossy(fp).into_owned(),
        dim,
        count,
        vectors: rest
            .chunks_exact(2)
            .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
    }))
}

impl Dense {
    /// Reads `dir/embeddings.bin` for an index whose guides have `sections` sections each;
    /// `None` when the index has none.
    pub(crate) fn open(dir: &Path, sections: &[usize]) -> Result<Option<Dense>> {
        let path = dir.join(EMBEDDINGS);
        let Some(stored) = read_file(&path)? else {
            return Ok(None);
        };
        if stored.count != sections.iter().sum::<usize>() {
            return Err(Error::Index {
                path,
                message: "its vectors do not match the guide table: rebuild it with kb build"
                    .to_string(),
            });
        }
        let owners = sections
            .iter()
            .enumerate()
            .flat_map(|(g, &n)| (0..n).map(move |s| (g as u32, s as u32)))
            .collect();
        Ok(Some(Dense {
            fingerprint: stored.fingerprint,
            dim: stored.dim,
            vectors: stored.vectors,
            owners,
        }))
    }

    /// The fingerprint of the model the vectors came from.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The vectors' width.
    pub fn dimensions(&self) -> usize {
        self.dim
    }

    /// The cosine of `query` and the closest section of any guide (0 for a query of another
    /// width).
    pub fn closest(&self, query: &[f32]) -> f32 {
        if query.len() != self.dim {
            return 0.0;
        }
        self.vectors
            .chunks_exact(self.dim)
            .map(|v| encoder::cosine(v, query))
            .fold(0.0, f32::max)
    }

    /// Each guide that `allowed` admits, by its closest section, closest first.
    pub fn nearest(&self, query: &[f32], allowed: impl Fn(usize) -> bool) -> Vec<Near> {
        if query.len() != self.dim {
            return Vec::new();
        }
        let mut best: Vec<Near> = Vec::new();
        for (v, &(guide, section)) in self.vectors.chunks_exact(self.dim).zip(&self.owners) {
            let guide = guide as usize;
            if !allowed(guide) {
                continue;
            }
            let cosine = encoder::cosine(v, query);
            match best.last_mut() {
                Some(last) if last.guide == guide => {
                    if cosine > last.cosine {
                        *last = Near {
                            guide,
                            section: section as usize,
                            cosine,
                        };
                    }
                }
                _ => best.push(Near {
                    guide,
                    section: section as usize,
                    cosine,
                }),
            }
        }
        best.sort_by(|a, b| b.cosine.total_cmp(&a.cosine).then(a.guide.cmp(&b.guide)));
        best
    }
}
