//! The confirmation of an approved instalment plan, e-mailed to the client:
//! subject and body, in the client's language.
//!
//! It carries what the client needs to keep to the plan: every instalment's
//! date and amount, the total, the invoices it covers (with their numbers,
//! dates and amounts due, as in a reminder), how to pay and whom to contact.
//! It states what happens if an instalment is missed (the plan lapses and the
//! usual reminders resume), which is the only consequence the bot applies.

use super::duplicate::{invoice_view, total_due, DuplicateText};
use super::format::{self, date, money};
use super::message::{one_line, tidy, CompanyView, InvoiceView};
use super::{Company, RenderError, Templates};
use crate::domain::{Client, Language};
use crate::ledger::InvoiceState;
use crate::store::PlanRow;
use chrono::NaiveDate;
use minijinja::Value;
use serde::Serialize;

/// One instalment as the template sees it.
#[derive(Debug, Serialize)]
struct InstalmentView {
    number: u32,
    date: String,
    amount: String,
}

/// What the template sees (see templates/README.md).
#[derive(Debug, Serialize)]
struct Context {
    lang: &'static str,
    company: CompanyView,
    plan_id: i64,
    instalments: Vec<InstalmentView>,
    count: usize,
    total: String,
    invoices: Vec<InvoiceView>,
    single: bool,
    numbers: String,
    total_due: String,
    grace_days: u32,
}

/// Renders the confirmation of `plan` for `client`, whose covered invoices
/// (as they stand today) are `invoices`.
pub fn render_plan_confirmation(
    client: &Client,
    plan: &PlanRow,
    invoices: &[&InvoiceState],
    grace_days: u32,
    today: NaiveDate,
    company: &Company,
    templates: &Templates,
) -> Result<DuplicateText, RenderError> {
    let lang = client.language;
    let currency = plan.schedule.currency;
    let numbers: Vec<String> = plan.invoices.iter().map(ToString::to_string).collect();
    let instalments = plan
        .schedule
        .instalments
        .iter()
        .map(|i| InstalmentView {
            number: i.number,
            date: date(i.due_date, lang),
            amount: money(i.amount, currency, lang),
        })
        .collect();
    let ctx = Context {
        lang: lang.as_str(),
        company: CompanyView::new(company),
        plan_id: plan.id,
        instalments,
        count: plan.schedule.instalments.len(),
        total: money(plan.schedule.total, currency, lang),
        invoices: invoices.iter().map(|i| invoice_view(i, lang, today)).collect(),
        single: numbers.len() == 1,
        numbers: format::join_words(&numbers, lang),
        total_due: total_due(invoices, lang),
        grace_days,
    };
    let name = format!("{}/instalment_plan.txt.j2", lang.as_str());
    let body = tidy(&templates.render(&name, &Value::from_serialize(&ctx))?);
    Ok(DuplicateText { subject: one_line(&subject(&ctx.numbers, ctx.single, lang)), body })
}

/// « Échéancier de paiement – facture F-1 » / "Payment plan – invoice F-1".
fn subject(numbers: &str, single: bool, lang: Language) -> String {
    match (lang, single) {
        (Language::Fr, true) => format!("Échéancier de paiement – facture {numbers}"),
        (Language::Fr, false) => format!("Échéancier de paiement – factures {numbers}"),
        (Language::En, true) => format!("Payment plan – invoice {numbers}"),
        (Language::En, false) => format!("Payment plan – invoices {numbers}"),
    }
}
