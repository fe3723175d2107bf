//! Masking personal data before anything is stored: transcripts, cases, notes, events and logs
//! only ever see the masked text.
//!
//! Masked: card numbers (13–19 digits that pass the Luhn check; the last four kept), Korean
//! resident registration numbers (주민등록번호, with a plausible birth date), phone numbers (Korean
//! mobile and landline, `+82`), bank account numbers (hyphenated 10–14 digits, or bare 10–14 digits
//! next to a bank word), and optionally e-mail addresses. Company numbers such as `1588-0000`,
//! order numbers and error codes are left alone, because operators need them.

use std::sync::LazyLock;

use regex::Regex;

/// What to mask beyond the always-masked kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Also mask e-mail addresses (off by default: customers often give theirs to be contacted).
    pub email: bool,
}

static DIGIT_RUN: LazyLock<Regex> = LazyLock::new(|| {
    // Digits joined by single spaces or hyphens, not touching other digits or letters.
    Regex::new(r"(?:^|[^0-9A-Za-z])(\+?[0-9](?:[ -]?[0-9]){7,22})").expect("digit regex")
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").expect("email regex")
});
static BANK_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(계좌|통장|은행|뱅크|입금|account|bank|국민|신한|우리|하나|농협|기업|카카오|토스|케이|새마을|우체국|수협|신협)")
        .expect("bank regex")
});

/// Masks personal data in `text`.
pub fn mask(text: &str, options: Options) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for capture in DIGIT_RUN.captures_iter(text) {
        let Some(run) = capture.get(1) else { continue };
        let before = &text[..run.start()];
        let Some(replacement) = classify(run.as_str(), before) else {
            continue;
        };
        out.push_str(&text[last..run.start()]);
        out.push_str(&replacement);
        last = run.end();
    }
    out.push_str(&text[last..]);
    if options.email {
        out = EMAIL.replace_all(&out, "[email]").into_owned();
    }
    out
}

/// The mask for a run of digits, or `None` to keep it.
fn classify(run: &str, before: &str) -> Option<String> {
    let digits: String = run.chars().filter(char::is_ascii_digit).collect();
    let groups: Vec<&str> = run.trim_start_matches('+').split([' ', '-']).collect();
    let n = digits.len();

    if n == 13
        && is_resident_number(&digits)
        && (groups.len() == 1 || groups == [&digits[..6], &digits[6..]])
    {
        return Some("[resident number]".into());
    }
    // Cards are written whole or in fours (Amex 4-6-5); other groupings are order numbers and the
    // like, which pass Luhn one time in ten.
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    let card_shaped = groups.len() == 1
        || lengths[..lengths.len() - 1].iter().all(|&l| l == 4)
        || lengths == [4, 6, 5];
    if (13..=19).contains(&n) && card_shaped && luhn(&digits) && !run.starts_with('+') {
        return Some(format!("[card ****{}]", &digits[n - 4..]));
    }
    if is_phone(run, &digits) {
        return Some(format!("[phone ****{}]", &digits[n - 4..]));
    }
    let hyphenated_account =
        groups.len() >= 3 && groups.len() <= 4 && (10..=14).contains(&n) && run.contains('-');
    let near_bank_word = {
        let tail: String = before
            .chars()
            .rev()
            .take(16)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        BANK_WORD.is_match(&tail)
    };
    if hyphenated_account || ((10..=14).contains(&n) && near_bank_word) {
        return Some(format!("[account ****{}]", &digits[n - 4..]));
    }
    None
}

/// The Luhn checksum card numbers carry.
fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, d) in digits.bytes().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

/// `YYMMDD` then a sex/century digit 1–8 then six digits.
fn is_resident_number(digits: &str) -> bool {
    let month: u32 = digits[2..4].parse().unwrap_or(0);
    let day: u32 = digits[4..6].parse().unwrap_or(0);
    (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && matches!(digits.as_bytes()[6], b'1'..=b'8')
}

/// Korean mobile (010 …), landline (02, 031 …) or `+82` numbers. Company representative numbers
/// (15xx/16xx/18xx) are not personal and stay.
fn is_phone(run: &str, digits: &str) -> bool {
    let n = digits.len();
    if run.starts_with('+') {
        return digits.starts_with("82") && (11..=12).contains(&n);
    }
    if !digits.starts_with('0') || !(9..=11).contains(&n) {
        return false;
    }
    let mobile = digits.starts_with("01")
        && matches!(digits.as_bytes()[2], b'0' | b'1' | b'6'..=b'9')
        && (10..=11).contains(&n);
    let landline = !digits.starts_with("01") && !digits.starts_with("00");
    mobile || landline && run.contains('-')
}

#[cfg(test)]
mod tests {
    use super::*;

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
            // Resident registration numbers.
            (
                "주민번호 900101-1234567 입니다",
                "주민번호 [resident number] 입니다",
            ),
            ("9001012234567", "[resident number]"),
            ("991399-1234567", "991399-1234567"),
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
            // Left alone: order numbers, error codes, amounts, dates.
            (
                "주문번호 20261014-0001234 확인 부탁",
                "주문번호 20261014-0001234 확인 부탁",
            ),
            // Luhn-valid, but grouped like an order number, not a card.
            ("주문 20261014-0001233", "주문 20261014-0001233"),
            ("PAY-1001 오류가 나요", "PAY-1001 오류가 나요"),
            ("5,000,000원 송금했어요", "5,000,000원 송금했어요"),
            ("2026-10-14 결제", "2026-10-14 결제"),
            ("ORD-30021234567", "ORD-30021234567"),
            // E-mail only when asked.
            ("메일 minji@example.com", "메일 minji@example.com"),
        ];
        for (input, expected) in table {
            assert_eq!(mask(input, Options::default()), expected, "{input}");
        }
        assert_eq!(
            mask("메일 minji@example.com 로", Options { email: true }),
            "메일 [email] 로"
        );
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
}
