//! Discord HTTP interactions: Ed25519 request signatures.
//!
//! Discord signs each interaction with the application's Ed25519 key over the
//! bytes `X-Signature-Timestamp || raw_body` and sends the signature, hex
//! encoded, in `X-Signature-Ed25519` (discord-api-docs,
//! `developers/interactions/overview.mdx`). Discord also sends deliberately
//! invalid signatures and removes the endpoint if they are not refused, so
//! every failure here must become a 401.
//!
//! Discord documents no freshness rule, but the timestamp is under the
//! signature, so we apply Slack's 300 s window to refuse replays.

use ed25519_dalek::{Signature, VerifyingKey, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH};

use super::{check_freshness, parse_unix_timestamp, AuthError};

/// Header carrying the hex-encoded 64-byte Ed25519 signature.
pub const SIGNATURE_HEADER: &str = "X-Signature-Ed25519";
/// Header carrying the send time in unix seconds; signed with the body.
pub const TIMESTAMP_HEADER: &str = "X-Signature-Timestamp";

/// Parses the application's public key (`DISCORD_PUBLIC_KEY`, 64 hex digits as
/// shown in the developer portal). Call it when loading the configuration so
/// a mistyped key stops `relance serve` at start, not at the first click.
pub fn parse_public_key(public_key_hex: &str) -> Result<VerifyingKey, AuthError> {
    let mut bytes = [0u8; PUBLIC_KEY_LENGTH];
    hex::decode_to_slice(public_key_hex.trim(), &mut bytes).map_err(|_| AuthError::Malformed("Discord public key"))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| AuthError::Malformed("Discord public key"))
}

/// Verifies a Discord interaction given the key as hex. Convenience form of
/// [`verify_discord_with_key`]; the server should parse the key once with
/// [`parse_public_key`] and call that instead.
pub fn verify_discord(
    public_key_hex: &str,
    signature_header: Option<&str>,
    timestamp_header: Option<&str>,
    raw_body: &[u8],
    now_unix: i64,
) -> Result<(), AuthError> {
    let key = parse_public_key(public_key_hex)?;
    verify_discord_with_key(&key, signature_header, timestamp_header, raw_body, now_unix)
}

/// Verifies a Discord interaction: both headers present and well formed, the
/// Ed25519 signature valid over `timestamp || body`, and the timestamp within
/// 300 s of `now_unix`.
///
/// `verify_strict` also refuses weak keys and non-canonical signatures, which
/// Discord never produces. The signature is checked before the timestamp, so
/// [`AuthError::Stale`] only ever reports a genuine Discord request.
pub fn verify_discord_with_key(
    key: &VerifyingKey,
    signature_header: Option<&str>,
    timestamp_header: Option<&str>,
    raw_body: &[u8],
    now_unix: i64,
) -> Result<(), AuthError> {
    let signature_text = signature_header.ok_or(AuthError::MissingHeader(SIGNATURE_HEADER))?;
    let timestamp_text = timestamp_header.ok_or(AuthError::MissingHeader(TIMESTAMP_HEADER))?;
    let timestamp = parse_unix_timestamp(timestamp_text, TIMESTAMP_HEADER)?;
    let signature = decode_signature(signature_text)?;

    let message = [timestamp_text.as_bytes(), raw_body].concat();
    key.verify_strict(&message, &signature).map_err(|_| AuthError::BadSignature)?;

    check_freshness(timestamp, now_unix)
}

/// Exactly 128 hex digits (64 bytes), else malformed.
fn decode_signature(header: &str) -> Result<Signature, AuthError> {
    let mut bytes = [0u8; SIGNATURE_LENGTH];
    hex::decode_to_slice(header, &mut bytes).map_err(|_| AuthError::Malformed(SIGNATURE_HEADER))?;
    Ok(Signature::from_bytes(&bytes))
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer, SigningKey};

    use super::*;

    // RFC 8032 §7.1, TEST 1 (empty message).
    const RFC_SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const RFC_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const RFC_EMPTY_SIGNATURE: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    const NOW: i64 = 1_700_000_000;
    const PING: &[u8] = br#"{"type":1}"#;

    fn test_signing_key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    fn public_hex(key: &SigningKey) -> String {
        hex::encode(key.verifying_key().to_bytes())
    }

    /// Signs like Discord does: over the timestamp text followed by the body.
    fn discord_sign(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
        hex::encode(key.sign(&[timestamp.as_bytes(), body].concat()).to_bytes())
    }

    #[test]
    fn rfc8032_test1_vector_verifies_with_the_raw_primitive() {
        let mut seed = [0u8; 32];
        hex::decode_to_slice(RFC_SECRET, &mut seed).unwrap();
        let signing_key = SigningKey::from_bytes(&seed);
        assert_eq!(public_hex(&signing_key), RFC_PUBLIC);
        assert_eq!(hex::encode(signing_key.sign(b"").to_bytes()), RFC_EMPTY_SIGNATURE);

        let key = parse_public_key(RFC_PUBLIC).unwrap();
        let signature = decode_signature(RFC_EMPTY_SIGNATURE).unwrap();
        assert!(key.verify_strict(b"", &signature).is_ok());
        assert!(key.verify_strict(b"x", &signature).is_err());
    }

    #[test]
    fn ping_vector_from_the_reference_is_accepted() {
        // Computed independently with Python `cryptography` and the RFC 8032
        // TEST 1 key (chat-platforms.md §5); not published by Discord.
        let signature = "1695961a47c91a1ec033b819b7e87e3dbc583dd0cee6d1fd0216f58ac87b6228ae531ddbf91fb7bc28d7edf7f08604da16f54624f38a6bc0614e4dc13cd47f0f";
        assert_eq!(verify_discord(RFC_PUBLIC, Some(signature), Some("1700000000"), PING, NOW), Ok(()));
    }

    #[test]
    fn signed_request_round_trip_is_accepted() {
        let key = test_signing_key();
        let signature = discord_sign(&key, "1700000000", PING);
        assert_eq!(verify_discord(&public_hex(&key), Some(&signature), Some("1700000000"), PING, NOW + 300), Ok(()));
    }

    #[test]
    fn tampered_body_is_rejected() {
        let key = test_signing_key();
        let signature = discord_sign(&key, "1700000000", PING);
        let result = verify_discord(&public_hex(&key), Some(&signature), Some("1700000000"), br#"{"type":3}"#, NOW);
        assert_eq!(result, Err(AuthError::BadSignature));
    }

    #[test]
    fn tampered_timestamp_is_rejected() {
        let key = test_signing_key();
        let signature = discord_sign(&key, "1700000000", PING);
        let result = verify_discord(&public_hex(&key), Some(&signature), Some("1700000001"), PING, NOW);
        assert_eq!(result, Err(AuthError::BadSignature));
    }

    #[test]
    fn signature_from_another_key_is_rejected() {
        let signature = discord_sign(&SigningKey::from_bytes(&[8u8; 32]), "1700000000", PING);
        let result = verify_discord(&public_hex(&test_signing_key()), Some(&signature), Some("1700000000"), PING, NOW);
        assert_eq!(result, Err(AuthError::BadSignature));
    }

    #[test]
    fn replayed_or_future_request_is_stale() {
        let key = test_signing_key();
        let signature = discord_sign(&key, "1700000000", PING);
        let check = |now| verify_discord(&public_hex(&key), Some(&signature), Some("1700000000"), PING, now);
        assert_eq!(check(NOW + 301), Err(AuthError::Stale { age_secs: 301 }));
        assert_eq!(check(NOW - 301), Err(AuthError::Stale { age_secs: -301 }));
    }

    #[test]
    fn missing_headers_are_named() {
        let key = public_hex(&test_signing_key());
        let signature = discord_sign(&test_signing_key(), "1700000000", PING);
        let no_sig = verify_discord(&key, None, Some("1700000000"), PING, NOW);
        assert_eq!(no_sig, Err(AuthError::MissingHeader("X-Signature-Ed25519")));
        let no_ts = verify_discord(&key, Some(&signature), None, PING, NOW);
        assert_eq!(no_ts, Err(AuthError::MissingHeader("X-Signature-Timestamp")));
    }

    #[test]
    fn malformed_signature_hex_is_rejected() {
        let key = public_hex(&test_signing_key());
        let signature = discord_sign(&test_signing_key(), "1700000000", PING);
        let not_hex = format!("zz{}", &signature[2..]);
        for bad in [&signature[..126], not_hex.as_str(), "", &format!("{signature}00")] {
            let result = verify_discord(&key, Some(bad), Some("1700000000"), PING, NOW);
            assert_eq!(result, Err(AuthError::Malformed("X-Signature-Ed25519")), "{bad:?}");
        }
        let bad_ts = verify_discord(&key, Some(&signature), Some("17e8"), PING, NOW);
        assert_eq!(bad_ts, Err(AuthError::Malformed("X-Signature-Timestamp")));
    }

    #[test]
    fn bad_public_key_is_reported_at_config_load() {
        for bad in ["", "not hex", &RFC_PUBLIC[..62], &format!("{RFC_PUBLIC}00")] {
            assert_eq!(parse_public_key(bad), Err(AuthError::Malformed("Discord public key")), "{bad:?}");
        }
        assert!(parse_public_key(RFC_PUBLIC).is_ok());
        assert!(parse_public_key(&format!(" {RFC_PUBLIC}\n")).is_ok());
    }
}
