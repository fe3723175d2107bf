// The desk's flows over real HTTP, the same on every backend: a server on a free port with a
// fresh store per test. Included by `mod.rs` once per backend, whose `spawn_app` picks the store.

use baton_e2e::{JUNHO, MINJI};
use serde_json::{Value, json};

#[tokio::test]
async fn a_korean_question_is_answered_with_the_right_citation() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let (status, body) = app.send(&chat, "비밀번호 변경이 안 돼요", Some("k1")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["reply"]["links"][0]["guide"], "ko/account/password-reset",
        "{body}"
    );
    assert_eq!(
        body["reply"]["quick_replies"],
        json!(["해결됐어요", "도움이 안 됐어요", "상담원 연결"])
    );
    // The customer never sees the bot's internals.
    assert!(body["reply"].get("bot").is_none());
}

#[tokio::test]
async fn an_english_question_is_answered_with_the_right_citation() {
    let app = spawn_app().await;
    let chat = app.start("c1", "en").await;
    let (_, body) = app
        .send(&chat, "How do I connect my own domain to my store?", None)
        .await;
    assert_eq!(
        body["reply"]["links"][0]["guide"], "en/store/custom-domain",
        "{body}"
    );
}

#[tokio::test]
async fn asking_for_a_person_creates_a_case_with_transcript_and_attempts() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    app.send(&chat, "정산 계좌 바꾸는 법", None).await;
    let (_, body) = app.send(&chat, "상담원 연결", None).await;
    assert_eq!(body["case_status"], "open", "{body}");
    let queue = app.queue().await;
    assert_eq!(queue.len(), 1);
    let id = queue[0]["id"].as_str().expect("id");
    let (status, view) = app.operator_get(MINJI, &format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(view["transcript"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        view["attempts"][0]["hits"][0]["guide"], "ko/transfers/settlement-account",
        "{view}"
    );
    assert_eq!(view["case"]["reason"]["code"], "human_requested");
    assert_eq!(view["case"]["metadata"]["page"], "/dashboard");
}

#[tokio::test]
async fn an_urgent_message_creates_an_urgent_case_at_the_head_of_the_queue() {
    let app = spawn_app().await;
    let calm = app.start("c1", "ko").await;
    app.send(&calm, "상담원 연결", None).await;
    let urgent = app.start("c2", "ko").await;
    let (_, body) = app.send(&urgent, "결제 오류가 계속 나요", None).await;
    assert_eq!(body["case_status"], "open");
    let queue = app.queue().await;
    assert_eq!(queue[0]["conversation_id"], urgent.id.as_str());
    assert_eq!(queue[0]["priority"], "urgent");
    assert_eq!(
        queue[0]["reason"],
        json!({"code": "urgent", "kind": "payment_failed"})
    );
    assert_eq!(queue[1]["conversation_id"], calm.id.as_str());
}

#[tokio::test]
async fn two_operators_claim_at_once_one_200_one_409() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let id = app.ask_for_a_person(&chat).await;
    let path = format!("/cases/{id}/claim");
    let (a, b) = tokio::join!(
        app.operator_post(MINJI, &path, json!({})),
        app.operator_post(JUNHO, &path, json!({}))
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    let loser = if a.0 == 409 { &a.1 } else { &b.1 };
    assert_eq!(loser["error"]["code"], "conflict");
    assert!(
        loser["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("is held by")),
        "{loser}"
    );
    // Who holds it is visible in the queue.
    let holder = app.queue().await[0]["assignee"]
        .as_str()
        .map(str::to_string);
    assert!(matches!(holder.as_deref(), Some("minji" | "junho")));
}

#[tokio::test]
async fn an_operator_reply_shows_in_the_customers_conversation() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let id = app.ask_for_a_person(&chat).await;
    let (status, _) = app
        .operator_post(
            MINJI,
            &format!("/cases/{id}/reply"),
            json!({"text": "안녕하세요, 민지입니다. 확인해 볼게요."}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, later) = app.send(&chat, "네 감사합니다", None).await;
    assert!(
        later.get("reply").is_none(),
        "the bot stays silent: {later}"
    );
    let conversation = app.read(&chat).await;
    let messages = conversation["messages"].as_array().expect("messages");
    let operator: Vec<&Value> = messages
        .iter()
        .filter(|m| m["author"]["kind"] == "operator")
        .collect();
    assert_eq!(operator.len(), 1);
    assert_eq!(operator[0]["author"]["name"], "minji");
    assert_eq!(
        operator[0]["text"],
        "안녕하세요, 민지입니다. 확인해 볼게요."
    );
}

#[tokio::test]
async fn a_write_after_resolve_reopens_the_case() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let id = app.ask_for_a_person(&chat).await;
    let (status, resolved) = app
        .operator_post(MINJI, &format!("/cases/{id}/resolve"), json!({"note": "안내 완료", "category": "billing_payment", "follow_up": "guide: 정산 계좌 변경 후 보류 기간"}))
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["status"], "resolved");
    assert!(app.queue().await.is_empty());
    let (_, body) = app.send(&chat, "아직도 안 바뀌었어요", None).await;
    assert_eq!(body["case_status"], "open");
    let queue = app.queue().await;
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["id"], id.as_str());
    assert_eq!(queue[0]["reopened"], 1);
}

#[tokio::test]
async fn the_same_hand_off_twice_is_one_case() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    for _ in 0..3 {
        let response = app
            .client
            .post(format!("{}/api/conversations/{}/handoff", app.url, chat.id))
            .bearer_auth(&chat.secret)
            .send()
            .await
            .expect("handoff");
        assert_eq!(response.status(), 200);
    }
    app.send(&chat, "상담원 연결", None).await;
    assert_eq!(app.queue().await.len(), 1);
}

#[tokio::test]
async fn personal_data_is_masked_in_the_stored_case() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    app.send(
        &chat,
        "상담원 연결해 주세요. 제 번호는 010-9876-5432, 계좌는 국민 123-45-6789012 입니다",
        None,
    )
    .await;
    let id = app.queue().await[0]["id"].as_str().expect("id").to_string();
    let (_, view) = app.operator_get(MINJI, &format!("/cases/{id}")).await;
    let stored = view.to_string();
    for raw in ["010-9876-5432", "123-45-6789012", "010-1234-5678"] {
        assert!(!stored.contains(raw), "{raw} stored unmasked");
    }
    assert!(
        stored.contains("[phone ****5432]") && stored.contains("[account ****9012]"),
        "{stored}"
    );
    // On SQLite, the database file itself holds no raw number either.
    if let Some(db) = &app.db {
        let bytes = std::fs::read(db).expect("db");
        let wal = std::fs::read(db.with_extension("db-wal")).unwrap_or_default();
        for raw in ["010-9876-5432", "123-45-6789012"] {
            let needle = raw.as_bytes();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle)
                    && !wal.windows(needle.len()).any(|w| w == needle),
                "{raw} in the database file"
            );
        }
    }
}

#[tokio::test]
async fn operator_routes_need_a_known_token() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/api/operator/queue", app.url))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = app.operator_get("not-a-token", "/queue").await;
    assert_eq!(status, 401);
    // A conversation secret is not an operator token.
    let chat = app.start("c1", "ko").await;
    let (status, _) = app.operator_get(&chat.secret, "/queue").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn another_conversations_secret_is_404() {
    let app = spawn_app().await;
    let mine = app.start("c1", "ko").await;
    let theirs = app.start("c2", "ko").await;
    let response = app
        .client
        .get(format!("{}/api/conversations/{}", app.url, theirs.id))
        .bearer_auth(&mine.secret)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 404);
    let (status, body) = app
        .send(
            &baton_e2e::Chat {
                id: theirs.id.clone(),
                secret: mine.secret.clone(),
            },
            "hi",
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let response = app
        .client
        .get(format!("{}/api/conversations/{}", app.url, theirs.id))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn bad_requests_get_clear_errors_and_lose_nothing() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let url = format!("{}/api/conversations/{}/messages", app.url, chat.id);
    let send_raw = |body: String| {
        app.client
            .post(&url)
            .bearer_auth(&chat.secret)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    let response = send_raw("{\"text\": ".into()).await.expect("send");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.expect("json")["error"]["code"],
        "invalid_json"
    );
    let response = send_raw("{\"txt\": \"hi\"}".into()).await.expect("send");
    assert_eq!(response.status(), 400);
    let (status, body) = app.send(&chat, "   ", None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid"))
    );
    let (status, body) = app.send(&chat, &"가".repeat(1500), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("too_large"))
    );
    let response = send_raw(format!("{{\"text\": \"{}\"}}", "a".repeat(40_000)))
        .await
        .expect("send");
    assert_eq!(response.status(), 413);
    let (status, body) = app
        .operator_post(MINJI, "/cases/case_01JAAAAAAAAAAAAAAAAAAAAAAA/claim", json!({}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let response = app
        .client
        .get(format!("{}/api/search", app.url))
        .send()
        .await
        .expect("search");
    assert_eq!(response.status(), 400);
    // None of the refused sends left a message behind.
    assert_eq!(
        app.read(&chat).await["messages"].as_array().map(Vec::len),
        Some(0)
    );
}

#[tokio::test]
async fn a_resend_with_the_same_key_is_deduplicated() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let (first_status, first) = app.send(&chat, "쿠폰 만드는 법", Some("send-1")).await;
    let (again_status, again) = app.send(&chat, "쿠폰 만드는 법", Some("send-1")).await;
    assert_eq!((first_status, again_status), (201, 200));
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["message"]["id"], first["message"]["id"]);
    assert_eq!(again["reply"]["id"], first["reply"]["id"]);
    assert_eq!(
        app.read(&chat).await["messages"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn search_answers_over_http() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/api/search", app.url))
        .query(&[("q", "환불 기간"), ("limit", "3")])
        .send()
        .await
        .expect("search");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["hits"][0]["id"], "ko/payments/refund", "{body}");
    assert!(body["hits"].as_array().is_some_and(|h| h.len() <= 3));
    // Only what a page shows: no scores, coverage or file paths; the snippet as text runs.
    for internal in ["score", "coverage", "path", "translation"] {
        assert!(body["hits"][0].get(internal).is_none(), "{internal} sent: {body}");
    }
    assert!(body["hits"][0]["sections"][0].get("score").is_none(), "{body}");
    let runs = body["hits"][0]["sections"][0]["snippet"]
        .as_array()
        .expect("a snippet on the best section");
    assert_eq!(runs.len() % 2, 1, "plain and marked runs alternate: {body}");
    assert!(
        runs.iter().skip(1).step_by(2).any(|r| r.as_str().is_some_and(|r| r.contains("환불"))),
        "{body}"
    );
}


#[tokio::test]
async fn article_feedback_is_recorded_masked_and_unknown_guides_are_refused() {
    let app = spawn_app().await;
    let post = |body: Value| {
        let client = app.client.clone();
        let url = format!("{}/api/feedback", app.url);
        async move { client.post(url).json(&body).send().await.expect("send").status().as_u16() }
    };
    let search = "환불 010-9876-5432";
    assert_eq!(
        post(json!({"guide": "ko/payments/refund", "helpful": false, "lang": "ko", "search": search})).await,
        204
    );
    assert_eq!(post(json!({"guide": "ko/nope", "helpful": true})).await, 400);
    assert_eq!(post(json!({"guide": "ko/payments/refund", "helpful": "no"})).await, 400);
    assert_eq!(post(json!({"guide": "ko/payments/refund", "helpful": true, "x": 1})).await, 400);
    let raw = app.raw_store().await;
    let needle = b"010-9876-5432";
    assert!(
        !raw.windows(needle.len()).any(|w| w == needle),
        "the reader's number is stored masked"
    );
    let found = b"article_feedback";
    assert!(raw.windows(found.len()).any(|w| w == found), "the event is stored");
}

#[tokio::test]
async fn operators_see_each_other_in_a_case_and_the_customer_sees_who_joined_and_typing() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let id = app.ask_for_a_person(&chat).await;
    let attention = &app.read(&chat).await["attention"];
    assert_eq!(
        (attention.get("operator"), &attention["typing"]),
        (None, &json!(false)),
        "nobody has joined yet: {attention}"
    );

    let presence = format!("/cases/{id}/presence");
    let (status, body) = app
        .operator_post(JUNHO, &presence, json!({"activity": "viewing"}))
        .await;
    assert_eq!(status, 200, "{body}");
    app.operator_post(MINJI, &format!("/cases/{id}/claim"), json!({}))
        .await;
    let (_, body) = app
        .operator_post(MINJI, &presence, json!({"activity": "typing"}))
        .await;
    let present: Vec<(&str, &str)> = body["presence"]
        .as_array()
        .expect("presence")
        .iter()
        .map(|p| {
            (
                p["operator"].as_str().unwrap_or(""),
                p["activity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(present, [("minji", "typing"), ("junho", "viewing")]);
    let (_, case) = app.operator_get(JUNHO, &format!("/cases/{id}")).await;
    assert_eq!(case["presence"][0]["operator"], "minji", "{case}");

    let attention = &app.read(&chat).await["attention"];
    assert_eq!(attention["operator"], "minji");
    assert_eq!(attention["typing"], true);
    app.operator_post(MINJI, &presence, json!({"activity": "viewing"}))
        .await;
    assert_eq!(app.read(&chat).await["attention"]["typing"], false);

    for (body, code) in [
        (json!({"activity": "dancing"}), 400),
        (json!({"activity": "viewing", "as": "junho"}), 400),
    ] {
        let (status, _) = app.operator_post(MINJI, &presence, body).await;
        assert_eq!(status, code);
    }
    let (status, _) = app
        .operator_post(
            MINJI,
            "/cases/case_01JAAAAAAAAAAAAAAAAAAAAAAA/presence",
            json!({"activity": "viewing"}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_screenshot_travels_cleaned_from_the_customer_to_the_operator() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let png = std::fs::read(baton_e2e::repo_root().join("tests/fixtures/screenshot-with-metadata.png"))
        .expect("fixture");
    let upload = |chat: &baton_e2e::Chat, bytes: Vec<u8>, key: &str| {
        app.client
            .post(format!("{}/api/conversations/{}/attachments", app.url, chat.id))
            .bearer_auth(&chat.secret)
            .header("content-type", "image/png")
            .header("idempotency-key", key)
            .body(bytes)
            .send()
    };
    let response = upload(&chat, png.clone(), "shot-1").await.expect("upload");
    assert_eq!(response.status(), 201);
    let sent: Value = response.json().await.expect("json");
    let attachment = sent["message"]["attachments"][0].clone();
    assert_eq!(attachment["type"], "image/png", "{sent}");
    assert_eq!((attachment["width"].as_u64(), attachment["height"].as_u64()), (Some(64), Some(40)));
    assert!(sent.get("reply").is_none(), "the bot does not answer a picture: {sent}");
    // A retry of the same upload is the same message.
    let again = upload(&chat, png.clone(), "shot-1").await.expect("upload");
    assert_eq!(again.status(), 200);
    assert_eq!(app.read(&chat).await["messages"].as_array().map(Vec::len), Some(1));

    let att = attachment["id"].as_str().expect("id");
    let stored = app
        .client
        .get(format!("{}/api/conversations/{}/attachments/{att}", app.url, chat.id))
        .bearer_auth(&chat.secret)
        .send()
        .await
        .expect("read attachment");
    assert_eq!(stored.status(), 200);
    assert_eq!(stored.headers()["content-type"], "image/png");
    assert_eq!(stored.headers()["x-content-type-options"], "nosniff");
    let bytes = stored.bytes().await.expect("bytes");
    assert_eq!(bytes.len() as u64, attachment["size"].as_u64().expect("size"));
    for secret in ["GPS", "Minji", "010-1234", "SM-S928N"] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} survived"
        );
    }

    let id = app.ask_for_a_person(&chat).await;
    let (_, case) = app.operator_get(MINJI, &format!("/cases/{id}")).await;
    assert_eq!(case["transcript"][0]["attachments"][0]["id"], att, "{case}");
    let seen = app
        .client
        .get(format!("{}/api/operator/cases/{id}/attachments/{att}", app.url))
        .bearer_auth(MINJI)
        .send()
        .await
        .expect("operator reads");
    assert_eq!(seen.status(), 200);
    assert_eq!(seen.bytes().await.expect("bytes"), bytes);

    // Nobody else reads it: not another conversation's secret, not through another conversation.
    let other = app.start("c2", "ko").await;
    for (chat_id, secret) in [(&chat.id, &other.secret), (&other.id, &other.secret)] {
        let status = app
            .client
            .get(format!("{}/api/conversations/{chat_id}/attachments/{att}", app.url))
            .bearer_auth(secret)
            .send()
            .await
            .expect("read")
            .status();
        assert_eq!(status, 404);
    }
    // Not an image, or too large: refused, and nothing is posted.
    let svg = upload(&other, b"<svg onload=alert(1)>".to_vec(), "svg").await.expect("svg");
    assert_eq!(svg.status(), 400);
    let huge = upload(&other, vec![0; 6 * 1024 * 1024], "huge").await.expect("huge");
    assert_eq!(huge.status(), 413);
    assert_eq!(app.read(&other).await["messages"].as_array().map(Vec::len), Some(0));
}

/// A customer POST with their secret; returns status and body.
async fn customer_post(app: &baton_e2e::TestApp, chat: &baton_e2e::Chat, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/conversations/{}{path}", app.url, chat.id))
        .bearer_auth(&chat.secret)
        .json(&body)
        .send()
        .await
        .expect("post");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_resolved_case_is_rated_once_masked_and_again_after_it_reopens() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let id = app.ask_for_a_person(&chat).await;
    let (status, _) = customer_post(&app, &chat, "/rating", json!({"score": 5})).await;
    assert_eq!(status, 409, "an open case is not rated yet");
    app.operator_post(MINJI, &format!("/cases/{id}/resolve"), json!({"note": "안내 완료"}))
        .await;
    assert_eq!(app.read(&chat).await["attention"]["rated"], false);
    for (body, code) in [
        (json!({"score": 0}), 400),
        (json!({"score": 6}), 400),
        (json!({"score": "5"}), 400),
        (json!({"score": 4, "stars": 4}), 400),
    ] {
        let (status, _) = customer_post(&app, &chat, "/rating", body.clone()).await;
        assert_eq!(status, code, "{body}");
    }
    let (status, rating) = customer_post(
        &app,
        &chat,
        "/rating",
        json!({"score": 4, "comment": "빨리 해결됐어요. 010-9876-5432로 연락 주세요"}),
    )
    .await;
    assert_eq!(status, 201, "{rating}");
    assert_eq!(rating["score"], 4);
    assert!(!rating.to_string().contains("9876-5432"), "masked: {rating}");
    let (status, _) = customer_post(&app, &chat, "/rating", json!({"score": 1})).await;
    assert_eq!(status, 409, "once per resolution");
    assert_eq!(app.read(&chat).await["attention"]["rated"], true);
    let (_, case) = app.operator_get(MINJI, &format!("/cases/{id}")).await;
    assert_eq!(case["case"]["rating"]["score"], 4, "{case}");

    // A new message reopens it; resolved again, it can be rated again.
    app.send(&chat, "하나 더 물어볼게요", None).await;
    app.operator_post(MINJI, &format!("/cases/{id}/resolve"), json!({})).await;
    let (status, _) = customer_post(&app, &chat, "/rating", json!({"score": 5})).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_verified_customer_finds_their_open_conversation_on_another_device() {
    let app = spawn_app().await;
    let token = baton_e2e::identity_token("user-4417");
    let (status, started) = app
        .start_with(json!({"identity_token": token, "locale": "ko"}))
        .await;
    assert_eq!(status, 201, "{started}");
    let laptop = baton_e2e::Chat {
        id: started["conversation"]["id"].as_str().expect("id").into(),
        secret: started["secret"].as_str().expect("secret").into(),
    };
    let resume = |token: String| {
        app.client
            .post(format!("{}/api/conversations/resume", app.url))
            .json(&json!({"identity_token": token}))
            .send()
    };
    // Nothing to resume while the bot has it: the phone starts its own conversation.
    assert_eq!(resume(token.clone()).await.expect("resume").status(), 404);
    let id = app.ask_for_a_person(&laptop).await;

    let response = resume(token.clone()).await.expect("resume");
    assert_eq!(response.status(), 200);
    let resumed: Value = response.json().await.expect("json");
    assert_eq!(resumed["conversation"]["id"], laptop.id.as_str());
    let phone = baton_e2e::Chat {
        id: laptop.id.clone(),
        secret: resumed["secret"].as_str().expect("secret").into(),
    };
    assert_ne!(phone.secret, laptop.secret);
    let (status, _) = app.send(&phone, "폰으로 이어서 쓸게요", None).await;
    assert_eq!(status, 201);
    // Both devices read the same conversation.
    for device in [&laptop, &phone] {
        let messages = app.read(device).await["messages"].clone();
        assert!(messages.to_string().contains("폰으로 이어서"), "{messages}");
    }

    // Nobody else gets in: another customer's token, a forged one, an unverified start.
    let other = baton_e2e::identity_token("user-9999");
    assert_eq!(resume(other).await.expect("resume").status(), 404);
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(resume(forged).await.expect("resume").status(), 401);
    let (_, unverified) = app
        .start_with(json!({"customer": {"id": "user-4417"}, "locale": "ko"}))
        .await;
    assert_ne!(unverified["conversation"]["id"], laptop.id.as_str());
    // Once resolved there is nothing open to find.
    app.operator_post(MINJI, &format!("/cases/{id}/resolve"), json!({})).await;
    assert_eq!(resume(token).await.expect("resume").status(), 404);
}

#[tokio::test]
async fn an_operator_reopens_a_resolved_case_for_a_follow_up() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let id = app.ask_for_a_person(&chat).await;
    let reopen = format!("/cases/{id}/reopen");
    let (status, _) = app.operator_post(MINJI, &reopen, json!({})).await;
    assert_eq!(status, 409, "an open case is not reopened");
    app.operator_post(MINJI, &format!("/cases/{id}/resolve"), json!({}))
        .await;
    let (status, case) = app.operator_post(JUNHO, &reopen, json!({})).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(
        (&case["status"], &case["assignee"], &case["reopened"]),
        (&json!("claimed"), &json!("junho"), &json!(1))
    );
    assert_eq!(app.read(&chat).await["conversation"]["state"], "human");
    assert!(app.queue().await.iter().any(|c| c["id"] == id.as_str()));
}

#[tokio::test]
async fn settled_and_api_searches_are_recorded_masked_with_what_the_desk_found() {
    let app = spawn_app().await;
    let report = |body: Value| {
        app.client
            .post(format!("{}/api/feedback/search", app.url))
            .json(&body)
            .send()
    };
    for body in [
        json!({"q": "qqqzzzxv 010-2345-6789", "lang": "ko"}),
        json!({"q": "환불", "lang": "ko"}),
    ] {
        assert_eq!(report(body).await.expect("report").status(), 204);
    }
    for (body, code) in [
        (json!({"q": "  "}), 400),
        (json!({"q": "x", "page": 1}), 400),
        (json!({"query": "x"}), 400),
    ] {
        assert_eq!(report(body.clone()).await.expect("report").status(), code, "{body}");
    }
    // As the reader types: not recorded; an API search: recorded.
    for (q, typing) in [("비밀번호변경중간", true), ("비밀번호 재설정", false)] {
        let status = app
            .client
            .get(format!("{}/api/search", app.url))
            .query(&[("q", q), ("typing", if typing { "true" } else { "false" })])
            .send()
            .await
            .expect("search")
            .status();
        assert_eq!(status, 200);
    }
    let store = app.raw_store().await;
    // DynamoDB's dump escapes the JSON it holds; SQLite's does not.
    let text = String::from_utf8_lossy(&store).replace('\\', "");
    assert!(text.contains("\"search\"") && text.contains("qqqzzzxv"), "the search is recorded: {text}");
    assert!(!text.contains("2345-6789"), "masked");
    assert!(text.contains("환불"), "a settled search that finds guides is recorded too");
    assert!(text.contains("비밀번호 재설정") && text.contains("\"api\""), "an API search is recorded");
    assert!(!text.contains("비밀번호변경중간"), "a search as the reader types is not");
}

#[tokio::test]
async fn an_upload_is_begun_sent_and_completed_once() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let png = std::fs::read(baton_e2e::repo_root().join("tests/fixtures/screenshot-with-metadata.png"))
        .expect("fixture");
    let (status, upload) = customer_post(&app, &chat, "/uploads", json!({})).await;
    assert_eq!(status, 201, "{upload}");
    assert!(upload.get("url").is_none(), "baton serve takes the bytes itself: {upload}");
    let id = upload["id"].as_str().expect("id");
    let complete = format!("/uploads/{id}/complete");
    let (status, _) = customer_post(&app, &chat, &complete, json!({})).await;
    assert_eq!(status, 404, "nothing was sent yet");
    let put = |secret: &str, bytes: Vec<u8>| {
        app.client
            .put(format!("{}/api/conversations/{}/uploads/{id}", app.url, chat.id))
            .bearer_auth(secret)
            .body(bytes)
            .send()
    };
    let other = app.start("c2", "ko").await;
    assert_eq!(put(&other.secret, png.clone()).await.expect("put").status(), 404);
    assert_eq!(put(&chat.secret, png.clone()).await.expect("put").status(), 204);
    let (status, sent) = customer_post(&app, &chat, &complete, json!({})).await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["message"]["attachments"][0]["id"], id);
    let (status, again) = customer_post(&app, &chat, &complete, json!({})).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["message"]["id"], sent["message"]["id"]);
    assert_eq!(app.read(&chat).await["messages"].as_array().map(Vec::len), Some(1));

    // Bytes that are not an image are refused at completion, and leave nothing behind.
    let (_, upload) = customer_post(&app, &chat, "/uploads", json!({})).await;
    let id = upload["id"].as_str().expect("id").to_string();
    let response = app
        .client
        .put(format!("{}/api/conversations/{}/uploads/{id}", app.url, chat.id))
        .bearer_auth(&chat.secret)
        .body("<svg onload=alert(1)>")
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 204);
    let (status, _) = customer_post(&app, &chat, &format!("/uploads/{id}/complete"), json!({})).await;
    assert_eq!(status, 400);
    let (status, _) = customer_post(&app, &chat, &format!("/uploads/{id}/complete"), json!({})).await;
    assert_eq!(status, 404, "the refused bytes are gone");
}
