//! The command line: every command and flag, as clap reads them. What each does is in
//! `commands.rs` (and `serve.rs` for `baton serve`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use desk::config::{Config, Deployment};

use crate::quality;

#[derive(Parser)]
#[command(
    name = "baton",
    version,
    about = "Baton: a help desk with a support bot, run in one process"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the guides, the index and the database are (default: `BATON_GUIDES`, `BATON_INDEX`,
/// `BATON_DB`, see the README).
#[derive(clap::Args, Clone, Default)]
pub struct Paths {
    /// The guide directory (the index is rebuilt from it when missing or stale).
    #[arg(long)]
    pub guides: Option<PathBuf>,
    /// The index directory.
    #[arg(long)]
    pub index: Option<PathBuf>,
    /// The SQLite database file.
    #[arg(long)]
    pub db: Option<PathBuf>,
}

impl Paths {
    /// The environment's configuration with these flags over it.
    pub fn config(&self) -> anyhow::Result<Config> {
        let mut config = Config::from_env(Deployment::Local)?;
        if let Some(guides) = &self.guides {
            config.guides = guides.clone();
        }
        if let Some(index) = &self.index {
            config.index = index.clone();
        }
        if let Some(db) = &self.db {
            config.db = db.clone();
        }
        Ok(config)
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the help desk: search, conversations and the operator API on one address.
    Serve {
        #[command(flatten)]
        paths: Paths,
        /// Address to listen on (default `BATON_ADDR`, else 127.0.0.1:8080).
        #[arg(long)]
        addr: Option<SocketAddr>,
    },
    /// Take one mail from standard input, as an MTA's pipe transport hands it (`baton mail-in <
    /// message.eml`): exit 0 when stored, 65 when it can never be (the MTA bounces it), 75 when
    /// not now (the MTA keeps it and tries again).
    MailIn {
        /// The envelope's recipient (the MTA's `${recipient}`), which a BCC'd reply address is in.
        #[arg(long = "to")]
        recipients: Vec<String>,
        #[command(flatten)]
        paths: Paths,
    },
    /// Run one bot turn for a new conversation and show the decision.
    Ask {
        /// The customer's message.
        message: String,
        /// A guide directory to index on the fly (default: the built index, built if needed).
        #[arg(long, conflicts_with = "index")]
        guides: Option<PathBuf>,
        /// An index built by `kb build`.
        #[arg(long)]
        index: Option<PathBuf>,
        /// The conversation's language (default: detected from the message).
        #[arg(long)]
        lang: Option<String>,
        /// Print the full bot turn as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List open and claimed cases, urgent first, then oldest: every page, or `--limit` cases.
    Queue {
        /// Show at most this many cases, then the cursor of the rest.
        #[arg(long)]
        limit: Option<usize>,
        /// Start after this cursor (printed by an earlier `--limit` run).
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        paths: Paths,
    },
    /// Show a case with its transcript, bot attempts, notes and the customer's earlier cases.
    Case {
        /// Case id.
        id: String,
        #[command(flatten)]
        paths: Paths,
    },
    /// Claim a case.
    Claim {
        /// Case id.
        id: String,
        #[command(flatten)]
        who: Who,
    },
    /// Give a claimed case back to the queue.
    Release {
        /// Case id.
        id: String,
        #[command(flatten)]
        who: Who,
    },
    /// Reply to the customer (claims the case if it is open).
    Reply {
        /// Case id.
        id: String,
        /// The reply.
        text: String,
        #[command(flatten)]
        who: Who,
    },
    /// Add an internal note for the team.
    Note {
        /// Case id.
        id: String,
        /// The note.
        text: String,
        #[command(flatten)]
        who: Who,
    },
    /// The insights report: inquiries by category and area, the bot's ledger, searches that found
    /// nothing, times, urgent cases, satisfaction (default: the last week that ended, in
    /// `BATON_TIMEZONE`).
    Insights {
        /// An ISO week, `2026-W49`.
        #[arg(long, conflicts_with_all = ["from", "to"])]
        week: Option<String>,
        /// The first day, `2026-11-01` (with `--to`).
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// The last day, included.
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// `md`, `html`, `json` or `csv` (one row per conversation).
        #[arg(long, default_value = "md")]
        format: ReportFormat,
        /// Also write a stub guide per top group of unanswered questions under this guides
        /// directory (`kb/guides`), ready to answer and check with `kb check`.
        #[arg(long)]
        drafts: Option<PathBuf>,
        /// How many stubs `--drafts` writes.
        #[arg(long, default_value_t = 5)]
        draft_count: usize,
        /// Also post the summary to the alert webhook (`BATON_ALERT_WEBHOOK_URL`), for cron; sent
        /// even if it was sent before, and marked sent so `baton serve` does not repeat it.
        #[arg(long)]
        send: bool,
        /// The SQLite database file.
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// Measure the bot on labelled conversations: per-class rates and calibration.
    Eval {
        /// A labelled set, `name:guides:turns:split` (split `dev`, `test` or `all`); repeatable.
        #[arg(long = "set", required = true)]
        sets: Vec<quality::Set>,
        /// A confidence model to use instead of each set's own.
        #[arg(long)]
        model: Option<PathBuf>,
        /// Draw the sets' calibration curves into this SVG.
        #[arg(long)]
        plot: Option<PathBuf>,
        /// List every question turn the bot got wrong.
        #[arg(long)]
        misses: bool,
        /// Decide as before the calibrated model: answer at coverage 0.6, else hand off.
        #[arg(long)]
        baseline: bool,
        /// Answer at this probability (default: the bot's policy).
        #[arg(long)]
        answer_at: Option<f32>,
        /// Offer guides at this probability (default: the bot's policy).
        #[arg(long)]
        clarify_at: Option<f32>,
        #[command(flatten)]
        meaning: quality::MeaningArgs,
        /// Write every question turn (signals, label, decision) as JSON lines, one file per set,
        /// into this directory: what a refit is studied from.
        #[arg(long)]
        turns: Option<PathBuf>,
    },
    /// Fit the bot's confidence model on labelled conversations and write its parameter file.
    Calibrate {
        /// A labelled set, `name:guides:turns:split`; repeatable (fit on all of them).
        #[arg(long = "set", required = true)]
        sets: Vec<quality::Set>,
        /// Where to write the model (name it as `confidence` in kb.toml).
        #[arg(long, default_value = "kb/confidence.json")]
        out: PathBuf,
        #[command(flatten)]
        meaning: quality::MeaningArgs,
    },
    /// Measure bot-turn and hand-off latencies in process.
    Bench {
        /// Query files (`*.jsonl`) to run through the bot.
        #[arg(long, default_value = "kb/eval")]
        queries: PathBuf,
        /// Hand-offs to time per store.
        #[arg(long, default_value_t = 300)]
        handoffs: usize,
        #[command(flatten)]
        paths: Paths,
    },
    /// Time the weekly report over a synthetic year of a busy team's events (SQLite; with
    /// `--features dynamo` and DynamoDB Local, also the read units of one weekly report).
    BenchInsights {
        /// Days of events.
        #[arg(long, default_value_t = 365)]
        days: u64,
        /// Conversations a day (about 20 events each).
        #[arg(long, default_value_t = 500)]
        per_day: u64,
        /// With `--features dynamo`: write every day a weekly report reads to DynamoDB Local and
        /// time the report there (minutes of writes).
        #[arg(long)]
        dynamo_full: bool,
        #[command(flatten)]
        paths: Paths,
    },
    /// Resolve a case.
    Resolve {
        /// Case id.
        id: String,
        /// What was done.
        #[arg(long, default_value = "")]
        note: String,
        /// how_to, bug_error, billing_payment, account_access or feature_request.
        #[arg(long)]
        category: Option<String>,
        /// What would prevent the next one: a guide to write or a product fix.
        #[arg(long)]
        follow_up: Option<String>,
        #[command(flatten)]
        who: Who,
    },
}

/// The operator and the paths, for queue commands.
#[derive(clap::Args, Clone)]
pub struct Who {
    /// Your name as the team sees it (default `BATON_OPERATOR`, else `$USER`).
    #[arg(long = "as")]
    pub operator: Option<String>,
    #[command(flatten)]
    pub paths: Paths,
}

impl Who {
    pub fn name(&self) -> String {
        self.operator
            .clone()
            .or_else(|| std::env::var(desk::config::OPERATOR).ok())
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "operator".into())
    }
}

/// The forms `baton insights` writes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReportFormat {
    /// Markdown.
    Md,
    /// The documented JSON (`docs/insights.md`).
    Json,
    /// One row per conversation.
    Csv,
    /// A page with charts.
    Html,
}
