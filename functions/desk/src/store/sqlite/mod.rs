//! The embedded store: one SQLite file (WAL), what `baton serve` uses and what a small team can run
//! in production.
//!
//! Each table keeps the columns the desk queries by (conversation, key hash, queue key, verified
//! customer, time) next to the whole record as JSON, so the record's shape can grow without
//! migrations while queries stay indexed. A [`Commit`] is one transaction. Calls run on Tokio's
//! blocking pool; several processes may share one file (SQLite's locking and the versioned
//! `UPDATE … WHERE version = ?` keep claims atomic across them).
//!
//! The schema is versioned (`PRAGMA user_version`): a database written before version 2 is
//! migrated on open, and its stored text is masked again with today's masker, then vacuumed so no
//! freed page keeps the old bytes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{CaseWrite, Commit, Committed, MailWrite, Store};
use crate::error::{Error, Result};
use crate::model::{
    Access, Case, CaseStatus, Conversation, DeliveryState, Event, FeatureRequest, MailContact,
    Message, Millis, Note, Organisation, OutgoingMail,
};
use crate::presence::{KEEP_MS, Presence};

mod migrate;
mod records;
use migrate::migrate;
use records::{apply_access, apply_feature, apply_organisation};

/// The schema this code writes.
const SCHEMA_VERSION: i64 = 7;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    customer_id TEXT,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    owner TEXT,
    organisation TEXT
);
CREATE INDEX IF NOT EXISTS conversations_by_customer ON conversations (customer_id)
    WHERE customer_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, id)
    WHERE owner IS NOT NULL;
CREATE INDEX IF NOT EXISTS conversations_by_organisation ON conversations (organisation, id)
    WHERE organisation IS NOT NULL;
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    key_hash TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_key_hash ON messages (conversation_id, key_hash)
    WHERE key_hash IS NOT NULL;
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY,
    customer_id TEXT,
    queue_key TEXT,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_by_queue_key ON cases (queue_key) WHERE queue_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_by_verified_customer ON cases (customer_id, created_at)
    WHERE customer_id IS NOT NULL;
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
CREATE TABLE IF NOT EXISTS presence (
    conversation_id TEXT NOT NULL,
    operator TEXT NOT NULL,
    at INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (conversation_id, operator)
);
CREATE INDEX IF NOT EXISTS presence_by_time ON presence (at);
CREATE TABLE IF NOT EXISTS mail_ids (
    hash TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_contacts (
    key TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outgoing_mail (
    id TEXT PRIMARY KEY,
    due_at INTEGER,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outgoing_mail_due ON outgoing_mail (due_at) WHERE due_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS access (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_by_expiry ON access (expires_at);
CREATE TABLE IF NOT EXISTS feature_requests (
    id TEXT PRIMARY KEY,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feature_requests_by_change ON feature_requests (updated_at);
CREATE TABLE IF NOT EXISTS organisations (
    id TEXT PRIMARY KEY,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS organisations_by_change ON organisations (updated_at);
CREATE TABLE IF NOT EXISTS health (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    probe BLOB NOT NULL
);
";

/// How big the health probe's write is: larger than a customer message with its bot reply, so a
/// store that cannot take the desk's writes cannot take the probe either.
const PROBE_BYTES: i64 = 16 * 1024;

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

/// How a SQLite store is opened.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// How long a write waits for another writer before the store reports itself unavailable.
    pub busy_timeout: std::time::Duration,
    /// Largest the database may grow, in MiB (`BATON_DB_MAX_MB`); `None` for no limit.
    pub max_mb: Option<u64>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            busy_timeout: std::time::Duration::from_secs(5),
            max_mb: None,
        }
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, and its directory, with default options.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        SqliteStore::open_with(path, Options::default())
    }

    /// Opens the database at `path` with `options`, migrating an older schema.
    pub fn open_with(path: &Path, options: Options) -> Result<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Unavailable(format!("{}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path).map_err(unavailable)?;
        conn.busy_timeout(options.busy_timeout)
            .map_err(unavailable)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(unavailable)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(unavailable)?;
        // Freed pages are zeroed, so a deleted or rewritten record leaves no copy in the file.
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(unavailable)?;
        migrate(&mut conn)?;
        if let Some(mb) = options.max_mb {
            let page_size: i64 = conn
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .map_err(unavailable)?;
            let pages = (mb as i64 * 1024 * 1024 / page_size).max(1);
            conn.pragma_update(None, "max_page_count", pages)
                .map_err(unavailable)?;
        }
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

/// The queue column: set while a case is open or claimed, so resolved cases leave the index.
fn queue_key(case: &Case) -> Option<String> {
    (case.status != CaseStatus::Resolved).then(|| case.queue_key())
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

/// Why a commit stopped before it was applied.
enum Abort {
    Duplicate(Box<Message>),
    Error(Error),
}

impl From<Error> for Abort {
    fn from(error: Error) -> Abort {
        Abort::Error(error)
    }
}

impl From<rusqlite::Error> for Abort {
    fn from(error: rusqlite::Error) -> Abort {
        Abort::Error(unavailable(error))
    }
}

/// Applies a commit inside `tx`; any `Err` rolls the whole transaction back.
fn apply(tx: &Transaction<'_>, commit: &Commit) -> Result<(), Abort> {
    if let Some(keyed) = commit.keyed()? {
        let existing: Option<String> = tx
            .query_row(
                "SELECT data FROM messages WHERE conversation_id = ?1 AND key_hash = ?2",
                params![keyed.conversation_id, keyed.key_hash],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(existing) = existing {
            return Err(Abort::Duplicate(Box::new(from_json(&existing)?)));
        }
    }
    if let Some(conversation) = &commit.conversation {
        let mut next = conversation.clone();
        next.version += 1;
        let changed = tx.execute(
            "UPDATE conversations SET version = ?1, data = ?2, owner = ?3, organisation = ?4
             WHERE id = ?5 AND version = ?6",
            params![
                next.version as i64,
                to_json(&next)?,
                next.owner_key(),
                next.organisation,
                next.id,
                conversation.version as i64
            ],
        )?;
        if changed != 1 {
            return Err(Abort::Error(Error::Stale));
        }
    }
    match &commit.case {
        Some(CaseWrite::Create(case)) => {
            let inserted = tx.execute(
                "INSERT INTO cases (id, customer_id, queue_key, created_at, version, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
                params![
                    case.id,
                    case.customer.history_key(),
                    queue_key(case),
                    case.created_at,
                    case.version as i64,
                    to_json(case)?
                ],
            )?;
            if inserted != 1 {
                return Err(Abort::Error(Error::Stale));
            }
        }
        Some(CaseWrite::Update(case)) => {
            let mut next = case.clone();
            next.version += 1;
            let changed = tx.execute(
                "UPDATE cases SET customer_id = ?1, queue_key = ?2, version = ?3, data = ?4
                 WHERE id = ?5 AND version = ?6",
                params![
                    next.customer.history_key(),
                    queue_key(&next),
                    next.version as i64,
                    to_json(&next)?,
                    next.id,
                    case.version as i64
                ],
            )?;
            if changed != 1 {
                return Err(Abort::Error(Error::Stale));
            }
        }
        None => {}
    }
    for message in &commit.messages {
        insert_message(tx, message)?;
    }
    for message in &commit.replaced {
        let changed = tx.execute(
            "UPDATE messages SET data = ?1 WHERE id = ?2 AND conversation_id = ?3",
            params![to_json(message)?, message.id, message.conversation_id],
        )?;
        if changed != 1 {
            return Err(Abort::Error(Error::NotFound {
                what: "message",
                id: message.id.clone(),
            }));
        }
    }
    for note in &commit.notes {
        insert_note(tx, note)?;
    }
    for event in &commit.events {
        insert_event(tx, event)?;
    }
    for id in &commit.mail_ids {
        let inserted = tx.execute(
            "INSERT INTO mail_ids (hash, conversation_id) VALUES (?1, ?2)
             ON CONFLICT (hash) DO NOTHING",
            params![id.hash, id.conversation_id],
        )?;
        if inserted != 1 {
            return Err(Abort::Error(Error::Stale));
        }
    }
    if let Some(contact) = &commit.contact {
        tx.execute(
            "INSERT INTO mail_contacts (key, data) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET data = excluded.data",
            params![MailContact::key(&contact.address), to_json(contact)?],
        )?;
    }
    match &commit.outgoing {
        Some(MailWrite::Create(mail)) => {
            let inserted = tx.execute(
                "INSERT INTO outgoing_mail (id, due_at, version, data) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO NOTHING",
                params![mail.id, due_at(mail), mail.version as i64, to_json(mail)?],
            )?;
            if inserted != 1 {
                return Err(Abort::Error(Error::Stale));
            }
        }
        Some(MailWrite::Update(mail)) => {
            let mut next = mail.clone();
            next.version += 1;
            let changed = tx.execute(
                "UPDATE outgoing_mail SET due_at = ?1, version = ?2, data = ?3
                 WHERE id = ?4 AND version = ?5",
                params![
                    due_at(&next),
                    next.version as i64,
                    to_json(&next)?,
                    next.id,
                    mail.version as i64
                ],
            )?;
            if changed != 1 {
                return Err(Abort::Error(Error::Stale));
            }
        }
        None => {}
    }
    for write in &commit.access {
        apply_access(tx, write)?;
    }
    if let Some(write) = &commit.feature {
        apply_feature(tx, write)?;
    }
    if let Some(write) = &commit.organisation {
        apply_organisation(tx, write)?;
    }
    Ok(())
}

/// When a mail is due, for the index of pending ones (`NULL` once sent or given up).
fn due_at(mail: &OutgoingMail) -> Option<Millis> {
    (mail.state == DeliveryState::Pending).then_some(mail.next_at)
}

fn insert_message(tx: &Transaction<'_>, message: &Message) -> Result<()> {
    tx.execute(
        "INSERT INTO messages (id, conversation_id, key_hash, data) VALUES (?1, ?2, ?3, ?4)",
        params![
            message.id,
            message.conversation_id,
            message.key_hash,
            to_json(message)?
        ],
    )
    .map_err(unavailable)?;
    Ok(())
}

fn insert_note(tx: &Transaction<'_>, note: &Note) -> Result<()> {
    tx.execute(
        "INSERT INTO notes (id, case_id, data) VALUES (?1, ?2, ?3)",
        params![note.id, note.case_id, to_json(note)?],
    )
    .map_err(unavailable)?;
    Ok(())
}

fn insert_event(tx: &Transaction<'_>, event: &Event) -> Result<()> {
    // A retried write of the same event keeps the first.
    tx.execute(
        "INSERT INTO events (id, at, data) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
        params![event.id, event.at, to_json(event)?],
    )
    .map_err(unavailable)?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn forget_events(&self, before: Millis) -> Result<usize> {
        self.with(move |c| {
            c.execute("DELETE FROM events WHERE at < ?1", params![before])
                .map_err(unavailable)
        })
        .await
    }

    async fn ping(&self) -> Result<()> {
        // Reads work on a full, read-only or write-locked database; a desk that cannot write is
        // not healthy. So: commit a write the size of a turn (random, so it cannot be shortened;
        // it appends to the WAL as a turn does), and, since the probe reuses its own freed pages,
        // also check that the size cap leaves room for new records.
        self.with(|c| {
            c.execute(
                "INSERT INTO health (id, at, probe) VALUES (1, ?1, randomblob(?2))
                 ON CONFLICT (id) DO UPDATE SET at = excluded.at, probe = excluded.probe",
                params![crate::model::now(), PROBE_BYTES],
            )
            .map_err(unavailable)?;
            let pragma = |name: &str| -> Result<i64> {
                c.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                    .map_err(unavailable)
            };
            let room = (pragma("max_page_count")? - pragma("page_count")?
                + pragma("freelist_count")?)
                * pragma("page_size")?;
            if room < 4 * PROBE_BYTES {
                return Err(Error::Unavailable(format!(
                    "the database is full ({} KiB left under its size cap)",
                    room / 1024
                )));
            }
            Ok(())
        })
        .await
    }

    async fn insert_conversation(&self, conversation: &Conversation) -> Result<()> {
        let (id, customer, version, data, owner, organisation) = (
            conversation.id.clone(),
            conversation.customer.history_key().map(str::to_string),
            conversation.version as i64,
            to_json(conversation)?,
            conversation.owner_key(),
            conversation.organisation.clone(),
        );
        self.with(move |c| {
            c.execute(
                "INSERT INTO conversations (id, customer_id, version, data, owner, organisation)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, customer, version, data, owner, organisation],
            )
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

    async fn commit(&self, commit: &Commit) -> Result<Committed> {
        let commit = commit.clone();
        self.with(move |c| {
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            match apply(&tx, &commit) {
                Ok(()) => {
                    tx.commit().map_err(unavailable)?;
                    // A customer message written again is one masked again (a number ran on into
                    // the next message): its old text must not linger in the WAL's earlier
                    // frames. `secure_delete` zeroes it in the database; the checkpoint copies the
                    // new pages there and empties the WAL (best effort: a busy reader only delays
                    // it to the next such commit).
                    if commit
                        .replaced
                        .iter()
                        .any(|m| m.author == crate::model::Author::Customer)
                    {
                        let _ = c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
                    }
                    Ok(Committed::Done)
                }
                // Dropping `tx` rolls back whatever part was written.
                Err(Abort::Duplicate(first)) => Ok(Committed::Duplicate(first)),
                Err(Abort::Error(error)) => Err(error),
            }
        })
        .await
    }

    async fn mail_thread(&self, hash: &str) -> Result<Option<String>> {
        let hash = hash.to_string();
        self.with(move |c| {
            c.query_row(
                "SELECT conversation_id FROM mail_ids WHERE hash = ?1",
                [hash],
                |r| r.get(0),
            )
            .optional()
            .map_err(unavailable)
        })
        .await
    }

    async fn mail_contact(&self, key: &str) -> Result<Option<MailContact>> {
        let key = key.to_string();
        self.with(move |c| one(c, "SELECT data FROM mail_contacts WHERE key = ?1", &key))
            .await
    }

    async fn outgoing_mail(&self, id: &str) -> Result<Option<OutgoingMail>> {
        let id = id.to_string();
        self.with(move |c| one(c, "SELECT data FROM outgoing_mail WHERE id = ?1", &id))
            .await
    }

    async fn due_mail(&self, now: Millis, limit: usize) -> Result<Vec<OutgoingMail>> {
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM outgoing_mail WHERE due_at IS NOT NULL AND due_at <= ?1
                 ORDER BY due_at, id LIMIT ?2",
                params![now, limit as i64],
            )
        })
        .await
    }

    async fn case(&self, id: &str) -> Result<Option<Case>> {
        let id = id.to_string();
        self.with(move |c| one(c, "SELECT data FROM cases WHERE id = ?1", &id))
            .await
    }

    async fn queue(&self, limit: usize, after: Option<&str>) -> Result<Vec<Case>> {
        let after = after.unwrap_or("").to_string();
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM cases WHERE queue_key IS NOT NULL AND queue_key > ?1
                 ORDER BY queue_key LIMIT ?2",
                params![after, limit as i64],
            )
        })
        .await
    }

    async fn customer_cases(&self, customer_id: &str, limit: usize) -> Result<Vec<Case>> {
        let id = customer_id.to_string();
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM cases WHERE customer_id = ?1
                 ORDER BY created_at DESC, id DESC LIMIT ?2",
                params![id, limit as i64],
            )
        })
        .await
    }

    async fn owner_conversations(&self, owner: &str, limit: usize) -> Result<Vec<Conversation>> {
        let owner = owner.to_string();
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM conversations WHERE owner = ?1 ORDER BY id DESC LIMIT ?2",
                params![owner, limit as i64],
            )
        })
        .await
    }

    async fn access(&self, key: &str) -> Result<Option<Access>> {
        let key = key.to_string();
        self.with(move |c| one(c, "SELECT data FROM access WHERE key = ?1", &key))
            .await
    }

    async fn feature_request(&self, id: &str) -> Result<Option<FeatureRequest>> {
        let id = id.to_string();
        self.with(move |c| one(c, "SELECT data FROM feature_requests WHERE id = ?1", &id))
            .await
    }

    async fn feature_requests(&self, limit: usize) -> Result<Vec<FeatureRequest>> {
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM feature_requests ORDER BY updated_at DESC, id DESC LIMIT ?1",
                [limit as i64],
            )
        })
        .await
    }

    async fn organisation(&self, id: &str) -> Result<Option<Organisation>> {
        let id = id.to_string();
        self.with(move |c| one(c, "SELECT data FROM organisations WHERE id = ?1", &id))
            .await
    }

    async fn organisations(&self, limit: usize) -> Result<Vec<Organisation>> {
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM organisations ORDER BY updated_at DESC, id DESC LIMIT ?1",
                [limit as i64],
            )
        })
        .await
    }

    async fn organisation_conversations(
        &self,
        id: &str,
        limit: usize,
    ) -> Result<Vec<Conversation>> {
        let id = id.to_string();
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM conversations WHERE organisation = ?1 ORDER BY id DESC LIMIT ?2",
                params![id, limit as i64],
            )
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

    async fn touch(&self, presence: &Presence) -> Result<()> {
        let (conversation, operator, at, data) = (
            presence.conversation_id.clone(),
            presence.operator.clone(),
            presence.at,
            to_json(presence)?,
        );
        self.with(move |c| {
            let tx = c.transaction().map_err(unavailable)?;
            tx.execute(
                "INSERT INTO presence (conversation_id, operator, at, data) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (conversation_id, operator) DO UPDATE SET at = excluded.at,
                 data = excluded.data",
                params![conversation, operator, at, data],
            )
            .map_err(unavailable)?;
            // Forgetting as it writes keeps the table as small as the team on shift.
            tx.execute("DELETE FROM presence WHERE at < ?1", [at - KEEP_MS])
                .map_err(unavailable)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn presence(&self, conversation_id: &str) -> Result<Vec<Presence>> {
        let id = conversation_id.to_string();
        self.with(move |c| {
            rows(
                c,
                "SELECT data FROM presence WHERE conversation_id = ?1 ORDER BY operator",
                [id],
            )
        })
        .await
    }
}
