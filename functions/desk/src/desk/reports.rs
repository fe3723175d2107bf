//! The weekly report as the desk serves it: to the console (`GET /api/operator/insights`), with
//! the guides it has, its business hours and the team's time zone.

use std::sync::Arc;

use super::Desk;
use crate::error::Result;
use crate::insights::{self, Period, Report};
use crate::model::now;

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
        let options = insights::Options {
            hours: self.hours.as_deref().cloned(),
            now: now(),
            kb: Some(Arc::clone(&self.kb)),
        };
        insights::report(self.store.as_ref(), period, &options).await
    }
}
