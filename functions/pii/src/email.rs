//! E-mail addresses, read through the same folding as numbers (`minji＠example．com`).

use super::normalize::fold;
use super::segment::Masked;

fn local(c: char) -> bool {
    fold(c).is_some_and(|f| f.is_ascii_alphanumeric() || matches!(f, '.' | '_' | '%' | '+' | '-'))
}

fn domain(c: char) -> bool {
    fold(c).is_some_and(|f| f.is_ascii_alphanumeric() || matches!(f, '.' | '-'))
}

/// Every address in `text`, as a span masked `[email]`: a local part, `@`, and a domain ending
/// in a dot and two or more letters. Each character is looked at a bounded number of times, as
/// the local part stops at the previous address or `@` and the domain at the next.
pub(super) fn spans(text: &str) -> Vec<Masked> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(at, _)| at);
    let mut out = Vec::new();
    let mut taken = 0; // chars up to the end of the last address
    let mut at = 0;
    while at < chars.len() {
        if fold(chars[at].1) != Some('@') {
            at += 1;
            continue;
        }
        let mut start = at;
        while start > taken && local(chars[start - 1].1) {
            start -= 1;
        }
        let Some(end) = domain_end(&chars[at + 1..]).map(|len| at + 1 + len) else {
            at += 1;
            continue;
        };
        if start == at {
            at += 1;
            continue;
        }
        out.push(Masked {
            start: offset(start),
            end: offset(end),
            replacement: "[email]".into(),
        });
        taken = end;
        at = end;
    }
    out
}

/// The length of the longest domain at the start of `chars`: domain characters up to a dot and
/// two or more letters, not starting with the dot.
fn domain_end(chars: &[(usize, char)]) -> Option<usize> {
    let mut end = None;
    // Letters since the last dot, or `None` once the label has something else.
    let mut letters: Option<usize> = None;
    for (i, &(_, c)) in chars.iter().enumerate() {
        if !domain(c) {
            break;
        }
        match fold(c) {
            Some('.') => letters = (i > 0).then_some(0),
            Some(f) if f.is_ascii_alphabetic() => letters = letters.map(|n| n + 1),
            _ => letters = None,
        }
        if letters.is_some_and(|n| n >= 2) {
            end = Some(i + 1);
        }
    }
    end
}
