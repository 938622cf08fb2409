//! The "📞 À appeler" section in Discord: its own messages after the
//! reminder pages, one embed per call, within the digest's limits
//! (`discord.rs`): at most [`MAX_CALLS_PER_PAGE`] calls per message, so each
//! can later get its row of outcome buttons (Discord allows 5 rows), and
//! [`PAGE_EMBED_CHARS`] characters of embeds.
//!
//! Discord makes only `http(s)` links clickable, so the number is written
//! out in bold and followed by its `tel:` link in Markdown, which some
//! clients open and the others show as text.

use super::call_lines::{
    call_count, call_invoice_bullets, call_total_line, caller_line, calls_title, owner_name, reminders_line,
    script_label, script_lines, MAX_CALL_INVOICES, MAX_CALL_NAME_CHARS,
};
use super::discord::{
    discord_escape, embed_chars, fit_embeds, is_snowflake, truncate_escaped, DISCORD_EMBED_CHARS, MAX_CONTENT_CHARS,
    MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS, PAGE_EMBED_CHARS,
};
use super::model::CallEntry;
use crate::domain::Language;
use crate::policy::calls::Caller;
use crate::render::format::{one_line, truncate_chars};
use chrono::NaiveDate;
use serde_json::{json, Value};

/// Calls per message: one action row each (for the outcome buttons to come).
pub const MAX_CALLS_PER_PAGE: usize = 5;
/// Room kept per call for its description to grow (an outcome line).
const CALL_SLACK_CHARS: usize = 200;
/// Blue-green, apart from the stages' colours.
const CALL_COLOUR: u32 = 0x1ABC9C;

/// The section as "Create Message" bodies, in order; none on a day without
/// calls. Every call appears on exactly one page.
pub fn discord_call_pages(day: NaiveDate, calls: &[CallEntry], lang: Language) -> Vec<Value> {
    if calls.is_empty() {
        return Vec::new();
    }
    let head = head_embed(day, calls.len(), lang);
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let (mut start, mut chars) = (0, embed_chars(&head));
    for (i, call) in calls.iter().enumerate() {
        let weight = embed_chars(&call_embed(call, lang)) + CALL_SLACK_CHARS;
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
            embeds.extend(members.iter().map(|c| call_embed(c, lang)));
            fit_embeds(&mut embeds, DISCORD_EMBED_CHARS);
            let owners = owner_ids(members);
            // The outcome buttons' rows (one per call) will go in `components`.
            json!({
                "content": content(day, &owners, i + 1, pages, lang),
                "embeds": embeds,
                "components": [],
                "allowed_mentions": { "parse": [], "users": owners },
            })
        })
        .collect()
}

fn head_embed(day: NaiveDate, count: usize, lang: Language) -> Value {
    json!({ "title": calls_title(day, lang), "description": call_count(count, lang), "color": CALL_COLOUR })
}

/// One call. Its outcome buttons will be an action row under the embeds,
/// one per call, which [`MAX_CALLS_PER_PAGE`] already allows for.
fn call_embed(call: &CallEntry, lang: Language) -> Value {
    let task = &call.task;
    let name = one_line(task.client_name.trim());
    let title = truncate_escaped(&discord_escape(&truncate_chars(&name, MAX_CALL_NAME_CHARS)), MAX_TITLE_CHARS);
    let mut lines = vec![
        format!("📞 **{}** · [{}]({})", task.phone_display, task.tel, task.tel),
        caller_line(task, owner_tag(call), lang),
    ];
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
        let pages = discord_call_pages(day(), &[call], Language::En);
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
    fn a_day_with_many_calls_is_split_within_discord_limits_and_drops_none() {
        let calls = many_calls();
        let pages = discord_call_pages(day(), &calls, Language::Fr);
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
        assert!(discord_call_pages(day(), &[], Language::Fr).is_empty());
    }
}
