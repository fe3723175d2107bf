//! Searches written by group commit (`baton serve`): each search waits for its own event, the
//! searches that arrive together share a transaction, a failed transaction is every waiter's
//! error, and before the writer runs each search writes alone.

use std::sync::Arc;

use desk::Store;
use desk::desk::SearchLog;
use desk::model::{Event, EventKind};
use desk::store::faults::{Fault, FaultyStore};
use desk::store::sqlite::SqliteStore;

fn event(i: usize) -> Event {
    Event {
        id: format!("ev_search_{i:04}"),
        kind: EventKind::Search,
        at: 1_000,
        conversation_id: String::new(),
        category: None,
        area: None,
        data: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_arriving_together_share_a_transaction() {
    let dir = tempfile::tempdir().expect("dir");
    let sqlite: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("baton.db")).expect("open"));
    let store = Arc::new(FaultyStore::new(Arc::clone(&sqlite), 0, Fault::Before));
    let (log, task) = SearchLog::new(store.clone());
    // Not running yet (a CLI command never starts it): the event comes back to be written alone.
    assert_eq!(
        log.write(event(0)).await.expect_err("not running").id,
        "ev_search_0000"
    );
    tokio::spawn(task);
    // Running once the task is first polled.
    loop {
        match log.write(event(1)).await {
            Ok(written) => break written.expect("written"),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(1)).await,
        }
    }
    let writes: Vec<_> = (2..=300)
        .map(|i| {
            let log = log.clone();
            tokio::spawn(async move { log.write(event(i)).await })
        })
        .collect();
    for write in writes {
        write
            .await
            .expect("task")
            .expect("the writer runs")
            .expect("written");
    }
    let stored = sqlite.events(0, 10_000).await.expect("events");
    assert_eq!(stored.len(), 300, "every search stored once");
    assert!(
        store.writes() < 300,
        "{} transactions for 300 searches",
        store.writes()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_transaction_is_every_waiters_error() {
    let dir = tempfile::tempdir().expect("dir");
    let sqlite: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("baton.db")).expect("open"));
    // The first transaction fails and writes nothing.
    let store = Arc::new(FaultyStore::new(Arc::clone(&sqlite), 1, Fault::Before));
    let (log, task) = SearchLog::new(store);
    tokio::spawn(task);
    let first = loop {
        match log.write(event(1)).await {
            Ok(written) => break written,
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(1)).await,
        }
    };
    assert!(first.is_err(), "the failed write was reported");
    log.write(event(2))
        .await
        .expect("the writer runs")
        .expect("the next transaction is written");
    let stored: Vec<String> = sqlite
        .events(0, 10_000)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(stored, ["ev_search_0002"]);
}
