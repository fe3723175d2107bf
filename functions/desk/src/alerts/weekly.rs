//! Monday's summary in the team's chat: the week's inquiries with their change, the top
//! categories and areas, the bot's ledger, the top five guides to write, urgent cases, and a link
//! to the full report in the console. Customer words and area names are untrusted and escaped as
//! the alerts' are.
//!
//! Delivered once: a `report_sent` event marks it, so a retry, a restart of `baton serve` or a
//! second scheduler does not send it again.

use super::{Line, Untrusted, Webhook, payload};
use crate::error::{Error, Result};
use crate::events as key;
use crate::insights::markdown::{duration, noun, signed};
use crate::insights::{DAY, Report, Row};
use crate::model::{Event, EventKind, Millis};
use crate::store::{Commit, Store};

/// Rows of each ranking shown.
const TOP: usize = 3;
/// Guides to write shown.
const GUIDES: usize = 5;

fn ranking(title: &str, rows: &[Row]) -> Option<Line> {
    if rows.is_empty() {
        return None;
    }
    let mut line = Line::new().trusted(format!("{title}: "));
    for (i, row) in rows.iter().take(TOP).enumerate() {
        if i > 0 {
            line = line.trusted(", ");
        }
        line = line
            .untrusted(Untrusted::new(row.key.clone()).max_chars(40))
            .trusted(format!(
                " {} ({})",
                row.count.count,
                signed(row.count.change)
            ));
    }
    Some(line)
}

impl Webhook {
    /// The week's summary, linking to `{operator_url}/insights.html?week=…` when the console's
    /// address is known.
    pub fn weekly(&self, report: &Report) -> serde_json::Value {
        let p = &report.period;
        let i = report.inquiries;
        let mut lines = vec![Line::new().trusted(format!(
            "📊 주간 리포트 / Support week {} · {} inquir{} ({} against {})",
            p.label,
            i.count,
            noun(i.count, "y", "ies"),
            signed(i.change),
            i.previous
        ))];
        if let Some(url) = &self.operator_url {
            let query = match p.label.split_once("..") {
                Some((from, to)) => format!("from={from}&to={to}"),
                None => format!("week={}", p.label),
            };
            lines.push(Line::new().link(
                format!("{}/insights.html?{query}", url.trim_end_matches('/')),
                "full report".to_string(),
            ));
        }
        lines.extend(ranking("Top categories", &report.volume.by_category));
        lines.extend(ranking("Top areas", &report.volume.by_area));
        let l = &report.ledger;
        let reasons: Vec<String> = l
            .handed_off_by_reason
            .iter()
            .map(|r| format!("{} {}", r.key, r.count.count))
            .collect();
        lines.push(Line::new().trusted(format!(
            "Bot: {:.1}% confirmed solved by the customer ({} of {}) · {} silent (not counted as solved) · {} not helpful · {} handed off{} · {} came back within 7 days",
            l.self_service_rate * 100.0,
            l.confirmed,
            l.inquiries,
            l.silent,
            l.not_helpful,
            l.handed_off,
            if reasons.is_empty() {
                String::new()
            } else {
                format!(" ({})", reasons.join(", "))
            },
            l.came_back
        )));
        if !report.guides_to_write.is_empty() {
            lines.push(Line::new().trusted("Guides to write:"));
            for (n, topic) in report.guides_to_write.iter().take(GUIDES).enumerate() {
                lines.push(
                    Line::new()
                        .trusted(format!("{}. “", n + 1))
                        .untrusted(Untrusted::new(topic.words.clone()).max_chars(80))
                        .trusted(format!(
                            "” · {} customer{}",
                            topic.customers,
                            noun(topic.customers, "", "s")
                        )),
                );
            }
        }
        let unclaimed = report.urgent.iter().filter(|u| !u.claimed).count();
        let longest = report.urgent.iter().map(|u| u.waited_ms).max();
        lines.push(Line::new().trusted(match longest {
            None => "Urgent: none".to_string(),
            Some(ms) => format!(
                "🚨 Urgent: {} case{}, longest wait {}{}",
                report.urgent.len(),
                noun(report.urgent.len(), "", "s"),
                duration(ms),
                if unclaimed > 0 {
                    format!(", {unclaimed} still unclaimed")
                } else {
                    String::new()
                }
            ),
        }));
        payload(self.kind, &lines)
    }
}

/// How far after a period's end a marker is looked for (a delivery later than this sends again).
const MARKER_WITHIN: Millis = 14 * DAY;

/// What a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Sent now.
    Sent,
    /// Sent before; nothing done.
    AlreadySent,
}

/// Whether the summary of the period labelled `label` (ending `to`) was sent by `now`.
pub async fn was_sent(store: &dyn Store, label: &str, to: Millis, now: Millis) -> Result<bool> {
    // A marker is stamped at the later of its report's "now" and the period's end.
    let end = (to + MARKER_WITHIN).min(now.max(to) + 1);
    Ok(store.events(to, end).await?.iter().any(|e| {
        e.kind == EventKind::ReportSent
            && e.data.get(key::PERIOD).map(String::as_str) == Some(label)
    }))
}

/// Sends `report`'s summary to `webhook` unless it was sent already (`force`: send anyway), and
/// marks it sent.
pub async fn deliver(
    store: &dyn Store,
    webhook: &Webhook,
    report: &Report,
    force: bool,
) -> Result<Delivery> {
    let period = &report.period;
    if !force && was_sent(store, &period.label, period.to, report.generated_at).await? {
        return Ok(Delivery::AlreadySent);
    }
    webhook
        .send(&webhook.weekly(report))
        .await
        .map_err(|e| Error::Unavailable(format!("weekly summary: {e}")))?;
    let mut marker = Event::new(
        EventKind::ReportSent,
        "",
        None,
        None,
        [(key::PERIOD, period.label.clone())],
    );
    // Stamped with the report's "now" (the scheduler's clock), inside the window `was_sent`
    // reads even for a period not ended yet.
    marker.at = report.generated_at.max(period.to);
    if let Err(error) = store
        .commit(&Commit {
            events: vec![marker],
            ..Commit::default()
        })
        .await
    {
        // It went out: say so, and let the caller remember it.
        tracing::warn!(%error, period = %period.label, "summary sent, but not marked sent");
    }
    Ok(Delivery::Sent)
}
