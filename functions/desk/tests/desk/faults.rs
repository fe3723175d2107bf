//! A turn is never half-finished: a whole hand-off conversation runs once per write, with that
//! write failing (before it reaches the store, and after it did but the answer was lost), on SQLite
//! and on DynamoDB Local. Every step is retried as a client would (the customer with the same
//! idempotency key, the operator with the same action), and afterwards the conversation holds
//! exactly one of each message, one reply per bot turn, one case, and one of each event.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::knowledge_base;

use desk::desk::{Posted, Start};
use desk::model::{Author, CaseStatus, EventKind, Priority, now};
use desk::store::faults::{Fault, FaultyStore};
use desk::{Desk, Error, Store};

/// Retries `step` while it fails as an unavailable store does (the injected fault); any other
/// error fails the test.
macro_rules! retried {
    ($what:expr, $step:expr) => {{
        let mut attempts = 0;
        loop {
            attempts += 1;
            match $step.await {
                Ok(value) => break value,
                Err(Error::Unavailable(_)) if attempts < 3 => continue,
                Err(error) => panic!("{}: {error}", $what),
            }
        }
    }};
}

/// What the conversation must look like at the end, whatever write failed on the way.
struct Expected;

/// The whole conversation: a question answered, "that didn't help" (hand-off), an urgent message
/// after hand-off (escalation), a claim, an operator reply, a thank-you, the resolution, and a
/// message after it (reopening).
async fn conversation(desk: &Desk) -> (String, Vec<Posted>) {
    let started = retried!("start", desk.start(Start::default()));
    let (id, secret) = (started.conversation.id, started.secret);
    let mut posted = Vec::new();
    posted.push(retried!(
        "question",
        desk.post(&id, &secret, "비밀번호 변경이 안 돼요", Some("k1"))
    ));
    posted.push(retried!(
        "not helpful",
        desk.post(&id, &secret, "도움이 안 됐어요", Some("k2"))
    ));
    posted.push(retried!(
        "urgent",
        desk.post(
            &id,
            &secret,
            "송금했는데 안 들어왔어요. 계정이 해킹당한 것 같아요",
            Some("k3")
        )
    ));
    let case_id = posted[1].case.as_ref().expect("a case").id.clone();
    retried!("claim", desk.claim(&case_id, "minji"));
    retried!(
        "reply",
        desk.reply(&case_id, "minji", "확인하고 있어요. 잠시만요.", Some("r1"))
    );
    posted.push(retried!(
        "thanks",
        desk.post(&id, &secret, "네 감사합니다", Some("k4"))
    ));
    retried!(
        "resolve",
        desk.resolve(&case_id, "minji", "송금 지연 안내", None, None)
    );
    posted.push(retried!(
        "after resolve",
        desk.post(&id, &secret, "아직도 안 들어왔어요", Some("k5"))
    ));
    (id, posted)
}

impl Expected {
    async fn check(store: &dyn Store, id: &str, posted: &[Posted], run: &str) {
        let messages = store.messages(id).await.expect("messages");
        let texts: Vec<(&str, &str)> = messages
            .iter()
            .map(|m| {
                let who = match &m.author {
                    Author::Customer => "customer",
                    Author::Bot => "bot",
                    Author::Operator { .. } => "operator",
                };
                (who, m.text.as_str())
            })
            .collect();
        let who: Vec<&str> = texts.iter().map(|(w, _)| *w).collect();
        assert_eq!(
            who,
            [
                "customer", "bot", "customer", "bot", "customer", "operator", "customer",
                "customer"
            ],
            "{run}: {texts:?}"
        );
        // The bot answered both of its turns, and every send returned what it stored.
        for (i, p) in posted.iter().enumerate() {
            assert!(
                messages.iter().any(|m| m.id == p.message.id),
                "{run}: send {i} lost"
            );
        }
        assert!(
            posted[0].reply.is_some() && posted[1].reply.is_some(),
            "{run}: an empty success"
        );
        for reply in posted.iter().filter_map(|p| p.reply.as_ref()) {
            assert!(
                messages
                    .iter()
                    .any(|m| m.id == reply.id && m.text == reply.text),
                "{run}: a reply that was not stored"
            );
        }
        let queue = store.queue(10, None).await.expect("queue");
        assert_eq!(queue.len(), 1, "{run}: one case");
        let case = &queue[0];
        assert_eq!(
            (case.status, case.priority, case.reopened),
            (CaseStatus::Open, Priority::Normal, 1),
            "{run}"
        );
        let events = store
            .events(now() - 3_600_000, now() + 1)
            .await
            .expect("events");
        let mut kinds: BTreeMap<EventKind, usize> = BTreeMap::new();
        for event in events.iter().filter(|e| e.conversation_id == id) {
            *kinds.entry(event.kind).or_default() += 1;
        }
        let expected = BTreeMap::from([
            (EventKind::Open, 1),
            (EventKind::BotTurn, 2),
            (EventKind::Feedback, 1),
            (EventKind::Handoff, 1),
            (EventKind::Escalate, 1),
            (EventKind::Claim, 1),
            (EventKind::Reply, 1),
            (EventKind::Resolve, 1),
            (EventKind::Reopen, 1),
        ]);
        assert_eq!(kinds, expected, "{run}");
    }
}

async fn every_write_fails_once(make: impl AsyncFn() -> Arc<dyn Store>) {
    let counting = Arc::new(FaultyStore::new(make().await, 0, Fault::Before));
    let desk = Desk::new(knowledge_base(), counting.clone());
    let (id, posted) = conversation(&desk).await;
    Expected::check(counting.as_ref(), &id, &posted, "no fault").await;
    let writes = counting.writes();
    assert!(
        writes >= 9,
        "a whole conversation is at least nine writes, not {writes}"
    );
    for fault in [Fault::Before, Fault::After] {
        for n in 1..=writes {
            let store = Arc::new(FaultyStore::new(make().await, n, fault));
            let desk = Desk::new(knowledge_base(), store.clone());
            let (id, posted) = conversation(&desk).await;
            Expected::check(
                store.as_ref(),
                &id,
                &posted,
                &format!("write {n} fails {fault:?}"),
            )
            .await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_every_failed_write_converges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let counter = std::sync::atomic::AtomicUsize::new(0);
    every_write_fails_once(async || {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let store: Arc<dyn Store> = Arc::new(
            desk::store::sqlite::SqliteStore::open(&dir.path().join(format!("{n}.db")))
                .expect("open"),
        );
        store
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_dynamodb_every_failed_write_converges() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "AWS_ENDPOINT_URL_DYNAMODB must point at DynamoDB Local: run scripts/test"
    );
    every_write_fails_once(async || {
        let table = desk::model::new_id("faults")
            .replace('_', "-")
            .to_lowercase();
        let store = desk::store::dynamo::DynamoStore::from_env(&table).await;
        store.create_table().await.expect("create table");
        let store: Arc<dyn Store> = Arc::new(store);
        store
    })
    .await;
}
