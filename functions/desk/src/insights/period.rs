//! The span a report covers, in the team's time zone: an ISO week (`2026-W49`, Monday 00:00 to
//! the next Monday 00:00 local time) or a run of days (`--from 2026-11-01 --to 2026-11-30`, both
//! included).

use serde::Serialize;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

use crate::error::{Error, Result};
use crate::model::Millis;

/// A day, in milliseconds.
pub const DAY: Millis = 24 * 3600 * 1000;
/// A week, in milliseconds.
pub const WEEK: Millis = 7 * DAY;
/// Longest run of days a report covers (a leap year).
pub const MAX_DAYS: i64 = 366;
/// The years a report may name: a help desk's events are from this century, and a period that
/// ends near the calendar's end would overflow the date arithmetic of trends and comparisons.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2999;

/// `[from, to)` with its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// `2026-W49`, or `2026-11-01..2026-11-30`.
    pub label: String,
    /// Start, inclusive (ms).
    pub from: Millis,
    /// End, exclusive (ms).
    pub to: Millis,
    /// The team's UTC offset the days are counted in (`"timezone": "+09:00"` in JSON).
    #[serde(rename = "timezone", serialize_with = "serialize_offset")]
    pub offset: UtcOffset,
}

fn serialize_offset<S: serde::Serializer>(
    offset: &UtcOffset,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&offset_text(*offset))
}

impl Period {
    /// The ISO week `label` (`2026-W49`) in `offset`.
    pub fn week(label: &str, offset: UtcOffset) -> Result<Period> {
        let wrong = || Error::Invalid(format!("{label:?} is not a week like 2026-W49"));
        let (year, week) = label.trim().split_once("-W").ok_or_else(wrong)?;
        let year: i32 = year.parse().map_err(|_| wrong())?;
        let week: u8 = week.parse().map_err(|_| wrong())?;
        if !YEARS.contains(&year) {
            return Err(out_of_range(label));
        }
        let monday = Date::from_iso_week_date(year, week, Weekday::Monday).map_err(|_| wrong())?;
        Ok(Period::of_week(monday, offset))
    }

    /// The days `first..=last` in `offset`.
    pub fn days(first: &str, last: &str, offset: UtcOffset) -> Result<Period> {
        let (a, b) = (parse_date(first)?, parse_date(last)?);
        if !YEARS.contains(&a.year()) || !YEARS.contains(&b.year()) {
            return Err(out_of_range(&format!("{first}..{last}")));
        }
        if b < a {
            return Err(Error::Invalid(format!("{last} is before {first}")));
        }
        if (b - a).whole_days() >= MAX_DAYS {
            return Err(Error::Invalid(format!(
                "{first}..{last} is longer than {MAX_DAYS} days"
            )));
        }
        let end = b
            .next_day()
            .ok_or_else(|| Error::Invalid(format!("{last} is the end of time")))?;
        Ok(Period {
            label: format!("{a}..{b}"),
            from: midnight(a, offset),
            to: midnight(end, offset),
            offset,
        })
    }

    /// The last week that has ended by `now`.
    pub fn last_week(now: Millis, offset: UtcOffset) -> Period {
        let today = local(now, offset).date();
        let this_monday =
            today - time::Duration::days(i64::from(today.weekday().number_days_from_monday()));
        Period::of_week(this_monday - time::Duration::days(7), offset)
    }

    /// The period just as long, ending where this one starts.
    pub fn before(&self) -> Period {
        let length = self.to - self.from;
        let from = self.from - length;
        Period {
            label: match self.label.split_once("-W") {
                Some(_) => week_label(from, self.offset),
                None => days_label(from, self.from, self.offset),
            },
            from,
            to: self.from,
            offset: self.offset,
        }
    }

    /// Whether `at` falls in it.
    pub fn contains(&self, at: Millis) -> bool {
        (self.from..self.to).contains(&at)
    }

    fn of_week(monday: Date, offset: UtcOffset) -> Period {
        let (year, week, _) = monday.to_iso_week_date();
        Period {
            label: format!("{year}-W{week:02}"),
            from: midnight(monday, offset),
            to: midnight(monday + time::Duration::days(7), offset),
            offset,
        }
    }
}

fn out_of_range(label: &str) -> Error {
    Error::Invalid(format!(
        "{label:?} is outside the years {} to {}",
        YEARS.start(),
        YEARS.end()
    ))
}

/// `at` as the team's wall clock.
pub fn local(at: Millis, offset: UtcOffset) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset)
}

/// `at` written for people and spreadsheets: `2026-12-07T09:30:00+09:00`.
pub fn timestamp(at: Millis, offset: UtcOffset) -> String {
    let t = local(at, offset);
    format!(
        "{}T{:02}:{:02}:{:02}{}",
        t.date(),
        t.hour(),
        t.minute(),
        t.second(),
        offset_text(offset)
    )
}

fn week_label(from: Millis, offset: UtcOffset) -> String {
    let (year, week, _) = local(from, offset).date().to_iso_week_date();
    format!("{year}-W{week:02}")
}

fn days_label(from: Millis, to: Millis, offset: UtcOffset) -> String {
    let last = local(to - 1, offset).date();
    format!("{}..{last}", local(from, offset).date())
}

fn midnight(day: Date, offset: UtcOffset) -> Millis {
    let t = PrimitiveDateTime::new(day, Time::MIDNIGHT).assume_offset(offset);
    (t.unix_timestamp_nanos() / 1_000_000) as Millis
}

/// The first millisecond of `date` (`2026-12-07`) in `offset`.
pub fn day_start(date: &str, offset: UtcOffset) -> Result<Millis> {
    Ok(midnight(parse_date(date)?, offset))
}

/// `+09:00`.
pub fn offset_text(offset: UtcOffset) -> String {
    let (h, m, _) = offset.as_hms();
    let sign = if h < 0 || m < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", h.abs(), m.abs())
}

fn parse_date(text: &str) -> Result<Date> {
    let wrong = || Error::Invalid(format!("{text:?} is not a date like 2026-12-07"));
    let mut parts = text.trim().splitn(3, '-');
    let mut next = || parts.next().ok_or_else(wrong);
    let year: i32 = next()?.parse().map_err(|_| wrong())?;
    let month: u8 = next()?.parse().map_err(|_| wrong())?;
    let day: u8 = next()?.parse().map_err(|_| wrong())?;
    let month = Month::try_from(month).map_err(|_| wrong())?;
    Date::from_calendar_date(year, month, day).map_err(|_| wrong())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEOUL: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
        Ok(o) => o,
        Err(_) => UtcOffset::UTC,
    };

    #[test]
    fn a_week_starts_on_monday_midnight_in_seoul() {
        let week = Period::week("2026-W49", SEOUL).expect("week");
        // Monday 2026-11-30 00:00 +09:00 is Sunday 15:00 UTC.
        assert_eq!(
            timestamp(week.from, UtcOffset::UTC),
            "2026-11-29T15:00:00+00:00"
        );
        assert_eq!(week.to - week.from, WEEK);
        assert_eq!(week.before().label, "2026-W48");
        assert_eq!(
            Period::week("2026-W01", SEOUL).expect("w1").label,
            "2026-W01"
        );
        // ISO 2026 has 53 weeks; 2025 has 52.
        assert!(Period::week("2026-W53", SEOUL).is_ok());
        assert!(Period::week("2025-W53", SEOUL).is_err());
        assert!(Period::week("2026-49", SEOUL).is_err());
    }

    #[test]
    fn last_week_is_the_one_that_ended() {
        let monday_morning = Period::week("2026-W50", SEOUL).expect("w50").from + 9 * 3600 * 1000;
        assert_eq!(Period::last_week(monday_morning, SEOUL).label, "2026-W49");
        // One millisecond before Monday in Seoul, W49 has not ended yet.
        let sunday_night = Period::week("2026-W50", SEOUL).expect("w50").from - 1;
        assert_eq!(Period::last_week(sunday_night, SEOUL).label, "2026-W48");
    }

    #[test]
    fn days_include_both_ends() {
        let p = Period::days("2026-11-01", "2026-11-30", SEOUL).expect("days");
        assert_eq!(p.to - p.from, 30 * DAY);
        assert_eq!(p.before().label, "2026-10-02..2026-10-31");
        assert_eq!(p.before().to, p.from);
        assert!(Period::days("2026-11-30", "2026-11-01", SEOUL).is_err());
        assert!(Period::days("2026-02-30", "2026-03-01", SEOUL).is_err());
    }

    /// A hostile tester's `?week=9999-W52` closed the connection: the report's trend reached past
    /// the calendar's end and the date arithmetic panicked.
    #[test]
    fn periods_near_the_calendars_ends_are_refused_not_panicked_on() {
        for label in [
            "9999-W52",
            "3000-W01",
            "1999-W52",
            "-9999-W01",
            "262143-W01",
        ] {
            let error = Period::week(label, SEOUL).expect_err(label).to_string();
            assert!(
                error.contains("outside the years") || error.contains("not a week"),
                "{label}: {error}"
            );
        }
        assert!(Period::days("9999-12-01", "9999-12-31", SEOUL).is_err());
        assert!(Period::days("1970-01-01", "1970-01-02", SEOUL).is_err());
        // The last week allowed still makes a whole report's periods.
        let last = Period::week("2999-W52", SEOUL).expect("in range");
        let mut p = last.clone();
        for _ in 0..8 {
            p = p.before();
        }
        assert!(p.to < last.from);
    }
}
