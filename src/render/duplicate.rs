//! The duplicate of invoices a client says it never received: subject and
//! covering note, in the client's language.
//!
//! It is not a reminder, so it says nothing a reminder says beyond the
//! invoices and how to pay them: no stage, no penalty, no deadline. The
//! invoice details are always in the body (the same lines as a reminder's,
//! `_invoices.txt.j2`), so a client whose invoice has no PDF still gets
//! everything it needs to pay.

use super::format::{self, date, money};
use super::message::{one_line, tidy, CompanyView, InvoiceView};
use super::{Company, RenderError, Templates};
use crate::domain::{Client, Currency, Language};
use crate::ledger::InvoiceState;
use chrono::NaiveDate;
use minijinja::Value;
use rust_decimal::Decimal;
use serde::Serialize;

/// A rendered duplicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateText {
    pub subject: String,
    pub body: String,
}

/// What the template sees (see templates/README.md).
#[derive(Debug, Serialize)]
struct Context {
    lang: &'static str,
    company: CompanyView,
    invoices: Vec<InvoiceView>,
    count: usize,
    single: bool,
    numbers: String,
    total_due: String,
    /// The invoices' PDFs are attached (otherwise the body says "below").
    attached: bool,
}

/// Renders the duplicate of `invoices` (open invoices of `client`) as of
/// `today`; `attached` says whether their PDFs go with it.
pub fn render_duplicate(
    client: &Client,
    invoices: &[&InvoiceState],
    attached: bool,
    today: NaiveDate,
    company: &Company,
    templates: &Templates,
) -> Result<DuplicateText, RenderError> {
    let lang = client.language;
    let numbers: Vec<String> = invoices.iter().map(|i| i.number.to_string()).collect();
    let ctx = Context {
        lang: lang.as_str(),
        company: CompanyView::new(company),
        invoices: invoices.iter().map(|i| invoice_view(i, lang, today)).collect(),
        count: invoices.len(),
        single: invoices.len() == 1,
        numbers: format::join_words(&numbers, lang),
        total_due: total_due(invoices, lang),
        attached,
    };
    let name = format!("{}/duplicate.txt.j2", lang.as_str());
    let body = tidy(&templates.render(&name, &Value::from_serialize(&ctx))?);
    Ok(DuplicateText { subject: one_line(&subject(&ctx.numbers, ctx.single, lang)), body })
}

/// « Duplicata de la facture F-1 » / "Copy of invoice F-1": says what it
/// is, and never "relance".
fn subject(numbers: &str, single: bool, lang: Language) -> String {
    match (lang, single) {
        (Language::Fr, true) => format!("Duplicata de la facture {numbers}"),
        (Language::Fr, false) => format!("Duplicata des factures {numbers}"),
        (Language::En, true) => format!("Copy of invoice {numbers}"),
        (Language::En, false) => format!("Copy of invoices {numbers}"),
    }
}

pub(super) fn invoice_view(i: &InvoiceState, lang: Language, today: NaiveDate) -> InvoiceView {
    InvoiceView {
        number: i.number.to_string(),
        issue_date: date(i.issue_date, lang),
        due_date: date(i.due_date, lang),
        amount: money(i.amount, i.currency, lang),
        amount_due: money(i.amount_due(), i.currency, lang),
        days_late: (today - i.due_date).num_days().max(0),
        description: i.description.trim().to_string(),
    }
}

/// The total per currency, in the order the currencies first appear: one
/// client may owe in two currencies, and they do not add up.
pub(super) fn total_due(invoices: &[&InvoiceState], lang: Language) -> String {
    let mut totals: Vec<(Currency, Decimal)> = Vec::new();
    for i in invoices {
        match totals.iter_mut().find(|(c, _)| *c == i.currency) {
            Some((_, sum)) => *sum += i.amount_due(),
            None => totals.push((i.currency, i.amount_due())),
        }
    }
    let parts: Vec<String> = totals.into_iter().map(|(c, sum)| money(sum, c, lang)).collect();
    format::join_words(&parts, lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientId, InvoiceNumber};
    use crate::ledger::Hold;
    use rust_decimal_macros::dec;

    fn invoice(number: &str, amount: Decimal) -> InvoiceState {
        InvoiceState {
            number: InvoiceNumber::parse(number).unwrap(),
            issue_date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            due_date: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            amount,
            currency: Currency::EUR,
            paid_at_import: Decimal::ZERO,
            payments: vec![],
            hold: Hold::default(),
            last_stage: None,
            description: "Maintenance".into(),
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

    fn render(lang: Language, invoices: &[&InvoiceState], attached: bool) -> DuplicateText {
        let mut client = Client::new(ClientId::parse("C1").unwrap(), "Dupont SA");
        client.language = lang;
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        render_duplicate(&client, invoices, attached, today, &company(), &Templates::builtin()).unwrap()
    }

    #[test]
    fn a_french_duplicate_gives_the_details_and_how_to_pay_and_threatens_nothing() {
        let f1 = invoice("F-1", dec!(1200));
        let text = render(Language::Fr, &[&f1], false);
        assert_eq!(text.subject, "Duplicata de la facture F-1");
        for expected in
            ["ci-dessous le duplicata de la facture", "F-1", "01/10/2026", "31/10/2026", "IBAN", "Claire Martin"]
        {
            assert!(text.body.contains(expected), "{expected:?} missing from:\n{}", text.body);
        }
        assert!(text.body.contains(&money(dec!(1200), Currency::EUR, Language::Fr)), "{}", text.body);
        for forbidden in ["relance", "Relance", "pénalité", "indemnité", "mise en demeure", "40 €"] {
            assert!(!text.body.contains(forbidden), "{forbidden:?} in:\n{}", text.body);
        }
    }

    #[test]
    fn an_english_duplicate_of_two_invoices_with_pdfs_says_attached() {
        let (f1, f2) = (invoice("F-1", dec!(100)), invoice("F-2", dec!(50)));
        let text = render(Language::En, &[&f1, &f2], true);
        assert_eq!(text.subject, "Copy of invoices F-1 and F-2");
        assert!(text.body.contains("please find attached a copy of the invoices"), "{}", text.body);
        assert!(text.body.contains(&money(dec!(150), Currency::EUR, Language::En)), "{}", text.body);
        assert!(!text.body.to_lowercase().contains("reminder"), "{}", text.body);
    }
}
