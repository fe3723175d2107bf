//! `kb`: check, build, search, evaluate and benchmark a knowledge base from the shell.
//!
//! - `args.rs`: the commands and their flags;
//! - `build.rs`: `kb build`, `kb check`, and opening an index or guides;
//! - `intents.rs`: `kb intents` (and its `--sweep`);
//! - `print.rs`: what the commands print;
//! - here: dispatch, and the commands short enough to read in place.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;
use kb::{Corpus, KnowledgeBase, SearchRequest, Tuning};

/// Prints a line to stdout; a closed pipe (`kb search … | head`) ends the program quietly instead
/// of panicking as `println!` does.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

mod args;
mod build;
mod intents;
mod print;

use args::{Cli, Command};
use build::{build, check, embed_bar, open, progress_on};
use print::{print_bench, print_eval, print_results, site_summary};

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("kb: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check { dir, json } => check(&dir, json),
        Command::Build {
            dir,
            out,
            site,
            site_options,
            json,
            meaning,
        } => build(
            &dir,
            &out,
            site.as_deref(),
            &site_options.into(),
            json,
            &meaning,
        ),
        Command::Site {
            dir,
            out,
            site_options,
        } => {
            let started = Instant::now();
            let corpus = Corpus::load(&dir)?;
            let report = kb::site::write(&corpus, &out, &site_options.into())?;
            say!("{}", site_summary(&out, &report, started));
            Ok(ExitCode::SUCCESS)
        }
        Command::Embed {
            texts,
            passage,
            model,
        } => {
            let encoder = encoder::Encoder::open_or_fetch(
                model.as_deref(),
                Path::new(encoder::fetch::DEFAULT_DIR),
            )?;
            let kind = if passage {
                encoder::Kind::Passage
            } else {
                encoder::Kind::Query
            };
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            for vector in encoder.embed(kind, &texts) {
                say!("{}", serde_json::to_string(&vector)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Search {
            query,
            index,
            guides,
            lang,
            area,
            limit,
            json,
        } => {
            let kb = open(index.as_deref(), guides.as_deref())?;
            let request = SearchRequest {
                query: &query,
                lang,
                area: area.as_deref(),
                limit,
                snippets: true,
                context: None,
                meaning: None,
            };
            let results = kb.search(&request)?;
            if json {
                say!("{}", serde_json::to_string_pretty(&results)?);
            } else {
                print_results(&results);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            guides,
            queries,
            k,
            repeat,
            tune,
            misses,
            json,
            meaning,
        } => {
            if queries.is_empty() {
                bail!("give at least one --queries FILE");
            }
            let mut tuning = Tuning::default();
            for assignment in &tune {
                tuning.set(assignment).map_err(anyhow::Error::msg)?;
            }
            let mut set = Vec::new();
            for path in &queries {
                set.extend(kb::eval::read_queries(path)?);
            }
            let encoder = meaning.encoder();
            let bar = embed_bar();
            let progress = progress_on(&bar);
            let embedder = encoder.as_ref().map(|encoder| kb::dense::Embedder {
                encoder,
                cache: Some(meaning.cache(&guides)),
                seed: None,
                progress: &progress,
            });
            let kb = KnowledgeBase::from_guides_with(&guides, embedder.as_ref())
                .with_context(|| format!("indexing {}", guides.display()))?;
            bar.finish_and_clear();
            let report = kb::eval::evaluate(&kb, &set, k, repeat, &tuning, encoder.as_ref())?;
            if json {
                say!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_eval(&report, misses);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Analyze { text } => {
            use kb::analysis::Analyzer;
            say!("text:   {}", Analyzer::Text.terms(&text).join(" "));
            say!("bigram: {}", Analyzer::Bigram.terms(&text).join(" "));
            Ok(ExitCode::SUCCESS)
        }
        Command::Intents {
            file,
            cases,
            split,
            misses,
            sweep,
            guides,
            meaning,
        } => intents::run(&intents::Run {
            file: &file,
            cases: &cases,
            split: split.as_deref(),
            misses,
            sweep,
            guides: &guides,
            meaning: &meaning,
        }),
        Command::Lexicon { guides } => {
            let corpus = kb::Corpus::load(&guides)?;
            let started = std::time::Instant::now();
            let lexicon = kb::lexicon::Lexicon::mine(&corpus);
            let elapsed = started.elapsed();
            for (korean, english, strength) in lexicon.entries() {
                say!("{korean}\t{english}\t{strength:.2}");
            }
            eprintln!("{} words paired in {elapsed:.2?}", lexicon.len());
            for word in ["마크다운", "frontmatter", "테일윈드", "컴포넌트"] {
                eprintln!("loans of {word}: {:?}", lexicon.loans(word));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            guides,
            queries,
            scale,
            runs,
            json,
        } => {
            let options = kb::bench::Options {
                guides,
                queries,
                scale,
                runs,
                query_passes: 20,
                opens: 20,
            };
            let report = kb::bench::run(&options, &|line| eprintln!("{line}"))?;
            if json {
                say!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_bench(&report);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
