//! Teams digest cards: every proposal once, every card under 28 KB, only link
//! buttons, client data inert.

use super::*;
use crate::digest::fixtures::{entry, header, proposal};
use crate::domain::Segment;

/// What Teams accepts per message.
const TEAMS_LIMIT_BYTES: usize = 28_000;

/// A link as long as a real signed token (~150 characters).
fn link(id: &str, action: Action) -> String {
    format!("https://relance.example.fr/act/{}.{id}.{}", "t".repeat(120), action.as_str())
}

/// A realistic heavy day: 150 proposals, some with long names and many invoices.
fn heavy_day() -> Vec<DigestEntry> {
    (0..150)
        .map(|n| {
            let name = if n % 10 == 0 { "Établissements Très Longs ".repeat(8) } else { format!("Client {n}") };
            let mut e = entry(proposal(n, &name, 1 + n % 14));
            e.preview = "Madame, Monsieur, sauf erreur de notre part … ".repeat(20);
            e
        })
        .collect()
}

fn card(page: &TeamsPage) -> &Value {
    &page.body["attachments"][0]["content"]
}

/// Every action anywhere in a card, with the ActionSets nested in containers.
fn actions(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(list)) = map.get("actions") {
                out.extend(list.iter().cloned());
            }
            map.values().for_each(|v| actions(v, out));
        }
        Value::Array(list) => list.iter().for_each(|v| actions(v, out)),
        _ => {}
    }
}

fn all_actions(page: &TeamsPage) -> Vec<Value> {
    let mut out = Vec::new();
    actions(card(page), &mut out);
    out
}

/// The proposal ids whose containers a page holds, from the buttons' URLs.
fn ids_on_page(page: &TeamsPage) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for action in all_actions(page) {
        let url = action["url"].as_str().unwrap();
        let id = url.split('.').nth(3).unwrap().to_string();
        if ids.last() != Some(&id) {
            ids.push(id);
        }
    }
    ids
}

#[test]
fn a_heavy_day_is_split_under_28_kb_and_keeps_every_entry_once() {
    let entries = heavy_day();
    let pages = teams_digest_cards(&header(), &entries, Language::Fr, &link);
    assert!(pages.len() > 1, "150 entries cannot fit one card");
    for page in &pages {
        let size = serde_json::to_vec(&page.body).unwrap().len();
        assert!(size <= TEAMS_LIMIT_BYTES, "a card of {size} bytes");
        let from_buttons = ids_on_page(page);
        let listed: Vec<&str> = page.entries.iter().map(ProposalId::as_str).collect();
        assert_eq!(from_buttons, listed, "the page lists the entries it shows");
    }
    let shown: Vec<&ProposalId> = pages.iter().flat_map(|p| &p.entries).collect();
    let expected: Vec<&ProposalId> = entries.iter().map(|e| &e.proposal.id).collect();
    assert_eq!(shown, expected, "every entry once, in order");
}

#[test]
fn every_card_has_the_workflows_shape() {
    let pages = teams_digest_cards(&header(), &heavy_day(), Language::Fr, &link);
    let count = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert_eq!(page.body["type"], "message");
        let attachments = page.body["attachments"].as_array().unwrap();
        assert_eq!(attachments.len(), 1);
        assert_eq!(attachments[0]["contentType"], "application/vnd.microsoft.card.adaptive");
        assert!(attachments[0]["contentUrl"].is_null());
        let content = card(page);
        assert_eq!(content["type"], "AdaptiveCard");
        assert_eq!(content["version"], "1.4");
        let body = content["body"].as_array().unwrap();
        assert!(body.len() >= 2);
        let footer = body.last().unwrap()["text"].as_str().unwrap();
        assert_eq!(footer, format!("Page {}/{count}", i + 1));
        assert!(content["fallbackText"].as_str().unwrap().ends_with(&format!("({}/{count})", i + 1)));
    }
}

#[test]
fn every_button_is_a_signed_link_to_its_proposal_and_action() {
    let mut entries = vec![entry(proposal(1, "Garage Martin", 2)), entry(proposal(2, "Boulangerie Roux", 1))];
    entries[1].buttons = vec![Action::Approve, Action::Veto, Action::Snooze];
    let pages = teams_digest_cards(&header(), &entries, Language::Fr, &link);
    assert_eq!(pages.len(), 1);
    let found = all_actions(&pages[0]);
    let mut expected = Vec::new();
    for e in &entries {
        for &a in &e.buttons {
            expected.push((link(e.proposal.id.as_str(), a), action_label(a, Language::Fr).to_string()));
        }
    }
    let got: Vec<(String, String)> = found
        .iter()
        .map(|a| {
            assert_eq!(a["type"], "Action.OpenUrl", "only OpenUrl reaches us from a webhook card: {a}");
            (a["url"].as_str().unwrap().to_string(), a["title"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(found[0]["style"], "positive");
    assert_eq!(found[2]["style"], "destructive");
}

#[test]
fn the_header_warns_first_and_offers_send_anyway_for_the_day() {
    let mut h = header();
    h.warning = Some("Le grand livre date du 12/03 : les approbations sont retenues.".into());
    h.send_anyway = true;
    let mut e = entry(proposal(1, "Garage Martin", 1));
    e.stale = true;
    let pages = teams_digest_cards(&h, &[e], Language::Fr, &link);
    let body = card(&pages[0])["body"].as_array().unwrap().clone();
    assert_eq!(body[0]["text"], "Relances proposées — lundi 16 mars 2026");
    assert_eq!(body[1]["color"], "Attention");
    assert!(body[1]["text"].as_str().unwrap().contains("approbations sont retenues"));
    let first = &all_actions(&pages[0])[0];
    assert_eq!(first["title"], "Envoyer quand même");
    assert_eq!(first["url"], link("2026-03-16", Action::SendAnyway));
    let text = pages[0].body.to_string();
    assert!(text.contains("données anciennes"));
}

#[test]
fn client_data_cannot_mention_nor_link() {
    let name = "<at>Tout le monde</at> [Payez ici](https://evil.example) &lt;at&gt;";
    let mut p = proposal(1, name, 1);
    p.owner = Some("<AT>julie</AT>".into());
    p.segment = Segment::Strategic;
    let mut e = entry(p);
    e.preview = "Voir [ce lien](https://evil.example) {{DATE(2026-01-01T00:00:00Z)}}".into();
    e.status = Some("⛔ Veto de <at>Julie</at> : client en négociation".into());
    let mut h = header();
    h.lines.push("Payé : <at>Garage</at>".into());
    let pages = teams_digest_cards(&h, &[e], Language::Fr, &link);
    let text = pages[0].body.to_string();
    let lower = text.to_lowercase();
    assert!(!lower.contains("<at>") && !lower.contains("</at>"), "{text}");
    assert!(!text.contains("]("), "no markdown link survives: {text}");
    assert!(!text.contains("&lt;"), "no entity survives: {text}");
    assert!(!text.contains("{{"), "no date function survives: {text}");
    let visible = text.replace('\u{200B}', "");
    assert!(visible.contains(name), "the name is still shown as typed");
    assert!(visible.contains("suivi par <AT>julie</AT>"));
}

#[test]
fn a_closed_entry_shows_its_status_without_buttons() {
    let mut e = entry(proposal(1, "Garage Martin", 1));
    e.status = Some("✅ Approuvé par Claire à 09:12".into());
    e.buttons.clear();
    let pages = teams_digest_cards(&header(), &[e], Language::Fr, &link);
    assert!(all_actions(&pages[0]).is_empty());
    assert!(pages[0].body.to_string().contains("✅ Approuvé par Claire à 09:12"));
}

#[test]
fn one_enormous_entry_still_fits_one_card() {
    let mut e = entry(proposal(1, &"Nom interminable ".repeat(200), 80));
    e.preview = "x".repeat(50_000);
    e.status = Some("y".repeat(10_000));
    let pages = teams_digest_cards(&header(), &[e], Language::Fr, &link);
    assert_eq!(pages.len(), 1);
    assert!(serde_json::to_vec(&pages[0].body).unwrap().len() <= MAX_PAYLOAD_BYTES);
    assert!(pages[0].body.to_string().contains("… et 70 autres factures"));
}

#[test]
fn an_empty_day_is_one_card_saying_so() {
    let pages = teams_digest_cards(&header(), &[], Language::Fr, &link);
    assert_eq!(pages.len(), 1);
    assert!(pages[0].entries.is_empty());
    assert!(pages[0].body.to_string().contains("Aucune relance à proposer aujourd'hui."));
}

#[test]
fn english_cards_use_english_words() {
    let pages = teams_digest_cards(&header(), &[entry(proposal(1, "Garage Martin", 1))], Language::En, &link);
    let text = pages[0].body.to_string();
    for expected in
        ["Proposed reminders — Monday 16 March 2026", "Second reminder · tone firm", "30 d late", "Total: €1,200.00"]
    {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    let titles: Vec<String> = all_actions(&pages[0]).iter().map(|a| a["title"].as_str().unwrap().to_string()).collect();
    assert_eq!(titles, ["Approve", "Soften", "Veto", "Snooze"]);
    assert!(!text.contains("Approuver"));
}

#[test]
fn a_written_letter_offers_letter_posted_as_a_signed_link() {
    let mut e = entry(proposal(1, "Garage Martin", 1));
    e.status = Some("📄 lettre recommandée à imprimer et poster : outbox/letters/mise-en-demeure.pdf".into());
    e.buttons = vec![Action::Veto, Action::Snooze, Action::LetterPosted];
    let pages = teams_digest_cards(&header(), &[e], Language::Fr, &link);
    let found = all_actions(&pages[0]);
    let letter = found.iter().find(|a| a["title"] == "📮 Lettre postée").expect("the button");
    assert_eq!(letter["type"], "Action.OpenUrl");
    assert_eq!(letter["url"], link("20260316-c000000001", Action::LetterPosted));
    assert_eq!(letter["style"], "positive");
    assert!(pages[0].body.to_string().contains("lettre recommandée à imprimer et poster"));
}

#[test]
fn plans_waiting_for_approval_carry_their_signed_links_capped_under_28_kb() {
    let header = crate::digest::fixtures::header_with_plans(30);
    let pages = teams_digest_cards(&header, &heavy_day(), Language::Fr, &link);
    for page in &pages {
        let size = serde_json::to_vec(&page.body).unwrap().len();
        assert!(size <= TEAMS_LIMIT_BYTES, "a card of {size} bytes");
    }
    let first = all_actions(&pages[0]);
    let plan_links: Vec<&Value> = first.iter().filter(|a| a["url"].as_str().unwrap().contains("/plan/")).collect();
    assert_eq!(plan_links.len(), 2 * crate::digest::plan_lines::MAX_WAITING_PLANS);
    assert_eq!(
        (plan_links[0]["title"].as_str(), plan_links[1]["title"].as_str()),
        (Some("Approuver"), Some("Refuser"))
    );
    assert!(plan_links[0]["url"].as_str().unwrap().ends_with(".1.approve"), "{}", plan_links[0]);
    let text = card(&pages[0]).to_string();
    assert!(text.contains("⏳ Échéancier n° 8 à approuver") && !text.contains("n° 9 à approuver"), "capped");
    assert!(text.contains("… et 22 autres échéanciers à approuver"));
}
