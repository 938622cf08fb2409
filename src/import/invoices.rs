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
