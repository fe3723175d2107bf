//! Which conversation a mail belongs to, from what Baton put in its own mail: the reply-to address
//! `support+<token>@domain` and the subject's `[#<token>]`. A token is the conversation's ULID and
//! a keyed MAC of it, so it cannot be guessed or forged into another conversation; it is checked
//! without a read. (Message-IDs, the other way a reply finds its thread, are looked up in the
//! store: see [`crate::model::MailId`].)

/// The key that signs thread tokens (from `BATON_MAIL_KEY`, or derived from the deployment's
/// secrets).
#[derive(Clone)]
pub struct ThreadKey([u8; 32]);

impl std::fmt::Debug for ThreadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ThreadKey(…)")
    }
}

/// Hex characters of the MAC in a token: 64 bits, beyond guessing at mail speed.
const MAC_HEX: usize = 16;

impl ThreadKey {
    /// A key derived from secret material (any length).
    pub fn derive(secret: &[u8]) -> ThreadKey {
        ThreadKey(blake3::derive_key("baton 2026 mail thread token", secret))
    }

    /// The token of a conversation (`cv_<ULID>`): the ULID lowercased, `-`, a MAC.
    pub fn token(&self, conversation_id: &str) -> String {
        let ulid = conversation_id
            .strip_prefix("cv_")
            .unwrap_or(conversation_id)
            .to_ascii_lowercase();
        format!("{ulid}-{}", self.mac(&ulid))
    }

    /// The conversation a token names, if its MAC is right.
    pub fn conversation(&self, token: &str) -> Option<String> {
        let token = token.trim().to_ascii_lowercase();
        let (ulid, mac) = token.split_once('-')?;
        if ulid.len() != 26 || mac.len() != MAC_HEX {
            return None;
        }
        // Constant time: a forger learns nothing from how long a wrong MAC took.
        let same = crate::model::constant_time_eq(&self.mac(ulid), mac);
        let id = format!("cv_{}", ulid.to_ascii_uppercase());
        (same && crate::model::is_id("cv", &id)).then_some(id)
    }

    fn mac(&self, ulid: &str) -> String {
        blake3::keyed_hash(&self.0, ulid.as_bytes())
            .to_hex()
            .chars()
            .take(MAC_HEX)
            .collect()
    }

    /// The conversation named by a `local+token@domain` address of the support mailbox.
    pub fn from_address(&self, support: &str, address: &str) -> Option<String> {
        let (support_local, support_domain) = support.rsplit_once('@')?;
        let (local, domain) = address.rsplit_once('@')?;
        if !domain.eq_ignore_ascii_case(support_domain) {
            return None;
        }
        let (base, token) = local.split_once('+')?;
        if !base.eq_ignore_ascii_case(support_local) {
            return None;
        }
        self.conversation(token)
    }

    /// The conversation named by a `[#token]` in a subject.
    pub fn from_subject(&self, subject: &str) -> Option<String> {
        let mut rest = subject;
        while let Some(start) = rest.find("[#") {
            let after = &rest[start + 2..];
            let end = after.find(']')?;
            if let Some(id) = self.conversation(&after[..end]) {
                return Some(id);
            }
            rest = &after[end..];
        }
        None
    }

    /// The support address replies to a conversation are asked to go to.
    pub fn reply_address(&self, support: &str, conversation_id: &str) -> String {
        match support.rsplit_once('@') {
            Some((local, domain)) => {
                format!("{local}+{}@{domain}", self.token(conversation_id))
            }
            None => support.to_string(),
        }
    }
}

/// Whether `address` is the support address or one of its `+token` forms.
pub fn is_support(address: &str, support: &str) -> bool {
    let (Some((local, domain)), Some((support_local, support_domain))) =
        (address.rsplit_once('@'), support.rsplit_once('@'))
    else {
        return false;
    };
    domain.eq_ignore_ascii_case(support_domain)
        && local
            .split('+')
            .next()
            .is_some_and(|base| base.eq_ignore_ascii_case(support_local))
}

/// A subject without reply and forward prefixes (`Re:`, `RE:`, `Fwd:`, `FW:`, `답장:`, `회신:`,
/// `전달:`, `Aw:`, `Sv:`, repeated or numbered as `Re[2]:`) and without Baton's `[#token]`.
pub fn bare_subject(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let before = s;
        for prefix in [
            "re", "fw", "fwd", "aw", "sv", "vs", "antw", "답장", "회신", "전달", "답변",
        ] {
            if let Some(rest) = strip_prefix_ci(s, prefix) {
                let rest = rest.trim_start();
                // `Re[2]:` and `Re(2):` as some clients number replies.
                let rest = match rest.chars().next() {
                    Some('[' | '(') => match rest.find([']', ')']) {
                        Some(end) => rest[end + 1..].trim_start(),
                        None => rest,
                    },
                    _ => rest,
                };
                if let Some(rest) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：')) {
                    s = rest.trim_start();
                    break;
                }
            }
        }
        if s == before {
            break;
        }
    }
    let mut out = s.to_string();
    while let Some(start) = out.find("[#") {
        match out[start..].find(']') {
            Some(end) => out.replace_range(start..start + end + 1, ""),
            None => break,
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key() -> ThreadKey {
        ThreadKey::derive(b"test secret")
    }

    #[test]
    fn a_token_names_its_conversation_and_nothing_else() {
        let id = crate::model::new_id("cv");
        let token = key().token(&id);
        assert_eq!(key().conversation(&token), Some(id.clone()));
        assert_eq!(
            key().conversation(&token.to_ascii_uppercase()),
            Some(id.clone())
        );
        assert_eq!(ThreadKey::derive(b"other").conversation(&token), None);
        let other = crate::model::new_id("cv");
        let forged = format!(
            "{}-{}",
            other.trim_start_matches("cv_").to_ascii_lowercase(),
            token.split_once('-').expect("a token has a MAC").1
        );
        assert_eq!(key().conversation(&forged), None);
        let address = key().reply_address("support@baton.example", &id);
        assert!(address.starts_with("support+") && address.ends_with("@baton.example"));
        assert!(
            address.split('@').next().expect("a local part").len() <= 64,
            "{address}"
        );
        assert_eq!(
            key().from_address("support@baton.example", &address.to_ascii_uppercase()),
            Some(id.clone())
        );
        assert_eq!(key().from_address("help@baton.example", &address), None);
        assert_eq!(key().from_address("support@other.example", &address), None);
        assert_eq!(
            key().from_subject(&format!("Re: 결제 문의 [#{token}]")),
            Some(id.clone())
        );
        assert_eq!(key().from_subject("Re: [#nope] 결제 [#x-y]"), None);
    }

    #[test]
    fn the_support_address_and_its_token_forms_are_recognised() {
        assert!(is_support("support@baton.example", "support@baton.example"));
        assert!(is_support(
            "Support+01abc-12@BATON.example",
            "support@baton.example"
        ));
        assert!(!is_support(
            "supporter@baton.example",
            "support@baton.example"
        ));
        assert!(!is_support(
            "support@other.example",
            "support@baton.example"
        ));
        assert!(!is_support(
            "support@baton.example.evil",
            "support@baton.example"
        ));
    }

    #[test]
    fn subjects_lose_their_prefixes_and_tags() {
        for (subject, bare) in [
            ("Re: 결제 문의", "결제 문의"),
            ("RE: Re: FW: Refund", "Refund"),
            ("답장: 회신: 환불 요청", "환불 요청"),
            ("Re[2]: order 123", "order 123"),
            ("Fwd: 전달: 영수증", "영수증"),
            ("Re: 결제 문의 [#01abc-123]", "결제 문의"),
            ("Recipe question", "Recipe question"),
            ("  ", ""),
        ] {
            assert_eq!(bare_subject(subject), bare, "{subject}");
        }
    }

    proptest! {
        #[test]
        fn subjects_and_tokens_never_panic(s in "\\PC{0,80}") {
            let _ = bare_subject(&s);
            let _ = key().from_subject(&s);
            let _ = key().conversation(&s);
            let _ = key().from_address("support@baton.example", &s);
        }
    }
}
