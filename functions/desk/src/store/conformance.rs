//! The store contract as tests: every backend runs all of these through
//! [`store_conformance_tests!`](crate::store_conformance_tests), each test on a fresh, empty store.
//! Built only with the `test-suite` feature.

use std::collections::BTreeMap;
use std::sync::Arc;

use kb::Lang;

use super::{CaseWrite, Commit, Committed, Store};
use crate::error::Error;
use crate::model::{
    Author, Case, CaseStatus, Category, Conversation, ConversationState, Customer, Event,
    EventKind, Message, Note, Priority, Reason, UrgentKind, new_id, now,
};
use crate::presence::{Activity, Presence};

mod board;
mod mail;
mod organisation;
pub use board::*;
pub use mail::*;
pub use organisation::*;

/// A store under test and whatever must live as long as it (a temporary directory, a table).
pub struct Fixture {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Dropped after the test.
    pub guard: Box<dyn std::any::Any + Send + Sync>,
}

/// Generates one `#[tokio::test]` per conformance check. `$make` is an async expression that
/// yields a fresh [`Fixture`].
#[macro_export]
macro_rules! store_conformance_tests {
    ($make:expr) => {
        $crate::store_conformance_tests!(@each $make;
            conversations_round_trip_with_versions,
            keyed_messages_are_written_once,
            concurrent_resends_store_one_message,
            a_commit_is_all_or_nothing,
            case_creation_happens_once,
            concurrent_updates_exactly_one_wins,
            queue_is_urgent_first_then_oldest_and_pages,
            history_links_verified_customers_only,
            notes_and_events,
            the_insights_report_of_a_fixture_is_exact,
            presence_keeps_one_touch_per_operator,
            unknown_ids_are_none_not_errors,
            mail_ids_lead_to_their_thread_once,
            a_mail_contact_is_replaced_and_taken_back_on_record,
            outgoing_mail_is_versioned_and_due_in_order,
            owners_find_their_conversations_newest_first,
            access_is_created_once_and_used_once,
            feature_requests_are_versioned_and_listed_newest_first,
            organisations_and_their_conversations
        );
    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let fixture: $crate::store::conformance::Fixture = $make.await;
                $crate::store::conformance::$name(fixture.store.clone()).await;
                drop(fixture);
            }
        )*
    };
}

/// A conversation of an unverified customer, for tests.
pub fn conversation(customer: &str) -> Conversation {
    let at = now();
    Conversation {
        id: new_id("cv"),
        customer: Customer {
            id: customer.into(),
            verified: false,
            claimed_id: None,
            contact: Some("[phone ****5678]".into()),
            name: None,
        },
        channel: "web".into(),
        locale: Lang::Ko,
        metadata: BTreeMap::from([("page".to_string(), "/checkout".to_string())]),
        secret_hash: "hash".into(),
        device_secret_hashes: Vec::new(),
        state: ConversationState::Bot,
        case_id: None,
        mail: None,
        organisation: None,
        created_at: at,
        updated_at: at,
        version: 0,
    }
}

/// A conversation of a verified customer, for tests.
pub fn verified_conversation(customer: &str) -> Conversation {
    let mut c = conversation(customer);
    c.customer.verified = true;
    c
}

/// A case for tests, opened at `created_at`.
pub fn case(conversation: &Conversation, priority: Priority, created_at: i64) -> Case {
    Case {
        id: Case::id_for(&conversation.id),
        conversation_id: conversation.id.clone(),
        customer: conversation.customer.clone(),
        status: CaseStatus::Open,
        priority,
        category: Category::BillingPayment,
        area: Some("transfers".into()),
        reason: Reason::Urgent {
            kind: UrgentKind::MoneyNotReceived,
        },
        escalation: None,
        summary: "송금했는데 안 들어왔어요".into(),
        assignee: None,
        channel: conversation.channel.clone(),
        locale: conversation.locale,
        metadata: conversation.metadata.clone(),
        history: Vec::new(),
        resolution: None,
        reopened: 0,
        reminded: 0,
        alerts: 0,
        remind_from: None,
        rating: None,
        organisation: None,
        created_at,
        updated_at: created_at,
        version: 0,
    }
}

/// A customer message for tests, with an idempotency key's hash when `key` is given.
pub fn message(conversation: &Conversation, text: &str, key: Option<&str>) -> Message {
    Message {
        id: new_id("msg"),
        conversation_id: conversation.id.clone(),
        author: Author::Customer,
        text: text.into(),
        links: Vec::new(),
        quick_replies: Vec::new(),
        attachments: Vec::new(),
        bot: None,
        key_hash: key.map(|k| Message::key_hash(&conversation.id, k)),
        mail: None,
        member: None,
        created_at: now(),
    }
}

fn reply_to(question: &Message, text: &str) -> Message {
    Message {
        id: question.reply_id(),
        author: Author::Bot,
        key_hash: None,
        mail: None,
        ..message_like(question, text)
    }
}

fn message_like(m: &Message, text: &str) -> Message {
    Message {
        text: text.into(),
        ..m.clone()
    }
}

fn event(kind: EventKind, conversation_id: &str, at: i64) -> Event {
    Event {
        at,
        ..Event::new(
            kind,
            conversation_id,
            Some(Category::HowTo),
            Some("orders".into()),
            [],
        )
    }
}

/// Creates a case through a commit.
pub async fn create_case(store: &dyn Store, case: &Case) {
    let created = store
        .commit(&Commit {
            case: Some(CaseWrite::Create(case.clone())),
            ..Commit::default()
        })
        .await
        .expect("create case");
    assert_eq!(created, Committed::Done);
}

/// Updates a case through a commit; the stored case.
pub async fn update_case(store: &dyn Store, case: &Case) -> Result<Case, Error> {
    store
        .commit(&Commit {
            case: Some(CaseWrite::Update(case.clone())),
            ..Commit::default()
        })
        .await?;
    Ok(Case {
        version: case.version + 1,
        ..case.clone()
    })
}

/// Conversations read back as written; updates are versioned.
pub async fn conversations_round_trip_with_versions(store: Arc<dyn Store>) {
    let c = conversation("cust-1");
    store.insert_conversation(&c).await.expect("insert");
    assert_eq!(
        store.conversation(&c.id).await.expect("read"),
        Some(c.clone())
    );
    let mut changed = c.clone();
    changed.state = ConversationState::Human;
    let update = Commit {
        conversation: Some(changed.clone()),
        ..Commit::default()
    };
    assert_eq!(
        store.commit(&update).await.expect("update"),
        Committed::Done
    );
    let stored = store
        .conversation(&c.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        (stored.version, stored.state),
        (1, ConversationState::Human)
    );
    // Writing from the old version again is refused and changes nothing.
    assert!(matches!(store.commit(&update).await, Err(Error::Stale)));
    assert_eq!(store.conversation(&c.id).await.expect("read"), Some(stored));
}

/// A keyed message and its reply are one commit; the same key again writes nothing and returns
/// the first message. Unkeyed messages are never deduplicated; order is by id.
pub async fn keyed_messages_are_written_once(store: Arc<dyn Store>) {
    let c = conversation("cust-1");
    store.insert_conversation(&c).await.expect("insert");
    let mut sent = Vec::new();
    for i in 0..4 {
        let question = message(&c, &format!("question {i}"), Some(&format!("key-{i}")));
        let reply = reply_to(&question, &format!("answer {i}"));
        let commit = Commit {
            messages: vec![question.clone(), reply.clone()],
            events: vec![event(EventKind::BotTurn, &c.id, now())],
            ..Commit::default()
        };
        assert_eq!(
            store.commit(&commit).await.expect("commit"),
            Committed::Done
        );
        sent.push(question);
        sent.push(reply);
    }
    let resend = message(&c, "question 2, resent", Some("key-2"));
    let commit = Commit {
        messages: vec![resend.clone(), reply_to(&resend, "a second answer")],
        events: vec![event(EventKind::BotTurn, &c.id, now())],
        ..Commit::default()
    };
    assert_eq!(
        store.commit(&commit).await.expect("resend"),
        Committed::Duplicate(Box::new(sent[4].clone()))
    );
    let plain = Commit {
        messages: vec![message(&c, "no key", None)],
        ..Commit::default()
    };
    store.commit(&plain).await.expect("plain");
    let other = Commit {
        messages: vec![message(&c, "no key", None)],
        ..Commit::default()
    };
    store.commit(&other).await.expect("another plain");
    let stored = store.messages(&c.id).await.expect("messages");
    assert_eq!(
        stored.len(),
        10,
        "the resend and its answer were not written"
    );
    assert_eq!(
        &stored[..8],
        &sent[..],
        "a reply sorts right after its question"
    );
    let all = store.events(0, i64::MAX).await.expect("events");
    assert_eq!(all.len(), 4, "the resend's event was not written");

    // Several keyed messages in one commit are a caller bug.
    let two = Commit {
        messages: vec![message(&c, "a", Some("k-a")), message(&c, "b", Some("k-b"))],
        ..Commit::default()
    };
    assert!(matches!(store.commit(&two).await, Err(Error::Invalid(_))));
}

/// Many resends of one keyed message at once store it once; every caller learns either that it
/// was written, that it was a duplicate, or that it lost a race (and retries into a duplicate).
pub async fn concurrent_resends_store_one_message(store: Arc<dyn Store>) {
    let c = conversation("cust-1");
    store.insert_conversation(&c).await.expect("insert");
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = Arc::clone(&store);
        let question = message(&c, &format!("attempt {i}"), Some("same-key"));
        let commit = Commit {
            messages: vec![question.clone(), reply_to(&question, "answer")],
            ..Commit::default()
        };
        tasks.push(tokio::spawn(async move {
            loop {
                match store.commit(&commit).await {
                    Err(Error::Stale) => continue,
                    other => return other,
                }
            }
        }));
    }
    let mut done = 0;
    for task in tasks {
        match task.await.expect("join").expect("commit") {
            Committed::Done => done += 1,
            Committed::Duplicate(first) => {
                assert_eq!(first.key_hash, Some(Message::key_hash(&c.id, "same-key")))
            }
        }
    }
    assert_eq!(done, 1);
    assert_eq!(store.messages(&c.id).await.expect("messages").len(), 2);
}

/// A commit whose conversation or case version is stale, whose case exists, or whose replaced
/// message does not, writes none of its parts.
pub async fn a_commit_is_all_or_nothing(store: Arc<dyn Store>) {
    let c = conversation("cust-1");
    store.insert_conversation(&c).await.expect("insert");
    let k = case(&c, Priority::Normal, now());
    create_case(store.as_ref(), &k).await;
    let question = message(&c, "hello", Some("k1"));
    let everything = |conversation: Conversation, case: CaseWrite| Commit {
        messages: vec![question.clone(), reply_to(&question, "hi")],
        conversation: Some(conversation),
        case: Some(case),
        notes: vec![Note {
            id: new_id("note"),
            case_id: k.id.clone(),
            author: "minji".into(),
            text: "note".into(),
            created_at: now(),
        }],
        events: vec![event(EventKind::Handoff, &c.id, now())],
        ..Commit::default()
    };
    let stale_conversation = Conversation {
        version: 7,
        ..c.clone()
    };
    assert!(matches!(
        store
            .commit(&everything(
                stale_conversation,
                CaseWrite::Update(k.clone())
            ))
            .await,
        Err(Error::Stale)
    ));
    let stale_case = Case {
        version: 3,
        ..k.clone()
    };
    assert!(matches!(
        store
            .commit(&everything(c.clone(), CaseWrite::Update(stale_case)))
            .await,
        Err(Error::Stale)
    ));
    assert!(matches!(
        store
            .commit(&everything(c.clone(), CaseWrite::Create(k.clone())))
            .await,
        Err(Error::Stale)
    ));
    let ghost = message(&c, "never stored", None);
    let mut with_ghost = everything(c.clone(), CaseWrite::Update(k.clone()));
    with_ghost.replaced = vec![ghost];
    assert!(matches!(
        store.commit(&with_ghost).await,
        Err(Error::NotFound { .. })
    ));
    // Nothing of the four was written.
    assert!(store.messages(&c.id).await.expect("messages").is_empty());
    assert!(store.notes(&k.id).await.expect("notes").is_empty());
    assert!(store.events(0, i64::MAX).await.expect("events").is_empty());
    assert_eq!(
        store.conversation(&c.id).await.expect("read"),
        Some(c.clone())
    );
    assert_eq!(store.case(&k.id).await.expect("read"), Some(k.clone()));
    // The same commit from the right versions is written whole.
    let mut changed = k.clone();
    changed.status = CaseStatus::Claimed;
    changed.assignee = Some("minji".into());
    assert_eq!(
        store
            .commit(&everything(c.clone(), CaseWrite::Update(changed)))
            .await
            .expect("commit"),
        Committed::Done
    );
    assert_eq!(store.messages(&c.id).await.expect("messages").len(), 2);
    assert_eq!(store.notes(&k.id).await.expect("notes").len(), 1);
    assert_eq!(
        store
            .conversation(&c.id)
            .await
            .expect("read")
            .map(|c| c.version),
        Some(1)
    );
    let stored = store.case(&k.id).await.expect("read").expect("case");
    assert_eq!(
        (stored.version, stored.assignee.as_deref()),
        (1, Some("minji"))
    );
    // A replaced message that exists is replaced.
    let mut edited = store.messages(&c.id).await.expect("messages")[1].clone();
    edited.text = "edited".into();
    store
        .commit(&Commit {
            replaced: vec![edited],
            ..Commit::default()
        })
        .await
        .expect("replace");
    assert_eq!(
        store.messages(&c.id).await.expect("messages")[1].text,
        "edited"
    );
}

/// Creating the same case twice yields one case; the second creation is stale.
pub async fn case_creation_happens_once(store: Arc<dyn Store>) {
    let c = conversation("cust-1");
    let first = case(&c, Priority::Urgent, now());
    create_case(store.as_ref(), &first).await;
    let mut second = first.clone();
    second.summary = "a retry with other words".into();
    let again = Commit {
        case: Some(CaseWrite::Create(second)),
        ..Commit::default()
    };
    assert!(matches!(store.commit(&again).await, Err(Error::Stale)));
    assert_eq!(store.case(&first.id).await.expect("read"), Some(first));
    assert_eq!(store.queue(10, None).await.expect("queue").len(), 1);
}

/// Of many concurrent updates from one version, exactly one is applied.
pub async fn concurrent_updates_exactly_one_wins(store: Arc<dyn Store>) {
    let c = conversation("cust-1");
    let open = case(&c, Priority::Normal, now());
    create_case(store.as_ref(), &open).await;
    let mut tasks = Vec::new();
    for operator in 0..8 {
        let store = Arc::clone(&store);
        let mut claim = open.clone();
        claim.status = CaseStatus::Claimed;
        claim.assignee = Some(format!("operator-{operator}"));
        tasks.push(tokio::spawn(async move {
            update_case(store.as_ref(), &claim).await
        }));
    }
    let mut won = Vec::new();
    for task in tasks {
        match task.await.expect("join") {
            Ok(case) => won.push(case),
            Err(Error::Stale) => {}
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one claim wins");
    let stored = store.case(&open.id).await.expect("read").expect("exists");
    assert_eq!(stored, won[0]);
    assert_eq!(stored.version, 1);
}

/// The queue lists open and claimed cases, urgent first, then oldest; resolved ones leave it; a
/// page starts after the cursor.
pub async fn queue_is_urgent_first_then_oldest_and_pages(store: Arc<dyn Store>) {
    let base = now();
    let specs = [
        (Priority::Normal, 0),
        (Priority::Urgent, 30),
        (Priority::Normal, 10),
        (Priority::Urgent, 20),
    ];
    let mut ids = Vec::new();
    for (priority, offset) in specs {
        let k = case(&conversation("cust-q"), priority, base + offset);
        create_case(store.as_ref(), &k).await;
        ids.push(k.id);
    }
    let order: Vec<String> = store
        .queue(10, None)
        .await
        .expect("queue")
        .into_iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(
        order,
        [
            ids[3].clone(),
            ids[1].clone(),
            ids[0].clone(),
            ids[2].clone()
        ]
    );

    let first_page = store.queue(2, None).await.expect("page 1");
    let cursor = first_page[1].queue_key();
    let second_page: Vec<String> = store
        .queue(2, Some(&cursor))
        .await
        .expect("page 2")
        .into_iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(second_page, [ids[0].clone(), ids[2].clone()]);
    let end = store.queue(10, None).await.expect("queue")[3].queue_key();
    assert!(
        store
            .queue(2, Some(&end))
            .await
            .expect("past the end")
            .is_empty()
    );

    let mut claimed = store.case(&ids[0]).await.expect("read").expect("exists");
    claimed.status = CaseStatus::Claimed;
    claimed.assignee = Some("minji".into());
    update_case(store.as_ref(), &claimed).await.expect("claim");
    let mut resolved = store.case(&ids[1]).await.expect("read").expect("exists");
    resolved.status = CaseStatus::Resolved;
    update_case(store.as_ref(), &resolved)
        .await
        .expect("resolve");
    let queue = store.queue(10, None).await.expect("queue");
    let order: Vec<&str> = queue.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(order, [ids[3].as_str(), ids[0].as_str(), ids[2].as_str()]);
    assert_eq!(queue[1].assignee.as_deref(), Some("minji"));
}

/// A verified customer's cases, newest first; an unverified customer with the same id is never
/// linked to them, nor to anyone.
pub async fn history_links_verified_customers_only(store: Arc<dyn Store>) {
    let base = now();
    let mut ids = Vec::new();
    for offset in [0, 20, 10] {
        let k = case(
            &verified_conversation("cust-h"),
            Priority::Normal,
            base + offset,
        );
        create_case(store.as_ref(), &k).await;
        ids.push(k.id);
    }
    // Someone who only claims to be cust-h.
    create_case(
        store.as_ref(),
        &case(&conversation("cust-h"), Priority::Normal, base + 30),
    )
    .await;
    create_case(
        store.as_ref(),
        &case(
            &verified_conversation("someone-else"),
            Priority::Normal,
            base,
        ),
    )
    .await;
    let history: Vec<String> = store
        .customer_cases("cust-h", 10)
        .await
        .expect("history")
        .into_iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(history, [ids[1].clone(), ids[2].clone(), ids[0].clone()]);
    assert_eq!(
        store
            .customer_cases("cust-h", 1)
            .await
            .expect("history")
            .len(),
        1
    );
}

/// Notes per case in order; events by time window, one per id.
pub async fn notes_and_events(store: Arc<dyn Store>) {
    let case_id = "case_notes";
    for i in 0..3 {
        let note = Note {
            id: new_id("note"),
            case_id: case_id.into(),
            author: "minji".into(),
            text: format!("note {i}"),
            created_at: now(),
        };
        store
            .commit(&Commit {
                notes: vec![note],
                ..Commit::default()
            })
            .await
            .expect("note");
    }
    let notes: Vec<String> = store
        .notes(case_id)
        .await
        .expect("notes")
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(notes, ["note 0", "note 1", "note 2"]);

    let base = now() - 3_600_000;
    for (i, offset) in [0, 1000, 2000].into_iter().enumerate() {
        let event = Event {
            id: format!("ev_{i}"),
            ..event(EventKind::Handoff, "cv_x", base + offset)
        };
        let commit = Commit {
            events: vec![event],
            ..Commit::default()
        };
        store.commit(&commit).await.expect("event");
        // Recording the same event twice keeps one.
        store.commit(&commit).await.expect("event again");
    }
    let window: Vec<String> = store
        .events(base + 500, base + 2000)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(window, ["ev_1"]);
    assert_eq!(
        store.events(base, base + 3000).await.expect("events").len(),
        3
    );
}

/// A touch replaces the operator's earlier one in that conversation only, and presence never
/// shows up as a message.
pub async fn presence_keeps_one_touch_per_operator(store: Arc<dyn Store>) {
    let conversation = conversation("cust");
    store
        .insert_conversation(&conversation)
        .await
        .expect("insert");
    let touch = |operator: &str, activity: Activity, at: i64| Presence {
        conversation_id: conversation.id.clone(),
        operator: operator.into(),
        activity,
        at,
    };
    let at = now();
    store
        .touch(&touch("minji", Activity::Viewing, at))
        .await
        .expect("touch");
    store
        .touch(&touch("junho", Activity::Viewing, at))
        .await
        .expect("touch");
    store
        .touch(&touch("minji", Activity::Typing, at + 1))
        .await
        .expect("touch again");
    let mut kept = store.presence(&conversation.id).await.expect("presence");
    kept.sort_by(|a, b| a.operator.cmp(&b.operator));
    assert_eq!(
        kept,
        [
            touch("junho", Activity::Viewing, at),
            touch("minji", Activity::Typing, at + 1)
        ]
    );
    assert!(
        store
            .presence(&new_id("cv"))
            .await
            .expect("presence")
            .is_empty()
    );
    assert!(
        store
            .messages(&conversation.id)
            .await
            .expect("messages")
            .is_empty()
    );
}

/// Unknown ids read as nothing; an update of a case that does not exist is stale; the store takes
/// a health probe.
pub async fn unknown_ids_are_none_not_errors(store: Arc<dyn Store>) {
    store.ping().await.expect("ping");
    store.ping().await.expect("ping again");
    assert_eq!(store.conversation("cv_missing").await.expect("read"), None);
    assert_eq!(store.case("case_missing").await.expect("read"), None);
    assert!(store.messages("cv_missing").await.expect("read").is_empty());
    assert!(store.notes("case_missing").await.expect("read").is_empty());
    assert!(
        store
            .customer_cases("nobody", 10)
            .await
            .expect("read")
            .is_empty()
    );
    assert!(store.queue(10, None).await.expect("read").is_empty());
    let ghost = case(&conversation("cust"), Priority::Normal, now());
    assert!(matches!(
        update_case(store.as_ref(), &ghost).await,
        Err(Error::Stale)
    ));
    assert_eq!(
        store.commit(&Commit::default()).await.expect("empty"),
        Committed::Done
    );
}

/// The weekly report of [`crate::insights::fixture`], against the values worked out by hand in
/// its comments.
pub async fn the_insights_report_of_a_fixture_is_exact(store: Arc<dyn Store>) {
    crate::insights::fixture::the_report_is_exact(store.as_ref()).await;
}
