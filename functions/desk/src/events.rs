//! The facts the desk records for insights: which [`Event`](crate::model::Event) kinds carry
//! which keys in their `data`, each key spelled once here. `docs/events.md` is the schema a team
//! reads; this module is the schema the code writes and the report reads.
//!
//! Every value is text, masked like every stored text before it gets here; numbers are decimal,
//! lists comma-separated, booleans `true`/`false`. A key a kind does not carry is absent, never
//! empty, except where the schema says empty means "none".

use crate::model::Customer;

/// The customer's words (masked, at most [`MAX_WORDS_CHARS`]): a search's query, the question
/// a bot turn searched, a hand-off's last question, a "no" vote's search.
pub const QUESTION: &str = "question";
/// A search's query (masked).
pub const QUERY: &str = "query";
/// Language code (`ko`, `en`).
pub const LANG: &str = "lang";
/// How many guides a search found.
pub const HITS: &str = "hits";
/// The best guide's id (empty: none).
pub const TOP_GUIDE: &str = "top_guide";
/// Where a search came from: [`SOURCE_HELP_CENTER`] or [`SOURCE_API`].
pub const SOURCE: &str = "source";
/// A bot turn's decision (`answer`, `clarify`, `handoff`, `acknowledge`, `silent`).
pub const DECISION: &str = "decision";
/// A bot turn's probability that its best guide answers, or a search's (0–1, three decimals).
pub const PROBABILITY: &str = "probability";
/// A bot turn's reasons, or a hand-off's reason (`low_confidence`, `urgent:payment_failed` …).
pub const REASONS: &str = "reasons";
/// A hand-off's reason.
pub const REASON: &str = "reason";
/// Guides shown to the customer, comma-separated ids.
pub const CITED: &str = "cited";
/// Sections shown, comma-separated `guide#anchor` (the anchor empty for an introduction).
pub const SECTIONS: &str = "sections";
/// `urgent` or `normal`.
pub const PRIORITY: &str = "priority";
/// The urgent situation (`payment_failed`, `money_not_received`, `service_down`, …).
pub const URGENCY: &str = "urgency";
/// A customer's verdict on a bot answer (`helpful`, `not_helpful`).
pub const VERDICT: &str = "verdict";
/// A guide id.
pub const GUIDE: &str = "guide";
/// An article vote (`true` helpful, `false` not).
pub const HELPFUL: &str = "helpful";
/// The search a reader came from (masked).
pub const SEARCH: &str = "search";
/// An operator's name.
pub const OPERATOR: &str = "operator";
/// A resolution's promised follow-up (empty: none).
pub const FOLLOW_UP: &str = "follow_up";
/// A rating, 1–5.
pub const SCORE: &str = "score";
/// Where a conversation was opened (`web`, `app`, …).
pub const CHANNEL: &str = "channel";
/// Whether the host site signed the customer's identity.
pub const VERIFIED: &str = "verified";
/// The inquiry board's form a conversation was sent from, or whose suggested guide a reader
/// opened (an id per opened form): a form with an opened guide and no inquiry is one the guides
/// answered.
pub const FORM: &str = "form";
/// The organisation (business customer) a conversation belongs to (absent: none).
pub const ORGANISATION: &str = "organisation";
/// A feature request's status the customer was told (`shipped`, `declined`).
pub const STATUS: &str = "status";
/// The customer, as [`customer_key`]: links a customer's conversations without naming them.
pub const CUSTOMER: &str = "customer";

/// The period a report covered (`2026-W49`).
pub const PERIOD: &str = "period";

/// Where a search came from.
pub const SOURCE_HELP_CENTER: &str = "help_center";
/// A search through `GET /api/search` by anyone else.
pub const SOURCE_API: &str = "api";

/// Whether a search's source is a customer's: only those are questions the guides should answer
/// (an operator's search, or a source a later version adds, is not).
pub fn is_customer_source(source: &str) -> bool {
    source == SOURCE_HELP_CENTER || source == SOURCE_API
}

/// Longest customer words an event keeps, in characters.
pub const MAX_WORDS_CHARS: usize = 300;

/// How long events are kept unless a team says otherwise (`BATON_EVENT_DAYS`).
pub const DEFAULT_KEEP_DAYS: u32 = crate::config::DEFAULT_EVENT_DAYS;

/// The customer in events: a hash of their id, so the report can tell one customer's
/// conversations apart (coming back within 7 days) without events naming anyone.
pub fn customer_key(customer: &Customer) -> String {
    let hash = blake3::derive_key("baton events customer v1", customer.id.as_bytes());
    hash[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Customer words as an event keeps them: at most [`MAX_WORDS_CHARS`], without a run of six or
/// more digits at the very end. Such a run may be the first half of a number the customer's next
/// message completes (`my card is 4539 1488`, then `0343 6467`): the messages are masked again
/// together then, but an event is written once and never again.
pub fn words(text: &str) -> String {
    let text = text.trim();
    let tail = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '_'))
        .last()
        .map_or(text.len(), |(at, _)| at);
    let digits = text[tail..].chars().filter(char::is_ascii_digit).count();
    let kept = if digits >= 6 {
        text[..tail].trim_end()
    } else {
        text
    };
    kept.chars().take(MAX_WORDS_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_that_may_run_on_is_not_kept_at_the_end_of_words() {
        assert_eq!(words("my card is 4539 1488"), "my card is");
        assert_eq!(words("주민번호 앞자리 880808"), "주민번호 앞자리");
        assert_eq!(words("결제 오류 E-5003"), "결제 오류 E-5003");
        assert_eq!(words("주문 20261203 건 환불"), "주문 20261203 건 환불");
        assert_eq!(words("  환불  "), "환불");
        assert_eq!(words("4539 1488"), "");
    }
}
