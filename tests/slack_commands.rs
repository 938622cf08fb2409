//! `/relance` on Slack over real HTTP: signed slash-command payloads,
//! form-encoded exactly as Slack sends them, to `relance serve`; a fake Slack
//! (wiremock) receives what goes through `response_url` and the digest
//! posts. The answers' content and visibility, what is stored (holds, audit
//! rows), who may do what, and 401 for anything not signed by Slack. On
//! SQLite and, when RELANCE_TEST_POSTGRES_URL is set, on PostgreSQL.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use common::{actor, client, d, invoice, test_stores, TestStore};
use hmac::{Hmac, Mac};
use relance::clock::Clock;
use relance::config::{self, Loaded};
use relance::domain::{ClientId, Siren};
use relance::ledger::Hold;
use relance::serve::command_runs::CommandWaits;
use relance::serve::{self, Running, Services};
use relance::store::Store;
use serde_json::{json, Value};
use sha2::Sha256;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const CLAIRE: &str = "U01CLAIRE";
const JULIE: &str = "U02JULIE";
const PAUL: &str = "U09VIEWER";
const STRANGER: &str = "U0STRANGER";

/// Monday 16 March 2026, 09:00 in Paris.
fn monday() -> DateTime<Utc> {
    Paris.with_ymd_and_hms(2026, 3, 16, 9, 0, 0).unwrap().with_timezone(&Utc)
}

/// `relance serve` with Slack on (its Web API and response_urls faked).
struct Bot {
    svc: Arc<Services>,
    running: Running,
    base: String,
    store: Arc<dyn Store>,
    slack: MockServer,
    name: &'static str,
    _test_store: TestStore,
}

impl Bot {
    async fn start(test_store: TestStore, now: DateTime<Utc>) -> Bot {
        Self::start_with(test_store, now, CommandWaits::default()).await
    }

    async fn start_with(test_store: TestStore, now: DateTime<Utc>, waits: CommandWaits) -> Bot {
        let slack = MockServer::start().await;
        let ok = ResponseTemplate::new(200).set_body_json(json!({"ok": true, "channel": "C0DIGEST", "ts": "1.1"}));
        for api in ["/api/chat.postMessage", "/api/chat.update"] {
            Mock::given(method("POST")).and(path(api)).respond_with(ok.clone()).mount(&slack).await;
        }
        Mock::given(method("POST")).and(path("/respond")).respond_with(ResponseTemplate::new(200)).mount(&slack).await;
        let text = format!(
            "company: {{ name: Atelier Dumas SAS, contact_name: Claire Martin, contact_email: compta@atelier.fr }}\n\
             people:\n\
             \x20 - {{ name: Claire Martin, role: finance, slack: {CLAIRE} }}\n\
             \x20 - {{ name: Julie Roux, role: sales, slack: {JULIE} }}\n\
             \x20 - {{ name: Paul Viewer, role: viewer, slack: {PAUL} }}\n\
             server: {{ listen: \"127.0.0.1:0\", link_secret: \"a link secret for the tests, long\" }}\n\
             slack: {{ bot_token: xoxb-test, signing_secret: {SECRET}, channel: C0DIGEST, api_url: \"{}/api\" }}\n",
            slack.uri()
        );
        let clock = Clock::fixed(now, Paris);
        let store = relance::store::connect(&test_store.url, clock).await.expect("store");
        let config = config::parse(&text, &|_| None).expect("test config");
        let loaded = Loaded { config, tz: Paris, path: PathBuf::from("bot-config.yaml") };
        let svc = Services::with_waits(loaded, clock, store.clone(), waits).expect("services");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = serve::start(svc.clone(), listener, false).expect("server");
        let base = format!("http://{}", running.addr);
        Bot { svc, running, base, store, slack, name: test_store.name, _test_store: test_store }
    }

    fn respond_url(&self) -> String {
        format!("{}/respond", self.slack.uri())
    }

    /// `/relance <text>` typed by `user`, signed now; the 200's JSON.
    async fn command(&self, user: &str, text: &str) -> Value {
        let body = self.form(user, text);
        let ts = Utc::now().timestamp();
        let answer = self.post("/slack/commands", &body, ts, Some(&sign(&body, ts))).await;
        assert_eq!(answer.status(), 200, "{}: {text}", self.name);
        answer.json().await.unwrap()
    }

    /// The form Slack posts for a slash command (its documented fields, in its order).
    fn form(&self, user: &str, text: &str) -> String {
        serde_urlencoded::to_string([
            ("token", "gIkuvaNzQIHg97ATvDxqgjtO"),
            ("team_id", "T0001"),
            ("team_domain", "atelier"),
            ("channel_id", "C0FINANCE"),
            ("channel_name", "finance"),
            ("user_id", user),
            ("user_name", "someone"),
            ("command", "/relance"),
            ("text", text),
            ("response_url", &self.respond_url()),
            ("trigger_id", "13345224609.738474920.8088930838d88f008e0"),
            ("api_app_id", "A123456"),
        ])
        .unwrap()
    }

    async fn post(&self, route: &str, body: &str, ts: i64, signature: Option<&str>) -> reqwest::Response {
        common::server::post_slack_form(&format!("{}{route}", self.base), body, ts, signature).await
    }

    async fn hold(&self, client: &str) -> Hold {
        let today = self.svc.clock.today();
        self.store.account(&ClientId::parse(client).unwrap(), today).await.unwrap().unwrap().hold
    }

    async fn invoice_hold(&self, client: &str, number: &str) -> Hold {
        let today = self.svc.clock.today();
        let account = self.store.account(&ClientId::parse(client).unwrap(), today).await.unwrap().unwrap();
        account.invoices.into_iter().find(|i| i.number.as_str() == number).unwrap().hold
    }

    async fn audit_actions(&self, client: &str) -> Vec<(String, String, String)> {
        let log = self.store.audit_log(Some(&ClientId::parse(client).unwrap()), 100).await.unwrap();
        log.into_iter().map(|a| (a.action, a.actor.name, a.actor.via)).collect()
    }

    /// What reached the fake `response_url`.
    async fn responses(&self) -> Vec<Value> {
        let received = self.slack.received_requests().await.unwrap_or_default();
        received
            .iter()
            .filter(|r| r.url.path() == "/respond")
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect()
    }

    async fn posts(&self) -> usize {
        let received = self.slack.received_requests().await.unwrap_or_default();
        received.iter().filter(|r| r.url.path() == "/api/chat.postMessage").count()
    }
}

fn sign(body: &str, ts: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// Every text of an answer, joined (mrkdwn as sent, escaped).
fn texts(answer: &Value) -> String {
    let blocks = answer["blocks"].as_array().cloned().unwrap_or_default();
    let mut out = vec![answer["text"].as_str().unwrap_or("").to_string()];
    out.extend(blocks.iter().filter_map(|b| b["text"]["text"].as_str().map(str::to_string)));
    // Amounts carry narrow and no-break spaces, as French typography wants.
    out.join("\n").replace(['\u{a0}', '\u{202f}'], " ")
}

/// Garage Martin (one overdue invoice), Société Générale with a SIREN, two
/// Duponts, a client whose name tries to ping the channel, and Menuiserie
/// Roux owned by Julie.
async fn import_ledger(store: &dyn Store) {
    let named = |id: &str, name: &str| {
        let mut c = client(id);
        c.name = name.into();
        c
    };
    let mut societe = named("C2", "Société Générale d'Équipement");
    societe.siren = Some(Siren::parse("552120222").unwrap());
    let mut roux = named("C4", "Menuiserie Roux");
    roux.owner = Some("julie roux".into());
    let clients = [
        named("C1", "Garage Martin"),
        societe,
        named("C3", "<!channel> Bâtiments & Fils"),
        roux,
        named("C5", "Dupont SA"),
        named("C6", "Dupont & Fils"),
    ];
    store.import_clients(&clients, &actor(), "clients.csv").await.unwrap();
    let invoices = [
        invoice("F-2026-001", "C1", "2026-03-09", "1200.00"),
        invoice("F-2026-002", "C2", "2026-02-09", "640.50"),
        invoice("F-2026-003", "C3", "2026-03-09", "9800.00"),
        invoice("F-2026-004", "C4", "2026-03-09", "310.00"),
        invoice("F-2026-005", "C5", "2026-03-09", "50.00"),
        invoice("F-2026-006", "C6", "2026-03-09", "60.00"),
    ];
    store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
}

#[tokio::test]
async fn status_answers_privately_or_publicly_with_invoices_total_and_score() {
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        let answer = bot.command(CLAIRE, "status societe generale").await;
        assert_eq!(answer["response_type"], "ephemeral", "{}", bot.name);
        let text = texts(&answer);
        for expected in [
            "Société Générale d'Équipement — C2",
            "SIREN 552120222",
            "F-2026-002 · éch. 09/02/2026 · 640,50 € dû · 35 j de retard",
            "Total dû : 640,50 €",
            "Score de paiement : ",
            "Relances envoyées (0)",
            "Proposée aujourd'hui :",
            "Prochaine étape :",
        ] {
            assert!(text.contains(expected), "{}: {expected:?} in {text}", bot.name);
        }
        // The same by SIREN with spaces, with a typo, and in public.
        assert!(texts(&bot.command(JULIE, "status 552 120 222").await).contains("— C2"), "{}", bot.name);
        assert!(texts(&bot.command(PAUL, "status Garaje Martn").await).contains("Garage Martin — C1"), "{}", bot.name);
        let public = bot.command(CLAIRE, "status C2 --public").await;
        assert_eq!(public["response_type"], "in_channel", "{}", bot.name);
        // A client's name never pings the channel.
        let bold = texts(&bot.command(CLAIRE, "status C3").await);
        assert!(bold.contains("&lt;!channel&gt; Bâtiments &amp; Fils") && !bold.contains("<!channel>"), "{bold}");
        // Someone not in people: is told so, and sees nothing.
        let stranger = texts(&bot.command(STRANGER, "status C2").await);
        assert!(stranger.contains("vous ne figurez pas") && !stranger.contains("640,50"), "{stranger}");
        // `/relance` alone is the help; a mistake says what is missing.
        assert!(
            texts(&bot.command(PAUL, "").await).contains("/relance pause &lt;client&gt; &lt;jours|date&gt; [motif]")
        );
        assert!(texts(&bot.command(PAUL, "promise F-2026-001").await).contains("il manque la date"));
        bot.running.stop().await.unwrap();
    }
}

#[tokio::test]
async fn several_matches_offer_buttons_and_none_the_closest_names() {
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        let answer = bot.command(PAUL, "status dupont").await;
        let actions = answer["blocks"].as_array().unwrap().iter().find(|b| b["type"] == "actions").cloned();
        let buttons = actions.expect("buttons")["elements"].as_array().unwrap().clone();
        let values: Vec<&str> = buttons.iter().map(|b| b["value"].as_str().unwrap()).collect();
        assert_eq!(values, ["status C5", "status C6"], "{}", bot.name);
        assert_eq!(buttons[0]["action_id"], "status:0");
        // Clicking one answers its status through response_url, to the clicker.
        let payload = json!({
            "type": "block_actions",
            "user": {"id": PAUL, "username": "paul", "team_id": "T0001"},
            "container": {"type": "message", "message_ts": "1.2", "channel_id": "C0FINANCE", "is_ephemeral": true},
            "response_url": bot.respond_url(),
            "actions": [{"action_id": "status:1", "block_id": "choices", "value": "status C6", "type": "button"}]
        });
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        let ts = Utc::now().timestamp();
        assert_eq!(bot.post("/slack/interactions", &body, ts, Some(&sign(&body, ts))).await.status(), 200);
        for _ in 0..100 {
            if !bot.responses().await.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let responses = bot.responses().await;
        assert_eq!(responses.len(), 1, "{}", bot.name);
        assert_eq!(responses[0]["response_type"], "ephemeral");
        assert!(texts(&responses[0]).contains("Dupont &amp; Fils — C6"), "{}", texts(&responses[0]));
        // Nothing matches: the closest names.
        let none = texts(&bot.command(PAUL, "status Menuserie Lambert").await);
        assert!(none.contains("Aucun client ne correspond") && none.contains("Menuiserie Roux — C4"), "{none}");
        bot.running.stop().await.unwrap();
    }
}

#[tokio::test]
async fn finance_and_the_owner_change_holds_others_are_refused_and_nothing_changes() {
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        // Finance pauses a client by name until a day without its year.
        let answer = texts(&bot.command(CLAIRE, "pause Garage Martin 15/12 attend un virement").await);
        assert!(answer.contains("en pause jusqu'au 15/12/2026 inclus"), "{answer}");
        assert_eq!(bot.hold("C1").await.paused_until, Some(d("2026-12-15")), "{}", bot.name);
        let audit = bot.audit_actions("C1").await;
        let by_claire = |action: &str| (action.to_string(), "Claire Martin".to_string(), "slack".to_string());
        assert!(audit.contains(&by_claire("hold.pause")), "{audit:?}");
        // The reason is in the hold's own audit entry, written with it.
        let log = bot.store.audit_log(Some(&ClientId::parse("C1").unwrap()), 10).await.unwrap();
        let pause = log.iter().find(|e| e.action == "hold.pause").expect("the pause is audited");
        assert_eq!(pause.detail["reason"], "attend un virement", "{pause:?}");
        // `relance status` shows it.
        let report =
            relance::status::gather(bot.store.as_ref(), &client("C1"), &bot.svc.config().policy, bot.svc.clock.today())
                .await
                .unwrap()
                .unwrap();
        assert!(
            relance::status::render(&report, relance::domain::Language::Fr).contains("En pause jusqu'au 15/12/2026")
        );
        bot.command(CLAIRE, "resume garage martin").await;
        assert_eq!(bot.hold("C1").await, Hold::default(), "{}", bot.name);

        // Julie owns C4: she records a promise and a dispute on its invoice.
        bot.command(JULIE, "promise F-2026-004 2026-03-20").await;
        bot.command(JULIE, "dispute F-2026-004 livraison incomplète").await;
        let hold = bot.invoice_hold("C4", "F-2026-004").await;
        assert_eq!(hold.promise_date, Some(d("2026-03-20")), "{}", bot.name);
        assert_eq!(hold.dispute.as_deref(), Some("livraison incomplète"), "{}", bot.name);
        let audit = bot.audit_actions("C4").await;
        assert!(audit.iter().any(|(a, by, via)| a == "hold.dispute" && by == "Julie Roux" && via == "slack"));

        // Julie on a client not hers, Paul the viewer, a stranger: refused, nothing stored.
        let before = bot.store.audit_log(None, 1000).await.unwrap().len();
        let refused = texts(&bot.command(JULIE, "dispute F-2026-001 prix").await);
        assert!(refused.contains("seuls la finance et le commercial qui suit Garage Martin"), "{refused}");
        let refused = texts(&bot.command(PAUL, "pause Garage Martin 7").await);
        assert!(refused.contains("rien n'a changé"), "{refused}");
        let refused = texts(&bot.command(STRANGER, "resolve F-2026-004").await);
        assert!(refused.contains("vous ne figurez pas"), "{refused}");
        let refused = texts(&bot.command(JULIE, "digest").await);
        assert!(refused.contains("seule la finance"), "{refused}");
        assert_eq!(bot.hold("C1").await, Hold::default(), "{}", bot.name);
        assert_eq!(bot.invoice_hold("C4", "F-2026-004").await, hold, "{}", bot.name);
        assert_eq!(bot.store.audit_log(None, 1000).await.unwrap().len(), before, "{}", bot.name);
        assert_eq!(bot.posts().await, 0, "{}: no digest posted", bot.name);

        // Finance resolves the dispute; a date in the past is refused.
        bot.command(CLAIRE, "resolve F-2026-004").await;
        assert_eq!(bot.invoice_hold("C4", "F-2026-004").await, Hold::default(), "{}", bot.name);
        let past = texts(&bot.command(CLAIRE, "promise F-2026-004 2026-03-01").await);
        assert!(past.contains("est passé"), "{past}");
        assert_eq!(bot.invoice_hold("C4", "F-2026-004").await, Hold::default(), "{}", bot.name);

        // Finance posts today's digest again.
        let posted = texts(&bot.command(CLAIRE, "digest").await);
        assert!(posted.contains("Digest du 16/03/2026 publié"), "{posted}");
        assert!(bot.posts().await > 0, "{}: the digest's pages are posted", bot.name);
        bot.running.stop().await.unwrap();
    }
}

#[tokio::test]
async fn a_promise_made_in_the_chat_and_broken_opens_the_next_digest() {
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        bot.command(JULIE, "promise F-2026-004 17/03").await;
        bot.command(CLAIRE, "dispute F-2026-001 prix contesté").await;
        serve::publish(&bot.svc).await.unwrap();
        let Bot { running, _test_store: test_store, .. } = bot;
        running.stop().await.unwrap();
        // Wednesday: the promise of Tuesday was not kept.
        let wednesday = Paris.with_ymd_and_hms(2026, 3, 18, 9, 0, 0).unwrap().with_timezone(&Utc);
        let bot = Bot::start(test_store, wednesday).await;
        serve::publish(&bot.svc).await.unwrap();
        let received = bot.slack.received_requests().await.unwrap();
        let post = received.iter().find(|r| r.url.path() == "/api/chat.postMessage").expect("the digest");
        let digest: Value = serde_json::from_slice(&post.body).unwrap();
        let text = digest["blocks"].to_string();
        let broken = text.find("Promesse non tenue : Menuiserie Roux (F-2026-004), promis pour le 17/03/2026");
        let freshness = text.find("Grand livre");
        assert!(broken.is_some() && broken < freshness, "{}: said first: {text}", bot.name);
        assert!(text.contains("Litige en cours : Garage Martin (F-2026-001) — prix contesté"), "{text}");
        bot.running.stop().await.unwrap();
    }
}

#[tokio::test]
async fn forged_tampered_stale_and_unsigned_commands_get_401_and_change_nothing() {
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        let body = bot.form(CLAIRE, "pause Garage Martin 30");
        let ts = Utc::now().timestamp();
        let forged = format!("v0={}", "0".repeat(64));
        let tampered = body.replace("30", "31");
        let stale = ts - 301;
        let cases = [
            ("forged", bot.post("/slack/commands", &body, ts, Some(&forged)).await),
            ("tampered", bot.post("/slack/commands", &tampered, ts, Some(&sign(&body, ts))).await),
            ("stale", bot.post("/slack/commands", &body, stale, Some(&sign(&body, stale))).await),
            ("unsigned", bot.post("/slack/commands", &body, ts, None).await),
        ];
        for (what, answer) in cases {
            assert_eq!(answer.status(), 401, "{}: {what}", bot.name);
        }
        assert_eq!(bot.hold("C1").await, Hold::default(), "{}", bot.name);
        let metrics = reqwest::get(format!("{}/metrics", bot.base)).await.unwrap().text().await.unwrap();
        assert!(metrics.contains("relance_signature_failures_total{platform=\"slack\"} 4"), "{metrics}");
        bot.running.stop().await.unwrap();
    }
}

#[tokio::test]
async fn a_command_slower_than_slacks_deadline_is_acknowledged_then_answered_through_response_url() {
    for test_store in test_stores().await {
        // No time at all for the answer: every command takes the late path.
        let waits = CommandWaits { slack: Duration::ZERO, ..CommandWaits::default() };
        let bot = Bot::start_with(test_store, monday(), waits).await;
        import_ledger(bot.store.as_ref()).await;

        let answer = bot.command(CLAIRE, "status Garage Martin").await;
        assert_eq!(answer["response_type"], "ephemeral", "{}: {answer}", bot.name);
        assert!(texts(&answer).contains('⏳'), "{}: acknowledged at once: {answer}", bot.name);
        assert!(!texts(&answer).contains("F-2026-001"), "{}: the status comes later: {answer}", bot.name);

        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while bot.responses().await.is_empty() && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let responses = bot.responses().await;
        assert_eq!(responses.len(), 1, "{}: one follow-up", bot.name);
        let status = texts(&responses[0]);
        assert!(status.contains("Garage Martin") && status.contains("F-2026-001"), "{}: {status}", bot.name);
        assert_eq!(responses[0]["response_type"], "ephemeral", "{}: still private", bot.name);

        // The late path changes things once, like the quick one.
        bot.command(CLAIRE, "dispute F-2026-001 livraison incomplète").await;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while bot.responses().await.len() < 2 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(bot.invoice_hold("C1", "F-2026-001").await.dispute.as_deref(), Some("livraison incomplète"));
        let disputes = bot.audit_actions("C1").await.into_iter().filter(|(a, _, _)| a == "hold.dispute").count();
        assert_eq!(disputes, 1, "{}", bot.name);
        bot.running.stop().await.unwrap();
    }
}

#[tokio::test]
async fn a_pause_from_the_chat_withdraws_todays_entry_and_a_resume_brings_it_back() {
    use relance::decision::Status;
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap();
        let today = bot.svc.clock.today();
        let garage = || async {
            let entries = bot.store.entries(today).await.unwrap();
            entries.into_iter().find(|e| e.proposal.client_id.as_str() == "C1").map(|e| e.status)
        };
        assert_eq!(garage().await, Some(Status::Pending), "{}: proposed this morning", bot.name);
        let posted = bot.posts().await;

        bot.command(CLAIRE, "pause Garage Martin 10 négociation en cours").await;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while garage().await != Some(Status::Withdrawn) && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(garage().await, Some(Status::Withdrawn), "{}: the digest shows the pause at once", bot.name);
        assert_eq!(bot.posts().await, posted, "{}: posted again means edited, not a second digest", bot.name);

        bot.command(CLAIRE, "resume Garage Martin").await;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while garage().await != Some(Status::Pending) && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(garage().await, Some(Status::Pending), "{}: proposed again once resumed", bot.name);
        bot.running.stop().await.unwrap();
    }
}

/// Clicks a reply's button (`status:<n>`, its `value` the command it runs) as `user`;
/// the answer that reaches `response_url`.
async fn click_command(bot: &Bot, user: &str, value: &str) -> Value {
    let before = bot.responses().await.len();
    let payload = json!({
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "team_id": "T0001"},
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "C0FINANCE", "is_ephemeral": true},
        "response_url": bot.respond_url(),
        "actions": [{"action_id": "status:0", "block_id": "choices", "value": value, "type": "button"}]
    });
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
    let ts = Utc::now().timestamp();
    assert_eq!(bot.post("/slack/interactions", &body, ts, Some(&sign(&body, ts))).await.status(), 200);
    for _ in 0..100 {
        if let Some(answer) = bot.responses().await.get(before) {
            return answer.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{}: no answer to the click on {value:?}", bot.name);
}

#[tokio::test]
async fn the_owner_proposes_an_instalment_plan_and_only_finance_approves_it_with_the_button() {
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        let before = bot.store.audit_log(None, 1000).await.unwrap().len();
        let refused = texts(&bot.command(PAUL, "echeancier F-2026-004 2").await);
        assert!(refused.contains("rien n'a changé"), "{refused}");
        let bad = texts(&bot.command(JULIE, "échéancier F-2026-004 30").await);
        assert!(bad.contains("maximum of 24"), "{bad}");
        assert_eq!(bot.store.audit_log(None, 1000).await.unwrap().len(), before, "{}: nothing written", bot.name);

        // Julie owns C4: she proposes two instalments from 30 March.
        let answer = bot.command(JULIE, "échéancier F-2026-004 2 30/03").await;
        let text = texts(&answer);
        assert!(text.contains("Échéancier n° 1 proposé — Menuiserie Roux (C4) : 310,00 €"), "{text}");
        assert!(text.contains("1. 30/03/2026 · 155,00 €") && text.contains("2. 30/04/2026 · 155,00 €"), "{text}");
        let actions = answer["blocks"].as_array().unwrap().iter().find(|b| b["type"] == "actions").cloned();
        let buttons = actions.expect("Approve / Reject")["elements"].as_array().unwrap().clone();
        let values: Vec<&str> = buttons.iter().map(|b| b["value"].as_str().unwrap()).collect();
        assert_eq!(values, ["echeancier approve 1", "echeancier reject 1"], "{}", bot.name);

        // Julie may not approve it; Claire (finance) does, once.
        let refused = texts(&click_command(&bot, JULIE, "echeancier approve 1").await);
        assert!(refused.contains("seule la finance peut approuver"), "{refused}");
        let approved = texts(&click_command(&bot, CLAIRE, "echeancier approve 1").await);
        assert!(approved.contains("Échéancier n° 1 approuvé"), "{approved}");
        let again = texts(&click_command(&bot, CLAIRE, "echeancier reject 1").await);
        assert!(again.contains("already approved"), "{again}");
        let plan = bot.store.plan(1).await.unwrap().unwrap();
        assert_eq!(plan.status, relance::store::PlanStatus::Approved, "{}", bot.name);
        let audit = bot.audit_actions("C4").await;
        let by = |action: &str, who: &str| (action.to_string(), who.to_string(), "slack".to_string());
        assert!(audit.contains(&by("plan.proposed", "Julie Roux")), "{audit:?}");
        assert!(audit.contains(&by("plan.approved", "Claire Martin")), "{audit:?}");
        bot.running.stop().await.unwrap();
    }
}

#[tokio::test]
async fn a_proposed_plan_waits_in_the_posted_digest_until_finance_approves_it() {
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        bot.command(JULIE, "échéancier F-2026-004 2 30/03").await;
        serve::publish(&bot.svc).await.unwrap();
        let digest_header = |body: &Value| -> Option<String> {
            let blocks = body["blocks"].as_array()?;
            blocks
                .iter()
                .any(|b| b["block_id"] == "digest:header")
                .then(|| body["blocks"].to_string().replace('\u{a0}', " "))
        };
        let received = bot.slack.received_requests().await.unwrap();
        let post = received.iter().find(|r| r.url.path() == "/api/chat.postMessage").expect("the digest");
        let posted = digest_header(&serde_json::from_slice(&post.body).unwrap()).expect("page 1");
        let line = "⏳ Échéancier n° 1 à approuver — Menuiserie Roux : 2 × 155,00 € dès le 30/03/2026 (proposé par Julie Roux)";
        assert!(posted.contains(line), "{}: {posted}", bot.name);
        assert!(posted.contains("`/relance echeancier approve 1` ou `/relance echeancier reject 1`"), "{posted}");

        // Approved: page 1 is edited at once, without the line.
        let approved = texts(&click_command(&bot, CLAIRE, "echeancier approve 1").await);
        assert!(approved.contains("Échéancier n° 1 approuvé"), "{approved}");
        let mut edited = None;
        for _ in 0..100 {
            let received = bot.slack.received_requests().await.unwrap();
            let mut edits = received
                .iter()
                .filter(|r| r.url.path() == "/api/chat.update")
                .filter_map(|r| digest_header(&serde_json::from_slice(&r.body).unwrap()));
            edited = edits.next_back();
            if edited.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let edited = edited.expect("page 1 edited after the approval");
        assert!(!edited.contains("⏳") && !edited.contains("echeancier approve"), "{}: {edited}", bot.name);
        bot.running.stop().await.unwrap();
    }
}

#[tokio::test]
async fn a_weekly_plan_is_asked_from_the_chat_with_hebdo() {
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        let text = texts(&bot.command(CLAIRE, "échéancier F-2026-004 3 30/03 hebdo").await);
        assert!(text.contains("Échéancier n° 1 proposé — Menuiserie Roux (C4) : 310,00 €"), "{text}");
        for line in ["1. 30/03/2026 · 103,33 €", "2. 06/04/2026 · 103,33 €", "3. 13/04/2026 · 103,34 €"] {
            assert!(text.contains(line), "{}: {line:?} missing from {text}", bot.name);
        }
        let plan = bot.store.plan(1).await.unwrap().unwrap();
        assert_eq!(plan.frequency, relance::policy::instalments::Frequency::Weekly, "{}", bot.name);
        bot.running.stop().await.unwrap();
    }
}

#[tokio::test]
async fn a_plan_for_a_client_without_e_mail_warns_then_says_no_confirmation_was_sent() {
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        let mut silent = client("C7");
        silent.name = "Atelier Sans Mail".into();
        silent.email = None;
        bot.store.import_clients(&[silent], &actor(), "clients.csv").await.unwrap();
        let invoices = [invoice("F-2026-007", "C7", "2026-03-09", "90.00")];
        bot.store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();

        let proposed = texts(&bot.command(CLAIRE, "echeancier F-2026-007 2").await);
        assert!(proposed.contains("⚠️ Ce client n'a pas d'adresse e-mail"), "{}: {proposed}", bot.name);
        let approved = texts(&click_command(&bot, CLAIRE, "echeancier approve 1").await);
        assert!(approved.contains("aucune confirmation envoyée au client (pas d'adresse e-mail)"), "{approved}");
        assert!(
            approved.contains("Aucune confirmation n'a pu être envoyée : le client n'a pas d'adresse e-mail"),
            "{approved}"
        );
        assert_eq!(bot.store.plan(1).await.unwrap().unwrap().status, relance::store::PlanStatus::Approved);
        bot.running.stop().await.unwrap();
    }
}
