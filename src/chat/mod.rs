//! Chat platforms: authentication of every request that comes from outside.
//!
//! `relance serve` receives button clicks from Slack (`POST /slack/interactions`),
//! Discord (`POST /discord/interactions`) and signed decision links
//! (`GET|POST /act/{token}`, opened from Teams cards, Discord webhooks or e-mail).
//! A click can send a formal notice to a client, so nothing in such a request is
//! trusted until its origin is proven. This module holds the pure primitives that
//! prove it; the HTTP layer calls them and answers 401 on any [`AuthError`].
//!
//! Why it is shaped this way:
//! - **Raw bytes first, parsing after.** Slack and Discord sign the exact bytes
//!   they sent. Re-serialising a parsed body changes them (key order, escaping,
//!   `+` vs `%20`), and parsing attacker-controlled input before it is
//!   authenticated widens the attack surface. So every verifier takes `&[u8]`.
//! - **300 s window against replay.** A captured, validly signed request stays
//!   valid forever unless its timestamp is bounded. Both platforms put the send
//!   time under the signature; we reject it when it is more than 300 s away from
//!   our clock, in either direction (Slack's documented rule, applied to Discord
//!   too since Discord documents none).
//! - **Platforms retry.** A retried request is a genuine one: it passes here, and
//!   deduplication is the decision layer's job (one decision per proposal, however
//!   many clicks). Authentication never keeps state.
//! - **No clock, no I/O.** The current unix time is an argument, so tests can pin
//!   it and a replayed day behaves like the real one.
//! - **Constant-time comparisons** for every MAC, so response timing does not
//!   reveal how many bytes of a forged signature were right.

pub mod discord_api;
pub mod discord_call_modal;
pub mod discord_commands;
pub mod discord_interaction;
pub mod discord_reply;
pub mod discord_signature;
pub mod discord_slash;
pub mod links;
pub mod settings;
pub mod slack_api;
pub mod slack_call_modal;
pub mod slack_command;
pub mod slack_interaction;
pub mod slack_signature;
pub mod teams_api;
pub mod teams_outgoing;
pub mod teams_signature;

/// The largest accepted distance, in seconds, between a request's signed
/// timestamp and our clock. Slack's documented value; used for Discord too.
pub const MAX_TIMESTAMP_SKEW_SECS: i64 = 300;

/// Why a request or link was refused. Every variant maps to HTTP 401.
///
/// The messages are meant for a log line: they name what was wrong, never the
/// secret, the signature or the body.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AuthError {
    /// A header the platform always sends is absent: not a platform request.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// A header or token is present but not in the documented shape.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The signature is authentic but the signed timestamp is too far from now:
    /// a replay or a badly skewed clock. `age_secs` is `now - timestamp`
    /// (negative when the timestamp is in the future).
    #[error("stale request: signed timestamp is {age_secs} s from now (limit ±300 s), possible replay")]
    Stale { age_secs: i64 },
    /// The signature or MAC does not match: forged, tampered or wrong secret/key.
    #[error("bad signature")]
    BadSignature,
    /// A decision link whose expiry has passed.
    #[error("decision link expired")]
    Expired,
}

/// Parses a unix-seconds timestamp header strictly: ASCII digits only, no sign,
/// no spaces, at most 12 digits (year 33658), so no overflow is possible later.
fn parse_unix_timestamp(value: &str, what: &'static str) -> Result<i64, AuthError> {
    let digits_only = !value.is_empty() && value.len() <= 12 && value.bytes().all(|b| b.is_ascii_digit());
    if !digits_only {
        return Err(AuthError::Malformed(what));
    }
    value.parse().map_err(|_| AuthError::Malformed(what))
}

/// Rejects a signed timestamp more than [`MAX_TIMESTAMP_SKEW_SECS`] away from
/// `now_unix`, in the past or in the future.
fn check_freshness(timestamp: i64, now_unix: i64) -> Result<(), AuthError> {
    let age_secs = now_unix.saturating_sub(timestamp);
    if age_secs.unsigned_abs() > MAX_TIMESTAMP_SKEW_SECS.unsigned_abs() {
        return Err(AuthError::Stale { age_secs });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_must_be_plain_digits() {
        assert_eq!(parse_unix_timestamp("1531420618", "ts"), Ok(1_531_420_618));
        for bad in ["", "+1531420618", "-5", " 1531420618", "1531420618 ", "15e8", "1234567890123"] {
            assert_eq!(parse_unix_timestamp(bad, "ts"), Err(AuthError::Malformed("ts")), "{bad:?}");
        }
    }

    #[test]
    fn freshness_window_is_300_seconds_both_ways() {
        assert_eq!(check_freshness(1000, 1300), Ok(()));
        assert_eq!(check_freshness(1300, 1000), Ok(()));
        assert_eq!(check_freshness(1000, 1301), Err(AuthError::Stale { age_secs: 301 }));
        assert_eq!(check_freshness(1301, 1000), Err(AuthError::Stale { age_secs: -301 }));
    }

    #[test]
    fn error_lines_say_what_failed_without_secrets() {
        assert_eq!(AuthError::MissingHeader("X-Slack-Signature").to_string(), "missing header X-Slack-Signature");
        assert_eq!(
            AuthError::Stale { age_secs: 301 }.to_string(),
            "stale request: signed timestamp is 301 s from now (limit ±300 s), possible replay"
        );
        assert_eq!(AuthError::BadSignature.to_string(), "bad signature");
    }
}
