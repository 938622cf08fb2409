//! The "📞 À appeler" section in Teams: its own cards after the reminder
//! cards, one container per call, cut into pages within the digest's
//! payload limit (`teams.rs`). Client data goes through
//! [`teams_inert`](super::teams::teams_inert); the phone line is ours (an
//! E.164 number checked at import), so its Markdown link is kept:
//! `[+33 4 72 00 00 00](tel:+33…)` shows the number whether or not Teams
//! opens `tel:`.
//!
//! A card posted by a webhook can only open links, so each call's seven
//! outcomes are `Action.OpenUrl` signed links (`/call/{token}`, made by the
//! caller's `link`), each bound to the call task and the outcome; the page
//! it opens asks for the outcome's fields and who records it.

use super::call_buttons::CallButton;
use super::call_lines::{
    call_count, call_invoice_bullets, call_note_line, call_total_line, caller_line, calls_fallback, calls_title,
    owner_name, reminders_line, script_label, script_lines, shown_notes, MAX_CALL_INVOICES, MAX_CALL_NAME_CHARS,
};
use super::describe::tr;
use super::model::CallEntry;
use super::teams::{cards, subtle, text};
use crate::domain::Language;
use crate::policy::call_outcome::OutcomeKind;
use crate::render::format::truncate_chars;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// The URL of an outcome link: `link(button)`.
pub type CallLinkFn<'a> = dyn Fn(&CallButton) -> String + 'a;

/// The section as Workflows webhook bodies, in order; none on a day without
/// calls. Every call appears on exactly one card.
pub fn teams_call_cards(day: NaiveDate, calls: &[CallEntry], lang: Language, link: &CallLinkFn<'_>) -> Vec<Value> {
    if calls.is_empty() {
        return Vec::new();
    }
    let mut title = text(&format!("{}\n\n{}", calls_title(day, lang), call_count(calls.len(), lang)));
    title["size"] = json!("Large");
    title["weight"] = json!("Bolder");
    let mut continued = text(&format!("{} ({})", calls_title(day, lang), tr(lang, "suite", "continued")));
    continued["weight"] = json!("Bolder");
    let items: Vec<Value> = calls.iter().map(|c| call_container(c, lang, link)).collect();
    let fallback = |page, pages| calls_fallback(day, calls.len(), page, pages, lang);
    cards(&[title], &continued, &items, &fallback).into_iter().map(|(body, _)| body).collect()
}

/// One call, the outcomes recorded today, and its seven outcome links
/// until someone answered.
fn call_container(call: &CallEntry, lang: Language, link: &CallLinkFn<'_>) -> Value {
    let task = &call.task;
    let mut name = text(&truncate_chars(task.client_name.trim(), MAX_CALL_NAME_CHARS));
    name["weight"] = json!("Bolder");
    name["size"] = json!("Medium");
    let phone = json!({
        "type": "TextBlock",
        "text": format!("📞 [{}]({})", task.phone_display, task.tel),
        "wrap": true,
        "spacing": "None",
    });
    let mut items = vec![name, phone, subtle(&caller_line(task, owner_name(call), lang))];
    items.extend(call_invoice_bullets(task, lang, MAX_CALL_INVOICES, |n| n.to_string()).iter().map(|l| subtle(l)));
    let mut total = text(&call_total_line(task, lang, ""));
    total["weight"] = json!("Bolder");
    items.push(total);
    items.push(subtle(&reminders_line(task, lang)));
    let mut script = vec![script_label(lang).to_string()];
    script.extend(script_lines(task));
    items.push(text(&script.join("\n\n")));
    for note in shown_notes(call) {
        let mut block = text(&call_note_line(note, lang));
        block["weight"] = json!("Bolder");
        items.push(block);
    }
    if !call.answered() {
        items.push(outcome_links(call, lang, link));
    }
    json!({ "type": "Container", "separator": true, "spacing": "Large", "items": items })
}

/// Seven `Action.OpenUrl`, the promise first and marked positive.
fn outcome_links(call: &CallEntry, lang: Language, link: &CallLinkFn<'_>) -> Value {
    let actions: Vec<Value> = OutcomeKind::ALL
        .iter()
        .map(|&kind| {
            let url = link(&CallButton::new(&call.task, kind));
            let mut action = json!({ "type": "Action.OpenUrl", "title": kind.label(lang), "url": url });
            if kind == OutcomeKind::Promise {
                action["style"] = json!("positive");
            }
            action
        })
        .collect();
    json!({ "type": "ActionSet", "actions": actions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::fixtures::{call_entry as entry, many_calls, monday as day};
    use crate::digest::teams::MAX_PAYLOAD_BYTES;

    /// A link as long as a real one (a 150-character token), naming its button.
    fn link(button: &CallButton) -> String {
        format!("https://relance.example.fr/call/{}#{}", "t".repeat(150), button.encode())
    }

    #[test]
    fn a_call_links_the_number_and_keeps_client_data_inert() {
        let cards =
            teams_call_cards(day(), &[entry("ACME", "<at>Tous</at> [payé](https://x.fr)", 1)], Language::Fr, &link);
        let body = &cards[0]["attachments"][0]["content"]["body"];
        let call = &body[1]["items"];
        assert_eq!(call[0]["text"], "<\u{200B}at>Tous<\u{200B}/at> [payé]\u{200B}(https://x.fr)");
        assert_eq!(call[1]["text"], "📞 [+33 4 72 00 00 00](tel:+33472000000)");
        assert_eq!(call[2]["text"], "Appel : la comptabilité");
        assert_eq!(body[0]["text"], "📞 À appeler — lundi 16 mars 2026\n\n1 appel");
    }

    #[test]
    fn a_day_with_many_calls_is_split_within_the_payload_limit_and_drops_none() {
        let calls = many_calls();
        let cards = teams_call_cards(day(), &calls, Language::Fr, &link);
        assert!(cards.len() > 1);
        let mut seen = 0;
        for card in &cards {
            assert!(serde_json::to_vec(card).unwrap().len() <= MAX_PAYLOAD_BYTES);
            let body = card["attachments"][0]["content"]["body"].as_array().unwrap();
            let calls: Vec<&Value> = body.iter().filter(|b| b["type"] == "Container").collect();
            assert!(calls.iter().all(|c| c["items"].as_array().unwrap().last().unwrap()["actions"][6]["url"]
                .as_str()
                .is_some_and(|u| u.contains("|voicemail|"))));
            seen += calls.len();
        }
        assert_eq!(seen, 150);
    }

    #[test]
    fn a_call_offers_seven_outcome_links_then_shows_the_answer_in_place_of_them() {
        use crate::digest::model::CallNote;
        use crate::policy::call_outcome::Outcome;
        let mut call = entry("ACME", "Garage Martin", 1);
        let cards = teams_call_cards(day(), std::slice::from_ref(&call), Language::Fr, &link);
        let items = cards[0]["attachments"][0]["content"]["body"][1]["items"].as_array().unwrap().clone();
        let actions = items.last().unwrap()["actions"].as_array().unwrap();
        let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
        assert_eq!(titles.len(), 7);
        assert_eq!(titles[0], OutcomeKind::Promise.label(Language::Fr));
        for (action, kind) in actions.iter().zip(OutcomeKind::ALL) {
            assert_eq!(action["type"], "Action.OpenUrl");
            let carried = action["url"].as_str().unwrap().split('#').nth(1).unwrap();
            assert_eq!(CallButton::parse(carried), Some(CallButton::new(&call.task, kind)));
        }
        let at = chrono::NaiveTime::from_hms_opt(9, 42, 0).unwrap();
        call.notes.push(CallNote {
            outcome: Outcome::Dispute { reason: "prix".into() },
            by: "Claire Martin".into(),
            at,
        });
        let cards = teams_call_cards(day(), &[call], Language::Fr, &link);
        let items = cards[0]["attachments"][0]["content"]["body"][1]["items"].as_array().unwrap().clone();
        assert_eq!(items.last().unwrap()["text"], "📞 Rappel : litige (prix) — Claire Martin 09:42");
        assert!(items.iter().all(|i| i["type"] != "ActionSet"), "answered: no more links");
    }
}
