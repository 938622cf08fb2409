//! The words every digest renderer (Slack, Discord, Teams cards, the local
//! web pages) shows about the digest and its entries, as plain text in the
//! team's language.
//!
//! Nothing here is escaped: each renderer makes the text inert for its own
//! medium (Slack mrkdwn, Discord Markdown, Adaptive Card markdown, HTML), once,
//! at the point where text meets markup; where client data sits inside a line
//! (invoice numbers, owners), the renderer passes its escaping in. Keeping the
//! wording in one place keeps every platform saying the same thing.

use super::model::DigestEntry;
use crate::domain::{ClientKind, Language, Segment};
use crate::policy::Proposal;
use crate::render::format::{channel_label, date_long, money, one_line, stage_label, tone_label, truncate_chars};
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
    format!("{} — {}", digest_name(lang), date_long(day, lang))
}

/// [`digest_title`], or the bare "Relances proposées" when the day is not
/// known (a page re-rendered with neither header nor entries).
pub fn digest_title_or_name(day: Option<NaiveDate>, lang: Language) -> String {
    day.map_or_else(|| digest_name(lang).to_string(), |day| digest_title(day, lang))
}

fn digest_name(lang: Language) -> &'static str {
    tr(lang, "Relances proposées", "Proposed reminders")
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
    let owner = entry.owner.as_ref().map(|o| o.name.as_str()).or(p.owner.as_deref());
    let owner = owner.map(|o| o.trim().trim_start_matches('@')).filter(|o| !o.is_empty());
    tags_with_owner(p, owner.map(|o| truncate_chars(o, 80)), lang)
}

/// [`entry_tags`] with the owner as the platform shows it: a chat platform
/// gives a mention (`<@U024BE7LH>`) or the name escaped for its markup.
pub fn tags_with_owner(p: &Proposal, owner: Option<String>, lang: Language) -> Vec<String> {
    let mut tags = Vec::new();
    if p.segment == Segment::Strategic {
        tags.push(format!("⭐ {}", tr(lang, "stratégique", "strategic")));
    }
    if let Some(owner) = owner {
        tags.push(format!("{} {owner}", tr(lang, "suivi par", "owner")));
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
    (rows, more_invoices(p.invoices.len().saturating_sub(max), lang))
}

/// "… et 2 autres factures" when `rest` invoices are not listed.
pub fn more_invoices(rest: usize, lang: Language) -> Option<String> {
    (rest > 0).then(|| match (lang, rest) {
        (Language::Fr, 1) => "… et 1 autre facture".to_string(),
        (Language::Fr, n) => format!("… et {n} autres factures"),
        (Language::En, 1) => "… and 1 more invoice".to_string(),
        (Language::En, n) => format!("… and {n} more invoices"),
    })
}

/// [`invoice_rows`] as Markdown bullets (`• F-2026-0042 — 1 200,00 € — 30 j
/// de retard`), each invoice number passed through `escape`, the line
/// counting the others last.
pub fn invoice_bullets(p: &Proposal, lang: Language, max: usize, escape: impl Fn(&str) -> String) -> Vec<String> {
    let (rows, more) = invoice_rows(p, lang, max);
    let mut lines: Vec<String> =
        rows.iter().map(|r| format!("• {} — {} — {}", escape(&r.number), r.amount, r.late)).collect();
    lines.extend(more);
    lines
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
    total_line_marked(p, lang, "")
}

/// [`total_line`] with its label between two `strong` marks: `*Total :* …`
/// in Slack mrkdwn, `**Total :** …` in Discord Markdown.
pub fn total_line_marked(p: &Proposal, lang: Language, strong: &str) -> String {
    format!("{strong}{}{strong} {}", tr(lang, "Total :", "Total:"), money(p.total_due, p.currency, lang))
}

/// The start of the message, on one line, at most `max` characters.
pub fn preview(entry: &DigestEntry, max: usize) -> String {
    truncate_chars(&one_line(&entry.preview), max)
}

/// The status lines ("✅ Approuvé par Claire à 09:12"), blank lines dropped.
pub fn status_lines(entry: &DigestEntry) -> Vec<String> {
    let status = entry.status.as_deref().unwrap_or("");
    status.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
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
    fn markdown_renderers_get_the_same_words_with_their_own_escaping() {
        let e = entry(11);
        let lines = invoice_bullets(&e.proposal, Language::Fr, 10, |n| format!("<{n}>"));
        assert_eq!(lines.len(), 11);
        assert_eq!(lines[0], "• <F-000> — 1\u{202F}200,00\u{A0}€ — 30 j de retard");
        assert_eq!(lines[10], "… et 1 autre facture");
        assert_eq!(total_line_marked(&e.proposal, Language::Fr, "**"), "**Total :** 13\u{202F}200,00\u{A0}€");
        assert_eq!(digest_title_or_name(None, Language::En), "Proposed reminders");
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
