//! Late-payment penalties (C. com. L441-10 II) and the 40 € indemnity (D441-5).
//!
//! The law, as `../shared/reference/legal-fr.md` reads it:
//! - penalties run from the day after the due date, without any reminder;
//! - the rate is the ECB main refinancing rate in force on 1 January (first
//!   half-year) or 1 July (second) plus 10 points, so a delay crossing
//!   30 June or 31 December is split per half-year;
//! - simple interest on the balance including VAT × rate × days / 365, where
//!   partial payments reduce the base from the day after they are received.
//!
//! Consumers (B2C) owe none of this; deciding whether to call these functions
//! for a client is the planner's job, not this module's.
//!
//! Rates are dated rows, never overwritten: a new half-year is a new row.

use crate::domain::{ClientKind, Currency};
use crate::ledger::InvoiceState;
use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

/// How penalties are computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PenaltyRules {
    /// Points added to the ECB main refinancing rate (10 by law, L441-10 II).
    pub margin_points: Decimal,
    /// Fixed recovery indemnity per late invoice, B2B only (40 €, D441-5).
    pub indemnity: Decimal,
    /// ECB main refinancing rate in force on 1 January / 1 July, one dated row
    /// per half-year. Rows are never overwritten: a new half-year is a new row.
    pub ecb_rates: Vec<RateRow>,
}

/// The ECB rate applying over a half-year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRow {
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    /// In percent (2.15 means 2.15 %).
    pub ecb_rate: Decimal,
}

/// The penalties owed on one invoice, period by period, as a statement of
/// account (or a judge) would show them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PenaltyBreakdown {
    pub periods: Vec<PenaltyPeriod>,
    /// The sum of the periods' rounded amounts, so the lines add up to the total.
    #[serde(with = "crate::domain::decimal_str")]
    pub total: Decimal,
}

/// A stretch of days with one rate and one base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyPeriod {
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
    pub days: i64,
    /// In percent: the ECB rate plus the margin.
    #[serde(with = "crate::domain::decimal_str")]
    pub rate: Decimal,
    /// The balance still due (incl. VAT) over the period.
    #[serde(with = "crate::domain::decimal_str")]
    pub base: Decimal,
    /// Rounded to the cent, half away from zero.
    #[serde(with = "crate::domain::decimal_str")]
    pub amount: Decimal,
}

/// The half-years whose ECB rate is known (legal-fr.md, §1). 2027-H1 is not
/// listed because its rate is unverified: until a row is configured, the
/// 2026-H2 rate is carried forward (see [`PenaltyRules::rate_on`]).
const KNOWN_ECB_RATES: [(i32, u32, Decimal); 6] = [
    (2024, 1, dec!(4.50)),
    (2024, 7, dec!(4.25)),
    (2025, 1, dec!(3.15)),
    (2025, 7, dec!(2.15)),
    (2026, 1, dec!(2.15)),
    (2026, 7, dec!(2.40)),
];

impl Default for PenaltyRules {
    fn default() -> Self {
        Self {
            margin_points: dec!(10),
            indemnity: dec!(40),
            ecb_rates: KNOWN_ECB_RATES.iter().map(|&(year, month, rate)| half_year_row(year, month, rate)).collect(),
        }
    }
}

/// The row for the half-year starting on the first of `first_month` (1 or 7).
fn half_year_row(year: i32, first_month: u32, ecb_rate: Decimal) -> RateRow {
    let valid_from = NaiveDate::from_ymd_opt(year, first_month, 1).expect("1 January / 1 July exist");
    RateRow { valid_from, valid_to: half_year_end(valid_from), ecb_rate }
}

/// 30 June or 31 December: the last day of `day`'s half-year.
fn half_year_end(day: NaiveDate) -> NaiveDate {
    let (month, last) = if day.month() <= 6 { (6, 30) } else { (12, 31) };
    NaiveDate::from_ymd_opt(day.year(), month, last).expect("30 June / 31 December exist")
}

impl PenaltyRules {
    /// Checks what serde cannot. The error names the key relative to
    /// `penalties` (the caller prefixes `policy.penalties.`).
    pub fn validate(&self) -> Result<(), String> {
        non_negative("margin_points", self.margin_points)?;
        non_negative("indemnity", self.indemnity)?;
        if self.ecb_rates.is_empty() {
            return Err("ecb_rates: at least one row is required (valid_from, valid_to, ecb_rate)".into());
        }
        for (i, row) in self.ecb_rates.iter().enumerate() {
            if row.valid_to < row.valid_from {
                return Err(format!(
                    "ecb_rates[{i}].valid_to: {} is before valid_from {}",
                    row.valid_to, row.valid_from
                ));
            }
            non_negative(&format!("ecb_rates[{i}].ecb_rate"), row.ecb_rate)?;
        }
        self.check_rows_follow_each_other()
    }

    /// Rows sorted by date must neither overlap (two rates for one day) nor
    /// leave a gap (a day with no rate: the penalty would silently use the
    /// previous row's). Rows may be written in any order.
    fn check_rows_follow_each_other(&self) -> Result<(), String> {
        let mut order: Vec<usize> = (0..self.ecb_rates.len()).collect();
        order.sort_by_key(|&i| self.ecb_rates[i].valid_from);
        for pair in order.windows(2) {
            let (prev, next) = (&self.ecb_rates[pair[0]], &self.ecb_rates[pair[1]]);
            if next.valid_from <= prev.valid_to {
                return Err(format!(
                    "ecb_rates[{}]: {} to {} overlaps ecb_rates[{}] ({} to {})",
                    pair[1], next.valid_from, next.valid_to, pair[0], prev.valid_from, prev.valid_to
                ));
            }
            if next.valid_from != prev.valid_to + Days::new(1) {
                return Err(format!(
                    "ecb_rates[{}].valid_from: {} leaves a gap after ecb_rates[{}], which ends on {}",
                    pair[1], next.valid_from, pair[0], prev.valid_to
                ));
            }
        }
        Ok(())
    }

    /// The penalty rate in percent (ECB rate + margin) on `day`.
    ///
    /// A day after the last row gets the last row's rate: rates are carried
    /// forward until a new row is configured, so a missing update never turns
    /// penalties off (the digest should still prompt finance to add the row).
    /// A day before the first row gets the first row's rate. With no row at
    /// all (which `validate` refuses), the margin alone.
    pub fn rate_on(&self, day: NaiveDate) -> Decimal {
        let in_force = self.ecb_rates.iter().filter(|row| row.valid_from <= day).max_by_key(|row| row.valid_from);
        let row = in_force.or_else(|| self.ecb_rates.iter().min_by_key(|row| row.valid_from));
        row.map_or(Decimal::ZERO, |row| row.ecb_rate) + self.margin_points
    }

    /// The days on which the rate may change: each row's start and the day
    /// after its end (a carried-forward rate also starts a new half-year).
    fn rate_changes(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.ecb_rates.iter().flat_map(|row| [row.valid_from, row.valid_to + Days::new(1)])
    }
}

fn non_negative(key: &str, value: Decimal) -> Result<(), String> {
    if value < Decimal::ZERO {
        return Err(format!("{key}: {value} must be zero or more"));
    }
    Ok(())
}

/// What is still owed at the end of `day`: the amount less what was paid at
/// import (undated, so treated as paid before the due date) and the payments
/// dated on or before `day`. Never negative.
pub fn amount_due_at_end_of(invoice: &InvoiceState, day: NaiveDate) -> Decimal {
    let paid: Decimal = invoice.payments.iter().filter(|p| p.date <= day).map(|p| p.amount).sum();
    (invoice.amount - invoice.paid_at_import - paid).max(Decimal::ZERO)
}

/// Late-payment penalties on one invoice from the day after its due date
/// through `until` inclusive (for a paid invoice, pass the payment date).
///
/// The delay is cut into periods wherever the rate or the base changes: at
/// each half-year (each has its own rate), at each rate row's boundary, and on
/// the day after each dated payment. Each period's amount is rounded to the
/// cent; the total is the sum of the rounded periods, so a printed breakdown
/// adds up. Nothing when `until` is on or before the due date or nothing is due.
pub fn late_penalties(invoice: &InvoiceState, until: NaiveDate, rules: &PenaltyRules) -> PenaltyBreakdown {
    let start = invoice.due_date + Days::new(1);
    if until < start {
        return PenaltyBreakdown::default();
    }
    let periods: Vec<PenaltyPeriod> = cut_points(invoice, start, until, rules)
        .windows(2)
        .map(|w| (w[0], w[1] - Days::new(1)))
        .filter_map(|(from, to)| penalty_period(invoice, from, to, rules))
        .collect();
    let total = periods.iter().map(|p| p.amount).sum();
    PenaltyBreakdown { periods, total }
}

/// The first day of every period, plus the day after `until` to close the
/// last one, sorted and unique.
fn cut_points(invoice: &InvoiceState, start: NaiveDate, until: NaiveDate, rules: &PenaltyRules) -> Vec<NaiveDate> {
    let end = until + Days::new(1);
    let half_years = half_year_starts(start, until);
    let payments = invoice.payments.iter().map(|p| p.date + Days::new(1));
    let mut cuts: Vec<NaiveDate> = half_years
        .chain(payments)
        .chain(rules.rate_changes())
        .filter(|day| *day > start && *day < end)
        .chain([start, end])
        .collect();
    cuts.sort();
    cuts.dedup();
    cuts
}

/// Every 1 January and 1 July after `start` up to `until`.
fn half_year_starts(start: NaiveDate, until: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    std::iter::successors(Some(half_year_end(start) + Days::new(1)), |day| Some(half_year_end(*day) + Days::new(1)))
        .take_while(move |day| *day <= until)
}

/// One period's penalty, or None when nothing was due over it.
fn penalty_period(
    invoice: &InvoiceState,
    from: NaiveDate,
    to: NaiveDate,
    rules: &PenaltyRules,
) -> Option<PenaltyPeriod> {
    let base = amount_due_at_end_of(invoice, from - Days::new(1));
    if base <= Decimal::ZERO {
        return None;
    }
    let days = (to - from).num_days() + 1;
    let rate = rules.rate_on(from);
    // Multiply before dividing: the only rounding is the final one.
    let amount = (base * rate * Decimal::from(days) / dec!(36500))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    Some(PenaltyPeriod { from, to, days, rate, base, amount })
}

/// The fixed recovery indemnity for `late_invoices` late invoices: B2B only
/// (none for consumers), one indemnity per invoice (CJEU C-78/22).
///
/// None for any currency but the euro: the 40 € is set in euros and we do not
/// convert (the rate to use is a legal question, not ours to pick).
pub fn indemnity(kind: ClientKind, currency: Currency, late_invoices: usize, rules: &PenaltyRules) -> Option<Decimal> {
    if kind != ClientKind::B2b || currency != Currency::EUR {
        return None;
    }
    Some(rules.indemnity * Decimal::from(late_invoices))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::InvoiceNumber;
    use crate::ledger::{Hold, PaymentLine};

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("test dates are valid")
    }

    fn invoice(due: &str, amount: Decimal, paid_at_import: Decimal, payments: &[(&str, Decimal)]) -> InvoiceState {
        InvoiceState {
            number: InvoiceNumber::parse("F-2026-001").unwrap(),
            issue_date: day(due) - Days::new(30),
            due_date: day(due),
            amount,
            currency: Currency::EUR,
            paid_at_import,
            payments: payments.iter().map(|&(date, amount)| PaymentLine { date: day(date), amount }).collect(),
            hold: Hold::default(),
            last_stage: None,
            description: String::new(),
        }
    }

    /// (from, to, days, rate, base, amount) for compact assertions.
    fn lines(breakdown: &PenaltyBreakdown) -> Vec<(String, String, i64, Decimal, Decimal, Decimal)> {
        breakdown
            .periods
            .iter()
            .map(|p| (p.from.to_string(), p.to.to_string(), p.days, p.rate, p.base, p.amount))
            .collect()
    }

    fn line(
        from: &str,
        to: &str,
        days: i64,
        rate: Decimal,
        base: Decimal,
        amount: Decimal,
    ) -> (String, String, i64, Decimal, Decimal, Decimal) {
        (from.to_string(), to.to_string(), days, rate, base, amount)
    }

    #[test]
    fn reproduces_the_worked_example_of_the_legal_reference() {
        let paid = invoice("2026-06-15", dec!(10000), dec!(0), &[("2026-07-15", dec!(10000))]);
        let breakdown = late_penalties(&paid, day("2026-07-15"), &PenaltyRules::default());
        assert_eq!(
            lines(&breakdown),
            vec![
                line("2026-06-16", "2026-06-30", 15, dec!(12.15), dec!(10000), dec!(49.93)),
                line("2026-07-01", "2026-07-15", 15, dec!(12.40), dec!(10000), dec!(50.96)),
            ]
        );
        assert_eq!(breakdown.total, dec!(100.89));
    }

    #[test]
    fn penalties_stop_the_day_after_full_payment() {
        let paid = invoice("2026-06-15", dec!(10000), dec!(0), &[("2026-07-15", dec!(10000))]);
        let later = late_penalties(&paid, day("2026-09-30"), &PenaltyRules::default());
        assert_eq!(later.total, dec!(100.89));
        assert_eq!(later.periods.last().map(|p| p.to), Some(day("2026-07-15")));
    }

    #[test]
    fn a_partial_payment_reduces_the_base_from_the_next_day() {
        let partly_paid = invoice("2026-06-15", dec!(10000), dec!(0), &[("2026-07-10", dec!(4000))]);
        let breakdown = late_penalties(&partly_paid, day("2026-07-31"), &PenaltyRules::default());
        assert_eq!(
            lines(&breakdown),
            vec![
                line("2026-06-16", "2026-06-30", 15, dec!(12.15), dec!(10000), dec!(49.93)),
                line("2026-07-01", "2026-07-10", 10, dec!(12.40), dec!(10000), dec!(33.97)),
                line("2026-07-11", "2026-07-31", 21, dec!(12.40), dec!(6000), dec!(42.81)),
            ]
        );
        assert_eq!(breakdown.total, dec!(126.71));
    }

    #[test]
    fn paid_at_import_and_payments_before_the_due_date_reduce_the_base_from_the_start() {
        let partly_paid = invoice("2026-06-15", dec!(10000), dec!(1000), &[("2026-06-01", dec!(2000))]);
        let breakdown = late_penalties(&partly_paid, day("2026-06-30"), &PenaltyRules::default());
        // 7 000 × 12.15 % × 15 / 365 = 34.952…
        assert_eq!(lines(&breakdown), vec![line("2026-06-16", "2026-06-30", 15, dec!(12.15), dec!(7000), dec!(34.95))]);
    }

    #[test]
    fn a_delay_crossing_31_december_is_split_at_each_half_years_rate() {
        let unpaid = invoice("2024-12-15", dec!(5000), dec!(0), &[]);
        let breakdown = late_penalties(&unpaid, day("2025-01-20"), &PenaltyRules::default());
        assert_eq!(
            lines(&breakdown),
            vec![
                line("2024-12-16", "2024-12-31", 16, dec!(14.25), dec!(5000), dec!(31.23)),
                line("2025-01-01", "2025-01-20", 20, dec!(13.15), dec!(5000), dec!(36.03)),
            ]
        );
        assert_eq!(breakdown.total, dec!(67.26));
    }

    #[test]
    fn half_years_stay_separate_lines_even_at_the_same_rate() {
        // 2025-H2 and 2026-H1 are both 12.15 %: a statement still shows each half-year.
        let unpaid = invoice("2025-12-30", dec!(1000), dec!(0), &[]);
        let breakdown = late_penalties(&unpaid, day("2026-01-02"), &PenaltyRules::default());
        assert_eq!(
            lines(&breakdown),
            vec![
                line("2025-12-31", "2025-12-31", 1, dec!(12.15), dec!(1000), dec!(0.33)),
                line("2026-01-01", "2026-01-02", 2, dec!(12.15), dec!(1000), dec!(0.67)),
            ]
        );
    }

    #[test]
    fn after_the_last_configured_row_the_last_rate_is_carried_forward() {
        let unpaid = invoice("2026-12-15", dec!(3650), dec!(0), &[]);
        let breakdown = late_penalties(&unpaid, day("2027-01-10"), &PenaltyRules::default());
        assert_eq!(
            lines(&breakdown),
            vec![
                line("2026-12-16", "2026-12-31", 16, dec!(12.40), dec!(3650), dec!(19.84)),
                line("2027-01-01", "2027-01-10", 10, dec!(12.40), dec!(3650), dec!(12.40)),
            ]
        );
    }

    #[test]
    fn nothing_is_owed_on_or_before_the_due_date() {
        let unpaid = invoice("2026-06-15", dec!(10000), dec!(0), &[]);
        let rules = PenaltyRules::default();
        assert_eq!(late_penalties(&unpaid, day("2026-06-15"), &rules), PenaltyBreakdown::default());
        assert_eq!(late_penalties(&unpaid, day("2026-06-01"), &rules), PenaltyBreakdown::default());
        let first_day = late_penalties(&unpaid, day("2026-06-16"), &rules);
        assert_eq!(lines(&first_day), vec![line("2026-06-16", "2026-06-16", 1, dec!(12.15), dec!(10000), dec!(3.33))]);
    }

    #[test]
    fn nothing_is_owed_on_an_invoice_paid_on_time() {
        let rules = PenaltyRules::default();
        let paid_at_import = invoice("2026-06-15", dec!(10000), dec!(10000), &[]);
        assert_eq!(late_penalties(&paid_at_import, day("2026-08-01"), &rules), PenaltyBreakdown::default());
        let paid_on_due_date = invoice("2026-06-15", dec!(10000), dec!(0), &[("2026-06-15", dec!(10000))]);
        assert_eq!(late_penalties(&paid_on_due_date, day("2026-08-01"), &rules), PenaltyBreakdown::default());
    }

    #[test]
    fn each_period_is_rounded_half_away_from_zero() {
        let rules = PenaltyRules { ecb_rates: vec![half_year_row(2026, 1, dec!(0))], ..PenaltyRules::default() };
        // 18.25 × 10 % × 1 / 365 = 0.005 exactly: 0.01, not the banker's 0.00.
        let unpaid = invoice("2026-03-01", dec!(18.25), dec!(0), &[]);
        assert_eq!(late_penalties(&unpaid, day("2026-03-02"), &rules).total, dec!(0.01));
    }

    #[test]
    fn default_rates_are_the_ecb_rate_plus_ten_points_per_half_year() {
        let rules = PenaltyRules::default();
        let expected = [
            ("2024-01-01", dec!(14.50)),
            ("2024-06-30", dec!(14.50)),
            ("2024-07-01", dec!(14.25)),
            ("2025-01-01", dec!(13.15)),
            ("2025-06-30", dec!(13.15)),
            ("2025-07-01", dec!(12.15)),
            ("2026-01-01", dec!(12.15)),
            ("2026-07-01", dec!(12.40)),
            ("2026-12-31", dec!(12.40)),
        ];
        for (date, rate) in expected {
            assert_eq!(rules.rate_on(day(date)), rate, "rate on {date}");
        }
        assert_eq!(rules.ecb_rates.len(), 6);
        assert_eq!(rules.ecb_rates[5].valid_to, day("2026-12-31"));
        assert_eq!((rules.margin_points, rules.indemnity), (dec!(10), dec!(40)));
    }

    #[test]
    fn rates_outside_the_table_come_from_the_nearest_row() {
        let rules = PenaltyRules::default();
        assert_eq!(rules.rate_on(day("2027-03-01")), dec!(12.40));
        assert_eq!(rules.rate_on(day("2023-06-01")), dec!(14.50));
    }

    #[test]
    fn rows_may_be_configured_in_any_order() {
        let mut rules = PenaltyRules::default();
        rules.ecb_rates.reverse();
        assert_eq!(rules.validate(), Ok(()));
        assert_eq!(rules.rate_on(day("2025-03-01")), dec!(13.15));
        assert_eq!(rules.rate_on(day("2030-01-01")), dec!(12.40));
    }

    #[test]
    fn the_default_rules_are_valid() {
        assert_eq!(PenaltyRules::default().validate(), Ok(()));
    }

    #[test]
    fn validate_names_the_faulty_key() {
        let with = |change: fn(&mut PenaltyRules)| {
            let mut rules = PenaltyRules::default();
            change(&mut rules);
            rules.validate().unwrap_err()
        };
        assert_eq!(with(|r| r.margin_points = dec!(-1)), "margin_points: -1 must be zero or more");
        assert_eq!(with(|r| r.indemnity = dec!(-40)), "indemnity: -40 must be zero or more");
        assert_eq!(with(|r| r.ecb_rates[1].ecb_rate = dec!(-0.5)), "ecb_rates[1].ecb_rate: -0.5 must be zero or more");
        assert_eq!(
            with(|r| r.ecb_rates[2].valid_to = day("2024-12-01")),
            "ecb_rates[2].valid_to: 2024-12-01 is before valid_from 2025-01-01"
        );
        assert_eq!(
            with(|r| r.ecb_rates[3].valid_from = day("2025-06-01")),
            "ecb_rates[3]: 2025-06-01 to 2025-12-31 overlaps ecb_rates[2] (2025-01-01 to 2025-06-30)"
        );
        assert_eq!(
            with(|r| r.ecb_rates[3].valid_from = day("2025-08-01")),
            "ecb_rates[3].valid_from: 2025-08-01 leaves a gap after ecb_rates[2], which ends on 2025-06-30"
        );
        assert_eq!(
            with(|r| r.ecb_rates.clear()),
            "ecb_rates: at least one row is required (valid_from, valid_to, ecb_rate)"
        );
    }

    #[test]
    fn indemnity_is_forty_euros_per_late_invoice_for_businesses_only() {
        let rules = PenaltyRules::default();
        assert_eq!(indemnity(ClientKind::B2b, Currency::EUR, 3, &rules), Some(dec!(120)));
        assert_eq!(indemnity(ClientKind::B2b, Currency::EUR, 1, &rules), Some(dec!(40)));
        assert_eq!(indemnity(ClientKind::B2c, Currency::EUR, 3, &rules), None);
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(indemnity(ClientKind::B2b, usd, 3, &rules), None);
    }
}
