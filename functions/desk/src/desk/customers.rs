//! What customers do: start a conversation, send messages (answered by the bot, or added to the
//! case, which they escalate or reopen), read it, ask for a person.

use std::collections::BTreeMap;
use std::sync::Arc;

use kb::Lang;

use super::{
    Attention, Context, Desk, HISTORY_CASES, MAX_MESSAGES, MAX_METADATA, Planned, Posted, Start,
    Started, caption, shorten, validate,
};
use crate::alerts;
use crate::attachments::Attachment;
use crate::bot;
use crate::error::{Error, Result};
use crate::events;
use crate::identity::Identity;
use crate::model::{
    Author, BotTurn, Case, CaseStatus, CaseSummary, Conversation, ConversationState, Customer,
    Decision, Escalation, Event, EventKind, Message, Priority, new_id, now,
};
use crate::presence::{self, Activity};
use crate::store::{CaseWrite, Commit, Committed};

impl Desk {
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
        let contact = self.contact("customer.contact", asserted.contact)?;
        let claimed = self.field("customer.id", asserted.id)?;
        let customer = match identity {
            // A verified customer is who the site signed, name and contact included: what the
            // browser adds would sit under the verified badge.
            Some(identity) => Customer {
                id: identity.id,
                verified: true,
                claimed_id: None,
                contact: self.contact("identity contact", identity.contact)?,
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
            device_secret_hashes: Vec::new(),
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
            Some(c) if holds_secret(&c, secret) => Ok(c),
            _ => Err(not_found()),
        }
    }

    /// What the customer's widget shows about the people on the conversation ([`Attention`]).
    /// Nothing is read while the bot has it.
    pub async fn attention(&self, conversation: &Conversation) -> Result<Attention> {
        let Some(case_id) = conversation
            .case_id
            .as_deref()
            .filter(|_| conversation.state != ConversationState::Bot)
        else {
            return Ok(Attention::default());
        };
        let Some(case) = self.store.case(case_id).await? else {
            return Ok(Attention::default());
        };
        if case.status == CaseStatus::Resolved {
            return Ok(Attention {
                rated: Some(case.rating.is_some()),
                ..Attention::default()
            });
        }
        let operator = case.assignee.filter(|_| case.status == CaseStatus::Claimed);
        let typing = presence::current(&self.store.presence(&conversation.id).await?, now())
            .iter()
            .any(|p| p.activity == Activity::Typing);
        let back_at = match (&self.hours, &operator) {
            (Some(hours), None) => match hours.at(now()) {
                crate::hours::Availability::Open => None,
                crate::hours::Availability::Closed { next_open } => Some(next_open),
            },
            _ => None,
        };
        Ok(Attention {
            operator,
            typing,
            away: back_at.is_some(),
            back_at: back_at.flatten(),
            rated: None,
        })
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
        self.post_message(id, secret, text, Vec::new(), idempotency_key)
            .await
    }

    /// [`Desk::post`] of a message that may carry attachments (stored already). A message with
    /// attachments may have no text, and the bot does not answer it (it cannot read pictures):
    /// it waits in the transcript for the person who takes the case.
    pub(super) async fn post_message(
        &self,
        id: &str,
        secret: &str,
        text: &str,
        attachments: Vec<Attachment>,
        idempotency_key: Option<&str>,
    ) -> Result<Posted> {
        let text = if attachments.is_empty() {
            validate(&self.mask(text))?
        } else {
            caption(&self.mask(text))?
        };
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
                    && first.attachments.is_empty()
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
                attachments: attachments.clone(),
                bot: None,
                key_hash: key_hash.clone(),
                created_at: now(),
            };
            let context = Context {
                conversation,
                messages,
            };
            let planned = match context.conversation.state {
                ConversationState::Bot if !message.attachments.is_empty() => Planned {
                    commit: Commit {
                        messages: vec![message.clone()],
                        ..Commit::default()
                    },
                    result: Posted {
                        message,
                        reply: None,
                        case: None,
                        duplicate: false,
                    },
                    alert: None,
                },
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
    pub(super) async fn replay(
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
        let first = !history.iter().any(|m| m.author == Author::Customer);
        // The first message tells the language better than the widget's default.
        if first {
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
                [
                    (events::VERDICT, verdict.to_string()),
                    (
                        events::GUIDE,
                        turn.cited.first().cloned().unwrap_or_default(),
                    ),
                    (events::QUESTION, events::words(&turn.query)),
                ],
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
            attachments: Vec::new(),
            bot: Some(turn.clone()),
            key_hash: None,
            created_at: now(),
        };
        if first {
            let customer = &conversation.customer;
            commit.events.push(Event::new(
                EventKind::Open,
                &conversation.id,
                None,
                None,
                [
                    (events::CHANNEL, conversation.channel.clone()),
                    (events::LANG, conversation.locale.code().to_string()),
                    (events::VERIFIED, customer.verified.to_string()),
                    (events::CUSTOMER, events::customer_key(customer)),
                ],
            ));
        }
        commit.events.push(bot_turn_event(&conversation, &turn));
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
                let alert = alert_if_due(Some(&existing), &mut case);
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
                let mut case = Case {
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
                    reminded: 0,
                    alerts: 0,
                    remind_from: None,
                    rating: None,
                    created_at: at,
                    updated_at: at,
                    version: 0,
                };
                let question = handoff_question(asked, trigger, &case.reason);
                commit.events.push(Event::about(
                    EventKind::Handoff,
                    &case,
                    [
                        (events::REASON, case.reason.to_string()),
                        (events::PRIORITY, case.priority.to_string()),
                        (
                            events::URGENCY,
                            case.urgent_kind()
                                .map(|k| k.to_string())
                                .unwrap_or_default(),
                        ),
                        (events::QUESTION, events::words(question)),
                        (events::CUSTOMER, events::customer_key(&case.customer)),
                    ],
                ));
                let alert = alert_if_due(None, &mut case);
                commit.case = Some(CaseWrite::Create(case.clone()));
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
        if let Some(kind) = bot::urgency(self.kb.intents(), &message.text)
            && escalate(&mut case, kind, &message, message.created_at)
        {
            commit.events.push(Event::about(
                EventKind::Escalate,
                &case,
                [(events::URGENCY, kind.to_string())],
            ));
        }
        let alert = alert_if_due(Some(&existing), &mut case);
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
}

/// Whether `secret` opens the conversation: its first secret or one of a verified customer's
/// other devices' (every hash compared, in constant time each).
fn holds_secret(conversation: &Conversation, secret: &str) -> bool {
    let hashed = hash(secret);
    std::iter::once(&conversation.secret_hash)
        .chain(&conversation.device_secret_hashes)
        .fold(false, |found, stored| {
            constant_time_eq(stored, &hashed) | found
        })
}

/// Reopens a resolved case: back in the queue, unassigned, and normal again (it was urgent for
/// what was resolved; only a new urgent message makes it urgent again, so a "thank you" after the
/// resolution does not page the team). A resend of the message that reopened it is a duplicate
/// and never gets here. Returns whether it changed.
pub(super) fn reopen(case: &mut Case) -> bool {
    if case.status != CaseStatus::Resolved {
        return false;
    }
    case.status = CaseStatus::Open;
    case.assignee = None;
    case.reopened += 1;
    case.rating = None;
    case.priority = Priority::Normal;
    case.escalation = None;
    case.wait_again(now());
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
    case.wait_again(at);
    true
}

fn urgent_kind(turn: &BotTurn) -> Option<crate::model::UrgentKind> {
    turn.reasons.iter().find_map(|r| match r {
        crate::model::Reason::Urgent { kind } => Some(*kind),
        _ => None,
    })
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

/// A new conversation secret: 32 random bytes, hex.
pub(super) fn secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Unavailable(format!("random: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What is stored of a secret.
pub(super) fn hash(secret: &str) -> String {
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

/// The event of one bot turn: what it decided, how sure it was, what it showed.
fn bot_turn_event(conversation: &Conversation, turn: &BotTurn) -> Event {
    let reasons: Vec<String> = turn.reasons.iter().map(ToString::to_string).collect();
    let sections: Vec<String> = turn
        .cited
        .iter()
        .map(|guide| {
            let anchor = turn
                .hits
                .iter()
                .find(|h| &h.guide == guide)
                .map_or("", |h| h.anchor.as_str());
            format!("{guide}#{anchor}")
        })
        .collect();
    Event::new(
        EventKind::BotTurn,
        &conversation.id,
        Some(turn.category),
        turn.area.clone(),
        [
            (events::DECISION, turn.decision.to_string()),
            (events::PROBABILITY, format!("{:.3}", turn.confidence)),
            (events::REASONS, reasons.join(",")),
            (
                events::TOP_GUIDE,
                turn.hits
                    .first()
                    .map(|h| h.guide.clone())
                    .unwrap_or_default(),
            ),
            (events::HITS, turn.hits.len().to_string()),
            (events::CITED, turn.cited.join(",")),
            (events::SECTIONS, sections.join(",")),
            (events::PRIORITY, turn.priority.to_string()),
            (events::LANG, conversation.locale.code().to_string()),
            (events::QUESTION, events::words(&turn.query)),
        ],
    )
}

/// The customer's words a hand-off records as its question: the message that led to it, except
/// when that message only asked for a person (then the question before it), or, from the
/// widget's button, the customer's last message; never the bot's words.
fn handoff_question<'a>(
    asked: &[&'a Message],
    trigger: Option<&'a Message>,
    reason: &crate::model::Reason,
) -> &'a str {
    let mut customer = asked
        .iter()
        .copied()
        .filter(|m| m.author == Author::Customer);
    let before_trigger = |trigger: &Message| {
        asked
            .iter()
            .copied()
            .rfind(|m| m.author == Author::Customer && m.id != trigger.id)
    };
    let message = match trigger {
        Some(t) if matches!(reason, crate::model::Reason::HumanRequested) => {
            before_trigger(t).unwrap_or(t)
        }
        Some(t) => t,
        None => match customer.next_back() {
            Some(m) => m,
            None => return "",
        },
    };
    message.text.as_str()
}

/// The desk's one decision about alerting the team of a case it is about to write over `before`
/// (`None`: a new case): when [`alerts::due`], the case carries it (its `alerts` count rises) and is
/// returned for `baton serve`'s alerter; the AWS alerts function reads the count from the stream.
fn alert_if_due(before: Option<&Case>, case: &mut Case) -> Option<Case> {
    if !alerts::due(before, case) {
        return None;
    }
    case.alerts += 1;
    Some(case.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

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
