//! An instalment plan as the team reads it, in the team's language: the
//! heading, the invoices and one line per instalment, shared by
//! `relance echeancier` and the chat's `/relance echeancier` replies, so the
//! terminal shows `23/03/2026 · 400,00 €` like `relance status` does. Pure.
//!
//! (What the *client* reads is `render::instalment_plan`, in the client's
//! language.)

use super::format::{date, money};
use crate::domain::{InvoiceNumber, Language};
use crate::store::{PlanRow, PlanStatus};

/// "Échéancier n° 3 proposé — Garage Martin (C1) : 1 200,01 € en 3 échéances".
/// `client` is what names the client (its name and id, or only its id).
pub fn plan_heading(plan: &PlanRow, client: &str, lang: Language) -> String {
    let total = money(plan.schedule.total, plan.schedule.currency, lang);
    let count = plan.schedule.instalments.len();
    let status = status_word(plan.status, lang);
    match lang {
        Language::Fr => format!("Échéancier n° {} {status} — {client} : {total} en {count} échéance(s)", plan.id),
        Language::En => format!("Instalment plan {} {status} — {client}: {total} in {count} instalment(s)", plan.id),
    }
}

/// The plan's status as a past participle after "plan n° 3".
pub fn status_word(status: PlanStatus, lang: Language) -> &'static str {
    match (status, lang) {
        (PlanStatus::Proposed, Language::Fr) => "proposé",
        (PlanStatus::Proposed, Language::En) => "proposed",
        (PlanStatus::Approved, Language::Fr) => "approuvé",
        (PlanStatus::Approved, Language::En) => "approved",
        (PlanStatus::Rejected, Language::Fr) => "refusé",
        (PlanStatus::Rejected, Language::En) => "rejected",
        (PlanStatus::Completed, Language::Fr) => "soldé",
        (PlanStatus::Completed, Language::En) => "paid in full",
        (PlanStatus::Broken, Language::Fr) => "rompu",
        (PlanStatus::Broken, Language::En) => "broken",
    }
}

/// The invoices, then one line per instalment: `1. 23/03/2026 · 400,00 €`.
pub fn schedule_lines(plan: &PlanRow, lang: Language) -> Vec<String> {
    let invoices: Vec<&str> = plan.invoices.iter().map(InvoiceNumber::as_str).collect();
    let heading = match lang {
        Language::Fr => format!("Factures : {}", invoices.join(", ")),
        Language::En => format!("Invoices: {}", invoices.join(", ")),
    };
    let currency = plan.schedule.currency;
    let instalments = plan
        .schedule
        .instalments
        .iter()
        .map(|i| format!("{}. {} · {}", i.number, date(i.due_date, lang), money(i.amount, currency, lang)));
    std::iter::once(heading).chain(instalments).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientId, Currency};
    use crate::policy::instalments::{Frequency, Instalment, InstalmentPlan};
    use crate::store::{Actor, Stamped};
    use chrono::{NaiveDate, Utc};
    use rust_decimal::Decimal;

    fn plan() -> PlanRow {
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let amount = |a: &str| a.parse::<Decimal>().unwrap();
        let instalments = vec![
            Instalment { number: 1, due_date: day("2026-12-08"), amount: amount("1471.10") },
            Instalment { number: 2, due_date: day("2027-01-08"), amount: amount("1471.10") },
        ];
        PlanRow {
            id: 7,
            client_id: ClientId::parse("C1").unwrap(),
            invoices: vec![InvoiceNumber::parse("F-1").unwrap(), InvoiceNumber::parse("F-2").unwrap()],
            frequency: Frequency::Monthly,
            language: Language::Fr,
            schedule: InstalmentPlan { currency: Currency::EUR, total: amount("2942.20"), instalments },
            status: PlanStatus::Proposed,
            proposed: Stamped { actor: Actor { name: "Claire".into(), via: "cli".into() }, at: Utc::now() },
            decided: None,
            closed_at: None,
            missed_number: None,
        }
    }

    #[test]
    fn the_schedule_follows_the_teams_language() {
        let plan = plan();
        let fr: Vec<String> = schedule_lines(&plan, Language::Fr).iter().map(|l| super::super::format::plain_spaces(l)).collect();
        assert_eq!(fr, ["Factures : F-1, F-2", "1. 08/12/2026 · 1 471,10 €", "2. 08/01/2027 · 1 471,10 €"]);
        let en = schedule_lines(&plan, Language::En);
        assert_eq!(en[0], "Invoices: F-1, F-2");
        assert_eq!(en[1], "1. 8 Dec 2026 · €1,471.10");
        let heading = super::super::format::plain_spaces(&plan_heading(&plan, "C1", Language::Fr));
        assert_eq!(heading, "Échéancier n° 7 proposé — C1 : 2 942,20 € en 2 échéance(s)");
        assert_eq!(
            plan_heading(&plan, "C1", Language::En),
            "Instalment plan 7 proposed — C1: €2,942.20 in 2 instalment(s)"
        );
    }
}
