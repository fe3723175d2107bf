//! `baton bench`: the desk's latencies in process, as numbers to report.
//!
//! - bot turn: `bot::respond` on every query of `kb/eval/*.jsonl` (search, decision, answer
//!   excerpt), several passes;
//! - hand-off write: `Desk::hand_off` (case with history, conversation update, event) on SQLite,
//!   and on DynamoDB when `AWS_ENDPOINT_URL_DYNAMODB` points at DynamoDB Local.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use desk::Desk;
use desk::model::BotTurn;
use kb::KnowledgeBase;

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
    let mut times = handoff_latency(&Desk::new(kb.clone(), Arc::new(sqlite)), handoffs).await?;
    report("hand-off write, SQLite", &mut times);

    if std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok_and(|e| e.starts_with("http://127.0.0.1:"))
    {
        let store = desk::store::dynamo::DynamoStore::from_env(
            &desk::model::new_id("bench")
                .replace('_', "-")
                .to_lowercase(),
        )
        .await;
        store.create_table().await?;
        let mut times = handoff_latency(&Desk::new(kb, Arc::new(store)), handoffs).await?;
        report("hand-off write, DynamoDB Local", &mut times);
    } else {
        println!(
            "hand-off write, DynamoDB Local: skipped (eval \"$(scripts/dynamodb-local start)\" first)"
        );
    }
    Ok(())
}

async fn handoff_latency(desk: &Desk, n: usize) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        // Twenty customers, so hand-offs also read earlier cases for the history.
        let start = desk::desk::Start {
            customer: Some(desk::desk::StartCustomer {
                id: Some(format!("bench-{}", i % 20)),
                contact: None,
                name: None,
            }),
            ..Default::default()
        };
        let started = desk.start(start).await?;
        let id = started.conversation.id;
        // An answered question, so the case has a transcript to summarize.
        desk.post(&id, &started.secret, "비밀번호 변경은 어떻게 하나요?", None)
            .await?;
        let turn = BotTurn::human_requested("상담원 연결".into());
        let begun = Instant::now();
        desk.hand_off(&id, &turn).await?;
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
