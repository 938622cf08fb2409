//! When a note is queued, what the header says, and the re-check at send
//! time, on a plan of 300 € in three instalments (16 March, 16 April, 16 May 2026).

use super::*;
use crate::domain::{Client, ClientId, Currency, EmailAddress, InvoiceNumber};
use crate::ledger::{PaymentLine, PlanInForce};
use crate::policy::instalments::{Frequency, InstalmentPlan};
use crate::store::{Actor, OutboxStatus, Stamped};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn invoice(number: &str, due: &str, amount: Decimal) -> InvoiceState {
    InvoiceState {
        description: String::new(),
        number: InvoiceNumber::parse(number).unwrap(),
        issue_date: d(due) - chrono::Days::new(30),
        due_date: d(due),
        amount,
        currency: Currency::EUR,
        paid_at_import: Decimal::ZERO,
        payments: Vec::new(),
        hold: crate::ledger::Hold::default(),
        last_stage: None,
    }
}

fn instalments() -> Vec<Instalment> {
    ["2026-03-16", "2026-04-16", "2026-05-16"]
        .iter()
        .zip(1..)
        .map(|(date, number)| Instalment { number, due_date: d(date), amount: dec!(100) })
        .collect()
}

fn account(paid: Decimal, email: bool) -> Account {
    let mut f1 = invoice("F-1", "2026-03-02", dec!(300));
    if !paid.is_zero() {
        f1.payments.push(PaymentLine { date: d("2026-03-10"), amount: paid });
    }
    let mut client = Client::new(ClientId::parse("C1").unwrap(), "C1 SARL");
    client.email = email.then(|| EmailAddress::parse("ap@c1.fr").unwrap());
    let mut account = Account::new(client, vec![f1]);
    let invoices = vec![InvoiceNumber::parse("F-1").unwrap()];
    account.plans.push(PlanInForce { id: 7, invoices, total: dec!(300), instalments: instalments() });
    account
}

fn stored(status: PlanStatus) -> PlanRow {
    PlanRow {
        id: 7,
        client_id: ClientId::parse("C1").unwrap(),
        invoices: vec![InvoiceNumber::parse("F-1").unwrap()],
        frequency: Frequency::Monthly,
        language: Language::Fr,
        schedule: InstalmentPlan { currency: Currency::EUR, total: dec!(300), instalments: instalments() },
        status,
        proposed: Stamped { actor: Actor { name: "Julie".into(), via: "cli".into() }, at: chrono::Utc::now() },
        decided: None,
        closed_at: None,
        missed_number: None,
    }
}

#[test]
fn a_note_is_due_for_the_next_unpaid_instalment_to_a_client_with_an_address() {
    let policy = Policy::default();
    let due = |paid, email, today: &str| -> Vec<u32> {
        notes_due(&account(paid, email), &policy, d(today)).iter().map(|n| n.instalment.number).collect()
    };
    assert_eq!(due(dec!(0), true, "2026-03-13"), [1], "three days before 16 March");
    assert_eq!(due(dec!(0), false, "2026-03-13"), Vec::<u32>::new(), "no address, no note");
    assert_eq!(due(dec!(100), true, "2026-03-13"), Vec::<u32>::new(), "paid early");
    assert_eq!(due(dec!(100), true, "2026-04-13"), [2]);
    let note = &notes_due(&account(dec!(0), true), &policy, d("2026-03-13"))[0];
    assert_eq!((note.key().as_str(), note.recipient.as_str()), ("note:7:1", "ap@c1.fr"));
}

#[test]
fn the_header_counts_todays_notes_and_names_their_clients() {
    let row = |client: &str, instalment| NoteRow {
        plan_id: 7,
        client_id: ClientId::parse(client).unwrap(),
        instalment,
        day: d("2026-03-13"),
        status: OutboxStatus::Queued,
        sent_at: None,
        last_error: None,
    };
    assert_eq!(header_line(&[], Language::Fr), None);
    assert_eq!(
        header_line(&[row("SGE", 2)], Language::Fr).as_deref(),
        Some("📅 1 rappel d'échéance part aujourd'hui : SGE.")
    );
    assert_eq!(
        header_line(&[row("SGE", 2), row("DUP", 1)], Language::En).as_deref(),
        Some("📅 2 instalment notes go out today: SGE, DUP.")
    );
    let many: Vec<NoteRow> = ["A", "B", "C", "D", "E", "F", "G"].iter().map(|c| row(c, 1)).collect();
    assert_eq!(
        header_line(&many, Language::Fr).as_deref(),
        Some("📅 7 rappels d'échéance partent aujourd'hui : A, B, C, D, E (+2).")
    );
}

#[test]
fn at_send_time_a_paid_instalment_an_ended_plan_or_a_passed_date_cancels_the_note() {
    let policy = Policy::default();
    let approved = stored(PlanStatus::Approved);
    let check = |plan: Option<&PlanRow>, number, paid, today: &str| {
        let rules = (&policy.instalments, &policy.calendar);
        still_due(plan, number, &account(paid, true).invoices, rules.0, rules.1, d(today)).map(|i| i.amount)
    };
    assert_eq!(check(Some(&approved), 1, dec!(0), "2026-03-13"), Ok(dec!(100)));
    assert_eq!(check(Some(&approved), 1, dec!(60), "2026-03-16"), Ok(dec!(100)), "partly paid: still due");
    assert_eq!(check(Some(&approved), 1, dec!(100), "2026-03-13"), Err(NoteCancel::Paid));
    assert_eq!(check(Some(&approved), 2, dec!(300), "2026-04-13"), Err(NoteCancel::Paid), "completed");
    assert_eq!(check(Some(&approved), 1, dec!(0), "2026-03-17"), Err(NoteCancel::Passed));
    assert_eq!(check(Some(&approved), 2, dec!(0), "2026-04-13"), Err(NoteCancel::PlanEnded), "broken");
    assert_eq!(check(Some(&stored(PlanStatus::Broken)), 1, dec!(0), "2026-03-13"), Err(NoteCancel::PlanEnded));
    assert_eq!(check(None, 1, dec!(0), "2026-03-13"), Err(NoteCancel::PlanEnded));
}

#[test]
fn the_header_line_shows_on_every_platform_and_the_digest_page() {
    use crate::chat::links::Action;
    use crate::digest::call_buttons::CallButton;
    use crate::digest::discord::{discord_digest_pages, ButtonKind};
    use crate::digest::slack::slack_digest_pages;
    use crate::digest::teams::teams_digest_cards;
    use crate::digest::DigestHeader;
    let row = NoteRow {
        plan_id: 7,
        client_id: ClientId::parse("SGE").unwrap(),
        instalment: 2,
        day: d("2026-04-20"),
        status: OutboxStatus::Queued,
        sent_at: None,
        last_error: None,
    };
    let line = header_line(&[row], Language::Fr).unwrap();
    let header = DigestHeader::new(d("2026-04-20"), vec![line.clone()]);
    let link = |id: &str, _: Action| format!("https://relance.example/act/{id}");
    let call_link = |_: &CallButton| String::new();
    let rendered = [
        slack_digest_pages(&header, &[], Language::Fr)[0].body.to_string(),
        discord_digest_pages(&header, &[], Language::Fr, ButtonKind::Interactive)[0].body.to_string(),
        teams_digest_cards(&header, &[], Language::Fr, &link)[0].body.to_string(),
        crate::web::pages::digest_page(&header, &[], &[], Language::Fr, &link, &call_link),
    ];
    for (platform, text) in ["slack", "discord", "teams", "/digest"].iter().zip(rendered) {
        let text = text.replace("&#x27;", "'").replace("&#39;", "'");
        assert!(text.contains("📅 1 rappel d'échéance part aujourd'hui : SGE."), "{platform}: {text}");
    }
}
