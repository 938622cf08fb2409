//! A command's [`Reply`] as a Discord message: the title in `content`, one
//! embed per section, the choices as buttons. Pure.
//!
//! Why it is shaped this way:
//! - **Within every limit, never silently cut.** Discord refuses a whole
//!   message over any limit (`50035 Invalid Form Body`), and the asker would
//!   get nothing. So the lines fill embeds up to [`MAX_EMBEDS`] and
//!   [`EMBED_BUDGET`] characters (Discord: 10 and 6000), each description up
//!   to [`MAX_DESCRIPTION_CHARS`] (4096); what does not fit is counted in a
//!   last line, "… et 12 lignes de plus". Likewise the buttons (5 rows of 5).
//! - **Client data pings no one.** Every body carries `allowed_mentions:
//!   {parse: []}`; text is escaped with [`discord_escape`] (no link, no
//!   `<@…>`), and `@everyone`/`@here` get a zero-width space so they do not
//!   even look like a mention.
//! - **A button is the command it runs:** `custom_id = "cmd:status C042"`
//!   (Discord: ≤100 characters), read back by `discord_slash`.

use super::discord_slash::COMMAND_BUTTON_PREFIX;
use crate::commands::{Choice, Reply, Section};
use crate::digest::discord::{discord_escape, truncate_escaped};
use crate::domain::Language;
use crate::render::format::truncate_chars;
use serde_json::{json, Value};

/// Discord's limit on a message's `content`.
const MAX_CONTENT_CHARS: usize = 2_000;
/// Embeds per message (Discord: 10).
pub const MAX_EMBEDS: usize = 10;
/// Characters across a message's embeds, with a margin (Discord: 6000).
pub const EMBED_BUDGET: usize = 5_800;
/// Characters of one embed description (Discord: 4096).
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
/// Discord's limits on an embed title, a button label and a `custom_id`.
const MAX_TITLE_CHARS: usize = 256;
const MAX_LABEL_CHARS: usize = 80;
const MAX_CUSTOM_ID_CHARS: usize = 100;
/// Buttons per action row, and rows per message.
const BUTTONS_PER_ROW: usize = 5;
const MAX_ROWS: usize = 5;
/// Room kept for the "… and N more lines" line.
const MORE_LINE_CHARS: usize = 60;
/// Secondary (grey) button.
const STYLE_SECONDARY: u8 = 2;
/// Flag of a message only the asker sees.
const EPHEMERAL: u64 = 1 << 6;
/// Choices in an autocomplete answer, and characters of a choice's name and value.
pub const MAX_AUTOCOMPLETE_CHOICES: usize = 25;
const MAX_CHOICE_CHARS: usize = 100;

/// The message body (`content`, `embeds`, `components`, `allowed_mentions`)
/// for `PATCH …/messages/@original` or inside an interaction response.
pub fn discord_reply(reply: &Reply, lang: Language) -> Value {
    let (components, left_out) = buttons(&reply.choices);
    let mut content = format!("**{}**", truncate_escaped(&inert(&reply.title), MAX_CONTENT_CHARS - 200));
    if left_out > 0 {
        content.push('\n');
        content.push_str(&more_choices(left_out, lang));
    }
    json!({
        "content": truncate_chars(&content, MAX_CONTENT_CHARS),
        "embeds": embeds(&reply.sections, lang),
        "components": components,
        "allowed_mentions": { "parse": [] },
    })
}

/// The answer Discord gets at once to a command (type 5,
/// DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE): "relance is thinking…", private
/// unless `public` — the later edit cannot change who sees it.
pub fn deferred(public: bool) -> Value {
    if public {
        json!({ "type": 5 })
    } else {
        json!({ "type": 5, "data": { "flags": EPHEMERAL } })
    }
}

/// A reply sent as the interaction's answer (type 4), to the asker only.
pub fn ephemeral_reply(body: Value) -> Value {
    let mut data = body;
    data["flags"] = json!(EPHEMERAL);
    json!({ "type": 4, "data": data })
}

/// The answer to an autocomplete (type 8): at most 25 choices, the client's
/// name shown (≤100 characters), its id sent back as the option's value.
pub fn autocomplete_result(choices: &[Choice]) -> Value {
    let choices: Vec<Value> = choices
        .iter()
        .filter(|c| !c.command.is_empty() && c.command.chars().count() <= MAX_CHOICE_CHARS)
        .take(MAX_AUTOCOMPLETE_CHOICES)
        .map(|c| json!({ "name": truncate_chars(c.label.trim(), MAX_CHOICE_CHARS), "value": c.command }))
        .collect();
    json!({ "type": 8, "data": { "choices": choices } })
}

/// Text shown as typed: Markdown and mentions escaped, `@everyone` and
/// `@here` broken by a zero-width space.
pub fn inert(text: &str) -> String {
    discord_escape(text).replace("@everyone", "@\u{200B}everyone").replace("@here", "@\u{200B}here")
}

/// One embed per section, filled in order while the limits allow; the lines
/// left out are counted on a last line of the last embed.
fn embeds(sections: &[Section], lang: Language) -> Vec<Value> {
    let total_lines: usize = sections.iter().map(|s| s.lines.len()).sum();
    let mut shown_lines = 0;
    let mut budget = EMBED_BUDGET - MORE_LINE_CHARS;
    let mut embeds: Vec<(String, String)> = Vec::new();
    'sections: for section in sections {
        let title =
            section.heading.as_deref().map(|h| truncate_escaped(&inert(h), MAX_TITLE_CHARS)).unwrap_or_default();
        if embeds.len() == MAX_EMBEDS || title.chars().count() > budget {
            break;
        }
        budget -= title.chars().count();
        let mut description = String::new();
        for line in &section.lines {
            let line = truncate_escaped(&inert(line), MAX_DESCRIPTION_CHARS - MORE_LINE_CHARS - 1);
            let cost = line.chars().count() + 1;
            let fits_embed = description.chars().count() + cost <= MAX_DESCRIPTION_CHARS - MORE_LINE_CHARS;
            if cost > budget || !fits_embed {
                embeds.push((title, description));
                break 'sections;
            }
            budget -= cost;
            if !description.is_empty() {
                description.push('\n');
            }
            description.push_str(&line);
            shown_lines += 1;
        }
        embeds.push((title, description));
    }
    embeds.retain(|(title, description)| !title.is_empty() || !description.is_empty());
    let left_out = total_lines - shown_lines;
    if left_out > 0 {
        let more = more_lines(left_out, lang);
        match embeds.last_mut() {
            Some((_, description)) if !description.is_empty() => description.push_str(&format!("\n{more}")),
            Some((_, description)) => description.push_str(&more),
            None => embeds.push((String::new(), more)),
        }
    }
    embeds.into_iter().map(|(title, description)| embed(title, description)).collect()
}

fn embed(title: String, description: String) -> Value {
    let mut embed = serde_json::Map::new();
    if !title.is_empty() {
        embed.insert("title".into(), json!(title));
    }
    if !description.is_empty() {
        embed.insert("description".into(), json!(description));
    }
    Value::Object(embed)
}

/// The choices as rows of buttons, each once, within Discord's limits, and
/// how many were left out (too many, or a command too long for a `custom_id`).
fn buttons(choices: &[Choice]) -> (Vec<Value>, usize) {
    let mut seen = std::collections::HashSet::new();
    let mut kept = Vec::new();
    let mut left_out = 0;
    for choice in choices {
        let custom_id = format!("{COMMAND_BUTTON_PREFIX}{}", choice.command.trim());
        let fits = custom_id.chars().count() <= MAX_CUSTOM_ID_CHARS && kept.len() < BUTTONS_PER_ROW * MAX_ROWS;
        if !fits {
            left_out += 1;
        } else if seen.insert(custom_id.clone()) {
            let label = truncate_chars(choice.label.trim(), MAX_LABEL_CHARS);
            let label = if label.is_empty() { truncate_chars(&choice.command, MAX_LABEL_CHARS) } else { label };
            kept.push(json!({ "type": 2, "style": STYLE_SECONDARY, "label": label, "custom_id": custom_id }));
        }
    }
    let rows = kept.chunks(BUTTONS_PER_ROW).map(|row| json!({ "type": 1, "components": row })).collect();
    (rows, left_out)
}

fn more_lines(count: usize, lang: Language) -> String {
    match (lang, count) {
        (Language::Fr, 1) => "… et 1 ligne de plus".into(),
        (Language::Fr, n) => format!("… et {n} lignes de plus"),
        (Language::En, 1) => "…and 1 more line".into(),
        (Language::En, n) => format!("…and {n} more lines"),
    }
}

fn more_choices(count: usize, lang: Language) -> String {
    match lang {
        Language::Fr => format!("… et {count} autre(s) : précisez le nom."),
        Language::En => format!("…and {count} more: type more of the name."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(heading: Option<&str>, lines: Vec<String>) -> Section {
        Section { heading: heading.map(str::to_string), lines }
    }

    fn reply(sections: Vec<Section>, choices: Vec<Choice>) -> Reply {
        Reply { public: false, title: "Garage Martin (C1)".into(), sections, choices }
    }

    fn embed_chars(body: &Value) -> usize {
        let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
        body["embeds"].as_array().unwrap().iter().map(|e| len(&e["title"]) + len(&e["description"])).sum()
    }

    #[test]
    fn a_short_reply_is_a_bold_title_and_one_embed_per_section() {
        let body = discord_reply(
            &reply(
                vec![
                    section(Some("Factures ouvertes"), vec!["F-2026-001 — 1 200,00 €".into(), "F-2026-002".into()]),
                    section(None, vec!["Prochaine étape : relance le 20/03".into()]),
                ],
                vec![],
            ),
            Language::Fr,
        );
        assert_eq!(body["content"], "**Garage Martin (C1)**");
        assert_eq!(body["allowed_mentions"], json!({ "parse": [] }));
        assert_eq!(
            body["embeds"],
            json!([
                { "title": "Factures ouvertes", "description": "F-2026-001 — 1 200,00 €\nF-2026-002" },
                { "description": "Prochaine étape : relance le 20/03" },
            ])
        );
        assert_eq!(body["components"], json!([]));
    }

    #[test]
    fn a_long_reply_stays_within_discords_limits_and_says_what_it_left_out() {
        let lines =
            |n: usize| (0..n).map(|i| format!("F-2026-{i:04} — échue depuis {i} jours — {}", "x".repeat(60))).collect();
        let sections: Vec<Section> = (0..15).map(|i| section(Some(&format!("Section {i}")), lines(40))).collect();
        let body = discord_reply(&reply(sections, vec![]), Language::En);
        let embeds = body["embeds"].as_array().unwrap();
        assert!(embeds.len() <= MAX_EMBEDS);
        assert!(embed_chars(&body) <= 6_000, "{}", embed_chars(&body));
        let shown: usize =
            embeds.iter().map(|e| e["description"].as_str().unwrap_or("").lines().count()).sum::<usize>() - 1;
        let last = embeds.last().unwrap()["description"].as_str().unwrap();
        let more = last.lines().last().unwrap();
        assert_eq!(more, format!("…and {} more lines", 15 * 40 - shown));
        assert!(embeds.iter().all(|e| e["description"].as_str().unwrap_or("").chars().count() <= 4096));

        let one_huge_line = vec![section(None, vec!["y".repeat(10_000)])];
        let body = discord_reply(&reply(one_huge_line, vec![]), Language::Fr);
        assert!(embed_chars(&body) <= 6_000);
        assert!(body["embeds"][0]["description"].as_str().unwrap().ends_with('…'));
        let long_title = Reply { title: "z".repeat(5_000), ..reply(vec![], vec![]) };
        assert!(discord_reply(&long_title, Language::Fr)["content"].as_str().unwrap().chars().count() <= 2_000);
    }

    #[test]
    fn interaction_answers_are_private_unless_public_and_autocomplete_fits() {
        assert_eq!(deferred(false), json!({ "type": 5, "data": { "flags": 64 } }));
        assert_eq!(deferred(true), json!({ "type": 5 }));
        let now = ephemeral_reply(discord_reply(&reply(vec![], vec![]), Language::Fr));
        assert_eq!((now["type"].clone(), now["data"]["flags"].clone()), (json!(4), json!(64)));
        assert_eq!(now["data"]["allowed_mentions"], json!({ "parse": [] }));
        let choice = |i: usize| Choice { label: format!("Client {i} {}", "n".repeat(120)), command: format!("C{i}") };
        let result = autocomplete_result(&(0..30).map(choice).collect::<Vec<_>>());
        let choices = result["data"]["choices"].as_array().unwrap();
        assert_eq!((result["type"].clone(), choices.len()), (json!(8), 25));
        assert_eq!(choices[3]["value"], "C3");
        assert_eq!(choices[3]["name"].as_str().unwrap().chars().count(), 100);
    }

    #[test]
    fn client_text_pings_no_one_and_forms_no_link() {
        let body = discord_reply(
            &Reply {
                title: "@everyone <@&123> [payé](https://evil)".into(),
                ..reply(vec![section(Some("@here"), vec!["**gras** @everyone".into()])], vec![])
            },
            Language::Fr,
        );
        let texts = [&body["content"], &body["embeds"][0]["title"], &body["embeds"][0]["description"]];
        let text: String = texts.iter().map(|t| t.as_str().unwrap()).collect::<Vec<_>>().join("|");
        assert!(!text.contains("@everyone") && !text.contains("@here"), "{text}");
        assert!(text.contains("\\<@&123\\>") && text.contains("\\[payé\\]") && text.contains("\\*\\*gras"), "{text}");
        assert_eq!(body["allowed_mentions"], json!({ "parse": [] }));
    }

    #[test]
    fn choices_are_buttons_in_rows_of_five_and_the_rest_is_counted() {
        let choice = |i: usize| Choice {
            label: format!("Client {i} — {}", "n".repeat(100)),
            command: format!("status C{i:03}"),
        };
        let body = discord_reply(&reply(vec![], (0..27).map(choice).collect()), Language::Fr);
        let rows = body["components"].as_array().unwrap();
        assert_eq!(rows.len(), 5);
        assert!(rows.iter().all(|r| r["type"] == 1 && r["components"].as_array().unwrap().len() == 5));
        let first = &rows[0]["components"][0];
        assert_eq!(first["custom_id"], "cmd:status C000");
        assert_eq!(first["label"].as_str().unwrap().chars().count(), 80);
        assert!(body["content"].as_str().unwrap().ends_with("… et 2 autre(s) : précisez le nom."));
        let too_long = Choice { label: "x".into(), command: format!("status {}", "C".repeat(100)) };
        let twice = vec![choice(1), choice(1), too_long];
        let body = discord_reply(&reply(vec![], twice), Language::En);
        assert_eq!(body["components"][0]["components"].as_array().unwrap().len(), 1);
        assert!(body["content"].as_str().unwrap().ends_with("…and 1 more: type more of the name."));
    }
}
