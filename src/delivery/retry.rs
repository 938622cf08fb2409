//! What an attempt's outcome does to its message: sent, retried later, or
//! failed for good. Transient failures (a busy mail server's 4xx, a refused
//! connection, HTTP 5xx or 429) are retried with exponential backoff and
//! jitter — so a hundred messages failed by one outage do not all come back
//! at the same second — up to `max_attempts`; permanent ones (5xx, an
//! invalid number) are not retried: the same request gets the same answer.

use super::outcome::SendOutcome;
use crate::store::Settled;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// `sending.retry` in `bot-config.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts per message, the first included.
    pub max_attempts: u32,
    /// Delay before the first retry; doubled at each further one.
    pub first_delay_seconds: u64,
    /// No delay longer than this.
    pub max_delay_seconds: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 6, first_delay_seconds: 60, max_delay_seconds: 3600 }
    }
}

impl RetryPolicy {
    /// The delay after failed attempt number `attempts` (1 for the first):
    /// `first · 2^(attempts−1)`, capped, of which a random half is taken
    /// away (`jitter` in [0, 1), from the caller: this stays pure).
    pub fn delay(&self, attempts: u32, jitter: f64) -> Duration {
        let doubled = self.first_delay_seconds.saturating_mul(1u64 << attempts.saturating_sub(1).min(30));
        let full = doubled.min(self.max_delay_seconds) as f64;
        Duration::from_secs_f64(full * (1.0 - jitter.clamp(0.0, 1.0) / 2.0))
    }

    /// How attempt number `attempts`, made at `now`, leaves its message.
    /// `recipient` is where it went, for the record.
    pub fn settle(
        &self,
        outcome: SendOutcome,
        attempts: u32,
        now: DateTime<Utc>,
        jitter: f64,
        recipient: &str,
        message_id: &str,
    ) -> Settled {
        match outcome {
            SendOutcome::Sent { provider_id } => {
                let message_id = if message_id.is_empty() { provider_id } else { message_id.to_string() };
                Settled::Sent { recipient: recipient.to_string(), message_id }
            }
            SendOutcome::Permanent { reason } => Settled::Failed { error: reason },
            SendOutcome::Transient { reason, .. } if attempts >= self.max_attempts => {
                Settled::Failed { error: format!("{reason} ({attempts} attempts)") }
            }
            SendOutcome::Transient { reason, retry_after } => {
                let delay = self.delay(attempts, jitter).max(retry_after.unwrap_or_default());
                let at = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
                Settled::Retry { at, error: reason }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transient(retry_after: Option<u64>) -> SendOutcome {
        SendOutcome::Transient {
            reason: "451 4.3.0 try later".into(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    #[test]
    fn delays_double_are_capped_and_jittered_by_at_most_half() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, 0.0), Duration::from_secs(60));
        assert_eq!(p.delay(2, 0.0), Duration::from_secs(120));
        assert_eq!(p.delay(3, 0.0), Duration::from_secs(240));
        assert_eq!(p.delay(20, 0.0), Duration::from_secs(3600));
        assert_eq!(p.delay(1, 0.999_999).as_secs(), 30);
        assert_eq!(p.delay(2, 0.5), Duration::from_secs(90));
    }

    #[test]
    fn transient_failures_retry_until_the_last_attempt_permanent_ones_never() {
        let p = RetryPolicy::default();
        let now = Utc::now();
        let Settled::Retry { at, error } = p.settle(transient(None), 1, now, 0.0, "a@b.fr", "") else { panic!() };
        assert_eq!((at - now).num_seconds(), 60);
        assert_eq!(error, "451 4.3.0 try later");
        // The provider's Retry-After wins when longer.
        let Settled::Retry { at, .. } = p.settle(transient(Some(600)), 1, now, 0.0, "a@b.fr", "") else { panic!() };
        assert_eq!((at - now).num_seconds(), 600);
        let last = p.settle(transient(None), 6, now, 0.0, "a@b.fr", "");
        assert_eq!(last, Settled::Failed { error: "451 4.3.0 try later (6 attempts)".into() });
        let refused = SendOutcome::Permanent { reason: "550 5.1.1 unknown user".into() };
        assert_eq!(
            p.settle(refused, 1, now, 0.0, "a@b.fr", ""),
            Settled::Failed { error: "550 5.1.1 unknown user".into() }
        );
    }

    #[test]
    fn a_sent_message_keeps_its_message_id_or_the_providers() {
        let p = RetryPolicy::default();
        let sent = SendOutcome::Sent { provider_id: "SM123".into() };
        let by_sms = p.settle(sent.clone(), 1, Utc::now(), 0.0, "+33612345678", "");
        assert_eq!(by_sms, Settled::Sent { recipient: "+33612345678".into(), message_id: "SM123".into() });
        let by_mail = p.settle(sent, 1, Utc::now(), 0.0, "a@b.fr", "<relance.x@acme.fr>");
        assert_eq!(by_mail, Settled::Sent { recipient: "a@b.fr".into(), message_id: "<relance.x@acme.fr>".into() });
    }
}
