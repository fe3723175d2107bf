//! `kb intents`: a table of labelled messages read with a set of intents, by words and, with the
//! sentence model, by meaning; `--sweep` tries the meaning rule's thresholds.

use std::path::Path;
use std::process::ExitCode;

use kb::KnowledgeBase;

use crate::args::MeaningArgs;

/// What `kb intents` was asked.
pub struct Run<'a> {
    pub file: &'a Path,
    pub cases: &'a Path,
    pub split: Option<&'a str>,
    pub misses: bool,
    pub sweep: bool,
    pub guides: &'a Path,
    pub meaning: &'a MeaningArgs,
}

/// Measures, or sweeps.
pub fn run(run: &Run<'_>) -> anyhow::Result<ExitCode> {
    let intents = kb::intents::Intents::load(run.file)?;
    let cases = kb::intents::cases(run.cases, run.split)?;
    let encoder = run.meaning.encoder();
    let (intents, meanings) = match &encoder {
        Some(encoder) => {
            let embedder = kb::dense::Embedder {
                encoder,
                cache: Some(run.meaning.cache(run.guides)),
                seed: None,
                progress: &|_, _| {},
            };
            let kb = KnowledgeBase::from_guides_with(run.guides, Some(&embedder))?;
            let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
            let meanings: Vec<kb::intents::Meaning> = kb::dense::queries(encoder, &texts)
                .into_iter()
                .map(|v| kb.meaning_of(v))
                .collect();
            (intents.embedded_by(encoder), Some(meanings))
        }
        None => (intents, None),
    };
    if run.sweep
        && let Some(meanings) = &meanings
    {
        // The patterns were written from the dev split: meaning alone is what a fit on it
        // can trust; both are printed.
        say!("                  meaning alone              words and meaning");
        say!("threshold margin  worst  mean  near-misses   worst  mean  near-misses");
        let alone = intents.clone().without_words();
        for threshold in [0.80, 0.84, 0.86, 0.88, 0.90, 0.92] {
            for margin in [0.0, 0.1, 0.2, 0.3, 0.4] {
                let rule = kb::intents::MeaningRule {
                    threshold,
                    margin,
                    ..intents.rule()
                };
                let columns: Vec<String> = [&alone, &intents]
                    .into_iter()
                    .map(|set| {
                        let report = kb::intents::measure(
                            &set.clone().with_rule(rule),
                            &cases,
                            Some(meanings),
                        );
                        let (worst, mean, near) = summary(&report);
                        format!("{worst:>5.3} {mean:>5.3} {near:>11.3}")
                    })
                    .collect();
                say!(
                    "{threshold:>9.2} {margin:>6.2}  {}   {}",
                    columns[0],
                    columns[1]
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let report = kb::intents::measure(&intents, &cases, meanings.as_deref());
    say!("{}", report.table());
    if run.misses {
        for miss in &report.misses {
            say!("{miss}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The worst row's rate, the mean row's, and the near-misses left alone, of a reading.
pub fn summary(report: &kb::intents::Report) -> (f32, f32, f32) {
    let rates: Vec<f32> = report
        .rows
        .values()
        .map(|(r, t)| *r as f32 / (*t).max(1) as f32)
        .collect();
    let near = report
        .rows
        .iter()
        .filter(|((intent, _), _)| intent == "none")
        .fold((0, 0), |(r, t), (_, (right, total))| (r + right, t + total));
    (
        rates.iter().copied().fold(1.0, f32::min),
        rates.iter().sum::<f32>() / rates.len().max(1) as f32,
        near.0 as f32 / near.1.max(1) as f32,
    )
}
