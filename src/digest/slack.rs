//! The digest as Slack Block Kit messages, one `chat.postMessage` body per page.
//!
//! Each proposal is two blocks: a `section` describing it and either an
//! `actions` block (Approve / Soften / Veto / Snooze) or, once decided, a
//! `context` block with the decision. Every button carries the proposal id
//! twice: in its `value` (what the interaction handler reads) and after the
//! action name in its `action_id` (`veto:20260316-c6a87d7881`), which keeps
//! the four ids of a block distinct and lets logs name the proposal.
//!
//! Slack's limits are applied with margins, because a payload over any of them
//! is refused whole (`invalid_blocks`, `msg_blocks_too_long`) and the team
//! would get no digest at all:
//! - at most [`MAX_BLOCKS`] blocks per message (Slack: 50), leaving room for a
//!   later `chat.update` to add a line;
//! - at most [`MAX_PAGE_CHARS`] characters of serialized blocks per message,
//!   because Slack rejects payloads around 13.2k characters even when every
//!   documented limit is met (slackapi/bolt-js#2509);
//! - section text at most [`MAX_SECTION_CHARS`] (Slack: 3000), invoice lists
//!   summarised after [`MAX_INVOICE_LINES`] lines;
//! - button text, `action_id`, `value` and the fallback `text` far below 75,
//!   255, 2000 and 40,000.

use crate::domain::{ClientKind, Language, Segment};
use crate::policy::Proposal;
use crate::render::format::{channel_label, date_long, money, stage_label, tone_label};
use chrono::NaiveDate;

pub use super::model::{DigestEntry, DigestHeader};
use serde_json::{json, Value};

/// Blocks per message; Slack allows 50.
pub const MAX_BLOCKS: usize = 46;
/// Serialized blocks per message, in characters; Slack fails around 13,200.
pub const MAX_PAGE_CHARS: usize = 12_000;
/// Text of one section; Slack allows 3000.
pub const MAX_SECTION_CHARS: usize = 2_900;
/// Invoices listed per entry before the rest is summarised in one line.
pub const MAX_INVOICE_LINES: usize = 10;
/// Characters of the message preview shown per entry.
pub const PREVIEW_CHARS: usize = 280;
/// Characters of a client name in an entry title.
const MAX_NAME_CHARS: usize = 150;
/// Button text; Slack allows 75 and visibly cuts at about 30.
const MAX_BUTTON_CHARS: usize = 30;
/// Text of the veto confirmation dialog; Slack allows 300.
const MAX_CONFIRM_TEXT_CHARS: usize = 280;

/// The four decisions a button can carry. The English name starts every
/// `action_id`, which is how the interaction handler recognises the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Approve,
    Soften,
    Veto,
    Snooze,
}

impl Action {
    const ALL: [Action; 4] = [Action::Approve, Action::Soften, Action::Veto, Action::Snooze];

    fn name(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Soften => "soften",
            Action::Veto => "veto",
            Action::Snooze => "snooze",
        }
    }

    fn label(self, lang: Language) -> &'static str {
        match (lang, self) {
            (Language::Fr, Action::Approve) => "Approuver",
            (Language::Fr, Action::Soften) => "Adoucir",
            (Language::Fr, Action::Veto) => "Veto",
            (Language::Fr, Action::Snooze) => "Reporter",
            (Language::En, Action::Approve) => "Approve",
            (Language::En, Action::Soften) => "Soften",
            (Language::En, Action::Veto) => "Veto",
            (Language::En, Action::Snooze) => "Snooze",
        }
    }
}

/// Escapes Slack's three control characters, `&` first so the entities it
/// produces are not escaped again. Only these three: Slack shows any other
/// HTML entity literally.
pub fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The digest as `chat.postMessage` bodies (`{"text", "blocks"}`), in order.
/// Always at least one page; every entry appears on exactly one page.
pub fn slack_digest_pages(header: &DigestHeader, entries: &[DigestEntry], lang: Language) -> Vec<Value> {
    let head = header_blocks(header, entries.len(), lang);
    let bodies: Vec<Vec<Value>> = entries.iter().map(|e| entry_blocks(e, lang)).collect();
    let pages = paginate(&head, &bodies);
    let count = pages.len();
    pages
        .iter()
        .enumerate()
        .map(|(i, members)| {
            let mut blocks = if i == 0 { head.clone() } else { Vec::new() };
            for &m in members {
                blocks.extend(bodies[m].iter().cloned());
            }
            if count > 1 {
                blocks.push(page_footer(i + 1, count));
            }
            json!({ "text": fallback_text(header.date, entries.len(), i + 1, count, lang), "blocks": blocks })
        })
        .collect()
}

/// Picks the French or English text.
fn tr(lang: Language, fr: &'static str, en: &'static str) -> &'static str {
    match lang {
        Language::Fr => fr,
        Language::En => en,
    }
}

/// Groups entries into pages, greedily and in order, so that every page stays
/// within [`MAX_BLOCKS`] and [`MAX_PAGE_CHARS`] once the header (first page)
/// and the footer are added. An entry is never split nor dropped: one that
/// does not fit after others opens the next page, and one entry alone always
/// fits since its section is capped at [`MAX_SECTION_CHARS`].
fn paginate(head: &[Value], bodies: &[Vec<Value>]) -> Vec<Vec<usize>> {
    // Room for the page footer, added once the number of pages is known.
    const FOOTER_BLOCKS: usize = 1;
    const FOOTER_CHARS: usize = 200;
    let mut pages: Vec<Vec<usize>> = vec![Vec::new()];
    let (mut blocks, mut chars) = (head.len() + FOOTER_BLOCKS, json_chars(head) + FOOTER_CHARS);
    for (i, body) in bodies.iter().enumerate() {
        let (b, c) = (body.len(), json_chars(body));
        // The first page already holds the header, so even its first entry may move on.
        let current = pages.last().expect("at least one page");
        let page_has_content = !current.is_empty() || pages.len() == 1;
        if page_has_content && (blocks + b > MAX_BLOCKS || chars + c > MAX_PAGE_CHARS) {
            pages.push(Vec::new());
            (blocks, chars) = (FOOTER_BLOCKS, FOOTER_CHARS);
        }
        pages.last_mut().expect("at least one page").push(i);
        blocks += b;
        chars += c;
    }
    pages
}

/// Characters of the blocks as Slack receives them (separators included).
fn json_chars(blocks: &[Value]) -> usize {
    blocks.iter().map(|b| b.to_string().chars().count() + 1).sum()
}

/// The title and totals, and a line when there is nothing to decide.
fn header_blocks(header: &DigestHeader, count: usize, lang: Language) -> Vec<Value> {
    let title =
        format!("*{} — {}*", tr(lang, "Relances proposées", "Proposed reminders"), date_long(header.date, lang));
    let mut lines = vec![title];
    lines.extend(header.lines.iter().map(|l| slack_escape(l)));
    if count == 0 {
        lines.push(tr(lang, "Aucune relance à proposer aujourd'hui.", "No reminders to propose today.").to_string());
    }
    vec![section("digest:header".to_string(), &lines.join("\n"))]
}

/// Short on purpose: it is the notification text and the screen-reader text.
fn fallback_text(date: NaiveDate, count: usize, page: usize, pages: usize, lang: Language) -> String {
    let reminders = match (lang, count) {
        (Language::Fr, 0 | 1) => format!("{count} relance"),
        (Language::Fr, _) => format!("{count} relances"),
        (Language::En, 1) => format!("{count} reminder"),
        (Language::En, _) => format!("{count} reminders"),
    };
    let title = tr(lang, "Relances proposées", "Proposed reminders");
    let colon = tr(lang, " :", ":");
    let mut text = format!("{title} — {}{colon} {reminders}", date_long(date, lang));
    if pages > 1 {
        text.push_str(&format!(" ({page}/{pages})"));
    }
    text
}

/// "Page 2/7", so nobody takes the first message for the whole digest.
fn page_footer(page: usize, pages: usize) -> Value {
    json!({
        "type": "context",
        "block_id": format!("digest:page:{page}"),
        "elements": [{ "type": "mrkdwn", "text": format!("Page {page}/{pages}") }],
    })
}

/// The section describing a proposal, then its buttons or its status.
fn entry_blocks(entry: &DigestEntry, lang: Language) -> Vec<Value> {
    let id = entry.proposal.id.as_str();
    let text = entry_text(entry, lang);
    let second = match &entry.status {
        Some(status) => json!({
            "type": "context",
            "block_id": format!("status:{id}"),
            "elements": [{ "type": "mrkdwn", "text": truncate_escaped(&slack_escape(status), MAX_SECTION_CHARS) }],
        }),
        None => actions_block(&entry.proposal, lang),
    };
    vec![section(format!("entry:{id}"), &text), second]
}

fn section(block_id: String, text: &str) -> Value {
    json!({
        "type": "section",
        "block_id": block_id,
        "text": { "type": "mrkdwn", "text": truncate_escaped(text, MAX_SECTION_CHARS) },
    })
}

/// Title, stage line, invoices, total and preview, all client data escaped.
fn entry_text(entry: &DigestEntry, lang: Language) -> String {
    let p = &entry.proposal;
    let mut lines = vec![title_line(p, lang)];
    let channels: Vec<&str> = p.channels.iter().map(|c| channel_label(*c, lang)).collect();
    lines.push(format!(
        "{} · {} {} · {}",
        stage_label(p.stage, lang),
        tr(lang, "ton", "tone"),
        tone_label(p.tone, lang),
        channels.join(" + ")
    ));
    lines.extend(invoice_lines(p, lang));
    lines.push(format!("*{}* {}", tr(lang, "Total :", "Total:"), money(p.total_due, p.currency, lang)));
    let preview = truncate_chars(&entry.preview.split_whitespace().collect::<Vec<_>>().join(" "), PREVIEW_CHARS);
    if !preview.is_empty() {
        lines.push(format!("> {}", slack_escape(&preview)));
    }
    lines.join("\n")
}

/// `*Garage Martin*  ⭐ stratégique · @julie · particulier`. The owner is
/// shown so the sales rep sees their strategic client and can veto in time.
fn title_line(p: &Proposal, lang: Language) -> String {
    let mut tags = Vec::new();
    if p.segment == Segment::Strategic {
        tags.push(format!("⭐ {}", tr(lang, "stratégique", "strategic")));
    }
    if let Some(owner) = p.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        tags.push(format!("{} @{}", tr(lang, "suivi par", "owner"), slack_escape(owner.trim_start_matches('@'))));
    }
    if p.kind == ClientKind::B2c {
        tags.push(tr(lang, "particulier", "consumer").to_string());
    }
    let name = slack_escape(&truncate_chars(p.client_name.trim(), MAX_NAME_CHARS));
    if tags.is_empty() {
        format!("*{name}*")
    } else {
        format!("*{name}*  {}", tags.join(" · "))
    }
}

/// One line per invoice, the first [`MAX_INVOICE_LINES`] only, then a count
/// of the rest: the total line below still covers them all.
fn invoice_lines(p: &Proposal, lang: Language) -> Vec<String> {
    let mut lines: Vec<String> = p
        .invoices
        .iter()
        .take(MAX_INVOICE_LINES)
        .map(|inv| {
            format!(
                "• {} — {} — {}",
                slack_escape(inv.number.as_str()),
                money(inv.amount_due, p.currency, lang),
                days_late(inv.days_late, lang)
            )
        })
        .collect();
    let rest = p.invoices.len().saturating_sub(MAX_INVOICE_LINES);
    if rest > 0 {
        lines.push(match (lang, rest) {
            (Language::Fr, 1) => "… et 1 autre facture".to_string(),
            (Language::Fr, n) => format!("… et {n} autres factures"),
            (Language::En, 1) => "… and 1 more invoice".to_string(),
            (Language::En, n) => format!("… and {n} more invoices"),
        });
    }
    lines
}

/// `15 j de retard`, or `échéance dans 3 j` for a pre-due reminder.
fn days_late(days: i64, lang: Language) -> String {
    match (lang, days < 0) {
        (Language::Fr, false) => format!("{days} j de retard"),
        (Language::Fr, true) => format!("échéance dans {} j", -days),
        (Language::En, false) => format!("{days} d late"),
        (Language::En, true) => format!("due in {} d", -days),
    }
}

/// The four buttons. Approve is the primary action; Veto is red and asks for
/// confirmation, since it stops the client's reminders for days.
fn actions_block(p: &Proposal, lang: Language) -> Value {
    let id = p.id.as_str();
    let elements: Vec<Value> = Action::ALL
        .iter()
        .map(|&action| {
            let mut button = json!({
                "type": "button",
                "text": { "type": "plain_text", "text": truncate_chars(action.label(lang), MAX_BUTTON_CHARS) },
                "action_id": format!("{}:{id}", action.name()),
                "value": id,
            });
            match action {
                Action::Approve => button["style"] = json!("primary"),
                Action::Veto => {
                    button["style"] = json!("danger");
                    button["confirm"] = veto_confirm(p, lang);
                }
                Action::Soften | Action::Snooze => {}
            }
            button
        })
        .collect();
    json!({ "type": "actions", "block_id": format!("actions:{id}"), "elements": elements })
}

/// The confirmation dialog of the Veto button. Plain text, where Slack parses
/// no mention, so the client name needs no escaping here.
fn veto_confirm(p: &Proposal, lang: Language) -> Value {
    let name = truncate_chars(p.client_name.trim(), MAX_NAME_CHARS);
    let text = match lang {
        Language::Fr => format!("Aucune relance ne partira vers {name} tant que le veto tient."),
        Language::En => format!("No reminder will go to {name} while the veto holds."),
    };
    json!({
        "title": { "type": "plain_text", "text": tr(lang, "Mettre un veto ?", "Veto this reminder?") },
        "text": { "type": "plain_text", "text": truncate_chars(&text, MAX_CONFIRM_TEXT_CHARS) },
        "confirm": { "type": "plain_text", "text": "Veto" },
        "deny": { "type": "plain_text", "text": tr(lang, "Annuler", "Cancel") },
        "style": "danger",
    })
}

/// At most `max` characters, the last one `…` when something was cut.
fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Like [`truncate_chars`] on already-escaped text, without leaving half an
/// entity (`&am…`) behind the cut.
fn truncate_escaped(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut kept: String = text.chars().take(max.saturating_sub(1)).collect();
    if let Some(amp) = kept.rfind('&') {
        if !kept[amp..].contains(';') {
            kept.truncate(amp);
        }
    }
    kept.push('…');
    kept
}

#[cfg(test)]
#[path = "slack_tests.rs"]
mod tests;
