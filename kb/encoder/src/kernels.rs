//! The two kernels that are the model's cost: activations quantised to 8 bits per 32-value block,
//! and a 4-bit × 8-bit matrix product, `Y = X · Wᵀ + b`.
//!
//! Two implementations of one formula, `y = Σ_blocks d_w · d_a · (Σ_j q_j · a_j − 8 · Σ_j a_j)`
//! (`q_j` the raw nibbles 0..=15, `a_j` the 8-bit activations):
//! - portable Rust, which the compiler vectorises for whatever the target has (NEON on arm64,
//!   where it is the only build; SSE2 on x86-64 without AVX2);
//! - on x86-64 with AVX2 and FMA (checked at run time), intrinsics: a row group's nibbles are
//!   spread to bytes once, then each block is one `maddubs` (unsigned × signed bytes to pairs of
//!   i16) and one `madd` to eight i32 lanes, scaled into eight f32 lanes with one FMA, and summed
//!   across lanes once per output. Tests run both builds and compare them.

use crate::q4::{self, BLOCK, BLOCK_BYTES};

/// Activations quantised per block: `x ≈ d * q`, `q` in -127..=127 (GGML's Q8_0).
#[derive(Default)]
pub struct Quantized {
    /// Values, `rows × cols`.
    pub q: Vec<i8>,
    /// One scale per block, `rows × cols / 32`.
    pub d: Vec<f32>,
    /// Width of a row.
    pub cols: usize,
}

impl Quantized {
    /// Quantises `x` (`rows × cols`, row-major) into `self`, reusing its buffers.
    pub fn quantize(&mut self, x: &[f32], cols: usize) {
        self.cols = cols;
        self.q.resize(x.len(), 0);
        self.d.resize(x.len() / BLOCK, 0.0);
        for ((xb, qb), d) in x
            .chunks_exact(BLOCK)
            .zip(self.q.chunks_exact_mut(BLOCK))
            .zip(&mut self.d)
        {
            let amax = xb.iter().fold(0f32, |m, v| m.max(v.abs()));
            *d = amax / 127.0;
            let inv = if *d > 0.0 { 1.0 / *d } else { 0.0 };
            for (q, &v) in qb.iter_mut().zip(xb) {
                *q = round_even(v * inv).clamp(-128.0, 127.0) as i8;
            }
        }
    }
}

/// Rounds to the nearest integer, ties to even (C's `lrintf` in the default mode), for
/// |v| < 2²²: adding and removing 1.5 · 2²³ leaves no fraction bits. `f32::round_ties_even` is a
/// library call on x86-64 without SSE4.1, and was 8% of a forward pass.
#[inline(always)]
fn round_even(v: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0;
    if v.abs() < 4_194_304.0 {
        (v + MAGIC) - MAGIC
    } else {
        v
    }
}

/// `out[t][r] = bias[r] + Σ_k x[t][k] · w[r][k]` for a Q4_0 matrix `w` of `rows × x.cols`.
/// `out` holds `tokens × rows` values.
pub fn matmul(w: &[u8], rows: usize, bias: &[f32], x: &Quantized, out: &mut [f32]) {
    let shape = check(w, rows, bias, x, out);
    #[cfg(target_arch = "x86_64")]
    if avx2_here() {
        // SAFETY: `avx2_here` saw the CPU report AVX2 and FMA, the features `avx2::matmul` is
        // compiled for; `check` has verified every length it relies on.
        #[allow(unsafe_code)]
        unsafe {
            return avx2::matmul(w, bias, x, out, shape);
        }
    }
    portable(w, bias, x, out, shape);
}

/// True when the AVX2 kernels may run: the CPU has AVX2 and FMA, and `BATON_ENCODER_PORTABLE`
/// is not set (it runs the portable kernels on x86-64, to measure what arm64 runs). Read once.
#[cfg(target_arch = "x86_64")]
fn avx2_here() -> bool {
    static AVX2: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVX2.get_or_init(|| {
        std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::env::var_os("BATON_ENCODER_PORTABLE").is_none()
    })
}

/// The portable build alone (what tests compare the dispatched one against).
pub fn matmul_portable(w: &[u8], rows: usize, bias: &[f32], x: &Quantized, out: &mut [f32]) {
    let shape = check(w, rows, bias, x, out);
    portable(w, bias, x, out, shape);
}

/// The widest row this model has (the feed-forward's 1536), in blocks, with room to spare.
const MAX_BLOCKS: usize = 128;
/// The widest row the kernels take; the file reader refuses wider models.
pub const MAX_COLS: usize = MAX_BLOCKS * BLOCK;

/// Sizes every kernel relies on, checked once.
#[derive(Clone, Copy)]
struct Dims {
    rows: usize,
    cols: usize,
    blocks: usize,
    tokens: usize,
}

fn check(w: &[u8], rows: usize, bias: &[f32], x: &Quantized, out: &mut [f32]) -> Dims {
    let cols = x.cols;
    let blocks = cols / BLOCK;
    assert!(
        cols.is_multiple_of(BLOCK) && blocks <= MAX_BLOCKS && blocks > 0,
        "row width {cols} unsupported"
    );
    assert_eq!(
        w.len(),
        rows * blocks * BLOCK_BYTES,
        "weights do not match {rows} × {cols}"
    );
    let tokens = x.q.len() / cols;
    assert!(
        x.q.len() == tokens * cols && x.d.len() == tokens * blocks,
        "activations are ragged"
    );
    assert!(
        out.len() == tokens * rows && bias.len() == rows,
        "output or bias size"
    );
    Dims {
        rows,
        cols,
        blocks,
        tokens,
    }
}

/// Each activation block's sum, the term that removes the weights' offset of 8.
fn block_sums(x: &Quantized) -> Vec<f32> {
    x.q.as_chunks::<BLOCK>()
        .0
        .iter()
        .map(|q| q.iter().map(|&v| i32::from(v)).sum::<i32>() as f32)
        .collect()
}

fn portable(w: &[u8], bias: &[f32], x: &Quantized, out: &mut [f32], dims: Dims) {
    let Dims {
        rows,
        cols,
        blocks,
        tokens,
    } = dims;
    let sums = block_sums(x);
    let mut scales = [0f32; MAX_BLOCKS];
    for (r, row) in w.chunks_exact(blocks * BLOCK_BYTES).enumerate() {
        let row = row.as_chunks::<BLOCK_BYTES>().0;
        for b in 0..blocks {
            scales[b] = q4::scale(&row[b]);
        }
        for t in 0..tokens {
            let a = x.q[t * cols..(t + 1) * cols].as_chunks::<BLOCK>().0;
            let ad = &x.d[t * blocks..(t + 1) * blocks];
            let sum = &sums[t * blocks..(t + 1) * blocks];
            let mut acc = 0f32;
            for b in 0..blocks {
                acc += scales[b] * ad[b] * (block_dot(&row[b], &a[b]) as f32 - 8.0 * sum[b]);
            }
            out[t * rows + r] = bias[r] + acc;
        }
    }
}

/// `Σ_j q_j · a_j` over one block, `q_j` the raw nibbles.
#[inline(always)]
fn block_dot(block: &[u8; BLOCK_BYTES], a: &[i8; BLOCK]) -> i32 {
    let mut s = 0i32;
    for j in 0..BLOCK / 2 {
        let byte = block[2 + j];
        s += i32::from(byte & 0x0F) * i32::from(a[j])
            + i32::from(byte >> 4) * i32::from(a[j + BLOCK / 2]);
    }
    s
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{BLOCK, BLOCK_BYTES, Dims, MAX_BLOCKS, Quantized, block_sums, q4};

    /// Rows computed together, so each block of activations is loaded once for all of them.
    const GROUP: usize = 4;

    /// # Safety
    /// The CPU must have AVX2 and FMA; `dims` must come from `check` on these arguments.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn matmul(
        w: &[u8],
        bias: &[f32],
        x: &Quantized,
        out: &mut [f32],
        dims: Dims,
    ) {
        let Dims {
            rows,
            cols,
            blocks,
            tokens,
        } = dims;
        let sums = block_sums(x);
        // A group's nibbles as bytes (0..=15) and its scales, filled once per group.
        let mut spread = [[[0u8; BLOCK]; MAX_BLOCKS]; GROUP];
        let mut scales = [[0f32; MAX_BLOCKS]; GROUP];
        let row_bytes = blocks * BLOCK_BYTES;
        let ones = _mm256_set1_epi16(1);
        let mut r0 = 0;
        while r0 < rows {
            let n = GROUP.min(rows - r0);
            for g in 0..n {
                let row = w[(r0 + g) * row_bytes..(r0 + g + 1) * row_bytes]
                    .as_chunks::<BLOCK_BYTES>()
                    .0;
                for (b, block) in row.iter().enumerate() {
                    scales[g][b] = q4::scale(block);
                    let (low, high) = spread[g][b].split_at_mut(BLOCK / 2);
                    for j in 0..BLOCK / 2 {
                        low[j] = block[2 + j] & 0x0F;
                        high[j] = block[2 + j] >> 4;
                    }
                }
            }
            for t in 0..tokens {
                let a = x.q[t * cols..(t + 1) * cols].as_chunks::<BLOCK>().0;
                let ad = &x.d[t * blocks..(t + 1) * blocks];
                let sum = &sums[t * blocks..(t + 1) * blocks];
                let mut acc = [_mm256_setzero_ps(); GROUP];
                let mut offset = [0f32; GROUP];
                for b in 0..blocks {
                    // SAFETY: `a[b]` is 32 bytes; an unaligned load reads exactly those.
                    let av = unsafe { _mm256_loadu_si256(a[b].as_ptr().cast()) };
                    for g in 0..n {
                        // SAFETY: as above, `spread[g][b]` is 32 bytes.
                        let wv = unsafe { _mm256_loadu_si256(spread[g][b].as_ptr().cast()) };
                        let pairs = _mm256_maddubs_epi16(wv, av);
                        let lanes = _mm256_madd_epi16(pairs, ones);
                        let scale = scales[g][b] * ad[b];
                        acc[g] = _mm256_fmadd_ps(
                            _mm256_cvtepi32_ps(lanes),
                            _mm256_set1_ps(scale),
                            acc[g],
                        );
                        offset[g] += scale * sum[b];
                    }
                }
                for g in 0..n {
                    out[t * rows + r0 + g] =
                        bias[r0 + g] + horizontal_sum(acc[g]) - 8.0 * offset[g];
                }
            }
            r0 += n;
        }
    }

    #[target_feature(enable = "avx2,fma")]
    fn horizontal_sum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps::<1>(s, s));
        _mm_cvtss_f32(s)
    }
}

/// One input's queries, keys and values (`tokens × width`, heads side by side).
pub struct Heads<'a> {
    /// Queries.
    pub q: &'a [f32],
    /// Keys.
    pub k: &'a [f32],
    /// Values.
    pub v: &'a [f32],
    /// Hidden width (heads × head width).
    pub width: usize,
    /// Head count.
    pub heads: usize,
}

/// Scaled dot-product attention within one input: `out = softmax(q·kᵀ/√d)·v` per head.
/// Keys are transposed per head first, so a query's scores are built by adding scaled key rows
/// (vector work along the keys) instead of one short dot product, with its horizontal sum, per
/// pair; `scratch` holds the transposed keys and the scores.
pub fn attention(heads: Heads<'_>, out: &mut [f32], scratch: &mut Vec<f32>) {
    #[cfg(target_arch = "x86_64")]
    if avx2_here() {
        // SAFETY: `avx2_here` saw the CPU report AVX2 and FMA, all `attention_avx2` is compiled for.
        #[allow(unsafe_code)]
        unsafe {
            return attention_avx2(heads, out, scratch);
        }
    }
    attention_body(heads, out, scratch);
}

/// The portable build alone.
pub fn attention_portable(heads: Heads<'_>, out: &mut [f32], scratch: &mut Vec<f32>) {
    attention_body(heads, out, scratch);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn attention_avx2(heads: Heads<'_>, out: &mut [f32], scratch: &mut Vec<f32>) {
    attention_body(heads, out, scratch);
}

#[inline(always)]
fn attention_body(heads: Heads<'_>, out: &mut [f32], scratch: &mut Vec<f32>) {
    let Heads {
        q,
        k,
        v,
        width,
        heads,
    } = heads;
    let hd = width / heads;
    let n = q.len() / width;
    assert!(
        k.len() == n * width
            && v.len() == n * width
            && out.len() == n * width
            && hd * heads == width
    );
    let scale = 1.0 / (hd as f32).sqrt();
    scratch.clear();
    scratch.resize(hd * n + n, 0.0);
    let (kt, scores) = scratch.split_at_mut(hd * n);
    for head in 0..heads {
        let off = head * hd;
        for s in 0..n {
            for e in 0..hd {
                kt[e * n + s] = k[s * width + off + e];
            }
        }
        for t in 0..n {
            let qh = &q[t * width + off..t * width + off + hd];
            scores.fill(0.0);
            for e in 0..hd {
                let qe = qh[e] * scale;
                let row = &kt[e * n..(e + 1) * n];
                for s in 0..n {
                    scores[s] += qe * row[s];
                }
            }
            let mut max = f32::NEG_INFINITY;
            for &x in scores.iter() {
                max = max.max(x);
            }
            let mut total = 0f32;
            for x in scores.iter_mut() {
                *x = exp(*x - max);
                total += *x;
            }
            let inv = 1.0 / total;
            let ch = &mut out[t * width + off..t * width + off + hd];
            ch.fill(0.0);
            for s in 0..n {
                let w = scores[s] * inv;
                let vh = &v[s * width + off..s * width + off + hd];
                for e in 0..hd {
                    ch[e] += w * vh[e];
                }
            }
        }
    }
}

/// `e^x` for the softmax (x ≤ 0 there), without a library call so the loop vectorises:
/// `2^n · e^r` with `n = round(x / ln 2)` and `e^r` a degree-6 polynomial on |r| ≤ ln 2 / 2
/// (Cephes' coefficients). Within 2 ulp of `f32::exp` on [-87, 88] (tested).
#[inline(always)]
fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + 12_582_912.0) - 12_582_912.0;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_1e-4f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5e-1;
    let e = p * r * r + r + 1.0;
    e * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(w: &[u8], rows: usize, cols: usize, bias: &[f32], x: &[f32]) -> Vec<f32> {
        let tokens = x.len() / cols;
        let mut dense = vec![0f32; rows * cols];
        for r in 0..rows {
            let bytes = cols / BLOCK * BLOCK_BYTES;
            q4::dequantize_row(
                &w[r * bytes..(r + 1) * bytes],
                &mut dense[r * cols..(r + 1) * cols],
            );
        }
        let mut out = vec![0f32; tokens * rows];
        for t in 0..tokens {
            for r in 0..rows {
                let dot: f32 = (0..cols)
                    .map(|k| x[t * cols + k] * dense[r * cols + k])
                    .sum();
                out[t * rows + r] = bias[r] + dot;
            }
        }
        out
    }

    fn weights(rows: usize, cols: usize, seed: u8) -> Vec<u8> {
        let mut w = Vec::new();
        for r in 0..rows {
            for b in 0..cols / BLOCK {
                let d = 0.01 + 0.001 * ((r + b) % 7) as f32;
                w.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
                w.extend(
                    (0..16u8).map(|j| j.wrapping_mul(37).wrapping_add(seed).wrapping_add(r as u8)),
                );
            }
        }
        w
    }

    proptest! {
        #[test]
        fn both_builds_agree_with_a_dense_reference(
            rows in 1usize..11,
            blocks in 1usize..5,
            tokens in 1usize..4,
            seed in any::<u8>(),
            x in proptest::collection::vec(-4f32..4.0, 4 * 4 * BLOCK),
        ) {
            let cols = blocks * BLOCK;
            let x = &x[..tokens * cols];
            let w = weights(rows, cols, seed);
            let bias: Vec<f32> = (0..rows).map(|r| r as f32 * 0.1).collect();
            let mut q = Quantized::default();
            q.quantize(x, cols);
            let mut fast = vec![0f32; tokens * rows];
            let mut portable = vec![0f32; tokens * rows];
            matmul(&w, rows, &bias, &q, &mut fast);
            matmul_portable(&w, rows, &bias, &q, &mut portable);
            let want = reference(&w, rows, cols, &bias, x);
            for ((f, p), r) in fast.iter().zip(&portable).zip(&want) {
                prop_assert!((f - p).abs() <= 1e-4 * (1.0 + p.abs()), "{f} vs {p}");
                // 8-bit activations: within 1% of the weights' magnitude of the exact product.
                prop_assert!((p - r).abs() <= 0.02 * cols as f32 * 0.05 + 1e-3, "{p} vs {r}");
            }
        }
    }

    proptest! {
        #[test]
        fn rounding_matches_round_ties_even(v in -300f32..300.0) {
            prop_assert_eq!(round_even(v), v.round_ties_even());
        }
    }

    #[test]
    fn rounding_ties_go_to_even() {
        for (v, want) in [
            (0.5, 0.0),
            (1.5, 2.0),
            (2.5, 2.0),
            (-0.5, -0.0),
            (-1.5, -2.0),
            (126.5, 126.0),
        ] {
            assert_eq!(round_even(v), want);
        }
    }

    #[test]
    fn exp_is_within_two_ulp_of_std() {
        let mut worst = 0f32;
        for i in -87_000..=88_000 {
            let x = i as f32 / 1_000.0;
            let (got, want) = (exp(x), x.exp());
            worst = worst.max(((got - want) / want).abs());
        }
        assert!(worst < 2.5e-7, "worst relative error {worst}");
    }

    proptest! {
        #[test]
        fn attention_builds_agree_with_a_plain_softmax(
            n in 1usize..20,
            x in proptest::collection::vec(-3f32..3.0, 3 * 20 * 16),
        ) {
            let (width, heads) = (16, 2);
            let len = n * width;
            let (q, rest) = x.split_at(len);
            let (k, rest) = rest.split_at(len);
            let v = &rest[..len];
            let mut fast = vec![0f32; len];
            let mut portable = vec![0f32; len];
            let mut scratch = Vec::new();
            attention(Heads { q, k, v, width, heads }, &mut fast, &mut scratch);
            attention_portable(Heads { q, k, v, width, heads }, &mut portable, &mut scratch);
            let hd = width / heads;
            for head in 0..heads {
                for t in 0..n {
                    let scores: Vec<f32> = (0..n)
                        .map(|s| (0..hd).map(|e| q[t * width + head * hd + e] * k[s * width + head * hd + e]).sum::<f32>() / (hd as f32).sqrt())
                        .collect();
                    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let total: f32 = scores.iter().map(|s| (s - max).exp()).sum();
                    for e in 0..hd {
                        let want: f32 = (0..n).map(|s| (scores[s] - max).exp() / total * v[s * width + head * hd + e]).sum();
                        let i = t * width + head * hd + e;
                        prop_assert!((fast[i] - want).abs() < 1e-4 && (portable[i] - want).abs() < 1e-4, "{} {} {}", fast[i], portable[i], want);
                    }
                }
            }
        }
    }

    #[test]
    fn quantizing_zeros_gives_zero_scale_and_values() {
        let mut q = Quantized::default();
        q.quantize(&[0.0; BLOCK], BLOCK);
        assert_eq!(q.d, vec![0.0]);
        assert!(q.q.iter().all(|&v| v == 0));
    }
}
