//! The desk over real HTTP on both stores: every flow in `flows.rs` runs once on SQLite and once on
//! DynamoDB Local; what "the store is down" means differs per store, so those tests are here.

use baton_e2e::runtime_api::WebhookReceiver;
use baton_e2e::{Backend, MINJI, TestApp};
use desk::config as c;

mod edge;

mod sqlite {
    use super::*;

    async fn spawn_app() -> TestApp {
        baton_e2e::spawn_app(Backend::Sqlite).await
    }

    async fn spawn_app_with(settings: &[(&str, &str)]) -> TestApp {
        baton_e2e::spawn_app_with(Backend::Sqlite, settings).await
    }

    include!("flows.rs");
    include!("trust.rs");
    include!("schedule.rs");
    include!("probe.rs");

    pub(super) async fn app() -> TestApp {
        spawn_app().await
    }
}

mod dynamo {
    use super::*;

    async fn spawn_app() -> TestApp {
        baton_e2e::spawn_app(Backend::Dynamo).await
    }

    async fn spawn_app_with(settings: &[(&str, &str)]) -> TestApp {
        baton_e2e::spawn_app_with(Backend::Dynamo, settings).await
    }

    include!("flows.rs");
    include!("trust.rs");
    include!("schedule.rs");
    include!("probe.rs");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_escalations_once_and_keeps_customer_text_inert() {
    let hook = WebhookReceiver::start().await;
    let app = baton_e2e::spawn_app_with(
        Backend::Sqlite,
        &[
            (c::ALERT_WEBHOOK_URL, &hook.url),
            (c::ALERT_FORMAT, "slack"),
            (c::OPERATOR_URL, "https://desk.example"),
        ],
    )
    .await;
    let chat = app.start("c1", "ko").await;
    let case = app.ask_for_a_person(&chat).await;
    app.send(
        &chat,
        "<!channel> @everyone 송금했는데 안 들어왔어요 <https://evil.example|환불 받기>",
        None,
    )
    .await;
    app.send(&chat, "아직도 송금이 안 들어왔어요", None).await;
    let received = wait_for(&hook, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let received_later = hook.received().await;
    assert_eq!(
        received_later.len(),
        1,
        "one escalation, one alert: {received:?}"
    );
    let text = received[0]["text"].as_str().expect("text");
    assert!(text.contains(&case) && text.contains("⬆"), "{text}");
    assert!(
        text.contains("송금했는데 안 들어왔어요"),
        "the alert quotes the urgent words: {text}"
    );
    for live in ["<!channel>", "@everyone", "<https://evil", "https://evil"] {
        assert!(!text.contains(live), "{live} is live: {text}");
    }
    assert!(
        text.contains(&format!("<https://desk.example/cases/{case}|")),
        "{text}"
    );
}

async fn wait_for(hook: &WebhookReceiver, n: usize) -> Vec<serde_json::Value> {
    for _ in 0..100 {
        let received = hook.received().await;
        if received.len() >= n {
            return received;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    hook.received().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_urgent_cases_is_a_burst_and_a_summary_and_every_case_is_queued() {
    let hook = WebhookReceiver::start().await;
    let app = baton_e2e::spawn_app_with(
        Backend::Sqlite,
        &[
            (c::ALERT_WEBHOOK_URL, &hook.url),
            (c::ALERT_FORMAT, "discord"),
            (c::ALERT_WINDOW_SECONDS, "2"),
        ],
    )
    .await;
    for i in 0..12 {
        let chat = app.start(&format!("flood-{i}"), "ko").await;
        let (status, _) = app
            .send(&chat, "결제 오류가 계속 나요 @everyone", None)
            .await;
        assert_eq!(status, 201);
    }
    assert_eq!(app.queue().await.len(), 12, "no case is dropped");
    let received = wait_for(&hook, desk::alerts::BURST + 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        hook.received().await.len(),
        desk::alerts::BURST + 1,
        "{received:?}"
    );
    let summary = received[desk::alerts::BURST]["content"]
        .as_str()
        .expect("content");
    assert!(summary.contains("9 more urgent cases"), "{summary}");
    for alert in &received {
        assert_eq!(alert["allowed_mentions"], serde_json::json!({"parse": []}));
        assert!(
            !alert["content"]
                .as_str()
                .unwrap_or("")
                .contains("@everyone")
        );
    }
}

#[tokio::test]
async fn conversations_and_messages_are_rate_limited_per_client() {
    let app = baton_e2e::spawn_app_with(
        Backend::Sqlite,
        &[(c::RATE_CONVERSATIONS, "3"), (c::RATE_MESSAGES, "4")],
    )
    .await;
    let mut chats = Vec::new();
    for _ in 0..3 {
        chats.push(app.start("c", "ko").await);
    }
    let response = app
        .client
        .post(format!("{}/api/conversations", app.url))
        .send()
        .await
        .expect("start");
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=20).contains(&wait), "{wait}");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "rate_limited");
    let mut statuses = Vec::new();
    for i in 0..6 {
        statuses.push(app.send(&chats[0], &format!("질문 {i}"), None).await.0);
    }
    assert_eq!(statuses, [201, 201, 201, 201, 429, 429]);
    // Reading and searching are not limited.
    let messages = app.read(&chats[0]).await["messages"].clone();
    let from_customer = messages
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["author"]["kind"] == "customer")
        .count();
    assert_eq!(from_customer, 4, "the refused sends stored nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_and_bounded() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = baton_e2e::spawn_app_with(
        Backend::Sqlite,
        &[(c::HEADER_TIMEOUT_SECONDS, "1"), (c::MAX_CONNECTIONS, "2")],
    )
    .await;
    let addr = app.url.trim_start_matches("http://").to_string();
    // Two clients that connect and never finish their headers hold both connections.
    let mut idle = Vec::new();
    for _ in 0..2 {
        let mut stream = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        stream
            .write_all(b"GET /api/search?q=a HTTP/1.1\r\n")
            .await
            .expect("write");
        idle.push(stream);
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    let response = app
        .client
        .get(format!("{}/api/search?q=환불", app.url))
        .send()
        .await
        .expect("search");
    assert_eq!(response.status(), 200);
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(500),
        "the third connection was served at once ({waited:?}): connections are not bounded"
    );
    // The idle ones were closed by the server.
    for mut stream in idle {
        let mut buffer = [0u8; 64];
        // The server ends the connection (EOF or a reset) instead of waiting for the rest.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buffer))
            .await
            .expect("closed within the header timeout");
    }
}

#[tokio::test]
async fn health_fails_when_the_database_is_full() {
    let app = baton_e2e::spawn_app_with(Backend::Sqlite, &[(c::DB_MAX_MB, "1")]).await;
    let health = |app: &TestApp| {
        app.client
            .get(format!("{}/api/operator/health", app.url))
            .bearer_auth(MINJI)
            .send()
    };
    assert_eq!(health(&app).await.expect("health").status(), 204);
    let chat = app.start("c1", "ko").await;
    let filler = "가".repeat(1300);
    let mut last = 0;
    for i in 0..2000 {
        let (status, body) = app.send(&chat, &filler, Some(&format!("fill-{i}"))).await;
        last = status;
        if status != 201 {
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (503, Some("unavailable")),
                "{body}"
            );
            break;
        }
    }
    assert_eq!(last, 503, "the cap never took effect");
    let response = health(&app).await.expect("health");
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
}

/// The signing examples in `docs/identity.md`, run as a site's server would, make tokens Baton
/// verifies.
#[tokio::test]
async fn the_documented_node_and_python_signers_make_verified_customers() {
    let app = baton_e2e::spawn_app(Backend::Sqlite).await;
    let examples = baton_e2e::repo_root().join("docs/examples/identity");
    for (program, script) in [("node", "sign.mjs"), ("python3", "sign.py")] {
        let output = std::process::Command::new(program)
            .arg(examples.join(script))
            .args([
                baton_e2e::SITE_SECRET,
                &format!("{program}-customer"),
                "김민지",
            ])
            .output()
            .unwrap_or_else(|e| panic!("{program} is needed for this test: {e}"));
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let token = String::from_utf8(output.stdout).expect("utf-8");
        let (status, body) = app
            .start_with(serde_json::json!({"identity_token": token.trim()}))
            .await;
        assert_eq!(status, 201, "{script}: {body}");
        let chat = baton_e2e::Chat {
            id: body["conversation"]["id"].as_str().expect("id").into(),
            secret: body["secret"].as_str().expect("secret").into(),
        };
        let case = app.ask_for_a_person(&chat).await;
        let (_, view) = app.operator_get(MINJI, &format!("/cases/{case}")).await;
        assert_eq!(
            view["case"]["customer"]["verified"], true,
            "{script}: {view}"
        );
        assert_eq!(
            view["case"]["customer"]["id"],
            format!("{program}-customer")
        );
        assert_eq!(view["case"]["customer"]["name"], "김민지");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_business_hours_the_customer_learns_when_people_answer_and_urgent_still_alerts() {
    let hook = WebhookReceiver::start().await;
    // Open every day, but today and tomorrow (Seoul) are holidays: people answer from the day
    // after tomorrow at 00:00 Seoul time.
    let seoul_day = |offset_days: i64| {
        let at = (desk::model::now() + 9 * 3_600_000) / 86_400_000 + offset_days;
        let date = time::Date::from_julian_day(2_440_588 + at as i32).expect("date");
        (date, (at * 86_400_000) - 9 * 3_600_000)
    };
    let (today, _) = seoul_day(0);
    let (tomorrow, _) = seoul_day(1);
    let (_, back_at) = seoul_day(2);
    let holidays = format!("{today},{tomorrow}");
    let app = baton_e2e::spawn_app_with(
        Backend::Sqlite,
        &[
            (c::HOURS, "mon-sun 00:00-24:00"),
            (c::HOLIDAYS, &holidays),
            (c::ALERT_WEBHOOK_URL, &hook.url),
            (c::ALERT_FORMAT, "slack"),
        ],
    )
    .await;
    let chat = app.start("c1", "ko").await;
    assert_eq!(
        app.read(&chat).await["attention"]["away"],
        false,
        "the bot is always there"
    );
    app.ask_for_a_person(&chat).await;
    let attention = app.read(&chat).await["attention"].clone();
    assert_eq!(attention["away"], true, "{attention}");
    assert_eq!(attention["back_at"], back_at, "{attention}");

    let urgent = app.start("c2", "ko").await;
    app.send(&urgent, "송금했는데 안 들어왔어요", None).await;
    assert_eq!(
        wait_for(&hook, 1).await.len(),
        1,
        "urgent cases alert at any hour"
    );
}
