//! The numbers pass: every run of the text (or of its shadow, when digits are spelled out) cut
//! into the spans to mask.

use super::kinds;
use super::segment::{self, After, Masked};
use super::spell;
use super::tokens;

/// The spans of `text` to mask, in order and apart.
pub(super) fn spans(text: &str) -> Vec<Masked> {
    let Some(shadow) = spell::shadow(text) else {
        return spans_of(text);
    };
    let mut out: Vec<Masked> = Vec::new();
    for span in spans_of(&shadow.text) {
        let range = shadow.original(span.start..span.end);
        match out.last_mut() {
            // `double five` is two digits read from one place: spans that meet there are one.
            Some(last) if range.start < last.end => {
                last.end = last.end.max(range.end);
                last.replacement.push_str(&span.replacement);
            }
            _ => out.push(Masked {
                start: range.start,
                end: range.end,
                replacement: span.replacement,
            }),
        }
    }
    out
}

/// The spans of `text` as written.
fn spans_of(text: &str) -> Vec<Masked> {
    let mut out: Vec<Masked> = Vec::new();
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
            // Spans come in order and apart; one out of order would make a slice panic, so never
            // risk it.
            if out.last().is_some_and(|last| span.start < last.end) {
                continue;
            }
            out.push(span);
        }
    }
    out
}
