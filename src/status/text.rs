//! The status screen of `relance status`, in the terminal.

use super::{LetterView, StatusReport};
use crate::domain::Language;
use crate::ledger::Hold;
use crate::policy::aged::AgedBalance;
use crate::render::format::{self, money};
use rust_decimal::Decimal;
use std::fmt::Write;

/// `27,8` in French, `27.8` in English.
pub(crate) fn decimal(value: Decimal, lang: Language) -> String {
    match lang {
        Language::Fr => value.to_string().replace('.', ","),
        Language::En => value.to_string(),
    }
}

/// Picks the French or the English text.
pub(crate) fn t<'a>(lang: Language, fr: &'a str, en: &'a str) -> &'a str {
    match lang {
        Language::Fr => fr,
        Language::En => en,
    }
}

/// The human-readable screen.
pub fn render(r: &StatusReport, lang: Language) -> String {
    let mut out = String::new();
    let c = &r.client;
    let star = if c.segment == crate::domain::Segment::Strategic { " ⭐" } else { "" };
    let _ = writeln!(out, "{}{} — {}", c.name, star, c.id);
    let mut facts = vec![c.kind.as_str().to_uppercase(), format!("{} {}", t(lang, "langue", "language"), c.language)];
    if let Some(siren) = &c.siren {
        facts.push(format!("SIREN {siren}"));
    }
    if let Some(owner) = &c.owner {
        facts.push(format!("{} {owner}", t(lang, "suivi par", "owner")));
    }
    if let Some(email) = &c.email {
        facts.push(email.to_string());
    }
    if let Some(phone) = &c.phone {
        facts.push(phone.to_string());
    }
    let _ = writeln!(out, "  {}", facts.join(" · "));
    write_hold(&mut out, &r.hold, lang, "  ");
    for p in &r.payments_not_received {
        let _ = writeln!(out, "  {}", crate::policy::payment_sent::not_received_line(p, lang));
    }
    let s = &r.score;
    let _ = writeln!(
        out,
        "  {} {}/100 ({}) — {} {} j, {} {}",
        t(lang, "Score de paiement", "Payment score"),
        s.score,
        if lang == Language::Fr { s.label.label_fr() } else { s.label.as_str() },
        t(lang, "retard moyen", "average delay"),
        decimal(s.average_days_late, lang),
        s.late_invoices_12m,
        t(lang, "factures en retard sur 12 mois", "late invoices in 12 months"),
    );
    write_invoices(&mut out, r, lang);
    write_aged(&mut out, &r.aged, lang);
    write_reminders(&mut out, r, lang);
    write_duplicates(&mut out, r, lang);
    write_plans(&mut out, r, lang);
    write_next(&mut out, r, lang);
    out
}

fn write_hold(out: &mut String, hold: &Hold, lang: Language, indent: &str) {
    if let Some(reason) = &hold.dispute {
        let _ = writeln!(out, "{indent}⚠ {} : {reason}", t(lang, "Litige", "Dispute"));
    }
    if let Some(date) = hold.promise_date {
        let _ = writeln!(
            out,
            "{indent}🤝 {} {}",
            t(lang, "Promesse de paiement au", "Promise to pay by"),
            format::date(date, lang)
        );
    }
    if let Some(date) = hold.paused_until {
        let _ =
            writeln!(out, "{indent}⏸ {} {}", t(lang, "En pause jusqu'au", "Paused until"), format::date(date, lang));
    }
}

fn write_invoices(out: &mut String, r: &StatusReport, lang: Language) {
    let _ = writeln!(out, "\n{} ({})", t(lang, "Factures ouvertes", "Open invoices"), r.open_invoices.len());
    for i in &r.open_invoices {
        let late = if i.days_late > 0 {
            format!("{} j {}", i.days_late, t(lang, "de retard", "late"))
        } else {
            t(lang, "non échue", "not due").to_string()
        };
        let _ = writeln!(
            out,
            "  {:<16} {} {:<10} {:<14} {:>14} {} {:>14}{}",
            i.number,
            t(lang, "éch.", "due"),
            format::date(i.due_date, lang),
            late,
            money(i.amount_due, i.currency, lang),
            t(lang, "sur", "of"),
            money(i.amount, i.currency, lang),
            i.last_stage
                .map(|(stage, on)| format!("  [{} {}]", format::stage_label(stage, lang), format::date(on, lang)))
                .unwrap_or_default(),
        );
        write_hold(out, &i.hold, lang, "      ");
    }
}

fn write_aged(out: &mut String, aged: &[AgedBalance], lang: Language) {
    for a in aged {
        let m = |d| money(d, a.currency, lang);
        let _ = writeln!(
            out,
            "  {} : {} {} · 1–30 {} · 31–60 {} · 61–90 {} · > 90 {} · total {}",
            t(lang, "Balance âgée", "Aged balance"),
            t(lang, "non échu", "not due"),
            m(a.not_due),
            m(a.days_1_30),
            m(a.days_31_60),
            m(a.days_61_90),
            m(a.over_90),
            m(a.total)
        );
    }
}

fn write_reminders(out: &mut String, r: &StatusReport, lang: Language) {
    let _ = writeln!(out, "\n{} ({})", t(lang, "Relances envoyées", "Reminders sent"), r.reminders.len());
    for rem in &r.reminders {
        let invoices: Vec<String> = rem.invoices.iter().map(|(n, _, _)| n.to_string()).collect();
        let channels: Vec<&str> = rem.channels.iter().map(|c| format::channel_label(*c, lang)).collect();
        let _ = writeln!(
            out,
            "  {}  {:<26} {:<20} {}",
            format::date(rem.on, lang),
            format::stage_label(rem.stage, lang),
            channels.join(" + "),
            invoices.join(", ")
        );
        if let Some(letter) = r.letters.iter().find(|l| l.proposal_id == rem.proposal_id) {
            write_letter(out, letter, lang);
        }
    }
}

/// The copies of invoices asked for, one line each, newest first.
fn write_duplicates(out: &mut String, r: &StatusReport, lang: Language) {
    if r.duplicates.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{} ({})", t(lang, "Duplicatas", "Invoice copies"), r.duplicates.len());
    for line in duplicate_lines(&r.duplicates, lang) {
        let _ = writeln!(out, "  {line}");
    }
}

/// The instalment plans, each with its schedule.
fn write_plans(out: &mut String, r: &StatusReport, lang: Language) {
    if r.plans.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{} ({})", t(lang, "Échéanciers", "Instalment plans"), r.plans.len());
    for line in plan_lines(&r.plans, lang) {
        let _ = writeln!(out, "  {line}");
    }
}

/// A plan's heading line, then one line per instalment (paid, next, or
/// to come), newest plan first: shared by `relance status` and `/relance status`.
pub fn plan_lines(plans: &[super::PlanView], lang: Language) -> Vec<String> {
    use crate::policy::plan_progress::Standing;
    use crate::store::PlanStatus;
    let mut lines = Vec::new();
    for view in plans.iter().rev() {
        let (plan, currency) = (&view.plan, view.plan.schedule.currency);
        let status = match plan.status {
            PlanStatus::Proposed => t(lang, "proposé, à approuver", "proposed, to approve"),
            PlanStatus::Approved => t(lang, "en cours", "in force"),
            PlanStatus::Rejected => t(lang, "refusé", "rejected"),
            PlanStatus::Completed => t(lang, "soldé", "paid in full"),
            PlanStatus::Broken => t(lang, "rompu", "broken"),
        };
        let invoices: Vec<String> = plan.invoices.iter().map(ToString::to_string).collect();
        lines.push(format!(
            "n° {} · {} · {} · {status}",
            plan.id,
            invoices.join(", "),
            format::money(plan.schedule.total, currency, lang),
        ));
        let paid_count = view.progress.as_ref().map_or(0, |p| p.paid_count);
        let next = match view.progress.as_ref().map(|p| &p.standing) {
            Some(Standing::InForce { next, .. }) => Some(next.number),
            _ => None,
        };
        for i in &plan.schedule.instalments {
            let mark = if i.number <= paid_count {
                t(lang, " · payée", " · paid")
            } else if Some(i.number) == next {
                t(lang, " · prochaine", " · next")
            } else {
                ""
            };
            let (date, amount) = (format::date(i.due_date, lang), format::money(i.amount, currency, lang));
            let note = note_mark(view, i.number, Some(i.number) == next, lang);
            lines.push(format!("  {}. {date} · {amount}{mark}{note}", i.number));
        }
    }
    lines
}

/// What became of the friendly note before instalment `number`: « · rappel
/// envoyé le 20/04/2026 », « · rappel prévu le 20/04/2026 » for the next
/// instalment, nothing for the others.
fn note_mark(view: &super::PlanView, number: u32, is_next: bool, lang: Language) -> String {
    use crate::store::OutboxStatus;
    let Some(note) = view.notes.iter().find(|n| n.instalment == number) else {
        return match view.next_note_day.filter(|_| is_next) {
            Some(day) => format!("{} {}", t(lang, " · rappel prévu le", " · note due on"), format::date(day, lang)),
            None => String::new(),
        };
    };
    match note.status {
        OutboxStatus::Sent => {
            let day = note.sent_at.map_or(note.day, |at| at.date_naive());
            format!("{} {}", t(lang, " · rappel envoyé le", " · note sent on"), format::date(day, lang))
        }
        OutboxStatus::Queued | OutboxStatus::Sending => t(lang, " · rappel à envoyer", " · note to send").to_string(),
        OutboxStatus::Failed | OutboxStatus::Cancelled => {
            let why = note.last_error.as_deref().unwrap_or_default();
            format!("{} ({why})", t(lang, " · rappel non envoyé", " · note not sent"))
        }
    }
}

/// "30/11/2026 · F-2026-001 → compta@client.fr · envoyé (demandé par Claire
/// Martin)", newest first: shared by `relance status` and `/relance status`.
pub fn duplicate_lines(duplicates: &[crate::store::DuplicateRow], lang: Language) -> Vec<String> {
    use crate::store::OutboxStatus;
    duplicates
        .iter()
        .rev()
        .map(|d| {
            let invoices: Vec<String> = d.invoices.iter().map(ToString::to_string).collect();
            let state = match d.status {
                OutboxStatus::Queued | OutboxStatus::Sending => t(lang, "à envoyer", "to send").to_string(),
                OutboxStatus::Sent => t(lang, "envoyé", "sent").to_string(),
                OutboxStatus::Failed | OutboxStatus::Cancelled => {
                    let what = if d.status == OutboxStatus::Failed {
                        t(lang, "échec", "failed")
                    } else {
                        t(lang, "non envoyé", "not sent")
                    };
                    format!("{what}{} {}", t(lang, " :", ":"), d.last_error.as_deref().unwrap_or("?"))
                }
            };
            format!(
                "{} · {} → {} · {state} ({} {})",
                format::date(d.day, lang),
                invoices.join(", "),
                d.recipient,
                t(lang, "demandé par", "asked by"),
                d.requested_by
            )
        })
        .collect()
}

/// "📄 outbox/letters/….pdf — postée le 17/03/2026 (Claire Martin)", or "à poster".
fn write_letter(out: &mut String, letter: &LetterView, lang: Language) {
    let file = letter.file.as_deref().unwrap_or("?");
    let posted = match (letter.posted_on, &letter.posted_by) {
        (Some(on), by) => {
            let by = by.as_deref().unwrap_or("?");
            format!("{} {} ({by})", t(lang, "postée le", "posted on"), format::date(on, lang))
        }
        (None, _) => t(lang, "à poster", "to post").to_string(),
    };
    let _ = writeln!(out, "      📄 {file} — {posted}");
}

fn write_next(out: &mut String, r: &StatusReport, lang: Language) {
    let _ = writeln!(out);
    match &r.pending_proposal {
        Some(p) => {
            let _ = writeln!(
                out,
                "{} {} — {} ({}) : {}",
                t(lang, "Proposée aujourd'hui :", "Proposed today:"),
                format::stage_label(p.stage, lang),
                money(p.total_due, p.currency, lang),
                p.invoices.len(),
                p.reason
            );
        }
        None => {
            let _ = writeln!(out, "{}", t(lang, "Aucune relance proposée aujourd'hui.", "No reminder proposed today."));
        }
    }
    if let Some(step) = &r.next_step {
        let stage = step.stage.parse().map(|s| format::stage_label(s, lang)).unwrap_or(&step.stage);
        let _ = writeln!(
            out,
            "{} {stage} {} {} ({})",
            t(lang, "Prochaine étape :", "Next step:"),
            t(lang, "le", "on"),
            format::date(step.date, lang),
            step.invoices.join(", ")
        );
    }
}
