//! Where the desk keeps conversations, messages, cases, notes and events: one trait, two backends
//! (SQLite in [`sqlite`], DynamoDB in [`dynamo`]), one conformance suite
//! ([`conformance`]) run against both.
//!
//! # The contract
//!
//! - **Versioned updates.** Conversations and cases carry a `version`. `update_*` writes the record
//!   only if the stored version equals the record's `version`, stores it with `version + 1` and
//!   returns it; otherwise it fails with [`Error::Stale`] and writes nothing. Of N concurrent updates
//!   from the same version, exactly one succeeds. Claims, releases and resolutions are built on this.
//! - **Idempotent creation.** `insert_case` creates the case only if no case with its id exists and
//!   otherwise returns the existing one (case ids are derived from conversation ids, so a retried
//!   hand-off finds its case). `append_message` with an idempotency key already used in that
//!   conversation returns the first message and writes nothing.
//! - **Order.** `messages` returns a conversation's messages by id (creation order); `queue` returns
//!   open and claimed cases, urgent first, then oldest; `customer_cases` newest first.
//! - **Missing is not an error.** Reads of unknown ids return `None` or an empty list.
//! - **Unavailable.** When the backend cannot be reached, every method fails with
//!   [`Error::Unavailable`], and nothing is half-written.

pub mod conformance;
pub mod dynamo;
pub mod sqlite;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::model::{Case, Conversation, Event, Message, Millis, Note};

/// The result of appending a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Appended {
    /// The stored message (the earlier one, for a duplicate).
    pub message: Message,
    /// True when the idempotency key had been used: nothing was written.
    pub duplicate: bool,
}

/// Storage for the desk. See the module documentation for the contract every backend keeps.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Checks that the store answers and can take writes.
    async fn ping(&self) -> Result<()>;

    /// Stores a new conversation (its `version` as given).
    async fn insert_conversation(&self, conversation: &Conversation) -> Result<()>;
    /// A conversation by id.
    async fn conversation(&self, id: &str) -> Result<Option<Conversation>>;
    /// Versioned update (see the contract).
    async fn update_conversation(&self, conversation: &Conversation) -> Result<Conversation>;

    /// Appends a message, once per idempotency key.
    async fn append_message(&self, message: &Message) -> Result<Appended>;
    /// Replaces a stored message (the bot turn's feedback); `NotFound` if it does not exist.
    async fn replace_message(&self, message: &Message) -> Result<()>;
    /// A conversation's messages, in order.
    async fn messages(&self, conversation_id: &str) -> Result<Vec<Message>>;

    /// Creates a case unless one with its id exists; returns the existing case if so.
    async fn insert_case(&self, case: &Case) -> Result<Option<Case>>;
    /// A case by id.
    async fn case(&self, id: &str) -> Result<Option<Case>>;
    /// Versioned update (see the contract).
    async fn update_case(&self, case: &Case) -> Result<Case>;
    /// Open and claimed cases, urgent first, then oldest; at most `limit`.
    async fn queue(&self, limit: usize) -> Result<Vec<Case>>;
    /// A customer's cases, newest first; at most `limit`.
    async fn customer_cases(&self, customer_id: &str, limit: usize) -> Result<Vec<Case>>;

    /// Stores an operator note.
    async fn insert_note(&self, note: &Note) -> Result<()>;
    /// A case's notes, oldest first.
    async fn notes(&self, case_id: &str) -> Result<Vec<Note>>;

    /// Records an event for insights.
    async fn insert_event(&self, event: &Event) -> Result<()>;
    /// Events with `from <= at < to`, oldest first.
    async fn events(&self, from: Millis, to: Millis) -> Result<Vec<Event>>;
}

impl Error {
    /// A store error for a value that would not serialize or deserialize.
    pub(crate) fn corrupt(error: impl std::fmt::Display) -> Error {
        Error::Corrupt(error.to_string())
    }
}
