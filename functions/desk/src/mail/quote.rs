//! The new text of a reply: what the sender wrote above the quoted history and the signature,
//! which the console shows as the message (the whole mail stays available to operators).
//!
//! A reply's history starts at the first line a mail client writes above it: Gmail's `On …
//! wrote:` and `…님이 작성:`, Apple Mail's `… 작성:`, Outlook's `-----Original Message-----`,
//! `-----원본 메시지-----` and its header block (`From:`/`보낸 사람:` followed by
//! `Sent:`/`보낸 날짜:`/`Date:`/`Subject:`/`제목:`), a Naver or Daum forward line, or a run of
//! `>` lines. A signature starts at `-- ` or a "sent from my phone" line. When cutting there would
//! leave nothing (a sender who wrote below the quote), only the `>` lines go; when even that
//! leaves nothing, the whole text stays: the new text is never lost.

use std::sync::LazyLock;

use regex::Regex;

/// A reply split into what is new and what was quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// What the sender wrote.
    pub new: String,
    /// Something was cut (history or signature).
    pub trimmed: bool,
}

/// A line that starts a quoted history by itself.
static HISTORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^\s*(?:
            -{2,}\s*(?:original\s+message|원본\s*메시지|forwarded\s+message|전달된\s*메시지)\s*-{2,}
          | on\s.{0,240}\swrote:
          | .{0,240}님이\s*작성:
          | .{0,240}<[^>\s]+@[^>\s]+>\s*작성:
          | 20\d\d[.\-/년]\s*\d{1,2}[.\-/월]\s*\d{1,2}.{0,120}(?:작성|wrote):
        )\s*$",
    )
    .expect("a valid pattern")
});

/// The first line of an Outlook-style header block (`From: …`), and the lines that follow it.
static HEADER_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*\**\s*(?:from|보낸\s*사람|보낸사람)\s*\**\s*:").expect("a valid pattern")
});
static HEADER_NEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*\**\s*(?:sent|date|to|cc|subject|보낸\s*날짜|받는\s*사람|참조|날짜|제목)\s*\**\s*:",
    )
    .expect("a valid pattern")
});

/// A line that starts a signature.
static SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:--\s?|sent\s+from\s+my\s+\S.*|get\s+outlook\s+for\s+\S.*|\S.*에서\s*보냄)\s*$",
    )
    .expect("a valid pattern")
});

/// The new text of `text` (a mail's body as text).
pub fn new_text(text: &str) -> Reply {
    let lines: Vec<&str> = text.lines().collect();
    let cut = (0..lines.len())
        .find(|&i| starts_history(&lines, i) || SIGNATURE.is_match(lines[i]))
        .unwrap_or(lines.len());
    let above = join(&lines[..cut]);
    let quoted_first = lines
        .iter()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with('>'));
    if !above.is_empty() && !quoted_first {
        return Reply {
            trimmed: cut < lines.len(),
            new: above,
        };
    }
    // Nothing above the history: the sender may have written below it. Keep every line that is
    // not quoted with `>` and not a history line.
    let unquoted: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| !l.trim_start().starts_with('>') && !starts_history(&lines, *i))
        .map(|(_, l)| *l)
        .collect();
    let below = join(&unquoted);
    if !below.is_empty() {
        return Reply {
            trimmed: true,
            new: below,
        };
    }
    Reply {
        new: text.trim().to_string(),
        trimmed: false,
    }
}

/// Whether line `i` starts a quoted history.
fn starts_history(lines: &[&str], i: usize) -> bool {
    let line = lines[i];
    if HISTORY.is_match(line) {
        return true;
    }
    // Gmail wraps a long "On …, Name <address>" onto two lines before "wrote:".
    if let Some(next) = lines.get(i + 1)
        && line.trim_start().to_ascii_lowercase().starts_with("on ")
        && next.trim_end().to_ascii_lowercase().ends_with("wrote:")
        && line.len() + next.len() < 300
    {
        return true;
    }
    // Outlook's rule above its header block.
    if line.trim().len() >= 10
        && line.trim().chars().all(|c| c == '_')
        && lines
            .iter()
            .skip(i + 1)
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| HEADER_FROM.is_match(l))
    {
        return true;
    }
    // A header block: `From:` followed within three lines by another header field.
    if HEADER_FROM.is_match(line) {
        return lines
            .iter()
            .skip(i + 1)
            .take(3)
            .any(|l| HEADER_NEXT.is_match(l));
    }
    // A run of quoted lines to the end (a reply quoted the old way, with nothing after it).
    line.trim_start().starts_with('>')
        && lines[i..]
            .iter()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('>'))
}

/// The lines joined, with blank lines at either end removed.
fn join(lines: &[&str]) -> String {
    lines.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The histories mail clients write under a reply.
    const HISTORIES: &[&str] = &[
        "On Mon, Dec 7, 2026 at 3:00 PM Baton Support <support@baton.example> wrote:\n> 안녕하세요, 무엇을 도와드릴까요?\n> line two",
        "On Mon, Dec 7, 2026 at 3:00 PM Baton Support <\nsupport@baton.example> wrote:\n> quoted",
        "2026년 12월 7일 (월) 오후 3:00, Baton 지원 <support@baton.example>님이 작성:\n> 안녕하세요",
        "2026. 12. 7. 오후 3:00, Baton 지원 <support@baton.example> 작성:\n> 안녕하세요",
        "-----Original Message-----\nFrom: Baton Support <support@baton.example>\nSent: Monday, December 7, 2026 3:00 PM\nSubject: RE: 결제 문의\n\n안녕하세요",
        "-----원본 메시지-----\n보낸 사람: Baton 지원 <support@baton.example>\n보낸 날짜: 2026년 12월 7일 월요일 오후 3:00\n제목: 결제 문의\n\n이전 내용",
        "________________________________\nFrom: Baton Support <support@baton.example>\nSent: Monday, December 7, 2026 3:00 PM\nTo: 홍길동\n\nold text",
        "보낸사람: \"Baton 지원\" <support@baton.example>\n받는사람: <hong@naver.com>\n날짜: 2026-12-07 15:00\n제목: 결제 문의\n\n이전 내용",
        "---------- Forwarded message ---------\nFrom: someone <a@example.com>\nDate: Mon, Dec 7\n\nforwarded",
        "--\n홍길동 드림\n까치상점 대표",
        "Sent from my iPhone",
        "iPhone에서 보냄",
        "> only quoted lines\n> to the end",
    ];

    #[test]
    fn each_clients_history_and_signature_is_cut() {
        let new = "결제가 두 번 됐어요.\n주문번호 KK-1234입니다.";
        for history in HISTORIES {
            let reply = new_text(&format!("{new}\n\n{history}"));
            assert_eq!(reply.new, new, "{history}");
            assert!(reply.trimmed, "{history}");
        }
    }

    #[test]
    fn a_reply_written_below_the_quote_is_kept() {
        let reply = new_text("> 무엇을 도와드릴까요?\n> 주문번호를 알려주세요.\n\nKK-1234 입니다");
        assert_eq!(reply.new, "KK-1234 입니다");
        // Only quotes: nothing is new, and nothing is thrown away either.
        let all = new_text("> a\n> b");
        assert_eq!(all.new, "> a\n> b");
        assert!(!all.trimmed);
    }

    #[test]
    fn ordinary_lines_that_look_alike_stay() {
        for text in [
            "From: my store's settings page, the payment tab is gone",
            "On Monday the site was down.\nIt still is.",
            "결제 -- 두 번 됐어요",
        ] {
            let reply = new_text(text);
            assert_eq!(reply.new, text, "{text}");
            assert!(!reply.trimmed, "{text}");
        }
    }

    proptest! {
        #[test]
        fn any_text_is_read_without_panicking(text in "\\PC{0,400}") {
            let _ = new_text(&text);
        }

        #[test]
        fn the_new_text_is_never_lost(
            new in "[가-힣a-zA-Z0-9 .,!?]{1,60}(\n[가-힣a-zA-Z0-9 .,!?]{1,60}){0,3}",
            history in 0..HISTORIES.len(),
        ) {
            prop_assume!(!new.trim().is_empty());
            let reply = new_text(&format!("{new}\n\n{}", HISTORIES[history]));
            let expected: String = new.lines().collect::<Vec<_>>().join("\n").trim().to_string();
            prop_assert_eq!(reply.new, expected);
        }
    }
}
