//! Instalment plans (échéancier): the arithmetic, pure.
//!
//! A client short of cash is offered a few instalments instead of the whole
//! amount at once (../shared/DUNNING.md: "offer a short instalment plan").
//! The plan covers exactly what the chosen invoices still owe: equal
//! instalments rounded down to the cent, the last one absorbing the
//! remainder, so the schedule always sums to the amount due and no
//! instalment is ever zero. Monthly instalments keep the first one's day of
//! the month, clamped to shorter months (31 January → 28 or 29 February →
//! 31 March), as a standing order would.

use crate::domain::Currency;
use crate::ledger::InvoiceState;
use chrono::{Days, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// More than two years of instalments is no longer a plan for a late invoice.
pub const MAX_INSTALMENTS: u32 = 24;
/// Without a first date, the first instalment falls this many days after
/// today: time for finance to approve and for the client to read the
/// confirmation.
pub const DEFAULT_FIRST_IN_DAYS: u64 = 7;

/// How far apart the instalments are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    #[default]
    Monthly,
    Weekly,
}

/// One instalment of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instalment {
    /// 1-based.
    pub number: u32,
    pub due_date: NaiveDate,
    #[serde(with = "crate::domain::decimal_str")]
    pub amount: Decimal,
}

/// The schedule covering what the chosen invoices owe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalmentPlan {
    pub currency: Currency,
    #[serde(with = "crate::domain::decimal_str")]
    pub total: Decimal,
    pub instalments: Vec<Instalment>,
}

/// Why a plan cannot be made as asked; each says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstalmentError {
    #[error("the number of instalments must be at least 1")]
    NoInstalments,
    #[error("{count} instalments is more than the maximum of {max}")]
    TooMany { count: u32, max: u32 },
    #[error("the first instalment date {first} is before today ({today})")]
    FirstDateInPast { first: NaiveDate, today: NaiveDate },
    #[error("the chosen invoices have nothing left to pay")]
    NothingDue,
    #[error("the chosen invoices are in several currencies ({0}): make one plan per currency")]
    MixedCurrencies(String),
    #[error("{total} cannot be split into {count} instalments of at least 0.01")]
    TooSmall { total: Decimal, count: u32 },
    #[error("instalment {number} would fall after the last date the calendar knows")]
    DateOutOfRange { number: u32 },
}

/// The plan for the open invoices among `invoices`: `count` instalments
/// from `first` (default: [`DEFAULT_FIRST_IN_DAYS`] after today).
pub fn plan_instalments(
    invoices: &[&InvoiceState],
    count: u32,
    first: Option<NaiveDate>,
    frequency: Frequency,
    today: NaiveDate,
) -> Result<InstalmentPlan, InstalmentError> {
    let open: Vec<&&InvoiceState> = invoices.iter().filter(|i| i.is_open()).collect();
    let Some(currency) = open.first().map(|i| i.currency) else {
        return Err(InstalmentError::NothingDue);
    };
    if open.iter().any(|i| i.currency != currency) {
        let mut codes: Vec<&str> = open.iter().map(|i| i.currency.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        return Err(InstalmentError::MixedCurrencies(codes.join(", ")));
    }
    let total: Decimal = open.iter().map(|i| i.amount_due()).sum();
    let first = first.unwrap_or(today + Days::new(DEFAULT_FIRST_IN_DAYS));
    let instalments = schedule(total, count, first, frequency, today)?;
    Ok(InstalmentPlan { currency, total, instalments })
}

/// `count` instalments summing exactly to `total`, the first on `first`.
pub fn schedule(
    total: Decimal,
    count: u32,
    first: NaiveDate,
    frequency: Frequency,
    today: NaiveDate,
) -> Result<Vec<Instalment>, InstalmentError> {
    if count == 0 {
        return Err(InstalmentError::NoInstalments);
    }
    if count > MAX_INSTALMENTS {
        return Err(InstalmentError::TooMany { count, max: MAX_INSTALMENTS });
    }
    if first < today {
        return Err(InstalmentError::FirstDateInPast { first, today });
    }
    if total <= Decimal::ZERO {
        return Err(InstalmentError::NothingDue);
    }
    let share = (total / Decimal::from(count)).round_dp_with_strategy(2, RoundingStrategy::ToZero);
    if share <= Decimal::ZERO {
        return Err(InstalmentError::TooSmall { total, count });
    }
    let last = total - share * Decimal::from(count - 1);
    (0..count)
        .map(|k| {
            let due_date = nth_date(first, k, frequency).ok_or(InstalmentError::DateOutOfRange { number: k + 1 })?;
            let amount = if k + 1 == count { last } else { share };
            Ok(Instalment { number: k + 1, due_date, amount })
        })
        .collect()
}

/// The k-th date (0-based) from `first`. Monthly dates are counted from the
/// first each time, not from the previous one, so a plan starting on the
/// 31st comes back to the 31st after a short month.
fn nth_date(first: NaiveDate, k: u32, frequency: Frequency) -> Option<NaiveDate> {
    match frequency {
        Frequency::Monthly => first.checked_add_months(Months::new(k)),
        Frequency::Weekly => first.checked_add_days(Days::new(7 * u64::from(k))),
    }
}

#[cfg(test)]
#[path = "instalments_tests.rs"]
mod tests;
