//! `/relance status <client>`'s answer: the report of `crate::status`, the
//! decisions taken on the client and today's digest entry, as a
//! platform-neutral [`Reply`]. Pure: the caller reads, this writes.
//!
//! Long lists are cut (the latest reminders and decisions, the oldest
//! invoices first) so that the answer stays readable in a chat and within
//! every platform's size limits; `relance status` in the terminal shows all.

use super::{Reply, Section};
use crate::decision::{action_label, status_line, Action, DecisionRules, EntryState};
use crate::domain::{Language, Segment};
use crate::holds;
use crate::render::format::{self, money};
use crate::status::text::{decimal, t};
use crate::status::{OpenInvoice, StatusReport};
use crate::store::DecisionRecord;
use chrono_tz::Tz;

/// Invoices listed at most; the rest is counted.
const MAX_INVOICES: usize = 25;
/// Latest reminders and decisions listed at most.
const MAX_HISTORY: usize = 10;

/// Everything the answer shows.
pub struct StatusView<'a> {
    pub report: &'a StatusReport,
    /// Every decision on the client, oldest first.
    pub decisions: &'a [DecisionRecord],
    /// Today's digest entry for the client, if today's digest holds one.
    pub entry: Option<&'a EntryState>,
    pub rules: &'a DecisionRules,
    pub lang: Language,
    pub tz: Tz,
}

pub fn status_reply(view: &StatusView<'_>, public: bool) -> Reply {
    let r = view.report;
    let star = if r.client.segment == Segment::Strategic { " ⭐" } else { "" };
    Reply {
        public,
        title: format!("{}{star} — {}", r.client.name, r.client.id),
        sections: [who(view), invoices(view), totals(view), reminders(view)]
            .into_iter()
            .chain(duplicates(view))
            .chain(plans(view))
            .chain([decisions(view), today(view)])
            .filter(|s| !s.lines.is_empty())
            .collect(),
        choices: Vec::new(),
    }
}

fn section(heading: String, lines: Vec<String>) -> Section {
    Section { heading: Some(heading), lines }
}

/// Segment, kind, owner, SIREN, and the client's own hold.
fn who(view: &StatusView<'_>) -> Section {
    let (r, lang) = (view.report, view.lang);
    let c = &r.client;
    let segment = match (c.segment, lang) {
        (Segment::Strategic, Language::Fr) => "client stratégique",
        (Segment::Strategic, Language::En) => "strategic client",
        (Segment::Standard, Language::Fr) => "client standard",
        (Segment::Standard, Language::En) => "standard client",
    };
    let mut facts = vec![segment.to_string(), c.kind.as_str().to_uppercase()];
    match &c.owner {
        Some(owner) => facts.push(format!("{} {owner}", t(lang, "suivi par", "owner:"))),
        None => facts.push(t(lang, "sans commercial attitré", "no owner").to_string()),
    }
    if let Some(siren) = &c.siren {
        facts.push(format!("SIREN {siren}"));
    }
    let mut lines = vec![facts.join(" · ")];
    if r.hold != Default::default() {
        lines.push(format!("⏸ {}", holds::describe(&r.hold, lang)));
    }
    Section { heading: None, lines }
}

fn invoices(view: &StatusView<'_>) -> Section {
    let (r, lang) = (view.report, view.lang);
    let mut lines: Vec<String> = r.open_invoices.iter().take(MAX_INVOICES).map(|i| invoice_line(i, lang)).collect();
    if r.open_invoices.len() > MAX_INVOICES {
        let more = r.open_invoices.len() - MAX_INVOICES;
        lines.push(match lang {
            Language::Fr => format!("… et {more} autre(s) : `relance status {}` dans le terminal", r.client.id),
            Language::En => format!("… and {more} more: `relance status {}` in the terminal", r.client.id),
        });
    }
    if lines.is_empty() {
        lines.push(t(lang, "Aucune facture ouverte.", "No open invoice.").to_string());
    }
    section(format!("{} ({})", t(lang, "Factures ouvertes", "Open invoices"), r.open_invoices.len()), lines)
}

/// "F-2026-001 · éch. 09/03/2026 · 1 200,00 € dû · 7 j de retard · 1re relance le 10/03/2026 · ⚖️ litige : prix".
fn invoice_line(i: &OpenInvoice, lang: Language) -> String {
    let mut parts = vec![
        i.number.clone(),
        format!("{} {}", t(lang, "éch.", "due"), format::date(i.due_date, lang)),
        format!("{} {}", money(i.amount_due, i.currency, lang), t(lang, "dû", "due")),
    ];
    parts.push(match i.days_late {
        d if d > 0 => format!("{d} {}", t(lang, "j de retard", "days late")),
        _ => t(lang, "non échue", "not due").to_string(),
    });
    match i.last_stage {
        Some((stage, on)) => parts.push(format!(
            "{} {} {}",
            format::stage_label(stage, lang),
            t(lang, "le", "on"),
            format::date(on, lang)
        )),
        None => parts.push(t(lang, "pas encore relancée", "not reminded yet").to_string()),
    }
    if let Some(reason) = &i.hold.dispute {
        parts.push(format!("⚖️ {} : {reason}", t(lang, "litige", "dispute")));
    }
    if let Some(date) = i.hold.promise_date {
        parts.push(format!("🤝 {} {}", t(lang, "promesse au", "promised by"), format::date(date, lang)));
    }
    if let Some(date) = i.hold.paused_until {
        parts.push(format!("⏸ {} {}", t(lang, "en pause jusqu'au", "paused until"), format::date(date, lang)));
    }
    parts.join(" · ")
}

/// Total due and aged buckets per currency, then the payment score and why.
fn totals(view: &StatusView<'_>) -> Section {
    let (r, lang) = (view.report, view.lang);
    let mut lines = Vec::new();
    for a in &r.aged {
        let m = |d| money(d, a.currency, lang);
        lines.push(format!("{} : {}", t(lang, "Total dû", "Total due"), m(a.total)));
        lines.push(format!(
            "{} {} · 1–30 j {} · 31–60 j {} · 61–90 j {} · > 90 j {}",
            t(lang, "Non échu", "Not due"),
            m(a.not_due),
            m(a.days_1_30),
            m(a.days_31_60),
            m(a.days_61_90),
            m(a.over_90)
        ));
    }
    let s = &r.score;
    let label = if lang == Language::Fr { s.label.label_fr() } else { s.label.as_str() };
    lines.push(format!("{} : {}/100 ({label})", t(lang, "Score de paiement", "Payment score"), s.score));
    let (why, delay, days, late, of) = match lang {
        Language::Fr => ("Pourquoi :", "retard moyen", "j", "facture(s) en retard sur 12 mois", "en retard sur"),
        Language::En => ("Why:", "average delay", "days", "late invoice(s) in 12 months", "overdue of"),
    };
    lines.push(format!(
        "{why} {delay} {} {days} · {} {late} · {} {of} {} {}",
        decimal(s.average_days_late, lang),
        s.late_invoices_12m,
        money(s.overdue_amount, s.currency, lang),
        money(s.open_amount, s.currency, lang),
        t(lang, "dû", "due"),
    ));
    section(t(lang, "Encours", "Balance").to_string(), lines)
}

/// The latest reminders: date, stage, channels, tone, who approved.
fn reminders(view: &StatusView<'_>) -> Section {
    let (r, lang) = (view.report, view.lang);
    let skip = r.reminders.len().saturating_sub(MAX_HISTORY);
    let mut lines: Vec<String> = r.reminders[skip..]
        .iter()
        .rev()
        .map(|rem| {
            let channels: Vec<&str> = rem.channels.iter().map(|c| format::channel_label(*c, lang)).collect();
            let approvers: Vec<&str> = view
                .decisions
                .iter()
                .filter(|d| d.proposal_id == rem.proposal_id && d.action == Action::Approve)
                .map(|d| d.by.as_str())
                .collect();
            let approved = match approvers.is_empty() {
                true => t(lang, "approbation inconnue", "approval unknown").to_string(),
                false => format!("{} {}", t(lang, "approuvée par", "approved by"), approvers.join(", ")),
            };
            format!(
                "{} · {} · {} · {} {} · {approved}",
                format::date(rem.on, lang),
                format::stage_label(rem.stage, lang),
                channels.join(" + "),
                t(lang, "ton", "tone"),
                format::tone_label(rem.tone, lang),
            )
        })
        .collect();
    if lines.is_empty() {
        lines.push(t(lang, "Aucune relance envoyée.", "No reminder sent.").to_string());
    }
    section(format!("{} ({})", t(lang, "Relances envoyées", "Reminders sent"), r.reminders.len()), lines)
}

/// The copies of invoices asked for, when there are any.
fn duplicates(view: &StatusView<'_>) -> Option<Section> {
    let (r, lang) = (view.report, view.lang);
    if r.duplicates.is_empty() {
        return None;
    }
    let mut lines = crate::status::text::duplicate_lines(&r.duplicates, lang);
    lines.truncate(MAX_HISTORY);
    Some(section(format!("{} ({})", t(lang, "Duplicatas", "Invoice copies"), r.duplicates.len()), lines))
}

/// The instalment plans, when there are any.
fn plans(view: &StatusView<'_>) -> Option<Section> {
    let (r, lang) = (view.report, view.lang);
    if r.plans.is_empty() {
        return None;
    }
    let lines = crate::status::text::plan_lines(&r.plans, lang);
    Some(section(format!("{} ({})", t(lang, "Échéanciers", "Instalment plans"), r.plans.len()), lines))
}

/// The latest decisions taken on the client's proposals.
fn decisions(view: &StatusView<'_>) -> Section {
    let lang = view.lang;
    let skip = view.decisions.len().saturating_sub(MAX_HISTORY);
    let lines = view.decisions[skip..]
        .iter()
        .rev()
        .map(|d| {
            let at = d.at.with_timezone(&view.tz);
            let when = format!("{} {}", format::date(at.date_naive(), lang), at.format("%H:%M"));
            let reason = d.detail.get("reason").and_then(|r| r.as_str()).map(|r| format!(" ({r})")).unwrap_or_default();
            format!("{when} · {}{reason} · {} ({})", action_label(d.action, lang), d.by, d.via)
        })
        .collect();
    section(format!("{} ({})", t(lang, "Décisions", "Decisions"), view.decisions.len()), lines)
}

/// Today's proposal and where it stands, then the next step.
fn today(view: &StatusView<'_>) -> Section {
    let (r, lang) = (view.report, view.lang);
    let mut lines = Vec::new();
    match &r.pending_proposal {
        Some(p) => {
            lines.push(format!(
                "{} {} — {} ({} {}) · {} {}",
                t(lang, "Proposée aujourd'hui :", "Proposed today:"),
                format::stage_label(p.stage, lang),
                money(p.total_due, p.currency, lang),
                p.invoices.len(),
                t(lang, "facture(s)", "invoice(s)"),
                t(lang, "ton", "tone"),
                format::tone_label(p.tone, lang),
            ));
            if let Some(status) = view.entry.and_then(|e| status_line(e, view.rules, lang, view.tz)) {
                lines.push(status);
            }
        }
        None => lines.push(t(lang, "Aucune relance proposée aujourd'hui.", "No reminder proposed today.").to_string()),
    }
    match &r.next_step {
        Some(step) => {
            let stage = step.stage.parse().map(|s| format::stage_label(s, lang)).unwrap_or(&step.stage);
            lines.push(format!(
                "{} {stage} {} {} ({})",
                t(lang, "Prochaine étape :", "Next step:"),
                t(lang, "le", "on"),
                format::date(step.date, lang),
                step.invoices.join(", ")
            ));
        }
        None => lines.push(t(lang, "Pas d'étape prévue.", "No step planned.").to_string()),
    }
    section(t(lang, "Aujourd'hui", "Today").to_string(), lines)
}
