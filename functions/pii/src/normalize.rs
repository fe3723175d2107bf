//! What every stored text goes through ([`sanitize`]), and the folding the tokenizer uses to read
//! look-alike characters (full-width, circled, Arabic-Indic digits; exotic spaces and dashes) as the
//! ASCII they stand for. Folding is for classification only: the text keeps its own characters.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

const ZWJ: char = '\u{200D}';
const ZWNJ: char = '\u{200C}';
const BLACK_FLAG: char = '\u{1F3F4}';
const CANCEL_TAG: char = '\u{E007F}';

/// The text as stored: NFC, without control, bidi and invisible formatting characters, line ends
/// as `\n`, emoji sequences intact.
pub fn sanitize(text: &str) -> String {
    let mut chars: Vec<char> = Vec::with_capacity(text.len());
    let mut after_cr = false;
    for c in text.chars() {
        if is_dropped(c) {
            continue;
        }
        match c {
            '\r' => {
                chars.push('\n');
                after_cr = true;
                continue;
            }
            '\n' if after_cr => {
                after_cr = false;
                continue;
            }
            _ => after_cr = false,
        }
        chars.push(c);
    }
    drop_stray_tags(&mut chars);
    // Tags first: dropping one may make a joiner touch a digit, never the other way round.
    drop_joiners_by_digits(&mut chars);
    // Last, because every removal above can join a base character to a combining mark.
    chars.into_iter().nfc().collect()
}

/// Characters nothing legitimate needs in stored text, and which hide or reorder what operators
/// read (bidi overrides) or split numbers invisibly (zero-width spaces, soft hyphens).
pub(super) fn is_dropped(c: char) -> bool {
    matches!(c,
        // C0 and C1 controls, except `\t`, `\n` and `\r` (which becomes `\n`).
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        // Bidi marks, embeddings, overrides and isolates.
        | '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        // Zero-width and invisible formatting.
        | '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{AD}' | '\u{180E}' | '\u{34F}')
}

fn is_tag(c: char) -> bool {
    ('\u{E0020}'..='\u{E007F}').contains(&c)
}

/// Tag characters only mean something in subdivision flags (🏴 + tags + cancel tag); elsewhere
/// they are invisible carriers for hidden text.
fn drop_stray_tags(chars: &mut Vec<char>) {
    let mut in_flag = false;
    chars.retain(|&c| {
        if is_tag(c) {
            let keep = in_flag;
            if c == CANCEL_TAG {
                in_flag = false;
            }
            keep
        } else {
            in_flag = c == BLACK_FLAG;
            true
        }
    });
}

fn is_joiner(c: char) -> bool {
    c == ZWJ || c == ZWNJ
}

/// ZWJ and ZWNJ join emoji and shape scripts, but next to a digit they only split a number. The
/// neighbour is looked for past other joiners and combining marks (variation selectors, the keycap)
/// so that dropping some joiners never changes the verdict on the others.
fn drop_joiners_by_digits(chars: &mut Vec<char>) {
    if !chars.iter().any(|&c| is_joiner(c)) {
        return;
    }
    let skipped = |c: char| is_joiner(c) || is_combining_mark(c);
    let mut digit_before = vec![false; chars.len()];
    let mut last_is_digit = false;
    for (i, &c) in chars.iter().enumerate() {
        digit_before[i] = last_is_digit;
        if !skipped(c) {
            last_is_digit = digit_value(c).is_some();
        }
    }
    let mut drop = vec![false; chars.len()];
    let mut next_is_digit = false;
    for (i, &c) in chars.iter().enumerate().rev() {
        if is_joiner(c) {
            drop[i] = digit_before[i] || next_is_digit;
        }
        if !skipped(c) {
            next_is_digit = digit_value(c).is_some();
        }
    }
    let mut index = 0;
    chars.retain(|_| {
        let keep = !drop[index];
        index += 1;
        keep
    });
}

/// The one character `c` stands for under compatibility decomposition (`０` → `0`, `①` → `1`,
/// `＠` → `@`, NBSP → space), or `None` when it decomposes into several or none.
pub(super) fn fold(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c);
    }
    let mut first = None;
    let mut count = 0;
    decompose_compatible(c, |d| {
        count += 1;
        first = Some(d);
    });
    if count == 1 { first } else { None }
}

/// The value of a digit in any of the forms customers type or paste.
pub(super) fn digit_value(c: char) -> Option<u8> {
    let ascii = |c: char| c.is_ascii_digit().then(|| c as u8 - b'0');
    if c.is_ascii() {
        return ascii(c);
    }
    let from = |zero: char| Some((u32::from(c) - u32::from(zero)) as u8);
    match c {
        '\u{660}'..='\u{669}' => from('\u{660}'),
        '\u{6F0}'..='\u{6F9}' => from('\u{6F0}'),
        '\u{966}'..='\u{96F}' => from('\u{966}'),
        _ => fold(c).and_then(ascii),
    }
}

/// What may sit between the digits of one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Sep {
    #[default]
    Space,
    Dash,
    Dot,
    Slash,
    Paren,
    /// `_`, as in `4539_1488_0343_6467`.
    Underscore,
    /// A line break: only a card may run across one (`4539\n1488\n0343\n6467`), see the kinds.
    Newline,
}

pub(super) fn separator(c: char) -> Option<Sep> {
    let ascii = |c: char| match c {
        ' ' | '\t' => Some(Sep::Space),
        '\n' => Some(Sep::Newline),
        '_' => Some(Sep::Underscore),
        '-' => Some(Sep::Dash),
        '.' => Some(Sep::Dot),
        '/' => Some(Sep::Slash),
        '(' | ')' => Some(Sep::Paren),
        _ => None,
    };
    let wide = |c: char| match c {
        '\u{A0}' | '\u{3000}' => Some(Sep::Space),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => Some(Sep::Dash),
        '\u{B7}' | '\u{2027}' | '\u{30FB}' => Some(Sep::Dot),
        _ => None,
    };
    if c.is_ascii() {
        return ascii(c);
    }
    wide(c).or_else(|| fold(c).and_then(|f| if f.is_ascii() { ascii(f) } else { wide(f) }))
}

pub(super) fn is_plus(c: char) -> bool {
    fold(c) == Some('+')
}

/// Characters that do not interrupt a digit group: what sanitize drops, joiners, and combining
/// marks (variation selectors and the keycap of `1️⃣`, but also accents that would otherwise let
/// `0́10-1234-5678` pass as two short numbers).
pub(super) fn is_transparent(c: char) -> bool {
    is_dropped(c) || is_joiner(c) || is_combining_mark(c)
}
