//! A [`Reply`] as Slack wants a slash command's answer: `{response_type,
//! text, blocks}` in Block Kit. Pure.
//!
//! Every string of the reply may hold client data (a name like `<!channel>`),
//! so each is escaped (`& < >`) before it becomes mrkdwn; buttons' labels are
//! plain text, where Slack parses nothing. Long sections are split under the
//! 3,000 characters a section holds, and the message stays under the block
//! and size limits the digest's pages keep (see `crate::digest::slack`).

use super::Reply;
use crate::digest::slack::{truncate_escaped, MAX_BLOCKS, MAX_PAGE_CHARS, MAX_SECTION_CHARS};
use crate::digest::slack_escape;
use crate::render::format::truncate_chars;
use serde_json::{json, Value};

/// The `action_id` prefix of a button that runs a command (its `value`).
pub const COMMAND_ACTION: &str = "status";
/// Buttons in one actions block (Slack allows 25).
const MAX_BUTTONS: usize = 25;
/// Characters of a button's label (Slack truncates at about 30 in view).
const MAX_LABEL_CHARS: usize = 75;

/// The JSON body answering a slash command (or posted to its `response_url`).
pub fn slack_reply(reply: &Reply) -> Value {
    let title = truncate_escaped(&slack_escape(&reply.title), MAX_SECTION_CHARS);
    let mut blocks = vec![section(&format!("*{title}*"))];
    let mut chars = title.len();
    'sections: for s in &reply.sections {
        for text in chunks(s.heading.as_deref(), &s.lines) {
            if blocks.len() + 2 >= MAX_BLOCKS || chars + text.len() > MAX_PAGE_CHARS {
                blocks.push(section("…"));
                break 'sections;
            }
            chars += text.len();
            blocks.push(section(&text));
        }
    }
    if !reply.choices.is_empty() {
        let buttons: Vec<Value> = reply
            .choices
            .iter()
            .take(MAX_BUTTONS)
            .enumerate()
            .map(|(n, choice)| {
                json!({
                    "type": "button",
                    "action_id": format!("{COMMAND_ACTION}:{n}"),
                    "text": { "type": "plain_text", "text": truncate_chars(&choice.label, MAX_LABEL_CHARS) },
                    "value": choice.command,
                })
            })
            .collect();
        blocks.push(json!({ "type": "actions", "block_id": "choices", "elements": buttons }));
    }
    json!({
        "response_type": if reply.public { "in_channel" } else { "ephemeral" },
        "text": title,
        "blocks": blocks,
    })
}

/// A quick acknowledgement while the answer is being prepared.
pub fn slack_wait(text: &str) -> Value {
    json!({ "response_type": "ephemeral", "text": slack_escape(text) })
}

fn section(text: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } })
}

/// The heading in bold and the lines, escaped, in texts of at most
/// [`MAX_SECTION_CHARS`] (a longer list is split; a longer line cut).
fn chunks(heading: Option<&str>, lines: &[String]) -> Vec<String> {
    let mut texts = Vec::new();
    let mut current = heading.map(|h| format!("*{}*", slack_escape(h))).unwrap_or_default();
    for line in lines {
        let line = truncate_escaped(&slack_escape(line), MAX_SECTION_CHARS);
        if !current.is_empty() && current.chars().count() + 1 + line.chars().count() > MAX_SECTION_CHARS {
            texts.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        texts.push(current);
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{Choice, Section};

    fn reply(lines: Vec<String>, choices: Vec<Choice>, public: bool) -> Reply {
        Reply {
            public,
            title: "<!channel> Bâtiments & Fils — C2".into(),
            sections: vec![Section { heading: Some("Factures ouvertes (1)".into()), lines }],
            choices,
        }
    }

    #[test]
    fn client_data_is_escaped_and_visibility_follows_public() {
        let body = slack_reply(&reply(vec!["F-1 · <b>".into()], vec![], false));
        assert_eq!(body["response_type"], "ephemeral");
        let text = body.to_string();
        assert!(text.contains("&lt;!channel&gt; Bâtiments &amp; Fils") && !text.contains("<!channel>"), "{text}");
        assert!(text.contains("*Factures ouvertes (1)*\\nF-1 · &lt;b&gt;"), "{text}");
        assert_eq!(slack_reply(&reply(vec![], vec![], true))["response_type"], "in_channel");
    }

    #[test]
    fn choices_become_buttons_running_their_command() {
        let choices = vec![
            Choice { label: "Dupont SA (C5)".into(), command: "status C5".into() },
            Choice { label: "Dupont & Fils (C7)".into(), command: "status C7".into() },
        ];
        let body = slack_reply(&reply(vec![], choices, false));
        let actions = body["blocks"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(actions["elements"][1]["action_id"], "status:1");
        assert_eq!(actions["elements"][1]["value"], "status C7");
        assert_eq!(actions["elements"][1]["text"]["text"], "Dupont & Fils (C7)", "plain text: not escaped");
    }

    #[test]
    fn long_lists_are_split_within_slack_limits() {
        let lines: Vec<String> = (0..2000).map(|i| format!("F-{i:05} · éch. 09/03/2026 · 1 200,00 € dû")).collect();
        let body = slack_reply(&reply(lines, vec![], false));
        let blocks = body["blocks"].as_array().unwrap();
        assert!(blocks.len() <= MAX_BLOCKS, "{}", blocks.len());
        for b in blocks {
            assert!(b["text"]["text"].as_str().unwrap().chars().count() <= 3000);
        }
        assert!(body.to_string().len() < 16_000);
        assert_eq!(blocks.last().unwrap()["text"]["text"], "…", "the cut is said");
    }
}
