//! One cell to one typed value, with the reason a user can act on.
//!
//! Reasons read like the domain's `InvalidValue` (`email "x": has no @`),
//! but name the file's column rather than the type, because the column is
//! what the user will look for in the spreadsheet.

use super::values::{parse_amount, parse_date};
use crate::domain::InvalidValue;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

/// `{column} {value:?}: {why}`.
pub fn invalid(column: &str, cell: &str, why: &str) -> String {
    format!("{column} {cell:?}: {why}")
}

/// A required cell left empty.
pub fn empty(column: &str) -> String {
    format!("{column} is empty")
}

/// A required value read with a domain parser (identifiers).
pub fn required<T>(column: &str, cell: &str, parse: fn(&str) -> Result<T, InvalidValue>) -> Result<T, String> {
    if cell.is_empty() {
        return Err(empty(column));
    }
    parse(cell).map_err(|e| invalid(column, cell, e.why))
}

/// An optional value read with a domain parser: an empty cell is `None`.
pub fn optional<T>(column: &str, cell: &str, parse: fn(&str) -> Result<T, InvalidValue>) -> Result<Option<T>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    parse(cell).map(Some).map_err(|e| invalid(column, cell, e.why))
}

/// Free text that must be present (a client's name).
pub fn text(column: &str, cell: &str) -> Result<String, String> {
    if cell.is_empty() {
        return Err(empty(column));
    }
    Ok(cell.to_string())
}

/// A keyword (`segment`, `language`, `kind`); an empty cell is the default.
pub fn keyword<T: FromStr<Err = String> + Default>(column: &str, cell: &str) -> Result<T, String> {
    if cell.is_empty() {
        return Ok(T::default());
    }
    cell.parse().map_err(|why: String| invalid(column, cell, &why))
}

/// A required date.
pub fn date(column: &str, cell: &str) -> Result<NaiveDate, String> {
    if cell.is_empty() {
        return Err(empty(column));
    }
    parse_date(cell).map_err(|why| invalid(column, cell, why))
}

/// A required amount, zero or more.
pub fn amount(column: &str, cell: &str) -> Result<Decimal, String> {
    if cell.is_empty() {
        return Err(empty(column));
    }
    let value = parse_amount(cell).map_err(|why| invalid(column, cell, why))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(invalid(column, cell, "negative amount"));
    }
    Ok(value)
}

/// An optional amount, zero when the cell is empty (`paid`).
pub fn amount_or_zero(column: &str, cell: &str) -> Result<Decimal, String> {
    if cell.is_empty() {
        return Ok(Decimal::ZERO);
    }
    amount(column, cell)
}

/// Collects every problem of a row, so the user fixes a row once.
#[derive(Default)]
pub struct Problems(Vec<String>);

impl Problems {
    /// The value, or `None` with its reason recorded.
    pub fn take<T>(&mut self, result: Result<T, String>) -> Option<T> {
        result.map_err(|reason| self.0.push(reason)).ok()
    }

    pub fn push(&mut self, reason: String) {
        self.0.push(reason);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All the reasons, in column order, on one line.
    pub fn reason(&self) -> String {
        self.0.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EmailAddress, Segment};
    use rust_decimal_macros::dec;

    #[test]
    fn reasons_name_the_column_and_the_value() {
        assert_eq!(
            optional("cc", "compta@acme", EmailAddress::parse).unwrap_err(),
            "cc \"compta@acme\": is not of the form name@domain.tld"
        );
        assert_eq!(date("due_date", "31/02/2026").unwrap_err(), "due_date \"31/02/2026\": no such date");
        assert_eq!(amount("amount", "-12,00").unwrap_err(), "amount \"-12,00\": negative amount");
        assert_eq!(
            keyword::<Segment>("segment", "vip").unwrap_err(),
            "segment \"vip\": expected one of standard strategic"
        );
    }

    #[test]
    fn empty_cells_are_defaults_or_errors() {
        assert_eq!(optional("email", "", EmailAddress::parse), Ok(None));
        assert_eq!(keyword::<Segment>("segment", ""), Ok(Segment::Standard));
        assert_eq!(amount_or_zero("paid", ""), Ok(dec!(0)));
        assert_eq!(amount("amount", "").unwrap_err(), "amount is empty");
        assert_eq!(text("name", "").unwrap_err(), "name is empty");
        // A negative zero is just zero.
        assert_eq!(amount("amount", "-0,00"), Ok(dec!(0.00)));
    }

    #[test]
    fn problems_are_joined_in_order() {
        let mut problems = Problems::default();
        assert_eq!(problems.take(Ok::<_, String>(1)), Some(1));
        assert_eq!(problems.take(Err::<i32, _>("first".to_string())), None);
        problems.push("second".into());
        assert_eq!(problems.reason(), "first; second");
    }
}
