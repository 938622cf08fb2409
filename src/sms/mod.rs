//! SMS: what a text costs (`segments`) and sending it through a
//! Twilio-compatible API (`twilio`).
//!
//! Numbers arrive already parsed as [`PhoneE164`], so an invalid one never
//! reaches the API; the outbox decides when to send and how often to retry,
//! from the [`SmsOutcome`] each attempt returns.

pub mod segments;
pub mod twilio;

pub use segments::{segments, Encoding, Segments};
pub use twilio::{SmsOutcome, SmsSettings, TwilioClient};

use crate::domain::PhoneE164;

/// Anything that sends one SMS and says what became of it: the Twilio
/// client, or a stand-in (files in `./outbox/`, memory in tests).
#[async_trait::async_trait]
pub trait SmsSender: Send + Sync {
    /// Sends `body` to `to`, once. `key` identifies the message (the
    /// outbox's reminder key): the same for every attempt at it, so a
    /// stand-in that keeps messages (one file per key) replaces a resent one
    /// instead of keeping two.
    async fn send(&self, key: &str, to: &PhoneE164, body: &str) -> SmsOutcome;

    /// Where texts go, for the log line at start; never a secret.
    fn describe(&self) -> String;
}

#[async_trait::async_trait]
impl SmsSender for TwilioClient {
    /// Twilio's API has no idempotency key, so `key` is not sent.
    async fn send(&self, _key: &str, to: &PhoneE164, body: &str) -> SmsOutcome {
        TwilioClient::send(self, to, body).await
    }

    fn describe(&self) -> String {
        TwilioClient::describe(self)
    }
}
