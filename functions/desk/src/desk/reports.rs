//! The weekly report as the desk serves it: to the console (`GET /api/operator/insights`) and,
//! on Monday morning, to the team's chat; with the guides it has, its business hours and the
//! team's time zone. [`Desk::tick`] is what `baton serve`'s scheduler runs every minute.

use std::sync::Arc;
use std::time::Duration;

use super::Desk;
use super::reminders::Reminder;
use crate::alerts::Webhook;
use crate::error::Result;
use crate::insights::deliver::{self, Delivery};
use crate::insights::{self, Period, Report, period};
use crate::model::{Millis, now};

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
            } => Period::days(from, to, self.timezone),
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
        };
        insights::report(self.store.as_ref(), period, &options).await
    }

    /// Sends the last week's summary to `webhook` if it is Monday at or after `hour` in the team's
    /// time zone and it was not sent yet; `None` when it is not due.
    pub async fn weekly_if_due(
        &self,
        webhook: &Webhook,
        hour: u8,
        now: Millis,
    ) -> Result<Option<Delivery>> {
        let local = period::local(now, self.timezone);
        if local.weekday() != time::Weekday::Monday || local.hour() < hour {
            return Ok(None);
        }
        let week = Period::last_week(now, self.timezone);
        if deliver::was_sent(self.store.as_ref(), &week.label, week.to, now).await? {
            return Ok(Some(Delivery::AlreadySent));
        }
        let report = self.report_at(&week, now).await?;
        deliver::deliver(self.store.as_ref(), webhook, &report, false)
            .await
            .map(Some)
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
