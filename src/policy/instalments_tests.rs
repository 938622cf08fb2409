//! Property-style table tests: every schedule sums exactly to the amount
//! due, no instalment is zero, dates climb; and bad requests say why.

use super::*;
use crate::ledger::PaymentLine;
use crate::policy::planner::tests::d;
use rust_decimal_macros::dec;

fn invoice(number: &str, amount: Decimal, currency: &str) -> InvoiceState {
    let mut invoice = crate::policy::planner::tests::invoice(number, "2026-01-31", amount);
    invoice.currency = Currency::parse(currency).unwrap();
    invoice
}

#[test]
fn every_schedule_sums_to_the_amount_due_with_no_zero_and_climbing_dates() {
    let totals = [dec!(0.01), dec!(0.24), dec!(1), dec!(99.99), dec!(100), dec!(1000.01), dec!(2400), dec!(12345.67)];
    let firsts = ["2026-01-31", "2026-03-16", "2026-02-28", "2028-02-29", "2026-12-31"];
    let today = d("2026-01-31");
    let mut checked = 0;
    for total in totals {
        for count in 1..=MAX_INSTALMENTS {
            for first in firsts {
                for frequency in [Frequency::Monthly, Frequency::Weekly] {
                    let result = schedule(total, count, d(first), frequency, today);
                    if total < Decimal::new(i64::from(count), 2) {
                        assert_eq!(result, Err(InstalmentError::TooSmall { total, count }));
                        continue;
                    }
                    let plan = result.unwrap();
                    let case = format!("{total} in {count} from {first} {frequency:?}");
                    assert_eq!(plan.len(), count as usize, "{case}");
                    assert_eq!(plan.iter().map(|i| i.amount).sum::<Decimal>(), total, "{case}");
                    assert!(plan.iter().all(|i| i.amount > Decimal::ZERO && i.amount.scale() <= 2), "{case}");
                    assert!(plan.windows(2).all(|w| w[0].due_date < w[1].due_date), "{case}");
                    assert!(plan.windows(2).all(|w| w[0].amount <= w[1].amount), "the last absorbs: {case}");
                    assert_eq!(plan[0].due_date, d(first), "{case}");
                    assert_eq!(plan.iter().map(|i| i.number).collect::<Vec<_>>(), (1..=count).collect::<Vec<_>>());
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1500, "{checked}");
}

#[test]
fn the_last_instalment_absorbs_the_rounding() {
    let plan = schedule(dec!(100), 3, d("2026-03-16"), Frequency::Monthly, d("2026-03-16")).unwrap();
    let amounts: Vec<Decimal> = plan.iter().map(|i| i.amount).collect();
    assert_eq!(amounts, [dec!(33.33), dec!(33.33), dec!(33.34)]);
    let plan = schedule(dec!(1000.01), 4, d("2026-03-16"), Frequency::Monthly, d("2026-03-16")).unwrap();
    let amounts: Vec<Decimal> = plan.iter().map(|i| i.amount).collect();
    assert_eq!(amounts, [dec!(250), dec!(250), dec!(250), dec!(250.01)]);
}

#[test]
fn monthly_dates_keep_their_day_clamped_to_short_months() {
    let cases = [
        ("2026-01-31", vec!["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]),
        ("2028-01-31", vec!["2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30"]),
        ("2026-11-30", vec!["2026-11-30", "2026-12-30", "2027-01-30", "2027-02-28"]),
        ("2026-03-16", vec!["2026-03-16", "2026-04-16", "2026-05-16", "2026-06-16"]),
    ];
    for (first, expected) in cases {
        let plan = schedule(dec!(400), 4, d(first), Frequency::Monthly, d("2026-01-01")).unwrap();
        let dates: Vec<String> = plan.iter().map(|i| i.due_date.to_string()).collect();
        assert_eq!(dates, expected, "from {first}");
    }
    let weekly = schedule(dec!(30), 3, d("2026-03-16"), Frequency::Weekly, d("2026-03-16")).unwrap();
    let dates: Vec<String> = weekly.iter().map(|i| i.due_date.to_string()).collect();
    assert_eq!(dates, ["2026-03-16", "2026-03-23", "2026-03-30"]);
}

#[test]
fn a_plan_covers_the_open_invoices_chosen_from_a_week_ahead_by_default() {
    let mut partly = invoice("F-1", dec!(1200), "EUR");
    partly.payments.push(PaymentLine { date: d("2026-02-10"), amount: dec!(200) });
    let mut paid = invoice("F-3", dec!(50), "USD");
    paid.paid_at_import = dec!(50);
    let other = invoice("F-2", dec!(450.55), "EUR");
    let plan = plan_instalments(&[&partly, &other, &paid], 3, None, Frequency::Monthly, d("2026-03-16")).unwrap();
    assert_eq!((plan.currency.code(), plan.total), ("EUR", dec!(1450.55)));
    assert_eq!(plan.instalments[0].due_date, d("2026-03-23"));
    let amounts: Vec<Decimal> = plan.instalments.iter().map(|i| i.amount).collect();
    assert_eq!(amounts, [dec!(483.51), dec!(483.51), dec!(483.53)]);
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["instalments"][2]["amount"], "483.53");
}

#[test]
fn bad_requests_say_what_is_wrong() {
    let today = d("2026-03-16");
    let eur = invoice("F-1", dec!(100), "EUR");
    let usd = invoice("F-2", dec!(100), "USD");
    let mut paid = invoice("F-3", dec!(100), "EUR");
    paid.paid_at_import = dec!(100);
    let plan = |invoices: &[&InvoiceState], count, first: Option<&str>| {
        plan_instalments(invoices, count, first.map(d), Frequency::Monthly, today).map_err(|e| e.to_string())
    };
    let cases: Vec<(Result<InstalmentPlan, String>, &str)> = vec![
        (plan(&[&eur], 0, None), "the number of instalments must be at least 1"),
        (plan(&[&eur], 25, None), "25 instalments is more than the maximum of 24"),
        (plan(&[&eur], 3, Some("2026-03-15")), "the first instalment date 2026-03-15 is before today (2026-03-16)"),
        (plan(&[&paid], 3, None), "the chosen invoices have nothing left to pay"),
        (plan(&[], 3, None), "the chosen invoices have nothing left to pay"),
        (
            plan(&[&eur, &usd], 3, None),
            "the chosen invoices are in several currencies (EUR, USD): make one plan per currency",
        ),
    ];
    for (result, message) in cases {
        assert_eq!(result.unwrap_err(), message);
    }
    assert!(plan(&[&eur], 24, Some("2026-03-16")).is_ok(), "today and 24 are allowed");
}
