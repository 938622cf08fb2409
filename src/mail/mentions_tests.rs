//! The shipped templates pass; a template that drops a mention, leaks a
//! penalty to a consumer or prints client data as markup is refused, with
//! the file, the language and the case.

use super::*;
use crate::mail::fixtures::company;
use std::path::Path;

/// Templates overridden by `files` (name → source) in a temporary directory.
fn with_files(files: &[(&str, &str)]) -> (tempfile::TempDir, Templates) {
    let dir = tempfile::tempdir().unwrap();
    for (name, source) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, source).unwrap();
    }
    let templates = Templates::from_dir(dir.path()).unwrap();
    (dir, templates)
}

/// The built-in source of a template, edited.
fn builtin_edited(name: &str, from: &str, to: &str) -> String {
    let source = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates").join(name)).unwrap();
    assert!(source.contains(from), "{name} has no {from:?}");
    source.replace(from, to)
}

fn errors(templates: &Templates, company: &Company) -> Vec<String> {
    match check_templates(templates, company) {
        Ok(()) => vec![],
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_shipped_templates_state_every_mention_with_any_payment_details() {
    assert_eq!(errors(&Templates::builtin(), &company()), Vec::<String>::new());
    let iban_only = Company { payment_link: None, contact_phone: None, bic: None, ..company() };
    assert_eq!(errors(&Templates::builtin(), &iban_only), Vec::<String>::new());
    let link_only = Company { iban: None, bic: None, ..company() };
    assert_eq!(errors(&Templates::builtin(), &link_only), Vec::<String>::new());
}

#[test]
fn every_template_language_kind_and_moment_is_rendered() {
    let cases = crate::mail::probe::cases();
    assert_eq!(cases.len(), (4 * 3 + 2 * 2) * 2 * 2);
    let rendered: std::collections::HashSet<&str> = cases.iter().map(|c| c.template).collect();
    assert_eq!(rendered.len(), 6);
}

#[test]
fn a_list_without_due_dates_is_refused_in_every_text_body_of_that_language() {
    let broken = builtin_edited("fr/_invoices.txt.j2", ", échéance le {{ inv.due_date }}", "");
    let (_dir, templates) = with_files(&[("fr/_invoices.txt.j2", &broken)]);
    let errors = errors(&templates, &company());
    assert!(
        errors.contains(
            &"fr/firm.txt.j2 [fr, B2B client, first reminder]: missing the due date of invoice F-PROBE-101 (\"12/02/2031\")"
                .to_string()
        ),
        "{errors:#?}"
    );
    for template in ["friendly", "courteous", "firm", "strategic", "pre_litigation", "formal"] {
        assert!(errors.iter().any(|e| e.starts_with(&format!("fr/{template}.txt.j2 "))), "{template}: {errors:#?}");
    }
    // The HTML table still shows them, and English is untouched.
    assert!(errors.iter().all(|e| e.starts_with("fr/") && e.contains(".txt.j2 [fr,")), "{errors:#?}");
}

#[test]
fn a_second_reminder_without_the_previous_dates_is_refused() {
    let broken = builtin_edited("en/_followup.txt.j2", "{{ previous_dates }}", "earlier");
    let (_dir, templates) = with_files(&[("en/_followup.txt.j2", &broken)]);
    let errors = errors(&templates, &company());
    let expected =
        "en/firm.txt.j2 [en, B2C client, second reminder or later]: missing the date of the previous reminder (first) (\"11 Mar 2031\")";
    assert!(errors.contains(&expected.to_string()), "{errors:#?}");
    // The HTML part shows the text's paragraphs: it lacks the dates too.
    assert!(errors.iter().any(|e| e.starts_with("en/email.html.j2 [en, B2C client, second reminder or later]")));
    assert!(!errors.iter().any(|e| e.contains("first reminder]")), "no previous reminder to cite: {errors:#?}");
}

#[test]
fn a_pre_litigation_reminder_to_a_business_without_the_indemnity_is_refused() {
    let broken = builtin_edited("fr/_legal.txt.j2", "{% if legal.indemnity %}", "{% if false %}");
    let (_dir, templates) = with_files(&[("fr/_legal.txt.j2", &broken)]);
    let errors = errors(&templates, &company());
    assert!(
        errors.contains(
            &"fr/pre_litigation.txt.j2 [fr, B2B client, second reminder or later]: missing the 40 € indemnity per invoice (D441-5) (\"80,00\u{A0}€\")"
                .to_string()
        ),
        "{errors:#?}"
    );
    assert!(errors.iter().any(|e| e.starts_with("fr/email.html.j2 [fr, B2B client, first reminder]")), "{errors:#?}");
    // The formal letter states its claim on its own, consumers never get it,
    // and softer tones need not state it.
    let files = ["fr/pre_litigation.txt.j2 [fr, B2B client,", "fr/email.html.j2 [fr, B2B client,"];
    assert!(errors.iter().all(|e| files.iter().any(|f| e.starts_with(f))), "{errors:#?}");
    assert_eq!(errors.len(), 4, "{errors:#?}");
}

#[test]
fn a_penalty_written_into_a_template_is_refused_for_consumers_only() {
    let broken = builtin_edited(
        "fr/courteous.txt.j2",
        "{% include \"fr/_payment.txt.j2\" %}",
        "Une indemnité forfaitaire de 40 € par facture sera due.\n\n{% include \"fr/_payment.txt.j2\" %}",
    );
    let (_dir, templates) = with_files(&[("fr/courteous.txt.j2", &broken)]);
    let errors = errors(&templates, &company());
    assert!(
        errors.contains(
            &"fr/courteous.txt.j2 [fr, B2C client, first reminder]: must not state the 40 € indemnity to a consumer (found \"indemnité forfaitaire\")"
                .to_string()
        ),
        "{errors:#?}"
    );
    assert!(errors.iter().all(|e| e.contains("B2C client")), "{errors:#?}");
}

#[test]
fn an_html_layout_that_drops_the_payment_block_or_prints_markup_is_refused() {
    let layout = "{% for inv in invoices %}{{ inv.number }} {{ inv.issue_date }} {{ inv.due_date }} \
                  {{ inv.amount_due }} {{ inv.description|safe }}{% endfor %} {{ total_due }} \
                  {{ company.contact_name }} {{ company.contact_email }} {{ company.contact_phone }} \
                  {{ previous_dates }} {% if legal %}{{ legal.penalties }} {{ legal.indemnity }}{% endif %}";
    let (_dir, templates) = with_files(&[("en/email.html.j2", layout)]);
    let errors = errors(&templates, &company());
    assert!(
        errors.contains(
            &"en/email.html.j2 [en, B2B client, first reminder]: missing the IBAN (\"FR76 3000 6000 0112 3456 7890 189\")"
                .to_string()
        ),
        "{errors:#?}"
    );
    assert!(
        errors.contains(
            &"en/email.html.j2 [en, B2C client, before the due date]: client data is not HTML-escaped (found \"<probe>\")"
                .to_string()
        ),
        "{errors:#?}"
    );
    assert!(errors.iter().all(|e| e.starts_with("en/email.html.j2 ")), "{errors:#?}");
}

#[test]
fn a_template_that_fails_to_render_is_reported_in_each_case() {
    let (_dir, templates) = with_files(&[("en/strategic.txt.j2", "{{ no_such_variable }}")]);
    let errors = errors(&templates, &company());
    assert_eq!(errors.len(), 2 * 3, "{errors:#?}");
    assert!(errors[0].starts_with("en/strategic.txt.j2 [en, B2B client, before the due date]: does not render: "));
    assert!(errors[0].contains("no_such_variable"), "{errors:#?}");
}

#[test]
fn a_company_with_no_way_to_pay_is_refused() {
    let c = Company { iban: None, bic: None, payment_link: Some(" ".into()), ..company() };
    let errors = errors(&Templates::builtin(), &c);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].starts_with("company: neither iban nor payment_link is set"), "{errors:#?}");
}

#[test]
fn entities_are_decoded_before_searching_the_html() {
    assert_eq!(
        decode_entities("a &amp; b &lt;x&gt; &#x27;q&#39; &quot; &nbsp;&#8364; & &bogus; &"),
        "a & b <x> 'q' \" \u{A0}€ & &bogus; &"
    );
}
