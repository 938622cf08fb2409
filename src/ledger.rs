//! The ledger snapshot: the plain data the pure core works on.
//!
//! The store builds a [`Ledger`] from the database; the planner, the score and
//! the aged balance read it and never touch the database or the clock. It is
//! grouped by client because every decision the bot makes is per client.
//! It carries only what planning needs (no descriptions or PDF paths), so a
//! million open invoices fit comfortably in memory.

use crate::domain::{Client, Currency, InvoiceNumber, Stage};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Every client with its open and recently settled invoices.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ledger {
    pub accounts: Vec<Account>,
    /// When invoices or payments were last imported (the freshness of the data).
    pub last_import_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A client with what it owes and how it has been chased.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub client: Client,
    pub hold: Hold,
    /// Reminders already sent to this client, oldest first.
    pub reminders: Vec<SentReminder>,
    /// Open invoices, and invoices settled in the last 12 months (for the score).
    pub invoices: Vec<InvoiceState>,
    /// Approved instalment plans on some of these invoices (`policy::plan_progress`
    /// says whether each still holds them).
    #[serde(default)]
    pub plans: Vec<PlanInForce>,
}

impl Account {
    /// A client with these invoices, no hold and no reminder yet.
    pub fn new(client: Client, invoices: Vec<InvoiceState>) -> Self {
        Self { client, hold: Hold::default(), reminders: Vec::new(), invoices, plans: Vec::new() }
    }
}

/// What stops or delays reminders, on a client or on one invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// No reminder before this date (inclusive: reminders resume the day after).
    pub paused_until: Option<NaiveDate>,
    /// A commercial dispute: no reminder at all until it is resolved.
    pub dispute: Option<String>,
    /// The client promised to pay by this date: no reminder until it has passed.
    pub promise_date: Option<NaiveDate>,
}

/// An approved instalment plan (échéancier): while it is kept, its invoices
/// are chased on the instalments' dates instead of their own due dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInForce {
    pub id: i64,
    pub invoices: Vec<InvoiceNumber>,
    /// What the invoices owed when the plan was made; the instalments sum to it.
    pub total: Decimal,
    pub instalments: Vec<crate::policy::instalments::Instalment>,
}

/// One reminder sent to a client (all the invoices it listed share it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentReminder {
    pub on: NaiveDate,
    pub stage: Stage,
    pub currency: Currency,
}

/// An invoice as the planner sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvoiceState {
    pub number: InvoiceNumber,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    /// Amount including tax.
    pub amount: Decimal,
    pub currency: Currency,
    /// Paid at import (the `paid` column), not dated.
    pub paid_at_import: Decimal,
    /// Dated payments, oldest first.
    pub payments: Vec<PaymentLine>,
    pub hold: Hold,
    /// The last stage this invoice received, and when.
    pub last_stage: Option<(Stage, NaiveDate)>,
    /// What was sold: every reminder names it (the snapshot is streamed by
    /// pages, so carrying it costs little memory).
    #[serde(default)]
    pub description: String,
}

/// A dated payment on an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentLine {
    pub date: NaiveDate,
    pub amount: Decimal,
}

impl InvoiceState {
    /// What is still owed: the amount less everything paid. Never negative.
    pub fn amount_due(&self) -> Decimal {
        let paid: Decimal = self.paid_at_import + self.payments.iter().map(|p| p.amount).sum::<Decimal>();
        (self.amount - paid).max(Decimal::ZERO)
    }

    pub fn is_open(&self) -> bool {
        self.amount_due() > Decimal::ZERO
    }

    /// The date the invoice was fully paid (the last payment's date), if it is.
    /// An invoice marked paid at import with no dated payment has no known date.
    pub fn settled_on(&self) -> Option<NaiveDate> {
        if self.is_open() {
            return None;
        }
        self.payments.last().map(|p| p.date)
    }

    /// Days past the due date on `today` (negative before it).
    pub fn days_late(&self, today: NaiveDate) -> i64 {
        (today - self.due_date).num_days()
    }
}
