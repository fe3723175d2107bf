//! Feature requests as the team triages them: a group of customers' asks for one thing, its
//! status, and whom the team's word has reached.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Millis;
use kb::Lang;

wire_enum! {
    /// Where a feature request stands.
    pub enum FeatureStatus {
        /// 검토 중: the product team is weighing it.
        Reviewing = "reviewing",
        /// Planned: it will be built.
        Planned = "planned",
        /// 출시됨: it shipped. Everyone who asked is told, once.
        Shipped = "shipped",
        /// 하지 않음: declined, with a reason. Everyone who asked is told, once.
        Declined = "declined",
    }
}

impl FeatureStatus {
    /// Whether the customers who asked are told of this status.
    pub fn tells(self) -> bool {
        matches!(self, FeatureStatus::Shipped | FeatureStatus::Declined)
    }
}

/// One customer's ask in a feature request: the conversation it was asked in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    /// The conversation.
    pub conversation_id: String,
    /// Who asked ([`crate::events::customer_key`], else the conversation id): one customer who
    /// asked twice is told once.
    pub customer: String,
    /// The channel it was asked on (`board`, `mail`, `web` …): where the answer goes.
    pub channel: String,
    /// The customer's language: the answer's.
    pub locale: Lang,
    /// Their words (masked, short).
    pub words: String,
    /// When it was asked.
    pub asked_at: Millis,
    /// When they were told of the team's decision (in this conversation or another of theirs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub told_at: Option<Millis>,
}

/// A feature request the team triages: customers' asks for one thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureRequest {
    /// `fr_…`.
    pub id: String,
    /// What is asked for, as the team names it.
    pub title: String,
    /// Where it stands.
    pub status: FeatureStatus,
    /// Why it was declined (or any word on the status), for the team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the customers who asked are told when it ships or is declined, per language (`ko`,
    /// `en`); a language without its own text gets the other one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub announcement: BTreeMap<Lang, String>,
    /// The product area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// The asks, oldest first.
    pub asks: Vec<Ask>,
    /// Who last changed it.
    pub by: String,
    /// Created.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
    /// Bumped by every write.
    pub version: u64,
}

impl FeatureRequest {
    /// Distinct customers who asked.
    pub fn reach(&self) -> usize {
        let mut customers: Vec<&str> = self.asks.iter().map(|a| a.customer.as_str()).collect();
        customers.sort_unstable();
        customers.dedup();
        customers.len()
    }

    /// When it was first asked.
    pub fn since(&self) -> Option<Millis> {
        self.asks.iter().map(|a| a.asked_at).min()
    }

    /// The announcement in `lang`, else in the other language.
    pub fn announcement_in(&self, lang: Lang) -> Option<&str> {
        self.announcement
            .get(&lang)
            .or_else(|| self.announcement.values().next())
            .map(String::as_str)
    }
}
