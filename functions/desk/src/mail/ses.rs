//! Mail in AWS: SES receives the support address's mail, stores each message in the mail bucket
//! (`inbound/<SES message id>`) and invokes the `mail` function with the receipt; the function
//! reads the stored message and hands it to the desk with SES's verdicts and the recipients the
//! rule matched. Mail leaves through SES v2 as a raw message; SES gives it its own Message-ID
//! (`<id>@<region>.amazonses.com`), which is the one the customer's client answers to, so it is
//! the one recorded (the threading that breaks when it is not: freescout #123).

use async_trait::async_trait;
use aws_sdk_sesv2::error::ProvideErrorMetadata;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
use serde_json::Value;

use super::{Refused, Relay};
use crate::model::Verdict;

/// Where SES stores incoming mail in the bucket.
pub const INBOUND_PREFIX: &str = "inbound/";

/// SES v2 as a relay.
#[derive(Debug, Clone)]
pub struct SesRelay {
    client: aws_sdk_sesv2::Client,
    /// The domain of the Message-IDs SES gives (`eu-west-1.amazonses.com`).
    id_domain: String,
}

impl SesRelay {
    /// A relay on `client`, in `region`.
    pub fn new(client: aws_sdk_sesv2::Client, region: &str) -> SesRelay {
        let id_domain = if region == "us-east-1" || region.is_empty() {
            "email.amazonses.com".to_string()
        } else {
            format!("{region}.amazonses.com")
        };
        SesRelay { client, id_domain }
    }
}

#[async_trait]
impl Relay for SesRelay {
    async fn send(&self, from: &str, to: &str, raw: &[u8]) -> Result<Option<String>, Refused> {
        let message = RawMessage::builder()
            .data(Blob::new(raw))
            .build()
            .map_err(|e| Refused::Permanent(e.to_string()))?;
        let sent = self
            .client
            .send_email()
            .from_email_address(from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().raw(message).build())
            .send()
            .await;
        match sent {
            Ok(output) => Ok(output
                .message_id()
                .map(|id| format!("{id}@{}", self.id_domain))),
            Err(error) => {
                let code = error.code().unwrap_or_default().to_string();
                let text = match error.message() {
                    Some(message) => format!("SES {code}: {message}"),
                    None => format!("SES: {}", aws_sdk_sesv2::error::DisplayErrorContext(&error)),
                };
                // Refused for good: the content, the sender's identity, the request itself.
                // Anything else (throttling, a paused account, the network) may pass later.
                let permanent = matches!(
                    code.as_str(),
                    "MessageRejected"
                        | "MailFromDomainNotVerifiedException"
                        | "BadRequestException"
                        | "NotFoundException"
                );
                Err(if permanent {
                    Refused::Permanent(text)
                } else {
                    Refused::Transient(text)
                })
            }
        }
    }
}

/// One mail of an SES receipt event: where SES stored it, the recipients the rule matched, and
/// what SES judged of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The object key in the mail bucket.
    pub key: String,
    /// The recipients the receipt rule matched (the envelope's, BCC included).
    pub recipients: Vec<String>,
    /// SES's verdicts, as one.
    pub verdict: Verdict,
}

/// The mails of an SES receipt event (`Records[].ses`); empty when it is not one.
pub fn receipts(event: &Value) -> Vec<Receipt> {
    let Some(records) = event["Records"].as_array() else {
        return Vec::new();
    };
    records
        .iter()
        .filter(|r| r["eventSource"] == "aws:ses")
        .filter_map(|r| {
            let ses = &r["ses"];
            let id = ses["mail"]["messageId"].as_str()?;
            let recipients = ses["receipt"]["recipients"]
                .as_array()
                .or_else(|| ses["mail"]["destination"].as_array())
                .map(|list| {
                    list.iter()
                        .filter_map(|a| a.as_str().map(str::to_ascii_lowercase))
                        .collect()
                })
                .unwrap_or_default();
            Some(Receipt {
                key: format!("{INBOUND_PREFIX}{id}"),
                recipients,
                verdict: verdict(&ses["receipt"]),
            })
        })
        .collect()
}

/// SES's verdicts as one: a virus, then spam, then a sender its domain does not vouch for
/// (DMARC failed, or both SPF and DKIM did); a sender proved only when DMARC passed (SES's DKIM
/// verdict does not say which domain signed). `GRAY` and `PROCESSING_FAILED` prove nothing.
fn verdict(receipt: &Value) -> Verdict {
    let status = |name: &str| receipt[name]["status"].as_str().unwrap_or_default();
    let failed = |name: &str| status(name) == "FAIL";
    if failed("virusVerdict") {
        Verdict::Virus
    } else if failed("spamVerdict") {
        Verdict::Spam
    } else if failed("dmarcVerdict") || (failed("spfVerdict") && failed("dkimVerdict")) {
        Verdict::Spoofed
    } else if status("dmarcVerdict") == "PASS" {
        Verdict::Proved
    } else {
        Verdict::Unverified
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(receipt: Value) -> Value {
        serde_json::json!({"Records": [{
            "eventSource": "aws:ses",
            "ses": {
                "mail": {"messageId": "abc123", "destination": ["support@baton.example", "cc@x.example"]},
                "receipt": receipt,
            }
        }]})
    }

    #[test]
    fn a_receipt_names_the_stored_mail_its_recipients_and_one_verdict() {
        let pass = serde_json::json!({"status": "PASS"});
        let fail = serde_json::json!({"status": "FAIL"});
        let gray = serde_json::json!({"status": "GRAY"});
        let all = |spam: &Value, virus: &Value, spf: &Value, dkim: &Value, dmarc: &Value| {
            serde_json::json!({
                "recipients": ["Support+tok@baton.example"],
                "spamVerdict": spam, "virusVerdict": virus, "spfVerdict": spf,
                "dkimVerdict": dkim, "dmarcVerdict": dmarc,
            })
        };
        let read = receipts(&event(all(&pass, &pass, &pass, &pass, &pass)));
        assert_eq!(
            read,
            vec![Receipt {
                key: "inbound/abc123".into(),
                recipients: vec!["support+tok@baton.example".into()],
                verdict: Verdict::Proved,
            }]
        );
        for (receipt, expected) in [
            (all(&pass, &fail, &pass, &pass, &pass), Verdict::Virus),
            (all(&fail, &pass, &pass, &pass, &pass), Verdict::Spam),
            (all(&pass, &pass, &pass, &pass, &fail), Verdict::Spoofed),
            (all(&pass, &pass, &fail, &fail, &pass), Verdict::Spoofed),
            (all(&pass, &pass, &fail, &pass, &pass), Verdict::Proved),
            // No DMARC policy: SPF and DKIM passing prove nothing about the From domain.
            (all(&pass, &pass, &pass, &pass, &gray), Verdict::Unverified),
            (
                all(&pass, &pass, &pass, &pass, &Value::Null),
                Verdict::Unverified,
            ),
        ] {
            assert_eq!(receipts(&event(receipt))[0].verdict, expected);
        }
        assert!(receipts(&serde_json::json!({"source": "aws.events"})).is_empty());
    }
}
