//! ISO-2022-KR (RFC 1557), which Korean mail clients of the 1990s and some gateways still send and
//! the MIME parser decodes to a single replacement character. The text is 7-bit: `ESC $ ) C`
//! designates KS X 1001, SO (0x0E) shifts into it and SI (0x0F) back to ASCII; in between each
//! pair of bytes is one character, the same one EUC-KR writes with the high bits set. A line ends
//! in ASCII. Written here because no maintained crate decodes it (encoding_rs maps the label to
//! its replacement encoding, as the WHATWG standard does for the web).

/// The designation of KS X 1001 to G1.
const DESIGNATE: &[u8] = b"\x1b$)C";
const SHIFT_OUT: u8 = 0x0e;
const SHIFT_IN: u8 = 0x0f;

/// Whether `label` names ISO-2022-KR.
pub fn is_iso_2022_kr(label: &str) -> bool {
    let label = label.trim().trim_matches('"').to_ascii_lowercase();
    matches!(
        label.as_str(),
        "iso-2022-kr" | "iso_2022_kr" | "csiso2022kr"
    )
}

/// A header value with its ISO-2022-KR encoded words (`=?ISO-2022-KR?B?…?=`, or `?Q?`) decoded,
/// which the MIME parser leaves as a replacement character; `None` when it has none. Other text
/// is kept as it is; the whitespace between two adjacent encoded words is dropped (RFC 2047 §6.2).
pub fn decode_iso_2022_kr_words(raw: &str) -> Option<String> {
    if !raw.to_ascii_lowercase().contains("=?iso-2022-kr?") {
        return None;
    }
    let mut out = String::new();
    let mut rest = raw;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, word) = rest.split_at(start);
        let parts: Vec<&str> = word[2..].splitn(4, '?').collect();
        let decoded = match parts.as_slice() {
            [charset, encoding, text, tail] if tail.starts_with('=') && is_iso_2022_kr(charset) => {
                let bytes = match encoding.to_ascii_lowercase().as_str() {
                    "b" => mail_parser::decoders::base64::base64_decode(text.as_bytes()),
                    "q" => mail_parser::decoders::quoted_printable::quoted_printable_decode(
                        text.replace('_', " ").as_bytes(),
                    ),
                    _ => None,
                };
                bytes.map(|b| {
                    (
                        decode_iso_2022_kr(&b),
                        2 + charset.len() + encoding.len() + text.len() + 4,
                    )
                })
            }
            _ => None,
        };
        match decoded {
            Some((text, used)) => {
                if !(after_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&text);
                rest = &word[used..];
                after_word = true;
            }
            None => {
                out.push_str(before);
                out.push_str("=?");
                rest = &word[2..];
                after_word = false;
            }
        }
    }
    out.push_str(rest);
    Some(out.trim().to_string())
}

/// Decodes ISO-2022-KR text. Bytes that are not valid in their place become U+FFFD: a broken
/// message loses characters, never the rest of its text.
pub fn decode_iso_2022_kr(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut shifted = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if bytes[i..].starts_with(DESIGNATE) {
            i += DESIGNATE.len();
            continue;
        }
        match b {
            SHIFT_OUT => shifted = true,
            SHIFT_IN => shifted = false,
            b'\r' | b'\n' => {
                shifted = false;
                out.push(b as char);
            }
            _ if shifted => {
                let pair = bytes.get(i + 1).copied();
                match pair {
                    Some(second)
                        if (0x21..=0x7e).contains(&b) && (0x21..=0x7e).contains(&second) =>
                    {
                        let euc = [b | 0x80, second | 0x80];
                        let (text, had_errors) =
                            encoding_rs::EUC_KR.decode_without_bom_handling(&euc);
                        if had_errors {
                            out.push(char::REPLACEMENT_CHARACTER);
                        } else {
                            out.push_str(&text);
                        }
                        i += 2;
                        continue;
                    }
                    _ => out.push(char::REPLACEMENT_CHARACTER),
                }
            }
            0x00..=0x7f => out.push(b as char),
            _ => out.push(char::REPLACEMENT_CHARACTER),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_2022_kr_encoded_words_decode_in_headers() {
        // "송금 문의" in ISO-2022-KR, base64.
        let raw =
            "=?ISO-2022-KR?B?GyQpQw48WzFdDyAOOS5ARw8=?= =?iso-2022-kr?q?=1B$)C=0E<[1]=0F?= (re)";
        assert_eq!(decode_iso_2022_kr_words("plain"), None);
        assert_eq!(
            decode_iso_2022_kr_words(raw).as_deref(),
            Some("송금 문의송금 (re)")
        );
        assert_eq!(
            decode_iso_2022_kr_words("=?iso-2022-kr?x?broken").as_deref(),
            Some("=?iso-2022-kr?x?broken")
        );
    }
    use proptest::prelude::*;

    /// The two EUC-KR bytes of `c`, when KS X 1001 has it (CP949's extra syllables it has not).
    fn ksx(c: char) -> Option<[u8; 2]> {
        let s = c.to_string();
        let (euc, _, errors) = encoding_rs::EUC_KR.encode(&s);
        (!errors && euc.len() == 2 && euc[0] >= 0xa1 && euc[1] >= 0xa1).then(|| [euc[0], euc[1]])
    }

    /// `text` written in ISO-2022-KR, as a mail client would.
    fn encode(text: &str) -> Vec<u8> {
        let mut out = DESIGNATE.to_vec();
        for line in text.split_inclusive('\n') {
            let mut shifted = false;
            for c in line.chars() {
                if c.is_ascii() {
                    if shifted {
                        out.push(SHIFT_IN);
                        shifted = false;
                    }
                    out.push(c as u8);
                } else if let Some(euc) = ksx(c) {
                    if !shifted {
                        out.push(SHIFT_OUT);
                        shifted = true;
                    }
                    out.extend(euc.iter().map(|b| b & 0x7f));
                }
            }
        }
        out
    }

    #[test]
    fn korean_text_and_ascii_come_back() {
        let text = "안녕하세요, 결제가 두 번 됐어요.\r\n주문번호 KK-1234 확인 부탁드립니다.";
        assert_eq!(decode_iso_2022_kr(&encode(text)), text);
        assert!(is_iso_2022_kr("ISO-2022-KR"));
        assert!(is_iso_2022_kr("\"csISO2022KR\""));
        assert!(!is_iso_2022_kr("euc-kr"));
    }

    #[test]
    fn a_line_end_returns_to_ascii() {
        // A sender that forgot SI before the line end: the next line is ASCII again.
        let mut bytes = DESIGNATE.to_vec();
        bytes.extend_from_slice(b"\x0e\x30\x21\r\nabc");
        assert_eq!(decode_iso_2022_kr(&bytes), "가\r\nabc");
    }

    proptest! {
        #[test]
        fn any_bytes_decode_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_iso_2022_kr(&bytes);
        }

        #[test]
        fn hangul_syllables_round_trip(text in "[가-힣a-z0-9 .,\n]{0,80}") {
            // Only the 2,350 syllables KS X 1001 has (the rest CP949 adds are not in ISO-2022-KR).
            let in_ksx: String = text.chars().filter(|&c| c.is_ascii() || ksx(c).is_some()).collect();
            prop_assert_eq!(decode_iso_2022_kr(&encode(&in_ksx)), in_ksx);
        }
    }
}
