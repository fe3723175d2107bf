//! A business customer's space over real HTTP, on both stores: the team records the
//! organisation; its people, signed by the site, open threads on the standing line and write in
//! them; an admin reads every conversation of its people; a member who leaves loses the space and
//! the history stays; an outsider, another organisation and a forged claim are refused.

use baton_e2e::{Backend, MINJI, TestApp, identity_token_with, spawn_app};

use super::board::{OTHER, board_app, get, mailed_token, post};
use serde_json::{Value, json};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}{path}", app.url);
    let request = match method {
        "POST" => app.client.post(url).json(&body.unwrap_or(Value::Null)),
        _ => app.client.get(url),
    };
    let response = request.bearer_auth(token).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn member(id: &str, org: &str, role: &str) -> String {
    identity_token_with(id, json!({"org": org, "org_role": role}))
}

async fn the_standing_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, saved) = app
        .operator_post(
            MINJI,
            "/organisations",
            json!({"id": "acme", "name": "에이크미 코리아", "plan": "enterprise 80석", "domains": ["acme.co.kr"], "operators": ["minji"]}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let kim = member("acme-kim", "acme", "member");
    let lee = member("acme-lee", "acme", "member");
    let park = member("acme-park", "acme", "admin");

    // Kim opens a thread: a case of its own in the queue, the organisation's.
    let (status, thread) = call(
        &app,
        "POST",
        "/api/org/threads",
        &kim,
        Some(json!({"title": "정산 API 오류", "text": "정산 API가 어제부터 500을 돌려줘요."})),
    )
    .await;
    assert_eq!(status, 201, "{thread}");
    let thread_id = thread["id"].as_str().expect("id").to_string();
    let case = app
        .queue()
        .await
        .into_iter()
        .find(|c| c["conversation_id"] == thread_id.as_str())
        .expect("the thread is in the queue");
    assert_eq!(case["organisation"], "acme");
    assert_eq!(case["channel"], "line");
    let case_id = case["id"].as_str().expect("case").to_string();
    let (_, view) = app.operator_get(MINJI, &format!("/cases/{case_id}")).await;
    assert_eq!(view["organisation"]["name"], "에이크미 코리아", "{view}");
    let (_, only) = app.operator_get(MINJI, "/queue?organisation=acme").await;
    assert_eq!(only["cases"].as_array().map(Vec::len), Some(1));
    let (_, none) = app.operator_get(MINJI, "/queue?organisation=globex").await;
    assert_eq!(none["cases"].as_array().map(Vec::len), Some(0));

    // Lee sees it and writes in it, signed with his name; the team answers in it.
    let (status, space) = call(&app, "GET", "/api/org", &lee, None).await;
    assert_eq!(status, 200, "{space}");
    assert_eq!(space["organisation"]["name"], "에이크미 코리아");
    assert_eq!(space["threads"][0]["id"], thread_id.as_str());
    assert!(
        space.get("conversations").is_none(),
        "a member reads only the line"
    );
    let (status, written) = call(
        &app,
        "POST",
        &format!("/api/org/threads/{thread_id}/messages"),
        &lee,
        Some(json!({"text": "저희 쪽에서도 같은 오류가 나요.", "idempotency_key": "lee-1"})),
    )
    .await;
    assert_eq!(status, 201, "{written}");
    assert_eq!(written["member"], "acme-lee");
    let (status, _) = app
        .operator_post(
            MINJI,
            &format!("/cases/{case_id}/reply"),
            json!({"text": "확인 중이에요. 30분 안에 알려 드릴게요."}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, read) = call(
        &app,
        "GET",
        &format!("/api/org/threads/{thread_id}"),
        &lee,
        None,
    )
    .await;
    let members: Vec<&str> = read["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["member"].as_str())
        .collect();
    assert_eq!(members, ["acme-kim", "acme-lee"]);
    assert_eq!(read["thread"]["status"], "answered");

    // Kim's own chat is the organisation's: its admin reads it, a member does not.
    let (status, chat) = app
        .start_with(json!({"identity_token": kim, "locale": "ko"}))
        .await;
    assert_eq!(status, 201, "{chat}");
    let chat_id = chat["conversation"]["id"].as_str().expect("id").to_string();
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/conversations/{chat_id}/messages"),
        chat["secret"].as_str().expect("secret"),
        Some(json!({"text": "세금계산서는 어디서 받나요?"})),
    )
    .await;
    assert_eq!(status, 201);
    let (_, admin) = call(&app, "GET", "/api/org", &park, None).await;
    assert_eq!(admin["role"], "admin");
    assert_eq!(admin["conversations"][0]["id"], chat_id.as_str(), "{admin}");
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/org/threads/{chat_id}"),
        &park,
        None,
    )
    .await;
    assert_eq!(status, 200, "an admin reads the people's conversations");
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/org/threads/{chat_id}"),
        &lee,
        None,
    )
    .await;
    assert_eq!(status, 404, "a member does not read another member's chat");

    // Outsiders: no organisation, another organisation, a forged claim, no token.
    let outsider = identity_token_with("shop-9", json!({}));
    let (status, _) = call(&app, "GET", "/api/org", &outsider, None).await;
    assert_eq!(status, 403);
    let globex = member("globex-choi", "globex", "admin");
    for (method, path) in [
        ("GET", format!("/api/org/threads/{thread_id}")),
        ("POST", format!("/api/org/threads/{thread_id}/messages")),
        ("GET", format!("/api/org/threads/{chat_id}")),
    ] {
        let (status, _) = call(
            &app,
            method,
            &path,
            &globex,
            Some(json!({"text": "끼어들기"})),
        )
        .await;
        assert_eq!(status, 404, "{method} {path}");
    }
    let forged = {
        let exp = desk::model::now() / 1000 + 600;
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &json!({"sub": "attacker", "aud": "baton", "exp": exp, "org": "acme", "org_role": "admin"}),
            &jsonwebtoken::EncodingKey::from_secret(b"not the site's secret, guessed at random")
                .expect("key"),
        )
        .expect("sign")
    };
    let (status, _) = call(&app, "GET", "/api/org", &forged, None).await;
    assert_eq!(status, 401, "a claim the site did not sign opens nothing");
    let response = app
        .client
        .get(format!("{}/api/org", app.url))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 401);

    // Kim leaves the company: the site no longer signs her into it. The space and the thread she
    // opened are closed to her; the history stays with the organisation.
    let left = identity_token_with("acme-kim", json!({}));
    let (status, _) = call(&app, "GET", "/api/org", &left, None).await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/conversations/{thread_id}"),
        &left,
        None,
    )
    .await;
    assert_eq!(status, 404, "not even the thread she opened");
    // Nor a device secret for it: a thread is never resumed, and no chat is a thread.
    let (status, resumed) = call(
        &app,
        "POST",
        "/api/conversations/resume",
        &left,
        Some(json!({"identity_token": left})),
    )
    .await;
    assert!(
        status == 404 || resumed["conversation"]["id"] != thread_id.as_str(),
        "{status} {resumed}"
    );
    let (status, _) = app
        .start_with(json!({"identity_token": kim, "channel": "line"}))
        .await;
    assert_eq!(status, 400, "a thread is opened in the space only");
    let (_, read) = call(
        &app,
        "GET",
        &format!("/api/org/threads/{thread_id}"),
        &lee,
        None,
    )
    .await;
    assert_eq!(read["messages"][0]["member"], "acme-kim", "her words stay");

    // A domain anyone has an address at, or another organisation's, is refused.
    let (status, _) = app
        .operator_post(
            MINJI,
            "/organisations",
            json!({"id": "globex", "name": "Globex", "domains": ["gmail.com"]}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = app
        .operator_post(
            MINJI,
            "/organisations",
            json!({"id": "globex", "name": "Globex", "domains": ["acme.co.kr"]}),
        )
        .await;
    assert_eq!(status, 409);

    // The team's view of the organisation.
    let (status, org) = app.operator_get(MINJI, "/organisations/acme").await;
    assert_eq!(status, 200, "{org}");
    assert_eq!(org["open"], 1, "the thread; the chat is the bot's: {org}");
    let (status, _) = app.operator_get(MINJI, "/organisations/nobody").await;
    assert_eq!(status, 404);

    // The week's report counts the organisation's inquiries: the thread and the chat.
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
    let acme = report
        .volume
        .by_organisation
        .iter()
        .find(|r| r.key == "acme")
        .expect("an acme row");
    assert_eq!(acme.count.count, 2);
    assert_eq!(report.volume.by_organisation.len(), 1, "only organisations");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standing_line_on_sqlite() {
    the_standing_line(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standing_line_on_dynamodb() {
    the_standing_line(Backend::Dynamo).await;
}

/// Someone the site does not sign, invited by an organisation's admin: a mailed link opens the
/// space as a member; taken back, it opens nothing. A member who is not an admin invites nobody.
async fn an_invited_address_is_a_member_until_the_invitation_is_taken_back(backend: Backend) {
    let (app, sink) = board_app(backend).await;
    let (status, _) = app
        .operator_post(
            MINJI,
            "/organisations",
            json!({"id": "acme", "name": "에이크미 코리아"}),
        )
        .await;
    assert_eq!(status, 200);
    let admin =
        baton_e2e::identity_token_with("acme-park", json!({"org": "acme", "org_role": "admin"}));
    let member = baton_e2e::identity_token_with("acme-lee", json!({"org": "acme"}));
    let (status, _) = post(
        &app,
        "/api/org/invitations",
        Some(&member),
        json!({"email": OTHER}),
    )
    .await;
    assert_eq!(status, 403, "a member does not invite");
    let (status, invited) = post(
        &app,
        "/api/org/invitations",
        Some(&admin),
        json!({"email": OTHER}),
    )
    .await;
    assert_eq!(status, 200, "{invited}");
    assert_eq!(invited["invited"], json!([OTHER]));

    // The invited person has no inquiries, yet gets a link: the invitation is why.
    let (status, _) = post(
        &app,
        "/api/board/sign-in-links",
        None,
        json!({"email": OTHER}),
    )
    .await;
    assert_eq!(status, 202);
    let token = mailed_token(&sink, OTHER, 0).await;
    let (_, session) = post(&app, "/api/board/sessions", None, json!({"token": token})).await;
    let session = session["session"].as_str().expect("session").to_string();
    let (status, space) = get(&app, "/api/org", Some(&session)).await;
    assert_eq!(status, 200, "{space}");
    assert_eq!(space["role"], "member");
    let (status, thread) = post(
        &app,
        "/api/org/threads",
        Some(&session),
        json!({"title": "세무 자료 요청", "text": "11월 정산 자료를 받을 수 있을까요?"}),
    )
    .await;
    assert_eq!(status, 201, "{thread}");
    assert_eq!(
        thread["by"], "inbox+jisoo",
        "the name part of the invited address"
    );

    // Taken back: the same session opens nothing; the thread stays with the organisation.
    let (status, _) = post(
        &app,
        "/api/org/invitations",
        Some(&admin),
        json!({"email": OTHER, "remove": true}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = get(&app, "/api/org", Some(&session)).await;
    assert_eq!(status, 403);
    let (_, space) = get(&app, "/api/org", Some(&member)).await;
    assert_eq!(space["threads"][0]["title"], "세무 자료 요청");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_address_is_a_member_on_sqlite() {
    an_invited_address_is_a_member_until_the_invitation_is_taken_back(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_address_is_a_member_on_dynamodb() {
    an_invited_address_is_a_member_until_the_invitation_is_taken_back(Backend::Dynamo).await;
}
