//! The one error type of the `kb` crate.

use std::path::PathBuf;

/// Everything that can go wrong while loading guides, building or searching an index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    // Not `#[source]`: the message already ends with the cause, and a chain printed with `{:#}`
    // would say it twice.
    #[error("{path}: {error}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// The guide directory does not exist or holds no Markdown.
    #[error("{0}: no Markdown guides found (.md or .mdx)")]
    NoGuides(PathBuf),
    /// A configuration file (`kb.toml`, `synonyms.toml`) is invalid.
    #[error("{path}: {message}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The index directory is missing, from another schema version, or damaged.
    #[error("index at {path}: {message}")]
    Index {
        /// The index directory.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A query set line could not be read.
    #[error("{path}:{line}: {message}")]
    QuerySet {
        /// The query file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with the line.
        message: String,
    },
    /// A help center theme (`theme.toml`) is invalid.
    #[error("{path}: {message}")]
    Theme {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A help center template could not be compiled or rendered.
    #[error("template {name}: {message}")]
    Template {
        /// The template's name (`article.html`).
        name: String,
        /// What minijinja said, with the line.
        message: String,
    },
    /// Tantivy failed.
    #[error("search engine: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// JSON (de)serialisation of index side files failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

/// The `kb` result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attaches the path to an I/O error.
pub(crate) trait IoContext<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|error| Error::Io {
            path: path.into(),
            error,
        })
    }
}
