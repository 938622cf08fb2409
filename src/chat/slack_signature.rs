//! Slack request signing, version `v0`.
//!
//! Slack signs every interaction with the app's signing secret:
//! `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw_body))`.
//! See <https://docs.slack.dev/authentication/verifying-requests-from-slack>.
//! The body must be the exact bytes received (form-encoded for interactivity),
//! which is why this takes `&[u8]` and runs before any form or JSON parsing.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{check_freshness, parse_unix_timestamp, AuthError};

/// Header carrying `v0=<64 hex digits>`.
pub const SIGNATURE_HEADER: &str = "X-Slack-Signature";
/// Header carrying the send time in unix seconds.
pub const TIMESTAMP_HEADER: &str = "X-Slack-Request-Timestamp";

const VERSION_PREFIX: &str = "v0=";

/// Verifies a Slack request: both headers present and well formed, the HMAC
/// matching (compared in constant time), and the signed timestamp within
/// 300 s of `now_unix`.
///
/// The signature is checked before the timestamp, so [`AuthError::Stale`]
/// only ever reports a genuine Slack request that is old (a replay or a skewed
/// clock), never a forgery.
pub fn verify_slack(
    signing_secret: &[u8],
    timestamp_header: Option<&str>,
    signature_header: Option<&str>,
    raw_body: &[u8],
    now_unix: i64,
) -> Result<(), AuthError> {
    let timestamp_text = timestamp_header.ok_or(AuthError::MissingHeader(TIMESTAMP_HEADER))?;
    let signature_text = signature_header.ok_or(AuthError::MissingHeader(SIGNATURE_HEADER))?;
    let timestamp = parse_unix_timestamp(timestamp_text, TIMESTAMP_HEADER)?;
    let signature = decode_signature(signature_text)?;

    let mut mac = Hmac::<Sha256>::new_from_slice(signing_secret).expect("HMAC accepts keys of any length");
    mac.update(b"v0:");
    mac.update(timestamp_text.as_bytes());
    mac.update(b":");
    mac.update(raw_body);
    // verify_slice compares in constant time.
    mac.verify_slice(&signature).map_err(|_| AuthError::BadSignature)?;

    check_freshness(timestamp, now_unix)
}

/// `v0=` followed by exactly 64 hex digits (a SHA-256 output), else malformed.
/// An unknown version is malformed rather than a bad signature: it is a
/// different scheme, not a forgery of this one.
fn decode_signature(header: &str) -> Result<[u8; 32], AuthError> {
    let hex_digits = header.strip_prefix(VERSION_PREFIX).ok_or(AuthError::Malformed(SIGNATURE_HEADER))?;
    let mut signature = [0u8; 32];
    hex::decode_to_slice(hex_digits, &mut signature).map_err(|_| AuthError::Malformed(SIGNATURE_HEADER))?;
    Ok(signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Slack's documented worked example (docs.slack.dev, "Verifying requests
    // from Slack"), copied from /work/shared/reference/chat-platforms.md §1 and
    // re-checked with Python's hmac module.
    const DOC_SECRET: &[u8] = b"8f742231b10e8888abcd99yyyzzz85a5";
    const DOC_TIMESTAMP: &str = "1531420618";
    const DOC_BODY: &[u8] = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const DOC_SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    const DOC_NOW: i64 = 1_531_420_618;

    fn verify_doc_example(secret: &[u8], body: &[u8], now: i64) -> Result<(), AuthError> {
        verify_slack(secret, Some(DOC_TIMESTAMP), Some(DOC_SIGNATURE), body, now)
    }

    #[test]
    fn slack_documented_example_is_accepted() {
        assert_eq!(verify_doc_example(DOC_SECRET, DOC_BODY, DOC_NOW), Ok(()));
        assert_eq!(verify_doc_example(DOC_SECRET, DOC_BODY, DOC_NOW + 300), Ok(()));
        assert_eq!(verify_doc_example(DOC_SECRET, DOC_BODY, DOC_NOW - 300), Ok(()));
    }

    #[test]
    fn slack_morphism_vector_is_accepted() {
        // slack-morphism's `test_precoded_data`, re-verified in chat-platforms.md §1.
        let signature = "v0=baa91ef62d346e56607bbdd278a8acd570b91226854f15a382f43d33be42f666";
        let result = verify_slack(
            b"fa2c05deeef5a4077494e89f54394de0",
            Some(DOC_TIMESTAMP),
            Some(signature),
            b"test-body",
            DOC_NOW,
        );
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn tampered_body_is_rejected() {
        let tampered = String::from_utf8(DOC_BODY.to_vec()).unwrap().replace("roadrunner", "wilecoyote");
        assert_eq!(verify_doc_example(DOC_SECRET, tampered.as_bytes(), DOC_NOW), Err(AuthError::BadSignature));
        let one_byte_more = [DOC_BODY, b"&"].concat();
        assert_eq!(verify_doc_example(DOC_SECRET, &one_byte_more, DOC_NOW), Err(AuthError::BadSignature));
    }

    #[test]
    fn wrong_secret_is_rejected() {
        assert_eq!(
            verify_doc_example(b"8f742231b10e8888abcd99yyyzzz85a6", DOC_BODY, DOC_NOW),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn tampered_timestamp_is_rejected_even_when_fresh() {
        let result = verify_slack(DOC_SECRET, Some("1531420619"), Some(DOC_SIGNATURE), DOC_BODY, DOC_NOW);
        assert_eq!(result, Err(AuthError::BadSignature));
    }

    #[test]
    fn replay_older_than_300_seconds_is_stale() {
        assert_eq!(verify_doc_example(DOC_SECRET, DOC_BODY, DOC_NOW + 301), Err(AuthError::Stale { age_secs: 301 }));
    }

    #[test]
    fn timestamp_more_than_300_seconds_in_the_future_is_stale() {
        assert_eq!(verify_doc_example(DOC_SECRET, DOC_BODY, DOC_NOW - 301), Err(AuthError::Stale { age_secs: -301 }));
    }

    #[test]
    fn stale_forgery_reports_the_bad_signature() {
        let result = verify_slack(b"other secret", Some(DOC_TIMESTAMP), Some(DOC_SIGNATURE), DOC_BODY, DOC_NOW + 3600);
        assert_eq!(result, Err(AuthError::BadSignature));
    }

    #[test]
    fn missing_headers_are_named() {
        let no_ts = verify_slack(DOC_SECRET, None, Some(DOC_SIGNATURE), DOC_BODY, DOC_NOW);
        assert_eq!(no_ts, Err(AuthError::MissingHeader("X-Slack-Request-Timestamp")));
        let no_sig = verify_slack(DOC_SECRET, Some(DOC_TIMESTAMP), None, DOC_BODY, DOC_NOW);
        assert_eq!(no_sig, Err(AuthError::MissingHeader("X-Slack-Signature")));
    }

    #[test]
    fn malformed_headers_are_rejected() {
        let hex_only = &DOC_SIGNATURE[3..];
        let truncated = &DOC_SIGNATURE[..DOC_SIGNATURE.len() - 2];
        let v1 = DOC_SIGNATURE.replacen("v0=", "v1=", 1);
        let not_hex = DOC_SIGNATURE.replacen('a', "g", 1);
        for bad in [hex_only, truncated, v1.as_str(), not_hex.as_str(), "", "v0="] {
            let result = verify_slack(DOC_SECRET, Some(DOC_TIMESTAMP), Some(bad), DOC_BODY, DOC_NOW);
            assert_eq!(result, Err(AuthError::Malformed("X-Slack-Signature")), "{bad:?}");
        }
        for bad in ["", "abc", "-1531420618", "1531420618.5"] {
            let result = verify_slack(DOC_SECRET, Some(bad), Some(DOC_SIGNATURE), DOC_BODY, DOC_NOW);
            assert_eq!(result, Err(AuthError::Malformed("X-Slack-Request-Timestamp")), "{bad:?}");
        }
    }
}
