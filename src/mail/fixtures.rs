//! What the mail tests share: a sender company and a proposal.

use crate::domain::{Stage, Tone};
use crate::policy::{Proposal, ProposedInvoice};
use crate::render::Company;
use chrono::NaiveDate;
use rust_decimal_macros::dec;

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A company with every payment detail and a phone.
pub(crate) fn company() -> Company {
    Company {
        name: "Atelier Dupont SAS".into(),
        siren: Some("732829320".into()),
        address: Some("12 rue des Lilas\n69003 Lyon".into()),
        iban: Some("FR7630006000011234567890189".into()),
        bic: Some("agrifrpp".into()),
        payment_link: Some("https://pay.example.fr/dupont?ref=42&x=1".into()),
        contact_name: "Claire Martin".into(),
        contact_email: "compta@atelier-dupont.fr".into(),
        contact_phone: Some("04 72 00 00 00".into()),
        signature: None,
        sms_sender: "DUPONT".into(),
    }
}

/// A first reminder of 16 March 2026 for one invoice of 2 400 € to a business.
pub(crate) fn proposal(stage: Stage, tone: Tone) -> Proposal {
    let invoices = vec![ProposedInvoice::sample("F-2026-0042", dec!(2400), d(2026, 3, 1), 15, stage)];
    Proposal::sample("C-7", "Garage Martin SARL", stage, tone, invoices)
}
