//! The store contract as tests: every backend runs all of these through
//! [`store_conformance_tests!`](crate::store_conformance_tests), each test on a fresh, empty store.

use std::collections::BTreeMap;
use std::sync::Arc;

use kb::Lang;

use super::Store;
use crate::error::Error;
use crate::model::{
    Author, Case, CaseStatus, Category, Conversation, ConversationState, Customer, Event, Message,
    Note, Priority, Reason, new_id, now,
};

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
            messages_keep_order_and_dedupe_by_key,
            case_creation_is_idempotent,
            concurrent_updates_exactly_one_wins,
            queue_is_urgent_first_then_oldest,
            customer_history_is_newest_first,
            notes_and_events,
            unknown_ids_are_none_not_errors
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

/// A conversation for tests.
pub fn conversation(customer: &str) -> Conversation {
    let at = now();
    Conversation {
        id: new_id("cv"),
        customer: Customer {
            id: customer.into(),
            contact: Some("[phone ****5678]".into()),
            name: None,
        },
        channel: "web".into(),
        locale: Lang::Ko,
        metadata: BTreeMap::from([("page".to_string(), "/checkout".to_string())]),
        secret_hash: "hash".into(),
        state: ConversationState::Bot,
        case_id: None,
        created_at: at,
        updated_at: at,
        version: 0,
    }
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
            kind: "money_not_received".into(),
        },
        summary: "송금했는데 안 들어왔어요".into(),
        assignee: None,
        channel: conversation.channel.clone(),
        locale: conversation.locale,
        metadata: conversation.metadata.clone(),
        history: Vec::new(),
        resolution: None,
        reopened: 0,
        created_at,
        updated_at: created_at,
        version: 0,
    }
}

fn message(conversation: &Conversation, text: &str, key: Option<&str>) -> Message {
    Message {
        id: new_id("msg"),
        conversation_id: conversation.id.clone(),
        author: Author::Customer,
        text: text.into(),
        links: Vec::new(),
        quick_replies: Vec::new(),
        bot: None,
        idempotency_key: key.map(str::to_string),
        created_at: now(),
    }
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
    let updated = store.update_conversation(&changed).await.expect("update");
    assert_eq!(updated.version, 1);
    assert_eq!(
        store.conversation(&c.id).await.expect("read"),
        Some(updated.clone())
    );
    // Writing from the old version again is refused and changes nothing.
    assert!(matches!(
        store.update_conversation(&changed).await,
        Err(Error::Stale)
    ));
    assert_eq!(
        store.conversation(&c.id).await.expect("read"),
        Some(updated)
    );
}

/// Messages come back in order; a reused idempotency key returns the first message.
pub async fn messages_keep_order_and_dedupe_by_key(store: Arc<dyn Store>) {
    let c = conversation("cust-1");
    store.insert_conversation(&c).await.expect("insert");
    let mut sent = Vec::new();
    for i in 0..5 {
        let m = message(&c, &format!("message {i}"), Some(&format!("key-{i}")));
        let appended = store.append_message(&m).await.expect("append");
        assert!(!appended.duplicate);
        sent.push(m);
    }
    let again = message(&c, "message 2, resent", Some("key-2"));
    let appended = store.append_message(&again).await.expect("append again");
    assert!(appended.duplicate);
    assert_eq!(appended.message, sent[2]);
    // Messages without a key are never deduplicated.
    store
        .append_message(&message(&c, "no key", None))
        .await
        .expect("append");
    store
        .append_message(&message(&c, "no key", None))
        .await
        .expect("append");
    let stored = store.messages(&c.id).await.expect("messages");
    assert_eq!(stored.len(), 7);
    assert_eq!(&stored[..5], &sent[..]);

    let mut edited = sent[1].clone();
    edited.text = "edited".into();
    store.replace_message(&edited).await.expect("replace");
    assert_eq!(
        store.messages(&c.id).await.expect("messages")[1].text,
        "edited"
    );
    let unknown = message(&c, "never stored", None);
    assert!(matches!(
        store.replace_message(&unknown).await,
        Err(Error::NotFound { .. })
    ));
}

/// Creating the same case twice yields one case.
pub async fn case_creation_is_idempotent(store: Arc<dyn Store>) {
    let c = conversation("cust-1");
    let first = case(&c, Priority::Urgent, now());
    assert_eq!(store.insert_case(&first).await.expect("create"), None);
    let mut second = first.clone();
    second.summary = "a retry with other words".into();
    assert_eq!(
        store.insert_case(&second).await.expect("create again"),
        Some(first.clone())
    );
    assert_eq!(store.case(&first.id).await.expect("read"), Some(first));
    assert_eq!(store.queue(10).await.expect("queue").len(), 1);
}

/// Of many concurrent updates from one version, exactly one is applied.
pub async fn concurrent_updates_exactly_one_wins(store: Arc<dyn Store>) {
    let c = conversation("cust-1");
    let open = case(&c, Priority::Normal, now());
    store.insert_case(&open).await.expect("create");
    let mut tasks = Vec::new();
    for operator in 0..8 {
        let store = Arc::clone(&store);
        let mut claim = open.clone();
        claim.status = CaseStatus::Claimed;
        claim.assignee = Some(format!("operator-{operator}"));
        tasks.push(tokio::spawn(async move { store.update_case(&claim).await }));
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

/// The queue lists open and claimed cases, urgent first, then oldest; resolved ones leave it.
pub async fn queue_is_urgent_first_then_oldest(store: Arc<dyn Store>) {
    let base = now();
    let specs = [
        (Priority::Normal, 0),
        (Priority::Urgent, 30),
        (Priority::Normal, 10),
        (Priority::Urgent, 20),
    ];
    let mut ids = Vec::new();
    for (priority, offset) in specs {
        let c = conversation("cust-q");
        let k = case(&c, priority, base + offset);
        store.insert_case(&k).await.expect("create");
        ids.push(k.id);
    }
    let order: Vec<String> = store
        .queue(10)
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

    let mut claimed = store.case(&ids[0]).await.expect("read").expect("exists");
    claimed.status = CaseStatus::Claimed;
    claimed.assignee = Some("minji".into());
    store.update_case(&claimed).await.expect("claim");
    let mut resolved = store.case(&ids[1]).await.expect("read").expect("exists");
    resolved.status = CaseStatus::Resolved;
    store.update_case(&resolved).await.expect("resolve");
    let queue = store.queue(10).await.expect("queue");
    let order: Vec<&str> = queue.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(order, [ids[3].as_str(), ids[0].as_str(), ids[2].as_str()]);
    assert_eq!(queue[1].assignee.as_deref(), Some("minji"));
    assert_eq!(store.queue(2).await.expect("queue").len(), 2);
}

/// A customer's cases, newest first, and no one else's.
pub async fn customer_history_is_newest_first(store: Arc<dyn Store>) {
    let base = now();
    let mut ids = Vec::new();
    for offset in [0, 20, 10] {
        let c = conversation("cust-h");
        let k = case(&c, Priority::Normal, base + offset);
        store.insert_case(&k).await.expect("create");
        ids.push(k.id);
    }
    store
        .insert_case(&case(&conversation("someone-else"), Priority::Normal, base))
        .await
        .expect("create");
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

/// Notes per case in order; events by time window.
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
        store.insert_note(&note).await.expect("note");
    }
    let notes: Vec<String> = store
        .notes(case_id)
        .await
        .expect("notes")
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(notes, ["note 0", "note 1", "note 2"]);

    let base = 1_700_000_000_000;
    for (i, offset) in [0, 1000, 2000].into_iter().enumerate() {
        let event = Event {
            id: format!("ev_{i}"),
            kind: "handoff".into(),
            at: base + offset,
            conversation_id: "cv_x".into(),
            category: Some(Category::HowTo),
            area: Some("orders".into()),
            data: BTreeMap::new(),
        };
        store.insert_event(&event).await.expect("event");
        // Recording the same event twice keeps one.
        store.insert_event(&event).await.expect("event again");
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

/// Unknown ids read as nothing.
pub async fn unknown_ids_are_none_not_errors(store: Arc<dyn Store>) {
    store.ping().await.expect("ping");
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
    assert!(store.queue(10).await.expect("read").is_empty());
    let ghost = case(&conversation("cust"), Priority::Normal, now());
    assert!(matches!(store.update_case(&ghost).await, Err(Error::Stale)));
}
