//! What one customer message says, read once: the intents it says, its terms, whether it
//! continues the last question; and the kind of inquiry it is.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use kb::analysis::Analyzer;
use kb::intents::{Intent, IntentKind, Intents, Meaning};
use regex::Regex;

use crate::model::{Category, UrgentKind};

/// A customer message read once: everything the bot's decisions read of it (the intents it says,
/// its analysed terms, whether it reads as a follow-up), so no decision analyses it again.
#[derive(Debug, Clone)]
pub struct Reading<'k> {
    /// The intents it says, in the team's order.
    pub(super) said: Vec<&'k Intent>,
    /// Its analysed terms.
    pub(super) terms: BTreeSet<String>,
    /// How many of them are content words (not function words).
    pub(super) content: usize,
    /// Whether it starts with a continuation word (`그럼`, `and`).
    pub(super) continues: bool,
}

impl<'k> Reading<'k> {
    /// Reads `text` (masked already) once; with `meaning` (when the desk has the sentence model,
    /// [`kb::KnowledgeBase::meaning_of`]) the intents are read by their examples as well as by
    /// words.
    pub fn of(intents: &'k Intents, text: &str, meaning: Option<&Meaning>) -> Reading<'k> {
        let analysed = Analyzer::Text.terms(text);
        let content = analysed
            .iter()
            .filter(|t| !kb::function_words::is_function_word(t))
            .count();
        let terms: BTreeSet<String> = analysed.into_iter().collect();
        Reading {
            said: intents.detect(text, meaning),
            terms,
            content,
            continues: kb::function_words::continues(text),
        }
    }

    fn first(&self, kind: IntentKind) -> Option<&'k Intent> {
        self.said.iter().copied().find(|i| i.kind == kind)
    }

    /// The urgent kind it says, if it is urgent: the first urgent intent.
    pub fn urgency(&self) -> Option<UrgentKind> {
        self.said
            .iter()
            .filter(|i| i.kind == IntentKind::Urgent)
            .find_map(|i| i.name.parse().ok())
    }

    /// Whether it asks for a person.
    pub fn wants_human(&self) -> bool {
        self.first(IntentKind::Human).is_some()
    }

    /// Its verdict on the last answer, if it gives one.
    pub fn feedback(&self) -> Option<crate::model::Feedback> {
        if self.first(IntentKind::NotHelpful).is_some() {
            Some(crate::model::Feedback::NotHelpful)
        } else if self.first(IntentKind::Solved).is_some() {
            Some(crate::model::Feedback::Helpful)
        } else {
            None
        }
    }

    /// Whether it asks for something the product does not do.
    pub fn asks_for_a_feature(&self) -> bool {
        self.first(IntentKind::FeatureRequest).is_some()
    }
}

/// Words that suggest something is broken, for telling a bug report from a how-to question.
static ERROR_SIGNAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b[A-Z]{3}-\d{4}\b|오류|에러|안\s*(돼|되|됩)|실패|버그|먹통|멈춰|error|fail|broken|crash|bug|not\s+working",
    )
    .expect("the error signal is a valid regular expression")
});

/// Refuses an intents file whose urgent intents Baton cannot alert on: each urgent intent must be
/// named for an [`UrgentKind`], so alerts, reports and the queue read it the same way.
pub fn check_intents(intents: &Intents) -> std::result::Result<(), String> {
    for intent in intents
        .all()
        .iter()
        .filter(|i| i.kind == IntentKind::Urgent)
    {
        if intent.name.parse::<UrgentKind>().is_err() {
            let known: Vec<String> = UrgentKind::ALL.iter().map(ToString::to_string).collect();
            return Err(format!(
                "urgent intent \"{}\" is not a kind Baton alerts on ({})",
                intent.name,
                known.join(", ")
            ));
        }
    }
    Ok(())
}

/// The urgent kind of a message, if it is urgent: the first urgent intent it says, by words and,
/// with its `meaning`, by meaning.
pub fn urgency(intents: &Intents, text: &str, meaning: Option<&Meaning>) -> Option<UrgentKind> {
    Reading::of(intents, text, meaning).urgency()
}

/// True when the customer asks for a person (by words).
pub fn wants_human(intents: &Intents, text: &str) -> bool {
    Reading::of(intents, text, None).wants_human()
}

/// The customer's verdict on the last answer, read from their words or a quick reply.
pub fn feedback(intents: &Intents, text: &str) -> Option<crate::model::Feedback> {
    Reading::of(intents, text, None).feedback()
}

/// The kind of inquiry, from the words and the best guide's area.
pub fn categorize(
    intents: &Intents,
    text: &str,
    area: Option<&str>,
    urgent: Option<UrgentKind>,
) -> Category {
    category_of(&Reading::of(intents, text, None), text, area, urgent)
}

/// [`categorize`] of a message read already.
pub(super) fn category_of(
    reading: &Reading,
    text: &str,
    area: Option<&str>,
    urgent: Option<UrgentKind>,
) -> Category {
    if reading.asks_for_a_feature() {
        return Category::FeatureRequest;
    }
    if let Some(kind) = urgent {
        return kind.category();
    }
    match area {
        Some("payments" | "billing" | "transfers") => Category::BillingPayment,
        Some("account" | "security") => Category::AccountAccess,
        _ if ERROR_SIGNAL.is_match(text) => Category::BugError,
        _ => Category::HowTo,
    }
}
