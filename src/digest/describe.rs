//! The words every link-button renderer (Teams cards, the local web pages)
//! shows about the digest and its entries, as plain text in the team's
//! language.
//!
//! Nothing here is escaped: each renderer makes the text inert for its own
//! medium (Adaptive Card markdown, HTML), once, at the point where text meets
//! markup. Keeping the wording in one place keeps the Teams card and the web
//! page saying the same thing.

use super::model::DigestEntry;
use crate::domain::{ClientKind, Language, Segment};
use crate::policy::Proposal;
use crate::render::format::{channel_label, date_long, money, stage_label, tone_label};
use chrono::NaiveDate;
use serde::Serialize;

/// Picks the French or English text.
pub fn tr(lang: Language, fr: &'static str, en: &'static str) -> &'static str {
    match lang {
        Language::Fr => fr,
        Language::En => en,
    }
}

/// "Relances proposées — lundi 16 mars 2026".
pub fn digest_title(day: NaiveDate, lang: Language) -> String {
    format!("{} — {}", tr(lang, "Relances proposées", "Proposed reminders"), date_long(day, lang))
}

/// Shown instead of entries on a day with nothing to decide.
pub fn nothing_today(lang: Language) -> &'static str {
    tr(lang, "Aucune relance à proposer aujourd'hui.", "No reminders to propose today.")
}

/// "12 relances" / "1 reminder".
pub fn reminder_count(count: usize, lang: Language) -> String {
    match (lang, count) {
        (Language::Fr, 0 | 1) => format!("{count} relance"),
        (Language::Fr, _) => format!("{count} relances"),
        (Language::En, 1) => format!("{count} reminder"),
        (Language::En, _) => format!("{count} reminders"),
    }
}

/// The flags next to the client's name: strategic, who follows the client,
/// consumer. The owner is shown so a sales rep spots their client in time.
pub fn entry_tags(entry: &DigestEntry, lang: Language) -> Vec<String> {
    let p = &entry.proposal;
    let mut tags = Vec::new();
    if p.segment == Segment::Strategic {
        tags.push(format!("⭐ {}", tr(lang, "stratégique", "strategic")));
    }
    let owner = entry.owner.as_ref().map(|o| o.name.as_str()).or(p.owner.as_deref());
    if let Some(owner) = owner.map(|o| o.trim().trim_start_matches('@')).filter(|o| !o.is_empty()) {
        tags.push(format!("{} {}", tr(lang, "suivi par", "owner"), truncate_chars(owner, 80)));
    }
    if p.kind == ClientKind::B2c {
        tags.push(tr(lang, "particulier", "consumer").to_string());
    }
    tags
}

/// The mark of an entry planned on a ledger older than allowed.
pub fn stale_mark(lang: Language) -> &'static str {
    tr(lang, "⚠️ données anciennes", "⚠️ stale data")
}

/// "2e relance · ton ferme · e-mail + SMS".
pub fn stage_line(p: &Proposal, lang: Language) -> String {
    let channels: Vec<&str> = p.channels.iter().map(|c| channel_label(*c, lang)).collect();
    format!(
        "{} · {} {} · {}",
        stage_label(p.stage, lang),
        tr(lang, "ton", "tone"),
        tone_label(p.tone, lang),
        channels.join(" + ")
    )
}

/// One invoice of an entry, formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceRow {
    pub number: String,
    pub amount: String,
    pub late: String,
}

/// The first `max` invoices, and a line counting the others: the total
/// still covers them all, so a client with 60 invoices stays one entry.
pub fn invoice_rows(p: &Proposal, lang: Language, max: usize) -> (Vec<InvoiceRow>, Option<String>) {
    let rows = p
        .invoices
        .iter()
        .take(max)
        .map(|inv| InvoiceRow {
            number: inv.number.as_str().to_string(),
            amount: money(inv.amount_due, p.currency, lang),
            late: days_late(inv.days_late, lang),
        })
        .collect();
    let rest = p.invoices.len().saturating_sub(max);
    let more = (rest > 0).then(|| match (lang, rest) {
        (Language::Fr, 1) => "… et 1 autre facture".to_string(),
        (Language::Fr, n) => format!("… et {n} autres factures"),
        (Language::En, 1) => "… and 1 more invoice".to_string(),
        (Language::En, n) => format!("… and {n} more invoices"),
    });
    (rows, more)
}

/// `15 j de retard`, or `échéance dans 3 j` for a pre-due reminder.
pub fn days_late(days: i64, lang: Language) -> String {
    match (lang, days < 0) {
        (Language::Fr, false) => format!("{days} j de retard"),
        (Language::Fr, true) => format!("échéance dans {} j", -days),
        (Language::En, false) => format!("{days} d late"),
        (Language::En, true) => format!("due in {} d", -days),
    }
}

/// "Total : 2 400,00 €".
pub fn total_line(p: &Proposal, lang: Language) -> String {
    format!("{} {}", tr(lang, "Total :", "Total:"), money(p.total_due, p.currency, lang))
}

/// The start of the message, on one line, at most `max` characters.
pub fn preview(entry: &DigestEntry, max: usize) -> String {
    truncate_chars(&entry.preview.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

/// The status lines ("✅ Approuvé par Claire à 09:12"), blank lines dropped.
pub fn status_lines(entry: &DigestEntry) -> Vec<String> {
    let status = entry.status.as_deref().unwrap_or("");
    status.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// At most `max` characters, the last one `…` when something was cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::model::Owner;
    use crate::domain::{Stage, Tone};
    use crate::policy::ProposedInvoice;
    use rust_decimal_macros::dec;

    fn entry(invoices: usize) -> DigestEntry {
        let due = NaiveDate::from_ymd_opt(2026, 2, 14).unwrap();
        let invoices = (0..invoices)
            .map(|i| ProposedInvoice::sample(&format!("F-{i:03}"), dec!(1200), due, 30, Stage::Second))
            .collect();
        DigestEntry::new(Proposal::sample("C1", "Garage Martin", Stage::Second, Tone::Firm, invoices), "Bonjour")
    }

    #[test]
    fn long_invoice_lists_are_summarised_not_dropped() {
        let e = entry(12);
        let (rows, more) = invoice_rows(&e.proposal, Language::Fr, 10);
        assert_eq!(rows.len(), 10);
        assert_eq!(
            rows[0],
            InvoiceRow {
                number: "F-000".into(),
                amount: "1\u{202F}200,00\u{A0}€".into(),
                late: "30 j de retard".into()
            }
        );
        assert_eq!(more.as_deref(), Some("… et 2 autres factures"));
        assert_eq!(total_line(&e.proposal, Language::En), "Total: €14,400.00");
    }

    #[test]
    fn tags_name_the_owner_known_to_people_first() {
        let mut e = entry(1);
        e.proposal.segment = Segment::Strategic;
        e.proposal.owner = Some("@julie".into());
        assert_eq!(entry_tags(&e, Language::Fr), ["⭐ stratégique", "suivi par julie"]);
        e.owner = Some(Owner { name: "Julie Roux".into(), ..Owner::default() });
        assert_eq!(entry_tags(&e, Language::En), ["⭐ strategic", "owner Julie Roux"]);
    }

    #[test]
    fn previews_are_one_line_and_bounded() {
        let mut e = entry(1);
        e.preview = "Bonjour,\n\nsauf erreur   de notre part".into();
        assert_eq!(preview(&e, 100), "Bonjour, sauf erreur de notre part");
        assert_eq!(preview(&e, 8), "Bonjour…");
        assert_eq!(days_late(-3, Language::Fr), "échéance dans 3 j");
    }
}
