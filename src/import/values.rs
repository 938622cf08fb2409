//! Dates and amounts as French spreadsheets write them.
//!
//! Each parser works on one trimmed cell, allocates nothing on the happy path
//! (a million invoice rows go through here), and returns a short reason on
//! failure that the caller prefixes with the column name and the raw value.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The most decimals an amount may carry. Bank exports sometimes have four
/// (unit prices, currency conversions); more is almost always a mangled cell.
const MAX_DECIMALS: u32 = 4;

/// Enough for any real amount with its grouping separators; longer is garbage.
const MAX_AMOUNT_LEN: usize = 48;

/// Reads `2026-03-01` (ISO), `01/03/2026` or `1/3/2026` (day first, as in France).
///
/// A well-formed but impossible date (`31/02/2026`) gets its own reason, so the
/// user is not told to change a format that is already right.
pub fn parse_date(cell: &str) -> Result<NaiveDate, &'static str> {
    let (year, month, day) = if let Some(parts) = split3(cell, '-') {
        (parts.0, parts.1, parts.2)
    } else if let Some(parts) = split3(cell, '/') {
        (parts.2, parts.1, parts.0)
    } else {
        return Err(DATE_FORMATS);
    };
    let year = digits(year, 4, 4).ok_or(DATE_FORMATS)?;
    let month = digits(month, 1, 2).ok_or(DATE_FORMATS)?;
    let day = digits(day, 1, 2).ok_or(DATE_FORMATS)?;
    NaiveDate::from_ymd_opt(year as i32, month, day).ok_or("no such date")
}

const DATE_FORMATS: &str = "not a date (expected 2026-03-31 or 31/03/2026)";

/// Splits `a<sep>b<sep>c` into exactly three parts.
fn split3(text: &str, sep: char) -> Option<(&str, &str, &str)> {
    let mut parts = text.split(sep);
    let found = (parts.next()?, parts.next()?, parts.next()?);
    parts.next().is_none().then_some(found)
}

/// An unsigned number of `min..=max` ASCII digits.
fn digits(text: &str, min: usize, max: usize) -> Option<u32> {
    let ok = (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0')))
}

/// Reads an amount the way accounting tools and Excel write it: `2400.00`,
/// `2400,00`, `2 400,00 €` (with ordinary, no-break or narrow no-break
/// spaces), `1.234,56`, `1,234.56`, `EUR 12`. Exact: digits go straight into
/// a [`Decimal`] mantissa, never through a float.
///
/// A single `,` or `.` is the decimal separator (French files write
/// `1234,5`); when both appear the last one is, and the other must group
/// digits by three. The result is negative when written with a `-`; the
/// callers decide whether that is allowed.
pub fn parse_amount(cell: &str) -> Result<Decimal, &'static str> {
    let text = strip_currency(cell);
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, strip_currency(rest)),
        None => (false, text),
    };
    let mut buf = [0u8; MAX_AMOUNT_LEN];
    let len = compact(text, &mut buf)?;
    let compact = &buf[..len];
    let (int_part, frac_part) = split_decimal(compact)?;
    let mut mantissa: i128 = 0;
    for &b in int_part.iter().chain(frac_part) {
        if b.is_ascii_digit() {
            mantissa = mantissa.checked_mul(10).and_then(|m| m.checked_add(i128::from(b - b'0'))).ok_or(TOO_LARGE)?;
        }
    }
    if negative {
        mantissa = -mantissa;
    }
    let amount = Decimal::try_from_i128_with_scale(mantissa, frac_part.len() as u32).map_err(|_| TOO_LARGE)?;
    Ok(canonical(amount))
}

const NOT_AN_AMOUNT: &str = "not an amount (expected 2400.00, 2 400,00 or 2 400,00 €)";
const TOO_LARGE: &str = "amount too large";

/// The same amount written the same way whichever file it came from:
/// `500`, `500,0` and `500.00` all become `500.00`. The store keys payments
/// on their amount, so a bank export and a spreadsheet must agree.
pub(crate) fn canonical(amount: Decimal) -> Decimal {
    let mut amount = amount.normalize();
    if amount.scale() < 2 {
        amount.rescale(2);
    }
    amount
}

/// Removes a currency symbol or code before or after the number (`€`, `EUR`).
fn strip_currency(text: &str) -> &str {
    let text = text.trim_matches(is_space);
    let text = text.strip_suffix('€').unwrap_or(text);
    let text = text.strip_prefix('€').unwrap_or(text);
    let text = match text.len().checked_sub(3) {
        Some(at) if text.is_char_boundary(at) && text[at..].eq_ignore_ascii_case("EUR") => &text[..at],
        _ => text,
    };
    let text = match text.get(..3) {
        Some(code) if code.eq_ignore_ascii_case("EUR") => &text[3..],
        _ => text,
    };
    text.trim_matches(is_space)
}

/// Spaces people and spreadsheets put between thousands: ordinary, no-break
/// (U+00A0, Excel FR) and narrow no-break (U+202F, recent French locales).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{202f}')
}

/// Copies the digits and separators into `buf`, dropping spaces; refuses
/// anything else (a letter, a second sign, a stray symbol).
fn compact(text: &str, buf: &mut [u8; MAX_AMOUNT_LEN]) -> Result<usize, &'static str> {
    let mut len = 0;
    for c in text.chars() {
        if is_space(c) {
            continue;
        }
        if !(c.is_ascii_digit() || c == ',' || c == '.') {
            return Err(NOT_AN_AMOUNT);
        }
        *buf.get_mut(len).ok_or(NOT_AN_AMOUNT)? = c as u8;
        len += 1;
    }
    if len == 0 {
        return Err(NOT_AN_AMOUNT);
    }
    Ok(len)
}

/// Splits a compacted amount into its integer part (possibly with thousands
/// separators, checked here) and its fraction digits.
fn split_decimal(text: &[u8]) -> Result<(&[u8], &[u8]), &'static str> {
    let commas = text.iter().filter(|&&b| b == b',').count();
    let dots = text.iter().filter(|&&b| b == b'.').count();
    let last = |sep: u8| text.iter().rposition(|&b| b == sep);
    let decimal_at = match (commas, dots) {
        (0, 0) => None,
        (1, 0) => last(b','),
        (0, 1) => last(b'.'),
        (_, 0) | (0, _) => None,
        _ => last(b',').max(last(b'.')),
    };
    let (int_part, frac_part) = match decimal_at {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, &text[..0]),
    };
    if int_part.is_empty() || (decimal_at.is_some() && frac_part.is_empty()) {
        return Err(NOT_AN_AMOUNT);
    }
    if !frac_part.iter().all(u8::is_ascii_digit) {
        return Err(NOT_AN_AMOUNT);
    }
    if frac_part.len() > MAX_DECIMALS as usize {
        return Err("more than 4 decimals");
    }
    check_grouping(int_part)?;
    Ok((int_part, frac_part))
}

/// Thousands separators must split the integer part into groups of three
/// (`1.234.567`); anything else (`12.34.5`) is a mangled cell, not a number.
fn check_grouping(int_part: &[u8]) -> Result<(), &'static str> {
    let Some(sep) = int_part.iter().copied().find(|b| !b.is_ascii_digit()) else {
        return Ok(());
    };
    let mut groups = int_part.split(|&b| b == sep);
    let first = groups.next().unwrap_or_default();
    let first_ok = (1..=3).contains(&first.len()) && first.iter().all(u8::is_ascii_digit);
    let rest_ok = groups.all(|g| g.len() == 3 && g.iter().all(u8::is_ascii_digit));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(NOT_AN_AMOUNT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn iso_dates() {
        assert_eq!(parse_date("2026-03-01"), Ok(date(2026, 3, 1)));
    }

    #[test]
    fn french_dates_are_day_first() {
        assert_eq!(parse_date("01/03/2026"), Ok(date(2026, 3, 1)));
        assert_eq!(parse_date("1/3/2026"), Ok(date(2026, 3, 1)));
        assert_eq!(parse_date("31/12/2026"), Ok(date(2026, 12, 31)));
    }

    #[test]
    fn impossible_dates_are_named_as_such() {
        assert_eq!(parse_date("31/02/2026"), Err("no such date"));
        assert_eq!(parse_date("2026-02-29"), Err("no such date"));
        assert_eq!(parse_date("01/13/2026"), Err("no such date"));
        assert_eq!(parse_date("29/02/2028"), Ok(date(2028, 2, 29)));
    }

    #[test]
    fn malformed_dates_name_the_formats() {
        for bad in ["", "2026/03/01", "01/03/26", "1er mars 2026", "01/03/2026/1", "2026-3", "01-03-2026"] {
            assert_eq!(parse_date(bad), Err(DATE_FORMATS), "{bad:?}");
        }
    }

    #[test]
    fn amounts_with_dot_or_comma_decimals() {
        assert_eq!(parse_amount("2400.00"), Ok(dec!(2400.00)));
        assert_eq!(parse_amount("2400,00"), Ok(dec!(2400.00)));
        assert_eq!(parse_amount("2400,5"), Ok(dec!(2400.50)));
        assert_eq!(parse_amount("2400"), Ok(dec!(2400.00)));
    }

    #[test]
    fn amounts_keep_two_decimals_at_least_and_four_at_most() {
        assert_eq!(parse_amount("2400").unwrap().to_string(), "2400.00");
        assert_eq!(parse_amount("0,1").unwrap().to_string(), "0.10");
        assert_eq!(parse_amount("1,2345").unwrap().to_string(), "1.2345");
        assert_eq!(parse_amount("1,2300").unwrap().to_string(), "1.23");
        assert_eq!(parse_amount("1,23456"), Err("more than 4 decimals"));
    }

    #[test]
    fn amounts_with_space_thousands_and_currency() {
        assert_eq!(parse_amount("2 400,00"), Ok(dec!(2400.00)));
        assert_eq!(parse_amount("2 400,00 €"), Ok(dec!(2400.00)));
        assert_eq!(parse_amount("2\u{a0}400,00\u{a0}€"), Ok(dec!(2400.00)));
        assert_eq!(parse_amount("2\u{202f}400,00\u{202f}€"), Ok(dec!(2400.00)));
        assert_eq!(parse_amount("1 234 567,89"), Ok(dec!(1234567.89)));
        assert_eq!(parse_amount("€2400"), Ok(dec!(2400.00)));
        assert_eq!(parse_amount("EUR 2 400,00"), Ok(dec!(2400.00)));
        assert_eq!(parse_amount("2400,00 eur"), Ok(dec!(2400.00)));
    }

    #[test]
    fn amounts_with_dot_or_comma_thousands() {
        assert_eq!(parse_amount("1.234,56"), Ok(dec!(1234.56)));
        assert_eq!(parse_amount("1,234.56"), Ok(dec!(1234.56)));
        assert_eq!(parse_amount("1.234.567,89"), Ok(dec!(1234567.89)));
        assert_eq!(parse_amount("1,234,567"), Ok(dec!(1234567.00)));
        assert_eq!(parse_amount("1.234.567"), Ok(dec!(1234567.00)));
    }

    #[test]
    fn amounts_are_exact() {
        // 0.1 + 0.2 would not be 0.3 through a float.
        let sum = parse_amount("0,1").unwrap() + parse_amount("0.2").unwrap();
        assert_eq!(sum, dec!(0.3));
        assert_eq!(parse_amount("12345678901234567890,12").unwrap().to_string(), "12345678901234567890.12");
    }

    #[test]
    fn negative_amounts_are_read_as_negative() {
        assert_eq!(parse_amount("-2 400,00 €"), Ok(dec!(-2400.00)));
        assert_eq!(parse_amount("-€12"), Ok(dec!(-12.00)));
    }

    #[test]
    fn garbage_is_not_an_amount() {
        for bad in ["", "€", "abc", "12a", "1,2,3.4.5", "12.34.5", "1.23,4,5", "2400,", ",5", "--3"]
            .into_iter()
            .chain([&*"9".repeat(60)])
        {
            assert_eq!(parse_amount(bad), Err(NOT_AN_AMOUNT), "{bad:?}");
        }
        assert_eq!(parse_amount("1$"), Err(NOT_AN_AMOUNT));
        assert_eq!(parse_amount("99999999999999999999999999999999999999999"), Err(TOO_LARGE));
    }
}
