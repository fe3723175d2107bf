//! `baton bench`: the desk's latencies in process, as numbers to report.
//!
//! - bot turn: `bot::respond` on every query of `kb/eval/*.jsonl` (search, decision, answer
//!   excerpt), several passes; with the sentence model, the message's embedding first, as the
//!   desk computes it, and the embedding alone by length;
//! - hand-off: `Desk::request_human` for a verified customer with earlier cases (reads of the
//!   conversation, its messages and the history, then one commit of case, conversation and
//!   event) on SQLite, and on DynamoDB when `AWS_ENDPOINT_URL_DYNAMODB` points at DynamoDB Local;
//! - live updates: what the console's and the widget's polling cost per hour in API requests and
//!   in DynamoDB requests and capacity units (as DynamoDB Local reports them), over a queue of 30
//!   handed-off cases.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use desk::Desk;
use desk::config::{Config, Deployment, IDENTITY_SECRETS};
use kb::KnowledgeBase;

/// The secret the bench signs its customers' identities with.
const BENCH_SECRET: &str = "bench-identity-secret-0123456789abcdef";

fn bench_desk(kb: Arc<KnowledgeBase>, store: Arc<dyn desk::Store>) -> anyhow::Result<Desk> {
    let config = Config::from_pairs(Deployment::Local, [(IDENTITY_SECRETS, BENCH_SECRET)])?;
    Ok(Desk::new(kb, store).with_identity(desk::identity::Verifier::from_config(&config)?))
}

fn identity_token(customer: &str) -> anyhow::Result<String> {
    let exp = desk::model::now() / 1000 + 3600;
    Ok(jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &serde_json::json!({"sub": customer, "aud": "baton", "exp": exp}),
        &jsonwebtoken::EncodingKey::from_secret(BENCH_SECRET.as_bytes())?,
    )?)
}

/// Runs the benchmark and prints its numbers.
pub async fn run(
    kb: Arc<KnowledgeBase>,
    encoder: Option<Arc<encoder::Encoder>>,
    queries: &Path,
    handoffs: usize,
) -> anyhow::Result<()> {
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(queries)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            texts.extend(
                kb::eval::read_queries(&path)?
                    .into_iter()
                    .map(|q| (q.q, q.lang)),
            );
        }
    }
    let policy = desk::bot::Policy::default();
    let mut times = Vec::new();
    let passes = if encoder.is_some() { 3 } else { 10 };
    for _ in 0..passes {
        for (text, lang) in &texts {
            let started = Instant::now();
            desk::bot::respond(&kb, &policy, text, *lang, &[], encoder.as_deref())?;
            times.push(started.elapsed());
        }
    }
    match &encoder {
        Some(encoder) => {
            report(
                "bot turn (embedding + search + decision + answer)",
                &mut times,
            );
            let mut by_length: Vec<(usize, Vec<Duration>)> = Vec::new();
            for (text, _) in &texts {
                let tokens = encoder.tokens(encoder::Kind::Query, text).len() + 2;
                let started = Instant::now();
                std::hint::black_box(encoder.query(text));
                let bucket = tokens.div_ceil(8) * 8;
                match by_length.iter_mut().find(|(b, _)| *b == bucket) {
                    Some((_, t)) => t.push(started.elapsed()),
                    None => by_length.push((bucket, vec![started.elapsed()])),
                }
            }
            by_length.sort_by_key(|(b, _)| *b);
            for (bucket, mut t) in by_length {
                report(
                    &format!("  embedding alone, {}–{bucket} tokens", bucket - 7),
                    &mut t,
                );
            }
        }
        None => report(
            "bot turn (search + decision + answer; words only)",
            &mut times,
        ),
    }

    let dir = tempfile::tempdir()?;
    let sqlite = desk::store::sqlite::SqliteStore::open(&dir.path().join("bench.db"))?;
    let desk = bench_desk(kb.clone(), Arc::new(sqlite))?;
    let mut times = handoff_latency(&desk, handoffs).await?;
    report("hand-off, SQLite", &mut times);

    #[cfg(feature = "dynamo")]
    if std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok_and(|e| e.starts_with("http://127.0.0.1:"))
    {
        let store = desk::store::dynamo::DynamoStore::from_env(
            &desk::model::new_id("bench")
                .replace('_', "-")
                .to_lowercase(),
        )
        .await;
        store.create_table().await?;
        let mut times =
            handoff_latency(&bench_desk(kb.clone(), Arc::new(store))?, handoffs).await?;
        report("hand-off, DynamoDB Local", &mut times);
        live_update_cost(kb).await?;
    } else {
        println!(
            "hand-off, DynamoDB Local: skipped (eval \"$(scripts/dynamodb-local start)\" first)"
        );
    }
    #[cfg(not(feature = "dynamo"))]
    println!("hand-off, DynamoDB Local: skipped (build with --features dynamo)");
    Ok(())
}

async fn handoff_latency(desk: &Desk, n: usize) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        // Twenty verified customers, so hand-offs also read earlier cases for the history.
        let start = desk::desk::Start {
            identity_token: Some(identity_token(&format!("bench-{}", i % 20))?),
            ..Default::default()
        };
        let started = desk.start(start).await?;
        let id = started.conversation.id;
        // An answered question, so the case has a transcript to summarize.
        desk.post(&id, &started.secret, "비밀번호 변경은 어떻게 하나요?", None)
            .await?;
        let begun = Instant::now();
        desk.request_human(&id, &started.secret).await?;
        times.push(begun.elapsed());
    }
    Ok(times)
}

fn report(what: &str, times: &mut [Duration]) {
    let n = times.len();
    let p50 = kb::eval::percentile(times, 50.0);
    let p99 = kb::eval::percentile(times, 99.0);
    println!("{what:<40} {n:>6} runs  p50 {p50:>6} µs  p99 {p99:>6} µs");
}

/// The console's and the widget's polls, per hour, in API requests and DynamoDB usage: each kind
/// of call is made against a queue of 30 handed-off cases (one of them a longer conversation,
/// the one open on the operator's screen) and its average usage multiplied by how often the pages
/// make it (`web/console/console.js`, `web/widget/chat.js`).
#[cfg(feature = "dynamo")]
async fn live_update_cost(kb: Arc<KnowledgeBase>) -> anyhow::Result<()> {
    use desk::presence::Activity;
    use desk::store::dynamo::{DynamoStore, Usage};

    let store = DynamoStore::from_env(
        &desk::model::new_id("bench")
            .replace('_', "-")
            .to_lowercase(),
    )
    .await;
    store.create_table().await?;
    let desk = bench_desk(kb, Arc::new(store.clone()))?;
    let mut open = None;
    for i in 0..30 {
        let start = desk::desk::Start {
            identity_token: Some(identity_token(&format!("poll-{}", i % 10))?),
            metadata: [
                ("page_url", "https://shop.example.com/checkout/payment?step=3"),
                ("page_title", "결제하기 | Example Shop"),
                ("user_agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"),
                ("locale", "ko-KR"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            ..Default::default()
        };
        let started = desk.start(start).await?;
        let id = started.conversation.id.clone();
        let questions: &[&str] = if i == 0 {
            &[
                "카드 결제 취소하면 환불은 언제 돼요?",
                "부분 환불도 되나요?",
                "환불 수수료가 있나요?",
                "영수증은 어디서 받아요?",
                "이중 결제가 된 것 같아요",
            ]
        } else {
            &["비밀번호 변경은 어떻게 하나요?"]
        };
        for q in questions {
            desk.post(&id, &started.secret, q, None).await?;
        }
        let case = desk.request_human(&id, &started.secret).await?;
        if i == 0 {
            open = Some((case.id, id, started.secret));
        }
    }
    let (case_id, conversation_id, secret) = open.ok_or_else(|| anyhow::anyhow!("no case"))?;
    desk.claim(&case_id, "minji").await?;

    const RUNS: u32 = 20;
    async fn measure<F: std::future::Future<Output = anyhow::Result<()>>>(
        store: &DynamoStore,
        mut call: impl FnMut() -> F,
    ) -> anyhow::Result<Usage> {
        let before = store.usage();
        for _ in 0..RUNS {
            call().await?;
        }
        let after = store.usage();
        Ok(Usage {
            requests: (after.requests - before.requests) / u64::from(RUNS),
            read_units: (after.read_units - before.read_units) / f64::from(RUNS),
            write_units: (after.write_units - before.write_units) / f64::from(RUNS),
        })
    }
    let queue = measure(&store, || async {
        desk.queue(50, None).await?;
        Ok(())
    })
    .await?;
    let case = measure(&store, || async {
        desk.case(&case_id).await?;
        Ok(())
    })
    .await?;
    let heartbeat = measure(&store, || async {
        desk.touch(&case_id, "minji", Activity::Viewing).await?;
        Ok(())
    })
    .await?;
    let transcript = measure(&store, || async {
        let (conversation, _) = desk.transcript(&conversation_id, &secret).await?;
        desk.attention(&conversation).await?;
        Ok(())
    })
    .await?;

    println!();
    println!("live updates, per hour, DynamoDB Local (30 handed-off cases in the queue):");
    println!(
        "{:<44} {:>8} {:>10} {:>10} {:>10}",
        "call (how often)", "API req", "Dynamo req", "read units", "write units"
    );
    let mut console = (0.0, 0.0, 0.0, 0.0);
    for (what, per_hour, usage, on_console) in [
        ("console queue poll (every 5 s)", 720.0, queue, true),
        ("console open-case poll (every 4 s)", 900.0, case, true),
        (
            "console presence heartbeat (every 10 s)",
            360.0,
            heartbeat,
            true,
        ),
        (
            "widget transcript poll (every 3 s, open)",
            1200.0,
            transcript,
            false,
        ),
    ] {
        println!(
            "{what:<44} {per_hour:>8.0} {:>10.0} {:>10.0} {:>10.0}",
            per_hour * usage.requests as f64,
            per_hour * usage.read_units,
            per_hour * usage.write_units
        );
        if on_console {
            console.0 += per_hour;
            console.1 += per_hour * usage.requests as f64;
            console.2 += per_hour * usage.read_units;
            console.3 += per_hour * usage.write_units;
        }
    }
    println!(
        "{:<44} {:>8.0} {:>10.0} {:>10.0} {:>10.0}",
        "one operator, console visible, a case open", console.0, console.1, console.2, console.3
    );
    Ok(())
}
