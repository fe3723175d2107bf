//! Customer words in the team's chat: an alert carries text from outside Baton (the customer's
//! summary, the contact, area names from data) next to Baton's own words and the case link it
//! made, and the outside text must not be able to ping the channel, plant a link, or fake a line.
//!
//! Each chat reads its own markup, so [`ChatKind::escape`] makes untrusted text inert for one
//! chat while keeping it readable, and [`payload`] builds the JSON body that chat reads from
//! [`Line`]s of [`Part`]s. Whatever the chat, untrusted text:
//!
//! - never mentions anyone: `@` becomes the full-width `＠`, and the `<…>` forms the chats parse
//!   (`<!here>`, `<@U123>`, `<users/all>`, `<url|label>`) lose their `<`;
//! - never links: `http://` becomes `hxxp://` and the dots of domain names become `[.]`
//!   (`https://evil.example/x` shows as `hxxps://evil[.]example/x`);
//! - stays on its line: control characters, line and paragraph separators and bidi controls
//!   become one space, so it cannot start a line of its own under Baton's;
//! - is cut to a length with `…`, never inside an escape.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// How many characters of one untrusted part an alert shows unless told otherwise.
pub const DEFAULT_MAX_CHARS: usize = 300;

/// Discord's `SUPPRESS_EMBEDS` message flag (`1 << 2`).
const SUPPRESS_EMBEDS: u64 = 1 << 2;

/// Characters that start Markdown in Discord and Mattermost wherever they stand: emphasis,
/// strikethrough, code, spoilers (`||`), tables, masked links (`[label](url)`), headers and
/// hashtags. A backslash before any of them shows the character itself in both.
const MARKDOWN: &[char] = &['\\', '*', '_', '~', '`', '|', '[', ']', '(', ')', '#'];

/// The chat a webhook posts to, which decides the escaping and the payload's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChatKind {
    /// Slack incoming webhooks (`text`, Slack's mrkdwn).
    Slack,
    /// Discord webhooks (`content`, Discord's Markdown).
    Discord,
    /// Mattermost incoming webhooks (`text`, Markdown plus Slack's `<…>` forms).
    Mattermost,
    /// Google Chat incoming webhooks (`text`, Chat's markup).
    GoogleChat,
    /// A webhook whose chat is not known: escaped so that it is inert on all four, and both
    /// `text` and `content` are sent.
    Generic,
}

/// A chat kind name that is not one of `slack`, `discord`, `mattermost`, `google-chat`, `generic`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown chat kind {0:?}: expected slack, discord, mattermost, google-chat or generic")]
pub struct UnknownChatKind(pub String);

impl ChatKind {
    /// Every kind, for configuration help and tests.
    pub const ALL: [ChatKind; 5] = [
        ChatKind::Slack,
        ChatKind::Discord,
        ChatKind::Mattermost,
        ChatKind::GoogleChat,
        ChatKind::Generic,
    ];

    /// The wire name: `slack`, `discord`, `mattermost`, `google-chat` or `generic`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatKind::Slack => "slack",
            ChatKind::Discord => "discord",
            ChatKind::Mattermost => "mattermost",
            ChatKind::GoogleChat => "google-chat",
            ChatKind::Generic => "generic",
        }
    }

    /// The kind a webhook URL posts to, from its host.
    ///
    /// Mattermost is never detected: its webhooks live on the team's own host, where any other
    /// Slack-compatible chat could be too, so an unknown host is [`ChatKind::Generic`], whose
    /// escaping is safe on every chat here; name `mattermost` explicitly for its nicer rendering.
    /// Discord's `/slack` and `/github` endpoints read other payloads, so they are Generic too.
    pub fn detect(webhook_url: &str) -> ChatKind {
        // A real parser, not a prefix test: `https://hooks.slack.com@evil.example/` is evil's.
        let Ok(url) = reqwest::Url::parse(webhook_url.trim()) else {
            return ChatKind::Generic;
        };
        if !matches!(url.scheme(), "https" | "http") {
            return ChatKind::Generic;
        }
        let Some(host) = url.host_str() else {
            return ChatKind::Generic;
        };
        match host.trim_end_matches('.') {
            "hooks.slack.com" | "hooks.slack-gov.com" => ChatKind::Slack,
            "chat.googleapis.com" => ChatKind::GoogleChat,
            "discord.com" | "discordapp.com" | "ptb.discord.com" | "canary.discord.com"
                if is_discord_webhook(url.path()) =>
            {
                ChatKind::Discord
            }
            _ => ChatKind::Generic,
        }
    }

    /// The longest message the chat takes, in UTF-16 code units (never fewer than the
    /// characters the chat counts, so a message within it fits however the chat counts).
    pub fn max_message_len(self) -> usize {
        match self {
            ChatKind::Slack => 40_000,
            ChatKind::GoogleChat => 4_096,
            ChatKind::Mattermost => 16_383,
            // Generic may be Discord, the strictest.
            ChatKind::Discord | ChatKind::Generic => 2_000,
        }
    }

    /// `untrusted` made inert for this chat, on one line, and cut to `max_chars` characters of
    /// escaped text (then `…`, so at most `max_chars + 1`).
    pub fn escape(self, untrusted: &str, max_chars: usize) -> String {
        fit(self.units(untrusted), max_chars, max_chars, char_len).concat()
    }

    /// The message text for `lines` (joined by newlines), cut to [`ChatKind::max_message_len`]
    /// between whole parts and escapes, never inside a link.
    pub fn render(self, lines: &[Line]) -> String {
        let mut segments = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            if n > 0 {
                segments.push("\n".to_owned());
            }
            for part in &line.0 {
                match part {
                    Part::Trusted(text) => segments.push(text.clone()),
                    Part::Link { url, label } => segments.push(self.link(url, label)),
                    // Kept as units so that the message's own cut falls between escapes too.
                    Part::Untrusted(untrusted) => segments.extend(fit(
                        self.units(&untrusted.text),
                        untrusted.max_chars,
                        untrusted.max_chars,
                        char_len,
                    )),
                }
            }
        }
        // The chat's limit holds `…` too.
        let limit = self.max_message_len();
        fit(segments, limit, limit - 1, utf16_len).concat()
    }

    /// Whether the chat renders Markdown that backslashes escape.
    fn is_markdown(self) -> bool {
        matches!(
            self,
            ChatKind::Discord | ChatKind::Mattermost | ChatKind::Generic
        )
    }

    /// Untrusted text as escaped units, one per character left after [`one_line`] and
    /// [`defang`]: a cut between units never splits an escape.
    fn units(self, untrusted: &str) -> Vec<String> {
        let chars = defang(&one_line(untrusted));
        let marker = if self.is_markdown() {
            line_start_marker(&chars)
        } else {
            None
        };
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| self.escape_char(c, marker == Some(i)))
            .collect()
    }

    fn escape_char(self, c: char, line_start_marker: bool) -> String {
        use ChatKind::*;
        let escaped = match (self, c) {
            // No chat here reads the full-width sign as a mention, and it reads as `@`.
            (_, '@') => "＠",
            // Slack parses only `&`, `<` and `>` and decodes exactly these entities (Google
            // Chat takes the same `<…>` forms); Mattermost's Markdown decodes them too, and its
            // Slack compatibility (`<!channel>` to `@channel`, `<url|text>` to a link) matches
            // only the raw `<`.
            (Slack | GoogleChat | Mattermost, '&') => "&amp;",
            (Slack | GoogleChat | Mattermost, '<') => "&lt;",
            (Slack | GoogleChat | Mattermost, '>') => "&gt;",
            // Discord shows entities as written; a look-alike leaves no `<…>` form (mentions,
            // channels, roles, emoji, timestamps, commands) for Discord to parse, whatever a
            // backslash covers, and no `>` quote. Generic may be any chat, so the same, and `&`
            // too, since an entity there would show or be decoded depending on the chat.
            (Discord | Generic, '<') => "＜",
            (Discord | Generic, '>') => "＞",
            (Generic, '&') => "＆",
            _ if self.is_markdown() && (MARKDOWN.contains(&c) || line_start_marker) => {
                return format!("\\{c}");
            }
            _ => return c.to_string(),
        };
        escaped.to_owned()
    }

    /// A trusted link: clickable in every chat, with a label where the chat's markup has one.
    fn link(self, url: &str, label: &str) -> String {
        let url = encode_url(url);
        match self {
            ChatKind::Slack | ChatKind::GoogleChat => {
                let url = url.replace('&', "&amp;");
                if label.is_empty() {
                    format!("<{url}>")
                } else {
                    format!("<{url}|{}>", slack_entities(label))
                }
            }
            ChatKind::Mattermost if !label.is_empty() => {
                let label: String = label
                    .chars()
                    .flat_map(|c| match c {
                        '\\' | '[' | ']' => vec!['\\', c],
                        _ => vec![c],
                    })
                    .collect();
                format!("[{label}]({url})")
            }
            // A bare URL is a link everywhere; Generic cannot know whose label markup to use.
            _ if label.is_empty() => url,
            _ => format!("{label} {url}"),
        }
    }
}

impl fmt::Display for ChatKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChatKind {
    type Err = UnknownChatKind;

    fn from_str(name: &str) -> Result<ChatKind, UnknownChatKind> {
        let wanted = name.trim();
        ChatKind::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownChatKind(name.to_owned()))
    }
}

/// Text from outside Baton, with the most characters of it an alert shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untrusted {
    /// The text as the customer or the data wrote it.
    pub text: String,
    /// The most characters of escaped text shown, before `…`.
    pub max_chars: usize,
}

impl Untrusted {
    /// `text`, shown up to [`DEFAULT_MAX_CHARS`] characters.
    pub fn new(text: impl Into<String>) -> Untrusted {
        Untrusted {
            text: text.into(),
            max_chars: DEFAULT_MAX_CHARS,
        }
    }

    /// The same text, shown up to `max_chars` characters.
    pub fn max_chars(self, max_chars: usize) -> Untrusted {
        Untrusted { max_chars, ..self }
    }
}

impl From<&str> for Untrusted {
    fn from(text: &str) -> Untrusted {
        Untrusted::new(text)
    }
}

impl From<String> for Untrusted {
    fn from(text: String) -> Untrusted {
        Untrusted::new(text)
    }
}

/// One piece of an alert line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Baton's own words, sent as written: they may use the chat's markup.
    Trusted(String),
    /// A link Baton made (the case in the operator console): always clickable, never cut.
    Link {
        /// The URL.
        url: String,
        /// Baton's words for it; empty for the bare URL.
        label: String,
    },
    /// Words from outside Baton, escaped for the chat.
    Untrusted(Untrusted),
}

/// One line of an alert: its parts side by side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line(pub Vec<Part>);

impl Line {
    /// An empty line.
    pub fn new() -> Line {
        Line::default()
    }

    /// The line, then Baton's own `text`.
    pub fn trusted(mut self, text: impl Into<String>) -> Line {
        self.0.push(Part::Trusted(text.into()));
        self
    }

    /// The line, then a link Baton made.
    pub fn link(mut self, url: impl Into<String>, label: impl Into<String>) -> Line {
        self.0.push(Part::Link {
            url: url.into(),
            label: label.into(),
        });
        self
    }

    /// The line, then untrusted text (a `&str`, a `String`, or an [`Untrusted`] with its own
    /// length).
    pub fn untrusted(mut self, text: impl Into<Untrusted>) -> Line {
        self.0.push(Part::Untrusted(text.into()));
        self
    }
}

impl From<Vec<Part>> for Line {
    fn from(parts: Vec<Part>) -> Line {
        Line(parts)
    }
}

/// The webhook body for `kind`: the rendered `lines` under the key the chat reads, with what
/// turns off pings and previews where the chat has it.
///
/// ```
/// use desk::alerts::{ChatKind, Line, payload};
///
/// let lines = [
///     Line::new().trusted("🚨 urgent · ").untrusted("<!here> @everyone"),
///     Line::new().link("https://baton.example/cases/case_1", "case_1"),
/// ];
/// let body = payload(ChatKind::Slack, &lines);
/// assert_eq!(
///     body["text"],
///     "🚨 urgent · &lt;!here&gt; ＠everyone\n<https://baton.example/cases/case_1|case_1>"
/// );
/// ```
pub fn payload(kind: ChatKind, lines: &[Line]) -> Value {
    let message = kind.render(lines);
    match kind {
        // The case link's preview would only repeat it; the team opens it.
        ChatKind::Slack => json!({
            "text": message,
            "unfurl_links": false,
            "unfurl_media": false,
        }),
        // Google's APIs refuse unknown fields, and Mattermost needs none.
        ChatKind::GoogleChat | ChatKind::Mattermost => json!({ "text": message }),
        // Mentions in the content still render; `parse: []` keeps any of them from pinging.
        ChatKind::Discord => json!({
            "content": message,
            "allowed_mentions": { "parse": [] },
            "flags": SUPPRESS_EMBEDS,
        }),
        // Slack and Mattermost ignore Discord's keys, and Discord ignores `text`.
        ChatKind::Generic => json!({
            "text": message,
            "content": message,
            "allowed_mentions": { "parse": [] },
            "flags": SUPPRESS_EMBEDS,
        }),
    }
}

/// Whether a Discord path is a plain execute-webhook endpoint: `/api[/vN]/webhooks/{id}/{token}`.
fn is_discord_webhook(path: &str) -> bool {
    let mut segments = path.split('/').filter(|s| !s.is_empty()).peekable();
    if segments.next() != Some("api") {
        return false;
    }
    let versioned = segments.peek().is_some_and(|s| {
        s.strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    });
    if versioned {
        segments.next();
    }
    segments.next() == Some("webhooks") && segments.count() == 2
}

/// All the units if they fit in `limit` (as `len` measures them); else those that fit in
/// `budget`, without trailing whitespace, then `…` (one unit in either measure).
fn fit(mut units: Vec<String>, limit: usize, budget: usize, len: fn(&str) -> usize) -> Vec<String> {
    if units.iter().map(|u| len(u)).sum::<usize>() <= limit {
        return units;
    }
    let mut used = 0;
    let kept = units
        .iter()
        .take_while(|u| {
            used += len(u);
            used <= budget
        })
        .count();
    units.truncate(kept);
    while let Some(last) = units.last_mut() {
        let trimmed = last.trim_end().len();
        if trimmed > 0 {
            last.truncate(trimmed);
            break;
        }
        units.pop();
    }
    units.push("…".to_owned());
    units
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The text on one line: every run of whitespace, control characters (newlines among them) and
/// bidi controls (which can reorder what follows, faking a line's meaning) is one space, and
/// none at either end.
fn one_line(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() || is_bidi_control(c) {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// URLs and domain names that no chat will link: `http(s):` becomes `hxxp(s):`, any other
/// `://` becomes `[:]//`, and a dot becomes `[.]` in a URL's host and wherever it joins a name
/// to what could be a top-level domain (Slack, Google Chat and Mattermost link bare
/// `evil.example` and `www.evil.example`). A dot in `3.5` or `v1.2` stays.
fn defang(chars: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(chars.len() + 8);
    let mut in_host = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ':' {
            // `http:` alone is defanged too: a part ending `https:` beside one starting `//evil`
            // would otherwise make a URL between them.
            let http = ["https", "http"].into_iter().find(|scheme| {
                out.len() >= scheme.len()
                    && out[out.len() - scheme.len()..]
                        .iter()
                        .zip(scheme.chars())
                        .all(|(a, b)| a.eq_ignore_ascii_case(&b))
            });
            if let Some(scheme) = http {
                let h = out.len() - scheme.len();
                for t in &mut out[h + 1..h + 3] {
                    *t = if t.is_ascii_uppercase() { 'X' } else { 'x' };
                }
            }
            if chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/') {
                if http.is_some() {
                    out.push(':');
                } else {
                    out.extend(['[', ':', ']']);
                }
                out.extend(['/', '/']);
                in_host = true;
                i += 3;
                continue;
            }
        }
        if in_host && matches!(c, '/' | '?' | '#' | ' ' | '\\') {
            in_host = false;
        }
        if c == '.' {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            // At the very start the text may follow a name in the part before it.
            let joins_name = prev.is_none_or(|p| p.is_alphanumeric() || p == '-' || p == '_')
                && next.is_some_and(char::is_alphabetic);
            let in_address = in_host && next.is_some_and(char::is_alphanumeric);
            if joins_name || in_address {
                out.extend(['[', '.', ']']);
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The character that would start a Markdown list at the start of a line (`- `, `+ `, `-# `
/// subtext in Discord, `1. ` and `1) `), which untrusted text may be when it opens a line.
fn line_start_marker(chars: &[char]) -> Option<usize> {
    match chars.first()? {
        '-' | '+' => Some(0),
        c if c.is_ascii_digit() => {
            let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
            matches!(chars.get(digits), Some('.' | ')')).then_some(digits)
        }
        _ => None,
    }
}

/// A URL percent-encoded where a character would end the link early or break a chat's link
/// markup (`<url|label>`, `[label](url)`, `<url>`).
fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_whitespace()
            || c.is_control()
            || matches!(c, '<' | '>' | '|' | '(' | ')' | '"' | '`')
        {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn slack_entities(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests;
