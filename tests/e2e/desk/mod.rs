//! The desk over real HTTP on both stores: every flow in `flows.rs` runs once on SQLite and once on
//! DynamoDB Local; what "the store is down" means differs per store, so those tests are here.

use baton_e2e::{Backend, MINJI, TestApp};

mod sqlite {
    use super::*;

    async fn spawn_app() -> TestApp {
        baton_e2e::spawn_app(Backend::Sqlite).await
    }

    include!("flows.rs");

    pub(super) async fn app() -> TestApp {
        spawn_app().await
    }
}

mod dynamo {
    use super::*;

    async fn spawn_app() -> TestApp {
        baton_e2e::spawn_app(Backend::Dynamo).await
    }

    include!("flows.rs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_store_answers_503_with_retry_after_and_recovers() {
    let app = sqlite::app().await;
    let chat = app.start("c1", "ko").await;
    // Another process holds the database's write lock longer than the desk will wait.
    let locker = rusqlite::Connection::open(app.db.as_ref().expect("sqlite")).expect("open");
    locker.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let (status, body) = app
        .send(&chat, "환불은 어떻게 하나요?", Some("during-outage"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("unavailable")),
        "{body}"
    );
    assert!(
        !body.to_string().contains("locked"),
        "internals leaked: {body}"
    );
    let response = app
        .client
        .get(format!("{}/api/operator/health", app.url))
        .bearer_auth(MINJI)
        .send()
        .await
        .expect("health");
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    locker.execute_batch("ROLLBACK").expect("unlock");
    // The client retries with the same key: the message is stored once and answered.
    let (status, body) = app
        .send(&chat, "환불은 어떻게 하나요?", Some("during-outage"))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        app.read(&chat).await["messages"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn an_unreachable_dynamodb_answers_503_and_stores_nothing() {
    let app = baton_e2e::spawn_app(Backend::DynamoDown).await;
    let response = app
        .client
        .post(format!("{}/api/conversations", app.url))
        .send()
        .await
        .expect("start");
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unavailable");
    let response = app
        .client
        .get(format!("{}/api/operator/health", app.url))
        .bearer_auth(MINJI)
        .send()
        .await
        .expect("health");
    assert_eq!(response.status(), 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baton_serve_alerts_the_team_once_per_urgent_case() {
    let hook = baton_e2e::runtime_api::WebhookReceiver::start().await;
    let app = baton_e2e::spawn_app_with(
        Backend::Sqlite,
        &[
            (desk::config::ALERT_WEBHOOK_URL, &hook.url),
            (desk::config::ALERT_FORMAT, "slack"),
            (desk::config::OPERATOR_URL, "http://127.0.0.1:8080/operator"),
        ],
    )
    .await;
    let urgent = app.start("c1", "ko").await;
    let (status, body) = app.send(&urgent, "송금했는데 안 들어왔어요", None).await;
    assert_eq!(status, 201, "{body}");
    let person = app.start("c2", "ko").await;
    app.ask_for_a_person(&person).await;
    // Telling the desk again does not make a second case, nor a second alert.
    app.send(&urgent, "송금했는데 안 들어왔어요 급해요", None)
        .await;

    for _ in 0..50 {
        if !hook.received().await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Time for a second alert to arrive, were one sent.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let received = hook.received().await;
    assert_eq!(received.len(), 1, "{received:?}");
    let text = received[0]["text"].as_str().expect("text");
    assert!(text.contains("money not received"), "{text}");
    assert!(
        text.contains("http://127.0.0.1:8080/operator/cases/case_"),
        "{text}"
    );
    assert!(
        !text.contains("010-1234-5678") && text.contains("5678"),
        "masked contact: {text}"
    );
}
