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
        // Words only: these tests are about the commands, not the sentence model.
        .env(desk::config::MEANING, "0")
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
        // Words only: these tests are about the commands, not the sentence model.
        .env(desk::config::MEANING, "0")
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

/// `BATON_OPERATOR`: who the terminal commands act as when `--as` is not given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_terminal_commands_act_as_baton_operator() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(baton(dir.path(), &["queue"]).contains("the queue is empty"));
    let kb = kb::KnowledgeBase::open(&dir.path().join("index")).expect("index");
    let store = desk::store::sqlite::SqliteStore::open(&dir.path().join("baton.db")).expect("db");
    let desk = Desk::new(Arc::new(kb), Arc::new(store));
    let mut cases = Vec::new();
    for _ in 0..2 {
        let started = desk.start(Start::default()).await.expect("start");
        let case = desk
            .request_human(&started.conversation.id, &started.secret)
            .await
            .expect("hand off");
        cases.push(case.id);
    }
    let claim = |case: &str, operator: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
        command
            // Words only: these tests are about the commands, not the sentence model.
            .env(desk::config::MEANING, "0")
            .args(["claim", case])
            .env(desk::config::DB, dir.path().join("baton.db"))
            .env(desk::config::INDEX, dir.path().join("index"))
            .env(
                desk::config::GUIDES,
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb/guides"),
            )
            .env("USER", "shell-user");
        match operator {
            Some(name) => command.env(desk::config::OPERATOR, name),
            None => command.env_remove(desk::config::OPERATOR),
        };
        let output = command.output().expect("run");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    };
    assert!(claim(&cases[0], Some("minji")).contains("held by minji"));
    assert!(claim(&cases[1], None).contains("held by shell-user"));
}

/// `BATON_ADDR`: where `baton serve` listens (the flag `--addr` wins over it).
#[test]
fn baton_serve_listens_where_it_is_told() {
    use std::io::{Read as _, Write as _};
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut serve = Command::new(env!("CARGO_BIN_EXE_baton"))
        // Words only: these tests are about the commands, not the sentence model.
        .env(desk::config::MEANING, "0")
        .arg("serve")
        .env(desk::config::ADDR, &addr)
        .env(
            desk::config::GUIDES,
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb/tests/fixtures/good"),
        )
        .env(desk::config::INDEX, dir.path().join("index"))
        .env(desk::config::DB, dir.path().join("baton.db"))
        .env(desk::config::SITE, dir.path().join("site"))
        .env(desk::config::ATTACHMENTS, dir.path().join("attachments"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("baton serve");
    let mut answer = String::new();
    for _ in 0..300 {
        if let Ok(mut stream) = std::net::TcpStream::connect(&addr) {
            stream
                .write_all(b"GET /api/search?q=refund&typing=true HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                .expect("write");
            let _ = stream.read_to_string(&mut answer);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
