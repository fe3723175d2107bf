//! What happened, as the insights report counts it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Case, Category, Millis, new_id, now};

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
        /// Baton answered a mail by itself (the bot): counted per sender, so a loop with another
        /// machine stops at a few an hour.
        AutoReply = "auto_reply",
        /// An operator mapped a mail address to a verified customer, or took the mapping back.
        MailContact = "mail_contact",
        /// A reader opened a guide the inquiry board suggested while they wrote (no
        /// conversation): with no inquiry from that form, the guides answered them.
        SuggestionOpened = "suggestion_opened",
        /// A customer who asked for a feature was told it shipped or was declined (once per
        /// customer and request).
        FeatureTold = "feature_told",
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
