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

mod dir;
pub mod image;
#[cfg(feature = "aws")]
pub mod s3;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use dir::{DirBlobs, INCOMING_TTL};
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

/// Where attachment bytes are kept. Keys come from [`Attachment::key`] and
/// [`Attachment::incoming_key`].
#[async_trait]
pub trait Blobs: Send + Sync + 'static {
    /// Holds a place for an upload's bytes under the incoming `key` (refused when the store
    /// already holds as many unfinished uploads, or bytes, as it takes); only a held place takes
    /// bytes through the API. A store whose clients upload elsewhere (S3's presigned URLs, each
    /// for one key, expiring) holds nothing.
    async fn reserve(&self, _key: &str) -> Result<()> {
        Ok(())
    }
    /// An upload's bytes sent to the API, for a place [`Blobs::reserve`] holds: refused when no
    /// upload was begun there (or it was completed), or when the store's incoming bytes would
    /// pass its bound.
    async fn put_incoming(&self, _key: &str, _bytes: Vec<u8>) -> Result<()> {
        Err(Error::Invalid(
            "uploads go to the URL the upload was begun with".into(),
        ))
    }
    /// Forgets uploads begun more than `age` ago and never completed; returns how many.
    async fn forget_incoming(&self, _age: std::time::Duration) -> Result<usize> {
        Ok(0)
    }
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
