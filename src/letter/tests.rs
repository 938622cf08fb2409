//! The letter as its reader gets it: the PDF is read back with a PDF text
//! extractor (pdf-extract), not inspected through our own code.

use super::*;
use crate::domain::{Language, Stage};
use crate::policy::ProposedInvoice;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn company() -> Company {
    Company {
        name: "Atelier Dupont SAS".into(),
        siren: Some("732829320".into()),
        address: Some("12 rue des Lilas\n69003 Lyon".into()),
        iban: Some("FR7630006000011234567890189".into()),
        bic: Some("AGRIFRPP".into()),
        payment_link: Some("https://pay.example.fr/dupont".into()),
        contact_name: "Claire Martin".into(),
        contact_email: "compta@atelier-dupont.fr".into(),
        contact_phone: Some("04 72 00 00 00".into()),
        signature: None,
        sms_sender: "DUPONT".into(),
    }
}

const ADDRESS: &str = "Service comptabilité\n3 rue de l'Hôtel de Ville\n13001 Marseille";

fn invoice(number: &str, amount: Decimal, description: &str) -> ProposedInvoice {
    let mut i = ProposedInvoice::sample(number, amount, d(2026, 1, 30), 45, Stage::FormalNotice);
    i.description = description.into();
    i
}

/// A formal notice to a business for `invoices`, after two reminders, with
/// penalties and the 40 € indemnity per invoice.
fn formal_notice(invoices: Vec<ProposedInvoice>) -> Proposal {
    let count = Decimal::from(invoices.len());
    let mut p = Proposal::sample("C-7", "Société Générale d'Éclairage", Stage::FormalNotice, Tone::Formal, invoices);
    p.previous_reminders = vec![(Stage::First, d(2026, 2, 4)), (Stage::Second, d(2026, 2, 16))];
    p.penalties = Some(dec!(87.45));
    p.indemnity = Some(dec!(40) * count);
    p
}

/// Three invoices with long descriptions: a body of several paragraphs.
fn three_invoices() -> Proposal {
    formal_notice(vec![
        invoice(
            "F-2026-0042",
            dec!(2400),
            "maintenance préventive des installations d'éclairage du siège, premier trimestre 2026, \
             interventions du 5, du 12 et du 19 janvier comprises, pièces et main-d'œuvre",
        ),
        invoice("F-2026-0050", dec!(600), "remplacement de luminaires, bâtiment B, façade nord"),
        invoice("F-2026-0051", dec!(1250.50), "audit énergétique et rapport « éclairage 2026 »"),
    ])
}

fn pdf_for(p: &Proposal, address: Option<&str>) -> Vec<u8> {
    formal_notice_pdf(p, &company(), &Templates::builtin(), address, d(2026, 3, 17)).unwrap()
}

/// The text of each page, every run of spaces (no-break ones included, and
/// line breaks from wrapping) made one space, so phrases can be searched.
fn pages(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf)
        .expect("a PDF that a PDF reader can read")
        .into_iter()
        .map(|page| page.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" "))
        .collect()
}

fn assert_contains(text: &str, expected: &str) {
    assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
}

#[test]
fn the_letter_carries_every_mention_of_a_formal_notice() {
    let pdf = pdf_for(&three_invoices(), Some(ADDRESS));
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pages(&pdf).join(" ");
    for expected in [
        // Sender and recipient blocks.
        "Atelier Dupont SAS",
        "12 rue des Lilas",
        "SIREN 732 829 320",
        "Société Générale d'Éclairage",
        "3 rue de l'Hôtel de Ville",
        "13001 Marseille",
        // Place and date of the letter (the argument, not the proposal's day).
        "Lyon, le 17 mars 2026",
        "Lettre recommandée avec accusé de réception",
        "Objet : Mise en demeure",
        // Each invoice with its amount in French format.
        "facture n° F-2026-0042",
        "F-2026-0050",
        "F-2026-0051",
        "2 400,00 €",
        "1 250,50 €",
        "main-d'œuvre",
        "« éclairage 2026 »",
        "Total restant dû : 4 250,50 €",
        // Penalties, the 40 € indemnity per invoice, the deadline.
        "pénalités de retard (article L441-10 du Code de commerce)",
        "87,45 €",
        "40 € par facture) : 120,00 €",
        "la somme de 4 457,95 €",
        "dans un délai de 8 jours",
        "Malgré nos relances des 04/02/2026 et 16/02/2026",
        // How to pay and whom to contact.
        "FR76 3000 6000 0112 3456 7890 189",
        "https://pay.example.fr/dupont",
        "Claire Martin",
    ] {
        assert_contains(&text, expected);
    }
    // The template's own plain-text head is not printed a second time.
    assert_eq!(text.matches("Objet :").count(), 1, "{text}");
    assert_eq!(text.matches("Lettre recommandée").count(), 1, "{text}");
}

#[test]
fn every_page_is_numbered_and_thirty_invoices_take_several_pages() {
    let invoices = (1..=30)
        .map(|n| invoice(&format!("F-2026-{n:04}"), dec!(100) * Decimal::from(n), "prestation de services mensuelle"))
        .collect();
    let pdf = pdf_for(&formal_notice(invoices), Some(ADDRESS));
    let pages = pages(&pdf);
    let total = pages.len();
    assert!(total >= 2, "30 invoices fit on one page?\n{pages:?}");
    for (i, page) in pages.iter().enumerate() {
        assert_contains(page, &format!("Page {}/{total}", i + 1));
    }
    let text = pages.join(" ");
    for n in 1..=30 {
        assert_contains(&text, &format!("facture n° F-2026-{n:04} "));
    }
    assert_contains(&text, "3 000,00 €");
    assert_contains(&text, "40 € par facture) : 1 200,00 €");
    // The signature closes the last page.
    assert_contains(pages.last().unwrap(), "Claire Martin");
}

#[test]
fn a_short_letter_is_one_numbered_page() {
    let p = formal_notice(vec![invoice("F-2026-0042", dec!(2400), "")]);
    let pages = pages(&pdf_for(&p, None));
    assert_eq!(pages.len(), 1);
    assert_contains(&pages[0], "Page 1/1");
}

#[test]
fn an_english_client_gets_the_english_letter() {
    let mut p = three_invoices();
    p.language = Language::En;
    let text = pages(&pdf_for(&p, Some(ADDRESS))).join(" ");
    for expected in [
        "Registered letter with acknowledgement of receipt",
        "Lyon, 17 March 2026",
        "Subject: Formal notice",
        "€2,400.00",
        "€40 per invoice): €120.00",
        "Page 1 of",
    ] {
        assert_contains(&text, expected);
    }
    assert!(!text.contains("Lettre recommandée"), "{text}");
}

#[test]
fn the_same_letter_gives_the_same_bytes() {
    let p = three_invoices();
    assert_eq!(pdf_for(&p, Some(ADDRESS)), pdf_for(&p, Some(ADDRESS)));
}

#[test]
fn other_tones_are_not_letters() {
    let mut p = three_invoices();
    p.tone = Tone::PreLitigation;
    let err = formal_notice_pdf(&p, &company(), &Templates::builtin(), None, d(2026, 3, 17)).unwrap_err();
    assert!(matches!(err, LetterError::NotAFormalNotice { tone: "pre_litigation", .. }), "{err}");
}

#[test]
fn a_name_the_font_cannot_print_is_refused_not_garbled() {
    let mut p = three_invoices();
    p.client_name = "株式会社 Tanaka".into();
    let err = formal_notice_pdf(&p, &company(), &Templates::builtin(), None, d(2026, 3, 17)).unwrap_err();
    assert!(matches!(err, LetterError::Unprintable { character: '株', .. }), "{err}");
    // Latin letters outside Windows-1252 print without their accent.
    p.client_name = "Dvořák s.r.o.".into();
    let text = pages(&pdf_for(&p, None)).join(" ");
    assert_contains(&text, "Dvorák s.r.o.");
}

#[test]
fn the_file_name_names_the_client_and_the_day() {
    assert_eq!(letter_file_name(&three_invoices()), "mise-en-demeure-C-7-2026-03-16.pdf");
}
