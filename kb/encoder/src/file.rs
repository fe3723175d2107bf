//! The `E5S1` model file: a header, the tokenizer's pieces and normalisation map, and a directory
//! of tensors (f32 or Q4_0) at absolute offsets. Every read is bounds-checked: a truncated or
//! hostile file is an [`Error::Format`], never a panic or an out-of-bounds read.
//!
//! Layout (little-endian): `"E5S1"`, u32 version, i32 hidden, layers, heads, ffn, vocab,
//! max positions, token types, f32 layer-norm epsilon, i32 block size (32); tokenizer: i32 pieces,
//! bos, eos, pad, unk, u64 blob length, (pieces + 1) u32 offsets into the blob, pieces f32 scores,
//! the blob; i32 normalisation entries, u32 their byte length, entries (u32 code point, u8 count,
//! count × u32 replacement code points); i32 tensors, each u16 name length, name, u8 dtype
//! (0 = f32, 1 = Q4_0), u32 elements, u64 offset from the file start, u64 byte length.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};

/// The model's shape, from the header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Hidden size (384).
    pub hidden: usize,
    /// Transformer layers (12).
    pub layers: usize,
    /// Attention heads (12).
    pub heads: usize,
    /// Feed-forward width (1536).
    pub ffn: usize,
    /// Rows of the word embedding.
    pub vocab: usize,
    /// Longest input in tokens, `<s>` and `</s>` included (512).
    pub max_positions: usize,
    /// Layer-norm epsilon.
    pub eps: f32,
}

/// What the file says about the tokenizer, read into owned memory (a few MB).
pub struct TokenizerData {
    /// Piece id → bytes, as offsets into `blob`.
    pub offsets: Vec<u32>,
    /// Piece id → log probability.
    pub scores: Vec<f32>,
    /// Every piece's UTF-8 bytes, back to back.
    pub blob: Vec<u8>,
    /// Special pieces.
    pub bos: u32,
    /// End of sequence.
    pub eos: u32,
    /// Unknown.
    pub unk: u32,
    /// Code point → the code points it normalises to (NFKC and friends, precomputed).
    pub normalise: FxHashMap<char, Vec<char>>,
}

/// How a tensor's elements are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// Little-endian f32.
    F32,
    /// GGML Q4_0: blocks of an f16 scale and 32 four-bit weights (18 bytes).
    Q4_0,
}

/// Where a tensor lives in the file.
#[derive(Debug, Clone, Copy)]
pub struct TensorAt {
    /// Storage.
    pub dtype: DType,
    /// Element count.
    pub elements: usize,
    /// Byte range in the file.
    pub start: usize,
    /// Its length in bytes (checked against `dtype` and `elements`).
    pub len: usize,
}

/// A parsed model file: its shape, tokenizer and tensor directory. The tensors themselves are
/// read by the caller from the same bytes.
pub struct Parsed {
    /// The header.
    pub shape: Shape,
    /// The tokenizer.
    pub tokenizer: TokenizerData,
    /// Tensor name → where it is.
    pub tensors: FxHashMap<String, TensorAt>,
}

/// A reader that turns every short read into a format error naming `what`.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    path: &'a Path,
}

impl<'a> Cursor<'a> {
    fn fail(&self, reason: impl Into<String>) -> Error {
        Error::Format {
            path: self.path.to_path_buf(),
            reason: reason.into(),
        }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        match end {
            Some(end) => {
                let out = &self.bytes[self.at..end];
                self.at = end;
                Ok(out)
            }
            None => Err(self.fail(format!(
                "truncated while reading {what} at byte {}",
                self.at
            ))),
        }
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let bytes = self.take(N, what)?;
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }
    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    fn f32(&mut self, what: &str) -> Result<f32> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    /// An i32 count that must lie in `1..=max`.
    fn count(&mut self, what: &str, max: usize) -> Result<usize> {
        let raw = i32::from_le_bytes(self.array(what)?);
        match usize::try_from(raw) {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(self.fail(format!("{what} is {raw}, expected 1..={max}"))),
        }
    }

    fn usize64(&mut self, what: &str) -> Result<usize> {
        let raw = self.u64(what)?;
        usize::try_from(raw).map_err(|_| self.fail(format!("{what} {raw} does not fit in memory")))
    }
}

/// The largest plausible sizes; anything past them is a corrupt header, not a bigger model.
const MAX_DIM: usize = 1 << 16;
const MAX_PIECES: usize = 1 << 22;

/// Parses a model file's bytes.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Parsed> {
    let mut c = Cursor { bytes, at: 0, path };
    if c.take(4, "the magic number")? != b"E5S1" {
        return Err(c.fail("it does not start with E5S1"));
    }
    let version = c.u32("the version")?;
    if version != 1 {
        return Err(c.fail(format!("version {version}; this build reads version 1")));
    }
    let hidden = c.count("the hidden size", crate::kernels::MAX_COLS)?;
    let layers = c.count("the layer count", 256)?;
    let heads = c.count("the head count", 256)?;
    let ffn = c.count("the feed-forward size", crate::kernels::MAX_COLS)?;
    let vocab = c.count("the vocabulary size", MAX_PIECES)?;
    let max_positions = c.count("the position count", MAX_DIM)?;
    let _token_types = c.count("the token type count", 16)?;
    let eps = c.f32("the layer-norm epsilon")?;
    let block = c.count("the block size", 1024)?;
    if block != crate::q4::BLOCK || hidden % block != 0 || ffn % block != 0 || hidden % heads != 0 {
        return Err(c.fail(format!(
            "hidden {hidden}, ffn {ffn}, heads {heads} and block {block} do not fit together"
        )));
    }
    if !(eps.is_finite() && eps > 0.0) || max_positions < 3 {
        return Err(c.fail("the epsilon or the position count is out of range"));
    }
    let shape = Shape {
        hidden,
        layers,
        heads,
        ffn,
        vocab,
        max_positions,
        eps,
    };
    let tokenizer = tokenizer(&mut c)?;
    let tensors = directory(&mut c)?;
    Ok(Parsed {
        shape,
        tokenizer,
        tensors,
    })
}

fn tokenizer(c: &mut Cursor<'_>) -> Result<TokenizerData> {
    let pieces = c.count("the piece count", MAX_PIECES)?;
    // Ids may be 0, which `count` refuses: read the four raw and check each is a piece.
    let mut ids = [0u32; 4];
    for (slot, what) in ids.iter_mut().zip(["bos", "eos", "pad", "unk"]) {
        let raw = i32::from_le_bytes(c.array(what)?);
        *slot = u32::try_from(raw)
            .ok()
            .filter(|&id| (id as usize) < pieces)
            .ok_or_else(|| c.fail(format!("the {what} id {raw} is not a piece")))?;
    }
    let [bos, eos, _pad, unk] = ids;
    let blob_len = c.usize64("the piece blob length")?;
    let offsets: Vec<u32> = c
        .take((pieces + 1) * 4, "the piece offsets")?
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let scores: Vec<f32> = c
        .take(pieces * 4, "the piece scores")?
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let blob = c.take(blob_len, "the piece blob")?.to_vec();
    if offsets.windows(2).any(|w| w[0] > w[1])
        || offsets.last().is_some_and(|&e| e as usize > blob.len())
    {
        return Err(c.fail("the piece offsets are not increasing within the blob"));
    }
    if scores.iter().any(|s| !s.is_finite()) {
        return Err(c.fail("a piece score is not finite"));
    }
    let entries = c.count("the normalisation entry count", 1 << 20)?;
    let map_len = c.u32("the normalisation map length")? as usize;
    let map = c.take(map_len, "the normalisation map")?;
    let mut m = Cursor {
        bytes: map,
        at: 0,
        path: c.path,
    };
    let mut normalise = FxHashMap::default();
    for _ in 0..entries {
        let from = char_at(&mut m)?;
        let n = m.u8("a replacement count")?;
        let to = (0..n)
            .map(|_| char_at(&mut m))
            .collect::<Result<Vec<char>>>()?;
        normalise.insert(from, to);
    }
    Ok(TokenizerData {
        offsets,
        scores,
        blob,
        bos,
        eos,
        unk,
        normalise,
    })
}

fn char_at(c: &mut Cursor<'_>) -> Result<char> {
    let raw = c.u32("a code point")?;
    char::from_u32(raw).ok_or_else(|| c.fail(format!("{raw:#x} is not a code point")))
}

fn directory(c: &mut Cursor<'_>) -> Result<FxHashMap<String, TensorAt>> {
    let n = c.count("the tensor count", 1 << 16)?;
    let mut tensors = FxHashMap::default();
    for _ in 0..n {
        let name_len = c.u16("a tensor name length")? as usize;
        let name = String::from_utf8(c.take(name_len, "a tensor name")?.to_vec())
            .map_err(|_| c.fail("a tensor name is not UTF-8"))?;
        let dtype = match c.u8("a tensor dtype")? {
            0 => DType::F32,
            1 => DType::Q4_0,
            other => return Err(c.fail(format!("tensor {name} has unknown dtype {other}"))),
        };
        let elements = c.u32("a tensor size")? as usize;
        let start = c.usize64("a tensor offset")?;
        let len = c.usize64("a tensor length")?;
        let expected = match dtype {
            DType::F32 => elements.checked_mul(4),
            DType::Q4_0 if elements.is_multiple_of(crate::q4::BLOCK) => {
                Some(elements / crate::q4::BLOCK * crate::q4::BLOCK_BYTES)
            }
            DType::Q4_0 => None,
        };
        let inside = start
            .checked_add(len)
            .is_some_and(|end| end <= c.bytes.len());
        if expected != Some(len) || !inside {
            return Err(c.fail(format!("tensor {name} does not fit its size or the file")));
        }
        tensors.insert(
            name,
            TensorAt {
                dtype,
                elements,
                start,
                len,
            },
        );
    }
    Ok(tensors)
}

/// A path for messages about a file that has none (bytes in memory).
pub fn in_memory() -> PathBuf {
    PathBuf::from("<memory>")
}
