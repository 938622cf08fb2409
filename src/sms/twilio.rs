//! Sending one SMS through Twilio's Messages API, or any API that copies it
//! (`POST {api_url}/2010-04-01/Accounts/{sid}/Messages.json`, form fields
//! `To`, `From`, `Body`, HTTP basic auth with the account SID and token).
//!
//! The client makes one request and classifies the answer; retrying is the
//! outbox's job, since only it knows how many tries a reminder has had:
//! - **2xx** is [`SmsOutcome::Sent`], with the message's `sid`. Twilio then
//!   delivers asynchronously; a 2xx is never retried, even when its body is
//!   unreadable, since the message is already queued.
//! - **429, 5xx, 408, a refused connection, a timeout** are
//!   [`SmsOutcome::Transient`], with `Retry-After` when the server gave one.
//!   A timeout after the request left may mean Twilio queued it: retrying
//!   then risks a second SMS, the one duplicate the outbox allows (the
//!   message in flight).
//! - **any other 4xx** is [`SmsOutcome::Permanent`], carrying Twilio's error
//!   `code` and `message` (21211: invalid 'To' number; 21610: the recipient
//!   replied STOP; 20003: wrong credentials), which the digest shows.
//!
//! The auth token never reaches a log line, an error or a `Debug` output:
//! it lives in a [`Secret`] and only the basic-auth header carries it.

use crate::chat::settings::Secret;
use crate::domain::PhoneE164;
use chrono::DateTime;
use reqwest::header::{HeaderMap, DATE, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Twilio's API base (`SMS_API_URL` when unset).
pub const DEFAULT_API_URL: &str = "https://api.twilio.com";
/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take, answer included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Characters of an unexpected answer's body kept in the reason.
const EXCERPT_CHARS: usize = 200;

/// `sms:` — the account a Twilio-compatible API sends from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    /// The API base without `/2010-04-01` (`SMS_API_URL`; a local fake in tests).
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// `SMS_ACCOUNT_SID`, `AC…` on Twilio; also the basic-auth user.
    #[serde(deserialize_with = "crate::config::lenient::string")]
    pub account_sid: String,
    /// `SMS_AUTH_TOKEN`, the basic-auth password.
    pub auth_token: Secret,
    /// `SMS_FROM`: a number in E.164 or an alphanumeric sender ID. Not
    /// lenient on purpose: an unquoted `+33…` in the file is a number to YAML,
    /// and reading it back as text would drop the `+`.
    pub from: String,
}

fn default_api_url() -> String {
    DEFAULT_API_URL.into()
}

/// What became of one SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsOutcome {
    /// Accepted by the API. `sid` is its message id (`SM…`), empty when a
    /// compatible API answered 2xx without one.
    Sent { sid: String },
    /// Worth another try later, no sooner than `retry_after` when set.
    Transient { reason: String, retry_after: Option<Duration> },
    /// Refused for good: retrying would get the same answer.
    Permanent { reason: String },
}

/// The settings were unusable before any message was sent.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("sms.api_url {url:?} is not a usable URL: {reason}")]
    ApiUrl { url: String, reason: String },
    #[error("the HTTP client for SMS could not be built: {0}")]
    Client(#[source] reqwest::Error),
}

/// A client for one account. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    endpoint: Url,
    settings: SmsSettings,
}

impl TwilioClient {
    /// A client with its own connection pool and timeouts.
    pub fn new(settings: SmsSettings) -> Result<Self, SetupError> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(SetupError::Client)?;
        Self::with_http(http, settings)
    }

    /// A client on an existing `reqwest::Client`, whose timeouts apply.
    pub fn with_http(http: reqwest::Client, settings: SmsSettings) -> Result<Self, SetupError> {
        let endpoint = messages_url(&settings.api_url, &settings.account_sid)?;
        Ok(Self { http, endpoint, settings })
    }

    /// Where texts go: `SMS API https://api.twilio.com (account AC…, from
    /// DUPONT)`, without the token.
    pub fn describe(&self) -> String {
        let api = crate::store::redact(&self.settings.api_url);
        format!("SMS API {api} (account {}, from {})", self.settings.account_sid, self.settings.from)
    }

    /// Sends `body` to `to` from the configured sender, once. Nothing is
    /// logged here: Twilio's reasons may quote the number, and the caller's
    /// span knows which reminder this is.
    pub async fn send(&self, to: &PhoneE164, body: &str) -> SmsOutcome {
        let form = [("To", to.as_str()), ("From", self.settings.from.as_str()), ("Body", body)];
        let sent = self
            .http
            .post(self.endpoint.clone())
            .basic_auth(&self.settings.account_sid, Some(self.settings.auth_token.expose()))
            .form(&form)
            .send()
            .await;
        match sent {
            Ok(response) => classify(response).await,
            Err(error) => SmsOutcome::Transient { reason: transport_reason(&error), retry_after: None },
        }
    }
}

/// `{api_url}/2010-04-01/Accounts/{sid}/Messages.json`, the SID escaped as
/// one path segment.
fn messages_url(api_url: &str, account_sid: &str) -> Result<Url, SetupError> {
    let bad = |reason: &str| SetupError::ApiUrl { url: api_url.into(), reason: reason.into() };
    let mut url = Url::parse(api_url).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    url.path_segments_mut().map_err(|()| bad("it cannot be a base"))?.pop_if_empty().extend([
        "2010-04-01",
        "Accounts",
        account_sid,
        "Messages.json",
    ]);
    Ok(url)
}

/// The outcome an HTTP answer means.
async fn classify(response: reqwest::Response) -> SmsOutcome {
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let body = response.text().await.unwrap_or_default();
    if status.is_success() {
        return SmsOutcome::Sent { sid: sid(&body) };
    }
    let reason = error_reason(status, &body);
    if is_transient(status) {
        SmsOutcome::Transient { reason, retry_after }
    } else {
        SmsOutcome::Permanent { reason }
    }
}

/// Throttled, overloaded or slow on the server's side.
fn is_transient(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::REQUEST_TIMEOUT || status.is_server_error()
}

/// The `sid` of a created message, empty when the answer has none.
fn sid(body: &str) -> String {
    #[derive(Deserialize)]
    struct Created {
        sid: String,
    }
    match serde_json::from_str::<Created>(body) {
        Ok(created) => created.sid,
        Err(_) => {
            tracing::warn!("the SMS API accepted a message without giving its sid");
            String::new()
        }
    }
}

/// "HTTP 400, Twilio error 21211: The 'To' number … is not a valid phone
/// number." from Twilio's JSON error, else the status and the body's start.
fn error_reason(status: StatusCode, body: &str) -> String {
    #[derive(Deserialize)]
    struct TwilioError {
        code: Option<u32>,
        message: Option<String>,
    }
    match serde_json::from_str::<TwilioError>(body) {
        Ok(TwilioError { code: Some(code), message }) => {
            format!("HTTP {}, Twilio error {code}: {}", status.as_u16(), message.unwrap_or_default())
        }
        Ok(TwilioError { code: None, message: Some(message) }) => format!("HTTP {}: {message}", status.as_u16()),
        _ => format!("HTTP {}: {}", status.as_u16(), excerpt(body)),
    }
}

/// A failure before any answer, without the URL.
fn transport_reason(error: &reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut reason = format!("SMS API {what}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    reason
}

/// `Retry-After` as delta-seconds, or as an HTTP date measured against the
/// answer's own `Date` header (so no clock is read here).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    let now = DateTime::parse_from_rfc2822(headers.get(DATE)?.to_str().ok()?.trim()).ok()?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// The start of a body, on one line.
fn excerpt(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= EXCERPT_CHARS {
        return line;
    }
    let cut: String = line.chars().take(EXCERPT_CHARS).collect();
    format!("{cut}…")
}

#[cfg(test)]
#[path = "twilio_tests.rs"]
mod tests;
