//! The store conformance suite on SQLite, each test on a new database file; and what only SQLite
//! has: several connections on one file, a size cap, the migration of an older database.

use std::sync::Arc;

use desk::Store;
use desk::model::{CaseStatus, Priority, now};
use desk::store::conformance::{Fixture, case, conversation, create_case, message, update_case};
use desk::store::sqlite::{Options, SqliteStore};
use desk::store::{Commit, Committed};

async fn fresh() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("desk.db")).expect("open");
    Fixture {
        store: Arc::new(store),
        guard: Box::new(dir),
    }
}

desk::store_conformance_tests!(fresh());

/// Two processes (here: two connections) on one file still see one winner per claim.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_are_atomic_across_connections() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("desk.db");
    let a = SqliteStore::open(&path).expect("open a");
    let b = SqliteStore::open(&path).expect("open b");
    let open = case(&conversation("c"), Priority::Normal, now());
    create_case(&a, &open).await;
    let mut claim_a = open.clone();
    claim_a.status = CaseStatus::Claimed;
    claim_a.assignee = Some("a".into());
    let mut claim_b = claim_a.clone();
    claim_b.assignee = Some("b".into());
    let (ra, rb) = tokio::join!(update_case(&a, &claim_a), update_case(&b, &claim_b));
    assert_eq!(u8::from(ra.is_ok()) + u8::from(rb.is_ok()), 1);
}

/// A store whose file cannot be created reports `Unavailable`, not a panic.
#[test]
fn an_unusable_path_is_unavailable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let error = SqliteStore::open(&file.join("desk.db")).expect_err("a file is not a directory");
    assert!(matches!(error, desk::Error::Unavailable(_)), "{error}");
}

/// A full database (its size cap reached) refuses writes whole, and the health probe says so,
/// while reads still work; nothing half-written is left.
#[tokio::test]
async fn a_full_database_refuses_writes_and_fails_its_health_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("desk.db");
    let store = SqliteStore::open_with(
        &path,
        Options {
            max_mb: Some(1),
            ..Options::default()
        },
    )
    .expect("open");
    let c = conversation("c");
    store.insert_conversation(&c).await.expect("insert");
    store.ping().await.expect("healthy while there is room");
    let mut written = 0;
    let error = loop {
        let filler = message(&c, &"가".repeat(1300), Some(&format!("k{written}")));
        match store
            .commit(&Commit {
                messages: vec![filler],
                ..Commit::default()
            })
            .await
        {
            Ok(Committed::Done) => written += 1,
            Ok(other) => panic!("unexpected {other:?}"),
            Err(error) => break error,
        }
        assert!(written < 10_000, "the cap never took effect");
    };
    assert!(matches!(error, desk::Error::Unavailable(_)), "{error}");
    assert!(
        store.ping().await.is_err(),
        "health must see that writes fail"
    );
    assert_eq!(
        store.messages(&c.id).await.expect("reads still work").len(),
        written
    );
}

/// A database of the first schema (raw idempotency keys, self-asserted customers) is migrated on
/// open: keys hashed, customers unverified, stored text masked again by today's masker, and no
/// old bytes left in the file.
#[tokio::test]
async fn an_older_database_is_migrated_and_scrubbed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("desk.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(
            r#"
            CREATE TABLE conversations (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL);
            CREATE TABLE messages (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, idempotency_key TEXT, data TEXT NOT NULL);
            CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
            CREATE UNIQUE INDEX messages_by_key ON messages (conversation_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
            CREATE TABLE cases (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL, priority INTEGER NOT NULL, created_at INTEGER NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL);
            CREATE INDEX cases_queue ON cases (status, priority, created_at);
            CREATE INDEX cases_by_customer ON cases (customer_id, created_at);
            CREATE TABLE notes (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, data TEXT NOT NULL);
            CREATE TABLE events (id TEXT PRIMARY KEY, at INTEGER NOT NULL, data TEXT NOT NULL);
            INSERT INTO conversations VALUES ('cv_01J00000000000000000000001', 'victim-1', 1, '{"id":"cv_01J00000000000000000000001","customer":{"id":"victim-1","contact":"010 2222 3333"},"channel":"web","locale":"ko","metadata":{"page":"/pay 9001011234567"},"secret_hash":"h","state":"human","case_id":"case_01J00000000000000000000001","created_at":1,"updated_at":1,"version":1}');
            INSERT INTO messages VALUES ('msg_01J00000000000000000000001', 'cv_01J00000000000000000000001', 'client-key-raw', '{"id":"msg_01J00000000000000000000001","conversation_id":"cv_01J00000000000000000000001","author":{"kind":"customer"},"text":"주민번호 900101-1234567 900101-2234567 이에요","idempotency_key":"client-key-raw","created_at":1}');
            INSERT INTO cases VALUES ('case_01J00000000000000000000001', 'victim-1', 'open', 1, 1, 0, '{"id":"case_01J00000000000000000000001","conversation_id":"cv_01J00000000000000000000001","customer":{"id":"victim-1","contact":"010 2222 3333"},"status":"open","priority":"normal","category":"how_to","reason":{"code":"human_requested"},"summary":"주민번호 900101-1234567 900101-2234567 이에요","channel":"web","locale":"ko","metadata":{},"history":[{"id":"case_old","created_at":0,"status":"resolved","category":"how_to","summary":"someone elses case","resolution":"refund sent"}],"created_at":1,"updated_at":1,"version":0}');
            INSERT INTO notes VALUES ('note_1', 'case_01J00000000000000000000001', '{"id":"note_1","case_id":"case_01J00000000000000000000001","author":"minji","text":"카드 4111 1111 1111 1111 123","created_at":1}');
            INSERT INTO events VALUES ('ev_1', 1, '{"id":"ev_1","kind":"handoff","at":1,"conversation_id":"cv_01J00000000000000000000001","data":{}}');
            "#,
        )
        .expect("old schema");
    }
    let store = SqliteStore::open(&path).expect("migrate");
    let messages = store
        .messages("cv_01J00000000000000000000001")
        .await
        .expect("messages");
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].key_hash.as_deref(),
        Some(
            desk::model::Message::key_hash("cv_01J00000000000000000000001", "client-key-raw")
                .as_str()
        )
    );
    assert!(
        !messages[0].text.contains("1234567"),
        "{}",
        messages[0].text
    );
    let case = store
        .case("case_01J00000000000000000000001")
        .await
        .expect("case")
        .expect("exists");
    assert!(!case.customer.verified);
    assert_eq!(case.customer.claimed_id.as_deref(), Some("victim-1"));
    assert!(
        case.history.is_empty(),
        "a self-asserted id linked someone's history"
    );
    assert!(
        store
            .customer_cases("victim-1", 10)
            .await
            .expect("history")
            .is_empty()
    );
    assert_eq!(store.queue(10, None).await.expect("queue").len(), 1);
    drop(store);
    let bytes = std::fs::read(&path).expect("db");
    let wal = std::fs::read(path.with_extension("db-wal")).unwrap_or_default();
    for raw in ["1234567", "client-key-raw", "2222 3333", "1111 1111"] {
        let needle = raw.as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle)
                && !wal.windows(needle.len()).any(|w| w == needle),
            "{raw} survived the migration in the file"
        );
    }
    // Opening again is a no-op.
    SqliteStore::open(&path).expect("reopen");
}

/// A database of schema 5 (before the board) gains the owner index on open: a verified customer's
/// conversation written before it is found by its owner.
#[tokio::test]
async fn a_schema_5_database_indexes_owners_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("desk.db");
    let verified = desk::store::conformance::verified_conversation("u-5");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(
            "CREATE TABLE conversations (id TEXT PRIMARY KEY, customer_id TEXT, version INTEGER NOT NULL, data TEXT NOT NULL);
             CREATE INDEX conversations_by_customer ON conversations (customer_id) WHERE customer_id IS NOT NULL;
             PRAGMA user_version = 5;",
        )
        .expect("schema 5");
        conn.execute(
            "INSERT INTO conversations VALUES (?1, 'u-5', 0, ?2)",
            [
                verified.id.clone(),
                serde_json::to_string(&verified).expect("json"),
            ],
        )
        .expect("row");
    }
    let store = SqliteStore::open(&path).expect("migrate");
    let found = store
        .owner_conversations(&desk::model::Owner::Customer("u-5".into()).key(), 10)
        .await
        .expect("read");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, verified.id);
}

#[tokio::test]
async fn old_events_are_forgotten_and_recent_ones_kept() {
    use desk::model::{Event, EventKind};
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("baton.db")).expect("open");
    let event = |id: &str, at: i64| Event {
        id: id.into(),
        kind: EventKind::Search,
        at,
        conversation_id: String::new(),
        category: None,
        area: None,
        data: Default::default(),
    };
    let commit = desk::store::Commit {
        events: vec![
            event("ev_old", 1_000),
            event("ev_edge", 2_000),
            event("ev_new", 3_000),
        ],
        ..Default::default()
    };
    store.commit(&commit).await.expect("commit");
    assert_eq!(store.forget_events(2_000).await.expect("forget"), 1);
    let kept: Vec<String> = store
        .events(0, 10_000)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(kept, ["ev_edge", "ev_new"]);
}
