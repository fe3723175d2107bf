//! Urgent cases alert the whole team at once, in the team's chat (Slack, Mattermost, Google Chat,
//! Discord), and nobody can abuse it.
//!
//! - **When.** A case is due an alert ([`due`]) when it enters the queue urgent (created urgent, or
//!   reopened while urgent) or when a later customer message escalates it to urgent. Claims,
//!   replies and notes never alert. One rule for both deployments: in AWS the `alerts` function
//!   reads the table's stream ([`on_stream`], whose event-source filter passes the same writes);
//!   `baton serve` has no stream, so its desk hands each due case to an [`Alerter`].
//! - **Inert.** Customer words, contact and ids are untrusted: [`chat`] escapes them per chat so
//!   `<!here>`, `@everyone` or `<https://evil.example|환불 받기>` arrive as plain text, and only
//!   Baton's own case links are clickable.
//! - **Bounded.** At most [`BURST`] alerts go out one by one per window (a minute under `baton
//!   serve`, a stream batch of up to five seconds in AWS); the rest of a flood become one summary
//!   ("5 more urgent cases at once", with links). Every case stays in the queue whatever happens
//!   to its alert.

pub mod chat;
#[cfg(feature = "aws")]
mod stream;
pub mod weekly;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

pub use chat::{ChatKind, DEFAULT_MAX_CHARS, Line, Part, UnknownChatKind, Untrusted, payload};
#[cfg(feature = "aws")]
pub use stream::on_stream;

use crate::model::{Case, CaseStatus, Priority};

/// How long one webhook call may take before it counts as failed.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);
/// Alerts sent one by one per window (`BATON_ALERT_WINDOW_SECONDS` under `baton serve`, one
/// stream batch in AWS); more are summarized.
pub const BURST: usize = 3;
/// Most case links one summary lists.
const SUMMARY_LINKS: usize = 10;
/// Longest customer text quoted in an alert, in characters.
const QUOTE_CHARS: usize = 200;
/// Longest contact or id shown, in characters.
const WHO_CHARS: usize = 80;

/// Whether writing `after` over `before` (`None`: a new case) is due an alert: the case is now an
/// urgent case in the queue and was not one before (created, reopened or escalated urgent; an
/// escalation alerts even when someone holds the case, since the whole team must know).
pub fn due(before: Option<&Case>, after: &Case) -> bool {
    let urgent_in_queue =
        |c: &Case| c.priority == Priority::Urgent && c.status != CaseStatus::Resolved;
    urgent_in_queue(after) && !before.is_some_and(urgent_in_queue)
}

/// Where alerts go and how they are written.
#[derive(Debug, Clone)]
pub struct Webhook {
    client: reqwest::Client,
    url: Option<String>,
    kind: ChatKind,
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
    /// Alerts to `url` (none: alerts are logged, not sent) in the syntax of `kind` (detected from
    /// the URL when `None`), with case links under `operator_url`.
    pub fn new(
        url: Option<String>,
        kind: Option<ChatKind>,
        operator_url: Option<String>,
    ) -> Webhook {
        // reqwest takes the process's TLS provider; ring is the one Baton builds (an error here
        // only means one is installed already).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(WEBHOOK_TIMEOUT)
            .build()
            .unwrap_or_default();
        let url = url.filter(|u| !u.is_empty());
        Webhook {
            client,
            kind: kind
                .unwrap_or_else(|| url.as_deref().map_or(ChatKind::Generic, ChatKind::detect)),
            url,
            operator_url: operator_url.filter(|u| !u.is_empty()),
        }
    }

    /// Whether alerts go anywhere but the log.
    pub fn is_configured(&self) -> bool {
        self.url.is_some()
    }

    /// The chat whose syntax alerts are written in.
    pub fn kind(&self) -> ChatKind {
        self.kind
    }

    fn link(&self, case: &Case) -> Option<String> {
        self.operator_url
            .as_ref()
            .map(|url| format!("{}/cases/{}", url.trim_end_matches('/'), case.id))
    }

    /// The alert for one case: Baton's words and link trusted, the customer's words, contact
    /// and ids, and the area names from data, escaped for the chat.
    pub fn alert(&self, case: &Case) -> serde_json::Value {
        let label = case.urgent_kind().map_or("긴급 / urgent", |k| k.label());
        let escalated = if case.escalation.is_some() {
            "⬆ "
        } else {
            ""
        };
        let mut head = Line::new().trusted(format!("🚨 {escalated}{label} · {}", case.id));
        if let Some(area) = &case.area {
            head = head
                .trusted(" · ")
                .untrusted(Untrusted::new(area.clone()).max_chars(40));
        }
        // An escalation quotes the words that made the case urgent; a new case what was asked.
        let words = match &case.escalation {
            Some(escalation) if !escalation.text.is_empty() => escalation.text.clone(),
            _ => case.summary.clone(),
        };
        let quote = quote(words);
        // The team's chat is another company's store: the contact goes masked (operators read it
        // whole in the case).
        let who = case
            .customer
            .contact
            .as_deref()
            .map(|contact| pii::mask(contact, pii::Options::default()))
            .or_else(|| case.customer.claimed_id.clone())
            .unwrap_or_else(|| case.customer.id.clone());
        let mut facts = format!(
            " · {} · {}",
            case.locale.code(),
            if case.customer.verified {
                "verified"
            } else {
                "unverified"
            }
        );
        if let Some(holder) = &case.assignee {
            facts.push_str(&format!(" · held by {holder}"));
        }
        if !case.history.is_empty() {
            facts.push_str(&format!(" · earlier cases: {}", case.history.len()));
        }
        let mut lines = vec![head];
        // The link goes before the customer's words, so no cut of a long message can drop it.
        if let Some(link) = self.link(case) {
            lines.push(Line::new().link(link, format!("open {}", case.id)));
        }
        lines.push(quote);
        lines.push(
            Line::new()
                .untrusted(Untrusted::new(who).max_chars(WHO_CHARS))
                .trusted(facts),
        );
        payload(self.kind, &lines)
    }

    /// A reminder that an urgent case is still unclaimed after `waited_ms`.
    pub fn reminder(&self, case: &Case, waited_ms: crate::model::Millis) -> serde_json::Value {
        let label = case.urgent_kind().map_or("긴급 / urgent", |k| k.label());
        let waited = crate::insights::markdown::duration(waited_ms);
        let mut lines = vec![Line::new().trusted(format!(
            "⏰ 아직 아무도 맡지 않았어요 / still unclaimed after {waited} · {label} · {}",
            case.id
        ))];
        if let Some(link) = self.link(case) {
            lines.push(Line::new().link(link, format!("open {}", case.id)));
        }
        lines.push(quote(case.summary.clone()));
        payload(self.kind, &lines)
    }

    /// One reminder for several unclaimed urgent cases at once.
    pub fn reminder_summary(&self, cases: &[Case]) -> serde_json::Value {
        self.case_list(
            format!(
                "⏰ {} more urgent case{} still unclaimed",
                cases.len(),
                crate::insights::markdown::noun(cases.len(), "", "s")
            ),
            cases,
        )
    }

    /// One message for the cases of a flood beyond the [`BURST`].
    pub fn summary(&self, cases: &[Case]) -> serde_json::Value {
        self.case_list(
            format!(
                "🚨 {} more urgent case{} at once",
                cases.len(),
                crate::insights::markdown::noun(cases.len(), "", "s")
            ),
            cases,
        )
    }

    /// `head`, then a line per case (at most [`SUMMARY_LINKS`]) with its link.
    fn case_list(&self, head: String, cases: &[Case]) -> serde_json::Value {
        let mut lines = vec![Line::new().trusted(head)];
        for case in cases.iter().take(SUMMARY_LINKS) {
            let label = case.urgent_kind().map_or("긴급 / urgent", |k| k.label());
            let line = Line::new().trusted(format!("• {label} · "));
            lines.push(match self.link(case) {
                Some(link) => line.link(link, case.id.clone()),
                None => line.trusted(case.id.clone()),
            });
        }
        if cases.len() > SUMMARY_LINKS {
            lines.push(Line::new().trusted(format!(
                "… and {} more in the queue",
                cases.len() - SUMMARY_LINKS
            )));
        }
        payload(self.kind, &lines)
    }

    /// Posts one payload.
    pub async fn send(&self, payload: &serde_json::Value) -> Result<(), WebhookError> {
        let Some(url) = &self.url else {
            tracing::warn!("urgent case; no webhook configured, alert only logged");
            return Ok(());
        };
        let response = self
            .client
            .post(url)
            .json(payload)
            .send()
            .await
            .map_err(|e| WebhookError::Unreachable(e.without_url().to_string()))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(WebhookError::Status(response.status().as_u16()))
        }
    }

    /// Posts one payload, trying three times over about six seconds (the `baton serve` path; in
    /// AWS the stream retries).
    async fn send_patiently(&self, payload: &serde_json::Value, what: &str) {
        for wait in [1, 5, 0] {
            match self.send(payload).await {
                Ok(()) => {
                    tracing::info!(what, "alert sent");
                    return;
                }
                Err(error) if wait > 0 => {
                    tracing::warn!(what, %error, "alert not sent; retrying");
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                }
                Err(error) => tracing::error!(what, %error, "alert not sent; giving up"),
            }
        }
    }
}

/// The customer's words quoted, escaped and cut at [`QUOTE_CHARS`].
fn quote(words: String) -> Line {
    Line::new()
        .trusted("“")
        .untrusted(Untrusted::new(words).max_chars(QUOTE_CHARS))
        .trusted("”")
}

/// Splits the cases due an alert into the ones sent alone and the rest, summarized, given how
/// many were sent alone in the current window already.
#[cfg(any(feature = "aws", test))]
fn burst(cases: Vec<Case>, sent_in_window: usize) -> (Vec<Case>, Vec<Case>) {
    let alone = BURST.saturating_sub(sent_in_window).min(cases.len());
    let mut cases = cases;
    let rest = cases.split_off(alone);
    (cases, rest)
}

/// `baton serve`'s alert path: a background task that sends each due case, at most [`BURST`] per
/// window, and one summary at the end of a window for the rest. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Alerter {
    cases: mpsc::UnboundedSender<Case>,
}

impl Alerter {
    /// The alerter and the task that sends what it is handed, counting the burst per `window`:
    /// the task runs wherever the caller spawns it (cases wait in the channel until it does).
    pub fn new(
        webhook: Webhook,
        window: Duration,
    ) -> (
        Alerter,
        impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let (cases, mut inbox) = mpsc::unbounded_channel::<Case>();
        let webhook = Arc::new(webhook);
        let task = async move {
            let mut window_start: Option<tokio::time::Instant> = None;
            let mut sent = 0usize;
            let mut held: Vec<Case> = Vec::new();
            loop {
                let window_end = window_start.map(|start| start + window);
                let next = match window_end {
                    Some(end) => tokio::select! {
                        case = inbox.recv() => Some(case),
                        () = tokio::time::sleep_until(end) => None,
                    },
                    None => Some(inbox.recv().await),
                };
                match next {
                    Some(None) => break,
                    Some(Some(case)) => {
                        let now = tokio::time::Instant::now();
                        if window_start.is_none_or(|start| now >= start + window) {
                            window_start = Some(now);
                            sent = 0;
                        }
                        if sent < BURST {
                            sent += 1;
                            webhook
                                .send_patiently(&webhook.alert(&case), &case.id)
                                .await;
                        } else {
                            held.push(case);
                        }
                    }
                    None => {
                        if !held.is_empty() {
                            let cases = std::mem::take(&mut held);
                            webhook
                                .send_patiently(&webhook.summary(&cases), "summary")
                                .await;
                        }
                        window_start = None;
                        sent = 0;
                    }
                }
            }
        };
        (Alerter { cases }, task)
    }

    /// Hands a case due an alert to the task (never blocks the request).
    pub fn notify(&self, case: &Case) {
        if self.cases.send(case.clone()).is_err() {
            tracing::error!(case = %case.id, "the alert task has stopped; alert not sent");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(priority: Priority, status: CaseStatus) -> Case {
        let mut case: Case = serde_json::from_value(serde_json::json!({
            "id": "case_01J0000000000000000000000A", "conversation_id": "cv_01J0000000000000000000000A",
            "customer": {"id": "anon_x", "contact": "<!here> @everyone"}, "status": "open", "priority": "normal",
            "category": "billing_payment", "reason": {"code": "urgent", "kind": "money_not_received"},
            "summary": "송금했는데 <https://evil.example|환불 받기>", "channel": "web", "locale": "ko",
            "created_at": 0, "updated_at": 0, "version": 1
        }))
        .expect("case");
        case.priority = priority;
        case.status = status;
        case
    }

    #[test]
    fn due_when_an_urgent_case_enters_the_queue_or_is_escalated() {
        use CaseStatus::*;
        use Priority::*;
        assert!(due(None, &case(Urgent, Open)));
        assert!(!due(None, &case(Normal, Open)));
        assert!(
            due(Some(&case(Normal, Open)), &case(Urgent, Open)),
            "escalated"
        );
        assert!(
            due(Some(&case(Urgent, Resolved)), &case(Urgent, Open)),
            "reopened urgent"
        );
        assert!(
            !due(Some(&case(Urgent, Open)), &case(Urgent, Open)),
            "already alerted"
        );
        let mut claimed = case(Urgent, Claimed);
        claimed.assignee = Some("minji".into());
        assert!(!due(Some(&case(Urgent, Open)), &claimed));
        assert!(
            due(Some(&case(Normal, Claimed)), &claimed),
            "escalated while held"
        );
        assert!(!due(Some(&case(Urgent, Open)), &case(Urgent, Resolved)));
    }

    #[test]
    fn a_flood_is_cut_to_a_burst_and_a_summary() {
        let cases: Vec<Case> = (0..30)
            .map(|_| case(Priority::Urgent, CaseStatus::Open))
            .collect();
        let (alone, rest) = burst(cases.clone(), 0);
        assert_eq!((alone.len(), rest.len()), (BURST, 30 - BURST));
        let (alone, rest) = burst(cases, 2);
        assert_eq!((alone.len(), rest.len()), (1, 29));
        let webhook = Webhook::new(
            None,
            Some(ChatKind::Slack),
            Some("https://desk.example".into()),
        );
        let summary = webhook.summary(&rest).to_string();
        assert!(
            summary.contains("29 more urgent cases at once"),
            "{summary}"
        );
        assert!(summary.contains("and 19 more in the queue"), "{summary}");
    }

    #[test]
    fn customer_text_in_an_alert_is_inert() {
        let webhook = Webhook::new(
            None,
            Some(ChatKind::Slack),
            Some("https://desk.example".into()),
        );
        let alert = webhook
            .alert(&case(Priority::Urgent, CaseStatus::Open))
            .to_string();
        for live in ["<!here>", "@everyone", "<https://evil.example"] {
            assert!(!alert.contains(live), "{live} in {alert}");
        }
        assert!(
            alert.contains("https://desk.example/cases/case_"),
            "{alert}"
        );
    }
}
