//! Masking personal data before anything is stored: transcripts, cases, notes, events and logs
//! only ever see the masked text.
//!
//! Masked: card numbers (13–19 digits that pass the Luhn check, in the groupings cards are
//! printed in; the last four kept) and the CVV and expiry date written after them, Korean
//! resident registration numbers (주민등록번호, with a plausible birth date, also half-hidden as
//! `900101-1******`), phone numbers (Korean mobile and landline, `+82`, and other international
//! numbers written with `+`), bank account numbers (hyphenated 10–14 digits, or 10–14 digits in
//! any grouping next to a bank word), and optionally e-mail addresses. Company numbers such as
//! `1588-0000`, order numbers, error codes, amounts, dates, times and versions are left alone,
//! because operators need them.
//!
//! The design, in the order text goes through it:
//!
//! 1. [`sanitize`] (`normalize.rs`): NFC, without control, bidi or invisible characters, so that
//!    what is stored reads as it looks and nothing invisible splits a number; emoji sequences
//!    (ZWJ, variation selectors, keycaps, subdivision flags) stay whole.
//! 2. The tokenizer (`tokens.rs`) reads the text char by char, folding look-alikes for
//!    classification only (`０`, `①`, `٣` are digits; NBSP, `－`, `–`, `·` are separators), into
//!    *runs*: digit groups joined by one to three separator characters. A run is not a number but
//!    everything that could be one or several: the tokenizer records each group's digits and each
//!    join's separators, and leaves the cutting to the segmentation.
//! 3. Each kind (`kinds.rs`) is a test over a span of consecutive groups of a run, and the text
//!    around the run where it matters (a bank word, a `+`, the `*` of a half-hidden number).
//! 4. The segmentation (`segment.rs`) picks the spans to mask in each run by dynamic programming:
//!    most digits in spans of strong kinds (all but CVV and expiry), then most digits, then fewest
//!    spans. So adjacent numbers are masked each on its own, and digits that belong to no number
//!    (`010-1234-5678 2시`) neither hide the number nor get swallowed by it. A CVV or expiry is a
//!    span that may only follow a card: in its run, or in the next one when only separators and
//!    keywords (`cvc`, `유효기간`) are between.
//!
//! A mask replaces its span's text with the separators inside it; the text between spans stays
//! as sanitized. Masks carry no digits but the last four of a card, phone or account, which form
//! no kind on their own, and every piece of context a kind reads is one that masking leaves as
//! it was, so [`mask`] is idempotent.

mod email;
mod kinds;
mod normalize;
mod segment;
mod tokens;

#[cfg(test)]
mod tests;

pub use normalize::sanitize;

use segment::After;

/// What to mask beyond the always-masked kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Also mask e-mail addresses (off by default: customers often give theirs to be contacted).
    pub email: bool,
}

/// Masks personal data in `text`, after [`sanitize`].
pub fn mask(text: &str, options: Options) -> String {
    let mut text = sanitize(text);
    // Before numbers, so that the digits of an address are the address's.
    if options.email {
        text = email::mask(&text);
    }
    mask_numbers(&text)
}

/// `text` without the tokens [`mask`] writes (`[card ****1111]`, `[resident number]` …): what the
/// customer wrote in their own words, for telling its language (the tokens are English).
pub fn without_masks(text: &str) -> String {
    static TOKEN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\[(?:resident number|cvv|expiry|email|(?:card|phone|account) \*{4}[0-9]{4})\]",
        )
        .expect("mask token pattern")
    });
    TOKEN.replace_all(text, " ").into_owned()
}

fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    // What the last card left (room for one or two follow-ups), and where its run ended.
    let mut card: Option<(After, usize)> = None;
    for run in tokens::runs(text) {
        let gap = |to: usize| card.and_then(|(_, from)| kinds::follow_up_gap(&text[from..to]));
        let hint = gap(run.start());
        let start = match (card, hint) {
            (Some((after, _)), Some(_)) => after,
            _ => After::Other,
        };
        let context = kinds::RunContext::new(text, &run);
        let (masked, ends_on) = segment::segment(&run, &context, start, hint.flatten());
        card = if ends_on != After::Other {
            Some((ends_on, run.end()))
        } else if start != After::Other && masked.is_empty() && gap(run.end()).is_some() {
            // The `2` of `cvc2`: part of the keyword, not a number.
            card
        } else {
            None
        };
        for span in masked {
            // Spans come in order and apart; a slice out of order would panic, so never risk it.
            if span.start < copied {
                continue;
            }
            out.push_str(&text[copied..span.start]);
            out.push_str(&span.replacement);
            copied = span.end;
        }
    }
    out.push_str(&text[copied..]);
    out
}
