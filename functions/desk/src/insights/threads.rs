//! One conversation's story, folded from its events in time order: when it opened, what the bot
//! did and how the customer took it, the hand-off and what people did after.

use std::collections::HashMap;

use crate::events as key;
use crate::model::{Category, Decision, Event, EventKind, Feedback, Millis};

/// How a conversation ended for the bot, each one counted once in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// The customer said an answer solved it (a "helpful" verdict, or "solved, thanks").
    Confirmed,
    /// People took it over.
    HandedOff,
    /// The customer said an answer did not help, and left without asking for a person.
    NotHelpful,
    /// The customer said nothing more after the bot (an answer, guides offered): maybe solved,
    /// maybe given up.
    Silent,
}

impl Outcome {
    /// Its name in reports.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::HandedOff => "handed_off",
            Outcome::NotHelpful => "not_helpful",
            Outcome::Silent => "silent",
        }
    }
}

/// What the events say about one conversation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thread {
    /// The conversation id.
    pub id: String,
    /// The first customer message (`None`: opened before the events read).
    pub opened: Option<Millis>,
    /// Where from.
    pub channel: String,
    /// The customer's language.
    pub lang: String,
    /// Whether the host site signed the customer.
    pub verified: bool,
    /// [`crate::events::customer_key`].
    pub customer: String,
    /// The organisation (business customer), empty for none.
    pub organisation: String,
    /// Kind of inquiry: the resolution's, else the hand-off's, else the bot's last.
    pub category: Option<Category>,
    /// Product area: the hand-off's, else the bot's last.
    pub area: Option<String>,
    /// A verdict "helpful" or an acknowledged "solved".
    pub confirmed: bool,
    /// A verdict "not helpful".
    pub not_helpful: bool,
    /// The first hand-off.
    pub handed_off: Option<Millis>,
    /// Its reason code (`low_confidence`, `human_requested`, `urgent` …).
    pub reason: String,
    /// When it became urgent (handed off urgent, or escalated).
    pub urgent_since: Option<Millis>,
    /// Which urgent situation.
    pub urgency: String,
    /// The first claim after the hand-off, and by whom.
    pub claimed: Option<(Millis, String)>,
    /// The first claim at or after it became urgent.
    pub claimed_urgent: Option<Millis>,
    /// The first operator reply.
    pub first_reply: Option<Millis>,
    /// The first resolution.
    pub resolved: Option<Millis>,
    /// Times reopened.
    pub reopened: u32,
    /// The customer's rating (the last one given).
    pub rating: Option<u8>,
    /// The words of the hand-off.
    pub question: String,
    /// The words of the answer the customer said did not help.
    pub not_helpful_question: String,
    /// Guides the bot showed before any hand-off, first shown first.
    pub cited: Vec<String>,
    /// Sections it showed (`guide#anchor`), first shown first.
    pub sections: Vec<String>,
}

impl Thread {
    /// How it went for the bot.
    pub fn outcome(&self) -> Outcome {
        if self.handed_off.is_some() {
            Outcome::HandedOff
        } else if self.confirmed {
            Outcome::Confirmed
        } else if self.not_helpful {
            Outcome::NotHelpful
        } else {
            Outcome::Silent
        }
    }

    fn claim(&mut self, at: Millis, operator: &str) {
        if self.claimed.is_none() {
            self.claimed = Some((at, operator.to_string()));
        }
        if self.claimed_urgent.is_none() && self.urgent_since.is_some() {
            self.claimed_urgent = Some(at);
        }
    }

    fn add(&mut self, event: &Event) {
        let get = |k: &str| event.data.get(k).map(String::as_str).unwrap_or_default();
        match event.kind {
            EventKind::Open => {
                self.opened = Some(event.at);
                self.channel = get(key::CHANNEL).to_string();
                self.lang = get(key::LANG).to_string();
                self.verified = get(key::VERIFIED) == "true";
                self.customer = get(key::CUSTOMER).to_string();
                self.organisation = get(key::ORGANISATION).to_string();
            }
            EventKind::BotTurn => {
                if self.lang.is_empty() {
                    self.lang = get(key::LANG).to_string();
                }
                let decision = get(key::DECISION);
                if decision == Decision::Acknowledge.code() {
                    self.confirmed = true;
                }
                if self.handed_off.is_none() && decision != Decision::Acknowledge.code() {
                    self.category = event.category.or(self.category);
                    self.area = event.area.clone().or(self.area.take());
                    for (list, k) in [
                        (&mut self.cited, key::CITED),
                        (&mut self.sections, key::SECTIONS),
                    ] {
                        for item in get(k).split(',').filter(|s| !s.is_empty()) {
                            if !list.iter().any(|c| c == item) {
                                list.push(item.to_string());
                            }
                        }
                    }
                }
            }
            EventKind::Feedback => match get(key::VERDICT) {
                v if v == Feedback::Helpful.code() => self.confirmed = true,
                v if v == Feedback::NotHelpful.code() => {
                    self.not_helpful = true;
                    self.not_helpful_question = get(key::QUESTION).to_string();
                }
                _ => {}
            },
            EventKind::Handoff if self.handed_off.is_none() => {
                self.handed_off = Some(event.at);
                self.category = event.category.or(self.category);
                self.area = event.area.clone().or(self.area.take());
                let reason = get(key::REASON);
                self.reason = reason.split(':').next().unwrap_or_default().to_string();
                if get(key::PRIORITY) == "urgent" {
                    self.urgent_since = Some(event.at);
                    self.urgency = get(key::URGENCY).to_string();
                }
                if self.customer.is_empty() {
                    self.customer = get(key::CUSTOMER).to_string();
                }
                self.question = get(key::QUESTION).to_string();
            }
            EventKind::Escalate if self.urgent_since.is_none() => {
                self.urgent_since = Some(event.at);
                self.urgency = get(key::URGENCY).to_string();
            }
            EventKind::Claim => self.claim(event.at, get(key::OPERATOR)),
            EventKind::Reply => {
                if self.first_reply.is_none() {
                    self.first_reply = Some(event.at);
                }
                // A reply to an open case claims it (no claim event of its own).
                self.claim(event.at, get(key::OPERATOR));
            }
            EventKind::Resolve => {
                if self.resolved.is_none() {
                    self.resolved = Some(event.at);
                }
                self.category = event.category.or(self.category);
            }
            EventKind::Reopen => self.reopened += 1,
            EventKind::Rating => self.rating = get(key::SCORE).parse().ok(),
            _ => {}
        }
    }
}

/// Folds events (in time order) into conversations, by id.
#[derive(Debug, Default)]
pub struct Threads {
    by_id: HashMap<String, Thread>,
}

impl Threads {
    /// Adds one event (events without a conversation are ignored here).
    pub fn add(&mut self, event: &Event) {
        if event.conversation_id.is_empty() {
            return;
        }
        let thread = self
            .by_id
            .entry(event.conversation_id.clone())
            .or_insert_with(|| Thread {
                id: event.conversation_id.clone(),
                ..Thread::default()
            });
        thread.add(event);
    }

    /// The conversations whose first customer message is known, oldest first.
    pub fn opened(self) -> Vec<Thread> {
        let mut threads: Vec<Thread> = self
            .by_id
            .into_values()
            .filter(|t| t.opened.is_some())
            .collect();
        threads.sort_by(|a, b| a.opened.cmp(&b.opened).then_with(|| a.id.cmp(&b.id)));
        threads
    }
}
