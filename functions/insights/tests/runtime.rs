//! The `insights` binary as Lambda runs it: an EventBridge scheduled event, the week's events in
//! DynamoDB Local, the report as the function's response.

use baton_e2e::runtime_api::{Function, Outcome, dynamodb_table, scheduled_event};
use desk::Store;
use desk::insights::WEEK;
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
async fn the_weekly_schedule_counts_the_weeks_inquiries() {
    let (table, env) = dynamodb_table().await;
    let store = DynamoStore::from_env(&table).await;
    let at = now() - 3600 * 1000;
    for e in [
        event(EventKind::BotTurn, "cv_a", at, Category::HowTo, "account"),
        event(
            EventKind::BotTurn,
            "cv_a",
            at + 1,
            Category::HowTo,
            "account",
        ),
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
        event(
            EventKind::Handoff,
            "cv_c",
            at - 2 * 24 * 3600 * 1000,
            Category::BillingPayment,
            "transfers",
        ),
        event(
            EventKind::BotTurn,
            "cv_old",
            now() - WEEK - 3600 * 1000,
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
    assert_eq!(report["inquiries"], 3, "{report}");
    assert_eq!(report["handed_off"], 2, "{report}");
    assert_eq!(
        report["by_category"],
        json!([{"key": "billing_payment", "count": 2}, {"key": "how_to", "count": 1}])
    );
    assert_eq!(
        report["by_area"],
        json!([{"key": "transfers", "count": 2}, {"key": "account", "count": 1}])
    );
}
