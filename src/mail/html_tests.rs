//! The HTML part: the text's paragraphs, the invoice table, the payment
//! block, the contact, and client data escaped.

use super::*;
use crate::domain::{Language, Stage, Tone};
use crate::mail::fixtures::{company, d, proposal};
use crate::policy::ProposedInvoice;
use crate::render::render_message;
use rust_decimal_macros::dec;

fn text(lines: &[&str]) -> Block {
    Block { kind: "text", lines: lines.iter().map(|l| l.to_string()).collect(), items: vec![] }
}

#[test]
fn the_invoice_list_and_the_payment_lines_become_markers_in_place() {
    let body = "Madame, Monsieur,\n\nNous n'avons pas reçu :\n\n- facture A\n- facture B\n\nTotal : 3 €\n\n\
                Pour régler :\n- en ligne : https://x\n\nCordialement,\nClaire\n";
    let got = blocks(body, "- facture A\n- facture B\n\nTotal : 3 €\n", "Pour régler :\n- en ligne : https://x\n");
    let kinds: Vec<&str> = got.iter().map(|b| b.kind).collect();
    assert_eq!(kinds, ["text", "text", "invoices", "payment", "text"]);
    assert_eq!(got[0], text(&["Madame, Monsieur,"]));
    assert_eq!(got[4], text(&["Cordialement,", "Claire"]));
}

#[test]
fn a_body_that_words_the_list_itself_keeps_its_text_and_bullets() {
    let body = "Bonjour,\n\nVoici :\n- la facture A, 3 €\n\nMerci.";
    let got = blocks(body, "- facture A\n\nTotal : 3 €\n", "Pour régler :\n- IBAN X\n");
    assert_eq!(got.len(), 3);
    assert_eq!(got[1], Block { kind: "text", lines: vec!["Voici :".into()], items: vec!["la facture A, 3 €".into()] });
    assert!(got.iter().all(|b| b.kind == "text"));
}

#[test]
fn bullets_in_the_middle_of_a_paragraph_stay_lines() {
    let got = blocks("- un\ntexte\n- deux", "x", "y");
    assert_eq!(got, [text(&["- un", "texte", "- deux"])]);
}

#[test]
fn the_text_part_is_the_reminder_text_and_the_html_shows_its_paragraphs() {
    let p = proposal(Stage::First, Tone::Courteous);
    let email = render_email(&p, &company(), &Templates::builtin()).unwrap();
    let message = render_message(&p, &company(), &Templates::builtin()).unwrap();
    assert_eq!(email.text, message.body);
    assert_eq!(email.subject, message.subject);
    assert!(email.html.starts_with("<!DOCTYPE html>"), "{}", email.html);
    assert!(email.html.contains("<title>Relance – facture n° F-2026-0042</title>"), "{}", email.html);
    assert!(email.html.contains("<p style=\"margin:0 0 12px;\">Madame, Monsieur,</p>"), "{}", email.html);
    assert!(email.html.contains("Il s&#x27;agit probablement d&#x27;un simple oubli."), "{}", email.html);
    assert!(!email.html.contains("Pour régler :"), "the payment lines are the payment block:\n{}", email.html);
    assert!(!email.html.contains("- facture n°"), "the invoice list is the table:\n{}", email.html);
}

#[test]
fn the_table_lists_each_invoice_with_dates_amounts_and_days_late_then_the_total() {
    let mut p = proposal(Stage::First, Tone::Courteous);
    p.invoices[0].amount_due = dec!(1400);
    p.invoices.push(ProposedInvoice::sample("F-2026-0050", dec!(600), d(2026, 3, 5), 11, Stage::First));
    p.total_due = dec!(2000);
    let html = render_html(&p, &company(), &Templates::builtin()).unwrap();
    for expected in [
        "<td style=\"padding:6px 8px;\">n° F-2026-0042</td>",
        "<td style=\"padding:6px 8px;white-space:nowrap;\">30/01/2026</td>",
        "<td style=\"padding:6px 8px;white-space:nowrap;\">01/03/2026</td>",
        "white-space:nowrap;\">2\u{202F}400,00\u{A0}€</td>",
        "font-weight:bold;\">1\u{202F}400,00\u{A0}€</td>",
        "white-space:nowrap;\">15 j</td>",
        "n° F-2026-0050",
        "white-space:nowrap;\">11 j</td>",
        "font-weight:bold;\">Total restant dû</td>",
        "font-weight:bold;\">2\u{202F}000,00\u{A0}€</td>",
    ] {
        assert!(html.contains(expected), "missing {expected:?} in:\n{html}");
    }
}

#[test]
fn the_payment_block_groups_the_iban_shows_the_bic_and_links_the_payment_page() {
    let html = render_html(&proposal(Stage::First, Tone::Courteous), &company(), &Templates::builtin()).unwrap();
    for expected in [
        ">Pour régler</p>",
        "<a href=\"https://pay.example.fr/dupont?ref=42&amp;x=1\"",
        ">Payer en ligne</a>",
        "monospace;white-space:nowrap;\">FR76 3000 6000 0112 3456 7890 189</td>",
        "monospace;\">AGRIFRPP</td>",
        "en indiquant le numéro de la facture en référence",
        "Contact : Claire Martin · <a href=\"mailto:compta@atelier-dupont.fr\"",
        "· 04 72 00 00 00<br>",
        "Atelier Dupont SAS · SIREN 732829320 · 12 rue des Lilas, 69003 Lyon",
    ] {
        assert!(html.contains(expected), "missing {expected:?} in:\n{html}");
    }
}

#[test]
fn without_iban_or_link_the_text_fallback_is_shown() {
    let c = Company { iban: None, bic: None, payment_link: None, ..company() };
    let html = render_html(&proposal(Stage::First, Tone::Courteous), &c, &Templates::builtin()).unwrap();
    assert!(html.contains("Le règlement peut être effectué selon les modalités indiquées sur la facture."), "{html}");
    assert!(!html.contains("IBAN"), "{html}");
}

#[test]
fn client_data_is_escaped_in_html_and_kept_as_is_in_text() {
    let mut p = proposal(Stage::FormalNotice, Tone::Formal);
    p.client_name = "Dupont & Fils <script>alert(1)</script>".into();
    p.invoices[0].description = "Pose <b>cuisine</b> \"premium\"".into();
    let email = render_email(&p, &company(), &Templates::builtin()).unwrap();
    assert!(email.html.contains("Dupont &amp; Fils &lt;script&gt;alert(1)&lt;/script&gt;"), "{}", email.html);
    assert!(email.html.contains("Pose &lt;b&gt;cuisine&lt;/b&gt; &quot;premium&quot;"), "{}", email.html);
    assert!(!email.html.contains("<script>") && !email.html.contains("<b>"), "{}", email.html);
    assert!(email.text.contains("Dupont & Fils <script>alert(1)</script>"), "{}", email.text);
}

#[test]
fn an_english_client_reads_english_labels() {
    let mut p = proposal(Stage::Second, Tone::Firm);
    p.language = Language::En;
    p.previous_reminders = vec![(Stage::First, d(2026, 3, 6))];
    let html = render_html(&p, &company(), &Templates::builtin()).unwrap();
    for expected in [
        "<html lang=\"en\">",
        ">Invoice</th>",
        "no. F-2026-0042",
        "€2,400.00",
        ">Total outstanding</td>",
        ">How to pay</p>",
        ">Pay online</a>",
        "our reminder of 6 Mar 2026 has not been followed by a payment",
    ] {
        assert!(html.contains(expected), "missing {expected:?} in:\n{html}");
    }
    assert!(!html.contains("Facture"), "{html}");
}

#[test]
fn a_user_layout_overrides_the_built_in_one_and_is_escaped_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fr")).unwrap();
    std::fs::write(dir.path().join("fr/email.html.j2"), "<p>{{ client.name }}</p>{{ '<i>ok</i>'|safe }}").unwrap();
    let templates = Templates::from_dir(dir.path()).unwrap();
    let mut p = proposal(Stage::First, Tone::Courteous);
    p.client_name = "A & B".into();
    assert_eq!(render_html(&p, &company(), &templates).unwrap(), "<p>A &amp; B</p><i>ok</i>");
}
