//! Slack digest pages: every proposal once, every limit respected (also after a
//! page is re-rendered with decisions), client data escaped, the buttons each
//! entry still offers.

use super::*;
use crate::digest::fixtures::{entry, header, proposal};
use crate::domain::Segment;
use std::collections::HashSet;

/// The body of the only page.
fn one_page(header: &DigestHeader, entries: &[DigestEntry], lang: Language) -> Value {
    let pages = slack_digest_pages(header, entries, lang);
    assert_eq!(pages.len(), 1);
    check_slack_limits(&pages[0].body);
    pages[0].body.clone()
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
                    assert!(!text_of(e).is_empty() && chars(text_of(e)) <= 3000);
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

/// The proposal ids whose section is on a page, in order.
fn sections_of(page: &Value) -> Vec<String> {
    page["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["block_id"].as_str()?.strip_prefix("entry:").map(str::to_string))
        .collect()
}

/// The block whose id is `block_id`.
fn block<'a>(page: &'a Value, block_id: &str) -> &'a Value {
    page["blocks"].as_array().unwrap().iter().find(|b| b["block_id"] == block_id).expect(block_id)
}

/// A 150-proposal day, some clients with many invoices, so pages are cut by
/// size as well as by count.
fn big_day() -> Vec<DigestEntry> {
    (0..150)
        .map(|n| entry(proposal(n, &format!("Client {n} SARL"), 1 + n % 3 + 25 * usize::from(n % 10 == 0))))
        .collect()
}

#[test]
fn escaping_turns_slack_control_characters_into_entities_ampersand_first() {
    assert_eq!(slack_escape("<!channel> & co"), "&lt;!channel&gt; &amp; co");
    assert_eq!(slack_escape("&lt;"), "&amp;lt;");
    assert_eq!(slack_escape("Café * _ ~"), "Café * _ ~");
}

#[test]
fn a_150_proposal_day_is_split_into_pages_holding_every_proposal_once_within_limits() {
    let entries = big_day();
    let pages = slack_digest_pages(&header(), &entries, Language::Fr);
    assert!(pages.len() >= 7, "150 entries need at least 7 pages, got {}", pages.len());
    let mut listed: Vec<String> = Vec::new();
    let mut shown: Vec<String> = Vec::new();
    let mut clicked: Vec<String> = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        check_slack_limits(&page.body);
        listed.extend(page.entries.iter().map(|id| id.to_string()));
        shown.extend(sections_of(&page.body));
        for block in page.body["blocks"].as_array().unwrap().iter().filter(|b| b["type"] == "actions") {
            let values: HashSet<&str> =
                block["elements"].as_array().unwrap().iter().map(|b| b["value"].as_str().unwrap()).collect();
            assert_eq!(values.len(), 1, "one proposal per actions block");
            clicked.push(values.into_iter().next().unwrap().to_string());
        }
        assert!(page.body["text"].as_str().unwrap().ends_with(&format!("({}/{})", i + 1, pages.len())));
        assert_eq!(block(&page.body, &format!("digest:page:{}", i + 1))["elements"][0]["text"], {
            format!("Page {}/{}", i + 1, pages.len())
        });
    }
    let expected: Vec<String> = entries.iter().map(|e| e.proposal.id.to_string()).collect();
    assert_eq!(listed, expected, "every proposal listed exactly once, in order");
    assert_eq!(shown, expected, "every proposal shown exactly once, in order");
    assert_eq!(clicked, expected, "every proposal's buttons exactly once, in order");
    assert!(pages[0].body.to_string().contains("Relances proposées — lundi 16 mars 2026"));
    for page in &pages[1..] {
        assert!(!page.body["blocks"].to_string().contains("digest:header"), "the header is on the first page only");
    }
}

#[test]
fn every_page_still_fits_when_re_rendered_with_the_longest_statuses_stale_marks_and_revisions() {
    let entries = big_day();
    let pages = slack_digest_pages(&header(), &entries, Language::Fr);
    // What a busy morning can do to each entry: data gone stale, softened
    // several times, a long veto reason full of characters JSON and Slack escape.
    let long_reason = "\"client en négociation\" <voir> & rappeler ".repeat(40);
    let softer = format!("Bonjour, Durand & Fils, {}", "nous nous permettons de revenir vers vous ".repeat(20));
    let mut later_header = header();
    later_header.warning = Some("Données anciennes : dernier import des paiements il y a 3 jours. ".repeat(4));
    later_header.send_anyway = true;
    let mut start = 0;
    for (i, page) in pages.iter().enumerate() {
        let decided: Vec<DigestEntry> = entries[start..start + page.entries.len()]
            .iter()
            .cloned()
            .map(|mut e| {
                e.stale = true;
                e.rev = u32::MAX;
                e.preview = softer.clone();
                e.status = Some(format!("🪶 Adouci par Julie Roux\n⛔ Veto de Claire Martin : {long_reason}"));
                e
            })
            .collect();
        start += page.entries.len();
        let again = slack_page((i == 0).then_some(&later_header), &decided, i + 1, pages.len(), Language::Fr);
        check_slack_limits(&again);
        assert_eq!(sections_of(&again), page.entries.iter().map(|id| id.to_string()).collect::<Vec<_>>());
    }
}

#[test]
fn a_page_re_rendered_unchanged_is_the_page_that_was_posted() {
    let entries = big_day();
    let pages = slack_digest_pages(&header(), &entries, Language::En);
    let second = &pages[1];
    let first_of_second = pages[0].entries.len();
    let members = &entries[first_of_second..first_of_second + second.entries.len()];
    assert_eq!(slack_page(None, members, 2, pages.len(), Language::En), second.body);
    let members = &entries[..pages[0].entries.len()];
    assert_eq!(slack_page(Some(&header()), members, 1, pages.len(), Language::En), pages[0].body);
}

#[test]
fn action_ids_start_with_the_action_name_and_carry_the_proposal_id_and_block_ids_the_revision() {
    let mut e = entry(proposal(7, "Garage Martin", 1));
    e.rev = 3;
    let page = one_page(&header(), &[e], Language::Fr);
    let id = "20260316-c000000007";
    let expected: Vec<(String, String, String)> = ["approve", "soften", "veto", "snooze", "preview"]
        .iter()
        .map(|a| (format!("actions:{id}:3"), format!("{a}:{id}"), id.to_string()))
        .collect();
    assert_eq!(buttons(&page), expected);
    let veto = &block(&page, &format!("actions:{id}:3"))["elements"][2];
    assert_eq!(veto["style"], "danger");
    assert_eq!(veto["confirm"]["title"]["text"], "Mettre un veto ?");
    assert!(text_of(&veto["confirm"]["text"]).contains("Garage Martin"));
    assert!(block(&page, &format!("actions:{id}:3"))["elements"][1].get("confirm").is_none(), "only Veto confirms");
}

#[test]
fn a_client_named_like_a_mention_is_escaped_and_pings_no_one() {
    let mut p = proposal(1, "<!channel> & co", 1);
    p.owner = Some("<!here>".into());
    let page = one_page(&header(), &[entry(p)], Language::Fr);
    let section = text_of(&block(&page, "entry:20260316-c000000001")["text"]);
    assert!(section.starts_with("*&lt;!channel&gt; &amp; co*  suivi par @&lt;!here&gt;"), "{section}");
    let mut mrkdwn = Vec::new();
    collect_mrkdwn(&page, &mut mrkdwn);
    assert!(mrkdwn.len() >= 2);
    assert!(mrkdwn.iter().all(|t| !t.contains("<!")), "no special mention in any formatted text: {mrkdwn:?}");
    let veto = &block(&page, "actions:20260316-c000000001:0")["elements"][2]["confirm"]["text"];
    assert_eq!(veto["type"], "plain_text", "Slack parses no mention in plain text, where the name stays as written");
}

/// Every `mrkdwn` text of a message: where Slack turns `<!channel>` into a mention.
fn collect_mrkdwn(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("mrkdwn") {
                out.push(text_of(v).to_string());
            }
            map.values().for_each(|child| collect_mrkdwn(child, out));
        }
        Value::Array(items) => items.iter().for_each(|child| collect_mrkdwn(child, out)),
        _ => {}
    }
}

#[test]
fn an_entry_shows_stage_tone_channels_invoices_total_and_preview() {
    let page = one_page(&header(), &[entry(proposal(1, "Garage Martin", 2))], Language::Fr);
    let section = text_of(&block(&page, "entry:20260316-c000000001")["text"]);
    let expected = "*Garage Martin*\n\
        2e relance · ton ferme · e-mail + SMS\n\
        • F-2026-0001-000 — 1\u{202F}200,00\u{A0}€ — 30 j de retard\n\
        • F-2026-0001-001 — 1\u{202F}200,00\u{A0}€ — 30 j de retard\n\
        *Total :* 2\u{202F}400,00\u{A0}€\n\
        > Bonjour, sauf erreur de notre part, la facture ci-dessous…";
    assert_eq!(section, expected);
    assert_eq!(page["text"], "Relances proposées — lundi 16 mars 2026 : 1 relance");
}

#[test]
fn a_strategic_client_mentions_its_owner_so_slack_notifies_them() {
    let mut p = proposal(3, "Groupe Durand", 1);
    p.segment = Segment::Strategic;
    p.owner = Some("julie".into());
    let mut e = entry(p);
    e.owner = Some(Owner { name: "Julie Roux".into(), slack: Some("U024BE7LH".into()), discord: None });
    let page = one_page(&header(), &[e], Language::Fr);
    let section = text_of(&block(&page, "entry:20260316-c000000003")["text"]);
    assert!(section.starts_with("*Groupe Durand*  ⭐ stratégique · suivi par <@U024BE7LH>\n"), "{section}");
}

#[test]
fn an_owner_without_a_valid_slack_id_is_named_not_mentioned() {
    let mut p = proposal(3, "Groupe Durand", 1);
    p.segment = Segment::Strategic;
    p.owner = Some("julie".into());
    let title = |owner: Option<Owner>| {
        let mut e = entry(p.clone());
        e.owner = owner;
        let page = one_page(&header(), &[e], Language::En);
        text_of(&block(&page, "entry:20260316-c000000003")["text"]).lines().next().unwrap().to_string()
    };
    let named = Owner { name: "Julie <Roux>".into(), slack: None, discord: None };
    assert_eq!(title(Some(named.clone())), "*Groupe Durand*  ⭐ strategic · owner @Julie &lt;Roux&gt;");
    let forged = Owner { slack: Some("U1>|<!channel".into()), ..named };
    assert_eq!(title(Some(forged)), "*Groupe Durand*  ⭐ strategic · owner @Julie &lt;Roux&gt;");
    assert_eq!(title(None), "*Groupe Durand*  ⭐ strategic · owner @julie", "the client's owner cell");
}

#[test]
fn stale_entries_are_marked_in_the_team_language() {
    let mut e = entry(proposal(2, "Garage Martin", 1));
    e.stale = true;
    let title = |lang| {
        let page = one_page(&header(), &[e.clone()], lang);
        text_of(&block(&page, "entry:20260316-c000000002")["text"]).lines().next().unwrap().to_string()
    };
    assert_eq!(title(Language::Fr), "*Garage Martin*  ⚠️ données anciennes");
    assert_eq!(title(Language::En), "*Garage Martin*  ⚠️ stale data");
}

#[test]
fn an_approved_entry_shows_its_status_veto_snooze_and_preview() {
    let mut e = entry(proposal(6, "Garage Martin", 1));
    e.status = Some("✅ Approuvé par Claire à 09:12".into());
    e.buttons = vec![Action::Veto, Action::Snooze];
    e.rev = 1;
    let page = one_page(&header(), &[e], Language::Fr);
    let id = "20260316-c000000006";
    let kinds: Vec<&str> =
        page["blocks"].as_array().unwrap()[1..].iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["section", "context", "actions"], "the status sits between the entry and its buttons");
    assert_eq!(block(&page, &format!("status:{id}"))["elements"][0]["text"], "✅ Approuvé par Claire à 09:12");
    let labels: Vec<&str> = block(&page, &format!("actions:{id}:1"))["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| text_of(&b["text"]))
        .collect();
    assert_eq!(labels, ["Veto", "Reporter", "Aperçu"]);
    assert_eq!(
        buttons(&page).into_iter().map(|(_, a, _)| a).collect::<Vec<_>>(),
        [format!("veto:{id}"), format!("snooze:{id}"), format!("preview:{id}")]
    );
}

#[test]
fn a_closed_entry_shows_its_status_and_no_buttons_and_status_text_is_escaped() {
    let mut e = entry(proposal(6, "Garage Martin", 1));
    e.status = Some("⛔ Veto de Claire : <!channel> & co".into());
    e.buttons = vec![];
    let page = one_page(&header(), &[e], Language::Fr);
    assert!(buttons(&page).is_empty());
    let status = block(&page, "status:20260316-c000000006");
    assert_eq!(status["type"], "context");
    assert_eq!(status["elements"][0]["text"], "⛔ Veto de Claire : &lt;!channel&gt; &amp; co");
}

#[test]
fn a_stale_day_puts_the_warning_first_and_offers_send_anyway() {
    let mut h = header();
    h.warning = Some("Données anciennes : dernier import il y a 3 jours, les envois sont suspendus".into());
    h.send_anyway = true;
    let page = one_page(&h, &[entry(proposal(1, "Garage Martin", 1))], Language::Fr);
    let blocks = page["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["block_id"], "digest:warning");
    assert_eq!(
        text_of(&blocks[0]["text"]),
        "*⚠️ Données anciennes : dernier import il y a 3 jours, les envois sont suspendus*"
    );
    assert_eq!(blocks[1]["block_id"], "digest:header");
    let send = &block(&page, "digest:send_anyway")["elements"][0];
    assert_eq!(send["action_id"], "send_anyway:2026-03-16");
    assert_eq!(send["value"], "2026-03-16");
    assert_eq!(send["style"], "danger");
    assert_eq!(text_of(&send["text"]), "Envoyer quand même");
    assert!(text_of(&send["confirm"]["text"]).contains("paiements"), "the dialog says what is at stake");
}

#[test]
fn no_send_anyway_button_without_the_flag() {
    let page = one_page(&header(), &[entry(proposal(1, "Garage Martin", 1))], Language::Fr);
    assert!(!page.to_string().contains("send_anyway"));
    assert!(!page.to_string().contains("digest:warning"));
}

#[test]
fn a_long_invoice_list_is_summarised_and_the_total_still_covers_it_all() {
    let page = one_page(&header(), &[entry(proposal(4, "Grossiste Leroy", 250))], Language::Fr);
    let section = text_of(&block(&page, "entry:20260316-c000000004")["text"]);
    assert_eq!(section.matches("• F-2026-").count(), MAX_INVOICE_LINES);
    assert!(section.contains("… et 240 autres factures"));
    assert!(section.contains("*Total :* 300\u{202F}000,00\u{A0}€"));
}

#[test]
fn a_huge_preview_name_or_status_is_truncated_within_the_limits() {
    let mut e = entry(proposal(5, &"<&>".repeat(3000), 1));
    e.preview = "&".repeat(10_000);
    e.status = Some("\"<&>\"".repeat(1000));
    let page = one_page(&header(), &[e], Language::En);
    let section = text_of(&block(&page, "entry:20260316-c000000005")["text"]);
    assert!(section.contains("…"));
    assert!(!section.contains('<'));
    let status = block(&page, "status:20260316-c000000005")["elements"][0]["text"].to_string();
    assert!(chars(&status) <= MAX_STATUS_JSON_CHARS, "status of {} JSON chars", chars(&status));
    assert!(status.ends_with("…\""), "{status}");
    assert!(!status.contains('<'));
}

#[test]
fn button_labels_follow_the_team_language() {
    let labels = |lang| -> Vec<String> {
        let page = one_page(&header(), &[entry(proposal(8, "Garage Martin", 1))], lang);
        let elements = &block(&page, "actions:20260316-c000000008:0")["elements"];
        (0..4).map(|i| text_of(&elements[i]["text"]).to_string()).collect()
    };
    assert_eq!(labels(Language::Fr), ["Approuver", "Adoucir", "Veto", "Reporter"]);
    assert_eq!(labels(Language::En), ["Approve", "Soften", "Veto", "Snooze"]);
}

#[test]
fn an_empty_day_is_one_page_saying_so() {
    let pages = slack_digest_pages(&header(), &[], Language::En);
    assert_eq!(pages.len(), 1);
    assert!(pages[0].entries.is_empty());
    check_slack_limits(&pages[0].body);
    assert_eq!(pages[0].body["text"], "Proposed reminders — Monday 16 March 2026: 0 reminders");
    assert!(text_of(&pages[0].body["blocks"][0]["text"]).ends_with("No reminders to propose today."));
}

/// An approved formal notice whose letter is written: the task line and the
/// "letter posted" button, as `serve::publish` adds them.
fn letter_to_post(n: usize, name: &str, invoices: usize) -> DigestEntry {
    let mut e = entry(proposal(n, name, invoices));
    e.status = Some(format!(
        "✅ Approuvé par Claire Martin et Marc Petit à 09:12\n📄 lettre recommandée à imprimer et poster : {}",
        "/srv/relance/outbox/letters/mise-en-demeure-".repeat(8)
    ));
    e.buttons = vec![Action::Veto, Action::Snooze, Action::LetterPosted];
    e.rev = 2;
    e
}

#[test]
fn a_written_letter_offers_letter_posted_beside_veto_and_snooze() {
    let page = one_page(&header(), &[letter_to_post(6, "Garage Martin", 1)], Language::Fr);
    let id = "20260316-c000000006";
    let actions = block(&page, &format!("actions:{id}:2"));
    let labels: Vec<&str> = actions["elements"].as_array().unwrap().iter().map(|b| text_of(&b["text"])).collect();
    assert_eq!(labels, ["Veto", "Reporter", "📮 Lettre postée", "Aperçu"]);
    let letter = &actions["elements"][2];
    assert_eq!(
        (letter["action_id"].as_str(), letter["value"].as_str()),
        (Some(&*format!("letter_posted:{id}")), Some(id))
    );
    assert_eq!(letter["style"], "primary");
    let english = one_page(&header(), &[letter_to_post(6, "Garage Martin", 1)], Language::En);
    assert_eq!(text_of(&block(&english, &format!("actions:{id}:2"))["elements"][2]["text"]), "📮 Letter posted");
}

#[test]
fn every_page_still_fits_when_each_entry_becomes_a_letter_to_post() {
    let entries = big_day();
    let pages = slack_digest_pages(&header(), &entries, Language::Fr);
    let mut start = 0;
    for (i, page) in pages.iter().enumerate() {
        let letters: Vec<DigestEntry> = entries[start..start + page.entries.len()]
            .iter()
            .map(|e| {
                let mut letter = letter_to_post(0, &e.proposal.client_name, e.proposal.invoices.len());
                letter.proposal = e.proposal.clone();
                letter.stale = true;
                letter.rev = u32::MAX;
                letter
            })
            .collect();
        start += page.entries.len();
        let again = slack_page((i == 0).then_some(&header()), &letters, i + 1, pages.len(), Language::Fr);
        check_slack_limits(&again);
        assert_eq!(buttons(&again).iter().filter(|(_, a, _)| a.starts_with("letter_posted:")).count(), letters.len());
    }
}

#[test]
fn plans_waiting_for_approval_are_listed_with_their_commands_capped_within_slack_limits() {
    let with_plans = crate::digest::fixtures::header_with_plans(30);
    let pages = slack_digest_pages(&with_plans, &big_day(), Language::Fr);
    pages.iter().for_each(|p| check_slack_limits(&p.body));
    let plans = text_of(&block(&pages[0].body, "digest:plans")["text"]).to_string();
    let lines: Vec<&str> = plans.lines().collect();
    assert_eq!(lines.len(), crate::digest::plan_lines::MAX_WAITING_PLANS + 1, "{plans}");
    assert!(lines[0].starts_with("⏳ Échéancier n° 1 à approuver — &lt;!channel&gt; &amp; Établissements"), "{plans}");
    assert!(lines[0].ends_with("— `/relance echeancier approve 1` ou `/relance echeancier reject 1`"), "{plans}");
    assert_eq!(lines.last().copied(), Some("… et 22 autres échéanciers à approuver"));
    assert!(!plans.contains("https://"), "Slack names the command, no link: {plans}");
    let none = slack_digest_pages(&header(), &[], Language::Fr);
    assert!(!none[0].body.to_string().contains("digest:plans"), "no plan, no section");
}
