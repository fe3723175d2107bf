//! The store conformance suite on SQLite, each test on a new database file.

use std::sync::Arc;

use desk::store::conformance::Fixture;
use desk::store::sqlite::SqliteStore;

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
    use desk::Store;
    use desk::model::{CaseStatus, Priority, now};
    use desk::store::conformance::{case, conversation};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("desk.db");
    let a = SqliteStore::open(&path).expect("open a");
    let b = SqliteStore::open(&path).expect("open b");
    let open = case(&conversation("c"), Priority::Normal, now());
    a.insert_case(&open).await.expect("create");
    let mut claim_a = open.clone();
    claim_a.status = CaseStatus::Claimed;
    claim_a.assignee = Some("a".into());
    let mut claim_b = claim_a.clone();
    claim_b.assignee = Some("b".into());
    let (ra, rb) = tokio::join!(a.update_case(&claim_a), b.update_case(&claim_b));
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
