//! Conversations handed to people: cases, and the team's notes on them.

use std::collections::BTreeMap;

use kb::Lang;
use serde::{Deserialize, Serialize};

use super::{Category, Customer, Millis, Priority, Reason, UrgentKind};

wire_enum! {
    /// Where a case is in the queue.
    pub enum CaseStatus {
        /// Waiting for someone.
        Open = "open",
        /// Someone holds it (see `assignee`).
        Claimed = "claimed",
        /// Done.
        Resolved = "resolved",
    }
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

/// The customer's verdict on how a resolved case went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// 1 (bad) to 5 (great).
    pub score: u8,
    /// What they added (masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When.
    pub at: Millis,
}

/// A case raised to urgent by a customer message after hand-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Escalation {
    /// What the message said is at stake.
    pub kind: UrgentKind,
    /// The message.
    pub message_id: String,
    /// What it said (masked, shortened): the words the team is alerted with.
    #[serde(default)]
    pub text: String,
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
    /// Set when a later message made the case urgent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalation>,
    /// What the customer asked, in their words (masked, shortened).
    pub summary: String,
    /// Who holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Channel of the conversation.
    pub channel: String,
    /// The organisation (business customer) its conversation belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Customer's language.
    pub locale: Lang,
    /// Page/app metadata the widget sent.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// The customer's earlier cases, newest first (verified customers only).
    #[serde(default)]
    pub history: Vec<CaseSummary>,
    /// Set when resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// The customer's rating of the last resolution (cleared when the case reopens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// How many times it was reopened.
    #[serde(default)]
    pub reopened: u32,
    /// Reminders sent in its current unclaimed urgent wait (`desk::reminders`).
    #[serde(default)]
    pub reminded: u32,
    /// How many times the desk decided the whole team must hear of it (created, escalated or
    /// reopened urgent by the customer): decided once, when the case is written, and carried
    /// with it, so `baton serve`'s alerter and the AWS alerts function (which alerts when a
    /// stream record shows it rise) never decide twice or differently.
    #[serde(default)]
    pub alerts: u32,
    /// When its current unclaimed wait began, if later than becoming urgent (a release, a
    /// reopening): reminders count from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remind_from: Option<Millis>,
    /// Created.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
    /// Bumped by every write.
    pub version: u64,
}

impl Case {
    /// Starts a new unclaimed wait at `at`: reminders count from here again.
    pub fn wait_again(&mut self, at: Millis) {
        self.reminded = 0;
        self.remind_from = Some(at);
    }

    /// The case id for a conversation: deterministic, so a retried hand-off finds the same case.
    pub fn id_for(conversation_id: &str) -> String {
        format!("case_{}", conversation_id.trim_start_matches("cv_"))
    }

    /// What is at stake, when the case is urgent: the hand-off's kind, else the escalation's.
    pub fn urgent_kind(&self) -> Option<UrgentKind> {
        if self.priority != Priority::Urgent {
            return None;
        }
        match &self.reason {
            Reason::Urgent { kind } => Some(*kind),
            _ => self.escalation.as_ref().map(|e| e.kind),
        }
    }

    /// Where the case sorts in the queue (urgent first, then oldest), as both stores key it;
    /// also the queue's paging cursor.
    pub fn queue_key(&self) -> String {
        let rank = match self.priority {
            Priority::Urgent => 0,
            Priority::Normal => 1,
        };
        format!("{rank}#{:013}#{}", self.created_at, self.id)
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
