//! How likely the best guide of a search is the right answer: a probability, from signals the
//! search already has, through a small logistic model fit on labelled turns (`baton calibrate`)
//! rather than a hand-set threshold.
//!
//! The signals are chosen to mean the same on any docs set: shares of the query's content words
//! (question words and the verbs every question has left out, see [`crate::function_words`]),
//! the score per unit of the query's rarity, the margin to the runner-up, and whether the words
//! are in the guide's title and questions or only somewhere in its body. The model is fit on
//! standardized signals with a little L2 regularization, so a team's few hundred labelled turns
//! are enough to refit it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};

/// What the search knows about its best guide, each a number the model weighs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// IDF-weighted share of the query's words the guide contains (0–1).
    pub coverage: f32,
    /// The same over content words only: question words and generic verbs left out (0–1).
    pub content_coverage: f32,
    /// IDF-weighted share of the content words in the guide's title (0–1): every docs set has
    /// titles, while front matter such as `questions` is Baton's own.
    pub title_coverage: f32,
    /// IDF-weighted share of the content words in the heading of the best section (0–1).
    pub heading_coverage: f32,
    /// IDF-weighted share of the content words that no guide contains at all (0–1): words of
    /// another product, another framework, a topic the guides never mention.
    pub unknown: f32,
    /// The best guide's score per unit of the query's total IDF.
    pub score_per_idf: f32,
    /// How far the best guide is ahead of the runner-up, as a share of its score (0–1).
    pub margin: f32,
    /// The best section's own score as a share of the guide's (0 when only the page matched).
    pub section_share: f32,
    /// How many content words the query has.
    pub content_words: f32,
    /// What the sentence model says, when the search had the question's embedding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meaning: Option<MeaningSignals>,
}

/// The sentence model's view of a search's best guide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MeaningSignals {
    /// Cosine of the question and the best guide's closest section.
    pub top: f32,
    /// Cosine of the question and the closest section of any guide searched: low when the
    /// question is about nothing the guides cover.
    pub best: f32,
    /// The best guide's cosine minus that of the closest other guide (its translation aside).
    pub margin: f32,
    /// The closest guide by meaning is the best guide by the search (or its translation).
    pub agrees: bool,
    /// The mean cosine over every guide searched: what "not related" looks like for this
    /// question on this docs set (cosines of one model run higher on some texts than others).
    #[serde(default)]
    pub typical: f32,
}

/// The model's inputs, in order.
pub const FEATURES: [&str; 10] = [
    "coverage",
    "content_coverage",
    "title_coverage",
    "heading_coverage",
    "unknown",
    "score_per_idf",
    "margin",
    "section_share",
    "content_words",
    "single_word",
];

/// The inputs a model with meaning adds after [`FEATURES`].
pub const MEANING_FEATURES: [&str; 4] = [
    "meaning_top",
    "meaning_best",
    "meaning_margin",
    "meaning_agrees",
];

impl Signals {
    /// The inputs of a model over `features` inputs: [`FEATURES`], then [`MEANING_FEATURES`]
    /// when it has them (0 where the search had no meaning).
    pub fn inputs(&self, features: usize) -> Vec<f32> {
        let mut x = self.vector().to_vec();
        if features > FEATURES.len() {
            let m = self.meaning.unwrap_or_default();
            x.extend([m.top, m.best, m.margin, if m.agrees { 1.0 } else { 0.0 }]);
        }
        x
    }

    /// The lexical inputs, in [`FEATURES`] order.
    pub fn vector(&self) -> [f32; FEATURES.len()] {
        [
            self.coverage,
            self.content_coverage,
            self.title_coverage,
            self.heading_coverage,
            self.unknown,
            self.score_per_idf.min(10.0),
            self.margin,
            self.section_share,
            (1.0 + self.content_words).ln(),
            if self.content_words <= 1.0 { 1.0 } else { 0.0 },
        ]
    }
}

/// The parameter file's format; a file of another version is refused.
pub const MODEL_VERSION: u32 = 2;

/// A fitted logistic model over standardized [`Signals`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// [`MODEL_VERSION`] when written.
    pub version: u32,
    /// The inputs, by name, in order ([`FEATURES`]).
    pub features: Vec<String>,
    /// Each input's mean on the turns it was fit on.
    pub mean: Vec<f32>,
    /// Each input's standard deviation on those turns.
    pub scale: Vec<f32>,
    /// Weights on the standardized inputs.
    pub weights: Vec<f32>,
    /// The intercept.
    pub bias: f32,
    /// What it was fit on (`kb/guides dev: 412 turns, 260 right`).
    pub fit_on: String,
}

/// The model shipped with Baton, fit on Baton's own guides' dev turns.
const SHIPPED: &str = include_str!("../confidence.json");
/// Its counterpart that reads meaning (`scripts/calibrate` writes both).
const SHIPPED_WITH_MEANING: Option<&str> = Some(include_str!("../confidence-meaning.json"));

impl Model {
    /// The model Baton ships.
    pub fn shipped() -> Model {
        Model::parse(SHIPPED).expect("the shipped confidence model is valid")
    }

    /// The model with meaning Baton ships, fit on the same turns with the sentence model's
    /// signals; `None` in a build that has none.
    pub fn shipped_with_meaning() -> Option<Model> {
        SHIPPED_WITH_MEANING.and_then(|text| Model::parse(text).ok())
    }

    /// Parses a parameter file, checking its version and its inputs.
    pub fn parse(text: &str) -> std::result::Result<Model, String> {
        let model: Model = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if model.version != MODEL_VERSION {
            return Err(format!(
                "confidence model version {} (this build reads {MODEL_VERSION}): refit it with baton calibrate",
                model.version
            ));
        }
        let words: Vec<&str> = FEATURES.to_vec();
        let with_meaning: Vec<&str> = FEATURES.iter().chain(&MEANING_FEATURES).copied().collect();
        let n = model.features.len();
        if (model.features != words && model.features != with_meaning)
            || model.mean.len() != n
            || model.scale.len() != n
            || model.weights.len() != n
        {
            return Err(format!(
                "confidence model inputs are not {}: refit it with baton calibrate",
                FEATURES.join(", ")
            ));
        }
        if model
            .mean
            .iter()
            .chain(&model.scale)
            .chain(&model.weights)
            .chain(std::iter::once(&model.bias))
            .any(|x| !x.is_finite())
            || model.scale.iter().any(|s| *s <= 0.0)
        {
            return Err("confidence model has a number that is not finite".into());
        }
        Ok(model)
    }

    /// Reads a parameter file.
    pub fn load(path: &std::path::Path) -> Result<Model> {
        let text = std::fs::read_to_string(path).at(path)?;
        Model::parse(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })
    }

    /// True when the model reads the sentence model's signals too.
    pub fn reads_meaning(&self) -> bool {
        self.features.len() > FEATURES.len()
    }

    /// The probability that the guide these signals describe answers the question.
    pub fn probability(&self, signals: &Signals) -> f32 {
        let x = signals.inputs(self.features.len());
        let z = self.bias
            + x.iter()
                .enumerate()
                .map(|(i, v)| self.weights[i] * (v - self.mean[i]) / self.scale[i])
                .sum::<f32>();
        sigmoid(z)
    }

    /// Each input's pull on this prediction (weight × standardized value), largest first: the
    /// reasons a turn shows.
    pub fn contributions(&self, signals: &Signals) -> Vec<(&'static str, f32)> {
        let x = signals.inputs(self.features.len());
        let mut out: Vec<(&'static str, f32)> = FEATURES
            .iter()
            .chain(&MEANING_FEATURES)
            .take(x.len())
            .enumerate()
            .map(|(i, name)| {
                (
                    *name,
                    self.weights[i] * (x[i] - self.mean[i]) / self.scale[i],
                )
            })
            .collect();
        out.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        out
    }

    /// Fits the model to `samples` (signals, whether the best guide was right) by Newton's
    /// method on the L2-regularized log-likelihood. Deterministic: the same turns give the same
    /// file.
    /// With `meaning`, the model reads [`MEANING_FEATURES`] too.
    pub fn fit(samples: &[(Signals, bool)], fit_on: &str, meaning: bool) -> Model {
        const L2: f64 = 1.0;
        let names: Vec<&str> = FEATURES
            .iter()
            .chain(if meaning { &MEANING_FEATURES[..] } else { &[] })
            .copied()
            .collect();
        let n = names.len();
        let rows: Vec<Vec<f32>> = samples.iter().map(|(s, _)| s.inputs(n)).collect();
        let count = rows.len().max(1) as f64;
        let mut mean = vec![0f64; n];
        let mut scale = vec![0f64; n];
        for row in &rows {
            for i in 0..n {
                mean[i] += f64::from(row[i]) / count;
            }
        }
        for row in &rows {
            for i in 0..n {
                scale[i] += (f64::from(row[i]) - mean[i]).powi(2) / count;
            }
        }
        let scale: Vec<f64> = scale.iter().map(|v| v.sqrt().max(1e-3)).collect();
        let x: Vec<Vec<f64>> = rows
            .iter()
            .map(|row| {
                let mut v: Vec<f64> = (0..n)
                    .map(|i| (f64::from(row[i]) - mean[i]) / scale[i])
                    .collect();
                v.push(1.0);
                v
            })
            .collect();
        let y: Vec<f64> = samples
            .iter()
            .map(|(_, right)| f64::from(u8::from(*right)))
            .collect();
        let d = n + 1;
        let mut w = vec![0f64; d];
        for _ in 0..50 {
            let mut gradient = vec![0f64; d];
            let mut hessian = vec![vec![0f64; d]; d];
            for (xi, yi) in x.iter().zip(&y) {
                let z: f64 = xi.iter().zip(&w).map(|(a, b)| a * b).sum();
                let p = 1.0 / (1.0 + (-z).exp());
                for j in 0..d {
                    gradient[j] += (p - yi) * xi[j];
                    for k in 0..d {
                        hessian[j][k] += p * (1.0 - p) * xi[j] * xi[k];
                    }
                }
            }
            // The intercept is not shrunk.
            for j in 0..n {
                gradient[j] += L2 * w[j];
                hessian[j][j] += L2;
            }
            hessian[n][n] += 1e-9;
            let Some(step) = solve(hessian, gradient) else {
                break;
            };
            let mut moved = 0f64;
            for j in 0..d {
                w[j] -= step[j];
                moved = moved.max(step[j].abs());
            }
            if moved < 1e-8 {
                break;
            }
        }
        Model {
            version: MODEL_VERSION,
            features: names.iter().map(|s| s.to_string()).collect(),
            mean: mean.iter().map(|v| *v as f32).collect(),
            scale: scale.iter().map(|v| *v as f32).collect(),
            weights: w[..n].iter().map(|v| *v as f32).collect(),
            bias: w[n] as f32,
            fit_on: fit_on.to_string(),
        }
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (the systems are 10 × 10).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col].clone();
        for row in col + 1..n {
            let factor = a[row][col] / pivot_row[col];
            for (cell, above) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *cell -= factor * above;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0f64; n];
    for row in (0..n).rev() {
        let rest: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    Some(x)
}

/// One bin of a calibration curve.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Bin {
    /// The mean predicted probability in the bin.
    pub predicted: f32,
    /// The share of the bin that was right.
    pub observed: f32,
    /// Predictions in the bin.
    pub count: usize,
}

/// How well predicted probabilities match what happened.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// Expected calibration error: the count-weighted mean gap between predicted and observed.
    pub ece: f32,
    /// Mean log-loss.
    pub log_loss: f32,
    /// Ten equal-width bins; empty ones left out.
    pub bins: Vec<Bin>,
}

impl Calibration {
    /// Measures `predictions` (probability, whether it was right).
    pub fn of(predictions: &[(f32, bool)]) -> Calibration {
        const BINS: usize = 10;
        let mut sums = [(0f32, 0usize, 0usize); BINS];
        let mut loss = 0f32;
        for &(p, right) in predictions {
            let bin = ((p * BINS as f32) as usize).min(BINS - 1);
            sums[bin].0 += p;
            sums[bin].1 += usize::from(right);
            sums[bin].2 += 1;
            let p = p.clamp(1e-6, 1.0 - 1e-6);
            loss -= if right { p.ln() } else { (1.0 - p).ln() };
        }
        let total = predictions.len().max(1) as f32;
        let bins: Vec<Bin> = sums
            .iter()
            .filter(|(_, _, count)| *count > 0)
            .map(|&(sum, right, count)| Bin {
                predicted: sum / count as f32,
                observed: right as f32 / count as f32,
                count,
            })
            .collect();
        let ece = bins
            .iter()
            .map(|b| b.count as f32 / total * (b.predicted - b.observed).abs())
            .sum();
        Calibration {
            ece,
            log_loss: loss / total,
            bins,
        }
    }
}

/// A reliability diagram: one line per named curve against the diagonal, as SVG.
pub fn reliability_svg(title: &str, curves: &[(&str, &Calibration)]) -> String {
    const SIZE: f32 = 360.0;
    const PAD: f32 = 48.0;
    const COLORS: [&str; 4] = ["#1f6feb", "#d1242f", "#1a7f37", "#8250df"];
    let at = |v: f32| PAD + v * SIZE;
    let flip = |v: f32| PAD + (1.0 - v) * SIZE;
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let width = SIZE + 2.0 * PAD + 180.0;
    let height = SIZE + 2.0 * PAD;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{PAD}\" y=\"24\" font-size=\"14\">{}</text>\n\
         <rect x=\"{PAD}\" y=\"{PAD}\" width=\"{SIZE}\" height=\"{SIZE}\" fill=\"none\" stroke=\"#888\"/>\n\
         <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n",
        escape(title),
        at(0.0),
        flip(0.0),
        at(1.0),
        flip(1.0)
    );
    for tick in 0..=5 {
        let v = tick as f32 / 5.0;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{v:.1}</text>\n<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{v:.1}</text>\n",
            at(v),
            flip(0.0) + 16.0,
            PAD - 6.0,
            flip(v) + 4.0
        ));
    }
    svg.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">predicted P(right)</text>\n\
         <text x=\"14\" y=\"{}\" transform=\"rotate(-90 14 {})\" text-anchor=\"middle\">observed share right</text>\n",
        at(0.5),
        height - 8.0,
        flip(0.5),
        flip(0.5)
    ));
    for (n, (name, calibration)) in curves.iter().enumerate() {
        let color = COLORS[n % COLORS.len()];
        let points: Vec<String> = calibration
            .bins
            .iter()
            .map(|b| format!("{:.1},{:.1}", at(b.predicted), flip(b.observed)))
            .collect();
        svg.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>\n",
            points.join(" ")
        ));
        for b in &calibration.bins {
            let r = 2.0 + (b.count as f32).sqrt().min(8.0);
            svg.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r:.1}\" fill=\"{color}\" fill-opacity=\"0.5\"/>\n",
                at(b.predicted),
                flip(b.observed)
            ));
        }
        let y = PAD + 16.0 + n as f32 * 36.0;
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{color}\"/>\n<text x=\"{}\" y=\"{}\">{}</text>\n<text x=\"{}\" y=\"{}\" fill=\"#555\">ECE {:.3}</text>\n",
            at(1.0) + 16.0,
            y - 10.0,
            at(1.0) + 34.0,
            y,
            escape(name),
            at(1.0) + 34.0,
            y + 15.0,
            calibration.ece
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(coverage: f32) -> Signals {
        Signals {
            coverage,
            content_coverage: coverage,
            title_coverage: coverage / 2.0,
            heading_coverage: coverage / 3.0,
            unknown: 1.0 - coverage,
            score_per_idf: coverage * 3.0,
            margin: 0.2,
            section_share: 0.5,
            content_words: 3.0,
            meaning: None,
        }
    }

    #[test]
    fn a_fit_learns_that_more_coverage_is_more_likely_right_and_round_trips() {
        let samples: Vec<(Signals, bool)> = (0..200)
            .map(|i| {
                let c = (i % 20) as f32 / 20.0;
                (signals(c), (i * 7919 % 100) as f32 / 100.0 < c)
            })
            .collect();
        let model = Model::fit(&samples, "test", false);
        assert!(model.probability(&signals(0.9)) > model.probability(&signals(0.1)));
        let text = serde_json::to_string(&model).expect("json");
        assert_eq!(Model::parse(&text).expect("parse"), model);
        let calibration = Calibration::of(
            &samples
                .iter()
                .map(|(s, r)| (model.probability(s), *r))
                .collect::<Vec<_>>(),
        );
        assert!(calibration.ece < 0.1, "{}", calibration.ece);
        assert!(reliability_svg("t", &[("dev", &calibration)]).starts_with("<svg"));
    }

    #[test]
    fn a_parameter_file_of_another_shape_is_refused() {
        let mut model = Model::shipped();
        model.version = 0;
        let old = serde_json::to_string(&model).expect("json");
        assert!(
            Model::parse(&old)
                .expect_err("version 0")
                .contains("refit it")
        );
        let mut model = Model::shipped();
        model.weights.pop();
        assert!(Model::parse(&serde_json::to_string(&model).expect("json")).is_err());
        assert!(Model::parse("{").is_err());
    }
}
