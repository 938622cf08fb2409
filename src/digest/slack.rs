//! The digest as Slack Block Kit messages, one `chat.postMessage` body per page.
//!
//! Each proposal is a `section` describing it, then a `context` line with what
//! was decided so far (once someone acted), then an `actions` block with the
//! buttons still offered ([`DigestEntry::buttons`]). The actions block's
//! `block_id` is `actions:{proposal_id}:{rev}`: the revision changes at every
//! decision, so each `chat.update` carries new block ids and a click on an
//! outdated rendering is recognised. Every button's `action_id` is
//! `{action}:{proposal_id}` (`veto:20260316-c6a87d7881`): it begins with the
//! English action name, which is how the interaction handler recognises the
//! action, and keeps the ids of one block distinct. Its `value` is the
//! proposal id exactly as `relance plan --json` reports it.
//!
//! Slack's limits are applied with margins, because a payload over any of them
//! is refused whole (`invalid_blocks`, `msg_blocks_too_long`) and the team
//! would get no digest at all:
//! - at most [`MAX_BLOCKS`] blocks per message (Slack: 50);
//! - at most [`MAX_PAGE_CHARS`] characters of serialized blocks per message,
//!   because Slack rejects payloads around 13.2k characters even when every
//!   documented limit is met (slackapi/bolt-js#2509);
//! - section text at most [`MAX_SECTION_CHARS`] (Slack: 3000), invoice lists
//!   summarised after [`MAX_INVOICE_LINES`] lines;
//! - button text, `action_id`, `value` and the fallback `text` far below 75,
//!   255, 2000 and 40,000.
//!
//! A page is re-rendered alone after each click ([`slack_page`]) and must still
//! fit once its entries carry status lines, a stale-data mark, a softer preview
//! or a higher revision, and once the header gains the stale warning and the
//! "send anyway" button. So pages are cut on each entry's and the header's
//! *largest* rendering, not the current one.

use super::describe::{
    digest_title, digest_title_or_name, invoice_bullets, nothing_today, preview, reminder_count, stage_line,
    stale_mark, tags_with_owner, total_line_marked, tr,
};
use super::plan_lines::{command_hint, more_line};
use crate::decision::{action_label, Action};
use crate::domain::{Language, ProposalId};
use crate::policy::Proposal;
use crate::render::format::{truncate_chars, truncate_chars_mended};
use chrono::NaiveDate;
use std::ops::Range;

pub use super::model::{DigestEntry, DigestHeader, Owner};
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
/// Characters, once JSON-encoded, of an entry's status line: a bound known in
/// advance, so pages can keep room for statuses that do not exist yet. The
/// longest real status (softened, then vetoed with a 200-character reason) is
/// about 320; a longer one is cut, its full text staying in the audit log.
pub const MAX_STATUS_JSON_CHARS: usize = 400;
/// Characters an escaped preview may grow by beyond [`PREVIEW_CHARS`] (a
/// softer template naming "Durand & Fils" escapes its `&`).
const PREVIEW_ESCAPE_MARGIN: usize = 40;
/// Characters of a client name in an entry title.
const MAX_NAME_CHARS: usize = 150;
/// Button text; Slack allows 75 and visibly cuts at about 30.
const MAX_BUTTON_CHARS: usize = 30;
/// Text of a confirmation dialog; Slack allows 300.
const MAX_CONFIRM_TEXT_CHARS: usize = 280;
/// Blocks an entry may take: section, status, actions.
const ENTRY_BLOCKS: usize = 3;
/// Blocks the header may take: warning, totals, plans waiting, "send anyway".
const HEADER_BLOCKS: usize = 4;
/// Characters reserved for a stale warning the header may gain later.
const WARNING_RESERVE_CHARS: usize = 300;
/// Room for the page footer, added once the number of pages is known.
const FOOTER_BLOCKS: usize = 1;
const FOOTER_CHARS: usize = 200;

/// One `chat.postMessage` body and the proposals it holds, in order, so the
/// caller can re-render that page alone ([`slack_page`]) after a click.
#[derive(Debug, Clone, PartialEq)]
pub struct SlackPage {
    pub body: Value,
    pub entries: Vec<ProposalId>,
}

/// Escapes Slack's three control characters, `&` first so the entities it
/// produces are not escaped again. Only these three: Slack shows any other
/// HTML entity literally.
pub fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The digest as `chat.postMessage` bodies (`{"text", "blocks"}`), in order.
/// Always at least one page; every entry appears on exactly one page.
pub fn slack_digest_pages(header: &DigestHeader, entries: &[DigestEntry], lang: Language) -> Vec<SlackPage> {
    let costs: Vec<Cost> = entries.iter().map(|e| entry_cost(e, lang)).collect();
    let ranges = paginate(header_cost(header, lang), &costs);
    let pages = ranges.len();
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            let members = &entries[range];
            SlackPage {
                body: slack_page((i == 0).then_some(header), members, i + 1, pages, lang),
                entries: members.iter().map(|e| e.proposal.id.clone()).collect(),
            }
        })
        .collect()
}

/// One page (1-based `page` of `pages`) as a `chat.postMessage` or
/// `chat.update` body: the header when given (the first page), then the
/// entries, then "Page 2/7" when there are several pages.
pub fn slack_page(
    header: Option<&DigestHeader>,
    entries: &[DigestEntry],
    page: usize,
    pages: usize,
    lang: Language,
) -> Value {
    let mut blocks = header.map(|h| header_blocks(h, entries.is_empty() && pages <= 1, lang)).unwrap_or_default();
    for entry in entries {
        blocks.extend(entry_blocks(entry, lang));
    }
    if pages > 1 {
        blocks.push(page_footer(page, pages));
    }
    let date = header.map(|h| h.date).or_else(|| entries.first().map(|e| e.proposal.date));
    let count = (pages <= 1).then_some(entries.len());
    json!({ "text": fallback_text(date, count, page, pages, lang), "blocks": blocks })
}

/// What a part of a page may take at most: blocks and serialized characters.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cost {
    pub(super) blocks: usize,
    pub(super) chars: usize,
}

/// Groups entries into pages, greedily and in order, so that every page stays
/// within [`MAX_BLOCKS`] and [`MAX_PAGE_CHARS`] with the header (first page)
/// and the footer. An entry is never split nor dropped: one that does not fit
/// after others opens the next page, and one entry alone always fits since its
/// section is capped at [`MAX_SECTION_CHARS`].
pub(super) fn paginate(head: Cost, costs: &[Cost]) -> Vec<Range<usize>> {
    let mut pages: Vec<Range<usize>> = std::iter::once(0..0).collect();
    let (mut blocks, mut chars) = (head.blocks + FOOTER_BLOCKS, head.chars + FOOTER_CHARS);
    for (i, cost) in costs.iter().enumerate() {
        let current = pages.last().expect("at least one page");
        // The first page already holds the header, so even its first entry may move on.
        let page_has_content = i == 0 || current.end > current.start;
        if page_has_content && (blocks + cost.blocks > MAX_BLOCKS || chars + cost.chars > MAX_PAGE_CHARS) {
            pages.push(i..i);
            (blocks, chars) = (FOOTER_BLOCKS, FOOTER_CHARS);
        }
        pages.last_mut().expect("at least one page").end = i + 1;
        blocks += cost.blocks;
        chars += cost.chars;
    }
    pages
}

/// Characters of the blocks as Slack receives them (separators included).
pub(super) fn json_chars(blocks: &[Value]) -> usize {
    blocks.iter().map(|b| b.to_string().chars().count() + 1).sum()
}

/// The header at its largest: with a warning and the "send anyway" button,
/// which it gains if the ledger grows stale during the day.
fn header_cost(header: &DigestHeader, lang: Language) -> Cost {
    let largest = DigestHeader {
        warning: header.warning.clone().or_else(|| Some("x".repeat(WARNING_RESERVE_CHARS))),
        send_anyway: true,
        ..header.clone()
    };
    Cost { blocks: HEADER_BLOCKS, chars: json_chars(&header_blocks(&largest, true, lang)) }
}

/// The largest sets of buttons an entry shows: all four decisions while
/// pending; Veto, Snooze and "letter posted" once its letter is written.
const LARGEST_BUTTONS: [&[Action]; 2] = [&Action::ALL, &[Action::Veto, Action::Snooze, Action::LetterPosted]];

/// An entry at its largest: marked stale, with a full-length preview, a
/// status line of the longest allowed size, its largest set of buttons and
/// the longest revision number.
fn entry_cost(entry: &DigestEntry, lang: Language) -> Cost {
    let id = entry.proposal.id.as_str();
    let section = section(format!("entry:{id}"), &entry_text(entry, true, lang));
    let current = slack_escape(&preview(entry, PREVIEW_CHARS)).chars().count();
    let preview_growth = (PREVIEW_CHARS + PREVIEW_ESCAPE_MARGIN).saturating_sub(current);
    let status = status_block(id, "");
    let actions = LARGEST_BUTTONS
        .iter()
        .map(|buttons| json_chars(&[actions_block(&entry.proposal, buttons, u32::MAX, lang)]))
        .max()
        .unwrap_or_default();
    let chars = json_chars(&[section, status]) + actions + preview_growth + MAX_STATUS_JSON_CHARS;
    Cost { blocks: ENTRY_BLOCKS, chars }
}

/// The stale warning, the title and totals, and the "send anyway" button.
fn header_blocks(header: &DigestHeader, say_empty: bool, lang: Language) -> Vec<Value> {
    let mut blocks = Vec::new();
    if let Some(warning) = header.warning.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        blocks.push(section("digest:warning".to_string(), &warning_text(warning)));
    }
    let mut lines = vec![format!("*{}*", digest_title(header.date, lang))];
    lines.extend(header.lines.iter().map(|l| slack_escape(l)));
    if say_empty {
        lines.push(nothing_today(lang).to_string());
    }
    blocks.push(section("digest:header".to_string(), &lines.join("\n")));
    if let Some(plans) = plans_text(header, lang) {
        blocks.push(section("digest:plans".to_string(), &plans));
    }
    if header.send_anyway {
        blocks.push(send_anyway_block(header.date, lang));
    }
    blocks
}

/// The plans waiting for finance, each with the commands that decide it
/// (a digest message has no reply buttons of its own); at most
/// `MAX_WAITING_PLANS` lines, then "… et N autres".
fn plans_text(header: &DigestHeader, lang: Language) -> Option<String> {
    if header.plans.is_empty() {
        return None;
    }
    let mut lines: Vec<String> = header
        .plans
        .iter()
        .map(|p| format!("{} — {}", slack_escape(&p.line), command_hint(&p.id.to_string(), lang)))
        .collect();
    lines.extend(more_line(header.plans_more, lang));
    Some(lines.join("\n"))
}

/// Every line bold, the first behind ⚠️: it must be read before anything else.
fn warning_text(warning: &str) -> String {
    let lines: Vec<String> = warning
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| if i == 0 { format!("*⚠️ {}*", slack_escape(l)) } else { format!("*{}*", slack_escape(l)) })
        .collect();
    lines.join("\n")
}

/// Finance's "send anyway": releases every approval held for stale data. Its
/// value is the day (`2026-03-16`), the only thing it is about.
fn send_anyway_block(date: NaiveDate, lang: Language) -> Value {
    let day = date.format("%Y-%m-%d").to_string();
    let label = action_label(Action::SendAnyway, lang);
    let confirm = confirm_dialog(
        tr(lang, "Envoyer sans données fraîches ?", "Send without fresh data?"),
        tr(
            lang,
            "Les relances approuvées partiront sans attendre l'import des paiements : un client qui a payé entre-temps peut être relancé.",
            "Approved reminders will leave without waiting for the payments import: a client who paid meanwhile may be chased.",
        ),
        label,
        lang,
    );
    json!({
        "type": "actions",
        "block_id": "digest:send_anyway",
        "elements": [{
            "type": "button",
            "text": { "type": "plain_text", "text": truncate_chars(label, MAX_BUTTON_CHARS) },
            "action_id": format!("{}:{day}", Action::SendAnyway.as_str()),
            "value": day,
            "style": "danger",
            "confirm": confirm,
        }],
    })
}

/// Short on purpose: it is the notification text and the screen-reader text.
/// The count is given only for a single-page digest, where the page knows it.
fn fallback_text(date: Option<NaiveDate>, count: Option<usize>, page: usize, pages: usize, lang: Language) -> String {
    let mut text = digest_title_or_name(date, lang);
    if let Some(count) = count {
        text.push_str(&format!("{} {}", tr(lang, " :", ":"), reminder_count(count, lang)));
    }
    if pages > 1 {
        text.push_str(&format!(" ({page}/{pages})"));
    }
    text
}

/// "Page 2/7", so nobody takes the first message for the whole digest.
pub(super) fn page_footer(page: usize, pages: usize) -> Value {
    json!({
        "type": "context",
        "block_id": format!("digest:page:{page}"),
        "elements": [{ "type": "mrkdwn", "text": format!("Page {page}/{pages}") }],
    })
}

/// The section describing a proposal, its status if any, its buttons if any.
fn entry_blocks(entry: &DigestEntry, lang: Language) -> Vec<Value> {
    let id = entry.proposal.id.as_str();
    let mut blocks = vec![section(format!("entry:{id}"), &entry_text(entry, entry.stale, lang))];
    if let Some(status) = entry.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        blocks.push(status_block(id, &truncate_for_json(&slack_escape(status), MAX_STATUS_JSON_CHARS)));
    }
    if !actions_of(&entry.buttons).is_empty() {
        blocks.push(actions_block(&entry.proposal, &entry.buttons, entry.rev, lang));
    }
    blocks
}

/// "✅ Approuvé par Claire à 09:12", already escaped and bounded.
fn status_block(id: &str, text: &str) -> Value {
    json!({
        "type": "context",
        "block_id": format!("status:{id}"),
        "elements": [{ "type": "mrkdwn", "text": text }],
    })
}

pub(super) fn section(block_id: String, text: &str) -> Value {
    json!({
        "type": "section",
        "block_id": block_id,
        "text": { "type": "mrkdwn", "text": truncate_escaped(text, MAX_SECTION_CHARS) },
    })
}

/// Title, stage line, invoices, total and preview, all client data escaped.
fn entry_text(entry: &DigestEntry, stale: bool, lang: Language) -> String {
    let p = &entry.proposal;
    let mut lines = vec![title_line(entry, stale, lang), stage_line(p, lang)];
    lines.extend(invoice_bullets(p, lang, MAX_INVOICE_LINES, slack_escape));
    lines.push(total_line_marked(p, lang, "*"));
    let start = preview(entry, PREVIEW_CHARS);
    if !start.is_empty() {
        lines.push(format!("> {}", slack_escape(&start)));
    }
    lines.join("\n")
}

/// `*Garage Martin*  ⭐ stratégique · suivi par <@U024BE7LH> · ⚠️ données
/// anciennes`. The owner is mentioned so the sales rep is notified of their
/// strategic client and can veto in time.
fn title_line(entry: &DigestEntry, stale: bool, lang: Language) -> String {
    let p = &entry.proposal;
    let mut tags = tags_with_owner(p, owner_tag(entry), lang);
    if stale {
        tags.push(stale_mark(lang).to_string());
    }
    let name = slack_escape(&truncate_chars(p.client_name.trim(), MAX_NAME_CHARS));
    if tags.is_empty() {
        format!("*{name}*")
    } else {
        format!("*{name}*  {}", tags.join(" · "))
    }
}

/// `<@U024BE7LH>` when `people:` gives the owner's Slack id, so Slack notifies
/// them; else `@name` escaped, which notifies nobody. An id that is not a
/// plain Slack member id is not trusted into a mention.
fn owner_tag(entry: &DigestEntry) -> Option<String> {
    if let Some(owner) = &entry.owner {
        if let Some(id) = owner.slack.as_deref().map(str::trim).filter(|id| is_slack_member_id(id)) {
            return Some(format!("<@{id}>"));
        }
        if let Some(name) = plain_owner(&owner.name) {
            return Some(name);
        }
    }
    entry.proposal.owner.as_deref().and_then(plain_owner)
}

fn plain_owner(name: &str) -> Option<String> {
    let name = name.trim().trim_start_matches('@');
    (!name.is_empty()).then(|| format!("@{}", slack_escape(&truncate_chars(name, MAX_NAME_CHARS))))
}

/// Slack member ids are short upper-case alphanumerics (`U024BE7LH`, `W0…`).
pub(crate) fn is_slack_member_id(id: &str) -> bool {
    (2..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The decisions an entry's buttons may offer, in the given order. "Send
/// anyway" is about the whole day and lives in the header only.
fn actions_of(buttons: &[Action]) -> Vec<Action> {
    buttons.iter().copied().filter(|a| *a != Action::SendAnyway).collect()
}

/// The entry's buttons. Approve is the primary action; Veto is red and asks
/// for confirmation, since it stops the client's reminders for days.
fn actions_block(p: &Proposal, buttons: &[Action], rev: u32, lang: Language) -> Value {
    let id = p.id.as_str();
    let elements: Vec<Value> = actions_of(buttons)
        .into_iter()
        .map(|action| {
            let mut button = json!({
                "type": "button",
                "text": { "type": "plain_text", "text": truncate_chars(action_label(action, lang), MAX_BUTTON_CHARS) },
                "action_id": format!("{}:{id}", action.as_str()),
                "value": id,
            });
            match action {
                Action::Approve | Action::LetterPosted => button["style"] = json!("primary"),
                Action::Veto => {
                    button["style"] = json!("danger");
                    button["confirm"] = veto_confirm(p, lang);
                }
                Action::Soften | Action::Snooze | Action::SendAnyway | Action::Preview => {}
            }
            button
        })
        .collect();
    let mut elements = elements;
    // Preview answers the clicker alone with the whole message.
    if !elements.is_empty() {
        let label = truncate_chars(action_label(Action::Preview, lang), MAX_BUTTON_CHARS);
        elements.push(json!({
            "type": "button",
            "text": { "type": "plain_text", "text": label },
            "action_id": format!("preview:{id}"),
            "value": id,
        }));
    }
    json!({ "type": "actions", "block_id": format!("actions:{id}:{rev}"), "elements": elements })
}

/// The confirmation dialog of the Veto button. Plain text, where Slack parses
/// no mention, so the client name needs no escaping here.
fn veto_confirm(p: &Proposal, lang: Language) -> Value {
    let name = truncate_chars(p.client_name.trim(), MAX_NAME_CHARS);
    let text = match lang {
        Language::Fr => format!("Aucune relance ne partira vers {name} tant que le veto tient."),
        Language::En => format!("No reminder will go to {name} while the veto holds."),
    };
    confirm_dialog(tr(lang, "Mettre un veto ?", "Veto this reminder?"), &text, "Veto", lang)
}

/// A red confirmation dialog, all plain text.
fn confirm_dialog(title: &str, text: &str, confirm: &str, lang: Language) -> Value {
    json!({
        "title": { "type": "plain_text", "text": truncate_chars(title, 100) },
        "text": { "type": "plain_text", "text": truncate_chars(text, MAX_CONFIRM_TEXT_CHARS) },
        "confirm": { "type": "plain_text", "text": truncate_chars(confirm, MAX_BUTTON_CHARS) },
        "deny": { "type": "plain_text", "text": tr(lang, "Annuler", "Cancel") },
        "style": "danger",
    })
}

/// Like [`truncate_chars`] on already-escaped text, without leaving half an
/// entity (`&am…`) behind the cut.
pub(crate) fn truncate_escaped(text: &str, max: usize) -> String {
    truncate_chars_mended(text, max, drop_half_entity)
}

/// Like [`truncate_escaped`], but `max` bounds the characters of the text once
/// JSON-encoded (a quote or a newline takes two), so the size of the block it
/// goes in is known in advance whatever the text holds.
fn truncate_for_json(text: &str, max: usize) -> String {
    let cost = |c: char| match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        c if (c as u32) < 0x20 => 6,
        _ => 1,
    };
    // The quotes around the string count too.
    if text.chars().map(cost).sum::<usize>() + 2 <= max {
        return text.to_string();
    }
    let mut used = 3; // the quotes and the ellipsis
    let mut kept: String = text
        .chars()
        .take_while(|&c| {
            used += cost(c);
            used <= max
        })
        .collect();
    drop_half_entity(&mut kept);
    kept.push('…');
    kept
}

/// Drops a half entity (`&am`) left at the end of a cut text.
fn drop_half_entity(kept: &mut String) {
    if let Some(amp) = kept.rfind('&') {
        if !kept[amp..].contains(';') {
            kept.truncate(amp);
        }
    }
}

#[cfg(test)]
#[path = "slack_tests.rs"]
mod tests;
