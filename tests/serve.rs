//! `relance serve` over real HTTP: fake Slack, Discord and Teams servers on
//! loopback (wiremock) receive the posts; signed interaction payloads shaped
//! like the platforms' own produce the decisions, the message updates and
//! the audit rows; forged, tampered, replayed and unsigned requests get 401
//! and change nothing. Every test runs on SQLite and, when
//! RELANCE_TEST_POSTGRES_URL is set, on PostgreSQL.

mod common;

use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Paris;
use common::server::*;
use common::{actor, client, invoice, test_stores};
use ed25519_dalek::Signer;
use relance::clock::Clock;
use relance::config::{self, Loaded};
use relance::decision::Status;
use relance::domain::{Channel, Stage, Tone};
use relance::domain::{ClientId, Segment};
use relance::serve;
use relance::store::ReminderRecord;
use relance::store::{OutboxStatus, Store};
use serde_json::{json, Value};
use std::path::PathBuf;

#[tokio::test]
async fn the_digest_is_posted_once_per_day_and_slack_clicks_decide_it() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        let done = serve::publish(&bot.svc).await.unwrap().expect("a business day");
        assert_eq!(done.entries, 4, "{}", bot.name);

        // Slack received the digest: every proposal with its four buttons, the
        // ids those of `relance plan --json`, client data escaped.
        let posts = Fakes::requests(&fakes.slack, "POST", "/chat.postMessage").await;
        assert_eq!(posts.len(), 1, "{}", bot.name);
        let text = posts[0].to_string();
        let plan = relance::cli::plan_day(
            bot.store.as_ref(),
            &bot.svc.config().policy,
            monday().with_timezone(&Paris).date_naive(),
        )
        .await
        .unwrap();
        for p in &plan.proposals {
            assert!(text.contains(&format!("\"approve:{}\"", p.id)), "{}: approve button for {}", bot.name, p.id);
            assert!(text.contains(&format!("\"value\":\"{}\"", p.id)), "{}", bot.name);
        }
        let mrkdwn = mrkdwn_texts(&posts[0]);
        assert!(mrkdwn.iter().any(|t| t.contains("&lt;!channel&gt; Bâtiments &amp; Fils")), "{}: {mrkdwn:?}", bot.name);
        assert!(mrkdwn.iter().all(|t| !t.contains("<!channel>")), "{}: a client name pings no one", bot.name);
        assert!(text.contains("<@U02JULIE>"), "{}: the strategic client's owner is mentioned", bot.name);
        assert_eq!(Fakes::requests(&fakes.discord, "POST", "/messages").await.len(), 1, "{}", bot.name);
        assert_eq!(Fakes::requests(&fakes.teams, "POST", "/workflow").await.len(), 1, "{}", bot.name);

        // Posting again the same day updates, never duplicates.
        serve::publish(&bot.svc).await.unwrap();
        assert_eq!(Fakes::requests(&fakes.slack, "POST", "/chat.postMessage").await.len(), 1, "{}", bot.name);
        assert_eq!(Fakes::requests(&fakes.slack, "POST", "/chat.update").await.len(), 1, "{}", bot.name);
        assert_eq!(Fakes::requests(&fakes.discord, "POST", "/messages").await.len(), 1, "{}", bot.name);
        assert_eq!(
            Fakes::requests(&fakes.teams, "POST", "/workflow").await.len(),
            1,
            "{}: Teams cards are not reposted",
            bot.name
        );

        // Claire approves C1 on Slack.
        let id = proposal_id(&bot, "C1").await;
        let respond = format!("{}/respond", fakes.slack.uri());
        let body = slack_click(CLAIRE_SLACK, "approve", &id, 0, &respond);
        let ts = now_unix();
        let answer = post_slack(&bot, &body, ts, Some(&slack_sign(&body, ts))).await;
        assert_eq!(answer.status(), 200, "{}", bot.name);
        let day = monday().with_timezone(&Paris).date_naive();
        let entries = bot.store.entries(day).await.unwrap();
        let c1 = entries.iter().find(|e| e.proposal.id.as_str() == id).unwrap();
        assert_eq!(c1.status, Status::Approved, "{}", bot.name);
        assert_eq!(c1.approvals[0].by, "Claire Martin", "{}", bot.name);
        let outbox = bot.store.outbox(day).await.unwrap();
        assert_eq!(outbox.len(), 1, "{}", bot.name);
        assert_eq!(outbox[0].status, OutboxStatus::Queued, "{}", bot.name);
        let audit = bot.store.audit_log(Some(&ClientId::parse("C1").unwrap()), 50).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|a| a.action == "decision.approve" && a.actor.name == "Claire Martin" && a.actor.via == "slack"),
            "{}: {audit:?}",
            bot.name
        );
        // …and the message is updated in place.
        eventually("chat.update with the approval", || async {
            Fakes::requests(&fakes.slack, "POST", "/chat.update")
                .await
                .iter()
                .any(|u| u.to_string().contains("Approuvé par Claire Martin"))
        })
        .await;

        // A double click or a platform retry gives one decision.
        let before = decisions_count(&bot).await;
        for _ in 0..3 {
            let ts = now_unix();
            assert_eq!(post_slack(&bot, &body, ts, Some(&slack_sign(&body, ts))).await.status(), 200);
        }
        assert_eq!(decisions_count(&bot).await, before, "{}", bot.name);

        // Forged, tampered, replayed and unsigned requests: 401, nothing changes.
        let veto = slack_click(CLAIRE_SLACK, "veto", &id, 1, &respond);
        let ts = now_unix();
        let forged = format!("v0={}", "0".repeat(64));
        assert_eq!(post_slack(&bot, &veto, ts, Some(&forged)).await.status(), 401, "forged");
        let tampered = veto.replace("veto", "snooze");
        assert_eq!(post_slack(&bot, &tampered, ts, Some(&slack_sign(&veto, ts))).await.status(), 401, "tampered");
        let old = ts - 301;
        assert_eq!(post_slack(&bot, &veto, old, Some(&slack_sign(&veto, old))).await.status(), 401, "replayed");
        assert_eq!(post_slack(&bot, &veto, ts, None).await.status(), 401, "unsigned");
        assert_eq!(decisions_count(&bot).await, before, "{}", bot.name);
        let entries = bot.store.entries(day).await.unwrap();
        assert_eq!(entries.iter().find(|e| e.proposal.id.as_str() == id).unwrap().status, Status::Approved);
        let metrics = reqwest::get(format!("{}/metrics", bot.base)).await.unwrap().text().await.unwrap();
        assert!(metrics.contains("relance_signature_failures_total{platform=\"slack\"} 4"), "{metrics}");
        assert!(metrics.contains("relance_decisions_total{kind=\"approve\",platform=\"slack\"} 1"), "{metrics}");

        // A viewer's veto changes nothing and gets a polite private answer.
        let viewer = slack_click(PAUL_SLACK, "veto", &id, 1, &respond);
        let ts = now_unix();
        assert_eq!(post_slack(&bot, &viewer, ts, Some(&slack_sign(&viewer, ts))).await.status(), 200);
        assert_eq!(decisions_count(&bot).await, before, "{}", bot.name);
        eventually("an ephemeral refusal", || async {
            Fakes::requests(&fakes.slack, "POST", "/respond").await.iter().any(|r| {
                r["response_type"] == "ephemeral" && r["text"].as_str().unwrap_or("").contains("rien n'a changé")
            })
        })
        .await;

        // Preview: the whole message, to the clicker only, decides nothing.
        let c2 = proposal_id(&bot, "C2").await;
        let preview = slack_click(PAUL_SLACK, "preview", &c2, 0, &respond);
        let ts = now_unix();
        assert_eq!(post_slack(&bot, &preview, ts, Some(&slack_sign(&preview, ts))).await.status(), 200);
        eventually("an ephemeral preview", || async {
            Fakes::requests(&fakes.slack, "POST", "/respond").await.iter().any(|r| {
                let text = r["text"].as_str().unwrap_or("");
                r["response_type"] == "ephemeral" && text.starts_with("Objet :") && text.contains("F-2026-002")
            })
        })
        .await;
        assert_eq!(decisions_count(&bot).await, before, "{}", bot.name);

        // Finance vetoes after approval: the queued reminder is cancelled and
        // the client paused for veto_days (7 days counting today).
        let ts = now_unix();
        assert_eq!(post_slack(&bot, &veto, ts, Some(&slack_sign(&veto, ts))).await.status(), 200);
        let outbox = bot.store.outbox(day).await.unwrap();
        assert_eq!(outbox[0].status, OutboxStatus::Cancelled, "{}", bot.name);
        let account = bot.store.account(&ClientId::parse("C1").unwrap(), day).await.unwrap().unwrap();
        assert_eq!(account.hold.paused_until, Some(common::d("2026-03-22")), "{}", bot.name);
        bot.stop().await;
    }
}

#[tokio::test]
async fn a_sales_rep_softens_only_their_own_clients_and_strategic_reminders_wait_for_the_cutoff() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap();
        let id = proposal_id(&bot, "C4").await;
        let strategic = proposal_id(&bot, "C3").await;
        let day = monday().with_timezone(&Paris).date_naive();
        let tone_before =
            bot.store.entries(day).await.unwrap().iter().find(|e| e.proposal.id.as_str() == id).unwrap().proposal.tone;
        let respond = format!("{}/respond", fakes.slack.uri());
        // Julie owns C4: she may soften it…
        let soften = slack_click("U02JULIE", "soften", &id, 0, &respond);
        let ts = now_unix();
        assert_eq!(post_slack(&bot, &soften, ts, Some(&slack_sign(&soften, ts))).await.status(), 200);
        let entry = bot.store.entries(day).await.unwrap().into_iter().find(|e| e.proposal.id.as_str() == id).unwrap();
        assert_eq!(entry.proposal.tone, tone_before.softer(), "{}", bot.name);
        assert_eq!(entry.softened[0].by, "Julie Roux");
        // …the same soften clicked twice (same revision) softens once…
        let ts = now_unix();
        post_slack(&bot, &soften, ts, Some(&slack_sign(&soften, ts))).await;
        let again = bot.store.entries(day).await.unwrap().into_iter().find(|e| e.proposal.id.as_str() == id).unwrap();
        assert_eq!(again.proposal.tone, entry.proposal.tone, "{}", bot.name);
        // …but she may not approve, nor touch C1 which is not hers.
        let approve = slack_click("U02JULIE", "approve", &id, 1, &respond);
        let ts = now_unix();
        post_slack(&bot, &approve, ts, Some(&slack_sign(&approve, ts))).await;
        let c1 = proposal_id(&bot, "C1").await;
        let veto = slack_click("U02JULIE", "veto", &c1, 0, &respond);
        let ts = now_unix();
        post_slack(&bot, &veto, ts, Some(&slack_sign(&veto, ts))).await;
        let entries = bot.store.entries(day).await.unwrap();
        assert!(entries.iter().all(|e| e.status == Status::Pending), "{}", bot.name);
        // Marc approves the strategic reminder: it waits for the 11:00 cut-off.
        let approve = slack_click(MARC_SLACK, "approve", &strategic, 0, &respond);
        let ts = now_unix();
        post_slack(&bot, &approve, ts, Some(&slack_sign(&approve, ts))).await;
        let approve = slack_click(MARC_SLACK, "approve", &id, 1, &respond);
        let ts = now_unix();
        post_slack(&bot, &approve, ts, Some(&slack_sign(&approve, ts))).await;
        let outbox = bot.store.outbox(day).await.unwrap();
        assert_eq!(outbox.len(), 2, "{}", bot.name);
        let by_id = |pid: &str| outbox.iter().find(|o| o.item.proposal_id.as_str() == pid).unwrap();
        let eleven = Paris.with_ymd_and_hms(2026, 3, 16, 11, 0, 0).unwrap().with_timezone(&Utc);
        assert_eq!(by_id(&strategic).item.not_before, eleven, "strategic: not before the cut-off");
        assert_eq!(by_id(&id).item.not_before, monday(), "standard: at once");
        assert_eq!(by_id(&id).item.tone, entry.proposal.tone, "the softened tone is what leaves");
        bot.stop().await;
    }
}

#[tokio::test]
async fn discord_pings_clicks_and_veto_reasons() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap();
        let posted = Fakes::requests(&fakes.discord, "POST", "/messages").await;
        assert_eq!(posted[0]["allowed_mentions"]["parse"], json!([]), "no mention parsed from client data");

        let ping = json!({"type": 1, "id": "1", "application_id": "42", "token": "t", "version": 1});
        let ts = now_unix();
        let answer = post_discord(&bot, &ping, ts, true).await;
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.json::<Value>().await.unwrap(), json!({"type": 1}));
        assert_eq!(post_discord(&bot, &ping, ts, false).await.status(), 401, "unsigned");
        assert_eq!(post_discord(&bot, &ping, ts - 301, true).await.status(), 401, "replayed");
        let forged = reqwest::Client::new()
            .post(format!("{}/discord/interactions", bot.base))
            .header("x-signature-timestamp", ts.to_string())
            .header(
                "x-signature-ed25519",
                hex::encode(discord_key().sign(format!("{ts}{{\"type\":2}}").as_bytes()).to_bytes()),
            )
            .body(ping.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 401, "a signature of another body");

        let id = proposal_id(&bot, "C1").await;
        let click = |action: &str| {
            json!({
                "type": 3, "id": "2", "application_id": "42", "token": "interaction-token", "version": 1,
                "channel_id": DISCORD_CHANNEL,
                "member": {"user": {"id": CLAIRE_DISCORD, "username": "claire", "discriminator": "0"}, "roles": []},
                "message": {"id": "1200000000000000001", "channel_id": DISCORD_CHANNEL},
                "data": {"custom_id": format!("{action}:{id}:0"), "component_type": 2}
            })
        };
        let answer = post_discord(&bot, &click("approve"), now_unix(), true).await;
        assert_eq!(answer.status(), 200);
        let update: Value = answer.json().await.unwrap();
        assert_eq!(update["type"], 7, "the clicked message is updated in place: {update}");
        assert!(update.to_string().contains("Approuvé par Claire Martin"), "{update}");
        let day = monday().with_timezone(&Paris).date_naive();
        let entry = bot.store.entries(day).await.unwrap().into_iter().find(|e| e.proposal.id.as_str() == id).unwrap();
        assert_eq!(entry.status, Status::Approved);
        assert_eq!(entry.approvals[0].via, relance::people::Platform::Discord);
        // The Slack copy of the digest follows.
        eventually("Slack updated after a Discord click", || async {
            Fakes::requests(&fakes.slack, "POST", "/chat.update")
                .await
                .iter()
                .any(|u| u.to_string().contains("Approuvé par Claire Martin"))
        })
        .await;

        // Preview answers privately with the whole message.
        let preview: Value = post_discord(&bot, &click("preview"), now_unix(), true).await.json().await.unwrap();
        assert_eq!(preview["type"], 4, "{preview}");
        assert_eq!(preview["data"]["flags"], 64, "ephemeral: {preview}");
        assert!(preview["data"]["content"].as_str().unwrap().contains("F-2026-001"), "{preview}");

        // Veto opens a modal; its submission vetoes with the reason.
        let modal: Value = post_discord(&bot, &click("veto"), now_unix(), true).await.json().await.unwrap();
        assert_eq!(modal["type"], 9, "{modal}");
        let custom_id = modal["data"]["custom_id"].as_str().unwrap().to_string();
        let input_id = modal["data"]["components"][0]["component"]["custom_id"].as_str().unwrap().to_string();
        let submit = json!({
            "type": 5, "id": "3", "application_id": "42", "token": "interaction-token-2", "version": 1,
            "channel_id": DISCORD_CHANNEL,
            "member": {"user": {"id": CLAIRE_DISCORD, "username": "claire", "discriminator": "0"}, "roles": []},
            "message": {"id": "1200000000000000001", "channel_id": DISCORD_CHANNEL},
            "data": {"custom_id": custom_id, "components": [{"type": 18, "id": 1, "component":
                {"type": 4, "id": 2, "custom_id": input_id, "value": "client en négociation"}}]}
        });
        let answer: Value = post_discord(&bot, &submit, now_unix(), true).await.json().await.unwrap();
        assert_eq!(answer["type"], 7, "{answer}");
        assert!(answer.to_string().contains("client en négociation"), "{answer}");
        let entry = bot.store.entries(day).await.unwrap().into_iter().find(|e| e.proposal.id.as_str() == id).unwrap();
        assert_eq!(entry.status, Status::Vetoed);
        assert_eq!(entry.reason.as_deref(), Some("client en négociation"));
        bot.stop().await;
    }
}

/// Every mrkdwn text of a Block Kit message (where Slack parses mentions).
fn mrkdwn_texts(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match value {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("mrkdwn") {
                out.push(map.get("text").and_then(Value::as_str).unwrap_or("").to_string());
            }
            map.values().for_each(|v| out.extend(mrkdwn_texts(v)));
        }
        Value::Array(items) => items.iter().for_each(|v| out.extend(mrkdwn_texts(v))),
        _ => {}
    }
    out
}

/// The token in the first decision link of `action` on the local page.
fn link_in(page: &str, base: &str, proposal: &str, action: &str) -> String {
    let _ = (proposal, action);
    let start = page.find(&format!("{base}/act/")).expect("a decision link");
    let rest = &page[start..];
    let end = rest.find('"').unwrap();
    rest[..end].to_string()
}

#[tokio::test]
async fn without_any_platform_the_local_page_decides_through_signed_links() {
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, None, Platforms::None, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap();
        let page = reqwest::get(format!("{}/digest", bot.base)).await.unwrap().text().await.unwrap();
        let page = page.replace("&#x2f;", "/");
        assert!(page.contains("Garage Martin") && page.contains("&lt;!channel&gt;"), "{page}");
        let link = link_in(&page, "http://127.0.0.1:0", "", "");
        let token = link.rsplit('/').next().unwrap().to_string();
        let url = format!("{}/act/{token}", bot.base);

        // GET only shows the confirmation page (link scanners open links).
        let confirm = reqwest::get(&url).await.unwrap();
        assert_eq!(confirm.status(), 200);
        let confirm = confirm.text().await.unwrap().replace("&#x2f;", "/");
        assert!(confirm.contains("name=\"code\""), "{confirm}");
        assert_eq!(decisions_count(&bot).await, 0, "{}: GET changed nothing", bot.name);
        let csrf = confirm.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();

        let form =
            |code: &str| vec![("who", "Claire Martin".to_string()), ("code", code.to_string()), ("csrf", csrf.clone())];
        let http = reqwest::Client::new();
        let wrong = http.post(&url).form(&form("0000")).send().await.unwrap();
        assert_eq!(wrong.status(), 401);
        assert_eq!(decisions_count(&bot).await, 0, "{}", bot.name);
        let no_csrf = http.post(&url).form(&[("who", "Claire Martin"), ("code", "4821")]).send().await.unwrap();
        assert_eq!(no_csrf.status(), 403);
        let right = http.post(&url).form(&form("4821")).send().await.unwrap();
        assert_eq!(right.status(), 200, "{}", right.text().await.unwrap());
        assert_eq!(decisions_count(&bot).await, 1, "{}", bot.name);
        let again = http.post(&url).form(&form("4821")).send().await.unwrap();
        assert_eq!(again.status(), 409, "a link acts once");
        assert_eq!(decisions_count(&bot).await, 1, "{}", bot.name);

        let mut tampered = token.clone();
        tampered.insert(3, 'x');
        let bad = reqwest::get(format!("{}/act/{tampered}", bot.base)).await.unwrap();
        assert_eq!(bad.status(), 401);
        let health = reqwest::get(format!("{}/healthz", bot.base)).await.unwrap();
        assert_eq!(health.status(), 200);
        bot.stop().await;
    }
}

#[tokio::test]
async fn stale_data_holds_approvals_until_finance_sends_anyway() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        // The ledger was imported on Thursday; the digest is on Monday.
        let thursday = Paris.with_ymd_and_hms(2026, 3, 12, 18, 0, 0).unwrap().with_timezone(&Utc);
        let importer = relance::store::connect(&test_store.url, Clock::fixed(thursday, Paris)).await.unwrap();
        importer.migrate().await.unwrap();
        import_ledger(importer.as_ref()).await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        serve::publish(&bot.svc).await.unwrap();
        let posted = Fakes::requests(&fakes.slack, "POST", "/chat.postMessage").await[0].to_string();
        assert!(posted.contains("Données anciennes"), "{posted}");
        assert!(posted.contains("données anciennes"), "every entry is marked: {posted}");
        assert!(posted.contains("send_anyway:2026-03-16"), "{posted}");

        let id = proposal_id(&bot, "C1").await;
        let respond = format!("{}/respond", fakes.slack.uri());
        let approve = slack_click(CLAIRE_SLACK, "approve", &id, 0, &respond);
        let ts = now_unix();
        post_slack(&bot, &approve, ts, Some(&slack_sign(&approve, ts))).await;
        let day = monday().with_timezone(&Paris).date_naive();
        let outbox = bot.store.outbox(day).await.unwrap();
        assert!(outbox[0].item.held_for_fresh_data, "{}: approved but held", bot.name);

        let payload = slack_click(CLAIRE_SLACK, "send_anyway", "2026-03-16", 0, &respond);
        let ts = now_unix();
        assert_eq!(post_slack(&bot, &payload, ts, Some(&slack_sign(&payload, ts))).await.status(), 200);
        let outbox = bot.store.outbox(day).await.unwrap();
        assert!(!outbox[0].item.held_for_fresh_data, "{}: released", bot.name);
        assert!(bot.store.digest(day).await.unwrap().unwrap().send_anyway.is_some());
        bot.stop().await;
    }
}

#[tokio::test]
async fn concurrent_clicks_on_one_entry_give_one_decision() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap();
        let id = proposal_id(&bot, "C2").await;
        let respond = format!("{}/respond", fakes.slack.uri());
        let mut tasks = Vec::new();
        for i in 0..40 {
            let user = if i % 2 == 0 { CLAIRE_SLACK } else { MARC_SLACK };
            let body = slack_click(user, "soften", &id, 0, &respond);
            let url = format!("{}/slack/interactions", bot.base);
            tasks.push(tokio::spawn(async move {
                let ts = now_unix();
                reqwest::Client::new()
                    .post(url)
                    .header("x-slack-request-timestamp", ts.to_string())
                    .header("x-slack-signature", slack_sign(&body, ts))
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), 200);
        }
        assert_eq!(decisions_count(&bot).await, 1, "{}: 40 concurrent softens at one revision soften once", bot.name);
        bot.stop().await;
    }
}

/// Every message a 150-proposal day posts respects its platform's limits,
/// and every proposal appears on exactly one page of each platform.
#[tokio::test]
async fn a_150_proposal_day_is_split_within_every_platform_limit() {
    let test_store = test_stores().await.remove(0);
    let fakes = Fakes::start().await;
    let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
    let clients: Vec<_> = (0..150)
        .map(|n| {
            let mut c = client(&format!("K{n:03}"));
            c.name = format!("Société Générale d'Éclairage n°{n} & <Fils>");
            c
        })
        .collect();
    bot.store.import_clients(&clients, &actor(), "clients.csv").await.unwrap();
    let invoices: Vec<_> = (0..150)
        .flat_map(|n| {
            (0..3).map(move |i| invoice(&format!("F-{n:03}-{i}"), &format!("K{n:03}"), "2026-03-09", "1250.40"))
        })
        .collect();
    bot.store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
    let done = serve::publish(&bot.svc).await.unwrap().unwrap();
    assert_eq!(done.entries, 150);
    let ids: std::collections::HashSet<String> =
        bot.store.entries(common::d("2026-03-16")).await.unwrap().iter().map(|e| e.proposal.id.to_string()).collect();

    // Slack: ≤ 50 blocks, section text ≤ 3000, button text ≤ 75, unique action_id per block.
    let mut seen = Vec::new();
    for page in Fakes::requests(&fakes.slack, "POST", "/chat.postMessage").await {
        let blocks = page["blocks"].as_array().unwrap();
        assert!(blocks.len() <= 50);
        for block in blocks {
            if let Some(text) = block["text"]["text"].as_str() {
                assert!(text.chars().count() <= 3000);
            }
            let mut action_ids = std::collections::HashSet::new();
            for button in block["elements"].as_array().into_iter().flatten().filter(|e| e["type"] == "button") {
                assert!(button["text"]["text"].as_str().unwrap().chars().count() <= 75);
                assert!(action_ids.insert(button["action_id"].as_str().unwrap().to_string()), "unique action_id");
                if button["action_id"].as_str().unwrap().starts_with("approve:") {
                    seen.push(button["value"].as_str().unwrap().to_string());
                }
            }
        }
    }
    seen.sort();
    assert_eq!(seen.len(), 150, "every proposal once on Slack");
    assert!(seen.iter().all(|id| ids.contains(id)));

    // Discord: ≤ 5 rows of ≤ 5 buttons, custom_id ≤ 100, ≤ 10 embeds of ≤ 6000 characters in all.
    let mut approvals = 0;
    for message in Fakes::requests(&fakes.discord, "POST", "/messages").await {
        let rows = message["components"].as_array().unwrap();
        assert!(rows.len() <= 5);
        for row in rows {
            let buttons = row["components"].as_array().unwrap();
            assert!(buttons.len() <= 5);
            for b in buttons {
                let id = b["custom_id"].as_str().unwrap();
                assert!(id.len() <= 100);
                approvals += usize::from(id.starts_with("approve:"));
            }
        }
        let embeds = message["embeds"].as_array().unwrap();
        assert!(embeds.len() <= 10);
        let chars: usize = embeds
            .iter()
            .map(|e| {
                let s = |k: &str| e[k].as_str().map_or(0, |t| t.chars().count());
                s("title") + s("description") + e["footer"]["text"].as_str().map_or(0, |t| t.chars().count())
            })
            .sum();
        assert!(chars <= 6000);
        assert!(message["content"].as_str().unwrap_or("").chars().count() <= 2000);
    }
    assert_eq!(approvals, 150, "every proposal once on Discord");

    // Teams: each card ≤ 28 KB, every proposal's Approve link once.
    let mut links = 0;
    let received = fakes.teams.received_requests().await.unwrap();
    for request in &received {
        assert!(request.body.len() <= 28 * 1024, "{} bytes", request.body.len());
        links += String::from_utf8_lossy(&request.body).matches("\"Action.OpenUrl\"").count();
    }
    assert!(links >= 150 * 4, "four link buttons per proposal: {links}");
    bot.stop().await;
}

#[tokio::test]
async fn an_approved_reminder_leaves_from_serve_and_its_slack_message_says_where_it_went() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let (smtp, smtp_url) = common::smtp::SmtpServer::start();
        smtp.refuse_permanently("compta@c2.example.fr");
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap();
        let respond = format!("{}/respond", fakes.slack.uri());
        for client in ["C1", "C2"] {
            let body = slack_click(CLAIRE_SLACK, "approve", &proposal_id(&bot, client).await, 0, &respond);
            let ts = now_unix();
            assert_eq!(post_slack(&bot, &body, ts, Some(&slack_sign(&body, ts))).await.status(), 200);
        }
        // The sender as `relance serve` runs it, through a real SMTP server.
        let mail = format!("mail: {{ smtp_url: \"{smtp_url}\", from: \"Claire Martin <claire@atelier.fr>\" }}\n");
        let config = config::parse(&(config_text(Some(&fakes), Platforms::All) + &mail), &|_| None).unwrap();
        let loaded = Loaded { config, tz: Paris, path: PathBuf::from("bot-config.yaml") };
        let templates = relance::render::Templates::builtin();
        let sender =
            relance::delivery::setup::worker(&loaded, bot.store.clone(), Clock::fixed(monday(), Paris), templates);
        serve::start_sender(bot.svc.clone(), sender.unwrap());

        eventually("the Slack entry says where the reminder went", || async {
            Fakes::requests(&fakes.slack, "POST", "/chat.update").await.iter().any(|u| {
                let text = u.to_string();
                text.contains("📧 envoyé à compta@c1.example.fr à 09:00") && text.contains("⚠️ échec (e-mail) : 550")
            })
        })
        .await;
        let received = smtp.received();
        assert_eq!(received.len(), 1, "{}", bot.name);
        assert_eq!(received[0].to, ["compta@c1.example.fr"], "{}", bot.name);
        let metrics = reqwest::get(format!("{}/metrics", bot.base)).await.unwrap().text().await.unwrap();
        assert!(metrics.contains("relance_outbox_messages_total{outcome=\"sent\"} 1"), "{metrics}");
        assert!(metrics.contains("relance_outbox_messages_total{outcome=\"failed\"} 1"), "{metrics}");
        bot.stop().await;
    }
}

/// A client whose invoice received its final reminder two weeks ago and is
/// now 45 days late: today's digest proposes the formal notice, a letter.
async fn import_formal_notice_case(store: &dyn Store) {
    let mut bakery = client("C5");
    bakery.name = "Boulangerie Leroy".into();
    store.import_clients(&[bakery], &actor(), "clients.csv").await.unwrap();
    store.import_invoices(&[invoice("F-C5", "C5", "2026-01-30", "2400.00")], &actor(), "invoices.csv").await.unwrap();
    let last = common::proposal("C5", "2026-03-02", Stage::Final, Tone::PreLitigation, "2400.00");
    let sent_at = Paris.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap().with_timezone(&Utc);
    store.record_reminder(&ReminderRecord::from_proposal(&last, sent_at), &actor()).await.unwrap();
}

#[tokio::test]
async fn finance_marks_the_formal_notice_letter_posted_from_slack_once() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let dir = tempfile::tempdir().unwrap();
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_formal_notice_case(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap();
        let id = proposal_id(&bot, "C5").await;
        let day = monday().with_timezone(&Paris).date_naive();
        let entry = bot.store.entries(day).await.unwrap().into_iter().next().unwrap();
        assert_eq!(
            (entry.proposal.stage, entry.proposal.channels.clone()),
            (Stage::FormalNotice, vec![Channel::Letter])
        );
        let respond = format!("{}/respond", fakes.slack.uri());
        let click = |user: &str, action: &str, rev: u32| slack_click(user, action, &id, rev, &respond);
        for (user, rev) in [(CLAIRE_SLACK, 0), (MARC_SLACK, 1)] {
            let body = click(user, "approve", rev);
            let ts = now_unix();
            assert_eq!(post_slack(&bot, &body, ts, Some(&slack_sign(&body, ts))).await.status(), 200);
        }

        // The sender writes the letter; the entry names it and offers the button.
        let config = config::parse(&config_text(Some(&fakes), Platforms::All), &|_| None).unwrap();
        let loaded = Loaded { config, tz: Paris, path: dir.path().join("bot-config.yaml") };
        let clock = Clock::fixed(monday(), Paris);
        let templates = relance::render::Templates::builtin();
        let sender = relance::delivery::setup::worker(&loaded, bot.store.clone(), clock, templates).unwrap();
        let pass = sender.run_pass().await.unwrap();
        assert_eq!(pass.sent, 1, "{}: {pass:?}", bot.name);
        serve::publish::refresh(&bot.svc, &pass.touched).await.unwrap();
        let updates = Fakes::requests(&fakes.slack, "POST", "/chat.update").await;
        let last = updates.last().expect("the entry edited").to_string();
        assert!(last.contains("lettre recommandée à imprimer et poster"), "{}: {last}", bot.name);
        assert!(last.contains(&format!("\"letter_posted:{id}\"")), "{}: the button is offered", bot.name);

        // A viewer cannot say so: a private refusal, nothing recorded.
        let body = click(PAUL_SLACK, "letter_posted", 2);
        let ts = now_unix();
        assert_eq!(post_slack(&bot, &body, ts, Some(&slack_sign(&body, ts))).await.status(), 200);
        eventually("the viewer's refusal", || async {
            Fakes::requests(&fakes.slack, "POST", "/respond").await.iter().any(|r| {
                let text = r["text"].as_str().unwrap_or("");
                r["response_type"] == "ephemeral"
                    && text.contains("📮 Lettre postée")
                    && text.contains("rien n'a changé")
            })
        })
        .await;
        assert_eq!(bot.store.outbox(day).await.unwrap()[0].posted_on, None, "{}", bot.name);

        // Claire says it is posted: today, her name, and the entry says so.
        let body = click(CLAIRE_SLACK, "letter_posted", 2);
        let ts = now_unix();
        assert_eq!(post_slack(&bot, &body, ts, Some(&slack_sign(&body, ts))).await.status(), 200);
        let row = bot.store.outbox(day).await.unwrap().remove(0);
        assert_eq!((row.posted_on, row.posted_by.as_deref()), (Some(day), Some("Claire Martin")), "{}", bot.name);
        eventually("the entry says the letter is posted, without the button", || async {
            Fakes::requests(&fakes.slack, "POST", "/chat.update").await.iter().any(|u| {
                let text = u.to_string();
                text.contains("📮 lettre postée le 16/03/2026 (Claire Martin)") && !text.contains("letter_posted:")
            })
        })
        .await;

        // Marc clicks an older rendering: told it was recorded, nothing changes.
        let body = click(MARC_SLACK, "letter_posted", 2);
        let ts = now_unix();
        assert_eq!(post_slack(&bot, &body, ts, Some(&slack_sign(&body, ts))).await.status(), 200);
        eventually("Marc is told it was already recorded", || async {
            Fakes::requests(&fakes.slack, "POST", "/respond").await.iter().any(|r| {
                r["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("déjà enregistrée comme postée le 16/03/2026 par Claire Martin")
            })
        })
        .await;
        assert_eq!(bot.store.outbox(day).await.unwrap()[0], row, "{}", bot.name);
        let audit = bot.store.audit_log(Some(&ClientId::parse("C5").unwrap()), 50).await.unwrap();
        assert_eq!(audit.iter().filter(|a| a.action == "letter.posted").count(), 1, "{}", bot.name);
        let metrics = reqwest::get(format!("{}/metrics", bot.base)).await.unwrap().text().await.unwrap();
        assert!(metrics.contains("relance_decisions_total{kind=\"letter_posted\",platform=\"slack\"} 1"), "{metrics}");
        bot.stop().await;
    }
}

/// Claire and Marc approve C5's formal notice (the engine, as a click
/// would), then a sender pass writes the letter into `dir`.
async fn approve_and_write_letter(bot: &Bot, dir: &std::path::Path) {
    let id = relance::domain::ProposalId::parse(&proposal_id(bot, "C5").await).unwrap();
    for (who, code) in [("Claire Martin", "4821"), ("Marc Petit", "7319")] {
        let person = bot.svc.people().sign_in(who, code).cloned().unwrap();
        let action = relance::decision::Action::Approve;
        let click = relance::decision::Click { proposal_id: id.clone(), action, rev: None, reason: None, days: None };
        bot.svc.engine.decide(person, relance::people::Platform::Web, click).await.unwrap().result.unwrap();
    }
    let loaded = Loaded { config: bot.svc.config().clone(), tz: Paris, path: dir.join("bot-config.yaml") };
    let templates = relance::render::Templates::builtin();
    let sender = relance::delivery::setup::worker(&loaded, bot.store.clone(), Clock::fixed(monday(), Paris), templates);
    assert_eq!(sender.unwrap().run_pass().await.unwrap().sent, 1, "{}", bot.name);
}

/// The href of the button labelled `label` on a page.
fn href_of(page: &str, label: &str) -> Option<String> {
    let end = page.find(&format!("\">{label}</a>"))?;
    let start = page[..end].rfind("href=\"")? + "href=\"".len();
    Some(page[start..end].replace("&#x2f;", "/"))
}

#[tokio::test]
async fn the_letter_is_marked_posted_through_a_signed_link_by_finance_only_once() {
    for test_store in test_stores().await {
        let dir = tempfile::tempdir().unwrap();
        let bot = Bot::start(test_store, None, Platforms::None, monday()).await;
        import_formal_notice_case(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap();
        approve_and_write_letter(&bot, dir.path()).await;

        let digest = reqwest::get(format!("{}/digest", bot.base)).await.unwrap().text().await.unwrap();
        assert!(digest.contains("lettre recommandée à imprimer et poster"), "{digest}");
        let link = href_of(&digest, "📮 Lettre postée").expect("the button, as a link");
        let url = format!("{}/act/{}", bot.base, link.rsplit('/').next().unwrap());
        let confirm = reqwest::get(&url).await.unwrap().text().await.unwrap();
        assert!(confirm.contains("comme postée en recommandé avec AR ?"), "{confirm}");
        let csrf = confirm.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let http = reqwest::Client::new();
        let post = |who: &str, code: &str| {
            let form = [("who", who.to_string()), ("code", code.to_string()), ("csrf", csrf.clone())];
            http.post(&url).form(&form).send()
        };

        // A sales rep may not; Marc (finance) may; Claire is then told it is done.
        let julie = post("Julie Roux", "5550").await.unwrap();
        assert_eq!(julie.status(), 403, "{}", bot.name);
        assert!(julie.text().await.unwrap().contains("rien n&#x27;a changé"));
        let marc = post("Marc Petit", "7319").await.unwrap();
        assert_eq!(marc.status(), 200, "{}", bot.name);
        assert!(marc.text().await.unwrap().contains("Lettre recommandée enregistrée comme postée aujourd&#x27;hui."));
        let claire = post("Claire Martin", "4821").await.unwrap();
        assert_eq!(claire.status(), 403, "{}", bot.name);
        let text = claire.text().await.unwrap();
        assert!(text.contains("déjà enregistrée comme postée le 16/03/2026 par Marc Petit"), "{text}");
        let row = bot.store.outbox(monday().with_timezone(&Paris).date_naive()).await.unwrap().remove(0);
        assert_eq!(row.posted_by.as_deref(), Some("Marc Petit"), "{}", bot.name);

        let digest = reqwest::get(format!("{}/digest", bot.base)).await.unwrap().text().await.unwrap();
        assert!(digest.contains("📮 lettre postée le 16/03/2026 (Marc Petit)"), "{digest}");
        assert_eq!(href_of(&digest, "📮 Lettre postée"), None, "{}: the task is done", bot.name);
        bot.stop().await;
    }
}

#[tokio::test]
async fn a_letter_printed_on_monday_is_marked_posted_on_tuesday_from_discord() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let dir = tempfile::tempdir().unwrap();
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_formal_notice_case(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap();
        approve_and_write_letter(&bot, dir.path()).await;
        let id = proposal_id(&bot, "C5").await;

        // Tuesday: the letter is in the post; Claire clicks Monday's message.
        let tuesday = monday() + chrono::Duration::days(1);
        let bot = bot.restart_at(Some(&fakes), Platforms::All, tuesday).await;
        let click = json!({
            "type": 3, "id": "2", "application_id": "42", "token": "interaction-token", "version": 1,
            "channel_id": DISCORD_CHANNEL,
            "member": {"user": {"id": CLAIRE_DISCORD, "username": "claire", "discriminator": "0"}, "roles": []},
            "message": {"id": "1200000000000000001", "channel_id": DISCORD_CHANNEL},
            "data": {"custom_id": format!("letter_posted:{id}:2"), "component_type": 2}
        });
        let answer = post_discord(&bot, &click, now_unix(), true).await;
        assert_eq!(answer.status(), 200);
        let update: Value = answer.json().await.unwrap();
        assert_eq!(update["type"], 7, "{}: Monday's message updated in place: {update}", bot.name);
        let text = update.to_string();
        assert!(text.contains("📮 lettre postée le 17/03/2026 (Claire Martin)"), "{}: {text}", bot.name);
        assert!(!text.contains("letter_posted:"), "{}: the button is gone", bot.name);
        let row = bot.store.outbox(monday().with_timezone(&Paris).date_naive()).await.unwrap().remove(0);
        assert_eq!(row.posted_on, Some(common::d("2026-03-17")), "{}", bot.name);
        // Monday's Slack copy follows.
        eventually("Monday's Slack message says the letter is posted", || async {
            Fakes::requests(&fakes.slack, "POST", "/chat.update")
                .await
                .iter()
                .any(|u| u.to_string().contains("📮 lettre postée le 17/03/2026 (Claire Martin)"))
        })
        .await;

        // A second click: a private answer, nothing changes.
        let again: Value = post_discord(&bot, &click, now_unix(), true).await.json().await.unwrap();
        assert_eq!(again["data"]["flags"], 64, "{}: ephemeral: {again}", bot.name);
        assert!(again.to_string().contains("déjà enregistrée comme postée le 17/03/2026 par Claire Martin"));
        bot.stop().await;
    }
}

#[tokio::test]
async fn a_day_with_150_call_tasks_is_split_within_every_platform_limit_and_edited_in_place() {
    let test_store = test_stores().await.remove(0);
    let fakes = Fakes::start().await;
    let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
    let clients: Vec<_> = (0..150)
        .map(|n| {
            let mut c = client(&format!("T{n:03}"));
            c.name = format!("<!channel> Transports n°{n} & Fils");
            c.phone =
                Some(relance::domain::PhoneE164::parse(&format!("06 12 {:02} {:02} 00", n / 100, n % 100)).unwrap());
            c
        })
        .collect();
    bot.store.import_clients(&clients, &actor(), "clients.csv").await.unwrap();
    // Due Monday 2 March: J+10 is Thursday 12 March, so every client is to be called on the 16th.
    let invoices: Vec<_> = (0..150)
        .flat_map(|n| {
            (0..2).map(move |i| invoice(&format!("F-{n:03}-{i}"), &format!("T{n:03}"), "2026-03-02", "980.10"))
        })
        .collect();
    bot.store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
    serve::publish(&bot.svc).await.unwrap().unwrap();

    // Slack: ≤ 50 blocks and ≤ 13,000 characters of blocks per message, section text ≤ 3000; every call once.
    let posts = Fakes::requests(&fakes.slack, "POST", "/chat.postMessage").await;
    let mut calls = 0;
    for page in &posts {
        let blocks = page["blocks"].as_array().unwrap();
        assert!(blocks.len() <= 50 && page["blocks"].to_string().chars().count() <= 13_000);
        for block in blocks.iter().filter(|b| b["block_id"].as_str().is_some_and(|id| id.starts_with("call:"))) {
            let text = block["text"]["text"].as_str().unwrap();
            assert!(text.chars().count() <= 3000);
            assert!(text.contains("|+33 6 12 ") && text.contains("<tel:+33612"), "{text}");
            assert!(text.contains("&lt;!channel&gt; Transports") && !text.contains("<!channel>"), "{text}");
            calls += 1;
        }
    }
    assert_eq!(calls, 150, "every call once on Slack");

    // Discord: ≤ 10 embeds and ≤ 6000 characters of embeds per message, ≤ 5 rows; every call once.
    let mut calls = 0;
    for message in Fakes::requests(&fakes.discord, "POST", "/messages").await {
        assert!(message["components"].as_array().unwrap().len() <= 5);
        let embeds = message["embeds"].as_array().unwrap();
        assert!(embeds.len() <= 10);
        let len = |v: &Value| v.as_str().map_or(0, |t| t.chars().count());
        let chars: usize =
            embeds.iter().map(|e| len(&e["title"]) + len(&e["description"]) + len(&e["footer"]["text"])).sum();
        assert!(chars <= 6000);
        calls += embeds.iter().filter(|e| e["footer"]["text"].as_str().is_some_and(|id| id.contains("-c-"))).count();
    }
    assert_eq!(calls, 150, "every call once on Discord");

    // Teams: each card ≤ 28 KB; every call's tel: link once.
    let mut calls = 0;
    for request in fakes.teams.received_requests().await.unwrap() {
        assert!(request.body.len() <= 28 * 1024, "{} bytes", request.body.len());
        calls += String::from_utf8_lossy(&request.body).matches("](tel:+33612").count();
    }
    assert_eq!(calls, 150, "every call once on Teams");

    // Posting again the same day edits the call pages in place.
    serve::publish(&bot.svc).await.unwrap();
    assert_eq!(Fakes::requests(&fakes.slack, "POST", "/chat.postMessage").await.len(), posts.len());
    assert_eq!(Fakes::requests(&fakes.slack, "POST", "/chat.update").await.len(), posts.len());
    bot.stop().await;
}

#[tokio::test]
async fn the_local_page_lists_the_day_s_calls_with_tel_links() {
    let bot = Bot::start(test_stores().await.remove(0), None, Platforms::None, monday()).await;
    let mut strategic = client("C3");
    strategic.name = "Groupe Horizon & <Fils>".into();
    strategic.segment = Segment::Strategic;
    strategic.owner = Some("julie roux".into());
    strategic.phone = Some(relance::domain::PhoneE164::parse("06 12 34 56 78").unwrap());
    bot.store.import_clients(&[strategic], &actor(), "clients.csv").await.unwrap();
    let invoices = [invoice("F-2026-010", "C3", "2026-03-02", "9800.00")];
    bot.store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
    serve::publish(&bot.svc).await.unwrap();
    let page = reqwest::get(format!("{}/digest", bot.base)).await.unwrap().text().await.unwrap();
    assert!(page.contains("<h2>📞 À appeler — lundi 16 mars 2026</h2>"), "{page}");
    assert!(
        page.contains("Groupe Horizon &amp; &lt;Fils&gt; — <a href=\"tel:+33612345678\">+33 6 12 34 56 78</a>"),
        "{page}"
    );
    assert!(page.contains("<li>Appel : Julie Roux (responsable du client)</li>"), "{page}");
    bot.stop().await;
}
