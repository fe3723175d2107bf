//! Where the desk keeps conversations, messages, cases, notes and events: one trait, two backends
//! (SQLite in [`sqlite`], DynamoDB in [`dynamo`]), one conformance suite run against both
//! (`conformance`, built only with the `test-suite` feature).
//!
//! # The contract
//!
//! - **One write path.** Every change is a [`Commit`]: messages, a replaced message, a conversation
//!   update, a case creation or update, notes and events, applied **all or nothing** (one SQLite
//!   transaction; one DynamoDB `TransactWriteItems`). A customer message and the bot's reply, or a
//!   hand-off's case, conversation and event, can never be half-written.
//! - **Versioned updates.** Conversations and cases carry a `version`. A commit's conversation or
//!   case update applies only if the stored version equals the record's `version`, and stores it
//!   with `version + 1`; otherwise the commit fails with [`Error::Stale`] and writes nothing. Of N
//!   concurrent commits from the same version, exactly one succeeds. Creating a case whose id exists
//!   is also `Stale` (case ids derive from conversation ids: the caller re-reads and finds it).
//! - **Idempotent messages.** A message with a `key_hash` already used in its conversation makes
//!   the whole commit a no-op that returns [`Committed::Duplicate`] with the first message.
//! - **Order.** `messages` returns a conversation's messages by id (creation order; a bot reply
//!   sorts right after its question); `queue` returns open and claimed cases by [`Case::queue_key`]
//!   (urgent first, then oldest); `customer_cases` newest first, verified customers only.
//! - **Mail.** A commit's `mail_ids` are created, never replaced: one that exists makes the commit
//!   `Stale`. `mail_thread` finds the conversation of a Message-ID's hash. Outgoing mail is
//!   versioned like cases; `due_mail` returns pending mail whose `next_at` has come, soonest first.
//!   A commit's `contact` replaces the address's mapping; `mail_contact` reads it back.
//! - **The board.** `owner_conversations` returns the conversations of an owner
//!   ([`Conversation::owner_key`], kept current by every write of the conversation), newest
//!   first. A commit's `access` records are created once (`Stale` if the key exists) or updated
//!   by version like cases; `access` reads one back by key, expired ones included (the caller
//!   checks [`Access::is_live`]; a backend may forget them a day after they expire).
//! - **Feature requests** and **organisations** are created once and updated by version, and
//!   listed most recently changed first. `organisation_conversations` finds a conversation by the
//!   organisation it was made with, newest first.
//! - **Missing is not an error.** Reads of unknown ids return `None` or an empty list; a commit that
//!   replaces a message that does not exist fails with `NotFound` and writes nothing.
//! - **Unavailable.** When the backend cannot be reached or cannot write (down, locked, full,
//!   read-only), every method fails with [`Error::Unavailable`], and nothing is half-written;
//!   `ping` performs a real write, so health reports what writes will meet.
//! - **Presence is not a record.** `touch` replaces one operator's heartbeat in a conversation,
//!   outside commits and versions; `presence` returns what is kept, and old touches may linger
//!   until the store forgets them ([`crate::presence::KEEP_MS`]).

#[cfg(feature = "test-suite")]
pub mod conformance;
#[cfg(feature = "aws")]
pub mod dynamo;
#[cfg(feature = "test-suite")]
pub mod faults;
pub mod sqlite;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::model::{
    Access, Case, Conversation, Event, FeatureRequest, MailContact, MailId, Message, Millis, Note,
    Organisation, OutgoingMail,
};
use crate::presence::Presence;

/// A case written by a [`Commit`].
#[derive(Debug, Clone, PartialEq)]
pub enum CaseWrite {
    /// A new case (`Stale` if its id exists).
    Create(Case),
    /// A versioned update.
    Update(Case),
}

impl CaseWrite {
    /// The case as written (before the store bumps an update's version).
    pub fn case(&self) -> &Case {
        match self {
            CaseWrite::Create(case) | CaseWrite::Update(case) => case,
        }
    }
}

/// An outgoing mail written by a [`Commit`].
#[derive(Debug, Clone, PartialEq)]
pub enum MailWrite {
    /// A new mail to send (`Stale` if its id exists).
    Create(OutgoingMail),
    /// A versioned update (a try, its outcome).
    Update(OutgoingMail),
}

impl MailWrite {
    /// The mail as written (before the store bumps an update's version).
    pub fn mail(&self) -> &OutgoingMail {
        match self {
            MailWrite::Create(mail) | MailWrite::Update(mail) => mail,
        }
    }
}

/// A record written by a [`Commit`] that is created once and then updated by version: a guest's
/// access ([`AccessWrite`]), a feature request ([`FeatureWrite`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Write<T> {
    /// A new one (`Stale` if its key exists).
    Create(T),
    /// A versioned update.
    Update(T),
}

impl<T> Write<T> {
    /// The record as written (before the store bumps an update's version).
    pub fn record(&self) -> &T {
        match self {
            Write::Create(record) | Write::Update(record) => record,
        }
    }
}

/// A guest's access to the board: a link mailed, a link used, the session it opens.
pub type AccessWrite = Write<Access>;
/// A feature request the team triages.
pub type FeatureWrite = Write<FeatureRequest>;
/// The team's record of a business customer.
pub type OrganisationWrite = Write<Organisation>;

/// Writes that happen together or not at all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Commit {
    /// Messages to append; at most one carries a `key_hash`.
    pub messages: Vec<Message>,
    /// Stored messages to replace (a bot turn's feedback).
    pub replaced: Vec<Message>,
    /// A versioned conversation update.
    pub conversation: Option<Conversation>,
    /// A case to create or update.
    pub case: Option<CaseWrite>,
    /// Operator notes to add.
    pub notes: Vec<Note>,
    /// Events to record.
    pub events: Vec<Event>,
    /// Message-IDs that now lead to a conversation. Each is written once: one already stored
    /// makes the commit `Stale` (a mail delivered twice is stored once).
    pub mail_ids: Vec<MailId>,
    /// An outgoing mail to create or update.
    pub outgoing: Option<MailWrite>,
    /// An address's mapping to a customer, written over the one before.
    pub contact: Option<MailContact>,
    /// Guests' access to the board: a link mailed, a link used and the session it opens.
    pub access: Vec<AccessWrite>,
    /// A feature request to create or update.
    pub feature: Option<FeatureWrite>,
    /// An organisation to create or update.
    pub organisation: Option<OrganisationWrite>,
}

impl Commit {
    /// The one idempotency-keyed message, if any; an error if there are several.
    pub fn keyed(&self) -> Result<Option<&Message>> {
        let mut keyed = self.messages.iter().filter(|m| m.key_hash.is_some());
        let first = keyed.next();
        if keyed.next().is_some() {
            return Err(Error::Invalid(
                "a commit carries at most one keyed message".into(),
            ));
        }
        Ok(first)
    }
}

/// What a commit did.
#[derive(Debug, Clone, PartialEq)]
pub enum Committed {
    /// Everything was written.
    Done,
    /// The keyed message's key had been used: nothing was written; this is the first message.
    Duplicate(Box<Message>),
}

/// Storage for the desk. See the module documentation for the contract every backend keeps.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Checks that the store answers and can take a write like the desk's.
    async fn ping(&self) -> Result<()>;

    /// Stores a new conversation (its `version` as given).
    async fn insert_conversation(&self, conversation: &Conversation) -> Result<()>;
    /// A conversation by id.
    async fn conversation(&self, id: &str) -> Result<Option<Conversation>>;
    /// A conversation's messages, in order.
    async fn messages(&self, conversation_id: &str) -> Result<Vec<Message>>;

    /// Applies a commit atomically (see the contract).
    async fn commit(&self, commit: &Commit) -> Result<Committed>;

    /// A case by id.
    async fn case(&self, id: &str) -> Result<Option<Case>>;
    /// Open and claimed cases in queue order, at most `limit`, after the case whose
    /// [`Case::queue_key`] is `after`.
    async fn queue(&self, limit: usize, after: Option<&str>) -> Result<Vec<Case>>;
    /// A verified customer's cases, newest first; at most `limit`.
    async fn customer_cases(&self, customer_id: &str, limit: usize) -> Result<Vec<Case>>;
    /// A case's notes, oldest first.
    async fn notes(&self, case_id: &str) -> Result<Vec<Note>>;
    /// Events with `from <= at < to`, oldest first.
    async fn events(&self, from: Millis, to: Millis) -> Result<Vec<Event>>;

    /// The conversation a Message-ID leads to, by [`MailId::hash`].
    async fn mail_thread(&self, hash: &str) -> Result<Option<String>>;
    /// An address's mapping to a customer, by [`MailContact::key`] (taken back ones included).
    async fn mail_contact(&self, key: &str) -> Result<Option<MailContact>>;
    /// An outgoing mail by id.
    async fn outgoing_mail(&self, id: &str) -> Result<Option<OutgoingMail>>;
    /// Pending outgoing mail due at `now` (`next_at <= now`), soonest first, at most `limit`.
    async fn due_mail(&self, now: Millis, limit: usize) -> Result<Vec<OutgoingMail>>;

    /// The conversations of an owner ([`Conversation::owner_key`]), newest first, at most `limit`.
    async fn owner_conversations(&self, owner: &str, limit: usize) -> Result<Vec<Conversation>>;
    /// A guest's access record by [`Access::key`].
    async fn access(&self, key: &str) -> Result<Option<Access>>;
    /// A feature request by id.
    async fn feature_request(&self, id: &str) -> Result<Option<FeatureRequest>>;
    /// Feature requests, most recently changed first, at most `limit`.
    async fn feature_requests(&self, limit: usize) -> Result<Vec<FeatureRequest>>;
    /// An organisation by id.
    async fn organisation(&self, id: &str) -> Result<Option<Organisation>>;
    /// Organisations, most recently changed first, at most `limit`.
    async fn organisations(&self, limit: usize) -> Result<Vec<Organisation>>;
    /// The conversations of an organisation ([`Conversation::organisation`], set when it is
    /// made), newest first, at most `limit`.
    async fn organisation_conversations(&self, id: &str, limit: usize)
    -> Result<Vec<Conversation>>;

    /// Deletes the events recorded before `before`, returning how many (`baton serve`'s retention,
    /// `BATON_EVENT_DAYS`). A backend that expires events itself (DynamoDB's TTL) does nothing.
    async fn forget_events(&self, _before: Millis) -> Result<usize> {
        Ok(0)
    }

    /// Records an operator's touch of a conversation, replacing their earlier one there (not
    /// versioned, not part of a commit: the last touch wins, and losing one costs nothing).
    async fn touch(&self, presence: &Presence) -> Result<()>;
    /// The touches of a conversation kept so far, any age (the caller decides what is current;
    /// see [`crate::presence`]).
    async fn presence(&self, conversation_id: &str) -> Result<Vec<Presence>>;
}

impl Error {
    /// A store error for a value that would not serialize or deserialize.
    pub(crate) fn corrupt(error: impl std::fmt::Display) -> Error {
        Error::Corrupt(error.to_string())
    }
}
