//! Slack digest pages: every proposal once, every limit respected, client data escaped.

use super::*;
use crate::domain::{Channel, ProposalId, Stage, Tone};
use crate::policy::ProposedInvoice;
use rust_decimal_macros::dec;
use std::collections::HashSet;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A proposal for client `n` with `invoices` invoices of 1 200 € each.
fn proposal(n: usize, name: &str, invoices: usize) -> Proposal {
    let invoices: Vec<ProposedInvoice> = (0..invoices)
        .map(|i| {
            let number = format!("F-2026-{n:04}-{i:03}");
            ProposedInvoice::sample(&number, dec!(1200), d(2026, 2, 14), 30, Stage::Second)
        })
        .collect();
    let mut p = Proposal::sample(&format!("C{n:04}"), name, Stage::Second, Tone::Firm, invoices);
    p.id = ProposalId::parse(&format!("20260316-c{n:09}")).unwrap();
    p.channels = vec![Channel::Email, Channel::Sms];
    p.score = 40;
    p.reason = "échue depuis 30 jours".into();
    p
}

fn entry(p: Proposal) -> DigestEntry {
    DigestEntry::new(p, "Bonjour, sauf erreur de notre part, la facture ci-dessous…")
}

fn header() -> DigestHeader {
    DigestHeader::new(
        d(2026, 3, 16),
        vec!["En retard : 180 000,00 € · 150 factures".into(), "DSO : EUR 52 jours".into()],
    )
}

/// Text of a `{type, text}` object, or "".
fn text_of(v: &Value) -> &str {
    v["text"].as_str().unwrap_or("")
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Walks one `chat.postMessage` body and asserts every Slack limit the digest
/// must respect (documented ones, and the ~13.2k payload ceiling).
fn check_slack_limits(page: &Value) {
    let fallback = page["text"].as_str().expect("fallback text");
    assert!(!fallback.is_empty() && chars(fallback) <= 40_000, "fallback text: {fallback}");
    let blocks = page["blocks"].as_array().expect("blocks");
    assert!(!blocks.is_empty() && blocks.len() <= 50, "{} blocks", blocks.len());
    let payload = serde_json::to_string(blocks).unwrap();
    assert!(chars(&payload) <= 13_000, "blocks payload of {} chars", chars(&payload));
    let mut block_ids = HashSet::new();
    for block in blocks {
        let block_id = block["block_id"].as_str().expect("block_id");
        assert!(chars(block_id) <= 255, "block_id {block_id}");
        assert!(block_ids.insert(block_id.to_string()), "duplicate block_id {block_id}");
        match block["type"].as_str().unwrap() {
            "section" => {
                let text = text_of(&block["text"]);
                assert!(!text.is_empty() && chars(text) <= 3000, "section of {} chars", chars(text));
            }
            "context" => {
                let elements = block["elements"].as_array().unwrap();
                assert!(!elements.is_empty() && elements.len() <= 10);
                for e in elements {
                    assert!(chars(text_of(e)) <= 3000);
                }
            }
            "actions" => check_actions(block),
            other => panic!("unexpected block type {other}"),
        }
    }
}

fn check_actions(block: &Value) {
    let elements = block["elements"].as_array().unwrap();
    assert!(!elements.is_empty() && elements.len() <= 25);
    let mut action_ids = HashSet::new();
    for button in elements {
        assert_eq!(button["type"], "button");
        let text = text_of(&button["text"]);
        assert!(!text.is_empty() && chars(text) <= 75, "button text {text}");
        let action_id = button["action_id"].as_str().unwrap();
        assert!(chars(action_id) <= 255);
        assert!(action_ids.insert(action_id.to_string()), "duplicate action_id {action_id} in a block");
        let value = button["value"].as_str().unwrap();
        assert!(!value.is_empty() && chars(value) <= 2000);
        if let Some(confirm) = button.get("confirm") {
            assert!(chars(text_of(&confirm["title"])) <= 100);
            assert!(chars(text_of(&confirm["text"])) <= 300);
            assert!(chars(text_of(&confirm["confirm"])) <= 30);
            assert!(chars(text_of(&confirm["deny"])) <= 30);
        }
    }
}

/// Every button of a page: (block_id, action_id, value).
fn buttons(page: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for block in page["blocks"].as_array().unwrap().iter().filter(|b| b["type"] == "actions") {
        for b in block["elements"].as_array().unwrap() {
            out.push((
                block["block_id"].as_str().unwrap().to_string(),
                b["action_id"].as_str().unwrap().to_string(),
                b["value"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

fn all_text(page: &Value) -> String {
    page.to_string()
}

#[test]
fn escaping_turns_slack_control_characters_into_entities_ampersand_first() {
    assert_eq!(slack_escape("<!channel> & co"), "&lt;!channel&gt; &amp; co");
    assert_eq!(slack_escape("&lt;"), "&amp;lt;");
    assert_eq!(slack_escape("Café * _ ~"), "Café * _ ~");
}

#[test]
fn a_150_proposal_day_is_split_into_pages_holding_every_proposal_once_within_limits() {
    // Some clients with many invoices, so pages are cut by size as well as by count.
    let entries: Vec<DigestEntry> = (0..150)
        .map(|n| entry(proposal(n, &format!("Client {n} SARL"), 1 + n % 3 + 25 * usize::from(n % 10 == 0))))
        .collect();
    let pages = slack_digest_pages(&header(), &entries, Language::Fr);
    assert!(pages.len() >= 7, "150 entries of 2 blocks need at least 7 pages, got {}", pages.len());
    let mut seen: Vec<String> = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        check_slack_limits(page);
        for block in page["blocks"].as_array().unwrap().iter().filter(|b| b["type"] == "actions") {
            let values: HashSet<&str> =
                block["elements"].as_array().unwrap().iter().map(|b| b["value"].as_str().unwrap()).collect();
            assert_eq!(values.len(), 1, "one proposal per actions block");
            seen.push(values.into_iter().next().unwrap().to_string());
        }
        assert!(page["text"].as_str().unwrap().ends_with(&format!("({}/{})", i + 1, pages.len())));
    }
    let expected: Vec<String> = entries.iter().map(|e| e.proposal.id.to_string()).collect();
    assert_eq!(seen, expected, "every proposal exactly once, in order");
    assert!(all_text(&pages[0]).contains("Relances proposées — lundi 16 mars 2026"));
    for page in &pages[1..] {
        assert!(!page["blocks"].to_string().contains("digest:header"), "the header is on the first page only");
    }
}

#[test]
fn action_ids_start_with_the_action_name_and_carry_the_proposal_id() {
    let pages = slack_digest_pages(&header(), &[entry(proposal(7, "Garage Martin", 1))], Language::Fr);
    assert_eq!(pages.len(), 1);
    let got = buttons(&pages[0]);
    let id = "20260316-c000000007";
    let expected: Vec<(String, String, String)> = ["approve", "soften", "veto", "snooze"]
        .iter()
        .map(|a| (format!("actions:{id}"), format!("{a}:{id}"), id.to_string()))
        .collect();
    assert_eq!(got, expected);
    let veto = &pages[0]["blocks"][2]["elements"][2];
    assert_eq!(veto["style"], "danger");
    assert_eq!(veto["confirm"]["title"]["text"], "Mettre un veto ?");
    assert!(text_of(&veto["confirm"]["text"]).contains("Garage Martin"));
    assert!(pages[0]["blocks"][2]["elements"][1].get("confirm").is_none(), "only Veto asks to confirm");
}

#[test]
fn a_client_named_like_a_mention_is_escaped_and_pings_no_one() {
    let pages = slack_digest_pages(&header(), &[entry(proposal(1, "<!channel> & co", 1))], Language::Fr);
    check_slack_limits(&pages[0]);
    let section = text_of(&pages[0]["blocks"][1]["text"]);
    assert!(section.starts_with("*&lt;!channel&gt; &amp; co*"), "{section}");
    assert!(!section.contains("<!channel>"));
}

#[test]
fn an_entry_shows_stage_tone_channels_invoices_total_and_preview() {
    let pages = slack_digest_pages(&header(), &[entry(proposal(1, "Garage Martin", 2))], Language::Fr);
    let section = text_of(&pages[0]["blocks"][1]["text"]);
    let expected = "*Garage Martin*\n\
        2e relance · ton ferme · e-mail + SMS\n\
        • F-2026-0001-000 — 1\u{202F}200,00\u{A0}€ — 30 j de retard\n\
        • F-2026-0001-001 — 1\u{202F}200,00\u{A0}€ — 30 j de retard\n\
        *Total :* 2\u{202F}400,00\u{A0}€\n\
        > Bonjour, sauf erreur de notre part, la facture ci-dessous…";
    assert_eq!(section, expected);
    assert_eq!(pages[0]["text"], "Relances proposées — lundi 16 mars 2026 : 1 relance");
}

#[test]
fn a_strategic_client_shows_the_star_and_its_owner() {
    let mut p = proposal(3, "Groupe Durand", 1);
    p.segment = Segment::Strategic;
    p.owner = Some("julie".into());
    let pages = slack_digest_pages(&header(), &[entry(p)], Language::Fr);
    let section = text_of(&pages[0]["blocks"][1]["text"]);
    assert!(section.starts_with("*Groupe Durand*  ⭐ stratégique · suivi par @julie\n"), "{section}");
}

#[test]
fn a_long_invoice_list_is_summarised_and_the_total_still_covers_it_all() {
    let pages = slack_digest_pages(&header(), &[entry(proposal(4, "Grossiste Leroy", 250))], Language::Fr);
    check_slack_limits(&pages[0]);
    let section = text_of(&pages[0]["blocks"][1]["text"]);
    assert_eq!(section.matches("• F-2026-").count(), MAX_INVOICE_LINES);
    assert!(section.contains("… et 240 autres factures"));
    assert!(section.contains("*Total :* 300\u{202F}000,00\u{A0}€"));
}

#[test]
fn a_huge_preview_or_name_is_truncated_within_the_section_limit() {
    let mut e = entry(proposal(5, &"<&>".repeat(3000), 1));
    e.preview = "&".repeat(10_000);
    let pages = slack_digest_pages(&header(), &[e], Language::En);
    check_slack_limits(&pages[0]);
    let section = text_of(&pages[0]["blocks"][1]["text"]);
    assert!(section.contains("…"));
    assert!(!section.contains('<'));
}

#[test]
fn a_decided_entry_shows_its_status_instead_of_the_buttons() {
    let mut e = entry(proposal(6, "Garage Martin", 1));
    e.status = Some("✅ Approuvé par Claire <@U123> à 09:12".into());
    let pages = slack_digest_pages(&header(), &[e], Language::Fr);
    check_slack_limits(&pages[0]);
    assert!(buttons(&pages[0]).is_empty());
    let status = &pages[0]["blocks"][2];
    assert_eq!(status["type"], "context");
    assert_eq!(status["elements"][0]["text"], "✅ Approuvé par Claire &lt;@U123&gt; à 09:12");
}

#[test]
fn button_labels_follow_the_team_language() {
    let labels = |lang| -> Vec<String> {
        let pages = slack_digest_pages(&header(), &[entry(proposal(8, "Garage Martin", 1))], lang);
        let block = &pages[0]["blocks"][2]["elements"];
        (0..4).map(|i| text_of(&block[i]["text"]).to_string()).collect()
    };
    assert_eq!(labels(Language::Fr), ["Approuver", "Adoucir", "Veto", "Reporter"]);
    assert_eq!(labels(Language::En), ["Approve", "Soften", "Veto", "Snooze"]);
}

#[test]
fn an_empty_day_is_one_page_saying_so() {
    let pages = slack_digest_pages(&header(), &[], Language::En);
    assert_eq!(pages.len(), 1);
    check_slack_limits(&pages[0]);
    assert_eq!(pages[0]["text"], "Proposed reminders — Monday 16 March 2026: 0 reminders");
    assert!(text_of(&pages[0]["blocks"][0]["text"]).ends_with("No reminders to propose today."));
}
