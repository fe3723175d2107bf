//! Screenshots customers attach to a conversation: checked and cleaned by [`image`] (type from the
//! bytes, metadata stripped), kept as files by a [`Blobs`] store, and referenced by the message
//! that carries them, so the transcript, the widget and the console show them in place.
//!
//! Under `baton serve` the files live in a directory ([`DirBlobs`], `BATON_ATTACHMENTS`, by
//! default `data/attachments`); in AWS in an S3 bucket (`s3::S3Blobs`,
//! `BATON_ATTACHMENTS_BUCKET`), which the widget uploads to by a presigned URL and the pages read
//! from by another, so no image passes through a Lambda function's 6 MB payload. Uploads are one
//! flow on both: ask for an upload (an id and where to `PUT` the bytes: the API itself, or S3),
//! send the bytes there (kept under `incoming/`), then complete it: the desk reads them, checks and
//! cleans them, keeps the clean image and posts the message. The message records the attachment's id, type, size and
//! dimensions; the bytes are read back only through a route that checks the conversation's secret
//! (the customer) or an operator token, and only for an attachment that conversation's messages
//! name.

pub mod image;
#[cfg(feature = "aws")]
pub mod s3;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use image::{Cleaned, ImageType};

use crate::error::{Error, Result};

/// Largest screenshot accepted, in bytes (before cleaning).
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

/// A cleaned screenshot a message carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// `att_…`.
    pub id: String,
    /// The media type, read from the bytes.
    #[serde(rename = "type")]
    pub kind: ImageType,
    /// Size after cleaning, in bytes.
    pub size: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Attachment {
    /// What is recorded of a cleaned image stored under `id`.
    pub fn of(id: String, cleaned: &Cleaned) -> Attachment {
        Attachment {
            id,
            kind: cleaned.kind,
            size: cleaned.bytes.len() as u64,
            width: cleaned.width,
            height: cleaned.height,
        }
    }

    /// Where an upload's bytes wait to be checked: `incoming/{conversation id}/{attachment id}`.
    pub fn incoming_key(conversation_id: &str, attachment_id: &str) -> Result<String> {
        if !crate::model::is_id("cv", conversation_id) || !crate::model::is_id("att", attachment_id)
        {
            return Err(Error::Invalid("malformed attachment key".into()));
        }
        Ok(format!("incoming/{conversation_id}/{attachment_id}"))
    }

    /// Where its bytes are kept: `{conversation id}/{attachment id}.{ext}`, both ids checked, so
    /// a key can never leave its store's root.
    pub fn key(&self, conversation_id: &str) -> Result<String> {
        if !crate::model::is_id("cv", conversation_id) || !crate::model::is_id("att", &self.id) {
            return Err(Error::Invalid("malformed attachment key".into()));
        }
        Ok(format!(
            "{conversation_id}/{}.{}",
            self.id,
            self.kind.extension()
        ))
    }
}

/// Where attachment bytes are kept. Keys come from [`Attachment::key`].
#[async_trait]
pub trait Blobs: Send + Sync + 'static {
    /// Stores `bytes` under `key`, whole or not at all.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()>;
    /// The bytes under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    /// Forgets `key` (nothing if absent).
    async fn delete(&self, key: &str) -> Result<()>;
    /// A URL the client may `PUT` `key`'s bytes to itself for a few minutes (S3's presigned
    /// upload); `None` when uploads go through the API.
    async fn upload_url(&self, _key: &str) -> Result<Option<String>> {
        Ok(None)
    }
    /// A URL the client may `GET` `key` from itself for a few minutes; `None` when the API
    /// answers with the bytes.
    async fn download_url(&self, _key: &str, _kind: ImageType) -> Result<Option<String>> {
        Ok(None)
    }
}

/// Attachments as files under a directory (`baton serve`).
#[derive(Debug, Clone)]
pub struct DirBlobs {
    root: PathBuf,
}

impl DirBlobs {
    /// A store under `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> DirBlobs {
        DirBlobs { root: root.into() }
    }

    fn path(&self, key: &str) -> Result<PathBuf> {
        // Keys are built from checked ids; this refuses anything else all the same.
        let parts = key.split('/').count();
        let safe = (parts == 2 || (parts == 3 && key.starts_with("incoming/")))
            && key
                .split('/')
                .all(|part| !part.is_empty() && !part.starts_with('.'))
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/'));
        if !safe {
            return Err(Error::Invalid("malformed attachment key".into()));
        }
        Ok(self.root.join(key))
    }
}

/// Runs file work on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Unavailable(format!("attachment task: {e}")))?
}

fn unavailable(path: &std::path::Path, error: std::io::Error) -> Error {
    Error::Unavailable(format!("attachments at {}: {error}", path.display()))
}

#[async_trait]
impl Blobs for DirBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.path(key)?;
        blocking(move || {
            let dir = path.parent().unwrap_or(&path).to_path_buf();
            std::fs::create_dir_all(&dir).map_err(|e| unavailable(&dir, e))?;
            // Written beside and renamed, so a reader never sees half a file.
            let mut file =
                tempfile::NamedTempFile::new_in(&dir).map_err(|e| unavailable(&dir, e))?;
            std::io::Write::write_all(&mut file, &bytes).map_err(|e| unavailable(&path, e))?;
            file.as_file()
                .sync_all()
                .map_err(|e| unavailable(&path, e))?;
            file.persist(&path)
                .map_err(|e| unavailable(&path, e.error))?;
            Ok(())
        })
        .await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(key)?;
        blocking(move || match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(&path, e)),
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<()> {
        let path = self.path(key)?;
        blocking(move || match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(unavailable(&path, e)),
        })
        .await
    }
}
