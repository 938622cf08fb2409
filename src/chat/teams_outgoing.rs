//! Teams outgoing webhook (`@Relance status ACME` in a channel): what a
//! verified activity asks, and the reply. Pure.
//!
//! Call [`parse_activity`] only after
//! [`verify_teams`](super::teams_signature::verify_teams) accepted the raw
//! bytes. Teams sends the message as it shows it: `<at>Relance</at>&nbsp;status
//! ACME`, sometimes wrapped in HTML; [`command_text`] keeps the words typed.
//!
//! Teams has no private replies for an outgoing webhook: the answer is a
//! message in the channel, seen by all, so a [`Reply`]'s `public` flag is
//! ignored here. It cannot be edited later either, which is why the route
//! races the command against Teams' 5 s.

use crate::commands::Reply;
use crate::digest::teams::teams_inert;
use crate::domain::Language;
use crate::render::format::truncate_chars;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

/// Characters of a reply's text: Teams refuses messages over about 28 KB.
const MAX_TEXT_CHARS: usize = 12_000;
/// Characters of one line.
const MAX_LINE_CHARS: usize = 1_000;

/// Why a verified body could not be read (answer 400 and log it).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct ActivityError(pub String);

/// What a verified activity asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamsMessage {
    /// The activity id: the same for a retried or replayed request.
    pub id: String,
    /// What was typed after the mention: `status ACME`.
    pub text: String,
    /// The sender's Microsoft Entra (AAD) object id, stable across teams.
    pub aad_object_id: Option<String>,
    /// The sender's Teams user id (`29:1…`).
    pub from_id: String,
    pub from_name: Option<String>,
    /// When Teams says the message was sent (signed with the body).
    pub timestamp: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct Wire {
    id: Option<String>,
    text: Option<String>,
    from: Option<WireFrom>,
    timestamp: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireFrom {
    id: Option<String>,
    name: Option<String>,
    aad_object_id: Option<String>,
}

/// Reads a verified activity. An error names the missing field: Teams sent
/// it, so it is a bug to log and answer 400.
pub fn parse_activity(body: &[u8]) -> Result<TeamsMessage, ActivityError> {
    let wire: Wire = serde_json::from_slice(body).map_err(|e| ActivityError(format!("not the activity JSON: {e}")))?;
    let id = wire.id.filter(|id| !id.trim().is_empty()).ok_or(ActivityError("activity has no id".into()))?;
    let from = wire.from.ok_or(ActivityError("activity has no from".into()))?;
    let from_id = from.id.filter(|id| !id.is_empty()).ok_or(ActivityError("activity has no from.id".into()))?;
    Ok(TeamsMessage {
        id,
        text: command_text(wire.text.as_deref().unwrap_or("")),
        aad_object_id: from.aad_object_id.filter(|id| !id.is_empty()),
        from_id,
        from_name: from.name,
        timestamp: wire.timestamp,
    })
}

/// The words typed: `<at>…</at>` mentions removed with their name, other
/// HTML tags removed, entities decoded (`&nbsp;` is a space), whitespace
/// collapsed. Entities are decoded after the tags are gone, so `&lt;at&gt;`
/// typed by a person stays text.
pub fn command_text(html: &str) -> String {
    let without_mentions = remove_mentions(html);
    let without_tags = remove_tags(&without_mentions);
    decode_entities(&without_tags).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn remove_mentions(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    while let Some(start) = lower[rest..].find("<at").map(|i| rest + i) {
        let Some(end) = lower[start..].find("</at>").map(|i| start + i + "</at>".len()) else { break };
        out.push_str(&text[rest..start]);
        out.push(' ');
        rest = end;
    }
    out.push_str(&text[rest..]);
    out
}

fn remove_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (true, '>') => {
                in_tag = false;
                out.push(' ');
            }
            (false, c) => out.push(c),
            (true, _) => {}
        }
    }
    out
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&semi| semi <= 10).and_then(|semi| Some((entity(&after[..semi])?, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "nbsp" => Some(' '),
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => name.strip_prefix('#')?.parse().ok()?,
            };
            char::from_u32(code).map(|c| if c == '\u{a0}' { ' ' } else { c })
        }
    }
}

/// The answer Teams posts in the channel: `{"type": "message", "text": …}`,
/// Markdown with every piece of text made inert ([`teams_inert`]: no mention,
/// link or HTML can form). The choices are listed as commands to type, Teams
/// offering no button an outgoing webhook could receive — except those
/// `link` gives a signed URL for (a plan's Approve / Reject: `/plan/{token}`),
/// shown as a Markdown link to that URL, which is ours and URL-safe.
pub fn teams_reply(reply: &Reply, lang: Language, link: &dyn Fn(&str) -> Option<String>) -> Value {
    let mut paragraphs = vec![format!("**{}**", line(&reply.title))];
    let mut budget = MAX_TEXT_CHARS.saturating_sub(paragraphs[0].chars().count());
    let lines: Vec<String> = reply
        .sections
        .iter()
        .flat_map(|s| s.heading.iter().map(|h| format!("**{}**", line(h))).chain(s.lines.iter().map(|l| line(l))))
        .chain(reply.choices.iter().map(|c| match link(&c.command) {
            Some(url) => format!("• [{}]({url}) — @Relance {}", line(&c.label), line(&c.command)),
            None => format!("• {} — @Relance {}", line(&c.label), line(&c.command)),
        }))
        .collect();
    let total = lines.len();
    for (shown, text) in lines.into_iter().enumerate() {
        let cost = text.chars().count() + 2;
        if cost + 40 > budget {
            paragraphs.push(more_lines(total - shown, lang));
            break;
        }
        budget -= cost;
        paragraphs.push(text);
    }
    json!({ "type": "message", "text": paragraphs.join("\n\n") })
}

/// The answer when the command takes longer than Teams waits.
pub fn still_working(lang: Language) -> Value {
    let text = match lang {
        Language::Fr => "⏳ Toujours en cours — redemandez dans une minute.",
        Language::En => "⏳ Still working — ask again in a minute.",
    };
    json!({ "type": "message", "text": text })
}

/// The answer to an activity already answered (a retry or a replay): the
/// command is not run again.
pub fn already_answered(lang: Language) -> Value {
    let text = match lang {
        Language::Fr => "↩️ Ce message a déjà reçu sa réponse ; rien n'a été refait.",
        Language::En => "↩️ This message was already answered; nothing was done again.",
    };
    json!({ "type": "message", "text": text })
}

fn line(text: &str) -> String {
    teams_inert(&truncate_chars(&text.split_whitespace().collect::<Vec<_>>().join(" "), MAX_LINE_CHARS))
}

fn more_lines(count: usize, lang: Language) -> String {
    match lang {
        Language::Fr => format!("… et {count} ligne(s) de plus"),
        Language::En => format!("…and {count} more line(s)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{Choice, Section};

    #[test]
    fn the_mention_and_html_are_stripped_to_the_words_typed() {
        assert_eq!(command_text("<at>Relance</at> status ACME"), "status ACME");
        assert_eq!(command_text("<at>Relance</at>&nbsp;status Café&nbsp;Dupont\n"), "status Café Dupont");
        assert_eq!(
            command_text("<div><AT>Relance Bot</AT> pause <b>ACME</b> 10 négociation</div>"),
            "pause ACME 10 négociation"
        );
        assert_eq!(
            command_text("<at>Relance</at> dispute F-1 &lt;at&gt;livraison &amp; pose&#39;s"),
            "dispute F-1 <at>livraison & pose's"
        );
        assert_eq!(command_text("<at>Relance</at> status A&B &unknown; &#xE9;"), "status A&B &unknown; é");
        assert_eq!(command_text("<at>Relance</at>"), "");
        assert_eq!(command_text("status <at>unclosed"), "status unclosed");
    }

    #[test]
    fn an_activity_gives_its_id_sender_and_command() {
        let body = br#"{"type":"message","id":"1485983408511","timestamp":"2026-03-16T08:00:54.6193473Z",
            "text":"<at>Relance</at> status ACME","textFormat":"plain","channelId":"msteams",
            "from":{"id":"29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw","name":"Claire Martin","aadObjectId":"f5aa4e04-2f35-4a4d-97a6-7c0d1e5b1b0f"},
            "conversation":{"id":"19:253b1f341670408fb6fcb1e4a0a6b5d9@thread.skype"}}"#;
        let message = parse_activity(body).unwrap();
        assert_eq!(message.id, "1485983408511");
        assert_eq!(message.text, "status ACME");
        assert_eq!(message.aad_object_id.as_deref(), Some("f5aa4e04-2f35-4a4d-97a6-7c0d1e5b1b0f"));
        assert!(message.from_id.starts_with("29:"));
        assert_eq!(message.timestamp.unwrap().to_rfc3339(), "2026-03-16T08:00:54.619347300+00:00");
        let no_id = br#"{"type":"message","text":"x","from":{"id":"29:1"}}"#;
        assert_eq!(parse_activity(no_id).unwrap_err().0, "activity has no id");
        assert!(parse_activity(b"not json").unwrap_err().0.starts_with("not the activity JSON"));
    }

    #[test]
    fn the_reply_is_inert_markdown_with_choices_to_type() {
        let reply = Reply {
            public: false,
            title: "<at>everyone</at> [payé](https://evil)".into(),
            sections: vec![Section { heading: Some("Factures".into()), lines: vec!["F-1 & co".into()] }],
            choices: vec![Choice { label: "Garage Martin".into(), command: "status C1".into() }],
        };
        let text = teams_reply(&reply, Language::Fr, &|_| None)["text"].as_str().unwrap().to_string();
        assert!(!text.contains("<at>") && !text.contains("](") && !text.contains("& "), "{text}");
        let paragraphs: Vec<&str> = text.split("\n\n").collect();
        assert_eq!(paragraphs[1], "**Factures**");
        assert_eq!(paragraphs[3], "• Garage Martin — @Relance status C1");
    }

    #[test]
    fn a_choice_with_a_signed_link_is_a_link_and_its_label_stays_inert() {
        let reply = Reply {
            public: false,
            title: "Échéancier n° 7 proposé".into(),
            sections: vec![],
            choices: vec![
                Choice { label: "Approuver](https://evil)".into(), command: "echeancier approve 7".into() },
                Choice { label: "Garage Martin".into(), command: "status C1".into() },
            ],
        };
        let link =
            |command: &str| (command == "echeancier approve 7").then(|| "https://relance.example/plan/abc.def".into());
        let text = teams_reply(&reply, Language::Fr, &link)["text"].as_str().unwrap().to_string();
        let paragraphs: Vec<&str> = text.split("\n\n").collect();
        assert_eq!(
            paragraphs[1],
            "• [Approuver]\u{200b}(https://evil)](https://relance.example/plan/abc.def) — @Relance echeancier approve 7"
        );
        assert_eq!(paragraphs[2], "• Garage Martin — @Relance status C1");
    }

    #[test]
    fn a_long_reply_is_cut_with_the_count_of_what_is_left() {
        let lines = (0..500).map(|i| format!("ligne {i} {}", "x".repeat(100))).collect();
        let reply = Reply {
            public: true,
            title: "T".into(),
            sections: vec![Section { heading: None, lines }],
            choices: vec![],
        };
        let text = teams_reply(&reply, Language::En, &|_| None)["text"].as_str().unwrap().to_string();
        assert!(text.chars().count() <= MAX_TEXT_CHARS, "{}", text.chars().count());
        let shown = text.split("\n\n").count() - 2;
        assert!(text.ends_with(&format!("…and {} more line(s)", 500 - shown)), "{}", &text[text.len() - 60..]);
    }
}
