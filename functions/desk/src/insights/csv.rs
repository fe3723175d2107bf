//! `--format csv`: one row per conversation opened in the period, for teams that analyse further.

use time::UtcOffset;

use super::{Report, Thread, period};
use crate::error::{Error, Result};
use crate::model::Millis;

/// The header, in column order.
pub const COLUMNS: [&str; 17] = [
    "id",
    "opened",
    "channel",
    "locale",
    "verified",
    "category",
    "area",
    "urgency",
    "bot_outcome",
    "handed_off",
    "reason",
    "claimed_by",
    "time_to_claim_s",
    "time_to_first_reply_s",
    "time_to_resolve_s",
    "rating",
    "reopened",
];

/// The report's conversations as CSV (RFC 4180; times in the team's offset, durations in seconds).
pub fn render(report: &Report) -> Result<String> {
    let offset = report.period.offset;
    let mut out = csv::Writer::from_writer(Vec::new());
    let bad = |e: csv::Error| Error::Invalid(format!("csv: {e}"));
    out.write_record(COLUMNS).map_err(bad)?;
    for t in &report.conversations {
        out.write_record(row(t, offset)).map_err(bad)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::Invalid(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Invalid(format!("csv: {e}")))
}

fn row(t: &Thread, offset: UtcOffset) -> [String; 17] {
    let since = |end: Option<Millis>| match (t.handed_off, end) {
        (Some(start), Some(end)) if end >= start => ((end - start) / 1000).to_string(),
        _ => String::new(),
    };
    [
        t.id.clone(),
        t.opened
            .map(|at| period::timestamp(at, offset))
            .unwrap_or_default(),
        t.channel.clone(),
        t.lang.clone(),
        t.verified.to_string(),
        super::category_code(t.category).to_string(),
        t.area.clone().unwrap_or_default(),
        t.urgency.clone(),
        t.outcome().code().to_string(),
        t.handed_off.is_some().to_string(),
        t.reason.clone(),
        t.claimed
            .as_ref()
            .map(|(_, by)| by.clone())
            .unwrap_or_default(),
        since(t.claimed.as_ref().map(|(at, _)| *at)),
        since(t.first_reply),
        since(t.resolved),
        t.rating.map(|r| r.to_string()).unwrap_or_default(),
        t.reopened.to_string(),
    ]
}
