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

/// `BATON_SMTP_ADDR` and `BATON_MAIL_FROM`: `baton serve` takes the support address's mail over
/// SMTP where it is told, and keeps the thread key it made beside the database; `baton mail-in`
/// takes a mail from a pipe with the exit status an MTA reads.
#[test]
fn baton_serve_takes_mail_where_it_is_told_and_mail_in_takes_a_pipe() {
    use std::io::{BufRead as _, BufReader, Write as _};
    let dir = tempfile::tempdir().expect("tempdir");
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port()
    };
    let smtp = format!("127.0.0.1:{}", free());
    let guides = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb/tests/fixtures/good");
    let env = |command: &mut Command| {
        command
            .env(desk::config::MEANING, "0")
            .env(desk::config::MAIL_FROM, "Baton <support@baton.example>")
            .env(desk::config::GUIDES, &guides)
            .env(desk::config::INDEX, dir.path().join("index"))
            .env(desk::config::DB, dir.path().join("baton.db"))
            .env(desk::config::SITE, dir.path().join("site"))
            .env(desk::config::ATTACHMENTS, dir.path().join("attachments"))
            .env("RUST_LOG", "warn");
    };
    let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
    env(&mut command);
    let mut serve = command
        .arg("serve")
        .env(desk::config::ADDR, format!("127.0.0.1:{}", free()))
        .env(desk::config::SMTP_ADDR, &smtp)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("baton serve");
    let mut session = Vec::new();
    for _ in 0..300 {
        if let Ok(stream) = std::net::TcpStream::connect(&smtp) {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut writer = stream;
            let mut line = String::new();
            let mut say = |text: &str| {
                if !text.is_empty() {
                    writer
                        .write_all(format!("{text}\r\n").as_bytes())
                        .expect("write");
                }
                loop {
                    line.clear();
                    reader.read_line(&mut line).expect("read");
                    session.push(line.trim_end().to_string());
                    if line.as_bytes().get(3) != Some(&b'-') {
                        break;
                    }
                }
            };
            say("");
            say("EHLO cli-test");
            say("MAIL FROM:<customer@example.com>");
            say("RCPT TO:<support@baton.example>");
            say("DATA");
            say(
                "From: customer@example.com\r\nSubject: hi\r\nMessage-ID: <cli-1@example.com>\r\n\r\n환불은 언제 되나요? 상담원 연결해 주세요\r\n.",
            );
            say("QUIT");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(
        session.first().is_some_and(|l| l.starts_with("220 ")),
        "{session:?}"
    );
    assert!(
        session.iter().any(|l| l == "250 2.0.0 OK: taken"),
        "{session:?}"
    );
    assert!(
        dir.path().join("mail.key").exists(),
        "the thread key is kept beside the database"
    );

    let mail_in = |raw: &[u8]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
        env(&mut command);
        let mut child = command
            .args(["mail-in", "--to", "support@baton.example"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("baton mail-in");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(raw)
            .expect("write");
        child.wait_with_output().expect("mail-in")
    };
    let taken = mail_in(b"From: other@example.com\r\nSubject: q\r\nMessage-ID: <cli-2@example.com>\r\n\r\n2FA question\r\n");
    assert!(
        taken.status.success(),
        "{}",
        String::from_utf8_lossy(&taken.stderr)
    );
    assert!(String::from_utf8_lossy(&taken.stdout).contains("\"outcome\":\"stored\""));
    let again = mail_in(b"From: other@example.com\r\nSubject: q\r\nMessage-ID: <cli-2@example.com>\r\n\r\n2FA question\r\n");
    assert!(String::from_utf8_lossy(&again.stdout).contains("\"outcome\":\"duplicate\""));
    let refused = mail_in(b"no headers at all");
    assert_eq!(
        refused.status.code(),
        Some(65),
        "EX_DATAERR: the MTA bounces it"
    );

    // The queue names the channel of each case.
    let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
    env(&mut command);
    let queue = command.arg("queue").output().expect("baton queue");
    let queue = String::from_utf8_lossy(&queue.stdout);
    assert!(
        queue
            .lines()
            .any(|l| l.split_whitespace().nth(3) == Some("mail")),
        "{queue}"
    );
}
