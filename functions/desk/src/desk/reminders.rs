//! No urgent case waits unseen: an urgent case nobody has claimed alerts the team again after
//! the first wait (`BATON_URGENT_REMIND_MINUTES`, 10 by default), then after twice as long each
//! time, at most every [`MAX_INTERVAL`], until someone claims it. `baton serve` runs a pass
//! every minute; in AWS the `reminders` function does, on its schedule.
//!
//! The waits count from the start of the case's current unclaimed wait: when it became urgent,
//! or later when it was released or reopened ([`Case::wait_again`]). Each reminder is a slot on
//! the case (`reminded`), taken by a versioned write before the message goes out, so two passes
//! at once send it once; when several slots have passed (the desk was down, the chat refused
//! messages), one reminder goes out and takes them all, rather than one a minute. A reminder
//! the webhook refuses gives its slot back, so the next pass sends it again: a repeated
//! reminder is better than a lost one. At most [`BURST`] go out alone per pass; the rest go in
//! one message.

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

/// Reminders sent alone per pass; more due at once go in one message.
pub const BURST: usize = crate::alerts::BURST;

/// When the case's current unclaimed urgent wait began: it became urgent (escalation, else
/// creation), or later was released or reopened.
pub fn waiting_since(case: &Case) -> Millis {
    let urgent = case.escalation.as_ref().map_or(case.created_at, |e| e.at);
    case.remind_from.map_or(urgent, |at| at.max(urgent))
}

/// How many reminder slots of a wait that began at `since` have come by `now`.
pub fn slots_due(since: Millis, first: Millis, now: Millis) -> u32 {
    let mut n = 0;
    // A year of two-hour slots is about 4,400: bounded.
    while n < 10_000 && due_at(since, first, n + 1) <= now {
        n += 1;
    }
    n
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
    if !webhook.is_configured() {
        return Ok(Vec::new());
    }
    let first = Millis::try_from(first.as_millis()).unwrap_or(Millis::MAX);
    let mut due: Vec<(Case, u32, Millis)> = Vec::new();
    let mut after: Option<String> = None;
    'pages: loop {
        let cases = store.queue(PAGE, after.as_deref()).await?;
        let full = cases.len() == PAGE;
        after = cases.last().map(Case::queue_key);
        for case in cases {
            // Urgent cases come first: past them there is nothing to remind of.
            if case.priority != Priority::Urgent {
                break 'pages;
            }
            if case.status != CaseStatus::Open || case.assignee.is_some() {
                continue;
            }
            let since = waiting_since(&case);
            let slots = slots_due(since, first, now);
            if slots > case.reminded {
                due.push((case, slots, now - since));
            }
        }
        if !full {
            break;
        }
    }
    let mut sent = Vec::new();
    let rest = due.split_off(due.len().min(BURST));
    for (case, slots, waited_ms) in due {
        let Some(taken) = take(store, &case, slots).await? else {
            continue;
        };
        if deliver(webhook, &webhook.reminder(&case, waited_ms), &case.id).await {
            sent.push(Reminder {
                case_id: case.id.clone(),
                number: slots,
                waited_ms,
            });
        } else {
            give_back(store, taken, case.reminded).await;
        }
    }
    // The rest of a flood: one message naming them all.
    let mut taken_rest = Vec::new();
    for (case, slots, waited_ms) in rest {
        if let Some(taken) = take(store, &case, slots).await? {
            taken_rest.push((case, taken, slots, waited_ms));
        }
    }
    if !taken_rest.is_empty() {
        let cases: Vec<Case> = taken_rest.iter().map(|(c, ..)| c.clone()).collect();
        if deliver(webhook, &webhook.reminder_summary(&cases), "reminders").await {
            sent.extend(
                taken_rest
                    .iter()
                    .map(|(case, _, slots, waited_ms)| Reminder {
                        case_id: case.id.clone(),
                        number: *slots,
                        waited_ms: *waited_ms,
                    }),
            );
        } else {
            for (case, taken, ..) in taken_rest {
                give_back(store, taken, case.reminded).await;
            }
        }
    }
    Ok(sent)
}

/// Takes the slots up to `slots` of `case` with a versioned write; `None` when someone claimed
/// it or another pass took them meanwhile.
async fn take(store: &dyn Store, case: &Case, slots: u32) -> Result<Option<Case>> {
    let mut taken = case.clone();
    taken.reminded = slots;
    match take_slot(store, taken.clone()).await {
        Err(Error::Stale) => Ok(None),
        Err(error) => Err(error),
        Ok(()) => {
            taken.version += 1;
            Ok(Some(taken))
        }
    }
}

async fn deliver(webhook: &Webhook, payload: &serde_json::Value, what: &str) -> bool {
    match webhook.send(payload).await {
        Ok(()) => {
            tracing::info!(what, "urgent case reminder sent");
            true
        }
        Err(error) => {
            tracing::warn!(what, %error, "urgent case reminder not sent; the next pass retries");
            false
        }
    }
}

/// Gives taken slots back so the next pass sends the reminder again.
async fn give_back(store: &dyn Store, mut taken: Case, reminded: u32) {
    let id = taken.id.clone();
    taken.reminded = reminded;
    if let Err(error) = take_slot(store, taken).await {
        // Claimed since (nothing to remind of), or the store is down.
        tracing::warn!(case = %id, %error, "reminder slot not given back");
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
    fn slots_passed_are_counted_so_a_late_pass_sends_one_reminder() {
        const M: Millis = 60_000;
        assert_eq!(slots_due(0, 10 * M, 9 * M), 0);
        assert_eq!(slots_due(0, 10 * M, 10 * M), 1);
        assert_eq!(slots_due(0, 10 * M, 69 * M), 2);
        // Three hours down: the slots at 10, 30, 70 and 150 minutes are one reminder now.
        assert_eq!(slots_due(0, 10 * M, 180 * M), 4);
    }

    #[test]
    fn reminders_come_after_doubling_waits_capped_at_two_hours() {
        const M: Millis = 60_000;
        let at: Vec<Millis> = (1..=7).map(|n| due_at(0, 10 * M, n) / M).collect();
        assert_eq!(at, [10, 30, 70, 150, 270, 390, 510]);
        // A first wait longer than the cap keeps its own length.
        assert_eq!(due_at(0, 180 * M, 2) / M, 360);
    }
}
