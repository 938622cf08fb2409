//! The one clock. Everything that depends on time asks it, so a user can
//! replay any day with `--now 2026-03-16T09:30:00+01:00`, `--date 2026-03-16`
//! or `RELANCE_NOW`.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The time in the company's timezone: real (it ticks), or replayed (fixed
/// at the instant asked for, so a whole command sees one moment).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// `None`: the real time, read at each call.
    replayed: Option<DateTime<Utc>>,
    tz: Tz,
}

/// The hour a `--date` replay stands for: the morning run.
const REPLAY_HOUR: u32 = 9;

impl Clock {
    /// The real time, unless `replay` (an RFC 3339 instant or a `YYYY-MM-DD`
    /// day, read as 09:00 local time) says otherwise.
    pub fn new(tz: Tz, replay: Option<&str>) -> Result<Self, String> {
        let replayed = match replay {
            None => None,
            Some(text) => Some(parse_instant(text.trim(), tz)?),
        };
        Ok(Self { replayed, tz })
    }

    /// The real time in `tz`.
    pub fn real(tz: Tz) -> Self {
        Self { replayed: None, tz }
    }

    /// A fixed clock, for tests.
    pub fn fixed(now: DateTime<Utc>, tz: Tz) -> Self {
        Self { replayed: Some(now), tz }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.replayed.unwrap_or_else(Utc::now)
    }

    /// Whether this clock replays a fixed moment (`--now`, `--date`).
    pub fn is_replayed(&self) -> bool {
        self.replayed.is_some()
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// Today in the company's timezone (a 23:30 UTC instant is already tomorrow in Paris).
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.tz).date_naive()
    }
}

fn parse_instant(text: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let morning = day.and_time(NaiveTime::from_hms_opt(REPLAY_HOUR, 0, 0).expect("valid time"));
        return tz
            .from_local_datetime(&morning)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("{text:?} does not exist in {tz}"));
    }
    Err(format!("{text:?} is neither an RFC 3339 instant (2026-03-16T09:30:00+01:00) nor a date (2026-03-16)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rfc3339_instant_is_replayed_in_the_company_timezone() {
        let clock = Clock::new(chrono_tz::Europe::Paris, Some("2026-03-15T23:30:00Z")).unwrap();
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
    }

    #[test]
    fn a_date_stands_for_nine_in_the_morning_local_time() {
        let clock = Clock::new(chrono_tz::Europe::Paris, Some("2026-07-01")).unwrap();
        assert_eq!(clock.now().to_rfc3339(), "2026-07-01T07:00:00+00:00");
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
    }

    #[test]
    fn nonsense_is_refused_with_the_expected_forms() {
        let err = Clock::new(chrono_tz::Europe::Paris, Some("tomorrow")).unwrap_err();
        assert!(err.contains("RFC 3339"), "{err}");
    }
}
