//! `kb build` and `kb check`, and opening an index or guides for the other commands.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use kb::{Corpus, KnowledgeBase, Severity};

use crate::args::{DEFAULT_INDEX, MeaningArgs};
use crate::print::site_summary;

/// Shows how far embedding has got, on a terminal.
pub fn embed_bar() -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("embedding sections {bar:40} {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The embedder's progress (done, to do) shown on `bar`.
pub fn progress_on(bar: &ProgressBar) -> impl Fn(usize, usize) + Sync + '_ {
    |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }
}

pub fn open(index: Option<&Path>, guides: Option<&Path>) -> anyhow::Result<KnowledgeBase> {
    match (index, guides) {
        (_, Some(guides)) => KnowledgeBase::from_guides(guides)
            .with_context(|| format!("indexing {}", guides.display())),
        (Some(index), None) => Ok(KnowledgeBase::open(index)?),
        (None, None) => {
            let index = Path::new(DEFAULT_INDEX);
            KnowledgeBase::open(index).with_context(|| {
                format!(
                    "opening {} (build it with `kb build`, or pass --guides DIR)",
                    index.display()
                )
            })
        }
    }
}

pub fn check(dir: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let corpus = Corpus::load(dir)?;
    let problems = kb::check::check(&corpus);
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    if json {
        say!("{}", serde_json::to_string_pretty(&problems)?);
    } else {
        for problem in &problems {
            say!("{problem}");
        }
    }
    eprintln!(
        "checked {} guides in {}: {errors} errors, {} warnings",
        corpus.markdown_files(),
        dir.display(),
        problems.len() - errors
    );
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub fn build(
    dir: &Path,
    out: &Path,
    site: Option<&Path>,
    site_options: &kb::site::Options,
    json: bool,
    meaning: &MeaningArgs,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let corpus = Corpus::load(dir)?;
    let bar = if corpus.guides.len() >= 500 {
        let bar = ProgressBar::new(corpus.guides.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} guides {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let encoder = meaning.encoder();
    let embed_bar = embed_bar();
    let progress = progress_on(&embed_bar);
    let embedder = encoder.as_ref().map(|encoder| kb::dense::Embedder {
        encoder,
        cache: Some(meaning.cache(dir)),
        seed: None,
        progress: &progress,
    });
    let report = kb::build_with(
        &corpus,
        out,
        &|n| bar.set_position(n as u64),
        embedder.as_ref(),
    )?;
    bar.finish_and_clear();
    embed_bar.finish_and_clear();
    if let Some(e) = &report.embedded {
        eprintln!(
            "embedded {} sections and {} intent examples by meaning ({} computed, the rest cached) in {:.1} s",
            e.sections,
            e.examples,
            e.computed,
            e.ms as f64 / 1000.0
        );
        if let Some(problem) = &e.cache_problem {
            eprintln!("kb: the embedding cache was not saved: {problem}");
        }
    }
    let site_report = match site {
        Some(site) => Some((site, kb::site::write(&corpus, site, site_options)?)),
        None => None,
    };
    for problem in &corpus.problems {
        eprintln!("{problem}");
    }
    let skipped = corpus.markdown_files() - corpus.guides.len();
    if skipped > 0 {
        eprintln!(
            "skipped {skipped} guides that could not be read (see above; `kb check` lists every problem)"
        );
    }
    if json {
        say!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let m = &report.manifest;
        let languages: Vec<String> = m
            .languages
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect();
        say!(
            "built {}: {} guides ({}), {} sections, {} synonym groups; {:.1} MB Markdown → {:.1} MB index in {:.2} s",
            report.out.display(),
            m.guides,
            languages.join(", "),
            m.sections,
            m.synonym_groups,
            report.input_bytes as f64 / 1e6,
            report.index_bytes as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
        if let Some((site, report)) = &site_report {
            say!("{}", site_summary(site, report, started));
        }
    }
    Ok(ExitCode::SUCCESS)
}
