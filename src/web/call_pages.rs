//! The calls on the local `/digest` page and the confirmation page an
//! outcome link opens (`GET /call/{token}`): the call as the digest shows
//! it, what recording the outcome will do, and the fields it asks (see
//! [`OutcomeKind::asks`]): a date for a promise, a reason for a dispute, a
//! reason and days for an internal block, for "invoice not received" the
//! address the copy goes to, pre-filled with the client's from the ledger.

use super::pages::{render, words};
use crate::chat::slack_call_modal::{about, email_hint, email_label, MAX_EMAIL_CHARS, MAX_OUTCOME_REASON_CHARS};
use crate::digest::call_buttons::CallButton;
use crate::digest::call_lines::{
    call_invoice_bullets, call_note_line, call_total_line, caller_line, owner_name, reminders_line, script_label,
    shown_notes,
};
use crate::digest::describe::tr;
use crate::digest::teams_calls::CallLinkFn;
use crate::digest::CallEntry;
use crate::domain::{EmailAddress, Language};
use crate::policy::call_outcome::{Asks, OutcomeKind, MAX_BLOCK_DAYS};
use crate::policy::calls::CallRules;
use chrono::NaiveDate;
use minijinja::context;
use serde::Serialize;

/// Invoices listed per call; the others are counted.
const MAX_CALL_ROWS: usize = 20;

/// A call as the pages show it: the number as a `tel:` link, the shared
/// lines, the outcomes recorded today, the script, and the outcome links
/// until someone answered.
#[derive(Debug, Serialize)]
pub(super) struct CallView {
    client: String,
    phone: String,
    tel: String,
    lines: Vec<String>,
    notes: Vec<String>,
    script: Vec<String>,
    links: Vec<OutcomeLink>,
}

#[derive(Debug, Serialize)]
struct OutcomeLink {
    label: &'static str,
    url: String,
    kind: &'static str,
}

/// The call; its outcome links only when `link` is given (the digest page,
/// not the confirmation page).
pub(super) fn call_view(call: &CallEntry, lang: Language, link: Option<&CallLinkFn<'_>>) -> CallView {
    let task = &call.task;
    let mut lines = vec![caller_line(task, owner_name(call), lang)];
    lines.extend(call_invoice_bullets(task, lang, MAX_CALL_ROWS, str::to_string));
    lines.push(call_total_line(task, lang, ""));
    lines.push(reminders_line(task, lang));
    let links = match link {
        Some(link) if !call.answered() => OutcomeKind::ALL
            .iter()
            .map(|&kind| OutcomeLink {
                label: kind.label(lang),
                url: link(&CallButton::new(task, kind)),
                kind: if kind == OutcomeKind::Promise { "primary" } else { "" },
            })
            .collect(),
        _ => Vec::new(),
    };
    CallView {
        client: task.client_name.clone(),
        phone: task.phone_display.clone(),
        tel: task.tel.clone(),
        lines,
        notes: shown_notes(call).iter().map(|n| call_note_line(n, lang)).collect(),
        script: task.script.clone(),
        links,
    }
}

/// What the caller typed, echoed back when the page is shown again with an
/// error, so nothing has to be typed twice.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CallTyped {
    pub date: String,
    pub reason: String,
    pub days: String,
    pub email: String,
}

/// What the confirmation page of an outcome link shows.
#[derive(Debug, Clone)]
pub struct CallConfirmView<'a> {
    pub lang: Language,
    pub kind: OutcomeKind,
    /// The call, when today's list still has it.
    pub call: Option<&'a CallEntry>,
    /// Why there is nothing to record (the call is gone, already answered);
    /// the page then has no form.
    pub notice: Option<String>,
    pub rules: &'a CallRules,
    /// The client's address in the ledger: the copy's address until the
    /// caller types another.
    pub client_email: Option<&'a EmailAddress>,
    pub today: NaiveDate,
    /// Echoed in a hidden field; the POST handler checks it.
    pub csrf: String,
    /// Why the previous POST was refused, shown above the form.
    pub error: Option<String>,
    pub typed: CallTyped,
}

/// The page `GET /call/{token}` shows: the call, the outcome as a question,
/// and a form posting to the same URL (`who`, `code`, `csrf`, and `date`,
/// `reason`, `days` as the outcome asks).
pub fn call_confirm_page(view: &CallConfirmView) -> String {
    let lang = view.lang;
    let name = view.call.map(|c| c.task.client_name.trim().to_string()).unwrap_or_default();
    let label = view.kind.label(lang);
    let heading = match lang {
        Language::Fr => format!("Issue de l'appel à {name} : « {label} » ?"),
        Language::En => format!("Outcome of the call to {name}: “{label}”?"),
    };
    let form = view.call.is_some() && view.notice.is_none();
    let (heading, notice) = match (view.call, &view.notice) {
        (None, notice) => (
            tr(lang, "Appel introuvable", "Call not found").to_string(),
            Some(notice.clone().unwrap_or_else(|| {
                tr(lang, "Cet appel n'est plus dans la liste du jour.", "This call is no longer on today's list.")
                    .to_string()
            })),
        ),
        (Some(_), notice) => (heading, notice.clone()),
    };
    let asks = match view.kind.asks() {
        Asks::Date => "date",
        Asks::Reason => "reason",
        Asks::ReasonAndDays => "reason_days",
        Asks::Address => "email",
        Asks::Confirmation | Asks::Nothing => "",
    };
    render(
        "call_confirm.html.j2",
        context! {
            w => words(lang),
            c => call_words(lang),
            heading,
            notice,
            explain => form.then(|| about(view.kind, &name, view.rules, lang)),
            error => &view.error,
            call => view.call.map(|c| call_view(c, lang, None)),
            form,
            asks,
            today => view.today.format("%Y-%m-%d").to_string(),
            block_days => view.rules.internal_block_days,
            max_days => MAX_BLOCK_DAYS,
            max_reason => MAX_OUTCOME_REASON_CHARS,
            email => view.client_email.map(EmailAddress::as_str).unwrap_or_default(),
            email_known => view.client_email.is_some(),
            email_label => email_label(lang),
            email_hint => email_hint(view.client_email.is_some(), lang),
            max_email => MAX_EMAIL_CHARS,
            typed => &view.typed,
            csrf => &view.csrf,
            submit => label,
        },
    )
}

/// The fixed words of the call pages.
#[derive(Debug, Serialize)]
pub(super) struct CallWords {
    script: &'static str,
    date: &'static str,
    reason: &'static str,
    days: &'static str,
}

pub(super) fn call_words(lang: Language) -> CallWords {
    let script = script_label(lang);
    match lang {
        Language::Fr => CallWords { script, date: "Date promise", reason: "Motif", days: "Suspendre (jours)" },
        Language::En => CallWords { script, date: "Promised date", reason: "Reason", days: "Hold (days)" },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::fixtures::{call_entry, monday};

    fn view<'a>(kind: OutcomeKind, call: Option<&'a CallEntry>, rules: &'a CallRules) -> CallConfirmView<'a> {
        CallConfirmView {
            lang: Language::Fr,
            kind,
            call,
            notice: None,
            rules,
            client_email: None,
            today: monday(),
            csrf: "c5rf".into(),
            error: None,
            typed: CallTyped::default(),
        }
    }

    #[test]
    fn each_outcome_asks_its_own_fields_and_nothing_else() {
        let rules = CallRules::default();
        let call = call_entry("C1", "Garage <b>Martin</b>", 2);
        let cases = [
            (OutcomeKind::Promise, vec!["name=\"date\""], vec!["name=\"reason\"", "name=\"days\""]),
            (OutcomeKind::Dispute, vec!["name=\"reason\""], vec!["name=\"date\"", "name=\"days\""]),
            (
                OutcomeKind::InternalBlock,
                vec!["name=\"reason\"", "name=\"days\" type=\"number\" min=\"1\" max=\"90\" value=\"7\""],
                vec!["name=\"date\""],
            ),
            (OutcomeKind::PaymentSent, vec![], vec!["name=\"date\"", "name=\"reason\"", "name=\"days\""]),
            (OutcomeKind::NotReceived, vec!["name=\"email\" type=\"email\""], vec!["name=\"date\"", "name=\"reason\""]),
            (OutcomeKind::Voicemail, vec![], vec!["name=\"date\"", "name=\"reason\"", "name=\"days\""]),
        ];
        for (kind, has, lacks) in cases {
            let page = call_confirm_page(&view(kind, Some(&call), &rules));
            assert!(page.contains("name=\"code\"") && page.contains("value=\"c5rf\""), "{kind:?}: {page}");
            assert!(page.contains("Garage &lt;b&gt;Martin&lt;/b&gt;"), "{page}");
            for field in has {
                assert!(page.contains(field), "{kind:?} lacks {field}: {page}");
            }
            for field in lacks {
                assert!(!page.contains(field), "{kind:?} has {field}: {page}");
            }
        }
    }

    #[test]
    fn a_call_gone_or_answered_shows_why_and_no_form() {
        let rules = CallRules::default();
        let page = call_confirm_page(&view(OutcomeKind::Promise, None, &rules));
        assert!(page.contains("Appel introuvable") && !page.contains("<form"), "{page}");
        let call = call_entry("C1", "Garage Martin", 1);
        let mut answered = view(OutcomeKind::Promise, Some(&call), &rules);
        answered.notice = Some("Cet appel a déjà son issue".into());
        let page = call_confirm_page(&answered);
        assert!(page.contains("Cet appel a déjà son issue") && !page.contains("<form"), "{page}");
    }

    #[test]
    fn an_error_is_shown_above_the_form_with_what_was_typed() {
        let rules = CallRules::default();
        let call = call_entry("C1", "Garage Martin", 1);
        let mut again = view(OutcomeKind::InternalBlock, Some(&call), &rules);
        again.error = Some("« dix » : indiquez un nombre de jours entre 1 et 90.".into());
        again.typed = CallTyped {
            date: String::new(),
            reason: "bon de commande".into(),
            days: "dix".into(),
            email: String::new(),
        };
        let page = call_confirm_page(&again);
        assert!(page.contains("role=\"alert\">« dix »"), "{page}");
        assert!(page.contains(">bon de commande</textarea>") && page.contains("value=\"dix\""), "{page}");
    }

    #[test]
    fn the_copy_address_is_the_ledger_s_until_another_is_typed() {
        let rules = CallRules::default();
        let call = call_entry("C1", "Garage Martin", 1);
        let ledger = EmailAddress::parse("compta@martin.fr").unwrap();
        let mut copy = view(OutcomeKind::NotReceived, Some(&call), &rules);
        copy.client_email = Some(&ledger);
        let page = call_confirm_page(&copy);
        assert!(page.contains("name=\"email\" type=\"email\" value=\"compta@martin.fr\""), "{page}");
        copy.typed.email = "jeanne<@martin.fr".into();
        let page = call_confirm_page(&copy);
        assert!(page.contains("value=\"jeanne&lt;@martin.fr\""), "{page}");
        let page = call_confirm_page(&view(OutcomeKind::NotReceived, Some(&call), &rules));
        assert!(page.contains("Aucune adresse dans le registre") && page.contains("value=\"\" required"), "{page}");
    }
}
