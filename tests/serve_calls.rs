//! Call outcomes recorded from Slack, over real HTTP: signed clicks on the
//! "📞 À appeler" section's buttons and signed modal submissions, against
//! the real server and a fake Slack (wiremock). Each test asserts what the
//! outcome changes on the following simulated days: what the planner
//! proposes, which calls are left. On SQLite and, when
//! RELANCE_TEST_POSTGRES_URL is set, on PostgreSQL.

mod common;

use common::calls::*;
use common::server::*;
use common::test_stores;
use relance::domain::ClientId;
use relance::policy::call_outcome::Outcome;
use relance::serve;
use serde_json::{json, Value};

/// The value of the latest posted outcome button `outcome` for `client_name`'s call.
async fn button(fakes: &Fakes, client_name: &str, outcome: &str) -> String {
    // Posts and edits, in the order Slack received them.
    let received = fakes.slack.received_requests().await.unwrap_or_default();
    let bodies: Vec<Value> = received
        .iter()
        .filter(|r| r.url.path().ends_with("/chat.postMessage") || r.url.path().ends_with("/chat.update"))
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect();
    for body in bodies.iter().rev() {
        let Some(blocks) = body["blocks"].as_array() else { continue };
        for (i, block) in blocks.iter().enumerate() {
            let is_call = block["block_id"].as_str().is_some_and(|id| id.starts_with("call:"));
            if !is_call || !block["text"]["text"].as_str().unwrap_or("").contains(client_name) {
                continue;
            }
            let actions = blocks[i + 1..].iter().find(|b| b["type"] == "actions").expect("outcome buttons");
            let buttons = actions["elements"].as_array().unwrap();
            let found = buttons.iter().find(|b| b["value"].as_str().unwrap().contains(&format!("|{outcome}|")));
            return found.expect("the outcome's button")["value"].as_str().unwrap().to_string();
        }
    }
    panic!("no call for {client_name} posted");
}

fn outcome_click(user: &str, value: &str) -> String {
    let task = value.split('|').next().unwrap();
    let kind = value.split('|').nth(1).unwrap();
    let payload = json!({
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "team_id": "T9TK3CUKW"},
        "container": {"type": "message", "message_ts": "1773648000.000100", "channel_id": "C0DIGEST"},
        "trigger_id": "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
        "channel": {"id": "C0DIGEST", "name": "finance"},
        "response_url": "RESPOND",
        "actions": [{
            "action_id": format!("call_outcome:{task}:{kind}"),
            "block_id": format!("call_actions:{task}"),
            "value": value,
            "type": "button",
            "action_ts": "1548426417.840180"
        }]
    });
    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
}

fn submission(user: &str, value: &str, values: Value) -> String {
    let payload = json!({
        "type": "view_submission",
        "user": {"id": user, "username": "someone", "team_id": "T9TK3CUKW"},
        "view": { "id": "V0123", "callback_id": "call_outcome", "private_metadata": value, "state": { "values": values } }
    });
    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
}

async fn post(bot: &Bot, fakes: &Fakes, body: String) -> reqwest::Response {
    let body = body.replace("RESPOND", &format!("{}/respond", fakes.slack.uri()));
    let ts = now_unix();
    post_slack(bot, &body, ts, Some(&slack_sign(&body, ts))).await
}

#[tokio::test]
async fn a_promise_from_the_modal_holds_reminders_until_its_date_and_shows_in_place() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, morning("2026-03-16")).await;
        import(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap().unwrap();
        assert_eq!(to_call(&bot, "2026-03-16").await, ["C1", "C4"], "{}", bot.name);
        let value = button(&fakes, "Garage Martin", "promise").await;

        // The click opens the modal, with the button in its metadata; nothing stored yet.
        assert_eq!(post(&bot, &fakes, outcome_click(CLAIRE_SLACK, &value)).await.status(), 200);
        eventually("views.open", || async { !Fakes::requests(&fakes.slack, "POST", "/views.open").await.is_empty() })
            .await;
        let opened = Fakes::requests(&fakes.slack, "POST", "/views.open").await;
        assert_eq!(opened[0]["view"]["private_metadata"], value.as_str(), "{}", bot.name);
        assert_eq!(opened[0]["view"]["callback_id"], "call_outcome");
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);

        // A date in the past keeps the modal open, saying why.
        let past = json!({"outcome_date": {"outcome_date": {"type": "datepicker", "selected_date": "2026-03-13"}}});
        let refused = post(&bot, &fakes, submission(CLAIRE_SLACK, &value, past)).await;
        let answer: Value = refused.json().await.unwrap();
        assert_eq!(answer["response_action"], "errors", "{}", bot.name);
        assert!(answer["errors"]["outcome_date"].as_str().unwrap().contains("13/03/2026 est passé"), "{answer}");
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);

        let date = json!({"outcome_date": {"outcome_date": {"type": "datepicker", "selected_date": "2026-03-25"}}});
        let done = post(&bot, &fakes, submission(CLAIRE_SLACK, &value, date)).await;
        assert_eq!(done.status(), 200);
        assert_eq!(outcomes(&bot).await, [Outcome::Promise { by: day("2026-03-25") }], "{}", bot.name);
        let log = bot.store.audit_log(Some(&ClientId::parse("C1").unwrap()), 5).await.unwrap();
        assert_eq!((log[0].action.as_str(), log[0].actor.name.as_str()), ("hold.promise", "Claire Martin"));
        assert_eq!(log[1].action, "call.promise", "{}", bot.name);

        // Shown in place on the call page.
        eventually("the call page edited", || async {
            let updates = Fakes::requests(&fakes.slack, "POST", "/chat.update").await;
            updates.iter().any(|u| u.to_string().contains("📞 Rappel : promesse au 25/03/2026 — Claire Martin 09:30"))
        })
        .await;

        // The call is done; no written reminder to Garage Martin until the 25th, then escalation resumes.
        assert_eq!(to_call(&bot, "2026-03-16").await, ["C4"], "{}", bot.name);
        for date in ["2026-03-16", "2026-03-17", "2026-03-20", "2026-03-25"] {
            assert!(!proposed(&bot, date).await.contains(&"C1".to_string()), "{}: C1 held on {date}", bot.name);
        }
        assert!(proposed(&bot, "2026-03-26").await.contains(&"C1".to_string()), "{}: promise broken", bot.name);
        assert!(proposed(&bot, "2026-03-16").await.contains(&"C4".to_string()), "{}", bot.name);
        bot.stop().await;
    }
}

#[tokio::test]
async fn a_dispute_stops_reminders_and_cash_difficulty_points_to_instalments() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, morning("2026-03-16")).await;
        import(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap().unwrap();

        let dispute = button(&fakes, "Garage Martin", "dispute").await;
        let empty = json!({"outcome_reason": {"outcome_reason": {"type": "plain_text_input", "value": "  "}}});
        let refused: Value = post(&bot, &fakes, submission(CLAIRE_SLACK, &dispute, empty)).await.json().await.unwrap();
        assert_eq!(refused["errors"]["outcome_reason"], "Indiquez le motif.", "{}", bot.name);
        let reason =
            json!({"outcome_reason": {"outcome_reason": {"type": "plain_text_input", "value": "pièces manquantes"}}});
        assert_eq!(post(&bot, &fakes, submission(MARC_SLACK, &dispute, reason)).await.status(), 200);
        assert_eq!(outcomes(&bot).await, [Outcome::Dispute { reason: "pièces manquantes".into() }]);
        for date in ["2026-03-16", "2026-03-26", "2026-04-30"] {
            assert!(!proposed(&bot, date).await.contains(&"C1".to_string()), "{}: disputed on {date}", bot.name);
        }

        // Julie records cash difficulty on her own client: recorded, and told about `/relance echeancier`.
        let cash = button(&fakes, "Menuiserie Roux", "cash_difficulty").await;
        let answer: Value = post(&bot, &fakes, submission("U02JULIE", &cash, json!({}))).await.json().await.unwrap();
        assert_eq!(answer["response_action"], "update", "{}", bot.name);
        let told = answer["view"]["blocks"][0]["text"]["text"].as_str().unwrap();
        assert!(told.contains("/relance echeancier C4 3"), "{told}");
        assert_eq!(outcomes(&bot).await.last(), Some(&Outcome::CashDifficulty), "{}", bot.name);
        assert!(to_call(&bot, "2026-03-16").await.is_empty(), "{}", bot.name);
        bot.stop().await;
    }
}

#[tokio::test]
async fn two_voicemails_on_two_days_close_the_call_and_nobody_else_changes_anything() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, morning("2026-03-16")).await;
        import(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap().unwrap();
        let monday = button(&fakes, "Garage Martin", "voicemail").await;

        // Forged, a viewer, a sales rep on someone else's client: nothing recorded.
        let body = outcome_click(CLAIRE_SLACK, &monday);
        let forged = post_slack(&bot, &body, now_unix(), Some("v0=deadbeef")).await;
        assert_eq!(forged.status(), 401, "{}", bot.name);
        assert_eq!(post(&bot, &fakes, outcome_click(PAUL_SLACK, &monday)).await.status(), 200);
        assert_eq!(post(&bot, &fakes, outcome_click("U02JULIE", &monday)).await.status(), 200);
        eventually("two refusals told", || async {
            Fakes::requests(&fakes.slack, "POST", "/respond").await.len() == 2
        })
        .await;
        let told = Fakes::requests(&fakes.slack, "POST", "/respond").await;
        assert!(told.iter().all(|t| t["text"].as_str().unwrap().contains("votre rôle ne permet pas")), "{told:?}");
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);

        // A voicemail is recorded at the click; the call is not offered again today.
        assert_eq!(post(&bot, &fakes, outcome_click(CLAIRE_SLACK, &monday)).await.status(), 200);
        assert_eq!(outcomes(&bot).await, [Outcome::Voicemail], "{}", bot.name);
        assert_eq!(to_call(&bot, "2026-03-16").await, ["C4"], "{}", bot.name);
        assert!(proposed(&bot, "2026-03-16").await.contains(&"C1".to_string()), "{}: escalation goes on", bot.name);

        // Tuesday: the second attempt; a second voicemail closes the call (max_call_attempts: 2).
        let bot = bot.restart_at(Some(&fakes), Platforms::All, morning("2026-03-17")).await;
        assert_eq!(to_call(&bot, "2026-03-17").await, ["C1", "C4"], "{}", bot.name);
        serve::publish(&bot.svc).await.unwrap().unwrap();
        let tuesday = button(&fakes, "Garage Martin", "voicemail").await;
        assert_ne!(tuesday, monday, "{}: a new day, a new task", bot.name);
        assert_eq!(post(&bot, &fakes, outcome_click(CLAIRE_SLACK, &tuesday)).await.status(), 200);
        // Monday's button records nothing on Tuesday.
        assert_eq!(post(&bot, &fakes, outcome_click(CLAIRE_SLACK, &monday)).await.status(), 200);
        assert_eq!(outcomes(&bot).await, [Outcome::Voicemail, Outcome::Voicemail], "{}", bot.name);
        assert_eq!(to_call(&bot, "2026-03-18").await, ["C4"], "{}: closed after two", bot.name);
        bot.stop().await;
    }
}

#[tokio::test]
async fn invoice_not_received_mails_the_copy_to_the_address_the_caller_confirms_and_holds_the_next_reminder() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, morning("2026-03-16")).await;
        import(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap().unwrap();

        assert!(proposed(&bot, "2026-03-20").await.contains(&"C1".to_string()), "{}: due before", bot.name);
        let not_received = button(&fakes, "Garage Martin", "not_received").await;
        // The click opens the modal, the copy's address pre-filled with the ledger's.
        assert_eq!(post(&bot, &fakes, outcome_click(CLAIRE_SLACK, &not_received)).await.status(), 200);
        eventually("the modal opened", || async {
            let opened = Fakes::requests(&fakes.slack, "POST", "/views.open").await;
            opened.iter().any(|o| o.to_string().contains(r#""initial_value":"compta@c1.example.fr""#))
        })
        .await;

        // A malformed address keeps the modal open with the error under the field; nothing written.
        let typed =
            |text: &str| json!({ "outcome_email": { "outcome_email": { "type": "plain_text_input", "value": text } } });
        let bad = post(&bot, &fakes, submission(CLAIRE_SLACK, &not_received, typed("jeanne.garage-martin.fr"))).await;
        let bad: Value = bad.json().await.unwrap();
        assert_eq!(bad["response_action"], "errors", "{}: {bad}", bot.name);
        assert!(bad["errors"]["outcome_email"].as_str().unwrap().starts_with("« jeanne.garage-martin.fr » n'est pas"));
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);
        let client = ClientId::parse("C1").unwrap();
        assert!(bot.store.duplicates(&client).await.unwrap().is_empty(), "{}", bot.name);

        // The address the client gave on the phone replaces the ledger's.
        let submitted =
            post(&bot, &fakes, submission(CLAIRE_SLACK, &not_received, typed(" jeanne@garage-martin.fr "))).await;
        assert_eq!(submitted.status(), 200, "{}", bot.name);
        let confirmed = relance::domain::EmailAddress::parse("jeanne@garage-martin.fr").unwrap();
        assert_eq!(outcomes(&bot).await, [Outcome::NotReceived { to: Some(confirmed) }], "{}", bot.name);

        // A copy of F-1 is queued once, audited with its address, and e-mailed there only.
        let copies = bot.store.duplicates(&client).await.unwrap();
        assert_eq!(copies.len(), 1, "{}: {copies:?}", bot.name);
        assert_eq!(copies[0].invoices.iter().map(ToString::to_string).collect::<Vec<_>>(), ["F-1"]);
        assert_eq!(copies[0].requested_by, "Claire Martin", "{}", bot.name);
        let log = bot.store.audit_log(Some(&client), 10).await.unwrap();
        let noted = log.iter().find(|e| e.action == "call.not_received").expect("the outcome's audit entry");
        assert_eq!(noted.detail["outcome"]["to"], "jeanne@garage-martin.fr", "{}", bot.name);
        let mailed = mailed_on_monday(&bot).await;
        assert_eq!(mailed.len(), 1, "{}: {mailed:?}", bot.name);
        assert_eq!(mailed[0].0, ["jeanne@garage-martin.fr"], "{}: not the ledger's address", bot.name);
        assert!(mailed[0].1.contains("F-1"), "{}: {mailed:?}", bot.name);

        // The call says in place where the copy went.
        eventually("the call page edited", || async {
            let edits = Fakes::requests(&fakes.slack, "POST", "/chat.update").await;
            edits.iter().any(|e| e.to_string().contains("facture non reçue, copie à jeanne@garage-martin.fr"))
        })
        .await;
        // The next written reminder waits the grace (5 days by default).
        assert!(!proposed(&bot, "2026-03-20").await.contains(&"C1".to_string()), "{}", bot.name);
        bot.stop().await;
    }
}
