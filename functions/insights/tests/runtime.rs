//! The `insights` binary as Lambda runs it: an EventBridge scheduled event, the week's events in
//! DynamoDB Local, the report as the function's response.

use baton_e2e::runtime_api::{Function, Outcome, WebhookReceiver, dynamodb_table, scheduled_event};
use desk::Store;
use desk::insights::{Period, WEEK};
use desk::model::{Category, Event, EventKind, new_id, now};
use desk::store::Commit;
use desk::store::dynamo::DynamoStore;
use serde_json::json;

fn event(kind: EventKind, conversation: &str, at: i64, category: Category, area: &str) -> Event {
    Event {
        id: new_id("ev"),
        kind,
        at,
        conversation_id: conversation.into(),
        category: Some(category),
        area: Some(area.into()),
        data: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weekly_schedule_reports_the_week_that_ended() {
    let (table, mut env) = dynamodb_table().await;
    let hook = WebhookReceiver::start().await;
    env.push((desk::config::ALERT_WEBHOOK_URL.into(), hook.url.clone()));
    env.push((desk::config::ALERT_FORMAT.into(), "slack".into()));
    let store = DynamoStore::from_env(&table).await;
    let seoul = time::UtcOffset::from_hms(9, 0, 0).expect("offset");
    let week = Period::last_week(now(), seoul);
    let at = week.from + 3600 * 1000;
    let open = |conversation: &str, at: i64| Event {
        category: None,
        area: None,
        ..event(EventKind::Open, conversation, at, Category::HowTo, "")
    };
    for e in [
        open("cv_a", at),
        event(EventKind::BotTurn, "cv_a", at, Category::HowTo, "account"),
        event(
            EventKind::BotTurn,
            "cv_a",
            at + 1,
            Category::HowTo,
            "account",
        ),
        open("cv_b", at),
        event(EventKind::BotTurn, "cv_b", at, Category::HowTo, "payments"),
        event(
            EventKind::Handoff,
            "cv_b",
            at + 1,
            Category::BillingPayment,
            "transfers",
        ),
        event(
            EventKind::Claim,
            "cv_b",
            at + 2,
            Category::BillingPayment,
            "transfers",
        ),
        // Opened at the week's last millisecond, in Seoul.
        open("cv_c", week.to - 1),
        event(
            EventKind::Handoff,
            "cv_c",
            week.to - 1,
            Category::BillingPayment,
            "transfers",
        ),
        // The week before: the previous count.
        open("cv_old", week.from - 1),
        event(
            EventKind::BotTurn,
            "cv_old",
            week.from - 1,
            Category::BugError,
            "store",
        ),
        // This week (not ended): not in the report.
        open("cv_new", week.to + 1),
        event(
            EventKind::BotTurn,
            "cv_new",
            week.to + 1,
            Category::BugError,
            "store",
        ),
    ] {
        let commit = Commit {
            events: vec![e],
            ..Commit::default()
        };
        store.commit(&commit).await.expect("insert event");
    }
    let mut function =
        Function::start(std::path::Path::new(env!("CARGO_BIN_EXE_insights")), &env).await;
    let report = match function.invoke(scheduled_event()).await {
        Outcome::Response(report) => report,
        Outcome::Error(e) => panic!("the function failed: {e}"),
    };
    assert_eq!(report["period"]["label"], week.label.as_str(), "{report}");
    assert_eq!(report["period"]["to"].as_i64(), Some(week.from + WEEK));
    assert_eq!(
        report["inquiries"],
        json!({"count": 3, "previous": 1, "change": 2}),
        "{report}"
    );
    assert_eq!(report["ledger"]["handed_off"], 2, "{report}");
    assert_eq!(report["ledger"]["silent"], 1, "{report}");
    let categories: Vec<(String, u64)> = report["volume"]["by_category"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap_or("").to_string(),
                r["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        categories,
        [
            ("billing_payment".to_string(), 2),
            ("how_to".to_string(), 1),
            ("bug_error".to_string(), 0)
        ]
    );
    let areas = &report["volume"]["by_area"];
    assert_eq!(areas[0]["key"], "transfers", "{report}");
    assert_eq!(areas[0]["count"], 2);
    assert_eq!(areas[1]["key"], "account");
    assert_eq!(areas[1]["count"], 1);

    // Its summary went to the chat, and a retry of the schedule does not post it again.
    let again = function.invoke(scheduled_event()).await;
    assert!(matches!(again, Outcome::Response(_)));
    let received = hook.received().await;
    assert_eq!(received.len(), 1, "{received:?}");
    let text = received[0]["text"].as_str().expect("slack text");
    assert!(
        text.contains(&format!(
            "Support week {} · 3 inquiries (+2 against 1)",
            week.label
        )),
        "{text}"
    );
}

/// The function's peak memory on a busy team's week: run after `baton bench-insights
/// --dynamo-full` (built with `--features dynamo`), which writes every day of that report to
/// DynamoDB Local and names the table: `BATON_BENCH_TABLE=… cargo test -p insights -- --ignored
/// --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the table bench-insights --dynamo-full writes"]
async fn a_busy_weeks_report_fits_in_128_mb() {
    let table = std::env::var("BATON_BENCH_TABLE").expect("BATON_BENCH_TABLE");
    let (_, mut env) = dynamodb_table().await;
    env.retain(|(k, _)| k != desk::config::TABLE);
    env.push((desk::config::TABLE.into(), table));
    let index = baton_e2e::runtime_api::read_only_index(&tempfile_dir());
    env.push((desk::config::INDEX.into(), index.display().to_string()));
    let mut function =
        Function::start(std::path::Path::new(env!("CARGO_BIN_EXE_insights")), &env).await;
    let started = std::time::Instant::now();
    let report = match function.invoke(scheduled_event()).await {
        Outcome::Response(report) => report,
        Outcome::Error(e) => panic!("the function failed: {e}"),
    };
    let peak = function.peak_rss_kib().expect("peak rss");
    println!(
        "insights on a busy week ({} inquiries, {} guides to write): {:.1} s, peak RSS {:.1} MiB",
        report["inquiries"]["count"],
        report["guides_to_write"].as_array().map_or(0, Vec::len),
        started.elapsed().as_secs_f64(),
        peak as f64 / 1024.0
    );
    assert!(peak < 128 * 1024, "peak RSS {peak} KiB");
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("insights-index-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}
