//! What the settings mean: the one place a [`Config`] (plain data) becomes the desk's own objects —
//! the chat webhook and its syntax, business hours, the identity keys, what masking covers, what
//! the scheduler does. Every way Baton runs reads its settings through here, so a setting is
//! either used or absent from [`crate::config::VARS`].

use std::str::FromStr;

use crate::alerts::{ChatKind, Webhook};
use crate::config::{self, Config};
use crate::desk::Schedule;
use crate::error::{Error, Result};
use crate::hours::Hours;
use crate::identity::Verifier;

/// The desk's objects a configuration describes.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where alerts, reminders and Monday's summary go (logged when no webhook is set).
    pub webhook: Webhook,
    /// When people answer (`None`: always).
    pub hours: Option<Hours>,
    /// Who customers are, when the host site signs them.
    pub identity: Verifier,
    /// What masking covers beyond the numbers always masked.
    pub pii: pii::Options,
    /// What `baton serve`'s scheduler does.
    pub schedule: Schedule,
    /// Who Baton's mail is from (`None`: no mail).
    pub mail: Option<crate::mail::Sender>,
    /// The SMTP relay mail leaves through (`baton serve`).
    pub relay: Option<std::sync::Arc<crate::mail::SmtpRelay>>,
}

impl Settings {
    /// The objects `config` describes; a value only they can read (hours, the chat's name, a
    /// PEM key) is checked here and named when wrong.
    pub fn from_config(config: &Config) -> Result<Settings> {
        let kind = config
            .alert_format
            .as_deref()
            .map(|v| {
                ChatKind::from_str(v)
                    .map_err(|e| Error::Config(format!("{} {e}", config::ALERT_FORMAT)))
            })
            .transpose()?;
        let hours = Hours::parse(
            config.hours.as_deref(),
            config.holidays.as_deref(),
            config.timezone,
        )
        .map_err(|e| Error::Config(format!("{} / {}: {e}", config::HOURS, config::HOLIDAYS)))?;
        Ok(Settings {
            webhook: Webhook::new(
                config.alert_webhook_url.clone(),
                kind,
                config.operator_url.clone(),
            ),
            hours,
            identity: Verifier::from_config(config)?,
            pii: pii::Options {
                email: config.mask_email,
            },
            schedule: Schedule {
                remind_after: config.urgent_remind,
                weekly_hour: config.weekly_report_hour,
            },
            mail: config.mail_from.as_deref().map(sender).transpose()?,
            relay: config
                .smtp_relay
                .as_deref()
                .map(|relay| {
                    crate::mail::SmtpRelay::new(relay)
                        .map(std::sync::Arc::new)
                        .map_err(|e| Error::Config(e.to_string()))
                })
                .transpose()?,
        })
    }
}

/// The support address and its name, from `Name <address>` or an address alone.
fn sender(value: &str) -> Result<crate::mail::Sender> {
    let mailbox: lettre::message::Mailbox = value.trim().parse().map_err(|e| {
        Error::Config(format!(
            "{} {value:?}: {e} (write `Name <support@example.com>` or an address)",
            config::MAIL_FROM
        ))
    })?;
    Ok(crate::mail::Sender {
        address: mailbox.email.to_string().to_ascii_lowercase(),
        name: mailbox.name.unwrap_or_else(|| "Baton".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Deployment;

    #[test]
    fn values_only_the_desk_can_read_are_checked_and_named() {
        for (name, value, says) in [
            (config::ALERT_FORMAT, "teams", "slack"),
            (config::HOURS, "mon-fry 09:00-18:00", "not a day"),
            (config::HOLIDAYS, "2027-02-30", "not a date"),
            (
                config::MAIL_FROM,
                "support at example",
                "Name <support@example.com>",
            ),
            (config::SMTP_RELAY, "no-port-here", "host:port"),
            (
                config::IDENTITY_ES256_KEY,
                "-----BEGIN PUBLIC KEY-----\\nnope",
                "BATON_IDENTITY_ES256_KEY",
            ),
        ] {
            let config =
                Config::from_pairs(Deployment::Local, [(name, value)]).expect("plain data");
            let error = Settings::from_config(&config).expect_err(name).to_string();
            assert!(error.contains(says), "{name}={value}: {error}");
            assert!(error.contains(name), "{name}={value}: {error}");
        }
    }
}
