//! The confirmation page an instalment plan link opens (`GET /plan/{token}`,
//! Teams' Approve / Reject under `@Relance echeancier …`): the plan with its
//! schedule, what the decision does, and the sign-in form whose POST decides.

use super::pages::{render, words};
use crate::digest::describe::tr;
use crate::domain::Language;
use crate::render::plan_schedule::{plan_heading, schedule_lines, status_word};
use crate::store::{PlanRow, PlanStatus};
use minijinja::context;

/// What the confirmation page of a plan link shows.
#[derive(Debug, Clone)]
pub struct PlanConfirmView<'a> {
    pub lang: Language,
    /// Approve, or reject.
    pub approve: bool,
    /// The plan's id, from the link.
    pub id: i64,
    /// The plan, when it exists; the page then has a form while it is
    /// still proposed.
    pub plan: Option<&'a PlanRow>,
    /// The client's name and id, as the heading names it.
    pub client: String,
    /// Shown before an approval when the client has no e-mail address.
    pub warning: Option<String>,
    /// Echoed in a hidden field; the POST handler checks it.
    pub csrf: String,
    /// Why the previous POST was refused, shown above the form.
    pub error: Option<String>,
}

/// The page `GET /plan/{token}` shows; its form posts `who`, `code` and
/// `csrf` to the same URL.
pub fn plan_confirm_page(view: &PlanConfirmView) -> String {
    let lang = view.lang;
    let id = view.id;
    let heading = match (view.approve, lang) {
        (true, Language::Fr) => format!("Approuver l'échéancier n° {id} ?"),
        (true, Language::En) => format!("Approve instalment plan {id}?"),
        (false, Language::Fr) => format!("Refuser l'échéancier n° {id} ?"),
        (false, Language::En) => format!("Reject instalment plan {id}?"),
    };
    let notice = match view.plan {
        None => Some(match lang {
            Language::Fr => format!("Il n'y a pas d'échéancier n° {id}."),
            Language::En => format!("There is no instalment plan {id}."),
        }),
        Some(plan) if plan.status != PlanStatus::Proposed => Some(match lang {
            Language::Fr => format!("Cet échéancier est déjà {} : rien à décider.", status_word(plan.status, lang)),
            Language::En => format!("This plan is already {}: nothing to decide.", status_word(plan.status, lang)),
        }),
        Some(_) => None,
    };
    let form = view.plan.is_some() && notice.is_none();
    let submit = match view.approve {
        true => tr(lang, "Approuver", "Approve"),
        false => tr(lang, "Refuser", "Reject"),
    };
    render(
        "plan_confirm.html.j2",
        context! {
            w => words(lang),
            heading,
            notice,
            error => &view.error,
            summary => view.plan.map(|p| plan_heading(p, &view.client, lang)),
            lines => view.plan.map(|p| schedule_lines(p, lang)).unwrap_or_default(),
            warning => view.warning.as_ref().filter(|_| form && view.approve),
            form,
            approve => view.approve,
            csrf => &view.csrf,
            submit,
        },
    )
}
