//! Posting the digest to Discord over HTTP: with the bot (serenity's HTTP
//! client, no gateway) or through a channel webhook (reqwest).
//!
//! Why it is shaped this way:
//! - **Raw JSON in, the message id out.** The bodies come ready from
//!   `digest::discord`; serenity's raw `Http::request` sends them as they are
//!   and we read only `id` from the answer. Its typed `send_message` would
//!   decode the whole returned `Message`, and a decoding failure on a field
//!   Discord added (serenity#3398: "Unknown component type 12") would report
//!   a failed post for a message that was in fact posted — and the retry
//!   would post the digest twice.
//! - **A test base URL.** Any `api_url` other than `https://discord.com`
//!   (a wiremock server in tests) becomes serenity's `proxy`, which rewrites
//!   every route to `{api_url}/api/v10/…`; its rate limiter is then off, the
//!   fake having no limits. Against Discord the rate limiter stays on.
//! - **Webhooks through reqwest.** A channel webhook made in Discord's
//!   settings is not owned by our application, and Discord ignores its
//!   `components` unless `with_components=true` is in the query; serenity
//!   0.12's `execute_webhook` sends only `wait` and `thread_id`, and its
//!   webhook URL parser accepts only discord.com (no local fake). So the
//!   webhook is a plain POST to `{url}?wait=true&with_components=true`.
//! - **Credentials never printed.** The bot token lives inside serenity's
//!   `Http` (a `SecretString`); the webhook URL carries its token in its path,
//!   so it is in no error message (reqwest errors are stripped of their URL)
//!   and no log line.

use anyhow::{anyhow, bail, Context};
use serde_json::Value;
use serenity::http::{Http, HttpBuilder, LightMethod, Request, Route};
use serenity::model::id::{ApplicationId, ChannelId, GuildId, MessageId};
use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

/// Discord's API host; any other `api_url` is a test fake.
pub const DISCORD_BASE: &str = "https://discord.com";
/// How long one HTTP request to Discord may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How many times a rate-limited webhook post is tried again.
const WEBHOOK_RETRIES: u32 = 3;
/// The longest wait accepted from a 429 before giving up.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);

/// The bot's HTTP client.
pub struct DiscordApi {
    http: Http,
}

impl fmt::Debug for DiscordApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordApi").field("proxy", &self.http.proxy).finish_non_exhaustive()
    }
}

impl DiscordApi {
    /// A client for `api_url` (`https://discord.com`, or a fake's base URL)
    /// authenticated with the bot token (`Bot ` is added when missing).
    pub fn new(api_url: &str, bot_token: &str) -> Self {
        let base = api_url.trim().trim_end_matches('/');
        let builder = HttpBuilder::new(bot_token).client(http_client());
        let http =
            if base == DISCORD_BASE { builder.build() } else { builder.proxy(base).ratelimiter_disabled(true).build() };
        Self { http }
    }

    /// Creates a message in `channel_id` (`POST /channels/{id}/messages`) and
    /// returns its id, to edit it later.
    pub async fn post(&self, channel_id: &str, body: &Value) -> anyhow::Result<String> {
        let channel = ChannelId::new(snowflake(channel_id, "channel id")?);
        let request = Request::new(Route::ChannelMessages { channel_id: channel }, LightMethod::Post)
            .body(Some(serde_json::to_vec(body)?));
        let answer = self
            .send(request)
            .await
            .map_err(|e| anyhow!("Discord refused the message for channel {channel_id}: {e}"))?;
        answer["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("Discord posted to channel {channel_id} but returned no message id"))
    }

    /// Replaces a message's body (`PATCH /channels/{c}/messages/{m}`), e.g. a
    /// digest page after a decision.
    pub async fn edit(&self, channel_id: &str, message_id: &str, body: &Value) -> anyhow::Result<()> {
        let channel = ChannelId::new(snowflake(channel_id, "channel id")?);
        let message = MessageId::new(snowflake(message_id, "message id")?);
        let route = Route::ChannelMessage { channel_id: channel, message_id: message };
        let request = Request::new(route, LightMethod::Patch).body(Some(serde_json::to_vec(body)?));
        self.send(request)
            .await
            .map_err(|e| anyhow!("Discord refused to edit message {message_id} in channel {channel_id}: {e}"))?;
        Ok(())
    }

    /// Replaces the application's commands (`PUT /applications/{id}/commands`,
    /// or the guild's list with `guild_id`, which Discord updates at once;
    /// the global list takes up to an hour to reach every client).
    pub async fn put_commands(&self, application_id: &str, guild_id: Option<&str>, body: &Value) -> anyhow::Result<()> {
        let application_id = ApplicationId::new(snowflake(application_id, "application id")?);
        let route = match guild_id {
            Some(guild) => {
                Route::GuildCommands { application_id, guild_id: GuildId::new(snowflake(guild, "guild id")?) }
            }
            None => Route::Commands { application_id },
        };
        let request = Request::new(route, LightMethod::Put).body(Some(serde_json::to_vec(body)?));
        self.send(request)
            .await
            .map_err(|e| anyhow!("Discord refused the commands of application {application_id}: {e}"))?;
        Ok(())
    }

    /// Replaces the answer to an interaction (`PATCH
    /// /webhooks/{application_id}/{token}/messages/@original`), after a
    /// deferred response. The interaction token is a credential for 15
    /// minutes: it is blanked out of any error.
    pub async fn edit_original(&self, application_id: &str, token: &str, body: &Value) -> anyhow::Result<()> {
        let application_id = ApplicationId::new(snowflake(application_id, "application id")?);
        let route = Route::WebhookOriginalInteractionResponse { application_id, token };
        let request = Request::new(route, LightMethod::Patch).body(Some(serde_json::to_vec(body)?));
        self.send(request)
            .await
            .map_err(|e| anyhow!("Discord refused the interaction's answer: {}", e.replace(token, "***")))?;
        Ok(())
    }

    /// Sends through serenity (rate limiter included) and reads the answer as
    /// JSON. serenity's error text is Discord's own message with its field
    /// errors, e.g. `Invalid Form Body (embeds.0.description: Must be 4096
    /// or fewer in length.)`.
    async fn send(&self, request: Request<'_>) -> Result<Value, String> {
        let response = self.http.request(request).await.map_err(|e| e.to_string())?;
        let bytes = response.bytes().await.map_err(|e| e.without_url().to_string())?;
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes).map_err(|e| format!("unreadable answer: {e}"))
    }
}

/// Posts a message through a channel webhook (`DISCORD_WEBHOOK_URL`),
/// waiting for Discord to confirm it. Link buttons need
/// `with_components=true`, which this always adds. A rate-limited post (429)
/// is tried again after the wait Discord asks for, up to three times.
pub async fn post_webhook(url: &str, body: &Value) -> anyhow::Result<()> {
    let mut target = reqwest::Url::parse(url.trim()).map_err(|_| anyhow!("the Discord webhook URL is not a URL"))?;
    target.query_pairs_mut().append_pair("wait", "true").append_pair("with_components", "true");
    let mut attempt = 0;
    loop {
        let response = webhook_client()
            .post(target.clone())
            .json(body)
            .send()
            .await
            .map_err(|e| anyhow!("Discord webhook unreachable: {}", e.without_url()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let header_wait = response.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse::<f64>().ok());
        let answer = response.bytes().await.unwrap_or_default();
        if status.as_u16() == 429 && attempt < WEBHOOK_RETRIES {
            attempt += 1;
            let wait = retry_wait(&answer, header_wait);
            tracing::warn!(wait_ms = wait.as_millis() as u64, attempt, "Discord webhook rate-limited; waiting");
            tokio::time::sleep(wait).await;
            continue;
        }
        bail!("Discord refused the webhook message: {}", discord_error(status.as_u16(), &answer));
    }
}

/// A Discord id: the digits of a non-zero u64.
fn snowflake(id: &str, what: &str) -> anyhow::Result<u64> {
    let id = id.trim();
    let digits = id.bytes().all(|b| b.is_ascii_digit());
    let parsed = if digits { id.parse::<u64>().ok() } else { None };
    let value = parsed.with_context(|| format!("the Discord {what} {id:?} is not a Discord id (digits)"))?;
    if value == 0 {
        bail!("the Discord {what} cannot be 0");
    }
    Ok(value)
}

/// The reqwest client serenity uses: rustls, and a timeout so a stalled
/// connection cannot hold the digest forever.
fn http_client() -> reqwest::Client {
    reqwest::Client::builder().use_rustls_tls().timeout(REQUEST_TIMEOUT).build().expect("a rustls client builds")
}

/// One client for every webhook post, so connections are reused.
fn webhook_client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(http_client)
}

/// How long a 429 asks to wait: `retry_after` (seconds) in the JSON body,
/// else the `Retry-After` header, else one second; at most [`MAX_RETRY_WAIT`].
fn retry_wait(answer: &[u8], header_secs: Option<f64>) -> Duration {
    let body_secs = serde_json::from_slice::<Value>(answer).ok().and_then(|v| v["retry_after"].as_f64());
    let secs = body_secs.or(header_secs).filter(|s| s.is_finite() && *s >= 0.0).unwrap_or(1.0);
    Duration::from_secs_f64(secs).min(MAX_RETRY_WAIT)
}

/// Discord's error answer as one line: its message and code, then each field
/// error with its path (`embeds.0.description: Must be 4096 or fewer in length.`).
fn discord_error(status: u16, answer: &[u8]) -> String {
    let Ok(json) = serde_json::from_slice::<Value>(answer) else {
        return format!("HTTP {status}");
    };
    let message = json["message"].as_str().unwrap_or("no message");
    let mut text = match json["code"].as_i64() {
        Some(code) => format!("{message} (code {code}, HTTP {status})"),
        None => format!("{message} (HTTP {status})"),
    };
    let mut fields = Vec::new();
    field_errors(&json["errors"], "", &mut fields);
    if !fields.is_empty() {
        text.push_str(&format!(": {}", fields.join(", ")));
    }
    text
}

/// Walks Discord's nested `errors` object, collecting every `_errors` entry.
fn field_errors(node: &Value, path: &str, out: &mut Vec<String>) {
    let Some(object) = node.as_object() else { return };
    for (key, child) in object {
        if key == "_errors" {
            let messages = child.as_array().into_iter().flatten().filter_map(|e| e["message"].as_str());
            out.extend(messages.map(|m| format!("{path}: {m}")));
        } else {
            let child_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            field_errors(child, &child_path, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wiremock::matchers::{body_json, header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const TOKEN: &str = "MTIz.secret-bot-token";

    fn invalid_form_body() -> Value {
        json!({
            "message": "Invalid Form Body",
            "code": 50035,
            "errors": { "embeds": { "0": { "description": { "_errors": [
                { "code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 4096 or fewer in length." }
            ] } } } },
        })
    }

    #[tokio::test]
    async fn post_sends_the_body_with_the_bot_token_and_returns_the_message_id() {
        let server = MockServer::start().await;
        let body = json!({ "content": "Relances proposées", "allowed_mentions": { "parse": [] } });
        Mock::given(method("POST"))
            .and(path("/api/v10/channels/1300000000000000000/messages"))
            .and(header("authorization", format!("Bot {TOKEN}").as_str()))
            .and(body_json(&body))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1400000000000000000", "type": 0 })))
            .expect(1)
            .mount(&server)
            .await;
        let api = DiscordApi::new(&server.uri(), TOKEN);
        assert_eq!(api.post("1300000000000000000", &body).await.unwrap(), "1400000000000000000");
    }

    #[tokio::test]
    async fn edit_patches_the_message_in_place() {
        let server = MockServer::start().await;
        Mock::given(method("PATCH"))
            .and(path("/api/v10/channels/1300000000000000000/messages/1400000000000000000"))
            .and(body_json(json!({ "content": "v2" })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1400000000000000000" })))
            .expect(1)
            .mount(&server)
            .await;
        let api = DiscordApi::new(&format!("{}/", server.uri()), TOKEN);
        api.edit("1300000000000000000", "1400000000000000000", &json!({ "content": "v2" })).await.unwrap();
    }

    #[tokio::test]
    async fn commands_are_put_globally_or_for_one_guild_and_answers_edited_without_leaking_the_token() {
        let server = MockServer::start().await;
        let commands = json!([{ "name": "relance" }]);
        for route in ["/api/v10/applications/42/commands", "/api/v10/applications/42/guilds/7/commands"] {
            Mock::given(method("PUT"))
                .and(path(route))
                .and(header("authorization", format!("Bot {TOKEN}").as_str()))
                .and(body_json(&commands))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
                .expect(1)
                .mount(&server)
                .await;
        }
        Mock::given(method("PATCH"))
            .and(path("/api/v10/webhooks/42/interaction-token/messages/@original"))
            .respond_with(
                ResponseTemplate::new(404).set_body_json(json!({ "message": "Unknown Webhook", "code": 10015 })),
            )
            .mount(&server)
            .await;
        let api = DiscordApi::new(&server.uri(), TOKEN);
        api.put_commands("42", None, &commands).await.unwrap();
        api.put_commands("42", Some("7"), &commands).await.unwrap();
        let err = api.edit_original("42", "interaction-token", &json!({ "content": "x" })).await.unwrap_err();
        assert!(!err.to_string().contains("interaction-token"), "{err}");
        assert!(api
            .put_commands("my app", None, &commands)
            .await
            .unwrap_err()
            .to_string()
            .contains("not a Discord id"));
    }

    #[tokio::test]
    async fn a_refusal_carries_discords_message_and_never_the_token() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(400).set_body_json(invalid_form_body()))
            .mount(&server)
            .await;
        let api = DiscordApi::new(&server.uri(), TOKEN);
        let err = format!("{:#}", api.post("42", &json!({ "content": "x" })).await.unwrap_err());
        assert!(err.contains("Invalid Form Body"), "{err}");
        assert!(err.contains("embeds.0.description: Must be 4096 or fewer in length."), "{err}");
        assert!(!err.contains("secret-bot-token"), "{err}");
        assert!(!format!("{api:?}").contains("secret-bot-token"));
    }

    #[tokio::test]
    async fn ids_that_are_not_snowflakes_are_refused_before_any_request() {
        let api = DiscordApi::new("http://127.0.0.1:9", TOKEN);
        let err = api.post("#relances", &json!({})).await.unwrap_err().to_string();
        assert!(err.contains("not a Discord id"), "{err}");
        assert!(api.edit("1", "0", &json!({})).await.is_err());
    }

    #[tokio::test]
    async fn a_webhook_post_waits_for_the_message_and_allows_link_buttons() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/webhooks/1500000000000000000/hook-secret"))
            .and(query_param("wait", "true"))
            .and(query_param("with_components", "true"))
            .and(body_json(json!({ "content": "c" })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1" })))
            .expect(1)
            .mount(&server)
            .await;
        let url = format!("{}/api/webhooks/1500000000000000000/hook-secret", server.uri());
        post_webhook(&url, &json!({ "content": "c" })).await.unwrap();
    }

    #[tokio::test]
    async fn a_rate_limited_webhook_post_is_tried_again_after_the_asked_wait() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(429).set_body_json(json!({
                "message": "You are being rate limited.", "retry_after": 0.05, "global": false
            })))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1" })))
            .expect(1)
            .mount(&server)
            .await;
        post_webhook(&format!("{}/api/webhooks/1/tok", server.uri()), &json!({ "content": "c" })).await.unwrap();
    }

    #[tokio::test]
    async fn a_refused_webhook_post_says_why_without_the_webhook_url() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(400).set_body_json(invalid_form_body()))
            .mount(&server)
            .await;
        let url = format!("{}/api/webhooks/1/hook-secret", server.uri());
        let err = post_webhook(&url, &json!({ "content": "c" })).await.unwrap_err().to_string();
        assert_eq!(
            err,
            "Discord refused the webhook message: Invalid Form Body (code 50035, HTTP 400): \
             embeds.0.description: Must be 4096 or fewer in length."
        );
        let unreachable = post_webhook("http://127.0.0.1:9/api/webhooks/1/hook-secret", &json!({})).await.unwrap_err();
        assert!(!unreachable.to_string().contains("hook-secret"), "{unreachable}");
        let not_a_url = post_webhook("discord hook-secret", &json!({})).await.unwrap_err();
        assert!(!not_a_url.to_string().contains("hook-secret"), "{not_a_url}");
    }

    #[test]
    fn retry_waits_follow_discord_and_stay_bounded() {
        assert_eq!(retry_wait(br#"{"retry_after": 1.5}"#, Some(9.0)), Duration::from_millis(1500));
        assert_eq!(retry_wait(b"", Some(2.0)), Duration::from_secs(2));
        assert_eq!(retry_wait(b"", None), Duration::from_secs(1));
        assert_eq!(retry_wait(br#"{"retry_after": 3600}"#, None), MAX_RETRY_WAIT);
    }
}
