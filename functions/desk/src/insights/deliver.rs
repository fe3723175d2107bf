//! Monday's delivery: the week's summary to the team's chat once, marked by a `report_sent`
//! event so a retry, a restart of `baton serve` or a second scheduler does not send it again.

use super::{DAY, Report};
use crate::alerts::Webhook;
use crate::error::{Error, Result};
use crate::events as key;
use crate::model::{Event, EventKind, Millis};
use crate::store::{Commit, Store};

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
