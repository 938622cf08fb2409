use super::*;
use crate::decision::Stamp;
use crate::domain::{Client, ClientId, Currency, Stage, Tone};
use crate::ledger::{Hold, InvoiceState, PaymentLine};
use crate::people::Platform;
use crate::policy::{Proposal, ProposedInvoice};
use rust_decimal::Decimal;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

/// An approved reminder of F-1 (1 200 €) to ACME, and ACME's account as
/// it stood at approval.
fn approved() -> (OutboxItem, EntryState, Account) {
    let invoice = ProposedInvoice::sample("F-1", Decimal::new(1200, 0), day(1), 15, Stage::First);
    let p = Proposal::sample("ACME", "Acme", Stage::First, Tone::Courteous, vec![invoice]);
    let mut entry = EntryState::new(p.clone(), None);
    entry.status = Status::Approved;
    let item = OutboxItem::of(&p, chrono::Utc::now(), false);
    let state = InvoiceState {
        number: InvoiceNumber::parse("F-1").unwrap(),
        issue_date: day(1) - chrono::Days::new(30),
        due_date: day(1),
        amount: Decimal::new(1200, 0),
        currency: Currency::EUR,
        paid_at_import: Decimal::ZERO,
        payments: vec![],
        hold: Hold::default(),
        last_stage: None,
        description: String::new(),
    };
    let account = Account::new(Client::new(ClientId::parse("ACME").unwrap(), "Acme"), vec![state]);
    (item, entry, account)
}

#[test]
fn an_unchanged_approved_reminder_leaves() {
    let (item, entry, account) = approved();
    assert_eq!(recheck(&item, Some(&account), Some(&entry), day(16)), Ok(()));
}

#[test]
fn a_payment_since_the_approval_stops_the_message() {
    let (item, entry, mut account) = approved();
    account.invoices[0].payments.push(PaymentLine { date: day(16), amount: Decimal::new(1200, 0) });
    let why = recheck(&item, Some(&account), Some(&entry), day(16)).unwrap_err();
    assert_eq!(why.text(Language::Fr), "facture F-1 payée depuis l'approbation");
    account.invoices[0].payments[0].amount = Decimal::new(200, 0);
    let why = recheck(&item, Some(&account), Some(&entry), day(16)).unwrap_err();
    assert!(matches!(why, CancelReason::AmountChanged(_)), "{why:?}");
    account.invoices.clear();
    assert!(matches!(recheck(&item, Some(&account), Some(&entry), day(16)), Err(CancelReason::Paid(_))));
}

#[test]
fn disputes_promises_and_pauses_stop_the_message() {
    let (item, entry, account) = approved();
    let mut disputed = account.clone();
    disputed.invoices[0].hold.dispute = Some("livraison incomplète".into());
    assert_eq!(
        recheck(&item, Some(&disputed), Some(&entry), day(16)).unwrap_err().text(Language::Fr),
        "facture F-1 en litige"
    );
    let mut promised = account.clone();
    promised.hold.promise_date = Some(day(20));
    assert_eq!(
        recheck(&item, Some(&promised), Some(&entry), day(16)).unwrap_err().text(Language::En),
        "promised to pay by 20 Mar 2026"
    );
    let mut paused = account.clone();
    paused.hold.paused_until = Some(day(16));
    assert_eq!(recheck(&item, Some(&paused), Some(&entry), day(16)), Err(CancelReason::Paused(day(16))));
    // A pause that has ended does not.
    assert_eq!(recheck(&item, Some(&paused), Some(&entry), day(17)), Ok(()));
}

#[test]
fn a_veto_since_the_approval_stops_the_message_and_names_who() {
    let (item, mut entry, account) = approved();
    entry.status = Status::Vetoed;
    entry.closed = Some(Stamp { by: "Hugo".into(), via: Platform::Slack, at: chrono::Utc::now() });
    let why = recheck(&item, Some(&account), Some(&entry), day(16)).unwrap_err();
    assert_eq!(why.text(Language::Fr), "veto (Hugo)");
    assert!(recheck(&item, Some(&account), None, day(16)).is_err(), "an entry gone is not sent");
    assert_eq!(recheck(&item, None, Some(&approved().1), day(16)), Err(CancelReason::UnknownClient));
}
