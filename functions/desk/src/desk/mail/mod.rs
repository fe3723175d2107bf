//! Mail through the desk: a mail opens or continues a conversation, the bot answers a first mail
//! only when it is sure, anything else reaches the queue with the full context, and what people
//! (or the bot) answer leaves as a mail in the same thread, through a stored job that is tried
//! again until it is sent.
//!
//! The order of threading: Baton's reply-to address (`support+<token>@`), then `In-Reply-To` and
//! `References` against every Message-ID of the conversation, then the subject's `[#token]`. A mail
//! that names a conversation joins it only when its sender is that conversation's customer; and
//! a mail the receiving side judged spam, a virus or spoofed never joins one.
//!
//! Who sent a mail is what the receiving side proved ([`Verdict::Proved`]: DMARC, or the From
//! domain's DKIM signature), never the From address alone. A mail whose sender is not proved is
//! kept and answered like any other, shown as unverified, never speaks in a verified
//! customer's conversation, and never starts one as that customer; an authenticated mail from an
//! address the team mapped to a customer ([`crate::model::MailContact`]) starts the conversation
//! as them, with their earlier cases.
//!
//! `receive.rs` takes a mail in (threading, the bot, quarantine, bounces); `send.rs` makes the
//! mail that leaves (the bot's answer, an operator's reply) and works through what is due;
//! `contact.rs` maps an address to a verified customer.

mod contact;
mod receive;
mod send;

pub use contact::Linked;

use serde::Serialize;

use super::Desk;
use crate::error::{Error, Result};
use crate::mail::{self, ThreadKey};
use crate::model::Verdict;

/// How the desk takes and sends mail.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// Who Baton's mail is from: the support address and its name.
    pub sender: mail::Sender,
    /// The key of the thread tokens.
    pub key: ThreadKey,
    /// How much of a mail is read.
    pub limits: mail::Limits,
    /// Most mails the bot sends one address in an hour (a loop with another machine stops there).
    pub auto_replies_per_hour: usize,
    /// The help center's address, for the links in the bot's answers.
    pub site_url: String,
    /// The receiving server whose `Authentication-Results` header says who sent a mail
    /// (`BATON_MAIL_AUTHSERV_ID`), when nothing beside the message does (SES's receipt does).
    pub authserv_id: Option<String>,
}

/// A mail as it arrived, with what the receiving side knows beside the message.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    /// The raw message.
    pub raw: Vec<u8>,
    /// The envelope's recipients (`RCPT TO`; SES's receipt), which a BCC'd token address is in.
    pub recipients: Vec<String>,
    /// What the receiving side judged, if it said so beside the message (SES's receipt); else
    /// the trusted `Authentication-Results` header is read, if the settings name its server.
    pub verdict: Option<Verdict>,
    /// Where the raw message is kept, if it is.
    pub raw_key: Option<String>,
}

/// What became of a mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Received {
    /// Stored as a message of a conversation.
    Stored {
        /// The conversation.
        conversation_id: String,
        /// The message.
        message_id: String,
        /// Whether the mail started the conversation.
        new: bool,
        /// Whether the bot answered it by mail.
        answered: bool,
        /// The case, when people have the conversation.
        #[serde(skip_serializing_if = "Option::is_none")]
        case_id: Option<String>,
    },
    /// The same mail was stored before (a second delivery): nothing was done.
    Duplicate {
        /// Its conversation.
        conversation_id: String,
    },
    /// A bounce of a mail Baton sent: that mail is marked failed.
    Bounce {
        /// The conversation.
        conversation_id: String,
        /// The message whose mail bounced.
        message_id: String,
    },
    /// Not stored, and why (a mail from the support address itself).
    Ignored {
        /// Why.
        reason: String,
    },
}

impl Desk {
    /// This desk, taking and sending mail.
    pub fn with_mail(mut self, settings: MailSettings) -> Desk {
        self.mail = Some(std::sync::Arc::new(settings));
        self
    }

    /// The mail settings, when mail is set up.
    pub fn mail_settings(&self) -> Option<&MailSettings> {
        self.mail.as_deref()
    }

    pub(super) fn mail_or_refuse(&self) -> Result<&MailSettings> {
        self.mail_settings().ok_or_else(|| {
            Error::Unavailable("mail is not set up (BATON_MAIL_FROM is not set)".into())
        })
    }
}

/// The SMTP listener hands its mail here: stored is `250`, never storable `550`, anything else
/// `451` (the sending MTA keeps the mail and tries again).
#[async_trait::async_trait]
impl mail::smtp::Deliver for Desk {
    async fn deliver(
        &self,
        raw: Vec<u8>,
        recipients: Vec<String>,
    ) -> std::result::Result<(), mail::smtp::NotTaken> {
        let incoming = Incoming {
            raw,
            recipients,
            verdict: None,
            raw_key: None,
        };
        match self.receive_mail(&incoming).await {
            Ok(received) => {
                tracing::info!(?received, "mail taken");
                Ok(())
            }
            Err(Error::Invalid(why)) => Err(mail::smtp::NotTaken::Refused(why)),
            Err(error) => {
                tracing::warn!(%error, "mail not stored now");
                Err(mail::smtp::NotTaken::Later(
                    "the desk cannot store mail now; try again later".into(),
                ))
            }
        }
    }
}

/// What events keep of an address: a hash, as for customers.
fn address_key(address: &str) -> String {
    let hash = blake3::derive_key("baton events mail address v1", address.as_bytes());
    hash[..8].iter().map(|b| format!("{b:02x}")).collect()
}
