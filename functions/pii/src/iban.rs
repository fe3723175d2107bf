//! International bank account numbers (ISO 13616): `DE89 3704 0044 0532 0130 00`,
//! `GB82WEST12345698765432`. A country code, two check digits and the national account number
//! (letters allowed), written in groups of four or in one piece. Masked as an account, with the
//! last four digits kept, when the mod-97 check holds and the length is the country's.

use std::ops::Range;

use super::normalize::{digit_value, fold};
use super::segment::Masked;

/// The IBAN length of each country of the registry.
const LENGTHS: [(&str, usize); 89] = [
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HN", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

/// IBANs are 15 to 34 characters long.
const MIN_LEN: usize = 15;
const MAX_LEN: usize = 34;

/// An alphanumeric character as its ASCII uppercase, after folding (`Ｄ`, `８`).
fn alnum(c: char) -> Option<char> {
    if let Some(d) = digit_value(c) {
        return Some(char::from(b'0' + d));
    }
    fold(c)
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
}

/// A space between two groups (NBSP and the ideographic space too).
fn is_space(c: char) -> bool {
    fold(c) == Some(' ')
}

/// The ISO 7064 mod-97 check over the IBAN with its first four characters moved to the end.
fn mod97(iban: &[char]) -> bool {
    let mut rest = 0u32;
    for &c in iban[4..].iter().chain(&iban[..4]) {
        let value = c.to_digit(36).unwrap_or(0);
        rest = if value >= 10 {
            (rest * 100 + value) % 97
        } else {
            (rest * 10 + value) % 97
        };
    }
    rest == 1
}

/// One IBAN starting at `chars[i]`: its char range and characters.
fn at(chars: &[(usize, char)], i: usize) -> Option<(Range<usize>, Vec<char>)> {
    let head: Vec<char> = chars
        .get(i..i + 4)?
        .iter()
        .map_while(|&(_, c)| alnum(c))
        .collect();
    if head.len() < 4
        || !head[0].is_ascii_alphabetic()
        || !head[1].is_ascii_alphabetic()
        || !head[2].is_ascii_digit()
        || !head[3].is_ascii_digit()
    {
        return None;
    }
    let country: String = head[..2].iter().collect();
    let known = LENGTHS
        .iter()
        .find(|(code, _)| *code == country)
        .map(|&(_, len)| len);
    // An unknown country only in capitals, as the standard writes them.
    if known.is_none() && !chars[i..i + 2].iter().all(|&(_, c)| c.is_ascii_uppercase()) {
        return None;
    }
    // Groups of alphanumerics, one space apart: all of four but the last, or a single group.
    let mut iban = Vec::with_capacity(MAX_LEN);
    let mut groups: Vec<usize> = Vec::new();
    let mut j = i;
    loop {
        let mut len = 0;
        while let Some(c) = chars.get(j).and_then(|&(_, c)| alnum(c)) {
            iban.push(c);
            len += 1;
            j += 1;
            if iban.len() > MAX_LEN {
                return None;
            }
        }
        groups.push(len);
        // A known country's IBAN ends at its length, even if another group follows.
        if known.is_some_and(|n| iban.len() >= n) || len != 4 {
            break;
        }
        let spaced = chars.get(j).is_some_and(|&(_, c)| is_space(c))
            && chars.get(j + 1).and_then(|&(_, c)| alnum(c)).is_some();
        if !spaced {
            break;
        }
        j += 1;
    }
    // Nor right before a mask: what the mask replaced was digits of the last group.
    if chars.get(j).is_some_and(|&(_, c)| c == '[') {
        return None;
    }
    let printed = groups.len() == 1 || groups[..groups.len() - 1].iter().all(|&g| g == 4);
    let len_ok = match known {
        Some(n) => iban.len() == n,
        None => (MIN_LEN..=MAX_LEN).contains(&iban.len()),
    };
    let digits = iban.iter().filter(|c| c.is_ascii_digit()).count();
    let enough_digits = if known.is_some() { 8 } else { 12 };
    (printed && len_ok && digits >= enough_digits && mod97(&iban)).then_some((i..j, iban))
}

/// The IBANs in `text`, as spans masked like accounts.
pub(super) fn spans(text: &str) -> Vec<Masked> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(at, _)| at);
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= chars.len() {
        // At the start of a word only. Not right after a mask either: what the mask replaced was
        // digits, so masking again must not find an IBAN there.
        let starts = i == 0 || (alnum(chars[i - 1].1).is_none() && chars[i - 1].1 != ']');
        if starts && let Some((range, iban)) = at(&chars, i) {
            let digits: String = iban.iter().filter(|c| c.is_ascii_digit()).collect();
            out.push(Masked {
                start: offset(range.start),
                end: offset(range.end),
                replacement: format!("[account ****{}]", &digits[digits.len() - 4..]),
            });
            i = range.end;
            continue;
        }
        i += 1;
    }
    out
}
