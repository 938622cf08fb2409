//! The pages, rendered from the templates in `src/web/templates/`, compiled
//! into the binary. Rust prepares every text (in the team's language) and the
//! templates only lay it out, escaping each value.

use super::call_pages::{call_view, call_words};
use crate::decision::{action_label, refusal_text, Action, Refusal};
use crate::digest::call_lines::calls_title;
use crate::digest::describe::{
    digest_title, entry_tags, invoice_rows, nothing_today, preview, stage_line, stale_mark, status_lines, total_line,
    tr, InvoiceRow,
};
use crate::digest::teams_calls::CallLinkFn;
use crate::digest::{CallEntry, DigestEntry, DigestHeader};
use crate::domain::Language;
use crate::render::escape_html;
use crate::render::format::date_long;
use chrono::NaiveDate;
use minijinja::{context, AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;
use std::sync::LazyLock;

/// Invoices listed per entry; the others are counted.
const MAX_INVOICE_ROWS: usize = 20;
/// Characters of the message preview.
const PREVIEW_CHARS: usize = 600;

const SOURCES: &[(&str, &str)] = &[
    ("base.html.j2", include_str!("templates/base.html.j2")),
    ("_entry.html.j2", include_str!("templates/_entry.html.j2")),
    ("confirm.html.j2", include_str!("templates/confirm.html.j2")),
    ("result.html.j2", include_str!("templates/result.html.j2")),
    ("digest.html.j2", include_str!("templates/digest.html.j2")),
    ("_call.html.j2", include_str!("templates/_call.html.j2")),
    ("call_confirm.html.j2", include_str!("templates/call_confirm.html.j2")),
    ("plan_confirm.html.j2", include_str!("templates/plan_confirm.html.j2")),
];

/// Compiled once. HTML escaping for every template whatever its name (see
/// [`escape_html`]), strict undefined so a misspelt variable fails the tests,
/// not a page, and block tags that leave no blank lines behind.
static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(text) if state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
            out.write_str(&escape_html(text)).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    });
    for (name, source) in SOURCES {
        env.add_template(name, source).unwrap_or_else(|e| panic!("built-in page {name} is invalid: {e:#}"));
    }
    env
});

/// What the confirmation page of a decision link shows.
#[derive(Debug, Clone)]
pub struct ConfirmView<'a> {
    pub lang: Language,
    /// The site's title (the company's name, or "relance").
    pub title: String,
    pub action: Action,
    /// The entry the link is about; `None` for [`Action::SendAnyway`] (about
    /// the whole day) or when the entry no longer exists.
    pub entry: Option<&'a DigestEntry>,
    /// The digest's day.
    pub day: NaiveDate,
    /// Echoed in a hidden field; the POST handler checks it.
    pub csrf: String,
    /// The default of the Snooze days field.
    pub snooze_days: u32,
    /// Why the previous POST was refused ("code incorrect"), shown above the form.
    pub error: Option<String>,
}

/// The page `GET /act/{token}` shows: the entry, the action as a question and
/// a form that POSTs to the same URL (`who`, `code`, `csrf`, plus `reason` for
/// a veto and `days` for a snooze). Without a form when the entry is closed,
/// when the action is no longer offered, or when the entry is unknown.
pub fn confirm_page(view: &ConfirmView) -> String {
    let lang = view.lang;
    let name = view.entry.map(|e| e.proposal.client_name.trim().to_string()).unwrap_or_default();
    let offered = view.entry.is_some_and(|e| e.buttons.contains(&view.action));
    let (heading, notice, form) = match (view.action, view.entry) {
        (Action::SendAnyway, _) => (question(Action::SendAnyway, &name, view.day, lang), None, true),
        (action, Some(_)) if offered => (question(action, &name, view.day, lang), None, true),
        (_, Some(e)) if e.buttons.is_empty() => {
            (tr(lang, "Relance déjà décidée", "Reminder already decided").to_string(), Some(closed_notice(lang)), false)
        }
        (action, Some(_)) => (name.clone(), Some(not_offered_notice(action, lang)), false),
        (_, None) => (
            tr(lang, "Relance introuvable", "Reminder not found").to_string(),
            Some(refusal_text(&Refusal::NotFound, lang)),
            false,
        ),
    };
    let explain = form.then(|| explanation(view.action, &name, lang)).flatten();
    let entry = view.entry.filter(|_| view.action != Action::SendAnyway).map(|e| entry_view(e, lang, None));
    render(
        "confirm.html.j2",
        context! {
            w => words(lang),
            title => &view.title,
            heading,
            notice,
            explain,
            error => &view.error,
            entry,
            form,
            action => view.action.as_str(),
            csrf => &view.csrf,
            snooze_days => view.snooze_days,
            submit => action_label(view.action, lang),
            submit_kind => button_kind(view.action),
        },
    )
}

/// The page answering the confirmation's POST: the decision recorded (`ok`)
/// or why nothing changed, and a way back to the digest.
pub fn result_page(lang: Language, title: &str, message: &str, ok: bool) -> String {
    render("result.html.j2", context! { w => words(lang), title, message, ok })
}

/// The local `/digest` page, for teams without a chat platform: the header
/// (warning, totals, "send anyway"), then each entry with its status and its
/// buttons, which are links to confirmation pages: `link(proposal_id,
/// action)`, and for "send anyway" `link(day, SendAnyway)` with the day as
/// `2026-03-16`; then the calls, each with its outcome links
/// (`call_link(button)`).
pub fn digest_page(
    header: &DigestHeader,
    entries: &[DigestEntry],
    calls: &[CallEntry],
    lang: Language,
    link: &dyn Fn(&str, Action) -> String,
    call_link: &CallLinkFn<'_>,
) -> String {
    let send_anyway = header.send_anyway.then(|| {
        let day = header.date.format("%Y-%m-%d").to_string();
        ButtonView::new(Action::SendAnyway, link(&day, Action::SendAnyway), lang)
    });
    let entries: Vec<EntryView> = entries.iter().map(|e| entry_view(e, lang, Some(link))).collect();
    let (approve, reject) = crate::digest::plan_lines::decide_labels(lang);
    let plans: Vec<PlanView> = header
        .plans
        .iter()
        .map(|p| PlanView {
            line: p.line.clone(),
            approve: p.links.as_ref().map(|l| l.approve.clone()),
            reject: p.links.as_ref().map(|l| l.reject.clone()),
        })
        .collect();
    render(
        "digest.html.j2",
        context! {
            w => words(lang),
            heading => digest_title(header.date, lang),
            warning => &header.warning,
            lines => &header.lines,
            send_anyway,
            plans,
            plans_more => crate::digest::plan_lines::more_line(header.plans_more, lang),
            approve_label => approve,
            reject_label => reject,
            entries,
            nothing => nothing_today(lang),
            calls_heading => calls_title(header.date, lang),
            calls => calls.iter().map(|c| call_view(c, lang, Some(call_link))).collect::<Vec<_>>(),
            c => call_words(lang),
        },
    )
}

/// A plan waiting for finance on the `/digest` page: its line and its
/// signed Approve / Reject links.
#[derive(Debug, Serialize)]
struct PlanView {
    line: String,
    approve: Option<String>,
    reject: Option<String>,
}

/// Renders a built-in template. They are all exercised by the tests, with
/// strict undefined, so a failure here is a bug in this module.
pub(super) fn render(name: &str, ctx: minijinja::Value) -> String {
    TEMPLATES
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|e| panic!("built-in page {name} failed to render: {e:#}"))
}

/// The URL of a button: `link(proposal_id, action)`.
type LinkFn<'a> = dyn Fn(&str, Action) -> String + 'a;

/// An entry as the templates show it.
#[derive(Debug, Serialize)]
struct EntryView {
    id: String,
    client: String,
    tags: Vec<String>,
    stale: Option<&'static str>,
    stage_line: String,
    invoices: Vec<InvoiceRow>,
    more: Option<String>,
    total: String,
    preview: String,
    status: Vec<String>,
    buttons: Vec<ButtonView>,
}

#[derive(Debug, Serialize)]
struct ButtonView {
    label: &'static str,
    url: String,
    kind: &'static str,
}

impl ButtonView {
    fn new(action: Action, url: String, lang: Language) -> Self {
        Self { label: action_label(action, lang), url, kind: button_kind(action) }
    }
}

/// The entry's description; its buttons only when `link` is given (the
/// digest page, not the confirmation page).
fn entry_view(entry: &DigestEntry, lang: Language, link: Option<&LinkFn<'_>>) -> EntryView {
    let p = &entry.proposal;
    let (invoices, more) = invoice_rows(p, lang, MAX_INVOICE_ROWS);
    let buttons = match link {
        Some(link) => entry.buttons.iter().map(|&a| ButtonView::new(a, link(p.id.as_str(), a), lang)).collect(),
        None => Vec::new(),
    };
    EntryView {
        id: p.id.as_str().to_string(),
        client: p.client_name.trim().to_string(),
        tags: entry_tags(entry, lang),
        stale: entry.stale.then(|| stale_mark(lang)),
        stage_line: stage_line(p, lang),
        invoices,
        more,
        total: total_line(p, lang),
        preview: preview(entry, PREVIEW_CHARS),
        status: status_lines(entry),
        buttons,
    }
}

/// Approve stands out as the expected choice, Veto and "send anyway" as the
/// ones with consequences.
fn button_kind(action: Action) -> &'static str {
    match action {
        Action::Approve | Action::LetterPosted => "primary",
        Action::Veto | Action::SendAnyway => "danger",
        Action::Soften | Action::Snooze | Action::Preview => "",
    }
}

/// The action as a question: "Approuver la relance de Garage Martin ?".
fn question(action: Action, client: &str, day: NaiveDate, lang: Language) -> String {
    let day = date_long(day, lang);
    match (lang, action) {
        (Language::Fr, Action::Approve) => format!("Approuver la relance de {client} ?"),
        (Language::Fr, Action::Soften) => format!("Adoucir la relance de {client} ?"),
        (Language::Fr, Action::Veto) => format!("Mettre un veto à la relance de {client} ?"),
        (Language::Fr, Action::Snooze) => format!("Reporter les relances de {client} ?"),
        (Language::Fr, Action::SendAnyway) => format!("Envoyer quand même les relances approuvées du {day} ?"),
        (Language::En, Action::Approve) => format!("Approve the reminder to {client}?"),
        (Language::En, Action::Soften) => format!("Soften the reminder to {client}?"),
        (Language::En, Action::Veto) => format!("Veto the reminder to {client}?"),
        (Language::En, Action::Snooze) => format!("Snooze the reminders to {client}?"),
        (Language::En, Action::SendAnyway) => format!("Send the approved reminders of {day} anyway?"),
        (Language::Fr, Action::Preview) => format!("Aperçu de la relance de {client}"),
        (Language::En, Action::Preview) => format!("Preview of the reminder to {client}"),
        (Language::Fr, Action::LetterPosted) => {
            format!("Enregistrer la mise en demeure à {client} comme postée en recommandé avec AR ?")
        }
        (Language::En, Action::LetterPosted) => {
            format!("Record the formal notice to {client} as posted by registered mail?")
        }
    }
}

/// What confirming will do, for the actions whose effect is not obvious.
fn explanation(action: Action, client: &str, lang: Language) -> Option<String> {
    Some(match (lang, action) {
        (Language::Fr, Action::Soften) => {
            "La relance passera au ton plus doux suivant ; elle restera à approuver.".into()
        }
        (Language::Fr, Action::Veto) => format!("Aucune relance ne partira vers {client} tant que le veto tient."),
        (Language::Fr, Action::Snooze) => {
            format!("Aucune relance ne partira vers {client} pendant ce nombre de jours.")
        }
        (Language::Fr, Action::SendAnyway) => "Les données du grand livre sont anciennes : les relances approuvées \
            sont retenues. Confirmez seulement si les derniers paiements ont été vérifiés."
            .into(),
        (Language::En, Action::Soften) => {
            "The reminder will move to the next gentler tone; it still needs approval.".into()
        }
        (Language::En, Action::Veto) => format!("No reminder will go to {client} while the veto holds."),
        (Language::En, Action::Snooze) => format!("No reminder will go to {client} for this many days."),
        (Language::En, Action::SendAnyway) => "The ledger data is stale: approved reminders are held. Confirm only \
            if the latest payments have been checked."
            .into(),
        (Language::Fr, Action::LetterPosted) => "La date d'aujourd'hui et votre nom seront enregistrés comme \
            date de dépôt de la lettre ; confirmez une fois le recommandé remis à La Poste."
            .into(),
        (Language::En, Action::LetterPosted) => "Today's date and your name will be recorded as the day the letter \
            was posted; confirm once the registered letter is handed to the post office."
            .into(),
        (_, Action::Approve | Action::Preview) => return None,
    })
}

fn closed_notice(lang: Language) -> String {
    tr(
        lang,
        "Cette relance est déjà décidée : il n'y a rien à confirmer.",
        "This reminder is already decided: there is nothing to confirm.",
    )
    .to_string()
}

fn not_offered_notice(action: Action, lang: Language) -> String {
    let label = action_label(action, lang);
    match lang {
        Language::Fr => format!("« {label} » n'est plus proposé pour cette relance : voici où elle en est."),
        Language::En => format!("“{label}” is no longer offered for this reminder: here is where it stands."),
    }
}

/// The fixed words of the pages.
#[derive(Debug, Serialize)]
pub(super) struct Words {
    lang: &'static str,
    who: &'static str,
    who_hint: &'static str,
    code: &'static str,
    code_hint: &'static str,
    reason: &'static str,
    reason_hint: &'static str,
    days: &'static str,
    post_note: &'static str,
    invoice: &'static str,
    amount_due: &'static str,
    late: &'static str,
    back: &'static str,
    links_note: &'static str,
}

pub(super) fn words(lang: Language) -> Words {
    match lang {
        Language::Fr => Words {
            lang: "fr",
            who: "Votre nom ou e-mail",
            who_hint: "Tel qu'il figure dans la liste des personnes de relance.",
            code: "Votre code personnel",
            code_hint: "Le code qui vous a été remis ; il n'est jamais affiché.",
            reason: "Motif du veto (facultatif)",
            reason_hint: "Par exemple : client en négociation.",
            days: "Reporter de (jours)",
            post_note: "Rien ne change tant que vous n'avez pas confirmé.",
            invoice: "Facture",
            amount_due: "Reste dû",
            late: "Retard",
            back: "Retour aux relances du jour",
            links_note: "Chaque bouton ouvre une page de confirmation : rien ne change sans elle.",
        },
        Language::En => Words {
            lang: "en",
            who: "Your name or e-mail",
            who_hint: "As listed in relance's people.",
            code: "Your personal code",
            code_hint: "The code you were given; it is never shown.",
            reason: "Reason for the veto (optional)",
            reason_hint: "For example: client in negotiation.",
            days: "Snooze for (days)",
            post_note: "Nothing changes until you confirm.",
            invoice: "Invoice",
            amount_due: "Amount due",
            late: "Late",
            back: "Back to today's reminders",
            links_note: "Each button opens a confirmation page: nothing changes without it.",
        },
    }
}

#[cfg(test)]
#[path = "pages_tests.rs"]
mod tests;
