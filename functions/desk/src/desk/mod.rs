//! The desk: what customers and operators can do, with the rules in one place.
//!
//! Customers start a conversation (and get a secret only they hold), send messages (sanitized and
//! masked, at most once per idempotency key) and read their conversation; the bot answers while
//! the conversation is the bot's. Hand-off creates the conversation's one case with everything an
//! operator needs; after that the bot is silent, but the desk still reads the customer's words: an
//! urgent message escalates the case (and alerts the team, once), and a message after resolution
//! reopens it. Operators list the queue, read a case with its transcript, bot attempts, notes and
//! (for verified customers) earlier cases, and claim, release, reply, note and resolve.
//!
//! Every action reads what it needs once, decides, and writes one [`Commit`]: a customer message
//! and the bot's reply, a hand-off's case, conversation and event, land together or not at all.
//! When another writer got there first (a stale version), the action reads again and decides again
//! ([`retrying!`]); when two operators claim at once, one commit wins and the other re-reads,
//! sees the holder and gets [`Error::Conflict`]. A resend with the same idempotency key finds the
//! stored message and returns it with the reply that was committed with it.
//!
//! The customers' actions are in `customers.rs` (the conversation), `messages.rs` (sending),
//! `turns.rs` (what follows a message) and `handoff.rs`; the operators' in `operators.rs`; what both use
//! (the `Desk`, the records they return, the retry and apply steps) is here.

use std::collections::BTreeMap;
use std::sync::Arc;

use kb::{KnowledgeBase, Lang};
use serde::{Deserialize, Serialize};

use crate::alerts::Alerter;
use crate::attachments::Blobs;
use crate::bot::Policy;
use crate::error::{Error, Result};
use crate::identity::Verifier;
use crate::model::{BotTurn, Case, Conversation, ConversationInfo, Message, Note};
use crate::presence::Presence;
use crate::store::{Commit, Committed, Store};
pub use search_log::SearchLog;

/// Longest message text accepted, in bytes (after sanitizing).
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// How many earlier cases a new case shows.
const HISTORY_CASES: usize = 10;
/// Attempts at an action whose commit lost a race (each re-reads and decides again).
pub(crate) const RETRIES: usize = 8;
/// Most metadata entries a conversation keeps, and their longest key and value in bytes.
const MAX_METADATA: (usize, usize, usize) = (20, 64, 512);
/// Longest reader search kept with article feedback, in characters.
const MAX_FEEDBACK_SEARCH_CHARS: usize = 200;
/// Longest customer name or contact, and the longest claimed id, in bytes.
const MAX_FIELD_BYTES: usize = 200;
/// Most cases one queue page holds.
pub const MAX_QUEUE_PAGE: usize = 200;
/// Most messages one conversation holds: past it the customer starts a new one. Every action
/// reads a conversation whole, and an operator must be able to open it.
pub const MAX_MESSAGES: usize = 500;

/// Runs an action's body again while its commit loses races to other writers (each run re-reads
/// and decides again). `return` in the body ends that run with its value.
macro_rules! retrying {
    ($what:expr, $body:block) => {{
        let mut attempts = 0;
        loop {
            attempts += 1;
            let outcome: $crate::Result<_> = async $body.await;
            match outcome {
                Err($crate::Error::Stale) if attempts < $crate::desk::RETRIES => continue,
                Err($crate::Error::Stale) => {
                    break Err($crate::Error::Conflict(format!(
                        "{} is changing too fast; try again",
                        $what
                    )));
                }
                other => break other,
            }
        }
    }};
}

// After the macro, so that all see it.
mod attachments;
pub use attachments::{Stored, Upload};
pub mod board;
pub use board::{BoardForm, BoardKey, Inquiry, InquirySummary, Session, Submitted};
pub use reports::{Schedule, Span, Tick};
mod continuity;
mod customers;
mod features;
pub use features::{FeatureList, FeatureView, Triage, Triaged};
mod feedback;
mod handoff;
mod mail;
pub use mail::{Incoming, Linked, MailSettings, Received};
mod messages;
mod operators;
pub mod organisations;
pub use organisations::{Member, OrganisationInput, OrganisationView, Space, ThreadView};
pub mod reminders;
mod reports;
mod search_log;
mod turns;

/// The desk's dependencies, built once per process (or per Lambda cold start).
#[derive(Clone)]
pub struct Desk {
    kb: Arc<KnowledgeBase>,
    store: Arc<dyn Store>,
    policy: Policy,
    pii: pii::Options,
    identity: Arc<Verifier>,
    alerts: Option<Alerter>,
    blobs: Option<Arc<dyn Blobs>>,
    hours: Option<Arc<crate::hours::Hours>>,
    timezone: time::UtcOffset,
    /// Where searches are recorded together under `baton serve` (alone when `None`).
    search_log: Option<SearchLog>,
    /// What as-you-type searches found lately, for recording the one a reader settles on.
    recent_searches: Arc<feedback::RecentSearches>,
    /// The last week whose summary this process knows was sent (so the scheduler reads the
    /// marker once a week, not every minute).
    sent_week: Arc<std::sync::Mutex<Option<String>>>,
    /// The sentence model, loaded once per process; `None` runs the bot on words alone.
    encoder: Option<Arc<encoder::Encoder>>,
    /// How mail is taken and sent; `None` without mail.
    mail: Option<Arc<MailSettings>>,
    /// What signs the inquiry board's form tokens.
    board_key: Arc<board::BoardKey>,
}

/// What a customer sends to start a conversation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Start {
    /// Who, as the customer says; verified only through `identity_token`.
    pub customer: Option<StartCustomer>,
    /// A JWT the host site signed for this customer (`docs/identity.md`).
    #[serde(default)]
    pub identity_token: Option<String>,
    /// `web`, `app` …
    #[serde(default)]
    pub channel: Option<String>,
    /// `ko` or `en`; detected from the first message when absent.
    #[serde(default)]
    pub locale: Option<Lang>,
    /// Page or app metadata.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// The customer part of [`Start`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartCustomer {
    /// The product's id for the customer, as they assert it (kept as unverified).
    pub id: Option<String>,
    /// E-mail or phone.
    pub contact: Option<String>,
    /// Display name.
    pub name: Option<String>,
}

/// A started conversation and the secret that guards it (shown once).
#[derive(Debug, Clone, Serialize)]
pub struct Started {
    /// The conversation.
    pub conversation: Conversation,
    /// The secret the customer presents to read or write it.
    pub secret: String,
}

/// The outcome of a customer message.
#[derive(Debug, Clone, Serialize)]
pub struct Posted {
    /// The stored customer message.
    pub message: Message,
    /// The bot's reply, if the bot spoke.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<Message>,
    /// The case, if the conversation is (now) with people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<Case>,
    /// True when this was a resend of an already stored message: nothing new happened.
    pub duplicate: bool,
}

/// A case with everything an operator needs before replying.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    /// The case.
    pub case: Case,
    /// Its conversation (without the secret's hash).
    pub conversation: ConversationInfo,
    /// Every message, in order.
    pub transcript: Vec<Message>,
    /// What the bot tried, in order (also on the bot messages of the transcript).
    pub attempts: Vec<BotTurn>,
    /// The team's notes.
    pub notes: Vec<Note>,
    /// The operators in the case right now (typing first).
    pub presence: Vec<Presence>,
    /// For a mail case: the customer the team mapped its address to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<crate::model::MailContact>,
    /// The organisation (business customer) of the case, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<OrgOnCase>,
}

/// The organisation of a case, as the team recorded it (name, plan, domains, operators), or only
/// its id when its people's tokens name it and the team has not recorded it yet.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum OrgOnCase {
    /// The team's record.
    Recorded(crate::model::Organisation),
    /// Not recorded yet.
    Unrecorded {
        /// The site's id for it.
        id: String,
    },
}

/// What the customer's widget shows about the people on a conversation: who joined, whether a
/// reply is being typed, when people are back if they are away, whether the resolution is rated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Attention {
    /// The operator holding the case: the person who joined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Whether someone is typing a reply right now.
    pub typing: bool,
    /// Outside business hours, while nobody has joined: true, with when people answer again.
    pub away: bool,
    /// When the next shift starts (with `away`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub back_at: Option<crate::model::Millis>,
    /// Once resolved: whether the customer rated it (the widget asks until they have).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rated: Option<bool>,
}

/// One page of the queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueuePage {
    /// Open and claimed cases, urgent first, then oldest.
    pub cases: Vec<Case>,
    /// The cursor of the next page, when there may be one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// What a conversation action read before deciding: read once, passed to every step.
struct Context {
    conversation: Conversation,
    messages: Vec<Message>,
}

/// A decided action: what to write, what to answer, and whom to alert once it is written.
struct Planned<T> {
    commit: Commit,
    result: T,
    alert: Option<Case>,
}

impl Planned<Posted> {
    /// A customer message that no one answers now: `commit` with the message added (and the
    /// conversation, when it changes), the case it went to, and whom to alert.
    fn unanswered(
        mut commit: Commit,
        conversation: Option<Conversation>,
        message: Message,
        case: Option<Case>,
        alert: Option<Case>,
    ) -> Planned<Posted> {
        commit.conversation = conversation;
        commit.messages = vec![message.clone()];
        Planned {
            commit,
            result: Posted {
                message,
                reply: None,
                case,
                duplicate: false,
            },
            alert,
        }
    }
}

impl Desk {
    /// A desk over an opened knowledge base and a store; no identity keys, no alerts.
    pub fn new(kb: Arc<KnowledgeBase>, store: Arc<dyn Store>) -> Desk {
        Desk {
            kb,
            store,
            policy: Policy::default(),
            pii: pii::Options::default(),
            identity: Arc::new(Verifier::default()),
            alerts: None,
            blobs: None,
            hours: None,
            timezone: time::UtcOffset::UTC,
            search_log: None,
            recent_searches: Arc::default(),
            sent_week: Arc::default(),
            encoder: None,
            mail: None,
            board_key: Arc::new(board::BoardKey::random()),
        }
    }

    /// This desk, reading messages' meaning with `encoder` (the index should carry section
    /// vectors from the same model; without them the model is not used).
    pub fn with_encoder(mut self, encoder: Arc<encoder::Encoder>) -> Desk {
        self.encoder = self.kb.has_vectors_of(&encoder).then_some(encoder);
        self
    }

    /// The sentence model, when this desk reads meaning.
    pub fn encoder(&self) -> Option<&Arc<encoder::Encoder>> {
        self.encoder.as_ref()
    }

    /// This desk, counting days and weeks of its reports in the team's `offset`.
    pub fn with_timezone(mut self, offset: time::UtcOffset) -> Desk {
        self.timezone = offset;
        self
    }

    /// This desk, masking with `options` (e-mail addresses too, when a team asks).
    pub fn with_pii(mut self, options: pii::Options) -> Desk {
        self.pii = options;
        self
    }

    /// This desk, verifying customer identity tokens with `verifier`.
    pub fn with_identity(mut self, verifier: Verifier) -> Desk {
        self.identity = Arc::new(verifier);
        self
    }

    /// This desk, alerting the team as it creates or escalates each urgent case (for `baton
    /// serve`; in AWS the `alerts` function does it from the table's stream).
    pub fn with_alerts(mut self, alerter: Alerter) -> Desk {
        self.alerts = Some(alerter);
        self
    }

    /// This desk, recording searches through `log` (group commit, for `baton serve`).
    pub fn with_search_log(mut self, log: SearchLog) -> Desk {
        self.search_log = Some(log);
        self
    }

    /// This desk, keeping customers' screenshots in `blobs`.
    pub fn with_blobs(mut self, blobs: Arc<dyn Blobs>) -> Desk {
        self.blobs = Some(blobs);
        self
    }

    /// This desk, telling customers when people answer outside `hours`.
    pub fn with_hours(mut self, hours: crate::hours::Hours) -> Desk {
        self.hours = Some(Arc::new(hours));
        self
    }

    /// The knowledge base.
    pub fn kb(&self) -> &Arc<KnowledgeBase> {
        &self.kb
    }

    /// Where attachments are kept, if anywhere.
    pub fn blobs_store(&self) -> Option<Arc<dyn Blobs>> {
        self.blobs.clone()
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Customer or operator text as it may be stored: sanitized, masked.
    fn mask(&self, text: &str) -> String {
        pii::mask(text, self.pii)
    }

    /// An optional short field (name, claimed id): masked, bounded, empty as none.
    fn field(&self, name: &str, value: Option<String>) -> Result<Option<String>> {
        bounded(name, value.map(|v| self.mask(v.trim())))
    }

    /// The customer's contact: masked like any field except for an e-mail address, which a reply
    /// by mail needs. Only operators read it (the case and its conversation); events name the
    /// customer by a hash, and alerts show it masked.
    fn contact(&self, name: &str, value: Option<String>) -> Result<Option<String>> {
        let options = pii::Options { email: false };
        bounded(name, value.map(|v| pii::mask(v.trim(), options)))
    }

    /// A title or name as stored: its words on one line, masked, 1–`max` characters (`what`
    /// names it in the refusal).
    fn one_line(&self, what: &str, text: &str, max: usize) -> Result<String> {
        let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            return Err(Error::Invalid(format!("{what} is empty")));
        }
        if line.chars().count() > max {
            return Err(Error::Invalid(format!(
                "{what} is longer than {max} characters"
            )));
        }
        Ok(self.mask(&line))
    }

    /// Page metadata as stored: bounded, masked.
    fn metadata(&self, given: BTreeMap<String, String>) -> Result<BTreeMap<String, String>> {
        let (most, key_bytes, value_bytes) = MAX_METADATA;
        if given.len() > most {
            return Err(Error::Invalid(format!(
                "metadata has more than {most} entries"
            )));
        }
        let mut metadata = BTreeMap::new();
        for (key, value) in given {
            let (key, value) = (self.mask(key.trim()), self.mask(&value));
            if key.is_empty() || key.len() > key_bytes || value.len() > value_bytes {
                return Err(Error::Invalid(format!(
                    "metadata keys are 1–{key_bytes} bytes and values at most {value_bytes}"
                )));
            }
            metadata.insert(key, value);
        }
        Ok(metadata)
    }

    /// Writes a planned action; alerts once it is written.
    async fn apply<T>(&self, planned: Planned<T>) -> Result<(Committed, T)> {
        let committed = self.store.commit(&planned.commit).await?;
        if committed == Committed::Done
            && let (Some(alerter), Some(case)) = (&self.alerts, &planned.alert)
        {
            alerter.notify(case);
        }
        Ok((committed, planned.result))
    }
}

/// A short field as stored: empty as none, at most [`MAX_FIELD_BYTES`].
fn bounded(name: &str, value: Option<String>) -> Result<Option<String>> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.len() > MAX_FIELD_BYTES {
        return Err(Error::Invalid(format!(
            "{name} is longer than {MAX_FIELD_BYTES} bytes"
        )));
    }
    Ok(Some(value))
}

fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() > chars {
        let mut short: String = text.chars().take(chars - 1).collect();
        short.push('…');
        short
    } else {
        text.to_string()
    }
}

/// The text beside an attachment: may be empty, not over the limit.
fn caption(text: &str) -> Result<String> {
    let text = text.trim();
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(Error::Invalid(format!(
            "text is longer than {MAX_MESSAGE_BYTES} bytes"
        )));
    }
    Ok(text.to_string())
}

/// Text as it may be stored: not empty, not over the limit (checked after masking and trimming).
fn validate(text: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::Invalid("text is empty".into()));
    }
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(Error::Invalid(format!(
            "text is longer than {MAX_MESSAGE_BYTES} bytes"
        )));
    }
    Ok(text.to_string())
}
