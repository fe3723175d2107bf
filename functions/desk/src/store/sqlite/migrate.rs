//! Opening a database written by an older Baton: its schema brought to today's
//! ([`SCHEMA_VERSION`]), and, from schema 1, every row copied through today's rules (keys hashed,
//! customers unverified, stored text masked again), then vacuumed so no freed page keeps the old
//! bytes.

use rusqlite::{Connection, Transaction, params};

use super::{
    SCHEMA, SCHEMA_VERSION, from_json, insert_event, insert_message, insert_note, queue_key,
    to_json, unavailable,
};
use crate::error::{Error, Result};
use crate::model::{Case, Conversation, Event, Message, Note};
use crate::store::Commit;

/// Brings the schema to [`SCHEMA_VERSION`].
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(unavailable)?;
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    if version > SCHEMA_VERSION {
        return Err(Error::Unavailable(format!(
            "the database has schema {version}, newer than this Baton's {SCHEMA_VERSION}"
        )));
    }
    let old = table_has_column(conn, "cases", "status")?;
    let tx = conn.transaction().map_err(unavailable)?;
    if old {
        migrate_from_1(&tx)?;
    }
    // Schema 6: conversations are indexed by their owner (the inquiry board); schema 7, by their
    // organisation (set only from then on: none had one before).
    for column in ["owner", "organisation"] {
        if table_exists(&tx, "conversations")? && !table_has_column(&tx, "conversations", column)? {
            tx.execute_batch(&format!(
                "ALTER TABLE conversations ADD COLUMN {column} TEXT;"
            ))
            .map_err(unavailable)?;
        }
    }
    tx.execute_batch(SCHEMA).map_err(unavailable)?;
    if version < 6 {
        index_owners(&tx)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(unavailable)?;
    tx.commit().map_err(unavailable)?;
    if old {
        conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(unavailable)?;
    }
    Ok(())
}

fn table_exists(conn: &Connection, table: &str) -> Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
    .map_err(unavailable)
}

/// Every conversation's owner, from its record (schema 6).
fn index_owners(tx: &Transaction<'_>) -> Result<()> {
    for (id, data) in ids_and_data(tx, "conversations")? {
        let conversation: Conversation = from_json(&data)?;
        tx.execute(
            "UPDATE conversations SET owner = ?1 WHERE id = ?2",
            params![conversation.owner_key(), id],
        )
        .map_err(unavailable)?;
    }
    Ok(())
}

fn table_has_column(conn: &Connection, table: &str, column: &str) -> Result<bool> {
    let mut statement = conn
        .prepare(&format!("PRAGMA table_info({table})"))
        .map_err(unavailable)?;
    let names = statement
        .query_map([], |row| row.get::<_, String>(1))
        .map_err(unavailable)?
        .collect::<Result<Vec<String>, _>>()
        .map_err(unavailable)?;
    Ok(names.iter().any(|n| n == column))
}

/// Schema 1 (before identity verification and hashed keys): raw idempotency keys, status and
/// priority columns, self-asserted customer ids. Its tables are renamed, today's are created, and
/// every row is copied through today's rules: keys hashed, customers unverified (a self-asserted id
/// no longer links anyone's history), every stored text masked again.
fn migrate_from_1(tx: &Transaction<'_>) -> Result<()> {
    const TABLES: [&str; 5] = ["conversations", "messages", "cases", "notes", "events"];
    for table in TABLES {
        tx.execute_batch(&format!("ALTER TABLE {table} RENAME TO old_{table};"))
            .map_err(unavailable)?;
    }
    tx.execute_batch(
        "DROP INDEX IF EXISTS messages_by_conversation;
         DROP INDEX IF EXISTS messages_by_key;
         DROP INDEX IF EXISTS cases_queue;
         DROP INDEX IF EXISTS cases_by_customer;
         DROP INDEX IF EXISTS notes_by_case;
         DROP INDEX IF EXISTS events_by_time;",
    )
    .map_err(unavailable)?;
    tx.execute_batch(SCHEMA).map_err(unavailable)?;
    let mut copy = Commit::default(); // only collects rows; inserted below, key by key
    for (_, data) in ids_and_data(tx, "old_conversations")? {
        let mut conversation: Conversation = from_json(&data)?;
        unverify(&mut conversation.customer);
        remask_values(&mut conversation.metadata);
        tx.execute(
            "INSERT INTO conversations (id, customer_id, version, data) VALUES (?1, NULL, ?2, ?3)",
            params![
                conversation.id,
                conversation.version as i64,
                to_json(&conversation)?
            ],
        )
        .map_err(unavailable)?;
    }
    let keys: Vec<(String, Option<String>)> = {
        let mut statement = tx
            .prepare("SELECT id, idempotency_key FROM old_messages")
            .map_err(unavailable)?;
        statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(unavailable)?
            .collect::<Result<_, _>>()
            .map_err(unavailable)?
    };
    let keys: std::collections::HashMap<String, Option<String>> = keys.into_iter().collect();
    for (id, data) in ids_and_data(tx, "old_messages")? {
        let mut message: Message = from_json(&data)?;
        message.key_hash = keys
            .get(&id)
            .cloned()
            .flatten()
            .map(|k| Message::key_hash(&message.conversation_id, &k));
        message.text = remask(&message.text);
        copy.messages.push(message);
    }
    for (_, data) in ids_and_data(tx, "old_cases")? {
        let mut case: Case = from_json(&data)?;
        unverify(&mut case.customer);
        case.summary = remask(&case.summary);
        case.history.clear();
        remask_values(&mut case.metadata);
        if let Some(resolution) = case.resolution.as_mut() {
            resolution.note = remask(&resolution.note);
            resolution.follow_up = resolution.follow_up.as_deref().map(remask);
        }
        tx.execute(
            "INSERT INTO cases (id, customer_id, queue_key, created_at, version, data)
             VALUES (?1, NULL, ?2, ?3, ?4, ?5)",
            params![
                case.id,
                queue_key(&case),
                case.created_at,
                case.version as i64,
                to_json(&case)?
            ],
        )
        .map_err(unavailable)?;
    }
    for (_, data) in ids_and_data(tx, "old_notes")? {
        let mut note: Note = from_json(&data)?;
        note.text = remask(&note.text);
        copy.notes.push(note);
    }
    for (_, data) in ids_and_data(tx, "old_events")? {
        let mut event: Event = from_json(&data)?;
        remask_values(&mut event.data);
        copy.events.push(event);
    }
    for message in &copy.messages {
        insert_message(tx, message)?;
    }
    for note in &copy.notes {
        insert_note(tx, note)?;
    }
    for event in &copy.events {
        insert_event(tx, event)?;
    }
    for table in TABLES {
        tx.execute_batch(&format!("DROP TABLE old_{table};"))
            .map_err(unavailable)?;
    }
    Ok(())
}

fn remask_values(values: &mut std::collections::BTreeMap<String, String>) {
    for value in values.values_mut() {
        *value = remask(value);
    }
}

fn remask(text: &str) -> String {
    pii::mask(text, pii::Options::default())
}

fn unverify(customer: &mut crate::model::Customer) {
    if !customer.verified {
        customer.claimed_id = Some(remask(&customer.id));
        customer.id = crate::model::new_id("anon");
    }
    customer.contact = customer.contact.as_deref().map(remask);
    customer.name = customer.name.as_deref().map(remask);
}

fn ids_and_data(tx: &Transaction<'_>, table: &str) -> Result<Vec<(String, String)>> {
    let mut statement = tx
        .prepare(&format!("SELECT id, data FROM {table}"))
        .map_err(unavailable)?;
    statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(unavailable)?
        .collect::<Result<_, _>>()
        .map_err(unavailable)
}
