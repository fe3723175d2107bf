//! `baton`: the whole help desk in one process on SQLite (`baton serve`), one bot turn from the
//! shell (`baton ask`), and the operator's queue commands for working without the web.

mod bench;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use desk::Desk;
use desk::http::{AppState, OperatorAuth};
use desk::model::Category;
use desk::store::sqlite::SqliteStore;
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

/// Where the guides, the index and the database are.
#[derive(clap::Args, Clone)]
struct Paths {
    /// The guide directory (the index is rebuilt from it when missing or stale).
    #[arg(long, default_value = "kb/guides", env = "BATON_GUIDES")]
    guides: PathBuf,
    /// The index directory.
    #[arg(long, default_value = "data/kb-index", env = "BATON_INDEX")]
    index: PathBuf,
    /// The SQLite database file.
    #[arg(long, default_value = "data/baton.db", env = "BATON_DB")]
    db: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Run the help desk: search, conversations and the operator API on one address.
    Serve {
        #[command(flatten)]
        paths: Paths,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "BATON_ADDR")]
        addr: SocketAddr,
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
    /// List open and claimed cases, urgent first, then oldest.
    Queue {
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
    /// Your name as the team sees it.
    #[arg(long = "as", env = "BATON_OPERATOR")]
    operator: Option<String>,
    #[command(flatten)]
    paths: Paths,
}

impl Who {
    fn name(&self) -> String {
        self.operator
            .clone()
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
        Command::Serve { paths, addr } => serve(&paths, addr).await,
        Command::Ask {
            message,
            guides,
            index,
            lang,
            json,
        } => ask(&message, guides, index, lang.as_deref(), json),
        Command::Queue { paths } => {
            let desk = open_desk(&paths)?;
            let cases = desk.queue(200).await?;
            if cases.is_empty() {
                println!("the queue is empty");
            }
            for case in cases {
                let holder = case
                    .assignee
                    .as_deref()
                    .map_or("-".to_string(), |a| format!("@{a}"));
                println!(
                    "{:<7} {:<34} {:<8} {:<16} {:<10} {:<12} {}",
                    code(&case.priority),
                    case.id,
                    code(&case.status),
                    code(&case.category),
                    case.area.as_deref().unwrap_or("-"),
                    holder,
                    case.summary.chars().take(60).collect::<String>()
                );
            }
            Ok(())
        }
        Command::Case { id, paths } => {
            let view = open_desk(&paths)?.case(&id).await?;
            println!("{}", serde_json::to_string_pretty(&view)?);
            Ok(())
        }
        Command::Claim { id, who } => {
            print_case(open_desk(&who.paths)?.claim(&id, &who.name()).await?)
        }
        Command::Release { id, who } => {
            print_case(open_desk(&who.paths)?.release(&id, &who.name()).await?)
        }
        Command::Reply { id, text, who } => {
            let message = open_desk(&who.paths)?
                .reply(&id, &who.name(), &text)
                .await?;
            println!("replied in {} as {}", message.conversation_id, who.name());
            Ok(())
        }
        Command::Note { id, text, who } => {
            open_desk(&who.paths)?.note(&id, &who.name(), &text).await?;
            println!("noted on {id}");
            Ok(())
        }
        Command::Bench {
            queries,
            handoffs,
            paths,
        } => bench::run(Arc::new(knowledge_base(&paths)?), &queries, handoffs).await,
        Command::Resolve {
            id,
            note,
            category,
            follow_up,
            who,
        } => {
            let category = category.map(|c| parse_category(&c)).transpose()?;
            print_case(
                open_desk(&who.paths)?
                    .resolve(&id, &who.name(), &note, category, follow_up.as_deref())
                    .await?,
            )
        }
    }
}

/// The wire name of an enum value (`billing_payment`), as the API and reports spell it.
fn code(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn print_case(case: desk::model::Case) -> anyhow::Result<()> {
    let holder = case.assignee.as_deref().unwrap_or("nobody");
    println!("{}: {}, held by {holder}", case.id, code(&case.status));
    Ok(())
}

fn parse_category(text: &str) -> anyhow::Result<Category> {
    serde_json::from_value(serde_json::Value::String(text.replace('-', "_")))
        .with_context(|| format!("unknown category \"{text}\" (how_to, bug_error, billing_payment, account_access, feature_request)"))
}

/// Opens the index, building it first when it is missing or older than the guides.
fn knowledge_base(paths: &Paths) -> anyhow::Result<KnowledgeBase> {
    let corpus = Corpus::load(&paths.guides)
        .with_context(|| format!("reading guides in {}", paths.guides.display()))?;
    if Manifest::is_stale(&paths.index, &corpus) {
        eprintln!(
            "building the index of {} into {} …",
            paths.guides.display(),
            paths.index.display()
        );
        let report = kb::build(&corpus, &paths.index, &|_| {})?;
        eprintln!(
            "built {} guides, {} sections",
            report.manifest.guides, report.manifest.sections
        );
    }
    Ok(KnowledgeBase::open(&paths.index)?)
}

fn open_desk(paths: &Paths) -> anyhow::Result<Desk> {
    let kb = knowledge_base(paths)?;
    let store =
        SqliteStore::open(&paths.db).with_context(|| format!("opening {}", paths.db.display()))?;
    Ok(Desk::new(Arc::new(kb), Arc::new(store)))
}

/// Operator tokens from `BATON_OPERATOR_TOKENS` (`minji:token1,junho:token2`), else one new
/// token for `operator`, printed at start.
fn operator_tokens() -> anyhow::Result<(HashMap<String, String>, Option<String>)> {
    if let Ok(spec) = std::env::var("BATON_OPERATOR_TOKENS") {
        let mut tokens = HashMap::new();
        for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let (name, token) = pair
                .split_once(':')
                .context("BATON_OPERATOR_TOKENS is name:token,name:token")?;
            if token.trim().len() < 16 {
                bail!("the token of {name} is shorter than 16 characters");
            }
            tokens.insert(token.trim().to_string(), name.trim().to_string());
        }
        return Ok((tokens, None));
    }
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random: {e}"))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok((
        HashMap::from([(token.clone(), "operator".to_string())]),
        Some(token),
    ))
}

async fn serve(paths: &Paths, addr: SocketAddr) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let mut desk = open_desk(paths)?;
    let webhook = desk::alerts::Webhook::from_env();
    let alerting = webhook.is_configured();
    if alerting {
        desk = desk.with_alerts(webhook);
    }
    let (tokens, generated) = operator_tokens()?;
    let state = AppState {
        desk,
        operators: Arc::new(OperatorAuth::Tokens(tokens)),
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let local = listener.local_addr()?;
    println!("Baton is running at http://{local}");
    println!(
        "  search:        curl 'http://{local}/api/search?q=%EB%B9%84%EB%B0%80%EB%B2%88%ED%98%B8'"
    );
    println!("  conversation:  curl -X POST http://{local}/api/conversations");
    println!(
        "  queue:         curl -H 'Authorization: Bearer <token>' http://{local}/api/operator/queue"
    );
    match generated {
        Some(token) => println!(
            "  operator token (this run): {token}   (set BATON_OPERATOR_TOKENS=name:token,… to keep your own)"
        ),
        None => println!("  operator tokens: from BATON_OPERATOR_TOKENS"),
    }
    if alerting {
        println!("  alerts: each urgent case is posted to BATON_ALERT_WEBHOOK_URL");
    } else {
        println!("  alerts: off (set BATON_ALERT_WEBHOOK_URL to a chat webhook to alert the team)");
    }
    println!(
        "  data: {} and {}",
        paths.db.display(),
        paths.index.display()
    );
    axum::serve(listener, desk::http::app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
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
        (None, None) => knowledge_base(&Paths {
            guides: "kb/guides".into(),
            index: "data/kb-index".into(),
            db: PathBuf::new(),
        })?,
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
    let reasons: Vec<String> = t.reasons.iter().map(desk::desk::reason_code).collect();
    println!("decision:   {:?}", t.decision);
    println!("confidence: {:.2}", t.confidence);
    println!("reasons:    {}", reasons.join(", "));
    println!("priority:   {:?}", t.priority);
    println!(
        "category:   {:?}   area: {}",
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
