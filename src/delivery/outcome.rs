//! What one attempt at sending one message became.
//!
//! Every transport (SMTP, files, the SMS API) answers with a
//! [`SendOutcome`], so the outbox worker decides the same way for all of
//! them: record a sent message, retry a transient failure later, mark a
//! permanent one failed and say why in the digest.

use crate::sms::SmsOutcome;
use std::time::Duration;

/// The result of one attempt at one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Accepted. `provider_id` is what the other side calls it: the SMTP
    /// server's answer (`250 2.0.0 Ok: queued as 4F2A1`), the SMS API's
    /// message id, or the file written.
    Sent { provider_id: String },
    /// Worth another try later (SMTP 4xx, a refused connection, a timeout,
    /// HTTP 429/5xx), no sooner than `retry_after` when the server said so.
    Transient { reason: String, retry_after: Option<Duration> },
    /// Refused for good (SMTP 5xx, an invalid number): retrying would get
    /// the same answer.
    Permanent { reason: String },
}

impl SendOutcome {
    /// Whether the message left (for logs and counters).
    pub fn is_sent(&self) -> bool {
        matches!(self, SendOutcome::Sent { .. })
    }

    /// The reason of a failure, `None` when sent.
    pub fn reason(&self) -> Option<&str> {
        match self {
            SendOutcome::Sent { .. } => None,
            SendOutcome::Transient { reason, .. } | SendOutcome::Permanent { reason } => Some(reason),
        }
    }
}

impl From<SmsOutcome> for SendOutcome {
    fn from(outcome: SmsOutcome) -> Self {
        match outcome {
            SmsOutcome::Sent { sid } => SendOutcome::Sent { provider_id: sid },
            SmsOutcome::Transient { reason, retry_after } => SendOutcome::Transient { reason, retry_after },
            SmsOutcome::Permanent { reason } => SendOutcome::Permanent { reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sms_outcome_keeps_its_id_reason_and_delay() {
        let sent = SendOutcome::from(SmsOutcome::Sent { sid: "SM123".into() });
        assert_eq!(sent, SendOutcome::Sent { provider_id: "SM123".into() });
        assert!(sent.is_sent() && sent.reason().is_none());

        let retry_after = Some(Duration::from_secs(30));
        let transient = SendOutcome::from(SmsOutcome::Transient { reason: "HTTP 429: slow down".into(), retry_after });
        assert_eq!(transient, SendOutcome::Transient { reason: "HTTP 429: slow down".into(), retry_after });

        let permanent = SendOutcome::from(SmsOutcome::Permanent { reason: "HTTP 400, Twilio error 21211: bad".into() });
        assert_eq!(permanent.reason(), Some("HTTP 400, Twilio error 21211: bad"));
        assert!(!permanent.is_sent());
    }
}
