//! Posting a card to a Microsoft Teams Workflows webhook
//! (`TEAMS_WEBHOOK_URL`, a "when a Teams webhook request is received" flow).
//!
//! - **The URL is the credential.** Its `sig=` query parameter authorises the
//!   post, so no error, log line or response excerpt built here contains the
//!   URL: reqwest's errors are stripped of it, and `sig=` values in a response
//!   body are redacted.
//! - **Success is any 2xx**: Workflows answers 202 Accepted once the flow is
//!   triggered (the card is posted asynchronously by the flow).
//! - **Retries are bounded**: 429 and 5xx are retried, [`MAX_TRIES`] tries in
//!   all, waiting what `Retry-After` says (delta-seconds) or an exponential
//!   backoff. A `Retry-After` longer than [`MAX_WAIT`] fails at once rather
//!   than retrying early or holding the digest for minutes. A connection that
//!   could not be opened is retried too (nothing was sent); any other
//!   transport error (a timeout after sending) is not, since the card may
//!   already be in the channel and a retry would post it twice.
//! - **Pacing is the caller's job**: the incoming-webhook docs throttle above
//!   4 requests per second, so post the pages of one digest at least
//!   [`MIN_INTERVAL`] apart.

use anyhow::{anyhow, bail, Context};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;

/// Tries per card, the first included.
pub const MAX_TRIES: u32 = 3;
/// The longest wait before a retry; a longer `Retry-After` is an error.
pub const MAX_WAIT: Duration = Duration::from_secs(30);
/// The least time between two posts to the same webhook (callers pace).
pub const MIN_INTERVAL: Duration = Duration::from_millis(250);
/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Characters of a refused response's body kept in the error.
const EXCERPT_CHARS: usize = 200;

/// How long to wait between tries when the server does not say.
#[derive(Debug, Clone, Copy)]
struct Backoff {
    /// Before the second try; doubled before each later one.
    first: Duration,
}

const BACKOFF: Backoff = Backoff { first: Duration::from_millis(500) };

/// Posts one webhook body (a `{"type":"message","attachments":[…]}` card)
/// as JSON. `Ok` once Teams accepted it; the error names the HTTP status and
/// the start of Teams' answer, never the URL.
pub async fn post_card(client: &reqwest::Client, webhook_url: &str, body: &Value) -> anyhow::Result<()> {
    post_with(client, webhook_url, body, BACKOFF).await
}

async fn post_with(client: &reqwest::Client, webhook_url: &str, body: &Value, backoff: Backoff) -> anyhow::Result<()> {
    let mut delay = backoff.first;
    for attempt in 1..=MAX_TRIES {
        let last = attempt == MAX_TRIES;
        let sent = client.post(webhook_url).json(body).timeout(REQUEST_TIMEOUT).send().await;
        let wait = match sent {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status();
                let told = retry_after(response.headers());
                if !retryable(status) || last {
                    let excerpt = excerpt(redact(&response.text().await.unwrap_or_default()));
                    bail!("the Teams webhook refused the card after {attempt} tries: {status}: {excerpt}");
                }
                match told {
                    Some(wait) if wait > MAX_WAIT => {
                        bail!("the Teams webhook is throttling ({status}) for {} s: card not posted", wait.as_secs())
                    }
                    Some(wait) => wait,
                    None => delay,
                }
            }
            Err(error) if error.is_connect() && !last => delay,
            Err(error) => {
                return Err(anyhow!(error.without_url()))
                    .with_context(|| format!("posting the card to the Teams webhook failed ({attempt} tries)"));
            }
        };
        tracing::warn!(attempt, wait_ms = wait.as_millis() as u64, "Teams webhook busy, retrying");
        tokio::time::sleep(wait).await;
        delay = delay.saturating_mul(2);
    }
    unreachable!("the last try returns")
}

/// Throttled or failing on Teams' side: worth another try.
fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// `Retry-After` in delta-seconds. The HTTP-date form is rare on these
/// endpoints and falls back to the backoff.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

/// The start of a response body, on one line.
fn excerpt(body: String) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= EXCERPT_CHARS {
        return line;
    }
    let mut cut: String = line.chars().take(EXCERPT_CHARS).collect();
    cut.push('…');
    cut
}

/// Hides what an answer may echo of the webhook URL: every `http(s)://…`
/// URL up to the next space or quote, and the value of any other `sig=`.
fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let url = ["https://", "http://"].iter().filter_map(|scheme| rest.find(scheme)).min();
        let sig = rest.find("sig=");
        let (at, mark, is_end): (usize, &str, fn(char) -> bool) = match (url, sig) {
            (Some(u), Some(s)) if s < u => (s, "sig=[redacted]", ends_param),
            (Some(u), _) => (u, "[url redacted]", ends_url),
            (None, Some(s)) => (s, "sig=[redacted]", ends_param),
            (None, None) => break,
        };
        out.push_str(&rest[..at]);
        out.push_str(mark);
        let value = &rest[at..];
        rest = &value[value.find(is_end).unwrap_or(value.len())..];
    }
    out.push_str(rest);
    out
}

fn ends_url(c: char) -> bool {
    matches!(c, '"' | '\'' | '<' | '>') || c.is_whitespace()
}

fn ends_param(c: char) -> bool {
    c == '&' || ends_url(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Instant;
    use wiremock::matchers::{body_json, header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const PATH: &str = "/workflows/4f2a/triggers/manual/paths/invoke";
    const SIG: &str = "Zq8-secretSignature_42";

    const FAST: Backoff = Backoff { first: Duration::from_millis(5) };

    fn url(server: &MockServer) -> String {
        format!("{}{PATH}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIG}", server.uri())
    }

    fn card() -> Value {
        json!({ "type": "message", "attachments": [{ "contentType": "application/vnd.microsoft.card.adaptive" }] })
    }

    fn assert_no_secret(error: &anyhow::Error) {
        let text = format!("{error:#} {error:?}");
        assert!(!text.contains(SIG) && !text.contains(PATH), "the error leaks the webhook URL: {text}");
    }

    async fn post(server: &MockServer) -> anyhow::Result<()> {
        post_with(&reqwest::Client::new(), &url(server), &card(), FAST).await
    }

    #[tokio::test]
    async fn a_card_is_posted_as_json_and_202_is_success() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(PATH))
            .and(query_param("sig", SIG))
            .and(header("content-type", "application/json"))
            .and(body_json(card()))
            .respond_with(ResponseTemplate::new(202))
            .expect(1)
            .mount(&server)
            .await;
        post_card(&reqwest::Client::new(), &url(&server), &card()).await.unwrap();
    }

    #[tokio::test]
    async fn throttling_is_retried_after_what_retry_after_says() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(202)).expect(1).mount(&server).await;
        let started = Instant::now();
        post(&server).await.unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1), "retried before Retry-After");
    }

    #[tokio::test]
    async fn server_errors_stop_after_three_tries_without_leaking_the_url() {
        let server = MockServer::start().await;
        let echo = format!("{{\"error\":{{\"code\":\"InternalError\",\"message\":\"{}\"}}}}", url(&server));
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(502).set_body_string(echo))
            .expect(3)
            .mount(&server)
            .await;
        let error = post(&server).await.unwrap_err();
        assert!(error.to_string().contains("502"), "{error}");
        assert!(error.to_string().contains("InternalError"), "{error}");
        assert_no_secret(&error);
    }

    #[tokio::test]
    async fn a_refused_card_is_not_retried() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(400).set_body_string("{\"error\":{\"code\":\"TriggerInputSchemaMismatch\"}}"),
            )
            .expect(1)
            .mount(&server)
            .await;
        let error = post(&server).await.unwrap_err();
        assert!(error.to_string().contains("400 Bad Request"), "{error}");
        assert!(error.to_string().contains("TriggerInputSchemaMismatch"), "{error}");
    }

    #[tokio::test]
    async fn a_long_retry_after_fails_at_once() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
            .expect(1)
            .mount(&server)
            .await;
        let error = post(&server).await.unwrap_err();
        assert!(error.to_string().contains("3600 s"), "{error}");
    }

    #[tokio::test]
    async fn an_unreachable_webhook_fails_without_leaking_the_url() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let url = format!("http://127.0.0.1:{port}{PATH}?sig={SIG}");
        let error = post_with(&reqwest::Client::new(), &url, &card(), FAST).await.unwrap_err();
        assert!(error.to_string().contains("3 tries"), "{error:#}");
        assert_no_secret(&error);
    }

    #[test]
    fn urls_and_signatures_in_answers_are_redacted() {
        assert_eq!(
            redact("see https://x/invoke?sv=1.0&sig=abc-DEF_1&x=2 or \"sig=zz&a=1\", then http://y"),
            "see [url redacted] or \"sig=[redacted]&a=1\", then [url redacted]"
        );
        assert_eq!(redact("no secret here"), "no secret here");
    }
}
