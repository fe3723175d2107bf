//! Segmentation: which spans of a run to mask.
//!
//! A run may hold one number, several numbers side by side (`900101-1234567 010-1234-5678`), or a
//! number next to digits that are not personal (`010-1234-5678 2시`). Dynamic programming over the
//! groups picks the spans, each accepted by one kind on its own, that cover the most digits of
//! strong kinds (all but a card's CVV and expiry, see [`Kind::is_strong`]), then the most digits,
//! then in the fewest spans. So no way of cutting the run that masks more is ever passed over,
//! and a long run that is no number as a whole still has its numbers masked.

use std::cmp::Reverse;

use super::kinds::{self, Hint, Kind, MAX_SPAN_DIGITS, RunContext, Span};
use super::normalize::Sep;
use super::tokens::Run;

/// Where the previous span leaves the next one: a card's CVV and expiry may follow it directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(super) enum After {
    #[default]
    Other,
    /// A card, with no follow-up yet.
    Card,
    /// A card and one follow-up; one more may come.
    CardAndOne,
}

impl After {
    const ALL: [After; 3] = [After::Other, After::Card, After::CardAndOne];

    fn index(self) -> usize {
        self as usize
    }

    fn after_follow_up(self) -> Option<After> {
        match self {
            After::Other => None,
            After::Card => Some(After::CardAndOne),
            After::CardAndOne => Some(After::Other),
        }
    }
}

/// Compared lexicographically: strong digits, then all digits, then fewer spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
struct Score {
    strong: usize,
    covered: usize,
    spans: Reverse<usize>,
}

impl Score {
    fn with(self, kind: Kind, digits: usize) -> Self {
        Self {
            strong: self.strong + if kind.is_strong() { digits } else { 0 },
            covered: self.covered + digits,
            spans: Reverse(self.spans.0 + 1),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Step {
    score: Score,
    /// The group and state this step came from, and the kind of the span it masked (`None`: the
    /// group was left alone).
    from: usize,
    from_after: After,
    kind: Option<Kind>,
}

/// One span to replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Masked {
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

/// The spans of `run` to mask, and what the run ends on. `start` is what the text before left
/// (a card, when this run may be its CVV), `hint` what a keyword before the run announced.
pub(super) fn segment(
    run: &Run,
    context: &RunContext,
    start: After,
    hint: Option<Hint>,
) -> (Vec<Masked>, After) {
    let groups = run.groups.len();
    let mut best: Vec<[Option<Step>; 3]> = vec![[None; 3]; groups + 1];
    best[0][start.index()] = Some(Step {
        score: Score::default(),
        from: 0,
        from_after: start,
        kind: None,
    });
    fn relax(best: &mut [[Option<Step>; 3]], at: usize, after: After, step: Step) {
        let slot = &mut best[at][after.index()];
        if slot.is_none_or(|s| step.score > s.score) {
            *slot = Some(step);
        }
    }
    for i in 0..groups {
        let states: Vec<(After, Score)> = After::ALL
            .iter()
            .filter_map(|&a| best[i][a.index()].map(|s| (a, s.score)))
            .collect();
        if states.is_empty() {
            continue;
        }
        for &(after, score) in &states {
            relax(
                &mut best,
                i + 1,
                After::Other,
                Step {
                    score,
                    from: i,
                    from_after: after,
                    kind: None,
                },
            );
        }
        let mut digits = 0;
        for end in i + 1..=groups {
            digits += run.groups[end - 1].digits.len();
            if digits > MAX_SPAN_DIGITS {
                break;
            }
            let span = Span { run, first: i, end };
            if let Some(kind) = kinds::classify(&span, context) {
                let next = match kind {
                    Kind::Card => After::Card,
                    // Its CVV is in it; an expiry may still follow.
                    Kind::CardWithCvv => After::CardAndOne,
                    _ => After::Other,
                };
                for &(after, score) in &states {
                    let step = Step {
                        score: score.with(kind, digits),
                        from: i,
                        from_after: after,
                        kind: Some(kind),
                    };
                    relax(&mut best, end, next, step);
                }
            }
            let follow_up = kinds::follow_up(&span, if i == 0 { hint } else { None });
            if let Some(kind) = follow_up {
                for &(after, score) in &states {
                    if let Some(next) = after.after_follow_up() {
                        let step = Step {
                            score: score.with(kind, digits),
                            from: i,
                            from_after: after,
                            kind: Some(kind),
                        };
                        relax(&mut best, end, next, step);
                    }
                }
            }
        }
    }
    // The best ending; on a tie, the one that lets a CVV follow in the next run.
    let Some((mut after, _)) = After::ALL
        .iter()
        .filter_map(|&a| best[groups][a.index()].map(|s| (a, s.score)))
        .max_by_key(|&(a, score)| (score, a))
    else {
        return (Vec::new(), After::Other);
    };
    let ends_on = after;
    let mut masked = Vec::new();
    let mut at = groups;
    while at > 0 {
        let Some(step) = best[at][after.index()] else {
            break;
        };
        if let Some(kind) = step.kind {
            masked.push(mask(
                run,
                context,
                Span {
                    run,
                    first: step.from,
                    end: at,
                },
                kind,
            ));
        }
        at = step.from;
        after = step.from_after;
    }
    masked.reverse();
    (masked, ends_on)
}

/// The replacement of one span: its internal separators go with it; a phone takes its `+` and the
/// `(` of `(02)`, a partly hidden resident number the `*` after it.
fn mask(run: &Run, context: &RunContext, span: Span, kind: Kind) -> Masked {
    let mut start = run.groups[span.first].start;
    let mut end = run.groups[span.end - 1].end;
    if span.first == 0 && kind == Kind::Phone {
        if let Some(plus) = run.plus {
            start = plus;
        } else if let Some(paren) = context.open_paren
            && run.joins.first().is_some_and(|j| j.has(Sep::Paren))
        {
            start = paren;
        }
    }
    if kind == Kind::Resident
        && span.end == run.groups.len()
        && let Some(tail) = context.masked_tail
    {
        end = tail;
    }
    Masked {
        start,
        end,
        replacement: kind.mask(span.digits()),
    }
}
