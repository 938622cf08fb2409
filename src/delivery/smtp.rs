//! E-mail over SMTP, on lettre's pooled async transport.
//!
//! `SMTP_URL` names the server: `smtp://user:pass@host:587?tls=starttls`
//! (STARTTLS required), `smtps://user:pass@host:465` (TLS from the first
//! byte), `smtp://127.0.0.1:2525` (plain, for a local relay or a test
//! server). Connections are kept in a pool and reused: a new connection costs
//! a TCP (and TLS) handshake, EHLO and AUTH, several round trips that would
//! cap a morning's batch well under the 200 messages a second it needs.
//!
//! Each attempt is classified for the outbox:
//! - the server's **4xx** (greylisting, mailbox busy, rate limits) and a
//!   refused connection, a timeout or a broken connection are transient;
//! - its **5xx** (550 mailbox unavailable, 553 bad address, 535 wrong
//!   credentials) are permanent, as is a message the client itself cannot
//!   send to this server (no STARTTLS where it is required, no common AUTH
//!   mechanism): retrying would get the same answer.
//!
//! One connection carries one message at a time, and at most about 25 a
//! second even on loopback: lettre writes the end-of-data marker as a small
//! write of its own on a socket without `TCP_NODELAY`, so it waits for the
//! server's delayed ACK of the body (40 ms on Linux). Throughput therefore
//! comes from sending several messages at once, each on its own pooled
//! connection: size [`SmtpOptions::pool_size`] to the sender's concurrency.
//!
//! The reason quotes the server's code and text (`550 5.1.1 <x@y.fr>:
//! Recipient address rejected`), which is what a person needs to fix the
//! address. The password never appears in a reason, a description or a
//! `Debug` output.

use super::{Mailer, SendOutcome};
use crate::mail::Composed;
use crate::store::redact;
use lettre::transport::smtp::{response::Response, Error as SmtpError, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt;
use std::time::Duration;
use url::Url;

/// How long opening a connection may take.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one whole attempt may take, connection and upload included:
/// lettre's async transport bounds only the TCP connect, so a server that
/// accepts and then says nothing would otherwise hold the sender forever.
pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(120);
/// Idle connections kept for reuse. More senders than this at once still
/// work, but the connections above it are closed after their message.
pub const DEFAULT_POOL_SIZE: u32 = 16;
/// Characters of a server's text kept in a reason.
const REASON_CHARS: usize = 300;

/// How the transport is tuned; [`Default`] suits a morning's batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmtpOptions {
    pub connect_timeout: Duration,
    pub send_timeout: Duration,
    /// Connections kept open between messages (match the sender's concurrency).
    pub pool_size: u32,
}

impl Default for SmtpOptions {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            send_timeout: DEFAULT_SEND_TIMEOUT,
            pool_size: DEFAULT_POOL_SIZE,
        }
    }
}

/// `SMTP_URL` could not be turned into a transport. Shows the URL with its
/// password replaced by `***`.
#[derive(Debug, thiserror::Error)]
pub enum MailerSetupError {
    #[error("SMTP_URL {url}: not a URL ({reason})")]
    NotAUrl { url: String, reason: String },
    #[error("SMTP_URL {url}: the scheme must be smtp or smtps, not {scheme:?}")]
    Scheme { url: String, scheme: String },
    #[error("SMTP_URL {url}: tls={value:?} is not one of starttls, required, opportunistic, none")]
    Tls { url: String, value: String },
    #[error("SMTP_URL {url}: unknown parameter {name:?} (only tls is understood)")]
    Parameter { url: String, name: String },
    #[error("SMTP_URL {url}: {reason}")]
    Transport { url: String, reason: String },
}

/// Sends through one SMTP server with a pool of reused connections. Cheap to
/// clone: clones share the pool.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    send_timeout: Duration,
    /// The URL as shown to people, password redacted.
    shown: String,
    /// The password as written in the URL and percent-decoded, scrubbed from
    /// every reason in case a server or a library quotes it.
    secrets: Vec<String>,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer").field("url", &self.shown).finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `SMTP_URL` with the default timeouts and pool. Nothing is
    /// connected yet: the first message opens the first connection. Call it
    /// (and drop the mailer) inside the Tokio runtime: lettre's pool starts
    /// its idle-connection reaper there, and panics without one.
    pub fn from_url(url: &str) -> Result<Self, MailerSetupError> {
        Self::with_options(url, SmtpOptions::default())
    }

    /// A mailer for `SMTP_URL`, tuned.
    pub fn with_options(url: &str, options: SmtpOptions) -> Result<Self, MailerSetupError> {
        let shown = redact(url);
        let parsed = lettre_url(url, &shown)?;
        let secrets = secrets_of(&parsed);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(parsed.as_str())
            .map_err(|e| MailerSetupError::Transport { url: shown.clone(), reason: scrub(&e.to_string(), &secrets) })?
            .timeout(Some(options.connect_timeout))
            .pool_config(PoolConfig::new().max_size(options.pool_size))
            .build();
        Ok(Self { transport, send_timeout: options.send_timeout, shown, secrets })
    }

    /// What a failed attempt means for the outbox.
    fn outcome_of(&self, error: &SmtpError) -> SendOutcome {
        let reason = |text: String| scrub(&text, &self.secrets);
        if let Some(code) = error.status() {
            let text = reason(format!("{code} {}", source_text(error)));
            return if error.is_permanent() {
                SendOutcome::Permanent { reason: text }
            } else {
                SendOutcome::Transient { reason: text, retry_after: None }
            };
        }
        if error.is_client() {
            return SendOutcome::Permanent { reason: reason(format!("SMTP: {}", source_text(error))) };
        }
        let what = if error.is_timeout() { "SMTP server did not answer in time" } else { "SMTP connection failed" };
        SendOutcome::Transient { reason: reason(format!("{what}: {}", chain(error))), retry_after: None }
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    /// Sends the message to its envelope (To and Bcc; the Bcc header itself
    /// is not in the message). Any recipient refused fails the whole attempt,
    /// so a retry never sends the others a second copy.
    async fn send(&self, mail: &Composed) -> SendOutcome {
        let bytes = mail.message.formatted();
        // lettre hands a dropped connection back to its pool, so one cut off
        // by this timeout may be reused; its next NOOP then reads a late
        // answer, if one ever comes. Only a server silent for the whole
        // timeout gets there, and the outbox retries either way.
        let attempt = self.transport.send_raw(mail.message.envelope(), &bytes);
        match tokio::time::timeout(self.send_timeout, attempt).await {
            Ok(Ok(response)) => SendOutcome::Sent { provider_id: answer_line(&response) },
            Ok(Err(error)) => self.outcome_of(&error),
            Err(_) => SendOutcome::Transient {
                reason: format!("SMTP server did not answer in time ({} s)", self.send_timeout.as_secs_f32()),
                retry_after: None,
            },
        }
    }

    fn describe(&self) -> String {
        format!("SMTP {}", self.shown)
    }
}

/// Checks the URL and rewrites what lettre spells differently: relance's
/// `tls=starttls` is lettre's `tls=required`, `tls=none` is no parameter.
fn lettre_url(url: &str, shown: &str) -> Result<Url, MailerSetupError> {
    let mut parsed = Url::parse(url.trim())
        .map_err(|e| MailerSetupError::NotAUrl { url: shown.to_string(), reason: e.to_string() })?;
    if !matches!(parsed.scheme(), "smtp" | "smtps") {
        return Err(MailerSetupError::Scheme { url: shown.to_string(), scheme: parsed.scheme().to_string() });
    }
    let mut tls = None;
    for (name, value) in parsed.query_pairs() {
        if name != "tls" {
            return Err(MailerSetupError::Parameter { url: shown.to_string(), name: name.into_owned() });
        }
        tls = match value.to_ascii_lowercase().as_str() {
            "starttls" | "required" => Some("required"),
            "opportunistic" => Some("opportunistic"),
            "none" => None,
            _ => return Err(MailerSetupError::Tls { url: shown.to_string(), value: value.into_owned() }),
        };
    }
    match tls.filter(|_| parsed.scheme() == "smtp") {
        Some(mode) => parsed.set_query(Some(&format!("tls={mode}"))),
        None => parsed.set_query(None),
    }
    Ok(parsed)
}

/// The password, raw and percent-decoded, when there is one.
fn secrets_of(url: &Url) -> Vec<String> {
    let Some(raw) = url.password().filter(|p| !p.is_empty()) else {
        return vec![];
    };
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy().into_owned();
    if decoded == raw {
        vec![raw.to_string()]
    } else {
        vec![raw.to_string(), decoded]
    }
}

/// `text` with every secret replaced by `***`, on one line, shortened.
fn scrub(text: &str, secrets: &[String]) -> String {
    let mut clean = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for secret in secrets {
        clean = clean.replace(secret.as_str(), "***");
    }
    if clean.chars().count() > REASON_CHARS {
        clean = clean.chars().take(REASON_CHARS).collect::<String>() + "…";
    }
    clean
}

/// The server's answer to the message: `250 2.0.0 Ok: queued as 4F2A1`.
fn answer_line(response: &Response) -> String {
    let text = response.message().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        response.code().to_string()
    } else {
        format!("{} {text}", response.code())
    }
}

/// What lettre wrapped: the server's text for a negative reply, the cause
/// for a client error.
fn source_text(error: &SmtpError) -> String {
    std::error::Error::source(error).map(|s| s.to_string()).unwrap_or_default()
}

/// Every cause of a failure, outermost first (`connection refused`).
fn chain(error: &SmtpError) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    if parts.is_empty() {
        error.to_string()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
#[path = "smtp_tests.rs"]
mod tests;
