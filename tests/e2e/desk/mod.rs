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
