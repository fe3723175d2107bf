//! Masking personal data before anything is stored: transcripts, cases, notes, events and logs
//! only ever see the masked text.
//!
//! Masked: card numbers (13–19 digits that pass the Luhn check, in the groupings cards are
//! printed in; the last four kept) and the CVV and expiry date written after them, Korean
//! resident registration numbers (주민등록번호, with a plausible birth date, also half-hidden as
//! `900101-1******`), phone numbers (Korean mobile and landline, `+82`, and other international
//! numbers written with `+`), bank account numbers (hyphenated 10–14 digits, or 10–14 digits in
//! any grouping next to a bank word), IBANs (masked as accounts), Korean driver's licence numbers
//! (`11-12-123456-12`), passport numbers next to a passport word, and e-mail addresses (unless a
//! team turns that off). All of these also when their digits are spelled out (`공일공 삼삼사사
//! 오오육육`, `zero one zero, nine eight seven six …`) or split by a line break or underscores.
//! Company numbers such as `1588-0000`, order numbers, error codes, amounts, dates, times and
//! versions are left alone, because operators need them.
//!
//! The design, in the order text goes through it:
//!
//! 1. [`sanitize`] (`normalize.rs`): NFC, without control, bidi or invisible characters, so that
//!    what is stored reads as it looks and nothing invisible splits a number; emoji sequences
//!    (ZWJ, variation selectors, keycaps, subdivision flags) stay whole.
//! 2. The passes that see letters as well as digits, each a list of spans to replace: e-mail
//!    addresses (`email.rs`), IBANs (`iban.rs`: the country's length and the mod-97 check) and
//!    passport numbers (`passport.rs`: only near a passport word). They come first, so that the
//!    digits of an address or an IBAN are theirs and not pieces of a phone or a card.
//! 3. The numbers pass (`numbers.rs`). When the text spells digits out, it first builds a
//!    *shadow* of it (`spell.rs`): the same text with spelled digits read as ASCII digits and
//!    spelled dashes as `-`, and a map from each byte of the shadow back to the text. Everything
//!    below then runs on the shadow unchanged, and each span it masks is mapped back onto the text.
//!    Only stretches that hold a spelled digit are rewritten: other text has no shadow, and the
//!    kinds stay the judges of what a run of digits is, so Korean words made of digit syllables
//!    (이사, 오이, 사이) pass through.
//! 4. The tokenizer (`tokens.rs`) reads the text char by char, folding look-alikes for
//!    classification only (`０`, `①`, `٣` are digits; NBSP, `－`, `–`, `·` are separators), into
//!    *runs*: digit groups joined by one to three separator characters (among them `_` and at
//!    most one line break). A run is not a number but everything that could be one or several:
//!    the tokenizer records each group's digits and each join's separators, and leaves the
//!    cutting to the segmentation.
//! 5. Each kind (`kinds.rs`) is a test over a span of consecutive groups of a run, and the text
//!    around the run where it matters (a bank word, a `+`, the `*` of a half-hidden number). Only
//!    a card printed in fours may run across a line break.
//! 6. The segmentation (`segment.rs`) picks the spans to mask in each run by dynamic programming:
//!    most digits in spans of strong kinds (all but CVV and expiry), then most digits, then fewest
//!    spans. So adjacent numbers are masked each on its own, and digits that belong to no number
//!    (`010-1234-5678 2시`) neither hide the number nor get swallowed by it. A CVV or expiry is a
//!    span that may only follow a card: in its run, or in the next one when only separators and
//!    keywords (`cvc`, `유효기간`) are between.
//!
//! A mask replaces its span's text; the text between spans stays as sanitized. Masks carry no
//! digits but the last four of a card, phone or account, which form no kind on their own. Every
//! piece of context a kind reads is one that masking leaves as it was, or reads a mask as the
//! digits it replaced: the windows that look for a bank or passport word stop at digits and at
//! the masks without digits (`masks.rs`); a masked passport number arms the window as its mask
//! does; a word of letters and digits (an IBAN, a passport number) never starts or ends against
//! a mask, a single spelled syllable never counts against one, and a dash between a number and a
//! mask joins them as it joined the digits. So [`mask`] is idempotent.
//!
//! A number cut across two messages (`my card is 4539 1488`, then `0343 6467`) is masked by
//! [`mask_continued`]: it masks the previous message as stored and the new one joined, and a
//! span across the join is masked in both: the previous message takes the number's mask, the new
//! one [`CONTINUED`].

mod email;
mod iban;
mod kinds;
mod masks;
mod normalize;
mod numbers;
mod passport;
mod segment;
mod spell;
mod tokens;

#[cfg(test)]
mod tests;

pub use masks::CONTINUED;
pub use normalize::sanitize;

use segment::Masked;

/// What to mask beyond the always-masked kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Also mask e-mail addresses (on by default; a team that needs them in transcripts may turn
    /// it off).
    pub email: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { email: true }
    }
}

/// Masks personal data in `text`, after [`sanitize`].
pub fn mask(text: &str, options: Options) -> String {
    let mut text = sanitize(text);
    for pass in passes(options) {
        let spans = pass(&text);
        if !spans.is_empty() {
            text = apply(&text, &spans, None);
        }
    }
    text
}

/// A new message masked in the light of the previous one (see [`mask_continued`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Continued {
    /// The previous message masked again, when it must replace the stored one: a number runs
    /// from its end into the new message (its part then ends in the number's mask), or the new
    /// message showed that digits at its end are personal. `None`: the stored one stands.
    pub previous: Option<String>,
    /// The new message, masked. When a number ran into it from the previous message, its part of
    /// the number is [`CONTINUED`].
    pub text: String,
}

/// Masks `text`, a new message of a conversation, with `previous`, the customer's previous
/// message as stored (already masked), in view: a number cut across the two (`my card is 4539
/// 1488`, then `0343 6467`; `880808`, then `1234561`) is masked in both.
///
/// The two are joined (with a space, or the previous one's last separator between digits, or a
/// comma between words, so that spelled groups stay apart) and masked as one text. A span that
/// crosses the join is split: the previous message's part becomes the number's mask
/// (`[card ****6467]`), the new message's part [`CONTINUED`]. Each part is then masked on its
/// own as well, so that masking either again changes nothing, and calling this again with the
/// results finds nothing more.
pub fn mask_continued(previous: &str, text: &str, options: Options) -> Continued {
    let before = sanitize(previous);
    let after = sanitize(text);
    if before.trim().is_empty() || after.trim().is_empty() {
        return Continued {
            previous: None,
            text: mask(&after, options),
        };
    }
    let joiner = joiner(&before, &after);
    let mut joined = format!("{before}{joiner}{after}");
    let mut cut = Cut {
        previous_end: before.len(),
        text_start: before.len() + joiner.len(),
        crossed: false,
    };
    for pass in passes(options) {
        let spans = pass(&joined);
        if !spans.is_empty() {
            joined = apply(&joined, &spans, Some(&mut cut));
        }
    }
    let masked_previous = mask(&joined[..cut.previous_end], options);
    let masked_text = mask(&joined[cut.text_start..], options);
    Continued {
        previous: (masked_previous != previous).then_some(masked_previous),
        text: masked_text,
    }
}

/// What goes between two messages joined: a space, but the separator the previous one's last
/// number used when both sides are digits (`123-45` then `6789012`), and a comma between two
/// words, so that spelled digits (`… six` then `five …`) stay two groups as they were two
/// messages.
fn joiner(before: &str, after: &str) -> String {
    let (Some(last), Some(first)) = (before.chars().next_back(), after.chars().next()) else {
        return String::new();
    };
    if normalize::separator(last).is_some() || normalize::separator(first).is_some() {
        return String::new();
    }
    let digit = |c: char| normalize::digit_value(c).is_some();
    if digit(last) && digit(first) {
        // The last join of the previous message's last number, if it has more than spaces.
        let tail: Vec<char> = before.chars().rev().take(64).collect();
        let digits = tail.iter().take_while(|&&c| digit(c)).count();
        let join: Vec<char> = tail[digits..]
            .iter()
            .copied()
            .take_while(|&c| normalize::separator(c).is_some())
            .collect();
        let spaces_only = join
            .iter()
            .all(|&c| normalize::separator(c) == Some(normalize::Sep::Space));
        if (1..=tokens::MAX_JOIN).contains(&join.len())
            && !spaces_only
            && tail.get(digits + join.len()).is_some_and(|&c| digit(c))
        {
            return join.iter().rev().collect();
        }
        return " ".into();
    }
    // A comma, unless a spelled dash is already there (`… oh dash` then `zero …`).
    if spell::is_word_char(last)
        && spell::is_word_char(first)
        && !spell::ends_with_dash_word(before)
        && !spell::starts_with_dash_word(after)
    {
        return ", ".into();
    }
    " ".into()
}

/// `text` without the tokens [`mask`] writes (`[card ****1111]`, `[resident number]` …): what the
/// customer wrote in their own words, for telling its language (the tokens are English).
pub fn without_masks(text: &str) -> String {
    masks::remove(text)
}

type Pass = fn(&str) -> Vec<Masked>;

/// The passes, in order: those that read letters too before the numbers.
fn passes(options: Options) -> Vec<Pass> {
    let mut passes: Vec<Pass> = Vec::with_capacity(4);
    if options.email {
        passes.push(email::spans);
    }
    passes.push(iban::spans);
    passes.push(passport::spans);
    passes.push(numbers::spans);
    passes
}

/// Where two joined messages meet: `..previous_end` is the previous one, `text_start..` the new
/// one (a joiner between them, or nothing once a span crossed).
#[derive(Debug, Clone, Copy)]
struct Cut {
    previous_end: usize,
    text_start: usize,
    crossed: bool,
}

/// `text` with `spans` (in order and apart) replaced, and `cut` moved along.
fn apply(text: &str, spans: &[Masked], cut: Option<&mut Cut>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut moving = cut.as_deref().map(|&old| Moving {
        old,
        previous_end: None,
        text_start: None,
    });
    for span in spans {
        if span.start < copied || span.end > text.len() || span.start >= span.end {
            continue;
        }
        if let Some(moving) = &mut moving {
            moving.copied(copied..span.start, out.len());
        }
        out.push_str(&text[copied..span.start]);
        out.push_str(&span.replacement);
        if let Some(moving) = &mut moving
            && !moving.old.crossed
            && span.start < moving.old.text_start
            && span.end > moving.old.previous_end
        {
            moving.previous_end = Some(out.len());
            moving.text_start = Some(out.len());
            out.push_str(CONTINUED);
            moving.old.crossed = true;
        }
        copied = span.end;
    }
    if let Some(moving) = &mut moving {
        moving.copied(copied..text.len(), out.len());
    }
    out.push_str(&text[copied..]);
    if let (Some(cut), Some(moving)) = (cut, moving) {
        // Both are always found; the fallbacks keep the slices in bounds whatever happens.
        cut.previous_end = moving.previous_end.unwrap_or(out.len()).min(out.len());
        cut.text_start = moving
            .text_start
            .unwrap_or(cut.previous_end)
            .clamp(cut.previous_end, out.len());
        cut.crossed = moving.old.crossed;
    }
    out
}

/// A [`Cut`] being moved from a text to its masked copy.
struct Moving {
    old: Cut,
    previous_end: Option<usize>,
    text_start: Option<usize>,
}

impl Moving {
    /// `text[from.start..from.end]` is copied as is to the output at `out_at`: positions in it
    /// (its end included) move with it.
    fn copied(&mut self, from: std::ops::Range<usize>, out_at: usize) {
        let within = |at: usize| (from.start..=from.end).contains(&at);
        if self.previous_end.is_none() && within(self.old.previous_end) {
            self.previous_end = Some(out_at + self.old.previous_end - from.start);
        }
        if self.text_start.is_none() && within(self.old.text_start) {
            self.text_start = Some(out_at + self.old.text_start - from.start);
        }
    }
}
