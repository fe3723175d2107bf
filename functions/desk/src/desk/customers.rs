//! What customers do with their conversation: start it (and get the secret only they hold), read
//! it, and see who is on it. Sending messages is `messages.rs`; what follows a message, `turns.rs`;
//! the hand-off to people, `handoff.rs`.

use kb::Lang;

use super::{Attention, Desk, Start, Started};
use crate::error::{Error, Result};
use crate::identity::Identity;
use crate::model::{CaseStatus, Conversation, ConversationState, Customer, Message, new_id, now};
use crate::presence::{self, Activity};

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
        // A business customer's person: the conversation is their organisation's too.
        let organisation = identity
            .as_ref()
            .and_then(|i| i.membership.as_ref())
            .map(|m| m.organisation.clone());
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
        if channel == crate::model::MAIL_CHANNEL
            || channel == crate::model::BOARD_CHANNEL
            || channel == crate::model::LINE_CHANNEL
        {
            // Only a mail makes a conversation by mail, and only the board's form an inquiry:
            // their thread is where replies are sent.
            return Err(Error::Invalid(format!(
                "the {channel} channel is for conversations that came by {channel}"
            )));
        }
        let metadata = self.metadata(start.metadata)?;
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
            mail: None,
            organisation,
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

    /// A conversation, if `secret` is its secret, or a board session or identity token of its
    /// owner ([`Conversation::owner`]). A wrong one reads as "not found", so a conversation's
    /// existence is not revealed to someone who does not hold it.
    pub async fn conversation(&self, id: &str, secret: &str) -> Result<Conversation> {
        let not_found = || Error::NotFound {
            what: "conversation",
            id: id.to_string(),
        };
        if !crate::model::is_id("cv", id) {
            return Err(Error::Invalid("malformed conversation id".into()));
        }
        match self.store.conversation(id).await? {
            // A guest's inquiry is read only by its address's session (its secret went to
            // whoever sent the form, who may not own the address).
            // A standing line's thread is read by its organisation's people only (their tokens
            // say, on each request, that they still belong), never by a secret.
            Some(c) if holds_secret(&c, secret) && !c.is_guest_inquiry() && !c.is_line() => Ok(c),
            // A board session or the site's signed identity opens its owner's conversations.
            // A standing line's thread is its organisation's, read through its space only: a
            // member who left keeps none of it, even a thread they opened.
            Some(c) if is_owner_credential(secret) && !c.is_line() => {
                match self.board_owner(secret).await {
                    Ok(owner) if c.owner().as_ref() == Some(&owner) => Ok(c),
                    _ => Err(not_found()),
                }
            }
            _ => Err(not_found()),
        }
    }

    /// A conversation to add screenshots to: [`Desk::conversation`], and a guest's inquiry by its
    /// own secret for [`ATTACH_WINDOW_MS`] after it was sent (the form uploads its screenshots
    /// then; later ones come by a session).
    pub(super) async fn conversation_to_attach(
        &self,
        id: &str,
        secret: &str,
    ) -> Result<Conversation> {
        if crate::model::is_id("cv", id)
            && let Some(c) = self.store.conversation(id).await?
            && c.is_guest_inquiry()
            && holds_secret(&c, secret)
            && now() - c.created_at < ATTACH_WINDOW_MS
        {
            return Ok(c);
        }
        self.conversation(id, secret).await
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
}

/// Whether `secret` opens the conversation: its first secret or one of a verified customer's
/// other devices' (every hash compared, in constant time each).
pub(super) fn holds_secret(conversation: &Conversation, secret: &str) -> bool {
    let hashed = hash(secret);
    std::iter::once(&conversation.secret_hash)
        .chain(&conversation.device_secret_hashes)
        .fold(false, |found, stored| {
            crate::model::constant_time_eq(stored, &hashed) | found
        })
}

/// How long a guest's inquiry takes screenshots by its own secret after it was sent.
pub const ATTACH_WINDOW_MS: crate::model::Millis = 15 * 60_000;

/// Whether a credential is a board session or an identity token rather than a conversation's
/// own secret (bare hex, never with a prefix or a dot).
fn is_owner_credential(credential: &str) -> bool {
    credential.starts_with(super::board::SESSION_PREFIX) || credential.contains('.')
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
