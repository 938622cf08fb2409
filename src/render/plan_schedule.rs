//! An instalment plan as the team reads it, in the team's language: the
//! heading, the invoices and one line per instalment, shared by
//! `relance echeancier` and the chat's `/relance echeancier` replies, so the
//! terminal shows `23/03/2026 · 400,00 €` like `relance status` does. Pure.
//!
//! (What the *client* reads is `render::instalment_plan`, in the client's
//! language.)

use super::format::{date, money};
use crate::domain::{EmailAddress, InvoiceNumber, Language};
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

/// The title of the answer to finance's decision. An approval says whether
/// the client's confirmation leaves: with no e-mail address it cannot.
pub fn decided_title(plan: &PlanRow, confirm_to: Option<&EmailAddress>, lang: Language) -> String {
    let id = plan.id;
    match (plan.status, confirm_to.is_some(), lang) {
        (PlanStatus::Approved, true, Language::Fr) => {
            format!("✅ Échéancier n° {id} approuvé : la confirmation part au client")
        }
        (PlanStatus::Approved, true, Language::En) => {
            format!("✅ Instalment plan {id} approved: the confirmation goes to the client")
        }
        (PlanStatus::Approved, false, Language::Fr) => {
            format!("✅ Échéancier n° {id} approuvé — ⚠️ aucune confirmation envoyée au client (pas d'adresse e-mail)")
        }
        (PlanStatus::Approved, false, Language::En) => {
            format!("✅ Instalment plan {id} approved — ⚠️ no confirmation sent to the client (no e-mail address)")
        }
        (status, _, lang) => plan_heading_short(id, status, lang),
    }
}

fn plan_heading_short(id: i64, status: PlanStatus, lang: Language) -> String {
    match lang {
        Language::Fr => format!("Échéancier n° {id} {}", status_word(status, lang)),
        Language::En => format!("Instalment plan {id} {}", status_word(status, lang)),
    }
}

/// What the client is (or will be) sent, said plainly: the address the
/// confirmation goes to once approved, or — the client having no e-mail
/// address — that none can be sent, before the approval as a warning and
/// after it as a fact. None for a plan no longer waiting or in force.
pub fn confirmation_line(plan: &PlanRow, confirm_to: Option<&EmailAddress>, lang: Language) -> Option<String> {
    let line = match (plan.status, confirm_to, lang) {
        (PlanStatus::Proposed, None, Language::Fr) => "⚠️ Ce client n'a pas d'adresse e-mail : une fois l'échéancier approuvé, aucune confirmation ne pourra lui être envoyée. Prévenez-le autrement (téléphone, courrier).".to_string(),
        (PlanStatus::Proposed, None, Language::En) => "⚠️ This client has no e-mail address: once the plan is approved, no confirmation can be sent. Tell the client another way (phone, letter).".to_string(),
        (PlanStatus::Approved, None, Language::Fr) => "⚠️ Aucune confirmation n'a pu être envoyée : le client n'a pas d'adresse e-mail. Prévenez-le autrement (téléphone, courrier) des dates et montants.".to_string(),
        (PlanStatus::Approved, None, Language::En) => "⚠️ No confirmation could be sent: the client has no e-mail address. Tell the client the dates and amounts another way (phone, letter).".to_string(),
        (PlanStatus::Proposed, Some(to), Language::Fr) => format!("Une fois approuvé, la confirmation partira à {to}."),
        (PlanStatus::Proposed, Some(to), Language::En) => format!("Once approved, the confirmation goes to {to}."),
        (PlanStatus::Approved, Some(to), Language::Fr) => format!("📧 La confirmation (dates et montants) part à {to}."),
        (PlanStatus::Approved, Some(to), Language::En) => format!("📧 The confirmation (dates and amounts) goes to {to}."),
        _ => return None,
    };
    Some(line)
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
        let fr: Vec<String> =
            schedule_lines(&plan, Language::Fr).iter().map(|l| super::super::format::plain_spaces(l)).collect();
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

    #[test]
    fn without_an_e_mail_address_the_replies_say_no_confirmation_can_be_sent() {
        let mut plan = plan();
        let to = EmailAddress::parse("ap@c1.fr").unwrap();
        let warned = confirmation_line(&plan, None, Language::Fr).unwrap();
        assert!(
            warned.contains("n'a pas d'adresse e-mail") && warned.contains("aucune confirmation ne pourra"),
            "{warned}"
        );
        assert_eq!(
            confirmation_line(&plan, Some(&to), Language::En).unwrap(),
            "Once approved, the confirmation goes to ap@c1.fr."
        );
        plan.status = PlanStatus::Approved;
        let said = confirmation_line(&plan, None, Language::En).unwrap();
        assert!(said.starts_with("⚠️ No confirmation could be sent: the client has no e-mail address."), "{said}");
        assert!(decided_title(&plan, None, Language::Fr)
            .contains("aucune confirmation envoyée au client (pas d'adresse e-mail)"));
        assert_eq!(
            decided_title(&plan, Some(&to), Language::Fr),
            "✅ Échéancier n° 7 approuvé : la confirmation part au client"
        );
        plan.status = PlanStatus::Rejected;
        assert_eq!(
            confirmation_line(&plan, None, Language::Fr),
            None,
            "a rejected plan sends nothing and owes no warning"
        );
        assert_eq!(decided_title(&plan, None, Language::En), "Instalment plan 7 rejected");
    }
}
