//! `payments.csv`: money received against invoices (a bank or accounting export).
//!
//! Columns: invoice, amount, date (required), reference. Payments have no
//! currency: they are in their invoice's.

use super::cells::{self, Problems};
use super::table::{Row, Schema};
use super::{drop_repeats, parse_rows, Parsed, RowError, UnreadableFile};
use crate::domain::{InvoiceNumber, Payment};
use crate::store::InvoiceBalance;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

const SCHEMA: Schema = Schema { fields: &["invoice", "amount", "date", "reference"], required: 3 };
const INVOICE: usize = 0;
const AMOUNT: usize = 1;
const DATE: usize = 2;
const REFERENCE: usize = 3;

/// Parses a payments file. The same payment twice in a file (same invoice,
/// date, amount and reference) is one payment, as it is in the store.
pub fn parse_payments(bytes: &[u8]) -> Result<Parsed<Payment>, UnreadableFile> {
    let mut parsed = parse_rows(bytes, &SCHEMA, payment)?;
    drop_repeats(&mut parsed, "payment", |p: &Payment| p);
    Ok(parsed)
}

/// Checks payments against the store: the invoice must exist, and a payment
/// may not exceed what is still due on it, counting the payments already
/// recorded and the earlier rows of this file. A payment already recorded is
/// a re-import: accepted, and not counted twice.
pub fn check_payments(
    parsed: &Parsed<Payment>,
    balances: &HashMap<InvoiceNumber, InvoiceBalance>,
    existing: &HashSet<Payment>,
) -> Result<(), Vec<RowError>> {
    let mut this_file: HashMap<&InvoiceNumber, Decimal> = HashMap::new();
    let mut errors = Vec::new();
    for (payment, &line) in parsed.rows.iter().zip(&parsed.lines) {
        let Some(balance) = balances.get(&payment.invoice) else {
            errors.push(RowError::new(line, format!("unknown invoice {:?}", payment.invoice.as_str())));
            continue;
        };
        if existing.contains(payment) {
            continue;
        }
        let earlier = this_file.entry(&payment.invoice).or_default();
        let remaining = balance.amount - balance.paid - *earlier;
        match over_payment(payment, balance, remaining) {
            Some(reason) => errors.push(RowError::new(line, reason)),
            None => *earlier += payment.amount,
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Why a payment cannot be taken, if it exceeds what is still due.
fn over_payment(payment: &Payment, balance: &InvoiceBalance, remaining: Decimal) -> Option<String> {
    let invoice = payment.invoice.as_str();
    if remaining <= Decimal::ZERO {
        return Some(format!("invoice {invoice:?} is already fully paid"));
    }
    (payment.amount > remaining).then(|| {
        let currency = balance.currency;
        format!(
            "payment {} {currency} is more than the {remaining} {currency} still due on invoice {invoice:?}",
            payment.amount
        )
    })
}

fn payment(row: &Row<'_>) -> Result<Payment, String> {
    let mut p = Problems::default();
    let invoice = p.take(cells::required("invoice", row.get(INVOICE), InvoiceNumber::parse));
    let amount = p.take(cells::amount("amount", row.get(AMOUNT)).and_then(|amount| {
        if amount.is_zero() {
            Err(cells::invalid("amount", row.get(AMOUNT), "a payment must be more than zero"))
        } else {
            Ok(amount)
        }
    }));
    let date = p.take(cells::date("date", row.get(DATE)));
    match (invoice, amount, date) {
        (Some(invoice), Some(amount), Some(date)) => {
            Ok(Payment { invoice, amount, date, reference: row.get(REFERENCE).to_string() })
        }
        _ => Err(p.reason()),
    }
}
