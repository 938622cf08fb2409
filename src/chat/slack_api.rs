//! The few Slack Web API calls the digest needs: post a page, update it after
//! a click, answer the clicker, open the veto reason modal.
//!
//! **slack-morphism is the Slack client.** Every Web API call
//! (`chat.postMessage`, `chat.update`, `views.open`) goes through its hyper
//! connector and session: the bearer token, the base URL, the `ok`/`error`
//! envelope and HTTP 429 (as `RateLimitError` with `Retry-After`) are its
//! work. We post our own Block Kit JSON through the session's generic
//! `http_post` rather than its typed request structs: the digest is built as
//! JSON by `digest::slack` (where every Slack limit is checked on the exact
//! payload), and re-typing it into `SlackBlock`s would be a second, lossy
//! model of the same message. Responses are read as JSON too, keeping only
//! `channel` and `ts`, so a block type the crate does not know in Slack's echo
//! of the message cannot fail a post that succeeded.
//!
//! **`response_url` uses reqwest**, because slack-morphism's `respond_to_event`
//! cannot set `response_type` (2.31) and a refusal must be ephemeral.
//!
//! **Rate limits:** on HTTP 429 we wait `Retry-After` and try again, at most
//! [`MAX_TRIES`] times in all, and never wait longer than [`MAX_RETRY_WAIT`]
//! (a longer ban fails the call at once rather than hold a worker). A call that
//! times out is not retried: Slack has no idempotency key, so a retried
//! `chat.postMessage` could post the page twice.
//!
//! **The token is never logged**: it lives in slack-morphism's token type,
//! whose `Debug` shows only its length, and [`SlackApi`]'s `Debug` omits it.

use super::slack_interaction::{REASON_ACTION_ID, REASON_BLOCK_ID, VETO_CALLBACK_ID};
use crate::domain::Language;
use anyhow::{anyhow, bail, Context as _};
use serde_json::{json, Value};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::{
    SlackApiToken, SlackApiTokenValue, SlackClient, SlackClientHyperConnector, SlackHyperHttpsConnector,
};
use std::time::Duration;

/// Tries per call when Slack answers 429.
pub const MAX_TRIES: u32 = 3;
/// The longest `Retry-After` we wait for before trying again.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);
/// The wait when a 429 carries no `Retry-After`.
const DEFAULT_RETRY_WAIT: Duration = Duration::from_secs(1);
/// How long one HTTP call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Characters of the veto reason; the status line shows it whole.
const MAX_REASON_CHARS: usize = 200;

/// A Slack bot: its token and where the Web API is (a fake one in tests).
pub struct SlackApi {
    client: SlackClient<SlackClientHyperConnector<SlackHyperHttpsConnector>>,
    token: SlackApiToken,
    http: reqwest::Client,
    api_url: String,
}

impl std::fmt::Debug for SlackApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackApi").field("api_url", &self.api_url).finish_non_exhaustive()
    }
}

impl SlackApi {
    /// `api_url` is `https://slack.com/api` in production (with the `/api`);
    /// plain `http://` is accepted so tests can point it at a local fake.
    pub fn new(api_url: &str, bot_token: &str) -> anyhow::Result<Self> {
        let api_url = api_url.trim_end_matches('/').to_string();
        if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
            bail!("the Slack API URL must start with https:// (or http:// for a local fake): {api_url}");
        }
        if bot_token.trim().is_empty() {
            bail!("the Slack bot token is empty");
        }
        // slack-morphism's own `new()` is https-only; the same connector that
        // also speaks http lets tests use a loopback fake.
        // The provider is named: a build where some other crate also enables
        // rustls's aws-lc-rs backend (a test dependency does) has no default.
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .context("loading the system's CA certificates for Slack (install ca-certificates)")?
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let connector = SlackClientHyperConnector::with_connector(https).with_slack_api_url(&api_url);
        let http = reqwest::Client::builder().timeout(CALL_TIMEOUT).build().context("building the HTTP client")?;
        Ok(Self {
            client: SlackClient::new(connector),
            token: SlackApiToken::new(SlackApiTokenValue(bot_token.trim().to_string())),
            http,
            api_url,
        })
    }

    /// Posts a `{"text", "blocks"}` body to `channel` (a name or an id) and
    /// returns the channel id and the message `ts`, which `chat.update` needs.
    pub async fn post_message(&self, channel: &str, body: &Value) -> anyhow::Result<(String, String)> {
        let request = with_fields(body, &[("channel", channel)])?;
        let answer = self.call("chat.postMessage", &request).await?;
        let field = |name: &str| answer[name].as_str().map(str::to_string);
        match (field("channel"), field("ts")) {
            (Some(channel), Some(ts)) => Ok((channel, ts)),
            _ => bail!("Slack chat.postMessage answered without channel and ts"),
        }
    }

    /// Replaces the message `ts` in `channel` (an id) by `body`.
    pub async fn update_message(&self, channel: &str, ts: &str, body: &Value) -> anyhow::Result<()> {
        let request = with_fields(body, &[("channel", channel), ("ts", ts)])?;
        self.call("chat.update", &request).await.map(drop)
    }

    /// Answers through an interaction's `response_url`, without touching the
    /// clicked message: ephemeral (seen by the clicker only) or in the channel.
    /// `text` is mrkdwn: escape any client data in it.
    pub async fn respond(&self, response_url: &str, text: &str, ephemeral: bool) -> anyhow::Result<()> {
        let body = json!({
            "response_type": if ephemeral { "ephemeral" } else { "in_channel" },
            "text": text,
        });
        self.respond_with(response_url, &body).await
    }

    /// Posts a whole message body (`response_type`, `text`, `blocks`) to a
    /// slash command's or an interaction's `response_url`, as a new message
    /// (`replace_original: false`). Client data in it must be escaped.
    pub async fn respond_with(&self, response_url: &str, message: &Value) -> anyhow::Result<()> {
        if !(response_url.starts_with("https://") || response_url.starts_with("http://")) {
            bail!("a Slack response_url must be an http(s) URL");
        }
        let mut body = message.clone();
        let object = body.as_object_mut().ok_or_else(|| anyhow!("a Slack message body must be a JSON object"))?;
        object.insert("replace_original".into(), Value::Bool(false));
        for attempt in 1..=MAX_TRIES {
            // The URL is a capability (it can post for 30 minutes): never in an error.
            let answer =
                self.http.post(response_url).json(&body).send().await.context("posting to Slack's response_url")?;
            let status = answer.status();
            if status.is_success() {
                return Ok(());
            }
            if status == reqwest::StatusCode::TOO_MANY_REQUESTS && attempt < MAX_TRIES {
                let retry_after = answer
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok()?.trim().parse().ok())
                    .map(Duration::from_secs);
                wait_for_rate_limit("response_url", retry_after, attempt).await?;
                continue;
            }
            bail!("Slack's response_url answered HTTP {status}");
        }
        unreachable!("the last try returns")
    }

    /// Opens the modal asking for the veto's optional reason. Its submission
    /// comes back as `SlackInteraction::VetoReason` for `proposal_id`.
    pub async fn open_veto_modal(
        &self,
        trigger_id: &str,
        proposal_id: &str,
        client_name: &str,
        lang: Language,
    ) -> anyhow::Result<()> {
        let request = json!({ "trigger_id": trigger_id, "view": veto_modal(proposal_id, client_name, lang) });
        self.call("views.open", &request).await.map(drop)
    }

    /// Opens a modal (`views.open`) with the click's trigger, valid 3 s.
    pub async fn open_modal(&self, trigger_id: &str, view: &Value) -> anyhow::Result<()> {
        self.call("views.open", &json!({ "trigger_id": trigger_id, "view": view })).await.map(drop)
    }

    /// One Web API call through slack-morphism, retried on 429.
    async fn call(&self, method: &str, request: &Value) -> anyhow::Result<Value> {
        for attempt in 1..=MAX_TRIES {
            let session = self.client.open_session(&self.token);
            let sent = session.http_session_api.http_post::<Value, Value>(method, request, None);
            let result = tokio::time::timeout(CALL_TIMEOUT, sent)
                .await
                .map_err(|_| anyhow!("Slack {method}: no answer within {} s", CALL_TIMEOUT.as_secs()))?;
            match result {
                Ok(answer) if answer["ok"] == Value::Bool(false) => {
                    bail!("Slack {method} failed: {}", answer["error"].as_str().unwrap_or("unknown error"))
                }
                Ok(answer) => return Ok(answer),
                Err(SlackClientError::RateLimitError(limit)) if attempt < MAX_TRIES => {
                    wait_for_rate_limit(method, limit.retry_after, attempt).await?;
                }
                Err(SlackClientError::RateLimitError(_)) => {
                    bail!("Slack {method} failed: rate limited {MAX_TRIES} times in a row")
                }
                Err(SlackClientError::ApiError(e)) => match e.errors.filter(|d| !d.is_empty()) {
                    Some(details) => bail!("Slack {method} failed: {} ({})", e.code, details.join("; ")),
                    None => bail!("Slack {method} failed: {}", e.code),
                },
                Err(e) => bail!("Slack {method} failed: {e}"),
            }
        }
        unreachable!("the last try returns")
    }
}

/// Sleeps as long as Slack asked before another try, or refuses a wait
/// longer than [`MAX_RETRY_WAIT`].
async fn wait_for_rate_limit(what: &str, retry_after: Option<Duration>, attempt: u32) -> anyhow::Result<()> {
    let wait = retry_after.unwrap_or(DEFAULT_RETRY_WAIT);
    if wait > MAX_RETRY_WAIT {
        bail!("Slack {what}: rate limited for {} s, not waiting", wait.as_secs());
    }
    tracing::warn!(
        slack_method = what,
        wait_secs = wait.as_secs(),
        attempt,
        "Slack rate limit: waiting, then retrying"
    );
    tokio::time::sleep(wait).await;
    Ok(())
}

/// The body with Web API arguments added (`channel`, `ts`).
fn with_fields(body: &Value, fields: &[(&str, &str)]) -> anyhow::Result<Value> {
    let mut request = body.clone();
    let object = request.as_object_mut().ok_or_else(|| anyhow!("a Slack message body must be a JSON object"))?;
    for (name, value) in fields {
        object.insert((*name).to_string(), Value::String((*value).to_string()));
    }
    Ok(request)
}

/// The veto modal (`views.open`'s `view`): who is concerned, and an optional
/// reason. All plain text, where Slack parses no mention, so the client name
/// needs no escaping; `private_metadata` carries the proposal id back.
pub fn veto_modal(proposal_id: &str, client_name: &str, lang: Language) -> Value {
    let fr = lang == Language::Fr;
    let name: String = client_name.trim().chars().take(150).collect();
    let text = if fr {
        format!("Aucune relance ne partira vers {name} tant que le veto tient. Pourquoi ? (facultatif)")
    } else {
        format!("No reminder will go to {name} while the veto holds. Why? (optional)")
    };
    json!({
        "type": "modal",
        "callback_id": VETO_CALLBACK_ID,
        "private_metadata": proposal_id,
        "title": { "type": "plain_text", "text": "Veto" },
        "submit": { "type": "plain_text", "text": if fr { "Confirmer le veto" } else { "Confirm veto" } },
        "close": { "type": "plain_text", "text": if fr { "Annuler" } else { "Cancel" } },
        "blocks": [
            { "type": "section", "block_id": "veto_client", "text": { "type": "plain_text", "text": text } },
            {
                "type": "input",
                "block_id": REASON_BLOCK_ID,
                "optional": true,
                "label": { "type": "plain_text", "text": if fr { "Motif" } else { "Reason" } },
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_ACTION_ID,
                    "multiline": true,
                    "max_length": MAX_REASON_CHARS,
                    "placeholder": {
                        "type": "plain_text",
                        "text": if fr { "client en négociation" } else { "client in negotiation" },
                    },
                },
            },
        ],
    })
}

#[cfg(test)]
#[path = "slack_api_tests.rs"]
mod tests;
