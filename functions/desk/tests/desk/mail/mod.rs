//! Mail through the desk on SQLite with Baton's own guides: the fixture corpus (every client and
//! charset reads as its new text, nothing garbled), threading (the token address, the
//! Message-IDs, the subject tag; never someone else's case), loops and bounces, the bot answering
//! only when sure, and outgoing mail worked through a relay that fails and comes back.
//! (The same over real SMTP sessions is in `tests/e2e/mail.rs`; who a sender is, proved or not,
//! and addresses mapped to verified customers, in `identity.rs`.)

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::knowledge_base;

use async_trait::async_trait;
use desk::desk::{Incoming, MailSettings, Received};
use desk::mail::{Limits, Refused, Relay, Sender, ThreadKey, parse};
use desk::model::{
    Author, Automatic, CaseStatus, DeliveryState, MAIL_CHANNEL, NotKeptWhy, Reason, SplitWhy,
    Verdict,
};
use desk::store::sqlite::SqliteStore;
use desk::store::{Commit, MailWrite, Store};
use desk::{Desk, Error};

mod attachments;
mod identity;

const SUPPORT: &str = "support@baton.example";
/// The MTA in front of the desk, whose `Authentication-Results` header is trusted.
const AUTHSERV: &str = "mx.baton.example";

fn settings() -> MailSettings {
    MailSettings {
        sender: Sender {
            address: SUPPORT.into(),
            name: "Baton 고객센터".into(),
        },
        key: ThreadKey::derive(b"mail test key"),
        limits: Limits::default(),
        auto_replies_per_hour: 3,
        site_url: "https://help.baton.example".into(),
        authserv_id: Some(AUTHSERV.into()),
    }
}

struct TestDesk {
    desk: Desk,
    store: Arc<SqliteStore>,
    _dir: tempfile::TempDir,
}

fn desk() -> TestDesk {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(&dir.path().join("desk.db")).expect("open store"));
    TestDesk {
        desk: Desk::new(knowledge_base(), store.clone()).with_mail(settings()),
        store,
        _dir: dir,
    }
}

/// What a relay was handed, and whether it takes the next mails.
#[derive(Default)]
struct Recorded {
    sent: Mutex<Vec<(String, String, String)>>,
    refuse: Mutex<Option<Refused>>,
}

#[async_trait]
impl Relay for Recorded {
    async fn send(&self, from: &str, to: &str, raw: &[u8]) -> Result<Option<String>, Refused> {
        if let Some(refused) = self.refuse.lock().expect("test step").clone() {
            return Err(refused);
        }
        self.sent.lock().expect("test step").push((
            from.to_string(),
            to.to_string(),
            String::from_utf8_lossy(raw).into_owned(),
        ));
        Ok(None)
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/mail")
            .join(name),
    )
    .expect("fixture")
}

fn filled(name: &str, fills: &[(&str, &str)]) -> Vec<u8> {
    // Byte by byte: a fixture in EUC-KR or ISO-2022-KR is not UTF-8 text.
    let mut raw = fixture(name);
    for (from, to) in fills {
        let (from, to) = (from.as_bytes(), to.as_bytes());
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i..].starts_with(from) {
                out.extend_from_slice(to);
                i += from.len();
            } else {
                out.push(raw[i]);
                i += 1;
            }
        }
        raw = out;
    }
    raw
}

fn mail(raw: Vec<u8>) -> Incoming {
    Incoming {
        raw,
        recipients: vec![SUPPORT.into()],
        verdict: Some(Verdict::Pass),
        raw_key: None,
    }
}

fn simple(from: &str, subject: &str, body: &str, extra: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\nMessage-ID: <{}@client.example>\r\n{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        desk::model::new_id("m")
    )
    .into_bytes()
}

fn stored(received: &Received) -> (String, String) {
    match received {
        Received::Stored {
            conversation_id,
            message_id,
            ..
        } => (conversation_id.clone(), message_id.clone()),
        other => panic!("not stored: {other:?}"),
    }
}

/// The message a mail was stored as.
async fn stored_message(t: &TestDesk, received: &Received) -> desk::model::Message {
    let (conversation_id, message_id) = stored(received);
    t.store
        .messages(&conversation_id)
        .await
        .expect("messages")
        .into_iter()
        .find(|m| m.id == message_id)
        .expect("the stored mail")
}

/// A first mail from `from` that the bot hands off: its conversation and case.
async fn handed_off(t: &TestDesk, from: &str, subject: &str, body: &str) -> (String, String) {
    let received = t
        .desk
        .receive_mail(&mail(simple(from, subject, body, "")))
        .await
        .expect("received");
    match received {
        Received::Stored {
            conversation_id,
            case_id: Some(case_id),
            answered: false,
            ..
        } => (conversation_id, case_id),
        other => panic!("not handed off: {other:?}"),
    }
}

/// An operator's reply to `case_id`, sent through `relay`: the mail as sent.
async fn replied(t: &TestDesk, relay: &Recorded, case_id: &str, text: &str) -> String {
    t.desk
        .reply(case_id, "minji", text, None)
        .await
        .expect("reply");
    t.desk.send_due_mail(relay).await.expect("send");
    relay
        .sent
        .lock()
        .expect("sent")
        .last()
        .expect("a mail was sent")
        .2
        .clone()
}

/// The header `name` of a sent mail.
fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines()
        .find(|l| {
            l.len() > name.len()
                && l[..name.len()].eq_ignore_ascii_case(name)
                && l.as_bytes()[name.len()] == b':'
        })
        .map(|l| l[name.len() + 1..].trim())
}

#[tokio::test]
async fn every_client_and_charset_reads_as_its_new_text() {
    let t = desk();
    let none = [
        ("{IN_REPLY_TO}", "<unknown@nowhere.example>"),
        ("{TO}", SUPPORT),
        ("{SUBJECT}", "x"),
    ];
    // (fixture, subject kept, words in the new text, words that must not be there)
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "gmail-ko-reply.eml",
            "카드 결제 취소 환불 문의",
            &["5일이 지났는데", "20261201-0042"],
            &["님이 작성", "영업일 기준"],
        ),
        (
            "outlook-en.eml",
            "How do I invite a new staff member?",
            &["permission to manage orders only"],
            &["Your store account is ready", "Sent: Friday"],
        ),
        (
            "outlook-ko.eml",
            "정산 금액 문의",
            &["수수료가 바뀐 건가요", "세금계산서"],
            &["보낸 사람", "11월 정산 내역 첨부"],
        ),
        (
            "apple-ko.eml",
            "2단계 인증 앱을 바꿨어요",
            &["OTP 앱이 없어졌어요"],
            &["iPhone에서 보냄", "이전 문의"],
        ),
        (
            "naver.eml",
            "배송 송장 번호 등록이 안 돼요",
            &["CJ대한통운"],
            &["새 주문 3건"],
        ),
        (
            "daum-euc-kr.eml",
            "내 도메인 연결 문의",
            &["제가 가진 도메인"],
            &["도메인 등록 완료"],
        ),
        (
            "iso-2022-kr.eml",
            "송금 문의",
            &["받는 분이 아직 못 받았대요"],
            &[],
        ),
        (
            "html-only.eml",
            "Can't log in to my store",
            &["did not change it"],
            &["alert(1)", "color: red", "<p>"],
        ),
        (
            "forward.eml",
            "결제가 두 번 됐어요",
            &["고객 문의 전달드립니다"],
            &[],
        ),
        (
            "broken-mime.eml",
            "환불은 언제 되나요",
            &["환불은 언제 되나요"],
            &[],
        ),
    ];
    for (name, subject, present, absent) in cases {
        let received = t
            .desk
            .receive_mail(&mail(filled(name, &none)))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (conversation_id, message_id) = stored(&received);
        let messages = t.store.messages(&conversation_id).await.expect("messages");
        let message = messages
            .iter()
            .find(|m| m.id == message_id)
            .expect("message");
        let part = message.mail.as_ref().expect("mail part");
        assert_eq!(part.subject, *subject, "{name}");
        for word in *present {
            assert!(
                message.text.contains(word),
                "{name}: {word:?} in {:?}",
                message.text
            );
        }
        for word in *absent {
            assert!(
                !message.text.contains(word),
                "{name}: {word:?} cut from {:?}",
                message.text
            );
        }
        assert!(
            !format!("{}{}", message.text, part.subject).contains('\u{FFFD}'),
            "{name}: nothing garbled"
        );
        let conversation = t
            .store
            .conversation(&conversation_id)
            .await
            .expect("read")
            .expect("conversation");
        assert_eq!(conversation.channel, MAIL_CHANNEL);
        assert!(
            !conversation.customer.verified,
            "{name}: a From address proves no one"
        );
    }
}

#[tokio::test]
async fn the_forwarding_colleague_not_the_forwarded_customer_is_the_sender() {
    let t = desk();
    let received = t
        .desk
        .receive_mail(&mail(fixture("forward.eml")))
        .await
        .expect("receive");
    let (conversation_id, _) = stored(&received);
    let conversation = t
        .store
        .conversation(&conversation_id)
        .await
        .expect("test step")
        .expect("test step");
    assert_eq!(
        conversation.mail.expect("test step").address,
        "team.lead@hanbit.co.kr"
    );
    assert_eq!(
        conversation.customer.contact.as_deref(),
        Some("team.lead@hanbit.co.kr")
    );
}

#[tokio::test]
async fn a_thread_holds_by_token_by_message_id_and_by_subject_and_never_by_someone_else() {
    let t = desk();
    let relay = Recorded::default();
    let customer = "Minji Kim <minji.kim@gmail.com>";
    // A question the bot hands off (a person must look at an account): people answer.
    let (conversation_id, case_id) = handed_off(
        &t,
        customer,
        "=?UTF-8?B?7KCV7IKwIOq4iOyVoSDrrLjsnZg=?=",
        "지난달 정산 금액이 이상해요. 제 계정 정산 내역을 사람이 직접 확인해 주실 수 있나요? 상담원 연결 부탁드려요.",
    )
    .await;
    replied(
        &t,
        &relay,
        &case_id,
        "확인해 보니 수수료율 변경 때문이에요.",
    )
    .await;
    let sent = relay.sent.lock().expect("test step").clone();
    // First the acknowledgement that the mail reached people, then the operator's reply.
    assert_eq!(sent.len(), 2, "{sent:?}");
    let ack = parse(sent[0].2.as_bytes(), &Limits::default()).expect("a mail");
    assert!(
        ack.automatic.is_some() && ack.text.contains("담당자가 확인하고"),
        "{}",
        ack.text
    );
    let (from, to, raw) = sent[1].clone();
    assert_eq!(
        (from.as_str(), to.as_str()),
        (SUPPORT, "minji.kim@gmail.com")
    );
    let token = t
        .desk
        .mail_settings()
        .expect("test step")
        .key
        .token(&conversation_id);
    assert!(
        header(&raw, "Reply-To")
            .expect("test step")
            .contains(&format!("support+{token}@baton.example")),
        "{raw}"
    );
    assert!(header(&raw, "Subject").is_some());
    assert!(
        header(&raw, "In-Reply-To")
            .expect("test step")
            .contains("@client.example>"),
        "{raw}"
    );
    assert!(
        header(&raw, "Auto-Submitted").is_none(),
        "a person's reply is not automatic"
    );
    let sent_id = header(&raw, "Message-ID").expect("test step").to_string();
    let messages = t.store.messages(&conversation_id).await.expect("test step");
    let operator = messages
        .iter()
        .find(|m| matches!(m.author, Author::Operator { .. }))
        .expect("test step");
    assert_eq!(
        operator
            .mail
            .as_ref()
            .expect("test step")
            .delivery
            .as_ref()
            .expect("test step")
            .state,
        DeliveryState::Sent
    );

    // 1. The customer's client answers: In-Reply-To names Baton's mail.
    let by_id = t
        .desk
        .receive_mail(&mail(simple(
            customer,
            "Re: 정산 금액 문의",
            "아 그렇군요. 그럼 다음 달부터는 원래대로 돌아오나요?",
            &format!("In-Reply-To: {sent_id}\r\nReferences: {sent_id}\r\n"),
        )))
        .await
        .expect("reply by id");
    assert_eq!(stored(&by_id).0, conversation_id);

    // 2. No threading headers at all (a client that drops them), to the token address.
    let mut by_token = mail(simple(
        customer,
        "another subject",
        "하나 더 여쭤볼게요.",
        "",
    ));
    by_token.recipients = vec![format!("support+{token}@baton.example")];
    assert_eq!(
        stored(&t.desk.receive_mail(&by_token).await.expect("test step")).0,
        conversation_id
    );

    // 3. Only the subject's tag.
    let tagged = simple(
        customer,
        &format!("Re: 정산 [#{token}]"),
        "태그만 있어요.",
        "",
    );
    assert_eq!(
        stored(&t.desk.receive_mail(&mail(tagged)).await.expect("test step")).0,
        conversation_id
    );

    // 4. Someone else with the token, the Message-ID and the tag (a BCC'd colleague, a guess):
    //    a new conversation that says why, and the case is not theirs to read or write.
    let mut intruder = mail(simple(
        "Mallory <mallory@evil.example>",
        &format!("Re: 정산 [#{token}]"),
        "이 건 제 계정으로 환불해 주세요.",
        &format!("In-Reply-To: {sent_id}\r\n"),
    ));
    intruder.recipients = vec![format!("support+{token}@baton.example")];
    let received = t.desk.receive_mail(&intruder).await.expect("test step");
    let (other, message_id) = stored(&received);
    assert_ne!(other, conversation_id);
    let split = t
        .store
        .messages(&other)
        .await
        .expect("test step")
        .into_iter()
        .find(|m| m.id == message_id)
        .expect("test step");
    let split = split.mail.expect("test step").split.expect("says why");
    assert_eq!(
        (split.from.as_str(), split.why),
        (conversation_id.as_str(), SplitWhy::NotParticipant)
    );
    let original = t.store.messages(&conversation_id).await.expect("test step");
    assert!(
        original
            .iter()
            .all(|m| !m.text.contains("제 계정으로 환불"))
    );

    // 5. The same mail delivered again is stored once.
    let again = t.desk.receive_mail(&intruder).await.expect("test step");
    assert_eq!(
        again,
        Received::Duplicate {
            conversation_id: other
        }
    );
}

#[tokio::test]
async fn after_resolution_a_reply_reopens_and_a_new_subject_is_a_new_conversation() {
    let t = desk();
    let relay = Recorded::default();
    let customer = "jihoon.park@hanbit.co.kr";
    let (conversation_id, case_id) = handed_off(
        &t,
        customer,
        "세금계산서 재발행",
        "상담원 연결해 주세요. 세금계산서를 다시 받고 싶어요.",
    )
    .await;
    let raw = replied(&t, &relay, &case_id, "다시 발행해 드렸어요.").await;
    let sent_id = header(&raw, "Message-ID").expect("test step").to_string();
    t.desk
        .resolve(&case_id, "minji", "재발행", None, None)
        .await
        .expect("test step");

    // A new subject in the old thread, after resolution: a new question.
    let new_topic = t
        .desk
        .receive_mail(&mail(simple(
            customer,
            "Re: 배송비 설정은 어디서 하나요",
            "배송비 설정은 어디서 하나요?",
            &format!("In-Reply-To: {sent_id}\r\n"),
        )))
        .await
        .expect("test step");
    assert_ne!(stored(&new_topic).0, conversation_id);

    // The same thread again: the case comes back.
    let reopened = t
        .desk
        .receive_mail(&mail(simple(
            customer,
            "Re: 세금계산서 재발행",
            "받은 계산서 금액이 틀려요.",
            &format!("In-Reply-To: {sent_id}\r\n"),
        )))
        .await
        .expect("test step");
    assert_eq!(stored(&reopened).0, conversation_id);
    let case = t.desk.case(&case_id).await.expect("test step").case;
    assert_eq!(case.status, CaseStatus::Open);
    assert_eq!(case.reopened, 1);
}

#[tokio::test]
async fn machines_are_never_answered_and_loops_stop() {
    let t = desk();
    let relay = Recorded::default();
    // A question the bot answers surely, asked five times in an hour by one address (another
    // help desk answering Baton's answers): three answers, then people.
    let mut answered = 0;
    for i in 0..5 {
        let received = t
            .desk
            .receive_mail(&mail(simple(
                "bot@other-desk.example",
                "OTP",
                &format!("2단계 인증(OTP)은 어떻게 설정하나요? ({i})"),
                "",
            )))
            .await
            .expect("test step");
        if let Received::Stored { answered: true, .. } = received {
            answered += 1;
        }
    }
    assert!(
        answered <= 3,
        "at most three automatic replies an hour: {answered}"
    );
    assert!(answered >= 1, "the bot answers a question its guides cover");
    t.desk.send_due_mail(&relay).await.expect("test step");
    let sent = relay.sent.lock().expect("test step").clone();
    assert!(
        sent.len() <= 3,
        "at most three automatic mails (answers and acknowledgements) an hour: {}",
        sent.len()
    );
    let mut answers = 0;
    for (_, _, raw) in &sent {
        assert_eq!(header(raw, "Auto-Submitted"), Some("auto-replied"));
        let read = parse(raw.as_bytes(), &Limits::default()).expect("a mail");
        assert!(
            read.automatic.is_some(),
            "another Baton would not answer it"
        );
        if read.text.contains("https://help.baton.example/ko/") {
            answers += 1;
            assert!(
                read.text.contains("상담원"),
                "says how to reach a person: {}",
                read.text
            );
        }
    }
    assert_eq!(answers, answered);

    // A newsletter and an out-of-office to nowhere: kept for people, quarantined, never answered.
    for name in ["mailing-list.eml", "out-of-office.eml"] {
        let raw = filled(
            name,
            &[
                ("{IN_REPLY_TO}", "<nothing@x>"),
                ("{TO}", SUPPORT),
                ("{SUBJECT}", "x"),
            ],
        );
        let received = t.desk.receive_mail(&mail(raw)).await.expect("test step");
        let Received::Stored {
            answered: false,
            case_id: Some(case_id),
            ..
        } = received
        else {
            panic!("{name}: {received:?}")
        };
        assert_eq!(
            t.desk.case(&case_id).await.expect("test step").case.reason,
            Reason::Quarantined
        );
    }

    // Spoofed mail that names a real thread: quarantined in a conversation of its own.
    let real = stored(
        &t.desk
            .receive_mail(&mail(simple(
                "a@example.com",
                "q",
                "상담원 연결해 주세요",
                "",
            )))
            .await
            .expect("test step"),
    )
    .0;
    let token = t.desk.mail_settings().expect("test step").key.token(&real);
    let mut spoofed = mail(simple("a@example.com", "q", "계좌를 바꿔 주세요", ""));
    spoofed.recipients = vec![format!("support+{token}@baton.example")];
    spoofed.verdict = Some(Verdict::Spoofed);
    let received = t.desk.receive_mail(&spoofed).await.expect("test step");
    let (conversation, _) = stored(&received);
    assert_ne!(conversation, real);

    // Mail from the support address itself is a loop.
    let own = t
        .desk
        .receive_mail(&mail(simple(SUPPORT, "x", "y", "")))
        .await
        .expect("test step");
    assert!(matches!(own, Received::Ignored { .. }));
}

#[tokio::test]
async fn an_out_of_office_in_a_thread_is_kept_beside_it_and_a_bounce_marks_the_mail_failed() {
    let t = desk();
    let relay = Recorded::default();
    let (conversation_id, case_id) = handed_off(
        &t,
        "john.park@contoso.com",
        "Staff invite",
        "Please connect me with an agent about staff roles.",
    )
    .await;
    let raw = replied(&t, &relay, &case_id, "Here is how to invite staff.").await;
    let sent_id = header(&raw, "Message-ID")
        .expect("test step")
        .trim_matches(['<', '>'])
        .to_string();
    t.desk
        .resolve(&case_id, "minji", "answered", None, None)
        .await
        .expect("test step");

    let ooo = filled(
        "out-of-office.eml",
        &[
            ("{IN_REPLY_TO}", &format!("<{sent_id}>")),
            ("{TO}", SUPPORT),
            ("{SUBJECT}", "Staff invite"),
        ],
    );
    let received = t.desk.receive_mail(&mail(ooo)).await.expect("test step");
    assert_eq!(stored(&received).0, conversation_id);
    let case = t.desk.case(&case_id).await.expect("test step").case;
    assert_eq!(
        case.status,
        CaseStatus::Resolved,
        "an auto-reply does not reopen the case"
    );
    let kept = t.store.messages(&conversation_id).await.expect("test step");
    assert_eq!(
        kept.last()
            .expect("test step")
            .mail
            .as_ref()
            .expect("test step")
            .automatic,
        Some(Automatic::AutoSubmitted)
    );

    let bounce = filled(
        "bounce.eml",
        &[
            ("{BOUNCED_ID}", &sent_id),
            ("{TO_CUSTOMER}", "john.park@contoso.com"),
            ("{SUBJECT}", "Re: Staff invite"),
        ],
    );
    let received = t.desk.receive_mail(&mail(bounce)).await.expect("test step");
    let Received::Bounce { message_id, .. } = received else {
        panic!("a bounce: {received:?}")
    };
    let failed = t
        .store
        .messages(&conversation_id)
        .await
        .expect("test step")
        .into_iter()
        .find(|m| m.id == message_id)
        .expect("test step");
    let delivery = failed.mail.expect("test step").delivery.expect("test step");
    assert_eq!(delivery.state, DeliveryState::Failed);
    let why = delivery.error.expect("test step");
    assert!(why.contains("550 5.1.1"), "{why}");
    assert!(
        !why.contains("john.park@contoso.com"),
        "the bounced address is masked: {why}"
    );
}

#[tokio::test]
async fn a_relay_that_refuses_at_first_gets_the_mail_later_and_one_that_never_will_fails_it() {
    let t = desk();
    let relay = Recorded::default();
    let (conversation_id, case_id) =
        handed_off(&t, "a@example.com", "q", "상담원 연결해 주세요").await;
    t.desk
        .reply(&case_id, "minji", "답변입니다.", None)
        .await
        .expect("test step");
    *relay.refuse.lock().expect("test step") = Some(Refused::Transient("421 try later".into()));
    assert_eq!(t.desk.send_due_mail(&relay).await.expect("test step"), 0);
    let pending = pending_mail(t.store.as_ref(), &conversation_id).await;
    assert_eq!(
        (pending.state, pending.attempts),
        (DeliveryState::Pending, 1)
    );
    assert!(pending.next_at > desk::model::now(), "tried again later");
    assert_eq!(
        t.desk.send_due_mail(&relay).await.expect("test step"),
        0,
        "not before it is due"
    );

    // Its time comes (moved here rather than waited for), and the relay is back.
    let mut due = pending.clone();
    due.next_at = 0;
    t.store
        .commit(&Commit {
            outgoing: Some(MailWrite::Update(due)),
            ..Commit::default()
        })
        .await
        .expect("test step");
    *relay.refuse.lock().expect("test step") = None;
    assert_eq!(t.desk.send_due_mail(&relay).await.expect("test step"), 1);
    assert_eq!(relay.sent.lock().expect("test step").len(), 1, "sent once");

    // A relay that refuses for good: the message says it failed, and why.
    t.desk
        .reply(&case_id, "minji", "하나 더요.", None)
        .await
        .expect("test step");
    *relay.refuse.lock().expect("test step") = Some(Refused::Permanent("550 no such user".into()));
    t.desk.send_due_mail(&relay).await.expect("test step");
    let messages = t.store.messages(&conversation_id).await.expect("test step");
    let last = messages
        .last()
        .expect("test step")
        .mail
        .clone()
        .expect("test step")
        .delivery
        .expect("test step");
    assert_eq!(last.state, DeliveryState::Failed);
    assert_eq!(last.error.as_deref(), Some("550 no such user"));
}

async fn pending_mail(store: &dyn Store, conversation_id: &str) -> desk::model::OutgoingMail {
    let far = desk::model::now() + 10 * 3_600_000;
    store
        .due_mail(far, 10)
        .await
        .expect("test step")
        .into_iter()
        .find(|m| m.conversation_id == conversation_id)
        .expect("pending")
}

#[tokio::test]
async fn a_huge_attachment_or_no_message_at_all_is_refused_with_a_reason() {
    let t = desk();
    let mut huge = simple("a@example.com", "big", "첨부합니다", "").to_vec();
    huge.truncate(huge.len() - 2);
    let mut raw = String::from_utf8(huge).expect("test step").replace(
        "Content-Type: text/plain; charset=utf-8\r\n\r\n",
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
    );
    raw.push_str("\r\n--b\r\nContent-Type: application/pdf; name=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    let line = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n";
    while raw.len() < 27 * 1024 * 1024 {
        raw.push_str(line);
    }
    raw.push_str("--b--\r\n");
    let error = t
        .desk
        .receive_mail(&mail(raw.into_bytes()))
        .await
        .expect_err("too large");
    assert!(
        matches!(&error, Error::Invalid(m) if m.contains("bytes")),
        "{error}"
    );

    // 20 MB fits the limit: the text is kept, the PDF is counted as not kept.
    let mut raw = String::from_utf8(simple("b@example.com", "big", "20MB 첨부", "")).expect("test step").replace(
        "Content-Type: text/plain; charset=utf-8\r\n\r\n20MB 첨부\r\n",
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n20MB 첨부\r\n--b\r\nContent-Type: application/pdf; name=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    while raw.len() < 20 * 1024 * 1024 {
        raw.push_str(line);
    }
    raw.push_str("--b--\r\n");
    let received = t
        .desk
        .receive_mail(&mail(raw.into_bytes()))
        .await
        .expect("20 MB");
    let (conversation_id, message_id) = stored(&received);
    let message = t
        .store
        .messages(&conversation_id)
        .await
        .expect("test step")
        .into_iter()
        .find(|m| m.id == message_id)
        .expect("test step");
    assert!(message.text.contains("20MB 첨부"));
    let part = message.mail.expect("test step");
    assert_eq!(part.attachments_dropped, 1);
    let pdf = &part.not_kept[0];
    assert_eq!(
        (pdf.name.as_str(), pdf.content_type.as_str(), pdf.why),
        ("big.pdf", "application/pdf", NotKeptWhy::NotAnImage)
    );
    assert!(pdf.bytes > 14 * 1024 * 1024, "{pdf:?}");

    for bad in [&b""[..], b"just some words, no headers"] {
        let error = t
            .desk
            .receive_mail(&mail(bad.to_vec()))
            .await
            .expect_err("not a mail");
        assert!(matches!(error, Error::Invalid(_)), "{error}");
    }
}

#[tokio::test]
async fn the_weekly_report_counts_mail_as_a_channel() {
    let t = desk();
    handed_off(&t, "a@example.com", "q", "상담원 연결해 주세요").await;
    handed_off(&t, "b@example.com", "q", "상담원 연결해 주세요").await;
    let offset = time::UtcOffset::from_hms(9, 0, 0).expect("offset");
    let now = desk::model::now();
    let today = desk::insights::period::local(now, offset).date();
    let period =
        desk::insights::period::Period::days(&today.to_string(), &today.to_string(), offset)
            .expect("today");
    let options = desk::insights::Options {
        hours: None,
        now,
        kb: None,
        encoder: None,
    };
    let report = desk::insights::report(t.store.as_ref(), &period, &options)
        .await
        .expect("report");
    let mail = report
        .volume
        .by_channel
        .iter()
        .find(|r| r.key == MAIL_CHANNEL)
        .expect("a mail row");
    assert_eq!(mail.count.count, 2);
}
