//! The packed-record format of the paged queries (`snapshot.rs`): how the
//! database writes records into one text value, and how Rust reads them back.
//!
//! Fields are separated by [`FIELD`], records by [`RECORD`]: control
//! characters, which no identifier, date, amount, currency, stage or e-mail
//! address can contain. Free text (a name, an owner, a dispute) is written as
//! `length:text`, so it may contain anything, separators included. A NULL
//! column packs as an empty field (`concat` treats NULL as empty on both
//! backends). Dates are ISO (`YYYY-MM-DD`: SQLite stores them so, and sqlx sets
//! PostgreSQL's DateStyle to ISO); amounts are plain decimals.

use super::rows::corrupt;
use super::{Result, StoreError};
use crate::domain::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

/// Separates the fields of a record.
pub const FIELD: char = '\u{1f}';
/// Separates the records of a list.
pub const RECORD: char = '\u{1e}';

/// `concat(a, '␟', b, …)`, NULL columns packing as empty fields on both backends.
pub fn packed(columns: &[&str]) -> String {
    format!("concat({})", columns.join(&format!(", '{FIELD}', ")))
}

/// A free-text column as `length:text` (`:` alone for NULL).
pub fn counted(column: &str) -> String {
    format!("length({column}), ':', {column}")
}

/// Where a [`Cursor`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    ListStart,
    /// Inside a record, before one of its fields.
    Field,
    /// After the last field of a record.
    RecordEnd,
}

/// Reads packed records field by field.
pub struct Cursor<'a> {
    rest: &'a str,
    at: At,
}

impl<'a> Cursor<'a> {
    pub fn new(list: &'a str) -> Self {
        Self { rest: list, at: At::ListStart }
    }

    /// Moves to the next record; false when the list is done.
    pub fn next_record(&mut self) -> Result<bool> {
        match self.at {
            At::ListStart if self.rest.is_empty() => return Ok(false),
            At::ListStart => {}
            At::Field => return Err(self.corrupt("a record has too many fields")),
            At::RecordEnd => match self.rest.strip_prefix(RECORD) {
                Some(rest) => self.rest = rest,
                None => return Ok(false),
            },
        }
        self.at = At::Field;
        Ok(true)
    }

    fn corrupt(&self, why: &str) -> StoreError {
        let near: String = self.rest.chars().take(40).collect();
        corrupt(format!("{why} near {near:?}"))
    }

    /// Consumes the separator after a field, noting the end of the record.
    fn after_field(&mut self) {
        match self.rest.strip_prefix(FIELD) {
            Some(rest) => self.rest = rest,
            None => self.at = At::RecordEnd,
        }
    }

    pub fn text(&mut self) -> Result<&'a str> {
        if self.at != At::Field {
            return Err(self.corrupt("a record is short of fields"));
        }
        let end = self.rest.find([FIELD, RECORD]).unwrap_or(self.rest.len());
        let (field, rest) = self.rest.split_at(end);
        self.rest = rest;
        self.after_field();
        Ok(field)
    }

    /// An empty field is a NULL column.
    pub fn opt_text(&mut self) -> Result<Option<&'a str>> {
        Ok(Some(self.text()?).filter(|t| !t.is_empty()))
    }

    /// A `length:text` field; `:` alone is NULL.
    pub fn counted(&mut self) -> Result<Option<&'a str>> {
        if self.at != At::Field {
            return Err(self.corrupt("a record is short of fields"));
        }
        let (length, rest) = self.rest.split_once(':').ok_or_else(|| self.corrupt("a counted field has no length"))?;
        if length.is_empty() {
            self.rest = rest;
            self.after_field();
            return Ok(None);
        }
        let chars: usize = length.parse().map_err(|_| self.corrupt("a counted field has a bad length"))?;
        let end = rest.char_indices().nth(chars).map_or(rest.len(), |(i, _)| i);
        if rest[..end].chars().count() != chars {
            return Err(self.corrupt("a counted field is cut short"));
        }
        self.rest = &rest[end..];
        if !(self.rest.is_empty() || self.rest.starts_with([FIELD, RECORD])) {
            return Err(self.corrupt("a counted field is longer than its length"));
        }
        self.after_field();
        Ok(Some(&rest[..end]))
    }

    pub fn date(&mut self) -> Result<NaiveDate> {
        date(self.text()?)
    }

    pub fn opt_date(&mut self) -> Result<Option<NaiveDate>> {
        self.opt_text()?.map(date).transpose()
    }

    /// Amounts come back as `1200.5` from SQLite and `1200.5000` from PostgreSQL.
    pub fn money(&mut self) -> Result<Decimal> {
        let text = self.text()?;
        Decimal::from_str_exact(text).map(|d| d.normalize()).map_err(|e| corrupt(format!("amount {text:?}: {e}")))
    }

    pub fn parsed<T, E: std::fmt::Display>(&mut self, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T> {
        parse(self.text()?).map_err(corrupt)
    }

    pub fn opt_parsed<T, E: std::fmt::Display>(
        &mut self,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>> {
        self.opt_text()?.map(|t| parse(t).map_err(corrupt)).transpose()
    }
}

/// `YYYY-MM-DD`, read by hand: chrono's general parser costs more than the
/// rest of an invoice record. Other shapes go to chrono.
pub fn date(text: &str) -> Result<NaiveDate> {
    let b = text.as_bytes();
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    let fast = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| NaiveDate::from_ymd_opt(i32::try_from(number(0..4)?).ok()?, number(5..7)?, number(8..10)?))
        .flatten();
    fast.map_or_else(|| NaiveDate::from_str(text).map_err(|e| corrupt(format!("date {text:?}: {e}"))), Ok)
}

/// The last currency read: nearly every invoice of a ledger has the same one.
#[derive(Default)]
pub struct CurrencyCache(Option<(String, Currency)>);

impl CurrencyCache {
    pub fn parse(&mut self, code: &str) -> Result<Currency> {
        match &self.0 {
            Some((text, currency)) if text == code => Ok(*currency),
            _ => {
                let currency = Currency::parse(code).map_err(corrupt)?;
                self.0 = Some((code.to_string(), currency));
                Ok(currency)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_counted_text_read_back() {
        let mut rows = Cursor::new("a\u{1f}\u{1f}4:x\u{1e}y\u{1f}\u{1f}:\u{1e}b\u{1f}2026-03-01\u{1f}0:\u{1f}10.50");
        assert!(rows.next_record().unwrap());
        assert_eq!((rows.text().unwrap(), rows.opt_text().unwrap()), ("a", None));
        assert_eq!((rows.counted().unwrap(), rows.counted().unwrap()), (Some("x\u{1e}y\u{1f}"), None));
        assert!(rows.next_record().unwrap());
        assert_eq!(rows.text().unwrap(), "b");
        assert_eq!(rows.date().unwrap(), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert_eq!(rows.counted().unwrap(), Some(""));
        assert_eq!(rows.money().unwrap().to_string(), "10.5");
        assert!(!rows.next_record().unwrap());
        assert!(!Cursor::new("").next_record().unwrap());
    }

    #[test]
    fn malformed_records_are_refused() {
        let mut rows = Cursor::new("3:ab");
        assert!(rows.next_record().unwrap());
        assert!(rows.counted().is_err(), "cut short");
        let mut rows = Cursor::new("a\u{1f}b");
        rows.next_record().unwrap();
        rows.text().unwrap();
        assert!(rows.next_record().is_err(), "a field left over");
        let mut rows = Cursor::new("a");
        rows.next_record().unwrap();
        rows.text().unwrap();
        let error = rows.text().unwrap_err().to_string();
        assert_eq!(error, "stored data is corrupt: a record is short of fields near \"\"");
    }

    #[test]
    fn dates_are_read_by_hand_or_refused() {
        assert_eq!(date("2024-02-29").unwrap(), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert!(date("2023-02-29").is_err());
        assert!(date("2023-0a-01").is_err());
    }
}
