//! Who sent a mail, as the receiving server judged it: the `Authentication-Results` header
//! (RFC 8601) that the team's MTA (OpenDKIM/OpenDMARC, rspamd, Postfix with a milter) adds in
//! front of `baton serve`. Only the header of the server the team names
//! (`BATON_MAIL_AUTHSERV_ID`) is read, and only its first one: anyone can write an
//! `Authentication-Results` header into a mail, and RFC 8601 §5 has the receiving MTA remove
//! those that carry its own name before it adds its own at the top.
//!
//! The From address alone proves nothing. A sender is authenticated when DMARC passed, or when a
//! DKIM signature verified for the From domain or a parent of it (a domain that publishes no
//! DMARC policy can still sign). A DMARC failure, or SPF failing with no DKIM pass, is a spoofed
//! sender; anything else is unverified.

use crate::model::Verdict;

/// Longest header value read, in bytes: real ones are a few hundred.
const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Most results of one header read.
const MAX_RESULTS: usize = 32;

/// One result of an `Authentication-Results` header: `dkim=pass header.d=example.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResult {
    /// The method, lowercased, without its version (`dkim`, `spf`, `dmarc`).
    pub method: String,
    /// The result, lowercased (`pass`, `fail`, `none`, …).
    pub result: String,
    /// Its properties, `ptype.property` lowercased, values as written.
    pub properties: Vec<(String, String)>,
}

/// An `Authentication-Results` header read: the server that wrote it and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResults {
    /// The authserv-id, lowercased.
    pub server: String,
    /// Its results, at most [`MAX_RESULTS`].
    pub results: Vec<AuthResult>,
    /// Whether all of it was read: not longer than [`MAX_HEADER_BYTES`], no more results than
    /// [`MAX_RESULTS`], every comment and quote closed. A part of a header proves nothing (a cut
    /// can make `header.d=bank.example.evil.example` read as `bank.example`).
    pub whole: bool,
}

/// Reads one header value; `None` when it does not begin with a server's name as a bare token
/// (a quoted or commented name is not the one an MTA writes, so it is nobody's).
pub fn read(value: &str) -> Option<AuthResults> {
    let server: String = value
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    let after = value.trim_start()[server.len()..].chars().next();
    if server.is_empty() || !after.is_none_or(|c| c == ';' || c.is_whitespace()) {
        return None;
    }
    let mut whole = value.len() <= MAX_HEADER_BYTES;
    let value = &value[..value.floor_char_boundary(MAX_HEADER_BYTES)];
    let (uncommented, balanced) = without_comments(value);
    whole &= balanced;
    let clean = tight_equals(&uncommented);
    let mut segments = split_outside_quotes(&clean, ';').into_iter();
    segments.next()?;
    let mut results = Vec::new();
    for segment in segments {
        if results.len() >= MAX_RESULTS {
            whole = false;
            break;
        }
        let mut words = split_outside_quotes(segment, ' ')
            .into_iter()
            .flat_map(|w| split_outside_quotes(w, '\t'))
            .map(str::trim)
            .filter(|w| !w.is_empty());
        let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
            continue;
        };
        let method = method.split('/').next().unwrap_or_default().trim();
        let result = result.trim();
        if method.is_empty() || result.is_empty() {
            continue;
        }
        let properties = words
            .filter_map(|w| w.split_once('='))
            .filter(|(key, _)| key.contains('.'))
            .map(|(key, value)| (key.trim().to_ascii_lowercase(), unquote(value.trim())))
            .collect();
        results.push(AuthResult {
            method: method.to_ascii_lowercase(),
            result: result.to_ascii_lowercase(),
            properties,
        });
    }
    Some(AuthResults {
        server: server.to_ascii_lowercase(),
        results,
        whole,
    })
}

/// What the server named `server` judged of a mail from `from_domain`, read from the first of
/// `headers` (values in the order of the message) that it wrote; `None` when it wrote none.
pub fn verdict(headers: &[String], server: &str, from_domain: &str) -> Option<Verdict> {
    let server = server.trim().to_ascii_lowercase();
    let found = headers
        .iter()
        .filter_map(|h| read(h))
        .find(|r| r.server == server)?;
    Some(judge(&found, from_domain))
}

/// The verdict of a server's results for a mail from `from_domain`.
pub fn judge(found: &AuthResults, from_domain: &str) -> Verdict {
    let results = &found.results;
    let from_domain = domain(from_domain);
    let of = |method: &'static str| results.iter().filter(move |r| r.method == method);
    if of("dmarc").any(|r| r.result == "fail") {
        return Verdict::Spoofed;
    }
    if !found.whole {
        return Verdict::Unverified;
    }
    // One DMARC result, for the From domain Baton read: a pass for another domain (a second
    // From header the checker read instead) proves nothing.
    let dmarc: Vec<&AuthResult> = of("dmarc").collect();
    if let [only] = dmarc.as_slice()
        && only.result == "pass"
        && property(only, "header.from").is_some_and(|d| domain(d) == from_domain)
    {
        return Verdict::Proved;
    }
    if dmarc.len() > 1 {
        return Verdict::Unverified;
    }
    let dkim_pass: Vec<&AuthResult> = of("dkim").filter(|r| r.result == "pass").collect();
    if dkim_pass
        .iter()
        .any(|r| signer(r).is_some_and(|d| aligned(&d, &from_domain)))
    {
        return Verdict::Proved;
    }
    if dkim_pass.is_empty() && of("spf").any(|r| r.result == "fail") {
        return Verdict::Spoofed;
    }
    Verdict::Unverified
}

/// The domain a DKIM result was signed by: `header.d`, else the domain of `header.i`.
fn signer(result: &AuthResult) -> Option<String> {
    let signed = property(result, "header.d").or_else(|| {
        property(result, "header.i").and_then(|i| i.rsplit_once('@').map(|(_, d)| d))
    })?;
    let signed = domain(signed);
    (!signed.is_empty()).then_some(signed)
}

/// A property of a result (`header.from`), as written.
fn property<'a>(result: &'a AuthResult, name: &str) -> Option<&'a str> {
    result
        .properties
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A domain as compared: trimmed, without a final dot, lowercased.
fn domain(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Whether a signature by `signer` speaks for `from_domain`: the same domain or a parent of it
/// (whoever holds a parent's DNS holds its children). A signer's subdomain does not, nor does a
/// bare top-level name.
fn aligned(signer: &str, from_domain: &str) -> bool {
    signer.contains('.')
        && (from_domain == signer
            || from_domain
                .strip_suffix(signer)
                .is_some_and(|head| head.ends_with('.')))
}

/// `text` without its RFC 5322 comments (nested parentheses, outside quoted strings), and
/// whether every comment and quoted string was closed.
fn without_comments(text: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted || depth > 0 => {
                let next = chars.next();
                if depth == 0 {
                    out.push(c);
                    out.extend(next);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(' ');
                }
            }
            _ if depth == 0 => out.push(if c == '\r' || c == '\n' { ' ' } else { c }),
            _ => {}
        }
    }
    (out, depth == 0 && !quoted)
}

/// `text` without the spaces around its `=` signs outside quoted strings (`dkim = pass`, or a
/// comment removed beside one, reads as `dkim=pass`).
fn tight_equals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    let mut escaped = false;
    let mut after_equals = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
            out.push(c);
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '=' if !quoted => {
                while out.ends_with([' ', '\t']) {
                    out.pop();
                }
                out.push(c);
                after_equals = true;
                continue;
            }
            ' ' | '\t' if !quoted && after_equals => continue,
            _ => {}
        }
        after_equals = false;
        out.push(c);
    }
    out
}

/// `text` split at `separator` where it is not inside a quoted string.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            _ if c == separator && !quoted => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn unquote(value: &str) -> String {
    let value = value.trim();
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const GMAIL: &str = "mx.baton.example;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=gmail.com header.i=@gmail.com header.b=\"AbC1;x\";\r\n\tspf=pass (mx.baton.example: domain of kim@gmail.com designates 209.85.220.41 as permitted sender) smtp.mailfrom=kim@gmail.com;\r\n\tdmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=gmail.com";

    fn headers(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn a_real_header_is_read_with_its_comments_and_quotes() {
        let read = read(GMAIL).expect("a header");
        assert_eq!(read.server, "mx.baton.example");
        let methods: Vec<(&str, &str)> = read
            .results
            .iter()
            .map(|r| (r.method.as_str(), r.result.as_str()))
            .collect();
        assert_eq!(
            methods,
            vec![("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass")]
        );
        assert!(
            read.results[0]
                .properties
                .contains(&("header.b".into(), "AbC1;x".into()))
        );
    }

    #[test]
    fn only_the_named_servers_first_header_counts() {
        let forged = "mx.baton.example; dmarc=pass header.from=bank.example";
        let real = "mx.baton.example; dmarc=fail header.from=bank.example";
        let other = "evil.example; dmarc=pass";
        // The MTA's own header is at the top; a forged one further down is not read.
        assert_eq!(
            verdict(
                &headers(&[other, real, forged]),
                "MX.baton.example",
                "bank.example"
            ),
            Some(Verdict::Spoofed)
        );
        assert_eq!(
            verdict(&headers(&[other]), "mx.baton.example", "bank.example"),
            None
        );
    }

    #[test]
    fn a_verdict_follows_dmarc_then_aligned_dkim_then_spf() {
        let judge_of = |value: &str, from: &str| judge(&read(value).expect("a header"), from);
        assert_eq!(judge_of(GMAIL, "gmail.com"), Verdict::Proved);
        // No DMARC policy, but the From domain signed: authenticated.
        assert_eq!(
            judge_of(
                "mx; dkim=pass header.d=shop.example; spf=none; dmarc=none",
                "shop.example"
            ),
            Verdict::Proved
        );
        // A parent signs for its child; a child or a stranger does not sign for the parent.
        assert_eq!(
            judge_of("mx; dkim=pass header.i=@corp.example", "mail.corp.example"),
            Verdict::Proved
        );
        for unaligned in [
            "mx; dkim=pass header.d=mail.corp.example",
            "mx; dkim=pass header.d=evilcorp.example",
            "mx; dkim=pass header.d=example",
            "mx; spf=pass smtp.mailfrom=corp.example",
            "mx; none",
        ] {
            assert_eq!(
                judge_of(unaligned, "corp.example"),
                Verdict::Unverified,
                "{unaligned}"
            );
        }
        assert_eq!(
            judge_of(
                "mx; spf=fail smtp.mailfrom=bank.example; dkim=none",
                "bank.example"
            ),
            Verdict::Spoofed
        );
        assert_eq!(
            judge_of(
                "mx; dkim=pass header.d=bank.example; dmarc=fail",
                "bank.example"
            ),
            Verdict::Spoofed
        );
    }

    #[test]
    fn comments_cannot_hide_or_forge_a_result() {
        let judge_of = |value: &str| judge(&read(value).expect("a header"), "bank.example");
        assert_eq!(
            judge_of("mx; spf=none (dmarc=pass header.from=bank.example)"),
            Verdict::Unverified
        );
        assert_eq!(
            judge_of("mx; dkim=none header.b=\"(dmarc=pass)\"; dmarc=fail"),
            Verdict::Spoofed
        );
        assert_eq!(
            judge_of("mx; spf=none (a (nested) comment) ; dmarc=pass header.from=bank.example"),
            Verdict::Proved
        );
        // An unclosed comment or quote (an envelope sender the MTA copied in) proves nothing.
        assert_eq!(
            judge_of(
                "mx; spf=pass (mx: domain of \"a) ; dmarc=pass header.from=bank.example ; x=((b\"@evil.example designates 192.0.2.1) smtp.mailfrom=evil.example; dmarc=fail header.from=bank.example"
            ),
            Verdict::Unverified
        );
        assert_eq!(
            judge_of("mx; spf=pass (x ((y) ; dmarc=pass header.from=bank.example"),
            Verdict::Unverified
        );
    }

    #[test]
    fn a_pass_for_another_domain_a_cut_header_or_a_disguised_server_proves_nothing() {
        let judge_of = |value: &str| judge(&read(value).expect("a header"), "bank.example");
        // DMARC passed for the other From header the checker read.
        assert_eq!(
            judge_of("mx; dkim=pass header.d=evil.example; dmarc=pass header.from=evil.example"),
            Verdict::Unverified
        );
        assert_eq!(judge_of("mx; dmarc=pass"), Verdict::Unverified);
        assert_eq!(
            judge_of(
                "mx; dmarc=pass header.from=bank.example; dmarc=pass header.from=evil.example"
            ),
            Verdict::Unverified
        );
        // A header cut at the limit could end in `header.d=bank.example` of a longer name.
        let padded = format!(
            "mx; spf=none smtp.mailfrom={}@evil.example; dkim=pass header.d=bank.example.evil.example",
            "a".repeat(MAX_HEADER_BYTES)
        );
        assert_eq!(judge_of(&padded), Verdict::Unverified);
        let cut_at = padded.find("bank.example.evil").expect("test step") + "bank.example".len();
        assert!(!read(&padded).expect("a header").whole);
        assert!(
            cut_at > MAX_HEADER_BYTES || padded.floor_char_boundary(MAX_HEADER_BYTES) <= cut_at
        );
        // More results than are read hide nothing: the verdict is not proved.
        let many = format!(
            "mx; {} dkim=pass header.d=bank.example",
            "arc=none; ".repeat(MAX_RESULTS)
        );
        assert_eq!(judge_of(&many), Verdict::Unverified);
        // The server's name is a bare token at the start, as an MTA writes it.
        for disguised in [
            "\"mx\"; dmarc=pass header.from=bank.example",
            "(c)mx; dmarc=pass header.from=bank.example",
            "mx(c); dmarc=pass header.from=bank.example",
        ] {
            assert_eq!(
                verdict(&[disguised.to_string()], "mx", "bank.example"),
                None,
                "{disguised}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_header_is_read_without_panicking(value in "\\PC{0,300}", server in "[a-z.]{0,12}") {
            let _ = read(&value);
            let _ = verdict(std::slice::from_ref(&value), &server, "bank.example");
        }

        #[test]
        fn results_survive_comments_and_folding_anywhere(
            results in proptest::collection::vec(
                ("(dkim|spf|dmarc|arc)", "(pass|fail|none|neutral)", "[a-z]{1,8}\\.example"),
                1..5,
            ),
            comment in "[a-z=; ]{0,20}",
            fold in prop::bool::ANY,
        ) {
            let gap = if fold { ";\r\n\t" } else { "; " };
            let mut value = format!("mx.baton.example (ours {comment})");
            for (method, result, domain) in &results {
                value.push_str(gap);
                value.push_str(&format!("{method}=({comment}){result} (\"{comment}\") header.d={domain}"));
            }
            let read = read(&value).expect("a header");
            prop_assert_eq!(read.server, "mx.baton.example");
            let got: Vec<(String, String)> =
                read.results.iter().map(|r| (r.method.clone(), r.result.clone())).collect();
            let want: Vec<(String, String)> =
                results.iter().map(|(m, r, _)| (m.clone(), r.clone())).collect();
            prop_assert_eq!(got, want);
        }
    }
}
