//! The instalment plans waiting for finance, in the digest's header: one
//! line per proposed plan (« ⏳ Échéancier n° 3 à approuver — ACME : 3 ×
//! 400,00 € dès le 15/04/2026 (proposé par Julie Roux) »), at most
//! [`MAX_WAITING_PLANS`] and then "… et N autres", so a day with many
//! proposals stays within every platform's limits. Pure: the shell reads the
//! plans and the clients' names (`serve::publish::DayState`).
//!
//! How finance decides from there depends on the platform: Slack and
//! Discord name the command ([`command_hint`]), Teams and the local
//! `/digest` page carry the signed `/plan/{token}` links ([`PlanLinks`]).

use super::describe::tr;
use super::model::WaitingPlan;
use crate::domain::{ClientId, Language};
use crate::render::format::{date, money, one_line, truncate_chars};
use crate::store::{PlanRow, PlanStatus};

/// Proposed plans shown in the header; the others are counted.
pub const MAX_WAITING_PLANS: usize = 8;
/// A client's or a person's name in a line.
const MAX_NAME_CHARS: usize = 80;

/// The proposed plans among `plans`, oldest first, the first
/// [`MAX_WAITING_PLANS`] as lines, and how many more there are. A client
/// `name_of` does not know is named by its id.
pub fn waiting_plans(
    plans: &[PlanRow],
    name_of: &dyn Fn(&ClientId) -> Option<String>,
    lang: Language,
) -> (Vec<WaitingPlan>, usize) {
    let mut proposed: Vec<&PlanRow> = plans.iter().filter(|p| p.status == PlanStatus::Proposed).collect();
    proposed.sort_by_key(|p| p.id);
    let more = proposed.len().saturating_sub(MAX_WAITING_PLANS);
    let shown = proposed
        .into_iter()
        .take(MAX_WAITING_PLANS)
        .map(|plan| {
            let client = name_of(&plan.client_id).unwrap_or_else(|| plan.client_id.to_string());
            WaitingPlan { id: plan.id, line: waiting_line(plan, &client, lang), links: None }
        })
        .collect();
    (shown, more)
}

/// "⏳ Échéancier n° 3 à approuver — ACME : 3 × 400,00 € dès le 15/04/2026
/// (proposé par Julie Roux)"; unequal instalments (the last absorbing the
/// rounding) read "1 200,01 € en 3 échéances".
pub fn waiting_line(plan: &PlanRow, client: &str, lang: Language) -> String {
    let client = truncate_chars(&one_line(client), MAX_NAME_CHARS);
    let by = truncate_chars(&one_line(&plan.proposed.actor.name), MAX_NAME_CHARS);
    let schedule = &plan.schedule;
    let currency = schedule.currency;
    let count = schedule.instalments.len();
    let amounts = match schedule.instalments.first() {
        Some(first) if schedule.instalments.iter().all(|i| i.amount == first.amount) => {
            format!("{count} × {}", money(first.amount, currency, lang))
        }
        _ => match lang {
            Language::Fr => format!("{} en {count} échéances", money(schedule.total, currency, lang)),
            Language::En => format!("{} in {count} instalments", money(schedule.total, currency, lang)),
        },
    };
    let from = schedule.instalments.first().map(|i| date(i.due_date, lang)).unwrap_or_default();
    match lang {
        Language::Fr => {
            format!("⏳ Échéancier n° {} à approuver — {client} : {amounts} dès le {from} (proposé par {by})", plan.id)
        }
        Language::En => {
            format!("⏳ Instalment plan {} to approve — {client}: {amounts} from {from} (proposed by {by})", plan.id)
        }
    }
}

/// "… et 22 autres échéanciers à approuver".
pub fn more_line(more: usize, lang: Language) -> Option<String> {
    (more > 0).then(|| match lang {
        Language::Fr => format!("… et {more} autres échéanciers à approuver"),
        Language::En => format!("… and {more} more plans to approve"),
    })
}

/// Where a chat without link buttons decides: the commands, for finance
/// (`id` a plan's number, or `<n°>` for any).
pub fn command_hint(id: &str, lang: Language) -> String {
    let or = tr(lang, "ou", "or");
    format!("`/relance echeancier approve {id}` {or} `/relance echeancier reject {id}`")
}

/// The Approve / Reject labels of the links.
pub fn decide_labels(lang: Language) -> (&'static str, &'static str) {
    (tr(lang, "Approuver", "Approve"), tr(lang, "Refuser", "Reject"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::{Currency, InvoiceNumber};
    use crate::policy::instalments::{Frequency, Instalment, InstalmentPlan};
    use crate::store::{Actor, Stamped};
    use chrono::{NaiveDate, TimeZone, Utc};
    use rust_decimal::Decimal;
    use std::str::FromStr;

    /// A plan of `amounts` for `client`, monthly from 15 April 2026.
    pub(crate) fn plan(id: i64, client: &str, amounts: &[&str], status: PlanStatus) -> PlanRow {
        let instalments: Vec<Instalment> = amounts
            .iter()
            .enumerate()
            .map(|(i, a)| Instalment {
                number: i as u32 + 1,
                due_date: NaiveDate::from_ymd_opt(2026, 4 + i as u32, 15).unwrap(),
                amount: Decimal::from_str(a).unwrap(),
            })
            .collect();
        let total = instalments.iter().map(|i| i.amount).sum();
        PlanRow {
            id,
            client_id: ClientId::parse(client).unwrap(),
            invoices: vec![InvoiceNumber::parse("F-1").unwrap()],
            frequency: Frequency::Monthly,
            language: Language::Fr,
            schedule: InstalmentPlan { currency: Currency::EUR, total, instalments },
            status,
            proposed: Stamped {
                actor: Actor { name: "Julie Roux".into(), via: "slack".into() },
                at: Utc.with_ymd_and_hms(2026, 3, 16, 9, 0, 0).unwrap(),
            },
            decided: None,
            closed_at: None,
            missed_number: None,
        }
    }

    #[test]
    fn a_proposed_plan_reads_as_its_instalments_and_who_proposed_it() {
        let even = plan(3, "ACME", &["400.00", "400.00", "400.00"], PlanStatus::Proposed);
        assert_eq!(
            waiting_line(&even, "ACME <b>", Language::Fr),
            "⏳ Échéancier n° 3 à approuver — ACME <b> : 3 × 400,00\u{a0}€ dès le 15/04/2026 (proposé par Julie Roux)"
        );
        let uneven = plan(4, "ACME", &["400.00", "400.00", "400.01"], PlanStatus::Proposed);
        assert_eq!(
            waiting_line(&uneven, "ACME", Language::En),
            "⏳ Instalment plan 4 to approve — ACME: €1,200.01 in 3 instalments from 15 Apr 2026 (proposed by Julie Roux)"
        );
    }

    #[test]
    fn only_proposed_plans_wait_oldest_first_and_the_rest_is_counted() {
        let mut plans = vec![
            plan(9, "C9", &["10.00"], PlanStatus::Proposed),
            plan(2, "C2", &["10.00"], PlanStatus::Approved),
            plan(5, "C5", &["10.00"], PlanStatus::Proposed),
            plan(6, "C6", &["10.00"], PlanStatus::Rejected),
        ];
        let name_of = |id: &ClientId| (id.as_str() == "C5").then(|| "Garage Martin".to_string());
        let (shown, more) = waiting_plans(&plans, &name_of, Language::Fr);
        assert_eq!(shown.iter().map(|w| w.id).collect::<Vec<_>>(), [5, 9]);
        assert!(shown[0].line.contains("— Garage Martin :") && shown[1].line.contains("— C9 :"), "{shown:?}");
        assert_eq!(more, 0);
        plans.extend((100..130).map(|id| plan(id, "C1", &["10.00"], PlanStatus::Proposed)));
        let (shown, more) = waiting_plans(&plans, &name_of, Language::Fr);
        assert_eq!((shown.len(), more), (MAX_WAITING_PLANS, 32 - MAX_WAITING_PLANS));
        assert_eq!(more_line(more, Language::Fr).as_deref(), Some("… et 24 autres échéanciers à approuver"));
        assert_eq!(more_line(0, Language::En), None);
    }
}
