//! The last look before a message leaves. Between the morning's approval and
//! the send, a payment may have been imported, a dispute or a pause set, the
//! entry vetoed: the approval was given on the morning's facts, so each is
//! checked again, on what the database says now. Any of them cancels the
//! message, with a reason the digest shows.

use crate::decision::{EntryState, OutboxItem, Status};
use crate::domain::{InvoiceNumber, Language};
use crate::ledger::Account;
use crate::render::format;
use chrono::NaiveDate;

/// Why an approved message was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelReason {
    /// The invoice was paid (or settled) since the approval.
    Paid(InvoiceNumber),
    /// A payment changed what the invoice owes: the message would state a
    /// wrong amount. Tomorrow's digest proposes the right one.
    AmountChanged(InvoiceNumber),
    /// The invoice, or the whole client, is disputed.
    Disputed(Option<InvoiceNumber>),
    /// The client promised to pay by this date.
    Promised(NaiveDate),
    /// The client's reminders are paused until this date.
    Paused(NaiveDate),
    /// The entry is no longer approved (vetoed, snoozed, withdrawn).
    Decided { status: Status, by: Option<String> },
    /// The client is no longer in the ledger.
    UnknownClient,
}

/// Checks an approved message against the client's account and the digest
/// entry as they are now. `Ok` means it may leave.
pub fn recheck(
    item: &OutboxItem,
    account: Option<&Account>,
    entry: Option<&EntryState>,
    today: NaiveDate,
) -> Result<(), CancelReason> {
    match entry {
        Some(e) if e.status == Status::Approved => {}
        Some(e) => {
            let by = e.closed.as_ref().map(|s| s.by.clone());
            return Err(CancelReason::Decided { status: e.status, by });
        }
        None => return Err(CancelReason::Decided { status: Status::Withdrawn, by: None }),
    }
    let account = account.ok_or(CancelReason::UnknownClient)?;
    let hold = &account.hold;
    if hold.dispute.is_some() {
        return Err(CancelReason::Disputed(None));
    }
    if let Some(until) = hold.paused_until.filter(|d| *d >= today) {
        return Err(CancelReason::Paused(until));
    }
    if let Some(until) = hold.promise_date.filter(|d| *d >= today) {
        return Err(CancelReason::Promised(until));
    }
    for listed in &item.proposal.invoices {
        let Some(now) = account.invoices.iter().find(|i| i.number == listed.number) else {
            return Err(CancelReason::Paid(listed.number.clone()));
        };
        let due = now.amount_due();
        if due.is_zero() {
            return Err(CancelReason::Paid(listed.number.clone()));
        }
        if due != listed.amount_due {
            return Err(CancelReason::AmountChanged(listed.number.clone()));
        }
        if now.hold.dispute.is_some() {
            return Err(CancelReason::Disputed(Some(listed.number.clone())));
        }
        if let Some(until) = now.hold.promise_date.filter(|d| *d >= today) {
            return Err(CancelReason::Promised(until));
        }
        if let Some(until) = now.hold.paused_until.filter(|d| *d >= today) {
            return Err(CancelReason::Paused(until));
        }
    }
    Ok(())
}

impl CancelReason {
    /// The reason in the team's language, as the digest entry and the
    /// outbox row show it.
    pub fn text(&self, lang: Language) -> String {
        let fr = lang == Language::Fr;
        match self {
            CancelReason::Paid(n) if fr => format!("facture {n} payée depuis l'approbation"),
            CancelReason::Paid(n) => format!("invoice {n} paid since the approval"),
            CancelReason::AmountChanged(n) if fr => format!("paiement reçu sur la facture {n} : montant à revoir"),
            CancelReason::AmountChanged(n) => format!("payment received on invoice {n}: amount to review"),
            CancelReason::Disputed(Some(n)) if fr => format!("facture {n} en litige"),
            CancelReason::Disputed(Some(n)) => format!("invoice {n} disputed"),
            CancelReason::Disputed(None) if fr => "client en litige".into(),
            CancelReason::Disputed(None) => "client in dispute".into(),
            CancelReason::Promised(d) if fr => format!("promesse de paiement au {}", format::date(*d, lang)),
            CancelReason::Promised(d) => format!("promised to pay by {}", format::date(*d, lang)),
            CancelReason::Paused(d) if fr => format!("relances suspendues jusqu'au {}", format::date(*d, lang)),
            CancelReason::Paused(d) => format!("reminders paused until {}", format::date(*d, lang)),
            CancelReason::Decided { status, by } => decided_text(*status, by.as_deref(), fr),
            CancelReason::UnknownClient if fr => "client absent du registre".into(),
            CancelReason::UnknownClient => "client no longer in the ledger".into(),
        }
    }
}

fn decided_text(status: Status, by: Option<&str>, fr: bool) -> String {
    let what = match (status, fr) {
        (Status::Vetoed, true) => "veto",
        (Status::Vetoed, false) => "vetoed",
        (Status::Snoozed, true) => "reporté",
        (Status::Snoozed, false) => "snoozed",
        (Status::Withdrawn, true) => "retiré du récapitulatif",
        (Status::Withdrawn, false) => "withdrawn from the digest",
        (Status::Pending, true) => "approbation retirée",
        (Status::Pending, false) => "approval withdrawn",
        (Status::Approved, _) => "",
    };
    match by {
        Some(by) => format!("{what} ({by})"),
        None => what.to_string(),
    }
}

#[cfg(test)]
#[path = "recheck_tests.rs"]
mod tests;
