//! Payment-behaviour score: how a client has paid over the last 12 months.
//!
//! The planner uses it to climb the ladder faster for bad payers (the policy's
//! `bad_payers.score_below`, 40 by default), and the digest shows it so finance
//! can tell "a good payer late once" (a courteous check-up) from "a chronic
//! late payer" (a firm reminder from the first day).
//!
//! The formula is deliberately simple, so a credit manager can redo it by hand:
//!
//! ```text
//! score = 100 − min(1.5 × average days late, 45)
//!             − min(5 × late invoices, 30)
//!             − 20 × overdue share of the open amount
//! ```
//! rounded to the unit and clamped to 0..=100. Good is 70 or more, Bad below 40.
//! A client with no history (no invoice settled in the last 12 months with a
//! known date, nothing overdue) scores [`NEWCOMER_SCORE`]: a newcomer is not
//! punished, but is not rated as high as a proven punctual payer either.

use crate::domain::Currency;
use crate::ledger::{Account, InvoiceState};
use chrono::{Months, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The score of a client with no payment history.
pub const NEWCOMER_SCORE: u8 = 80;
/// From this score up, a client is a good payer.
pub const GOOD_FROM: u8 = 70;
/// Below this score, a client is a bad payer (the policy's default `bad_payers.score_below`).
pub const BAD_BELOW: u8 = 40;

/// Points lost per average day late, and the most this term can cost.
const PER_DAY_LATE: Decimal = dec!(1.5);
const DAYS_LATE_CAP: Decimal = dec!(45);
/// Points lost per late invoice, and the most this term can cost.
const PER_LATE_INVOICE: Decimal = dec!(5);
const LATE_INVOICES_CAP: Decimal = dec!(30);
/// Points lost when everything open is overdue (proportionally less otherwise).
const OVERDUE_SHARE_WEIGHT: Decimal = dec!(20);

/// A client's payment behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentScore {
    /// 0 (worst) to 100 (best).
    pub score: u8,
    pub label: ScoreLabel,
    /// Over invoices settled in the last 12 months and open invoices past due, to one decimal.
    #[serde(with = "crate::domain::decimal_str")]
    pub average_days_late: Decimal,
    /// Invoices due in the last 12 months and paid late, plus invoices overdue today.
    pub late_invoices_12m: u32,
    /// The currency of `open_amount` and `overdue_amount`: the one with the
    /// largest open amount (adding euros to dollars would mean nothing).
    pub currency: Currency,
    /// Still due today, all open invoices in `currency`.
    #[serde(with = "crate::domain::decimal_str")]
    pub open_amount: Decimal,
    /// The part of `open_amount` past its due date.
    #[serde(with = "crate::domain::decimal_str")]
    pub overdue_amount: Decimal,
}

/// The score in three words, for the digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreLabel {
    Good,
    Average,
    Bad,
}

impl ScoreLabel {
    /// Good from [`GOOD_FROM`], Bad below [`BAD_BELOW`], Average between.
    pub fn from_score(score: u8) -> Self {
        if score >= GOOD_FROM {
            ScoreLabel::Good
        } else if score < BAD_BELOW {
            ScoreLabel::Bad
        } else {
            ScoreLabel::Average
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            ScoreLabel::Good => "good",
            ScoreLabel::Average => "average",
            ScoreLabel::Bad => "bad",
        }
    }

    /// The label French finance teams use.
    pub fn label_fr(&self) -> &'static str {
        match self {
            ScoreLabel::Good => "bon payeur",
            ScoreLabel::Average => "payeur moyen",
            ScoreLabel::Bad => "mauvais payeur",
        }
    }
}

impl std::fmt::Display for ScoreLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Scores a client from its invoices as of `today` (see the module docs for the formula).
///
/// Invoices marked paid at import with no dated payment have no known payment
/// date: they tell nothing about punctuality and are left out.
pub fn payment_score(account: &Account, today: NaiveDate) -> PaymentScore {
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(NaiveDate::MIN);
    let delays: Vec<i64> = account.invoices.iter().filter_map(|inv| delay_in_window(inv, year_ago, today)).collect();
    let late_invoices = account.invoices.iter().filter(|inv| counts_as_late(inv, year_ago, today)).count();
    let late_invoices_12m = u32::try_from(late_invoices).unwrap_or(u32::MAX);
    let average_days_late = average(&delays);
    let balance = OpenBalance::of(account, today);
    let score = if delays.is_empty() {
        NEWCOMER_SCORE
    } else {
        formula(average_days_late, late_invoices_12m, balance.worst_overdue_share())
    };
    let (currency, open_amount, overdue_amount) = balance.dominant();
    PaymentScore {
        score,
        label: ScoreLabel::from_score(score),
        average_days_late,
        late_invoices_12m,
        currency,
        open_amount,
        overdue_amount,
    }
}

/// The days late that speak about the client's behaviour: for an invoice
/// settled in the window, its final delay (0 when on time); for an open
/// invoice past due, its delay so far. None for anything else.
fn delay_in_window(invoice: &InvoiceState, year_ago: NaiveDate, today: NaiveDate) -> Option<i64> {
    if invoice.is_open() {
        let late = invoice.days_late(today);
        return (late > 0).then_some(late);
    }
    let settled = invoice.settled_on()?;
    (settled > year_ago && settled <= today).then(|| (settled - invoice.due_date).num_days().max(0))
}

/// An invoice due in the last 12 months and paid after its due date, or an
/// invoice overdue today whatever its due date (an invoice still unpaid after
/// 14 months has been late for the whole year).
fn counts_as_late(invoice: &InvoiceState, year_ago: NaiveDate, today: NaiveDate) -> bool {
    if invoice.is_open() {
        return invoice.days_late(today) > 0;
    }
    let due_in_window = invoice.due_date > year_ago && invoice.due_date <= today;
    due_in_window && invoice.settled_on().is_some_and(|settled| settled > invoice.due_date)
}

/// The mean, to one decimal (half away from zero); 0 for no values.
fn average(values: &[i64]) -> Decimal {
    if values.is_empty() {
        return Decimal::ZERO;
    }
    let sum: i64 = values.iter().sum();
    (Decimal::from(sum) / Decimal::from(values.len())).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

/// The documented formula, rounded to the unit and clamped to 0..=100.
fn formula(average_days_late: Decimal, late_invoices: u32, overdue_share: Decimal) -> u8 {
    let delay_term = (PER_DAY_LATE * average_days_late).min(DAYS_LATE_CAP);
    let count_term = (PER_LATE_INVOICE * Decimal::from(late_invoices)).min(LATE_INVOICES_CAP);
    let overdue_term = OVERDUE_SHARE_WEIGHT * overdue_share;
    let raw = dec!(100) - delay_term - count_term - overdue_term;
    let rounded = raw.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    rounded.clamp(Decimal::ZERO, dec!(100)).to_u8().expect("clamped to 0..=100")
}

/// What the client owes today, per currency: (open, overdue).
struct OpenBalance(BTreeMap<Currency, (Decimal, Decimal)>);

impl OpenBalance {
    fn of(account: &Account, today: NaiveDate) -> Self {
        let mut by_currency: BTreeMap<Currency, (Decimal, Decimal)> = BTreeMap::new();
        for invoice in account.invoices.iter().filter(|inv| inv.is_open()) {
            let due = invoice.amount_due();
            let entry = by_currency.entry(invoice.currency).or_default();
            entry.0 += due;
            if invoice.days_late(today) > 0 {
                entry.1 += due;
            }
        }
        Self(by_currency)
    }

    /// The largest overdue ÷ open ratio across currencies: a client overdue
    /// in dollars is not excused by euros that are not yet due.
    fn worst_overdue_share(&self) -> Decimal {
        self.0
            .values()
            .filter(|(open, _)| *open > Decimal::ZERO)
            .map(|(open, overdue)| overdue / open)
            .max()
            .unwrap_or_default()
    }

    /// The currency with the largest open amount (EUR on a tie or when nothing is open).
    fn dominant(&self) -> (Currency, Decimal, Decimal) {
        let eur = self.0.get(&Currency::EUR).copied().unwrap_or_default();
        self.0.iter().fold(
            (Currency::EUR, eur.0, eur.1),
            |best, (&currency, &(open, overdue))| {
                if open > best.1 {
                    (currency, open, overdue)
                } else {
                    best
                }
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Client, ClientId, InvoiceNumber};
    use crate::ledger::{Hold, PaymentLine};
    use chrono::Days;

    const TODAY: &str = "2026-11-20";

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("test dates are valid")
    }

    fn today() -> NaiveDate {
        day(TODAY)
    }

    /// An invoice of `amount` due `due_days_ago` days before today, paid in
    /// full `paid_days_after_due` days after its due date (None: still open).
    fn invoice(amount: Decimal, due_days_ago: i64, paid_days_after_due: Option<i64>) -> InvoiceState {
        let due_date = today() - chrono::Duration::days(due_days_ago);
        let payments = paid_days_after_due
            .map(|delay| vec![PaymentLine { date: due_date + chrono::Duration::days(delay), amount }])
            .unwrap_or_default();
        InvoiceState {
            description: String::new(),
            number: InvoiceNumber::parse(&format!("F-{due_days_ago}-{amount}")).unwrap(),
            issue_date: due_date - Days::new(30),
            due_date,
            amount,
            currency: Currency::EUR,
            paid_at_import: Decimal::ZERO,
            payments,
            hold: Hold::default(),
            last_stage: None,
        }
    }

    fn account(invoices: Vec<InvoiceState>) -> Account {
        Account::new(Client::new(ClientId::parse("C001").unwrap(), "Boulangerie Martin"), invoices)
    }

    /// (score, label, average days late, late invoices, open, overdue)
    type Summary = (u8, ScoreLabel, Decimal, u32, Decimal, Decimal);

    fn summary(score: &PaymentScore) -> Summary {
        (
            score.score,
            score.label,
            score.average_days_late,
            score.late_invoices_12m,
            score.open_amount,
            score.overdue_amount,
        )
    }

    #[test]
    fn scores_clients_by_their_history() {
        let cases: Vec<(&str, Vec<InvoiceState>, Summary)> = vec![
            (
                "punctual: five invoices paid on the due date, one not due yet",
                vec![
                    invoice(dec!(1000), 300, Some(0)),
                    invoice(dec!(1000), 240, Some(0)),
                    invoice(dec!(1000), 180, Some(0)),
                    invoice(dec!(1000), 120, Some(0)),
                    invoice(dec!(1000), 60, Some(-2)),
                    invoice(dec!(1200), -10, None),
                ],
                (100, ScoreLabel::Good, dec!(0.0), 0, dec!(1200), dec!(0)),
            ),
            (
                "chronic late payer: paid 40 to 60 days late, one invoice 35 days overdue",
                vec![
                    invoice(dec!(2000), 300, Some(40)),
                    invoice(dec!(2000), 240, Some(45)),
                    invoice(dec!(2000), 180, Some(55)),
                    invoice(dec!(2000), 120, Some(60)),
                    invoice(dec!(2000), 35, None),
                    invoice(dec!(2000), -5, None),
                ],
                // 100 − min(1.5 × 47, 45) − min(5 × 5, 30) − 20 × 2000/4000 = 20
                (20, ScoreLabel::Bad, dec!(47.0), 5, dec!(4000), dec!(2000)),
            ),
            (
                "newcomer: a first invoice, not due yet",
                vec![invoice(dec!(500), -20, None)],
                (NEWCOMER_SCORE, ScoreLabel::Good, dec!(0), 0, dec!(500), dec!(0)),
            ),
            (
                "good payer late once: four on time, one paid 10 days late",
                vec![
                    invoice(dec!(800), 250, Some(0)),
                    invoice(dec!(800), 200, Some(0)),
                    invoice(dec!(800), 150, Some(0)),
                    invoice(dec!(800), 100, Some(0)),
                    invoice(dec!(800), 50, Some(10)),
                ],
                // 100 − 1.5 × 2 − 5 × 1 = 92
                (92, ScoreLabel::Good, dec!(2.0), 1, dec!(0), dec!(0)),
            ),
            (
                "one invoice only, paid 20 days late",
                vec![invoice(dec!(800), 50, Some(20))],
                // 100 − 1.5 × 20 − 5 = 65
                (65, ScoreLabel::Average, dec!(20.0), 1, dec!(0), dec!(0)),
            ),
            (
                "one invoice 3 days overdue and nothing else",
                vec![invoice(dec!(800), 3, None)],
                // 100 − 4.5 − 5 − 20 = 70.5, rounded half away from zero
                (71, ScoreLabel::Good, dec!(3.0), 1, dec!(800), dec!(800)),
            ),
        ];
        for (name, invoices, expected) in cases {
            assert_eq!(summary(&payment_score(&account(invoices), today())), expected, "{name}");
        }
    }

    #[test]
    fn history_older_than_twelve_months_is_forgotten() {
        let long_ago = account(vec![invoice(dec!(1000), 500, Some(90))]);
        let score = payment_score(&long_ago, today());
        assert_eq!((score.score, score.late_invoices_12m), (NEWCOMER_SCORE, 0));
    }

    #[test]
    fn an_invoice_unpaid_for_over_a_year_still_counts_as_late() {
        let forgotten = account(vec![invoice(dec!(1000), 400, None)]);
        let score = payment_score(&forgotten, today());
        // 100 − 45 − 5 − 20
        assert_eq!((score.score, score.label, score.late_invoices_12m), (30, ScoreLabel::Bad, 1));
        assert_eq!(score.average_days_late, dec!(400.0));
    }

    #[test]
    fn invoices_paid_at_import_without_a_date_are_left_out() {
        let mut undated = invoice(dec!(1000), 100, None);
        undated.paid_at_import = dec!(1000);
        let score = payment_score(&account(vec![undated]), today());
        assert_eq!((score.score, score.late_invoices_12m, score.open_amount), (NEWCOMER_SCORE, 0, dec!(0)));
    }

    #[test]
    fn amounts_are_given_in_the_currency_with_the_largest_open_amount() {
        let euros = invoice(dec!(1000), -10, None);
        let mut dollars = invoice(dec!(5000), 10, None);
        dollars.currency = Currency::parse("USD").unwrap();
        let score = payment_score(&account(vec![euros, dollars]), today());
        assert_eq!((score.currency.code(), score.open_amount, score.overdue_amount), ("USD", dec!(5000), dec!(5000)));
        // 100 − 15 − 5 − 20: the dollars are all overdue, the euros do not excuse them.
        assert_eq!(score.score, 60);
    }

    #[test]
    fn labels_follow_the_thresholds() {
        let labels: Vec<ScoreLabel> = [0, 39, 40, 69, 70, 100].into_iter().map(ScoreLabel::from_score).collect();
        use ScoreLabel::*;
        assert_eq!(labels, vec![Bad, Bad, Average, Average, Good, Good]);
        assert_eq!(Bad.label_fr(), "mauvais payeur");
        assert_eq!(Average.label_fr(), "payeur moyen");
        assert_eq!(Good.label_fr(), "bon payeur");
        assert_eq!(serde_json::to_string(&Average).unwrap(), "\"average\"");
        assert_eq!(Good.as_str(), "good");
    }
}
