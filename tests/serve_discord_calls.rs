//! Call outcomes recorded from Discord, over real HTTP: signed (Ed25519)
//! clicks on the "📞 À appeler" pages' buttons and signed modal
//! submissions, against the real server and a fake Discord (wiremock). Each
//! test asserts what was answered, with what visibility, what was stored,
//! and what the planner proposes on the following days. On SQLite and, when
//! RELANCE_TEST_POSTGRES_URL is set, on PostgreSQL.

mod common;

use common::calls::*;
use common::server::*;
use common::test_stores;
use relance::domain::ClientId;
use relance::policy::call_outcome::Outcome;
use serde_json::{json, Value};

/// The `custom_id` of the latest posted outcome button `outcome` for
/// `client_name`'s call, from the pages and edits the fake Discord received.
async fn button(fakes: &Fakes, client_name: &str, outcome: &str) -> String {
    let received = fakes.discord.received_requests().await.unwrap_or_default();
    let bodies: Vec<Value> = received
        .iter()
        .filter(|r| r.url.path().contains("/channels/"))
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect();
    for body in bodies.iter().rev() {
        let Some(embeds) = body["embeds"].as_array() else { continue };
        let Some(call) = embeds.iter().find(|e| e["title"] == client_name) else { continue };
        let prefix = format!("{}|{outcome}|", call["footer"]["text"].as_str().unwrap());
        let rows = body["components"].as_array().unwrap();
        let ids = rows.iter().flat_map(|r| r["components"].as_array().unwrap()).filter_map(|b| b["custom_id"].as_str());
        return ids.into_iter().find(|id| id.starts_with(&prefix)).expect("the outcome's button").to_string();
    }
    panic!("no call for {client_name} posted");
}

fn member(user: &str) -> Value {
    json!({ "user": { "id": user, "username": "someone", "discriminator": "0" }, "roles": [] })
}

/// A click on a call page's button (MESSAGE_COMPONENT).
fn click(user: &str, custom_id: &str) -> Value {
    json!({
        "type": 3, "id": "1310000000000000001", "application_id": "42", "token": "dG9rZW4", "version": 1,
        "guild_id": "1000000000000000001", "channel_id": DISCORD_CHANNEL, "member": member(user),
        "message": { "id": "1200000000000000001", "channel_id": DISCORD_CHANNEL, "type": 0, "content": "" },
        "data": { "component_type": 2, "custom_id": custom_id },
    })
}

/// The outcome modal submitted (MODAL_SUBMIT) with one text input.
fn submit(user: &str, custom_id: &str, input: &str, value: &str) -> Value {
    json!({
        "type": 5, "id": "1310000000000000002", "application_id": "42", "token": "dG9rZW4", "version": 1,
        "guild_id": "1000000000000000001", "channel_id": DISCORD_CHANNEL, "member": member(user),
        "data": {
            "custom_id": custom_id,
            "components": [{ "type": 18, "id": 2, "component": { "type": 4, "id": 3, "custom_id": input, "value": value } }],
        },
    })
}

async fn answer(bot: &Bot, body: &Value) -> Value {
    let response = post_discord(bot, body, now_unix(), true).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// An answer only the clicker sees, and its text.
fn private_text(answer: &Value) -> &str {
    assert_eq!((answer["type"].as_u64(), answer["data"]["flags"].as_u64()), (Some(4), Some(64)), "{answer}");
    answer["data"]["content"].as_str().unwrap()
}

#[tokio::test]
async fn a_voicemail_click_is_recorded_via_discord_and_a_viewer_or_a_forger_changes_nothing() {
    for test_store in test_stores().await {
        let (fakes, bot) = published_monday(test_store).await;
        let voicemail = button(&fakes, "Garage Martin", "voicemail").await;

        let body = click(CLAIRE_DISCORD, &voicemail);
        assert_eq!(post_discord(&bot, &body, now_unix(), false).await.status(), 401, "{}: unsigned", bot.name);
        let refused = answer(&bot, &click(PAUL_DISCORD, &voicemail)).await;
        assert!(private_text(&refused).contains("votre rôle ne permet pas"), "{refused}");
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);

        let done = answer(&bot, &body).await;
        assert_eq!(private_text(&done), "📞 Noté : messagerie / injoignable.", "{}", bot.name);
        assert_eq!(outcomes(&bot).await, [Outcome::Voicemail], "{}", bot.name);
        let log = bot.store.audit_log(Some(&ClientId::parse("C1").unwrap()), 5).await.unwrap();
        assert_eq!(log[0].action, "call.voicemail", "{}", bot.name);
        assert_eq!((log[0].actor.name.as_str(), log[0].actor.via.as_str()), ("Claire Martin", "discord"));
        assert_eq!(to_call(&bot, "2026-03-16").await, ["C4"], "{}", bot.name);

        // The call page is edited with the outcome in place.
        eventually("the call page edited", || async {
            let edits = Fakes::requests(&fakes.discord, "PATCH", "/messages/1200000000000000001").await;
            edits.iter().any(|e| e.to_string().contains("📞 Rappel : messagerie / injoignable — Claire Martin 09:30"))
        })
        .await;
        bot.stop().await;
    }
}

#[tokio::test]
async fn a_promise_through_the_modal_is_stored_with_its_hold_and_a_bad_date_records_nothing() {
    for test_store in test_stores().await {
        let (fakes, bot) = published_monday(test_store).await;
        let promise = button(&fakes, "Garage Martin", "promise").await;

        // The click answers with the modal, carrying the button; nothing stored yet.
        let modal = answer(&bot, &click(CLAIRE_DISCORD, &promise)).await;
        assert_eq!(modal["type"], 9, "{modal}");
        assert_eq!(modal["data"]["custom_id"], promise.as_str());
        assert_eq!(modal["data"]["components"][1]["component"]["custom_id"], "date", "{modal}");
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);

        // What cannot be read or is in the past is told privately, and nothing is recorded.
        let typo = answer(&bot, &submit(CLAIRE_DISCORD, &promise, "date", "25 mars")).await;
        assert!(private_text(&typo).starts_with("« 25 mars » n'est pas une date"), "{typo}");
        let past = answer(&bot, &submit(CLAIRE_DISCORD, &promise, "date", "13/03/2026")).await;
        assert!(private_text(&past).contains("13/03/2026 est passé"), "{past}");
        let viewer = answer(&bot, &submit(PAUL_DISCORD, &promise, "date", "25/03/2026")).await;
        assert!(private_text(&viewer).contains("votre rôle ne permet pas"), "{viewer}");
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);

        let done = answer(&bot, &submit(CLAIRE_DISCORD, &promise, "date", "25/03/2026")).await;
        assert_eq!(private_text(&done), "📞 Noté : promesse au 25/03/2026.", "{}", bot.name);
        assert_eq!(outcomes(&bot).await, [Outcome::Promise { by: day("2026-03-25") }], "{}", bot.name);
        let log = bot.store.audit_log(Some(&ClientId::parse("C1").unwrap()), 5).await.unwrap();
        assert_eq!((log[0].action.as_str(), log[0].actor.via.as_str()), ("hold.promise", "discord"));

        // No written reminder to Garage Martin until the 25th, then escalation resumes.
        for date in ["2026-03-16", "2026-03-20", "2026-03-25"] {
            assert!(!proposed(&bot, date).await.contains(&"C1".to_string()), "{}: C1 held on {date}", bot.name);
        }
        assert!(proposed(&bot, "2026-03-26").await.contains(&"C1".to_string()), "{}: promise broken", bot.name);
        // Answered: the call's buttons are gone from the edited page, the other call keeps its own.
        eventually("the call page edited", || async {
            let edits = Fakes::requests(&fakes.discord, "PATCH", "/messages/1200000000000000001").await;
            edits.iter().any(|e| e.to_string().contains("promesse au 25/03/2026 — Claire Martin 09:30"))
        })
        .await;
        let edits = Fakes::requests(&fakes.discord, "PATCH", "/messages/1200000000000000001").await;
        let last = edits.last().unwrap().to_string();
        assert!(!last.contains(&promise) && last.contains("|promise|C4"), "{last}");
        bot.stop().await;
    }
}

#[tokio::test]
async fn invoice_not_received_via_discord_mails_the_copy_to_the_confirmed_address_and_refuses_a_bad_one() {
    for test_store in test_stores().await {
        let (fakes, bot) = published_monday(test_store).await;
        let not_received = button(&fakes, "Garage Martin", "not_received").await;

        // The modal asks the copy's address, pre-filled with the ledger's.
        let modal = answer(&bot, &click(CLAIRE_DISCORD, &not_received)).await;
        assert_eq!(modal["type"], 9, "{modal}");
        let field = &modal["data"]["components"][1]["component"];
        assert_eq!(
            (field["custom_id"].as_str(), field["value"].as_str()),
            (Some("email"), Some("compta@c1.example.fr"))
        );

        // A malformed address is told privately; nothing is recorded or queued.
        let bad = answer(&bot, &submit(CLAIRE_DISCORD, &not_received, "email", "jeanne@garage martin.fr")).await;
        assert!(private_text(&bad).starts_with("« jeanne@garage martin.fr » n'est pas une adresse e-mail"), "{bad}");
        let client = ClientId::parse("C1").unwrap();
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);
        assert!(bot.store.duplicates(&client).await.unwrap().is_empty(), "{}", bot.name);

        let done = answer(&bot, &submit(CLAIRE_DISCORD, &not_received, "email", "jeanne@garage-martin.fr")).await;
        assert_eq!(
            private_text(&done),
            "📞 Noté : facture non reçue, copie à jeanne@garage-martin.fr.",
            "{}",
            bot.name
        );
        let mailed = mailed_on_monday(&bot).await;
        assert_eq!(
            mailed.iter().map(|m| m.0.clone()).collect::<Vec<_>>(),
            [["jeanne@garage-martin.fr"]],
            "{}",
            bot.name
        );
        let log = bot.store.audit_log(Some(&client), 10).await.unwrap();
        let queued = log.iter().find(|e| e.action == "duplicate.requested").expect("the copy's audit entry");
        assert_eq!(queued.detail["to"], "jeanne@garage-martin.fr", "{}", bot.name);
        assert_eq!(queued.actor.via, "discord", "{}", bot.name);
        eventually("the call page edited", || async {
            let edits = Fakes::requests(&fakes.discord, "PATCH", "/messages/1200000000000000001").await;
            edits.iter().any(|e| e.to_string().contains("facture non reçue, copie à jeanne@garage-martin.fr"))
        })
        .await;
        bot.stop().await;
    }
}

/// Discord through a channel webhook only (no bot token): the call pages
/// carry the outcome buttons as signed `/call/{token}` links, like Teams,
/// and the link's page records the outcome for the person who signs in.
#[tokio::test]
async fn a_webhook_only_discord_gets_signed_outcome_links_that_record_the_call() {
    use base64::Engine;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    for test_store in test_stores().await {
        let hook = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/webhooks/1/tok"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1" })))
            .mount(&hook)
            .await;
        let extra = format!("discord: {{ webhook_url: \"{}/api/webhooks/1/tok\" }}\n", hook.uri());
        let bot = Bot::start_with(test_store, None, Platforms::None, morning("2026-03-16"), &extra).await;
        import(bot.store.as_ref()).await;
        relance::serve::publish(&bot.svc).await.unwrap().unwrap();

        // The call page's buttons are link buttons, one per outcome and call.
        let posted = Fakes::requests(&hook, "POST", "/api/webhooks/1/tok").await;
        let page = posted.iter().find(|b| b["embeds"].to_string().contains("tel:")).expect("a call page");
        let buttons: Vec<&Value> =
            page["components"].as_array().unwrap().iter().flat_map(|r| r["components"].as_array().unwrap()).collect();
        assert_eq!(buttons.len(), 2 * 7, "{}: seven outcomes for each of the two calls", bot.name);
        assert!(buttons.iter().all(|b| b["style"] == 5 && b.get("custom_id").is_none()), "{buttons:?}");
        // The token's payload is readable (signed, not secret): find Garage Martin's voicemail.
        let url = buttons
            .iter()
            .map(|b| b["url"].as_str().unwrap())
            .find(|url| {
                let payload = url.rsplit('/').next().unwrap().split('.').next().unwrap();
                let json = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap();
                String::from_utf8(json).unwrap().contains("|voicemail|C1")
            })
            .expect("Garage Martin's voicemail link");
        let local = format!("{}/call/{}", bot.base, url.rsplit('/').next().unwrap());

        let page = reqwest::get(&local).await.unwrap().text().await.unwrap();
        assert!(page.contains("Garage Martin"), "{page}");
        assert!(outcomes(&bot).await.is_empty(), "{}: a GET records nothing", bot.name);
        let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap();
        let form = [("who", "Claire Martin"), ("code", "4821"), ("csrf", csrf)];
        let answer = reqwest::Client::new().post(&local).form(&form).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{}", bot.name);
        assert_eq!(outcomes(&bot).await, [Outcome::Voicemail], "{}", bot.name);
        bot.stop().await;
    }
}
