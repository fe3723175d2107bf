//! The desk's domain: conversations, messages, bot turns, cases, notes, and the events insights count.
//!
//! Every record carries a `version` that the store bumps on each write and checks on update:
//! that one rule makes claims atomic and hand-offs idempotent on SQLite and DynamoDB alike.

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

/// The person asking for help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Stable id from the product (account id, or an anonymous id from the widget).
    pub id: String,
    /// How to reach them (e-mail or phone), masked like all stored text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Who is handling a conversation now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationState {
    /// The bot answers.
    Bot,
    /// Handed off: a case is in the queue or with an operator; the bot is silent.
    Human,
    /// The case was resolved; a new customer message reopens it.
    Resolved,
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
    /// What the widget knows about the page or app screen (URL, app version, plan …).
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Hash of the conversation secret the customer holds (the secret itself is never stored).
    pub secret_hash: String,
    /// Bot, human or resolved.
    pub state: ConversationState,
    /// The case, once handed off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// Created.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
    /// Bumped by every write.
    pub version: u64,
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
    /// `msg_…`, sortable by time.
    pub id: String,
    /// The conversation.
    pub conversation_id: String,
    /// Who wrote it.
    pub author: Author,
    /// The text, PII-masked.
    pub text: String,
    /// Links and quick replies the customer can tap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Suggested replies (`해결됐어요`, `상담원 연결` …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quick_replies: Vec<String>,
    /// The bot's reasoning, on bot messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotTurn>,
    /// The client's key for this send; a resend with the same key is the same message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// When.
    pub created_at: Millis,
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

/// What the bot decided to do with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Answer from a guide.
    Answer,
    /// Offer two or three guides to choose from.
    Clarify,
    /// Hand off to a person.
    Handoff,
    /// The customer said it is solved: thank them.
    Acknowledge,
    /// Say nothing: a person has the conversation.
    Silent,
}

/// How soon a person must look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Money or access at stake, or the service is down: the whole team is alerted.
    Urgent,
    /// Everything else.
    Normal,
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
        /// `payment_failed`, `money_not_received`, `charged_twice`, `service_down`,
        /// `account_compromised`.
        kind: String,
    },
    /// No guide covers enough of the question.
    LowConfidence,
    /// The customer said the last answer did not help.
    NotHelpful,
    /// The customer asked the same thing again.
    Repeated,
}

/// The five kinds of inquiry that reports count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// How do I …
    HowTo,
    /// Something is broken or shows an error.
    BugError,
    /// Payments, refunds, settlements, transfers, the plan's invoice.
    BillingPayment,
    /// Login, verification, locked or compromised accounts.
    AccountAccess,
    /// Asking for something the product does not do.
    FeatureRequest,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 5] = [
        Category::HowTo,
        Category::BugError,
        Category::BillingPayment,
        Category::AccountAccess,
        Category::FeatureRequest,
    ];

    /// The code reports and the API use (`billing_payment`).
    pub fn code(self) -> &'static str {
        match self {
            Category::HowTo => "how_to",
            Category::BugError => "bug_error",
            Category::BillingPayment => "billing_payment",
            Category::AccountAccess => "account_access",
            Category::FeatureRequest => "feature_request",
        }
    }
}

/// The customer's verdict on a bot answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feedback {
    /// It solved it.
    Helpful,
    /// It did not.
    NotHelpful,
}

/// Feedback as events record it.
impl std::fmt::Display for Feedback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Feedback::Helpful => "helpful",
            Feedback::NotHelpful => "not_helpful",
        })
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
    /// 0–1: the best guide's coverage of the question.
    pub confidence: f32,
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

impl BotTurn {
    /// The turn of a hand-off the customer asked for, with nothing searched: a normal-priority
    /// how-to until the caller knows better.
    pub fn human_requested(query: String) -> BotTurn {
        BotTurn {
            query,
            decision: Decision::Handoff,
            confidence: 0.0,
            reasons: vec![Reason::HumanRequested],
            priority: Priority::Normal,
            category: Category::HowTo,
            area: None,
            hits: Vec::new(),
            cited: Vec::new(),
            feedback: None,
        }
    }
}

/// Where a case is in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Waiting for someone.
    Open,
    /// Someone holds it (see `assignee`).
    Claimed,
    /// Done.
    Resolved,
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
    /// The customer's earlier cases, newest first.
    #[serde(default)]
    pub history: Vec<CaseSummary>,
    /// Set when resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// How many times it was reopened.
    #[serde(default)]
    pub reopened: u32,
    /// Created.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
    /// Bumped by every write.
    pub version: u64,
}

impl Case {
    /// The case id for a conversation: deterministic, so a retried hand-off finds the same case.
    pub fn id_for(conversation_id: &str) -> String {
        format!("case_{}", conversation_id.trim_start_matches("cv_"))
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

/// Something that happened, counted by the weekly insights report (kept 400 days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// `ev_…`.
    pub id: String,
    /// `bot_turn`, `handoff`, `claim`, `resolve`, `reopen`, `feedback`.
    pub kind: String,
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
