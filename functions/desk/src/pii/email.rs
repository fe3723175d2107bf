//! E-mail addresses, read through the same folding as numbers (`minji＠example．com`).

use super::normalize::fold;

fn local(c: char) -> bool {
    fold(c).is_some_and(|f| f.is_ascii_alphanumeric() || matches!(f, '.' | '_' | '%' | '+' | '-'))
}

fn domain(c: char) -> bool {
    fold(c).is_some_and(|f| f.is_ascii_alphanumeric() || matches!(f, '.' | '-'))
}

/// `text` with every address replaced by `[email]`: a local part, `@`, and a domain ending in a
/// dot and two or more letters. Each character is looked at a bounded number of times, as the
/// local part stops at the previous `@` and the domain at the next.
pub(super) fn mask(text: &str) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(at, _)| at);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0; // chars copied to `out`
    let mut at = 0;
    while at < chars.len() {
        if fold(chars[at].1) != Some('@') {
            at += 1;
            continue;
        }
        let mut start = at;
        while start > copied && local(chars[start - 1].1) {
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
        out.push_str(&text[offset(copied)..offset(start)]);
        out.push_str("[email]");
        copied = end;
        at = end;
    }
    out.push_str(&text[offset(copied)..]);
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
