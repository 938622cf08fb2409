//! `relance serve` on a fresh store with fake Slack, Discord and Teams
//! servers (wiremock): the harness of `tests/serve.rs` and
//! `tests/chat_commands.rs`. Requests are signed as the platforms sign them,
//! with test keys.

use super::{actor, client, invoice, TestStore};
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use ed25519_dalek::{Signer, SigningKey};
use hmac::{Hmac, Mac};
use relance::clock::Clock;
use relance::config::{self, Loaded};
use relance::domain::{ClientId, Segment};
use relance::serve::{self, Running, Services};
use relance::store::Store;
use serde_json::{json, Value};
use sha2::Sha256;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub const CLAIRE_SLACK: &str = "U01CLAIRE";
pub const MARC_SLACK: &str = "U03MARC";
pub const PAUL_SLACK: &str = "U09VIEWER";
pub const CLAIRE_DISCORD: &str = "80351110224678912";
pub const PAUL_DISCORD: &str = "80351110224678999";
pub const DISCORD_CHANNEL: &str = "1100000000000000001";
/// Claire's Microsoft Entra object id, as Teams sends it in `from.aadObjectId`.
pub const CLAIRE_TEAMS: &str = "f5aa4e04-2f35-4a4d-97a6-7c0d1e5b1b0f";
/// The Teams outgoing webhook's security token (base64, as Teams shows it).
pub const TEAMS_TOKEN: &str = "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=";

/// Monday 16 March 2026, 09:00 in Paris: a business day.
pub fn monday() -> DateTime<Utc> {
    Paris.with_ymd_and_hms(2026, 3, 16, 9, 0, 0).unwrap().with_timezone(&Utc)
}

pub fn discord_key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

/// Fake platform servers.
pub struct Fakes {
    pub slack: MockServer,
    pub discord: MockServer,
    pub teams: MockServer,
}

impl Fakes {
    pub async fn start() -> Self {
        let slack = MockServer::start().await;
        let ok =
            |ts: &str| ResponseTemplate::new(200).set_body_json(json!({"ok": true, "channel": "C0DIGEST", "ts": ts}));
        Mock::given(method("POST"))
            .and(path("/api/chat.postMessage"))
            .respond_with(ok("1773648000.000100"))
            .mount(&slack)
            .await;
        Mock::given(method("POST"))
            .and(path("/api/chat.update"))
            .respond_with(ok("1773648000.000100"))
            .mount(&slack)
            .await;
        Mock::given(method("POST")).and(path("/api/views.open")).respond_with(ok("")).mount(&slack).await;
        Mock::given(method("POST")).and(path("/respond")).respond_with(ResponseTemplate::new(200)).mount(&slack).await;
        let discord = MockServer::start().await;
        let message = ResponseTemplate::new(200).set_body_json(json!({
            "id": "1200000000000000001", "channel_id": DISCORD_CHANNEL, "type": 0, "content": "",
            "author": {"id": "1", "username": "relance", "discriminator": "0000", "avatar": null},
            "timestamp": "2026-03-16T08:00:00+00:00", "edited_timestamp": null, "tts": false,
            "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
            "pinned": false
        }));
        Mock::given(method("POST"))
            .and(path_regex("^/api/v10/channels/[0-9]+/messages$"))
            .respond_with(message.clone())
            .mount(&discord)
            .await;
        Mock::given(method("PATCH"))
            .and(path_regex("^/api/v10/channels/[0-9]+/messages/[0-9]+$"))
            .respond_with(message.clone())
            .mount(&discord)
            .await;
        // The answer to an interaction, edited in after a deferred response.
        Mock::given(method("PATCH"))
            .and(path_regex("^/api/v10/webhooks/[0-9]+/[^/]+/messages/@original$"))
            .respond_with(message)
            .mount(&discord)
            .await;
        let teams = MockServer::start().await;
        Mock::given(method("POST")).and(path("/workflow")).respond_with(ResponseTemplate::new(202)).mount(&teams).await;
        Self { slack, discord, teams }
    }

    pub async fn requests(server: &MockServer, http_method: &str, suffix: &str) -> Vec<Value> {
        let received = server.received_requests().await.unwrap_or_default();
        received
            .iter()
            .filter(|r| r.method.as_str() == http_method && r.url.path().ends_with(suffix))
            .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
            .collect()
    }
}

/// Which platforms a test turns on.
#[derive(Clone, Copy, PartialEq)]
pub enum Platforms {
    All,
    None,
}

pub fn config_text(fakes: Option<&Fakes>, platforms: Platforms) -> String {
    let mut text = String::from(
        "company: { name: Atelier Dumas SAS, contact_name: Claire Martin, contact_email: compta@atelier.fr, sms_sender: Atelier }\n\
         people:\n\
         \x20 - { name: Claire Martin, role: finance, slack: U01CLAIRE, discord: \"80351110224678912\", teams: \"{CLAIRE_TEAMS}\", email: claire@atelier.fr, code: \"4821\" }\n\
         \x20 - { name: Marc Petit, role: finance, slack: U03MARC, email: marc@atelier.fr, code: \"7319\" }\n\
         \x20 - { name: Julie Roux, role: sales, slack: U02JULIE, discord: \"80351110224678950\", email: julie@atelier.fr, code: \"5550\" }\n\
         \x20 - { name: Paul Viewer, role: viewer, slack: U09VIEWER, discord: \"80351110224678999\" }\n\
         server: { listen: \"127.0.0.1:0\", link_secret: \"a link secret for the tests, long\" }\n",
    )
    .replace("{CLAIRE_TEAMS}", CLAIRE_TEAMS);
    if let (Some(f), Platforms::All) = (fakes, platforms) {
        let key = hex::encode(discord_key().verifying_key().to_bytes());
        text.push_str(&format!(
            "slack: {{ bot_token: xoxb-test, signing_secret: {SIGNING_SECRET}, channel: C0DIGEST, api_url: \"{}/api\" }}\n\
             discord: {{ bot_token: discord-test-token, public_key: \"{key}\", application_id: \"42\", channel_id: \"{DISCORD_CHANNEL}\", api_url: \"{}\" }}\n\
             teams: {{ webhook_url: \"{}/workflow?sig=secret\", outgoing_secret: \"{TEAMS_TOKEN}\" }}\n",
            f.slack.uri(),
            f.discord.uri(),
            f.teams.uri()
        ));
    }
    text
}

/// A server on a migrated store with a small ledger, the clock at `now`.
pub struct Bot {
    pub svc: Arc<Services>,
    pub running: Option<Running>,
    pub base: String,
    pub store: Arc<dyn Store>,
    pub name: &'static str,
    pub _test_store: TestStore,
}

impl Bot {
    pub async fn start(test_store: TestStore, fakes: Option<&Fakes>, platforms: Platforms, now: DateTime<Utc>) -> Bot {
        Bot::start_with(test_store, fakes, platforms, now, "").await
    }

    /// [`Bot::start`] with more configuration (`mail: { smtp_url: … }`).
    pub async fn start_with(
        test_store: TestStore,
        fakes: Option<&Fakes>,
        platforms: Platforms,
        now: DateTime<Utc>,
        extra: &str,
    ) -> Bot {
        let clock = Clock::fixed(now, Paris);
        let store = relance::store::connect(&test_store.url, clock).await.expect("store");
        store.migrate().await.expect("migrate");
        let config = config::parse(&(config_text(fakes, platforms) + extra), &|_| None).expect("test config");
        let loaded = Loaded { config, tz: Paris, path: PathBuf::from("bot-config.yaml") };
        let svc = Services::new(loaded, clock, store.clone()).expect("services");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = serve::start(svc.clone(), listener, false).expect("server");
        let base = format!("http://{}", running.addr);
        Bot { svc, running: Some(running), base, store, name: test_store.name, _test_store: test_store }
    }

    /// The same database served again, the clock at `now` (another day).
    pub async fn restart_at(mut self, fakes: Option<&Fakes>, platforms: Platforms, now: DateTime<Utc>) -> Bot {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("graceful stop");
        }
        Bot::start(self._test_store, fakes, platforms, now).await
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("graceful stop");
        }
    }
}

/// Two overdue clients and a strategic one, imported with the bot's clock.
pub async fn import_ledger(store: &dyn Store) {
    let mut garage = client("C1");
    garage.name = "Garage Martin".into();
    let mut bold = client("C2");
    bold.name = "<!channel> Bâtiments & Fils".into();
    let mut strategic = client("C3");
    strategic.name = "Groupe Horizon".into();
    strategic.segment = Segment::Strategic;
    strategic.owner = Some("Julie Roux".into());
    let mut hers = client("C4");
    hers.name = "Menuiserie Roux".into();
    hers.owner = Some("julie roux".into());
    store.import_clients(&[garage, bold, strategic, hers], &actor(), "clients.csv").await.unwrap();
    let invoices = [
        invoice("F-2026-001", "C1", "2026-03-09", "1200.00"),
        invoice("F-2026-002", "C2", "2026-03-09", "640.50"),
        invoice("F-2026-003", "C3", "2026-03-09", "9800.00"),
        invoice("F-2026-004", "C4", "2026-03-09", "310.00"),
    ];
    store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
}

pub fn slack_sign(body: &str, ts: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SIGNING_SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// A block_actions payload as Slack sends it (form-encoded `payload=`).
pub fn slack_click(user: &str, action: &str, proposal: &str, rev: u32, response_url: &str) -> String {
    let payload = json!({
        "type": "block_actions",
        "team": {"id": "T9TK3CUKW", "domain": "example"},
        "user": {"id": user, "username": "someone", "team_id": "T9TK3CUKW"},
        "api_app_id": "AABA1ABCD",
        "token": "9s8d9as89d8as9d8as989",
        "container": {"type": "message", "message_ts": "1773648000.000100", "channel_id": "C0DIGEST", "is_ephemeral": false},
        "trigger_id": "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
        "channel": {"id": "C0DIGEST", "name": "finance"},
        "message": {"type": "message", "text": "Relances proposées", "ts": "1773648000.000100"},
        "response_url": response_url,
        "actions": [{
            "action_id": format!("{action}:{proposal}"),
            "block_id": format!("actions:{proposal}:{rev}"),
            "text": {"type": "plain_text", "text": "Approuver", "emoji": true},
            "value": proposal,
            "type": "button",
            "action_ts": "1548426417.840180"
        }]
    });
    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
}

pub async fn post_slack(bot: &Bot, body: &str, ts: i64, signature: Option<&str>) -> reqwest::Response {
    post_slack_form(&format!("{}/slack/interactions", bot.base), body, ts, signature).await
}

/// A form Slack posts (an interaction or a slash command) to `url`, with
/// its timestamp and, unless `None`, a signature.
pub async fn post_slack_form(url: &str, body: &str, ts: i64, signature: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts.to_string())
        .body(body.to_string());
    if let Some(signature) = signature {
        request = request.header("x-slack-signature", signature);
    }
    request.send().await.unwrap()
}

pub async fn post_discord(bot: &Bot, body: &Value, ts: i64, sign: bool) -> reqwest::Response {
    let body = body.to_string();
    let mut request = reqwest::Client::new()
        .post(format!("{}/discord/interactions", bot.base))
        .header("content-type", "application/json")
        .header("x-signature-timestamp", ts.to_string())
        .body(body.clone());
    if sign {
        let signature = discord_key().sign(format!("{ts}{body}").as_bytes());
        request = request.header("x-signature-ed25519", hex::encode(signature.to_bytes()));
    }
    request.send().await.unwrap()
}

pub fn now_unix() -> i64 {
    Utc::now().timestamp()
}

/// The id `relance plan --json` reports for a client today.
pub async fn proposal_id(bot: &Bot, client_id: &str) -> String {
    let entries = bot.store.entries(monday().with_timezone(&Paris).date_naive()).await.unwrap();
    let entry = entries.iter().find(|e| e.proposal.client_id.as_str() == client_id).expect("entry for the client");
    entry.proposal.id.as_str().to_string()
}

/// Waits until `check` holds (background updates), or fails after 5 s.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

pub async fn decisions_count(bot: &Bot) -> usize {
    let mut total = 0;
    for id in ["C1", "C2", "C3", "C4"] {
        total += bot.store.decisions(&ClientId::parse(id).unwrap()).await.unwrap().len();
    }
    total
}

/// `Authorization: HMAC …` as Teams computes it for an outgoing webhook.
pub fn teams_sign(body: &str) -> String {
    use base64::Engine;
    let key = base64::engine::general_purpose::STANDARD.decode(TEAMS_TOKEN).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(body.as_bytes());
    format!("HMAC {}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

pub async fn post_teams(bot: &Bot, body: &str, authorization: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{}/teams/outgoing", bot.base))
        .header("content-type", "application/json; charset=utf-8")
        .body(body.to_string());
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    request.send().await.unwrap()
}
