//! The embedded store: one SQLite file (WAL), what `baton serve` uses and what a small team can run
//! in production.
//!
//! Each table keeps the columns the desk queries by (status, priority, customer, times) next to the
//! whole record as JSON, so the record's shape can grow without migrations while queries stay
//! indexed. Calls run on Tokio's blocking pool; several processes may share one file (SQLite's
//! locking and the versioned `UPDATE … WHERE version = ?` keep claims atomic across them).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Appended, Store};
use crate::error::{Error, Result};
use crate::model::{Case, CaseStatus, Conversation, Event, Message, Millis, Note, Priority};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    idempotency_key TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_key ON messages (conversation_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    status TEXT NOT NULL,
    priority INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_queue ON cases (status, priority, created_at);
CREATE INDEX IF NOT EXISTS cases_by_customer ON cases (customer_id, created_at);
CREATE TABLE IF NOT EXISTS notes (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_by_case ON notes (case_id, id);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (at);
";

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, and its directory. A write waits up to
    /// five seconds for another writer before the store reports itself unavailable.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        SqliteStore::open_with_busy_timeout(path, std::time::Duration::from_secs(5))
    }

    /// [`SqliteStore::open`] with another wait for a locked database.
    pub fn open_with_busy_timeout(
        path: &Path,
        busy_timeout: std::time::Duration,
    ) -> Result<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Unavailable(format!("{}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(unavailable)?;
        conn.busy_timeout(busy_timeout).map_err(unavailable)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(unavailable)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(unavailable)?;
        conn.execute_batch(SCHEMA).map_err(unavailable)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut conn)
        })
        .await
        .map_err(|e| Error::Unavailable(format!("store task: {e}")))?
    }
}

fn unavailable(error: rusqlite::Error) -> Error {
    Error::Unavailable(error.to_string())
}

fn to_json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(Error::corrupt)
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(Error::corrupt)
}

fn status_code(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Open => "open",
        CaseStatus::Claimed => "claimed",
        CaseStatus::Resolved => "resolved",
    }
}

fn priority_rank(priority: Priority) -> i64 {
    match priority {
        Priority::Urgent => 0,
        Priority::Normal => 1,
    }
}

fn rows<T: DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<T>> {
    let mut statement = conn.prepare_cached(sql).map_err(unavailable)?;
    let texts = statement
        .query_map(params, |row| row.get::<_, String>(0))
        .map_err(unavailable)?
        .collect::<Result<Vec<String>, _>>()
        .map_err(unavailable)?;
    texts.iter().map(|t| from_json(t)).collect()
}

fn one<T: DeserializeOwned>(conn: &Connection, sql: &str, id: &str) -> Result<Option<T>> {
    let text: Option<String> = conn
        .query_row(sql, [id], |row| row.get(0))
        .optional()
        .map_err(unavailable)?;
    text.map(|t| from_json(&t)).transpose()
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<()> {
        // Reads work while another process holds the write lock (WAL); a desk that cannot write is
        // not healthy, so take the write lock and let it go.
        self.with(|c| {
            c.execute_batch("BEGIN IMMEDIATE; ROLLBACK;")
                .map_err(unavailable)
        })
        .await
    }

    async fn insert_conversation(&self, conversation: &Conversation) -> Result<()> {
        let (id, customer, version, data) = (
            conversation.id.clone(),
            conversation.customer.id.clone(),
            conversation.version as i64,
            to_json(conversation)?,
        );
        self.with(move |c| {
            c.execute("INSERT INTO conversations (id, customer_id, version, data) VALUES (?1, ?2, ?3, ?4)", params![id, customer, version, data])
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn conversation(&self, id: &str) -> Result<Option<Conversation>> {
        let id = id.to_string();
        self.with(move |c| one(c, "SELECT data FROM conversations WHERE id = ?1", &id))
            .await
    }

    async fn update_conversation(&self, conversation: &Conversation) -> Result<Conversation> {
        let mut next = conversation.clone();
        next.version += 1;
        let (id, expected, version, data) = (
            next.id.clone(),
            conversation.version as i64,
            next.version as i64,
            to_json(&next)?,
        );
        self.with(move |c| {
            let changed = c
                .execute("UPDATE conversations SET version = ?1, data = ?2 WHERE id = ?3 AND version = ?4", params![version, data, id, expected])
                .map_err(unavailable)?;
            if changed == 1 { Ok(next) } else { Err(Error::Stale) }
        })
        .await
    }

    async fn append_message(&self, message: &Message) -> Result<Appended> {
        let message = message.clone();
        let data = to_json(&message)?;
        self.with(move |c| {
            let tx = c.transaction().map_err(unavailable)?;
            if let Some(key) = &message.idempotency_key {
                let existing: Option<String> = tx
                    .query_row("SELECT data FROM messages WHERE conversation_id = ?1 AND idempotency_key = ?2", params![message.conversation_id, key], |r| r.get(0))
                    .optional()
                    .map_err(unavailable)?;
                if let Some(existing) = existing {
                    return Ok(Appended { message: from_json(&existing)?, duplicate: true });
                }
            }
            tx.execute(
                "INSERT INTO messages (id, conversation_id, idempotency_key, data) VALUES (?1, ?2, ?3, ?4)",
                params![message.id, message.conversation_id, message.idempotency_key, data],
            )
            .map_err(unavailable)?;
            tx.commit().map_err(unavailable)?;
            Ok(Appended { message, duplicate: false })
        })
        .await
    }

    async fn replace_message(&self, message: &Message) -> Result<()> {
        let (id, data) = (message.id.clone(), to_json(message)?);
        self.with(move |c| {
            let changed = c
                .execute(
                    "UPDATE messages SET data = ?1 WHERE id = ?2",
                    params![data, id],
                )
                .map_err(unavailable)?;
            if changed == 1 {
                Ok(())
            } else {
                Err(Error::NotFound {
                    what: "message",
                    id,
                })
            }
        })
        .await
    }

    async fn messages(&self, conversation_id: &str) -> Result<Vec<Message>> {
        let id = conversation_id.to_string();
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM messages WHERE conversation_id = ?1 ORDER BY id",
                [id],
            )
        })
        .await
    }

    async fn insert_case(&self, case: &Case) -> Result<Option<Case>> {
        let case = case.clone();
        let data = to_json(&case)?;
        self.with(move |c| {
            let inserted = c
                .execute(
                    "INSERT INTO cases (id, customer_id, status, priority, created_at, version, data)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
                    params![case.id, case.customer.id, status_code(case.status), priority_rank(case.priority), case.created_at, case.version as i64, data],
                )
                .map_err(unavailable)?;
            if inserted == 1 { Ok(None) } else { one(c, "SELECT data FROM cases WHERE id = ?1", &case.id) }
        })
        .await
    }

    async fn case(&self, id: &str) -> Result<Option<Case>> {
        let id = id.to_string();
        self.with(move |c| one(c, "SELECT data FROM cases WHERE id = ?1", &id))
            .await
    }

    async fn update_case(&self, case: &Case) -> Result<Case> {
        let mut next = case.clone();
        next.version += 1;
        let expected = case.version as i64;
        let data = to_json(&next)?;
        self.with(move |c| {
            let changed = c
                .execute(
                    "UPDATE cases SET status = ?1, priority = ?2, version = ?3, data = ?4 WHERE id = ?5 AND version = ?6",
                    params![status_code(next.status), priority_rank(next.priority), next.version as i64, data, next.id, expected],
                )
                .map_err(unavailable)?;
            if changed == 1 { Ok(next) } else { Err(Error::Stale) }
        })
        .await
    }

    async fn queue(&self, limit: usize) -> Result<Vec<Case>> {
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM cases WHERE status IN ('open', 'claimed') ORDER BY priority, created_at, id LIMIT ?1",
                [limit as i64],
            )
        })
        .await
    }

    async fn customer_cases(&self, customer_id: &str, limit: usize) -> Result<Vec<Case>> {
        let id = customer_id.to_string();
        self.with(move |c| rows(c, "SELECT data FROM cases WHERE customer_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2", params![id, limit as i64])).await
    }

    async fn insert_note(&self, note: &Note) -> Result<()> {
        let (id, case_id, data) = (note.id.clone(), note.case_id.clone(), to_json(note)?);
        self.with(move |c| {
            c.execute(
                "INSERT INTO notes (id, case_id, data) VALUES (?1, ?2, ?3)",
                params![id, case_id, data],
            )
            .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn notes(&self, case_id: &str) -> Result<Vec<Note>> {
        let id = case_id.to_string();
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM notes WHERE case_id = ?1 ORDER BY id",
                [id],
            )
        })
        .await
    }

    async fn insert_event(&self, event: &Event) -> Result<()> {
        let (id, at, data) = (event.id.clone(), event.at, to_json(event)?);
        self.with(move |c| {
            c.execute(
                "INSERT INTO events (id, at, data) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
                params![id, at, data],
            )
            .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn events(&self, from: Millis, to: Millis) -> Result<Vec<Event>> {
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM events WHERE at >= ?1 AND at < ?2 ORDER BY at, id",
                params![from, to],
            )
        })
        .await
    }
}
