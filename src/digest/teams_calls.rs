//! The "📞 À appeler" section in Teams: its own cards after the reminder
//! cards, one container per call, cut into pages within the digest's
//! payload limit (`teams.rs`). Client data goes through
//! [`teams_inert`](super::teams::teams_inert); the phone line is ours (an
//! E.164 number checked at import), so its Markdown link is kept:
//! `[+33 4 72 00 00 00](tel:+33…)` shows the number whether or not Teams
//! opens `tel:`.

use super::call_lines::{
    call_count, call_invoice_bullets, call_total_line, caller_line, calls_fallback, calls_title, owner_name,
    reminders_line, script_label, script_lines, MAX_CALL_INVOICES, MAX_CALL_NAME_CHARS,
};
use super::describe::tr;
use super::model::CallEntry;
use super::teams::{cards, subtle, text};
use crate::domain::Language;
use crate::render::format::truncate_chars;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// The section as Workflows webhook bodies, in order; none on a day without
/// calls. Every call appears on exactly one card.
pub fn teams_call_cards(day: NaiveDate, calls: &[CallEntry], lang: Language) -> Vec<Value> {
    if calls.is_empty() {
        return Vec::new();
    }
    let mut title = text(&format!("{}\n\n{}", calls_title(day, lang), call_count(calls.len(), lang)));
    title["size"] = json!("Large");
    title["weight"] = json!("Bolder");
    let mut continued = text(&format!("{} ({})", calls_title(day, lang), tr(lang, "suite", "continued")));
    continued["weight"] = json!("Bolder");
    let items: Vec<Value> = calls.iter().map(|c| call_container(c, lang)).collect();
    let fallback = |page, pages| calls_fallback(day, calls.len(), page, pages, lang);
    cards(&[title], &continued, &items, &fallback).into_iter().map(|(body, _)| body).collect()
}

/// One call. Its outcome buttons (signed links, as for the reminders) will
/// be an `ActionSet` at the end of this container.
fn call_container(call: &CallEntry, lang: Language) -> Value {
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
    json!({ "type": "Container", "separator": true, "spacing": "Large", "items": items })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::fixtures::{call_entry as entry, many_calls, monday as day};
    use crate::digest::teams::MAX_PAYLOAD_BYTES;

    #[test]
    fn a_call_links_the_number_and_keeps_client_data_inert() {
        let cards = teams_call_cards(day(), &[entry("ACME", "<at>Tous</at> [payé](https://x.fr)", 1)], Language::Fr);
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
        let cards = teams_call_cards(day(), &calls, Language::Fr);
        assert!(cards.len() > 1);
        let mut seen = 0;
        for card in &cards {
            assert!(serde_json::to_vec(card).unwrap().len() <= MAX_PAYLOAD_BYTES);
            let body = card["attachments"][0]["content"]["body"].as_array().unwrap();
            seen += body.iter().filter(|b| b["type"] == "Container").count();
        }
        assert_eq!(seen, 150);
    }
}
