//! What the terminal commands do: the queue and case commands (through the same desk `baton serve`
//! runs), the insights report, and one bot turn from the shell.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use desk::Desk;
use desk::app::App;
use desk::config::{Config, Deployment};
use kb::{Corpus, KnowledgeBase, Lang};

use crate::cli::{Paths, ReportFormat};

/// The desk the configuration describes (the same startup as `baton serve`'s).
pub async fn open_desk(config: Config) -> anyhow::Result<Desk> {
    Ok(App::build(config).await?.desk)
}

/// The index, built first when it is missing or older than the guides, and the sentence model
/// when the configuration reads meaning (the index then carries its section vectors).
pub fn knowledge_base(
    config: &Config,
) -> anyhow::Result<(KnowledgeBase, Option<std::sync::Arc<encoder::Encoder>>)> {
    let encoder = desk::app::meaning::load(config);
    let corpus = desk::app::local::read_guides(config)?;
    let kb = desk::app::local::index(config, &corpus, encoder.as_deref())?;
    let encoder = encoder.filter(|e| kb.has_vectors_of(e));
    Ok((kb, encoder))
}

/// Prints the queue a page at a time: every page, or the first `limit` cases and the cursor of
/// the rest.
pub async fn queue(
    desk: &Desk,
    limit: Option<usize>,
    cursor: Option<String>,
) -> anyhow::Result<()> {
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
                "{:<7} {:<34} {:<8} {:<5} {:<16} {:<10} {:<10} {:<12} {}",
                case.priority,
                case.id,
                case.status,
                case.channel,
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

pub fn print_case(case: desk::model::Case) -> anyhow::Result<()> {
    let holder = case.assignee.as_deref().unwrap_or("nobody");
    println!("{}: {}, held by {holder}", case.id, case.status);
    Ok(())
}

pub async fn insights(
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
    let app = App::build(config).await?;
    let store = app.desk.store();
    let options = insights::Options {
        hours: app.settings.hours.clone(),
        now,
        kb: Some(Arc::clone(app.desk.kb())),
        encoder: app.desk.encoder().cloned(),
    };
    let report = insights::report(store.as_ref(), &period, &options).await?;
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
        let webhook = &app.settings.webhook;
        if !webhook.is_configured() {
            anyhow::bail!("--send needs {}", desk::config::ALERT_WEBHOOK_URL);
        }
        desk::alerts::weekly::deliver(store.as_ref(), webhook, &report, true)
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

pub fn ask(
    message: &str,
    guides: Option<PathBuf>,
    index: Option<PathBuf>,
    lang: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let (kb, encoder) = match (guides, index) {
        (Some(guides), _) => (KnowledgeBase::from_guides(&guides)?, None),
        (None, Some(index)) => (KnowledgeBase::open(&index)?, None),
        (None, None) => knowledge_base(&Paths::default().config()?)?,
    };
    let lang = match lang {
        Some(code) => Lang::parse(code).with_context(|| format!("unknown language \"{code}\""))?,
        None => Lang::detect(message),
    };
    let masked = pii::mask(message, pii::Options::default());
    let reply = desk::bot::respond(
        &kb,
        &desk::bot::Policy::default(),
        &masked,
        lang,
        &[],
        encoder.as_deref(),
    )?;
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

/// `baton mail-in`: one mail from standard input into the desk. The exit status is what an MTA's
/// pipe transport reads (sysexits): 0 stored, 65 (`EX_DATAERR`) never storable, 75
/// (`EX_TEMPFAIL`) not now.
pub async fn mail_in(config: Config, recipients: Vec<String>) -> anyhow::Result<()> {
    use std::io::Read;
    let mut raw = Vec::new();
    std::io::stdin()
        .take(desk::mail::Limits::default().message_bytes as u64 + 1)
        .read_to_end(&mut raw)
        .context("reading the mail from standard input")?;
    let desk = match open_desk(config).await {
        Ok(desk) => desk,
        Err(error) => {
            eprintln!("baton mail-in: {error:#}");
            std::process::exit(75);
        }
    };
    let incoming = desk::desk::Incoming {
        raw,
        recipients,
        verdict: None,
        raw_key: None,
    };
    match desk.receive_mail(&incoming).await {
        Ok(received) => {
            println!("{}", serde_json::to_string(&received)?);
            Ok(())
        }
        Err(desk::Error::Invalid(why)) => {
            eprintln!("baton mail-in: refused: {why}");
            std::process::exit(65);
        }
        Err(error) => {
            eprintln!("baton mail-in: not stored now: {error}");
            std::process::exit(75);
        }
    }
}
