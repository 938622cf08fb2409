//! When reminders may leave: business days, inside the sending window
//! (`sending.window`, 09:00–18:00 local time by default). A reminder
//! e-mailed at 23:00 or on a Sunday reads as automated and is answered
//! late; the seeds advise sending in office hours.

use crate::policy::Calendar;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Local opening hours for sending, `start` included, `end` excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Default for SendWindow {
    fn default() -> Self {
        Self { start: hm(9, 0), end: hm(18, 0) }
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("a valid time")
}

impl SendWindow {
    /// `None` when sending is allowed at `now`; otherwise the next instant it
    /// is (the window's start on this or the next business day).
    pub fn next_opening(&self, now: DateTime<Utc>, tz: Tz, calendar: &Calendar) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&tz);
        let (today, time) = (local.date_naive(), local.time());
        if calendar.is_business_day(today) && self.start <= time && time < self.end {
            return None;
        }
        let day = if calendar.is_business_day(today) && time < self.start {
            today
        } else {
            calendar.on_or_after(today.succ_opt().unwrap_or(today))
        };
        Some(self.opening_of(day, tz))
    }

    /// The window's start on `day`, as an instant.
    fn opening_of(&self, day: NaiveDate, tz: Tz) -> DateTime<Utc> {
        let local = day.and_time(self.start);
        let instant = tz.from_local_datetime(&local).earliest();
        // A start inside a DST gap (02:30 on the last Sunday of March) is never a business day's 09:00; an hour later exists.
        instant.unwrap_or_else(|| tz.from_utc_datetime(&local)).with_timezone(&Utc)
    }
}

/// Why a window was refused: names the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a sending window: expected HH:MM-HH:MM, the start before the end (e.g. \"09:00-18:00\")")]
pub struct BadWindow(pub String);

impl FromStr for SendWindow {
    type Err = BadWindow;

    fn from_str(text: &str) -> Result<Self, BadWindow> {
        let bad = || BadWindow(text.to_string());
        let (start, end) = text.split_once('-').ok_or_else(bad)?;
        let parse = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
        let (start, end) = (parse(start)?, parse(end)?);
        if start >= end {
            return Err(bad());
        }
        Ok(Self { start, end })
    }
}

impl fmt::Display for SendWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

impl Serialize for SendWindow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SendWindow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Region;
    use chrono_tz::Europe::Paris;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Paris.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_window_opens_on_business_days_in_local_time() {
        let (w, cal) = (SendWindow::default(), Calendar::new(Region::Metropole));
        // Monday 16 March 2026.
        assert_eq!(w.next_opening(at(2026, 3, 16, 9, 0), Paris, &cal), None);
        assert_eq!(w.next_opening(at(2026, 3, 16, 17, 59), Paris, &cal), None);
        assert_eq!(w.next_opening(at(2026, 3, 16, 8, 59), Paris, &cal), Some(at(2026, 3, 16, 9, 0)));
        assert_eq!(w.next_opening(at(2026, 3, 16, 18, 0), Paris, &cal), Some(at(2026, 3, 17, 9, 0)));
        // Friday evening → Monday; Saturday → Monday.
        assert_eq!(w.next_opening(at(2026, 3, 20, 19, 0), Paris, &cal), Some(at(2026, 3, 23, 9, 0)));
        assert_eq!(w.next_opening(at(2026, 3, 21, 10, 0), Paris, &cal), Some(at(2026, 3, 23, 9, 0)));
        // Easter Monday 2026 (6 April) is a public holiday: Tuesday.
        assert_eq!(w.next_opening(at(2026, 4, 6, 10, 0), Paris, &cal), Some(at(2026, 4, 7, 9, 0)));
        // 1 May 2026 is a Friday holiday: Thursday evening → Monday 4 May.
        assert_eq!(w.next_opening(at(2026, 4, 30, 18, 30), Paris, &cal), Some(at(2026, 5, 4, 9, 0)));
    }

    #[test]
    fn windows_are_read_and_refused_with_the_value() {
        let w: SendWindow = "08:30-17:45".parse().unwrap();
        assert_eq!(w.to_string(), "08:30-17:45");
        for bad in ["18:00-09:00", "9h-18h", "09:00", "09:00-09:00"] {
            let err = bad.parse::<SendWindow>().unwrap_err().to_string();
            assert!(err.contains(bad), "{err}");
        }
    }
}
