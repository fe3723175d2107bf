//! Passport numbers, next to a passport word only: `여권번호 M12345678`, `passport no. X1234567`,
//! `M123A4567 (여권)`. Without the word the same shapes are order numbers, product codes and
//! booking references, which operators need.
//!
//! A passport number is a word of 7 to 10 letters and digits with at least 6 digits and at most 3
//! letters (Korean passports: `M12345678`, `M123A4567`; elsewhere `X1234567`, `TK1234567`,
//! `C01X00T47`), or 9 digits alone (American and British passports). It is masked when a passport
//! word (`여권`, `passport`) is at most [`WINDOW`] characters before it or [`WINDOW_AFTER`] after
//! it, in the same sentence, with no digit and no digitless mask in between, and it is no piece of
//! a longer code (`ORD-123456789`). A masked passport number counts as a passport word for the
//! next (`여권번호 M12345678, M87654321`), as its mask `[passport]` does when the text is masked
//! again; looking forward, a `[passport]` stops the window as the number it replaced did. So
//! masking again finds nothing new.

use std::sync::LazyLock;

use regex::Regex;

use super::masks;
use super::normalize::{digit_value, fold};
use super::segment::Masked;

/// The most characters between a passport word and the number after it (`passport number is
/// M12345678`, `여권번호를 알려드릴게요 M12345678`), and between a number and the passport word after
/// it (`M12345678 is my passport number`).
const WINDOW: usize = 12;
const WINDOW_AFTER: usize = 8;

const TOKEN: &str = "[passport]";

static WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\[passport\]|여권|passport").expect("the passport-word pattern compiles")
});

/// A letter or digit, folded: what a passport number is made of.
fn alnum(c: char) -> Option<char> {
    if let Some(d) = digit_value(c) {
        return Some(char::from(b'0' + d));
    }
    fold(c)
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
}

fn is_passport(word: &[char]) -> bool {
    let digits = word.iter().filter(|c| c.is_ascii_digit()).count();
    let letters = word.len() - digits;
    (7..=10).contains(&word.len()) && digits >= 6 && letters <= 3 && (letters > 0 || digits == 9)
}

/// Whether the word at `start..end` is a piece of a longer code (`ORD-100000000`, `A_M12345678`):
/// a dash, underscore, dot or slash between it and a letter, a digit or a mask.
fn glued(text: &str, start: usize, end: usize) -> bool {
    let joiner =
        |c: Option<char>| c.is_some_and(|c| matches!(fold(c), Some('-' | '_' | '.' | '/')));
    let part = |c: Option<char>| c.is_some_and(|c| alnum(c).is_some() || c == '[' || c == ']');
    let mut before = text[..start].chars().rev();
    let mut after = text[end..].chars();
    (joiner(before.next()) && part(before.next())) || (joiner(after.next()) && part(after.next()))
}

/// Whether `gap`, the text between a passport word and a number, keeps them together: short,
/// without digits or digitless masks, and within one sentence (a full stop after a letter that
/// is not Latin, `사진 보냈어요. 주문 M12345678`, or a `?` or `!`, ends it; the dot of `no.` does
/// not).
fn close(gap: &str, window: usize) -> bool {
    if gap.chars().take(window + 1).count() > window
        || gap.chars().any(|c| digit_value(c).is_some())
        || masks::has_digitless(gap)
    {
        return false;
    }
    let mut before: Option<char> = None;
    for c in gap.chars() {
        match fold(c) {
            Some('?' | '!' | '。') => return false,
            Some('.')
                if before.is_some_and(|b| !fold(b).is_some_and(|f| f.is_ascii_alphabetic())) =>
            {
                return false;
            }
            _ => {}
        }
        before = Some(c);
    }
    true
}

/// The passport numbers in `text`, as spans.
pub(super) fn spans(text: &str) -> Vec<Masked> {
    let words: Vec<(usize, usize, bool)> = WORD
        .find_iter(text)
        .map(|m| (m.start(), m.end(), m.as_str() == TOKEN))
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    // Where the last passport word or masked number ended, before the candidate.
    let mut armed: Option<usize> = None;
    let mut next_word = 0;
    let mut chars = text.char_indices().peekable();
    let mut before: Option<char> = None;
    while let Some((start, c)) = chars.next() {
        // Not right after a mask either: what the mask replaced was digits, which made this part
        // of a longer word.
        let word_start =
            alnum(c).is_some() && before.is_none_or(|b| alnum(b).is_none() && b != ']');
        before = Some(c);
        if !word_start {
            continue;
        }
        let mut word = vec![alnum(c).unwrap_or(c)];
        let mut end = start + c.len_utf8();
        while let Some(&(at, c)) = chars.peek() {
            let Some(a) = alnum(c) else { break };
            word.push(a);
            end = at + c.len_utf8();
            before = Some(c);
            chars.next();
            if word.len() > 10 {
                // Too long for a passport number: skip the rest of the word.
                while chars.peek().is_some_and(|&(_, c)| alnum(c).is_some()) {
                    if let Some((_, c)) = chars.next() {
                        before = Some(c);
                    }
                }
                break;
            }
        }
        // Nor right before a mask, for the same reason.
        let before_mask = text[end..].starts_with('[');
        if !is_passport(&word) || before_mask || glued(text, start, end) {
            continue;
        }
        // Passport words before the candidate arm; the first one after it may too.
        while let Some(&(word_start, word_end, _)) = words.get(next_word)
            && word_start < start
        {
            if word_end <= start {
                armed = Some(armed.map_or(word_end, |a| a.max(word_end)));
            }
            next_word += 1;
        }
        let behind = armed.is_some_and(|from| close(&text[from..start], WINDOW));
        let ahead = || {
            words[next_word..]
                .iter()
                .find(|&&(word_start, _, _)| word_start >= end)
                .is_some_and(|&(word_start, _, token)| {
                    !token && close(&text[end..word_start], WINDOW_AFTER)
                })
        };
        if behind || ahead() {
            out.push(Masked {
                start,
                end,
                replacement: TOKEN.into(),
            });
            armed = Some(end);
        }
    }
    out
}
