//! Where Baton's mail leaves: a relay takes a built message and says whether it was taken, and if
//! not, whether trying again may help. `baton serve` hands mail to an SMTP relay
//! (`BATON_SMTP_RELAY`); in AWS, SES (`ses.rs`, feature `aws`).

use async_trait::async_trait;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Tokio1Executor};

/// Why a relay did not take a mail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// It may take it later (down, busy, a 4xx answer).
    #[error("{0}")]
    Transient(String),
    /// It never will (a 5xx answer: no such mailbox, refused content).
    #[error("{0}")]
    Permanent(String),
}

/// A relay for outgoing mail.
#[async_trait]
pub trait Relay: Send + Sync + 'static {
    /// Hands over `raw` from `from` to `to`; returns the Message-ID the recipient will see when
    /// the relay assigns its own (SES), else `None`.
    async fn send(&self, from: &str, to: &str, raw: &[u8]) -> Result<Option<String>, Refused>;
}

/// An SMTP relay, through lettre.
pub struct SmtpRelay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl std::fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpRelay")
    }
}

impl SmtpRelay {
    /// A relay at `relay`: `host:port` (plain SMTP, for a relay on this machine or network), or
    /// a URL lettre reads (`smtp://user:pass@host:587?tls=required`, `smtps://host:465`).
    pub fn new(relay: &str) -> crate::Result<SmtpRelay> {
        let invalid = |e: &dyn std::fmt::Display| {
            crate::Error::Invalid(format!("BATON_SMTP_RELAY {relay:?}: {e}"))
        };
        let transport = if relay.contains("://") {
            AsyncSmtpTransport::<Tokio1Executor>::from_url(relay)
                .map_err(|e| invalid(&e))?
                .timeout(Some(std::time::Duration::from_secs(30)))
                .build()
        } else {
            let (host, port) = relay
                .rsplit_once(':')
                .ok_or_else(|| invalid(&"expected host:port"))?;
            let port: u16 = port.parse().map_err(|e| invalid(&e))?;
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                .port(port)
                .timeout(Some(std::time::Duration::from_secs(30)))
                .build()
        };
        Ok(SmtpRelay { transport })
    }
}

#[async_trait]
impl Relay for SmtpRelay {
    async fn send(&self, from: &str, to: &str, raw: &[u8]) -> Result<Option<String>, Refused> {
        let parse = |a: &str| {
            a.parse::<lettre::Address>()
                .map_err(|e| Refused::Permanent(format!("address {a:?}: {e}")))
        };
        let envelope = lettre::address::Envelope::new(Some(parse(from)?), vec![parse(to)?])
            .map_err(|e| Refused::Permanent(e.to_string()))?;
        match self.transport.send_raw(&envelope, raw).await {
            Ok(_) => Ok(None),
            Err(e) if e.is_permanent() => Err(Refused::Permanent(e.to_string())),
            Err(e) => Err(Refused::Transient(e.to_string())),
        }
    }
}
