//! What the planner proposes for one client on one day.

use crate::domain::{
    Channel, ClientId, ClientKind, Currency, InvoiceNumber, Language, ProposalId, Segment, Stage, Tone,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One reminder the bot proposes to send today: one client, one currency,
/// every invoice that needs a reminder, in the tone of the most advanced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: ProposalId,
    pub date: NaiveDate,
    pub client_id: ClientId,
    pub client_name: String,
    pub segment: Segment,
    pub kind: ClientKind,
    pub language: Language,
    /// The sales rep to notify (strategic clients).
    pub owner: Option<String>,
    /// The most advanced stage among the invoices.
    pub stage: Stage,
    pub tone: Tone,
    pub channels: Vec<Channel>,
    pub currency: Currency,
    pub invoices: Vec<ProposedInvoice>,
    #[serde(with = "crate::domain::decimal_str")]
    pub total_due: Decimal,
    /// Late-payment penalties to date, where the stage states them (B2B only).
    #[serde(with = "crate::domain::decimal_str::option")]
    pub penalties: Option<Decimal>,
    /// The fixed recovery indemnity (40 € per invoice), where the stage states it (B2B only).
    #[serde(with = "crate::domain::decimal_str::option")]
    pub indemnity: Option<Decimal>,
    /// Earlier reminders to this client in this currency (for "our reminder of …").
    pub previous_reminders: Vec<(Stage, NaiveDate)>,
    /// The client's payment score (0 bad – 100 good).
    pub score: u8,
    /// Why this reminder today, in one line, in the team's language.
    pub reason: String,
}

/// An invoice listed in a proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposedInvoice {
    pub number: InvoiceNumber,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    #[serde(with = "crate::domain::decimal_str")]
    pub amount: Decimal,
    #[serde(with = "crate::domain::decimal_str")]
    pub amount_due: Decimal,
    /// Negative before the due date (pre-due reminders).
    pub days_late: i64,
    /// The stage this invoice climbs to with this reminder.
    pub stage: Stage,
    /// Penalties on this invoice to date, where shown.
    #[serde(with = "crate::domain::decimal_str::option")]
    pub penalties: Option<Decimal>,
    /// What was sold (the nature of the service or the period), for the message.
    #[serde(default)]
    pub description: String,
}

/// Builders for the tests of everything that reads proposals (rendering, digests).
#[cfg(test)]
impl ProposedInvoice {
    /// An unpaid invoice of `amount`, issued 30 days before `due`.
    pub(crate) fn sample(number: &str, amount: Decimal, due: NaiveDate, days_late: i64, stage: Stage) -> Self {
        Self {
            number: InvoiceNumber::parse(number).expect("a valid test invoice number"),
            issue_date: due - chrono::Days::new(30),
            due_date: due,
            amount,
            amount_due: amount,
            days_late,
            stage,
            penalties: None,
            description: String::new(),
        }
    }
}

#[cfg(test)]
impl Proposal {
    /// A proposal of 16 March 2026 to a standard French business client, by
    /// e-mail, totalling its invoices; tests change what they are about.
    pub(crate) fn sample(
        client_id: &str,
        client_name: &str,
        stage: Stage,
        tone: Tone,
        invoices: Vec<ProposedInvoice>,
    ) -> Self {
        let today = NaiveDate::from_ymd_opt(2026, 3, 16).expect("a valid date");
        Self {
            id: ProposalId::parse(&format!("p-{client_id}")).expect("a valid test proposal id"),
            date: today,
            client_id: ClientId::parse(client_id).expect("a valid test client id"),
            client_name: client_name.into(),
            segment: Segment::Standard,
            kind: ClientKind::B2b,
            language: Language::Fr,
            owner: None,
            stage,
            tone,
            channels: vec![Channel::Email],
            currency: Currency::EUR,
            total_due: invoices.iter().map(|i| i.amount_due).sum(),
            invoices,
            penalties: None,
            indemnity: None,
            previous_reminders: vec![],
            score: 55,
            reason: String::new(),
        }
    }
}
