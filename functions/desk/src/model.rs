//! The desk's domain: conversations, messages, bot turns, cases, notes, and the events insights count.
//!
//! Every record carries a `version` that the store bumps on each write and checks on update:
//! that one rule makes claims atomic and hand-offs idempotent on SQLite and DynamoDB alike.
//!
//! Every word that crosses a module or the wire (states, decisions, kinds, codes) is a type here
//! with one spelling, declared once by [`wire_enum!`]: serde, the stores' columns, the CLI and the
//! reports all read that spelling from [`code`](Category::code).

use std::collections::BTreeMap;

use kb::Lang;
use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// The current time in milliseconds.
pub fn now() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

/// A new id with a prefix (`msg_01J…`). Ids from one process sort in creation order, even
/// within a millisecond, so a conversation's messages sort by id.
pub fn new_id(prefix: &str) -> String {
    static GENERATOR: std::sync::Mutex<Option<ulid::Generator>> = std::sync::Mutex::new(None);
    let mut generator = GENERATOR
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let id = generator
        .get_or_insert_with(ulid::Generator::new)
        .generate()
        .unwrap_or_else(|_| ulid::Ulid::generate());
    format!("{prefix}_{id}")
}

/// Whether `id` is `{prefix}_` followed by a ULID (26 Crockford base-32 characters): what path
/// ids must look like before they reach a store.
pub fn is_id(prefix: &str, id: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|ulid| ulid::Ulid::from_string(ulid).is_ok() && ulid.len() == 26)
}

/// An enum whose values have one wire name each: serde, `code()`, `parse()` and `Display` all use
/// it, so no module spells a state or a kind by hand.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// The value of a wire name.
            pub fn parse(code: &str) -> Option<$name> {
                match code { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(code: &str) -> Result<$name, String> {
                $name::parse(code).ok_or_else(|| {
                    let codes: Vec<&str> = $name::ALL.iter().map(|v| v.code()).collect();
                    format!("unknown {} \"{code}\" (one of {})", stringify!($name).to_lowercase(), codes.join(", "))
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                code.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use wire_enum;

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

wire_enum! {
    /// What the bot decided to do with a message.
    pub enum Decision {
        /// Answer from a guide.
        Answer = "answer",
        /// Offer two or three guides to choose from.
        Clarify = "clarify",
        /// Hand off to a person.
        Handoff = "handoff",
        /// The customer said it is solved: thank them.
        Acknowledge = "acknowledge",
        /// Say nothing: a person has the conversation.
        Silent = "silent",
    }
}

wire_enum! {
    /// How soon a person must look.
    pub enum Priority {
        /// Money or access at stake, or the service is down: the whole team is alerted.
        Urgent = "urgent",
        /// Everything else.
        Normal = "normal",
    }
}

wire_enum! {
    /// Situations where money, access or availability is at stake: the whole team is alerted.
    pub enum UrgentKind {
        /// A payment did not go through.
        PaymentFailed = "payment_failed",
        /// Money was sent but did not arrive (a transfer, a settlement).
        MoneyNotReceived = "money_not_received",
        /// Charged more than once for one thing.
        ChargedTwice = "charged_twice",
        /// The site, store or app is down.
        ServiceDown = "service_down",
        /// Someone else is in the customer's account.
        AccountCompromised = "account_compromised",
    }
}

impl UrgentKind {
    /// The words a Korean team reads at a glance in an alert.
    pub fn label(self) -> &'static str {
        match self {
            UrgentKind::PaymentFailed => "결제 실패 / payment failed",
            UrgentKind::MoneyNotReceived => "입금 안 됨 / money not received",
            UrgentKind::ChargedTwice => "이중 결제 / charged twice",
            UrgentKind::ServiceDown => "서비스 장애 / service down",
            UrgentKind::AccountCompromised => "계정 도용 의심 / account compromised",
        }
    }

    /// The kind of inquiry this is.
    pub fn category(self) -> Category {
        match self {
            UrgentKind::PaymentFailed | UrgentKind::MoneyNotReceived | UrgentKind::ChargedTwice => {
                Category::BillingPayment
            }
            UrgentKind::AccountCompromised => Category::AccountAccess,
            UrgentKind::ServiceDown => Category::BugError,
        }
    }
}

/// Why the bot decided as it did, as stable codes (with a detail where useful).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The best guide covers the question well.
    Confident,
    /// The best guides are from different areas with close scores.
    Ambiguous {
        /// The areas in play.
        areas: Vec<String>,
    },
    /// The customer asked for a person.
    HumanRequested,
    /// Money, access or availability at stake.
    Urgent {
        /// Which situation.
        kind: UrgentKind,
    },
    /// No guide is likely enough to answer the question.
    LowConfidence,
    /// The best guide may answer, but not surely enough to answer from it alone: the bot offers
    /// the best two or three.
    Unsure,
    /// A short follow-up, searched with the previous question's topic.
    FollowUp {
        /// The earlier question whose topic was carried over.
        topic: String,
    },
    /// The customer said the last answer did not help.
    NotHelpful,
    /// The customer asked the same thing again.
    Repeated,
}

/// The stable code of a reason, as events and reports record it (`urgent:money_not_received`).
impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Confident => f.write_str("confident"),
            Reason::Ambiguous { .. } => f.write_str("ambiguous"),
            Reason::HumanRequested => f.write_str("human_requested"),
            Reason::Urgent { kind } => write!(f, "urgent:{kind}"),
            Reason::LowConfidence => f.write_str("low_confidence"),
            Reason::NotHelpful => f.write_str("not_helpful"),
            Reason::Repeated => f.write_str("repeated"),
            Reason::Unsure => f.write_str("unsure"),
            Reason::FollowUp { .. } => f.write_str("follow_up"),
        }
    }
}

wire_enum! {
    /// The five kinds of inquiry that reports count.
    pub enum Category {
        /// How do I …
        HowTo = "how_to",
        /// Something is broken or shows an error.
        BugError = "bug_error",
        /// Payments, refunds, settlements, transfers, the plan's invoice.
        BillingPayment = "billing_payment",
        /// Login, verification, locked or compromised accounts.
        AccountAccess = "account_access",
        /// Asking for something the product does not do.
        FeatureRequest = "feature_request",
    }
}

wire_enum! {
    /// The customer's verdict on a bot answer.
    pub enum Feedback {
        /// It solved it.
        Helpful = "helpful",
        /// It did not.
        NotHelpful = "not_helpful",
    }
}

/// One guide the search returned for a bot turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// Guide id.
    pub guide: String,
    /// Title.
    pub title: String,
    /// Product area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Best section's anchor.
    #[serde(default)]
    pub anchor: String,
    /// Search score.
    pub score: f32,
    /// Share of the question the guide covers.
    pub coverage: f32,
}

/// Everything the bot considered and decided for one customer message: kept on the bot's message
/// so the operator sees exactly what was tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotTurn {
    /// The customer's words searched (masked).
    pub query: String,
    /// What it did.
    pub decision: Decision,
    /// 0–1: the probability that the best guide answers the question ([`kb::confidence`]).
    pub confidence: f32,
    /// What the probability was computed from, and the signals that pulled it most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// Why.
    pub reasons: Vec<Reason>,
    /// Urgent or normal.
    pub priority: Priority,
    /// Kind of inquiry.
    pub category: Category,
    /// Product area of the best guide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Top search results.
    pub hits: Vec<Attempt>,
    /// Guides shown to the customer.
    pub cited: Vec<String>,
    /// The customer's verdict, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Feedback>,
}

/// Why the bot was as sure as it was: the search's signals about its best guide and each one's
/// pull on the probability (log-odds, largest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The signals.
    pub signals: kb::confidence::Signals,
    /// The three signals that moved the probability most, with their pull.
    pub drivers: Vec<(String, f32)>,
}

impl BotTurn {
    /// The turn of a hand-off the customer asked for, with nothing searched: a normal-priority
    /// how-to until the caller knows better.
    pub fn human_requested(query: String) -> BotTurn {
        BotTurn {
            query,
            decision: Decision::Handoff,
            confidence: 0.0,
            evidence: None,
            reasons: vec![Reason::HumanRequested],
            priority: Priority::Normal,
            category: Category::HowTo,
            area: None,
            hits: Vec::new(),
            cited: Vec::new(),
            feedback: None,
        }
    }

    /// The reason a hand-off is for: the first one that is not about answering.
    pub fn handoff_reason(&self) -> Reason {
        self.reasons
            .iter()
            .find(|r| {
                !matches!(
                    r,
                    Reason::Confident
                        | Reason::Ambiguous { .. }
                        | Reason::Unsure
                        | Reason::FollowUp { .. }
                )
            })
            .cloned()
            .unwrap_or(Reason::HumanRequested)
    }
}

wire_enum! {
    /// Where a case is in the queue.
    pub enum CaseStatus {
        /// Waiting for someone.
        Open = "open",
        /// Someone holds it (see `assignee`).
        Claimed = "claimed",
        /// Done.
        Resolved = "resolved",
    }
}

/// A customer's earlier case, summarized for whoever picks up a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// Case id.
    pub id: String,
    /// When it was opened.
    pub created_at: Millis,
    /// Status now.
    pub status: CaseStatus,
    /// Kind.
    pub category: Category,
    /// Area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// What the customer asked.
    pub summary: String,
    /// How it was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    /// Who resolved it.
    pub by: String,
    /// What was done (masked).
    pub note: String,
    /// The category the operator confirmed.
    pub category: Category,
    /// What would have prevented it: a guide to write, or a product fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<String>,
    /// When.
    pub at: Millis,
}

/// The customer's verdict on how a resolved case went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// 1 (bad) to 5 (great).
    pub score: u8,
    /// What they added (masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When.
    pub at: Millis,
}

/// A case raised to urgent by a customer message after hand-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Escalation {
    /// What the message said is at stake.
    pub kind: UrgentKind,
    /// The message.
    pub message_id: String,
    /// What it said (masked, shortened): the words the team is alerted with.
    #[serde(default)]
    pub text: String,
    /// When.
    pub at: Millis,
}

/// A conversation handed to people: one per conversation, reopened rather than duplicated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// `case_…`, derived from the conversation id so that creating it twice is the same case.
    pub id: String,
    /// The conversation (transcript and bot attempts live there).
    pub conversation_id: String,
    /// Who.
    pub customer: Customer,
    /// Open, claimed or resolved.
    pub status: CaseStatus,
    /// Urgent cases come first.
    pub priority: Priority,
    /// Kind of inquiry.
    pub category: Category,
    /// Product area (a guide `area`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Why the bot handed off.
    pub reason: Reason,
    /// Set when a later message made the case urgent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalation>,
    /// What the customer asked, in their words (masked, shortened).
    pub summary: String,
    /// Who holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Channel of the conversation.
    pub channel: String,
    /// Customer's language.
    pub locale: Lang,
    /// Page/app metadata the widget sent.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// The customer's earlier cases, newest first (verified customers only).
    #[serde(default)]
    pub history: Vec<CaseSummary>,
    /// Set when resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// The customer's rating of the last resolution (cleared when the case reopens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// How many times it was reopened.
    #[serde(default)]
    pub reopened: u32,
    /// Reminders sent in its current unclaimed urgent wait (`desk::reminders`).
    #[serde(default)]
    pub reminded: u32,
    /// When its current unclaimed wait began, if later than becoming urgent (a release, a
    /// reopening): reminders count from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remind_from: Option<Millis>,
    /// Created.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
    /// Bumped by every write.
    pub version: u64,
}

impl Case {
    /// Starts a new unclaimed wait at `at`: reminders count from here again.
    pub fn wait_again(&mut self, at: Millis) {
        self.reminded = 0;
        self.remind_from = Some(at);
    }

    /// The case id for a conversation: deterministic, so a retried hand-off finds the same case.
    pub fn id_for(conversation_id: &str) -> String {
        format!("case_{}", conversation_id.trim_start_matches("cv_"))
    }

    /// What is at stake, when the case is urgent: the hand-off's kind, else the escalation's.
    pub fn urgent_kind(&self) -> Option<UrgentKind> {
        if self.priority != Priority::Urgent {
            return None;
        }
        match &self.reason {
            Reason::Urgent { kind } => Some(*kind),
            _ => self.escalation.as_ref().map(|e| e.kind),
        }
    }

    /// Where the case sorts in the queue (urgent first, then oldest), as both stores key it;
    /// also the queue's paging cursor.
    pub fn queue_key(&self) -> String {
        let rank = match self.priority {
            Priority::Urgent => 0,
            Priority::Normal => 1,
        };
        format!("{rank}#{:013}#{}", self.created_at, self.id)
    }

    /// This case summarized as history for a later case.
    pub fn summarize(&self) -> CaseSummary {
        CaseSummary {
            id: self.id.clone(),
            created_at: self.created_at,
            status: self.status,
            category: self.category,
            area: self.area.clone(),
            summary: self.summary.clone(),
            resolution: self.resolution.as_ref().map(|r| r.note.clone()),
        }
    }
}

/// An operator's note on a case: seen by the team, never by the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// `note_…`.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// Who wrote it.
    pub author: String,
    /// The text (masked).
    pub text: String,
    /// When.
    pub created_at: Millis,
}

wire_enum! {
    /// What an [`Event`] records.
    pub enum EventKind {
        /// The bot decided on a customer message.
        BotTurn = "bot_turn",
        /// The customer judged a bot answer.
        Feedback = "feedback",
        /// A conversation went to people.
        Handoff = "handoff",
        /// A later message made a case urgent.
        Escalate = "escalate",
        /// An operator took a case.
        Claim = "claim",
        /// An operator gave a case back.
        Release = "release",
        /// An operator answered the customer.
        Reply = "reply",
        /// A case was resolved.
        Resolve = "resolve",
        /// A resolved case came back.
        Reopen = "reopen",
        /// A reader answered "was this helpful?" under a help center article (no conversation).
        ArticleFeedback = "article_feedback",
        /// The customer rated a resolved case (1–5).
        Rating = "rating",
        /// A search settled (the reader's words, masked, and what it found): one with no hits is
        /// a guide to write.
        Search = "search",
        /// A conversation's first customer message: its channel, language and customer.
        Open = "open",
        /// A week's summary went to the team's chat (so it goes once).
        ReportSent = "report_sent",
    }
}

/// Something that happened, counted by the weekly insights report (kept [`crate::events::DEFAULT_KEEP_DAYS`]
/// unless the team sets otherwise); what `data` holds per kind is in [`crate::events`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// `ev_…`.
    pub id: String,
    /// What happened.
    pub kind: EventKind,
    /// When.
    pub at: Millis,
    /// The conversation.
    pub conversation_id: String,
    /// Kind of inquiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// Product area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Extra facts (decision, reason code, guide id …).
    #[serde(default)]
    pub data: BTreeMap<String, String>,
}

impl Event {
    /// A new event about a conversation, now.
    pub fn new<const N: usize>(
        kind: EventKind,
        conversation_id: &str,
        category: Option<Category>,
        area: Option<String>,
        data: [(&str, String); N],
    ) -> Event {
        Event {
            id: new_id("ev"),
            kind,
            at: now(),
            conversation_id: conversation_id.to_string(),
            category,
            area,
            data: data.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }
    }

    /// A new event about a case, now.
    pub fn about<const N: usize>(kind: EventKind, case: &Case, data: [(&str, String); N]) -> Event {
        Event::new(
            kind,
            &case.conversation_id,
            Some(case.category),
            case.area.clone(),
            data,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde_and_parse() {
        for kind in UrgentKind::ALL {
            let json = serde_json::to_string(kind).expect("serialize");
            assert_eq!(json, format!("\"{}\"", kind.code()));
            assert_eq!(serde_json::from_str::<UrgentKind>(&json).ok(), Some(*kind));
        }
        assert_eq!(
            Category::parse("billing_payment"),
            Some(Category::BillingPayment)
        );
        assert!(
            "nope"
                .parse::<Category>()
                .is_err_and(|e| e.contains("how_to"))
        );
        let reason = Reason::Urgent {
            kind: UrgentKind::ServiceDown,
        };
        assert_eq!(reason.to_string(), "urgent:service_down");
        assert_eq!(
            serde_json::to_value(&reason).expect("json"),
            serde_json::json!({"code": "urgent", "kind": "service_down"})
        );
    }

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

    #[test]
    fn ids_are_checked_by_prefix_and_shape() {
        let id = new_id("cv");
        assert!(is_id("cv", &id));
        assert!(!is_id("case", &id));
        assert!(!is_id("cv", "cv_../../etc"));
        assert!(!is_id("cv", "cv_"));
        assert!(!is_id("cv", &format!("{id}x")));
    }
}
