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

use std::collections::BTreeMap;
use std::sync::Arc;

use kb::{KnowledgeBase, Lang};
use serde::{Deserialize, Serialize};

use crate::alerts::{self, Alerter};
use crate::bot::{self, Policy};
use crate::error::{Error, Result};
use crate::identity::{Identity, Verifier};
use crate::model::{
    Author, BotTurn, Case, CaseStatus, CaseSummary, Category, Conversation, ConversationInfo,
    ConversationState, Customer, Decision, Escalation, Event, EventKind, Message, Note, Priority,
    Resolution, new_id, now,
};
use crate::pii;
use crate::store::{CaseWrite, Commit, Committed, Store};

/// Longest message text accepted, in bytes (after sanitizing).
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// How many earlier cases a new case shows.
const HISTORY_CASES: usize = 10;
/// Attempts at an action whose commit lost a race (each re-reads and decides again).
const RETRIES: usize = 8;
/// Most metadata entries a conversation keeps, and their longest key and value in bytes.
const MAX_METADATA: (usize, usize, usize) = (20, 64, 512);
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
            let outcome: Result<_> = async $body.await;
            match outcome {
                Err(Error::Stale) if attempts < RETRIES => continue,
                Err(Error::Stale) => {
                    break Err(Error::Conflict(format!(
                        "{} is changing too fast; try again",
                        $what
                    )));
                }
                other => break other,
            }
        }
    }};
}

/// The desk's dependencies, built once per process (or per Lambda cold start).
#[derive(Clone)]
pub struct Desk {
    kb: Arc<KnowledgeBase>,
    store: Arc<dyn Store>,
    policy: Policy,
    pii: pii::Options,
    identity: Arc<Verifier>,
    alerts: Option<Alerter>,
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
        }
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

    /// The knowledge base.
    pub fn kb(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Customer or operator text as it may be stored: sanitized, masked.
    fn mask(&self, text: &str) -> String {
        pii::mask(text, self.pii)
    }

    /// An optional short field (name, contact, claimed id): masked, bounded, empty as none.
    fn field(&self, name: &str, value: Option<String>) -> Result<Option<String>> {
        let Some(value) = value.map(|v| self.mask(v.trim())).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        if value.len() > MAX_FIELD_BYTES {
            return Err(Error::Invalid(format!(
                "{name} is longer than {MAX_FIELD_BYTES} bytes"
            )));
        }
        Ok(Some(value))
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

    /// Starts a conversation. A valid `identity_token` makes the customer verified; an invalid one
    /// is refused rather than quietly ignored.
    pub async fn start(&self, start: Start) -> Result<Started> {
        let asserted = start.customer.unwrap_or_default();
        let identity: Option<Identity> = start
            .identity_token
            .as_deref()
            .map(|token| self.identity.verify(token))
            .transpose()?;
        let name = self.field("customer.name", asserted.name)?;
        let contact = self.field("customer.contact", asserted.contact)?;
        let claimed = self.field("customer.id", asserted.id)?;
        let customer = match identity {
            // A verified customer is who the site signed, name and contact included: what the
            // browser adds would sit under the verified badge.
            Some(identity) => Customer {
                id: identity.id,
                verified: true,
                claimed_id: None,
                contact: self.field("identity contact", identity.contact)?,
                name: self.field("identity name", identity.name)?,
            },
            None => Customer {
                id: new_id("anon"),
                verified: false,
                claimed_id: claimed,
                contact,
                name,
            },
        };
        let channel = start.channel.unwrap_or_else(|| "web".into());
        if channel.is_empty()
            || channel.len() > 32
            || !channel
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::Invalid(
                "channel is 1–32 letters, digits, - or _".into(),
            ));
        }
        let (most, key_bytes, value_bytes) = MAX_METADATA;
        if start.metadata.len() > most {
            return Err(Error::Invalid(format!(
                "metadata has more than {most} entries"
            )));
        }
        let mut metadata = BTreeMap::new();
        for (key, value) in start.metadata {
            let (key, value) = (self.mask(key.trim()), self.mask(&value));
            if key.is_empty() || key.len() > key_bytes || value.len() > value_bytes {
                return Err(Error::Invalid(format!(
                    "metadata keys are 1–{key_bytes} bytes and values at most {value_bytes}"
                )));
            }
            metadata.insert(key, value);
        }
        let secret = secret()?;
        let at = now();
        let conversation = Conversation {
            id: new_id("cv"),
            customer,
            channel,
            locale: start.locale.unwrap_or(Lang::Ko),
            metadata,
            secret_hash: hash(&secret),
            state: ConversationState::Bot,
            case_id: None,
            created_at: at,
            updated_at: at,
            version: 0,
        };
        self.store.insert_conversation(&conversation).await?;
        Ok(Started {
            conversation,
            secret,
        })
    }

    /// A conversation, if `secret` is its secret. A wrong secret reads as "not found", so a
    /// conversation's existence is not revealed to someone who does not hold it.
    pub async fn conversation(&self, id: &str, secret: &str) -> Result<Conversation> {
        let not_found = || Error::NotFound {
            what: "conversation",
            id: id.to_string(),
        };
        if !crate::model::is_id("cv", id) {
            return Err(Error::Invalid("malformed conversation id".into()));
        }
        match self.store.conversation(id).await? {
            Some(c) if constant_time_eq(&c.secret_hash, &hash(secret)) => Ok(c),
            _ => Err(not_found()),
        }
    }

    /// A conversation and its messages, for the customer.
    pub async fn transcript(&self, id: &str, secret: &str) -> Result<(Conversation, Vec<Message>)> {
        let conversation = self.conversation(id, secret).await?;
        let messages = self.store.messages(id).await?;
        Ok((conversation, messages))
    }

    /// A customer message: stored (sanitized, masked, once per key) together with what follows
    /// from it: the bot's reply (and a hand-off) while the bot has the conversation, otherwise an
    /// escalation or a reopened case.
    pub async fn post(
        &self,
        id: &str,
        secret: &str,
        text: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Posted> {
        let text = validate(&self.mask(text))?;
        let key_hash = idempotency_key.map(|key| Message::key_hash(id, key));
        retrying!("the conversation", {
            let conversation = self.conversation(id, secret).await?;
            let messages = self.store.messages(id).await?;
            let duplicate = key_hash
                .as_ref()
                .is_some_and(|hash| messages.iter().any(|m| m.key_hash.as_ref() == Some(hash)));
            if !duplicate && messages.len() >= MAX_MESSAGES {
                return Err(Error::Conflict(format!(
                    "this conversation has {MAX_MESSAGES} messages; start a new one"
                )));
            }
            if let Some(hash) = &key_hash
                && let Some(first) = messages.iter().find(|m| m.key_hash.as_ref() == Some(hash))
            {
                let first = first.clone();
                let unanswered = conversation.state == ConversationState::Bot
                    && first.author == Author::Customer
                    && !messages.iter().any(|m| m.id == first.reply_id());
                if !unanswered {
                    return self.replay(&conversation, &messages, first).await;
                }
                // A message stored without its reply (a version of Baton that wrote them apart
                // lost the second write): the stored message is the intent, so finish its turn.
                let history = messages
                    .iter()
                    .take_while(|m| m.id != first.id)
                    .cloned()
                    .collect();
                let context = Context {
                    conversation,
                    messages: history,
                };
                let mut planned = self.bot_turn(&context, first.clone()).await?;
                planned.commit.messages.retain(|m| m.id != first.id);
                let (_, mut posted) = self.apply(planned).await?;
                posted.duplicate = true;
                return Ok(posted);
            }
            let message = Message {
                id: new_id("msg"),
                conversation_id: id.to_string(),
                author: Author::Customer,
                text: text.clone(),
                links: Vec::new(),
                quick_replies: Vec::new(),
                bot: None,
                key_hash: key_hash.clone(),
                created_at: now(),
            };
            let context = Context {
                conversation,
                messages,
            };
            let planned = match context.conversation.state {
                ConversationState::Bot => self.bot_turn(&context, message).await?,
                ConversationState::Human | ConversationState::Resolved => {
                    self.to_people(&context, message).await?
                }
            };
            match self.apply(planned).await? {
                (Committed::Done, posted) => Ok(posted),
                // The same send won a race with this one: answer what it stored.
                (Committed::Duplicate(first), _) => {
                    let conversation = self.conversation(id, secret).await?;
                    let messages = self.store.messages(id).await?;
                    self.replay(&conversation, &messages, *first).await
                }
            }
        })
    }

    /// A resend: the stored message and the reply committed with it; nothing is done again.
    async fn replay(
        &self,
        conversation: &Conversation,
        messages: &[Message],
        message: Message,
    ) -> Result<Posted> {
        let reply_id = message.reply_id();
        let reply = messages.iter().find(|m| m.id == reply_id).cloned();
        let case = match &conversation.case_id {
            Some(case_id) => self.store.case(case_id).await?,
            None => None,
        };
        Ok(Posted {
            message,
            reply,
            case,
            duplicate: true,
        })
    }

    /// The bot's turn on a customer message: its reply, the verdict on its previous answer, and a
    /// hand-off when it decides one, in one commit.
    async fn bot_turn(&self, context: &Context, message: Message) -> Result<Planned<Posted>> {
        let mut conversation = context.conversation.clone();
        let history = &context.messages;
        // The first message tells the language better than the widget's default.
        if !history.iter().any(|m| m.author == Author::Customer) {
            conversation.locale = Lang::detect(&pii::without_masks(&message.text));
        }
        let kb = Arc::clone(&self.kb);
        let (policy, text, lang, past) = (
            self.policy,
            message.text.clone(),
            conversation.locale,
            history.clone(),
        );
        let reply =
            tokio::task::spawn_blocking(move || bot::respond(&kb, &policy, &text, lang, &past))
                .await
                .map_err(|e| Error::Unavailable(format!("bot task: {e}")))??;

        let mut commit = Commit::default();
        // The verdict on the previous answer belongs to that answer.
        if let Some(verdict) = reply.verdict
            && let Some(mut previous) = history
                .iter()
                .rev()
                .find(|m| m.author == Author::Bot)
                .cloned()
            && let Some(turn) = previous.bot.as_mut()
            && matches!(turn.decision, Decision::Answer | Decision::Clarify)
            && turn.feedback.is_none()
        {
            turn.feedback = Some(verdict);
            commit.events.push(Event::new(
                EventKind::Feedback,
                &conversation.id,
                Some(turn.category),
                turn.area.clone(),
                [("verdict", verdict.to_string())],
            ));
            commit.replaced.push(previous);
        }

        let turn = reply.turn;
        let bot_message = Message {
            id: message.reply_id(),
            conversation_id: conversation.id.clone(),
            author: Author::Bot,
            text: reply.text,
            links: reply.links,
            quick_replies: reply.quick_replies,
            bot: Some(turn.clone()),
            key_hash: None,
            created_at: now(),
        };
        let reasons: Vec<String> = turn.reasons.iter().map(ToString::to_string).collect();
        commit.events.push(Event::new(
            EventKind::BotTurn,
            &conversation.id,
            Some(turn.category),
            turn.area.clone(),
            [
                ("decision", turn.decision.to_string()),
                ("reasons", reasons.join(",")),
                (
                    "top_guide",
                    turn.hits
                        .first()
                        .map(|h| h.guide.clone())
                        .unwrap_or_default(),
                ),
            ],
        ));
        let mut asked: Vec<&Message> = history.iter().collect();
        asked.push(&message);
        let (case, alert) = if turn.decision == Decision::Handoff {
            let (case, alert) = self
                .hand_off(
                    &mut conversation,
                    &asked,
                    &turn,
                    Some(&message),
                    &mut commit,
                )
                .await?;
            (Some(case), alert)
        } else {
            (None, None)
        };
        conversation.updated_at = now();
        commit.conversation = Some(conversation);
        commit.messages = vec![message.clone(), bot_message.clone()];
        Ok(Planned {
            commit,
            result: Posted {
                message,
                reply: Some(bot_message),
                case,
                duplicate: false,
            },
            alert,
        })
    }

    /// Adds a hand-off to `commit`: the conversation's one case (created, or reopened if resolved,
    /// and escalated when `trigger`, the message that led to it, is urgent), the conversation
    /// moved to people, the event. Reads only the case and,
    /// for a verified customer, their earlier cases; everything else comes from the caller.
    async fn hand_off(
        &self,
        conversation: &mut Conversation,
        asked: &[&Message],
        turn: &BotTurn,
        trigger: Option<&Message>,
        commit: &mut Commit,
    ) -> Result<(Case, Option<Case>)> {
        let case_id = Case::id_for(&conversation.id);
        let existing = self.store.case(&case_id).await?;
        let (case, alert) = match existing {
            Some(existing) => {
                let mut case = existing.clone();
                reopen(&mut case);
                if let Some(trigger) = trigger
                    && let Some(kind) = urgent_kind(turn)
                {
                    escalate(&mut case, kind, trigger, trigger.created_at);
                }
                let alert = alerts::due(Some(&existing), &case).then(|| case.clone());
                if case != existing {
                    if case.status != existing.status {
                        commit
                            .events
                            .push(Event::about(EventKind::Reopen, &case, []));
                    }
                    case.updated_at = now();
                    commit.case = Some(CaseWrite::Update(case.clone()));
                    case.version += 1;
                }
                (case, alert)
            }
            None => {
                let history: Vec<CaseSummary> = match conversation.customer.history_key() {
                    Some(customer) => self
                        .store
                        .customer_cases(customer, HISTORY_CASES + 1)
                        .await?
                        .iter()
                        // Only this verified customer's own cases, whatever an index holds.
                        .filter(|c| {
                            c.id != case_id && c.customer.verified && c.customer.id == customer
                        })
                        .take(HISTORY_CASES)
                        .map(Case::summarize)
                        .collect(),
                    None => Vec::new(),
                };
                let at = now();
                let case = Case {
                    id: case_id,
                    conversation_id: conversation.id.clone(),
                    customer: conversation.customer.clone(),
                    status: CaseStatus::Open,
                    priority: turn.priority,
                    category: turn.category,
                    area: turn.area.clone(),
                    reason: turn.handoff_reason(),
                    escalation: None,
                    summary: summary(asked),
                    assignee: None,
                    channel: conversation.channel.clone(),
                    locale: conversation.locale,
                    metadata: conversation.metadata.clone(),
                    history,
                    resolution: None,
                    reopened: 0,
                    created_at: at,
                    updated_at: at,
                    version: 0,
                };
                commit.events.push(Event::about(
                    EventKind::Handoff,
                    &case,
                    [
                        ("reason", case.reason.to_string()),
                        ("priority", case.priority.to_string()),
                    ],
                ));
                commit.case = Some(CaseWrite::Create(case.clone()));
                let alert = alerts::due(None, &case).then(|| case.clone());
                (case, alert)
            }
        };
        conversation.state = ConversationState::Human;
        conversation.case_id = Some(case.id.clone());
        Ok((case, alert))
    }

    /// A customer message while people have the conversation: added to the case, which it
    /// escalates when it is urgent and reopens when it was resolved before this message.
    async fn to_people(&self, context: &Context, message: Message) -> Result<Planned<Posted>> {
        let mut conversation = context.conversation.clone();
        let case_id = conversation
            .case_id
            .clone()
            .unwrap_or_else(|| Case::id_for(&conversation.id));
        let existing = self.store.case(&case_id).await?.ok_or_else(|| {
            Error::Corrupt(format!(
                "conversation {} has no case {case_id}",
                conversation.id
            ))
        })?;
        let mut case = existing.clone();
        let mut commit = Commit::default();
        if reopen(&mut case) {
            commit
                .events
                .push(Event::about(EventKind::Reopen, &case, []));
        }
        if let Some(kind) = bot::urgency(&message.text)
            && escalate(&mut case, kind, &message, message.created_at)
        {
            commit.events.push(Event::about(
                EventKind::Escalate,
                &case,
                [("kind", kind.to_string())],
            ));
        }
        let alert = alerts::due(Some(&existing), &case).then(|| case.clone());
        if case != existing {
            case.updated_at = now();
            commit.case = Some(CaseWrite::Update(case.clone()));
            case.version += 1;
        }
        conversation.state = ConversationState::Human;
        conversation.case_id = Some(case.id.clone());
        conversation.updated_at = now();
        commit.conversation = Some(conversation);
        commit.messages = vec![message.clone()];
        Ok(Planned {
            commit,
            result: Posted {
                message,
                reply: None,
                case: Some(case),
                duplicate: false,
            },
            alert,
        })
    }

    /// The customer asked for a person directly (a button in the widget): hand off with that
    /// reason. Idempotent: an open case is returned as it is.
    pub async fn request_human(&self, id: &str, secret: &str) -> Result<Case> {
        retrying!("the conversation", {
            let mut conversation = self.conversation(id, secret).await?;
            if let Some(case_id) = &conversation.case_id
                && let Some(case) = self.store.case(case_id).await?
                && case.status != CaseStatus::Resolved
            {
                return Ok(case);
            }
            let messages = self.store.messages(id).await?;
            let last = messages.iter().rev().find_map(|m| m.bot.clone());
            let query = messages
                .iter()
                .rev()
                .find(|m| m.author == Author::Customer)
                .map(|m| m.text.clone())
                .unwrap_or_default();
            // What the bot last knew about the question still holds for the person who takes it.
            let turn = match last {
                Some(last) => {
                    let urgent = urgent_kind(&last);
                    BotTurn {
                        confidence: last.confidence,
                        priority: last.priority,
                        category: last.category,
                        area: last.area,
                        reasons: match urgent {
                            Some(kind) => vec![
                                crate::model::Reason::HumanRequested,
                                crate::model::Reason::Urgent { kind },
                            ],
                            None => vec![crate::model::Reason::HumanRequested],
                        },
                        ..BotTurn::human_requested(query)
                    }
                }
                None => BotTurn::human_requested(query),
            };
            let asked: Vec<&Message> = messages.iter().collect();
            let mut commit = Commit::default();
            let (case, alert) = self
                .hand_off(&mut conversation, &asked, &turn, None, &mut commit)
                .await?;
            conversation.updated_at = now();
            commit.conversation = Some(conversation);
            let (_, case) = self
                .apply(Planned {
                    commit,
                    result: case,
                    alert,
                })
                .await?;
            Ok(case)
        })
    }

    /// One page of open and claimed cases, urgent first, then oldest. `cursor` is the `next` of
    /// the previous page.
    pub async fn queue(&self, limit: usize, cursor: Option<&str>) -> Result<QueuePage> {
        let limit = limit.clamp(1, MAX_QUEUE_PAGE);
        if let Some(cursor) = cursor
            && !is_queue_key(cursor)
        {
            return Err(Error::Invalid("cursor is not a queue cursor".into()));
        }
        let cases = self.store.queue(limit, cursor).await?;
        let next = (cases.len() == limit)
            .then(|| cases.last().map(Case::queue_key))
            .flatten();
        Ok(QueuePage { cases, next })
    }

    /// A case with its conversation, transcript, bot attempts and notes.
    pub async fn case(&self, id: &str) -> Result<CaseView> {
        let case = self.existing_case(id).await?;
        let conversation = self
            .store
            .conversation(&case.conversation_id)
            .await?
            .ok_or_else(|| Error::Corrupt(format!("case {id} has no conversation")))?;
        let transcript = self.store.messages(&case.conversation_id).await?;
        let attempts = transcript.iter().filter_map(|m| m.bot.clone()).collect();
        let notes = self.store.notes(id).await?;
        Ok(CaseView {
            case,
            conversation: (&conversation).into(),
            transcript,
            attempts,
            notes,
        })
    }

    async fn existing_case(&self, id: &str) -> Result<Case> {
        let not_found = || Error::NotFound {
            what: "case",
            id: id.to_string(),
        };
        if !crate::model::is_id("case", id) {
            return Err(Error::Invalid("malformed case id".into()));
        }
        self.store.case(id).await?.ok_or_else(not_found)
    }

    /// A versioned change of a case by an operator, with the event it makes; unchanged cases are
    /// not written. `change` decides on the current record each time.
    async fn change_case(
        &self,
        id: &str,
        event: impl Fn(&Case) -> Option<Event> + Send,
        mut change: impl FnMut(&mut Case) -> Result<()> + Send,
    ) -> Result<Case> {
        retrying!(format!("case {id}"), {
            let existing = self.existing_case(id).await?;
            let mut case = existing.clone();
            change(&mut case)?;
            if case == existing {
                return Ok(case);
            }
            case.updated_at = now();
            let commit = Commit {
                events: event(&case).into_iter().collect(),
                case: Some(CaseWrite::Update(case.clone())),
                ..Commit::default()
            };
            self.store.commit(&commit).await?;
            case.version += 1;
            Ok(case)
        })
    }

    /// Claims a case for `operator`. Claiming a case one already holds is fine; a case someone
    /// else holds is a conflict naming the holder.
    pub async fn claim(&self, id: &str, operator: &str) -> Result<Case> {
        let operator = operator_name(operator)?;
        self.change_case(
            id,
            |case| {
                Some(Event::about(
                    EventKind::Claim,
                    case,
                    [("operator", operator.to_string())],
                ))
            },
            |case| claim(case, operator),
        )
        .await
    }

    /// Gives a claimed case back to the queue. Only its holder can.
    pub async fn release(&self, id: &str, operator: &str) -> Result<Case> {
        let operator = operator_name(operator)?;
        self.change_case(
            id,
            |case| {
                Some(Event::about(
                    EventKind::Release,
                    case,
                    [("operator", operator.to_string())],
                ))
            },
            |case| match (case.status, case.assignee.as_deref()) {
                (CaseStatus::Claimed, Some(holder)) if holder == operator => {
                    case.status = CaseStatus::Open;
                    case.assignee = None;
                    Ok(())
                }
                (CaseStatus::Claimed, Some(holder)) => Err(Error::Conflict(format!(
                    "case {} is held by {holder}",
                    case.id
                ))),
                _ => Err(Error::Conflict(format!("case {} is not claimed", case.id))),
            },
        )
        .await
    }

    /// An operator's reply: it appears in the customer's conversation. Replying to an open case
    /// claims it; a case someone else holds is a conflict. The message and the claim are one
    /// commit; a retry with the same idempotency key returns the first reply.
    pub async fn reply(
        &self,
        id: &str,
        operator: &str,
        text: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Message> {
        let operator = operator_name(operator)?;
        let text = validate(&self.mask(text))?;
        retrying!(format!("case {id}"), {
            let existing = self.existing_case(id).await?;
            let key_hash = idempotency_key.map(|key| {
                Message::key_hash(&existing.conversation_id, &format!("operator:{key}"))
            });
            let mut case = existing.clone();
            claim(&mut case, operator)?;
            let message = Message {
                id: new_id("msg"),
                conversation_id: case.conversation_id.clone(),
                author: Author::Operator {
                    name: operator.to_string(),
                },
                text: text.clone(),
                links: Vec::new(),
                quick_replies: Vec::new(),
                bot: None,
                key_hash,
                created_at: now(),
            };
            let mut commit = Commit {
                messages: vec![message.clone()],
                events: vec![Event::about(
                    EventKind::Reply,
                    &case,
                    [("operator", operator.to_string())],
                )],
                ..Commit::default()
            };
            if case != existing {
                case.updated_at = now();
                commit.case = Some(CaseWrite::Update(case));
            }
            match self.store.commit(&commit).await? {
                Committed::Done => Ok(message),
                Committed::Duplicate(first) => Ok(*first),
            }
        })
    }

    /// An internal note on a case, for the team only.
    pub async fn note(&self, id: &str, operator: &str, text: &str) -> Result<Note> {
        let operator = operator_name(operator)?;
        let text = validate(&self.mask(text))?;
        self.existing_case(id).await?;
        let note = Note {
            id: new_id("note"),
            case_id: id.to_string(),
            author: operator.to_string(),
            text,
            created_at: now(),
        };
        self.store
            .commit(&Commit {
                notes: vec![note.clone()],
                ..Commit::default()
            })
            .await?;
        Ok(note)
    }

    /// Resolves a case with a note and the confirmed category. Anyone may resolve an open case;
    /// a case someone else holds is a conflict. The case, the conversation and the event are one
    /// commit.
    pub async fn resolve(
        &self,
        id: &str,
        operator: &str,
        note: &str,
        category: Option<Category>,
        follow_up: Option<&str>,
    ) -> Result<Case> {
        let operator = operator_name(operator)?;
        let note = self.mask(note.trim());
        let follow_up = follow_up
            .map(|f| self.mask(f.trim()))
            .filter(|f| !f.is_empty());
        if note.len() > MAX_MESSAGE_BYTES
            || follow_up
                .as_ref()
                .is_some_and(|f| f.len() > MAX_MESSAGE_BYTES)
        {
            return Err(Error::Invalid(format!(
                "note and follow_up are at most {MAX_MESSAGE_BYTES} bytes"
            )));
        }
        retrying!(format!("case {id}"), {
            let mut case = self.existing_case(id).await?;
            match (case.status, case.assignee.as_deref()) {
                // The same resolution again (a retry): done already.
                (CaseStatus::Resolved, Some(holder)) if holder == operator => return Ok(case),
                (CaseStatus::Resolved, _) => {
                    return Err(Error::Conflict(format!("case {id} is already resolved")));
                }
                (CaseStatus::Claimed, Some(holder)) if holder != operator => {
                    return Err(Error::Conflict(format!("case {id} is held by {holder}")));
                }
                _ => {}
            }
            let mut conversation = self
                .store
                .conversation(&case.conversation_id)
                .await?
                .ok_or_else(|| Error::Corrupt(format!("case {id} has no conversation")))?;
            let at = now();
            case.status = CaseStatus::Resolved;
            case.assignee = Some(operator.to_string());
            case.category = category.unwrap_or(case.category);
            case.resolution = Some(Resolution {
                by: operator.to_string(),
                note: note.clone(),
                category: case.category,
                follow_up: follow_up.clone(),
                at,
            });
            case.updated_at = at;
            conversation.state = ConversationState::Resolved;
            conversation.updated_at = at;
            let commit = Commit {
                events: vec![Event::about(
                    EventKind::Resolve,
                    &case,
                    [
                        ("operator", operator.to_string()),
                        ("follow_up", follow_up.clone().unwrap_or_default()),
                    ],
                )],
                case: Some(CaseWrite::Update(case.clone())),
                conversation: Some(conversation),
                ..Commit::default()
            };
            self.store.commit(&commit).await?;
            case.version += 1;
            Ok(case)
        })
    }
}

/// Takes a case for `operator`, unless it is resolved or someone else holds it.
fn claim(case: &mut Case, operator: &str) -> Result<()> {
    match (case.status, case.assignee.as_deref()) {
        (CaseStatus::Resolved, _) => Err(Error::Conflict(format!("case {} is resolved", case.id))),
        (CaseStatus::Claimed, Some(holder)) if holder != operator => Err(Error::Conflict(format!(
            "case {} is held by {holder}",
            case.id
        ))),
        _ => {
            case.status = CaseStatus::Claimed;
            case.assignee = Some(operator.to_string());
            Ok(())
        }
    }
}

/// Reopens a resolved case: back in the queue, unassigned, and normal again (it was urgent for
/// what was resolved; only a new urgent message makes it urgent again, so a "thank you" after the
/// resolution does not page the team). A resend of the message that reopened it is a duplicate
/// and never gets here. Returns whether it changed.
fn reopen(case: &mut Case) -> bool {
    if case.status != CaseStatus::Resolved {
        return false;
    }
    case.status = CaseStatus::Open;
    case.assignee = None;
    case.reopened += 1;
    case.priority = Priority::Normal;
    case.escalation = None;
    true
}

/// Raises a normal case to urgent because of `message`. Returns whether it changed (an urgent
/// case stays as it is).
fn escalate(case: &mut Case, kind: crate::model::UrgentKind, message: &Message, at: i64) -> bool {
    if case.priority == Priority::Urgent {
        return false;
    }
    case.priority = Priority::Urgent;
    case.escalation = Some(Escalation {
        kind,
        message_id: message.id.clone(),
        text: shorten(&message.text, 300),
        at,
    });
    true
}

fn urgent_kind(turn: &BotTurn) -> Option<crate::model::UrgentKind> {
    turn.reasons.iter().find_map(|r| match r {
        crate::model::Reason::Urgent { kind } => Some(*kind),
        _ => None,
    })
}

/// Whether `text` is a queue cursor ([`Case::queue_key`]).
fn is_queue_key(text: &str) -> bool {
    let mut parts = text.splitn(3, '#');
    matches!(parts.next(), Some("0" | "1"))
        && parts
            .next()
            .is_some_and(|t| t.len() == 13 && t.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .next()
            .is_some_and(|id| crate::model::is_id("case", id))
}

/// What the customer asked, in their words: their messages joined, shortened.
fn summary(messages: &[&Message]) -> String {
    let asked: Vec<&str> = messages
        .iter()
        .filter(|m| m.author == Author::Customer)
        .map(|m| m.text.as_str())
        .collect();
    shorten(&asked.join(" / "), 300)
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

fn operator_name(operator: &str) -> Result<&str> {
    let operator = operator.trim();
    if operator.is_empty() || operator.len() > 100 {
        return Err(Error::Invalid("operator name must be 1–100 bytes".into()));
    }
    Ok(operator)
}

/// A new conversation secret: 32 random bytes, hex.
fn secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Unavailable(format!("random: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What is stored of a secret.
fn hash(secret: &str) -> String {
    blake3::hash(secret.as_bytes()).to_hex().to_string()
}

/// Compares two hashes without an early exit, so timing says nothing about how much matched.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_cursors_are_checked() {
        let id = new_id("case");
        assert!(is_queue_key(&format!(
            "0#{:013}#{id}",
            1_795_000_000_000i64
        )));
        assert!(!is_queue_key("0#123#case_x"));
        assert!(!is_queue_key(&format!("2#{:013}#{id}", 1)));
        assert!(!is_queue_key("' OR 1=1 --"));
    }

    #[test]
    fn reopening_puts_a_case_back_in_the_queue_as_normal() {
        let mut case: Case = serde_json::from_value(serde_json::json!({
            "id": "case_x", "conversation_id": "cv_x",
            "customer": {"id": "anon_x"}, "status": "resolved", "priority": "urgent",
            "category": "how_to", "reason": {"code": "urgent", "kind": "service_down"}, "summary": "",
            "channel": "web", "locale": "ko", "assignee": "minji",
            "created_at": 0, "updated_at": 0, "version": 1
        }))
        .expect("case");
        assert!(reopen(&mut case));
        assert_eq!(
            (
                case.status,
                case.priority,
                case.assignee.as_deref(),
                case.reopened
            ),
            (CaseStatus::Open, Priority::Normal, None, 1)
        );
        assert_eq!(case.urgent_kind(), None);
        assert!(!reopen(&mut case), "an open case stays as it is");
    }
}
