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
use crate::domain::{Client, Currency, Language};
use crate::ledger::InvoiceState;
use crate::policy::instalments::Instalment;
use crate::store::PlanRow;
use chrono::NaiveDate;
use minijinja::Value;
use serde::Serialize;

/// One instalment as the templates see it (the plan's confirmation and
/// the note before an instalment).
#[derive(Debug, Serialize)]
pub(super) struct InstalmentView {
    number: u32,
    date: String,
    amount: String,
}

impl InstalmentView {
    /// The instalment with its date and amount in the client's language.
    pub(super) fn of(i: &Instalment, currency: Currency, lang: Language) -> Self {
        Self { number: i.number, date: date(i.due_date, lang), amount: money(i.amount, currency, lang) }
    }

    /// « 2/3 du 23/04/2026 »: what a note's subject names.
    pub(super) fn number_and_date(&self) -> (u32, &str) {
        (self.number, &self.date)
    }
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
    let instalments = plan.schedule.instalments.iter().map(|i| InstalmentView::of(i, currency, lang)).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientId, Currency, InvoiceNumber};
    use crate::ledger::Hold;
    use crate::policy::instalments::{Frequency, Instalment, InstalmentPlan};
    use crate::store::{Actor, PlanStatus, Stamped};
    use rust_decimal_macros::dec;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn an_english_confirmation_lists_the_instalments_the_invoice_and_what_a_miss_does() {
        let number = InvoiceNumber::parse("F-7").unwrap();
        let invoice = InvoiceState {
            number: number.clone(),
            issue_date: day("2026-02-01"),
            due_date: day("2026-03-01"),
            amount: dec!(250),
            currency: Currency::EUR,
            paid_at_import: dec!(0),
            payments: vec![],
            hold: Hold::default(),
            last_stage: None,
            description: "Maintenance".into(),
        };
        let instalment = |n, date: &str, amount| Instalment { number: n, due_date: day(date), amount };
        let plan = PlanRow {
            id: 4,
            client_id: ClientId::parse("C1").unwrap(),
            invoices: vec![number],
            frequency: Frequency::Weekly,
            language: Language::En,
            schedule: InstalmentPlan {
                currency: Currency::EUR,
                total: dec!(250),
                instalments: vec![instalment(1, "2026-04-06", dec!(125)), instalment(2, "2026-04-13", dec!(125))],
            },
            status: PlanStatus::Approved,
            proposed: Stamped { actor: Actor { name: "Julie".into(), via: "slack".into() }, at: chrono::Utc::now() },
            decided: None,
            closed_at: None,
            missed_number: None,
        };
        let mut client = Client::new(ClientId::parse("C1").unwrap(), "Dupont Ltd");
        client.language = Language::En;
        let company = Company {
            name: "Acme".into(),
            iban: Some("FR7630006000011234567890189".into()),
            contact_name: "Claire Martin".into(),
            contact_email: "claire@acme.fr".into(),
            ..Company::default()
        };
        let text = render_plan_confirmation(
            &client,
            &plan,
            &[&invoice],
            2,
            day("2026-03-30"),
            &company,
            &Templates::builtin(),
        )
        .unwrap();
        assert_eq!(text.subject, "Payment plan – invoice F-7");
        let body = text.body.replace(['\u{a0}', '\u{202f}'], " ");
        for expected in [
            "the payment plan granted for the following invoice",
            "F-7",
            "Maintenance",
            "in 2 instalments",
            "- instalment 1: €125.00 by 6 Apr 2026",
            "- instalment 2: €125.00 by 13 Apr 2026",
            "unpaid 2 business days after its date would end this plan",
            "IBAN FR76",
            "Claire Martin",
        ] {
            assert!(body.contains(expected), "{expected:?} missing from:\n{body}");
        }
    }
}
