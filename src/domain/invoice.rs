//! Invoices and the payments that settle them.

use super::{ClientId, Currency, InvoiceNumber};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An invoice as imported. `paid` is what the accounting tool already knew
/// was paid at export time; payments imported later come on top.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub number: InvoiceNumber,
    pub client_id: ClientId,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    /// Amount including tax (TTC): the base for late-payment penalties.
    pub amount: Decimal,
    pub currency: Currency,
    pub paid: Decimal,
    pub description: String,
    pub pdf: Option<String>,
}

/// A payment received against one invoice. Identified by invoice, date,
/// amount and reference, so importing the same bank export twice adds nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Payment {
    pub invoice: InvoiceNumber,
    pub amount: Decimal,
    pub date: NaiveDate,
    pub reference: String,
}
