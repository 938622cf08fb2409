//! The digest as Microsoft Teams Adaptive Cards, one Workflows webhook body
//! per page.
//!
//! Teams receives the digest through a Workflows "when a Teams webhook request
//! is received" URL (the old Office 365 connectors are retired). What shapes
//! this module:
//! - **Only `Action.OpenUrl` works** on a card posted by a webhook, so every
//!   button is a signed decision link (`/act/{token}`) built by the caller's
//!   `link` function; the page it opens asks for confirmation.
//! - **About 28 KB per message.** The digest is split into pages of at most
//!   [`MAX_PAYLOAD_BYTES`] serialized bytes (a margin under the limit); an
//!   entry is never split nor dropped, only its content is bounded (invoice
//!   list, preview, name).
//! - **Client data is inert.** TextBlocks and facts are read as markdown and
//!   Teams turns `<at>…</at>` into mentions: every text goes through
//!   [`teams_inert`] before it reaches the card, and our own wording uses
//!   element properties (weight, colour) rather than markdown.

use super::describe::{
    digest_title, entry_tags, invoice_rows, nothing_today, preview, reminder_count, stage_line, stale_mark,
    status_lines, total_line, tr,
};
use super::model::{DigestEntry, DigestHeader};
use super::plan_lines::{decide_labels, more_line};
use crate::decision::{action_label, Action};
use crate::domain::{Language, ProposalId};
use crate::render::format::truncate_chars;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// Serialized bytes per webhook body; Teams refuses messages over about 28 KB.
pub const MAX_PAYLOAD_BYTES: usize = 26_000;
/// Invoices listed per entry before the rest is summarised in one line.
pub const MAX_INVOICE_LINES: usize = 10;
/// Characters of the message preview shown per entry.
pub const PREVIEW_CHARS: usize = 280;
/// Characters of a client name in an entry title.
const MAX_NAME_CHARS: usize = 150;
/// Characters of any other line (header lines, warning, status, invoice number).
const MAX_LINE_CHARS: usize = 400;
/// Room kept on every page for the page footer and the longer fallback text.
const FOOTER_RESERVE_BYTES: usize = 300;
/// Invisible, and breaks any markup it is put into.
const ZWSP: char = '\u{200B}';

/// One webhook body, and the proposals it shows (in order).
#[derive(Debug, Clone, PartialEq)]
pub struct TeamsPage {
    pub body: Value,
    pub entries: Vec<ProposalId>,
}

/// The digest as Workflows webhook bodies, in order. Always at least one page;
/// every entry appears on exactly one page. `link(proposal_id, action)` is the
/// URL of a button; for [`Action::SendAnyway`] the id is the day (`2026-03-16`).
pub fn teams_digest_cards(
    header: &DigestHeader,
    entries: &[DigestEntry],
    lang: Language,
    link: &dyn Fn(&str, Action) -> String,
) -> Vec<TeamsPage> {
    let head = header_items(header, entries.is_empty(), lang, link);
    let items: Vec<Value> = entries.iter().map(|e| entry_container(e, lang, link)).collect();
    let continued = continuation_title(header.date, lang);
    let fallback = |page, pages| fallback_text(header.date, entries.len(), page, pages, lang);
    cards(&head, &continued, &items, &fallback)
        .into_iter()
        .map(|(body, members)| TeamsPage {
            body,
            entries: members.iter().map(|&m| entries[m].proposal.id.clone()).collect(),
        })
        .collect()
}

/// The cards holding `items` in order, each with the head (first card) or
/// the continuation title, and "Page 2/7" when there are several; with
/// the indices of the items each holds. `fallback(page, pages)` is the
/// notification text.
pub(super) fn cards(
    head: &[Value],
    continued: &Value,
    items: &[Value],
    fallback: &dyn Fn(usize, usize) -> String,
) -> Vec<(Value, Vec<usize>)> {
    let pages = paginate(head, continued, items, &message(Vec::new(), String::new()));
    let count = pages.len();
    pages
        .into_iter()
        .enumerate()
        .map(|(i, members)| {
            let mut body = if i == 0 { head.to_vec() } else { vec![continued.clone()] };
            body.extend(members.iter().map(|&m| items[m].clone()));
            if count > 1 {
                body.push(page_footer(i + 1, count));
            }
            (message(body, fallback(i + 1, count)), members)
        })
        .collect()
}

/// Makes text inert in a TextBlock or a fact, which Teams reads as markdown
/// and scans for mentions: a zero-width space after `<` (no `<at>` tag, HTML
/// or autolink can form), after `]` (no `[text](url)` link nor reference),
/// after `&` (no entity decodes into a `<`), and after `{` (no `{{DATE()}}`
/// function). Invisible to the reader; nothing else changes.
pub fn teams_inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        out.push(c);
        if matches!(c, '<' | ']' | '&' | '{') {
            out.push(ZWSP);
        }
    }
    out
}

/// The Workflows envelope: one Adaptive Card 1.4 attachment.
pub(super) fn message(body: Vec<Value>, fallback: String) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": { "width": "Full" },
                "fallbackText": fallback,
                "body": body,
            },
        }],
    })
}

/// Groups entries into pages, greedily and in order, so that every page stays
/// within [`MAX_PAYLOAD_BYTES`] with its title and footer. One entry alone
/// always fits, its content being bounded; a page never stays empty while
/// entries remain.
fn paginate(head: &[Value], continued: &Value, items: &[Value], empty: &Value) -> Vec<Vec<usize>> {
    let base = bytes(empty) + FOOTER_RESERVE_BYTES;
    let mut pages: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = base + head.iter().map(|h| bytes(h) + 1).sum::<usize>();
    for (i, item) in items.iter().enumerate() {
        let size = bytes(item) + 1;
        let current = pages.last().expect("at least one page");
        // The first page holds the header, so even its first entry may move on.
        let page_has_content = !current.is_empty() || pages.len() == 1;
        if page_has_content && used + size > MAX_PAYLOAD_BYTES {
            pages.push(Vec::new());
            used = base + bytes(continued) + 1;
        }
        pages.last_mut().expect("at least one page").push(i);
        used += size;
    }
    // A header so large that it pushed the first entry away would leave a
    // page of header only; keep it, the entries follow on the next pages.
    pages
}

/// Serialized size in bytes, as posted.
pub(super) fn bytes(value: &Value) -> usize {
    serde_json::to_vec(value).map(|v| v.len()).unwrap_or(0)
}

pub(super) fn text(text: &str) -> Value {
    json!({ "type": "TextBlock", "text": teams_inert(text), "wrap": true })
}

/// Title, warning in the attention colour, totals, and the "send anyway"
/// button when finance may release the held approvals.
fn header_items(
    header: &DigestHeader,
    empty: bool,
    lang: Language,
    link: &dyn Fn(&str, Action) -> String,
) -> Vec<Value> {
    let mut items = vec![json!({
        "type": "TextBlock",
        "text": teams_inert(&digest_title(header.date, lang)),
        "size": "Large",
        "weight": "Bolder",
        "wrap": true,
    })];
    if let Some(warning) = &header.warning {
        let mut block = text(&format!("⚠️ {}", truncate_chars(warning, MAX_LINE_CHARS)));
        block["color"] = json!("Attention");
        block["weight"] = json!("Bolder");
        items.push(block);
    }
    items.extend(header.lines.iter().map(|l| {
        let mut block = text(&truncate_chars(l, MAX_LINE_CHARS));
        block["spacing"] = json!("None");
        block
    }));
    items.extend(plan_items(header, lang));
    if empty {
        items.push(text(nothing_today(lang)));
    }
    if header.send_anyway {
        let day = header.date.format("%Y-%m-%d").to_string();
        items.push(json!({
            "type": "ActionSet",
            "actions": [button(Action::SendAnyway, link(&day, Action::SendAnyway), lang)],
        }));
    }
    items
}

/// The plans waiting for finance: each line, then its signed Approve /
/// Reject links (`/plan/{token}`) when the shell gave them; then "… et N
/// autres".
fn plan_items(header: &DigestHeader, lang: Language) -> Vec<Value> {
    let (approve, reject) = decide_labels(lang);
    let mut items = Vec::new();
    for plan in &header.plans {
        items.push(text(&truncate_chars(&plan.line, MAX_LINE_CHARS)));
        if let Some(links) = &plan.links {
            items.push(json!({
                "type": "ActionSet",
                "spacing": "Small",
                "actions": [
                    { "type": "Action.OpenUrl", "title": approve, "url": links.approve, "style": "positive" },
                    { "type": "Action.OpenUrl", "title": reject, "url": links.reject, "style": "destructive" },
                ],
            }));
        }
    }
    items.extend(more_line(header.plans_more, lang).map(|l| text(&l)));
    items
}

/// The title of the pages after the first, so each card says what it is.
fn continuation_title(day: NaiveDate, lang: Language) -> Value {
    let mut block = text(&format!("{} ({})", digest_title(day, lang), tr(lang, "suite", "continued")));
    block["weight"] = json!("Bolder");
    block
}

/// "Page 2/7", so nobody takes the first card for the whole digest.
fn page_footer(page: usize, pages: usize) -> Value {
    let mut block = text(&format!("Page {page}/{pages}"));
    block["isSubtle"] = json!(true);
    block["separator"] = json!(true);
    block
}

/// Short on purpose: shown where the card cannot be (notifications).
fn fallback_text(day: NaiveDate, count: usize, page: usize, pages: usize, lang: Language) -> String {
    let colon = tr(lang, " :", ":");
    let mut out = format!("{}{colon} {}", digest_title(day, lang), reminder_count(count, lang));
    if pages > 1 {
        out.push_str(&format!(" ({page}/{pages})"));
    }
    out
}

/// One entry: who, what, how much, the start of the message, where it
/// stands, and its buttons.
fn entry_container(entry: &DigestEntry, lang: Language, link: &dyn Fn(&str, Action) -> String) -> Value {
    let p = &entry.proposal;
    let mut title = text(&truncate_chars(p.client_name.trim(), MAX_NAME_CHARS));
    title["weight"] = json!("Bolder");
    title["size"] = json!("Medium");
    let mut items = vec![title];
    let tags = entry_tags(entry, lang);
    if !tags.is_empty() {
        items.push(subtle(&tags.join(" · ")));
    }
    if entry.stale {
        let mut block = text(stale_mark(lang));
        block["color"] = json!("Attention");
        block["spacing"] = json!("None");
        items.push(block);
    }
    items.push(subtle(&stage_line(p, lang)));
    items.extend(invoice_items(entry, lang));
    let mut total = text(&total_line(p, lang));
    total["weight"] = json!("Bolder");
    items.push(total);
    let start = preview(entry, PREVIEW_CHARS);
    if !start.is_empty() {
        let mut block = text(&format!("« {start} »"));
        block["isSubtle"] = json!(true);
        block["maxLines"] = json!(4);
        items.push(block);
    }
    for line in status_lines(entry) {
        let mut block = text(&truncate_chars(&line, MAX_LINE_CHARS));
        block["weight"] = json!("Bolder");
        items.push(block);
    }
    if !entry.buttons.is_empty() {
        let id = p.id.as_str();
        let actions: Vec<Value> = entry.buttons.iter().map(|&a| button(a, link(id, a), lang)).collect();
        items.push(json!({ "type": "ActionSet", "actions": actions }));
    }
    json!({ "type": "Container", "separator": true, "spacing": "Large", "items": items })
}

pub(super) fn subtle(line: &str) -> Value {
    let mut block = text(line);
    block["isSubtle"] = json!(true);
    block["spacing"] = json!("None");
    block
}

/// The invoices as facts (number → amount — days late), then the count of
/// those not listed.
fn invoice_items(entry: &DigestEntry, lang: Language) -> Vec<Value> {
    let (rows, more) = invoice_rows(&entry.proposal, lang, MAX_INVOICE_LINES);
    let facts: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "title": teams_inert(&truncate_chars(&r.number, MAX_LINE_CHARS)),
                "value": teams_inert(&format!("{} — {}", r.amount, r.late)),
            })
        })
        .collect();
    let mut items = Vec::new();
    if !facts.is_empty() {
        items.push(json!({ "type": "FactSet", "facts": facts }));
    }
    if let Some(more) = more {
        items.push(subtle(&more));
    }
    items
}

/// A link button. Approve (and "letter posted", the task to tick) is the
/// positive action; Veto is marked destructive since it stops the client's
/// reminders for days.
fn button(action: Action, url: String, lang: Language) -> Value {
    let mut b = json!({ "type": "Action.OpenUrl", "title": action_label(action, lang), "url": url });
    match action {
        Action::Approve | Action::LetterPosted => b["style"] = json!("positive"),
        Action::Veto => b["style"] = json!("destructive"),
        Action::Soften | Action::Snooze | Action::SendAnyway | Action::Preview => {}
    }
    b
}

#[cfg(test)]
#[path = "teams_tests.rs"]
mod tests;
