//! The one error type of the desk.

/// Everything that can go wrong in the desk, in terms a handler can map to a status code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such conversation, case or message.
    #[error("{what} {id} not found")]
    NotFound {
        /// `conversation`, `case` …
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The request is not valid (empty text, unknown category …).
    #[error("{0}")]
    Invalid(String),
    /// The caller's credentials are missing or wrong (a customer identity token that does not
    /// verify, an operator the allow-list does not name).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller may not do this (wrong conversation secret, someone else's case).
    #[error("{0}")]
    Forbidden(String),
    /// A form the desk judged sent by a machine (a filled trap field, sent faster than a person
    /// types, or a form too old); a person sends it again and loses nothing.
    #[error("{0}")]
    Refused(String),
    /// Too many of these from one customer or address lately; try again after a while.
    #[error("{message}")]
    TooMany {
        /// What was refused and for how long.
        message: String,
        /// Seconds until one is taken again.
        retry_after: u64,
    },
    /// Someone else got there first (a claim lost to another operator).
    #[error("{0}")]
    Conflict(String),
    /// The record changed since it was read; the caller re-reads and decides again.
    #[error("the record changed since it was read")]
    Stale,
    /// The store cannot be reached or refused the operation; retrying later may work.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store returned something this code cannot read.
    #[error("store data: {0}")]
    Corrupt(String),
    /// A setting is missing or wrong (names the variable).
    #[error("configuration: {0}")]
    Config(String),
    /// Searching the knowledge base failed.
    #[error("knowledge base: {0}")]
    Search(#[from] kb::Error),
}

/// The desk's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
