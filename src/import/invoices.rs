//! `invoices.csv`: what each client owes.
//!
//! Columns: number, client_id, issue_date, due_date, amount (required),
//! currency, paid, description, pdf. An empty currency is the default one,
//! an empty `paid` is zero.

use super::cells::{self, Problems};
use super::table::{Row, Schema};
use super::{drop_repeats, parse_rows, Parsed, RowError, UnreadableFile};
use crate::domain::{ClientId, Currency, Invoice, InvoiceNumber};
use std::collections::HashSet;

const SCHEMA: Schema = Schema {
    fields: &["number", "client_id", "issue_date", "due_date", "amount", "currency", "paid", "description", "pdf"],
    required: 5,
};
const NUMBER: usize = 0;
const CLIENT_ID: usize = 1;
const ISSUE_DATE: usize = 2;
const DUE_DATE: usize = 3;
const AMOUNT: usize = 4;
const CURRENCY: usize = 5;
const PAID: usize = 6;
const DESCRIPTION: usize = 7;
const PDF: usize = 8;

/// Parses an invoices file: each row on its own (dates, amounts, paid not
/// above the amount, due date not before the issue date), then invoice
/// numbers given twice with different content.
pub fn parse_invoices(bytes: &[u8], default_currency: Currency) -> Result<Parsed<Invoice>, UnreadableFile> {
    let mut parsed = parse_rows(bytes, &SCHEMA, |row| invoice(row, default_currency))?;
    drop_repeats(&mut parsed, "invoice", |i: &Invoice| i.number.as_str());
    Ok(parsed)
}

/// Checks what needs the store: every invoice's client must already be
/// there (import clients first), so no invoice is ever orphaned.
pub fn check_invoices(parsed: &Parsed<Invoice>, known_clients: &HashSet<ClientId>) -> Result<(), Vec<RowError>> {
    let errors: Vec<RowError> = parsed
        .rows
        .iter()
        .zip(&parsed.lines)
        .filter(|(invoice, _)| !known_clients.contains(&invoice.client_id))
        .map(|(invoice, &line)| RowError::new(line, format!("unknown client {:?}", invoice.client_id.as_str())))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn invoice(row: &Row<'_>, default_currency: Currency) -> Result<Invoice, String> {
    let mut p = Problems::default();
    let number = p.take(cells::required("number", row.get(NUMBER), InvoiceNumber::parse));
    let client_id = p.take(cells::required("client_id", row.get(CLIENT_ID), ClientId::parse));
    let issue_date = p.take(cells::date("issue_date", row.get(ISSUE_DATE)));
    let due_date = p.take(cells::date("due_date", row.get(DUE_DATE)));
    let amount = p.take(cells::amount("amount", row.get(AMOUNT)));
    let currency = p.take(cells::optional("currency", row.get(CURRENCY), Currency::parse));
    let paid = p.take(cells::amount_or_zero("paid", row.get(PAID)));
    let (Some(number), Some(client_id), Some(issue_date), Some(due_date), Some(amount), Some(currency), Some(paid)) =
        (number, client_id, issue_date, due_date, amount, currency, paid)
    else {
        return Err(p.reason());
    };
    if due_date < issue_date {
        p.push(format!("due_date {due_date} is before issue_date {issue_date}"));
    }
    if paid > amount {
        p.push(format!("paid {paid} is more than the amount {amount}"));
    }
    if !p.is_empty() {
        return Err(p.reason());
    }
    Ok(Invoice {
        number,
        client_id,
        issue_date,
        due_date,
        amount,
        currency: currency.unwrap_or(default_currency),
        paid,
        description: row.get(DESCRIPTION).to_string(),
        pdf: Some(row.get(PDF)).filter(|pdf| !pdf.is_empty()).map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn parse(text: &str) -> Parsed<Invoice> {
        parse_invoices(text.as_bytes(), Currency::EUR).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const HEADER: &str = "number;client_id;issue_date;due_date;amount;currency;paid;description;pdf\n";

    #[test]
    fn a_french_row_with_every_column() {
        let parsed = parse(&format!(
            "{HEADER}F-2026-001;C-1;01/03/2026;31/03/2026;2 400,00 €;eur;400,00;Maintenance mars;f/F-2026-001.pdf\n"
        ));
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            parsed.rows,
            vec![Invoice {
                number: InvoiceNumber::parse("F-2026-001").unwrap(),
                client_id: ClientId::parse("C-1").unwrap(),
                issue_date: date(2026, 3, 1),
                due_date: date(2026, 3, 31),
                amount: dec!(2400.00),
                currency: Currency::EUR,
                paid: dec!(400.00),
                description: "Maintenance mars".into(),
                pdf: Some("f/F-2026-001.pdf".into()),
            }]
        );
    }

    #[test]
    fn optional_columns_take_the_defaults() {
        let usd = Currency::parse("USD").unwrap();
        let text = "Amount,Due_Date,Issue_Date,Client_ID,Number\n\"1,234.56\",2026-04-30,2026-04-01,C-1,F-1\n";
        let parsed = parse_invoices(text.as_bytes(), usd).unwrap();
        let invoice = &parsed.rows[0];
        assert_eq!((invoice.amount, invoice.currency, invoice.paid), (dec!(1234.56), usd, dec!(0)));
        assert_eq!((invoice.description.as_str(), invoice.pdf.as_deref()), ("", None));
    }

    #[test]
    fn bad_rows_say_what_is_wrong() {
        let text = format!(
            "{HEADER}\
             F-1;C-1;01/03/2026;01/02/2026;100;;;;\n\
             F-2;C-1;01/03/2026;31/03/2026;100;;150;;\n\
             F-3;C-1;01/03/2026;31/02/2026;-5,00;EURO;;;\n\
             ;C-1;1er mars;31/03/2026;douze;;;;\n\
             F-5;C-1;01/03/2026;31/03/2026;100,123456;;;;\n"
        );
        let parsed = parse(&text);
        assert_eq!(parsed.rows, vec![]);
        let reasons: Vec<String> = parsed.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            reasons,
            [
                "line 2: due_date 2026-02-01 is before issue_date 2026-03-01",
                "line 3: paid 150.00 is more than the amount 100.00",
                "line 4: due_date \"31/02/2026\": no such date; amount \"-5,00\": negative amount; \
                 currency \"EURO\": is not a three-letter ISO 4217 code",
                "line 5: number is empty; issue_date \"1er mars\": not a date (expected 2026-03-31 or 31/03/2026); \
                 amount \"douze\": not an amount (expected 2400.00, 2 400,00 or 2 400,00 €)",
                "line 6: amount \"100,123456\": more than 4 decimals",
            ]
        );
    }

    #[test]
    fn an_invoice_number_twice_with_different_content_is_refused() {
        let text = format!(
            "{HEADER}F-1;C-1;01/03/2026;31/03/2026;100;;;;\nF-1;C-1;2026-03-01;2026-03-31;100,00;EUR;0;;\nF-1;C-1;01/03/2026;31/03/2026;120;;;;\n"
        );
        let parsed = parse(&text);
        assert_eq!(parsed.lines, vec![2]);
        assert_eq!(parsed.errors, vec![RowError::new(4, "invoice \"F-1\" already on line 2 with different content")]);
    }

    #[test]
    fn invoices_of_unknown_clients_are_refused_with_their_line() {
        let text =
            format!("{HEADER}F-1;C-1;01/03/2026;31/03/2026;100;;;;\n\nF-2;C-999;01/03/2026;31/03/2026;100;;;;\n");
        let parsed = parse(&text);
        let known = HashSet::from([ClientId::parse("C-1").unwrap()]);
        assert_eq!(check_invoices(&parsed, &known), Err(vec![RowError::new(4, "unknown client \"C-999\"")]));
        let both = HashSet::from([ClientId::parse("C-1").unwrap(), ClientId::parse("C-999").unwrap()]);
        assert_eq!(check_invoices(&parsed, &both), Ok(()));
    }
}
