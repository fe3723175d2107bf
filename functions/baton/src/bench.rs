//! `baton bench`: the desk's latencies in process, as numbers to report.
//!
//! - bot turn: `bot::respond` on every query of `kb/eval/*.jsonl` (search, decision, answer
//!   excerpt), several passes;
//! - hand-off: `Desk::request_human` for a verified customer with earlier cases (reads of the
//!   conversation, its messages and the history, then one commit of case, conversation and
//!   event) on SQLite, and on DynamoDB when `AWS_ENDPOINT_URL_DYNAMODB` points at DynamoDB Local.

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
pub async fn run(kb: Arc<KnowledgeBase>, queries: &Path, handoffs: usize) -> anyhow::Result<()> {
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
    for _ in 0..10 {
        for (text, lang) in &texts {
            let started = Instant::now();
            desk::bot::respond(&kb, &policy, text, *lang, &[])?;
            times.push(started.elapsed());
        }
    }
    report("bot turn (search + decision + answer)", &mut times);

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
        let mut times = handoff_latency(&bench_desk(kb, Arc::new(store))?, handoffs).await?;
        report("hand-off, DynamoDB Local", &mut times);
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
