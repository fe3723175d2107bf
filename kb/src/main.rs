//! `kb`: check, build, search, evaluate and benchmark a knowledge base from the shell.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use kb::{Corpus, KnowledgeBase, Lang, SearchRequest, Severity, Tuning};

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

/// Where Baton keeps its guides and its built index, relative to the repository root.
const DEFAULT_GUIDES: &str = "kb/guides";
const DEFAULT_INDEX: &str = "data/kb-index";

#[derive(Parser)]
#[command(
    name = "kb",
    version,
    about = "Baton's knowledge base: check, build, search and measure Markdown guides"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a guide set; prints `path:line: message` per problem, exits 1 on errors.
    Check {
        /// The guide directory.
        #[arg(default_value = DEFAULT_GUIDES)]
        dir: PathBuf,
        /// Print problems as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Compile a guide set into an index directory.
    Build {
        /// The guide directory.
        #[arg(default_value = DEFAULT_GUIDES)]
        dir: PathBuf,
        /// Where to write the index (replaced atomically).
        #[arg(long, default_value = DEFAULT_INDEX)]
        out: PathBuf,
        /// Also render the help center (the web root) into this directory.
        #[arg(long)]
        site: Option<PathBuf>,
        #[command(flatten)]
        site_options: SiteArgs,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        meaning: MeaningArgs,
    },
    /// Render the static help center: every guide as a page, home and topic pages, sitemap, and
    /// the web assets (widget, console), as one web root.
    Site {
        /// The guide directory.
        #[arg(default_value = DEFAULT_GUIDES)]
        dir: PathBuf,
        /// Where to write the web root (replaced once everything is written).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        site_options: SiteArgs,
    },
    /// Embed texts with the sentence model; prints one JSON array (384 numbers) per text.
    Embed {
        /// The texts.
        #[arg(required = true)]
        texts: Vec<String>,
        /// Embed them as passages (texts to be found) rather than queries.
        #[arg(long)]
        passage: bool,
        /// The model file; fetched into data/model on first use when not given.
        #[arg(long, env = "BATON_MODEL")]
        model: Option<PathBuf>,
    },
    /// Search an index (or a guide directory, indexed on the fly).
    Search {
        /// The query, any text.
        query: String,
        /// An index built by `kb build`.
        #[arg(long, conflicts_with = "guides")]
        index: Option<PathBuf>,
        /// A guide directory to index in a temporary directory first.
        #[arg(long)]
        guides: Option<PathBuf>,
        /// Only guides in this language (default: the query's).
        #[arg(long, value_parser = parse_lang)]
        lang: Option<Lang>,
        /// Only guides of this product area.
        #[arg(long)]
        area: Option<String>,
        /// Most guides shown.
        #[arg(long, default_value_t = 5)]
        limit: usize,
        /// Print results as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Retrieval metrics of a query set (recall@1/5, MRR@10, nDCG@10, latency).
    Eval {
        /// The guide directory (indexed in a temporary directory).
        #[arg(long, default_value = DEFAULT_GUIDES)]
        guides: PathBuf,
        /// JSONL queries: {"id","lang","q","relevant":[ids, best first]}.
        #[arg(long)]
        queries: Vec<PathBuf>,
        /// Cut-off for MRR and nDCG.
        #[arg(long, default_value_t = 10)]
        k: usize,
        /// Runs per query for latency.
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        /// Override a ranking weight, e.g. `--tune bigram=0.5` (see `Tuning`).
        #[arg(long)]
        tune: Vec<String>,
        /// List the queries whose best answer is not first.
        #[arg(long)]
        misses: bool,
        /// Print the full report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        meaning: MeaningArgs,
    },
    /// Show how text is analyzed: the terms the index stores for it (one field per line).
    Analyze {
        /// Any text.
        text: String,
    },
    /// Measure intent definitions on a table of labelled messages (`{"text", "lang", "intent",
    /// "split"}` lines; intent `none` for near-misses).
    Intents {
        /// The definitions.
        #[arg(long, default_value = "kb/intents.toml")]
        file: PathBuf,
        /// The labelled messages.
        #[arg(long)]
        cases: PathBuf,
        /// Only this split (`dev`, `test`).
        #[arg(long)]
        split: Option<String>,
        /// Print every message read wrong.
        #[arg(long)]
        misses: bool,
        /// Try thresholds and margins of the meaning rule and print how each reads the cases
        /// (examples that are themselves cases are left out of their own reading).
        #[arg(long)]
        sweep: bool,
        /// The guides a message is compared with by meaning (a message nearer to a guide than to
        /// an example is a question, not an intent).
        #[arg(long, default_value = DEFAULT_GUIDES)]
        guides: PathBuf,
        #[command(flatten)]
        meaning: MeaningArgs,
    },
    /// Print the Korean ↔ English pairs mined from a guide set's translated pages.
    Lexicon {
        /// The guide set.
        #[arg(default_value = DEFAULT_GUIDES)]
        guides: PathBuf,
    },
    /// Benchmark build throughput, query latency and open + first query.
    Bench {
        /// The guide set to measure.
        #[arg(long, default_value = DEFAULT_GUIDES)]
        guides: PathBuf,
        /// Queries (JSONL); guide titles when absent.
        #[arg(long)]
        queries: Option<PathBuf>,
        /// Synthetic set size as a multiple of the guide set (0 skips it).
        #[arg(long, default_value_t = 10)]
        scale: usize,
        /// Builds per set; the median is reported.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn parse_lang(code: &str) -> Result<Lang, String> {
    Lang::parse(code).ok_or_else(|| format!("unknown language \"{code}\" (expected ko or en)"))
}

/// The sentence model, for the commands that embed.
#[derive(clap::Args)]
struct MeaningArgs {
    /// The model file; fetched into data/model on first use when not given.
    #[arg(long, env = "BATON_MODEL")]
    model: Option<PathBuf>,
    /// Words only: no sentence model, no section vectors.
    #[arg(long)]
    words_only: bool,
    /// Where embedded sections are kept between builds (default: `embeddings.cache` in the guide
    /// directory when it is under this one, which Baton's own guides commit; else under
    /// data/embed-cache/).
    #[arg(long)]
    embed_cache: Option<PathBuf>,
}

impl MeaningArgs {
    /// The model, or `None` (said once on stderr) when it is off or cannot be had.
    fn encoder(&self) -> Option<encoder::Encoder> {
        if self.words_only {
            return None;
        }
        let opened = encoder::Encoder::open_or_fetch(
            self.model.as_deref(),
            Path::new(encoder::fetch::DEFAULT_DIR),
        );
        match opened {
            Ok(encoder) => Some(encoder),
            Err(error) => {
                eprintln!("kb: {error}; going on with words only");
                None
            }
        }
    }

    fn cache(&self, guides: &Path) -> PathBuf {
        self.embed_cache
            .clone()
            .unwrap_or_else(|| kb::dense::default_cache(guides))
    }
}

/// The worst row's rate, the mean row's, and the near-misses left alone, of a reading.
fn summary(report: &kb::intents::Report) -> (f32, f32, f32) {
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

/// Shows how far embedding has got, on a terminal.
fn embed_bar() -> ProgressBar {
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
fn progress_on(bar: &ProgressBar) -> impl Fn(usize, usize) + Sync + '_ {
    |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }
}

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
        } => {
            let intents = kb::intents::Intents::load(&file)?;
            let cases = kb::intents::cases(&cases, split.as_deref())?;
            let encoder = meaning.encoder();
            let (intents, meanings) = match &encoder {
                Some(encoder) => {
                    let embedder = kb::dense::Embedder {
                        encoder,
                        cache: Some(meaning.cache(&guides)),
                        seed: None,
                        progress: &|_, _| {},
                    };
                    let kb = KnowledgeBase::from_guides_with(&guides, Some(&embedder))?;
                    let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
                    let meanings: Vec<kb::intents::Meaning> = kb::dense::queries(encoder, &texts)
                        .into_iter()
                        .map(|v| kb.meaning_of(v))
                        .collect();
                    (intents.embedded_by(encoder), Some(meanings))
                }
                None => (intents, None),
            };
            if sweep && let Some(meanings) = &meanings {
                // The patterns were written from the dev split: meaning alone is what a fit on it
                // can trust; both are printed.
                say!("                  meaning alone              words and meaning");
                say!("threshold margin  worst  mean  near-misses   worst  mean  near-misses");
                let alone = intents.clone().without_words();
                for threshold in [0.80, 0.84, 0.86, 0.88, 0.90, 0.92] {
                    for margin in [0.0, 0.01, 0.02, 0.03, 0.04, 0.05] {
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
            if misses {
                for miss in &report.misses {
                    say!("{miss}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
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

fn open(index: Option<&Path>, guides: Option<&Path>) -> anyhow::Result<KnowledgeBase> {
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

fn check(dir: &Path, json: bool) -> anyhow::Result<ExitCode> {
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

/// How the help center is rendered (`kb site`, `kb build --site`).
#[derive(clap::Args, Debug, Clone)]
struct SiteArgs {
    /// A theme folder (theme.toml, templates/) over the default theme.
    #[arg(long)]
    theme: Option<PathBuf>,
    /// The published URL (canonical links, sitemap), over the theme's.
    #[arg(long)]
    url: Option<String>,
}

impl From<SiteArgs> for kb::site::Options {
    fn from(args: SiteArgs) -> Self {
        kb::site::Options {
            theme: args.theme,
            url: args.url,
        }
    }
}

fn site_summary(out: &Path, report: &kb::site::Report, started: Instant) -> String {
    format!(
        "rendered {}: {} pages, {} files, {:.1} MB in {:.2} s",
        out.display(),
        report.pages,
        report.files,
        report.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    )
}

fn build(
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

fn print_results(results: &kb::SearchResults) {
    let (bold, plain) = if std::io::stdout().is_terminal() {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    for notice in &results.notices {
        say!("note: {notice}");
    }
    if results.hits.is_empty() {
        say!("no guides match \"{}\" ({})", results.query, results.lang);
        return;
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        say!(
            "{}. {}  [{}]  score {:.2}",
            rank + 1,
            hit.guide.title,
            hit.guide.id,
            hit.score
        );
        for section in &hit.sections {
            let anchor = if section.anchor.is_empty() {
                String::new()
            } else {
                format!(" #{}", section.anchor)
            };
            let heading = if section.heading.is_empty() {
                "(introduction)"
            } else {
                &section.heading
            };
            say!("   § {heading}{anchor}");
            if let Some(snippet) = &section.snippet {
                say!("     {}", snippet.marked(bold, plain));
            }
        }
    }
}

fn print_eval(report: &kb::eval::Report, misses: bool) {
    say!(
        "{:<8} {:>7} {:>6} {:>6} {:>7} {:>8} {:>8} {:>8}",
        "lang",
        "queries",
        "R@1",
        "R@5",
        "MRR@10",
        "nDCG@10",
        "p50 µs",
        "p99 µs"
    );
    let row = |name: &str, s: &kb::eval::Summary| {
        say!(
            "{name:<8} {:>7} {:>6.3} {:>6.3} {:>7.3} {:>8.3} {:>8} {:>8}",
            s.queries,
            s.mean.recall_1,
            s.mean.recall_5,
            s.mean.mrr,
            s.mean.ndcg,
            s.p50_us,
            s.p99_us
        );
    };
    for (lang, summary) in &report.languages {
        row(lang.code(), summary);
    }
    row("all", &report.overall);
    if misses {
        say!("");
        for q in report
            .queries
            .iter()
            .filter(|q| q.ranking.first() != q.relevant.first())
        {
            let rank = q
                .ranking
                .iter()
                .position(|id| Some(id) == q.relevant.first())
                .map_or("-".to_string(), |r| (r + 1).to_string());
            say!(
                "{} rank {rank:>2}  {}  want {}  got {}",
                q.id,
                q.q,
                q.relevant[0],
                q.ranking.first().map_or("nothing", String::as_str)
            );
        }
    }
}

fn print_bench(report: &kb::bench::Report) {
    for b in &report.builds {
        say!(
            "build {:<14} {:>6} guides {:>7.1} MB  median {:>8.1} ms  {:>8.0} guides/s  {:>6.2} MB/s  index {:.1} MB",
            b.set,
            b.guides,
            b.bytes as f64 / 1e6,
            b.median_ms,
            b.guides_per_s,
            b.mb_per_s,
            b.index_bytes as f64 / 1e6
        );
    }
    let l = &report.search;
    say!(
        "search (in process, with snippets)  {} queries  p50 {} µs  p99 {} µs",
        l.samples,
        l.p50_us,
        l.p99_us
    );
    let l = &report.ranking;
    say!(
        "ranking only (top 10 ids)           {} queries  p50 {} µs  p99 {} µs",
        l.samples,
        l.p50_us,
        l.p99_us
    );
    let l = &report.open_and_first_query;
    say!(
        "open index + first query            {} runs     p50 {} µs  p99 {} µs",
        l.samples,
        l.p50_us,
        l.p99_us
    );
    if let Some(kib) = report.peak_rss_kib {
        say!("peak RSS {:.1} MB", kib as f64 / 1024.0);
    }
}
