//! The board's form token: when the form was opened and its id, signed by the desk, so a
//! machine cannot say it waited like a person.

use crate::model::Millis;

/// The board's key: signs form tokens. Derived from the mail key where there is one, so every
/// Lambda instance and restart agrees; otherwise random per process (a form opened before a
/// restart is refused once, and the page sends it again).
#[derive(Clone)]
pub struct BoardKey([u8; 32]);

impl std::fmt::Debug for BoardKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BoardKey(…)")
    }
}

impl BoardKey {
    /// A key derived from secret material.
    pub fn derive(secret: &[u8]) -> BoardKey {
        BoardKey(blake3::derive_key("baton 2026 board form token", secret))
    }

    /// A random key.
    pub fn random() -> BoardKey {
        let mut bytes = [0u8; 32];
        // Without randomness the key is still secret enough for a timing check (no secret is
        // guarded by it), but there is always randomness on the platforms Baton runs on.
        let _ = getrandom::fill(&mut bytes);
        BoardKey(bytes)
    }

    fn mac(&self, text: &str) -> String {
        let mac = blake3::keyed_hash(&self.0, text.as_bytes());
        mac.as_bytes()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A form token issued at `at`: `f1.<at>.<form id>.<mac>`.
    pub fn form_token(&self, at: Millis) -> String {
        let mut nonce = [0u8; 8];
        let _ = getrandom::fill(&mut nonce);
        let id: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
        let body = format!("f1.{at}.{id}");
        format!("{body}.{}", self.mac(&body))
    }

    /// The form id and issue time of a token this key signed; `None` for anything else.
    pub fn read_form(&self, token: &str) -> Option<(String, Millis)> {
        let (body, mac) = token.rsplit_once('.')?;
        if !crate::model::constant_time_eq(&self.mac(body), mac) {
            return None;
        }
        let mut parts = body.split('.');
        let (version, at, id) = (parts.next()?, parts.next()?, parts.next()?);
        if version != "f1" || parts.next().is_some() {
            return None;
        }
        Some((id.to_string(), at.parse().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_tokens_are_read_only_with_their_key() {
        let key = BoardKey::derive(b"a secret of at least thirty-two bytes!!");
        let token = key.form_token(1_000);
        let (id, at) = key.read_form(&token).expect("reads");
        assert_eq!(at, 1_000);
        assert_eq!(id.len(), 16);
        let other = BoardKey::derive(b"another secret of thirty-two bytes or more");
        assert_eq!(other.read_form(&token), None);
        let forged = token.replacen("f1.1000.", "f1.1.", 1);
        assert_eq!(key.read_form(&forged), None, "an earlier time is not taken");
        for junk in ["", ".", "f1", "f1.1.2.3.4", "a.b.c.d"] {
            assert_eq!(key.read_form(junk), None, "{junk}");
        }
    }
}
