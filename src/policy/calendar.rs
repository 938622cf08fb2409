//! Business days in France: weekends and public holidays, computed.
//!
//! Holidays are computed, not listed, so the bot keeps working in 2040:
//! fixed dates from the Code du travail (L3133-1) and the moving ones from
//! Easter Sunday (Meeus/Jones/Butcher Gregorian algorithm). Alsace-Moselle
//! adds Good Friday and 26 December (L3134-13).

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Which set of public holidays applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Metropolitan France.
    #[default]
    Metropole,
    /// Bas-Rhin, Haut-Rhin, Moselle: Good Friday and 26 December too.
    AlsaceMoselle,
}

/// The company's working calendar.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Calendar {
    pub region: Region,
    /// Extra days the company does not send anything (closing days, "ponts").
    pub closed_days: BTreeSet<NaiveDate>,
}

/// Easter Sunday of a Gregorian year.
pub fn easter_sunday(year: i32) -> NaiveDate {
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
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a valid date")
}

/// The public holidays of a year, with their French names, in date order.
pub fn holidays(year: i32, region: Region) -> Vec<(NaiveDate, &'static str)> {
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day).expect("fixed holidays are valid dates");
    let easter = easter_sunday(year);
    let after_easter = |days: i64| easter + chrono::Duration::days(days);
    let mut days = vec![
        (fixed(1, 1), "Jour de l'an"),
        (after_easter(1), "Lundi de Pâques"),
        (fixed(5, 1), "Fête du Travail"),
        (fixed(5, 8), "Victoire 1945"),
        (after_easter(39), "Ascension"),
        (after_easter(50), "Lundi de Pentecôte"),
        (fixed(7, 14), "Fête nationale"),
        (fixed(8, 15), "Assomption"),
        (fixed(11, 1), "Toussaint"),
        (fixed(11, 11), "Armistice 1918"),
        (fixed(12, 25), "Noël"),
    ];
    if region == Region::AlsaceMoselle {
        days.push((after_easter(-2), "Vendredi saint"));
        days.push((fixed(12, 26), "Saint-Étienne"));
    }
    days.sort();
    days
}

impl Calendar {
    pub fn new(region: Region) -> Self {
        Self { region, closed_days: BTreeSet::new() }
    }

    /// The holiday's name when `date` is a public holiday.
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&'static str> {
        holidays(date.year(), self.region).into_iter().find(|(day, _)| *day == date).map(|(_, name)| name)
    }

    /// Monday to Friday, not a public holiday, not a closing day.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
            && !self.closed_days.contains(&date)
            && self.holiday_name(date).is_none()
    }

    /// `date` itself when it is a business day, else the next one.
    pub fn on_or_after(&self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        while !self.is_business_day(day) {
            day = day + Days::new(1);
        }
        day
    }

    /// The business day `n` business days after `date` (n = 0: `on_or_after`).
    pub fn add_business_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut day = self.on_or_after(date);
        for _ in 0..n {
            day = self.on_or_after(day + Days::new(1));
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("test dates are valid")
    }

    /// Year, Easter Sunday, Easter Monday, Ascension, Whit Monday, Good Friday.
    /// Checked against two independent algorithms (python-dateutil's and Oudin's).
    const MOVING_FEASTS: [(i32, &str, &str, &str, &str, &str); 12] = [
        (2024, "2024-03-31", "2024-04-01", "2024-05-09", "2024-05-20", "2024-03-29"),
        (2025, "2025-04-20", "2025-04-21", "2025-05-29", "2025-06-09", "2025-04-18"),
        (2026, "2026-04-05", "2026-04-06", "2026-05-14", "2026-05-25", "2026-04-03"),
        (2027, "2027-03-28", "2027-03-29", "2027-05-06", "2027-05-17", "2027-03-26"),
        (2028, "2028-04-16", "2028-04-17", "2028-05-25", "2028-06-05", "2028-04-14"),
        (2029, "2029-04-01", "2029-04-02", "2029-05-10", "2029-05-21", "2029-03-30"),
        (2030, "2030-04-21", "2030-04-22", "2030-05-30", "2030-06-10", "2030-04-19"),
        (2031, "2031-04-13", "2031-04-14", "2031-05-22", "2031-06-02", "2031-04-11"),
        (2032, "2032-03-28", "2032-03-29", "2032-05-06", "2032-05-17", "2032-03-26"),
        (2033, "2033-04-17", "2033-04-18", "2033-05-26", "2033-06-06", "2033-04-15"),
        (2034, "2034-04-09", "2034-04-10", "2034-05-18", "2034-05-29", "2034-04-07"),
        (2035, "2035-03-25", "2035-03-26", "2035-05-03", "2035-05-14", "2035-03-23"),
    ];

    #[test]
    fn easter_sunday_matches_the_published_dates() {
        for (year, easter, ..) in MOVING_FEASTS {
            assert_eq!(easter_sunday(year), day(easter), "Easter {year}");
        }
    }

    #[test]
    fn moving_holidays_follow_easter() {
        let france = Calendar::new(Region::Metropole);
        for (year, _, monday, ascension, whit_monday, _) in MOVING_FEASTS {
            assert_eq!(france.holiday_name(day(monday)), Some("Lundi de Pâques"), "{year}");
            assert_eq!(france.holiday_name(day(ascension)), Some("Ascension"), "{year}");
            assert_eq!(france.holiday_name(day(whit_monday)), Some("Lundi de Pentecôte"), "{year}");
        }
    }

    #[test]
    fn metropolitan_france_has_eleven_holidays() {
        let days: Vec<NaiveDate> = holidays(2026, Region::Metropole).into_iter().map(|(d, _)| d).collect();
        let expected: Vec<NaiveDate> = [
            "2026-01-01",
            "2026-04-06",
            "2026-05-01",
            "2026-05-08",
            "2026-05-14",
            "2026-05-25",
            "2026-07-14",
            "2026-08-15",
            "2026-11-01",
            "2026-11-11",
            "2026-12-25",
        ]
        .into_iter()
        .map(day)
        .collect();
        assert_eq!(days, expected);
    }

    #[test]
    fn alsace_moselle_adds_good_friday_and_saint_stephen() {
        let france = Calendar::new(Region::Metropole);
        let alsace = Calendar::new(Region::AlsaceMoselle);
        for (year, _, _, _, _, good_friday) in MOVING_FEASTS {
            let good_friday = day(good_friday);
            let saint_stephen = NaiveDate::from_ymd_opt(year, 12, 26).unwrap();
            assert_eq!(alsace.holiday_name(good_friday), Some("Vendredi saint"), "{year}");
            assert_eq!(alsace.holiday_name(saint_stephen), Some("Saint-Étienne"), "{year}");
            assert_eq!(france.holiday_name(good_friday), None, "{year}");
            assert_eq!(france.holiday_name(saint_stephen), None, "{year}");
        }
        assert_eq!(holidays(2026, Region::AlsaceMoselle).len(), 13);
    }

    #[test]
    fn on_or_after_skips_weekends_and_holidays() {
        let france = Calendar::new(Region::Metropole);
        let cases = [
            ("2026-11-18", "2026-11-18", "a Wednesday is a business day"),
            ("2026-11-21", "2026-11-23", "Saturday → Monday"),
            ("2026-11-22", "2026-11-23", "Sunday → Monday"),
            ("2026-05-01", "2026-05-04", "Friday 1 May → Monday"),
            ("2026-05-14", "2026-05-15", "Thursday Ascension → Friday"),
            ("2026-07-14", "2026-07-15", "Tuesday 14 July → Wednesday"),
            ("2026-12-25", "2026-12-28", "Friday Christmas → Monday"),
        ];
        for (date, expected, why) in cases {
            assert_eq!(france.on_or_after(day(date)), day(expected), "{why}");
        }
        let alsace = Calendar::new(Region::AlsaceMoselle);
        assert_eq!(alsace.on_or_after(day("2026-04-03")), day("2026-04-07"), "Good Friday, weekend, Easter Monday");
        assert_eq!(alsace.on_or_after(day("2030-12-25")), day("2030-12-27"), "25 and 26 December");
    }

    #[test]
    fn closed_days_are_not_business_days() {
        let mut bridge = Calendar::new(Region::Metropole);
        // The "pont" between Ascension (Thursday 14 May 2026) and the weekend.
        bridge.closed_days.insert(day("2026-05-15"));
        assert!(!bridge.is_business_day(day("2026-05-15")));
        assert_eq!(bridge.on_or_after(day("2026-05-14")), day("2026-05-18"));
        assert!(Calendar::new(Region::Metropole).is_business_day(day("2026-05-15")));
    }

    #[test]
    fn add_business_days_counts_only_business_days() {
        let france = Calendar::new(Region::Metropole);
        let cases = [
            ("2026-11-18", 0, "2026-11-18"),
            ("2026-11-21", 0, "2026-11-23"),
            ("2026-11-18", 2, "2026-11-20"),
            ("2026-11-18", 5, "2026-11-25"),
            // Friday 8 May 2026 (holiday) + 5: from Monday 11, skipping Ascension (14).
            ("2026-05-08", 5, "2026-05-19"),
            // Wednesday 23 December 2026 + 5: Christmas and New Year's Day skipped.
            ("2026-12-23", 5, "2026-12-31"),
            ("2026-12-23", 6, "2027-01-04"),
        ];
        for (from, n, expected) in cases {
            assert_eq!(france.add_business_days(day(from), n), day(expected), "{from} + {n}");
        }
    }
}
