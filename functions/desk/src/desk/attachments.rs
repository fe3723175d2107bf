//! Screenshots: a customer attaches one (checked, cleaned, stored, then posted as a message), and
//! the customer or an operator reads one back, only through a conversation whose messages name it.
//!
//! Two ways in, one check: the bytes in the request body (`attach`, under the API's size limit),
//! or an upload (`begin_upload`, the bytes `PUT` to the API or straight to S3, then
//! `complete_upload`), which keeps images out of a Lambda function's payload.

use serde::Serialize;

use super::Desk;
use crate::attachments::{Attachment, Blobs, MAX_ATTACHMENT_BYTES, image};
use crate::desk::Posted;
use crate::error::{Error, Result};
use crate::model::new_id;

/// Where a client sends an upload's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upload {
    /// The attachment's id to be (`att_…`).
    pub id: String,
    /// Where to `PUT` the bytes: a presigned S3 URL (send no `Authorization`), or `None` for the
    /// API's own `PUT …/uploads/{id}` (with the conversation's secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A stored attachment, as it is read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// The bytes (a directory store).
    Bytes(Attachment, Vec<u8>),
    /// A short-lived URL to read it from (S3).
    At(Attachment, String),
}

fn too_large() -> Error {
    Error::Invalid(format!(
        "the attachment is larger than {} MB",
        MAX_ATTACHMENT_BYTES / (1024 * 1024)
    ))
}

impl Desk {
    fn blobs(&self) -> Result<&dyn Blobs> {
        self.blobs.as_deref().ok_or_else(|| {
            Error::Invalid("this desk does not keep attachments (BATON_ATTACHMENTS)".into())
        })
    }

    /// Checks and cleans `bytes` and keeps the clean image under a new id (or `id`).
    pub(super) async fn keep(
        &self,
        conversation_id: &str,
        id: String,
        bytes: &[u8],
    ) -> Result<Attachment> {
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(too_large());
        }
        // Decoding and downscaling are CPU work: off the async workers, and one image at a time
        // (each may hold up to a few hundred MB while it is decoded).
        static CLEANING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
        let _one = CLEANING
            .acquire()
            .await
            .map_err(|e| Error::Unavailable(format!("image task: {e}")))?;
        let owned = bytes.to_vec();
        let cleaned = tokio::task::spawn_blocking(move || image::clean(&owned))
            .await
            .map_err(|e| Error::Unavailable(format!("image task: {e}")))??;
        let attachment = Attachment::of(id, &cleaned);
        self.blobs()?
            .put(&attachment.key(conversation_id)?, cleaned.bytes)
            .await?;
        Ok(attachment)
    }

    /// Posts a kept attachment; a failed or duplicate post removes the file it no longer needs.
    async fn post_kept(
        &self,
        id: &str,
        secret: &str,
        attachment: Attachment,
        idempotency_key: Option<&str>,
    ) -> Result<Posted> {
        let key = attachment.key(id)?;
        let posted = self
            .post_message(id, secret, "", vec![attachment], idempotency_key, true)
            .await;
        if !matches!(&posted, Ok(p) if !p.duplicate)
            && let Err(error) = self.blobs()?.delete(&key).await
        {
            tracing::warn!(%error, "an unused attachment file was left behind");
        }
        posted
    }

    /// A customer's screenshot in the request: the secret is checked before any work, the bytes
    /// must be a PNG, JPEG or WebP image (by their signature) of at most
    /// [`MAX_ATTACHMENT_BYTES`], and what is stored is the image without its metadata. Posted as a
    /// message; a resend with the same idempotency key is the first message.
    pub async fn attach(
        &self,
        id: &str,
        secret: &str,
        bytes: &[u8],
        idempotency_key: Option<&str>,
    ) -> Result<Posted> {
        self.blobs()?;
        self.conversation_to_attach(id, secret).await?;
        let attachment = self.keep(id, new_id("att"), bytes).await?;
        self.post_kept(id, secret, attachment, idempotency_key)
            .await
    }

    /// Starts an upload: the attachment's id (chosen here, never by the client) and where its
    /// bytes go. The store holds a place for them, and refuses when too many uploads are waiting
    /// in the conversation or in all.
    pub async fn begin_upload(&self, id: &str, secret: &str) -> Result<Upload> {
        let blobs = self.blobs()?;
        self.conversation_to_attach(id, secret).await?;
        let upload = new_id("att");
        let incoming = Attachment::incoming_key(id, &upload)?;
        blobs.reserve(&incoming).await?;
        let url = blobs.upload_url(&incoming).await?;
        Ok(Upload { id: upload, url })
    }

    /// An upload's bytes sent to the API (where the store takes no presigned uploads).
    pub async fn receive_upload(
        &self,
        id: &str,
        secret: &str,
        upload: &str,
        bytes: Vec<u8>,
    ) -> Result<()> {
        let blobs = self.blobs()?;
        self.conversation_to_attach(id, secret).await?;
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(too_large());
        }
        // Only to an upload this desk began and has not completed: a completed screenshot's
        // bytes can never be replaced, and an id the client made up holds nothing.
        blobs
            .put_incoming(&Attachment::incoming_key(id, upload)?, bytes)
            .await
    }

    /// Finishes an upload: the bytes are checked and cleaned like [`Desk::attach`]'s, the clean
    /// image kept under the upload's id, the raw bytes removed, and the message posted. Completing
    /// again returns the same message.
    pub async fn complete_upload(&self, id: &str, secret: &str, upload: &str) -> Result<Posted> {
        let blobs = self.blobs()?;
        let conversation = self.conversation_to_attach(id, secret).await?;
        let incoming = Attachment::incoming_key(id, upload)?;
        let key = format!("upload:{upload}");
        // Completed before: the message is the answer, whatever bytes were sent since.
        let messages = self.store.messages(id).await?;
        if let Some(first) = messages
            .iter()
            .find(|m| m.attachments.iter().any(|a| a.id == upload))
            .cloned()
        {
            return self.replay(&conversation, &messages, first).await;
        }
        let not_found = || Error::NotFound {
            what: "upload",
            id: upload.to_string(),
        };
        // Begun and nothing sent yet is not found either (as in S3), and the place stays held.
        let bytes = blobs
            .get(&incoming)
            .await?
            .filter(|b| !b.is_empty())
            .ok_or_else(not_found)?;
        let kept = self.keep(id, upload.to_string(), &bytes).await;
        blobs.delete(&incoming).await?;
        self.post_kept(id, secret, kept?, Some(&key)).await
    }

    /// A screenshot of the customer's own conversation.
    pub async fn attachment(&self, id: &str, secret: &str, attachment_id: &str) -> Result<Stored> {
        self.conversation(id, secret).await?;
        self.read_attachment(id, attachment_id).await
    }

    /// A screenshot in a case's conversation, for an operator.
    pub async fn case_attachment(&self, case_id: &str, attachment_id: &str) -> Result<Stored> {
        let case = self.existing_case(case_id).await?;
        self.read_attachment(&case.conversation_id, attachment_id)
            .await
    }

    async fn read_attachment(&self, conversation_id: &str, attachment_id: &str) -> Result<Stored> {
        let not_found = || Error::NotFound {
            what: "attachment",
            id: attachment_id.to_string(),
        };
        if !crate::model::is_id("att", attachment_id) {
            return Err(Error::Invalid("malformed attachment id".into()));
        }
        let attachment = self
            .store
            .messages(conversation_id)
            .await?
            .into_iter()
            .flat_map(|m| m.attachments)
            .find(|a| a.id == attachment_id)
            .ok_or_else(not_found)?;
        let blobs = self.blobs()?;
        let key = attachment.key(conversation_id)?;
        if let Some(url) = blobs.download_url(&key, attachment.kind).await? {
            return Ok(Stored::At(attachment, url));
        }
        let bytes = blobs.get(&key).await?.ok_or_else(not_found)?;
        Ok(Stored::Bytes(attachment, bytes))
    }
}
