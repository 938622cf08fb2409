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
        holidays(date.year(), self.region)
            .into_iter()
            .find(|(day, _)| *day == date)
            .map(|(_, name)| name)
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
