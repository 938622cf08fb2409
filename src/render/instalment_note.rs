//! The friendly note before an instalment of an approved plan, e-mailed to
//! the client: subject and body, in the client's language.
//!
//! It is not a reminder: nothing is late yet. So it says which instalment
//! comes, when and for how much, what is left after it, and how to pay —
//! no stage, no penalty, no deadline beyond the date agreed.

use super::duplicate::DuplicateText;
use super::format;
use super::instalment_plan::InstalmentView;
use super::message::{one_line, tidy, CompanyView};
use super::{Company, RenderError, Templates};
use crate::domain::{Client, Language};
use crate::policy::instalments::Instalment;
use crate::store::PlanRow;
use minijinja::Value;
use serde::Serialize;

/// What the template sees (see templates/README.md).
#[derive(Debug, Serialize)]
struct Context {
    lang: &'static str,
    company: CompanyView,
    plan_id: i64,
    /// The instalment the note is about.
    instalment: InstalmentView,
    /// How many instalments the plan has.
    count: usize,
    /// The instalments after this one, in order (empty for the last one).
    remaining: Vec<InstalmentView>,
    single: bool,
    numbers: String,
}

/// Renders the note before `instalment` of `plan` for `client`.
pub fn render_instalment_note(
    client: &Client,
    plan: &PlanRow,
    instalment: &Instalment,
    company: &Company,
    templates: &Templates,
) -> Result<DuplicateText, RenderError> {
    let lang = client.language;
    let currency = plan.schedule.currency;
    let view = |i: &Instalment| InstalmentView::of(i, currency, lang);
    let numbers: Vec<String> = plan.invoices.iter().map(ToString::to_string).collect();
    let ctx = Context {
        lang: lang.as_str(),
        company: CompanyView::new(company),
        plan_id: plan.id,
        instalment: view(instalment),
        count: plan.schedule.instalments.len(),
        remaining: plan.schedule.instalments.iter().filter(|i| i.number > instalment.number).map(view).collect(),
        single: numbers.len() == 1,
        numbers: format::join_words(&numbers, lang),
    };
    let name = format!("{}/instalment_note.txt.j2", lang.as_str());
    let body = tidy(&templates.render(&name, &Value::from_serialize(&ctx))?);
    Ok(DuplicateText { subject: one_line(&subject(&ctx.instalment, ctx.count, lang)), body })
}

/// « Échéance 2/3 du 23/04/2026 » / "Instalment 2 of 3 due 23 Apr 2026".
fn subject(instalment: &InstalmentView, count: usize, lang: Language) -> String {
    let (number, day) = instalment.number_and_date();
    match lang {
        Language::Fr => format!("Rappel amical : échéance {number}/{count} du {day}"),
        Language::En => format!("Friendly reminder: instalment {number} of {count} due {day}"),
    }
}

#[cfg(test)]
#[path = "instalment_note_tests.rs"]
mod tests;
