//! The weekly report as the desk serves it: to the console (`GET /api/operator/insights`) and,
//! on Monday morning, to the team's chat; with the guides it has, its business hours and the
//! team's time zone. [`Desk::tick`] is what `baton serve`'s scheduler runs every minute.

use std::sync::Arc;
use std::time::Duration;

use super::Desk;
use super::reminders::Reminder;
use crate::alerts::Webhook;
use crate::alerts::weekly::{self as deliver, Delivery};
use crate::error::Result;
use crate::insights::{self, Period, Report};
use crate::model::{Millis, now};

/// Longest run of days a request may ask a report of.
pub const MAX_SPAN_DAYS: i64 = 31;

/// What the scheduler does (from `BATON_URGENT_REMIND_MINUTES` and `BATON_WEEKLY_REPORT_HOUR`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Schedule {
    /// First reminder of an unclaimed urgent case after this long (`None`: no reminders).
    pub remind_after: Option<Duration>,
    /// The hour on Monday the last week's summary is sent (`None`: never).
    pub weekly_hour: Option<u8>,
}

/// What one pass of the scheduler did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tick {
    /// Reminders delivered.
    pub reminded: Vec<Reminder>,
    /// The week's summary, when it was due.
    pub weekly: Option<Delivery>,
}

/// Which period a request names: a week, a run of days, or the last week that ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// `2026-W49`.
    pub week: Option<String>,
    /// First day, `2026-11-01` (with `to`).
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
}

impl Desk {
    /// The period `span` names, in the team's time zone.
    pub fn period(&self, span: &Span) -> Result<Period> {
        match span {
            Span {
                week: Some(week),
                from: None,
                to: None,
            } => Period::week(week, self.timezone),
            Span {
                week: None,
                from: Some(from),
                to: Some(to),
            } => {
                let period = Period::days(from, to, self.timezone)?;
                // A report reads four times its span (the trend): a request stays bounded.
                if period.to - period.from > MAX_SPAN_DAYS * insights::DAY {
                    return Err(crate::error::Error::Invalid(format!(
                        "a report covers at most {MAX_SPAN_DAYS} days here (baton insights has no such limit)"
                    )));
                }
                Ok(period)
            }
            Span {
                week: None,
                from: None,
                to: None,
            } => Ok(Period::last_week(now(), self.timezone)),
            _ => Err(crate::error::Error::Invalid(
                "give week, or from and to, or nothing for last week".into(),
            )),
        }
    }

    /// The report of `period`, as of now.
    pub async fn report(&self, period: &Period) -> Result<Report> {
        self.report_at(period, now()).await
    }

    /// The report of `period` as of `now`.
    pub async fn report_at(&self, period: &Period, now: Millis) -> Result<Report> {
        let options = insights::Options {
            hours: self.hours.as_deref().cloned(),
            now,
            kb: Some(Arc::clone(&self.kb)),
            encoder: self.encoder().cloned(),
        };
        insights::report(self.store.as_ref(), period, &options).await
    }

    /// Sends the summary of the last week that ended to `webhook` once it is `hour` on its
    /// following Monday in the team's time zone, or any time later that week (a desk that was
    /// down on Monday sends it when it is back), unless it was sent; `None` when it is not due.
    pub async fn weekly_if_due(
        &self,
        webhook: &Webhook,
        hour: u8,
        now: Millis,
    ) -> Result<Option<Delivery>> {
        let week = Period::last_week(now, self.timezone);
        if now < week.to + i64::from(hour) * 3600 * 1000 {
            return Ok(None);
        }
        let known = |label: &str| {
            self.sent_week
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .as_deref()
                == Some(label)
        };
        let remember = |label: &str| {
            *self
                .sent_week
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(label.to_string());
        };
        if known(&week.label) {
            return Ok(Some(Delivery::AlreadySent));
        }
        if deliver::was_sent(self.store.as_ref(), &week.label, week.to, now).await? {
            remember(&week.label);
            return Ok(Some(Delivery::AlreadySent));
        }
        let report = self.report_at(&week, now).await?;
        let delivery = deliver::deliver(self.store.as_ref(), webhook, &report, false).await?;
        // Sent, even if the mark could not be written: this process will not send it again.
        remember(&week.label);
        Ok(Some(delivery))
    }

    /// One pass of the scheduler at `now`: reminders of unclaimed urgent cases, and Monday's
    /// summary. A part that fails is logged and the other still runs.
    pub async fn tick(&self, webhook: &Webhook, schedule: Schedule, now: Millis) -> Tick {
        let mut tick = Tick::default();
        if let Some(after) = schedule.remind_after {
            match self.remind(webhook, after, now).await {
                Ok(sent) => tick.reminded = sent,
                Err(error) => {
                    tracing::warn!(%error, "reminders not checked; the next pass retries")
                }
            }
        }
        if let Some(hour) = schedule.weekly_hour {
            match self.weekly_if_due(webhook, hour, now).await {
                Ok(delivery) => tick.weekly = delivery,
                Err(error) => {
                    tracing::warn!(%error, "weekly summary not sent; the next pass retries");
                }
            }
        }
        tick
    }
}
