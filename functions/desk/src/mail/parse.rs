//! A raw message read once into what the desk needs of it. The MIME work (encoded words, RFC 2231
//! file names, transfer encodings, multipart trees, charsets) is mail-parser's; what is Baton's
//! is the choice of what to keep: the first text body (HTML turned into text only when there is
//! no plain part), attachments within limits, and the signs that a machine sent it.

use mail_parser::{Encoding, HeaderValue, MessageParser, MimeHeaders, PartType};

use super::charset;
use crate::error::{Error, Result};
use crate::model::Automatic;

/// How much of a message is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest raw message accepted, in bytes.
    pub message_bytes: usize,
    /// Attachments kept (the rest are counted, not kept).
    pub attachments: usize,
    /// Longest body text kept, in characters.
    pub text_chars: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            message_bytes: 25 * 1024 * 1024,
            attachments: 10,
            text_chars: 20_000,
        }
    }
}

/// Most recipients and threading ids read from one mail (the rest are ignored).
const MAX_LISTED: usize = 100;
/// Longest Message-ID kept (RFC 5322's line limit); longer ones are not ids anyone threads on.
const MAX_ID_BYTES: usize = 998;

/// A mailbox: its address (lowercased) and the display name it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// `name@example.com`, lowercased.
    pub address: String,
    /// The display name, if one was given.
    pub name: Option<String>,
}

/// An attached file, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its file name (RFC 2231 and encoded words decoded), or `attachment`.
    pub name: String,
    /// `type/subtype`, lowercased.
    pub content_type: String,
    /// Shown inside the body (an inline image) rather than attached.
    pub inline: bool,
    /// How many bytes it has, transfer encoding removed.
    pub size: usize,
    /// Its bytes, transfer encoding removed (none for one beyond the limit).
    pub bytes: Vec<u8>,
}

/// A message as the desk reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// Its `Message-ID`, without angle brackets.
    pub message_id: Option<String>,
    /// The message ids of `In-Reply-To`, then those of `References`, without duplicates.
    pub replying_to: Vec<String>,
    /// The sender (`From`).
    pub from: Option<Address>,
    /// Whether it has exactly one From header with one address. Two senders is how a mail
    /// passes one domain's check and shows another's address; such a mail is never proved.
    pub single_from: bool,
    /// Where the sender asks replies to go (`Reply-To`).
    pub reply_to: Option<Address>,
    /// Every address in `To` and `Cc`.
    pub recipients: Vec<Address>,
    /// The subject, decoded.
    pub subject: String,
    /// The body as text (the first plain part, else the first HTML part as text), at most
    /// [`Limits::text_chars`].
    pub text: String,
    /// The text came from HTML (there was no plain part).
    pub from_html: bool,
    /// Attachments kept, at most [`Limits::attachments`].
    pub attachments: Vec<Attachment>,
    /// The first attachments beyond the limit, named and sized but not read.
    pub over_limit: Vec<Attachment>,
    /// Attachments beyond the limit, counted.
    pub attachments_dropped: usize,
    /// Why it must not be answered automatically, if it was sent by a machine.
    pub automatic: Option<Automatic>,
    /// For a delivery report: the Message-IDs of the message that bounced (from its returned
    /// headers), so the bounce is put beside it.
    pub bounced: Vec<String>,
    /// The values of its `Authentication-Results` headers, top first (at most a few): what
    /// receiving servers judged of its sender (see `auth.rs`).
    pub authentication: Vec<String>,
}

/// Most attachments beyond the limit that are named (the rest are counted).
const MAX_LISTED_OVER_LIMIT: usize = 20;
/// Longest attachment name kept, in characters.
const MAX_NAME_CHARS: usize = 120;

/// Most `Authentication-Results` headers kept (the trusted one is at the top).
const MAX_AUTH_HEADERS: usize = 8;

/// Reads `raw`. A message too large, or not a message at all, is an [`Error::Invalid`] that says
/// why; a message with a broken MIME tree keeps what could be read.
pub fn parse(raw: &[u8], limits: &Limits) -> Result<Inbound> {
    if raw.len() > limits.message_bytes {
        return Err(Error::Invalid(format!(
            "the message is {} bytes, more than the {} accepted",
            raw.len(),
            limits.message_bytes
        )));
    }
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(|| Error::Invalid("not an e-mail message (no headers)".into()))?;

    let first =
        |value: Option<&mail_parser::Address>| value.and_then(|a| a.first()).and_then(address_of);
    // Deduplicated through a set and capped: a header of a million addresses or ids costs a
    // linear pass, never a quadratic one.
    let mut recipients: Vec<Address> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for list in [message.to(), message.cc()].into_iter().flatten() {
        for addr in list.iter() {
            if recipients.len() >= MAX_LISTED {
                break;
            }
            if let Some(a) = address_of(addr)
                && seen.insert(a.address.clone())
            {
                recipients.push(a);
            }
        }
    }
    let mut replying_to: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for value in [message.in_reply_to(), message.references()] {
        for id in ids(value) {
            if replying_to.len() < MAX_LISTED && seen.insert(id.clone()) {
                replying_to.push(id);
            }
        }
    }

    let (text, from_html) = body_text(&message);
    let text: String = text.chars().take(limits.text_chars).collect();
    let mut attachments = Vec::new();
    let mut over_limit = Vec::new();
    let mut attachments_dropped = 0;
    for part in message.attachments() {
        // A forwarded message is an attachment too; its text is not the sender's.
        let content_type = part.content_type().map_or_else(
            || "application/octet-stream".to_string(),
            |ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
                None => ct.ctype().to_ascii_lowercase(),
            },
        );
        let kept = attachments.len() < limits.attachments;
        if !kept {
            attachments_dropped += 1;
            if over_limit.len() >= MAX_LISTED_OVER_LIMIT {
                continue;
            }
        }
        let attachment = Attachment {
            name: part
                .attachment_name()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or("attachment")
                .chars()
                .take(MAX_NAME_CHARS)
                .collect(),
            content_type,
            inline: part
                .content_disposition()
                .is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline")),
            size: part.contents().len(),
            // Beyond the limit only named and sized: its bytes are not copied.
            bytes: if kept {
                part.contents().to_vec()
            } else {
                Vec::new()
            },
        };
        match kept {
            true => attachments.push(attachment),
            false => over_limit.push(attachment),
        }
    }

    Ok(Inbound {
        message_id: message
            .message_id()
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty() && id.len() <= MAX_ID_BYTES),
        replying_to,
        from: first(message.from()).map(|mut from| {
            // A display name in ISO-2022-KR encoded words, which the parser cannot decode.
            if let Some(raw) = message.header_raw("From")
                && let Some(decoded) = charset::decode_iso_2022_kr_words(raw)
            {
                let name = decoded.split('<').next().unwrap_or_default();
                let name = name.trim().trim_matches('"').trim();
                from.name = (!name.is_empty()).then(|| name.to_string());
            }
            from
        }),
        single_from: message
            .headers_raw()
            .filter(|(name, _)| name.eq_ignore_ascii_case("From"))
            .count()
            == 1
            && message.from().is_some_and(|f| f.iter().count() == 1),
        reply_to: first(message.reply_to()),
        recipients,
        subject: message
            .header_raw("Subject")
            .and_then(charset::decode_iso_2022_kr_words)
            .unwrap_or_else(|| message.subject().unwrap_or_default().trim().to_string()),
        text,
        from_html,
        attachments,
        over_limit,
        attachments_dropped,
        automatic: automatic(&message),
        bounced: bounced(&message),
        authentication: message
            .headers_raw()
            .filter(|(name, _)| name.eq_ignore_ascii_case("Authentication-Results"))
            .take(MAX_AUTH_HEADERS)
            .map(|(_, value)| value.to_string())
            .collect(),
    })
}

/// The Message-IDs in the parts of a delivery report that return the bounced message or its
/// headers (`message/rfc822`, `text/rfc822-headers`, and their RFC 6533 forms).
fn bounced(message: &mail_parser::Message<'_>) -> Vec<String> {
    let mut found = Vec::new();
    let raw = message.raw_message();
    for part in message.parts.iter() {
        let returned = part.content_type().is_some_and(|ct| {
            let full =
                format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_ascii_lowercase();
            matches!(
                full.as_str(),
                "message/rfc822"
                    | "message/global"
                    | "text/rfc822-headers"
                    | "message/global-headers"
            )
        });
        if !returned {
            continue;
        }
        let (start, end) = (part.offset_body as usize, part.offset_end as usize);
        let Some(body) = raw.get(start..end.max(start)) else {
            continue;
        };
        for line in String::from_utf8_lossy(body).lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("message-id") {
                let id = value
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .trim();
                // Few ids, each at most a line: the scan stays small.
                if !id.is_empty()
                    && id.len() <= MAX_ID_BYTES
                    && found.len() < MAX_LISTED
                    && !found.iter().any(|f: &String| f == id)
                {
                    found.push(id.to_string());
                }
            }
        }
    }
    found
}

fn address_of(addr: &mail_parser::Addr<'_>) -> Option<Address> {
    let address = addr.address()?.trim().to_ascii_lowercase();
    if !address.contains('@') {
        return None;
    }
    Some(Address {
        address,
        name: addr
            .name()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
    })
}

/// The message ids a threading header holds, without angle brackets.
fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.trim().to_string()],
        HeaderValue::TextList(list) => list.iter().map(|id| id.trim().to_string()).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|id| !id.is_empty() && id.len() <= MAX_ID_BYTES)
    .collect()
}

/// The first plain text body, else the first HTML body as text; an ISO-2022-KR part is decoded
/// from its raw bytes (the parser leaves it as a replacement character).
fn body_text(message: &mail_parser::Message<'_>) -> (String, bool) {
    let plain = message
        .text_bodies()
        .find(|p| matches!(p.body, PartType::Text(_)));
    if let Some(part) = plain {
        let charset = part
            .content_type()
            .and_then(|ct| ct.attribute("charset"))
            .unwrap_or_default();
        if charset::is_iso_2022_kr(charset) {
            let raw = message.raw_message();
            let (start, end) = (part.offset_body as usize, part.offset_end as usize);
            if start <= end && end <= raw.len() {
                // RFC 1557 says 7-bit, but a gateway may have wrapped it in a transfer encoding.
                let body = &raw[start..end];
                let bytes = match part.encoding {
                    Encoding::Base64 => mail_parser::decoders::base64::base64_decode(body),
                    Encoding::QuotedPrintable => {
                        mail_parser::decoders::quoted_printable::quoted_printable_decode(body)
                    }
                    Encoding::None => Some(body.to_vec()),
                };
                if let Some(bytes) = bytes {
                    return (charset::decode_iso_2022_kr(&bytes), false);
                }
            }
        }
        return (part.text_contents().unwrap_or_default().to_string(), false);
    }
    match message.body_text(0) {
        Some(text) => (text.into_owned(), message.html_body_count() > 0),
        None => (String::new(), false),
    }
}

/// Why `message` was sent by a machine, if it was.
fn automatic(message: &mail_parser::Message<'_>) -> Option<Automatic> {
    let text = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    // A delivery report first: bounces often say Auto-Submitted too, and must be read as bounces.
    if message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    }) {
        return Some(Automatic::DeliveryReport);
    }
    if let Some(value) = text("Auto-Submitted")
        && !value.starts_with("no")
    {
        return Some(Automatic::AutoSubmitted);
    }
    if let Some(value) = text("Precedence")
        && ["bulk", "list", "junk"]
            .iter()
            .any(|p| value.starts_with(p))
    {
        return Some(Automatic::Precedence);
    }
    if text("X-Auto-Response-Suppress").is_some() {
        return Some(Automatic::SuppressAutoResponse);
    }
    // Any of them: the listener adds the envelope's own on top of what the sender wrote, and a
    // null one anywhere is reason enough not to answer.
    if message
        .headers_raw()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Return-Path"))
        .any(|(_, path)| {
            path.trim()
                .trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())
                .is_empty()
        })
    {
        return Some(Automatic::NullReturnPath);
    }
    let daemon = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(|a| a.to_ascii_lowercase())
        .is_some_and(|a| a.starts_with("mailer-daemon@") || a.starts_with("postmaster@"));
    if daemon {
        return Some(Automatic::DaemonSender);
    }
    if text("List-Id").is_some() || text("List-Unsubscribe").is_some() {
        return Some(Automatic::MailingList);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(raw: &str) -> Inbound {
        parse(raw.as_bytes(), &Limits::default()).expect("parses")
    }

    #[test]
    fn a_plain_korean_mail_in_cp949_reads_with_its_names_and_threading() {
        // ks_c_5601-1987 means CP949 (Outlook's label): 똠 is one of the syllables EUC-KR lacks.
        let body = encoding_rs::EUC_KR
            .encode("안녕하세요. 똠방각하 주문 건 결제가 두 번 됐어요.")
            .0;
        let mut raw = b"From: =?ks_c_5601-1987?B?yKux5rW/?= <Gildong.Hong@Example.co.kr>\r\n\
To: support@baton.example\r\n\
Subject: =?ks_c_5601-1987?B?sOHBpiC5rsDH?=\r\n\
Message-ID: <abc123@example.co.kr>\r\n\
In-Reply-To: <baton-1@baton.example>\r\n\
References: <baton-0@baton.example> <baton-1@baton.example>\r\n\
Content-Type: text/plain; charset=ks_c_5601-1987\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\n"
            .to_vec();
        raw.extend_from_slice(&body);
        let mail = parse(&raw, &Limits::default()).expect("parses");
        assert_eq!(mail.subject, "결제 문의");
        let from = mail.from.expect("from");
        assert_eq!(from.address, "gildong.hong@example.co.kr");
        assert_eq!(from.name.as_deref(), Some("홍길동"));
        assert_eq!(
            mail.text,
            "안녕하세요. 똠방각하 주문 건 결제가 두 번 됐어요."
        );
        assert_eq!(mail.message_id.as_deref(), Some("abc123@example.co.kr"));
        assert_eq!(
            mail.replying_to,
            ["baton-1@baton.example", "baton-0@baton.example"]
        );
        assert_eq!(mail.automatic, None);
    }

    #[test]
    fn an_iso_2022_kr_mail_is_decoded() {
        let raw = b"From: a@example.com\r\nSubject: hi\r\n\
Content-Type: text/plain; charset=ISO-2022-KR\r\n\r\n\
\x1b$)C\x0e\x30\x21\x0f abc\r\n";
        let mail = parse(raw, &Limits::default()).expect("parses");
        assert_eq!(mail.text.trim(), "가 abc");
    }

    #[test]
    fn an_iso_2022_kr_mail_in_base64_is_decoded_too() {
        // "\x1b$)C\x0e\x30\x21\x0f abc" in base64.
        let raw = b"From: a@example.com\r\nSubject: hi\r\n\
Content-Type: text/plain; charset=iso-2022-kr\r\nContent-Transfer-Encoding: base64\r\n\r\n\
GyQpQw4wIQ8gYWJj\r\n";
        let mail = parse(raw, &Limits::default()).expect("parses");
        assert_eq!(mail.text.trim(), "가 abc");
    }

    #[test]
    fn html_only_becomes_text_and_alternative_prefers_plain() {
        let html = read(
            "From: a@example.com\r\nSubject: s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<p>Hello <b>there</b></p><script>alert(1)</script>",
        );
        assert!(html.from_html);
        assert!(html.text.contains("Hello there"), "{}", html.text);
        assert!(!html.text.contains('<'), "{}", html.text);
        let alternative = read(
            "From: a@example.com\r\nSubject: s\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain words\r\n\
--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html words</p>\r\n--b--\r\n",
        );
        assert!(!alternative.from_html);
        assert_eq!(alternative.text.trim(), "plain words");
    }

    #[test]
    fn a_mail_with_two_senders_is_seen() {
        let one = parse(
            b"From: Kim <kim@corp.example>\r\nSubject: s\r\n\r\nhi\r\n",
            &Limits::default(),
        )
        .expect("parses");
        assert!(one.single_from);
        for two in [
            &b"From: a@evil.example\r\nFrom: kim@corp.example\r\n\r\nhi\r\n"[..],
            b"From: a@evil.example, kim@corp.example\r\n\r\nhi\r\n",
            b"Subject: no sender\r\n\r\nhi\r\n",
        ] {
            assert!(!parse(two, &Limits::default()).expect("parses").single_from);
        }
    }

    #[test]
    fn attachments_keep_their_rfc_2231_names_within_the_limit() {
        let mut raw = String::from(
            "From: a@example.com\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n",
        );
        for _ in 0..3 {
            raw.push_str(
                "--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\
Content-Disposition: attachment; filename*=UTF-8''%EC%98%81%EC%88%98%EC%A6%9D.png\r\n\r\niVBORw0KGgo=\r\n",
            );
        }
        raw.push_str("--b--\r\n");
        let limits = Limits {
            attachments: 2,
            ..Limits::default()
        };
        let mail = parse(raw.as_bytes(), &limits).expect("parses");
        assert_eq!(mail.attachments.len(), 2);
        assert_eq!(mail.attachments_dropped, 1);
        assert_eq!(
            (mail.over_limit[0].name.as_str(), mail.over_limit[0].size),
            ("영수증.png", 8)
        );
        assert!(mail.over_limit[0].bytes.is_empty(), "not copied");
        assert_eq!(mail.attachments[0].name, "영수증.png");
        assert_eq!(mail.attachments[0].content_type, "image/png");
        assert_eq!(mail.attachments[0].bytes, b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn machines_are_recognised() {
        for (headers, expect) in [
            ("Auto-Submitted: auto-replied\r\n", Some("auto_submitted")),
            ("Auto-Submitted: no\r\n", None),
            ("Precedence: bulk\r\n", Some("precedence")),
            (
                "X-Auto-Response-Suppress: All\r\n",
                Some("suppress_auto_response"),
            ),
            ("Return-Path: <>\r\n", Some("null_return_path")),
            ("List-Id: <news.example.com>\r\n", Some("mailing_list")),
        ] {
            let mail = read(&format!(
                "From: a@example.com\r\n{headers}Subject: s\r\n\r\nbody"
            ));
            let got = mail.automatic.map(Automatic::code);
            assert_eq!(got, expect, "{headers}");
        }
        let bounce =
            read("From: MAILER-DAEMON@mx.example.com\r\nSubject: Undelivered\r\n\r\nsorry");
        assert_eq!(bounce.automatic, Some(Automatic::DaemonSender));
        let report = read(
            "From: a@example.com\r\nSubject: s\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n",
        );
        assert_eq!(report.automatic, Some(Automatic::DeliveryReport));
        let bounce = read(
            "From: MAILER-DAEMON@mx.example.com\r\nSubject: Undelivered\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsorry\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <out-1@baton.example>\r\nSubject: Re: x\r\n\r\n--b--\r\n",
        );
        assert_eq!(bounce.bounced, vec!["out-1@baton.example".to_string()]);
    }

    #[test]
    fn what_is_not_a_message_or_too_large_is_refused_with_a_reason() {
        let error = parse(b"", &Limits::default()).expect_err("empty");
        assert!(error.to_string().contains("no headers"), "{error}");
        let limits = Limits {
            message_bytes: 10,
            ..Limits::default()
        };
        let error = parse(b"From: a@example.com\r\n\r\nbody", &limits).expect_err("large");
        assert!(error.to_string().contains("more than the 10"), "{error}");
    }

    proptest! {
        #[test]
        fn any_bytes_parse_or_are_refused_without_panicking(
            bytes in proptest::collection::vec(any::<u8>(), 0..2048)
        ) {
            let _ = parse(&bytes, &Limits::default());
        }

        #[test]
        fn the_body_of_a_plain_mail_is_never_lost(body in "[가-힣a-zA-Z0-9 .,!?\n]{1,200}") {
            let raw = format!(
                "From: a@example.com\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
            );
            let mail = parse(raw.as_bytes(), &Limits::default()).expect("parses");
            prop_assert_eq!(mail.text.trim_end(), body.trim_end());
        }
    }
}
