//! The digest a finance team reads: names, French amounts with plain spaces, buckets.

use super::*;
use crate::domain::{Stage, Tone};
use crate::policy::ProposedInvoice;
use crate::render::message::render_message;
use crate::render::Templates;
use chrono::TimeZone;
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn company() -> Company {
    Company {
        name: "Atelier Dupont SAS".into(),
        contact_name: "Claire Martin".into(),
        contact_email: "compta@atelier-dupont.fr".into(),
        iban: Some("FR7630006000011234567890189".into()),
        ..Company::default()
    }
}

fn proposal(client: &str, stage: Stage, tone: Tone, lines: &[(&str, Decimal, i64)]) -> Proposal {
    let today = d(2026, 3, 16);
    let invoices: Vec<ProposedInvoice> = lines
        .iter()
        .map(|(number, amount, late)| {
            let mut invoice =
                ProposedInvoice::sample(number, *amount, today - chrono::Duration::days(*late), *late, stage);
            invoice.issue_date = d(2026, 1, 15);
            invoice
        })
        .collect();
    let mut p = Proposal::sample(client, client, stage, tone, invoices);
    p.reason = "échue depuis 15 jours, aucune relance encore".into();
    p
}

fn aged() -> AgedBalance {
    AgedBalance {
        currency: Currency::EUR,
        not_due: dec!(10000),
        days_1_30: dec!(2400),
        days_31_60: dec!(1250.5),
        days_61_90: dec!(0),
        over_90: dec!(1000000),
        total: dec!(1013650.5),
        overdue_total: dec!(1003650.5),
        overdue_count: 5,
        open_count: 9,
    }
}

struct Fixture {
    company: Company,
    proposals: Vec<Proposal>,
    messages: Vec<Message>,
    aged: Vec<AgedBalance>,
    dso: Vec<(Currency, Option<Decimal>)>,
}

fn fixture(lang: Language) -> Fixture {
    let mut garage = proposal("Garage Martin SARL", Stage::First, Tone::Courteous, &[("F-2026-0042", dec!(2400), 15)]);
    let mut bistrot = proposal(
        "Bistrot du Port",
        Stage::Final,
        Tone::Firm,
        &[("F-2026-0007", dec!(1000), 45), ("F-2026-0011", dec!(250.5), 31)],
    );
    bistrot.segment = Segment::Strategic;
    bistrot.owner = Some("@julie".into());
    bistrot.penalties = Some(dec!(13.37));
    bistrot.indemnity = Some(dec!(80));
    for p in [&mut garage, &mut bistrot] {
        p.language = lang;
    }
    let proposals = vec![garage, bistrot];
    let messages =
        proposals.iter().map(|p| render_message(p, &company(), &Templates::builtin()).unwrap()).collect::<Vec<_>>();
    Fixture {
        company: company(),
        proposals,
        messages,
        aged: vec![aged()],
        dso: vec![(Currency::EUR, Some(dec!(41.6)))],
    }
}

fn digest(f: &Fixture, lang: Language, non_business_day: Option<String>) -> String {
    render_digest(&DigestView {
        today: d(2026, 3, 16),
        lang,
        company: &f.company,
        proposals: &f.proposals,
        messages: &f.messages,
        aged: &f.aged,
        dso: &f.dso,
        // 06:12 UTC is 07:12 in Paris in March (winter time).
        last_import_at: Some(Utc.with_ymd_and_hms(2026, 3, 16, 6, 12, 0).unwrap()),
        tz: chrono_tz::Europe::Paris,
        non_business_day,
    })
}

#[test]
fn french_digest_has_title_freshness_totals_and_plain_spaces() {
    let f = fixture(Language::Fr);
    let text = digest(&f, Language::Fr, None);
    assert!(text.starts_with("Atelier Dupont SAS\nRelances proposées — lundi 16 mars 2026\n"), "{text}");
    assert!(text.contains("\nDonnées mises à jour le 16/03/2026 à 07:12\n"), "{text}");
    assert!(text.contains("\nEn retard   1 003 650,50 € · 5 factures\n"), "{text}");
    assert!(text.contains("\nÀ relancer  2 relances · 3 650,50 €\n"), "{text}");
    assert!(!text.contains(['\u{202F}', '\u{A0}']), "only plain spaces in a terminal");
    assert!(text.contains("\nDSO : EUR 42 jours\n"), "{text}");
}

#[test]
fn aged_balance_shows_every_bucket_aligned() {
    let f = fixture(Language::Fr);
    let text = digest(&f, Language::Fr, None);
    let header = "Balance âgée   Non échu    1–30 j   31–60 j  61–90 j        > 90 j         Total";
    let row = "EUR           10 000,00  2 400,00  1 250,50     0,00  1 000 000,00  1 013 650,50";
    assert!(text.contains(&format!("\n{header}\n{row}\n")), "{text}");
}

#[test]
fn each_proposal_shows_client_stage_invoices_total_reason_and_preview() {
    let f = fixture(Language::Fr);
    let text = digest(&f, Language::Fr, None);
    for expected in [
        "1. Garage Martin SARL\n   1re relance · ton courtois · e-mail · score 55/100\n",
        "   Facture      Échéance    Retard    Reste dû\n   F-2026-0042  01/03/2026    15 j  2 400,00 €\n   Total                            2 400,00 €\n",
        "   Motif : échue depuis 15 jours, aucune relance encore\n",
        "   Objet : Relance – facture n° F-2026-0042\n",
        "   Aperçu : Sauf erreur de notre part, nous n'avons pas encore reçu le règlement de la facture\n            suivante, arrivée à échéance : - facture n° F-2026-0042 du 15/01/2026, échéance le 01/…\n",
        "2. Bistrot du Port  ⭐ stratégique · @julie\n   Relance avant contentieux · ton ferme · e-mail · score 55/100\n",
        "   F-2026-0011  13/02/2026    31 j    250,50 €\n",
        "   Total                            1 250,50 €\n",
        "   Pénalités de retard : 13,37 € · indemnité forfaitaire : 80,00 €\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
}

#[test]
fn a_missing_message_does_not_hide_the_proposal() {
    let mut f = fixture(Language::Fr);
    f.messages.truncate(1);
    let text = digest(&f, Language::Fr, None);
    assert!(text.contains("2. Bistrot du Port"), "{text}");
    assert!(text.contains("   Aperçu : (message non rendu)\n"), "{text}");
}

#[test]
fn non_business_days_and_stale_data_are_flagged() {
    let f = fixture(Language::Fr);
    let note = "samedi — jour non ouvré ; prochain envoi : lundi 16 mars".to_string();
    let mut text = digest(&f, Language::Fr, Some(note));
    assert!(text.contains("\n⚠ samedi — jour non ouvré ; prochain envoi : lundi 16 mars\n"), "{text}");
    text = render_digest(&DigestView {
        today: d(2026, 3, 17),
        lang: Language::Fr,
        company: &f.company,
        proposals: &[],
        messages: &[],
        aged: &[],
        dso: &[],
        last_import_at: Some(Utc.with_ymd_and_hms(2026, 3, 16, 6, 12, 0).unwrap()),
        tz: chrono_tz::Europe::Paris,
        non_business_day: None,
    });
    assert!(
        text.contains("Données mises à jour le 16/03/2026 à 07:12 — attention : importez les derniers paiements"),
        "{text}"
    );
    assert!(text.contains("\nBalance âgée : aucune facture ouverte\n"), "{text}");
    assert!(text.contains("\nAucune relance à proposer aujourd'hui.\n"), "{text}");
    assert!(text.contains("\nÀ relancer  0 relance · 0,00 €\n"), "{text}");
}

#[test]
fn english_digest() {
    let f = fixture(Language::En);
    let text = digest(&f, Language::En, None);
    for expected in [
        "Proposed reminders — Monday 16 March 2026\n",
        "Data updated on 16 Mar 2026 at 07:12\n",
        "Overdue    €1,003,650.50 · 5 invoices\n",
        "Aged balance    Not due    1–30 d   31–60 d  61–90 d        > 90 d         Total\n",
        "2. Bistrot du Port  ⭐ strategic · @julie\n   Final reminder · tone firm · e-mail · score 55/100\n",
        "   Invoice      Due          Late    Due now\n   F-2026-0007  30 Jan 2026  45 d  €1,000.00\n",
        "   Subject: Follow-up on your account – 2 invoices awaiting payment\n",
        "DSO: EUR 42 days\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn wrap_breaks_at_words() {
    assert_eq!(wrap("un deux trois quatre", 9), vec!["un deux", "trois", "quatre"]);
}
