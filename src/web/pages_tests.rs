//! The pages people see: complete documents, forms that POST, client data escaped.

use super::*;
use crate::domain::{ProposalId, Stage, Tone};
use crate::policy::{Proposal, ProposedInvoice};
use rust_decimal_macros::dec;

const XSS: &str = "<script>alert(1)</script>";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
}

fn entry(name: &str) -> DigestEntry {
    let due = NaiveDate::from_ymd_opt(2026, 2, 14).unwrap();
    let invoices = vec![
        ProposedInvoice::sample("F-2026-0042", dec!(1200), due, 30, Stage::Second),
        ProposedInvoice::sample("F-2026-0051", dec!(350.50), due, 30, Stage::Second),
    ];
    let mut p = Proposal::sample("C1", name, Stage::Second, Tone::Firm, invoices);
    p.id = ProposalId::parse("20260316-c6a87d7881").unwrap();
    DigestEntry::new(p, "Bonjour, sauf erreur de notre part, les factures ci-dessous restent impayées.")
}

fn view(action: Action, entry: Option<&DigestEntry>) -> ConfirmView<'_> {
    ConfirmView {
        lang: Language::Fr,
        title: "Relance — ACME".into(),
        action,
        entry,
        day: day(),
        csrf: "csrf-7f3a".into(),
        snooze_days: 3,
        error: None,
    }
}

/// Escapes like the templates do, to find a value in a page.
fn html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#x27;")
}

fn link(id: &str, action: Action) -> String {
    format!("https://relance.example.fr/act/{id}.{}", action.as_str())
}

fn assert_document(page: &str, lang: &str) {
    assert!(page.starts_with("<!DOCTYPE html>\n"), "{page}");
    assert!(page.contains(&format!("<html lang=\"{lang}\">")));
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(!page.contains("<script"), "no JavaScript needed");
}

#[test]
fn the_confirmation_page_asks_and_posts_the_identity_fields() {
    let e = entry("Garage Martin");
    let page = confirm_page(&view(Action::Approve, Some(&e)));
    assert_document(&page, "fr");
    assert!(page.contains("<h1>Approuver la relance de Garage Martin ?</h1>"), "{page}");
    assert!(page.contains("<form method=\"post\">"), "posts to its own URL");
    assert!(page.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-7f3a\">"));
    assert!(page.contains("<input type=\"text\" name=\"who\" required"));
    assert!(page.contains("<input type=\"password\" name=\"code\" required"));
    assert!(page.contains("<button type=\"submit\" class=\"button primary\">Approuver</button>"));
    assert!(!page.contains("name=\"reason\"") && !page.contains("name=\"days\""));
    for fact in
        ["2e relance · ton ferme · e-mail", "F-2026-0042", "1\u{202F}200,00\u{A0}€", "350,50\u{A0}€", "30 j de retard"]
    {
        assert!(page.contains(&html(fact)), "missing {fact:?}");
    }
    assert!(page.contains("Total : 1\u{202F}550,50\u{A0}€"));
    assert!(page.contains("les factures ci-dessous restent impayées"));
    assert!(!page.contains("href=\"https"), "no decision links on the confirmation page");
}

#[test]
fn a_veto_asks_for_a_reason_and_a_snooze_for_days() {
    let e = entry("Garage Martin");
    let veto = confirm_page(&view(Action::Veto, Some(&e)));
    assert!(veto.contains("Mettre un veto à la relance de Garage Martin ?"));
    assert!(veto.contains("<textarea name=\"reason\""));
    assert!(veto.contains("class=\"button danger\">Veto</button>"));
    assert!(!veto.contains("name=\"days\""));
    let mut v = view(Action::Snooze, Some(&e));
    v.snooze_days = 5;
    let snooze = confirm_page(&v);
    assert!(snooze.contains("<input type=\"number\" name=\"days\" min=\"1\" max=\"365\" value=\"5\" required>"));
    assert!(!snooze.contains("name=\"reason\""));
}

#[test]
fn an_error_is_shown_above_the_form() {
    let e = entry("Garage Martin");
    let mut v = view(Action::Approve, Some(&e));
    v.error = Some("Code incorrect.".into());
    let page = confirm_page(&v);
    let error = page.find("<p class=\"error\" role=\"alert\">Code incorrect.</p>").expect("the error is shown");
    assert!(error < page.find("<form").expect("the form is still there"));
}

#[test]
fn a_decided_entry_shows_its_status_and_no_form() {
    let mut e = entry("Garage Martin");
    e.status = Some("✅ Approuvé par Claire Martin à 09:12".into());
    e.buttons.clear();
    let page = confirm_page(&view(Action::Veto, Some(&e)));
    assert!(page.contains("✅ Approuvé par Claire Martin à 09:12"));
    assert!(page.contains("déjà décidée"));
    assert!(!page.contains("<form") && !page.contains("name=\"code\""));
}

#[test]
fn an_action_no_longer_offered_has_no_form() {
    let mut e = entry("Garage Martin");
    e.buttons = vec![Action::Approve, Action::Veto, Action::Snooze];
    let page = confirm_page(&view(Action::Soften, Some(&e)));
    assert!(page.contains("« Adoucir » n&#x27;est plus proposé"), "{page}");
    assert!(!page.contains("<form"));
}

#[test]
fn an_unknown_entry_says_so_without_a_form() {
    let page = confirm_page(&view(Action::Approve, None));
    assert!(page.contains("Relance introuvable"));
    assert!(!page.contains("<form"));
}

#[test]
fn send_anyway_confirms_the_day() {
    let page = confirm_page(&view(Action::SendAnyway, None));
    assert!(page.contains("Envoyer quand même les relances approuvées du lundi 16 mars 2026 ?"));
    assert!(page.contains("name=\"code\"") && page.contains("class=\"button danger\">Envoyer quand même</button>"));
}

#[test]
fn client_data_is_escaped_everywhere() {
    let mut e = entry(XSS);
    e.preview = format!("Bonjour {XSS}");
    e.status = Some(format!("⛔ Veto de Julie : {XSS}"));
    e.buttons = vec![Action::Approve];
    let mut v = view(Action::Approve, Some(&e));
    v.csrf = "\"><img src=x onerror=alert(1)>".into();
    v.error = Some(XSS.into());
    let confirm = confirm_page(&v);
    let mut header = DigestHeader::new(day(), vec![format!("Payé : {XSS}")]);
    header.warning = Some(XSS.into());
    let digest = digest_page(&header, &[e], &[], Language::Fr, &link, &call_link);
    for page in [&confirm, &digest] {
        assert!(!page.contains("<script") && !page.contains("<img"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
    assert!(confirm.contains("value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));
}

#[test]
fn the_digest_page_links_every_offered_button_to_its_confirmation() {
    let open = entry("Garage Martin");
    let mut closed = entry("Boulangerie Roux");
    closed.proposal.id = ProposalId::parse("20260316-b0b0b0b0b0").unwrap();
    closed.status = Some("⛔ Veto de Julie Roux : client en négociation".into());
    closed.buttons.clear();
    let mut header = DigestHeader::new(day(), vec!["En retard : 1 550,50 € · 2 factures".into()]);
    header.warning = Some("Le grand livre date du 12/03 : les approbations sont retenues.".into());
    header.send_anyway = true;
    let page = digest_page(&header, &[open, closed], &[], Language::Fr, &link, &call_link);
    assert_document(&page, "fr");
    assert!(page.contains("<h1>Relances proposées — lundi 16 mars 2026</h1>"));
    assert!(page.contains("les approbations sont retenues"));
    assert!(page.contains("<li>En retard : 1 550,50 € · 2 factures</li>"));
    let send_anyway = format!("href=\"{}\">Envoyer quand même</a>", html(&link("2026-03-16", Action::SendAnyway)));
    assert!(page.contains(&send_anyway), "{page}");
    for action in Action::ALL {
        let href = format!(
            "href=\"{}\">{}</a>",
            html(&link("20260316-c6a87d7881", action)),
            action_label(action, Language::Fr)
        );
        assert!(page.contains(&href), "missing {href}");
    }
    assert!(!page.contains("20260316-b0b0b0b0b0.approve"), "a closed entry has no buttons");
    assert!(page.contains("⛔ Veto de Julie Roux : client en négociation"));
    assert!(!page.contains("<form"), "the digest page only links");
}

#[test]
fn english_pages_use_english_words() {
    let e = entry("Garage Martin");
    let mut v = view(Action::Snooze, Some(&e));
    v.lang = Language::En;
    let confirm = confirm_page(&v);
    assert_document(&confirm, "en");
    for text in [
        "Snooze the reminders to Garage Martin?",
        "Your personal code",
        "Snooze for (days)",
        "Second reminder · tone firm",
    ] {
        assert!(confirm.contains(text), "missing {text:?}");
    }
    let digest = digest_page(&DigestHeader::new(day(), vec![]), &[], &[], Language::En, &link, &call_link);
    assert!(digest.contains("Proposed reminders — Monday 16 March 2026"));
    assert!(digest.contains("No reminders to propose today."));
    let result = result_page(Language::En, "Done", "Approved by Claire.", true);
    assert!(result.contains("Back to today&#x27;s reminders"));
    assert!(!confirm.contains("Reporter") && !digest.contains("Relances"));
}

#[test]
fn the_result_page_says_what_happened_and_links_back() {
    let ok = result_page(Language::Fr, "Décision enregistrée", "Relance approuvée par Claire Martin.", true);
    assert_document(&ok, "fr");
    assert!(ok.contains("<h1>Décision enregistrée</h1>"));
    assert!(ok.contains("<p class=\"ok\" role=\"status\">✅ Relance approuvée par Claire Martin.</p>"));
    assert!(ok.contains("<a class=\"button\" href=\"/digest\">"));
    let refused = result_page(Language::Fr, "Rien n'a changé", XSS, false);
    assert!(refused.contains("<p class=\"error\" role=\"status\">⚠️ &lt;script&gt;"));
    assert!(!refused.contains("<script"));
}

#[test]
fn escaping_stops_markup_and_quotes_but_keeps_urls_readable() {
    assert_eq!(escape_html(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;");
    assert_eq!(escape_html("https://relance.example.fr/act/abc.def"), "https://relance.example.fr/act/abc.def");
}

#[test]
fn a_letter_to_post_links_to_a_confirmation_that_records_today() {
    let mut e = entry("Garage Martin");
    e.status = Some("📄 lettre recommandée à imprimer et poster : outbox/letters/mise-en-demeure.pdf".into());
    e.buttons = vec![Action::Veto, Action::Snooze, Action::LetterPosted];
    let digest =
        digest_page(&DigestHeader::new(day(), vec![]), std::slice::from_ref(&e), &[], Language::Fr, &link, &call_link);
    let href = format!(
        "class=\"button primary\" href=\"{}\">📮 Lettre postée</a>",
        html(&link("20260316-c6a87d7881", Action::LetterPosted))
    );
    assert!(digest.contains(&href), "{digest}");
    let page = confirm_page(&view(Action::LetterPosted, Some(&e)));
    assert!(
        page.contains("Enregistrer la mise en demeure à Garage Martin comme postée en recommandé avec AR ?"),
        "{page}"
    );
    assert!(page.contains("La date d&#x27;aujourd&#x27;hui et votre nom seront enregistrés"), "{page}");
    assert!(page.contains("name=\"code\"") && page.contains(">📮 Lettre postée</button>"), "{page}");
    // Once posted, the button is gone: nothing left to confirm.
    e.buttons = vec![Action::Veto, Action::Snooze];
    let posted = confirm_page(&view(Action::LetterPosted, Some(&e)));
    assert!(!posted.contains("<form"), "{posted}");
}

#[test]
fn the_digest_page_lists_the_calls_with_a_tel_link_and_escaped_names() {
    let task = crate::digest::fixtures::call_task("ACME", "<script>Durand & Fils", 1);
    let calls = [CallEntry { task, owner: None, notes: Vec::new() }];
    let digest = digest_page(&DigestHeader::new(day(), vec![]), &[], &calls, Language::Fr, &link, &call_link);
    assert_document(&digest, "fr");
    assert!(digest.contains("<h2>📞 À appeler — lundi 16 mars 2026</h2>"), "{digest}");
    assert!(
        digest
            .contains("<h3>&lt;script&gt;Durand &amp; Fils — <a href=\"tel:+33472000000\">+33 4 72 00 00 00</a></h3>"),
        "{digest}"
    );
    assert!(digest.contains("<li>Appel : la comptabilité</li>"), "{digest}");
    assert!(digest.contains("<li>Vérifier la réception : facture F-0 bien reçue, et par qui ?</li>"), "{digest}");
    assert!(!digest.contains("<script>"));
    let outcome = "<a class=\"button \" href=\"https://relance.example.fr/call/20260316-";
    assert_eq!(digest.matches(outcome).count(), 6, "{digest}");
    assert!(digest.contains("class=\"button primary\" href=\"https://relance.example.fr/call/"), "{digest}");
    assert!(digest.contains("|voicemail|ACME\">Messagerie / injoignable</a>"), "{digest}");
}

/// A call link naming the button it records.
fn call_link(button: &crate::digest::call_buttons::CallButton) -> String {
    format!("https://relance.example.fr/call/{}", button.encode())
}

#[test]
fn the_digest_page_lists_the_plans_waiting_with_their_signed_links_escaped_and_capped() {
    let header = crate::digest::fixtures::header_with_plans(30);
    let page = digest_page(&header, &[], &[], Language::Fr, &link, &call_link);
    assert_document(&page, "fr");
    assert!(page.contains("<li>⏳ Échéancier n° 1 à approuver — &lt;!channel&gt; &amp; Établissements"), "{page}");
    assert!(!page.contains("<!channel>"), "{page}");
    let approve = header.plans[0].links.as_ref().unwrap().approve.clone();
    assert!(page.contains(&format!("<a class=\"button primary\" href=\"{approve}\">Approuver</a>")), "{page}");
    assert_eq!(page.matches("/plan/").count(), 2 * crate::digest::plan_lines::MAX_WAITING_PLANS);
    assert!(page.contains("<li>… et 22 autres échéanciers à approuver</li>"), "{page}");
}
