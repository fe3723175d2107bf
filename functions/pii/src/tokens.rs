//! The tokenizer: runs of digit groups in sanitized text.
//!
//! Customers write one number in many ways (`010-1234-5678`, `010 1234 5678`, `０１０．１２３４`,
//! `010 - 1234 - 5678`), and several numbers next to each other with the same characters. So the
//! tokenizer does not decide where a number ends: it records every group of digits and every join
//! between groups, and leaves the cut to the segmentation.

use std::ops::Range;

use super::normalize::{Sep, digit_value, is_plus, is_transparent, separator};

/// The most separator characters between two groups of one run (`" - "`).
pub(super) const MAX_JOIN: usize = 3;

/// Consecutive digits (with transparent characters such as keycaps in between).
#[derive(Debug, Clone)]
pub(super) struct Group {
    /// Byte offset of the first digit.
    pub start: usize,
    /// Byte offset just past the group, including trailing transparent characters, so that a
    /// mask never leaves a keycap or an accent hanging on its closing bracket.
    pub end: usize,
    /// The group's digits as ASCII, in [`Run::digits`].
    pub digits: Range<usize>,
}

/// The separator characters between two groups, in order.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Join {
    seps: [Sep; MAX_JOIN],
    len: usize,
}

impl Join {
    pub fn seps(&self) -> &[Sep] {
        &self.seps[..self.len]
    }

    pub fn first(&self) -> Sep {
        self.seps[0]
    }

    pub fn last(&self) -> Sep {
        self.seps[self.len - 1]
    }

    /// Only `sep`, possibly with spaces around it (`-`, ` - `; `/`, ` / `).
    pub fn is(&self, sep: Sep) -> bool {
        self.seps().contains(&sep) && self.seps().iter().all(|&s| s == sep || s == Sep::Space)
    }

    pub fn has(&self, sep: Sep) -> bool {
        self.seps().contains(&sep)
    }
}

/// Digit groups joined by short separators (a single line break among them), up to another
/// character, a longer gap or a blank line.
#[derive(Debug, Clone)]
pub(super) struct Run {
    /// Byte offset of a `+` directly before the first group.
    pub plus: Option<usize>,
    /// Never empty.
    pub groups: Vec<Group>,
    /// `joins[i]` is between `groups[i]` and `groups[i + 1]`.
    pub joins: Vec<Join>,
    /// All the run's digits, as ASCII.
    pub digits: Vec<u8>,
}

impl Run {
    /// Byte offset where the run starts, its `+` included.
    pub fn start(&self) -> usize {
        self.plus.unwrap_or(self.groups[0].start)
    }

    /// Byte offset just past the last group.
    pub fn end(&self) -> usize {
        self.groups[self.groups.len() - 1].end
    }

    pub fn group_digits(&self, index: usize) -> &[u8] {
        &self.digits[self.groups[index].digits.clone()]
    }
}

/// Every run in `text`, in order.
pub(super) fn runs(text: &str) -> Vec<Run> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(at, _)| at);
    let is_digit = |i: usize| chars.get(i).is_some_and(|&(_, c)| digit_value(c).is_some());
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(i) {
            i += 1;
            continue;
        }
        let plus = i
            .checked_sub(1)
            .and_then(|before| chars.get(before))
            .filter(|&&(_, c)| is_plus(c))
            .map(|&(at, _)| at);
        let mut run = Run {
            plus,
            groups: Vec::new(),
            joins: Vec::new(),
            digits: Vec::new(),
        };
        loop {
            let start = offset(i);
            let first_digit = run.digits.len();
            while let Some(&(_, c)) = chars.get(i) {
                if let Some(d) = digit_value(c) {
                    run.digits.push(b'0' + d);
                } else if !is_transparent(c) {
                    break;
                }
                i += 1;
            }
            run.groups.push(Group {
                start,
                end: offset(i),
                digits: first_digit..run.digits.len(),
            });
            let mut join = Join::default();
            let mut j = i;
            while let Some(&(_, c)) = chars.get(j) {
                if is_transparent(c) {
                    // An invisible character inside ` - ` hides nothing either.
                    j += 1;
                    continue;
                }
                let Some(sep) = separator(c) else { break };
                // A blank line ends the run: a number is cut by one line break at most.
                if join.len == MAX_JOIN || (sep == Sep::Newline && join.has(Sep::Newline)) {
                    join.len = MAX_JOIN + 1;
                    break;
                }
                join.seps[join.len] = sep;
                join.len += 1;
                j += 1;
            }
            if (1..=MAX_JOIN).contains(&join.len) && is_digit(j) {
                run.joins.push(join);
                i = j;
            } else {
                break;
            }
        }
        runs.push(run);
    }
    runs
}
