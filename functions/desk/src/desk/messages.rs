//! A customer message: sanitized, masked, stored once per idempotency key, together with what
//! follows from it (`turns.rs`); a resend gets what the first send committed.

use super::turns::Medium;
use super::{Context, Desk, MAX_MESSAGES, Planned, Posted, caption, validate};
use crate::attachments::Attachment;
use crate::error::{Error, Result};
use crate::model::{Author, Conversation, ConversationState, Message, new_id, now};
use crate::store::{CaseWrite, Commit, Committed};

impl Desk {
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
        self.post_message(id, secret, text, Vec::new(), idempotency_key, false)
            .await
    }

    /// [`Desk::post`] of a message that may carry attachments (stored already). A message with
    /// attachments may have no text, and the bot does not answer it (it cannot read pictures):
    /// it waits in the transcript for the person who takes the case. `attaching`: the secret
    /// opens the conversation as for screenshots ([`Desk::conversation_to_attach`]).
    pub(super) async fn post_message(
        &self,
        id: &str,
        secret: &str,
        text: &str,
        attachments: Vec<Attachment>,
        idempotency_key: Option<&str>,
        attaching: bool,
    ) -> Result<Posted> {
        let raw = text;
        let text = if attachments.is_empty() {
            validate(&self.mask(raw))?
        } else {
            caption(&self.mask(raw))?
        };
        let key_hash = idempotency_key.map(|key| Message::key_hash(id, key));
        retrying!("the conversation", {
            let conversation = if attaching {
                self.conversation_to_attach(id, secret).await?
            } else {
                self.conversation(id, secret).await?
            };
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
                let mut planned = self.bot_turn(&context, first.clone(), Medium::Chat).await?;
                planned.commit.messages.retain(|m| m.id != first.id);
                let (_, mut posted) = self.apply(planned).await?;
                posted.duplicate = true;
                return Ok(posted);
            }
            // A number may run on from the customer's previous message (`my card is 4539 1488`,
            // then `0343 6467`): both are masked as one text, and the previous one (with the
            // question its bot turn kept) is stored again masked.
            let (text, previous) = match previous_words(&messages) {
                Some(previous) if !text.is_empty() => {
                    let continued = pii::mask_continued(&previous.text, raw, self.pii);
                    let masked = if attachments.is_empty() {
                        validate(&continued.text)?
                    } else {
                        caption(&continued.text)?
                    };
                    let again = continued
                        .previous
                        .map(|t| (previous.text.clone(), remasked(&messages, previous, t)));
                    (masked, again)
                }
                _ => (text.clone(), None),
            };
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
                mail: None,
                member: None,
                created_at: now(),
            };
            let case_id = conversation.case_id.clone();
            let context = Context {
                conversation,
                messages,
            };
            let mut planned = match context.conversation.state {
                ConversationState::Bot if !message.attachments.is_empty() => {
                    Planned::unanswered(Commit::default(), None, message, None, None)
                }
                ConversationState::Bot => self.bot_turn(&context, message, Medium::Chat).await?,
                ConversationState::Human | ConversationState::Resolved => {
                    self.to_people(&context, message).await?
                }
            };
            // The case a hand-off made quotes the customer's words too.
            if let Some((old, again)) = &previous
                && let Some(again) = again.first()
            {
                let written = match planned.commit.case.as_mut() {
                    Some(CaseWrite::Update(case) | CaseWrite::Create(case)) => Some(case),
                    None => None,
                };
                match written {
                    Some(case) => {
                        requote(case, old, &again.text);
                    }
                    None => {
                        if let Some(case_id) = case_id
                            && let Some(mut case) = self.store.case(&case_id).await?
                            && requote(&mut case, old, &again.text)
                        {
                            planned.commit.case = Some(CaseWrite::Update(case));
                        }
                    }
                }
            }
            for again in previous.into_iter().flat_map(|(_, again)| again) {
                match planned
                    .commit
                    .replaced
                    .iter_mut()
                    .find(|m| m.id == again.id)
                {
                    // The bot's last answer is replaced for its verdict already: mask it there.
                    Some(replaced) => {
                        if let (Some(turn), Some(masked)) = (replaced.bot.as_mut(), again.bot) {
                            turn.query = masked.query;
                            turn.terms = masked.terms;
                        }
                    }
                    None => planned.commit.replaced.push(again),
                }
            }
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
}

/// The customer's last message with words, when it is the conversation's last customer message
/// (a number cut across two messages runs on from there).
fn previous_words(messages: &[Message]) -> Option<&Message> {
    messages
        .iter()
        .rev()
        .find(|m| m.author == Author::Customer)
        .filter(|m| !m.text.is_empty())
}

/// The stored messages to write again once `previous` is masked as `text`: the message, and its
/// bot turn when the turn kept its words (the question it searched and the terms it read).
fn remasked(messages: &[Message], previous: &Message, text: String) -> Vec<Message> {
    let mut out = Vec::new();
    if let Some(mut reply) = messages
        .iter()
        .find(|m| m.id == previous.reply_id())
        .cloned()
        && let Some(turn) = reply.bot.as_mut()
        && turn.query == previous.text
    {
        turn.query = text.clone();
        turn.terms = kb::analysis::Analyzer::Text.terms(&text);
        turn.terms.sort();
        turn.terms.dedup();
        out.push(reply);
    }
    out.insert(
        0,
        Message {
            text,
            ..previous.clone()
        },
    );
    out
}

/// A case quoting `old` (its summary, an escalation's words) quotes `new` instead; whether it
/// changed.
fn requote(case: &mut crate::model::Case, old: &str, new: &str) -> bool {
    let mut changed = false;
    if case.summary.contains(old) {
        case.summary = case.summary.replace(old, new);
        changed = true;
    }
    if let Some(escalation) = case.escalation.as_mut()
        && escalation.text.contains(old)
    {
        escalation.text = escalation.text.replace(old, new);
        changed = true;
    }
    changed
}
