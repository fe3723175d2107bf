//! What the bot decided for one customer message, and why.

use serde::{Deserialize, Serialize};

wire_enum! {
    /// What the bot decided to do with a message.
    pub enum Decision {
        /// Answer from a guide.
        Answer = "answer",
        /// Offer two or three guides to choose from.
        Clarify = "clarify",
        /// Hand off to a person.
        Handoff = "handoff",
        /// The customer said it is solved: thank them.
        Acknowledge = "acknowledge",
        /// Say nothing: a person has the conversation.
        Silent = "silent",
    }
}

wire_enum! {
    /// How soon a person must look.
    pub enum Priority {
        /// Money or access at stake, or the service is down: the whole team is alerted.
        Urgent = "urgent",
        /// Everything else.
        Normal = "normal",
    }
}

wire_enum! {
    /// Situations where money, access or availability is at stake: the whole team is alerted.
    pub enum UrgentKind {
        /// A payment did not go through.
        PaymentFailed = "payment_failed",
        /// Money was sent but did not arrive (a transfer, a settlement).
        MoneyNotReceived = "money_not_received",
        /// Charged more than once for one thing.
        ChargedTwice = "charged_twice",
        /// The site, store or app is down.
        ServiceDown = "service_down",
        /// Someone else is in the customer's account.
        AccountCompromised = "account_compromised",
    }
}

impl UrgentKind {
    /// The words a Korean team reads at a glance in an alert.
    pub fn label(self) -> &'static str {
        match self {
            UrgentKind::PaymentFailed => "결제 실패 / payment failed",
            UrgentKind::MoneyNotReceived => "입금 안 됨 / money not received",
            UrgentKind::ChargedTwice => "이중 결제 / charged twice",
            UrgentKind::ServiceDown => "서비스 장애 / service down",
            UrgentKind::AccountCompromised => "계정 도용 의심 / account compromised",
        }
    }

    /// The kind of inquiry this is.
    pub fn category(self) -> Category {
        match self {
            UrgentKind::PaymentFailed | UrgentKind::MoneyNotReceived | UrgentKind::ChargedTwice => {
                Category::BillingPayment
            }
            UrgentKind::AccountCompromised => Category::AccountAccess,
            UrgentKind::ServiceDown => Category::BugError,
        }
    }
}

/// Why the bot decided as it did, as stable codes (with a detail where useful).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The best guide covers the question well.
    Confident,
    /// The best guides are from different areas with close scores.
    Ambiguous {
        /// The areas in play.
        areas: Vec<String>,
    },
    /// The customer asked for a person.
    HumanRequested,
    /// Money, access or availability at stake.
    Urgent {
        /// Which situation.
        kind: UrgentKind,
    },
    /// No guide is likely enough to answer the question.
    LowConfidence,
    /// The question is far from every guide by meaning: about something the guides do not
    /// cover (a courier's parcel, tax advice), so a person answers instead of a list.
    OutOfScope,
    /// The best guide may answer, but not surely enough to answer from it alone: the bot offers
    /// the best two or three.
    Unsure,
    /// A short follow-up, searched with the previous question's topic.
    FollowUp {
        /// The earlier question whose topic was carried over.
        topic: String,
    },
    /// The customer said the last answer did not help.
    NotHelpful,
    /// The customer asked the same thing again.
    Repeated,
    /// A mail the receiving side judged spam, a virus or spoofed, or one a machine sent that
    /// belongs to no thread: kept for people to look at, never answered.
    Quarantined,
    /// Left on the inquiry board: people answer it, whatever the bot read.
    Board,
    /// A thread of an organisation's standing line: people answer it.
    Line,
}

/// The stable code of a reason, as events and reports record it (`urgent:money_not_received`).
impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Confident => f.write_str("confident"),
            Reason::Ambiguous { .. } => f.write_str("ambiguous"),
            Reason::HumanRequested => f.write_str("human_requested"),
            Reason::Urgent { kind } => write!(f, "urgent:{kind}"),
            Reason::LowConfidence => f.write_str("low_confidence"),
            Reason::OutOfScope => f.write_str("out_of_scope"),
            Reason::NotHelpful => f.write_str("not_helpful"),
            Reason::Repeated => f.write_str("repeated"),
            Reason::Quarantined => f.write_str("quarantined"),
            Reason::Board => f.write_str("board"),
            Reason::Line => f.write_str("line"),
            Reason::Unsure => f.write_str("unsure"),
            Reason::FollowUp { .. } => f.write_str("follow_up"),
        }
    }
}

wire_enum! {
    /// The five kinds of inquiry that reports count.
    pub enum Category {
        /// How do I …
        HowTo = "how_to",
        /// Something is broken or shows an error.
        BugError = "bug_error",
        /// Payments, refunds, settlements, transfers, the plan's invoice.
        BillingPayment = "billing_payment",
        /// Login, verification, locked or compromised accounts.
        AccountAccess = "account_access",
        /// Asking for something the product does not do.
        FeatureRequest = "feature_request",
    }
}

wire_enum! {
    /// The customer's verdict on a bot answer.
    pub enum Feedback {
        /// It solved it.
        Helpful = "helpful",
        /// It did not.
        NotHelpful = "not_helpful",
    }
}

/// One guide the search returned for a bot turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// Guide id.
    pub guide: String,
    /// Title.
    pub title: String,
    /// Product area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Best section's anchor.
    #[serde(default)]
    pub anchor: String,
    /// Search score.
    pub score: f32,
    /// Share of the question the guide covers.
    pub coverage: f32,
}

/// Everything the bot considered and decided for one customer message: kept on the bot's message
/// so the operator sees exactly what was tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotTurn {
    /// The customer's words searched (masked).
    pub query: String,
    /// What it did.
    pub decision: Decision,
    /// 0–1: the probability that the best guide answers the question ([`kb::confidence`]).
    pub confidence: f32,
    /// What the probability was computed from, and the signals that pulled it most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// Why.
    pub reasons: Vec<Reason>,
    /// Urgent or normal.
    pub priority: Priority,
    /// Kind of inquiry.
    pub category: Category,
    /// Product area of the best guide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Top search results.
    pub hits: Vec<Attempt>,
    /// Guides shown to the customer.
    pub cited: Vec<String>,
    /// The customer's verdict, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Feedback>,
    /// The analysed terms of the customer's message this turn answered, kept so that a later
    /// message is compared with it without analysing it again (empty in turns stored before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
}

/// Why the bot was as sure as it was: the search's signals about its best guide and each one's
/// pull on the probability (log-odds, largest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The signals.
    pub signals: kb::confidence::Signals,
    /// The three signals that moved the probability most, with their pull.
    pub drivers: Vec<(String, f32)>,
}

impl BotTurn {
    /// The turn of a hand-off the customer asked for, with nothing searched: a normal-priority
    /// how-to until the caller knows better.
    pub fn human_requested(query: String) -> BotTurn {
        BotTurn {
            query,
            decision: Decision::Handoff,
            confidence: 0.0,
            evidence: None,
            reasons: vec![Reason::HumanRequested],
            priority: Priority::Normal,
            category: Category::HowTo,
            area: None,
            hits: Vec::new(),
            cited: Vec::new(),
            feedback: None,
            terms: Vec::new(),
        }
    }

    /// The reason a hand-off is for: the first one that is not about answering.
    pub fn handoff_reason(&self) -> Reason {
        self.reasons
            .iter()
            .find(|r| {
                !matches!(
                    r,
                    Reason::Confident
                        | Reason::Ambiguous { .. }
                        | Reason::Unsure
                        | Reason::FollowUp { .. }
                )
            })
            .cloned()
            .unwrap_or(Reason::HumanRequested)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde_and_parse() {
        for kind in UrgentKind::ALL {
            let json = serde_json::to_string(kind).expect("serialize");
            assert_eq!(json, format!("\"{}\"", kind.code()));
            assert_eq!(serde_json::from_str::<UrgentKind>(&json).ok(), Some(*kind));
        }
        assert_eq!(
            Category::parse("billing_payment"),
            Some(Category::BillingPayment)
        );
        assert!(
            "nope"
                .parse::<Category>()
                .is_err_and(|e| e.contains("how_to"))
        );
        let reason = Reason::Urgent {
            kind: UrgentKind::ServiceDown,
        };
        assert_eq!(reason.to_string(), "urgent:service_down");
        assert_eq!(
            serde_json::to_value(&reason).expect("json"),
            serde_json::json!({"code": "urgent", "kind": "service_down"})
        );
    }
}
