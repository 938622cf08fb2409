//! Teams outgoing-webhook signing.
//!
//! Teams signs each `@Relance …` message with the security token shown when
//! the outgoing webhook is created: `Authorization: HMAC
//! base64(HMAC-SHA256(key = base64decode(token), raw body))` (Microsoft's
//! sample, OfficeDev/microsoft-teams-sample-outgoing-webhook,
//! `AuthProvider.cs`). Like the other verifiers this takes the exact bytes
//! received and runs before any JSON is read.
//!
//! The request carries no timestamp under the signature, so freshness cannot
//! be checked here: replays are stopped by the activity id instead
//! (`Store::first_seen`, in the route).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::AuthError;
use base64::Engine;

/// The header carrying `HMAC <base64>`.
pub const AUTHORIZATION_HEADER: &str = "Authorization";

/// Verifies an outgoing-webhook request: the header present, in the `HMAC
/// <base64 of 32 bytes>` shape, and the MAC of `raw_body` under `key` (the
/// decoded security token) matching, compared in constant time.
pub fn verify_teams(key: &[u8], authorization: Option<&str>, raw_body: &[u8]) -> Result<(), AuthError> {
    let header = authorization.ok_or(AuthError::MissingHeader(AUTHORIZATION_HEADER))?;
    let (scheme, value) = header.trim().split_once(' ').ok_or(AuthError::Malformed(AUTHORIZATION_HEADER))?;
    if !scheme.eq_ignore_ascii_case("HMAC") {
        return Err(AuthError::Malformed(AUTHORIZATION_HEADER));
    }
    let signature = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()
        .filter(|s| s.len() == 32)
        .ok_or(AuthError::Malformed(AUTHORIZATION_HEADER))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(raw_body);
    // verify_slice compares in constant time.
    mac.verify_slice(&signature).map_err(|_| AuthError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The key Microsoft's docs publish, and a body and MAC computed
    // independently of this code (reference/chat-platforms.md §7):
    //   python3 -c 'import hmac,hashlib,base64; k=base64.b64decode("vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=");
    //     print(base64.b64encode(hmac.new(k, b"{\"type\":\"message\",\"text\":\"<at>Relance</at> status ACME\"}",
    //     hashlib.sha256).digest()).decode())'
    //   → Ahi10ux7ufyWyw/lz9mp4cxUU0hFBgbVDWaWzsOkie4=
    const TOKEN: &str = "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=";
    const BODY: &[u8] = br#"{"type":"message","text":"<at>Relance</at> status ACME"}"#;
    const HEADER: &str = "HMAC Ahi10ux7ufyWyw/lz9mp4cxUU0hFBgbVDWaWzsOkie4=";

    fn key() -> Vec<u8> {
        base64::engine::general_purpose::STANDARD.decode(TOKEN).unwrap()
    }

    #[test]
    fn the_independently_computed_vector_is_accepted() {
        assert_eq!(verify_teams(&key(), Some(HEADER), BODY), Ok(()));
        assert_eq!(verify_teams(&key(), Some("hmac  Ahi10ux7ufyWyw/lz9mp4cxUU0hFBgbVDWaWzsOkie4= "), BODY), Ok(()));
    }

    #[test]
    fn a_tampered_body_or_another_key_is_a_bad_signature() {
        let tampered = br#"{"type":"message","text":"<at>Relance</at> pause ACME"}"#;
        assert_eq!(verify_teams(&key(), Some(HEADER), tampered), Err(AuthError::BadSignature));
        assert_eq!(verify_teams(b"another key", Some(HEADER), BODY), Err(AuthError::BadSignature));
    }

    #[test]
    fn a_missing_or_malformed_header_is_refused_before_any_mac() {
        assert_eq!(verify_teams(&key(), None, BODY), Err(AuthError::MissingHeader("Authorization")));
        for bad in ["", "HMAC", "Bearer Ahi10ux7ufyWyw/lz9mp4cxUU0hFBgbVDWaWzsOkie4=", "HMAC not-base64!", "HMAC AAAA"]
        {
            assert_eq!(verify_teams(&key(), Some(bad), BODY), Err(AuthError::Malformed("Authorization")), "{bad:?}");
        }
    }
}
