//! Opening hours: HSDS schedules (the iCalendar recurrence fields `freq`, `byday`, `opens_at`,
//! `closes_at`, `valid_from`, `valid_to`), Italian public holidays and AGIO's closures, read in
//! Italian time, to tell a person whether a service is open now and until when.

/// A period when a service is closed (inclusive dates), as `agio_closures` lists them.
pub use agio_domain::edit::Closure;
use serde::Deserialize;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Schedule {
    #[serde(default)]
    pub freq: Option<String>,
    #[serde(default)]
    pub byday: Option<String>,
    #[serde(default)]
    pub opens_at: Option<String>,
    #[serde(default)]
    pub closes_at: Option<String>,
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_to: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// One weekly opening: on these days, from `opens` to `closes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub days: Vec<Weekday>,
    pub opens: Time,
    pub closes: Time,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
}

const DAY_CODES: [(&str, Weekday); 7] = [
    ("MO", Weekday::Monday),
    ("TU", Weekday::Tuesday),
    ("WE", Weekday::Wednesday),
    ("TH", Weekday::Thursday),
    ("FR", Weekday::Friday),
    ("SA", Weekday::Saturday),
    ("SU", Weekday::Sunday),
];

fn parse_time(text: &str) -> Option<Time> {
    let mut parts = text.split(':');
    let h: u8 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next()?.parse().ok()?;
    let s: u8 = match parts.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Time::from_hms(h, m, s).ok()
}

pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

impl Schedule {
    /// The weekly opening this schedule describes, None when it gives no hours (a schedule may
    /// be only a description), or the field and reason when it does not parse.
    pub fn opening(&self) -> Result<Option<Opening>, (&'static str, String)> {
        match self.freq.as_deref() {
            None | Some("WEEKLY") => {}
            // A monthly rhythm (the second Tuesday…) is kept and shown, not used for "open now".
            Some("MONTHLY") => return Ok(None),
            Some(freq) => return Err(("freq", format!("'{freq}' is not WEEKLY or MONTHLY"))),
        }
        let (opens, closes) = match (self.opens_at.as_deref(), self.closes_at.as_deref()) {
            (None, None) => return Ok(None),
            (Some(_), None) => return Err(("closes_at", "missing: opens_at is given".into())),
            (None, Some(_)) => return Err(("opens_at", "missing: closes_at is given".into())),
            (Some(o), Some(c)) => (
                parse_time(o).ok_or(("opens_at", format!("'{o}' is not a time (HH:MM or HH:MM:SS)")))?,
                parse_time(c).ok_or(("closes_at", format!("'{c}' is not a time (HH:MM or HH:MM:SS)")))?,
            ),
        };
        if closes <= opens {
            return Err(("closes_at", format!("{closes} is not after opens_at {opens}")));
        }
        let days = match self.byday.as_deref() {
            None => DAY_CODES.iter().map(|(_, d)| *d).collect(),
            Some(list) => list
                .split(',')
                .map(|code| {
                    let code = code.trim();
                    DAY_CODES
                        .iter()
                        .find(|(c, _)| *c == code)
                        .map(|(_, d)| *d)
                        .ok_or(("byday", format!("'{code}' is not a day (MO, TU, WE, TH, FR, SA, SU)")))
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let date = |field: &'static str, value: &Option<String>| match value.as_deref() {
            None => Ok(None),
            Some(v) => parse_date(v).map(Some).ok_or((field, format!("'{v}' is not a date (YYYY-MM-DD)"))),
        };
        Ok(Some(Opening {
            days,
            opens,
            closes,
            valid_from: date("valid_from", &self.valid_from)?,
            valid_to: date("valid_to", &self.valid_to)?,
        }))
    }
}

impl Opening {
    fn applies_on(&self, day: Date) -> bool {
        self.days.contains(&day.weekday())
            && self.valid_from.is_none_or(|f| day >= f)
            && self.valid_to.is_none_or(|t| day <= t)
    }
}

/// Whether a service is open at a moment, as a person wants to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenState {
    /// Open now; closes at this time today.
    OpenUntil(Time),
    /// Closed now; opens next on this day at this time (within a week).
    ClosedUntil(Weekday, Time, bool),
    /// No hours are known.
    Unknown,
    /// Hours are known but it does not open in the coming week (closure).
    Closed,
}

/// Italian time (CET, CEST from the last Sunday of March to the last Sunday of October,
/// switching at 01:00 UTC, as in the whole European Union).
pub fn italian_time(utc: OffsetDateTime) -> PrimitiveDateTime {
    let year = utc.year();
    let last_sunday = |month: Month| {
        let mut day = Date::from_calendar_date(year, month, 31).expect("March and October have 31 days");
        while day.weekday() != Weekday::Sunday {
            day = day.previous_day().expect("within the year");
        }
        PrimitiveDateTime::new(day, Time::from_hms(1, 0, 0).expect("valid"))
    };
    let naive = PrimitiveDateTime::new(utc.date(), utc.time());
    let summer = naive >= last_sunday(Month::March) && naive < last_sunday(Month::October);
    let local = utc.to_offset(UtcOffset::from_hms(if summer { 2 } else { 1 }, 0, 0).expect("valid offset"));
    PrimitiveDateTime::new(local.date(), local.time())
}

/// Easter Sunday (Meeus/Jones/Butcher Gregorian algorithm).
fn easter(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::from_calendar_date(year, Month::try_from(month as u8).expect("3 or 4"), day as u8).expect("valid Easter")
}

/// Italian national public holidays (offices are closed).
pub fn is_public_holiday(day: Date) -> bool {
    const FIXED: [(u8, u8); 10] =
        [(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)];
    let (m, d) = (day.month() as u8, day.day());
    FIXED.contains(&(m, d)) || day == easter(day.year()) + Duration::days(1) || day == easter(day.year())
}

fn closed_on(day: Date, closures: &[Closure]) -> bool {
    is_public_holiday(day)
        || closures.iter().any(|c| match (parse_date(&c.from), parse_date(&c.to)) {
            (Some(f), Some(t)) => day >= f && day <= t,
            _ => false,
        })
}

/// The state of a service at `now` (Italian time) from its schedules and closures.
pub fn open_state<'a>(
    schedules: impl IntoIterator<Item = &'a Schedule>,
    closures: &[Closure],
    now: PrimitiveDateTime,
) -> OpenState {
    let openings: Vec<Opening> = schedules.into_iter().filter_map(|s| s.opening().ok().flatten()).collect();
    if openings.is_empty() {
        return OpenState::Unknown;
    }
    let today = now.date();
    if !closed_on(today, closures) {
        // The latest closing among the openings that hold now (two shifts may touch).
        let closing = openings
            .iter()
            .filter(|o| o.applies_on(today) && o.opens <= now.time() && now.time() < o.closes)
            .map(|o| o.closes)
            .max();
        if let Some(closes) = closing {
            return OpenState::OpenUntil(closes);
        }
    }
    for ahead in 0..8 {
        let day = today + Duration::days(ahead);
        if closed_on(day, closures) {
            continue;
        }
        let next =
            openings.iter().filter(|o| o.applies_on(day) && (ahead > 0 || o.opens > now.time())).map(|o| o.opens).min();
        if let Some(opens) = next {
            return OpenState::ClosedUntil(day.weekday(), opens, ahead == 0);
        }
    }
    OpenState::Closed
}

/// Days of an opening as their HSDS codes (for forms and exports).
pub fn day_code(day: Weekday) -> &'static str {
    DAY_CODES.iter().find(|(_, d)| *d == day).map(|(c, _)| *c).expect("every weekday has a code")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn office() -> Vec<Schedule> {
        vec![
            Schedule {
                freq: Some("WEEKLY".into()),
                byday: Some("MO,TU,WE,TH,FR".into()),
                opens_at: Some("08:30".into()),
                closes_at: Some("12:30".into()),
                ..Default::default()
            },
            Schedule {
                byday: Some("TU,TH".into()),
                opens_at: Some("14:30:00".into()),
                closes_at: Some("17:30:00".into()),
                ..Default::default()
            },
        ]
    }

    #[test]
    fn open_now_and_next_opening() {
        let s = office();
        // Thursday 26 November 2026.
        assert_eq!(open_state(&s, &[], datetime!(2026-11-26 10:00)), OpenState::OpenUntil(time::macros::time!(12:30)));
        assert_eq!(
            open_state(&s, &[], datetime!(2026-11-26 13:00)),
            OpenState::ClosedUntil(Weekday::Thursday, time::macros::time!(14:30), true)
        );
        // Friday afternoon: next is Monday morning.
        assert_eq!(
            open_state(&s, &[], datetime!(2026-11-27 15:00)),
            OpenState::ClosedUntil(Weekday::Monday, time::macros::time!(8:30), false)
        );
        // Tuesday 8 December is a public holiday: closed, opens on Wednesday.
        assert_eq!(
            open_state(&s, &[], datetime!(2026-12-08 10:00)),
            OpenState::ClosedUntil(Weekday::Wednesday, time::macros::time!(8:30), false)
        );
        let summer = [Closure { from: "2026-08-01".into(), to: "2026-08-31".into(), reason: None }];
        assert_eq!(open_state(&s, &summer, datetime!(2026-08-05 10:00)), OpenState::Closed);
        assert_eq!(open_state(&[], &[], datetime!(2026-08-05 10:00)), OpenState::Unknown);
    }

    #[test]
    fn bad_schedules_name_the_field() {
        let bad = Schedule {
            byday: Some("MO,XX".into()),
            opens_at: Some("9:00".into()),
            closes_at: Some("12:00".into()),
            ..Default::default()
        };
        assert_eq!(bad.opening().unwrap_err().0, "byday");
        let bad = Schedule { opens_at: Some("25:00".into()), closes_at: Some("12:00".into()), ..Default::default() };
        assert_eq!(bad.opening().unwrap_err().0, "opens_at");
        let bad = Schedule { opens_at: Some("13:00".into()), closes_at: Some("12:00".into()), ..Default::default() };
        assert_eq!(bad.opening().unwrap_err().0, "closes_at");
        let bad = Schedule { freq: Some("DAILY".into()), ..Default::default() };
        assert_eq!(bad.opening().unwrap_err().0, "freq");
    }

    #[test]
    fn italian_time_follows_summer_time() {
        assert_eq!(italian_time(datetime!(2026-07-01 10:00 UTC)), datetime!(2026-07-01 12:00));
        assert_eq!(italian_time(datetime!(2026-11-26 10:00 UTC)), datetime!(2026-11-26 11:00));
        assert_eq!(easter(2026), date!(2026 - 04 - 05));
        assert!(is_public_holiday(date!(2026 - 04 - 06)));
    }
}
