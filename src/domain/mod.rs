//! The domain: types that can only hold valid values.
//!
//! Raw strings stop at the edges (CSV import, HTTP, configuration); everything
//! past them works with these types, so the planner never has to wonder whether
//! a currency code is well formed or an amount is negative.

mod client;
mod ids;
mod invoice;
mod money;
mod stage;

pub use client::{Client, ClientKind, EmailAddress, Language, PhoneE164, Segment, Siren};
pub use ids::{ClientId, InvoiceNumber, ProposalId};
pub use invoice::{Invoice, Payment};
pub use money::{decimal_str, Currency, Money};
pub use stage::{Channel, Stage, Tone};

/// A value that failed to parse into a domain type: says what and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?}: {why}")]
pub struct InvalidValue {
    pub what: &'static str,
    pub value: String,
    pub why: &'static str,
}

impl InvalidValue {
    pub fn new(what: &'static str, value: impl Into<String>, why: &'static str) -> Self {
        Self { what, value: value.into(), why }
    }
}
