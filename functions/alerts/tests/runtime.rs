//! The `alerts` binary as Lambda runs it: DynamoDB stream events built from the items the store
//! wrote to DynamoDB Local, a chat webhook on loopback, partial batch failures, a flood
//! summarized, an escalation alerted, customer text that cannot ping or link.

use baton_e2e::runtime_api::{
    Function, Outcome, WebhookReceiver, dynamodb_table, raw_item, stream_change, stream_event,
    stream_record,
};
use desk::model::{Case, Priority, Reason};
use desk::store::conformance::{case, conversation, create_case, update_case};
use desk::store::dynamo::{DynamoStore, case_key};
use serde_json::Value;

/// What the desk does as it writes a case over `before`: decides whether the team must hear of
/// it, once, and the case carries the decision (`Case::alerts`).
fn decided(before: Option<&Case>, mut after: Case) -> Case {
    if desk::alerts::due(before, &after) {
        after.alerts += 1;
    }
    after
}

/// Stores a case as the desk would (its alert decided) and returns it with the stream record of
/// its insertion.
async fn inserted(store: &DynamoStore, table: &str, case: Case, seq: &str) -> (Case, Value) {
    let case = decided(None, case);
    create_case(store, &case).await;
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

/// The case ids an alert's text names, in order.
fn case_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("case_") {
        let id: String = rest[at..].chars().take(5 + 26).collect();
        if !ids.contains(&id) {
            ids.push(id);
        }
        rest = &rest[at + 5..];
    }
    ids
}

/// The first case each received alert is about.
async fn alerted(hook: &WebhookReceiver) -> Vec<String> {
    hook.received()
        .await
        .iter()
        .map(|r| case_ids(r["text"].as_str().expect("text"))[0].clone())
        .collect()
}

async fn alerts_function(table_env: Vec<(String, String)>, hook: &WebhookReceiver) -> Function {
    let mut env = table_env;
    env.push((desk::config::ALERT_WEBHOOK_URL.into(), hook.url.clone()));
    env.push((desk::config::ALERT_FORMAT.into(), "slack".into()));
    env.push((
        desk::config::OPERATOR_URL.into(),
        "https://desk.example.com".into(),
    ));
    Function::start(std::path::Path::new(env!("CARGO_BIN_EXE_alerts")), &env).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgent_cases_alert_the_team_once_and_failures_are_retried() {
    let (table, env) = dynamodb_table().await;
    let store = DynamoStore::from_env(&table).await;
    let hook = WebhookReceiver::start().await;
    let mut function = alerts_function(env, &hook).await;

    let at = desk::model::now();
    let mut hostile = case(&conversation("c1"), Priority::Urgent, at);
    hostile.summary =
        "송금했는데 안 들어왔어요 <!here> @everyone <https://evil.example|환불 받기>".into();
    let (urgent, urgent_insert) = inserted(&store, &table, hostile, "100").await;
    let mut normal = case(&conversation("c2"), Priority::Normal, at);
    normal.reason = Reason::HumanRequested;
    let (_, normal_insert) = inserted(&store, &table, normal, "101").await;
    let before = raw_item(&table, case_key(&urgent.id)).await;
    let mut claimed = urgent.clone();
    claimed.assignee = Some("minji".into());
    let claimed = decided(Some(&urgent), claimed);
    update_case(&store, &claimed).await.expect("claim");
    let claim = stream_change(
        "MODIFY",
        "102",
        Some(&before),
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
        text.contains(&format!("<https://desk.example.com/cases/{}|", urgent.id)),
        "{text}"
    );
    for live in [
        "<!here>",
        "@everyone",
        "<https://evil",
        "https://evil.example",
    ] {
        assert!(!text.contains(live), "{live} is live in {text}");
    }
    assert!(
        text.contains("[phone ****5678]") && text.contains("unverified"),
        "{text}"
    );

    // The webhook fails for the second of three urgent cases: the batch reports that record and
    // stops, so the first is not alerted again and the third waits for the retry.
    let mut batch = Vec::new();
    let mut ids = Vec::new();
    for (i, seq) in ["200", "201", "202"].into_iter().enumerate() {
        let (case, record) = inserted(
            &store,
            &table,
            case(&conversation(&format!("c{}", 3 + i)), Priority::Urgent, at),
            seq,
        )
        .await;
        ids.push(case.id);
        batch.push(record);
    }
    hook.fail_on(&ids[1]).await;
    let outcome = function.invoke(stream_event(batch.clone())).await;
    assert_eq!(failures(outcome), vec!["201".to_string()]);
    assert_eq!(
        alerted(&hook).await,
        vec![urgent.id.clone(), ids[0].clone()]
    );

    // Lambda retries from the failed record once the webhook is back.
    hook.recover().await;
    let outcome = function.invoke(stream_event(batch[1..].to_vec())).await;
    assert_eq!(failures(outcome), Vec::<String>::new());
    assert_eq!(
        alerted(&hook).await,
        vec![urgent.id, ids[0].clone(), ids[1].clone(), ids[2].clone()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_is_a_few_alerts_and_one_summary_and_an_escalation_alerts() {
    let (table, env) = dynamodb_table().await;
    let store = DynamoStore::from_env(&table).await;
    let hook = WebhookReceiver::start().await;
    let mut function = alerts_function(env, &hook).await;
    let at = desk::model::now();

    // Thirty urgent cases at once.
    let mut batch = Vec::new();
    let mut ids = Vec::new();
    for i in 0..30 {
        let (case, record) = inserted(
            &store,
            &table,
            case(
                &conversation(&format!("flood-{i}")),
                Priority::Urgent,
                at + i,
            ),
            &format!("{}", 1000 + i),
        )
        .await;
        ids.push(case.id);
        batch.push(record);
    }
    let outcome = function.invoke(stream_event(batch)).await;
    assert_eq!(failures(outcome), Vec::<String>::new());
    let received = hook.received().await;
    assert_eq!(received.len(), desk::alerts::BURST + 1, "{received:?}");
    let summary = received[desk::alerts::BURST]["text"]
        .as_str()
        .expect("text");
    assert!(
        summary.contains("27 more urgent cases at once"),
        "{summary}"
    );
    assert!(summary.contains("and 17 more in the queue"), "{summary}");
    assert_eq!(case_ids(summary), ids[3..13].to_vec());

    // A normal case that a later message made urgent.
    let mut normal = case(&conversation("calm"), Priority::Normal, at);
    normal.reason = Reason::HumanRequested;
    create_case(&store, &normal).await;
    let before = raw_item(&table, case_key(&normal.id)).await;
    let mut escalated = normal.clone();
    escalated.priority = Priority::Urgent;
    escalated.escalation = Some(desk::model::Escalation {
        kind: desk::model::UrgentKind::AccountCompromised,
        message_id: "msg_x".into(),
        text: "계정이 해킹당한 것 같아요 <!here>".into(),
        at,
    });
    let escalated = decided(Some(&normal), escalated);
    update_case(&store, &escalated).await.expect("escalate");
    let record = stream_change(
        "MODIFY",
        "2000",
        Some(&before),
        &raw_item(&table, case_key(&normal.id)).await,
    );
    let outcome = function.invoke(stream_event(vec![record])).await;
    assert_eq!(failures(outcome), Vec::<String>::new());
    let received = hook.received().await;
    let last = received.last().expect("an alert")["text"]
        .as_str()
        .expect("text");
    assert!(
        last.contains("계정 도용 의심") && last.contains(&normal.id),
        "{last}"
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
    env.push((desk::config::ALERT_WEBHOOK_URL.into(), url));
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
