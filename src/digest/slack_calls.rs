//! The "📞 À appeler" section in Slack: its own messages after the reminder
//! pages, one `section` per call, cut into pages with the digest's limits
//! (`slack.rs`: blocks, serialized characters, section text).
//!
//! The phone is a mrkdwn link whose text is the number itself
//! (`<tel:+33472000000|+33 4 72 00 00 00>`): where Slack does not make `tel:`
//! clickable, the number still reads in full.

use super::call_buttons::CallButton;
use super::call_lines::{
    call_count, call_invoice_bullets, call_note_line, call_total_line, caller_line, calls_fallback, calls_title,
    owner_name, reminders_line, script_label, script_lines, shown_notes, MAX_CALL_INVOICES, MAX_CALL_NAME_CHARS,
};
use super::model::CallEntry;
use super::slack::{is_slack_member_id, json_chars, page_footer, paginate, section, slack_escape, Cost};
use crate::domain::Language;
use crate::policy::call_outcome::OutcomeKind;
use crate::policy::calls::Caller;
use crate::render::format::truncate_chars;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// Blocks a call takes: its section, the outcomes recorded (a `context`
/// block) and the outcome buttons (an `actions` block). Counted whether
/// shown or not, so the pages of a call section re-rendered after a click
/// are cut where they were when posted, and each is edited in place.
const CALL_BLOCKS: usize = 3;
/// Characters reserved for the outcome buttons (seven buttons and their ids)
/// and the notes under them, likewise.
const OUTCOME_RESERVE_CHARS: usize = 1_800;

/// The section as `chat.postMessage` bodies, in order; none on a day
/// without calls. Every call appears on exactly one page.
pub fn slack_call_pages(day: NaiveDate, calls: &[CallEntry], lang: Language) -> Vec<Value> {
    if calls.is_empty() {
        return Vec::new();
    }
    let head = Cost { blocks: 1, chars: json_chars(&[head_block(day, calls.len(), lang)]) };
    let costs: Vec<Cost> = calls
        .iter()
        .map(|c| Cost { blocks: CALL_BLOCKS, chars: json_chars(&[call_section(c, lang)]) + OUTCOME_RESERVE_CHARS })
        .collect();
    let ranges = paginate(head, &costs);
    let pages = ranges.len();
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            let mut blocks = if i == 0 { vec![head_block(day, calls.len(), lang)] } else { Vec::new() };
            for call in &calls[range] {
                blocks.extend(call_blocks(call, lang));
            }
            if pages > 1 {
                blocks.push(page_footer(i + 1, pages));
            }
            json!({ "text": calls_fallback(day, calls.len(), i + 1, pages, lang), "blocks": blocks })
        })
        .collect()
}

fn head_block(day: NaiveDate, count: usize, lang: Language) -> Value {
    section("calls:header".into(), &format!("*{}*\n{}", calls_title(day, lang), call_count(count, lang)))
}

/// The call's section, the outcomes recorded today, and the outcome
/// buttons until someone answered.
fn call_blocks(call: &CallEntry, lang: Language) -> Vec<Value> {
    let mut blocks = vec![call_section(call, lang)];
    let notes = shown_notes(call);
    if !notes.is_empty() {
        let lines: Vec<String> = notes.iter().map(|n| slack_escape(&call_note_line(n, lang))).collect();
        blocks.push(json!({
            "type": "context",
            "block_id": format!("call_notes:{}", call.task.id),
            "elements": [{ "type": "mrkdwn", "text": lines.join("\n") }],
        }));
    }
    if !call.answered() {
        blocks.push(outcome_buttons(call, lang));
    }
    blocks
}

fn call_section(call: &CallEntry, lang: Language) -> Value {
    section(format!("call:{}", call.task.id), &call_text(call, lang))
}

/// Seven buttons, one per outcome: `action_id` `call_outcome:{task}:{outcome}`
/// (unique in the block), `value` what [`CallButton::parse`] reads back.
fn outcome_buttons(call: &CallEntry, lang: Language) -> Value {
    let elements: Vec<Value> = OutcomeKind::ALL
        .iter()
        .map(|&kind| {
            let button = CallButton::new(&call.task, kind);
            let mut element = json!({
                "type": "button",
                "action_id": button.action_id(),
                "text": { "type": "plain_text", "text": kind.label(lang) },
                "value": button.encode(),
            });
            if kind == OutcomeKind::Promise {
                element["style"] = json!("primary");
            }
            element
        })
        .collect();
    json!({ "type": "actions", "block_id": format!("call_actions:{}", call.task.id), "elements": elements })
}

/// Name and phone, caller, invoices, total, reminders, script; client data escaped.
fn call_text(call: &CallEntry, lang: Language) -> String {
    let task = &call.task;
    let name = slack_escape(&truncate_chars(task.client_name.trim(), MAX_CALL_NAME_CHARS));
    let mut lines =
        vec![format!("*{name}* — <{}|{}>", task.tel, task.phone_display), caller_line(task, owner_mention(call), lang)];
    lines.extend(call_invoice_bullets(task, lang, MAX_CALL_INVOICES, slack_escape));
    lines.push(call_total_line(task, lang, "*"));
    lines.push(reminders_line(task, lang));
    lines.push(format!("_{}_", script_label(lang)));
    lines.extend(script_lines(task));
    lines.join("\n")
}

/// `<@U024BE7LH>` when the owner calls and `people:` knows their Slack id,
/// so Slack notifies them; else their name, escaped.
fn owner_mention(call: &CallEntry) -> Option<String> {
    if !matches!(call.task.caller, Caller::Owner { .. }) {
        return None;
    }
    let id = call.owner.as_ref().and_then(|o| o.slack.as_deref()).map(str::trim).filter(|id| is_slack_member_id(id));
    match id {
        Some(id) => Some(format!("<@{id}>")),
        None => owner_name(call).map(|name| slack_escape(&name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::fixtures::{call_entry as entry, many_calls, monday as day};
    use crate::digest::model::Owner;
    use crate::digest::slack::{MAX_BLOCKS, MAX_PAGE_CHARS, MAX_SECTION_CHARS};

    #[test]
    fn a_call_shows_the_number_as_a_tel_link_and_escapes_the_client() {
        let day = day();
        let mut call = entry("ACME", "<!channel> Durand & Fils", 2);
        call.task.caller = Caller::Owner { name: "julie".into() };
        call.owner = Some(Owner { name: "Julie".into(), slack: Some("U024BE7LH".into()), discord: None });
        let pages = slack_call_pages(day, &[call], Language::Fr);
        assert_eq!(pages.len(), 1);
        let text = pages[0]["blocks"][1]["text"]["text"].as_str().unwrap();
        assert!(
            text.starts_with("*&lt;!channel&gt; Durand &amp; Fils* — <tel:+33472000000|+33 4 72 00 00 00>\n"),
            "{text}"
        );
        assert!(text.contains("Appel : <@U024BE7LH> (responsable du client)"), "{text}");
        assert!(text.contains("1. Vérifier la réception"), "{text}");
        assert_eq!(pages[0]["blocks"][0]["text"]["text"], "*📞 À appeler — lundi 16 mars 2026*\n1 appel");
        assert!(slack_call_pages(day, &[], Language::Fr).is_empty());
    }

    #[test]
    fn a_call_offers_seven_outcomes_then_shows_the_answer_in_place_without_moving_pages() {
        use crate::digest::model::CallNote;
        use crate::policy::call_outcome::Outcome;
        let day = day();
        let call = entry("ACME", "Durand", 2);
        let open = slack_call_pages(day, std::slice::from_ref(&call), Language::Fr);
        let actions = &open[0]["blocks"][2];
        assert_eq!(actions["type"], "actions");
        let buttons = actions["elements"].as_array().unwrap();
        assert_eq!(buttons.len(), 7);
        let value = buttons[0]["value"].as_str().unwrap();
        let button = CallButton::parse(value).unwrap();
        assert_eq!((button.task_id.as_str(), button.kind), (call.task.id.as_str(), OutcomeKind::Promise));
        assert!(buttons[0]["action_id"].as_str().unwrap().starts_with("call_outcome:"));

        let at = chrono::NaiveTime::from_hms_opt(9, 42, 0).unwrap();
        let mut answered = call.clone();
        answered.notes.push(CallNote { outcome: Outcome::Voicemail, by: "Claire Martin".into(), at });
        let reason = Outcome::Dispute { reason: "<!here> prix".into() };
        answered.notes.push(CallNote { outcome: reason, by: "Claire Martin".into(), at });
        let shown = slack_call_pages(day, std::slice::from_ref(&answered), Language::Fr);
        let blocks = shown[0]["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 3, "header, section, notes: no more buttons once answered");
        assert_eq!(
            blocks[2]["elements"][0]["text"],
            "📞 Rappel : messagerie / injoignable — Claire Martin 09:42\n📞 Rappel : litige (&lt;!here&gt; prix) — Claire Martin 09:42"
        );
        let many = many_calls();
        let mut noted = many.clone();
        for call in &mut noted {
            call.notes = answered.notes.clone();
        }
        assert_eq!(slack_call_pages(day, &many, Language::Fr).len(), slack_call_pages(day, &noted, Language::Fr).len());
    }

    #[test]
    fn a_day_with_many_calls_is_split_within_slack_limits_and_drops_none() {
        let day = day();
        let calls = many_calls();
        let pages = slack_call_pages(day, &calls, Language::Fr);
        assert!(pages.len() > 1);
        let mut seen = 0;
        for page in &pages {
            let blocks = page["blocks"].as_array().unwrap();
            let calls = blocks.iter().filter(|b| b["block_id"].as_str().unwrap().starts_with("call:")).count();
            // Each call shows its buttons; room kept for its notes, within Slack's 50.
            assert!(blocks.len() + calls <= MAX_BLOCKS, "{} blocks, {calls} calls", blocks.len());
            assert!(page["blocks"].to_string().chars().count() <= MAX_PAGE_CHARS);
            for block in blocks {
                let text = block["text"]["text"].as_str().unwrap_or("");
                assert!(text.chars().count() <= MAX_SECTION_CHARS);
            }
            seen += calls;
        }
        assert_eq!(seen, 150, "every call on exactly one page");
        let expected = format!("150 appels (1/{})", pages.len());
        assert!(pages[0]["text"].as_str().unwrap().ends_with(&expected), "{}", pages[0]["text"]);
    }
}
