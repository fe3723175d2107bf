//! The `reminders` binary as Lambda runs it: scheduled events against DynamoDB Local, a chat
//! webhook on loopback that fails at first, an urgent case reminded once per due slot, a recent
//! one and a claimed one not at all.

use baton_e2e::runtime_api::{Function, Outcome, WebhookReceiver, dynamodb_table, scheduled_event};
use desk::Store;
use desk::model::{Priority, now};
use desk::store::conformance::{case, conversation, create_case};
use desk::store::dynamo::DynamoStore;
use serde_json::Value;

fn reminded(outcome: Outcome) -> Vec<Value> {
    match outcome {
        Outcome::Response(v) => v["reminded"].as_array().cloned().expect("reminded"),
        Outcome::Error(e) => panic!("the function failed: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unclaimed_urgent_case_is_reminded_once_per_slot_even_after_a_failed_webhook() {
    let (table, mut env) = dynamodb_table().await;
    let store = DynamoStore::from_env(&table).await;
    const M: i64 = 60_000;
    // Urgent for 15 minutes and nobody on it; urgent for 5; urgent for an hour but held.
    let waiting = case(&conversation("c1"), Priority::Urgent, now() - 15 * M);
    let recent = case(&conversation("c2"), Priority::Urgent, now() - 5 * M);
    let mut held = case(&conversation("c3"), Priority::Urgent, now() - 60 * M);
    held.assignee = Some("minji".into());
    held.status = desk::model::CaseStatus::Claimed;
    for c in [&waiting, &recent, &held] {
        create_case(&store, c).await;
    }
    let hook = WebhookReceiver::start().await;
    env.push((desk::config::ALERT_WEBHOOK_URL.into(), hook.url.clone()));
    env.push((desk::config::ALERT_FORMAT.into(), "slack".into()));
    let mut function =
        Function::start(std::path::Path::new(env!("CARGO_BIN_EXE_reminders")), &env).await;

    // The chat is down: nothing delivered, the function does not fail, the slot is given back.
    hook.fail_on("still unclaimed").await;
    assert!(reminded(function.invoke(scheduled_event()).await).is_empty());
    let stored = store.case(&waiting.id).await.expect("read").expect("case");
    assert_eq!(stored.reminded, 0);
    hook.recover().await;
    let sent = reminded(function.invoke(scheduled_event()).await);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["case_id"], waiting.id.as_str());
    assert_eq!(sent[0]["number"], 1);
    assert!(sent[0]["waited_ms"].as_i64().expect("waited") >= 15 * M);
    // A minute later: the next slot is 20 minutes away.
    assert!(reminded(function.invoke(scheduled_event()).await).is_empty());
    let received = hook.received().await;
    assert_eq!(received.len(), 1, "{received:?}");
    assert!(
        received[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains(&waiting.id) && t.contains("still unclaimed after 15m")),
        "{received:?}"
    );
    assert_eq!(
        store
            .case(&waiting.id)
            .await
            .expect("read")
            .expect("case")
            .reminded,
        1
    );
}
