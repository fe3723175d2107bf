//! The `alerts` binary as Lambda runs it: DynamoDB stream events built from the items the store
//! wrote to DynamoDB Local, a chat webhook on loopback, partial batch failures.

use baton_e2e::runtime_api::{
    Function, Outcome, WebhookReceiver, dynamodb_table, raw_item, stream_event, stream_record,
};
use desk::Store;
use desk::model::{Case, Priority, Reason};
use desk::store::conformance::{case, conversation};
use desk::store::dynamo::{DynamoStore, case_key};
use serde_json::Value;

/// Stores a case and returns it with the stream record of its insertion.
async fn inserted(store: &DynamoStore, table: &str, case: Case, seq: &str) -> (Case, Value) {
    store.insert_case(&case).await.expect("insert case");
    let item = raw_item(table, case_key(&case.id)).await;
    (case, stream_record("INSERT", seq, &item))
}

fn failures(outcome: Outcome) -> Vec<String> {
    match outcome {
        Outcome::Response(v) => v["batchItemFailures"]
            .as_array()
            .expect("batchItemFailures")
            .iter()
            .map(|f| f["itemIdentifier"].as_str().expect("id").to_string())
            .collect(),
        Outcome::Error(e) => panic!("the function failed: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgent_cases_alert_the_team_once_and_failures_are_retried() {
    let (table, mut env) = dynamodb_table().await;
    let store = DynamoStore::from_env(&table).await;
    let hook = WebhookReceiver::start().await;
    env.push(("BATON_ALERT_WEBHOOK_URL".into(), hook.url.clone()));
    env.push((
        "BATON_OPERATOR_URL".into(),
        "https://desk.example.com".into(),
    ));
    let mut function =
        Function::start(std::path::Path::new(env!("CARGO_BIN_EXE_alerts")), &env).await;

    let at = desk::model::now();
    let (urgent, urgent_insert) = inserted(
        &store,
        &table,
        case(&conversation("c1"), Priority::Urgent, at),
        "100",
    )
    .await;
    let mut normal = case(&conversation("c2"), Priority::Normal, at);
    normal.reason = Reason::HumanRequested;
    let (_, normal_insert) = inserted(&store, &table, normal, "101").await;
    let mut claimed = urgent.clone();
    claimed.assignee = Some("minji".into());
    store.update_case(&claimed).await.expect("claim");
    let claim = stream_record(
        "MODIFY",
        "102",
        &raw_item(&table, case_key(&urgent.id)).await,
    );
    let mut unreadable = urgent_insert.clone();
    unreadable["dynamodb"]["NewImage"]["data"]["S"] = Value::from("{not json");
    unreadable["dynamodb"]["SequenceNumber"] = Value::from("103");

    // One urgent insertion among a normal case, a claim and an unreadable record: one alert.
    let outcome = function
        .invoke(stream_event(vec![
            urgent_insert,
            normal_insert,
            claim,
            unreadable,
        ]))
        .await;
    assert_eq!(failures(outcome), Vec::<String>::new());
    let received = hook.received().await;
    assert_eq!(received.len(), 1, "{received:?}");
    let text = received[0]["text"].as_str().expect("text");
    assert!(text.contains("입금 안 됨 / money not received"), "{text}");
    assert!(
        text.contains(&urgent.id) && text.contains("송금했는데 안 들어왔어요"),
        "{text}"
    );
    assert!(
        text.contains(&format!("https://desk.example.com/cases/{}", urgent.id)),
        "{text}"
    );
    assert!(
        text.contains("[phone ****5678]") && !text.contains("5678 "),
        "{text}"
    );
    assert_eq!(received[0]["content"], received[0]["text"]);
    assert_eq!(received[0]["reason"], "urgent:money_not_received");

    // The webhook fails for the second of three urgent cases: the batch reports that record and
    // stops, so the first is not alerted again and the third waits for the retry.
    let (first, first_insert) = inserted(
        &store,
        &table,
        case(&conversation("c3"), Priority::Urgent, at),
        "200",
    )
    .await;
    let (second, second_insert) = inserted(
        &store,
        &table,
        case(&conversation("c4"), Priority::Urgent, at),
        "201",
    )
    .await;
    let (third, third_insert) = inserted(
        &store,
        &table,
        case(&conversation("c5"), Priority::Urgent, at),
        "202",
    )
    .await;
    hook.fail_on(&second.id).await;
    let outcome = function
        .invoke(stream_event(vec![
            first_insert,
            second_insert.clone(),
            third_insert.clone(),
        ]))
        .await;
    assert_eq!(failures(outcome), vec!["201".to_string()]);
    let alerted = |received: &[Value]| -> Vec<String> {
        received
            .iter()
            .map(|r| r["case_id"].as_str().expect("case id").to_string())
            .collect()
    };
    assert_eq!(
        alerted(&hook.received().await),
        vec![urgent.id.clone(), first.id.clone()]
    );

    // Lambda retries from the failed record once the webhook is back.
    hook.recover().await;
    let outcome = function
        .invoke(stream_event(vec![second_insert, third_insert]))
        .await;
    assert_eq!(failures(outcome), Vec::<String>::new());
    assert_eq!(
        alerted(&hook.received().await),
        vec![urgent.id, first.id, second.id, third.id]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_webhook_fails_the_record_not_the_function() {
    let (table, mut env) = dynamodb_table().await;
    let store = DynamoStore::from_env(&table).await;
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hook", closed.local_addr().expect("addr"));
    drop(closed);
    env.push(("BATON_ALERT_WEBHOOK_URL".into(), url));
    let mut function =
        Function::start(std::path::Path::new(env!("CARGO_BIN_EXE_alerts")), &env).await;
    let (_, record) = inserted(
        &store,
        &table,
        case(&conversation("c6"), Priority::Urgent, desk::model::now()),
        "300",
    )
    .await;
    let outcome = function.invoke(stream_event(vec![record])).await;
    assert_eq!(failures(outcome), vec!["300".to_string()]);
}
