//! Feature requests that come back answered, over real HTTP on both stores, with the mail they
//! send caught by a real SMTP sink: asks from the board and a chat, grouped for the team,
//! triaged, shipped; each customer told once, in their channel, under Baton's own subject.

use std::time::Duration;

use baton_e2e::{Backend, MINJI};
use desk::mail::{Limits, parse};
use serde_json::json;

use super::board::{GUEST, board_app, inquiry, post, until};

/// Feature requests that come back answered: asks from the board (one customer twice) and a
/// chat, grouped for the team, triaged, shipped: each customer told once, in their channel.
async fn feature_requests_come_back_answered(backend: Backend) {
    let (app, sink) = board_app(backend).await;
    let mut asks = Vec::new();
    for (title, text) in [
        (
            "다크 모드 지원",
            "다크 모드를 지원해 주세요. 밤에 화면이 너무 밝아요.",
        ),
        ("다크 모드 언제", "다크 모드는 언제 지원되나요?"),
    ] {
        let mut body = inquiry(GUEST, title, text);
        body["category"] = json!("feature_request");
        body["area"] = json!("store");
        let (status, left) = post(&app, "/api/board/inquiries", None, body).await;
        assert_eq!(status, 201, "{left}");
        asks.push(left["inquiry"]["id"].as_str().expect("id").to_string());
    }
    // A chat customer asks a person for it; the operator files it as a feature request.
    let chat = app.start("c-dark", "ko").await;
    let (status, _) = app
        .send(&chat, "다크 모드 기능 추가해 주세요", Some("k1"))
        .await;
    assert_eq!(status, 201);
    let case_id = app.ask_for_a_person(&chat).await;
    let (status, body) = app
        .operator_post(
            MINJI,
            &format!("/cases/{case_id}/resolve"),
            json!({"note": "기능 요청으로 전달", "category": "feature_request"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    asks.push(chat.id.clone());

    // The team's list: the asks, not yet triaged, grouped.
    let (status, list) = app.operator_get(MINJI, "/feature-requests").await;
    assert_eq!(status, 200, "{list}");
    let listed: Vec<&str> = list["untriaged"]
        .as_array()
        .expect("untriaged")
        .iter()
        .flat_map(|g| g["asks"].as_array().into_iter().flatten())
        .filter_map(|a| a["conversation_id"].as_str())
        .collect();
    for id in &asks {
        assert!(listed.contains(&id.as_str()), "{id} is listed: {list}");
    }

    // Triaged into one request: planned tells nobody.
    let (status, planned) = app
        .operator_post(
            MINJI,
            "/feature-requests",
            json!({"title": "다크 모드", "status": "planned", "area": "store", "add": asks}),
        )
        .await;
    assert_eq!(status, 200, "{planned}");
    assert_eq!(planned["told_now"], 0);
    assert_eq!(
        planned["request"]["customers"], 2,
        "the guest asked twice: one customer"
    );
    let id = planned["request"]["id"].as_str().expect("id").to_string();
    let (_, list) = app.operator_get(MINJI, "/feature-requests").await;
    assert!(
        list["untriaged"]
            .as_array()
            .expect("untriaged")
            .iter()
            .all(|g| g["asks"]
                .as_array()
                .expect("asks")
                .iter()
                .all(|a| !asks.contains(&a["conversation_id"].as_str().unwrap_or("").to_string()))),
        "triaged asks leave the untriaged list: {list}"
    );

    // Shipping needs the words customers are told; declining needs a reason.
    let (status, _) = app
        .operator_post(
            MINJI,
            "/feature-requests",
            json!({"id": id, "status": "shipped"}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = app
        .operator_post(
            MINJI,
            "/feature-requests",
            json!({"title": "x", "status": "declined", "announcement": {"ko": "안 해요"}}),
        )
        .await;
    assert_eq!(status, 400);

    // Shipped: the guest is told once (on the board and by mail), the chat customer in the chat.
    let announcement = "다크 모드가 출시됐어요. 설정 > 화면에서 켤 수 있어요.";
    let shipped = json!({"id": id, "status": "shipped", "announcement": {"ko": announcement, "en": "Dark mode is here."}});
    let (status, told) = app
        .operator_post(MINJI, "/feature-requests", shipped.clone())
        .await;
    assert_eq!(status, 200, "{told}");
    assert_eq!(told["told_now"], 2, "{told}");
    assert_eq!(told["request"]["told"], 2);
    let mail = until(|| {
        sink.texts_to(GUEST)
            .into_iter()
            .find(|t| t.contains("다크 모드가 출시됐어요"))
    })
    .await;
    assert!(mail.contains("/ko/inquiries.html"), "{mail}");
    // Baton's own subject, never the customer's words.
    let subject = sink
        .taken
        .lock()
        .expect("sink")
        .iter()
        .map(|(_, raw)| parse(raw, &Limits::default()).expect("a mail"))
        .find(|m| m.text.contains("다크 모드가 출시됐어요"))
        .map(|m| m.subject)
        .expect("the announcement");
    assert!(subject.starts_with("요청하신 기능 소식 [#"), "{subject}");
    let transcript = app.read(&chat).await;
    let said: Vec<&str> = transcript["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["text"].as_str())
        .filter(|t| *t == announcement)
        .collect();
    assert_eq!(
        said.len(),
        1,
        "the chat customer reads it once: {transcript}"
    );
    // Shipped again (a second click, another operator): nobody is told twice.
    let (status, again) = app.operator_post(MINJI, "/feature-requests", shipped).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["told_now"], 0);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails = sink
        .texts_to(GUEST)
        .into_iter()
        .filter(|t| t.contains("다크 모드가 출시됐어요"))
        .count();
    assert_eq!(mails, 1, "one mail to the guest who asked twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feature_requests_come_back_answered_on_sqlite() {
    feature_requests_come_back_answered(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feature_requests_come_back_answered_on_dynamodb() {
    feature_requests_come_back_answered(Backend::Dynamo).await;
}
