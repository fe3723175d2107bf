//! The desk's flows on SQLite with Baton's own guides: answers, hand-offs, the queue, claims,
//! replies, resolution and reopening, idempotency, masking, verified customers and escalation.
//! (The same flows over HTTP run on both stores in `tests/e2e/desk`.)

use std::sync::Arc;

use crate::knowledge_base;

use desk::desk::{Start, StartCustomer};
use desk::model::{
    Author, CaseStatus, Category, ConversationState, Decision, Feedback, Priority, Reason,
};
use desk::store::sqlite::SqliteStore;
use desk::{Desk, Error};
use kb::Lang;

struct TestDesk {
    desk: Desk,
    _dir: tempfile::TempDir,
}

fn desk() -> TestDesk {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("desk.db")).expect("open store");
    TestDesk {
        desk: Desk::new(knowledge_base(), Arc::new(store)),
        _dir: dir,
    }
}

/// The identity secret the test desk shares with its "host site".
const SITE_SECRET: &str = "test-site-identity-secret-0123456789";

fn desk_verifying() -> TestDesk {
    let mut t = desk();
    let config = desk::config::Config::from_pairs(
        desk::config::Deployment::Local,
        [(desk::config::IDENTITY_SECRETS, SITE_SECRET)],
    )
    .expect("config");
    t.desk = t
        .desk
        .with_identity(desk::identity::Verifier::from_config(&config).expect("verifier"));
    t
}

/// A token the host site signs for `customer`.
fn signed(customer: &str) -> String {
    let exp = desk::model::now() / 1000 + 600;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &serde_json::json!({"sub": customer, "aud": "baton", "exp": exp}),
        &jsonwebtoken::EncodingKey::from_secret(SITE_SECRET.as_bytes()).expect("key"),
    )
    .expect("sign")
}

async fn start_as(
    desk: &Desk,
    customer: &str,
    token: Option<String>,
    locale: Lang,
) -> (String, String) {
    let started = desk
        .start(Start {
            customer: Some(StartCustomer {
                id: Some(customer.into()),
                contact: Some("010-1234-5678".into()),
                name: None,
            }),
            identity_token: token,
            channel: Some("web".into()),
            locale: Some(locale),
            metadata: [("page".to_string(), "/dashboard/settlements".to_string())].into(),
        })
        .await
        .expect("start");
    (started.conversation.id, started.secret)
}

async fn start(desk: &Desk, customer: &str, locale: Lang) -> (String, String) {
    start_as(desk, customer, None, locale).await
}

/// The customer asks for a person; the case that creates.
async fn ask_for_a_person(desk: &Desk, id: &str, secret: &str) -> desk::model::Case {
    let posted = desk
        .post(id, secret, "상담원 연결", None)
        .await
        .expect("post");
    posted.case.expect("case")
}

#[tokio::test]
async fn a_korean_question_is_answered_with_the_right_guide() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let posted = t
        .desk
        .post(&id, &secret, "비밀번호 변경이 안 돼요", Some("k1"))
        .await
        .expect("post");
    let reply = posted.reply.expect("bot replies");
    let turn = reply.bot.as_ref().expect("turn");
    assert_eq!(turn.decision, Decision::Answer, "{turn:?}");
    assert_eq!(
        turn.cited.first().map(String::as_str),
        Some("ko/account/password-reset")
    );
    assert!(turn.confidence >= 0.6);
    assert_eq!(turn.reasons, [Reason::Confident]);
    assert_eq!(
        reply.quick_replies,
        ["해결됐어요", "도움이 안 됐어요", "상담원 연결"]
    );
    assert!(reply.text.contains("비밀번호"), "{}", reply.text);
    assert!(posted.case.is_none());
}

#[tokio::test]
async fn an_english_question_is_answered_with_the_right_guide() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::En).await;
    let posted = t
        .desk
        .post(
            &id,
            &secret,
            "How do I give a partial refund to a customer?",
            None,
        )
        .await
        .expect("post");
    let turn = posted.reply.expect("reply").bot.expect("turn");
    assert_eq!(turn.decision, Decision::Answer, "{turn:?}");
    assert_eq!(
        turn.cited.first().map(String::as_str),
        Some("en/payments/refund")
    );
}

#[tokio::test]
async fn a_question_spanning_areas_gets_choices_and_a_choice_gets_the_answer() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let posted = t
        .desk
        .post(&id, &secret, "수수료", None)
        .await
        .expect("post");
    let reply = posted.reply.expect("reply");
    let turn = reply.bot.as_ref().expect("turn");
    assert_eq!(turn.decision, Decision::Clarify, "{turn:?}");
    let Reason::Ambiguous { areas } = &turn.reasons[0] else {
        panic!("expected ambiguous: {:?}", turn.reasons)
    };
    assert!(areas.len() >= 2, "{areas:?}");
    assert!((2..=3).contains(&reply.links.len()));
    assert_eq!(
        reply.quick_replies.last().map(String::as_str),
        Some("상담원 연결")
    );
    // Tapping a choice sends its title; the bot answers with that guide.
    let choice = reply.links[1].clone();
    let posted = t
        .desk
        .post(&id, &secret, &choice.title, None)
        .await
        .expect("post");
    let turn = posted.reply.expect("reply").bot.expect("turn");
    assert_eq!(turn.decision, Decision::Answer, "{turn:?}");
    assert_eq!(turn.cited.first(), Some(&choice.guide));
}

#[tokio::test]
async fn asking_for_a_person_hands_off_with_transcript_and_attempts() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    t.desk
        .post(&id, &secret, "정산 계좌를 바꾸고 싶어요", None)
        .await
        .expect("post");
    let posted = t
        .desk
        .post(&id, &secret, "상담원 연결해 주세요", None)
        .await
        .expect("post");
    let case = posted.case.expect("case");
    assert_eq!(case.reason, Reason::HumanRequested);
    assert_eq!(case.status, CaseStatus::Open);
    assert_eq!(case.metadata["page"], "/dashboard/settlements");
    let view = t.desk.case(&case.id).await.expect("case view");
    assert_eq!(view.transcript.len(), 4, "two questions, two bot turns");
    assert_eq!(view.attempts.len(), 2);
    assert_eq!(
        view.attempts[0].hits.first().map(|h| h.guide.as_str()),
        Some("ko/transfers/settlement-account")
    );
    assert!(
        case.summary.contains("정산 계좌를 바꾸고 싶어요"),
        "{}",
        case.summary
    );
    assert_eq!(view.conversation.state, ConversationState::Human);
}

#[tokio::test]
async fn urgent_messages_jump_the_queue() {
    let t = desk();
    let (a, sa) = start(&t.desk, "c1", Lang::Ko).await;
    t.desk
        .post(&a, &sa, "상담원 연결", None)
        .await
        .expect("post");
    let (b, sb) = start(&t.desk, "c2", Lang::Ko).await;
    let posted = t
        .desk
        .post(&b, &sb, "어제 송금했는데 아직 안 들어왔어요", None)
        .await
        .expect("post");
    let case = posted.case.expect("urgent case");
    assert_eq!(case.priority, Priority::Urgent);
    assert_eq!(
        case.reason,
        Reason::Urgent {
            kind: desk::model::UrgentKind::MoneyNotReceived
        }
    );
    assert_eq!(case.category, Category::BillingPayment);
    let queue = t.desk.queue(10, None).await.expect("queue").cases;
    assert_eq!(
        queue
            .iter()
            .map(|c| c.conversation_id.as_str())
            .collect::<Vec<_>>(),
        [b.as_str(), a.as_str()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_operators_claim_at_once_and_one_wins() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let case = ask_for_a_person(&t.desk, &id, &secret).await;
    let (a, b) = tokio::join!(
        t.desk.claim(&case.id, "minji"),
        t.desk.claim(&case.id, "junho")
    );
    let (won, lost) = match (a, b) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        other => panic!("expected one winner: {other:?}"),
    };
    assert!(
        matches!(&lost, Error::Conflict(m) if m.contains("is held by")),
        "{lost}"
    );
    assert_eq!(won.status, CaseStatus::Claimed);
    // Claiming again as the holder is fine; the other still conflicts.
    let holder = won.assignee.clone().expect("holder");
    t.desk
        .claim(&case.id, &holder)
        .await
        .expect("re-claim by holder");
    let other = if holder == "minji" { "junho" } else { "minji" };
    assert!(matches!(
        t.desk.release(&case.id, other).await,
        Err(Error::Conflict(_))
    ));
    assert_eq!(
        t.desk
            .release(&case.id, &holder)
            .await
            .expect("release")
            .status,
        CaseStatus::Open
    );
}

#[tokio::test]
async fn replies_reach_the_customer_and_the_bot_stays_silent() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let case = ask_for_a_person(&t.desk, &id, &secret).await;
    t.desk.claim(&case.id, "minji").await.expect("claim");
    t.desk
        .reply(&case.id, "minji", "안녕하세요, 확인해 볼게요.", None)
        .await
        .expect("reply");
    let later = t
        .desk
        .post(&id, &secret, "비밀번호 변경은 어떻게 해요?", None)
        .await
        .expect("post");
    assert!(
        later.reply.is_none(),
        "the bot must not talk over the operator"
    );
    let (_, messages) = t.desk.transcript(&id, &secret).await.expect("transcript");
    let operator: Vec<&str> = messages
        .iter()
        .filter(|m| matches!(m.author, Author::Operator { .. }))
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(operator, ["안녕하세요, 확인해 볼게요."]);
    assert_eq!(
        messages.last().map(|m| m.author.clone()),
        Some(Author::Customer)
    );
    assert!(matches!(
        t.desk.reply(&case.id, "junho", "제가 할게요", None).await,
        Err(Error::Conflict(_))
    ));
}

#[tokio::test]
async fn a_message_after_resolution_reopens_the_case() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let case = ask_for_a_person(&t.desk, &id, &secret).await;
    t.desk.claim(&case.id, "minji").await.expect("claim");
    let resolved = t
        .desk
        .resolve(
            &case.id,
            "minji",
            "정산 계좌 변경 안내함",
            Some(Category::BillingPayment),
            Some("guide: 정산 계좌 변경 시 보류 기간 설명 추가"),
        )
        .await
        .expect("resolve");
    assert_eq!(resolved.status, CaseStatus::Resolved);
    assert!(
        t.desk
            .queue(10, None)
            .await
            .expect("queue")
            .cases
            .is_empty()
    );
    let posted = t
        .desk
        .post(&id, &secret, "아직도 안 바뀌었어요", None)
        .await
        .expect("post");
    let reopened = posted.case.expect("case");
    assert_eq!(
        (reopened.id.as_str(), reopened.status, reopened.reopened),
        (case.id.as_str(), CaseStatus::Open, 1)
    );
    assert!(posted.reply.is_none());
    assert_eq!(t.desk.queue(10, None).await.expect("queue").cases.len(), 1);
}

#[tokio::test]
async fn the_same_hand_off_twice_is_one_case() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let first = t.desk.request_human(&id, &secret).await.expect("hand off");
    let second = t
        .desk
        .request_human(&id, &secret)
        .await
        .expect("hand off again");
    let third = t
        .desk
        .post(&id, &secret, "상담원 연결", None)
        .await
        .expect("asked again")
        .case
        .expect("case");
    assert_eq!(first.id, second.id);
    assert_eq!(first.id, third.id);
    assert_eq!(t.desk.queue(10, None).await.expect("queue").cases.len(), 1);
}

#[tokio::test]
async fn personal_data_is_masked_everywhere_it_is_stored() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let text = "카드 4111 1111 1111 1111 로 두 번 결제됐어요. 연락처 010-9876-5432, 주민번호 900101-1234567";
    let case = t
        .desk
        .post(&id, &secret, text, None)
        .await
        .expect("post")
        .case
        .expect("urgent case");
    let view = t.desk.case(&case.id).await.expect("view");
    let stored = serde_json::to_string(&view).expect("json");
    for secret_text in [
        "4111 1111 1111 1111",
        "010-9876-5432",
        "900101-1234567",
        "010-1234-5678",
    ] {
        assert!(
            !stored.contains(secret_text),
            "{secret_text} stored unmasked"
        );
    }
    assert!(case.summary.contains("[card ****1111]"), "{}", case.summary);
    assert_eq!(
        view.conversation.customer.contact.as_deref(),
        Some("[phone ****5678]")
    );
    t.desk
        .note(&case.id, "minji", "고객 번호 010-5555-6666 으로 전화함")
        .await
        .expect("note");
    let notes = t.desk.case(&case.id).await.expect("view").notes;
    assert_eq!(notes[0].text, "고객 번호 [phone ****6666] 으로 전화함");
}

#[tokio::test]
async fn another_conversations_secret_reads_as_not_found() {
    let t = desk();
    let (a, _) = start(&t.desk, "c1", Lang::Ko).await;
    let (_, secret_b) = start(&t.desk, "c2", Lang::Ko).await;
    assert!(matches!(
        t.desk.transcript(&a, &secret_b).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        t.desk.post(&a, &secret_b, "hi", None).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        t.desk
            .transcript("cv_01JAAAAAAAAAAAAAAAAAAAAAAA", &secret_b)
            .await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_resend_with_the_same_key_is_deduplicated() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let first = t
        .desk
        .post(&id, &secret, "환불은 어떻게 하나요?", Some("key-1"))
        .await
        .expect("post");
    let again = t
        .desk
        .post(&id, &secret, "환불은 어떻게 하나요?", Some("key-1"))
        .await
        .expect("resend");
    assert!(again.duplicate);
    assert_eq!(again.message.id, first.message.id);
    assert_eq!(again.reply.map(|m| m.id), first.reply.map(|m| m.id));
    let (_, messages) = t.desk.transcript(&id, &secret).await.expect("transcript");
    assert_eq!(messages.len(), 2);
}

#[tokio::test]
async fn didnt_help_hands_off_and_records_the_feedback() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let answered = t
        .desk
        .post(&id, &secret, "비밀번호 변경이 안 돼요", None)
        .await
        .expect("post");
    assert_eq!(
        answered
            .reply
            .as_ref()
            .and_then(|m| m.bot.as_ref())
            .map(|t| t.decision),
        Some(Decision::Answer)
    );
    let posted = t
        .desk
        .post(&id, &secret, "도움이 안 됐어요", None)
        .await
        .expect("post");
    let case = posted.case.expect("case");
    assert_eq!(case.reason, Reason::NotHelpful);
    let (_, messages) = t.desk.transcript(&id, &secret).await.expect("transcript");
    assert_eq!(
        messages[1].bot.as_ref().and_then(|t| t.feedback),
        Some(Feedback::NotHelpful)
    );
}

#[tokio::test]
async fn the_same_question_again_hands_off() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::En).await;
    t.desk
        .post(
            &id,
            &secret,
            "how do I change my settlement bank account",
            None,
        )
        .await
        .expect("post");
    let posted = t
        .desk
        .post(
            &id,
            &secret,
            "how can I change the settlement bank account?",
            None,
        )
        .await
        .expect("post");
    assert_eq!(posted.case.expect("case").reason, Reason::Repeated);
}

#[tokio::test]
async fn questions_the_guides_do_not_cover_go_to_people() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let posted = t
        .desk
        .post(&id, &secret, "배송 기사님이 너무 불친절해요", None)
        .await
        .expect("post");
    let turn = posted.reply.expect("reply").bot.expect("turn");
    assert_eq!(turn.decision, Decision::Handoff);
    assert_eq!(turn.reasons, [Reason::LowConfidence]);
    assert!(turn.confidence < 0.6);
}

#[tokio::test]
async fn a_new_case_shows_a_verified_customers_earlier_cases() {
    let t = desk_verifying();
    let (a, sa) = start_as(
        &t.desk,
        "repeat-customer",
        Some(signed("repeat-customer")),
        Lang::Ko,
    )
    .await;
    let first = ask_for_a_person(&t.desk, &a, &sa).await;
    t.desk
        .resolve(&first.id, "minji", "안내 완료", None, None)
        .await
        .expect("resolve");
    let (b, sb) = start_as(
        &t.desk,
        "repeat-customer",
        Some(signed("repeat-customer")),
        Lang::Ko,
    )
    .await;
    let second = t
        .desk
        .post(&b, &sb, "사람이랑 얘기하고 싶어요", None)
        .await
        .expect("post")
        .case
        .expect("case");
    assert_eq!(second.history.len(), 1);
    assert_eq!(second.history[0].id, first.id);
    assert_eq!(second.history[0].resolution.as_deref(), Some("안내 완료"));
    assert!(second.customer.verified);

    // Someone who only says they are that customer sees nobody's history and is shown unverified.
    let (c, sc) = start(&t.desk, "repeat-customer", Lang::Ko).await;
    let spoofed = ask_for_a_person(&t.desk, &c, &sc).await;
    assert!(spoofed.history.is_empty(), "{:?}", spoofed.history);
    assert!(!spoofed.customer.verified);
    assert_eq!(
        spoofed.customer.claimed_id.as_deref(),
        Some("repeat-customer")
    );
    assert_ne!(spoofed.customer.id, "repeat-customer");
    // And a forged or expired token is refused outright.
    let forged = t
        .desk
        .start(Start {
            identity_token: Some(signed("repeat-customer").replace('.', "x")),
            ..Start::default()
        })
        .await;
    assert!(matches!(forged, Err(Error::Unauthorized(_))), "{forged:?}");
}

#[tokio::test]
async fn an_urgent_message_after_hand_off_escalates_the_case_once() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let case = t.desk.request_human(&id, &secret).await.expect("hand off");
    assert_eq!(case.priority, Priority::Normal);
    let posted = t
        .desk
        .post(
            &id,
            &secret,
            "송금했는데 안 들어왔어요. 계정이 해킹당한 것 같아요",
            None,
        )
        .await
        .expect("post");
    let escalated = posted.case.expect("case");
    assert_eq!(escalated.priority, Priority::Urgent);
    let escalation = escalated.escalation.as_ref().expect("escalation");
    assert_eq!(escalation.message_id, posted.message.id);
    assert_eq!(escalated.urgent_kind(), Some(escalation.kind));
    assert_eq!(
        t.desk.queue(10, None).await.expect("queue").cases[0].id,
        case.id
    );
    // Saying it again changes nothing more.
    let again = t
        .desk
        .post(&id, &secret, "계정이 해킹당했어요 급해요", None)
        .await
        .expect("post")
        .case
        .expect("case");
    assert_eq!(again.version, escalated.version);
    let events = t.desk.store().events(0, i64::MAX).await.expect("events");
    let escalations = events
        .iter()
        .filter(|e| e.kind == desk::model::EventKind::Escalate)
        .count();
    assert_eq!(escalations, 1);
}

#[tokio::test]
async fn bad_text_is_refused_and_nothing_is_stored() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    assert!(matches!(
        t.desk.post(&id, &secret, "   ", None).await,
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        t.desk.post(&id, &secret, &"가".repeat(2000), None).await,
        Err(Error::Invalid(_))
    ));
    let (_, messages) = t.desk.transcript(&id, &secret).await.expect("transcript");
    assert!(messages.is_empty());
    assert!(matches!(
        t.desk
            .claim("case_01JAAAAAAAAAAAAAAAAAAAAAAA", "minji")
            .await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        t.desk.claim("case_../../x", "minji").await,
        Err(Error::Invalid(_))
    ));
}

/// A customer message stored without its reply (what an older Baton left behind when the second
/// write failed) is answered when the client resends it with the same key.
#[tokio::test]
async fn a_resend_completes_a_turn_an_older_version_left_half_done() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let conversation = t
        .desk
        .conversation(&id, &secret)
        .await
        .expect("conversation");
    let lone =
        desk::store::conformance::message(&conversation, "환불은 어떻게 하나요?", Some("k1"));
    t.desk
        .store()
        .commit(&desk::store::Commit {
            messages: vec![lone.clone()],
            ..desk::store::Commit::default()
        })
        .await
        .expect("the first half");
    let posted = t
        .desk
        .post(&id, &secret, "환불은 어떻게 하나요?", Some("k1"))
        .await
        .expect("resend");
    assert!(posted.duplicate);
    assert_eq!(posted.message.id, lone.id);
    let reply = posted.reply.expect("the turn is completed");
    assert_eq!(reply.id, lone.reply_id());
    let again = t
        .desk
        .post(&id, &secret, "환불은 어떻게 하나요?", Some("k1"))
        .await
        .expect("resend again");
    assert_eq!(again.reply.map(|r| r.id), Some(reply.id));
    let (_, messages) = t.desk.transcript(&id, &secret).await.expect("transcript");
    assert_eq!(messages.len(), 2);
}

/// What the browser adds beside a signed identity is not shown under the verified badge.
#[tokio::test]
async fn a_verified_customer_shows_only_what_the_site_signed() {
    let t = desk_verifying();
    let (id, secret) = start_as(&t.desk, "attacker-chosen", Some(signed("shop-9")), Lang::Ko).await;
    let conversation = t
        .desk
        .conversation(&id, &secret)
        .await
        .expect("conversation");
    assert!(conversation.customer.verified);
    assert_eq!(conversation.customer.id, "shop-9");
    assert_eq!(
        conversation.customer.contact, None,
        "the browser's contact was dropped"
    );
    assert_eq!(conversation.customer.claimed_id, None);
}

/// A thank-you after an urgent case was resolved reopens it as normal (no page for the team); new
/// urgent words make it urgent again.
#[tokio::test]
async fn a_reopened_urgent_case_is_normal_until_a_new_urgent_message() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    let case = t
        .desk
        .post(&id, &secret, "결제 오류가 계속 나요", None)
        .await
        .expect("post")
        .case
        .expect("urgent case");
    assert_eq!(case.priority, Priority::Urgent);
    t.desk
        .resolve(&case.id, "minji", "해결", None, None)
        .await
        .expect("resolve");
    let thanks = t
        .desk
        .post(&id, &secret, "감사합니다", None)
        .await
        .expect("post")
        .case
        .expect("case");
    assert_eq!(
        (thanks.status, thanks.priority),
        (CaseStatus::Open, Priority::Normal)
    );
    let again = t
        .desk
        .post(&id, &secret, "결제 오류가 또 났어요", None)
        .await
        .expect("post")
        .case
        .expect("case");
    assert_eq!(again.priority, Priority::Urgent, "{again:?}");
}

/// A conversation holds at most 500 messages; a resend of a stored one still answers.
#[tokio::test]
async fn a_conversation_is_capped_and_resends_still_answer() {
    let t = desk();
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    t.desk.request_human(&id, &secret).await.expect("hand off");
    for i in 0..desk::desk::MAX_MESSAGES {
        t.desk
            .post(&id, &secret, &format!("메시지 {i}"), Some(&format!("k{i}")))
            .await
            .expect("post");
    }
    let refused = t.desk.post(&id, &secret, "하나 더", Some("one-more")).await;
    assert!(matches!(refused, Err(Error::Conflict(_))), "{refused:?}");
    let resend = t
        .desk
        .post(&id, &secret, "메시지 0", Some("k0"))
        .await
        .expect("resend");
    assert!(resend.duplicate);
}

#[tokio::test]
async fn a_hand_off_records_the_customers_question_never_the_bots_words() {
    use desk::model::EventKind;
    let t = desk();
    let question_of = |events: Vec<desk::model::Event>, conversation: &str| {
        events
            .into_iter()
            .find(|e| e.kind == EventKind::Handoff && e.conversation_id == conversation)
            .and_then(|e| e.data.get(desk::events::QUESTION).cloned())
            .expect("a hand-off event with its question")
    };
    // From the widget's button, after the bot offered guides.
    let (id, secret) = start(&t.desk, "c1", Lang::Ko).await;
    t.desk
        .post(&id, &secret, "주문 내역을 엑셀로 받을 수 있나요?", None)
        .await
        .expect("ask");
    t.desk.request_human(&id, &secret).await.expect("hand off");
    // Typed "a person, please" after a question: the question is the one before.
    let (typed, typed_secret) = start(&t.desk, "c2", Lang::Ko).await;
    t.desk
        .post(&typed, &typed_secret, "다크 모드는 언제 나오나요?", None)
        .await
        .expect("ask");
    t.desk
        .post(&typed, &typed_secret, "상담원 연결해 주세요", None)
        .await
        .expect("ask for a person");
    let events = t
        .desk
        .store()
        .events(0, desk::model::now() + 1)
        .await
        .expect("events");
    assert_eq!(
        question_of(events.clone(), &id),
        "주문 내역을 엑셀로 받을 수 있나요?"
    );
    assert_eq!(question_of(events, &typed), "다크 모드는 언제 나오나요?");
}
