// What the desk promises a fintech team, over real HTTP on every backend: personal data never
// stored, verified customers, escalation after hand-off, a paged queue, JSON errors at the edges.
// Included by `mod.rs` once per backend, whose `spawn_app` picks the store.

// `flows.rs`, included beside this file, imports `MINJI`, `Value` and `json`.
use baton_e2e::{Chat, identity_token};

/// Numbers as customers (and attackers) type them, each with the digits that must never be
/// stored; every defect of the issue that found the old masker is one of them.
const PERSONAL: &[(&str, &str)] = &[
    ("주민번호 900101-1234567 9001012234567 둘 다 제 거예요", "9001011234567"),
    ("주민번호 900101-1234567 9001012234567 둘 다 제 거예요", "9001012234567"),
    ("카드 4111 1111 1111 1111 123 으로 결제", "4111111111111111"),
    ("주민 850505-1234568 010-2345-6789 로 연락 주세요", "8505051234568"),
    ("주민 850505-1234568 010-2345-6789 로 연락 주세요", "01023456789"),
    ("010-2222-3333 2시에 전화 주세요", "01022223333"),
    ("전화 ０１０－３３３３－４４４４ 입니다", "01033334444"),
    ("번호 010\u{200b}-5555\u{200d}-6666 이요", "01055556666"),
    ("번호 010.7777.8888 혹은 010–9999–1111", "01077778888"),
    ("번호 010.7777.8888 혹은 010–9999–1111", "01099991111"),
    ("call me at 010 - 1212 - 3434 please", "01012123434"),
    ("국민은행 123456-01-234567 로 보냈어요", "12345601234567"),
    ("my card 5500-0000-0000-0004 exp 12/28 cvc 987", "5500000000000004"),
];

/// The digits of a number as they may appear in stored bytes: as typed, and digits only.
fn leaks(haystack: &[u8], digits: &str) -> bool {
    let needle = digits.as_bytes();
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn personal_data_never_reaches_the_store() {
    let app = spawn_app().await;
    let (status, started) = app
        .start_with(json!({
            "customer": {"id": "shop 9001011234567", "contact": "010-4545-6767", "name": "김민지 010-8989-1010"},
            "metadata": {"page": "/pay?card=4111111111111111", "note": "010 1313 2424"},
            "locale": "ko"
        }))
        .await;
    assert_eq!(status, 201, "{started}");
    let chat = Chat {
        id: started["conversation"]["id"].as_str().expect("id").into(),
        secret: started["secret"].as_str().expect("secret").into(),
    };
    for (i, (text, _)) in PERSONAL.iter().enumerate() {
        let (status, body) = app.send(&chat, text, Some(&format!("key-4111111111111111-{i}"))).await;
        assert!(status == 201 || status == 200, "{status} {body}");
    }
    let id = app.ask_for_a_person(&chat).await;
    let (status, _) = app
        .operator_post(MINJI, &format!("/cases/{id}/notes"), json!({"text": "고객 카드 4012 8888 8888 1881 확인"}))
        .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .operator_post(MINJI, &format!("/cases/{id}/reply"), json!({"text": "010-5656-7878 로 전화드릴게요"}))
        .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .operator_post(MINJI, &format!("/cases/{id}/resolve"), json!({"note": "환불 계좌 110-123-456789", "follow_up": "guide: 카드 4111 1111 1111 1111"}))
        .await;
    assert_eq!(status, 200);

    let stored = app.raw_store().await;
    let mut raw: Vec<&str> = PERSONAL.iter().map(|(_, digits)| *digits).collect();
    raw.extend([
        "9001011234567",
        "01045456767",
        "010-4545-6767",
        "01089891010",
        "4111111111111111",
        "01013132424",
        "4012888888881881",
        "4012 8888 8888 1881",
        "01056567878",
        "110123456789",
        "110-123-456789",
        "key-4111",
    ]);
    for digits in raw {
        assert!(!leaks(&stored, digits), "{digits} reached the store");
    }
    // Also what operators read through the API.
    let (_, view) = app.operator_get(MINJI, &format!("/cases/{id}")).await;
    let shown = view.to_string();
    assert!(!shown.contains("secret_hash"), "the operator view carries the secret's hash");
    for (_, digits) in PERSONAL {
        assert!(!leaks(shown.as_bytes(), digits), "{digits} shown to operators");
    }
    // Order numbers, error codes, amounts and dates pass through for the operator.
    let (_, body) = app
        .send(&chat, "주문번호 20261014-0001234, PAY-1001 오류, 5,000,000원, 2026-10-14", None)
        .await;
    assert_eq!(
        body["message"]["text"],
        "주문번호 20261014-0001234, PAY-1001 오류, 5,000,000원, 2026-10-14"
    );
}

#[tokio::test]
async fn stored_text_is_normalized_and_stripped_of_invisible_controls() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    // NUL, a right-to-left override hiding "exe.", a zero-width space; an emoji ZWJ sequence and
    // a decomposed 한 (ᄒ + ᅡ + ᆫ) that NFC composes.
    let text = "파일\u{0}명 \u{202e}exe.txt\u{202c} 확\u{200b}인 👩\u{200d}💻 \u{1112}\u{1161}\u{11ab}";
    let (status, body) = app.send(&chat, text, None).await;
    assert_eq!(status, 201, "{body}");
    let stored = body["message"]["text"].as_str().expect("text");
    assert_eq!(stored, "파일명 exe.txt 확인 👩\u{200d}💻 한");
}

#[tokio::test]
async fn only_a_signed_customer_is_verified_and_gets_history() {
    let app = spawn_app().await;
    let token = identity_token("shop-42");
    let (status, first) = app.start_with(json!({"identity_token": token, "locale": "ko"})).await;
    assert_eq!(status, 201, "{first}");
    let first = Chat {
        id: first["conversation"]["id"].as_str().expect("id").into(),
        secret: first["secret"].as_str().expect("secret").into(),
    };
    let case = app.ask_for_a_person(&first).await;
    let (status, _) = app
        .operator_post(MINJI, &format!("/cases/{case}/resolve"), json!({"note": "환불 처리 완료"}))
        .await;
    assert_eq!(status, 200);

    // The same customer, signed again: verified, with the earlier case attached.
    let (_, again) = app.start_with(json!({"identity_token": identity_token("shop-42")})).await;
    let again = Chat {
        id: again["conversation"]["id"].as_str().expect("id").into(),
        secret: again["secret"].as_str().expect("secret").into(),
    };
    let second = app.ask_for_a_person(&again).await;
    let (_, view) = app.operator_get(MINJI, &format!("/cases/{second}")).await;
    assert_eq!(view["case"]["customer"]["verified"], true, "{view}");
    assert_eq!(view["case"]["customer"]["id"], "shop-42");
    assert_eq!(view["case"]["history"][0]["id"], case.as_str(), "{view}");
    assert_eq!(view["case"]["history"][0]["resolution"], "환불 처리 완료");

    // Someone who writes that id themselves: unverified, no one's history.
    let (_, spoof) = app.start_with(json!({"customer": {"id": "shop-42"}})).await;
    let spoof = Chat {
        id: spoof["conversation"]["id"].as_str().expect("id").into(),
        secret: spoof["secret"].as_str().expect("secret").into(),
    };
    let spoofed = app.ask_for_a_person(&spoof).await;
    let (_, view) = app.operator_get(MINJI, &format!("/cases/{spoofed}")).await;
    assert_eq!(view["case"]["customer"]["verified"], false, "{view}");
    assert_eq!(view["case"]["customer"]["claimed_id"], "shop-42");
    assert_ne!(view["case"]["customer"]["id"], "shop-42");
    assert_eq!(view["case"]["history"], json!([]), "a spoofed id saw history");

    // A forged, an expired and a garbage token are refused, not quietly made unverified.
    let forged = {
        let mut parts: Vec<String> = identity_token("victim-1").split('.').map(str::to_string).collect();
        parts[2] = identity_token("someone").split('.').nth(2).expect("sig").to_string();
        parts.join(".")
    };
    for token in [forged.as_str(), "not-a-jwt", "e30.e30."] {
        let (status, body) = app.start_with(json!({"identity_token": token})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthorized")), "{body}");
    }
}

#[tokio::test]
async fn an_urgent_message_after_hand_off_escalates_the_case() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let response = app
        .client
        .post(format!("{}/api/conversations/{}/handoff", app.url, chat.id))
        .bearer_auth(&chat.secret)
        .send()
        .await
        .expect("handoff");
    assert_eq!(response.status(), 200);
    let calm = app.start("c2", "ko").await;
    app.ask_for_a_person(&calm).await;
    assert_eq!(app.queue().await[0]["conversation_id"], chat.id.as_str());
    let (status, body) = app
        .send(&chat, "송금했는데 안 들어왔어요. 계정이 해킹당한 것 같아요", None)
        .await;
    assert_eq!((status, body["case_status"].as_str()), (201, Some("open")), "{body}");
    let queue = app.queue().await;
    assert_eq!(queue[0]["conversation_id"], chat.id.as_str());
    assert_eq!(queue[0]["priority"], "urgent", "{queue:?}");
    assert!(queue[0]["escalation"]["kind"].is_string(), "{queue:?}");
}

#[tokio::test]
async fn the_queue_pages_with_a_cursor() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let chat = app.start(&format!("c{i}"), "ko").await;
        ids.push(app.ask_for_a_person(&chat).await);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/queue?limit=3&cursor={}", urlencode(c)),
            None => "/queue?limit=3".into(),
        };
        let (status, page) = app.operator_get(MINJI, &path).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        seen.extend(
            page["cases"]
                .as_array()
                .expect("cases")
                .iter()
                .map(|c| c["id"].as_str().expect("id").to_string()),
        );
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 10, "the cursor does not advance");
    }
    assert_eq!(seen, ids, "every case once, oldest first");
    for bad in ["/queue?cursor=x", "/queue?limit=abc", "/queue?limit=3&unknown=1"] {
        let (status, body) = app.operator_get(MINJI, bad).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid")), "{bad}: {body}");
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn every_error_at_the_edges_is_json_with_nosniff() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let long = format!("/api/search?q={}", "a".repeat(9_000));

    let big = "x".repeat(20_000);
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (app.client.get(format!("{}/api/nowhere", app.url)), 404, "not_found"),
        (app.client.get(format!("{}/api/conversations/{}/messages", app.url, chat.id)), 405, "method_not_allowed"),
        (app.client.delete(format!("{}/api/search", app.url)), 405, "method_not_allowed"),
        (app.client.get(format!("{}{long}", app.url)), 414, "uri_too_long"),
        (app.client.get(format!("{}/api/search?q=a", app.url)).header("x-padding", big.as_str()), 431, "headers_too_large"),
        (app.client.get(format!("{}/api/search?q=a&limit=lots", app.url)), 400, "invalid"),
        (app.client.get(format!("{}/api/conversations/cv_..%2F..%2Fetc", app.url)).bearer_auth(&chat.secret), 400, "invalid"),
        (app.client.post(format!("{}/api/operator/cases/case_x'--/claim", app.url)).bearer_auth(MINJI), 400, "invalid"),
        (app.client.get(format!("{}/api/conversations/cv_01JAAAAAAAAAAAAAAAAAAAAAAA", app.url)).bearer_auth(&chat.secret), 404, "not_found"),
        (app.client.post(format!("{}/api/conversations", app.url)).header("content-type", "application/json").body("{\"nope\": 1}"), 400, "invalid_json"),
        (app.client.post(format!("{}/api/conversations", app.url)).body(vec![b'{'; 20_000]), 413, "too_large"),
    ];
    for (request, status, code) in cases {
        let response = request.send().await.expect("send");
        let got = response.status().as_u16();
        assert_eq!(
            response.headers().get("x-content-type-options").map(|v| v.to_str().unwrap_or("")),
            Some("nosniff"),
            "{got}"
        );
        assert!(
            response
                .headers()
                .get("content-type")
                .is_some_and(|v| v.to_str().unwrap_or("").starts_with("application/json")),
            "{got} is not JSON"
        );
        let body: Value = response.json().await.expect("a JSON body");
        assert_eq!((got, body["error"]["code"].as_str()), (status, Some(code)), "{body}");
    }
}

#[tokio::test]
async fn resends_at_once_all_get_the_one_stored_reply() {
    let app = spawn_app().await;
    let chat = app.start("c1", "ko").await;
    let send = || app.send(&chat, "환불은 어떻게 하나요?", Some("same-send"));
    let (a, b, c, d, e, f) = tokio::join!(send(), send(), send(), send(), send(), send());
    let results = [a, b, c, d, e, f];
    let first = &results[0].1;
    for (status, body) in &results {
        assert!(*status == 201 || *status == 200, "{status} {body}");
        assert_eq!(body["message"]["id"], first["message"]["id"]);
        assert!(body["reply"]["id"].is_string(), "an empty success: {body}");
        assert_eq!(body["reply"]["id"], first["reply"]["id"]);
    }
    assert_eq!(results.iter().filter(|(s, _)| *s == 201).count(), 1);
    assert_eq!(app.read(&chat).await["messages"].as_array().map(Vec::len), Some(2));
}

