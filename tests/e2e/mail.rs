//! Mail over real SMTP sessions on loopback: a customer's mail into `baton serve`'s listener
//! (lettre as the customer's mail server), the operator's reply over the HTTP API, sent by the
//! background sender through a relay that refuses at first (Baton's own SMTP listener code as
//! the relay, recording what it takes), threaded as the customer's client sees it, and the
//! customer's answer back into the same case.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use baton_e2e::{Backend, MINJI, spawn_app_with};
use desk::config as c;
use desk::mail::smtp::{self, Deliver, NotTaken};
use desk::mail::{Limits, parse};
use desk::store::{Commit, MailWrite};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::json;

const CUSTOMER: &str = "minji.kim@gmail.com";

/// The customer's mail server: takes mail for the customer, refusing the first `refuse` tries.
struct Inbox {
    taken: Mutex<Vec<Vec<u8>>>,
    refuse: AtomicUsize,
}

#[async_trait::async_trait]
impl Deliver for Inbox {
    async fn deliver(&self, raw: Vec<u8>, _recipients: Vec<String>) -> Result<(), NotTaken> {
        if self
            .refuse
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(NotTaken::Later("mailbox busy, try again".into()));
        }
        self.taken.lock().expect("inbox").push(raw);
        Ok(())
    }
}

async fn send(to_baton: SocketAddr, from: &str, to: &str, raw: &str) -> Result<(), String> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(to_baton.port())
        .build();
    let envelope = lettre::address::Envelope::new(
        Some(from.parse().expect("from")),
        vec![to.parse().expect("to")],
    )
    .expect("envelope");
    transport
        .send_raw(&envelope, raw.as_bytes())
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Waits up to ten seconds for `check`.
async fn until<T>(mut check: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(value) = check().await {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within ten seconds");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_in_a_reply_out_through_a_relay_that_refuses_at_first_and_the_answer_back() {
    let inbox = std::sync::Arc::new(Inbox {
        taken: Mutex::new(Vec::new()),
        refuse: AtomicUsize::new(1),
    });
    let relay = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let relay_addr = relay.local_addr().expect("addr").to_string();
    tokio::spawn(smtp::serve(
        relay,
        smtp::Options::new(CUSTOMER),
        inbox.clone(),
        std::future::pending(),
    ));
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            (c::MAIL_FROM, "Baton 고객센터 <support@baton.example>"),
            (c::MAIL_KEY, "e2e mail key, thirty-two bytes or more"),
            (c::SMTP_RELAY, relay_addr.as_str()),
        ],
    )
    .await;
    let baton = app.smtp.expect("the SMTP listener runs");

    // Baton is no open relay.
    let relayed = send(
        baton,
        CUSTOMER,
        "victim@elsewhere.example",
        "Subject: x\r\n\r\nx\r\n",
    )
    .await;
    assert!(relayed.is_err_and(|e| e.contains("Relaying denied")));

    // 1. The customer writes in (Korean subject as an encoded word, a person asked for).
    let first = format!(
        "From: =?UTF-8?B?6rmA66+87KeA?= <{CUSTOMER}>\r\nTo: support@baton.example\r\nSubject: =?UTF-8?B?7KCV7IKwIOq4iOyVoSDrrLjsnZg=?=\r\nMessage-ID: <first-1@mail.gmail.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n정산 금액이 이상해요. 상담원 연결 부탁드려요.\r\n"
    );
    send(baton, CUSTOMER, "support@baton.example", &first)
        .await
        .expect("taken");
    let case = app
        .queue()
        .await
        .into_iter()
        .find(|c| c["channel"] == "mail")
        .expect("the mail's case is in the queue");
    let case_id = case["id"].as_str().expect("id").to_string();
    let conversation_id = case["conversation_id"]
        .as_str()
        .expect("conversation")
        .to_string();

    // 2. The operator answers from the console's API; the relay refuses the first try.
    let (status, body) = app
        .operator_post(
            MINJI,
            &format!("/cases/{case_id}/reply"),
            json!({"text": "수수료율이 바뀌었어요. 자세히 안내드릴게요."}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let store = app.desk.store().clone();
    let far = desk::model::now() + 24 * 3_600_000;
    let retried = until(async || {
        store
            .due_mail(far, 10)
            .await
            .expect("due")
            .into_iter()
            .find(|m| m.attempts == 1)
    })
    .await;
    assert!(
        retried.error.as_deref().is_some_and(|e| e.contains("busy")),
        "{retried:?}"
    );
    // Its next try is a minute away: moved to now rather than waited for.
    let mut due = retried.clone();
    due.next_at = 0;
    store
        .commit(&Commit {
            outgoing: Some(MailWrite::Update(due)),
            ..Commit::default()
        })
        .await
        .expect("due now");
    let raw = until(async || {
        inbox
            .taken
            .lock()
            .expect("inbox")
            .iter()
            .find(|raw| !String::from_utf8_lossy(raw).contains("Auto-Submitted"))
            .cloned()
    })
    .await;

    // The acknowledgement (refused at first, then moved due) arrives too, marked automatic.
    let ack = until(async || {
        inbox
            .taken
            .lock()
            .expect("inbox")
            .iter()
            .map(|raw| parse(raw, &Limits::default()).expect("a mail"))
            .find(|mail| mail.automatic.is_some())
    })
    .await;
    assert!(ack.text.contains("담당자가 확인하고"), "{}", ack.text);

    // 3. As the customer's client reads it: threaded under their mail, with the thread's token.
    let seen = parse(&raw, &Limits::default()).expect("a mail");
    assert_eq!(
        seen.from.as_ref().map(|a| a.address.as_str()),
        Some("support@baton.example")
    );
    assert_eq!(
        seen.replying_to.first().map(String::as_str),
        Some("first-1@mail.gmail.com")
    );
    assert!(
        seen.subject.starts_with("Re: 정산 금액 문의 [#"),
        "{}",
        seen.subject
    );
    let reply_to = seen.reply_to.as_ref().expect("reply-to").address.clone();
    assert!(reply_to.starts_with("support+"), "{reply_to}");
    assert!(seen.text.contains("수수료율이 바뀌었어요"));
    assert!(
        seen.automatic.is_none(),
        "a person's reply is not marked automatic"
    );
    let sent_id = seen.message_id.clone().expect("a Message-ID");

    // 4. The customer answers; their client quotes the reply under Gmail's Korean line.
    let answer = format!(
        "From: {CUSTOMER}\r\nTo: {reply_to}\r\nSubject: Re: {}\r\nMessage-ID: <answer-1@mail.gmail.com>\r\nIn-Reply-To: <{sent_id}>\r\nReferences: <first-1@mail.gmail.com> <{sent_id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n감사합니다. 다음 달부터는 원래대로인가요?\r\n\r\n2026년 12월 7일 (월) 오후 3:20, Baton 고객센터 <support@baton.example>님이 작성:\r\n> 수수료율이 바뀌었어요.\r\n",
        seen.subject
    );
    send(baton, CUSTOMER, &reply_to, &answer)
        .await
        .expect("taken");
    let (status, view) = app.operator_get(MINJI, &format!("/cases/{case_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(view["conversation"]["id"], conversation_id.as_str());
    let transcript = view["transcript"].as_array().expect("transcript");
    let last = transcript.last().expect("messages");
    assert_eq!(last["text"], "감사합니다. 다음 달부터는 원래대로인가요?");
    assert!(
        last["mail"]["original"]
            .as_str()
            .is_some_and(|o| o.contains("님이 작성"))
    );
    let operator = transcript
        .iter()
        .find(|m| m["author"]["kind"] == "operator")
        .expect("the operator's reply");
    assert_eq!(operator["mail"]["delivery"]["state"], "sent");
}

/// `BATON_MAIL_AUTO_REPLIES`: how many mails the bot answers one address with in an hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_answers_an_address_at_most_as_often_as_configured() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            (c::MAIL_FROM, "support@baton.example"),
            (c::MAIL_KEY, "e2e mail key, thirty-two bytes or more"),
            (c::MAIL_AUTO_REPLIES, "1"),
        ],
    )
    .await;
    let baton = app.smtp.expect("the SMTP listener runs");
    for i in 0..3 {
        let raw = format!(
            "From: other-desk@example.com\r\nTo: support@baton.example\r\nSubject: OTP\r\nMessage-ID: <otp-{i}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n2단계 인증(OTP)은 어떻게 설정하나요?\r\n"
        );
        send(
            baton,
            "other-desk@example.com",
            "support@baton.example",
            &raw,
        )
        .await
        .expect("taken");
    }
    let far = desk::model::now() + 24 * 3_600_000;
    let answers = app.desk.store().due_mail(far, 10).await.expect("due");
    assert_eq!(
        answers.len(),
        1,
        "one automatic answer, then people: {answers:?}"
    );
    assert!(answers[0].automatic);
    assert_eq!(app.queue().await.len(), 2, "the other two wait for people");
}

/// `BATON_MAIL_AUTHSERV_ID`: the MTA whose `Authentication-Results` proves a sender. Over SMTP
/// and the operator API: a proved mail and one without the MTA's header, the address mapped to
/// a verified customer from the console's route, and the next proved mail as that customer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_is_proved_by_the_mta_named_and_a_mapped_address_joins_its_customer() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            (c::MAIL_FROM, "support@baton.example"),
            (c::MAIL_KEY, "e2e mail key, thirty-two bytes or more"),
            (c::MAIL_AUTHSERV_ID, "mx.baton.example"),
        ],
    )
    .await;
    let baton = app.smtp.expect("the SMTP listener runs");
    let mail = |results: &str, id: &str, subject: &str| {
        format!(
            "{results}From: Jisu <jisu@corp.example>\r\nTo: support@baton.example\r\nSubject: {subject}\r\nMessage-ID: <{id}@corp.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n세금계산서 발행 건으로 상담원 연결 부탁드려요.\r\n"
        )
    };
    let proved = "Authentication-Results: mx.baton.example; dkim=pass header.d=corp.example; dmarc=pass header.from=corp.example\r\n";
    for (results, id, subject) in [(proved, "p1", "tax-1"), ("", "u1", "tax-2")] {
        send(
            baton,
            "jisu@corp.example",
            "support@baton.example",
            &mail(results, id, subject),
        )
        .await
        .expect("taken");
    }
    // The case of the mail with `subject`, and the verdict kept on its first message.
    let verdict_of = async |subject: &str| {
        for case in app.queue().await {
            let id = case["id"].as_str().expect("id").to_string();
            let view = case_view(&app, &id).await;
            if view["transcript"][0]["mail"]["subject"] == subject {
                return (id, view["transcript"][0]["mail"]["verdict"].clone());
            }
        }
        panic!("no case for {subject}");
    };
    let (proved_case, verdict) = verdict_of("tax-1").await;
    assert_eq!(verdict, "proved");
    let (unproved_case, verdict) = verdict_of("tax-2").await;
    assert_eq!(verdict, "unverified");

    // The console maps the address: the proved case becomes the customer's, the other does not.
    let (status, body) = app
        .operator_post(
            MINJI,
            &format!("/cases/{proved_case}/contact"),
            json!({"customer_id": "cust-corp-42"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["joined"], true);
    assert_eq!(body["case"]["customer"]["id"], "cust-corp-42");
    let (status, body) = app
        .operator_post(
            MINJI,
            &format!("/cases/{unproved_case}/contact"),
            json!({"customer_id": "cust-corp-42"}),
        )
        .await;
    assert_eq!((status, body["joined"].clone()), (200, json!(false)));
    let (status, body) = app
        .operator_post(
            MINJI,
            &format!("/cases/{proved_case}/contact"),
            json!({"customer_id": "jisu@corp.example"}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    // An empty body takes nothing back: the field must be written, null included.
    let (status, body) = app
        .operator_post(MINJI, &format!("/cases/{proved_case}/contact"), json!({}))
        .await;
    assert_eq!(status, 400, "{body}");

    // The next proved mail is the verified customer's, with the earlier case beside it.
    send(
        baton,
        "jisu@corp.example",
        "support@baton.example",
        &mail(proved, "p2", "tax-3"),
    )
    .await
    .expect("taken");
    let (third, _) = verdict_of("tax-3").await;
    let view = case_view(&app, &third).await;
    assert_eq!(view["case"]["customer"]["id"], "cust-corp-42");
    assert_eq!(view["case"]["customer"]["verified"], true);
    assert_eq!(view["case"]["history"][0]["id"], proved_case.as_str());
}

async fn case_view(app: &baton_e2e::TestApp, case_id: &str) -> serde_json::Value {
    let (status, view) = app.operator_get(MINJI, &format!("/cases/{case_id}")).await;
    assert_eq!(status, 200, "{view}");
    view
}
