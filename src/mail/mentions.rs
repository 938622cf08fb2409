//! The mandatory mentions check: every template, in every case, says what
//! a French creditor must say, and says nothing a consumer must not read.
//!
//! Templates are editable, so a company can drop the due dates or the IBAN
//! by accident. Rather than discover it in a client's inbox, `relance config
//! check` renders every body template × language × B2B/B2C × moment with a
//! probe proposal of sentinel values ([`super::probe`]) and looks for each
//! value in the text part and in the HTML part. What is mandatory comes from
//! DUNNING.md and reference/legal-fr.md: each invoice's number, issue date,
//! due date, amount due and description; the total; how to pay; whom to
//! contact; from the second reminder on, the previous reminders' dates; in
//! pre-litigation and formal notice to a business, the penalties and the
//! 40 € indemnity per invoice — and to a consumer, none of those.

use super::html::{render_email, Email};
use super::probe::{self, Case, Moment, Sentinels};
use crate::domain::{ClientKind, Currency, Language};
use crate::policy::Proposal;
use crate::render::format::{date, money};
use crate::render::{Company, Templates};
use std::fmt;

/// One problem found: which file, in which case, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionError {
    /// The file to fix (`fr/firm.txt.j2`, `en/email.html.j2`), or `company`
    /// for what the configuration lacks.
    pub template: String,
    /// `None` for a configuration problem.
    pub language: Option<Language>,
    /// `B2B client, first reminder` (empty for a configuration problem).
    pub case: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A mandatory mention is absent: what it is and the value looked for.
    Missing { mention: String, value: String },
    /// Something a consumer must not be told is there.
    Forbidden { mention: String, found: String },
    /// Client data came out as markup in the HTML part.
    Unescaped { found: String },
    /// The template does not render in this case.
    Render(String),
    /// The configuration leaves a mention impossible.
    Config(String),
}

impl fmt::Display for MentionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.language {
            Some(lang) => write!(f, "{} [{lang}, {}]: ", self.template, self.case)?,
            None => write!(f, "{}: ", self.template)?,
        }
        match &self.problem {
            Problem::Missing { mention, value } => write!(f, "missing {mention} (\"{value}\")"),
            Problem::Forbidden { mention, found } => {
                write!(f, "must not state {mention} to a consumer (found \"{found}\")")
            }
            Problem::Unescaped { found } => write!(f, "client data is not HTML-escaped (found \"{found}\")"),
            Problem::Render(detail) => write!(f, "does not render: {detail}"),
            Problem::Config(detail) => f.write_str(detail),
        }
    }
}

/// Renders every case and returns every problem found, or `Ok` when the
/// templates state every mandatory mention with this company's details.
pub fn check_templates(templates: &Templates, company: &Company) -> Result<(), Vec<MentionError>> {
    let mut errors = company_errors(company);
    for case in probe::cases() {
        errors.extend(check_case(templates, company, &case));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A reminder must say how to pay: without an IBAN or a payment link, no
/// template can.
fn company_errors(company: &Company) -> Vec<MentionError> {
    if payment_link(company).is_some() || company.iban_display().is_some_and(|i| !i.is_empty()) {
        return vec![];
    }
    vec![MentionError {
        template: "company".into(),
        language: None,
        case: String::new(),
        problem: Problem::Config(
            "neither iban nor payment_link is set: reminders cannot say how to pay (set company.iban and \
             company.bic, or company.payment_link)"
                .into(),
        ),
    }]
}

fn check_case(templates: &Templates, company: &Company, case: &Case) -> Vec<MentionError> {
    let lang = case.language.as_str();
    let text_file = format!("{lang}/{}.txt.j2", case.template);
    let html_file = format!("{lang}/email.html.j2");
    let error = |template: &str, problem| MentionError {
        template: template.to_string(),
        language: Some(case.language),
        case: case_label(case),
        problem,
    };
    let p = probe::proposal(case);
    let Email { text, html, .. } = match render_email(&p, company, templates) {
        Ok(email) => email,
        Err(e) => return vec![error(&text_file, Problem::Render(e.to_string()))],
    };
    let mut errors = Vec::new();
    let html_text = decode_entities(&html);
    for (file, rendered) in [(&text_file, &text), (&html_file, &html_text)] {
        for (mention, value) in required(case, &p, company) {
            if !rendered.contains(&value) {
                errors.push(error(file, Problem::Missing { mention, value }));
            }
        }
        if case.kind == ClientKind::B2c {
            for (mention, found) in forbidden(case.language) {
                if rendered.contains(&found) {
                    errors.push(error(file, Problem::Forbidden { mention, found }));
                }
            }
        }
    }
    if html.contains(Sentinels::MARKUP) {
        errors.push(error(&html_file, Problem::Unescaped { found: Sentinels::MARKUP.into() }));
    }
    errors
}

fn case_label(case: &Case) -> String {
    let kind = match case.kind {
        ClientKind::B2b => "B2B",
        ClientKind::B2c => "B2C",
    };
    format!("{kind} client, {}", case.moment.label())
}

/// The mentions the case must contain: (what, the value to find).
fn required(case: &Case, p: &Proposal, company: &Company) -> Vec<(String, String)> {
    let lang = case.language;
    let eur = |amount| money(amount, Currency::EUR, lang);
    let mut wanted = Vec::new();
    for inv in &p.invoices {
        let n = inv.number.as_str();
        wanted.push(("the invoice number".to_string(), n.to_string()));
        wanted.push((format!("the issue date of invoice {n}"), date(inv.issue_date, lang)));
        wanted.push((format!("the due date of invoice {n}"), date(inv.due_date, lang)));
        wanted.push((format!("the amount due on invoice {n}"), eur(inv.amount_due)));
        wanted.push((format!("what invoice {n} was for (its description)"), inv.description.clone()));
    }
    wanted.push(("the total due".into(), eur(p.total_due)));
    if let Some(link) = payment_link(company) {
        wanted.push(("the payment link".into(), link));
    }
    if let Some(iban) = company.iban_display().filter(|i| !i.is_empty()) {
        wanted.push(("the IBAN".into(), iban));
    }
    if let Some(bic) = company.bic.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        wanted.push(("the BIC".into(), bic.to_ascii_uppercase()));
    }
    wanted.push(("the contact's name".into(), company.contact_name.clone()));
    wanted.push(("the contact's e-mail".into(), company.contact_email.clone()));
    if let Some(phone) = company.contact_phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        wanted.push(("the contact's phone".into(), phone.to_string()));
    }
    if case.moment == Moment::Later {
        for (stage, day) in &p.previous_reminders {
            wanted.push((format!("the date of the previous reminder ({stage})"), date(*day, lang)));
        }
    }
    if case.kind == ClientKind::B2b && probe::legal_tone(case.tone) {
        wanted.push(("the late-payment penalties (L441-10)".into(), eur(Sentinels::PENALTIES)));
        wanted.push(("the 40 € indemnity per invoice (D441-5)".into(), eur(Sentinels::INDEMNITY)));
    }
    wanted
}

/// What a consumer must not read: the probe's penalties and indemnity, and
/// the words that introduce them (a template may have them written out).
fn forbidden(lang: Language) -> Vec<(String, String)> {
    let eur = |amount| money(amount, Currency::EUR, lang);
    let mut found = vec![
        ("late-payment penalties".to_string(), eur(Sentinels::PENALTIES)),
        ("the 40 € indemnity".to_string(), eur(Sentinels::INDEMNITY)),
        ("late-payment penalties".to_string(), "L441-10".to_string()),
        ("the 40 € indemnity".to_string(), "D441-5".to_string()),
    ];
    let words: &[(&str, &str)] = match lang {
        Language::Fr => {
            &[("late-payment penalties", "pénalités de retard"), ("the 40 € indemnity", "indemnité forfaitaire")]
        }
        Language::En => {
            &[("late-payment penalties", "late-payment penalties"), ("the 40 € indemnity", "recovery indemnity")]
        }
    };
    found.extend(words.iter().map(|(m, w)| (m.to_string(), w.to_string())));
    found
}

fn payment_link(company: &Company) -> Option<String> {
    company.payment_link.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string)
}

/// Undoes HTML escaping, so a value is found whether the layout printed it
/// as text or in an attribute (`href="…"`).
fn decode_entities(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| Some((entity(&rest[1..end])?, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    let code = |digits: &str, radix| u32::from_str_radix(digits, radix).ok().and_then(char::from_u32);
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{A0}'),
        _ => match name.strip_prefix('#') {
            Some(hex) if hex.starts_with(['x', 'X']) => code(&hex[1..], 16),
            Some(dec) => code(dec, 10),
            None => None,
        },
    }
}

#[cfg(test)]
#[path = "mentions_tests.rs"]
mod tests;
