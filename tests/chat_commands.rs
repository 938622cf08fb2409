//! `/relance` on Discord (application command, autocomplete, a reply's
//! buttons) and on Teams (`@Relance …` through the outgoing webhook),
//! against the real `relance serve` over HTTP with a fake Discord API
//! (wiremock). Requests are signed as the platforms sign them; forged,
//! tampered and unsigned ones get 401 and change nothing. On SQLite and,
//! with RELANCE_TEST_POSTGRES_URL, PostgreSQL.
//!
//! What the platform layer controls is asserted here: the immediate
//! answer, its visibility, the edit of the deferred answer, the escaping
//! and the text handed to the core (a reply's title echoes the client
//! asked for).

mod common;

use chrono::Utc;
use common::server::*;
use common::test_stores;
use ed25519_dalek::Signer;
use serde_json::{json, Value};

/// `/relance {sub}` typed in a server by `user`, answered through `token`.
fn discord_command(user: &str, sub: &str, options: Value, token: &str) -> Value {
    json!({
        "type": 2, "id": "1300000000000000009", "application_id": "42", "token": token, "version": 1,
        "guild_id": "1000000000000000001", "channel_id": DISCORD_CHANNEL, "locale": "fr",
        "member": {"user": {"id": user, "username": "someone", "discriminator": "0"}, "roles": []},
        "data": {"id": "900", "name": "relance", "type": 1, "options": [{"type": 1, "name": sub, "options": options}]}
    })
}

/// The bodies the fake Discord received as edits of the answer behind `token`.
async fn edits(fakes: &Fakes, token: &str) -> Vec<Value> {
    Fakes::requests(&fakes.discord, "PATCH", &format!("/webhooks/42/{token}/messages/@original")).await
}

async fn audit_len(bot: &Bot) -> usize {
    bot.store.audit_log(None, 10_000).await.unwrap().len()
}

/// A Teams activity as the outgoing webhook posts it.
fn teams_activity(id: &str, text: &str, timestamp: &str) -> String {
    json!({
        "type": "message", "id": id, "timestamp": timestamp, "localTimestamp": timestamp,
        "serviceUrl": "https://smba.trafficmanager.net/emea/", "channelId": "msteams",
        "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtH", "name": "Claire Martin", "aadObjectId": CLAIRE_TEAMS},
        "conversation": {"isGroup": true, "id": "19:253b1f341670408fb6fcb1e4a0a6b5d9@thread.skype;messageid=1485983408511"},
        "recipient": null, "textFormat": "plain", "attachmentLayout": null,
        "membersAdded": [], "membersRemoved": [], "topicName": null, "historyDisclosed": null,
        "locale": "fr-FR", "text": text, "speak": null, "inputHint": null, "summary": null,
        "suggestedActions": null, "attachments": [{"contentType": "text/html", "content": format!("<div>{text}</div>")}],
        "entities": [{"type": "clientInfo", "locale": "fr-FR", "country": "FR", "platform": "Web"}],
        "channelData": {"teamsChannelId": "19:253b1f341670408fb6fcb1e4a0a6b5d9@thread.skype", "teamsTeamId": "19:712c61d0ef384e5fa681ba90ca943398@thread.skype"},
        "action": null, "replyToId": null, "value": null, "name": null, "relatesTo": null, "code": null
    })
    .to_string()
}

fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[tokio::test]
async fn a_discord_command_is_deferred_then_its_reply_edited_in_privately_unless_public() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;

        let status = discord_command(
            CLAIRE_DISCORD,
            "status",
            json!([{"type": 3, "name": "client", "value": "Garage Martin"}]),
            "tok-private",
        );
        let answer = post_discord(&bot, &status, now_unix(), true).await;
        assert_eq!(answer.status(), 200, "{}", bot.name);
        assert_eq!(answer.json::<Value>().await.unwrap(), json!({"type": 5, "data": {"flags": 64}}), "{}", bot.name);
        eventually("the private reply is edited in", || async { edits(&fakes, "tok-private").await.len() == 1 }).await;
        let edit = &edits(&fakes, "tok-private").await[0];
        let shown = edit.to_string();
        assert!(shown.contains("Garage Martin"), "{}: {edit}", bot.name);
        assert!(shown.contains("F-2026-001") && shown.contains("200,00"), "{}: the open invoice: {edit}", bot.name);
        assert_eq!(edit["allowed_mentions"], json!({"parse": []}), "{}", bot.name);
        assert!(edit.get("flags").is_none(), "{}: visibility is the deferred answer's", bot.name);

        let options = json!([
            {"type": 5, "name": "public", "value": true},
            {"type": 3, "name": "client", "value": "<!channel> Bâtiments & Fils @everyone"},
        ]);
        let public = discord_command(CLAIRE_DISCORD, "status", options, "tok-public");
        let answer: Value = post_discord(&bot, &public, now_unix(), true).await.json().await.unwrap();
        assert_eq!(answer, json!({"type": 5}), "{}: public, so no ephemeral flag", bot.name);
        eventually("the public reply is edited in", || async { edits(&fakes, "tok-public").await.len() == 1 }).await;
        let edit = &edits(&fakes, "tok-public").await[0];
        let content = edit["content"].as_str().unwrap();
        assert!(content.contains("Bâtiments & Fils"), "{}: {content}", bot.name);
        assert!(!content.contains("@everyone") && !content.contains("<!channel>"), "{}: {content}", bot.name);
        assert_eq!(edit["allowed_mentions"], json!({"parse": []}), "{}", bot.name);
        bot.stop().await;
    }
}

#[tokio::test]
async fn discord_autocompletes_clients_and_a_replys_button_answers_privately() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;

        let mut typing = discord_command(
            CLAIRE_DISCORD,
            "status",
            json!([{"type": 3, "name": "client", "value": "gara", "focused": true}]),
            "tok-auto",
        );
        typing["type"] = json!(4);
        let started = std::time::Instant::now();
        let answer: Value = post_discord(&bot, &typing, now_unix(), true).await.json().await.unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "{}", bot.name);
        assert_eq!(answer["type"], 8, "{}: {answer}", bot.name);
        let choices = answer["data"]["choices"].as_array().expect("choices");
        assert!(choices.len() <= 25, "{}", bot.name);
        for choice in choices {
            assert!(choice["name"].as_str().unwrap().chars().count() <= 100, "{}: {choice}", bot.name);
        }

        let click = json!({
            "type": 3, "id": "2", "application_id": "42", "token": "tok-button", "version": 1,
            "channel_id": DISCORD_CHANNEL,
            "member": {"user": {"id": CLAIRE_DISCORD, "username": "claire", "discriminator": "0"}, "roles": []},
            "message": {"id": "1200000000000000077", "channel_id": DISCORD_CHANNEL, "flags": 64},
            "data": {"custom_id": "cmd:status C1", "component_type": 2}
        });
        let answer: Value = post_discord(&bot, &click, now_unix(), true).await.json().await.unwrap();
        assert_eq!(
            (answer["type"].clone(), answer["data"]["flags"].clone()),
            (json!(4), json!(64)),
            "{}: {answer}",
            bot.name
        );
        let content = answer["data"]["content"].as_str().unwrap();
        assert!(content.contains("C1") || content.contains("Garage Martin"), "{}: {content}", bot.name);
        assert_eq!(answer["data"]["allowed_mentions"], json!({"parse": []}), "{}", bot.name);
        bot.stop().await;
    }
}

#[tokio::test]
async fn forged_tampered_and_unsigned_commands_get_401_and_change_nothing() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        let before = audit_len(&bot).await;

        let options =
            json!([{"type": 3, "name": "client", "value": "C1"}, {"type": 3, "name": "days-or-date", "value": "10"}]);
        let pause = discord_command(CLAIRE_DISCORD, "pause", options, "tok-forged");
        let ts = now_unix();
        assert_eq!(post_discord(&bot, &pause, ts, false).await.status(), 401, "{}: unsigned", bot.name);
        let signed_other = discord_key().sign(format!("{ts}{}", json!({"type": 1})).as_bytes());
        let tampered = reqwest::Client::new()
            .post(format!("{}/discord/interactions", bot.base))
            .header("x-signature-timestamp", ts.to_string())
            .header("x-signature-ed25519", hex::encode(signed_other.to_bytes()))
            .body(pause.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(tampered.status(), 401, "{}: a signature of another body", bot.name);

        let body = teams_activity("1485983408600", "<at>Relance</at> pause C1 10 négociation", &now_rfc3339());
        assert_eq!(post_teams(&bot, &body, None).await.status(), 401, "{}: unsigned", bot.name);
        let forged = format!("HMAC {}", "A".repeat(43) + "=");
        assert_eq!(post_teams(&bot, &body, Some(&forged)).await.status(), 401, "{}: forged", bot.name);
        let other_body = teams_activity("1485983408600", "<at>Relance</at> status C1", &now_rfc3339());
        assert_eq!(
            post_teams(&bot, &body, Some(&teams_sign(&other_body))).await.status(),
            401,
            "{}: tampered",
            bot.name
        );

        let metrics = reqwest::get(format!("{}/metrics", bot.base)).await.unwrap().text().await.unwrap();
        assert!(metrics.contains("relance_signature_failures_total{platform=\"teams\"} 3"), "{}", bot.name);
        assert!(metrics.contains("relance_signature_failures_total{platform=\"discord\"} 2"), "{}", bot.name);
        assert_eq!(audit_len(&bot).await, before, "{}: nothing recorded", bot.name);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(edits(&fakes, "tok-forged").await.is_empty(), "{}: nothing answered", bot.name);
        // The refused activity left no trace: signed, it is answered as new.
        let answer: Value = post_teams(&bot, &body, Some(&teams_sign(&body))).await.json().await.unwrap();
        assert!(!answer["text"].as_str().unwrap().contains("déjà"), "{}: {answer}", bot.name);
        bot.stop().await;
    }
}

#[tokio::test]
async fn a_signed_teams_mention_is_answered_in_the_channel_once() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;

        let body = teams_activity("1485983408511", "<at>Relance</at>&nbsp;status Garage&nbsp;Martin\n", &now_rfc3339());
        let response = post_teams(&bot, &body, Some(&teams_sign(&body))).await;
        assert_eq!(response.status(), 200, "{}", bot.name);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["type"], "message", "{}: {answer}", bot.name);
        let text = answer["text"].as_str().unwrap();
        assert!(text.contains("Garage Martin"), "{}: {text}", bot.name);
        assert!(text.contains("F-2026-001") && text.contains("200,00"), "{}: the open invoice: {text}", bot.name);
        assert!(
            !text.contains("at>") && !text.contains("Relance status") && !text.contains("&nbsp;"),
            "{}: the mention is not part of the command: {text}",
            bot.name
        );

        // Teams retries, or someone replays the request: answered, not run again.
        let again: Value = post_teams(&bot, &body, Some(&teams_sign(&body))).await.json().await.unwrap();
        assert_eq!(again["type"], "message", "{}", bot.name);
        assert!(again["text"].as_str().unwrap().contains("déjà reçu sa réponse"), "{}: {again}", bot.name);
        // A request signed long ago is a replay too, even with a new id.
        let old = teams_activity("1485983408512", "<at>Relance</at> status C1", "2020-01-02T08:00:00.000Z");
        let answer: Value = post_teams(&bot, &old, Some(&teams_sign(&old))).await.json().await.unwrap();
        assert!(answer["text"].as_str().unwrap().contains("déjà reçu sa réponse"), "{}: {answer}", bot.name);
        bot.stop().await;
    }
}

#[tokio::test]
async fn without_the_teams_token_the_outgoing_route_does_not_exist() {
    let test_store = test_stores().await.remove(0);
    let bot = Bot::start(test_store, None, Platforms::None, monday()).await;
    let body = teams_activity("1", "<at>Relance</at> help", &now_rfc3339());
    assert_eq!(post_teams(&bot, &body, Some(&teams_sign(&body))).await.status(), 404);
    bot.stop().await;
}

#[tokio::test]
async fn a_replayed_teams_pause_is_applied_once() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        let pauses = |bot: &Bot| {
            let store = bot.store.clone();
            async move {
                let log = store.audit_log(None, 10_000).await.unwrap();
                log.into_iter().filter(|e| e.action == "hold.pause").collect::<Vec<_>>()
            }
        };

        let body =
            teams_activity("1485983409001", "<at>Relance</at> pause Garage Martin 10 négociation", &now_rfc3339());
        let first: Value = post_teams(&bot, &body, Some(&teams_sign(&body))).await.json().await.unwrap();
        assert!(!first["text"].as_str().unwrap().contains("déjà"), "{}: {first}", bot.name);
        let after_first = pauses(&bot).await;
        assert_eq!(after_first.len(), 1, "{}: the pause is stored and audited", bot.name);
        assert_eq!(after_first[0].actor.name, "Claire Martin", "{}", bot.name);
        assert_eq!(after_first[0].actor.via, "teams", "{}", bot.name);

        let again: Value = post_teams(&bot, &body, Some(&teams_sign(&body))).await.json().await.unwrap();
        assert!(again["text"].as_str().unwrap().contains("déjà reçu sa réponse"), "{}: {again}", bot.name);
        assert_eq!(pauses(&bot).await.len(), 1, "{}: a replay changes nothing", bot.name);
        bot.stop().await;
    }
}
