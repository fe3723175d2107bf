//! Screenshots: a customer attaches one (checked, cleaned, stored, then posted as a message), and
//! the customer or an operator reads one back, only through a conversation whose messages name it.

use super::Desk;
use crate::attachments::{Attachment, Blobs, MAX_ATTACHMENT_BYTES, image};
use crate::desk::Posted;
use crate::error::{Error, Result};
use crate::model::new_id;

impl Desk {
    fn blobs(&self) -> Result<&dyn Blobs> {
        self.blobs.as_deref().ok_or_else(|| {
            Error::Invalid("this desk does not keep attachments (BATON_ATTACHMENTS)".into())
        })
    }

    /// A customer's screenshot: the secret is checked before any work, the bytes must be a PNG,
    /// JPEG or WebP image (by their signature) of at most [`MAX_ATTACHMENT_BYTES`], and what is
    /// stored is the image without its metadata. Posted as a message (with `caption`, which may
    /// be empty); a resend with the same idempotency key is the first message, and its second
    /// copy of the file is removed.
    pub async fn attach(
        &self,
        id: &str,
        secret: &str,
        bytes: &[u8],
        caption: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Posted> {
        let blobs = self.blobs()?;
        self.conversation(id, secret).await?;
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(Error::Invalid(format!(
                "the attachment is larger than {} MB",
                MAX_ATTACHMENT_BYTES / (1024 * 1024)
            )));
        }
        let cleaned = image::clean(bytes)?;
        let attachment = Attachment::of(new_id("att"), &cleaned);
        let key = attachment.key(id)?;
        blobs.put(&key, cleaned.bytes).await?;
        let posted = self
            .post_message(id, secret, caption, vec![attachment], idempotency_key)
            .await;
        if !matches!(&posted, Ok(p) if !p.duplicate)
            && let Err(error) = blobs.delete(&key).await
        {
            tracing::warn!(%error, "an unused attachment file was left behind");
        }
        posted
    }

    /// A screenshot of the customer's own conversation.
    pub async fn attachment(
        &self,
        id: &str,
        secret: &str,
        attachment_id: &str,
    ) -> Result<(Attachment, Vec<u8>)> {
        self.conversation(id, secret).await?;
        self.read_attachment(id, attachment_id).await
    }

    /// A screenshot in a case's conversation, for an operator.
    pub async fn case_attachment(
        &self,
        case_id: &str,
        attachment_id: &str,
    ) -> Result<(Attachment, Vec<u8>)> {
        let case = self.existing_case(case_id).await?;
        self.read_attachment(&case.conversation_id, attachment_id)
            .await
    }

    async fn read_attachment(
        &self,
        conversation_id: &str,
        attachment_id: &str,
    ) -> Result<(Attachment, Vec<u8>)> {
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
        let bytes = self
            .blobs()?
            .get(&attachment.key(conversation_id)?)
            .await?
            .ok_or_else(not_found)?;
        Ok((attachment, bytes))
    }
}
