//! What the client reads, stage by stage: the mentions DUNNING.md requires.

use super::*;
use crate::domain::{Language, ProposalId};
use crate::policy::ProposedInvoice;
use chrono::NaiveDate;
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub(super) fn company() -> Company {
    Company {
        name: "Atelier Dupont SAS".into(),
        siren: Some("732829320".into()),
        address: Some("12 rue des Lilas\n69003 Lyon".into()),
        iban: Some("FR7630006000011234567890189".into()),
        bic: Some("AGRIFRPP".into()),
        payment_link: None,
        contact_name: "Claire Martin".into(),
        contact_email: "compta@atelier-dupont.fr".into(),
        contact_phone: Some("04 72 00 00 00".into()),
        signature: None,
        sms_sender: "DUPONT".into(),
    }
}

fn invoice(number: &str, amount: Decimal, due: NaiveDate, days_late: i64, stage: Stage) -> ProposedInvoice {
    ProposedInvoice::sample(number, amount, due, days_late, stage)
}

/// A first reminder for one invoice of 2 400 € to a standard business client.
pub(super) fn proposal(stage: Stage, tone: Tone) -> Proposal {
    let invoices = vec![invoice("F-2026-0042", dec!(2400), d(2026, 3, 1), 15, stage)];
    let mut p = Proposal::sample("C-7", "Garage Martin SARL", stage, tone, invoices);
    p.id = ProposalId::parse("p-1").unwrap();
    p.score = 70;
    p.reason = "1re relance : échue depuis 15 jours".into();
    p
}

fn render(p: &Proposal) -> Message {
    render_message(p, &company(), &Templates::builtin()).unwrap()
}

fn final_b2b() -> Proposal {
    let mut p = proposal(Stage::Final, Tone::PreLitigation);
    p.previous_reminders = vec![(Stage::First, d(2026, 2, 20)), (Stage::Second, d(2026, 3, 2))];
    p.penalties = Some(dec!(21.87));
    p.indemnity = Some(dec!(40));
    p
}

#[test]
fn first_reminder_has_every_mandatory_mention() {
    let m = render(&proposal(Stage::First, Tone::Courteous));
    assert_eq!(m.subject, "Relance – facture n° F-2026-0042");
    for expected in [
        "facture n° F-2026-0042 du 30/01/2026, échéance le 01/03/2026 : 2\u{202F}400,00\u{A0}€ TTC, reste dû 2\u{202F}400,00\u{A0}€",
        "Total restant dû : 2\u{202F}400,00\u{A0}€",
        "IBAN FR76 3000 6000 0112 3456 7890 189, BIC AGRIFRPP",
        "Claire Martin se tient à votre disposition : compta@atelier-dupont.fr, 04 72 00 00 00",
        "ne pas tenir compte de ce message",
        "simple oubli",
    ] {
        assert!(m.body.contains(expected), "missing {expected:?} in:\n{}", m.body);
    }
    assert!(!m.body.contains("jours ouvrés"), "no deadline before the second reminder:\n{}", m.body);
    assert!(!m.body.contains("L441-10"));
    assert_eq!(m.sms, None);
}

#[test]
fn several_invoices_are_listed_with_a_total_and_counted_in_the_subject() {
    let mut p = proposal(Stage::First, Tone::Courteous);
    p.invoices.push(invoice("F-2026-0050", dec!(600), d(2026, 3, 5), 11, Stage::First));
    p.invoices.push(invoice("F-2026-0051", dec!(1000000.5), d(2026, 3, 6), 10, Stage::First));
    p.total_due = dec!(1003000.5);
    let m = render(&p);
    assert_eq!(m.subject, "Relance – 3 factures impayées");
    assert!(m.body.contains("des 3 factures suivantes"), "{}", m.body);
    assert!(m.body.contains("facture n° F-2026-0050 du 03/02/2026, échéance le 05/03/2026"), "{}", m.body);
    assert!(m.body.contains("Total restant dû : 1\u{202F}003\u{202F}000,50\u{A0}€"), "{}", m.body);
    assert!(m.body.contains("les numéros des factures en référence"), "{}", m.body);
}

#[test]
fn pre_due_reminder_announces_the_due_date() {
    let mut p = proposal(Stage::PreDue, Tone::Friendly);
    p.invoices[0].due_date = d(2026, 3, 19);
    p.invoices[0].days_late = -3;
    let m = render(&p);
    assert_eq!(m.subject, "Rappel – échéance de la facture n° F-2026-0042 le 19/03/2026");
    assert!(m.body.starts_with("Bonjour,\n"), "{}", m.body);
    assert!(m.body.contains("arrive bientôt à échéance"), "{}", m.body);
    assert!(m.body.contains("échéance le 19/03/2026"), "{}", m.body);
    assert!(m.body.contains("ne pas tenir compte de ce message"), "{}", m.body);
}

#[test]
fn second_reminder_cites_the_first_and_asks_within_5_working_days() {
    let mut p = proposal(Stage::Second, Tone::Firm);
    p.previous_reminders = vec![(Stage::First, d(2026, 3, 6))];
    let m = render(&p);
    assert_eq!(m.subject, "2e relance – facture n° F-2026-0042");
    assert!(m.body.contains("notre relance du 06/03/2026 n'a pas été suivie d'un règlement"), "{}", m.body);
    assert!(m.body.contains("sous 5 jours ouvrés"), "{}", m.body);
    assert!(!m.body.contains("mise en demeure"), "{}", m.body);
}

#[test]
fn final_reminder_to_a_business_states_penalties_and_the_40_euro_indemnity() {
    let m = render(&final_b2b());
    assert_eq!(m.subject, "Relance avant contentieux – facture n° F-2026-0042");
    for expected in [
        "Malgré nos relances des 20/02/2026 et 02/03/2026, la facture suivante demeure impayée",
        "article L441-10 du Code de commerce",
        "au 16/03/2026, elles s'élèvent à 21,87\u{A0}€",
        "40 € par facture payée en retard (article D441-5 du Code de commerce), soit 40,00\u{A0}€",
        "sous 5 jours ouvrés",
        "lettre recommandée avec accusé de réception",
        "procédure de recouvrement",
    ] {
        assert!(m.body.contains(expected), "missing {expected:?} in:\n{}", m.body);
    }
}

#[test]
fn consumers_never_read_about_penalties_or_the_40_euros() {
    let mut p = final_b2b();
    p.kind = ClientKind::B2c;
    p.invoices[0].amount = dec!(350);
    p.invoices[0].amount_due = dec!(350);
    p.total_due = dec!(350);
    for (stage, tone) in [(Stage::Final, Tone::PreLitigation), (Stage::FormalNotice, Tone::Formal)] {
        p.stage = stage;
        p.tone = tone;
        let m = render(&p);
        for forbidden in ["40", "L441-10", "D441-5", "pénalités", "indemnité", "21,87"] {
            assert!(!m.body.contains(forbidden), "{stage}: {forbidden:?} in a B2C reminder:\n{}", m.body);
        }
        assert!(m.body.contains("350,00\u{A0}€"), "{}", m.body);
    }
}

#[test]
fn formal_notice_splits_the_claim_and_gives_8_days() {
    let mut p = final_b2b();
    p.stage = Stage::FormalNotice;
    p.tone = Tone::Formal;
    p.channels = vec![Channel::Letter];
    p.invoices.push(invoice("F-2026-0050", dec!(600), d(2026, 3, 5), 11, Stage::FormalNotice));
    p.total_due = dec!(3000);
    p.indemnity = Some(dec!(80));
    let m = render(&p);
    assert_eq!(m.subject, "Mise en demeure de payer – factures n° F-2026-0042 et F-2026-0050");
    for expected in [
        "Atelier Dupont SAS\n12 rue des Lilas\n69003 Lyon\nSIREN 732829320\n\nGarage Martin SARL\n\nLe 16/03/2026",
        "Objet : Mise en demeure de payer – factures n° F-2026-0042 et F-2026-0050",
        "nous vous mettons en demeure de nous régler, dans un délai de 8 jours",
        "la somme de 3\u{202F}101,87\u{A0}€, qui se décompose ainsi :",
        "- principal restant dû : 3\u{202F}000,00\u{A0}€",
        "- pénalités de retard (article L441-10 du Code de commerce), arrêtées au 16/03/2026 : 21,87\u{A0}€",
        "(article D441-5 du Code de commerce, 40 € par facture) : 80,00\u{A0}€",
        "nous saisirons la juridiction compétente",
        "salutations distinguées",
    ] {
        assert!(m.body.contains(expected), "missing {expected:?} in:\n{}", m.body);
    }
}

#[test]
fn formal_notice_to_a_consumer_claims_the_principal_with_legal_interest() {
    let mut p = proposal(Stage::FormalNotice, Tone::Formal);
    p.kind = ClientKind::B2c;
    let m = render(&p);
    assert!(m.body.contains("la somme de 2\u{202F}400,00\u{A0}€.\n"), "{}", m.body);
    assert!(m.body.contains("intérêts au taux légal à compter de la réception"), "{}", m.body);
}

#[test]
fn strategic_clients_get_the_cooperative_wording() {
    let mut p = proposal(Stage::Second, Tone::Courteous);
    p.segment = Segment::Strategic;
    p.previous_reminders = vec![(Stage::First, d(2026, 3, 6))];
    let m = render(&p);
    assert_eq!(template_name(&p), "strategic");
    assert_eq!(m.subject, "Suivi de votre facture n° F-2026-0042");
    assert!(m.body.contains("Compte tenu de l'importance de notre collaboration"), "{}", m.body);
    assert!(m.body.contains("notre message du 06/03/2026"), "{}", m.body);
    assert!(m.body.contains("sous 5 jours ouvrés"), "{}", m.body);
    assert!(!m.body.contains("Sauf erreur de notre part, notre relance"), "{}", m.body);
}

#[test]
fn strategic_clients_keep_the_legal_mentions_at_pre_litigation() {
    let mut p = final_b2b();
    p.segment = Segment::Strategic;
    assert_eq!(template_name(&p), "pre_litigation");
    assert!(render(&p).body.contains("L441-10"));
}

#[test]
fn english_clients_get_english() {
    let mut p = final_b2b();
    p.language = Language::En;
    let m = render(&p);
    assert_eq!(m.subject, "Final reminder before legal action – invoice no. F-2026-0042");
    for expected in [
        "Dear Sir or Madam,",
        "Despite our reminders of 20 Feb 2026 and 2 Mar 2026, the following invoice remains unpaid",
        "invoice no. F-2026-0042 of 30 Jan 2026, due on 1 Mar 2026: €2,400.00 incl. VAT",
        "article L441-10",
        "as of 16 Mar 2026, they amount to €21.87",
        "€40 per late invoice",
        "within 5 working days",
    ] {
        assert!(m.body.contains(expected), "missing {expected:?} in:\n{}", m.body);
    }
    assert!(!m.body.contains("Madame"));
}

#[test]
fn sms_is_short_plain_and_says_how_to_pay_and_whom_to_call() {
    let mut p = proposal(Stage::Second, Tone::Firm);
    p.channels = vec![Channel::Email, Channel::Sms];
    let sms = render(&p).sms.expect("SMS channel");
    assert_eq!(
        sms,
        "DUPONT : sauf erreur, la facture F-2026-0042 (2 400,00 €) reste impayée. \
         Virement : IBAN FR76 3000 6000 0112 3456 7890 189. Déjà réglé ? Ignorez ce message. \
         Contact : Claire Martin 04 72 00 00 00"
    );
    assert!(sms.chars().count() <= SMS_MAX_CHARS);
}

#[test]
fn sms_over_the_limit_is_an_error_naming_the_template() {
    let mut p = proposal(Stage::Second, Tone::Firm);
    p.channels = vec![Channel::Sms];
    let mut c = company();
    c.payment_link = Some(format!("https://pay.example.fr/{}", "x".repeat(300)));
    let err = render_message(&p, &c, &Templates::builtin()).unwrap_err();
    assert!(err.to_string().starts_with("SMS for Garage Martin SARL is "), "{err}");
    assert!(err.to_string().ends_with("over the 320 allowed: shorten fr/sms.txt.j2"), "{err}");
}

#[test]
fn gsm_friendly_keeps_gsm_letters_and_replaces_the_others() {
    assert_eq!(gsm_friendly("Déjà réglé ? Fenêtre, reçu, cœur – l’été"), "Déjà réglé ? Fenetre, recu, coeur - l'été");
}

#[test]
fn preview_skips_the_salutation_and_fits_one_line() {
    let m = render(&proposal(Stage::First, Tone::Courteous));
    let line = preview(&m, 60);
    assert_eq!(line, "Sauf erreur de notre part, nous n'avons pas encore reçu le…");
    assert!(line.chars().count() <= 60);
    assert!(!preview(&m, 1000).contains('\n'));
}

#[test]
fn a_typo_in_a_template_is_an_error_naming_the_file_and_the_expression() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fr")).unwrap();
    std::fs::write(dir.path().join("fr/courteous.txt.j2"), "Madame, Monsieur,\n\n{{ clinet.name }}\n").unwrap();
    let templates = Templates::from_dir(dir.path()).unwrap();
    let err = render_message(&proposal(Stage::First, Tone::Courteous), &company(), &templates).unwrap_err();
    assert_eq!(err.to_string(), "template fr/courteous.txt.j2: line 3: undefined value (`clinet.name`)");
}

#[test]
fn a_syntax_error_is_caught_at_load_time() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("en")).unwrap();
    std::fs::write(dir.path().join("en/firm.txt.j2"), "{% if single %}unclosed").unwrap();
    let err = Templates::from_dir(dir.path()).unwrap_err();
    assert!(err.to_string().starts_with("template en/firm.txt.j2: "), "{err}");
}

#[test]
fn a_misnamed_template_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fr")).unwrap();
    std::fs::write(dir.path().join("fr/courtois.txt.j2"), "x").unwrap();
    std::fs::write(dir.path().join("README.md"), "notes are fine").unwrap();
    let err = Templates::from_dir(dir.path()).unwrap_err();
    assert!(err.to_string().starts_with("unknown template file "), "{err}");
    assert!(
        err.to_string().contains("courtois.txt.j2 (expected one of: fr/subject.txt.j2, en/subject.txt.j2"),
        "{err}"
    );
}

#[test]
fn a_user_directory_overrides_templates_name_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fr")).unwrap();
    std::fs::write(dir.path().join("fr/subject.txt.j2"), "Facture {{ numbers }} : rappel").unwrap();
    let templates = Templates::from_dir(dir.path()).unwrap();
    let m = render_message(&proposal(Stage::First, Tone::Courteous), &company(), &templates).unwrap();
    assert_eq!(m.subject, "Facture F-2026-0042 : rappel");
    assert!(m.body.contains("simple oubli"), "the body keeps the built-in template");
}

#[test]
fn every_stage_and_tone_renders_in_both_languages() {
    for lang in [Language::Fr, Language::En] {
        for segment in [Segment::Standard, Segment::Strategic] {
            for (stage, tone) in Stage::ALL.into_iter().zip(Tone::ALL) {
                let mut p = final_b2b();
                (p.stage, p.tone, p.language, p.segment) = (stage, tone, lang, segment);
                p.channels = vec![Channel::Email, Channel::Sms];
                let m = render(&p);
                assert!(!m.subject.is_empty() && !m.subject.contains('\n'));
                assert!(m.body.contains("F-2026-0042"), "{stage}/{tone}/{lang}:\n{}", m.body);
                assert!(m.body.contains("Claire Martin"), "{stage}/{tone}/{lang}:\n{}", m.body);
                assert!(!m.body.contains("\n\n\n"), "{stage}/{tone}/{lang}:\n{}", m.body);
            }
        }
    }
}

#[test]
fn the_nature_of_the_service_is_named_when_known() {
    let mut p = proposal(Stage::First, Tone::Courteous);
    p.invoices[0].description = "Maintenance annuelle — mars 2026".into();
    let m = render_message(&p, &company(), &Templates::builtin()).unwrap();
    assert!(
        m.body.contains("facture n° F-2026-0042 du 30/01/2026 (Maintenance annuelle — mars 2026), échéance le"),
        "{}",
        m.body
    );
}
