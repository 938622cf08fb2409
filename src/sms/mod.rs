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
    async fn send(&self, to: &PhoneE164, body: &str) -> SmsOutcome;
}

#[async_trait::async_trait]
impl SmsSender for TwilioClient {
    async fn send(&self, to: &PhoneE164, body: &str) -> SmsOutcome {
        TwilioClient::send(self, to, body).await
    }
}
