//! E-mail's part of the records: the thread a mail conversation keeps, what a stored message
//! keeps of the mail it came in or left as, and the outgoing mail a send job works through.

use serde::{Deserialize, Serialize};

use super::Millis;

/// The channel of a conversation that came in by mail.
pub const MAIL_CHANNEL: &str = "mail";

/// Most Message-IDs a thread keeps for the `References` of Baton's next mail (the newest; mail
/// clients thread on the last few).
pub const MAX_REFERENCES: usize = 20;

wire_enum! {
    /// Why a mail was sent by a machine, which Baton never answers automatically.
    pub enum Automatic {
        /// `Auto-Submitted` other than `no` (an out-of-office reply, another help desk).
        AutoSubmitted = "auto_submitted",
        /// `Precedence: bulk`, `list` or `junk`.
        Precedence = "precedence",
        /// `X-Auto-Response-Suppress` (Exchange's "do not answer me automatically").
        SuppressAutoResponse = "suppress_auto_response",
        /// An empty return path (`<>`): a bounce or another automatic message.
        NullReturnPath = "null_return_path",
        /// From `mailer-daemon@` or `postmaster@`.
        DaemonSender = "daemon_sender",
        /// A delivery status report (`multipart/report`): a bounce.
        DeliveryReport = "delivery_report",
        /// A mailing list's message (`List-Id`).
        MailingList = "mailing_list",
    }
}

impl Verdict {
    /// Spam, a virus or a spoofed sender: kept for people, never threaded or answered.
    pub fn is_bad(self) -> bool {
        matches!(self, Verdict::Spam | Verdict::Virus | Verdict::Spoofed)
    }
}

impl Automatic {
    /// Whether this says a mail Baton sent did not arrive.
    pub fn is_bounce(self) -> bool {
        matches!(
            self,
            Automatic::DeliveryReport | Automatic::DaemonSender | Automatic::NullReturnPath
        )
    }
}

wire_enum! {
    /// What the receiving side (SES, or the team's MTA) judged of a mail.
    pub enum Verdict {
        /// Nothing against it, its sender not proved: what every mail that passed the checks
        /// was given before senders were proved (so a stored `pass` never counts as proof).
        Pass = "pass",
        /// Its sender is proved: DMARC passed for its From domain, or a DKIM signature of that
        /// domain (or a parent of it) verified, and it has one From address. Nothing else
        /// proves who sent a mail.
        Proved = "proved",
        /// Nothing against it, but nothing for its sender either: no DMARC pass and no aligned
        /// DKIM signature (a domain that publishes no policy, a forwarder). Kept and answered
        /// like any mail, shown as unverified, and never taken for a verified customer.
        Unverified = "unverified",
        /// Spam.
        Spam = "spam",
        /// A virus.
        Virus = "virus",
        /// Its sender's domain does not vouch for it (SPF, DKIM or DMARC failed).
        Spoofed = "spoofed",
    }
}

/// A conversation held by mail: where Baton's replies go and what the thread is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailThread {
    /// The customer's address, lowercased: where replies go (never masked, as a reply needs it;
    /// operators read it, events and alerts do not).
    pub address: String,
    /// The thread's subject without `Re:`/`Fwd:` prefixes, masked.
    pub subject: String,
    /// The Message-IDs of the thread, newest last, at most [`MAX_REFERENCES`]: Baton's next mail
    /// names them in `In-Reply-To` and `References`. Ids are opaque tokens, kept as sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The customer's latest Message-ID: what Baton's next mail answers (`In-Reply-To`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replying_to: Option<String>,
}

impl MailThread {
    /// Adds a Message-ID of the thread (once), forgetting the oldest beyond [`MAX_REFERENCES`].
    pub fn remember(&mut self, message_id: &str) {
        if message_id.is_empty() || self.references.iter().any(|r| r == message_id) {
            return;
        }
        self.references.push(message_id.to_string());
        let excess = self.references.len().saturating_sub(MAX_REFERENCES);
        self.references.drain(..excess);
    }
}

/// What a stored message keeps of the mail it came in as (or left as).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPart {
    /// The subject, masked.
    #[serde(default)]
    pub subject: String,
    /// The whole text as sent (masked), when the message's text is only part of it (the quoted
    /// history and signature cut, or a text longer than a message): operators can read the whole
    /// mail; the bot and the queue read only what is new.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub original: String,
    /// The body was HTML only (shown as text).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_html: bool,
    /// Set when a machine sent it: never answered automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic: Option<Automatic>,
    /// What the receiving side judged (absent: not checked, as for `baton mail-in`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Attachments beyond the limit or refused by the cleaning, counted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attachments_dropped: usize,
    /// The attachments not kept, named (masked), sized and why (at most
    /// [`MAX_NOT_KEPT_LISTED`]; the count above has them all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_kept: Vec<NotKept>,
    /// Where the raw message is kept for a while (an attachment-store key), to process again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// For a message Baton sends: its delivery. A bot reply without it was never sent (a mail
    /// is answered only when the bot is sure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// [`MailId::hash`] of its Message-ID: how a bounce finds the mail it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_hash: Option<String>,
    /// A hash of the body as it arrived: a second mail with this Message-ID is the same mail
    /// (delivered again) only when its body is this one, so a planted Message-ID swallows
    /// nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_hash: Option<String>,
    /// Set when the mail named another conversation but started this one, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<Split>,
}

/// Most attachments not kept that a message names.
pub const MAX_NOT_KEPT_LISTED: usize = 20;

wire_enum! {
    /// Why an attachment of a mail was not kept. Only images are kept, cleaned of their
    /// metadata, as a widget screenshot is: a document or an archive may carry macros, scripts
    /// or personal data no cleaning can vouch for.
    pub enum NotKeptWhy {
        /// Not an image (a PDF, a spreadsheet, an archive).
        NotAnImage = "not_an_image",
        /// An image the cleaning could not read, or over the size limit.
        Unreadable = "unreadable",
        /// Beyond the number of attachments read from one mail.
        OverLimit = "over_limit",
        /// No attachment store is set up.
        NoStore = "no_store",
    }
}

/// An attachment of a mail that was not kept: what the operator is told of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotKept {
    /// Its file name, masked.
    pub name: String,
    /// Its `type/subtype`.
    pub content_type: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Why it was not kept.
    pub why: NotKeptWhy,
}

wire_enum! {
    /// Why a mail that named a conversation started a new one instead.
    pub enum SplitWhy {
        /// Its sender is not the conversation's customer (a forward, a CC, a guessed address):
        /// nobody joins someone else's case by writing to it.
        NotParticipant = "not_participant",
        /// A new subject after the case was resolved: a new question, not the old one again.
        NewSubject = "new_subject",
        /// The receiving side judged it spam, a virus or spoofed: it never enters a thread.
        Quarantined = "quarantined",
        /// The conversation is a verified customer's and this mail's sender is not proved
        /// (no DMARC pass, no DKIM signature of its domain): nobody speaks as them unproved.
        Unverified = "unverified",
    }
}

/// The conversation a mail named, and why it did not join it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// The conversation named.
    pub from: String,
    /// Why not.
    pub why: SplitWhy,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

wire_enum! {
    /// Where an outgoing mail is.
    pub enum DeliveryState {
        /// Stored; the sender has not handed it to the relay yet (or will try again).
        Pending = "pending",
        /// The relay took it.
        Sent = "sent",
        /// The relay refused it for good, or every try failed, or it bounced.
        Failed = "failed",
    }
}

/// How a mail Baton sends is doing, as operators see it on the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Pending, sent or failed.
    pub state: DeliveryState,
    /// Why it failed, or the last try's error while it is still tried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

wire_enum! {
    /// What an outgoing mail carries.
    #[derive(Default)]
    pub enum MailPurpose {
        /// A message of its conversation (the bot's answer, a person's reply).
        #[default]
        Message = "message",
        /// A sign-in link to the inquiry board: no conversation, no thread; replies go to the
        /// support address itself.
        SignIn = "sign_in",
    }
}

/// A mail to send: stored in the same commit as the message it carries, then worked through by
/// the sender (tried again with backoff until it is sent or given up; a restart resumes it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutgoingMail {
    /// `out_…`.
    pub id: String,
    /// The conversation.
    pub conversation_id: String,
    /// The stored message it carries.
    pub message_id: String,
    /// The recipient's address.
    pub to: String,
    /// The recipient's display name (masked), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_name: Option<String>,
    /// The subject, `Re: …` with the thread's reference.
    pub subject: String,
    /// The body, as plain text.
    pub text: String,
    /// `In-Reply-To`: the customer's last Message-ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    /// `References`, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Sent by the bot or by Baton itself, not a person: marked `Auto-Submitted: auto-replied`.
    #[serde(default)]
    pub automatic: bool,
    /// A message of the conversation, or a sign-in link (no conversation, no message).
    #[serde(default)]
    pub purpose: MailPurpose,
    /// The Message-ID Baton gave it; the relay's own (SES rewrites it) replaces it once sent.
    pub mail_id: String,
    /// Pending, sent or failed.
    pub state: DeliveryState,
    /// Tries so far.
    #[serde(default)]
    pub attempts: u32,
    /// When the next try is due (pending only).
    pub next_at: Millis,
    /// The last error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Created.
    pub created_at: Millis,
    /// Bumped by every write.
    pub version: u64,
}

/// A Message-ID of a conversation, as the store finds threads by it: a keyed hash of the id
/// (so the store holds no address-shaped id), and the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailId {
    /// [`MailId::hash`] of the Message-ID.
    pub hash: String,
    /// The conversation it belongs to.
    pub conversation_id: String,
}

impl MailId {
    /// The Message-ID `id` of `conversation_id`.
    pub fn new(id: &str, conversation_id: &str) -> MailId {
        MailId {
            hash: MailId::hash(id),
            conversation_id: conversation_id.to_string(),
        }
    }

    /// What the store keeps of a Message-ID: a hash of it without its angle brackets, the case
    /// of its domain part ignored (RFC 5322 leaves the local part's case to the sender).
    pub fn hash(id: &str) -> String {
        let id = id.trim().trim_start_matches('<').trim_end_matches('>');
        let normalized = match id.rsplit_once('@') {
            Some((local, domain)) => format!("{local}@{}", domain.to_ascii_lowercase()),
            None => id.to_string(),
        };
        blake3::derive_key("baton 2026 mail message id", normalized.as_bytes())
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_hash_without_brackets_and_domain_case() {
        assert_eq!(
            MailId::hash("<a.b@Mail.Example.com>"),
            MailId::hash("a.b@mail.example.com")
        );
        assert_ne!(
            MailId::hash("A.b@example.com"),
            MailId::hash("a.b@example.com")
        );
        assert_eq!(MailId::hash("x").len(), 32);
    }

    #[test]
    fn a_thread_remembers_its_newest_ids_once() {
        let mut thread = MailThread {
            address: "a@example.com".into(),
            subject: "s".into(),
            references: Vec::new(),
            replying_to: None,
        };
        for i in 0..30 {
            thread.remember(&format!("m{i}@x"));
            thread.remember(&format!("m{i}@x"));
        }
        assert_eq!(thread.references.len(), MAX_REFERENCES);
        assert_eq!(thread.references.first().map(String::as_str), Some("m10@x"));
        assert_eq!(thread.references.last().map(String::as_str), Some("m29@x"));
    }
}

/// The team's word that mail from an address is a verified customer's (docs/identity.md): a
/// mail from it whose sender is proved ([`Verdict::Proved`]) starts a conversation as that
/// customer, and their earlier cases join it. The From address alone never does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailContact {
    /// The address, lowercased.
    pub address: String,
    /// The verified customer's id; `None` once the team took the mapping back (kept, so who
    /// changed it and when stays on record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// The operator who mapped it.
    pub by: String,
    /// When.
    pub at: Millis,
}

impl MailContact {
    /// What the store finds a mapping by: a hash of the lowercased address.
    pub fn key(address: &str) -> String {
        blake3::derive_key(
            "baton 2026 mail contact",
            address.trim().to_ascii_lowercase().as_bytes(),
        )
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
    }
}
