//! No urgent case waits unseen: an urgent case nobody has claimed alerts the team again after
//! the first wait (`BATON_URGENT_REMIND_MINUTES`, 10 by default), then after twice as long each
//! time, at most every [`MAX_INTERVAL`], until someone claims it. `baton serve` runs a pass
//! every minute; in AWS the `reminders` function does, on its schedule.
//!
//! Each reminder is a slot on the case (`reminded`), taken by a versioned write before the
//! message goes out, so two passes at once send it once. A reminder the webhook refuses gives
//! its slot back, so the next pass sends it again: a repeated reminder is better than a lost one.

use std::time::Duration;

use super::Desk;
use crate::alerts::Webhook;
use crate::error::{Error, Result};
use crate::model::{Case, CaseStatus, Millis, Priority};
use crate::store::{CaseWrite, Commit, Store};

/// The longest wait between two reminders.
pub const MAX_INTERVAL: Millis = 2 * 3600 * 1000;
/// Cases read per queue page.
const PAGE: usize = 100;

/// A reminder sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// The case.
    pub case_id: String,
    /// Which reminder of the case this was (1 for the first).
    pub number: u32,
    /// How long the case had waited.
    pub waited_ms: Millis,
}

/// When the case became urgent: its escalation, else its creation.
pub fn urgent_since(case: &Case) -> Millis {
    case.escalation.as_ref().map_or(case.created_at, |e| e.at)
}

/// When reminder `number` (1 for the first) of a case urgent since `since` is due: after
/// `first`, then after intervals that double, capped at [`MAX_INTERVAL`] (10, 30, 70, 150 min …).
pub fn due_at(since: Millis, first: Millis, number: u32) -> Millis {
    let mut at = since;
    let mut interval = first.max(1);
    for _ in 0..number {
        at = at.saturating_add(interval);
        interval = interval.saturating_mul(2).min(MAX_INTERVAL.max(first));
    }
    at
}

impl Desk {
    /// [`remind`] on this desk's store.
    pub async fn remind(
        &self,
        webhook: &Webhook,
        first: Duration,
        now: Millis,
    ) -> Result<Vec<Reminder>> {
        remind(self.store.as_ref(), webhook, first, now).await
    }
}

/// Sends every reminder due at `now` to `webhook`, the first `first` after a case became urgent;
/// returns the ones delivered. A webhook that fails costs nothing but a later retry.
pub async fn remind(
    store: &dyn Store,
    webhook: &Webhook,
    first: Duration,
    now: Millis,
) -> Result<Vec<Reminder>> {
    let first = Millis::try_from(first.as_millis()).unwrap_or(Millis::MAX);
    let mut sent = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let cases = store.queue(PAGE, after.as_deref()).await?;
        let full = cases.len() == PAGE;
        after = cases.last().map(Case::queue_key);
        for case in &cases {
            // Urgent cases come first: past them there is nothing to remind of.
            if case.priority != Priority::Urgent {
                return Ok(sent);
            }
            if case.status != CaseStatus::Open || case.assignee.is_some() {
                continue;
            }
            let since = urgent_since(case);
            let number = case.reminded + 1;
            if now < due_at(since, first, number) {
                continue;
            }
            if let Some(reminder) = send_reminder(store, webhook, case, number, now - since).await?
            {
                sent.push(reminder);
            }
        }
        if !full {
            return Ok(sent);
        }
    }
}

async fn send_reminder(
    store: &dyn Store,
    webhook: &Webhook,
    case: &Case,
    number: u32,
    waited_ms: Millis,
) -> Result<Option<Reminder>> {
    let mut taken = case.clone();
    taken.reminded = number;
    match take_slot(store, taken.clone()).await {
        Err(Error::Stale) => return Ok(None), // claimed meanwhile, or another pass sent it
        Err(error) => return Err(error),
        Ok(()) => {}
    }
    match webhook.send(&webhook.reminder(case, waited_ms)).await {
        Ok(()) => {
            tracing::info!(case = %case.id, number, waited_ms, "urgent case reminder sent");
            Ok(Some(Reminder {
                case_id: case.id.clone(),
                number,
                waited_ms,
            }))
        }
        Err(error) => {
            tracing::warn!(case = %case.id, %error, "urgent case reminder not sent; the next pass retries");
            let mut back = taken;
            back.version += 1;
            back.reminded = number - 1;
            if let Err(error) = take_slot(store, back).await {
                // Claimed since (nothing to remind of), or the store is down.
                tracing::warn!(case = %case.id, %error, "reminder slot not given back");
            }
            Ok(None)
        }
    }
}

async fn take_slot(store: &dyn Store, case: Case) -> Result<()> {
    store
        .commit(&Commit {
            case: Some(CaseWrite::Update(case)),
            ..Commit::default()
        })
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_come_after_doubling_waits_capped_at_two_hours() {
        const M: Millis = 60_000;
        let at: Vec<Millis> = (1..=7).map(|n| due_at(0, 10 * M, n) / M).collect();
        assert_eq!(at, [10, 30, 70, 150, 270, 390, 510]);
        // A first wait longer than the cap keeps its own length.
        assert_eq!(due_at(0, 180 * M, 2) / M, 360);
    }
}
