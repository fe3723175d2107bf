//! A mail Baton sends, as bytes: lettre builds it (encoded words, UTF-8 body, the threading
//! headers); Baton chooses the headers. The reply-to address carries the thread's token, the
//! subject its `[#token]`, and a mail the bot or Baton sends by itself says so
//! (`Auto-Submitted: auto-replied`, RFC 3834), so another machine does not answer it.

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, SinglePart};

use crate::error::{Error, Result};
use crate::model::OutgoingMail;

/// Who Baton's mail is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The support address (`support@baton.example`).
    pub address: String,
    /// The name shown with it (`Baton 고객센터`).
    pub name: String,
}

/// `Auto-Submitted: auto-replied`.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-replied".into())
    }
}

/// `X-Auto-Response-Suppress: All`: Exchange and Outlook send no out-of-office to it.
#[derive(Debug, Clone)]
struct SuppressAutoResponse;

impl Header for SuppressAutoResponse {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Auto-Response-Suppress")
    }

    fn parse(_: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(SuppressAutoResponse)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "All".into())
    }
}

fn mailbox(name: Option<&str>, address: &str) -> Result<Mailbox> {
    let address = address
        .parse()
        .map_err(|e| Error::Invalid(format!("mail address {address:?}: {e}")))?;
    Ok(Mailbox::new(
        name.map(str::to_string).filter(|n| !n.is_empty()),
        address,
    ))
}

/// The message of `mail`, from `sender`, asking for replies at `reply_to`.
pub fn compose(mail: &OutgoingMail, sender: &Sender, reply_to: &str) -> Result<Vec<u8>> {
    let mut builder = lettre::Message::builder()
        .from(mailbox(Some(&sender.name), &sender.address)?)
        .reply_to(mailbox(Some(&sender.name), reply_to)?)
        .to(mailbox(mail.to_name.as_deref(), &mail.to)?)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}>", mail.mail_id)))
        .date_now();
    if let Some(parent) = &mail.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if !mail.references.is_empty() {
        let references: Vec<String> = mail.references.iter().map(|r| format!("<{r}>")).collect();
        builder = builder.references(references.join(" "));
    }
    if mail.automatic {
        builder = builder.header(AutoSubmitted).header(SuppressAutoResponse);
    }
    let message = builder
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(mail.text.clone()),
        )
        .map_err(|e| Error::Invalid(format!("the mail could not be built: {e}")))?;
    Ok(message.formatted())
}
