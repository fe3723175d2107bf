//! When people answer: the team's business hours, in its own time zone, with overnight spans and
//! the days it is closed (public holidays). Outside them the widget tells a handed-off customer
//! when a person will answer; urgent cases still alert the whole team at once (alerts never
//! look at the hours).
//!
//! Written as settings a team reads aloud:
//!
//! - `BATON_HOURS="mon-fri 09:00-18:00; sat 10:00-14:00"`: spans per weekday; a span whose end is
//!   not after its start runs past midnight (`fri 22:00-02:00` is Friday night into Saturday)
//!   and belongs to the day it starts on. Unset: always open (a 24/7 team).
//! - `BATON_HOLIDAYS="2027-01-01, 2027-02-06..2027-02-09"`: days (and ranges) on which no span
//!   starts: Korean public holidays move every year (설날 and 추석 follow the lunar calendar, and
//!   substitute holidays follow weekends), so the team lists the year's days rather than trust a
//!   built-in table.
//! - `BATON_TIMEZONE="+09:00"`: the team's UTC offset (Korea keeps no daylight saving time).

use time::{Date, Duration, Month, OffsetDateTime, Time, UtcOffset, Weekday};

use crate::error::{Error, Result};
use crate::model::Millis;

/// How far ahead the next opening is looked for: a team closed longer than this is "closed".
const LOOKAHEAD_DAYS: i64 = 60;

/// One opening: on `day`, from `start` for `minutes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    day: Weekday,
    start: Time,
    minutes: i64,
}

/// The team's hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hours {
    spans: Vec<Span>,
    holidays: Vec<(Date, Date)>,
    offset: UtcOffset,
}

/// Whether people answer now, and if not, from when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Someone is on shift.
    Open,
    /// Nobody is; the next shift starts then (`None`: not within the next 60 days).
    Closed {
        /// When the next span starts.
        next_open: Option<Millis>,
    },
}

impl Hours {
    /// Hours from the three settings (`hours` unset: always open).
    pub fn parse(
        hours: Option<&str>,
        holidays: Option<&str>,
        offset: UtcOffset,
    ) -> Result<Option<Hours>> {
        let holidays = holidays.map_or(Ok(Vec::new()), parse_holidays)?;
        let Some(hours) = hours.map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let mut spans = Vec::new();
        for part in hours.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (days, times) = part.split_once(char::is_whitespace).ok_or_else(|| {
                invalid(format!(
                    "\"{part}\": write days then times, like \"mon-fri 09:00-18:00\""
                ))
            })?;
            let (from, to) = times
                .trim()
                .split_once('-')
                .ok_or_else(|| invalid(format!("\"{part}\": times are \"HH:MM-HH:MM\"")))?;
            let (start, end) = (parse_time(from)?, parse_time(to)?);
            let mut minutes = minutes_of(end) - minutes_of(start);
            if minutes <= 0 {
                minutes += 24 * 60;
            }
            for day in parse_days(days)? {
                spans.push(Span {
                    day,
                    start,
                    minutes,
                });
            }
        }
        if spans.is_empty() {
            return Err(invalid("no opening hours given".into()));
        }
        Ok(Some(Hours {
            spans,
            holidays,
            offset,
        }))
    }

    /// Whether people answer at `at`, and if not, when they will.
    pub fn at(&self, at: Millis) -> Availability {
        let Ok(now) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000) else {
            return Availability::Closed { next_open: None };
        };
        let local = now.to_offset(self.offset);
        let mut next: Option<OffsetDateTime> = None;
        // Yesterday's overnight span may still be running.
        for back in -1..=LOOKAHEAD_DAYS {
            let Some(date) = local.date().checked_add(Duration::days(back)) else {
                continue;
            };
            if self.is_holiday(date) {
                continue;
            }
            for span in self.spans.iter().filter(|s| s.day == date.weekday()) {
                let start = date.with_time(span.start).assume_offset(self.offset);
                let end = start + Duration::minutes(span.minutes);
                if start <= now && now < end {
                    return Availability::Open;
                }
                if start > now && next.is_none_or(|n| start < n) {
                    next = Some(start);
                }
            }
            if next.is_some() && back >= 1 {
                break;
            }
        }
        Availability::Closed {
            next_open: next.map(|n| (n.unix_timestamp_nanos() / 1_000_000) as Millis),
        }
    }

    fn is_holiday(&self, date: Date) -> bool {
        self.holidays
            .iter()
            .any(|(from, to)| *from <= date && date <= *to)
    }
}

fn invalid(message: String) -> Error {
    Error::Config(format!(
        "business hours (BATON_HOURS, BATON_HOLIDAYS, BATON_TIMEZONE): {message}"
    ))
}

fn minutes_of(t: Time) -> i64 {
    i64::from(t.hour()) * 60 + i64::from(t.minute())
}

fn parse_time(text: &str) -> Result<Time> {
    let text = text.trim();
    let (h, m) = text
        .split_once(':')
        .ok_or_else(|| invalid(format!("\"{text}\" is not HH:MM")))?;
    let number = |s: &str| {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u8>().ok())
            .flatten()
    };
    match (number(h), number(m)) {
        (Some(24), Some(0)) => Ok(Time::MIDNIGHT),
        (Some(h), Some(m)) => {
            Time::from_hms(h, m, 0).map_err(|_| invalid(format!("\"{text}\" is not a time of day")))
        }
        _ => Err(invalid(format!("\"{text}\" is not HH:MM"))),
    }
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

fn parse_day(text: &str) -> Result<usize> {
    let text = text.trim().to_ascii_lowercase();
    DAYS.iter()
        .position(|(name, _)| *name == text)
        .ok_or_else(|| invalid(format!("\"{text}\" is not a day (mon, tue, … sun)")))
}

fn parse_days(text: &str) -> Result<Vec<Weekday>> {
    let mut days = Vec::new();
    for part in text.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (parse_day(from)?, parse_day(to)?);
                // `fri-mon` wraps over the weekend.
                let count = (to + 7 - from) % 7 + 1;
                days.extend((0..count).map(|i| DAYS[(from + i) % 7].1));
            }
            None => days.push(DAYS[parse_day(part)?].1),
        }
    }
    Ok(days)
}

fn parse_date(text: &str) -> Result<Date> {
    let text = text.trim();
    let wrong = || invalid(format!("\"{text}\" is not a date (YYYY-MM-DD)"));
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(wrong());
    };
    let year: i32 = y.parse().map_err(|_| wrong())?;
    let month: u8 = m.parse().map_err(|_| wrong())?;
    let day: u8 = d.parse().map_err(|_| wrong())?;
    let month = Month::try_from(month).map_err(|_| wrong())?;
    Date::from_calendar_date(year, month, day).map_err(|_| wrong())
}

fn parse_holidays(text: &str) -> Result<Vec<(Date, Date)>> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|part| match part.split_once("..") {
            Some((from, to)) => {
                let (from, to) = (parse_date(from)?, parse_date(to)?);
                if to < from {
                    return Err(invalid(format!("\"{part}\" ends before it starts")));
                }
                Ok((from, to))
            }
            None => parse_date(part).map(|d| (d, d)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Milliseconds of a Seoul wall-clock time.
    fn seoul(y: i32, mo: u8, d: u8, h: u8, mi: u8) -> Millis {
        let date =
            Date::from_calendar_date(y, Month::try_from(mo).expect("month"), d).expect("date");
        let at = date
            .with_time(Time::from_hms(h, mi, 0).expect("time"))
            .assume_offset(UtcOffset::from_hms(9, 0, 0).expect("offset"));
        (at.unix_timestamp_nanos() / 1_000_000) as Millis
    }

    fn nine() -> UtcOffset {
        UtcOffset::from_hms(9, 0, 0).expect("offset")
    }

    fn hours(spec: &str, holidays: &str) -> Hours {
        Hours::parse(Some(spec), Some(holidays), nine())
            .expect("valid")
            .expect("some")
    }

    #[test]
    fn weekdays_weekends_overnight_and_holidays() {
        // 2026-12-04 is a Friday; 2026-12-25 (Christmas) a Friday too.
        let h = hours("mon-fri 09:00-18:00; fri 22:00-02:00", "2026-12-25");
        assert_eq!(h.at(seoul(2026, 12, 4, 9, 0)), Availability::Open);
        assert_eq!(
            h.at(seoul(2026, 12, 4, 18, 0)),
            Availability::Closed {
                next_open: Some(seoul(2026, 12, 4, 22, 0))
            }
        );
        // Friday night runs into Saturday.
        assert_eq!(h.at(seoul(2026, 12, 5, 1, 59)), Availability::Open);
        assert_eq!(
            h.at(seoul(2026, 12, 5, 2, 0)),
            Availability::Closed {
                next_open: Some(seoul(2026, 12, 7, 9, 0))
            }
        );
        // Christmas: neither Friday span starts; Monday does.
        assert_eq!(
            h.at(seoul(2026, 12, 25, 10, 0)),
            Availability::Closed {
                next_open: Some(seoul(2026, 12, 28, 9, 0))
            }
        );
    }

    #[test]
    fn a_week_of_holidays_and_ranges_that_wrap() {
        // 설날 2027: Feb 6–9 (Sat–Tue, with a substitute day).
        let h = hours("fri-mon 10:00-16:00", "2027-02-06..2027-02-09");
        assert_eq!(
            h.at(seoul(2027, 2, 6, 11, 0)),
            Availability::Closed {
                next_open: Some(seoul(2027, 2, 12, 10, 0))
            }
        );
        assert_eq!(h.at(seoul(2027, 2, 15, 12, 0)), Availability::Open);
        assert_eq!(
            hours("sat 00:00-24:00", "").at(seoul(2027, 2, 13, 23, 59)),
            Availability::Open
        );
    }

    #[test]
    fn unset_is_always_open_and_mistakes_name_what_is_wrong() {
        assert_eq!(Hours::parse(None, None, nine()).expect("ok"), None);
        for (spec, holidays, wanted) in [
            ("mon-fri", "", "days then times"),
            ("mon-fri 9:00-18:00", "", "HH:MM"),
            ("mon-fry 09:00-18:00", "", "not a day"),
            ("mon 09:00-25:00", "", "not a time of day"),
            ("mon 09:00-18:00", "2027-02-30", "not a date"),
            ("mon 09:00-18:00", "2027-02-09..2027-02-06", "ends before"),
            (";", "", "no opening hours"),
        ] {
            let error = Hours::parse(Some(spec), Some(holidays), nine())
                .expect_err(spec)
                .to_string();
            assert!(error.contains(wanted), "{spec}: {error}");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics(spec in ".{0,60}", holidays in ".{0,40}") {
            let _ = Hours::parse(Some(&spec), Some(&holidays), nine());
        }

        #[test]
        fn closed_always_names_a_later_opening_that_is_open(
            start in 0u8..24, length in 1u8..24, day in 0usize..7, at in 1_700_000_000_000i64..1_900_000_000_000,
        ) {
            let spec = format!("{} {start:02}:00-{:02}:00", DAYS[day].0, (start + length) % 24);
            let h = hours(&spec, "");
            if let Availability::Closed { next_open } = h.at(at) {
                let next = next_open.expect("a weekly span opens within a week");
                prop_assert!(next > at && next - at <= 8 * 86_400_000);
                prop_assert_eq!(h.at(next), Availability::Open);
                prop_assert_eq!(h.at(next - 60_000), Availability::Closed { next_open: Some(next) });
            }
        }
    }
}
