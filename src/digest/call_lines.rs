//! The words of the "📞 À appeler" section, shared by every renderer (Slack,
//! Discord, Teams, the terminal of `relance calls`), as plain text in the
//! team's language. As in `describe.rs`, nothing is escaped here: where
//! client data sits inside a line, the renderer passes its escaping in.

use super::describe::{days_late, more_invoices, tr};
use super::model::{CallEntry, CallNote};
use crate::domain::Language;
use crate::policy::calls::{CallTask, Caller};
use crate::render::format::{date, date_long, money, plain_spaces, stage_label, truncate_chars};
use chrono::NaiveDate;

/// Invoices listed per call before the rest is counted in one line.
pub const MAX_CALL_INVOICES: usize = 10;
/// Characters of a client name or an owner's name in a call's lines.
pub const MAX_CALL_NAME_CHARS: usize = 150;

/// "📞 À appeler — lundi 16 mars 2026".
pub fn calls_title(day: NaiveDate, lang: Language) -> String {
    format!("📞 {} — {}", tr(lang, "À appeler", "To call"), date_long(day, lang))
}

/// Outcomes shown under a call, the latest ones (a voicemail or two, then
/// the answer): the renderers reserve room for this many.
pub const MAX_CALL_NOTES: usize = 3;

/// "📞 Rappel : promesse au 20/03/2026 — Claire Martin 09:42": an outcome
/// recorded, who and when. The reason inside is the caller's text: the
/// renderer escapes the whole line.
pub fn call_note_line(note: &CallNote, lang: Language) -> String {
    let outcome = truncate_chars(&note.outcome.describe(lang), 200);
    let who = truncate_chars(&note.by, MAX_CALL_NAME_CHARS);
    let label = tr(lang, "Rappel :", "Call:");
    format!("📞 {label} {outcome} — {who} {}", note.at.format("%H:%M"))
}

/// The notes to show: the last [`MAX_CALL_NOTES`].
pub fn shown_notes(entry: &CallEntry) -> &[CallNote] {
    &entry.notes[entry.notes.len().saturating_sub(MAX_CALL_NOTES)..]
}

/// "3 appels" / "1 call".
pub fn call_count(count: usize, lang: Language) -> String {
    match (lang, count) {
        (Language::Fr, 0 | 1) => format!("{count} appel"),
        (Language::Fr, _) => format!("{count} appels"),
        (Language::En, 1) => format!("{count} call"),
        (Language::En, _) => format!("{count} calls"),
    }
}

/// The notification text of a page: "📞 À appeler — lundi 16 mars 2026 :
/// 150 appels (1/4)".
pub fn calls_fallback(day: NaiveDate, count: usize, page: usize, pages: usize, lang: Language) -> String {
    let mut text = format!("{}{} {}", calls_title(day, lang), tr(lang, " :", ":"), call_count(count, lang));
    if pages > 1 {
        text.push_str(&format!(" ({page}/{pages})"));
    }
    text
}

/// Who calls, and which try this is: "Appel : Julie (responsable du
/// client) · 2e essai". `owner` is the owner as the platform shows them (a
/// mention, or the name escaped); finance is named as a team.
pub fn caller_line(task: &CallTask, owner: Option<String>, lang: Language) -> String {
    let who = match (&task.caller, owner) {
        (Caller::Owner { .. }, Some(shown)) => {
            format!("{shown} ({})", tr(lang, "responsable du client", "client owner"))
        }
        (Caller::Owner { name }, None) => {
            format!("{} ({})", truncate_chars(name, 80), tr(lang, "responsable du client", "client owner"))
        }
        (Caller::Finance, _) => tr(lang, "la comptabilité", "finance").to_string(),
    };
    let mut line = format!("{} {who}", tr(lang, "Appel :", "Caller:"));
    if let Some(contact) = &task.contact_name {
        line.push_str(&format!(" · {} {contact}", tr(lang, "demander", "ask for")));
    }
    if task.attempt > 1 {
        line.push_str(&match lang {
            Language::Fr => format!(" · {}e essai", task.attempt),
            Language::En => format!(" · attempt {}", task.attempt),
        });
    }
    line
}

/// The owner as the platform would show them, from the entry: the name
/// `people:` knows, else the name on the client, trimmed and bounded.
pub fn owner_name(entry: &CallEntry) -> Option<String> {
    match &entry.task.caller {
        Caller::Owner { name } => {
            let name = entry.owner.as_ref().map_or(name.as_str(), |o| o.name.as_str());
            Some(truncate_chars(name.trim().trim_start_matches('@'), 80))
        }
        Caller::Finance => None,
    }
}

/// "• F-1 — 2 400,00 € — échue le 31/01/2026 — 44 j de retard", each number
/// through `escape`, the first `max` and a line counting the others.
pub fn call_invoice_bullets(
    task: &CallTask,
    lang: Language,
    max: usize,
    escape: impl Fn(&str) -> String,
) -> Vec<String> {
    let mut lines: Vec<String> = task
        .invoices
        .iter()
        .take(max)
        .map(|i| {
            format!(
                "• {} — {} — {} {} — {}",
                escape(i.number.as_str()),
                money(i.amount_due, i.currency, lang),
                tr(lang, "échue le", "due"),
                date(i.due_date, lang),
                days_late(i.days_late, lang)
            )
        })
        .collect();
    lines.extend(more_invoices(task.invoices.len().saturating_sub(max), lang));
    lines
}

/// "Total : 1 450,55 € + 80,10 $", each currency apart.
pub fn call_total_line(task: &CallTask, lang: Language, strong: &str) -> String {
    let amounts: Vec<String> = task.totals.iter().map(|t| money(t.amount_due, t.currency, lang)).collect();
    format!("{strong}{}{strong} {}", tr(lang, "Total :", "Total:"), amounts.join(" + "))
}

/// "Relances envoyées : 10/03/2026 (1re relance), 20/03/2026 (2e relance)",
/// or "aucune".
pub fn reminders_line(task: &CallTask, lang: Language) -> String {
    let sent: Vec<String> =
        task.reminders.iter().map(|r| format!("{} ({})", date(r.on, lang), stage_label(r.stage, lang))).collect();
    let list = if sent.is_empty() { tr(lang, "aucune", "none").to_string() } else { sent.join(", ") };
    format!("{} {list}", tr(lang, "Relances envoyées :", "Reminders sent:"))
}

/// The script, numbered: "1. Vérifier la réception …".
pub fn script_lines(task: &CallTask) -> Vec<String> {
    task.script.iter().enumerate().map(|(i, line)| format!("{}. {line}", i + 1)).collect()
}

/// "Script :" / "Script:".
pub fn script_label(lang: Language) -> &'static str {
    tr(lang, "Script :", "Script:")
}

/// Shown instead of calls on a day with none.
pub fn no_calls(lang: Language) -> &'static str {
    tr(lang, "Aucun appel à passer aujourd'hui.", "No calls to make today.")
}

/// A call as plain text, for a terminal (`relance calls`) or a README:
/// the number in full with its `tel:` link, then the shared lines.
pub fn plain_call(task: &CallTask, lang: Language) -> String {
    let name = truncate_chars(task.client_name.trim(), MAX_CALL_NAME_CHARS);
    let mut lines = vec![format!("{name} — {} ({})", task.phone_display, task.tel), caller_line(task, None, lang)];
    lines.extend(call_invoice_bullets(task, lang, usize::MAX, |n| n.to_string()));
    lines.push(call_total_line(task, lang, ""));
    lines.push(reminders_line(task, lang));
    lines.push(script_label(lang).to_string());
    lines.extend(script_lines(task).into_iter().map(|l| format!("   {l}")));
    plain_spaces(&lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::fixtures::call_task;

    #[test]
    fn a_call_reads_in_french_and_english() {
        let task = call_task("ACME", "ACME Industries", 3);
        let invoices = call_invoice_bullets(&task, Language::Fr, 2, |n| format!("`{n}`"));
        assert_eq!(invoices[0], "• `F-0` — 1\u{202F}000,00\u{A0}€ — échue le 05/03/2026 — 11 j de retard");
        assert_eq!(invoices[2], "… et 1 autre facture");
        assert_eq!(call_total_line(&task, Language::En, "*"), "*Total:* €3,000.00");
        assert_eq!(reminders_line(&task, Language::Fr), "Relances envoyées : 10/03/2026 (1re relance)");
        assert_eq!(caller_line(&task, None, Language::Fr), "Appel : la comptabilité");
        let mut owned = task.clone();
        owned.caller = Caller::Owner { name: "@julie".into() };
        owned.attempt = 2;
        assert_eq!(caller_line(&owned, None, Language::En), "Caller: @julie (client owner) · attempt 2");
        assert_eq!(calls_title(task.date, Language::Fr), "📞 À appeler — lundi 16 mars 2026");
        assert_eq!(call_count(2, Language::En), "2 calls");
        assert_eq!(
            script_lines(&task)[0],
            "1. Vérifier la réception : factures F-0, F-1, F-2 bien reçues, et par qui ?"
        );
    }

    #[test]
    fn the_contact_is_asked_for_in_the_caller_line_and_greeted_in_the_script() {
        let mut account = crate::digest::fixtures::call_account("C1", "Garage Martin", 1);
        account.client.contact_name = Some("  Mme <!channel> Dupont *compta* ".into());
        let today = "2026-03-16".parse().unwrap();
        let task = crate::policy::call_tasks(&[account], &crate::policy::Policy::default(), &[], today).remove(0);
        assert_eq!(task.contact_name.as_deref(), Some("Mme channel Dupont compta"));
        assert_eq!(
            caller_line(&task, None, Language::Fr),
            "Appel : la comptabilité · demander Mme channel Dupont compta"
        );
        assert!(plain_call(&task, Language::Fr).contains(
            "1. Demander Mme channel Dupont compta : « Bonjour, Mme channel Dupont compta, je vous appelle au sujet de nos factures. »"
        ));
    }
}
