use std::sync::LazyLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::select;
use regex::Regex;

use super::normalize::{digit_value, is_dropped};
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
        // E-mail only when asked.
        ("메일 minji@example.com", "메일 minji@example.com"),
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
    let email = Options { email: true };
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
    Regex::new(r"\[(?:card|phone|account) \*\*\*\*[0-9]{4}\]|\[resident number\]|\[cvv\]|\[expiry\]|\[email\]")
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
    digits: String,
}

impl Item {
    fn new(text: String) -> Self {
        let digits = text.chars().filter(char::is_ascii_digit).collect();
        Self { text, digits }
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

fn personal_item() -> impl Strategy<Value = Item> {
    let item = prop_oneof![resident(), card(), phone(), account()];
    (item, prop::collection::vec(any::<u8>(), 1..24)).prop_map(|(item, noise)| Item {
        text: disguise(&item.text, &noise),
        digits: item.digits,
    })
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
                    text.push_str(joiner);
                }
                text.push_str(&item.text);
            }
            text.push(' ');
            text.push_str(&after);
            (text, items.into_iter().map(|(item, _)| item).collect())
        })
}

fn kept_item() -> impl Strategy<Value = String> {
    let date = (2000u32..2040, 1u32..=12, 1u32..=31);
    prop_oneof![
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
const BIASED_FRAGMENTS: [&str; 34] = [
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

fn config(cases: u32) -> ProptestConfig {
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
        let rest = TOKEN.replace_all(&out, "");
        prop_assert!(!has_digit(&rest), "digits left in {out:?} (from {text:?})");
        for item in &items {
            prop_assert!(!out.contains(&item.digits), "{} in {out:?}", item.digits);
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
