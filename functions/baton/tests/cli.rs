//! The `baton` terminal commands as an operator runs them: the queue pages past 200 cases instead
//! of stopping there, and `--limit` / `--cursor` walk it a page at a time.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use desk::Desk;
use desk::desk::Start;

fn baton(dir: &Path, args: &[&str]) -> String {
    let guides = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb/guides");
    let output = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .env(desk::config::GUIDES, guides)
        .env(desk::config::INDEX, dir.join("index"))
        .env(desk::config::DB, dir.join("baton.db"))
        .output()
        .expect("run baton");
    assert!(
        output.status.success(),
        "baton {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_command_shows_every_case_a_page_at_a_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The CLI builds the index the first time; the desk below reuses it.
    assert!(baton(dir.path(), &["queue"]).contains("the queue is empty"));
    let kb = kb::KnowledgeBase::open(&dir.path().join("index")).expect("index");
    let store = desk::store::sqlite::SqliteStore::open(&dir.path().join("baton.db")).expect("db");
    let desk = Desk::new(Arc::new(kb), Arc::new(store));
    let mut ids = Vec::new();
    for _ in 0..205 {
        let started = desk.start(Start::default()).await.expect("start");
        let case = desk
            .request_human(&started.conversation.id, &started.secret)
            .await
            .expect("hand off");
        ids.push(case.id);
    }
    let all = baton(dir.path(), &["queue"]);
    let listed: Vec<&str> = all
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(listed, ids, "every case once, oldest first, past 200");

    let first = baton(dir.path(), &["queue", "--limit", "3"]);
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), 4, "{first}");
    let cursor = lines[3]
        .split('\'')
        .nth(1)
        .expect("the last line names the cursor");
    let next = baton(dir.path(), &["queue", "--limit", "2", "--cursor", cursor]);
    let next: Vec<&str> = next
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(&next[..2], &ids[3..5]);
    let error = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["queue", "--cursor", "nope"])
        .env(desk::config::DB, dir.path().join("baton.db"))
        .env(desk::config::INDEX, dir.path().join("index"))
        .env(
            desk::config::GUIDES,
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb/guides"),
        )
        .output()
        .expect("run");
    assert!(!error.status.success());
    assert!(String::from_utf8_lossy(&error.stderr).contains("cursor"));
}
