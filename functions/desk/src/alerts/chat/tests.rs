use super::*;
use proptest::prelude::*;

const CASE_URL: &str = "https://baton.example/cases/case_X";

/// What each kind makes of each attack.
#[test]
fn attacks_are_inert_per_kind() {
    use ChatKind::*;
    let table: &[(&str, [&str; 5])] = &[
        (
            "<!here>",
            [
                "&lt;!here&gt;",
                "＜!here＞",
                "&lt;!here&gt;",
                "&lt;!here&gt;",
                "＜!here＞",
            ],
        ),
        (
            "<!channel> 확인",
            [
                "&lt;!channel&gt; 확인",
                "＜!channel＞ 확인",
                "&lt;!channel&gt; 확인",
                "&lt;!channel&gt; 확인",
                "＜!channel＞ 확인",
            ],
        ),
        ("@everyone", ["＠everyone"; 5]),
        (
            "@here @channel @all @kim",
            ["＠here ＠channel ＠all ＠kim"; 5],
        ),
        (
            "<@U123> <users/all>",
            [
                "&lt;＠U123&gt; &lt;users/all&gt;",
                "＜＠U123＞ ＜users/all＞",
                "&lt;＠U123&gt; &lt;users/all&gt;",
                "&lt;＠U123&gt; &lt;users/all&gt;",
                "＜＠U123＞ ＜users/all＞",
            ],
        ),
        (
            "<https://evil.example|환불 받기>",
            [
                "&lt;hxxps://evil[.]example|환불 받기&gt;",
                r"＜hxxps://evil\[.\]example\|환불 받기＞",
                r"&lt;hxxps://evil\[.\]example\|환불 받기&gt;",
                "&lt;hxxps://evil[.]example|환불 받기&gt;",
                r"＜hxxps://evil\[.\]example\|환불 받기＞",
            ],
        ),
        (
            "[환불 받기](https://evil.example)",
            [
                "[환불 받기](hxxps://evil[.]example)",
                r"\[환불 받기\]\(hxxps://evil\[.\]example\)",
                r"\[환불 받기\]\(hxxps://evil\[.\]example\)",
                "[환불 받기](hxxps://evil[.]example)",
                r"\[환불 받기\]\(hxxps://evil\[.\]example\)",
            ],
        ),
        (
            "||spoiler||",
            [
                "||spoiler||",
                r"\|\|spoiler\|\|",
                r"\|\|spoiler\|\|",
                "||spoiler||",
                r"\|\|spoiler\|\|",
            ],
        ),
        (
            "# fake header",
            [
                "# fake header",
                r"\# fake header",
                r"\# fake header",
                "# fake header",
                r"\# fake header",
            ],
        ),
        (
            "급해요\nhttps://baton.example/cases/case_X",
            [
                "급해요 hxxps://baton[.]example/cases/case_X",
                r"급해요 hxxps://baton\[.\]example/cases/case\_X",
                r"급해요 hxxps://baton\[.\]example/cases/case\_X",
                "급해요 hxxps://baton[.]example/cases/case_X",
                r"급해요 hxxps://baton\[.\]example/cases/case\_X",
            ],
        ),
        (
            "- 1. > quote `code` *bold* ~~gone~~",
            [
                "- 1. &gt; quote `code` *bold* ~~gone~~",
                r"\- 1. ＞ quote \`code\` \*bold\* \~\~gone\~\~",
                r"\- 1. &gt; quote \`code\` \*bold\* \~\~gone\~\~",
                "- 1. &gt; quote `code` *bold* ~~gone~~",
                r"\- 1. ＞ quote \`code\` \*bold\* \~\~gone\~\~",
            ],
        ),
        (
            "A&B &lt;",
            [
                "A&amp;B &amp;lt;",
                "A&B &lt;",
                "A&amp;B &amp;lt;",
                "A&amp;B &amp;lt;",
                "A＆B ＆lt;",
            ],
        ),
    ];
    for (input, expected) in table {
        for (kind, want) in [Slack, Discord, Mattermost, GoogleChat, Generic]
            .into_iter()
            .zip(expected)
        {
            assert_eq!(kind.escape(input, 300), *want, "{kind} {input:?}");
        }
    }
}

#[test]
fn korean_stays_readable() {
    let text = "안녕하세요, 어제 5,000,000원 송금했는데 입금이 안 됐어요. 주문번호 20261014-0001234 확인 부탁드려요!";
    for kind in ChatKind::ALL {
        assert_eq!(kind.escape(text, 300), text, "{kind}");
    }
    // Formatting characters show as themselves once the chat drops the backslash.
    assert_eq!(
        ChatKind::Discord.escape("(주)바톤 *급함*", 300),
        r"\(주\)바톤 \*급함\*"
    );
}

#[test]
fn urls_and_domains_are_defanged() {
    let k = ChatKind::Slack;
    assert_eq!(
        k.escape("https://evil.example/x", 300),
        "hxxps://evil[.]example/x"
    );
    assert_eq!(
        k.escape("HTTP://EVIL.EXAMPLE", 300),
        "HXXP://EVIL[.]EXAMPLE"
    );
    assert_eq!(
        k.escape("see www.evil.example or evil.example", 300),
        "see www[.]evil[.]example or evil[.]example"
    );
    assert_eq!(
        k.escape("http://10.0.0.1:8080/a", 300),
        "hxxp://10[.]0[.]0[.]1:8080/a"
    );
    assert_eq!(
        k.escape("ftp://evil.example", 300),
        "ftp[:]//evil[.]example"
    );
    assert_eq!(k.escape("kim@evil.example", 300), "kim＠evil[.]example");
    // Numbers, versions and sentence ends keep their dots.
    assert_eq!(
        k.escape("3.5배, v1.2, 끝. 다음", 300),
        "3.5배, v1.2, 끝. 다음"
    );
    // Halves of a URL in neighbouring parts cannot join into one.
    assert_eq!(k.escape("https:", 300), "hxxps:");
    assert_eq!(k.escape("://evil.example", 300), "[:]//evil[.]example");
    assert_eq!(k.escape(".example", 300), "[.]example");
}

#[test]
fn one_line_only() {
    let text = "a\nb\r\nc\u{2028}d\u{85}e\u{0}f\u{202E}g\t\th   ";
    for kind in ChatKind::ALL {
        assert_eq!(kind.escape(text, 300), "a b c d e f g h", "{kind}");
    }
}

#[test]
fn cut_with_ellipsis_never_inside_an_escape() {
    assert_eq!(ChatKind::Slack.escape("가나다라마", 3), "가나다…");
    assert_eq!(ChatKind::Slack.escape("가나다", 3), "가나다");
    assert_eq!(ChatKind::Slack.escape("ab cd", 3), "ab…");
    // `&amp;` is five characters: it goes whole or not at all.
    assert_eq!(ChatKind::Slack.escape("ab&c", 6), "ab…");
    assert_eq!(ChatKind::Discord.escape("a[b", 2), "a…");
    assert_eq!(ChatKind::Discord.escape("a[b", 3), r"a\[…");
    assert_eq!(ChatKind::Discord.escape("abc", 0), "…");
    assert_eq!(ChatKind::Discord.escape("", 0), "");
}

#[test]
fn wire_names() {
    for kind in ChatKind::ALL {
        let json = serde_json::to_string(&kind).expect("serializes");
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
        let back: ChatKind = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, kind);
        assert_eq!(kind.as_str().parse::<ChatKind>(), Ok(kind));
        assert_eq!(kind.to_string(), kind.as_str());
    }
    assert_eq!(
        serde_json::to_string(&ChatKind::GoogleChat).expect("serializes"),
        "\"google-chat\""
    );
    assert_eq!(" Slack ".parse::<ChatKind>(), Ok(ChatKind::Slack));
    assert_eq!(
        "teams".parse::<ChatKind>(),
        Err(UnknownChatKind("teams".to_owned()))
    );
}

#[test]
fn detect_from_host() {
    use ChatKind::*;
    let table = [
        ("https://hooks.slack.com/services/T0/B0/xyz", Slack),
        ("HTTPS://HOOKS.SLACK.COM/services/T0/B0/xyz", Slack),
        ("https://discord.com/api/webhooks/123/tok", Discord),
        ("https://discordapp.com/api/webhooks/123/tok", Discord),
        (
            "https://discord.com/api/v10/webhooks/123/tok?wait=true",
            Discord,
        ),
        (
            "https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t",
            GoogleChat,
        ),
        ("https://chat.example.com/hooks/abc123", Generic),
        // Discord's Slack-compatible endpoint reads Slack's payload.
        ("https://discord.com/api/webhooks/123/tok/slack", Generic),
        ("https://discord.com/channels/1/2", Generic),
        ("https://hooks.slack.com@evil.example/services/x", Generic),
        ("https://evil.example/hooks.slack.com/services/x", Generic),
        ("https://hooks.slack.com.evil.example/services/x", Generic),
        ("ftp://hooks.slack.com/services/x", Generic),
        ("hooks.slack.com/services/x", Generic),
        ("", Generic),
    ];
    for (url, kind) in table {
        assert_eq!(ChatKind::detect(url), kind, "{url}");
    }
}

fn alert_lines(summary: &str, contact: &str) -> Vec<Line> {
    vec![
        Line::new()
            .trusted("🚨 입금 안 됨 / money not received · case_X · ")
            .untrusted("송금"),
        Line::new().trusted("“").untrusted(summary).trusted("”"),
        Line::new().untrusted(contact).trusted(" · ko"),
        Line::new().link(CASE_URL, ""),
    ]
}

#[test]
fn payload_keys_per_kind() {
    let lines = alert_lines(
        "<!here> @everyone 급해요\nhttps://baton.example/cases/case_Y",
        "[환불 받기](https://evil.example)",
    );

    let slack = payload(ChatKind::Slack, &lines);
    assert_eq!(
        slack,
        json!({
            "text": "🚨 입금 안 됨 / money not received · case_X · 송금\n\
                     “&lt;!here&gt; ＠everyone 급해요 hxxps://baton[.]example/cases/case_Y”\n\
                     [환불 받기](hxxps://evil[.]example) · ko\n\
                     <https://baton.example/cases/case_X>",
            "unfurl_links": false,
            "unfurl_media": false,
        })
    );

    let discord = payload(ChatKind::Discord, &lines);
    assert_eq!(discord["allowed_mentions"], json!({ "parse": [] }));
    assert_eq!(discord["flags"], 4);
    assert!(discord.get("text").is_none());
    assert_eq!(
        discord["content"],
        "🚨 입금 안 됨 / money not received · case_X · 송금\n\
         “＜!here＞ ＠everyone 급해요 hxxps://baton\\[.\\]example/cases/case\\_Y”\n\
         \\[환불 받기\\]\\(hxxps://evil\\[.\\]example\\) · ko\n\
         https://baton.example/cases/case_X"
    );

    let google = payload(ChatKind::GoogleChat, &lines);
    assert_eq!(google.as_object().map(|o| o.len()), Some(1));
    assert_eq!(google["text"], slack["text"]);

    let mattermost = payload(ChatKind::Mattermost, &lines);
    assert_eq!(mattermost.as_object().map(|o| o.len()), Some(1));
    assert!(
        mattermost["text"]
            .as_str()
            .is_some_and(|t| t.ends_with(&format!("\n{CASE_URL}")))
    );

    let generic = payload(ChatKind::Generic, &lines);
    assert_eq!(generic["text"], generic["content"]);
    assert_eq!(generic["allowed_mentions"], json!({ "parse": [] }));
    assert_eq!(generic["flags"], 4);
}

#[test]
fn labelled_links() {
    let line = [Line::new().link(CASE_URL, "case_X 열기")];
    let rendered = |kind: ChatKind| kind.render(&line);
    assert_eq!(
        rendered(ChatKind::Slack),
        format!("<{CASE_URL}|case_X 열기>")
    );
    assert_eq!(
        rendered(ChatKind::GoogleChat),
        format!("<{CASE_URL}|case_X 열기>")
    );
    assert_eq!(
        rendered(ChatKind::Mattermost),
        format!("[case_X 열기]({CASE_URL})")
    );
    assert_eq!(
        rendered(ChatKind::Discord),
        format!("case_X 열기 {CASE_URL}")
    );
    assert_eq!(
        rendered(ChatKind::Generic),
        format!("case_X 열기 {CASE_URL}")
    );
    // A trusted URL still cannot break out of the chat's link markup.
    assert_eq!(
        ChatKind::Slack.render(&[Line::new().link("https://b.example/a|b>c d&e", "x")]),
        "<https://b.example/a%7Cb%3Ec%20d&amp;e|x>"
    );
}

#[test]
fn discord_message_is_cut_between_parts() {
    let mut lines = vec![Line::new().link(CASE_URL, "")];
    for _ in 0..20 {
        lines.push(
            Line::new()
                .trusted("· ")
                .untrusted("[](||)@<>".repeat(40))
                .trusted(" · ")
                .link(CASE_URL, ""),
        );
    }
    for kind in ChatKind::ALL {
        let message = kind.render(&lines);
        assert!(utf16_len(&message) <= kind.max_message_len(), "{kind}");
        if kind.max_message_len() <= 4_096 {
            assert!(message.ends_with('…'), "{kind}");
        }
        let links = message.matches("https://").count();
        assert_eq!(
            links,
            message.matches(CASE_URL).count(),
            "{kind}: a cut link"
        );
        assert!(links >= 1, "{kind}");
        check_markdown(kind, &message.replace(CASE_URL, "")).expect("escapes are whole");
    }
}

/// The characters of `s` that no backslash escapes; an error for a dangling backslash.
fn unescaped(s: &str) -> Result<Vec<char>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(_) => continue,
                None => return Err(format!("dangling backslash in {s:?}")),
            }
        }
        out.push(c);
    }
    Ok(out)
}

fn check_markdown(kind: ChatKind, s: &str) -> Result<(), String> {
    if !kind.is_markdown() {
        return Ok(());
    }
    let bare = unescaped(s)?;
    // Spelled out again so that a character dropped from `MARKDOWN` fails here.
    let markup = ['[', ']', '(', ')', '|', '*', '_', '~', '`', '#'];
    if let Some(c) = bare.iter().find(|c| markup.contains(c)) {
        return Err(format!("{kind}: unescaped {c:?} in {s:?}"));
    }
    Ok(())
}

/// What must hold of every escaped untrusted text, whatever the kind.
fn check_inert(kind: ChatKind, out: &str, max: usize) -> Result<(), TestCaseError> {
    let lower = out.to_lowercase();
    for pattern in [
        "<!",
        "<@",
        "<http",
        "<users/",
        "@here",
        "@channel",
        "@everyone",
        "@all",
        "http://",
        "https://",
    ] {
        prop_assert!(!lower.contains(pattern), "{kind}: {pattern} in {out:?}");
    }
    prop_assert!(
        !out.chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')),
        "{kind}: a line break or control in {out:?}"
    );
    let chars: Vec<char> = out.chars().collect();
    prop_assert!(
        !chars
            .windows(3)
            .any(|w| w[0].is_alphanumeric() && w[1] == '.' && w[2].is_alphabetic()),
        "{kind}: a bare domain in {out:?}"
    );
    let len = chars.len();
    prop_assert!(len <= max + 1, "{kind}: {len} > {max} + 1 in {out:?}");
    if len > max {
        prop_assert!(out.ends_with('…'), "{kind}: cut without … in {out:?}");
    }
    if let Err(e) = check_markdown(kind, out) {
        prop_assert!(false, "{}", e);
    }
    match kind {
        ChatKind::Slack | ChatKind::GoogleChat | ChatKind::Mattermost => {
            prop_assert!(!out.contains(['<', '>']), "{kind}: raw <> in {out:?}");
            for (at, _) in out.match_indices('&') {
                let rest = &out[at..];
                prop_assert!(
                    ["&amp;", "&lt;", "&gt;"]
                        .iter()
                        .any(|e| rest.starts_with(e)),
                    "{kind}: bare & in {out:?}"
                );
            }
        }
        ChatKind::Discord | ChatKind::Generic => {
            prop_assert!(!out.contains(['<', '>']), "{kind}: raw <> in {out:?}");
            if kind == ChatKind::Generic {
                prop_assert!(!out.contains('&'), "{kind}: & in {out:?}");
            }
        }
    }
    if kind.is_markdown() {
        prop_assert!(
            !out.starts_with(['-', '+']),
            "{kind}: a list marker opens {out:?}"
        );
    }
    Ok(())
}

/// Strings built mostly of what the chats parse.
fn hostile() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        4 => prop::sample::select(vec![
            "<", ">", "&", "@", "[", "]", "(", ")", "|", "*", "_", "~", "`", "\\", "#", ":",
            "/", ".", "!", "-", "+", " ", "\n", "\r\n", "\t", "\u{2028}", "\u{202E}",
            "\u{0}", "1", "…",
        ])
        .prop_map(str::to_owned),
        3 => prop::sample::select(vec![
            "here", "channel", "everyone", "all", "users/all", "http", "https", "HTTPS",
            "://", "evil", "example", "com", "www", "환불 받기", "<!here>", "<@U123>",
            "<https://evil.example|x>", "](", "||", "1.", "&lt;", "&amp;",
        ])
        .prop_map(str::to_owned),
        2 => any::<char>().prop_map(String::from),
        1 => "[a-z0-9가-힣]{1,6}",
    ];
    prop::collection::vec(token, 0..60).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn escaped_text_is_inert(text in hostile(), max in 0usize..400) {
        for kind in ChatKind::ALL {
            let out = kind.escape(&text, max);
            check_inert(kind, &out, max)?;
        }
    }

    #[test]
    fn plain_text_is_unchanged(text in "[가-힣a-zA-Z0-9 ,?]{0,120}") {
        let normalized = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for kind in ChatKind::ALL {
            prop_assert_eq!(kind.escape(&text, 300), normalized.clone());
        }
    }

    #[test]
    fn payload_keeps_trusted_links(
        // Few enough that Discord's 2,000 never cuts: cutting is `long_messages_fit`'s.
        parts in prop::collection::vec((hostile(), hostile()), 1..3),
        max in 0usize..400,
    ) {
        let mut lines: Vec<Line> = parts
            .iter()
            .map(|(summary, contact)| {
                Line::new()
                    .trusted("🚨 ")
                    .untrusted(Untrusted::new(summary.as_str()).max_chars(max))
                    .trusted(" · ")
                    .untrusted(contact.as_str())
            })
            .collect();
        lines.push(Line::new().trusted("→ ").link(CASE_URL, "case_X"));
        lines.push(Line::new().link(CASE_URL, ""));
        for kind in ChatKind::ALL {
            let body = payload(kind, &lines);
            let wire = serde_json::to_string(&body).expect("serializes");
            let back: Value = serde_json::from_str(&wire).expect("valid JSON");
            prop_assert_eq!(&back, &body);

            let key = if kind == ChatKind::Discord { "content" } else { "text" };
            let message = body[key].as_str().expect("a message").to_owned();
            prop_assert!(utf16_len(&message) <= kind.max_message_len());
            prop_assert_eq!(message.matches('\n').count(), lines.len() - 1);
            // Only Baton's two links are links, both whole.
            let lower = message.to_lowercase();
            prop_assert_eq!(
                lower.matches("http://").count() + lower.matches("https://").count(),
                2,
                "{}: {:?}", kind, message
            );
            prop_assert_eq!(message.matches(CASE_URL).count(), 2);
            let labelled = match kind {
                ChatKind::Slack | ChatKind::GoogleChat => format!("<{CASE_URL}|case_X>"),
                ChatKind::Mattermost => format!("[case_X]({CASE_URL})"),
                ChatKind::Discord | ChatKind::Generic => format!("case_X {CASE_URL}"),
            };
            prop_assert!(message.contains(&labelled), "{}: {:?}", kind, message);
            if kind == ChatKind::Discord || kind == ChatKind::Generic {
                prop_assert_eq!(&body["allowed_mentions"], &json!({ "parse": [] }));
                prop_assert_eq!(&body["flags"], &json!(4));
            }
        }
    }

    #[test]
    fn long_messages_fit(
        texts in prop::collection::vec(hostile(), 30..80),
    ) {
        let lines: Vec<Line> = texts
            .iter()
            .map(|t| {
                Line::new()
                    .trusted("· ")
                    .untrusted(Untrusted::new(t.repeat(8)).max_chars(2_000))
                    .trusted(" ")
                    .link(CASE_URL, "")
            })
            .collect();
        for kind in ChatKind::ALL {
            let message = kind.render(&lines);
            prop_assert!(utf16_len(&message) <= kind.max_message_len());
            let lower = message.to_lowercase();
            prop_assert_eq!(
                lower.matches("http://").count() + lower.matches("https://").count(),
                message.matches(CASE_URL).count(),
                "{}: a cut or planted link", kind
            );
            if let Err(e) = check_markdown(kind, &message.replace(CASE_URL, "")) {
                prop_assert!(false, "{}", e);
            }
        }
    }
}
