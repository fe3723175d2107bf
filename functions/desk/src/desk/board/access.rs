//! A guest's access to their inquiries: the sign-in link mailed to their address (single use,
//! [`LINK_MS`], bound to it), the session it opens ([`SESSION_MS`]), and whose inquiries a
//! credential (a session, or the site's identity token) opens.

use kb::Lang;
use serde::Serialize;

use super::{LINK_MS, LINKS_PER_HOUR, SESSION_MS, SESSION_PREFIX};
use crate::desk::Desk;
use crate::desk::customers::{hash, secret};
use crate::error::{Error, Result};
use crate::model::{
    Access, AccessKind, DeliveryState, MailContact, MailPurpose, Millis, OutgoingMail, Owner,
    new_id, now,
};
use crate::store::{AccessWrite, Commit, MailWrite};

/// A session a used sign-in link opened.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    /// Sent as `Authorization: Bearer` (starts with [`SESSION_PREFIX`]).
    pub session: String,
    /// When it ends.
    pub expires_at: Millis,
}

impl Desk {
    /// Mails a sign-in link to `email` if it has inquiries, at most [`LINKS_PER_HOUR`] an hour.
    /// Says nothing of whether it did: the answer is the same for any address, so nobody learns
    /// who has written to the team.
    pub async fn send_sign_in_link(&self, email: &str, locale: Lang) -> Result<()> {
        let settings = self.mail_or_refuse()?;
        let address = address(email)?;
        let owner = Owner::Address(address.clone());
        // Only to an address with inquiries, or one an organisation invited.
        if self
            .store
            .owner_conversations(&owner.key(), 1)
            .await?
            .is_empty()
            && !self
                .store
                .organisations(200)
                .await?
                .iter()
                .any(|o| o.invited.contains(&address))
        {
            return Ok(());
        }
        retrying!("the sign-in link", {
            let at = now();
            let key = Access::link_key(&address);
            let existing = self.store.access(&key).await?;
            let mut sent: Vec<Millis> = existing
                .iter()
                .flat_map(|a| a.sent.iter().copied())
                .filter(|t| *t > at - 3_600_000)
                .collect();
            if sent.len() >= LINKS_PER_HOUR {
                tracing::info!("a sign-in link was asked for past the hourly limit");
                return Ok(());
            }
            sent.push(at);
            // The token names its link (the address's hash) and proves it (the secret).
            let token = format!("{}.{}", MailContact::key(&address), secret()?);
            let link = Access {
                key: key.clone(),
                kind: AccessKind::Link,
                owner: owner.key(),
                address: address.clone(),
                secret_hash: hash(&token),
                expires_at: at + LINK_MS,
                used_at: None,
                sent,
                created_at: at,
                version: existing.as_ref().map_or(0, |a| a.version),
            };
            let url = format!(
                "{}/{}/inquiries.html#signin={token}",
                settings.site_url.trim_end_matches('/'),
                locale.code()
            );
            let mail = OutgoingMail {
                id: new_id("out"),
                conversation_id: String::new(),
                message_id: String::new(),
                to: address.clone(),
                to_name: None,
                subject: match locale {
                    Lang::Ko => "문의 내역 로그인 링크".into(),
                    _ => "Your sign-in link to your inquiries".into(),
                },
                text: sign_in_text(locale, &url),
                in_reply_to: None,
                references: Vec::new(),
                automatic: true,
                purpose: MailPurpose::SignIn,
                mail_id: format!(
                    "{}@{}",
                    new_id("m").to_ascii_lowercase(),
                    settings
                        .sender
                        .address
                        .rsplit_once('@')
                        .map_or("baton.invalid", |(_, d)| d)
                ),
                state: DeliveryState::Pending,
                attempts: 0,
                next_at: at,
                error: None,
                created_at: at,
                version: 0,
            };
            let commit = Commit {
                access: vec![match existing {
                    Some(_) => AccessWrite::Update(link),
                    None => AccessWrite::Create(link),
                }],
                outgoing: Some(MailWrite::Create(mail)),
                ..Commit::default()
            };
            self.store.commit(&commit).await?;
            Ok(())
        })
    }

    /// Opens a session with a sign-in link's token: once, within [`LINK_MS`], for its address.
    pub async fn open_session(&self, token: &str) -> Result<Session> {
        let refused = || {
            Error::Unauthorized(
                "this sign-in link does not open anything any more; ask for a new one".into(),
            )
        };
        let (address_key, _) = token.split_once('.').ok_or_else(refused)?;
        if address_key.len() != 32 || !address_key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(refused());
        }
        let key = format!("link:{address_key}");
        retrying!("the sign-in link", {
            let at = now();
            let Some(link) = self.store.access(&key).await? else {
                return Err(refused());
            };
            if !crate::model::constant_time_eq(&link.secret_hash, &hash(token)) || !link.is_live(at)
            {
                return Err(refused());
            }
            let session = format!("{SESSION_PREFIX}{}", secret()?);
            let session_hash = hash(&session);
            let opened = Access {
                key: Access::session_key(&session_hash),
                kind: AccessKind::Session,
                owner: link.owner.clone(),
                address: link.address.clone(),
                secret_hash: session_hash,
                expires_at: at + SESSION_MS,
                used_at: None,
                sent: Vec::new(),
                created_at: at,
                version: 0,
            };
            let mut used = link.clone();
            used.used_at = Some(at);
            let commit = Commit {
                access: vec![
                    AccessWrite::Update(used),
                    AccessWrite::Create(opened.clone()),
                ],
                ..Commit::default()
            };
            self.store.commit(&commit).await?;
            Ok(Session {
                session,
                expires_at: opened.expires_at,
            })
        })
    }

    /// Whose inquiries a credential opens: a board session, or the site's signed identity token.
    pub async fn board_owner(&self, credential: &str) -> Result<Owner> {
        if credential.starts_with(SESSION_PREFIX) {
            let key = Access::session_key(&hash(credential));
            return match self.store.access(&key).await? {
                Some(session) if session.kind == AccessKind::Session && session.is_live(now()) => {
                    Ok(Owner::Address(session.address))
                }
                _ => Err(Error::Unauthorized(
                    "this session has ended; ask for a new sign-in link".into(),
                )),
            };
        }
        let identity = self.identity.verify(credential)?;
        Ok(Owner::Customer(identity.id))
    }
}

/// An e-mail address as the board keeps it: one address, lowercased, at most 254 bytes.
pub(crate) fn address(email: &str) -> Result<String> {
    let email = email.trim().to_ascii_lowercase();
    if email.len() > 254 {
        return Err(Error::Invalid("the e-mail address is too long".into()));
    }
    email
        .parse::<lettre::Address>()
        .map_err(|_| Error::Invalid("that is not an e-mail address".into()))?;
    // A domain name with a dot, never an address literal (`a@[10.0.0.1]`, `a@10.0.0.1`).
    let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
    if !domain.contains('.')
        || domain.starts_with('[')
        || domain.parse::<std::net::IpAddr>().is_ok()
        || domain.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return Err(Error::Invalid("that is not an e-mail address".into()));
    }
    Ok(email)
}

/// The sign-in mail's text.
fn sign_in_text(locale: Lang, url: &str) -> String {
    match locale {
        Lang::Ko => format!(
            "문의 내역을 보려면 아래 링크를 여세요. 이 링크는 15분 동안 한 번만 쓸 수 있어요.\n\n{url}\n\n직접 요청하지 않으셨다면 이 메일은 무시하셔도 돼요. 다른 사람은 이 링크 없이 문의 내역을 볼 수 없어요.\n\n--\n자동으로 보내 드린 메일이에요."
        ),
        _ => format!(
            "Open this link to see your inquiries. It works once, for 15 minutes.\n\n{url}\n\nIf you did not ask for it, ignore this mail: nobody sees your inquiries without this link.\n\n--\nAn automatic message."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_one_lowercased_address() {
        assert_eq!(
            address(" Minji@Example.COM ").expect("ok"),
            "minji@example.com"
        );
        for bad in [
            "",
            "minji",
            "a@b",
            "a b@example.com",
            "a@example.com, b@example.com",
            "<a@example.com>",
        ] {
            assert!(address(bad).is_err(), "{bad}");
        }
        assert!(address(&format!("{}@example.com", "a".repeat(250))).is_err());
    }
}
