//! The desk: what customers and operators can do, with the rules in one place.
//!
//! Customers start a conversation (and get a secret only they hold), send messages (masked, at
//! most once per idempotency key) and read their conversation; the bot answers while the
//! conversation is the bot's. Hand-off creates the conversation's one case with everything an
//! operator needs; after that the bot is silent. Operators list the queue, read a case with its
//! transcript, bot attempts, notes and the customer's earlier cases, and claim, release, reply,
//! note and resolve. A customer writing after resolution reopens the case.
//!
//! Every change to a case or conversation is a versioned read-modify-write (see
//! [`crate::store`]): when two operators claim at once, one write wins and the other re-reads,
//! sees the new holder and gets [`Error::Conflict`].

use std::collections::BTreeMap;
use std::sync::Arc;

use kb::{KnowledgeBase, Lang};
use serde::{Deserialize, Serialize};

use crate::alerts::Webhook;
use crate::bot::{self, Policy};
use crate::error::{Error, Result};
use crate::model::{
    Author, BotTurn, Case, CaseStatus, CaseSummary, Category, Conversation, ConversationState,
    Customer, Decision, Event, Message, Note, Reason, Resolution, new_id, now,
};
use crate::pii;
use crate::store::Store;

/// Longest message text accepted, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// How many earlier cases a new case shows.
const HISTORY_CASES: usize = 10;
/// Attempts at a versioned update before giving up (each retry re-reads and re-decides).
const RETRIES: usize = 8;

/// The desk's dependencies, built once per process (or per Lambda cold start).
#[derive(Clone)]
pub struct Desk {
    kb: Arc<KnowledgeBase>,
    store: Arc<dyn Store>,
    policy: Policy,
    pii: pii::Options,
    alerts: Option<Arc<Webhook>>,
}

/// What a customer sends to start a conversation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Start {
    /// Who.
    pub customer: Option<StartCustomer>,
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
    /// Stable id from the product; a new anonymous id when absent.
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
    /// Its conversation.
    pub conversation: Conversation,
    /// Every message, in order.
    pub transcript: Vec<Message>,
    /// What the bot tried, in order (also on the bot messages of the transcript).
    pub attempts: Vec<BotTurn>,
    /// The team's notes.
    pub notes: Vec<Note>,
}

impl Desk {
    /// A desk over an opened knowledge base and a store.
    pub fn new(kb: Arc<KnowledgeBase>, store: Arc<dyn Store>) -> Desk {
        Desk {
            kb,
            store,
            policy: Policy::default(),
            pii: pii::Options::default(),
            alerts: None,
        }
    }

    /// This desk, alerting the team through `webhook` as it creates each urgent case (for
    /// `baton serve`; in AWS the `alerts` function does it from the table's stream).
    pub fn with_alerts(mut self, webhook: Webhook) -> Desk {
        self.alerts = Some(Arc::new(webhook));
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

    fn mask(&self, text: &str) -> String {
        pii::mask(text, self.pii)
    }

    /// Starts a conversation.
    pub async fn start(&self, start: Start) -> Result<Started> {
        let customer = start.customer.unwrap_or_default();
        let secret = secret()?;
        let at = now();
        let conversation = Conversation {
            id: new_id("cv"),
            customer: Customer {
                id: customer
                    .id
                    .filter(|id| !id.trim().is_empty())
                    .unwrap_or_else(|| new_id("anon")),
                contact: customer.contact.map(|c| self.mask(&c)),
                name: customer.name,
            },
            channel: start.channel.unwrap_or_else(|| "web".into()),
            locale: start.locale.unwrap_or(Lang::Ko),
            metadata: start
                .metadata
                .into_iter()
                .map(|(k, v)| (k, self.mask(&v)))
                .collect(),
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
        match self.store.conversation(id).await? {
            Some(c) if c.secret_hash == hash(secret) => Ok(c),
            _ => Err(Error::NotFound {
                what: "conversation",
                id: id.to_string(),
            }),
        }
    }

    /// A conversation and its messages, for the customer.
    pub async fn transcript(&self, id: &str, secret: &str) -> Result<(Conversation, Vec<Message>)> {
        let conversation = self.conversation(id, secret).await?;
        let messages = self.store.messages(id).await?;
        Ok((conversation, messages))
    }

    /// A customer message: stored (masked, once per key), then answered by the bot, or added to
    /// the case when people have the conversation.
    pub async fn post(
        &self,
        id: &str,
        secret: &str,
        text: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Posted> {
        let text = validate(text)?;
        let conversation = self.conversation(id, secret).await?;
        let message = Message {
            id: new_id("msg"),
            conversation_id: id.to_string(),
            author: Author::Customer,
            text: self.mask(text),
            links: Vec::new(),
            quick_replies: Vec::new(),
            bot: None,
            idempotency_key: idempotency_key.map(str::to_string),
            created_at: now(),
        };
        let appended = self.store.append_message(&message).await?;
        if appended.duplicate {
            return self.replay(&conversation, appended.message).await;
        }
        let message = appended.message;
        match conversation.state {
            ConversationState::Human => {
                let case = match &conversation.case_id {
                    Some(case_id) => self.store.case(case_id).await?,
                    None => None,
                };
                Ok(Posted {
                    message,
                    reply: None,
                    case,
                    duplicate: false,
                })
            }
            ConversationState::Resolved => {
                let case = self.reopen(&conversation).await?;
                Ok(Posted {
                    message,
                    reply: None,
                    case: Some(case),
                    duplicate: false,
                })
            }
            ConversationState::Bot => self.bot_turn(conversation, message).await,
        }
    }

    /// A resend: the stored message and what followed it, without doing anything again.
    async fn replay(&self, conversation: &Conversation, message: Message) -> Result<Posted> {
        let messages = self.store.messages(&conversation.id).await?;
        let reply = messages
            .iter()
            .skip_while(|m| m.id != message.id)
            .skip(1)
            .take_while(|m| m.author != Author::Customer)
            .find(|m| m.author == Author::Bot)
            .cloned();
        let case = match &self
            .store
            .conversation(&conversation.id)
            .await?
            .and_then(|c| c.case_id)
        {
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

    async fn bot_turn(&self, mut conversation: Conversation, message: Message) -> Result<Posted> {
        let history: Vec<Message> = self
            .store
            .messages(&conversation.id)
            .await?
            .into_iter()
            .filter(|m| m.id != message.id)
            .collect();
        // The first message tells the language better than the widget's default.
        if history.is_empty() && conversation.locale != Lang::detect(&message.text) {
            let detected = Lang::detect(&message.text);
            conversation = self
                .update_conversation(&conversation.id, |c| c.locale = detected)
                .await?;
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

        // The verdict on the previous answer belongs to that answer.
        if let Some(verdict) = bot::feedback(&message.text)
            && let Some(mut previous) = history.into_iter().rev().find(|m| m.author == Author::Bot)
            && let Some(turn) = previous.bot.as_mut()
            && matches!(turn.decision, Decision::Answer | Decision::Clarify)
            && turn.feedback.is_none()
        {
            turn.feedback = Some(verdict);
            let (category, area) = (turn.category, turn.area.clone());
            self.store.replace_message(&previous).await?;
            self.event(
                "feedback",
                &conversation,
                Some(category),
                area,
                [("verdict", verdict.to_string())],
            )
            .await?;
        }

        let turn = reply.turn;
        let bot_message = Message {
            id: new_id("msg"),
            conversation_id: conversation.id.clone(),
            author: Author::Bot,
            text: reply.text,
            links: reply.links,
            quick_replies: reply.quick_replies,
            bot: Some(turn.clone()),
            idempotency_key: None,
            created_at: now(),
        };
        self.store.append_message(&bot_message).await?;
        let reasons: Vec<String> = turn.reasons.iter().map(reason_code).collect();
        self.event(
            "bot_turn",
            &conversation,
            Some(turn.category),
            turn.area.clone(),
            [
                ("decision", format!("{:?}", turn.decision).to_lowercase()),
                ("reasons", reasons.join(",")),
                (
                    "top_guide",
                    turn.hits
                        .first()
                        .map(|h| h.guide.clone())
                        .unwrap_or_default(),
                ),
            ],
        )
        .await?;

        let case = if turn.decision == Decision::Handoff {
            Some(self.hand_off(&conversation.id, &turn).await?)
        } else {
            None
        };
        Ok(Posted {
            message,
            reply: Some(bot_message),
            case,
            duplicate: false,
        })
    }

    /// Hands a conversation to people: creates its case (once), or returns the existing one
    /// (reopening it if it was resolved). `turn` is the bot turn that decided it.
    pub async fn hand_off(&self, conversation_id: &str, turn: &BotTurn) -> Result<Case> {
        let conversation = self
            .store
            .conversation(conversation_id)
            .await?
            .ok_or_else(|| Error::NotFound {
                what: "conversation",
                id: conversation_id.to_string(),
            })?;
        let messages = self.store.messages(conversation_id).await?;
        let case_id = Case::id_for(conversation_id);
        let history: Vec<CaseSummary> = self
            .store
            .customer_cases(&conversation.customer.id, HISTORY_CASES + 1)
            .await?
            .iter()
            .filter(|c| c.id != case_id)
            .take(HISTORY_CASES)
            .map(Case::summarize)
            .collect();
        let at = now();
        let reason = turn
            .reasons
            .iter()
            .find(|r| !matches!(r, Reason::Confident | Reason::Ambiguous { .. }))
            .cloned()
            .unwrap_or(Reason::HumanRequested);
        let case = Case {
            id: case_id,
            conversation_id: conversation_id.to_string(),
            customer: conversation.customer.clone(),
            status: CaseStatus::Open,
            priority: turn.priority,
            category: turn.category,
            area: turn.area.clone(),
            reason,
            summary: summary(&messages),
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
        let case = match self.store.insert_case(&case).await? {
            None => {
                self.event(
                    "handoff",
                    &conversation,
                    Some(case.category),
                    case.area.clone(),
                    [
                        ("reason", reason_code(&case.reason)),
                        ("priority", format!("{:?}", case.priority).to_lowercase()),
                    ],
                )
                .await?;
                if let Some(webhook) = &self.alerts {
                    webhook.notify_in_background(&case);
                }
                case
            }
            Some(existing) if existing.status == CaseStatus::Resolved => {
                return self.reopen(&conversation).await;
            }
            Some(existing) => existing,
        };
        self.update_conversation(conversation_id, |c| {
            c.state = ConversationState::Human;
            c.case_id = Some(case.id.clone());
        })
        .await?;
        Ok(case)
    }

    /// The customer asked for a person directly (a button in the widget): hand off with that
    /// reason. Idempotent.
    pub async fn request_human(&self, id: &str, secret: &str) -> Result<Case> {
        let conversation = self.conversation(id, secret).await?;
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
            Some(last) => BotTurn {
                confidence: last.confidence,
                priority: last.priority,
                category: last.category,
                area: last.area,
                ..BotTurn::human_requested(query)
            },
            None => BotTurn::human_requested(query),
        };
        self.hand_off(id, &turn).await
    }

    async fn reopen(&self, conversation: &Conversation) -> Result<Case> {
        let case_id = conversation
            .case_id
            .clone()
            .unwrap_or_else(|| Case::id_for(&conversation.id));
        let case = self
            .update_case(&case_id, |case| {
                if case.status == CaseStatus::Resolved {
                    case.status = CaseStatus::Open;
                    case.assignee = None;
                    case.reopened += 1;
                }
                Ok(())
            })
            .await?;
        self.update_conversation(&conversation.id, |c| {
            c.state = ConversationState::Human;
            c.case_id = Some(case.id.clone());
        })
        .await?;
        self.event(
            "reopen",
            conversation,
            Some(case.category),
            case.area.clone(),
            [],
        )
        .await?;
        Ok(case)
    }

    /// Open and claimed cases, urgent first, then oldest.
    pub async fn queue(&self, limit: usize) -> Result<Vec<Case>> {
        self.store.queue(limit).await
    }

    /// A case with its conversation, transcript, bot attempts and notes.
    pub async fn case(&self, id: &str) -> Result<CaseView> {
        let case = self.store.case(id).await?.ok_or_else(|| Error::NotFound {
            what: "case",
            id: id.to_string(),
        })?;
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
            conversation,
            transcript,
            attempts,
            notes,
        })
    }

    /// Claims a case for `operator`. Claiming a case one already holds is fine; a case someone
    /// else holds is a conflict naming the holder.
    pub async fn claim(&self, id: &str, operator: &str) -> Result<Case> {
        let operator = operator_name(operator)?;
        let case = self
            .update_case(id, |case| match (case.status, case.assignee.as_deref()) {
                (CaseStatus::Resolved, _) => Err(Error::Conflict(format!("case {id} is resolved"))),
                (CaseStatus::Claimed, Some(holder)) if holder != operator => {
                    Err(Error::Conflict(format!("case {id} is held by {holder}")))
                }
                _ => {
                    case.status = CaseStatus::Claimed;
                    case.assignee = Some(operator.to_string());
                    Ok(())
                }
            })
            .await?;
        self.case_event("claim", &case, [("operator", operator.to_string())])
            .await?;
        Ok(case)
    }

    /// Gives a claimed case back to the queue. Only its holder can.
    pub async fn release(&self, id: &str, operator: &str) -> Result<Case> {
        let operator = operator_name(operator)?;
        self.update_case(id, |case| match (case.status, case.assignee.as_deref()) {
            (CaseStatus::Claimed, Some(holder)) if holder == operator => {
                case.status = CaseStatus::Open;
                case.assignee = None;
                Ok(())
            }
            (CaseStatus::Claimed, Some(holder)) => {
                Err(Error::Conflict(format!("case {id} is held by {holder}")))
            }
            _ => Err(Error::Conflict(format!("case {id} is not claimed"))),
        })
        .await
    }

    /// An operator's reply: it appears in the customer's conversation. Replying to an open case
    /// claims it; a case someone else holds is a conflict.
    pub async fn reply(&self, id: &str, operator: &str, text: &str) -> Result<Message> {
        let text = validate(text)?;
        let case = self.claim(id, operator).await?;
        let message = Message {
            id: new_id("msg"),
            conversation_id: case.conversation_id.clone(),
            author: Author::Operator {
                name: operator_name(operator)?.to_string(),
            },
            text: self.mask(text),
            links: Vec::new(),
            quick_replies: Vec::new(),
            bot: None,
            idempotency_key: None,
            created_at: now(),
        };
        self.store.append_message(&message).await?;
        Ok(message)
    }

    /// An internal note on a case, for the team only.
    pub async fn note(&self, id: &str, operator: &str, text: &str) -> Result<Note> {
        let text = validate(text)?;
        if self.store.case(id).await?.is_none() {
            return Err(Error::NotFound {
                what: "case",
                id: id.to_string(),
            });
        }
        let note = Note {
            id: new_id("note"),
            case_id: id.to_string(),
            author: operator_name(operator)?.to_string(),
            text: self.mask(text),
            created_at: now(),
        };
        self.store.insert_note(&note).await?;
        Ok(note)
    }

    /// Resolves a case with a note and the confirmed category. Anyone may resolve an open case;
    /// a case someone else holds is a conflict.
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
        let case = self
            .update_case(id, |case| match (case.status, case.assignee.as_deref()) {
                (CaseStatus::Resolved, _) => {
                    Err(Error::Conflict(format!("case {id} is already resolved")))
                }
                (CaseStatus::Claimed, Some(holder)) if holder != operator => {
                    Err(Error::Conflict(format!("case {id} is held by {holder}")))
                }
                _ => {
                    case.status = CaseStatus::Resolved;
                    case.assignee = Some(operator.to_string());
                    case.category = category.unwrap_or(case.category);
                    case.resolution = Some(Resolution {
                        by: operator.to_string(),
                        note: note.clone(),
                        category: case.category,
                        follow_up: follow_up.clone(),
                        at: now(),
                    });
                    Ok(())
                }
            })
            .await?;
        self.update_conversation(&case.conversation_id, |c| {
            c.state = ConversationState::Resolved
        })
        .await?;
        self.case_event(
            "resolve",
            &case,
            [
                ("operator", operator.to_string()),
                ("follow_up", follow_up.unwrap_or_default()),
            ],
        )
        .await?;
        Ok(case)
    }

    /// Read-modify-write of a case: `change` decides on the current record; a lost race re-reads
    /// and decides again.
    async fn update_case(
        &self,
        id: &str,
        mut change: impl FnMut(&mut Case) -> Result<()>,
    ) -> Result<Case> {
        for _ in 0..RETRIES {
            let mut case = self.store.case(id).await?.ok_or_else(|| Error::NotFound {
                what: "case",
                id: id.to_string(),
            })?;
            let before = case.clone();
            change(&mut case)?;
            if case == before {
                return Ok(case);
            }
            case.updated_at = now();
            match self.store.update_case(&case).await {
                Err(Error::Stale) => continue,
                other => return other,
            }
        }
        Err(Error::Conflict(format!(
            "case {id} is changing too fast; try again"
        )))
    }

    async fn update_conversation(
        &self,
        id: &str,
        mut change: impl FnMut(&mut Conversation),
    ) -> Result<Conversation> {
        for _ in 0..RETRIES {
            let mut conversation =
                self.store
                    .conversation(id)
                    .await?
                    .ok_or_else(|| Error::NotFound {
                        what: "conversation",
                        id: id.to_string(),
                    })?;
            let before = conversation.clone();
            change(&mut conversation);
            if conversation == before {
                return Ok(conversation);
            }
            conversation.updated_at = now();
            match self.store.update_conversation(&conversation).await {
                Err(Error::Stale) => continue,
                other => return other,
            }
        }
        Err(Error::Conflict(format!(
            "conversation {id} is changing too fast; try again"
        )))
    }

    async fn event<const N: usize>(
        &self,
        kind: &str,
        conversation: &Conversation,
        category: Option<Category>,
        area: Option<String>,
        data: [(&str, String); N],
    ) -> Result<()> {
        let event = Event {
            id: new_id("ev"),
            kind: kind.to_string(),
            at: now(),
            conversation_id: conversation.id.clone(),
            category,
            area,
            data: data.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        };
        self.store.insert_event(&event).await
    }

    async fn case_event<const N: usize>(
        &self,
        kind: &str,
        case: &Case,
        data: [(&str, String); N],
    ) -> Result<()> {
        let event = Event {
            id: new_id("ev"),
            kind: kind.to_string(),
            at: now(),
            conversation_id: case.conversation_id.clone(),
            category: Some(case.category),
            area: case.area.clone(),
            data: data.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        };
        self.store.insert_event(&event).await
    }
}

/// The stable code of a reason (`urgent:money_not_received`).
pub fn reason_code(reason: &Reason) -> String {
    match reason {
        Reason::Confident => "confident".into(),
        Reason::Ambiguous { .. } => "ambiguous".into(),
        Reason::HumanRequested => "human_requested".into(),
        Reason::Urgent { kind } => format!("urgent:{kind}"),
        Reason::LowConfidence => "low_confidence".into(),
        Reason::NotHelpful => "not_helpful".into(),
        Reason::Repeated => "repeated".into(),
    }
}

/// What the customer asked, in their words: their messages joined, shortened.
fn summary(messages: &[Message]) -> String {
    let asked: Vec<&str> = messages
        .iter()
        .filter(|m| m.author == Author::Customer)
        .map(|m| m.text.as_str())
        .collect();
    let joined = asked.join(" / ");
    if joined.chars().count() > 300 {
        let mut short: String = joined.chars().take(299).collect();
        short.push('…');
        short
    } else {
        joined
    }
}

fn validate(text: &str) -> Result<&str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::Invalid("text is empty".into()));
    }
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(Error::Invalid(format!(
            "text is longer than {MAX_MESSAGE_BYTES} bytes"
        )));
    }
    Ok(text)
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
