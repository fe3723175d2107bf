//! Urgent cases alert the whole team at once: each new urgent case becomes one message to a chat
//! webhook (Slack, Mattermost, Google Chat and Discord all take the payload).
//!
//! In AWS the `alerts` function reads the table's stream ([`on_stream`]); the event source's
//! filter passes only inserted urgent cases, and [`alert_for`] checks again so that a wider filter
//! never alerts twice for a claim or a reply. `baton serve` has no stream: its desk alerts as it
//! creates the case ([`crate::Desk::with_alerts`]).

use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::dynamodb::{Event as StreamEvent, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use serde::Serialize;
use serde_dynamo::AttributeValue;

use crate::desk::reason_code;
use crate::model::{Case, Priority, Reason};
use crate::store::dynamo::is_case_key;

/// How long one webhook call may take before the record is retried.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// One alert: what the team sees in its channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// The message (the chat's own markup is not used, so every chat shows it the same).
    pub text: String,
    /// The same message under the key Discord reads.
    pub content: String,
    /// The case.
    pub case_id: String,
    /// `urgent:money_not_received` and the like.
    pub reason: String,
}

/// The alert for a case, if it is urgent and still open.
pub fn alert_for(case: &Case, operator_url: Option<&str>) -> Option<Alert> {
    if case.priority != Priority::Urgent || case.assignee.is_some() {
        return None;
    }
    let kind = match &case.reason {
        Reason::Urgent { kind } => label(kind),
        _ => "긴급 / urgent",
    };
    let mut text = format!("🚨 {kind} · {}", case.id);
    if let Some(area) = &case.area {
        text.push_str(&format!(" · {area}"));
    }
    text.push_str(&format!("\n“{}”", case.summary));
    let who = case
        .customer
        .contact
        .as_deref()
        .unwrap_or(&case.customer.id);
    text.push_str(&format!("\n{who} · {}", case.locale.code()));
    if !case.history.is_empty() {
        text.push_str(&format!(" · earlier cases: {}", case.history.len()));
    }
    if let Some(url) = operator_url {
        text.push_str(&format!(
            "\n{}/cases/{}",
            url.trim_end_matches('/'),
            case.id
        ));
    }
    Some(Alert {
        content: text.clone(),
        text,
        case_id: case.id.clone(),
        reason: reason_code(&case.reason),
    })
}

/// Words a Korean team reads at a glance, with the code the reports use.
fn label(kind: &str) -> &'static str {
    match kind {
        "payment_failed" => "결제 실패 / payment failed",
        "money_not_received" => "입금 안 됨 / money not received",
        "charged_twice" => "이중 결제 / charged twice",
        "service_down" => "서비스 장애 / service down",
        "account_compromised" => "계정 도용 의심 / account compromised",
        _ => "긴급 / urgent",
    }
}

/// Where alerts go.
#[derive(Debug, Clone)]
pub struct Webhook {
    client: reqwest::Client,
    url: Option<String>,
    operator_url: Option<String>,
}

/// Why an alert was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The webhook could not be reached or did not answer in time.
    #[error("webhook unreachable: {0}")]
    Unreachable(String),
    /// The webhook answered with an error status.
    #[error("webhook answered {0}")]
    Status(u16),
}

impl Webhook {
    /// Alerts to `url` (none: alerts are logged, not sent), with case links under `operator_url`.
    pub fn new(url: Option<String>, operator_url: Option<String>) -> Webhook {
        let client = reqwest::Client::builder()
            .timeout(WEBHOOK_TIMEOUT)
            .build()
            .unwrap_or_default();
        Webhook {
            client,
            url: url.filter(|u| !u.is_empty()),
            operator_url: operator_url.filter(|u| !u.is_empty()),
        }
    }

    /// From `BATON_ALERT_WEBHOOK_URL` and `BATON_OPERATOR_URL`.
    pub fn from_env() -> Webhook {
        Webhook::new(
            std::env::var("BATON_ALERT_WEBHOOK_URL").ok(),
            std::env::var("BATON_OPERATOR_URL").ok(),
        )
    }

    /// Whether alerts go anywhere but the log.
    pub fn is_configured(&self) -> bool {
        self.url.is_some()
    }

    /// Alerts for a case just created, in the background, trying three times over about six
    /// seconds: the path of `baton serve` (in AWS the stream delivers, and retries, instead).
    pub fn notify_in_background(self: &Arc<Self>, case: &Case) {
        let Some(alert) = alert_for(case, self.operator_url.as_deref()) else {
            return;
        };
        let webhook = Arc::clone(self);
        tokio::spawn(async move {
            for wait in [1, 5, 0] {
                match webhook.send(&alert).await {
                    Ok(()) => return,
                    Err(error) if wait > 0 => {
                        tracing::warn!(case = %alert.case_id, %error, "alert not sent; retrying");
                        tokio::time::sleep(Duration::from_secs(wait)).await;
                    }
                    Err(error) => {
                        tracing::error!(case = %alert.case_id, %error, "alert not sent; giving up")
                    }
                }
            }
        });
    }

    /// Sends one alert.
    pub async fn send(&self, alert: &Alert) -> Result<(), WebhookError> {
        let Some(url) = &self.url else {
            tracing::warn!(case = %alert.case_id, reason = %alert.reason, "urgent case; no webhook configured, alert only logged");
            return Ok(());
        };
        let response = self
            .client
            .post(url)
            .json(alert)
            .send()
            .await
            .map_err(|e| WebhookError::Unreachable(e.without_url().to_string()))?;
        if response.status().is_success() {
            tracing::info!(case = %alert.case_id, reason = %alert.reason, "alert sent");
            Ok(())
        } else {
            Err(WebhookError::Status(response.status().as_u16()))
        }
    }
}

/// Handles a batch of the table's stream records in order. At the first record whose alert cannot
/// be sent it stops and reports that record, so Lambda retries from there and the records before
/// it are not alerted twice.
pub async fn on_stream(event: StreamEvent, webhook: &Webhook) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for record in &event.records {
        let Some(case) = inserted_case(record) else {
            continue;
        };
        let Some(alert) = alert_for(&case, webhook.operator_url.as_deref()) else {
            continue;
        };
        if let Err(error) = webhook.send(&alert).await {
            tracing::error!(case = %case.id, %error, "alert not sent; the record will be retried");
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = record.change.sequence_number.clone();
            response.batch_item_failures.push(failure);
            break;
        }
    }
    response
}

/// The case a stream record inserted (see the item layout in [`crate::store::dynamo`]).
fn inserted_case(record: &EventRecord) -> Option<Case> {
    if record.event_name != "INSERT" {
        return None;
    }
    let image = record.change.new_image.inner();
    let text = |name: &str| match image.get(name) {
        Some(AttributeValue::S(value)) => Some(value.as_str()),
        _ => None,
    };
    if !is_case_key(text("pk")?, text("sk")?) {
        return None;
    }
    match serde_json::from_str(text("data")?) {
        Ok(case) => Some(case),
        Err(error) => {
            // A record that cannot be read will not read better on retry.
            tracing::error!(%error, "stream record with an unreadable case; skipped");
            None
        }
    }
}
