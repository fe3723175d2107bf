//! The kinds of personal numbers: each a test over a span of consecutive groups of one run (its
//! digits, group lengths and joins) and the text around the run.

use std::sync::LazyLock;

use regex::Regex;

use super::masks;
use super::normalize::{Sep, digit_value, fold, is_transparent, separator};
use super::tokens::{MAX_JOIN, Run};

/// The longest span any kind accepts, in digits (a 16-digit card with its CVV glued on).
pub(super) const MAX_SPAN_DIGITS: usize = 20;

/// How far a bank word may be from a bare account number, in characters. The window stops at
/// digits and at the masks without digits, so that masking never brings a bank word in reach of a
/// number it was not in reach of before (see [`RunContext::new`]).
const BANK_WORD_BEFORE: usize = 16;
const BANK_WORD_AFTER: usize = 12;
/// The longest bank word, in characters.
const BANK_WORD_MAX: usize = 7;

static BANK_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "(?i)계좌|통장|은행|뱅크|입금|출금|송금|이체|환불|예금주|account|bank|acct|refund|transfer|\
         국민|신한|우리|하나|농협|기업|카카오|토스|케이|새마을|우체국|수협|신협|SC제일|씨티|부산|대구|\
         경남|광주|전북|제주",
    )
    .expect("the bank-word pattern is a constant that compiles")
});

/// What a span was recognized as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Resident,
    Card,
    /// A 16-digit card and its CVV typed without a space.
    CardWithCvv,
    Phone,
    Account,
    /// A Korean driver's licence number, `11-12-123456-12`.
    DriverLicence,
    Cvv,
    Expiry,
}

impl Kind {
    /// Everything but a card's CVV and expiry, which are short enough to be the first group of
    /// the next number (`4111111111111111 010-1234-5678`: the `010` is no CVV). Accounts count as
    /// strong too, so that digits that merely straddle two numbers never win over them: in
    /// `031-1234-5678-90` a phone would leave `-90`, and a hyphenated account followed by a bare
    /// one can straddle into a Luhn-valid 6-13 card that leaves the first account's start.
    pub fn is_strong(self) -> bool {
        !matches!(self, Kind::Cvv | Kind::Expiry)
    }

    /// The mask for a span of this kind with these digits.
    pub fn mask(self, digits: &[u8]) -> String {
        let last4 =
            |d: &[u8]| String::from_utf8_lossy(&d[d.len().saturating_sub(4)..]).into_owned();
        match self {
            Kind::Resident => "[resident number]".into(),
            Kind::Card => format!("[card ****{}]", last4(digits)),
            Kind::CardWithCvv => format!("[card ****{}][cvv]", last4(&digits[..16])),
            Kind::Phone => format!("[phone ****{}]", last4(digits)),
            Kind::Account => format!("[account ****{}]", last4(digits)),
            Kind::DriverLicence => "[driver licence]".into(),
            Kind::Cvv => "[cvv]".into(),
            Kind::Expiry => "[expiry]".into(),
        }
    }
}

/// What a keyword between a card and the next run says the next number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hint {
    Cvv,
    Expiry,
}

/// The text around a run that some kinds look at.
#[derive(Debug, Clone, Default)]
pub(super) struct RunContext {
    /// A bank word close before or after the run, with no digit in between.
    pub bank: bool,
    /// The first separator directly before the run, and the first directly after it. A word that
    /// spells a dash (`다시`, `dash`) touching the run counts as a dash, as it does between the
    /// groups of a spelled number: masking a spelled number next to this run then changes
    /// nothing for it.
    pub sep_before: Option<Sep>,
    pub sep_after: Option<Sep>,
    /// Byte offset of a `(` directly before the first group, as in `(02) 123-4567`.
    pub open_paren: Option<usize>,
    /// Byte offset past `*`/`x` mask characters directly after the run (`900101-1******`).
    pub masked_tail: Option<usize>,
    /// A dash joins the run to a mask before it, or after it: the mask replaced digits that the
    /// dash joined to the run before (see [`Span::dash_to_more_digits`]).
    pub dash_to_mask_before: bool,
    pub dash_to_mask_after: bool,
}

impl RunContext {
    /// The context of `run` in `text`.
    ///
    /// The bank word must be within a few characters and with no digit and no digitless mask in
    /// between: masks of other numbers then never sit between the word and the number, so masking
    /// the text again sees the same context and finds nothing new.
    pub fn new(text: &str, run: &Run) -> Self {
        let before = &text[..run.start()];
        let after = &text[run.end()..];
        // Past transparent characters, as the tokenizer reads joins.
        let sep_before = before
            .chars()
            .rev()
            .find(|&c| !is_transparent(c))
            .and_then(separator)
            .or_else(|| dash_word_before(before).then_some(Sep::Dash));
        let sep_after = after
            .chars()
            .find(|&c| !is_transparent(c))
            .and_then(separator)
            .or_else(|| dash_word_after(after).then_some(Sep::Dash));
        let open_paren = (run.plus.is_none() && before.ends_with('(')).then(|| run.start() - 1);
        // A bare account is 10–14 digits: no need to look for words around shorter runs.
        let bank = run.digits.len() >= 10 && (bank_word_before(before) || bank_word_after(after));
        let masked_tail = masked_tail(after).map(|len| run.end() + len);
        Self {
            bank,
            sep_before,
            sep_after,
            open_paren,
            masked_tail,
            dash_to_mask_before: dash_to_mask(before.chars().rev(), ']'),
            dash_to_mask_after: dash_to_mask(after.chars(), '['),
        }
    }
}

#[cfg(test)]
pub(super) fn is_bank_word(text: &str) -> bool {
    BANK_WORD.is_match(text)
}

fn bank_word_before(before: &str) -> bool {
    let mut window: Vec<char> = before
        .chars()
        .rev()
        .take_while(|&c| digit_value(c).is_none())
        .take(BANK_WORD_BEFORE + BANK_WORD_MAX)
        .map(|c| fold(c).unwrap_or(c))
        .collect();
    window.reverse();
    let window: String = window.into_iter().collect();
    let window = masks::after_last_digitless(&window);
    BANK_WORD
        .find_iter(window)
        .filter(|m| !is_mask(window, m))
        .last()
        .is_some_and(|m| window[m.end()..].chars().count() <= BANK_WORD_BEFORE)
}

fn bank_word_after(after: &str) -> bool {
    let window: String = after
        .chars()
        .take_while(|&c| digit_value(c).is_none())
        // Two more, to tell a mask's ` *` after the word.
        .take(BANK_WORD_AFTER + BANK_WORD_MAX + 2)
        .map(|c| fold(c).unwrap_or(c))
        .collect();
    let window = masks::before_first_digitless(&window);
    BANK_WORD
        .find_iter(window)
        .find(|m| !is_mask(window, m))
        .is_some_and(|m| window[..m.start()].chars().count() <= BANK_WORD_AFTER)
}

/// Whether `chars` (the text from the run outwards) are a join with a dash in it, then `bracket`:
/// the side of a mask. A join as the spelled-digit pre-pass reads one: separators, commas and at
/// most one word that spells a dash, three in all.
fn dash_to_mask(chars: impl Iterator<Item = char>, bracket: char) -> bool {
    let mut dash = false;
    let mut parts = 0;
    let mut word = String::new();
    let mut words = 0;
    let mut end_word = |word: &mut String, dash: &mut bool, parts: &mut usize| {
        if word.is_empty() {
            return true;
        }
        let spelled = super::spell::DASH_WORDS.iter().any(|w| {
            let reversed: String = w.chars().rev().collect();
            word.eq_ignore_ascii_case(w) || word.eq_ignore_ascii_case(&reversed)
        });
        word.clear();
        words += 1;
        *dash |= spelled;
        *parts += 1;
        spelled && words == 1
    };
    for c in chars {
        if is_transparent(c) {
            continue;
        }
        if super::spell::is_word_char(c) {
            if word.chars().count() >= 6 {
                return false;
            }
            word.push(c);
            continue;
        }
        if !end_word(&mut word, &mut dash, &mut parts) {
            return false;
        }
        if c == bracket {
            return dash && parts <= MAX_JOIN;
        }
        // A comma joins spelled groups (`zero one zero, nine …`).
        if fold(c) != Some(',') {
            let Some(sep) = separator(c) else {
                return false;
            };
            dash |= sep == Sep::Dash;
        }
        parts += 1;
        if parts > MAX_JOIN {
            return false;
        }
    }
    false
}

/// A word that spells a dash (see [`super::spell`]) right before the run, without a space.
fn dash_word_before(before: &str) -> bool {
    let before = before.trim_end_matches(is_transparent);
    super::spell::DASH_WORDS.iter().any(|word| {
        before.len() >= word.len()
            && before.is_char_boundary(before.len() - word.len())
            && before[before.len() - word.len()..].eq_ignore_ascii_case(word)
            && !before[..before.len() - word.len()]
                .chars()
                .next_back()
                .is_some_and(super::spell::is_word_char)
    })
}

/// A word that spells a dash right after the run, without a space.
fn dash_word_after(after: &str) -> bool {
    let after = after.trim_start_matches(is_transparent);
    super::spell::DASH_WORDS.iter().any(|word| {
        after
            .get(..word.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(word))
            && !after[word.len()..]
                .chars()
                .next()
                .is_some_and(super::spell::is_word_char)
    })
}

/// The `account` of an `[account ****1234]` mask is no bank word.
fn is_mask(window: &str, word: &regex::Match) -> bool {
    window[..word.start()].ends_with('[') && window[word.end()..].starts_with(" *")
}

/// The byte length of the `*`, `x` or `X` characters people type in place of the hidden digits of
/// a resident number, unless they are the start of a word (`1xbox`).
fn masked_tail(after: &str) -> Option<usize> {
    let mut len = 0;
    let mut stars = 0;
    let mut letters_only = true;
    for c in after.chars() {
        match fold(c) {
            Some('x' | 'X') => stars += 1,
            Some('*') => {
                stars += 1;
                letters_only = false;
            }
            _ if matches!(c, '●' | '•' | '○') => {
                stars += 1;
                letters_only = false;
            }
            _ if is_transparent(c) => {}
            // `x` before a word, a number or the mask of one (`1x[phone ****5678]`) is no mask.
            Some(f) if letters_only && (f.is_ascii_alphanumeric() || f == '[') => return None,
            _ => break,
        }
        len += c.len_utf8();
    }
    (stars > 0).then_some(len)
}

/// Consecutive groups `first..end` of a run.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span<'r> {
    pub run: &'r Run,
    pub first: usize,
    pub end: usize,
}

impl<'r> Span<'r> {
    pub fn digits(&self) -> &'r [u8] {
        let from = self.run.groups[self.first].digits.start;
        let to = self.run.groups[self.end - 1].digits.end;
        &self.run.digits[from..to]
    }

    fn groups(&self) -> usize {
        self.end - self.first
    }

    fn group(&self, index: usize) -> &'r [u8] {
        self.run.group_digits(self.first + index)
    }

    fn lens_are(&self, lens: &[usize]) -> bool {
        lens.len() == self.groups()
            && lens
                .iter()
                .enumerate()
                .all(|(i, &l)| self.group(i).len() == l)
    }

    fn joins(&self) -> &'r [super::tokens::Join] {
        &self.run.joins[self.first..self.end - 1]
    }

    /// A `+` directly before the span.
    fn plus(&self) -> bool {
        self.first == 0 && self.run.plus.is_some()
    }

    fn ends_run(&self) -> bool {
        self.end == self.run.groups.len()
    }

    /// A dash joins the span to more digits of its run, or to a mask that replaced them: masking
    /// the text again then decides as the first time.
    fn dash_to_more_digits(&self, context: &RunContext) -> bool {
        let before = if self.first > 0 {
            self.run.joins[self.first - 1].has(Sep::Dash)
        } else {
            context.dash_to_mask_before
        };
        let after = if self.ends_run() {
            context.dash_to_mask_after
        } else {
            self.run.joins[self.end - 1].has(Sep::Dash)
        };
        before || after
    }

    /// A line break between two of the span's groups.
    fn has_newline(&self) -> bool {
        self.joins().iter().any(|j| j.has(Sep::Newline))
    }

    /// A dash directly touches the span from outside: it is then a piece of a longer hyphenated
    /// code (`4111-1111-1111-1112`, `ORD-123-456-7890`), not a number of its own.
    fn dash_outside(&self, context: &RunContext) -> bool {
        let before = if self.first == 0 {
            context.sep_before
        } else {
            Some(self.run.joins[self.first - 1].last())
        };
        let after = if self.ends_run() {
            context.sep_after
        } else {
            Some(self.run.joins[self.end - 1].first())
        };
        before == Some(Sep::Dash) || after == Some(Sep::Dash)
    }
}

/// The kind of a span, other than a card's CVV or expiry.
///
/// Only a card may run across a line break, printed in four groups of four and starting as the
/// card networks' numbers do: two numbers on two lines are each something else far more often
/// than one phone or resident number, and a list of years (`2023`, `2024` …) is no card.
pub(super) fn classify(span: &Span, context: &RunContext) -> Option<Kind> {
    if span.has_newline() && span.lens_are(&[4, 4, 4, 4]) && card_network(span.group(0)) {
        return card(span);
    }
    if span.has_newline() {
        return None;
    }
    if is_resident(span, context) {
        return Some(Kind::Resident);
    }
    if (13..=MAX_SPAN_DIGITS).contains(&span.digits().len())
        && let Some(kind) = card(span)
    {
        return Some(kind);
    }
    if phone(span) {
        return Some(Kind::Phone);
    }
    if driver_licence(span, context) {
        return Some(Kind::DriverLicence);
    }
    account(span, context)
}

/// A Korean driver's licence number as printed, `11-12-123456-12`: the region (11–28), the year
/// of issue, a serial number and a check number, hyphenated or spaced. Otherwise grouped, or with
/// another region, it is left to the other kinds (a hyphenated 12 digits is an account).
fn driver_licence(span: &Span, context: &RunContext) -> bool {
    let joined = |sep: Sep| {
        span.joins()
            .iter()
            .all(|j| j.seps().iter().all(|&s| s == sep || s == Sep::Space) && j.has(sep))
    };
    span.lens_are(&[2, 2, 6, 2])
        && (11..=28).contains(&number(span.group(0)))
        && (joined(Sep::Dash) || joined(Sep::Space))
        && !span.dash_outside(context)
}

/// A birth date `YYMMDD` and the sex/century digit 1–8.
fn resident_prefix(digits: &[u8]) -> bool {
    let month = number(&digits[2..4]);
    let day = number(&digits[4..6]);
    (1..=12).contains(&month) && (1..=31).contains(&day) && (b'1'..=b'8').contains(&digits[6])
}

/// Whole (`9001011234567`, `900101-1234567`) or with the last digits hidden (`900101-1******`).
/// Other groupings of 13 digits (`20121014-12345`) are order numbers and the like.
fn is_resident(span: &Span, context: &RunContext) -> bool {
    let digits = span.digits();
    match digits.len() {
        13 => (span.lens_are(&[13]) || span.lens_are(&[6, 7])) && resident_prefix(digits),
        7..=12 => {
            span.groups() == 2
                && span.group(0).len() == 6
                && span.ends_run()
                && context.masked_tail.is_some()
                && resident_prefix(digits)
        }
        _ => false,
    }
}

/// The Luhn checksum card numbers carry.
fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let v = u32::from(d - b'0');
            if i % 2 == 1 {
                if v > 4 { v * 2 - 9 } else { v * 2 }
            } else {
                v
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The first four digits of a card of a network (Visa 4, Mastercard 51–55 and 2221–2720, Amex
/// and Diners and JCB 3, Discover and UnionPay 6, Korean domestic cards 9).
fn card_network(first: &[u8]) -> bool {
    matches!(first[0], b'3'..=b'6' | b'9') || (2221..=2720).contains(&number(first))
}

/// Cards are written whole, in fours, or as issuers print them (Amex 4-6-5, Diners 4-6-4,
/// UnionPay 6-13); other groupings are order numbers and the like, which pass Luhn one time in ten.
fn card(span: &Span) -> Option<Kind> {
    let digits = span.digits();
    let n = digits.len();
    if span.plus() {
        return None;
    }
    if span.groups() == 1 {
        if n <= 19 && luhn(digits) {
            return Some(Kind::Card);
        }
        // Card and CVV typed as one number.
        return (n >= 19 && luhn(&digits[..16])).then_some(Kind::CardWithCvv);
    }
    if n > 19 {
        return None;
    }
    let last = span.groups() - 1;
    let fours = (0..last).all(|i| span.group(i).len() == 4) && span.group(last).len() <= 4;
    let printed = span.lens_are(&[4, 6, 5]) || span.lens_are(&[4, 6, 4]) || span.lens_are(&[6, 13]);
    // Fours then three: a 16-digit card and its CVV, unless only the 19 digits pass.
    let with_cvv = span.lens_are(&[4, 4, 4, 4, 3]) && luhn(&digits[..16]);
    ((fours || printed) && !with_cvv && luhn(digits)).then_some(Kind::Card)
}

/// Korean mobile and landline numbers, domestic or with the country code 82, and other
/// international numbers written with `+`. Company representative numbers (15xx, 16xx, 18xx) are
/// not personal and stay.
fn phone(span: &Span) -> bool {
    let n = span.digits().len();
    if !(9..=15).contains(&n) {
        return false;
    }
    let first = span.group(0);
    let country =
        first.starts_with(b"82") && (span.plus() || (first.len() == 2 && span.groups() > 1));
    if !country {
        return if span.plus() {
            n >= 10
        } else {
            domestic(span.digits(), span.groups() == 1, first.len())
        };
    }
    // The national number: after `82`, without the `(0)` some write after it, with its `0`.
    let mut national = Vec::with_capacity(n + 1);
    let mut first_len = None;
    let mut groups = 0;
    for i in 0..span.groups() {
        let mut group = span.group(i);
        if i == 0 {
            group = &group[2..];
        }
        if group.is_empty() || (group == b"0" && groups == 0 && i + 1 < span.groups()) {
            continue;
        }
        if groups == 0 && group[0] != b'0' {
            national.push(b'0');
        }
        national.extend_from_slice(group);
        first_len.get_or_insert(national.len());
        groups += 1;
    }
    first_len.is_some_and(|first_len| domestic(&national, groups == 1, first_len))
}

/// A Korean number with its leading `0`. Written in groups, the first is the prefix (`010`, `02`,
/// `031`, `0505`): numbers that merely start with those digits are pieces of something else.
fn domestic(digits: &[u8], single: bool, first_len: usize) -> bool {
    let n = digits.len();
    let (prefix, lengths) = match digits {
        [b'0', b'1', b'0' | b'1' | b'6'..=b'9', ..] => (3, 10..=11),
        [b'0', b'2', ..] => (2, 9..=10),
        [b'0', b'5', b'0', ..] => (4, 11..=12),
        [b'0', b'3', b'1'..=b'3', ..]
        | [b'0', b'4', b'1'..=b'4', ..]
        | [b'0', b'5', b'1'..=b'5', ..]
        | [b'0', b'6', b'1'..=b'4', ..]
        | [b'0', b'7', b'0', ..] => (3, 10..=11),
        _ => return false,
    };
    lengths.contains(&n) && (single || first_len == prefix)
}

/// `YYYY-MM-DD…` or `YYYYMMDD-…`: dates and the order numbers built on them.
fn date_leading(span: &Span) -> bool {
    let year = |g: &[u8]| g.len() == 4 && (g.starts_with(b"19") || g.starts_with(b"20"));
    let month = |g: &[u8]| (1..=2).contains(&g.len()) && (1..=12).contains(&number(g));
    let day = |g: &[u8]| (1..=2).contains(&g.len()) && (1..=31).contains(&number(g));
    let first = span.group(0);
    (span.groups() >= 3 && year(first) && month(span.group(1)) && day(span.group(2)))
        || (first.len() == 8 && year(&first[..4]) && month(&first[4..6]) && day(&first[6..]))
}

/// Bank account numbers: 10–14 digits, hyphenated in 2–4 groups as banks print them, or in any
/// grouping next to a bank word.
fn account(span: &Span, context: &RunContext) -> Option<Kind> {
    if !(10..=14).contains(&span.digits().len()) {
        return None;
    }
    // A date written as a group of its own starts an order number; run into more digits next to
    // a bank word, it is more likely an account that happens to start like one.
    if span.groups() > 1 && date_leading(span) {
        return None;
    }
    let hyphenated = (2..=4).contains(&span.groups())
        && span.joins().iter().all(|j| j.is(Sep::Dash))
        // The resident number's shape: an invalid one is a typo or an identifier, not an account.
        && !span.lens_are(&[6, 7])
        && !span.dash_outside(context);
    // Next to a bank word any grouping goes, but not one that takes a group from before a
    // hyphenated number and cuts it short (`001 11-00-000000` of `001 11-00-000000-00`, a CVV and
    // a driver's licence): its rest would be left. A hyphenated span cut short still is, so that
    // a longer hyphenated number next to a bank word is masked as much as possible.
    let mixed = !span.joins().iter().all(|j| j.is(Sep::Dash));
    let bare = context.bank && !(mixed && span.dash_to_more_digits(context));
    (hyphenated || bare).then_some(Kind::Account)
}

/// A CVV or an expiry date right after a card (or after it and a keyword).
pub(super) fn follow_up(span: &Span, hint: Option<Hint>) -> Option<Kind> {
    let month = |g: &[u8]| (1..=2).contains(&g.len()) && (1..=12).contains(&number(g));
    match span.groups() {
        1 => {
            let group = span.group(0);
            match group.len() {
                3 => Some(Kind::Cvv),
                4 if hint != Some(Hint::Cvv) && month(&group[..2]) => Some(Kind::Expiry),
                4 => Some(Kind::Cvv),
                _ => None,
            }
        }
        2 => {
            let join = span.joins()[0];
            let slash = join.is(Sep::Slash)
                || (hint == Some(Hint::Expiry) && (join.is(Sep::Dash) || join.is(Sep::Dot)));
            let year = span.group(1);
            let year_ok = year.len() == 2
                || (year.len() == 4 && (year.starts_with(b"19") || year.starts_with(b"20")));
            (slash && month(span.group(0)) && year_ok).then_some(Kind::Expiry)
        }
        _ => None,
    }
}

/// Keywords that announce a CVV or an expiry date, lowercase, longest first where one is the
/// start of another. The tokenizer reads the `2` of `cvc2` as a run, which the caller lets by.
const FOLLOW_UP_WORDS: [(&str, Hint); 18] = [
    ("security code", Hint::Cvv),
    ("보안 코드", Hint::Cvv),
    ("보안코드", Hint::Cvv),
    ("cvv2", Hint::Cvv),
    ("cvc2", Hint::Cvv),
    ("cvv", Hint::Cvv),
    ("cvc", Hint::Cvv),
    ("csc", Hint::Cvv),
    ("cid", Hint::Cvv),
    ("valid thru", Hint::Expiry),
    ("expiration", Hint::Expiry),
    ("expires", Hint::Expiry),
    ("expiry", Hint::Expiry),
    ("exp", Hint::Expiry),
    ("유효기간", Hint::Expiry),
    ("만료일", Hint::Expiry),
    ("만료", Hint::Expiry),
    ("date", Hint::Expiry),
];

/// Particles that may follow a keyword (`유효기간은 12/28`).
const PARTICLES: [&str; 4] = ["은", "는", "이", "가"];

/// The longest text between a card and its CVV or expiry, in bytes.
const MAX_FOLLOW_UP_GAP: usize = 64;

/// Whether `gap`, the text between a card and the next run, lets that run be the card's CVV or
/// expiry: only separators (one line break at most), `:`, `,` and keywords. `Some(hint)` says
/// what the last keyword announced.
pub(super) fn follow_up_gap(gap: &str) -> Option<Option<Hint>> {
    if gap.len() > MAX_FOLLOW_UP_GAP {
        return None;
    }
    // One line break at most, as within a run: a paragraph later is something else.
    if gap.matches('\n').nth(1).is_some() {
        return None;
    }
    let mut hint = None;
    let mut rest = gap;
    while let Some(c) = rest.chars().next() {
        if separator(c).is_some() || matches!(fold(c), Some(':' | ',')) {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let (word, word_hint) = FOLLOW_UP_WORDS.iter().find(|(word, _)| {
            rest.get(..word.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(word))
        })?;
        hint = Some(*word_hint);
        rest = &rest[word.len()..];
        if let Some(particle) = PARTICLES.iter().find(|p| rest.starts_with(**p)) {
            rest = &rest[particle.len()..];
        }
    }
    Some(hint)
}

/// The value of at most a few ASCII digits.
fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |n, &d| {
        n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
    })
}
