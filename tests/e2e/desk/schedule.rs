// What the scheduler does, over the real store and a webhook on loopback, with a clock the test
// controls: reminders of unclaimed urgent cases (with a receiver that fails at first) and
// Monday's summary, sent once. Included by `mod.rs` once per backend.

#[tokio::test]
async fn an_unclaimed_urgent_case_is_reminded_with_backoff_until_claimed() {
    use desk::alerts::{ChatKind, Webhook};
    const M: i64 = 60_000;
    let app = spawn_app().await;
    let hook = WebhookReceiver::start().await;
    let webhook = Webhook::new(
        Some(hook.url.clone()),
        Some(ChatKind::Slack),
        Some("https://desk.example/console".into()),
    );
    let chat = app.start("c-urgent", "ko").await;
    let (status, body) = app
        .send(&chat, "송금했는데 돈이 안 들어왔어요 <!here>", None)
        .await;
    assert_eq!(status, 201, "{body}");
    let case = app.queue().await.into_iter().next().expect("the urgent case");
    assert_eq!(case["priority"], "urgent", "{case}");
    let id = case["id"].as_str().expect("id").to_string();
    let since = case["created_at"].as_i64().expect("created");
    let first = std::time::Duration::from_secs(10 * 60);
    let remind = |minutes: i64| {
        let (desk, webhook) = (app.desk.clone(), webhook.clone());
        async move {
            desk.remind(&webhook, first, since + minutes * M)
                .await
                .expect("reminders")
        }
    };

    assert!(remind(9).await.is_empty(), "not before 10 minutes");
    // The chat is down at the 10th minute: nothing is delivered, and nothing is lost.
    hook.fail_on("still unclaimed").await;
    assert!(remind(10).await.is_empty());
    assert!(hook.received().await.is_empty());
    hook.recover().await;
    let sent = remind(11).await;
    assert_eq!(
        sent.iter().map(|r| (r.number, r.waited_ms)).collect::<Vec<_>>(),
        [(1, 11 * M)]
    );
    let received = hook.received().await;
    assert_eq!(received.len(), 1);
    let text = received[0]["text"].as_str().expect("slack text");
    assert!(text.contains("still unclaimed after 11m"), "{text}");
    assert!(
        text.contains(&format!("<https://desk.example/console/cases/{id}|open {id}>")),
        "{text}"
    );
    // The customer's words cannot ping the channel.
    assert!(!text.contains("<!here>"), "{text}");
    // The next is due 20 minutes after the first (at 30), not every pass.
    assert!(remind(12).await.is_empty());
    assert!(remind(29).await.is_empty());
    assert_eq!(remind(30).await.len(), 1);
    // Two passes at once send the third once.
    let (a, b) = tokio::join!(remind(70), remind(70));
    assert_eq!(a.len() + b.len(), 1, "{a:?} {b:?}");
    // Claimed: no more.
    let (status, body) = app
        .operator_post(MINJI, &format!("/cases/{id}/claim"), serde_json::json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(remind(150).await.is_empty());
    assert_eq!(hook.received().await.len(), 3);
    let (_, view) = app.operator_get(MINJI, &format!("/cases/{id}")).await;
    assert_eq!(view["case"]["reminded"], 3, "{view}");
    // Released: a new wait. A pass long after sends one reminder for the slots passed, not one
    // a minute.
    let (status, body) = app
        .operator_post(MINJI, &format!("/cases/{id}/release"), serde_json::json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let late = remind(180).await;
    assert_eq!(late.len(), 1, "{late:?}");
    assert!(remind(181).await.is_empty());
    assert!(remind(200).await.is_empty());
}

#[tokio::test]
async fn a_flood_of_unclaimed_urgent_cases_is_reminded_in_a_few_messages() {
    use desk::alerts::{ChatKind, Webhook};
    let app = spawn_app().await;
    let hook = WebhookReceiver::start().await;
    let webhook = Webhook::new(Some(hook.url.clone()), Some(ChatKind::Slack), None);
    for n in 0..5 {
        let chat = app.start(&format!("c-flood-{n}"), "ko").await;
        app.send(&chat, "결제가 실패했어요 카드 결제 오류", None).await;
    }
    let queue = app.queue().await;
    assert_eq!(queue.len(), 5);
    let latest = queue
        .iter()
        .filter_map(|c| c["created_at"].as_i64())
        .max()
        .expect("created");
    let sent = app
        .desk
        .remind(
            &webhook,
            std::time::Duration::from_secs(600),
            latest + 11 * 60_000,
        )
        .await
        .expect("reminders");
    assert_eq!(sent.len(), 5, "every case reminded: {sent:?}");
    let received = hook.received().await;
    // Three alone, the other two in one message.
    assert_eq!(received.len(), 4, "{received:?}");
    let last = received[3]["text"].as_str().expect("text");
    assert!(last.contains("2 more urgent cases still unclaimed"), "{last}");
}

#[tokio::test]
async fn mondays_summary_goes_to_the_chat_once_at_nine() {
    use desk::alerts::{ChatKind, Webhook};
    use desk::alerts::weekly::Delivery;
    let app = spawn_app().await;
    let hook = WebhookReceiver::start().await;
    let webhook = Webhook::new(Some(hook.url.clone()), Some(ChatKind::Slack), None);
    // This week's Monday 09:00 in Seoul (the tests' time zone) reports the week before.
    let offset = time::UtcOffset::from_hms(9, 0, 0).expect("offset");
    let last = desk::insights::Period::last_week(desk::model::now(), offset);
    let monday_nine = last.to + 9 * 3600 * 1000;
    let due = |at: i64| {
        let (desk, webhook) = (app.desk.clone(), webhook.clone());
        async move { desk.weekly_if_due(&webhook, 9, at).await.expect("weekly") }
    };
    assert_eq!(due(monday_nine - 1).await, None, "not before 09:00");
    assert_eq!(due(monday_nine).await, Some(Delivery::Sent));
    assert_eq!(due(monday_nine + 60_000).await, Some(Delivery::AlreadySent));
    assert_eq!(due(monday_nine + 3 * 3600 * 1000).await, Some(Delivery::AlreadySent));
    // Another desk over the same store (a restart) finds the mark, and sends nothing.
    let restarted = desk::Desk::new(baton_e2e::baton_kb(), app.desk.store().clone())
        .with_timezone(offset);
    assert_eq!(
        restarted
            .weekly_if_due(&webhook, 9, monday_nine + 26 * 3600 * 1000)
            .await
            .expect("weekly"),
        Some(Delivery::AlreadySent)
    );
    let received = hook.received().await;
    assert_eq!(received.len(), 1, "{received:?}");
    let text = received[0]["text"].as_str().expect("slack text");
    assert!(text.contains(&format!("Support week {}", last.label)), "{text}");
}

#[tokio::test]
async fn a_desk_down_on_monday_sends_the_summary_when_it_is_back() {
    use desk::alerts::{ChatKind, Webhook};
    use desk::alerts::weekly::Delivery;
    let app = spawn_app().await;
    let hook = WebhookReceiver::start().await;
    let webhook = Webhook::new(Some(hook.url.clone()), Some(ChatKind::Slack), None);
    let offset = time::UtcOffset::from_hms(9, 0, 0).expect("offset");
    let last = desk::insights::Period::last_week(desk::model::now(), offset);
    let tuesday = last.to + 34 * 3600 * 1000;
    assert_eq!(
        app.desk.weekly_if_due(&webhook, 9, tuesday).await.expect("weekly"),
        Some(Delivery::Sent)
    );
    assert_eq!(hook.received().await.len(), 1);
}

#[tokio::test]
async fn the_summary_names_the_week_its_ledger_and_guides_to_write_with_customer_words_inert() {
    use desk::alerts::{ChatKind, Webhook};
    use desk::alerts::weekly::{Delivery, deliver};
    let app = spawn_app().await;
    let hook = WebhookReceiver::start().await;
    let webhook = Webhook::new(
        Some(hook.url.clone()),
        Some(ChatKind::Slack),
        Some("https://desk.example/console".into()),
    );
    // Today: a search nobody can answer, typed by a hostile reader, and a hand-off.
    let response = app
        .client
        .get(format!("{}/api/search", app.url))
        .query(&[("q", "<!channel> 쿼즈릭 플로비")])
        .send()
        .await
        .expect("search");
    assert_eq!(response.status(), 200);
    let chat = app.start("c-weekly", "ko").await;
    app.ask_for_a_person(&chat).await;

    let offset = time::UtcOffset::from_hms(9, 0, 0).expect("offset");
    let today = desk::insights::period::timestamp(desk::model::now(), offset)[..10].to_string();
    let period = desk::insights::Period::days(&today, &today, offset).expect("today");
    let report = app.desk.report(&period).await.expect("report");
    let store = app.desk.store().clone();
    assert_eq!(
        deliver(store.as_ref(), &webhook, &report, false).await.expect("send"),
        Delivery::Sent
    );
    assert_eq!(
        deliver(store.as_ref(), &webhook, &report, false).await.expect("again"),
        Delivery::AlreadySent
    );
    let received = hook.received().await;
    assert_eq!(received.len(), 1, "{received:?}");
    let text = received[0]["text"].as_str().expect("slack text");
    assert!(text.contains("1 inquiry (+1 against 0)"), "{text}");
    assert!(
        text.contains(&format!(
            "<https://desk.example/console/insights.html?from={today}&amp;to={today}|full report>"
        )),
        "{text}"
    );
    assert!(text.contains("confirmed solved by the customer (0 of 1)"), "{text}");
    assert!(text.contains("1 handed off (human_requested 1)"), "{text}");
    assert!(text.contains("Guides to write:") && text.contains("쿼즈릭 플로비"), "{text}");
    assert!(!text.contains("<!channel>"), "customer words cannot ping: {text}");
}
