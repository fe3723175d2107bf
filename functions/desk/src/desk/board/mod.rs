//! The inquiry board (문의하기): a customer leaves an inquiry when it suits them (title, text, the
//! kind and area they choose, screenshots by the conversation's own upload routes), comes back to
//! the answer and to every earlier inquiry, and writes again under it.
//!
//! - **An inquiry is a conversation** with the channel `board`, handed to people at once: the bot
//!   only reads it (urgent? about what?), so it enters the same queue, console and report, and
//!   an urgent one alerts the team. Its thread is the customer's address: a person's answer is
//!   mailed by the e-mail channel's sending path, and a reply to that mail joins the inquiry.
//! - **Who is writing.** A verified customer (the site's signed token, `docs/identity.md`) sees
//!   every conversation of theirs, chats included. A guest gives an address; to see their
//!   inquiries later they ask for a sign-in link, mailed to that address (single use, 15 minutes,
//!   bound to it), which opens a 12-hour session. Nobody reads another's inquiry: every read
//!   checks the conversation's owner ([`Conversation::owner`]).
//! - **Spam.** A trap field people never see, a form token that says when the form was opened
//!   (signed, so a machine cannot say it waited), per-owner and per-address limits, bounded
//!   sizes. A refused inquiry is not stored, and the page keeps what the person wrote.
//!
//! `form.rs` signs and reads the form's token; `access.rs` is a guest's sign-in link and session
//! and whose inquiries a credential opens; this file is the form, the inquiry and the lists.

mod access;
mod form;

pub use access::Session;
pub(crate) use access::address;
pub use form::BoardKey;

use std::collections::BTreeMap;

use kb::Lang;
use serde::{Deserialize, Serialize};

use super::customers::{hash, secret};
use super::turns::Medium;
use super::{Context, Desk, validate};
use crate::error::{Error, Result};
use crate::events;
use crate::model::{
    Author, BOARD_CHANNEL, BoardStatus, Case, Category, Conversation, ConversationState, Customer,
    Event, EventKind, MailThread, Message, Millis, Owner, new_id, now,
};
use crate::store::Commit;

/// How long a sign-in link opens a session.
pub const LINK_MS: Millis = 15 * 60_000;
/// How long a session lasts.
pub const SESSION_MS: Millis = 12 * 3_600_000;
/// Most sign-in links mailed to one address in an hour.
pub const LINKS_PER_HOUR: usize = 3;
/// Most inquiries one owner (customer or address) leaves in an hour.
pub const INQUIRIES_PER_HOUR: usize = 5;
/// Fastest a person fills the form, from opening it to sending.
pub const MIN_FILL_MS: Millis = 3_000;
/// Oldest form taken.
pub const MAX_FORM_AGE_MS: Millis = 24 * 3_600_000;
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// Most conversations a list shows.
pub const MAX_LISTED: usize = 30;
/// What a board session's secret starts with (a conversation's secret is bare hex).
pub const SESSION_PREFIX: &str = "bs_";

/// What the board's form needs: its token, the kinds of inquiry, the product areas.
#[derive(Debug, Clone, Serialize)]
pub struct BoardForm {
    /// Sent back with the inquiry.
    pub form: String,
    /// The kinds of inquiry a customer may choose.
    pub categories: Vec<Category>,
    /// The product areas of the guides (`kb.toml`'s `areas`), sorted.
    pub areas: Vec<String>,
    /// Whether a guest can be mailed a sign-in link (mail is set up).
    pub sign_in_by_mail: bool,
}

/// An inquiry as the form sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inquiry {
    /// The site's signed token for a verified customer (`docs/identity.md`).
    #[serde(default)]
    pub identity_token: Option<String>,
    /// A guest's address (where the answer is mailed); a verified customer's when their token
    /// names none.
    #[serde(default)]
    pub email: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// The kind of inquiry.
    #[serde(default)]
    pub category: Option<Category>,
    /// The product area.
    #[serde(default)]
    pub area: Option<String>,
    /// One line.
    pub title: String,
    /// The question.
    pub text: String,
    /// `ko` or `en`; detected when absent.
    #[serde(default)]
    pub locale: Option<Lang>,
    /// The form token of [`Desk::board_form`].
    #[serde(default)]
    pub form: String,
    /// The trap field: hidden from people, filled by machines.
    #[serde(default)]
    pub website: String,
    /// Page or app metadata.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// A stored inquiry, and the secret that opens its conversation (for the screenshots, and for a
/// guest to read it in this browser without signing in).
#[derive(Debug, Clone)]
pub struct Submitted {
    /// The conversation.
    pub conversation: Conversation,
    /// Its title.
    pub title: String,
    /// Its secret (shown once).
    pub secret: String,
    /// The case it opened.
    pub case: Case,
}

/// One conversation in a customer's list.
#[derive(Debug, Clone, Serialize)]
pub struct InquirySummary {
    /// `cv_…`.
    pub id: String,
    /// The title (a mail's subject), or the start of the first message.
    pub title: String,
    /// `board`, `mail`, `web` …
    pub channel: String,
    /// What the customer reads it as.
    pub status: BoardStatus,
    /// Created.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
}

impl Desk {
    /// This desk, signing board forms with `key`.
    pub fn with_board_key(mut self, key: BoardKey) -> Desk {
        self.board_key = std::sync::Arc::new(key);
        self
    }

    /// What the board's form needs, with a fresh token.
    pub fn board_form(&self) -> BoardForm {
        let mut areas: Vec<String> = self
            .kb
            .guides()
            .iter()
            .filter_map(|g| g.guide.area.clone())
            .filter(|a| !a.is_empty())
            .collect();
        areas.sort();
        areas.dedup();
        BoardForm {
            form: self.board_key.form_token(now()),
            categories: Category::ALL.to_vec(),
            areas,
            sign_in_by_mail: self.mail_settings().is_some(),
        }
    }

    /// The form id of a token, if it is one this desk signed and a person could have filled it
    /// (opened at least [`MIN_FILL_MS`] ago, at most a day).
    fn form_id(&self, token: &str) -> Result<String> {
        let (id, at) = self.board_key.read_form(token).ok_or_else(|| {
            Error::Refused(
                "this form could not be checked; reload the page and send it again".into(),
            )
        })?;
        let age = now() - at;
        if age < MIN_FILL_MS {
            return Err(Error::Refused(
                "this form was sent faster than a person types; wait a moment and send it again"
                    .into(),
            ));
        }
        if age > MAX_FORM_AGE_MS {
            return Err(Error::Refused(
                "this form was opened too long ago; send it again".into(),
            ));
        }
        Ok(id)
    }

    /// Leaves an inquiry: checked for machines and limits, then stored as a conversation handed
    /// to people (alerting the team when urgent), in one commit after the conversation.
    pub async fn submit_inquiry(&self, inquiry: Inquiry) -> Result<Submitted> {
        if !inquiry.website.trim().is_empty() {
            return Err(Error::Refused(
                "this form could not be sent; reload the page and send it again".into(),
            ));
        }
        let form = self.form_id(&inquiry.form)?;
        let title = self.one_line("the title", &inquiry.title, MAX_TITLE_CHARS)?;
        let text = validate(&self.mask(&inquiry.text))?;
        let areas = self.board_form().areas;
        if let Some(area) = &inquiry.area
            && !areas.contains(area)
        {
            return Err(Error::Invalid(format!(
                "unknown area \"{}\" (one of {})",
                area.chars().take(40).collect::<String>(),
                areas.join(", ")
            )));
        }
        let identity = inquiry
            .identity_token
            .as_deref()
            .map(|token| self.identity.verify(token))
            .transpose()?;
        let given = inquiry.email.as_deref().map(address).transpose()?;
        let organisation = identity
            .as_ref()
            .and_then(|i| i.membership.as_ref())
            .map(|m| m.organisation.clone());
        let (customer, address) = match identity {
            Some(identity) => {
                let signed = identity
                    .contact
                    .as_deref()
                    .filter(|c| c.contains('@'))
                    .map(address)
                    .transpose()
                    .unwrap_or(None);
                let customer = Customer {
                    id: identity.id,
                    verified: true,
                    claimed_id: None,
                    contact: self.contact("identity contact", identity.contact)?,
                    name: self.field("identity name", identity.name)?,
                };
                // Only the address the site signed: answers mailed to one the browser typed
                // would reach (and let into the thread) whoever owns it. Without one, the
                // answer is on the board only.
                (customer, signed)
            }
            None => {
                let address = given.ok_or_else(|| {
                    Error::Invalid("an e-mail address is needed to send the answer to".into())
                })?;
                let customer = Customer {
                    id: new_id("anon"),
                    verified: false,
                    claimed_id: None,
                    contact: self.contact("email", Some(address.clone()))?,
                    name: self.field("name", inquiry.name.clone())?,
                };
                (customer, Some(address))
            }
        };
        let owner = match (&customer.verified, &address) {
            (true, _) => Owner::Customer(customer.id.clone()),
            (false, Some(address)) => Owner::Address(address.clone()),
            (false, None) => unreachable!("a guest always gives an address"),
        };
        self.within_inquiry_limit(&owner).await?;
        let metadata = self.metadata(inquiry.metadata)?;
        let secret = secret()?;
        let at = now();
        let conversation = Conversation {
            id: new_id("cv"),
            customer,
            channel: BOARD_CHANNEL.into(),
            locale: inquiry
                .locale
                .unwrap_or_else(|| Lang::detect(&pii::without_masks(&text))),
            metadata,
            secret_hash: hash(&secret),
            device_secret_hashes: Vec::new(),
            state: ConversationState::Bot,
            case_id: None,
            mail: address.map(|address| MailThread {
                address,
                subject: title.clone(),
                references: Vec::new(),
                replying_to: None,
            }),
            organisation,
            created_at: at,
            updated_at: at,
            version: 0,
        };
        self.store.insert_conversation(&conversation).await?;
        let message = Message::new(
            &conversation.id,
            Author::Customer,
            format!("{title}\n\n{text}"),
            at,
        );
        let context = Context {
            conversation,
            messages: Vec::new(),
        };
        let medium = Medium::Board {
            category: inquiry.category,
            area: inquiry.area.clone(),
            reason: crate::model::Reason::Board,
        };
        let mut planned = self.bot_turn(&context, message, medium).await?;
        // The locale the customer chose stands over the one read from the text.
        if let (Some(locale), Some(conversation)) =
            (inquiry.locale, planned.commit.conversation.as_mut())
        {
            conversation.locale = locale;
        }
        let locale = planned
            .commit
            .conversation
            .as_ref()
            .map_or(Lang::Ko, |c| c.locale);
        let urgent = planned
            .result
            .case
            .as_ref()
            .is_some_and(|c| c.priority == crate::model::Priority::Urgent);
        if let Some(reply) = planned.result.reply.as_mut() {
            reply.text = receipt(locale, urgent);
            reply.quick_replies.clear();
            if let Some(stored) = planned
                .commit
                .messages
                .iter_mut()
                .find(|m| m.id == reply.id)
            {
                *stored = reply.clone();
            }
        }
        for event in &mut planned.commit.events {
            if event.kind == EventKind::Open {
                event.data.insert(events::FORM.into(), form.clone());
            }
        }
        let conversation = planned
            .commit
            .conversation
            .clone()
            .ok_or_else(|| Error::Corrupt("a board turn without its conversation".into()))?;
        let (_, posted) = self.apply(planned).await?;
        let case = posted
            .case
            .ok_or_else(|| Error::Corrupt("a board inquiry without its case".into()))?;
        Ok(Submitted {
            conversation,
            title,
            secret,
            case,
        })
    }

    /// Refuses an owner's inquiry past [`INQUIRIES_PER_HOUR`].
    async fn within_inquiry_limit(&self, owner: &Owner) -> Result<()> {
        let hour_ago = now() - 3_600_000;
        let recent = self
            .store
            .owner_conversations(&owner.key(), INQUIRIES_PER_HOUR)
            .await?
            .into_iter()
            .filter(|c| c.channel == BOARD_CHANNEL && c.created_at > hour_ago)
            .collect::<Vec<_>>();
        if recent.len() >= INQUIRIES_PER_HOUR {
            let oldest = recent
                .iter()
                .map(|c| c.created_at)
                .min()
                .unwrap_or(hour_ago);
            return Err(Error::TooMany {
                message: format!(
                    "{INQUIRIES_PER_HOUR} inquiries in an hour is the most we take from one person; add to an earlier one, or try again later"
                ),
                retry_after: ((oldest + 3_600_000 - now()) / 1000).max(1) as u64,
            });
        }
        Ok(())
    }

    /// An owner's conversations, newest first (at most [`MAX_LISTED`]), with the status each
    /// reads as.
    pub async fn inquiries(&self, owner: &Owner) -> Result<Vec<InquirySummary>> {
        let key = owner.key();
        let mut list = Vec::new();
        for conversation in self.store.owner_conversations(&key, MAX_LISTED).await? {
            // Whatever an index holds, only the owner's own; a standing line's threads are the
            // organisation's, listed in its space.
            if conversation.owner().as_ref() != Some(owner) || conversation.is_line() {
                continue;
            }
            let messages = self.store.messages(&conversation.id).await?;
            // A conversation whose first write failed after it was made holds nothing to show.
            if messages.is_empty() {
                continue;
            }
            let status = self.status_of(&conversation, &messages).await?;
            let title = title_of(&conversation, &messages);
            list.push(InquirySummary {
                id: conversation.id.clone(),
                title,
                channel: conversation.channel.clone(),
                status,
                created_at: conversation.created_at,
                updated_at: conversation.updated_at,
            });
        }
        Ok(list)
    }

    /// What the customer reads a conversation's status as.
    pub async fn status_of(
        &self,
        conversation: &Conversation,
        messages: &[Message],
    ) -> Result<BoardStatus> {
        let case_status = match &conversation.case_id {
            Some(id) => self.store.case(id).await?.map(|c| c.status),
            None => None,
        };
        Ok(BoardStatus::of(messages, case_status))
    }

    /// The guides the bot would show for what the customer has written so far: its answer or
    /// its two or three offers, none when it would hand off (`text` searched as a first message;
    /// nothing is stored).
    pub async fn suggest(&self, text: &str, lang: Option<Lang>) -> Result<Vec<crate::model::Link>> {
        let text = validate(&self.mask(text))?;
        let kb = std::sync::Arc::clone(&self.kb);
        let encoder = self.encoder.clone();
        let policy = self.policy;
        let lang = lang.unwrap_or_else(|| Lang::detect(&pii::without_masks(&text)));
        let reply = tokio::task::spawn_blocking(move || {
            crate::bot::respond(&kb, &policy, &text, lang, &[], encoder.as_deref())
        })
        .await
        .map_err(|e| Error::Unavailable(format!("bot task: {e}")))??;
        Ok(match reply.turn.decision {
            crate::model::Decision::Answer | crate::model::Decision::Clarify => reply.links,
            _ => Vec::new(),
        })
    }

    /// A reader opened a guide the form suggested (for the weekly deflection count: forms where
    /// a suggestion was opened and no inquiry was sent).
    pub async fn suggestion_opened(&self, form: &str, guide: &str) -> Result<()> {
        let (form, _) = self
            .board_key
            .read_form(form)
            .ok_or_else(|| Error::Invalid("not a form token of this desk".into()))?;
        if self.kb.guide(guide).is_none() {
            return Err(Error::NotFound {
                what: "guide",
                id: guide.chars().take(80).collect(),
            });
        }
        let event = Event::new(
            EventKind::SuggestionOpened,
            "",
            None,
            None,
            [(events::FORM, form), (events::GUIDE, guide.to_string())],
        );
        self.store
            .commit(&Commit {
                events: vec![event],
                ..Commit::default()
            })
            .await
            .map(|_| ())
    }
}

/// What a customer's list calls a conversation: its subject (a board inquiry's title, a mail's
/// subject), else the first line of its first message.
pub fn title_of(conversation: &Conversation, messages: &[Message]) -> String {
    match &conversation.mail {
        Some(thread) if !thread.subject.is_empty() => thread.subject.clone(),
        _ => messages
            .iter()
            .find(|m| m.author == Author::Customer)
            .map(|m| super::shorten(m.text.lines().next().unwrap_or(""), 60))
            .unwrap_or_default(),
    }
}

/// What the board says once an inquiry is in.
fn receipt(locale: Lang, urgent: bool) -> String {
    match (locale, urgent) {
        (Lang::Ko, true) => "문의를 긴급 건으로 접수했어요. 팀 전체에 바로 알렸어요. 답변은 이 게시판과 메일로 알려 드릴게요.".into(),
        (Lang::Ko, false) => "문의를 접수했어요. 담당자가 확인하고 답변드릴게요. 답변은 이 게시판과 메일로 알려 드릴게요.".into(),
        (_, true) => "We took your inquiry as urgent and alerted the whole team. The answer will be here and in your mail.".into(),
        (_, false) => "We received your inquiry; a person will answer. The answer will be here and in your mail.".into(),
    }
}
