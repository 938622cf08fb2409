//! Discord digest pages: every proposal once, every limit respected, nobody pinged by client data.

use super::*;
use crate::digest::fixtures::{entry, header, proposal};
use crate::digest::model::Owner;
use crate::domain::{Segment, Tone};
use std::collections::HashSet;

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// Every button of a message, row by row.
fn buttons(body: &Value) -> Vec<&Value> {
    body["components"].as_array().unwrap().iter().flat_map(|row| row["components"].as_array().unwrap()).collect()
}

fn custom_ids(body: &Value) -> Vec<String> {
    buttons(body).iter().filter_map(|b| b["custom_id"].as_str()).map(String::from).collect()
}

/// Walks one Create Message body and asserts every Discord limit the digest
/// must respect, and that only the owners named in `content` can be pinged.
fn check_discord_limits(body: &Value) {
    let content = body["content"].as_str().expect("content");
    assert!(!content.is_empty() && content.chars().count() <= 2000, "content of {} chars", content.chars().count());
    let embeds = body["embeds"].as_array().expect("embeds");
    assert!(!embeds.is_empty() && embeds.len() <= 10, "{} embeds", embeds.len());
    let mut total = 0;
    for embed in embeds {
        assert!(chars(&embed["title"]) <= 256, "title of {}", chars(&embed["title"]));
        assert!(chars(&embed["description"]) <= 4096, "description of {}", chars(&embed["description"]));
        assert!(chars(&embed["footer"]["text"]) <= 2048);
        assert!(embed.get("fields").is_none_or(|f| f.as_array().unwrap().len() <= 25));
        total += chars(&embed["title"]) + chars(&embed["description"]) + chars(&embed["footer"]["text"]);
    }
    assert!(total <= 6000, "embeds of {total} chars");
    let rows = body["components"].as_array().expect("components");
    assert!(rows.len() <= 5, "{} action rows", rows.len());
    let mut ids = HashSet::new();
    for row in rows {
        assert_eq!(row["type"], 1);
        let row_buttons = row["components"].as_array().unwrap();
        assert!(!row_buttons.is_empty() && row_buttons.len() <= 5, "{} buttons in a row", row_buttons.len());
        for b in row_buttons {
            assert_eq!(b["type"], 2);
            assert!(chars(&b["label"]) >= 1 && chars(&b["label"]) <= 80);
            if b["style"] == 5 {
                assert!(b.get("custom_id").is_none() && b["url"].is_string(), "{b}");
            } else {
                let id = b["custom_id"].as_str().expect("custom_id");
                assert!(!id.is_empty() && id.chars().count() <= 100, "custom_id {id}");
                assert!(ids.insert(id.to_string()), "duplicate custom_id {id}");
            }
        }
    }
    let mentions = &body["allowed_mentions"];
    assert_eq!(mentions["parse"], json!([]), "nothing is pinged by parsing");
    for user in mentions["users"].as_array().unwrap() {
        assert!(content.contains(&format!("<@{}>", user.as_str().unwrap())), "allowed {user} is named in content");
    }
}

/// The proposal ids a page's buttons carry, once each, in order.
fn proposals_in_buttons(body: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in custom_ids(body) {
        let proposal = id.split(':').nth(1).unwrap().to_string();
        if !id.starts_with("send_anyway:") && out.last() != Some(&proposal) {
            out.push(proposal);
        }
    }
    out
}

/// A 150-proposal day whose clients have 1 to 3 invoices, and every tenth 26.
fn big_day() -> Vec<DigestEntry> {
    (0..150)
        .map(|n| entry(proposal(n, &format!("Client {n} SARL"), 1 + n % 3 + 25 * usize::from(n % 10 == 0))))
        .collect()
}

#[test]
fn a_150_proposal_day_holds_every_proposal_exactly_once_within_discord_limits() {
    let entries = big_day();
    let pages = discord_digest_pages(&header(), &entries, Language::Fr, ButtonKind::Interactive);
    assert!(pages.len() >= 30, "5 entries per message at most: {} pages", pages.len());
    let mut listed = Vec::new();
    let mut in_buttons = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        check_discord_limits(&page.body);
        assert!(!page.entries.is_empty() && page.entries.len() <= 5);
        assert_eq!(page.body["embeds"].as_array().unwrap().len(), page.entries.len() + usize::from(i == 0));
        let content = page.body["content"].as_str().unwrap();
        assert!(content.starts_with("Relances proposées — lundi 16 mars 2026"), "{content}");
        assert!(content.ends_with(&format!("({}/{})", i + 1, pages.len())), "{content}");
        listed.extend(page.entries.iter().map(ToString::to_string));
        in_buttons.extend(proposals_in_buttons(&page.body));
    }
    let expected: Vec<String> = entries.iter().map(|e| e.proposal.id.to_string()).collect();
    assert_eq!(listed, expected, "every proposal exactly once, in order");
    assert_eq!(in_buttons, expected, "the buttons carry the page's proposals");
    assert_eq!(pages[0].body["embeds"][0]["title"], "Relances proposées — lundi 16 mars 2026");
}

#[test]
fn a_page_re_rendered_with_the_longest_statuses_still_fits() {
    let entries = big_day();
    let pages = discord_digest_pages(&header(), &entries, Language::Fr, ButtonKind::Interactive);
    let mut offset = 0;
    for (i, page) in pages.iter().enumerate() {
        let mut members: Vec<DigestEntry> = entries[offset..offset + page.entries.len()].to_vec();
        offset += page.entries.len();
        for e in &mut members {
            e.status = Some("⛔ Veto de Julie : ".to_string() + &"*motif* ".repeat(500));
            e.preview = "_".repeat(5000);
            e.stale = true;
            e.proposal.tone = Tone::Courteous;
        }
        let head = (i == 0).then(header);
        let body = discord_page(head.as_ref(), &members, i + 1, pages.len(), Language::Fr, ButtonKind::Interactive);
        check_discord_limits(&body);
    }
}

#[test]
fn buttons_carry_action_proposal_and_revision_with_discord_styles() {
    let mut e = entry(proposal(7, "Garage Martin", 1));
    e.rev = 3;
    let pages = discord_digest_pages(&header(), &[e], Language::Fr, ButtonKind::Interactive);
    assert_eq!(pages.len(), 1);
    let body = &pages[0].body;
    check_discord_limits(body);
    let id = "20260316-c000000007";
    let expected: Vec<String> =
        ["approve", "soften", "veto", "snooze", "preview"].iter().map(|a| format!("{a}:{id}:3")).collect();
    assert_eq!(custom_ids(body), expected);
    let styles: Vec<&Value> = buttons(body).iter().map(|b| &b["style"]).collect();
    assert_eq!(styles, [&json!(3), &json!(2), &json!(4), &json!(2), &json!(2)]);
    assert_eq!(body["content"], "Relances proposées — lundi 16 mars 2026", "no page count for one page");
}

#[test]
fn an_entry_shows_stage_tone_channels_invoices_total_and_preview() {
    let pages = discord_digest_pages(
        &header(),
        &[entry(proposal(1, "Garage Martin", 2))],
        Language::Fr,
        ButtonKind::Interactive,
    );
    let embed = &pages[0].body["embeds"][1];
    assert_eq!(embed["title"], "Garage Martin");
    let expected = "2e relance · ton ferme · e-mail + SMS\n\
        • F-2026-0001-000 — 1\u{202F}200,00\u{A0}€ — 30 j de retard\n\
        • F-2026-0001-001 — 1\u{202F}200,00\u{A0}€ — 30 j de retard\n\
        **Total :** 2\u{202F}400,00\u{A0}€\n\
        > Bonjour, sauf erreur de notre part, la facture ci-dessous…";
    assert_eq!(embed["description"], expected);
    assert_eq!(embed["color"], 0xE67E22, "second reminders are orange");
    assert_eq!(embed["footer"]["text"], "20260316-c000000001");
}

#[test]
fn a_client_named_like_a_mass_mention_pings_nobody() {
    let name = "@everyone <@&123> [payé](https://evil.example)";
    let pages = discord_digest_pages(&header(), &[entry(proposal(1, name, 1))], Language::Fr, ButtonKind::Interactive);
    let body = &pages[0].body;
    check_discord_limits(body);
    assert_eq!(body["allowed_mentions"], json!({ "parse": [], "users": [] }));
    assert!(!body["content"].as_str().unwrap().contains("everyone"), "client data stays out of content");
    assert_eq!(body["embeds"][1]["title"], "@everyone \\<@&123\\> \\[payé\\](https://evil.example)");
    assert!(!body.to_string().contains("<@&123>"), "the role mention is escaped everywhere");
}

#[test]
fn strategic_owners_are_mentioned_in_content_and_only_they_may_be_pinged() {
    let mut p = proposal(3, "Groupe Durand", 1);
    p.segment = Segment::Strategic;
    let mut strategic = entry(p);
    strategic.owner = Some(Owner { name: "Julie Roux".into(), slack: None, discord: Some("80351110224678912".into()) });
    let mut typo = entry(proposal(4, "Garage Martin", 1));
    typo.owner = Some(Owner { name: "Paul".into(), slack: None, discord: Some("@paul".into()) });
    let pages = discord_digest_pages(&header(), &[strategic, typo], Language::Fr, ButtonKind::Interactive);
    let body = &pages[0].body;
    check_discord_limits(body);
    assert_eq!(body["allowed_mentions"]["users"], json!(["80351110224678912"]), "a malformed id is never sent");
    assert_eq!(
        body["content"],
        "Relances proposées — lundi 16 mars 2026\n⭐ Clients stratégiques à revoir : <@80351110224678912>"
    );
    let description = body["embeds"][1]["description"].as_str().unwrap();
    assert!(description.starts_with("⭐ stratégique · suivi par <@80351110224678912>\n"), "{description}");
    let other = body["embeds"][2]["description"].as_str().unwrap();
    assert!(other.starts_with("suivi par Paul\n"), "an unusable id falls back to the name: {other}");
}

#[test]
fn stale_entries_are_marked_and_the_send_anyway_button_takes_a_row_on_page_one() {
    let mut h = header();
    h.warning = Some("Grand livre importé il y a 3 jours : approbations suspendues".into());
    h.send_anyway = true;
    let entries: Vec<DigestEntry> = (0..12)
        .map(|n| {
            let mut e = entry(proposal(n, "Garage Martin", 1));
            e.stale = true;
            e
        })
        .collect();
    let pages = discord_digest_pages(&h, &entries, Language::Fr, ButtonKind::Interactive);
    let sizes: Vec<usize> = pages.iter().map(|p| p.entries.len()).collect();
    assert_eq!(sizes, [4, 5, 3], "one entry fewer on page 1");
    let first = &pages[0].body;
    check_discord_limits(first);
    assert_eq!(custom_ids(first)[0], "send_anyway:2026-03-16");
    assert_eq!(buttons(first)[0]["label"], "Envoyer quand même");
    assert!(first["content"].as_str().unwrap().starts_with("⚠️ Relances proposées"));
    assert!(first["embeds"][0]["description"].as_str().unwrap().starts_with("⚠️ **Grand livre importé"));
    assert!(first["embeds"][1]["description"].as_str().unwrap().starts_with("⚠️ données anciennes\n"));
    assert!(!custom_ids(&pages[1].body).iter().any(|id| id.starts_with("send_anyway")), "page 1 only");
}

#[test]
fn link_mode_makes_url_buttons_without_custom_ids() {
    let link = |id: &ProposalId, action: Action| format!("https://relance.example/act/{}-{id}", action.as_str());
    let mut h = header();
    h.send_anyway = true;
    let pages =
        discord_digest_pages(&h, &[entry(proposal(2, "Garage Martin", 1))], Language::En, ButtonKind::Links(&link));
    let body = &pages[0].body;
    check_discord_limits(body);
    let urls: Vec<&str> = buttons(body)
        .iter()
        .map(|b| {
            assert_eq!(b["style"], 5);
            assert!(b.get("custom_id").is_none());
            b["url"].as_str().unwrap()
        })
        .collect();
    let id = "20260316-c000000002";
    assert_eq!(
        urls,
        [
            "https://relance.example/act/send_anyway-2026-03-16".to_string(),
            format!("https://relance.example/act/approve-{id}"),
            format!("https://relance.example/act/soften-{id}"),
            format!("https://relance.example/act/veto-{id}"),
            format!("https://relance.example/act/snooze-{id}"),
        ]
    );
}

#[test]
fn button_labels_follow_the_team_language() {
    let labels = |lang| -> Vec<String> {
        let pages =
            discord_digest_pages(&header(), &[entry(proposal(8, "Garage Martin", 1))], lang, ButtonKind::Interactive);
        buttons(&pages[0].body).iter().map(|b| b["label"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(labels(Language::Fr), ["Approuver", "Adoucir", "Veto", "Reporter", "Aperçu"]);
    assert_eq!(labels(Language::En), ["Approve", "Soften", "Veto", "Snooze", "Preview"]);
}

#[test]
fn english_pages_speak_english() {
    let pages = discord_digest_pages(
        &header(),
        &[entry(proposal(8, "Garage Martin", 1))],
        Language::En,
        ButtonKind::Interactive,
    );
    let body = &pages[0].body;
    assert_eq!(body["content"], "Proposed reminders — Monday 16 March 2026");
    let description = body["embeds"][1]["description"].as_str().unwrap();
    assert!(description.starts_with("Second reminder · tone firm · e-mail + SMS\n"), "{description}");
    assert!(description.contains("**Total:** €1,200.00"), "{description}");
}

#[test]
fn a_decided_entry_shows_its_status_and_only_the_buttons_left() {
    let mut approved = entry(proposal(6, "Garage Martin", 1));
    approved.status = Some("✅ Approuvé par Claire <@99> à 09:12".into());
    approved.buttons = vec![Action::Veto, Action::Snooze];
    let mut vetoed = entry(proposal(7, "Garage Durand", 1));
    vetoed.status = Some("⛔ Veto de Julie : client en négociation".into());
    vetoed.buttons = Vec::new();
    let pages = discord_digest_pages(&header(), &[approved, vetoed], Language::Fr, ButtonKind::Interactive);
    let body = &pages[0].body;
    check_discord_limits(body);
    assert_eq!(
        custom_ids(body),
        ["veto:20260316-c000000006:0", "snooze:20260316-c000000006:0", "preview:20260316-c000000006:0"]
    );
    let description = body["embeds"][1]["description"].as_str().unwrap();
    assert!(description.ends_with("\n✅ Approuvé par Claire \\<@99\\> à 09:12"), "{description}");
    assert!(body["embeds"][2]["description"].as_str().unwrap().ends_with("\n⛔ Veto de Julie : client en négociation"));
}

#[test]
fn a_long_invoice_list_is_summarised_and_a_huge_name_truncated() {
    let mut e = entry(proposal(4, &"<&>".repeat(3000), 250));
    e.preview = "\\".repeat(10_000);
    let pages = discord_digest_pages(&header(), &[e], Language::Fr, ButtonKind::Interactive);
    let body = &pages[0].body;
    check_discord_limits(body);
    let description = body["embeds"][1]["description"].as_str().unwrap();
    assert_eq!(description.matches("• F-2026-").count(), MAX_INVOICE_LINES);
    assert!(description.contains("… et 240 autres factures"));
    assert!(description.contains("**Total :** 300\u{202F}000,00\u{A0}€"));
    let title = body["embeds"][1]["title"].as_str().unwrap();
    assert!(title.ends_with('…') && !title.ends_with("\\…"), "{title}");
    let preview = description.lines().find(|l| l.starts_with("> ")).unwrap();
    assert!(preview.ends_with("\\\\…"), "escapes are never cut in half: {preview}");
}

#[test]
fn an_empty_day_is_one_page_saying_so() {
    let pages = discord_digest_pages(&header(), &[], Language::En, ButtonKind::Interactive);
    assert_eq!(pages.len(), 1);
    check_discord_limits(&pages[0].body);
    assert!(pages[0].entries.is_empty());
    let description = pages[0].body["embeds"][0]["description"].as_str().unwrap();
    assert!(description.ends_with("No reminders to propose today."), "{description}");
}

#[test]
fn escaping_keeps_text_as_typed_and_defuses_markdown() {
    assert_eq!(discord_escape("Café & Fils"), "Café & Fils");
    assert_eq!(
        discord_escape("**gras** _it_ ~~barré~~ `code` ||spoiler||"),
        "\\*\\*gras\\*\\* \\_it\\_ \\~\\~barré\\~\\~ \\`code\\` \\|\\|spoiler\\|\\|"
    );
    assert_eq!(discord_escape("<@123> <#456> <t:1>"), "\\<@123\\> \\<#456\\> \\<t:1\\>");
    assert_eq!(discord_escape("# titre\n- liste\n> citation"), "\\# titre\n\\- liste\n\\> citation");
    assert_eq!(discord_escape("A-B #1"), "A-B #1", "only a line's first marker matters");
    assert_eq!(discord_escape("\\"), "\\\\");
}

#[test]
fn five_of_the_largest_entries_on_one_page_are_shortened_to_fit() {
    let entries: Vec<DigestEntry> = (0..5)
        .map(|n| {
            let mut e = entry(proposal(n, &"*".repeat(300), 250));
            e.status = Some("_".repeat(1000));
            e.stale = true;
            e
        })
        .collect();
    let body = discord_page(Some(&header()), &entries, 1, 1, Language::Fr, ButtonKind::Interactive);
    check_discord_limits(&body);
    assert_eq!(body["embeds"].as_array().unwrap().len(), 6, "nothing is dropped");
    for embed in &body["embeds"].as_array().unwrap()[1..] {
        assert!(embed["description"].as_str().unwrap().starts_with("⚠️ données anciennes\n2e relance"), "{embed}");
    }
}

#[test]
fn the_longest_custom_id_fits_discords_100_characters() {
    let mut e = entry(proposal(1, "Garage Martin", 1));
    e.proposal.id = ProposalId::parse(&"9".repeat(64)).unwrap();
    e.rev = u32::MAX;
    let pages = discord_digest_pages(&header(), &[e], Language::Fr, ButtonKind::Interactive);
    check_discord_limits(&pages[0].body);
    let longest = custom_ids(&pages[0].body).into_iter().map(|id| id.chars().count()).max().unwrap();
    assert_eq!(longest, 83);
}

#[test]
fn a_written_letter_offers_letter_posted_within_the_custom_id_limit() {
    let mut e = entry(proposal(1, "Garage Martin", 1));
    e.proposal.id = ProposalId::parse(&"9".repeat(64)).unwrap();
    e.rev = u32::MAX;
    e.status = Some("📄 lettre recommandée à imprimer et poster : outbox/letters/mise-en-demeure.pdf".into());
    e.buttons = vec![Action::Veto, Action::Snooze, Action::LetterPosted];
    let pages = discord_digest_pages(&header(), &[e], Language::Fr, ButtonKind::Interactive);
    let body = &pages[0].body;
    check_discord_limits(body);
    let letter = buttons(body).into_iter().find(|b| b["label"] == "📮 Lettre postée").expect("the button");
    let custom_id = letter["custom_id"].as_str().unwrap();
    assert_eq!(custom_id, format!("letter_posted:{}:{}", "9".repeat(64), u32::MAX));
    assert_eq!(custom_id.chars().count(), 89, "the longest of ours, under Discord's 100");
    assert_eq!(letter["style"], 3);
    assert_eq!(
        crate::chat::discord_interaction::parse_custom_id(custom_id).map(|(action, _, _)| action),
        Some(Action::LetterPosted)
    );
}

#[test]
fn plans_waiting_for_approval_are_listed_with_their_commands_capped_within_discord_limits() {
    let header = crate::digest::fixtures::header_with_plans(30);
    let pages = discord_digest_pages(&header, &big_day(), Language::Fr, ButtonKind::Interactive);
    pages.iter().for_each(|p| check_discord_limits(&p.body));
    let description = pages[0].body["embeds"][0]["description"].as_str().unwrap();
    let plans: Vec<&str> = description.lines().filter(|l| l.starts_with("⏳")).collect();
    assert_eq!(plans.len(), MAX_PLANS, "{description}");
    assert!(plans[0].contains("\\<!channel\\> & Établissements"), "escaped: {description}");
    assert!(description.contains("… et 25 autres échéanciers à approuver\n"), "{description}");
    assert!(description.ends_with("→ `/relance echeancier approve <n°>` ou `/relance echeancier reject <n°>`"));
}
