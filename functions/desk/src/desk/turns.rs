//! What follows a customer message: the bot's turn while the bot has the conversation (its reply,
//! the verdict on its last answer, a hand-off when it decides one), or, once people have it, the
//! message added to the case, which it escalates when urgent and reopens when resolved.

use std::sync::Arc;

use kb::Lang;

use super::{Context, Desk, Planned, Posted};
use crate::bot;
use crate::error::{Error, Result};
use crate::events;
use crate::model::{
    Author, BotTurn, Case, Category, Conversation, ConversationState, Decision, Event, EventKind,
    Message, Reason, UrgentKind, now,
};
use crate::store::{CaseWrite, Commit};

use super::handoff::*;

/// Where the bot's reply goes, which decides what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Medium {
    /// The widget or the API: the bot answers, offers guides, asks, or hands off.
    Chat,
    /// A mail: the bot answers only when it is sure (and `may_answer`: within the automatic
    /// replies a sender may get); anything else goes to people.
    Mail {
        /// Whether an automatic reply may go to this sender now.
        may_answer: bool,
    },
    /// The inquiry board: people answer. The bot reads the message (is it urgent, what is it
    /// about), and the customer's own choice of kind and area stands over what it read.
    Board {
        /// The kind of inquiry the customer chose.
        category: Option<Category>,
        /// The product area the customer chose.
        area: Option<String>,
        /// Why people answer it: [`Reason::Board`], or [`Reason::Line`] on a standing line.
        reason: Reason,
    },
}

impl Desk {
    /// The bot's turn on a customer message: its reply, the verdict on its previous answer, and a
    /// hand-off when it decides one, in one commit.
    pub(super) async fn bot_turn(
        &self,
        context: &Context,
        message: Message,
        medium: Medium,
    ) -> Result<Planned<Posted>> {
        let mut conversation = context.conversation.clone();
        let history = &context.messages;
        let first = !history.iter().any(|m| m.author == Author::Customer);
        // The first message tells the language better than the widget's default.
        if first {
            conversation.locale = Lang::detect(&pii::without_masks(&message.text));
        }
        let kb = Arc::clone(&self.kb);
        let encoder = self.encoder.clone();
        let (policy, text, lang, past) = (
            self.policy,
            message.text.clone(),
            conversation.locale,
            history.clone(),
        );
        // The bot embeds the message once (with the sentence model) and reads that everywhere.
        let reply = tokio::task::spawn_blocking(move || {
            bot::respond(&kb, &policy, &text, lang, &past, encoder.as_deref())
        })
        .await
        .map_err(|e| Error::Unavailable(format!("bot task: {e}")))??;
        let mut reply = reply;
        if let Medium::Board {
            category,
            area,
            reason,
        } = &medium
        {
            let turn = &mut reply.turn;
            turn.decision = Decision::Handoff;
            if !turn
                .reasons
                .iter()
                .any(|r| matches!(r, Reason::Urgent { .. }))
            {
                turn.reasons.insert(0, reason.clone());
            }
            if let Some(category) = category {
                turn.category = *category;
            }
            if area.is_some() {
                turn.area.clone_from(area);
            }
        }
        if let Medium::Mail { may_answer } = medium {
            let turn = &mut reply.turn;
            let answers = turn.decision == Decision::Answer && may_answer;
            // "Thanks, that solved it" to the bot's answer needs no one; as a first mail it does.
            let thanks = turn.decision == Decision::Acknowledge && !first;
            if !answers && !thanks && turn.decision != Decision::Handoff {
                // A list of guides to choose from, or a question back, is no mail to send: a
                // person answers instead, and the case says the bot was not sure.
                if turn.handoff_reason() == Reason::HumanRequested {
                    turn.reasons.insert(0, Reason::LowConfidence);
                }
                turn.decision = Decision::Handoff;
            }
        }

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
            mail: None,
            member: None,
            created_at: now(),
        };
        if first {
            let customer = &conversation.customer;
            let mut open = Event::new(
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
            );
            if let Some(organisation) = &conversation.organisation {
                open.data
                    .insert(events::ORGANISATION.into(), organisation.clone());
            }
            commit.events.push(open);
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

    /// The urgent kind of a customer's message, by words and, with the sentence model, by meaning:
    /// the embedding runs on the blocking pool, as the bot's turn does, not on the async threads.
    async fn urgency(&self, text: &str) -> Result<Option<UrgentKind>> {
        let Some(encoder) = self.encoder.clone() else {
            return Ok(bot::urgency(self.kb.intents(), text, None));
        };
        let kb = Arc::clone(&self.kb);
        let text = text.to_string();
        tokio::task::spawn_blocking(move || {
            let meaning = kb.meaning_of(encoder.query(&text));
            bot::urgency(kb.intents(), &text, Some(&meaning))
        })
        .await
        .map_err(|e| Error::Unavailable(format!("urgency task: {e}")))
    }

    /// A customer message while people have the conversation: added to the case, which it
    /// escalates when it is urgent and reopens when it was resolved before this message.
    pub(super) async fn to_people(
        &self,
        context: &Context,
        message: Message,
    ) -> Result<Planned<Posted>> {
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
        if let Some(kind) = self.urgency(&message.text).await?
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
        Ok(Planned::unanswered(
            commit,
            Some(conversation),
            message,
            Some(case),
            alert,
        ))
    }
}

/// The event of one bot turn: what it decided, how sure it was, what it showed.
pub(super) fn bot_turn_event(conversation: &Conversation, turn: &BotTurn) -> Event {
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
