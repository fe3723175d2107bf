//! Customers, their conversations and the messages in them.

use std::collections::BTreeMap;

use kb::Lang;
use serde::{Deserialize, Serialize};

use super::{BotTurn, MailPart, MailThread, Millis};

/// The person asking for help.
///
/// Only a customer whose host site signed their identity ([`crate::identity`]) is `verified`: their
/// `id` is the site's own id for them, and their earlier cases are attached to new ones. Anyone
/// else gets a fresh anonymous id; an id they asserted themselves is kept as `claimed_id` for the
/// operator to read, and is never used to find anyone's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// The site's id for a verified customer; `anon_…` otherwise.
    pub id: String,
    /// Whether the host site signed this identity.
    #[serde(default)]
    pub verified: bool,
    /// The id an unverified customer said they have (masked), shown as unverified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_id: Option<String>,
    /// How to reach them (e-mail or phone), masked like all stored text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Display name (masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Customer {
    /// The id under which this customer's cases are linked as history: only a verified one.
    pub fn history_key(&self) -> Option<&str> {
        self.verified.then_some(self.id.as_str())
    }
}

wire_enum! {
    /// Who is handling a conversation now.
    pub enum ConversationState {
        /// The bot answers.
        Bot = "bot",
        /// Handed off: a case is in the queue or with an operator; the bot is silent.
        Human = "human",
        /// The case was resolved; a new customer message reopens it.
        Resolved = "resolved",
    }
}

/// A customer's conversation with the desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// `cv_…`.
    pub id: String,
    /// Who.
    pub customer: Customer,
    /// Where from: `web`, `app`, `cli`, …
    pub channel: String,
    /// The customer's language.
    pub locale: Lang,
    /// What the widget knows about the page or app screen (URL, app version, plan …), masked.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Hash of the conversation secret the customer holds (the secret itself is never stored).
    /// Never shown: operators read [`ConversationInfo`].
    pub secret_hash: String,
    /// Hashes of the secrets of a verified customer's other devices, newest last (the
    /// conversation was resumed there from their signed identity).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_secret_hashes: Vec<String>,
    /// Bot, human or resolved.
    pub state: ConversationState,
    /// The case, once handed off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// A conversation by mail: the address replies go to, the subject, the thread's ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<MailThread>,
    /// The organisation (business customer) it belongs to: its member's, or a thread of its
    /// standing line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Created.
    pub created_at: Millis,
    /// Last change (every customer message touches it).
    pub updated_at: Millis,
    /// Bumped by every write.
    pub version: u64,
}

/// A conversation as operators see it: everything but the secret's hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversationInfo {
    /// `cv_…`.
    pub id: String,
    /// Who.
    pub customer: Customer,
    /// Where from.
    pub channel: String,
    /// Language.
    pub locale: Lang,
    /// Page or app metadata.
    pub metadata: BTreeMap<String, String>,
    /// Bot, human or resolved.
    pub state: ConversationState,
    /// The case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// A conversation by mail: the address replies go to and the subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<MailThread>,
    /// The organisation it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Created.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
}

impl From<&Conversation> for ConversationInfo {
    fn from(c: &Conversation) -> ConversationInfo {
        ConversationInfo {
            id: c.id.clone(),
            customer: c.customer.clone(),
            channel: c.channel.clone(),
            locale: c.locale,
            metadata: c.metadata.clone(),
            state: c.state,
            case_id: c.case_id.clone(),
            mail: c.mail.clone(),
            organisation: c.organisation.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Author {
    /// The customer.
    Customer,
    /// The support bot.
    Bot,
    /// A person on the team.
    Operator {
        /// The operator's name.
        name: String,
    },
}

/// One message of a conversation, as the customer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// `msg_…`, sortable by time; a bot reply is its question's id with [`Message::REPLY`].
    pub id: String,
    /// The conversation.
    pub conversation_id: String,
    /// Who wrote it.
    pub author: Author,
    /// The text, sanitized and PII-masked.
    pub text: String,
    /// Links and quick replies the customer can tap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Suggested replies (`해결됐어요`, `상담원 연결` …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quick_replies: Vec<String>,
    /// Screenshots the customer attached (cleaned; the bytes are in the attachment store).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::attachments::Attachment>,
    /// The bot's reasoning, on bot messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotTurn>,
    /// Hash of the client's idempotency key for this send (the key itself is never stored): a
    /// resend with the same key is the same message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_hash: Option<String>,
    /// The mail it came in or left as, on a conversation by mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<MailPart>,
    /// On a standing line, which of the organisation's people wrote it (their name, else their
    /// id): several of them write in one thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// When.
    pub created_at: Millis,
}

impl Message {
    /// What a bot reply's id adds to the id of the message it answers. The reply sorts right
    /// after its question, and a resend finds it without a scan for "the next bot message".
    pub const REPLY: &'static str = ".reply";

    /// What is stored of a client's idempotency key: a hash bound to the conversation, so the key
    /// itself (which a client may have built from anything) never reaches the store.
    pub fn key_hash(conversation_id: &str, key: &str) -> String {
        keyed_hash("baton 2026 customer idempotency key", conversation_id, key)
    }

    /// [`Message::key_hash`] of an operator's send: another derivation, so no key a customer
    /// chooses can stand for an operator's.
    pub fn operator_key_hash(conversation_id: &str, key: &str) -> String {
        keyed_hash("baton 2026 operator idempotency key", conversation_id, key)
    }

    /// A new message of `author` in a conversation, now-ish (`at`), with nothing else on it.
    pub fn new(conversation_id: &str, author: Author, text: String, at: Millis) -> Message {
        Message {
            id: super::new_id("msg"),
            conversation_id: conversation_id.to_string(),
            author,
            text,
            links: Vec::new(),
            quick_replies: Vec::new(),
            attachments: Vec::new(),
            bot: None,
            key_hash: None,
            mail: None,
            member: None,
            created_at: at,
        }
    }

    /// The id of the bot's reply to this message.
    pub fn reply_id(&self) -> String {
        format!("{}{}", self.id, Message::REPLY)
    }
}

fn keyed_hash(context: &str, conversation_id: &str, key: &str) -> String {
    let mut hasher = blake3::Hasher::new_derive_key(context);
    hasher.update(conversation_id.as_bytes());
    hasher.update(&[0]);
    hasher.update(key.as_bytes());
    hasher.finalize().to_hex().to_string()
}

/// A link to a guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Guide id.
    pub guide: String,
    /// Section anchor, empty for the whole guide.
    #[serde(default)]
    pub anchor: String,
    /// Title to show.
    pub title: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_customer_key_stands_for_an_operator_key() {
        let c = "cv_01JAAAAAAAAAAAAAAAAAAAAAAA";
        assert_ne!(
            Message::key_hash(c, "operator:k1"),
            Message::operator_key_hash(c, "k1")
        );
        assert_ne!(
            Message::key_hash(c, "k1"),
            Message::operator_key_hash(c, "k1")
        );
        assert_ne!(
            Message::key_hash(c, "k1"),
            Message::key_hash("cv_other", "k1")
        );
    }
}
