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

fn run_set(set: &Set, model: Option<&Model>, policy: &Policy) -> anyhow::Result<Vec<Outcome>> {
    let mut kb = KnowledgeBase::from_guides(&set.guides)
        .with_context(|| format!("indexing {}", set.guides.display()))?;
    if let Some(model) = model {
        kb = kb.with_confidence(model.clone());
    }
    let conversations = eval::load(&set.turns)?;
    Ok(eval::run(
        &kb,
        policy,
        &conversations,
        set.split.as_deref(),
    )?)
}

/// Prints each set's per-class rates; with `plot`, draws their calibration curves into one SVG.
pub fn eval(
    sets: &[Set],
    model: Option<&Path>,
    plot: Option<&Path>,
    misses: bool,
    baseline: bool,
    policy: &Policy,
) -> anyhow::Result<()> {
    let model = model.map(Model::load).transpose()?;
    let mut curves: Vec<(String, Calibration)> = Vec::new();
    for set in sets {
        let mut outcomes = run_set(set, model.as_ref(), policy)?;
        if baseline {
            outcomes = eval::coverage_rule(&outcomes, BASELINE_COVERAGE);
        }
        let report = eval::report(&outcomes);
        println!("## {}\n{}", set.name, report.table());
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

/// Fits the confidence model on the question turns of `sets` and writes it to `out`.
pub fn calibrate(sets: &[Set], out: &Path) -> anyhow::Result<()> {
    let mut outcomes = Vec::new();
    for set in sets {
        outcomes.extend(run_set(set, None, &Policy::default())?);
    }
    let names: Vec<String> = sets
        .iter()
        .map(|s| format!("{} {}", s.name, s.split.as_deref().unwrap_or("all")))
        .collect();
    let model = eval::fit(&outcomes, &names.join(" + "));
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
