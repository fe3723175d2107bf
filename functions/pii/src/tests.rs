use std::sync::LazyLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::select;
use regex::Regex;

use super::normalize::{digit_value, is_dropped};
use super::spell;
use super::*;

fn masked(input: &str) -> String {
    mask(input, Options::default())
}

#[test]
fn masking_table() {
    let table = [
        // Cards: Luhn-valid only, last four kept.
        (
            "카드번호 4111 1111 1111 1111 로 결제했어요",
            "카드번호 [card ****1111] 로 결제했어요",
        ),
        (
            "card 5500-0000-0000-0004 declined",
            "card [card ****0004] declined",
        ),
        ("4111111111111111", "[card ****1111]"),
        (
            "not a card 4111 1111 1111 1112",
            "not a card 4111 1111 1111 1112",
        ),
        (
            "not a card 4111-1111-1111-1112",
            "not a card 4111-1111-1111-1112",
        ),
        ("amex 3782 822463 10005", "amex [card ****0005]"),
        // Resident registration numbers.
        (
            "주민번호 900101-1234567 입니다",
            "주민번호 [resident number] 입니다",
        ),
        ("9001012234567", "[resident number]"),
        ("991399-1234567", "991399-1234567"),
        ("900101 - 1234567", "[resident number]"),
        (
            "주민번호 900101-1****** 입니다",
            "주민번호 [resident number] 입니다",
        ),
        ("900101-2xxxxxx", "[resident number]"),
        // Thirteen digits, but not grouped like a resident number: an order number.
        ("20121014-12345", "20121014-12345"),
        // Phones.
        (
            "연락처는 010-1234-5678 이에요",
            "연락처는 [phone ****5678] 이에요",
        ),
        (
            "01012345678로 전화 주세요",
            "[phone ****5678]로 전화 주세요",
        ),
        ("call +82 10 1234 5678", "call [phone ****5678]"),
        ("사무실 02-123-4567", "사무실 [phone ****4567]"),
        ("고객센터 1588-0000", "고객센터 1588-0000"),
        ("+82-2-123-4567", "[phone ****4567]"),
        ("+82 (0)10-1234-5678", "[phone ****5678]"),
        ("+821012345678", "[phone ****5678]"),
        ("821012345678", "821012345678"),
        ("82-10-1234-5678", "[phone ****5678]"),
        ("(02) 123-4567", "[phone ****4567]"),
        ("(010)1234-5678", "[phone ****5678]"),
        (
            "031-123-4567, 070-1234-5678",
            "[phone ****4567], [phone ****5678]",
        ),
        ("안심번호 0505-123-4567", "안심번호 [phone ****4567]"),
        ("+1 415 555 1234", "[phone ****1234]"),
        // Bank accounts.
        (
            "국민은행 123-45-6789012 으로 보냈어요",
            "국민은행 [account ****9012] 으로 보냈어요",
        ),
        (
            "신한 110123456789 로 송금",
            "신한 [account ****6789] 로 송금",
        ),
        ("account 3333-01-1234567", "account [account ****4567]"),
        ("110123456789 카카오뱅크", "[account ****6789] 카카오뱅크"),
        // A phone must not split an account: `-90` would be left.
        ("031-1234-5678-90", "[account ****7890]"),
        // Left alone: order numbers, error codes, amounts, dates, times, versions.
        (
            "주문번호 20261014-0001234 확인 부탁",
            "주문번호 20261014-0001234 확인 부탁",
        ),
        // Luhn-valid, but grouped like an order number, not a card.
        ("주문 20261014-0001233", "주문 20261014-0001233"),
        ("PAY-1001 오류가 나요", "PAY-1001 오류가 나요"),
        ("STO-5003", "STO-5003"),
        ("5,000,000원 송금했어요", "5,000,000원 송금했어요"),
        ("$1,234.56 and ₩12,000", "$1,234.56 and ₩12,000"),
        ("2026-10-14 결제", "2026-10-14 결제"),
        (
            "2026.10.14 2026/10/14 10/14 14:30",
            "2026.10.14 2026/10/14 10/14 14:30",
        ),
        ("v3.2.1 에서", "v3.2.1 에서"),
        ("ORD-30021234567", "ORD-30021234567"),
        // E-mail addresses by default.
        ("메일 minji@example.com", "메일 [email]"),
        // Defects once stored verbatim. Two resident numbers with a space between:
        (
            "900101-1234567 9001012234567",
            "[resident number] [resident number]",
        ),
        // a card and its CVV:
        ("4111 1111 1111 1111 123", "[card ****1111] [cvv]"),
        ("4111 1111 1111 1111 12/28", "[card ****1111] [expiry]"),
        (
            "카드 4111-1111-1111-1111 cvc 123 유효기간 12/28",
            "카드 [card ****1111] cvc [cvv] 유효기간 [expiry]",
        ),
        (
            "4111111111111111, CVV2: 123",
            "[card ****1111], CVV2: [cvv]",
        ),
        (
            "4111 1111 1111 1111 / 12/28 / 123",
            "[card ****1111] / [expiry] / [cvv]",
        ),
        // Card and CVV typed as one number.
        ("4111111111111111123 12/28", "[card ****1111][cvv] [expiry]"),
        (
            "4111111111111111 expires 1228",
            "[card ****1111] expires [expiry]",
        ),
        // a resident number and a phone:
        (
            "900101-1234567 010-1234-5678",
            "[resident number] [phone ****5678]",
        ),
        // digits after a phone (once `[account ****3332]시`):
        ("010-2222-3333 2시", "[phone ****3333] 2시"),
        ("01012345678 2시", "[phone ****5678] 2시"),
        // a card and a phone, the `010` no CVV:
        (
            "4111111111111111 010-1234-5678",
            "[card ****1111] [phone ****5678]",
        ),
        ("2026-10-14 010-1234-5678", "2026-10-14 [phone ****5678]"),
        // full-width and other digits and dashes:
        ("０１０－１２３４－５６７８", "[phone ****5678]"),
        (
            "카드 ４１１１ １１１１ １１１１ １１１１",
            "카드 [card ****1111]",
        ),
        ("٠١٠-١٢٣٤-٥٦٧٨", "[phone ****5678]"),
        (
            "0\u{FE0F}\u{20E3}1\u{FE0F}\u{20E3}0\u{FE0F}\u{20E3}-1234-5678",
            "[phone ****5678]",
        ),
        // zero-width and bidi characters inside a number:
        ("010\u{200B}1234\u{200B}5678", "[phone ****5678]"),
        ("9001\u{200D}01-1234567", "[resident number]"),
        ("010-12\u{AD}34-\u{FEFF}5678", "[phone ****5678]"),
        ("\u{202E}010-1234-5678\u{202C}", "[phone ****5678]"),
        // dots, middle dots and en dashes as separators, spaces around the hyphen:
        ("010.1234.5678", "[phone ****5678]"),
        ("02·123·4567", "[phone ****4567]"),
        ("010–1234–5678", "[phone ****5678]"),
        ("010 - 1234 - 5678", "[phone ****5678]"),
    ];
    for (input, expected) in table {
        assert_eq!(masked(input), expected, "{input}");
    }
    let email = Options::default();
    assert!(email.email, "e-mail addresses are masked by default");
    let no_email = Options { email: false };
    assert_eq!(
        mask("메일 minji@example.com 로", no_email),
        "메일 minji@example.com 로"
    );
    assert_eq!(mask("메일 minji@example.com 로", email), "메일 [email] 로");
    assert_eq!(mask("minji＠example.com", email), "[email]");
    assert_eq!(
        mask("id 010-1234-5678@example.co.kr, ok", email),
        "id [email], ok"
    );
    assert_eq!(mask("a@b", email), "a@b");
}

#[test]
fn masking_is_idempotent_and_never_panics() {
    for input in [
        "",
        "0",
        "+",
        "++82",
        "010-",
        "1-2-3-4-5-6-7-8-9",
        "😀 010-1234-5678 😀",
        &"9".repeat(5000),
        // Once masked on the second pass only.
        "11-12-123456-12DE89 3704 0044 0532 0130 00 ",
        "여권M12345678x11-12-123456-120",
        "+삼삼사사900101-1234567000계좌",
        "12/28900101-1123이–010-1234-56780 0",
        "811-12-123456-120이 010-1234-56780",
        "공일공900101-1.다시11-12-123456-12계좌",
        "공일공삼삼사사오오육육,다시1101234567계좌",
    ] {
        let once = mask(input, Options { email: true });
        assert_eq!(mask(&once, Options { email: true }), once, "{input}");
    }
}

#[test]
fn sanitize_table() {
    let table = [
        ("a\u{0}b\u{7}c\u{7F}d\u{85}e", "abcde"),
        ("a\r\nb\rc\n\rd\te", "a\nb\nc\n\nd\te"),
        ("bi\u{202E}di\u{2066}x\u{2069}\u{200F}\u{61C}", "bidix"),
        (
            "zero\u{200B}width\u{FEFF}\u{2060}soft\u{AD}\u{180E}\u{34F}",
            "zerowidthsoft",
        ),
        // Emoji: ZWJ sequences, variation selectors, keycaps, subdivision flags.
        (
            "👩\u{200D}💻 ❤\u{FE0F}\u{200D}🔥 1\u{FE0F}\u{20E3}",
            "👩\u{200D}💻 ❤\u{FE0F}\u{200D}🔥 1\u{FE0F}\u{20E3}",
        ),
        (
            "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
            "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
        ),
        ("hidden\u{E0041}\u{E0042} tags\u{E007F}", "hidden tags"),
        // Joiners between digits only split numbers.
        ("1\u{200D}2\u{200C}3 1\u{FE0F}\u{200D}2", "123 1\u{FE0F}2"),
        // NFC.
        ("e\u{301} \u{1100}\u{1161}\u{11A8}", "é 각"),
        ("０１０", "０１０"),
    ];
    for (input, expected) in table {
        assert_eq!(sanitize(input), expected, "{input:?}");
    }
}

#[test]
fn long_inputs_take_linear_time() {
    let inputs = [
        "9".repeat(100_000),
        "1 ".repeat(50_000),
        "010-1234-5678 ".repeat(7_000),
        "4111 1111 1111 1111 123, ".repeat(4_000),
        "계좌 1-2-3-4 ".repeat(10_000),
        "a@".repeat(50_000),
        "1\u{200D}".repeat(30_000),
        "안녕하세요 고객님 주문번호 20261014-0001234 입니다. ".repeat(2_500),
        // Spelled digits: one long spelled run, many short ones, words made of digit syllables.
        "일".repeat(100_000),
        "공일공 삼삼사사 오오육육 ".repeat(5_000),
        "팔오공삼일오 다시 이삼사오육칠일 ".repeat(3_000),
        "이사 오이 사이 공사 일일 ".repeat(8_000),
        "공 일 ".repeat(30_000),
        "zero one zero, nine eight seven six, ".repeat(3_000),
        "double ".repeat(50_000),
        "double five ".repeat(20_000),
        "one oh ".repeat(30_000),
        "4916-33일사-2222-3333 ".repeat(5_000),
        "오오육육이에요 ".repeat(10_000),
        // Letters and digits: IBANs, passports, line breaks and underscores.
        "DE89 3704 0044 0532 0130 00 ".repeat(4_000),
        "DE89 ".repeat(30_000),
        "GB82WEST".repeat(20_000),
        "여권번호 M12345678 ".repeat(8_000),
        "passport M12345678 ".repeat(8_000),
        "M12345678 ".repeat(15_000),
        "4539\n1488\n".repeat(20_000),
        "1_".repeat(50_000),
        "11-12-123456-12 ".repeat(8_000),
    ];
    for input in &inputs {
        let start = Instant::now();
        let once = mask(input, Options { email: true });
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{} bytes took {:?}",
            input.len(),
            start.elapsed()
        );
        assert_eq!(mask(&once, Options { email: true }), once);
    }
}

// Generators for the properties.

/// Mask tokens, to be removed before looking for leftover digits.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\[(?:card|phone|account) \*\*\*\*[0-9]{4}\]",
        r"|\[(?:resident number|cvv|expiry|email|passport|driver licence|…continued)\]",
    ))
    .expect("constant pattern")
});

/// Words without digits, bank words or CVV keywords, so that they change nothing.
const WORDS: [&str; 24] = [
    "안녕하세요",
    "고객님",
    "확인",
    "부탁드립니다",
    "결제",
    "오류",
    "문의",
    "감사합니다",
    "으로",
    "입니다",
    "연락",
    "주세요",
    "please",
    "check",
    "my",
    "number",
    "is",
    "thanks",
    "hello",
    "the",
    "and",
    "요청",
    "처리",
    "완료",
];

fn words(count: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(select(&WORDS[..]), count).prop_map(|w| w.join(" "))
}

fn digits(n: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(0u8..10, n)
        .prop_map(|v| v.into_iter().map(|d| char::from(b'0' + d)).collect())
}

/// `digits` cut into groups of `lens`, joined by `joins` (cycled).
fn grouped(digits: &str, lens: &[usize], joins: &[&str]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for (i, &len) in lens.iter().enumerate() {
        if i > 0 {
            out.push_str(joins[(i - 1) % joins.len()]);
        }
        out.push_str(&digits[at..at + len]);
        at += len;
    }
    out
}

fn luhn_complete(body: &str) -> String {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let v = u32::from(d - b'0');
            if i % 2 == 0 {
                if v > 4 { v * 2 - 9 } else { v * 2 }
            } else {
                v
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

const SEPARATORS: [&str; 7] = ["", "-", " ", ".", " - ", "\u{2013}", "\u{FF0D}"];
const DASHES: [&str; 4] = ["-", " - ", "\u{2013}", "\u{FF0D}"];

/// Joins for one number: all the same (possibly none), or mixed.
fn joins() -> impl Strategy<Value = Vec<&'static str>> {
    prop_oneof![
        select(&SEPARATORS[..]).prop_map(|s| vec![s]),
        prop::collection::vec(select(&SEPARATORS[1..]), 4),
    ]
}

#[derive(Debug, Clone)]
struct Item {
    text: String,
    /// The digits of the number, as ASCII (for a spelled number, the digits it spells).
    digits: String,
    /// Starts or ends with a spelled English word: only a space after it would glue the next
    /// item's first word onto its last group, as a person reading it would.
    words: bool,
}

impl Item {
    fn new(text: String) -> Self {
        let digits = text.chars().filter(char::is_ascii_digit).collect();
        Self {
            text,
            digits,
            words: false,
        }
    }

    fn from(grouped: Grouped) -> Self {
        Self {
            text: grouped.text(),
            digits: grouped.digits,
            words: grouped.words,
        }
    }
}

/// A number as groups and joins, to be cut between two messages at a join.
#[derive(Debug, Clone)]
struct Grouped {
    groups: Vec<String>,
    joins: Vec<String>,
    digits: String,
    words: bool,
}

impl Grouped {
    fn ascii(digits: &str, lens: &[usize], joins: &[&str]) -> Self {
        let mut groups = Vec::new();
        let mut at = 0;
        for &len in lens {
            groups.push(digits[at..at + len].to_string());
            at += len;
        }
        Self {
            joins: (1..lens.len())
                .map(|i| joins[(i - 1) % joins.len()].to_string())
                .collect(),
            groups,
            digits: digits[..at].to_string(),
            words: false,
        }
    }

    fn text(&self) -> String {
        let mut out = self.groups[0].clone();
        for (join, group) in self.joins.iter().zip(&self.groups[1..]) {
            out.push_str(join);
            out.push_str(group);
        }
        out
    }
}

fn resident() -> impl Strategy<Value = Item> {
    (
        0u8..100,
        1u8..=12,
        1u8..=31,
        1u8..=8,
        digits(6),
        select(&SEPARATORS[..]),
    )
        .prop_map(|(yy, mm, dd, s, rest, sep)| {
            let number = format!("{yy:02}{mm:02}{dd:02}{s}{rest}");
            Item::new(grouped(&number, &[6, 7], &[sep]))
        })
}

fn card() -> impl Strategy<Value = Item> {
    let shapes: [&[usize]; 8] = [
        &[15],
        &[4, 6, 5],
        &[4, 4, 4, 3],
        &[16],
        &[4, 4, 4, 4],
        &[19],
        &[4, 4, 4, 4, 3],
        &[6, 13],
    ];
    (
        select(shapes.to_vec()),
        3u8..=6,
        digits(18),
        select(&[" ", "-", " - ", "\u{2013}", "\u{FF0D}"][..]),
    )
        .prop_map(|(shape, first, body, sep)| {
            let n: usize = shape.iter().sum();
            let number = luhn_complete(&format!("{first}{}", &body[..n - 2]));
            Item::new(grouped(&number, shape, &[sep]))
        })
}

fn phone() -> impl Strategy<Value = Item> {
    let mobile = (
        select(&["010", "011", "016", "017", "018", "019"][..]),
        prop::bool::ANY,
    )
        .prop_map(|(p, long)| (p.to_string(), if p == "010" || long { 4 } else { 3 }));
    let seoul = prop::bool::ANY.prop_map(|long| ("02".to_string(), if long { 4 } else { 3 }));
    let areas = [
        "031", "032", "033", "041", "042", "043", "044", "051", "052", "053", "054", "055", "061",
        "062", "063", "064", "070",
    ];
    let area = (select(areas.to_vec()), prop::bool::ANY)
        .prop_map(|(p, long)| (p.to_string(), if p == "070" || long { 4 } else { 3 }));
    let safe = (2u8..=8, prop::bool::ANY)
        .prop_map(|(x, long)| (format!("050{x}"), if long { 4 } else { 3 }));
    let national = prop_oneof![mobile, seoul, area, safe];
    // 0: domestic, 1: +82, 2: +82 (0), 3: 82 without +.
    (national, digits(8), joins(), 0u8..4, prop::bool::ANY).prop_map(
        |((prefix, middle), rest, joins, form, wide_plus)| {
            let number = format!("{prefix}{}", &rest[..middle + 4]);
            let lens = [prefix.len(), middle, 4];
            let domestic = grouped(&number, &lens, &joins);
            let plus = if wide_plus { "\u{FF0B}" } else { "+" };
            let without_zero = grouped(&number[1..], &[prefix.len() - 1, middle, 4], &joins);
            let text = match form {
                1 => format!("{plus}82{}{without_zero}", joins[joins.len() - 1]),
                2 if !joins[0].is_empty() => format!("{plus}82 (0){without_zero}"),
                3 if !joins[0].is_empty() => format!("82{}{without_zero}", joins[0]),
                _ => domestic,
            };
            Item::new(text)
        },
    )
}

fn account() -> impl Strategy<Value = Item> {
    let shapes: [&[usize]; 9] = [
        &[6, 2, 6],
        &[3, 3, 6],
        &[4, 3, 6],
        &[3, 6, 5],
        &[3, 4, 4, 2],
        &[3, 6, 2, 3],
        &[4, 2, 7],
        &[4, 4, 4],
        &[3, 2, 4, 3],
    ];
    let hyphenated = (
        select(shapes.to_vec()),
        1u8..=9,
        digits(14),
        select(&DASHES[..]),
    )
        .prop_map(|(shape, first, body, sep)| {
            let n: usize = shape.iter().sum();
            Item::new(grouped(
                &format!("{first}{}", &body[..n - 1]),
                shape,
                &[sep],
            ))
        });
    let banks = [
        "국민은행",
        "신한",
        "우리은행",
        "하나",
        "농협",
        "기업은행",
        "카카오뱅크",
        "토스뱅크",
        "계좌",
        "bank",
        "Account",
        "우체국",
        "SC제일",
    ];
    let bare = (
        select(banks.to_vec()),
        10usize..=14,
        digits(14),
        prop::bool::ANY,
    )
        .prop_map(|(bank, n, body, after)| {
            let number = &body[..n];
            Item::new(if after {
                format!("{number} {bank}")
            } else {
                format!("{bank} {number}")
            })
        });
    prop_oneof![3 => hyphenated, 1 => bare]
}

const WIDE_DIGITS: [u32; 5] = [0xFF10, 0x660, 0x6F0, 0x966, 0x1D7CE];
const INVISIBLE: [char; 10] = [
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{AD}', '\u{202E}', '\u{202C}',
    '\u{200E}', '\u{2066}',
];

/// Digits, separators and the `+`: where invisible characters go inside a number.
fn in_number(c: char) -> bool {
    c.is_ascii_digit() || " -./()+\u{2013}\u{FF0D}\u{FF0B}".contains(c)
}

/// `text` with some digits in other scripts and invisible characters inserted inside the
/// number, driven by `noise`.
fn disguise(text: &str, noise: &[u8]) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let n = noise[i % noise.len()];
        let inside = in_number(c) && chars.get(i + 1).is_some_and(|&next| in_number(next));
        match c {
            '0'..='9' if n.is_multiple_of(4) => {
                let zero = WIDE_DIGITS[usize::from(n / 4) % WIDE_DIGITS.len()];
                out.extend(char::from_u32(zero + u32::from(c as u8 - b'0')));
            }
            _ => out.push(c),
        }
        if inside && n.is_multiple_of(5) {
            out.push(INVISIBLE[usize::from(n / 5) % INVISIBLE.len()]);
        }
    }
    out
}

/// Syllables for each digit (two for 0 and 6).
const HANGUL_DIGITS: [&[char]; 10] = [
    &['공', '영'],
    &['일'],
    &['이'],
    &['삼'],
    &['사'],
    &['오'],
    &['육', '륙'],
    &['칠'],
    &['팔'],
    &['구'],
];
const ENGLISH_DIGITS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

fn korean_spelled(digits: &str, noise: u8) -> String {
    digits
        .bytes()
        .enumerate()
        .map(|(i, d)| {
            let choices = HANGUL_DIGITS[usize::from(d - b'0')];
            choices[(usize::from(noise) + i) % choices.len()]
        })
        .collect()
}

/// One group spelled as English words: `oh` for some zeros, `double`/`triple` for some repeats.
fn english_spelled(digits: &str, noise: u8) -> String {
    let bytes = digits.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let d = bytes[i];
        let word = if d == b'0' && noise.is_multiple_of(3) {
            "oh"
        } else {
            ENGLISH_DIGITS[usize::from(d - b'0')]
        };
        let repeat = bytes[i..].iter().take_while(|&&b| b == d).count();
        if repeat >= 3 && noise.is_multiple_of(2) {
            words.push(format!("triple {word}"));
            i += 3;
        } else if repeat >= 2 && noise.is_multiple_of(2) {
            words.push(format!("double {word}"));
            i += 2;
        } else {
            words.push(word.to_string());
            i += 1;
        }
    }
    words.join(" ")
}

/// The digits and groups of a domestic phone or a resident number.
fn phone_or_resident_digits() -> impl Strategy<Value = (String, Vec<usize>)> {
    let phone = (
        select(&["010", "011", "016", "019", "02", "031", "051", "070"][..]),
        prop::bool::ANY,
        digits(8),
    )
        .prop_map(|(prefix, long, rest)| {
            let middle = if prefix == "010" || prefix == "070" || long {
                4
            } else {
                3
            };
            (
                format!("{prefix}{}", &rest[..middle + 4]),
                vec![prefix.len(), middle, 4],
            )
        });
    let resident = (0u8..100, 1u8..=12, 1u8..=28, 1u8..=4, digits(6))
        .prop_map(|(yy, mm, dd, s, rest)| (format!("{yy:02}{mm:02}{dd:02}{s}{rest}"), vec![6, 7]));
    prop_oneof![phone, resident]
}

/// A phone or resident number spelled in Hangul, each group a token, some groups possibly left
/// as digits.
fn korean_spelled_number() -> impl Strategy<Value = Grouped> {
    (
        phone_or_resident_digits(),
        any::<u8>(),
        prop::collection::vec(
            select(&[" ", "-", " 다시 ", "다시", ", ", " - ", " 대시 "][..]),
            2,
        ),
        prop::collection::vec(prop::bool::weighted(0.8), 3),
    )
        .prop_map(|((digits, lens), noise, joins, spelled)| {
            let mut grouped = Grouped::ascii(&digits, &lens, &joins);
            let all_ascii = !spelled[..lens.len()].iter().any(|&s| s);
            let spelled: Vec<bool> = (0..lens.len())
                .map(|i| spelled[i] || (all_ascii && i == 0))
                .collect();
            for (i, group) in grouped.groups.iter_mut().enumerate() {
                if spelled[i] {
                    *group = korean_spelled(group, noise);
                }
            }
            // A comma between two written groups is a thousands separator, not a join.
            for (i, join) in grouped.joins.iter_mut().enumerate() {
                if !spelled[i] && !spelled[i + 1] && join.contains(',') {
                    *join = " ".into();
                }
            }
            grouped
        })
}

/// A phone or resident number in English words, groups apart by commas or dashes.
fn english_spelled_number() -> impl Strategy<Value = Grouped> {
    (
        phone_or_resident_digits(),
        any::<u8>(),
        prop::collection::vec(
            select(&[", ", ",", " dash ", " - ", " hyphen ", "-"][..]),
            2,
        ),
    )
        .prop_map(|((digits, lens), noise, joins)| {
            let mut grouped = Grouped::ascii(&digits, &lens, &joins);
            for (i, group) in grouped.groups.iter_mut().enumerate() {
                *group = english_spelled(group, noise.wrapping_add(i as u8));
            }
            grouped.words = true;
            grouped
        })
}

/// An ASCII card with a group or the end of one in Hangul digits (`4916-33일사-2222-3333`).
fn mixed_card() -> impl Strategy<Value = Grouped> {
    (
        3u8..=6,
        digits(15),
        0usize..4,
        2usize..=4,
        any::<u8>(),
        select(&["-", " ", "-", "_"][..]),
    )
        .prop_map(|(first, body, group, spelled, noise, sep)| {
            let number = luhn_complete(&format!("{first}{}", &body[..14]));
            let mut grouped = Grouped::ascii(&number, &[4, 4, 4, 4], &[sep]);
            let g = &mut grouped.groups[group];
            *g = format!(
                "{}{}",
                &g[..4 - spelled],
                korean_spelled(&g[4 - spelled..], noise)
            );
            grouped
        })
}

/// A valid IBAN of one of a few countries, in fours or in one piece.
fn iban() -> impl Strategy<Value = Grouped> {
    // Country, letters then digits in the national number.
    let countries: [(&str, usize, usize); 8] = [
        ("DE", 0, 18),
        ("GB", 4, 14),
        ("NL", 4, 10),
        ("BE", 0, 12),
        ("FR", 0, 23),
        ("ES", 0, 20),
        ("CH", 0, 17),
        ("NO", 0, 11),
    ];
    (
        select(countries.to_vec()),
        prop::collection::vec(0u8..26, 4),
        digits(23),
        prop::bool::ANY,
    )
        .prop_map(|((country, letters, numbers), alpha, body, spaced)| {
            let bban: String = alpha[..letters]
                .iter()
                .map(|&l| char::from(b'A' + l))
                .chain(body[..numbers].chars())
                .collect();
            let check = 98 - iban_mod97(&format!("{bban}{country}00"));
            let iban = format!("{country}{check:02}{bban}");
            let groups: Vec<String> = if spaced {
                iban.as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect()
            } else {
                vec![iban.clone()]
            };
            Grouped {
                joins: vec![" ".to_string(); groups.len() - 1],
                groups,
                digits: iban.chars().filter(char::is_ascii_digit).collect(),
                words: false,
            }
        })
}

fn iban_mod97(rearranged: &str) -> u32 {
    rearranged.chars().fold(0, |rest, c| {
        let value = c.to_digit(36).unwrap_or(0);
        if value >= 10 {
            (rest * 100 + value) % 97
        } else {
            (rest * 10 + value) % 97
        }
    })
}

/// A passport number with a passport word before or after it.
fn passport() -> impl Strategy<Value = Item> {
    let number = (
        0u8..4,
        select(&['M', 'S', 'R', 'O', 'D', 'G', 'X', 'T'][..]),
        0u8..26,
        digits(9),
        prop::bool::ANY,
    )
        .prop_map(|(form, letter, second, body, lower)| {
            let second = char::from(b'A' + second);
            let number = match form {
                0 => format!("{letter}{}", &body[..8]),
                1 => format!("{letter}{}{second}{}", &body[..3], &body[3..7]),
                2 => format!("{letter}{second}{}", &body[..7]),
                _ => body.clone(),
            };
            if lower { number.to_lowercase() } else { number }
        });
    (
        number,
        select(
            &[
                "여권번호 ",
                "여권 번호는 ",
                "passport no. ",
                "Passport number: ",
                "my passport is ",
            ][..],
        ),
        select(&[" (여권)", " is my passport number", " 여권번호입니다"][..]),
        prop::bool::ANY,
    )
        .prop_map(|(number, before, after, word_first)| {
            Item::new(if word_first {
                format!("{before}{number}")
            } else {
                format!("{number}{after}")
            })
        })
}

/// A card cut by line breaks or underscores between its groups of four.
fn split_card() -> impl Strategy<Value = Grouped> {
    (
        3u8..=6,
        digits(15),
        prop::collection::vec(select(&["\n", "_", " ", "-", " \n", "\n "][..]), 3),
        select(&["\n", "_"][..]),
        0usize..3,
    )
        .prop_map(|(first, body, mut joins, forced, at)| {
            joins[at] = forced;
            let number = luhn_complete(&format!("{first}{}", &body[..14]));
            Grouped::ascii(&number, &[4, 4, 4, 4], &joins)
        })
}

/// A Korean driver's licence number.
fn driver_licence() -> impl Strategy<Value = Grouped> {
    (11u8..=28, digits(10), select(&["-", " ", " - "][..])).prop_map(|(region, rest, sep)| {
        Grouped::ascii(&format!("{region}{rest}"), &[2, 2, 6, 2], &[sep])
    })
}

fn personal_item() -> impl Strategy<Value = Item> {
    let plain = prop_oneof![resident(), card(), phone(), account()];
    let disguised =
        (plain, prop::collection::vec(any::<u8>(), 1..24)).prop_map(|(item, noise)| Item {
            text: disguise(&item.text, &noise),
            ..item
        });
    let new = prop_oneof![
        korean_spelled_number().prop_map(Item::from),
        english_spelled_number().prop_map(Item::from),
        mixed_card().prop_map(Item::from),
        iban().prop_map(Item::from),
        passport(),
        split_card().prop_map(Item::from),
        driver_licence().prop_map(Item::from),
    ];
    let new = (new, prop::collection::vec(any::<u8>(), 1..24)).prop_map(|(item, noise)| Item {
        text: disguise(&item.text, &noise),
        ..item
    });
    prop_oneof![1 => disguised, 1 => new]
}

/// 1–3 items in text, adjacent ones joined by words or by separators only.
fn text_with_items() -> impl Strategy<Value = (String, Vec<Item>)> {
    let joiner = prop_oneof![
        words(1..=3).prop_map(|w| format!(" {w} ")),
        select(&[" ", " / ", ", "][..]).prop_map(String::from),
    ];
    (
        words(0..=3),
        prop::collection::vec((personal_item(), joiner), 1..=3),
        words(0..=3),
    )
        .prop_map(|(before, items, after)| {
            let mut text = format!("{before} ");
            for (i, (item, joiner)) in items.iter().enumerate() {
                if i > 0 {
                    // Two numbers in English words with only a space between read as one.
                    let words = item.words && items[i - 1].0.words;
                    text.push_str(if words && joiner == " " { ", " } else { joiner });
                }
                text.push_str(&item.text);
            }
            text.push(' ');
            text.push_str(&after);
            (text, items.into_iter().map(|(item, _)| item).collect())
        })
}

/// Ordinary sentences with words made of digit syllables or digit words, identifiers shaped like
/// passport numbers without a passport word, and lists on separate lines: none is personal.
const ORDINARY: [&str; 40] = [
    "이사 날짜를 바꾸고 싶어요",
    "오이 사이에 공사 중이에요",
    "일일 이용 한도가 있나요",
    "삼일절에도 배송되나요",
    "구이 메뉴를 주문했어요",
    "일이 많아서 이사 준비를 못 했어요",
    "공공기관 사이트에서 오류가 나요",
    "오늘 오후 2시에 전화 주세요",
    "3일 동안 오류가 나요",
    "2026년 10월 14일 이사 예정입니다",
    "사이즈 구매 오늘 일정 이번 사용 영수증 공지 삼성",
    "사이사이 오이 이사 공사 일일 구이 삼일 이일 오일",
    "구구단 칠칠맞게 팔팔한 사사로운 영영",
    "영영 공공 일일 이이 삼삼 사사 오오",
    "일이삼 사오육 칠팔구",
    "공일공으로 시작하는 번호는 없어요",
    "쿠폰 일일 5,000원 할인",
    "1588-0000 일일 상담",
    "이사 1588-1234 로 문의",
    "영수증 2026.10.14 일일 정산",
    "공사 기간 2026-10-14 ~ 2026-10-20",
    "사이 1234-5678",
    "오일 교환 30,000원",
    "주문 M12345678 배송 조회",
    "order M12345678 shipped, tracking GB82WEST",
    "I have one question, and two more about order 5",
    "Oh, one more thing: the app crashed at 2pm",
    "zero issues, one two three go",
    "five stars, eight out of ten",
    "Room one oh one, floor nine",
    "I called three times, four if you count today",
    "double check the amount, triple check the date",
    "dash cam order 7",
    "one by one, two by two",
    "항목\n2023\n2024\n2025\n2026",
    "1234\n5678",
    "2026_10_14_report.pdf",
    "코드 AB12 3456 7890",
    "여권 사진 규격이 궁금해요",
    "passport photo size 35x45",
];

fn kept_item() -> impl Strategy<Value = String> {
    let date = (2000u32..2040, 1u32..=12, 1u32..=31);
    prop_oneof![
        select(&ORDINARY[..]).prop_map(String::from),
        (date.clone(), digits(7))
            .prop_map(|((y, m, d), n)| format!("주문번호 {y}{m:02}{d:02}-{n}")),
        (1u8..=9, 7usize..=11, digits(11))
            .prop_map(|(f, n, body)| format!("ORD-{f}{}", &body[..n])),
        (select(&["PAY", "STO", "AUTH", "NET"][..]), 1000u32..10000)
            .prop_map(|(p, n)| format!("{p}-{n}")),
        (1u32..1000, 0u32..1000, 0u32..1000).prop_map(|(a, b, c)| format!("{a},{b:03},{c:03}원")),
        (1u32..10000, 0u32..100).prop_map(|(a, c)| format!(
            "${},{:03}.{c:02}",
            a / 1000 + 1,
            a % 1000
        )),
        (1u32..100, 0u32..1000).prop_map(|(a, b)| format!("₩{a},{b:03}")),
        (date.clone(), select(&["-", ".", "/"][..]))
            .prop_map(|((y, m, d), s)| format!("{y}{s}{m:02}{s}{d:02}")),
        (1u32..=12, 1u32..=31).prop_map(|(m, d)| format!("{m}/{d}")),
        (0u32..24, 0u32..60).prop_map(|(h, m)| format!("{h:02}:{m:02}")),
        (0u32..10, 0u32..20, 0u32..10).prop_map(|(a, b, c)| format!("v{a}.{b}.{c}")),
        (select(&["15", "16", "18"][..]), 0u32..100, 0u32..10000)
            .prop_map(|(p, a, b)| format!("{p}{a:02}-{b:04}")),
    ]
}

fn text_with_kept_items() -> impl Strategy<Value = String> {
    (
        words(0..=2),
        prop::collection::vec((kept_item(), words(1..=2)), 1..=4),
    )
        .prop_map(|(before, items)| {
            let mut text = before;
            for (item, words) in items {
                text.push_str(&format!(" {item} {words}"));
            }
            text
        })
}

const BIASED_CHARS: [char; 48] = [
    '0',
    '1',
    '2',
    '3',
    '4',
    '5',
    '6',
    '7',
    '8',
    '9',
    '０',
    '٣',
    '①',
    ' ',
    '-',
    '.',
    '/',
    '(',
    ')',
    '–',
    '－',
    '\u{3000}',
    '+',
    '＋',
    '*',
    'x',
    ':',
    ',',
    '\n',
    '\r',
    '@',
    'a',
    'é',
    '\u{301}',
    '\u{200B}',
    '\u{200D}',
    '\u{200C}',
    '\u{FE0F}',
    '\u{20E3}',
    '\u{202E}',
    '\u{AD}',
    '\u{E0067}',
    '\u{E007F}',
    '🏴',
    '👩',
    '가',
    '\u{1100}',
    '\u{1161}',
];
const BIASED_FRAGMENTS: [&str; 58] = [
    "공일공",
    "삼삼사사",
    "오오육육",
    "이",
    "일",
    "이사",
    "다시",
    " 다시 ",
    "zero",
    "oh",
    "one",
    "double",
    " dash ",
    ", ",
    "이에요",
    "여권",
    "passport ",
    "M12345678",
    "[passport]",
    "[driver licence]",
    "[…continued]",
    "DE89 3704 0044 0532 0130 00",
    "GB82",
    "11-12-123456-12",
    "010-1234-5678",
    "4111111111111111",
    "4111 1111 1111 1111",
    "900101-1234567",
    "900101-1",
    "계좌",
    "신한 ",
    "account",
    "bank",
    "cvc",
    "cvv2",
    "유효기간",
    "exp",
    "12/28",
    "+82",
    "(0)",
    "123",
    "82",
    "minji@example.com",
    "[card ****1111]",
    "[account ****1100]",
    "[phone ****5678]",
    "[resident number]",
    "[cvv]",
    "[expiry]",
    "[email]",
    "2026-10-14",
    "ORD-",
    "\u{0}",
    "1234",
    "02",
    "0",
    " - ",
    "***",
];

fn biased_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => select(&BIASED_CHARS[..]).prop_map(String::from),
        1 => select(&BIASED_FRAGMENTS[..]).prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..48).prop_map(|p| p.concat())
}

/// `cases`, or `PROPTEST_CASES` when set, for a longer hunt
/// (`PROPTEST_CASES=100000 cargo test -p pii --release`).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn has_digit(text: &str) -> bool {
    text.chars().any(|c| digit_value(c).is_some())
}

// The properties that matter most, and the cheapest to run: more cases.
proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn personal_numbers_never_leak((text, items) in text_with_items()) {
        let out = masked(&text);
        // Digits as written or spelled out.
        let rest = spell::read(&TOKEN.replace_all(&out, " "));
        prop_assert!(!has_digit(&rest), "digits left in {out:?} (from {text:?})");
        let read = spell::read(&out);
        for item in &items {
            prop_assert!(!read.contains(&item.digits), "{} in {out:?}", item.digits);
        }
        prop_assert_eq!(masked(&out), out.clone());
    }

    #[test]
    fn masking_number_like_text_is_idempotent(text in biased_string(), email in any::<bool>()) {
        let options = Options { email };
        let once = mask(&text, options);
        prop_assert_eq!(mask(&once, options), once.clone(), "from {:?}", text);
    }
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn numbers_operators_need_pass_through(text in text_with_kept_items()) {
        prop_assert_eq!(masked(&text), sanitize(&text));
    }

    #[test]
    fn masking_arbitrary_text_is_idempotent(text in any::<String>(), email in any::<bool>()) {
        let options = Options { email };
        let once = mask(&text, options);
        prop_assert_eq!(mask(&once, options), once);
    }

    #[test]
    fn sanitized_text_is_clean(text in prop_oneof![any::<String>(), biased_string()]) {
        let clean = sanitize(&text);
        prop_assert!(unicode_normalization::is_nfc(&clean));
        prop_assert_eq!(sanitize(&clean), clean.clone());
        prop_assert!(!clean.chars().any(|c| is_dropped(c) || c == '\r'), "{clean:?}");
        let chars: Vec<char> = clean.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if ('\u{E0020}'..='\u{E007F}').contains(&c) {
                let flag = chars[..i].iter().rev().find(|&&c| !('\u{E0020}'..='\u{E007E}').contains(&c));
                prop_assert_eq!(flag, Some(&'🏴'), "stray tag in {:?}", clean);
            }
            if c == '\u{200D}' || c == '\u{200C}' {
                let near = |c: Option<&char>| c.is_some_and(|&c| digit_value(c).is_some());
                prop_assert!(!near(chars.get(i + 1)) && !near(i.checked_sub(1).and_then(|j| chars.get(j))), "{clean:?}");
            }
        }
    }
}

#[test]
fn pass_through_words_name_no_bank() {
    for word in WORDS {
        assert!(!super::kinds::is_bank_word(word), "{word}");
    }
}

#[test]
fn mask_tokens_can_be_taken_out_for_language_detection() {
    let masked = mask(
        "주민번호 900101-1234567 카드 4111 1111 1111 1111 123",
        Options::default(),
    );
    let words = super::without_masks(&masked);
    assert!(!words.contains('['), "{words}");
    assert!(
        words.contains("주민번호") && words.contains("카드"),
        "{words}"
    );
}

#[test]
fn accounts_named_by_a_money_transfer_word_are_masked() {
    for (input, expected) in [
        (
            "환불은 110123456789 로 부탁드려요",
            "환불은 [account ****6789] 로 부탁드려요",
        ),
        (
            "송금 110 123 456789 했어요",
            "송금 [account ****6789] 했어요",
        ),
        (
            "예금주 김민지 3333012345678",
            "예금주 김민지 [account ****5678]",
        ),
    ] {
        assert_eq!(mask(input, Options::default()), expected, "{input}");
    }
}

#[test]
fn passports_next_to_a_passport_word_are_masked() {
    for (input, expected) in [
        ("여권번호 M12345678", "여권번호 [passport]"),
        ("여권번호: M12345678 입니다", "여권번호: [passport] 입니다"),
        (
            "여권 번호는 M123A4567 이에요",
            "여권 번호는 [passport] 이에요",
        ),
        ("passport no. X1234567", "passport no. [passport]"),
        (
            "My passport number is m12345678.",
            "My passport number is [passport].",
        ),
        ("PASSPORT: ＭＡ１２３４５６７", "PASSPORT: [passport]"),
        ("passport 123456789", "passport [passport]"),
        ("M12345678 (여권)", "[passport] (여권)"),
        (
            "M123A4567 is my passport number",
            "[passport] is my passport number",
        ),
        (
            "여권번호 M12345678, 아이는 M87654321",
            "여권번호 [passport], 아이는 [passport]",
        ),
        // The same shapes without a passport word: order numbers and codes.
        ("M12345678", "M12345678"),
        (
            "주문번호 M12345678 배송 언제 되나요",
            "주문번호 M12345678 배송 언제 되나요",
        ),
        ("order M123A4567 shipped", "order M123A4567 shipped"),
        // Too far from the word, or a number between them.
        (
            "여권 사진 규격이 어떻게 되는지 궁금합니다 주문 M12345678",
            "여권 사진 규격이 어떻게 되는지 궁금합니다 주문 M12345678",
        ),
        (
            "여권 만료 2030 주문 M12345678",
            "여권 만료 2030 주문 M12345678",
        ),
        // Another sentence.
        (
            "여권 사진 보냈어요. 주문 M12345678",
            "여권 사진 보냈어요. 주문 M12345678",
        ),
        ("여권 맞나요? M12345678", "여권 맞나요? M12345678"),
        (
            "주문 M12345678 배송 조회 안녕하세요 여권 사진",
            "주문 M12345678 배송 조회 안녕하세요 여권 사진",
        ),
        // A piece of a longer code.
        ("passport ORD-123456789", "passport ORD-123456789"),
        // Not the shape of a passport number.
        ("passport photo 35x45", "passport photo 35x45"),
        ("여권 12345678", "여권 12345678"),
    ] {
        assert_eq!(masked(input), expected, "{input}");
        assert_eq!(masked(expected), expected, "{expected}");
    }
}

#[test]
fn ibans_are_masked_as_accounts() {
    for (input, expected) in [
        ("DE89 3704 0044 0532 0130 00", "[account ****3000]"),
        (
            "IBAN: GB82WEST12345698765432 입니다",
            "IBAN: [account ****5432] 입니다",
        ),
        ("GB82 WEST 1234 5698 7654 32", "[account ****5432]"),
        ("FR14 2004 1010 0505 0001 3M02 606", "[account ****2606]"),
        ("nl91abna0417164300", "[account ****4300]"),
        (
            "BE68539007547034 로 보내주세요",
            "[account ****7034] 로 보내주세요",
        ),
        (
            "ＤＥ８９ ３７０４ ００４４ ０５３２ ０１３０ ００",
            "[account ****3000]",
        ),
        // The next number is not swallowed.
        (
            "DE89 3704 0044 0532 0130 00 1234",
            "[account ****3000] 1234",
        ),
        // A wrong check digit, a wrong length, no word start: not an IBAN.
        ("DE88 3704 0044 0532 0130 00", "DE88 3704 0044 0532 0130 00"),
        ("DE89 3704 0044 0532 0130", "DE89 3704 0044 0532 0130"),
        ("XDE89370400440532013000", "XDE89370400440532013000"),
        ("tracking GB82WEST", "tracking GB82WEST"),
    ] {
        assert_eq!(masked(input), expected, "{input}");
        assert_eq!(masked(expected), expected, "{expected}");
    }
}

#[test]
fn digits_spelled_out_are_masked() {
    for (input, expected) in [
        ("공일공 삼삼사사 오오육육", "[phone ****5566]"),
        (
            "제 번호는 공일공 삼삼사사 오오육육이에요",
            "제 번호는 [phone ****5566]이에요",
        ),
        (
            "공일공-삼삼사사-오오육육으로 연락 주세요",
            "[phone ****5566]으로 연락 주세요",
        ),
        ("영일영 다시 삼삼사사 다시 오오륙륙", "[phone ****5566]"),
        ("공일공다시삼삼사사다시오오육육", "[phone ****5566]"),
        ("공 일 공 삼 삼 사 사 오 오 육 육", "[phone ****5566]"),
        ("팔오공삼일오 다시 이삼사오육칠일", "[resident number]"),
        (
            "주민번호 팔오공삼일오-이삼사오육칠일 입니다",
            "주민번호 [resident number] 입니다",
        ),
        ("팔오공삼일오-이******", "[resident number]"),
        (
            "zero one zero, nine eight seven six, five four three two",
            "[phone ****5432]",
        ),
        (
            "call me on zero one zero dash nine eight seven six dash five four three two please",
            "call me on [phone ****5432] please",
        ),
        (
            "oh one oh nine eight seven six five four three two",
            "[phone ****5432]",
        ),
        (
            "Zero One Zero, double nine eight seven, five triple three",
            "[phone ****5333]",
        ),
        (
            "eight five zero three one five, two three four five six seven one",
            "[resident number]",
        ),
        // Hangul digits inside an otherwise written number.
        ("4916-33일사-2222-3333", "[card ****3333]"),
        (
            "카드 사일일일 일일일일 일일일일 일일일일",
            "카드 [card ****1111]",
        ),
        ("공일공-1234-5678", "[phone ****5678]"),
        ("010-1234-오육칠팔", "[phone ****5678]"),
        // A spelled CVV after a card.
        (
            "4111 1111 1111 1111 cvc 일이삼",
            "[card ****1111] cvc [cvv]",
        ),
        // Next to a written number, each on its own.
        (
            "공일공 삼삼사사 오오육육 010-1234-5678",
            "[phone ****5566] [phone ****5678]",
        ),
        // A particle or a word after a written number is not a digit.
        (
            "01012345678이 제 번호예요",
            "[phone ****5678]이 제 번호예요",
        ),
        (
            "010-1234-5678 이 번호로 연락주세요",
            "[phone ****5678] 이 번호로 연락주세요",
        ),
        (
            "010-1234-5678 one more thing",
            "[phone ****5678] one more thing",
        ),
    ] {
        assert_eq!(masked(input), expected, "{input}");
        assert_eq!(masked(expected), expected, "{expected}");
    }
}

#[test]
fn ordinary_words_made_of_digit_syllables_pass_through() {
    for sentence in ORDINARY {
        assert_eq!(masked(sentence), sentence, "{sentence}");
    }
    for sentence in [
        "이사 가는 날 오이 사이에 공사 소음이 있었어요",
        "일일 구이 세트 삼일 동안 할인하나요",
        "5월 14일 이사 예정이고 15일 입주해요",
        "10월 1일, 2일, 3일, 4일, 5일, 6일 휴무",
        "이 이 이 이 이 이 이 이 이 이",
        "I need one, maybe two, three at most",
        "one two three four five six seven eight nine ten",
        "oh oh oh oh oh oh oh oh oh oh",
        // Next to a bank word, where any grouping of 10–14 digits is an account.
        "계좌 오이 사이 공사 일일 구이",
        "국민은행 이사 일일 공사 오일 삼일 사이",
    ] {
        assert_eq!(masked(sentence), sentence, "{sentence}");
    }
}

#[test]
fn cards_split_by_a_line_break_or_underscores_are_masked() {
    for (input, expected) in [
        ("4539\n1488\n0343\n6467", "[card ****6467]"),
        ("4539_1488_0343_6467", "[card ****6467]"),
        (
            "카드번호\n4539 1488\n0343 6467\n감사합니다",
            "카드번호\n[card ****6467]\n감사합니다",
        ),
        ("4539 \n 1488 0343 6467", "[card ****6467]"),
        ("010_1234_5678", "[phone ****5678]"),
        ("4111 1111 1111 1111\n123", "[card ****1111]\n[cvv]"),
        ("4111 1111 1111 1111\n\n123", "[card ****1111]\n\n123"),
        // Two numbers on two lines, each masked on its own.
        (
            "010-1234-5678\n900101-1234567",
            "[phone ****5678]\n[resident number]",
        ),
        // Only a card runs across a line break, and only in fours from a card network.
        ("2023\n2024\n2025\n2026", "2023\n2024\n2025\n2026"),
        ("900101\n1234567", "900101\n1234567"),
        (
            "4539\n\n1488\n\n0343\n\n6467",
            "4539\n\n1488\n\n0343\n\n6467",
        ),
        ("4539148803\n436467", "4539148803\n436467"),
    ] {
        assert_eq!(masked(input), expected, "{input:?}");
        assert_eq!(masked(expected), expected, "{expected:?}");
    }
}

#[test]
fn driver_licences_have_their_own_mask() {
    for (input, expected) in [
        ("면허번호 11-12-123456-12", "면허번호 [driver licence]"),
        (
            "운전면허 28 99 654321 01 입니다",
            "운전면허 [driver licence] 입니다",
        ),
        ("11 - 12 - 123456 - 12", "[driver licence]"),
        // Another region: a hyphenated account as before.
        ("29-12-123456-12", "[account ****5612]"),
        // A piece of a longer code.
        ("ORD-11-12-123456-12", "ORD-11-12-123456-12"),
        // Next to a bank word, an account does not take the licence's first groups and leave its
        // last.
        (
            "001 11-00-000000-00 안녕하세요 국민은행",
            "001 [driver licence] 안녕하세요 국민은행",
        ),
        // A longer hyphenated number next to a bank word is still masked, but its start.
        ("계좌 1234-5678-9012-3456", "계좌 1234-[account ****3456]"),
    ] {
        assert_eq!(masked(input), expected, "{input}");
        assert_eq!(masked(expected), expected, "{expected}");
    }
}

#[test]
fn without_masks_takes_out_every_token() {
    let text = "카드 4111 1111 1111 1111 123 12/28 주민 900101-1234567 010-1234-5678 \
                123-45-6789012 minji@example.com 여권 M12345678 DE89 3704 0044 0532 0130 00 \
                11-12-123456-12 공일공 삼삼사사 오오육육";
    let out = masked(text);
    for token in [
        "[card ",
        "[cvv]",
        "[expiry]",
        "[resident number]",
        "[phone ",
        "[account ",
        "[email]",
        "[passport]",
        "[driver licence]",
    ] {
        assert!(out.contains(token), "{token} in {out}");
    }
    let words = without_masks(&out);
    assert!(!words.contains('[') && !has_digit(&words), "{words}");
    let continued = mask_continued("카드 4539 1488", "0343 6467", Options::default());
    assert!(
        !without_masks(&continued.text).contains('['),
        "{continued:?}"
    );
}

fn continued(previous: &str, text: &str) -> (Option<String>, String) {
    let c = mask_continued(previous, text, Options::default());
    (c.previous, c.text)
}

#[test]
fn numbers_cut_across_two_messages_are_masked_in_both() {
    let some = |s: &str| Some(s.to_string());
    for (previous, text, expected) in [
        (
            "my card is 4539 1488",
            "0343 6467",
            (some("my card is [card ****6467]"), "[…continued]"),
        ),
        (
            "880808",
            "1234561",
            (some("[resident number]"), "[…continued]"),
        ),
        (
            "880808-",
            "1234561 입니다",
            (some("[resident number]"), "[…continued] 입니다"),
        ),
        (
            "연락처 010-1234",
            "5678 로 연락 주세요",
            (
                some("연락처 [phone ****5678]"),
                "[…continued] 로 연락 주세요",
            ),
        ),
        (
            "계좌 123-45",
            "6789012",
            (some("계좌 [account ****9012]"), "[…continued]"),
        ),
        (
            "공일공 삼삼사사",
            "오오육육",
            (some("[phone ****5566]"), "[…continued]"),
        ),
        (
            "zero one zero, nine eight seven six",
            "five four three two",
            (some("[phone ****5432]"), "[…continued]"),
        ),
        (
            "DE89 3704 0044",
            "0532 0130 00",
            (some("[account ****3000]"), "[…continued]"),
        ),
        (
            "4539 1488 0343",
            "6467 cvc 123",
            (some("[card ****6467]"), "[…continued] cvc [cvv]"),
        ),
        // Nothing runs across: the stored message stands.
        ("안녕하세요", "010-1234-5678", (None, "[phone ****5678]")),
        ("주문 3개요", "4개 더 주세요", (None, "4개 더 주세요")),
        ("[phone ****5678]", "1234", (None, "1234")),
        ("2시에", "3시까지 가능해요", (None, "3시까지 가능해요")),
        ("", "4539 1488 0343 6467", (None, "[card ****6467]")),
    ] {
        let got = continued(previous, text);
        assert_eq!(
            (got.0.as_deref(), got.1.as_str()),
            (expected.0.as_deref(), expected.1),
            "{previous:?} then {text:?}"
        );
        // Masking again changes nothing, nor does joining the results again.
        let previous = got.0.clone().unwrap_or_else(|| previous.to_string());
        assert_eq!(mask(&previous, Options::default()), previous);
        assert_eq!(mask(&got.1, Options::default()), got.1);
        assert_eq!(continued(&previous, &got.1), (None, got.1.clone()));
    }
    // Once masked on the second call only.
    for (previous, text) in [
        ("계좌", "M12345678공일공다시.11-12-123456-12"),
        ("계좌", "공일공삼삼사사오오육육,다시1101234567"),
    ] {
        let got = continued(previous, text);
        let previous = got.0.unwrap_or_else(|| previous.to_string());
        assert_eq!(
            continued(&previous, &got.1),
            (None, got.1.clone()),
            "{text}"
        );
    }
}

/// A number in text, cut at one of its joins into two messages; the join stays with the first,
/// goes with the second, or is lost.
fn cut_item() -> impl Strategy<Value = (String, String, String)> {
    let grouped = prop_oneof![
        phone_or_resident_digits().prop_map(|(digits, lens)| Grouped::ascii(
            &digits,
            &lens,
            &["-"]
        )),
        phone_or_resident_digits().prop_map(|(digits, lens)| Grouped::ascii(
            &digits,
            &lens,
            &[" "]
        )),
        (3u8..=6, digits(15), select(&[" ", "-"][..])).prop_map(|(first, body, sep)| {
            let number = luhn_complete(&format!("{first}{}", &body[..14]));
            Grouped::ascii(&number, &[4, 4, 4, 4], &[sep])
        }),
        korean_spelled_number(),
        english_spelled_number(),
        iban().prop_filter("in groups", |g| g.groups.len() > 1),
        driver_licence(),
    ];
    (
        grouped,
        any::<prop::sample::Index>(),
        0u8..3,
        words(0..=2),
        words(0..=2),
    )
        .prop_map(|(grouped, at, side, before, after)| {
            let cut = 1 + at.index(grouped.groups.len() - 1);
            let mut first = format!("{before} {}", grouped.groups[0]);
            let mut second = String::new();
            for i in 1..grouped.groups.len() {
                let (join, group) = (&grouped.joins[i - 1], &grouped.groups[i]);
                if i < cut {
                    first.push_str(join);
                    first.push_str(group);
                } else {
                    if i == cut {
                        match side {
                            0 => first.push_str(join),
                            1 => second.push_str(join.trim_start()),
                            _ => {}
                        }
                    } else {
                        second.push_str(join);
                    }
                    second.push_str(group);
                }
            }
            second.push(' ');
            second.push_str(&after);
            (first, second, grouped.digits)
        })
}

/// The digits, written or spelled, that `text` shows outside mask tokens.
fn shown_digits(text: &str) -> usize {
    spell::read(&TOKEN.replace_all(text, " "))
        .chars()
        .filter(|&c| digit_value(c).is_some())
        .count()
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn numbers_cut_across_two_messages_never_leak((first, second, digits) in cut_item()) {
        let stored = masked(&first);
        let c = mask_continued(&stored, &second, Options::default());
        let previous = c.previous.clone().unwrap_or(stored.clone());
        // At most four digits, as a mask shows. Unless the first message alone already masked a
        // part of the number as another number (`FR22 5274 9437 6533 5640`, a card in the first
        // part of an IBAN; `CH02 1124 8833`, a Seoul phone): the two can no longer be joined, and
        // only that mask hides digits (at least five, as the shortest phone's does).
        let shown = shown_digits(&previous) + shown_digits(&c.text);
        let first_masked = stored != sanitize(&first);
        prop_assert!(
            shown <= 4 || (first_masked && shown + 5 <= digits.len()),
            "{shown} digits shown in {previous:?} then {:?} (from {first:?} then {second:?})",
            c.text
        );
        let both = spell::read(&format!("{previous}\n\n{}", c.text));
        prop_assert!(!both.contains(&digits), "{both:?}");
        prop_assert_eq!(masked(&previous), previous.clone());
        prop_assert_eq!(masked(&c.text), c.text.clone());
        prop_assert_eq!(continued(&previous, &c.text), (None, c.text.clone()));
    }

    #[test]
    fn masking_continued_text_is_idempotent_and_never_panics(
        raw in prop_oneof![biased_string(), any::<String>()],
        text in prop_oneof![biased_string(), any::<String>()],
        email in any::<bool>(),
    ) {
        let options = Options { email };
        // Raw text as the previous message must not panic either.
        let _ = mask_continued(&raw, &text, options);
        let stored = mask(&raw, options);
        let c = mask_continued(&stored, &text, options);
        let previous = c.previous.clone().unwrap_or(stored);
        prop_assert_eq!(mask(&previous, options), previous.clone());
        prop_assert_eq!(mask(&c.text, options), c.text.clone());
        let again = mask_continued(&previous, &c.text, options);
        prop_assert_eq!(again, Continued { previous: None, text: c.text.clone() });
    }
}
