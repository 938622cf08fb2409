//! `payments.csv`: money received against invoices (a bank or accounting export).
//!
//! Columns: invoice, amount, date (required), reference. Payments have no
//! currency: they are in their invoice's.

use super::cells::{self, Problems};
use super::table::{Row, Schema};
use super::values::canonical;
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
        let remaining = canonical(remaining);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientId, Currency};
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn parse(text: &str) -> Parsed<Payment> {
        parse_payments(text.as_bytes()).unwrap()
    }

    fn number(n: &str) -> InvoiceNumber {
        InvoiceNumber::parse(n).unwrap()
    }

    /// F-1: 1 000,00 € of which 200,00 already paid; F-2: fully paid.
    fn balances() -> HashMap<InvoiceNumber, InvoiceBalance> {
        let balance = |amount, paid| InvoiceBalance {
            client_id: ClientId::parse("C-1").unwrap(),
            amount,
            paid,
            currency: Currency::EUR,
        };
        HashMap::from([
            (number("F-1"), balance(dec!(1000.00), dec!(200.00))),
            (number("F-2"), balance(dec!(50), dec!(50))),
        ])
    }

    #[test]
    fn a_bank_export_row() {
        let parsed = parse("Date;Invoice;Amount;Reference\n05/04/2026;F-1;1 000,00 €;VIR SEPA 123\n");
        assert_eq!(
            parsed.rows,
            vec![Payment {
                invoice: number("F-1"),
                amount: dec!(1000.00),
                date: NaiveDate::from_ymd_opt(2026, 4, 5).unwrap(),
                reference: "VIR SEPA 123".into(),
            }]
        );
        assert_eq!(parse("invoice,amount,date\nF-1,10,2026-04-05\n").rows[0].reference, "");
    }

    #[test]
    fn zero_and_negative_payments_are_refused() {
        let parsed = parse("invoice;amount;date\nF-1;0,00;05/04/2026\nF-1;-10;05/04/2026\n");
        assert_eq!(
            parsed.errors,
            vec![
                RowError::new(2, "amount \"0,00\": a payment must be more than zero"),
                RowError::new(3, "amount \"-10\": negative amount"),
            ]
        );
    }

    #[test]
    fn the_same_payment_twice_in_a_file_is_one_payment() {
        let parsed = parse("invoice;amount;date;reference\nF-1;100;05/04/2026;X\nF-1;100,00;2026-04-05;X\n");
        assert_eq!((parsed.rows.len(), parsed.lines.clone(), parsed.errors.clone()), (1, vec![2], vec![]));
    }

    #[test]
    fn payments_up_to_the_remaining_due_pass() {
        let parsed = parse("invoice;amount;date\nF-1;300;05/04/2026\nF-1;500;06/04/2026\n");
        assert_eq!(check_payments(&parsed, &balances(), &HashSet::new()), Ok(()));
    }

    #[test]
    fn a_payment_above_the_remaining_due_counts_earlier_rows() {
        let parsed = parse("invoice;amount;date\nF-1;300;05/04/2026\nF-1;500,01;06/04/2026\nF-1;500;07/04/2026\n");
        assert_eq!(
            check_payments(&parsed, &balances(), &HashSet::new()),
            Err(vec![RowError::new(3, "payment 500.01 EUR is more than the 500.00 EUR still due on invoice \"F-1\"")])
        );
    }

    #[test]
    fn unknown_and_fully_paid_invoices_are_refused() {
        let parsed = parse("invoice;amount;date\nF-9;10;05/04/2026\nF-2;10;05/04/2026\n");
        assert_eq!(
            check_payments(&parsed, &balances(), &HashSet::new()),
            Err(vec![
                RowError::new(2, "unknown invoice \"F-9\""),
                RowError::new(3, "invoice \"F-2\" is already fully paid"),
            ])
        );
    }

    #[test]
    fn a_payment_already_recorded_is_a_reimport_not_an_overpayment() {
        // The store's balance already counts the recorded 800,00: F-1 is settled.
        let mut balances = balances();
        balances.get_mut(&number("F-1")).unwrap().paid = dec!(1000.00);
        let parsed = parse("invoice;amount;date;reference\nF-1;800;05/04/2026;VIR\n");
        let existing = HashSet::from([parsed.rows[0].clone()]);
        assert_eq!(check_payments(&parsed, &balances, &existing), Ok(()));
        assert!(check_payments(&parsed, &balances, &HashSet::new()).is_err());
    }
}
