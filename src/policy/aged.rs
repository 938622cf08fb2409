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
    #[serde(with = "crate::domain::decimal_str")]
    pub not_due: Decimal,
    #[serde(with = "crate::domain::decimal_str")]
    pub days_1_30: Decimal,
    #[serde(with = "crate::domain::decimal_str")]
    pub days_31_60: Decimal,
    #[serde(with = "crate::domain::decimal_str")]
    pub days_61_90: Decimal,
    #[serde(with = "crate::domain::decimal_str")]
    pub over_90: Decimal,
    /// Everything still due.
    #[serde(with = "crate::domain::decimal_str")]
    pub total: Decimal,
    /// Everything past its due date (the four late buckets).
    #[serde(with = "crate::domain::decimal_str")]
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
    let mut figures = Figures::new(today, 0);
    figures.add(accounts);
    figures.aged()
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
    let mut figures = Figures::new(today, period_days);
    figures.add(accounts);
    figures.dso()
}

/// The aged balance and the DSO's sums, accumulated over pages of accounts
/// (the store streams a large ledger page by page; see `planner::Planner`).
#[derive(Debug, Clone)]
pub struct Figures {
    today: NaiveDate,
    period_days: u32,
    period_start: NaiveDate,
    aged: BTreeMap<Currency, AgedBalance>,
    /// Receivables and revenue of the DSO period, per currency.
    dso_sums: BTreeMap<Currency, (Decimal, Decimal)>,
}

impl Figures {
    pub fn new(today: NaiveDate, period_days: u32) -> Self {
        let period_start = today.checked_sub_days(Days::new(u64::from(period_days))).unwrap_or(NaiveDate::MIN);
        Self { today, period_days, period_start, aged: BTreeMap::new(), dso_sums: BTreeMap::new() }
    }

    /// Adds these accounts' invoices.
    pub fn add<'a>(&mut self, accounts: impl IntoIterator<Item = &'a Account>) {
        for invoice in accounts.into_iter().flat_map(|account| &account.invoices) {
            let due = amount_due_at_end_of(invoice, self.today);
            let revenue =
                if issued_in(invoice, self.period_start, self.today) { invoice.amount } else { Decimal::ZERO };
            if due > Decimal::ZERO {
                let row = self.aged.entry(invoice.currency).or_insert_with(|| AgedBalance::empty(invoice.currency));
                row.add(due, invoice.days_late(self.today));
            }
            if due > Decimal::ZERO || revenue > Decimal::ZERO {
                let entry = self.dso_sums.entry(invoice.currency).or_default();
                entry.0 += due;
                entry.1 += revenue;
            }
        }
    }

    /// The aged balance, euros first.
    pub fn aged(&self) -> Vec<AgedBalance> {
        euros_first(self.aged.clone())
    }

    /// The DSO per currency, euros first.
    pub fn dso(&self) -> Vec<(Currency, Option<Decimal>)> {
        let dso_of = |(receivables, revenue): (Decimal, Decimal)| {
            (revenue > Decimal::ZERO).then(|| {
                (receivables * Decimal::from(self.period_days) / revenue)
                    .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
            })
        };
        euros_first(self.dso_sums.iter().map(|(currency, sums)| (*currency, (*currency, dso_of(*sums)))).collect())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Client, ClientId, InvoiceNumber};
    use crate::ledger::{Hold, PaymentLine};
    use rust_decimal_macros::dec;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    fn days_before_today(days: i64) -> NaiveDate {
        today() - chrono::Duration::days(days)
    }

    /// An open invoice of `amount` in `currency`, `days_late` days past due today.
    fn open(amount: Decimal, currency: &str, days_late: i64) -> InvoiceState {
        let due_date = days_before_today(days_late);
        InvoiceState {
            description: String::new(),
            number: InvoiceNumber::parse(&format!("F-{currency}-{days_late}-{amount}")).unwrap(),
            issue_date: due_date - Days::new(30),
            due_date,
            amount,
            currency: Currency::parse(currency).unwrap(),
            paid_at_import: Decimal::ZERO,
            payments: Vec::new(),
            hold: Hold::default(),
            last_stage: None,
        }
    }

    fn issued(amount: Decimal, currency: &str, days_ago: i64, paid: bool) -> InvoiceState {
        let mut invoice = open(amount, currency, days_ago - 30);
        invoice.issue_date = days_before_today(days_ago);
        if paid {
            invoice.payments.push(PaymentLine { date: today(), amount });
        }
        invoice
    }

    fn account(id: &str, invoices: Vec<InvoiceState>) -> Account {
        Account::new(Client::new(ClientId::parse(id).unwrap(), format!("Client {id}")), invoices)
    }

    /// (not due, 1–30, 31–60, 61–90, > 90, total, overdue total, overdue count, open count)
    type Row = (Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, u32, u32);

    fn row(b: &AgedBalance) -> Row {
        (
            b.not_due,
            b.days_1_30,
            b.days_31_60,
            b.days_61_90,
            b.over_90,
            b.total,
            b.overdue_total,
            b.overdue_count,
            b.open_count,
        )
    }

    #[test]
    fn buckets_split_at_30_60_and_90_days_late() {
        let boundaries = account(
            "C1",
            vec![
                open(dec!(1), "EUR", -10),
                open(dec!(2), "EUR", 0),
                open(dec!(10), "EUR", 1),
                open(dec!(20), "EUR", 30),
                open(dec!(100), "EUR", 31),
                open(dec!(200), "EUR", 60),
                open(dec!(1000), "EUR", 61),
                open(dec!(2000), "EUR", 90),
                open(dec!(10000), "EUR", 91),
                open(dec!(20000), "EUR", 400),
            ],
        );
        let balance = aged_balance(std::iter::once(&boundaries), today());
        assert_eq!(balance.len(), 1);
        assert_eq!(balance[0].currency, Currency::EUR);
        assert_eq!(
            row(&balance[0]),
            (dec!(3), dec!(30), dec!(300), dec!(3000), dec!(30000), dec!(33333), dec!(33330), 8, 10)
        );
    }

    #[test]
    fn only_what_is_still_due_on_today_counts() {
        let mut partly_paid = open(dec!(1000), "EUR", 45);
        partly_paid.paid_at_import = dec!(100);
        partly_paid.payments.push(PaymentLine { date: today(), amount: dec!(250) });
        // A payment dated tomorrow is not in today's balance.
        partly_paid.payments.push(PaymentLine { date: today() + Days::new(1), amount: dec!(50) });
        let mut settled = open(dec!(500), "EUR", 10);
        settled.payments.push(PaymentLine { date: days_before_today(2), amount: dec!(500) });
        let client = account("C1", vec![partly_paid, settled]);
        let balance = aged_balance(std::iter::once(&client), today());
        assert_eq!(row(&balance[0]), (dec!(0), dec!(0), dec!(650), dec!(0), dec!(0), dec!(650), dec!(650), 1, 1));
    }

    #[test]
    fn the_whole_ledger_gives_one_row_per_currency_euros_first() {
        let first = account("C1", vec![open(dec!(100), "USD", 5), open(dec!(300), "EUR", 40)]);
        let second = account("C2", vec![open(dec!(200), "CHF", -3), open(dec!(50), "EUR", -1)]);
        let nothing_open = account("C3", vec![issued(dec!(999), "GBP", 10, true)]);
        let ledger = [first, second, nothing_open];
        let balance = aged_balance(ledger.iter(), today());
        let currencies: Vec<&str> = balance.iter().map(|b| b.currency.code()).collect();
        assert_eq!(currencies, vec!["EUR", "CHF", "USD"]);
        assert_eq!(row(&balance[0]), (dec!(50), dec!(0), dec!(300), dec!(0), dec!(0), dec!(350), dec!(300), 1, 2));
        assert_eq!(row(&balance[1]), (dec!(200), dec!(0), dec!(0), dec!(0), dec!(0), dec!(200), dec!(0), 0, 1));
        assert_eq!(row(&balance[2]), (dec!(0), dec!(100), dec!(0), dec!(0), dec!(0), dec!(100), dec!(100), 1, 1));
        assert!(aged_balance(std::iter::empty(), today()).is_empty());
    }

    #[test]
    fn aged_balance_serializes_amounts_as_strings() {
        let client = account("C1", vec![open(dec!(12.50), "EUR", 3)]);
        let json = serde_json::to_value(aged_balance(std::iter::once(&client), today())).unwrap();
        assert_eq!(json[0]["currency"], "EUR");
        assert_eq!(json[0]["days_1_30"], "12.50");
        assert_eq!(json[0]["open_count"], 1);
    }

    #[test]
    fn dso_is_receivables_over_the_periods_revenue_times_its_days() {
        let client = account(
            "C1",
            vec![
                // Issued on the first day of the 90-day period: revenue, and still due.
                issued(dec!(10000), "EUR", 89, false),
                // Issued and paid in the period: revenue only.
                issued(dec!(25000), "EUR", 20, true),
                // Issued 90 days ago: before the period, receivable only.
                issued(dec!(4000), "EUR", 90, false),
            ],
        );
        // (10 000 + 4 000) ÷ 35 000 × 90 = 36.0
        assert_eq!(dso(std::iter::once(&client), today(), 90), vec![(Currency::EUR, Some(dec!(36.0)))]);
    }

    #[test]
    fn dso_is_rounded_to_one_decimal_and_none_without_revenue() {
        let first = account("C1", vec![issued(dec!(10000), "EUR", 10, false), issued(dec!(25000), "EUR", 20, true)]);
        let second = account("C2", vec![issued(dec!(700), "USD", 200, false)]);
        let ledger = [second, first];
        // 10 000 ÷ 35 000 × 90 = 25.714…
        let expected = vec![(Currency::EUR, Some(dec!(25.7))), (Currency::parse("USD").unwrap(), None)];
        assert_eq!(dso(ledger.iter(), today(), 90), expected);
    }
}
