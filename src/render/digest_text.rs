//! The morning digest as a finance team reads it in a terminal
//! (`relance demo`, `relance plan`).
//!
//! One screen answers three questions in order: can I trust the figures
//! (freshness), how bad is it (totals, aged balance, DSO), and what does the
//! bot want to send (one block per proposal, with a preview of the text).
//! Amounts use plain spaces (users grep for `2 400,00`), columns are
//! right-aligned and the whole fits a 100-column terminal.

use super::company::Company;
use super::format::{channel_label, date, date_long, money, number, plain_spaces, stage_label, tone_label};
use super::message::{preview, Message};
use crate::domain::{ClientKind, Currency, Language, Segment};
use crate::policy::aged::AgedBalance;
use crate::policy::Proposal;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Width the digest is laid out for.
const WIDTH: usize = 100;
/// Indentation of a proposal's details under its title.
const INDENT: &str = "   ";
/// How much of the message the digest shows (two lines, wrapped).
const PREVIEW_CHARS: usize = 170;

/// Everything the digest shows, computed by the caller.
pub struct DigestView<'a> {
    pub today: NaiveDate,
    /// The finance team's language (not the clients').
    pub lang: Language,
    pub company: &'a Company,
    pub proposals: &'a [Proposal],
    /// The rendered reminders, in the same order as `proposals`.
    pub messages: &'a [Message],
    pub aged: &'a [AgedBalance],
    pub dso: &'a [(Currency, Option<Decimal>)],
    pub last_import_at: Option<DateTime<Utc>>,
    /// The team's time zone, for the import time.
    pub tz: chrono_tz::Tz,
    /// Set when today is not a sending day, e.g. "samedi — jour non ouvré ; prochain envoi : lundi 2 mars".
    pub non_business_day: Option<String>,
}

/// The digest as plain text (plain spaces, `\n` line ends).
pub fn render_digest(v: &DigestView) -> String {
    let mut out = String::new();
    header(&mut out, v);
    totals(&mut out, v);
    aged_table(&mut out, v);
    dso_line(&mut out, v);
    if v.proposals.is_empty() {
        let none = tr(v.lang, "Aucune relance à proposer aujourd'hui.", "No reminders to propose today.");
        let _ = writeln!(out, "\n{none}");
    }
    for (i, p) in v.proposals.iter().enumerate() {
        proposal_block(&mut out, v.lang, i + 1, p, v.messages.get(i));
    }
    plain_spaces(&out)
}

/// Picks the French or English text.
fn tr(lang: Language, fr: &'static str, en: &'static str) -> &'static str {
    match lang {
        Language::Fr => fr,
        Language::En => en,
    }
}

/// `0 facture`, `3 factures`, `1 invoice`, `0 invoices`: French keeps the
/// singular for zero, English does not.
fn count(n: usize, lang: Language, fr: (&str, &str), en: (&str, &str)) -> String {
    let singular = match lang {
        Language::Fr => n <= 1,
        Language::En => n == 1,
    };
    let (one, many) = if lang == Language::Fr { fr } else { en };
    format!("{n} {}", if singular { one } else { many })
}

fn header(out: &mut String, v: &DigestView) {
    let lang = v.lang;
    if !v.company.name.trim().is_empty() {
        let _ = writeln!(out, "{}", v.company.name.trim());
    }
    let title = format!("{} — {}", tr(lang, "Relances proposées", "Proposed reminders"), date_long(v.today, lang));
    let _ = writeln!(out, "{title}\n{}", "=".repeat(title.chars().count()));
    let _ = writeln!(out, "{}", freshness(v));
    if let Some(note) = &v.non_business_day {
        let _ = writeln!(out, "⚠ {note}");
    }
}

/// When the data was last imported, in the team's time zone. Data older than
/// today is flagged: reminding a client who paid yesterday is the one
/// mistake practitioners never forgive.
fn freshness(v: &DigestView) -> String {
    let lang = v.lang;
    let Some(at) = v.last_import_at else {
        return tr(lang, "Aucune donnée importée pour l'instant.", "No data imported yet.").to_string();
    };
    let local = at.with_timezone(&v.tz);
    let (on, at_word) = (date(local.date_naive(), lang), tr(lang, "à", "at"));
    let mut line =
        format!("{} {on} {at_word} {}", tr(lang, "Données mises à jour le", "Data updated on"), local.format("%H:%M"));
    if local.date_naive() < v.today {
        line.push_str(tr(
            lang,
            " — attention : importez les derniers paiements avant d'approuver",
            " — warning: import the latest payments before approving",
        ));
    }
    line
}

fn totals(out: &mut String, v: &DigestView) {
    let lang = v.lang;
    let overdue: Vec<String> = v.aged.iter().map(|a| money(a.overdue_total, a.currency, lang)).collect();
    let overdue_count: u32 = v.aged.iter().map(|a| a.overdue_count).sum();
    let mut proposed: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for p in v.proposals {
        *proposed.entry(p.currency).or_default() += p.total_due;
    }
    let proposed: Vec<String> = proposed.iter().map(|(c, d)| money(*d, *c, lang)).collect();
    let rows = [
        (
            tr(lang, "En retard", "Overdue"),
            format!(
                "{} · {}",
                join_or_zero(&overdue, lang),
                count(overdue_count as usize, lang, ("facture", "factures"), ("invoice", "invoices"))
            ),
        ),
        (
            tr(lang, "À relancer", "To remind"),
            format!(
                "{} · {}",
                count(v.proposals.len(), lang, ("relance", "relances"), ("reminder", "reminders")),
                join_or_zero(&proposed, lang)
            ),
        ),
    ];
    let width = rows.iter().map(|(label, _)| label.chars().count()).max().unwrap_or(0);
    out.push('\n');
    for (label, value) in rows {
        let _ = writeln!(out, "{label:<width$}  {value}");
    }
}

/// Amounts in several currencies side by side (`1 200,00 € + 300,00 $`), or a zero in euros.
fn join_or_zero(amounts: &[String], lang: Language) -> String {
    if amounts.is_empty() {
        money(Decimal::ZERO, Currency::EUR, lang)
    } else {
        amounts.join(" + ")
    }
}

fn aged_table(out: &mut String, v: &DigestView) {
    let lang = v.lang;
    let title = tr(lang, "Balance âgée", "Aged balance");
    if v.aged.is_empty() {
        let _ = writeln!(out, "\n{title} : {}", tr(lang, "aucune facture ouverte", "no open invoice"));
        return;
    }
    let header: Vec<String> = [
        title,
        tr(lang, "Non échu", "Not due"),
        tr(lang, "1–30 j", "1–30 d"),
        tr(lang, "31–60 j", "31–60 d"),
        tr(lang, "61–90 j", "61–90 d"),
        tr(lang, "> 90 j", "> 90 d"),
        "Total",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = vec![header];
    for a in v.aged {
        let cells = [a.not_due, a.days_1_30, a.days_31_60, a.days_61_90, a.over_90, a.total];
        let mut row = vec![a.currency.code().to_string()];
        row.extend(cells.iter().map(|d| number(*d, lang)));
        rows.push(row);
    }
    out.push('\n');
    write_table(out, "", &rows, &[false, true, true, true, true, true, true]);
}

fn dso_line(out: &mut String, v: &DigestView) {
    if v.dso.is_empty() {
        return;
    }
    let lang = v.lang;
    let parts: Vec<String> = v
        .dso
        .iter()
        .map(|(currency, days)| match days {
            Some(d) => {
                let days = d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
                format!("{currency} {days} {}", tr(lang, "jours", "days"))
            }
            None => format!("{currency} {}", tr(lang, "non calculable", "n/a")),
        })
        .collect();
    let _ = writeln!(out, "DSO{} {}", tr(lang, " :", ":"), parts.join(" · "));
}

fn proposal_block(out: &mut String, lang: Language, n: usize, p: &Proposal, message: Option<&Message>) {
    let _ = writeln!(out, "\n{}", "─".repeat(WIDTH - 28));
    let _ = writeln!(out, "{n}. {}", title_line(lang, p));
    let channels: Vec<&str> = p.channels.iter().map(|c| channel_label(*c, lang)).collect();
    let _ = writeln!(
        out,
        "{INDENT}{} · {} {} · {} · score {}/100",
        stage_label(p.stage, lang),
        tr(lang, "ton", "tone"),
        tone_label(p.tone, lang),
        channels.join(" + "),
        p.score
    );
    invoice_table(out, lang, p);
    if let Some(line) = legal_line(lang, p) {
        let _ = writeln!(out, "{INDENT}{line}");
    }
    let _ = writeln!(out, "{INDENT}{} {}", tr(lang, "Motif :", "Why:"), p.reason);
    preview_lines(out, lang, message);
}

/// `Garage Martin SARL  ⭐ stratégique · @julie · particulier`
fn title_line(lang: Language, p: &Proposal) -> String {
    let mut tags = Vec::new();
    if p.segment == Segment::Strategic {
        tags.push(format!("⭐ {}", tr(lang, "stratégique", "strategic")));
    }
    if let Some(owner) = p.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        tags.push(format!("@{}", owner.trim_start_matches('@')));
    }
    if p.kind == ClientKind::B2c {
        tags.push(tr(lang, "particulier", "consumer").to_string());
    }
    if tags.is_empty() {
        p.client_name.clone()
    } else {
        format!("{}  {}", p.client_name, tags.join(" · "))
    }
}

fn invoice_table(out: &mut String, lang: Language, p: &Proposal) {
    let header = [
        tr(lang, "Facture", "Invoice"),
        tr(lang, "Échéance", "Due"),
        tr(lang, "Retard", "Late"),
        tr(lang, "Reste dû", "Due now"),
    ];
    let mut rows = vec![header.map(String::from).to_vec()];
    for inv in &p.invoices {
        rows.push(vec![
            inv.number.to_string(),
            date(inv.due_date, lang),
            days_late(inv.days_late, lang),
            money(inv.amount_due, p.currency, lang),
        ]);
    }
    rows.push(vec!["Total".into(), String::new(), String::new(), money(p.total_due, p.currency, lang)]);
    write_table(out, INDENT, &rows, &[false, false, true, true]);
}

/// `15 j` late, or `dans 3 j` before the due date.
fn days_late(days: i64, lang: Language) -> String {
    match (lang, days < 0) {
        (Language::Fr, false) => format!("{days} j"),
        (Language::Fr, true) => format!("dans {} j", -days),
        (Language::En, false) => format!("{days} d"),
        (Language::En, true) => format!("in {} d", -days),
    }
}

/// Penalties and indemnity, when the proposal states them (B2B, late stages).
fn legal_line(lang: Language, p: &Proposal) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(penalties) = p.penalties {
        parts.push(format!(
            "{} {}",
            tr(lang, "Pénalités de retard :", "Late-payment penalties:"),
            money(penalties, p.currency, lang)
        ));
    }
    if let Some(indemnity) = p.indemnity {
        parts.push(format!(
            "{} {}",
            tr(lang, "indemnité forfaitaire :", "fixed indemnity:"),
            money(indemnity, Currency::EUR, lang)
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

fn preview_lines(out: &mut String, lang: Language, message: Option<&Message>) {
    let Some(m) = message else {
        let _ =
            writeln!(out, "{INDENT}{}", tr(lang, "Aperçu : (message non rendu)", "Preview: (message not rendered)"));
        return;
    };
    let _ = writeln!(out, "{INDENT}{} {}", tr(lang, "Objet :", "Subject:"), m.subject);
    let label = tr(lang, "Aperçu :", "Preview:");
    let pad = " ".repeat(label.chars().count() + 1);
    let width = WIDTH - INDENT.len() - pad.len();
    for (i, line) in wrap(&preview(m, PREVIEW_CHARS), width).iter().take(2).enumerate() {
        let lead = if i == 0 { format!("{label} ") } else { pad.clone() };
        let _ = writeln!(out, "{INDENT}{lead}{line}");
    }
}

/// Greedy word wrap at `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let needed = current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if !current.is_empty() && needed > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Writes rows as columns two spaces apart; `right[i]` right-aligns column i.
/// Widths count characters, so the no-break spaces of French amounts align.
fn write_table(out: &mut String, indent: &str, rows: &[Vec<String>], right: &[bool]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = " ".repeat(widths[c] - cell.chars().count());
                if right.get(c).copied().unwrap_or(false) {
                    format!("{pad}{cell}")
                } else {
                    format!("{cell}{pad}")
                }
            })
            .collect();
        let _ = writeln!(out, "{indent}{}", cells.join("  ").trim_end());
    }
}

#[cfg(test)]
#[path = "digest_text_tests.rs"]
mod tests;
