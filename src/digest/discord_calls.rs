//! The "📞 À appeler" section in Discord: its own messages after the
//! reminder pages, one embed per call, the day's outcomes in it, and the
//! outcome buttons under the embeds, within Discord's limits (`discord.rs`):
//! seven buttons take two action rows and a message holds five, so at most
//! [`MAX_CALLS_PER_PAGE`] calls per message; and [`PAGE_EMBED_CHARS`]
//! characters of embeds, counted without the outcomes (their room is
//! reserved), so a page re-rendered after a click holds the calls it held
//! and is edited in place.
//!
//! Discord makes only `http(s)` links clickable, so the number is written
//! out in bold and followed by its `tel:` link in Markdown, which some
//! clients open and the others show as text.

use super::call_buttons::CallButton;
use super::call_lines::{
    call_count, call_invoice_bullets, call_note_line, call_total_line, caller_line, calls_title, owner_name,
    reminders_line, script_label, script_lines, shown_notes, MAX_CALL_INVOICES, MAX_CALL_NAME_CHARS, MAX_CALL_NOTES,
};
use super::discord::{
    discord_escape, embed_chars, fit_embeds, is_snowflake, truncate_escaped, DISCORD_EMBED_CHARS, MAX_CONTENT_CHARS,
    MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS, PAGE_EMBED_CHARS,
};
use super::model::CallEntry;
use super::teams_calls::CallLinkFn;
use crate::domain::Language;
use crate::policy::call_outcome::OutcomeKind;
use crate::policy::calls::Caller;
use crate::render::format::{one_line, truncate_chars};
use chrono::NaiveDate;
use serde_json::{json, Value};

/// Discord's limits on components: buttons per action row, rows per message
/// (legacy components), characters of a `custom_id`.
const MAX_BUTTONS_PER_ROW: usize = 5;
const MAX_ROWS: usize = 5;
const MAX_CUSTOM_ID_CHARS: usize = 100;
/// Characters of a link button's URL.
const MAX_URL_CHARS: usize = 512;
/// A link button's style.
const STYLE_LINK: u8 = 5;
/// Rows one call's outcome buttons take.
const ROWS_PER_CALL: usize = OutcomeKind::ALL.len().div_ceil(MAX_BUTTONS_PER_ROW);
/// Calls per message: each with its rows of outcome buttons.
pub const MAX_CALLS_PER_PAGE: usize = MAX_ROWS / ROWS_PER_CALL;
/// Room kept per call for its description to grow: the outcome lines.
const CALL_SLACK_CHARS: usize = 200 + MAX_CALL_NOTES * 300;
/// Blue-green, apart from the stages' colours.
const CALL_COLOUR: u32 = 0x1ABC9C;

/// How a call's outcome buttons answer.
#[derive(Clone, Copy)]
pub enum CallButtons<'a> {
    /// Buttons whose click Discord posts to `/discord/interactions`
    /// (`custom_id`: the [`CallButton`]), for the bot's messages.
    Interactive,
    /// Link buttons (style 5) to the signed `/call/{token}` pages, for
    /// messages posted through a webhook, whose buttons cannot call back —
    /// as Teams does. Discord refuses URLs over 512 characters.
    Links(&'a CallLinkFn<'a>),
}

/// The section as "Create Message" bodies, in order; none on a day without
/// calls. Every call appears on exactly one page, with its outcome buttons
/// until someone answered.
pub fn discord_call_pages(day: NaiveDate, calls: &[CallEntry], lang: Language, buttons: CallButtons) -> Vec<Value> {
    if calls.is_empty() {
        return Vec::new();
    }
    let head = head_embed(day, calls.len(), lang);
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let (mut start, mut chars) = (0, embed_chars(&head));
    for (i, call) in calls.iter().enumerate() {
        let weight = embed_chars(&call_embed(call, false, lang)) + CALL_SLACK_CHARS;
        if i > start && (i - start >= MAX_CALLS_PER_PAGE || chars + weight > PAGE_EMBED_CHARS) {
            ranges.push(start..i);
            (start, chars) = (i, 0);
        }
        chars += weight;
    }
    ranges.push(start..calls.len());
    let pages = ranges.len();
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            let members = &calls[range];
            let mut embeds: Vec<Value> = if i == 0 { vec![head.clone()] } else { Vec::new() };
            embeds.extend(members.iter().map(|c| call_embed(c, true, lang)));
            fit_embeds(&mut embeds, DISCORD_EMBED_CHARS);
            let owners = owner_ids(members);
            let rows: Vec<Value> = members.iter().flat_map(|c| outcome_rows(c, lang, buttons)).collect();
            json!({
                "content": content(day, &owners, i + 1, pages, lang),
                "embeds": embeds,
                "components": rows,
                "allowed_mentions": { "parse": [], "users": owners },
            })
        })
        .collect()
}

/// A call's outcome buttons until someone answered: [`ROWS_PER_CALL`] rows,
/// `custom_id` what [`CallButton::parse`] reads back, or the signed link.
/// None when a button does not fit Discord's limits (a `custom_id` over 100
/// characters, a URL over 512: a client id too long to carry): the outcome
/// is then recorded elsewhere, or not at all, rather than posting a message
/// Discord refuses.
fn outcome_rows(call: &CallEntry, lang: Language, kind: CallButtons) -> Vec<Value> {
    if call.answered() {
        return Vec::new();
    }
    let mut fits = true;
    let buttons: Vec<Value> = OutcomeKind::ALL
        .iter()
        .map(|&outcome| {
            let button = CallButton::new(&call.task, outcome);
            let label = outcome.label(lang);
            match kind {
                CallButtons::Interactive => {
                    let custom_id = button.encode();
                    fits &= custom_id.chars().count() <= MAX_CUSTOM_ID_CHARS;
                    let style = if outcome == OutcomeKind::Promise { 1 } else { 2 };
                    json!({ "type": 2, "style": style, "label": label, "custom_id": custom_id })
                }
                CallButtons::Links(link) => {
                    let url = link(&button);
                    fits &= url.chars().count() <= MAX_URL_CHARS;
                    json!({ "type": 2, "style": STYLE_LINK, "label": label, "url": url })
                }
            }
        })
        .collect();
    if !fits {
        tracing::warn!(task = %call.task.id, "discord: call id too long for outcome buttons");
        return Vec::new();
    }
    buttons.chunks(MAX_BUTTONS_PER_ROW).map(|row| json!({ "type": 1, "components": row })).collect()
}

fn head_embed(day: NaiveDate, count: usize, lang: Language) -> Value {
    json!({ "title": calls_title(day, lang), "description": call_count(count, lang), "color": CALL_COLOUR })
}

/// One call, with the day's outcomes (`notes`) when asked: the page cut
/// counts it without them.
fn call_embed(call: &CallEntry, notes: bool, lang: Language) -> Value {
    let task = &call.task;
    let name = one_line(task.client_name.trim());
    let title = truncate_escaped(&discord_escape(&truncate_chars(&name, MAX_CALL_NAME_CHARS)), MAX_TITLE_CHARS);
    let mut lines = vec![
        format!("📞 **{}** · [{}]({})", task.phone_display, task.tel, task.tel),
        caller_line(task, owner_tag(call), lang),
    ];
    if notes {
        // Before the invoices: a description cut at its limit loses the script, not the outcome.
        lines.extend(
            shown_notes(call).iter().map(|n| format!("> {}", discord_escape(&one_line(&call_note_line(n, lang))))),
        );
    }
    lines.extend(call_invoice_bullets(task, lang, MAX_CALL_INVOICES, discord_escape));
    lines.push(call_total_line(task, lang, "**"));
    lines.push(reminders_line(task, lang));
    lines.push(format!("**{}**", script_label(lang)));
    lines.extend(script_lines(task));
    json!({
        "title": if title.is_empty() { "?".to_string() } else { title },
        "description": truncate_escaped(&lines.join("\n"), MAX_DESCRIPTION_CHARS),
        "color": CALL_COLOUR,
        "footer": { "text": task.id },
    })
}

/// `<@id>` when the owner calls and `people:` gives their Discord id, else
/// their name escaped.
fn owner_tag(call: &CallEntry) -> Option<String> {
    let id = discord_id(call);
    match id {
        Some(id) => Some(format!("<@{id}>")),
        None => owner_name(call).map(|name| discord_escape(&one_line(&name))),
    }
}

fn discord_id(call: &CallEntry) -> Option<&str> {
    if !matches!(call.task.caller, Caller::Owner { .. }) {
        return None;
    }
    call.owner.as_ref()?.discord.as_deref().filter(|id| is_snowflake(id))
}

/// The owners who call, once each: mentions inside embeds never notify,
/// so they are named in `content` and allowed there alone.
fn owner_ids(calls: &[CallEntry]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for id in calls.iter().filter_map(discord_id) {
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_string());
        }
    }
    ids
}

/// "📞 À appeler — lundi 16 mars 2026 (1/3)", then the owners to notify.
fn content(day: NaiveDate, owners: &[String], page: usize, pages: usize, lang: Language) -> String {
    let mut text = calls_title(day, lang);
    if pages > 1 {
        text.push_str(&format!(" ({page}/{pages})"));
    }
    if !owners.is_empty() {
        let mentions: Vec<String> = owners.iter().map(|id| format!("<@{id}>")).collect();
        let lead = super::describe::tr(lang, "Appels pour :", "Calls for:");
        text.push_str(&format!("\n{lead} {}", mentions.join(" ")));
    }
    truncate_chars(&text, MAX_CONTENT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::fixtures::{call_entry as entry, many_calls, monday as day};
    use crate::digest::model::Owner;

    #[test]
    fn a_call_shows_the_number_and_its_tel_link_and_pings_only_its_owner() {
        let mut call = entry("ACME", "@everyone [payé](https://x.fr)", 1);
        call.task.caller = Caller::Owner { name: "julie".into() };
        call.owner = Some(Owner { name: "Julie".into(), slack: None, discord: Some("80351110224678912".into()) });
        let pages = discord_call_pages(day(), &[call], Language::En, CallButtons::Interactive);
        let page = &pages[0];
        assert_eq!(page["allowed_mentions"], json!({ "parse": [], "users": ["80351110224678912"] }));
        assert_eq!(page["content"], "📞 To call — Monday 16 March 2026\nCalls for: <@80351110224678912>");
        let call = &page["embeds"][1];
        assert_eq!(call["title"], "@everyone \\[payé\\](https://x.fr)");
        let text = call["description"].as_str().unwrap();
        assert!(text.starts_with("📞 **+33 4 72 00 00 00** · [tel:+33472000000](tel:+33472000000)\n"), "{text}");
        assert!(text.contains("Caller: <@80351110224678912> (client owner)"), "{text}");
        // The script is written in the team's language by the planner (French in the fixture).
        assert!(text.contains("**Script:**\n1. Vérifier la réception"), "{text}");
    }

    #[test]
    fn outcome_buttons_until_answered_then_the_outcome_in_place_on_the_same_pages() {
        let calls = many_calls();
        let before = discord_call_pages(day(), &calls, Language::Fr, CallButtons::Interactive);
        let rows = before[0]["components"].as_array().unwrap();
        assert_eq!(rows.len(), 2 * ROWS_PER_CALL.min(calls.len()));
        let ids: Vec<&str> = rows[..ROWS_PER_CALL]
            .iter()
            .flat_map(|r| r["components"].as_array().unwrap())
            .map(|b| b["custom_id"].as_str().unwrap())
            .collect();
        let kinds: Vec<OutcomeKind> = ids.iter().map(|id| CallButton::parse(id).unwrap().kind).collect();
        assert_eq!(kinds, OutcomeKind::ALL);
        assert!(ids.iter().all(|id| CallButton::parse(id).unwrap().task_id == calls[0].task.id));

        let mut answered = calls.clone();
        let promise = crate::policy::call_outcome::Outcome::Promise { by: "2026-03-25".parse().unwrap() };
        let at = chrono::NaiveTime::from_hms_opt(9, 30, 0).unwrap();
        answered[0].notes.push(super::super::model::CallNote { outcome: promise, by: "Claire [x](y)".into(), at });
        let after = discord_call_pages(day(), &answered, Language::Fr, CallButtons::Interactive);
        assert_eq!(after.len(), before.len(), "cut the same: edited in place");
        let text = after[0]["embeds"][1]["description"].as_str().unwrap();
        assert!(text.contains("> 📞 Rappel : promesse au 25/03/2026 — Claire \\[x\\](y) 09:30"), "{text}");
        assert_eq!(after[0]["components"].as_array().unwrap().len(), rows.len() - ROWS_PER_CALL);
        // A webhook's messages cannot call back: signed links, the same rows.
        let link = |b: &CallButton| format!("https://relance.example/call/{}", b.encode());
        let linked = discord_call_pages(day(), &calls, Language::Fr, CallButtons::Links(&link));
        let rows = linked[0]["components"].as_array().unwrap();
        assert_eq!(rows.len(), before[0]["components"].as_array().unwrap().len(), "{rows:?}");
        let first = &rows[0]["components"][0];
        assert_eq!((first["style"].as_u64(), first.get("custom_id")), (Some(5), None), "{first}");
        let target = CallButton::new(&calls[0].task, OutcomeKind::ALL[0]).encode();
        assert_eq!(first["url"], format!("https://relance.example/call/{target}"));
        let too_long = |_: &CallButton| format!("https://relance.example/call/{}", "x".repeat(600));
        let dropped = discord_call_pages(day(), &calls, Language::Fr, CallButtons::Links(&too_long));
        assert_eq!(dropped[0]["components"], json!([]), "a URL Discord refuses is not posted");
    }

    #[test]
    fn a_day_with_many_calls_is_split_within_discord_limits_and_drops_none() {
        let calls = many_calls();
        let pages = discord_call_pages(day(), &calls, Language::Fr, CallButtons::Interactive);
        let mut seen = Vec::new();
        for page in &pages {
            let embeds = page["embeds"].as_array().unwrap();
            let calls: Vec<&Value> = embeds.iter().filter(|e| e["footer"]["text"].is_string()).collect();
            assert!(calls.len() <= MAX_CALLS_PER_PAGE && embeds.len() <= 10);
            assert!(embeds.iter().map(embed_chars).sum::<usize>() <= PAGE_EMBED_CHARS);
            assert!(page["content"].as_str().unwrap().chars().count() <= MAX_CONTENT_CHARS);
            seen.extend(calls.iter().map(|c| c["footer"]["text"].as_str().unwrap().to_string()));
        }
        let expected: Vec<String> = calls.iter().map(|c| c.task.id.clone()).collect();
        assert_eq!(seen, expected, "every call once, in order");
        for page in &pages {
            let rows = page["components"].as_array().unwrap();
            assert!(!rows.is_empty() && rows.len() <= MAX_ROWS, "{} rows", rows.len());
            for row in rows {
                let buttons = row["components"].as_array().unwrap();
                assert!(buttons.len() <= MAX_BUTTONS_PER_ROW);
                assert!(buttons.iter().all(|b| b["custom_id"].as_str().unwrap().len() <= MAX_CUSTOM_ID_CHARS));
            }
        }
        assert!(discord_call_pages(day(), &[], Language::Fr, CallButtons::Interactive).is_empty());
    }
}
