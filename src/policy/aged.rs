//! The aged balance (balance âgée) and DSO: the two steering figures finance
//! teams read first.
//!
//! Both work per currency (adding euros to dollars means nothing) and on any
//! set of accounts: the whole ledger (`ledger.accounts.iter()`) or one client
//! (`std::iter::once(&account)`). Amounts are what is still due at the end of
//! `today`: payments dated after `today` are not counted yet, so a figure for
//! a past day can be recomputed.

use crate::domain::Currency;
use crate::ledger::{Account, InvoiceState};
use crate::policy::penalties::amount_due_at_end_of;
use chrono::{Days, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use std::collections::BTreeMap;

/// What is owed in one currency, by how late it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgedBalance {
    pub currency: Currency,
    /// Due today or later.
    #[serde(with = "rust_decimal::serde::str")]
    pub not_due: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub days_1_30: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub days_31_60: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub days_61_90: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub over_90: Decimal,
    /// Everything still due.
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    /// Everything past its due date (the four late buckets).
    #[serde(with = "rust_decimal::serde::str")]
    pub overdue_total: Decimal,
    pub overdue_count: u32,
    pub open_count: u32,
}

impl AgedBalance {
    fn empty(currency: Currency) -> Self {
        Self {
            currency,
            not_due: Decimal::ZERO,
            days_1_30: Decimal::ZERO,
            days_31_60: Decimal::ZERO,
            days_61_90: Decimal::ZERO,
            over_90: Decimal::ZERO,
            total: Decimal::ZERO,
            overdue_total: Decimal::ZERO,
            overdue_count: 0,
            open_count: 0,
        }
    }

    /// Puts `due` in the bucket for `days_late` (0 or less: not due yet).
    fn add(&mut self, due: Decimal, days_late: i64) {
        let bucket = match days_late {
            i64::MIN..=0 => &mut self.not_due,
            1..=30 => &mut self.days_1_30,
            31..=60 => &mut self.days_31_60,
            61..=90 => &mut self.days_61_90,
            _ => &mut self.over_90,
        };
        *bucket += due;
        self.total += due;
        self.open_count += 1;
        if days_late > 0 {
            self.overdue_total += due;
            self.overdue_count += 1;
        }
    }
}

/// The aged balance on `today`, one row per currency with something open,
/// euros first, then by currency code. Empty when nothing is open.
pub fn aged_balance<'a>(accounts: impl IntoIterator<Item = &'a Account>, today: NaiveDate) -> Vec<AgedBalance> {
    let mut by_currency: BTreeMap<Currency, AgedBalance> = BTreeMap::new();
    for invoice in accounts.into_iter().flat_map(|account| &account.invoices) {
        let due = amount_due_at_end_of(invoice, today);
        if due > Decimal::ZERO {
            let row = by_currency.entry(invoice.currency).or_insert_with(|| AgedBalance::empty(invoice.currency));
            row.add(due, invoice.days_late(today));
        }
    }
    euros_first(by_currency)
}

/// Days sales outstanding per currency, by the simple (not countback) method:
///
/// ```text
/// DSO = receivables on today ÷ revenue invoiced over the period × period_days
/// ```
/// where receivables is everything still due on `today` (due or not) and
/// revenue is the sum of the amounts (incl. VAT, like receivables) of invoices
/// issued in `(today − period_days, today]`. Rounded to one decimal; None when
/// nothing was invoiced in the period. Euros first, then by code.
///
/// The ledger only holds open invoices and those settled in the last 12
/// months with a known date: over longer periods, or when invoices were
/// marked paid at import, revenue is understated and the DSO overstated.
pub fn dso<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    today: NaiveDate,
    period_days: u32,
) -> Vec<(Currency, Option<Decimal>)> {
    let period_start = today.checked_sub_days(Days::new(u64::from(period_days))).unwrap_or(NaiveDate::MIN);
    let mut by_currency: BTreeMap<Currency, (Decimal, Decimal)> = BTreeMap::new();
    for invoice in accounts.into_iter().flat_map(|account| &account.invoices) {
        let receivable = amount_due_at_end_of(invoice, today);
        let revenue = if issued_in(invoice, period_start, today) { invoice.amount } else { Decimal::ZERO };
        if receivable > Decimal::ZERO || revenue > Decimal::ZERO {
            let entry = by_currency.entry(invoice.currency).or_default();
            entry.0 += receivable;
            entry.1 += revenue;
        }
    }
    let dso_of = |(receivables, revenue): (Decimal, Decimal)| {
        (revenue > Decimal::ZERO).then(|| {
            (receivables * Decimal::from(period_days) / revenue)
                .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
        })
    };
    euros_first(by_currency.into_iter().map(|(currency, sums)| (currency, (currency, dso_of(sums)))).collect())
}

/// Issued in `(period_start, today]`.
fn issued_in(invoice: &InvoiceState, period_start: NaiveDate, today: NaiveDate) -> bool {
    invoice.issue_date > period_start && invoice.issue_date <= today
}

/// The map's values, the euro's first and the others by code (the map's order).
fn euros_first<T>(mut by_currency: BTreeMap<Currency, T>) -> Vec<T> {
    let euro = by_currency.remove(&Currency::EUR);
    euro.into_iter().chain(by_currency.into_values()).collect()
}
