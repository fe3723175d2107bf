//! `baton eval` and `baton calibrate`: the bot measured on labelled conversations, and its
//! confidence model fit on them (the harness is `desk::eval`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use desk::bot::Policy;
use desk::eval::{self, Outcome};
use kb::KnowledgeBase;
use kb::confidence::{Calibration, Model, reliability_svg};

/// The coverage threshold of the rule the calibrated model replaced.
const BASELINE_COVERAGE: f32 = 0.6;

/// One labelled set: `name:guides:turns:split` (`split` is `dev`, `test` or `all`).
#[derive(Debug, Clone)]
pub struct Set {
    name: String,
    guides: PathBuf,
    turns: PathBuf,
    split: Option<String>,
}

impl std::str::FromStr for Set {
    type Err = String;

    fn from_str(text: &str) -> Result<Set, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let [name, guides, turns, split] = parts[..] else {
            return Err(format!("\"{text}\" is not name:guides:turns:split"));
        };
        Ok(Set {
            name: name.to_string(),
            guides: guides.into(),
            turns: turns.into(),
            split: (split != "all").then(|| split.to_string()),
        })
    }
}

/// The sentence model for `baton eval` and `baton calibrate`.
#[derive(clap::Args, Clone, Debug)]
pub struct MeaningArgs {
    /// The sentence model file; fetched into data/model on first use when not given.
    #[arg(long = "sentence-model", env = "BATON_MODEL")]
    pub path: Option<PathBuf>,
    /// Words only: the bot as it decides without the sentence model.
    #[arg(long)]
    pub words_only: bool,
}

impl MeaningArgs {
    /// The model, or `None` (said once) when it is off or cannot be had.
    pub fn encoder(&self) -> Option<encoder::Encoder> {
        if self.words_only {
            return None;
        }
        let opened = encoder::Encoder::open_or_fetch(
            self.path.as_deref(),
            Path::new(encoder::fetch::DEFAULT_DIR),
        );
        match opened {
            Ok(encoder) => Some(encoder),
            Err(error) => {
                eprintln!("baton: {error}; measuring with words only");
                None
            }
        }
    }
}

/// Runs a set's conversations through the bot, with `models` in place of the shipped ones (a
/// words-only model, one that reads meaning, or both: each fills its own slot).
fn run_set(
    set: &Set,
    models: &[Model],
    policy: &Policy,
    encoder: Option<&encoder::Encoder>,
) -> anyhow::Result<Vec<Outcome>> {
    let embedder = encoder.map(|encoder| kb::dense::Embedder {
        encoder,
        cache: Some(kb::dense::default_cache(&set.guides)),
        seed: None,
        progress: &|_, _| {},
    });
    let mut kb = KnowledgeBase::from_guides_with(&set.guides, embedder.as_ref())
        .with_context(|| format!("indexing {}", set.guides.display()))?;
    for model in models {
        kb = kb.with_model(model.clone());
    }
    let conversations = eval::load(&set.turns)?;
    Ok(eval::run(
        &kb,
        policy,
        &conversations,
        set.split.as_deref(),
        encoder,
    )?)
}

/// What `baton eval` writes besides each set's table.
#[derive(Debug, Default, Clone, Copy)]
pub struct Outputs<'a> {
    /// Draw the sets' calibration curves into this SVG.
    pub plot: Option<&'a Path>,
    /// List every question turn the bot got wrong.
    pub misses: bool,
    /// Decide by the coverage rule the calibrated model replaced.
    pub baseline: bool,
    /// Write every question turn as JSON lines into this directory.
    pub turns: Option<&'a Path>,
}

/// Prints each set's per-class rates, and what `outputs` asks for.
pub fn eval(
    sets: &[Set],
    model: Option<&Path>,
    policy: &Policy,
    meaning: &MeaningArgs,
    outputs: &Outputs<'_>,
) -> anyhow::Result<()> {
    let Outputs {
        plot,
        misses,
        baseline,
        turns,
    } = *outputs;
    let encoder = meaning.encoder();
    // With the sentence model, `model` names the words-only file; its `-meaning` sibling is read
    // too when there is one.
    let models: Vec<Model> = match model {
        Some(path) => {
            let mut models = vec![Model::load(path)?];
            let sibling = meaning_sibling(path);
            if encoder.is_some() && sibling.exists() {
                models.push(Model::load(&sibling)?);
            }
            models
        }
        None => Vec::new(),
    };
    let mut curves: Vec<(String, Calibration)> = Vec::new();
    for set in sets {
        let mut outcomes = run_set(set, &models, policy, encoder.as_ref())?;
        if baseline {
            outcomes = eval::coverage_rule(&outcomes, BASELINE_COVERAGE);
        }
        let report = eval::report(&outcomes);
        println!("## {}\n{}", set.name, report.table());
        if let Some(dir) = turns {
            // Every question turn with its signals, for studying a refit (JSON lines).
            let path = dir.join(format!("{}.jsonl", set.name.replace([' ', '/'], "_")));
            let lines: Vec<String> = outcomes
                .iter()
                .filter(|o| o.is_question())
                .map(|o| {
                    serde_json::json!({
                        "conversation": o.conversation, "turn": o.turn, "lang": o.lang,
                        "in_scope": o.expect != eval::Expect::Handoff, "right": o.top_is_right(),
                        "decision": o.decision.to_string(), "p": o.probability, "signals": o.signals,
                        "follow_up": o.follow_up,
                    })
                    .to_string()
                })
                .collect();
            std::fs::write(&path, lines.join("\n") + "\n")?;
        }
        if misses {
            for o in outcomes.iter().filter(|o| o.is_question()) {
                let right = match o.decision {
                    desk::model::Decision::Answer => o.top_is_right(),
                    _ => o.expect == eval::Expect::Handoff,
                };
                if !right {
                    println!(
                        "  {}#{} {:?} p={:.2} top={:?} expect={:?}",
                        o.conversation, o.turn, o.decision, o.probability, o.top, o.expect
                    );
                }
            }
        }
        if let Some(calibration) = report.calibration {
            curves.push((set.name.clone(), calibration));
        }
    }
    if let Some(plot) = plot {
        let named: Vec<(&str, &Calibration)> =
            curves.iter().map(|(n, c)| (n.as_str(), c)).collect();
        std::fs::write(
            plot,
            reliability_svg("Bot confidence: predicted vs observed", &named),
        )
        .with_context(|| format!("writing {}", plot.display()))?;
        println!("wrote {}", plot.display());
    }
    Ok(())
}

/// The file of the model that reads meaning, beside the words-only one:
/// `kb/confidence.json` → `kb/confidence-meaning.json`.
pub fn meaning_sibling(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or("confidence".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}-meaning.json"))
}

/// Fits the confidence model on the question turns of `sets`: with the sentence model, the
/// model that reads meaning, written to `out`'s `-meaning` sibling; with `--words-only`, the
/// words-only model, written to `out`.
pub fn calibrate(sets: &[Set], out: &Path, meaning: &MeaningArgs) -> anyhow::Result<()> {
    if meaning.words_only {
        fit_and_write(sets, out, meaning)
    } else {
        fit_and_write(sets, &meaning_sibling(out), meaning)
    }
}

fn fit_and_write(sets: &[Set], out: &Path, meaning: &MeaningArgs) -> anyhow::Result<()> {
    let encoder = meaning.encoder();
    let mut outcomes = Vec::new();
    for set in sets {
        outcomes.extend(run_set(set, &[], &Policy::default(), encoder.as_ref())?);
    }
    let names: Vec<String> = sets
        .iter()
        .map(|s| format!("{} {}", s.name, s.split.as_deref().unwrap_or("all")))
        .collect();
    if encoder.is_none() && !meaning.words_only {
        anyhow::bail!(
            "no sentence model to fit the model that reads meaning (use --words-only for the other)"
        );
    }
    let model = eval::fit(&outcomes, &names.join(" + "), encoder.is_some());
    let fitted: Vec<(f32, bool)> = eval::samples(&outcomes)
        .iter()
        .map(|(s, right)| (model.probability(s), *right))
        .collect();
    let calibration = Calibration::of(&fitted);
    std::fs::write(out, serde_json::to_string_pretty(&model)? + "\n")
        .with_context(|| format!("writing {}", out.display()))?;
    println!(
        "fit on {}; ECE {:.3} on the turns fit on; wrote {}",
        model.fit_on,
        calibration.ece,
        out.display()
    );
    for (name, pull) in model.features.iter().zip(&model.weights) {
        println!("  {name:<18} {pull:+.3}");
    }
    Ok(())
}
