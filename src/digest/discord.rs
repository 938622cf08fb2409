//! The digest as Discord "Create Message" bodies: one embed per proposal and
//! one action row of buttons under it (legacy components, not Components V2,
//! which would forbid `content` and `embeds`).
//!
//! Every limit is Discord's documented one, applied with a margin, because a
//! body over any of them is refused whole (`50035 Invalid Form Body`) and the
//! team would get no digest at all:
//! - at most 5 action rows per message, so at most [`MAX_ENTRIES_PER_PAGE`]
//!   entries (one row each), one fewer on page 1 when the header offers
//!   "send anyway"; at most 6 embeds (the header and 5 entries, Discord: 10);
//! - at most [`PAGE_EMBED_CHARS`] characters across a message's embeds
//!   (Discord: 6000), counted as if every entry already showed the longest
//!   status and preview it may later get, so re-rendering a page in place
//!   after a click never overflows it ([`discord_page`] still shortens
//!   descriptions as a last resort);
//! - title 256, description [`MAX_DESCRIPTION_CHARS`] (Discord: 4096),
//!   `content` 2000, button label 80, `custom_id` 100 (ours are at most 89:
//!   `letter_posted:`, a 64-character proposal id, `:` and a 10-digit
//!   revision).
//!
//! Client data is untrusted: a client named `@everyone <@&123>` must ping no
//! one and a name like `[payé](https://…)` must not become a link. So every
//! body carries `allowed_mentions: {"parse": [], "users": [owners]}` — only
//! the strategic clients' owners, named in `content` since mentions inside
//! embeds never notify — and every client-supplied string is escaped with
//! [`discord_escape`] before it reaches Markdown.

use super::describe::{
    digest_title, digest_title_or_name, invoice_bullets, nothing_today, stage_line, stale_mark, tags_with_owner,
    total_line_marked, tr,
};
use super::model::{DigestEntry, DigestHeader};
use super::plan_lines::{command_hint, more_line};
use crate::decision::{action_label, Action};
use crate::domain::{Language, ProposalId, Stage};
use crate::render::format::{one_line, truncate_chars, truncate_chars_mended};
use chrono::NaiveDate;
use serde_json::{json, Value};
use std::ops::Range;

/// Entries per message: one action row each, and Discord allows 5 rows.
pub const MAX_ENTRIES_PER_PAGE: usize = 5;
/// Characters across a message's embeds; Discord allows 6000.
pub const PAGE_EMBED_CHARS: usize = 5_800;
/// Description of one embed; Discord allows 4096.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
/// Plans waiting for approval listed in the header.
const MAX_PLANS: usize = 5;
/// Invoices listed per entry before the rest is summarised in one line.
pub const MAX_INVOICE_LINES: usize = 10;
/// Characters of the message preview shown per entry (after escaping).
pub const PREVIEW_CHARS: usize = 300;
/// Characters of the decision status shown per entry (after escaping).
pub const STATUS_CHARS: usize = 400;
/// Discord's hard limit on the characters of all embeds of a message.
pub(super) const DISCORD_EMBED_CHARS: usize = 6_000;
/// Discord's limit on a message's `content`.
pub(super) const MAX_CONTENT_CHARS: usize = 2_000;
/// Discord's limit on an embed title.
pub(super) const MAX_TITLE_CHARS: usize = 256;
/// Characters of a client name before escaping, so the title fits once escaped.
const MAX_NAME_CHARS: usize = 120;
/// Discord's limit on a button label.
const MAX_LABEL_CHARS: usize = 80;
/// Room kept for small growths on re-rendering (a softer tone's longer label,
/// "données anciennes" appearing).
const ENTRY_SLACK_CHARS: usize = 60;
/// Room kept for the header's lines to change when page 1 is re-rendered.
const HEADER_SLACK_CHARS: usize = 300;

/// Discord button styles.
const STYLE_SECONDARY: u8 = 2;
const STYLE_SUCCESS: u8 = 3;
const STYLE_DANGER: u8 = 4;
const STYLE_LINK: u8 = 5;

/// How the buttons answer.
#[derive(Clone, Copy)]
pub enum ButtonKind<'a> {
    /// Buttons whose click Discord posts to `/discord/interactions`, with a
    /// `custom_id` of `{action}:{proposal_id}:{rev}` (bot posting).
    Interactive,
    /// Link buttons (style 5) to signed decision pages, for messages posted
    /// through a webhook, whose buttons cannot call back. The function gives
    /// the URL for a proposal and an action (for "send anyway", the proposal
    /// id is the day, `2026-03-16`). Discord refuses URLs over 512 characters.
    Links(&'a dyn Fn(&ProposalId, Action) -> String),
}

/// One message of the digest and the proposals it shows, in order, so the
/// caller can store which message to edit when one of them changes.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscordPage {
    pub body: Value,
    pub entries: Vec<ProposalId>,
}

/// The digest as "Create Message" bodies, in order. Always at least one page
/// (the header); every entry appears on exactly one page.
pub fn discord_digest_pages(
    header: &DigestHeader,
    entries: &[DigestEntry],
    lang: Language,
    buttons: ButtonKind,
) -> Vec<DiscordPage> {
    let groups = paginate(header, entries, lang);
    let pages = groups.len();
    groups
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            let members = &entries[range];
            let head = (i == 0).then_some(header);
            DiscordPage {
                body: discord_page(head, members, i + 1, pages, lang, buttons),
                entries: members.iter().map(|e| e.proposal.id.clone()).collect(),
            }
        })
        .collect()
}

/// One page's body, for posting or for editing the message in place after a
/// click (`header` only on page 1). Give it the entries
/// [`discord_digest_pages`] put on that page: at most
/// [`MAX_ENTRIES_PER_PAGE`], one fewer with the "send anyway" button.
pub fn discord_page(
    header: Option<&DigestHeader>,
    entries: &[DigestEntry],
    page: usize,
    pages: usize,
    lang: Language,
    buttons: ButtonKind,
) -> Value {
    let mut embeds = Vec::new();
    let mut rows = Vec::new();
    if let Some(h) = header {
        embeds.push(header_embed(h, entries.is_empty(), lang));
        if h.send_anyway {
            rows.push(send_anyway_row(h.date, lang, buttons));
        }
    }
    for entry in entries {
        embeds.push(entry_embed(entry, lang));
        if !entry.buttons.is_empty() {
            rows.push(entry_row(entry, lang, buttons));
        }
    }
    debug_assert!(rows.len() <= 5, "{} action rows: give discord_page one page's entries", rows.len());
    fit_embeds(&mut embeds, DISCORD_EMBED_CHARS);
    let day = header.map(|h| h.date).or_else(|| entries.first().map(|e| e.proposal.date));
    let owners = owner_ids(entries);
    json!({
        "content": content(day, header.and_then(|h| h.warning.as_ref()).is_some(), &owners, page, pages, lang),
        "embeds": embeds,
        "components": rows,
        "allowed_mentions": { "parse": [], "users": owners },
    })
}

/// Escapes Discord Markdown in untrusted text so it shows as typed: a
/// backslash before every character that starts formatting, a link, a
/// mention (`<@…>`, `<#…>`, `<t:…>`) or a spoiler, and before `#`, `-`, `>`
/// and `+` opening a line (headings, lists, quotes). Discord renders `\x` as
/// `x` for any punctuation, so nothing visible changes.
pub fn discord_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut line_start = true;
    for c in text.chars() {
        let block_marker = line_start && matches!(c, '#' | '-' | '>' | '+');
        if block_marker || matches!(c, '\\' | '*' | '_' | '~' | '`' | '|' | '<' | '>' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
        line_start = c == '\n' || (line_start && c == ' ');
    }
    out
}

/// Groups entries into pages, greedily and in order: at most
/// [`MAX_ENTRIES_PER_PAGE`] action rows (on the first page, the "send anyway"
/// row counts too) and [`PAGE_EMBED_CHARS`] of embeds, each entry weighed at
/// the largest it may grow to. Every entry counts one row even once decided, so a page
/// keeps the same entries for the whole day.
fn paginate(header: &DigestHeader, entries: &[DigestEntry], lang: Language) -> Vec<Range<usize>> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut rows = usize::from(header.send_anyway);
    let mut chars = embed_chars(&header_embed(header, entries.is_empty(), lang)) + HEADER_SLACK_CHARS;
    for (i, entry) in entries.iter().enumerate() {
        let weight = entry_weight(entry, lang);
        let page_has_content = i > start || pages.is_empty();
        if page_has_content && (rows + 1 > MAX_ENTRIES_PER_PAGE || chars + weight > PAGE_EMBED_CHARS) {
            pages.push(start..i);
            start = i;
            (rows, chars) = (0, 0);
        }
        rows += 1;
        chars += weight;
    }
    pages.push(start..entries.len());
    pages
}

/// The characters an entry's embed may reach later in the day: its current
/// content with the longest status and preview, stale, plus some slack.
fn entry_weight(entry: &DigestEntry, lang: Language) -> usize {
    let mut worst = entry.clone();
    worst.status = Some("x".repeat(STATUS_CHARS));
    worst.preview = "x".repeat(PREVIEW_CHARS);
    worst.stale = true;
    embed_chars(&entry_embed(&worst, lang)) + ENTRY_SLACK_CHARS
}

/// What Discord counts towards the 6000 characters of a message's embeds.
pub(super) fn embed_chars(embed: &Value) -> usize {
    let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    let fields: usize =
        embed["fields"].as_array().map_or(0, |fields| fields.iter().map(|f| len(&f["name"]) + len(&f["value"])).sum());
    len(&embed["title"])
        + len(&embed["description"])
        + len(&embed["footer"]["text"])
        + len(&embed["author"]["name"])
        + fields
}

/// Last resort when a re-rendered page grew past `limit`: shortens the
/// longest descriptions until the embeds fit. Pagination's reserves make
/// this unreachable in practice; it keeps the body valid if they were wrong.
pub(super) fn fit_embeds(embeds: &mut [Value], limit: usize) {
    let mut total: usize = embeds.iter().map(embed_chars).sum();
    while total > limit {
        let Some(longest) = embeds.iter_mut().max_by_key(|e| e["description"].as_str().map_or(0, str::len)) else {
            return;
        };
        let text = longest["description"].as_str().unwrap_or("").to_string();
        let count = text.chars().count();
        if count <= 1 {
            return;
        }
        let keep = count.saturating_sub(total - limit + 1).max(1);
        let shorter = truncate_escaped(&text, keep);
        total = total - count + shorter.chars().count();
        longest["description"] = json!(shorter);
    }
}

/// The title, warning and totals, and a line when there is nothing to decide.
fn header_embed(header: &DigestHeader, empty: bool, lang: Language) -> Value {
    let title = digest_title(header.date, lang);
    let mut lines = Vec::new();
    if let Some(warning) = &header.warning {
        lines.push(format!("⚠️ **{}**", discord_escape(warning)));
    }
    lines.extend(header.lines.iter().map(|l| discord_escape(l)));
    lines.extend(plan_lines(header, lang));
    if empty {
        lines.push(nothing_today(lang).to_string());
    }
    let colour = if header.warning.is_some() { 0xE67E22 } else { 0x5865F2 };
    let mut embed = json!({ "title": title, "color": colour });
    if !lines.is_empty() {
        embed["description"] = json!(truncate_escaped(&lines.join("\n"), MAX_DESCRIPTION_CHARS));
    }
    embed
}

/// The plans waiting for finance, fewer than elsewhere ([`MAX_PLANS`]: the
/// header's description shares 2,000 characters with the totals), then
/// "… et N autres" and the commands that decide them.
fn plan_lines(header: &DigestHeader, lang: Language) -> Vec<String> {
    if header.plans.is_empty() {
        return Vec::new();
    }
    let shown = &header.plans[..header.plans.len().min(MAX_PLANS)];
    let mut lines: Vec<String> = shown.iter().map(|p| discord_escape(&p.line)).collect();
    lines.extend(more_line(header.plans.len() - shown.len() + header.plans_more, lang));
    lines.push(format!("→ {}", command_hint("<n°>", lang)));
    lines
}

/// Page 1's "send anyway" row: releases approvals held for stale data.
fn send_anyway_row(day: NaiveDate, lang: Language, kind: ButtonKind) -> Value {
    let day = ProposalId::parse(&day.format("%Y-%m-%d").to_string()).expect("a date is a valid id");
    json!({ "type": 1, "components": [button(Action::SendAnyway, &day, None, lang, kind)] })
}

/// The entry's buttons, in the order the decision layer gives them.
fn entry_row(entry: &DigestEntry, lang: Language, kind: ButtonKind) -> Value {
    let id = &entry.proposal.id;
    let mut buttons: Vec<Value> =
        entry.buttons.iter().take(5).map(|&action| button(action, id, Some(entry.rev), lang, kind)).collect();
    // Preview answers privately with the whole message: only where a click
    // reaches the bot (not on webhook link buttons), and in the row's room.
    if matches!(kind, ButtonKind::Interactive) && !buttons.is_empty() && buttons.len() < 5 {
        buttons.push(button(Action::Preview, id, Some(entry.rev), lang, kind));
    }
    json!({ "type": 1, "components": buttons })
}

/// A button: `custom_id` `{action}:{id}[:{rev}]`, or a link for webhooks.
fn button(action: Action, id: &ProposalId, rev: Option<u32>, lang: Language, kind: ButtonKind) -> Value {
    let label = truncate_chars(action_label(action, lang), MAX_LABEL_CHARS);
    match kind {
        ButtonKind::Interactive => {
            let custom_id = match rev {
                Some(rev) => format!("{}:{id}:{rev}", action.as_str()),
                None => format!("{}:{id}", action.as_str()),
            };
            json!({ "type": 2, "style": style(action), "label": label, "custom_id": custom_id })
        }
        ButtonKind::Links(url) => json!({ "type": 2, "style": STYLE_LINK, "label": label, "url": url(id, action) }),
    }
}

/// Approve (and "letter posted", the task to tick) is green, Veto red (it
/// stops the client's reminders for days).
fn style(action: Action) -> u8 {
    match action {
        Action::Approve | Action::LetterPosted => STYLE_SUCCESS,
        Action::Veto => STYLE_DANGER,
        Action::Soften | Action::Snooze | Action::SendAnyway | Action::Preview => STYLE_SECONDARY,
    }
}

/// From calm blue (before the due date) to dark red (formal notice).
fn stage_colour(stage: Stage) -> u32 {
    match stage {
        Stage::PreDue => 0x3498DB,
        Stage::First => 0xF1C40F,
        Stage::Second => 0xE67E22,
        Stage::Final => 0xE74C3C,
        Stage::FormalNotice => 0x992D22,
    }
}

/// One proposal: the client as title, everything else in the description,
/// the proposal id in the footer (what to quote when asking about it).
fn entry_embed(entry: &DigestEntry, lang: Language) -> Value {
    let p = &entry.proposal;
    let name = one_line(p.client_name.trim());
    let title = truncate_escaped(&discord_escape(&truncate_chars(&name, MAX_NAME_CHARS)), MAX_TITLE_CHARS);
    json!({
        "title": if title.is_empty() { "?".to_string() } else { title },
        "description": truncate_escaped(&entry_description(entry, lang), MAX_DESCRIPTION_CHARS),
        "color": stage_colour(p.stage),
        "footer": { "text": p.id.as_str() },
    })
}

/// Stale mark, tags, stage line, invoices, total, preview and status.
fn entry_description(entry: &DigestEntry, lang: Language) -> String {
    let p = &entry.proposal;
    let mut lines = Vec::new();
    if entry.stale {
        lines.push(stale_mark(lang).to_string());
    }
    let tags = tags_with_owner(p, owner_tag(entry), lang);
    if !tags.is_empty() {
        lines.push(tags.join(" · "));
    }
    lines.push(stage_line(p, lang));
    lines.extend(invoice_bullets(p, lang, MAX_INVOICE_LINES, discord_escape));
    lines.push(total_line_marked(p, lang, "**"));
    let preview = one_line(&entry.preview);
    if !preview.is_empty() {
        lines.push(format!("> {}", truncate_escaped(&discord_escape(&preview), PREVIEW_CHARS)));
    }
    if let Some(status) = entry.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        lines.push(truncate_escaped(&discord_escape(status), STATUS_CHARS));
    }
    lines.join("\n")
}

/// The owner in the tags (`⭐ stratégique · suivi par <@id>`): a mention
/// when `people:` gives their Discord id, else their name escaped. The owner
/// is shown so the sales rep sees their strategic client and can veto in time.
fn owner_tag(entry: &DigestEntry) -> Option<String> {
    match &entry.owner {
        Some(o) => o.discord.as_deref().filter(|id| is_snowflake(id)).map(|id| format!("<@{id}>")).or_else(|| {
            let name = one_line(o.name.trim());
            (!name.is_empty()).then(|| discord_escape(&truncate_chars(&name, MAX_NAME_CHARS)))
        }),
        None => entry
            .proposal
            .owner
            .as_deref()
            .map(|o| one_line(o.trim().trim_start_matches('@')))
            .filter(|o| !o.is_empty())
            .map(|o| discord_escape(&truncate_chars(&o, MAX_NAME_CHARS))),
    }
}

/// The Discord ids of the entries' owners, once each, in order. An id that
/// is not a snowflake (a typo in `people:`) is left out: Discord would refuse
/// the whole message for it.
fn owner_ids(entries: &[DigestEntry]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for id in entries.iter().filter_map(|e| e.owner.as_ref()?.discord.as_deref()) {
        if is_snowflake(id) && !ids.iter().any(|known| known == id) {
            ids.push(id.to_string());
        }
    }
    ids
}

/// A Discord id: 1 to 20 ASCII digits.
pub(crate) fn is_snowflake(id: &str) -> bool {
    (1..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

/// The notification text: "Relances proposées — lundi 16 mars 2026 (1/30)",
/// then the owners to notify. No client data, so nothing in it can ping.
fn content(
    day: Option<NaiveDate>,
    warning: bool,
    owners: &[String],
    page: usize,
    pages: usize,
    lang: Language,
) -> String {
    let mut text = String::new();
    if warning {
        text.push_str("⚠️ ");
    }
    text.push_str(&digest_title_or_name(day, lang));
    if pages > 1 {
        text.push_str(&format!(" ({page}/{pages})"));
    }
    if !owners.is_empty() {
        let mentions: Vec<String> = owners.iter().map(|id| format!("<@{id}>")).collect();
        let lead = tr(lang, "⭐ Clients stratégiques à revoir :", "⭐ Strategic clients to review:");
        text.push_str(&format!("\n{lead} {}", mentions.join(" ")));
    }
    truncate_chars(&text, MAX_CONTENT_CHARS)
}

/// Like [`truncate_chars`] on escaped text, without leaving a lone backslash
/// before the `…` (which would escape it instead of the character it was for).
pub fn truncate_escaped(text: &str, max: usize) -> String {
    truncate_chars_mended(text, max, |kept| {
        let trailing = kept.chars().rev().take_while(|&c| c == '\\').count();
        if trailing % 2 == 1 {
            kept.pop();
        }
    })
}

#[cfg(test)]
#[path = "discord_tests.rs"]
mod tests;
