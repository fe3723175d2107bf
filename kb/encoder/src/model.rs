//! The encoder's weights and its forward pass: a 12-layer post-norm BERT (XLM-R) with 4-bit
//! linear layers, exact softmax attention within each input, GELU, and mean pooling.
//!
//! Several inputs run as one batch: their tokens are stacked into one activation matrix, so each
//! weight row is unpacked once for all of them; attention stays within each input.

use crate::error::{Error, Result};
use crate::file::{DType, Parsed, Shape, TensorAt};
use crate::kernels::{self, Quantized};
use crate::q4::{self, BLOCK, BLOCK_BYTES};

/// A Q4_0 matrix: `rows` rows of `cols` weights, as a byte range of the model file.
#[derive(Clone, Copy)]
struct Matrix {
    start: usize,
    rows: usize,
    cols: usize,
}

impl Matrix {
    fn bytes<'a>(&self, file: &'a [u8]) -> &'a [u8] {
        &file[self.start..self.start + self.rows * self.cols / BLOCK * BLOCK_BYTES]
    }
    fn row<'a>(&self, file: &'a [u8], r: usize) -> &'a [u8] {
        let n = self.cols / BLOCK * BLOCK_BYTES;
        &file[self.start + r * n..self.start + (r + 1) * n]
    }
}

struct Linear {
    w: Matrix,
    b: Vec<f32>,
}

impl Linear {
    /// `out = x · wᵀ + b`, for every token of `x` (its width is the matrix's).
    fn apply(&self, file: &[u8], x: &Quantized, out: &mut [f32]) {
        kernels::matmul(self.w.bytes(file), self.w.rows, &self.b, x, out);
    }
}

struct Norm {
    w: Vec<f32>,
    b: Vec<f32>,
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    attention_norm: Norm,
    up: Linear,
    down: Linear,
    output_norm: Norm,
}

/// The weights: 4-bit matrices stay in the (mapped) file, the small f32 vectors are read out.
pub struct Weights {
    shape: Shape,
    word: Matrix,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
}

struct Lookup<'a> {
    parsed: &'a Parsed,
    file: &'a [u8],
    path: &'a std::path::Path,
}

impl Lookup<'_> {
    fn entry(&self, name: &str, dtype: DType, elements: usize) -> Result<TensorAt> {
        let at = self.parsed.tensors.get(name).ok_or_else(|| Error::Format {
            path: self.path.to_path_buf(),
            reason: format!("tensor {name} is missing"),
        })?;
        if at.dtype != dtype || at.elements != elements {
            return Err(Error::Format {
                path: self.path.to_path_buf(),
                reason: format!(
                    "tensor {name} is {:?} × {}, expected {dtype:?} × {elements}",
                    at.dtype, at.elements
                ),
            });
        }
        Ok(*at)
    }
    fn floats(&self, name: &str, elements: usize) -> Result<Vec<f32>> {
        let at = self.entry(name, DType::F32, elements)?;
        Ok(self.file[at.start..at.start + at.len]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }
    fn matrix(&self, name: &str, rows: usize, cols: usize) -> Result<Matrix> {
        let at = self.entry(name, DType::Q4_0, rows * cols)?;
        Ok(Matrix {
            start: at.start,
            rows,
            cols,
        })
    }
    fn linear(&self, prefix: &str, rows: usize, cols: usize) -> Result<Linear> {
        Ok(Linear {
            w: self.matrix(&format!("{prefix}.w"), rows, cols)?,
            b: self.floats(&format!("{prefix}.b"), rows)?,
        })
    }
    fn norm(&self, prefix: &str, n: usize) -> Result<Norm> {
        Ok(Norm {
            w: self.floats(&format!("{prefix}.w"), n)?,
            b: self.floats(&format!("{prefix}.b"), n)?,
        })
    }
}

impl Weights {
    /// Finds every tensor the forward pass needs and checks its type and size.
    pub fn new(parsed: &Parsed, file: &[u8], path: &std::path::Path) -> Result<Weights> {
        let s = parsed.shape;
        let (h, f) = (s.hidden, s.ffn);
        let get = Lookup { parsed, file, path };
        let layers = (0..s.layers)
            .map(|l| {
                Ok(Layer {
                    q: get.linear(&format!("l{l}.q"), h, h)?,
                    k: get.linear(&format!("l{l}.k"), h, h)?,
                    v: get.linear(&format!("l{l}.v"), h, h)?,
                    out: get.linear(&format!("l{l}.ao"), h, h)?,
                    attention_norm: get.norm(&format!("l{l}.aln"), h)?,
                    up: get.linear(&format!("l{l}.fi"), f, h)?,
                    down: get.linear(&format!("l{l}.fo"), h, f)?,
                    output_norm: get.norm(&format!("l{l}.oln"), h)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Weights {
            shape: s,
            word: get.matrix("emb.word", s.vocab, h)?,
            positions: get.floats("emb.pos", s.max_positions * h)?,
            token_type: get
                .floats(
                    "emb.type",
                    parsed.tensors.get("emb.type").map_or(0, |t| t.elements),
                )?
                .into_iter()
                .take(h)
                .collect(),
            embedding_norm: get.norm("emb.ln", h)?,
            layers,
        })
    }

    /// The model's shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Runs the inputs (each `<s> … </s>`, at most `max_positions` ids below `vocab`) as one batch
    /// and returns each input's mean of its last hidden states (not normalised), `hidden` values each.
    pub fn forward(&self, file: &[u8], inputs: &[&[u32]]) -> Vec<Vec<f32>> {
        let s = self.shape;
        let (h, heads) = (s.hidden, s.heads);
        let mut bounds = Vec::with_capacity(inputs.len() + 1);
        bounds.push(0);
        for input in inputs {
            assert!(
                input.len() <= s.max_positions,
                "an input longer than the model's positions"
            );
            bounds.push(bounds.last().copied().unwrap_or(0) + input.len());
        }
        let tokens = bounds.last().copied().unwrap_or(0);
        let mut x = vec![0f32; tokens * h];
        for (input, range) in inputs.iter().zip(bounds.windows(2)) {
            for (p, &id) in input.iter().enumerate() {
                let row = &mut x[(range[0] + p) * h..(range[0] + p + 1) * h];
                q4::dequantize_row(self.word.row(file, (id as usize).min(s.vocab - 1)), row);
                let pos = &self.positions[p * h..(p + 1) * h];
                for ((v, a), b) in row.iter_mut().zip(pos).zip(&self.token_type) {
                    *v += a + b;
                }
            }
        }
        layer_norm(&mut x, None, &self.embedding_norm, h, s.eps);

        let mut quantized = Quantized::default();
        let (mut q, mut k, mut v) = (
            vec![0f32; tokens * h],
            vec![0f32; tokens * h],
            vec![0f32; tokens * h],
        );
        let mut context = vec![0f32; tokens * h];
        let mut projected = vec![0f32; tokens * h];
        let mut mid = vec![0f32; tokens * s.ffn];
        let mut scratch = Vec::new();
        for layer in &self.layers {
            quantized.quantize(&x, h);
            layer.q.apply(file, &quantized, &mut q);
            layer.k.apply(file, &quantized, &mut k);
            layer.v.apply(file, &quantized, &mut v);
            for range in bounds.windows(2) {
                let rows = range[0] * h..range[1] * h;
                kernels::attention(
                    kernels::Heads {
                        q: &q[rows.clone()],
                        k: &k[rows.clone()],
                        v: &v[rows.clone()],
                        width: h,
                        heads,
                    },
                    &mut context[rows],
                    &mut scratch,
                );
            }
            quantized.quantize(&context, h);
            layer.out.apply(file, &quantized, &mut projected);
            layer_norm(&mut x, Some(&projected), &layer.attention_norm, h, s.eps);

            quantized.quantize(&x, h);
            layer.up.apply(file, &quantized, &mut mid);
            for m in &mut mid {
                *m = gelu(*m);
            }
            quantized.quantize(&mid, s.ffn);
            layer.down.apply(file, &quantized, &mut projected);
            layer_norm(&mut x, Some(&projected), &layer.output_norm, h, s.eps);
        }

        bounds
            .windows(2)
            .map(|range| {
                let mut mean = vec![0f32; h];
                for row in x[range[0] * h..range[1] * h].chunks_exact(h) {
                    for (m, v) in mean.iter_mut().zip(row) {
                        *m += v;
                    }
                }
                let inv = 1.0 / (range[1] - range[0]).max(1) as f32;
                mean.iter_mut().for_each(|m| *m *= inv);
                mean
            })
            .collect()
    }
}

/// `x = LayerNorm(x + y)` row by row (`x` alone when `y` is `None`).
fn layer_norm(x: &mut [f32], y: Option<&[f32]>, norm: &Norm, h: usize, eps: f32) {
    for (t, row) in x.chunks_exact_mut(h).enumerate() {
        if let Some(y) = y {
            for (a, b) in row.iter_mut().zip(&y[t * h..(t + 1) * h]) {
                *a += b;
            }
        }
        let mean = sum(row) / h as f32;
        let var = row
            .iter()
            .fold(Lanes::default(), |acc, v| acc.add((v - mean) * (v - mean)))
            .total()
            / h as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, w), b) in row.iter_mut().zip(&norm.w).zip(&norm.b) {
            *v = (*v - mean) * inv * w + b;
        }
    }
}

/// Eight running sums: a float sum in one accumulator is a chain the compiler may not reorder,
/// so it stays scalar; eight independent ones vectorise.
#[derive(Default, Clone, Copy)]
struct Lanes([f32; 8], usize);

impl Lanes {
    #[inline(always)]
    fn add(mut self, v: f32) -> Lanes {
        self.0[self.1 & 7] += v;
        self.1 += 1;
        self
    }
    #[inline(always)]
    fn total(self) -> f32 {
        self.0.iter().sum()
    }
}

/// `Σ a_i`, in eight lanes.
#[inline(always)]
fn sum(a: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (chunks, rest) = a.as_chunks::<8>();
    for x in chunks {
        for l in 0..8 {
            lanes[l] += x[l];
        }
    }
    lanes.iter().sum::<f32>() + rest.iter().sum::<f32>()
}

/// The erf GELU that BERT uses.
#[inline(always)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf as a rational function of odd and even polynomials on [-4, 4] (beyond which it is ±1 in
/// f32), the approximation Eigen uses for floats: no branch and no `exp`, so the compiler
/// vectorises the GELU loop (plain multiply-adds: `mul_add` is a library call without FMA); `libm::erff` took 12% of a forward pass. Within 1e-6 of it (tested).
#[inline(always)]
pub(crate) fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p + -2.101_024e-6;
    p = x2 * p + -5.692_506_4e-5;
    p = x2 * p + -7.349_906_3e-4;
    p = x2 * p + -2.954_600_1e-3;
    p = x2 * p + -1.609_603_3e-2;
    let p = x * p;
    let mut q = x2 * -1.456_607_2e-5 + -2.133_740_6e-4;
    q = x2 * q + -1.682_827e-3;
    q = x2 * q + -7.373_329e-3;
    q = x2 * q + -1.426_474e-2;
    p / q
}

#[cfg(test)]
mod tests {
    #[test]
    fn lane_sums_agree_with_plain_ones() {
        let a: Vec<f32> = (0..37).map(|i| i as f32 * 0.5 - 3.0).collect();
        assert!((super::sum(&a) - a.iter().sum::<f32>()).abs() < 1e-4);
    }

    #[test]
    fn erf_is_within_a_millionth_of_libm() {
        let mut worst = 0f32;
        for i in -60_000..=60_000 {
            let x = i as f32 / 10_000.0;
            worst = worst.max((super::erf(x) - libm::erff(x)).abs());
        }
        assert!(worst < 1e-6, "worst error {worst}");
    }
}
