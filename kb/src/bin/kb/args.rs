//! The command line: every command and its flags (clap).

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use kb::Lang;

/// Where Baton keeps its guides and its built index, relative to the repository root.
pub const DEFAULT_GUIDES: &str = "kb/guides";
pub const DEFAULT_INDEX: &str = "data/kb-index";

#[derive(Parser)]
#[command(
    name = "kb",
    version,
    about = "Baton's knowledge base: check, build, search and measure Markdown guides"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
pub struct MeaningArgs {
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
    pub fn encoder(&self) -> Option<encoder::Encoder> {
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

    pub fn cache(&self, guides: &Path) -> PathBuf {
        self.embed_cache
            .clone()
            .unwrap_or_else(|| kb::dense::default_cache(guides))
    }
}

/// How the help center is rendered (`kb site`, `kb build --site`).
#[derive(clap::Args, Debug, Clone)]
pub struct SiteArgs {
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
