//! The inquiry board over real HTTP, on both stores, with its mail over real SMTP sessions on
//! loopback: a guest leaves an inquiry, asks for a sign-in link (caught by the test's mail sink),
//! reads the answer and writes again; a verified customer sees their chats too; and the attacks:
//! another guest's inquiry, a reused, forged or expired link, the trap field, a form sent too fast,
//! a flood.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use baton_e2e::{Backend, MINJI, TestApp, identity_token, spawn_app_with};
use desk::config as c;
use desk::mail::smtp::{self, Deliver, NotTaken};
use desk::mail::{Limits, parse};
use serde_json::{Value, json};

const MAIL_KEY: &str = "e2e board mail key, thirty-two bytes or more";
/// The sink's mailbox: it takes mail for it and its `+` forms, one per customer.
const SINK: &str = "inbox@customers.example";
pub(crate) const GUEST: &str = "inbox+minji@customers.example";
pub(crate) const OTHER: &str = "inbox+jisoo@customers.example";

/// Every customer's mail server at once: keeps every mail sent to anyone.
#[derive(Default)]
pub(crate) struct Sink {
    pub(crate) taken: Mutex<Vec<(Vec<String>, Vec<u8>)>>,
}

#[async_trait::async_trait]
impl Deliver for Sink {
    async fn deliver(&self, raw: Vec<u8>, recipients: Vec<String>) -> Result<(), NotTaken> {
        self.taken.lock().expect("sink").push((recipients, raw));
        Ok(())
    }
}

impl Sink {
    /// The texts of the mails to `to` so far.
    pub(crate) fn texts_to(&self, to: &str) -> Vec<String> {
        self.taken
            .lock()
            .expect("sink")
            .iter()
            .filter(|(rcpt, _)| rcpt.iter().any(|r| r == to))
            .map(|(_, raw)| parse(raw, &Limits::default()).expect("a mail").text)
            .collect()
    }
}

/// Waits up to fifteen seconds for `check`.
pub(crate) async fn until<T>(mut check: impl FnMut() -> Option<T>) -> T {
    for _ in 0..150 {
        if let Some(value) = check() {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within fifteen seconds");
}

/// A desk with mail going to a sink that takes mail for anyone.
pub(crate) async fn board_app(backend: Backend) -> (TestApp, Arc<Sink>) {
    let sink = Arc::new(Sink::default());
    let relay = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let relay_addr = relay.local_addr().expect("addr").to_string();
    tokio::spawn(smtp::serve(
        relay,
        smtp::Options::new(SINK),
        sink.clone(),
        std::future::pending(),
    ));
    let app = spawn_app_with(
        backend,
        &[
            (c::MAIL_FROM, "Baton 고객센터 <support@baton.example>"),
            (c::MAIL_KEY, MAIL_KEY),
            (c::SMTP_RELAY, relay_addr.as_str()),
        ],
    )
    .await;
    (app, sink)
}

/// A form token as the page got it ten seconds ago (a person's typing time, not waited for).
pub(crate) fn filled_form() -> String {
    desk::desk::BoardKey::derive(MAIL_KEY.as_bytes()).form_token(desk::model::now() - 10_000)
}

pub(crate) async fn post(
    app: &TestApp,
    path: &str,
    bearer: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut request = app.client.post(format!("{}{path}", app.url)).json(&body);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.expect("post");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn get(app: &TestApp, path: &str, bearer: Option<&str>) -> (u16, Value) {
    let mut request = app.client.get(format!("{}{path}", app.url));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.expect("get");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) fn inquiry(email: &str, title: &str, text: &str) -> Value {
    json!({
        "email": email,
        "title": title,
        "text": text,
        "category": "billing_payment",
        "area": "billing",
        "locale": "ko",
        "form": filled_form(),
        "website": "",
    })
}

/// The sign-in link in the newest mail to `to`: its token.
pub(crate) async fn mailed_token(sink: &Sink, to: &str, before: usize) -> String {
    let text = until(|| sink.texts_to(to).get(before).cloned()).await;
    let at = text.find("#signin=").expect("a sign-in link") + "#signin=".len();
    text[at..]
        .split_whitespace()
        .next()
        .expect("token")
        .to_string()
}

async fn the_board_round_trip(backend: Backend) {
    let (app, sink) = board_app(backend).await;

    // The form: kinds of inquiry, the guides' areas, a token.
    let (status, form) = get(&app, "/api/board/form", None).await;
    assert_eq!(status, 200, "{form}");
    assert!(
        form["areas"]
            .as_array()
            .expect("areas")
            .contains(&json!("billing"))
    );
    assert_eq!(form["sign_in_by_mail"], true);

    // While writing, the bot's guides are suggested; the reader opens one, then sends anyway.
    let (status, suggested) = get(
        &app,
        "/api/board/suggestions?q=%EB%B9%84%EB%B0%80%EB%B2%88%ED%98%B8%20%EC%9E%AC%EC%84%A4%EC%A0%95%EC%9D%80%20%EC%96%B4%EB%96%BB%EA%B2%8C%20%ED%95%98%EB%82%98%EC%9A%94&lang=ko",
        None,
    )
    .await;
    assert_eq!(status, 200, "{suggested}");
    let guide = suggested["guides"][0]["guide"]
        .as_str()
        .expect("a guide is suggested for a password question")
        .to_string();
    let mut first = inquiry(
        GUEST,
        "정산 금액이 달라요",
        "이번 달 정산 금액이 주문 합계와 달라요. 확인 부탁드려요.",
    );
    // The reader opens one; another reader opens one and leaves (the guides answered them); a
    // token the desk did not sign is not counted.
    for (form, expected) in [
        (first["form"].clone(), 204),
        (json!(filled_form()), 204),
        (json!("f1.1.2.forged"), 400),
    ] {
        let (status, _) = post(
            &app,
            "/api/board/suggestions/opened",
            None,
            json!({"form": form, "guide": guide}),
        )
        .await;
        assert_eq!(status, expected, "{form}");
    }

    // 1. A guest leaves an inquiry; it is a case in the queue with the kind and area they chose.
    first["metadata"] = json!({"page": "/ko/inquiries.html"});
    let (status, left) = post(&app, "/api/board/inquiries", None, first).await;
    assert_eq!(status, 201, "{left}");
    assert_eq!(left["inquiry"]["status"], "received");
    let mine = left["inquiry"]["id"].as_str().expect("id").to_string();
    let case = app
        .queue()
        .await
        .into_iter()
        .find(|c| c["conversation_id"] == mine.as_str())
        .expect("the inquiry is in the queue");
    assert_eq!(case["channel"], "board");
    assert_eq!(case["category"], "billing_payment");
    assert_eq!(case["area"], "billing");
    assert_eq!(case["reason"]["code"], "board");
    // Its own secret went to whoever sent the form, who may not own the address: it reads and
    // writes nothing (only the form's screenshot uploads, for a few minutes).
    let secret = left["secret"].as_str().expect("secret").to_string();
    let (status, _) = get(&app, &format!("/api/conversations/{mine}"), Some(&secret)).await;
    assert_eq!(status, 404);
    let (status, _) = post(
        &app,
        &format!("/api/conversations/{mine}/messages"),
        Some(&secret),
        json!({"text": "주소 주인인 척"}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = get(&app, &format!("/api/board/inquiries/{mine}"), Some(&secret)).await;
    assert_eq!(status, 401);

    // Another guest's inquiry.
    let (status, theirs) = post(
        &app,
        "/api/board/inquiries",
        None,
        inquiry(OTHER, "환불 문의", "지난주 주문을 환불하고 싶어요."),
    )
    .await;
    assert_eq!(status, 201, "{theirs}");
    let theirs = theirs["inquiry"]["id"].as_str().expect("id").to_string();

    // 2. The guest asks for a sign-in link; it arrives by mail and opens a session once.
    let (status, _) = post(
        &app,
        "/api/board/sign-in-links",
        None,
        json!({"email": "Inbox+Minji@Customers.Example", "locale": "ko"}),
    )
    .await;
    assert_eq!(status, 202);
    let token = mailed_token(&sink, GUEST, 0).await;
    let (status, session) = post(&app, "/api/board/sessions", None, json!({"token": token})).await;
    assert_eq!(status, 201, "{session}");
    let session = session["session"].as_str().expect("session").to_string();
    assert!(session.starts_with("bs_"));
    let (status, again) = post(&app, "/api/board/sessions", None, json!({"token": token})).await;
    assert_eq!(
        (status, &again["error"]["code"]),
        (401, &json!("unauthorized")),
        "a link opens once"
    );

    // Only their own inquiry is listed; the other guest's is not found, on every route.
    let (status, list) = get(&app, "/api/board/inquiries", Some(&session)).await;
    assert_eq!(status, 200, "{list}");
    let ids: Vec<&str> = list["inquiries"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, [mine.as_str()]);
    for path in [
        format!("/api/board/inquiries/{theirs}"),
        format!("/api/conversations/{theirs}"),
    ] {
        let (status, _) = get(&app, &path, Some(&session)).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = post(
        &app,
        &format!("/api/conversations/{theirs}/messages"),
        Some(&session),
        json!({"text": "끼어들기"}),
    )
    .await;
    assert_eq!(status, 404, "nobody writes in another's inquiry");

    // 3. A person answers: shown on the board, and mailed with the board's address.
    let (status, body) = app
        .operator_post(
            MINJI,
            &format!("/cases/{}/reply", case["id"].as_str().expect("case id")),
            json!({"text": "수수료가 이번 달부터 바뀌었어요. 자세한 내역을 보내 드릴게요."}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, read) = get(
        &app,
        &format!("/api/board/inquiries/{mine}"),
        Some(&session),
    )
    .await;
    assert_eq!(read["status"], "answered", "{read}");
    let answer = until(|| {
        sink.texts_to(GUEST)
            .into_iter()
            .find(|t| t.contains("수수료가 이번 달부터"))
    })
    .await;
    assert!(answer.contains("/ko/inquiries.html"), "{answer}");

    // 4. The guest writes again under it: asked again, and back with people.
    let (status, body) = post(
        &app,
        &format!("/api/conversations/{mine}/messages"),
        Some(&session),
        json!({"text": "내역은 언제 받을 수 있나요?"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (_, read) = get(
        &app,
        &format!("/api/board/inquiries/{mine}"),
        Some(&session),
    )
    .await;
    assert_eq!(read["status"], "asked_again", "{read}");

    // 5. An address with no inquiries gets the same answer and no mail.
    let (status, _) = post(
        &app,
        "/api/board/sign-in-links",
        None,
        json!({"email": "stranger@example.com"}),
    )
    .await;
    assert_eq!(status, 202);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(sink.texts_to("stranger@example.com").is_empty());

    // 6. A verified customer: their inquiry and their chat, by the site's signed token.
    let signed = identity_token("shop-42");
    let mut body = inquiry(
        GUEST,
        "카드 결제가 안 돼요",
        "결제 버튼을 누르면 오류가 나요.",
    );
    body["identity_token"] = json!(signed);
    let (status, verified) = post(&app, "/api/board/inquiries", None, body).await;
    assert_eq!(status, 201, "{verified}");
    let (status, chat) = app
        .start_with(json!({"identity_token": signed, "locale": "ko"}))
        .await;
    assert_eq!(status, 201, "{chat}");
    let chat_id = chat["conversation"]["id"].as_str().expect("id");
    let (status, _) = post(
        &app,
        &format!("/api/conversations/{chat_id}/messages"),
        Some(chat["secret"].as_str().expect("secret")),
        json!({"text": "환불은 어떻게 하나요?"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, list) = get(&app, "/api/board/inquiries", Some(&signed)).await;
    assert_eq!(status, 200, "{list}");
    let channels: Vec<&str> = list["inquiries"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["channel"].as_str())
        .collect();
    assert_eq!(
        channels,
        ["web", "board"],
        "newest first: the chat, then the inquiry"
    );
    // The guest's session does not see the verified customer's inquiry, though the address is
    // the same: it is the customer's.
    let (_, list) = get(&app, "/api/board/inquiries", Some(&session)).await;
    assert_eq!(list["inquiries"].as_array().map(Vec::len), Some(1));
    // 7. The week's report: two forms with a suggestion opened, one of them sent no inquiry;
    // the board is a channel of its own.
    let offset = time::UtcOffset::from_hms(9, 0, 0).expect("offset");
    let now = desk::model::now();
    let today = desk::insights::period::local(now, offset)
        .date()
        .to_string();
    let period = desk::insights::period::Period::days(&today, &today, offset).expect("today");
    let options = desk::insights::Options {
        hours: None,
        now,
        kb: None,
        encoder: None,
    };
    let report = desk::insights::report(app.desk.store().as_ref(), &period, &options)
        .await
        .expect("report");
    assert_eq!(
        (report.deflection.opened, report.deflection.deflected),
        (2, 1)
    );
    let board = report
        .volume
        .by_channel
        .iter()
        .find(|r| r.key == "board")
        .expect("a board row");
    assert_eq!(board.count.count, 3);
}

async fn the_board_refuses_machines_and_forged_access(backend: Backend) {
    let (app, sink) = board_app(backend).await;

    // The trap field, a form sent at once, a form that is not one: refused, nothing stored.
    let mut trapped = inquiry(GUEST, "스팸", "광고입니다");
    trapped["website"] = json!("http://spam.example");
    let (status, body) = post(&app, "/api/board/inquiries", None, trapped).await;
    assert_eq!((status, &body["error"]["code"]), (422, &json!("refused")));
    let (_, form) = get(&app, "/api/board/form", None).await;
    let mut fast = inquiry(GUEST, "빠른 글", "바로 보냄");
    fast["form"] = form["form"].clone();
    let (status, body) = post(&app, "/api/board/inquiries", None, fast).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (422, &json!("refused")),
        "{body}"
    );
    let mut forged = inquiry(GUEST, "위조", "위조한 폼");
    forged["form"] =
        json!(desk::desk::BoardKey::derive(b"not the desk's key at all, no!!!!").form_token(0));
    let (status, _) = post(&app, "/api/board/inquiries", None, forged).await;
    assert_eq!(status, 422);
    assert!(app.queue().await.is_empty(), "nothing refused was stored");

    // Bad input: clear errors.
    for (field, value) in [
        ("email", json!("not an address")),
        ("title", json!("")),
        ("area", json!("../etc")),
        ("category", json!("gossip")),
    ] {
        let mut bad = inquiry(GUEST, "제목", "본문");
        bad[field] = value;
        let (status, body) = post(&app, "/api/board/inquiries", None, bad).await;
        assert_eq!(status, 400, "{field}: {body}");
    }
    let (status, _) = post(
        &app,
        "/api/board/inquiries",
        None,
        inquiry(GUEST, "긴 글", &"가".repeat(2000)),
    )
    .await;
    assert_eq!(status, 413);

    // A flood from one address: five an hour, then 429 with Retry-After.
    for n in 0..5 {
        let (status, body) = post(
            &app,
            "/api/board/inquiries",
            None,
            inquiry(GUEST, &format!("문의 {n}"), "정산 문의예요"),
        )
        .await;
        assert_eq!(status, 201, "{n}: {body}");
    }
    let response = app
        .client
        .post(format!("{}/api/board/inquiries", app.url))
        .json(&inquiry(GUEST, "여섯 번째", "또 문의"))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));

    // Links: a forged token, another guest's address with this token, an expired link.
    let (status, _) = post(
        &app,
        "/api/board/sign-in-links",
        None,
        json!({"email": GUEST}),
    )
    .await;
    assert_eq!(status, 202);
    let token = mailed_token(&sink, GUEST, 0).await;
    let (address_key, secret) = token.split_once('.').expect("token");
    let other_key = desk::model::MailContact::key(OTHER);
    let flipped = if secret.ends_with('0') { "1" } else { "0" };
    for forged in [
        format!("{address_key}.{}{flipped}", &secret[..secret.len() - 1]),
        format!("{other_key}.{secret}"),
        "no-dot".to_string(),
        format!("{address_key}."),
        "x".repeat(500),
    ] {
        let (status, _) = post(&app, "/api/board/sessions", None, json!({"token": forged})).await;
        assert_eq!(status, 401, "{forged}");
    }
    // The link expires: moved past its 15 minutes, the true token opens nothing.
    let store = app.desk.store().clone();
    let key = desk::model::Access::link_key(GUEST);
    let mut link = store.access(&key).await.expect("read").expect("link");
    link.expires_at = desk::model::now() - 1;
    store
        .commit(&desk::store::Commit {
            access: vec![desk::store::AccessWrite::Update(link)],
            ..desk::store::Commit::default()
        })
        .await
        .expect("expire");
    let (status, _) = post(&app, "/api/board/sessions", None, json!({"token": token})).await;
    assert_eq!(status, 401, "an expired link opens nothing");

    // Three links an hour to one address; the fourth ask is answered alike and sends nothing.
    for _ in 0..3 {
        let (status, _) = post(
            &app,
            "/api/board/sign-in-links",
            None,
            json!({"email": GUEST}),
        )
        .await;
        assert_eq!(status, 202);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        sink.texts_to(GUEST).len(),
        3,
        "three links an hour, no more"
    );

    // A session that is not one, or an identity that does not verify: 401 on the list.
    for bearer in ["bs_0000", "eyJhbGciOiJIUzI1NiJ9.e30.x"] {
        let (status, _) = get(&app, "/api/board/inquiries", Some(bearer)).await;
        assert_eq!(status, 401, "{bearer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_round_trip_on_sqlite() {
    the_board_round_trip(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_round_trip_on_dynamodb() {
    the_board_round_trip(Backend::Dynamo).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_refuses_machines_and_forged_access_on_sqlite() {
    the_board_refuses_machines_and_forged_access(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_refuses_machines_and_forged_access_on_dynamodb() {
    the_board_refuses_machines_and_forged_access(Backend::Dynamo).await;
}
