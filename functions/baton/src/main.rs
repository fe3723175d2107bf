//! `baton`: the whole help desk in one process on SQLite (`baton serve`), one bot turn from the
//! shell (`baton ask`), and the operator's queue commands for working without the web. Every
//! setting comes from `desk::config` (the environment), and a flag given here wins over it.

mod bench;
mod bench_insights;
mod quality;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use desk::Desk;
use desk::config::{Config, Deployment};
use desk::model::Category;
use desk::store::sqlite::{Options, SqliteStore};
use kb::{Corpus, KnowledgeBase, Lang, Manifest};

#[derive(Parser)]
#[command(
    name = "baton",
    version,
    about = "Baton: a help desk with a support bot, run in one process"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the guides, the index and the database are (default: `BATON_GUIDES`, `BATON_INDEX`,
/// `BATON_DB`, see the README).
#[derive(clap::Args, Clone, Default)]
struct Paths {
    /// The guide directory (the index is rebuilt from it when missing or stale).
    #[arg(long)]
    guides: Option<PathBuf>,
    /// The index directory.
    #[arg(long)]
    index: Option<PathBuf>,
    /// The SQLite database file.
    #[arg(long)]
    db: Option<PathBuf>,
}

impl Paths {
    /// The environment's configuration with these flags over it.
    fn config(&self) -> anyhow::Result<Config> {
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
enum Command {
    /// Run the help desk: search, conversations and the operator API on one address.
    Serve {
        #[command(flatten)]
        paths: Paths,
        /// Address to listen on (default `BATON_ADDR`, else 127.0.0.1:8080).
        #[arg(long)]
        addr: Option<SocketAddr>,
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
    },
    /// Fit the bot's confidence model on labelled conversations and write its parameter file.
    Calibrate {
        /// A labelled set, `name:guides:turns:split`; repeatable (fit on all of them).
        #[arg(long = "set", required = true)]
        sets: Vec<quality::Set>,
        /// Where to write the model (name it as `confidence` in kb.toml).
        #[arg(long, default_value = "kb/confidence.json")]
        out: PathBuf,
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
struct Who {
    /// Your name as the team sees it (default `BATON_OPERATOR`, else `$USER`).
    #[arg(long = "as")]
    operator: Option<String>,
    #[command(flatten)]
    paths: Paths,
}

impl Who {
    fn name(&self) -> String {
        self.operator
            .clone()
            .or_else(|| std::env::var(desk::config::OPERATOR).ok())
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "operator".into())
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("baton: {error:#}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { paths, addr } => {
            let mut config = paths.config()?;
            if let Some(addr) = addr {
                config.addr = addr;
            }
            serve(config).await
        }
        Command::Ask {
            message,
            guides,
            index,
            lang,
            json,
        } => ask(&message, guides, index, lang.as_deref(), json),
        Command::Insights {
            week,
            from,
            to,
            format,
            drafts,
            draft_count,
            send,
            db,
        } => {
            insights(
                week,
                from.zip(to),
                format,
                drafts.map(|d| (d, draft_count)),
                send,
                db,
            )
            .await
        }
        Command::Queue {
            limit,
            cursor,
            paths,
        } => queue(&open_desk(&paths.config()?)?, limit, cursor).await,
        Command::Case { id, paths } => {
            let view = open_desk(&paths.config()?)?.case(&id).await?;
            println!("{}", serde_json::to_string_pretty(&view)?);
            Ok(())
        }
        Command::Claim { id, who } => print_case(
            open_desk(&who.paths.config()?)?
                .claim(&id, &who.name())
                .await?,
        ),
        Command::Release { id, who } => print_case(
            open_desk(&who.paths.config()?)?
                .release(&id, &who.name())
                .await?,
        ),
        Command::Reply { id, text, who } => {
            let message = open_desk(&who.paths.config()?)?
                .reply(&id, &who.name(), &text, None)
                .await?;
            println!("replied in {} as {}", message.conversation_id, who.name());
            Ok(())
        }
        Command::Note { id, text, who } => {
            open_desk(&who.paths.config()?)?
                .note(&id, &who.name(), &text)
                .await?;
            println!("noted on {id}");
            Ok(())
        }
        Command::Eval {
            sets,
            model,
            plot,
            misses,
            baseline,
            answer_at,
            clarify_at,
        } => {
            let default = desk::bot::Policy::default();
            let policy = desk::bot::Policy {
                answer_at: answer_at.unwrap_or(default.answer_at),
                clarify_at: clarify_at.unwrap_or(default.clarify_at),
                ..default
            };
            quality::eval(
                &sets,
                model.as_deref(),
                plot.as_deref(),
                misses,
                baseline,
                &policy,
            )
        }
        Command::Calibrate { sets, out } => quality::calibrate(&sets, &out),
        Command::Bench {
            queries,
            handoffs,
            paths,
        } => {
            bench::run(
                Arc::new(knowledge_base(&paths.config()?)?),
                &queries,
                handoffs,
            )
            .await
        }
        Command::BenchInsights {
            days,
            per_day,
            dynamo_full,
            paths,
        } => {
            bench_insights::run(
                Arc::new(knowledge_base(&paths.config()?)?),
                days,
                per_day,
                dynamo_full,
            )
            .await
        }
        Command::Resolve {
            id,
            note,
            category,
            follow_up,
            who,
        } => {
            let category = category
                .map(|c| c.replace('-', "_").parse::<Category>())
                .transpose()
                .map_err(anyhow::Error::msg)?;
            print_case(
                open_desk(&who.paths.config()?)?
                    .resolve(&id, &who.name(), &note, category, follow_up.as_deref())
                    .await?,
            )
        }
    }
}

/// Prints the queue a page at a time: every page, or the first `limit` cases and the cursor of
/// the rest.
async fn queue(desk: &Desk, limit: Option<usize>, cursor: Option<String>) -> anyhow::Result<()> {
    let mut cursor = cursor;
    let mut shown = 0;
    loop {
        let want = limit.map_or(desk::desk::MAX_QUEUE_PAGE, |l| {
            (l - shown).min(desk::desk::MAX_QUEUE_PAGE)
        });
        if want == 0 {
            break;
        }
        let page = desk.queue(want, cursor.as_deref()).await?;
        for case in &page.cases {
            let holder = case
                .assignee
                .as_deref()
                .map_or("-".to_string(), |a| format!("@{a}"));
            let who = if case.customer.verified {
                "verified"
            } else {
                "unverified"
            };
            println!(
                "{:<7} {:<34} {:<8} {:<16} {:<10} {:<10} {:<12} {}",
                case.priority,
                case.id,
                case.status,
                case.category,
                case.area.as_deref().unwrap_or("-"),
                who,
                holder,
                case.summary.chars().take(60).collect::<String>()
            );
        }
        shown += page.cases.len();
        match page.next {
            Some(next) if limit.is_some_and(|l| shown >= l) => {
                println!("… more: baton queue --cursor '{next}'");
                break;
            }
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    if shown == 0 {
        println!("the queue is empty");
    }
    Ok(())
}

fn print_case(case: desk::model::Case) -> anyhow::Result<()> {
    let holder = case.assignee.as_deref().unwrap_or("nobody");
    println!("{}: {}, held by {holder}", case.id, case.status);
    Ok(())
}

/// Opens the index, building it first when it is missing or older than the guides.
fn knowledge_base(config: &Config) -> anyhow::Result<KnowledgeBase> {
    knowledge_base_of(&guides(config)?, config)
}

/// The configured guide set, read.
fn guides(config: &Config) -> anyhow::Result<Corpus> {
    Corpus::load(&config.guides)
        .with_context(|| format!("reading guides in {}", config.guides.display()))
}

/// The index of `corpus` at the configured place, rebuilt first when it is missing or stale.
fn knowledge_base_of(corpus: &Corpus, config: &Config) -> anyhow::Result<KnowledgeBase> {
    if Manifest::is_stale(&config.index, corpus) {
        eprintln!(
            "building the index of {} into {} …",
            config.guides.display(),
            config.index.display()
        );
        let report = kb::build(corpus, &config.index, &|_| {})?;
        eprintln!(
            "built {} guides, {} sections",
            report.manifest.guides, report.manifest.sections
        );
    }
    Ok(KnowledgeBase::open(&config.index)?)
}

/// Renders the help center (with the widget and console) into the web root `baton serve`
/// serves, from the same guides as the index; the URL is where this server answers unless
/// `BATON_SITE_URL` says where it is published.
fn render_site(
    corpus: &Corpus,
    config: &Config,
    local: std::net::SocketAddr,
) -> anyhow::Result<kb::site::Report> {
    let options = kb::site::Options {
        theme: config.theme.clone(),
        url: Some(
            config
                .site_url
                .clone()
                .unwrap_or_else(|| format!("http://{local}")),
        ),
    };
    kb::site::write(corpus, &config.site, &options)
        .with_context(|| format!("rendering the help center into {}", config.site.display()))
}

fn sqlite_store(config: &Config) -> anyhow::Result<SqliteStore> {
    SqliteStore::open_with(
        &config.db,
        Options {
            max_mb: config.db_max_mb,
            ..Options::default()
        },
    )
    .with_context(|| format!("opening {}", config.db.display()))
}

/// The forms `baton insights` writes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    /// Markdown.
    Md,
    /// The documented JSON (`docs/insights.md`).
    Json,
    /// One row per conversation.
    Csv,
    /// A page with charts.
    Html,
}

async fn insights(
    week: Option<String>,
    days: Option<(String, String)>,
    format: ReportFormat,
    drafts: Option<(PathBuf, usize)>,
    send: bool,
    db: Option<PathBuf>,
) -> anyhow::Result<()> {
    use desk::insights::{self, Period};
    let mut config = Config::from_env(Deployment::Local)?;
    if let Some(db) = db {
        config.db = db;
    }
    let now = desk::model::now();
    let period = match (week, days) {
        (Some(week), _) => Period::week(&week, config.timezone)?,
        (None, Some((from, to))) => Period::days(&from, &to, config.timezone)?,
        (None, None) => Period::last_week(now, config.timezone),
    };
    let store = sqlite_store(&config)?;
    let options = insights::Options {
        hours: config.hours.clone(),
        now,
        kb: Some(Arc::new(knowledge_base(&config)?)),
    };
    let report = insights::report(&store, &period, &options).await?;
    match format {
        ReportFormat::Md => print!("{}", insights::markdown::render(&report)),
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ReportFormat::Html => print!("{}", insights::html::render(&report)),
        ReportFormat::Csv => print!("{}", insights::csv::render(&report)?),
    }
    if let Some((dir, count)) = drafts {
        write_drafts(&report, &dir, count)?;
    }
    if send {
        let webhook = config.webhook();
        if !webhook.is_configured() {
            anyhow::bail!("--send needs {}", desk::config::ALERT_WEBHOOK_URL);
        }
        insights::deliver::deliver(&store, &webhook, &report, true)
            .await
            .context("sending the summary")?;
        eprintln!("summary of {} sent", report.period.label);
    }
    Ok(())
}

/// `--drafts`: stubs under the guides directory `dir`, never over an existing file.
fn write_drafts(report: &desk::insights::Report, dir: &Path, count: usize) -> anyhow::Result<()> {
    use desk::insights::drafts;
    let set = kb::guide::Config::load(dir)?;
    let taken: Vec<String> = Corpus::load(dir)
        .map(|c| c.guides.into_iter().map(|g| g.id).collect())
        .unwrap_or_default();
    let today = desk::insights::period::timestamp(report.generated_at, report.period.offset);
    let stubs = drafts::drafts(
        &report.guides_to_write,
        &drafts::Set {
            areas: &set.areas,
            categories: &set.categories,
            taken: &taken,
            today: &today[..10],
            period: &report.period.label,
        },
        count,
    );
    for stub in stubs {
        let path = dir.join(&stub.path);
        if path.exists() {
            eprintln!("kept {} (exists)", path.display());
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, stub.text).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// `baton serve`'s retention: events older than `days` are deleted at start and daily after.
fn forget_old_events(store: Arc<SqliteStore>, days: u32) {
    tokio::spawn(async move {
        let mut daily = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
        loop {
            daily.tick().await;
            let before = desk::model::now() - i64::from(days) * desk::insights::DAY;
            match store.forget_events(before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(events = n, days, "old events deleted"),
                Err(error) => tracing::warn!(%error, "old events not deleted"),
            }
        }
    });
}

/// `baton serve`'s scheduler: every minute, reminders of unclaimed urgent cases and, on Monday
/// morning, the last week's summary (`Desk::tick`); only with a webhook to send them to.
fn schedule(desk: Desk, config: &Config) {
    let webhook = config.webhook();
    let schedule = config.schedule();
    if !webhook.is_configured() {
        return;
    }
    tokio::spawn(async move {
        let mut minutely = tokio::time::interval(std::time::Duration::from_secs(60));
        minutely.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            minutely.tick().await;
            desk.tick(&webhook, schedule, desk::model::now()).await;
        }
    });
}

fn open_desk(config: &Config) -> anyhow::Result<Desk> {
    let kb = knowledge_base(config)?;
    let identity = desk::identity::Verifier::from_config(config)?;
    Ok(Desk::new(Arc::new(kb), Arc::new(sqlite_store(config)?)).with_identity(identity))
}

/// The desk `baton serve` runs and what it printed about itself: the same for the end-to-end
/// tests' `spawn_app`.
async fn serve(mut config: Config) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let generated = if config.operator_tokens.is_empty() {
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random: {e}"))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        config.operator_tokens.push(desk::config::OperatorToken {
            name: "operator".into(),
            token: token.clone(),
        });
        Some(token)
    } else {
        None
    };
    config.require_operators()?;
    // Read once: the index and the help center are built from the same guides.
    let corpus = guides(&config)?;
    let kb = Arc::new(knowledge_base_of(&corpus, &config)?);
    let store = Arc::new(sqlite_store(&config)?);
    forget_old_events(Arc::clone(&store), config.event_days);
    let state = desk::http::state(&config, kb, store)?;
    schedule(state.desk.clone(), &config);
    let alerting = config.alert_webhook_url.is_some();
    let identity = !config.identity_secrets.is_empty() || config.identity_es256_key.is_some();
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("listening on {}", config.addr))?;
    let local = listener.local_addr()?;
    let site = render_site(&corpus, &config, local)?;
    println!("Baton is running at http://{local}");
    println!(
        "  help center:   http://{local}/   ({} pages in {})",
        site.pages,
        config.site.display()
    );
    println!("  console:       http://{local}/console/");
    println!(
        "  search:        curl 'http://{local}/api/search?q=%EB%B9%84%EB%B0%80%EB%B2%88%ED%98%B8'"
    );
    println!("  conversation:  curl -X POST http://{local}/api/conversations");
    println!(
        "  queue:         curl -H 'Authorization: Bearer <token>' http://{local}/api/operator/queue"
    );
    match generated {
        Some(token) => println!(
            "  operator token (this run): {token}   (set {}=name:token,… to keep your own)",
            desk::config::OPERATOR_TOKENS
        ),
        None => println!("  operator tokens: from {}", desk::config::OPERATOR_TOKENS),
    }
    if alerting {
        println!(
            "  alerts: each urgent case is posted to {}{}{}",
            desk::config::ALERT_WEBHOOK_URL,
            config.urgent_remind.map_or(String::new(), |d| format!(
                ", again after {} min while nobody claims it",
                d.as_secs() / 60
            )),
            config.weekly_report_hour.map_or(String::new(), |h| format!(
                "; the week's summary every Monday at {h:02}:00"
            ))
        );
    } else {
        println!(
            "  alerts: off (set {} to a chat webhook to alert the team)",
            desk::config::ALERT_WEBHOOK_URL
        );
    }
    if !identity {
        println!(
            "  customers: all unverified (set {} to verify the ones your site signs)",
            desk::config::IDENTITY_SECRETS
        );
    }
    println!(
        "  data: {} and {}",
        config.db.display(),
        config.index.display()
    );
    desk::http::serve::serve(
        listener,
        desk::http::app_with_pages(state, config.site.clone(), config.widget_sites.clone()),
        desk::http::serve::ServeOptions::from_config(&config),
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
    )
    .await?;
    Ok(())
}

fn ask(
    message: &str,
    guides: Option<PathBuf>,
    index: Option<PathBuf>,
    lang: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let kb = match (guides, index) {
        (Some(guides), _) => KnowledgeBase::from_guides(&guides)?,
        (None, Some(index)) => KnowledgeBase::open(&index)?,
        (None, None) => knowledge_base(&Paths::default().config()?)?,
    };
    let lang = match lang {
        Some(code) => Lang::parse(code).with_context(|| format!("unknown language \"{code}\""))?,
        None => Lang::detect(message),
    };
    let masked = desk::pii::mask(message, desk::pii::Options::default());
    let reply = desk::bot::respond(&kb, &desk::bot::Policy::default(), &masked, lang, &[])?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "text": reply.text, "links": reply.links, "quick_replies": reply.quick_replies, "turn": reply.turn })
            )?
        );
        return Ok(());
    }
    let t = &reply.turn;
    let reasons: Vec<String> = t.reasons.iter().map(ToString::to_string).collect();
    println!("decision:   {}", t.decision);
    println!("confidence: {:.2}", t.confidence);
    println!("reasons:    {}", reasons.join(", "));
    println!("priority:   {}", t.priority);
    println!(
        "category:   {}   area: {}",
        t.category,
        t.area.as_deref().unwrap_or("-")
    );
    println!(
        "cited:      {}",
        if t.cited.is_empty() {
            "-".to_string()
        } else {
            t.cited.join(", ")
        }
    );
    for hit in &t.hits {
        println!(
            "  {:>6.2}  coverage {:.2}  {}",
            hit.score, hit.coverage, hit.guide
        );
    }
    println!("\n{}", reply.text);
    if !reply.quick_replies.is_empty() {
        println!("[{}]", reply.quick_replies.join("] ["));
    }
    Ok(())
}
