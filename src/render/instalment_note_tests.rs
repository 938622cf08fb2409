//! The note in both languages, on a plan of three instalments.

use super::*;
use crate::domain::{ClientId, Currency, InvoiceNumber};
use crate::policy::instalments::{Frequency, InstalmentPlan};
use crate::store::{Actor, PlanStatus, Stamped};
use chrono::NaiveDate;
use rust_decimal_macros::dec;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn plan(language: Language) -> PlanRow {
    let instalment = |n, date: &str, amount| Instalment { number: n, due_date: day(date), amount };
    PlanRow {
        id: 4,
        client_id: ClientId::parse("C1").unwrap(),
        invoices: vec![InvoiceNumber::parse("F-2").unwrap(), InvoiceNumber::parse("F-5").unwrap()],
        frequency: Frequency::Monthly,
        language,
        schedule: InstalmentPlan {
            currency: Currency::EUR,
            total: dec!(1200.01),
            instalments: vec![
                instalment(1, "2026-03-23", dec!(400)),
                instalment(2, "2026-04-23", dec!(400)),
                instalment(3, "2026-05-23", dec!(400.01)),
            ],
        },
        status: PlanStatus::Approved,
        proposed: Stamped { actor: Actor { name: "Julie".into(), via: "cli".into() }, at: chrono::Utc::now() },
        decided: None,
        closed_at: None,
        missed_number: None,
    }
}

fn company() -> Company {
    Company {
        name: "Acme".into(),
        iban: Some("FR7630006000011234567890189".into()),
        contact_name: "Claire Martin".into(),
        contact_email: "claire@acme.fr".into(),
        ..Company::default()
    }
}

fn render(language: Language, number: usize) -> DuplicateText {
    let mut client = Client::new(ClientId::parse("C1").unwrap(), "Dupont");
    client.language = language;
    let plan = plan(language);
    let instalment = plan.schedule.instalments[number - 1].clone();
    let mut text = render_instalment_note(&client, &plan, &instalment, &company(), &Templates::builtin()).unwrap();
    text.body = text.body.replace(['\u{a0}', '\u{202f}'], " ");
    text
}

#[test]
fn a_french_note_gives_the_instalment_what_is_left_and_how_to_pay_without_a_penalty() {
    let text = render(Language::Fr, 2);
    assert_eq!(text.subject, "Rappel amical : échéance 2/3 du 23/04/2026");
    for expected in [
        "l'échéance 2 sur 3 de votre échéancier de paiement (factures F-2 et F-5), d'un montant de 400,00 €, arrive le 23/04/2026",
        "- échéance 3 : 400,01 € le 23/05/2026",
        "IBAN FR76",
        "Claire Martin",
    ] {
        assert!(text.body.contains(expected), "{expected:?} missing from:\n{}", text.body);
    }
    for absent in ["pénalit", "indemnit", "échéance 1 :", "40 €"] {
        assert!(!text.body.contains(absent), "{absent:?} in:\n{}", text.body);
    }
}

#[test]
fn an_english_note_for_the_last_instalment_says_it_settles_the_invoices() {
    let text = render(Language::En, 3);
    assert_eq!(text.subject, "Friendly reminder: instalment 3 of 3 due 23 May 2026");
    for expected in [
        "instalment 3 of 3 of your payment plan (invoices F-2 and F-5), for €400.01, is due on 23 May 2026",
        "This is the last instalment: once it is paid, the invoices are settled.",
    ] {
        assert!(text.body.contains(expected), "{expected:?} missing from:\n{}", text.body);
    }
    assert!(!text.body.contains("penalt"), "{}", text.body);
}
