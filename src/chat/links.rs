//! Signed decision links: `GET|POST /act/{token}`.
//!
//! Teams cards, Discord webhook messages and e-mailed digests cannot call back
//! with a signed interaction, so their buttons are links. A link carries its
//! own proof: the token is `base64url(payload) "." base64url(HMAC-SHA256)`,
//! keyed with `RELANCE_LINK_SECRET`, where the payload names one proposal, one
//! action and an expiry. Changing any of the three breaks the MAC, so a link to
//! approve one proposal cannot be turned into a veto or pointed at another.
//!
//! What a valid token does *not* prove: who clicked (links get forwarded and
//! opened by mail scanners) or that it was not used already. The HTTP layer
//! must show a confirmation page on GET, identify the person on POST, and the
//! decision layer must record a link's decision once.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::AuthError;

/// Mixed into every MAC so a link token can never be confused with another
/// value signed by the same secret, and so the format can change later.
const MAC_CONTEXT: &[u8] = b"relance/act-link/v1:";

/// Tokens longer than this are refused before any work; real ones are ~150.
const MAX_TOKEN_LEN: usize = 1024;

const MAC_LEN: usize = 32;

/// The decision a link or button stands for. The English name is the one used
/// in Slack `action_id`s, Discord `custom_id`s and the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Approve,
    Soften,
    Veto,
    Snooze,
    /// Releases the approvals held because the ledger was stale (finance
    /// only). It is about a whole day's digest, so its "proposal id" is the
    /// day (`2026-03-16`).
    SendAnyway,
    /// Shows the whole message to the clicker only; decides nothing.
    Preview,
    /// Records that finance posted the formal notice letter (recommandé avec
    /// AR), today. Offered once the sender has written the letter's PDF, until
    /// someone says it is posted; not a decision on the entry.
    LetterPosted,
}

impl Action {
    /// The four decisions on a proposal, in the order the buttons are shown.
    pub const ALL: [Action; 4] = [Action::Approve, Action::Soften, Action::Veto, Action::Snooze];

    /// The lower-case English name, e.g. `"approve"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Soften => "soften",
            Action::Veto => "veto",
            Action::Snooze => "snooze",
            Action::SendAnyway => "send_anyway",
            Action::Preview => "preview",
            Action::LetterPosted => "letter_posted",
        }
    }

    /// The action named by [`Action::as_str`], if any.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL
            .into_iter()
            .chain([Action::SendAnyway, Action::Preview, Action::LetterPosted])
            .find(|action| action.as_str() == name)
    }
}

/// What a decision link grants: `action` on `proposal_id` until `expires_at`
/// (unix seconds, exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkClaims {
    pub proposal_id: String,
    pub action: Action,
    pub expires_at: i64,
}

/// The signed payload, with one-letter keys to keep URLs short.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePayload {
    p: String,
    a: Action,
    e: i64,
}

/// Makes the URL-safe token for `/act/{token}` (characters `A-Z a-z 0-9 - _ .`).
pub fn sign_link(secret: &[u8], claims: &LinkClaims) -> String {
    let wire = WirePayload { p: claims.proposal_id.clone(), a: claims.action, e: claims.expires_at };
    seal(secret, MAC_CONTEXT, &wire)
}

/// Checks a token and returns what it grants.
///
/// The MAC is checked, in constant time, over the token's payload text before
/// that payload is decoded, so nothing an attacker wrote is parsed. Then the
/// expiry: a link is refused from `expires_at` on.
pub fn verify_link(secret: &[u8], token: &str, now_unix: i64) -> Result<LinkClaims, AuthError> {
    let wire: WirePayload = open(secret, MAC_CONTEXT, token)?;
    if now_unix >= wire.e {
        return Err(AuthError::Expired);
    }
    Ok(LinkClaims { proposal_id: wire.p, action: wire.a, expires_at: wire.e })
}

/// What a call outcome link grants: recording one outcome of one call
/// (`target`, a `CallButton` as encoded: task, outcome, client) until
/// `expires_at` (unix seconds, exclusive). Signed under its own context, so
/// a decision link can never pass for a call link, nor the reverse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLinkClaims {
    pub target: String,
    pub expires_at: i64,
}

const CALL_MAC_CONTEXT: &[u8] = b"relance/call-link/v1:";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallWirePayload {
    c: String,
    e: i64,
}

/// Makes the URL-safe token for `/call/{token}`.
pub fn sign_call_link(secret: &[u8], claims: &CallLinkClaims) -> String {
    seal(secret, CALL_MAC_CONTEXT, &CallWirePayload { c: claims.target.clone(), e: claims.expires_at })
}

/// Checks a call link's token as [`verify_link`] checks a decision link's.
pub fn verify_call_link(secret: &[u8], token: &str, now_unix: i64) -> Result<CallLinkClaims, AuthError> {
    let wire: CallWirePayload = open(secret, CALL_MAC_CONTEXT, token)?;
    if now_unix >= wire.e {
        return Err(AuthError::Expired);
    }
    Ok(CallLinkClaims { target: wire.c, expires_at: wire.e })
}

/// What an instalment plan link grants: finance's decision (`approve` or
/// reject) on plan `plan` until `expires_at` (unix seconds, exclusive).
/// Signed under a context of its own, so it never passes for a decision or
/// a call link, nor they for it; an Approve link cannot become a Reject one
/// or name another plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLinkClaims {
    pub plan: i64,
    pub approve: bool,
    pub expires_at: i64,
}

const PLAN_MAC_CONTEXT: &[u8] = b"relance/plan-link/v1:";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanWirePayload {
    p: i64,
    a: bool,
    e: i64,
}

/// Makes the URL-safe token for `/plan/{token}`.
pub fn sign_plan_link(secret: &[u8], claims: &PlanLinkClaims) -> String {
    seal(secret, PLAN_MAC_CONTEXT, &PlanWirePayload { p: claims.plan, a: claims.approve, e: claims.expires_at })
}

/// Checks a plan link's token as [`verify_link`] checks a decision link's.
pub fn verify_plan_link(secret: &[u8], token: &str, now_unix: i64) -> Result<PlanLinkClaims, AuthError> {
    let wire: PlanWirePayload = open(secret, PLAN_MAC_CONTEXT, token)?;
    if now_unix >= wire.e {
        return Err(AuthError::Expired);
    }
    Ok(PlanLinkClaims { plan: wire.p, approve: wire.a, expires_at: wire.e })
}

/// `base64url(json) "." base64url(HMAC(context, payload text))`.
fn seal<T: Serialize>(secret: &[u8], context: &[u8], wire: &T) -> String {
    let json = serde_json::to_vec(wire).expect("strings, enums and integers always serialise");
    let payload = URL_SAFE_NO_PAD.encode(json);
    let tag = link_mac(secret, context, &payload).finalize().into_bytes();
    format!("{payload}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// The payload of a token whose MAC is right; the MAC is checked before
/// anything is decoded.
fn open<T: serde::de::DeserializeOwned>(secret: &[u8], context: &[u8], token: &str) -> Result<T, AuthError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(AuthError::Malformed("link token"));
    }
    let (payload, tag_text) = token.split_once('.').ok_or(AuthError::Malformed("link token"))?;
    let tag = decode_tag(tag_text)?;
    link_mac(secret, context, payload).verify_slice(&tag).map_err(|_| AuthError::BadSignature)?;
    decode_payload(payload)
}

fn link_mac(secret: &[u8], context: &[u8], payload: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(context);
    mac.update(payload.as_bytes());
    mac
}

fn decode_tag(text: &str) -> Result<[u8; MAC_LEN], AuthError> {
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| AuthError::Malformed("link token"))?;
    bytes.try_into().map_err(|_| AuthError::Malformed("link token"))
}

/// Only reached for payloads we signed ourselves, so a failure here means a
/// leaked secret or a format change, not a user error.
fn decode_payload<T: serde::de::DeserializeOwned>(payload: &str) -> Result<T, AuthError> {
    let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| AuthError::Malformed("link payload"))?;
    serde_json::from_slice(&json).map_err(|_| AuthError::Malformed("link payload"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"link secret for tests, 32 bytes!";
    const NOW: i64 = 1_780_000_000;

    fn claims(proposal_id: &str, action: Action) -> LinkClaims {
        LinkClaims { proposal_id: proposal_id.to_string(), action, expires_at: NOW + 86_400 }
    }

    /// A token whose payload is `payload_json`, correctly signed: what someone
    /// holding the secret could produce.
    fn sign_raw(payload_json: &str) -> String {
        let payload = URL_SAFE_NO_PAD.encode(payload_json);
        let tag = link_mac(SECRET, MAC_CONTEXT, &payload).finalize().into_bytes();
        format!("{payload}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    #[test]
    fn signed_link_round_trips_every_action() {
        for action in Action::ALL {
            let granted = claims("P-2026-0042-ACME", action);
            let token = sign_link(SECRET, &granted);
            assert_eq!(verify_link(SECRET, &token, NOW), Ok(granted));
        }
    }

    #[test]
    fn token_is_url_safe() {
        let token = sign_link(SECRET, &claims("client/é?&#%", Action::Veto));
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "{token}");
        assert_eq!(verify_link(SECRET, &token, NOW).unwrap().proposal_id, "client/é?&#%");
    }

    #[test]
    fn link_expires_at_its_expiry_second() {
        let token = sign_link(SECRET, &claims("P1", Action::Approve));
        assert!(verify_link(SECRET, &token, NOW + 86_399).is_ok());
        assert_eq!(verify_link(SECRET, &token, NOW + 86_400), Err(AuthError::Expired));
        assert_eq!(verify_link(SECRET, &token, NOW + 999_999), Err(AuthError::Expired));
    }

    #[test]
    fn wrong_secret_is_rejected() {
        let token = sign_link(SECRET, &claims("P1", Action::Approve));
        assert_eq!(verify_link(b"another secret", &token, NOW), Err(AuthError::BadSignature));
    }

    #[test]
    fn approve_link_cannot_become_a_veto_or_another_proposal() {
        let approve = sign_link(SECRET, &claims("P1", Action::Approve));
        let (_, approve_tag) = approve.split_once('.').unwrap();
        for forged_claims in [claims("P1", Action::Veto), claims("P2", Action::Approve)] {
            let forged_payload = sign_link(b"attacker", &forged_claims).split_once('.').unwrap().0.to_string();
            let forged = format!("{forged_payload}.{approve_tag}");
            assert_eq!(verify_link(SECRET, &forged, NOW), Err(AuthError::BadSignature), "{forged_claims:?}");
        }
    }

    #[test]
    fn extended_expiry_is_rejected() {
        let token = sign_link(SECRET, &claims("P1", Action::Approve));
        let (_, tag) = token.split_once('.').unwrap();
        let later = LinkClaims { expires_at: NOW + 10 * 86_400, ..claims("P1", Action::Approve) };
        let payload = sign_link(b"attacker", &later).split_once('.').unwrap().0.to_string();
        assert_eq!(verify_link(SECRET, &format!("{payload}.{tag}"), NOW), Err(AuthError::BadSignature));
    }

    #[test]
    fn tampered_payload_byte_is_rejected() {
        let token = sign_link(SECRET, &claims("P1", Action::Approve));
        let mut bytes = token.into_bytes();
        bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert_eq!(verify_link(SECRET, &tampered, NOW), Err(AuthError::BadSignature));
    }

    #[test]
    fn mac_is_checked_before_the_payload_is_decoded() {
        // The payload is not even base64, yet the answer is "bad signature":
        // the unauthenticated payload was never looked at.
        let tag = URL_SAFE_NO_PAD.encode([0u8; MAC_LEN]);
        assert_eq!(verify_link(SECRET, &format!("!!not base64!!.{tag}"), NOW), Err(AuthError::BadSignature));
    }

    #[test]
    fn malformed_tokens_are_rejected() {
        let good = sign_link(SECRET, &claims("P1", Action::Approve));
        let too_long = format!("{}.{}", "A".repeat(MAX_TOKEN_LEN), "A");
        let short_tag = format!("{}.AAAA", good.split_once('.').unwrap().0);
        for bad in ["", "no-dot-here", ".", &format!("{good}.x"), &format!("{good}="), short_tag.as_str(), &too_long] {
            assert_eq!(verify_link(SECRET, bad, NOW), Err(AuthError::Malformed("link token")), "{bad:?}");
        }
    }

    #[test]
    fn signed_but_unreadable_payload_is_malformed() {
        for payload in ["not json", r#"{"p":"P1","a":"delete","e":1}"#, r#"{"p":"P1","a":"veto","e":1,"x":0}"#] {
            assert_eq!(verify_link(SECRET, &sign_raw(payload), NOW), Err(AuthError::Malformed("link payload")));
        }
    }

    #[test]
    fn action_names_match_the_button_ids() {
        let names: Vec<&str> = Action::ALL.iter().map(|action| action.as_str()).collect();
        assert_eq!(names, ["approve", "soften", "veto", "snooze"]);
        for action in Action::ALL {
            assert_eq!(serde_json::to_string(&action).unwrap(), format!("\"{}\"", action.as_str()));
            assert_eq!(Action::from_name(action.as_str()), Some(action));
        }
        assert_eq!(Action::from_name("Approve"), None);
        assert_eq!(Action::from_name("letter_posted"), Some(Action::LetterPosted));
        assert_eq!(serde_json::to_string(&Action::LetterPosted).unwrap(), "\"letter_posted\"");
        assert!(!Action::ALL.contains(&Action::LetterPosted), "not a decision on the entry");
    }

    #[test]
    fn a_call_link_round_trips_and_never_passes_for_a_decision_link() {
        let granted = CallLinkClaims { target: "20260316-c-0a1b|dispute|ACME".into(), expires_at: NOW + 60 };
        let token = sign_call_link(SECRET, &granted);
        assert_eq!(verify_call_link(SECRET, &token, NOW), Ok(granted));
        assert_eq!(verify_call_link(SECRET, &token, NOW + 60), Err(AuthError::Expired));
        assert_eq!(verify_link(SECRET, &token, NOW), Err(AuthError::BadSignature));
        let decision = sign_link(SECRET, &claims("P1", Action::Approve));
        assert_eq!(verify_call_link(SECRET, &decision, NOW), Err(AuthError::BadSignature));
    }

    #[test]
    fn a_plan_link_round_trips_and_passes_for_no_other_link() {
        let granted = PlanLinkClaims { plan: 7, approve: true, expires_at: NOW + 60 };
        let token = sign_plan_link(SECRET, &granted);
        assert_eq!(verify_plan_link(SECRET, &token, NOW), Ok(granted));
        assert_eq!(verify_plan_link(SECRET, &token, NOW + 60), Err(AuthError::Expired));
        assert_eq!(verify_link(SECRET, &token, NOW), Err(AuthError::BadSignature));
        assert_eq!(verify_call_link(SECRET, &token, NOW), Err(AuthError::BadSignature));
        let decision = sign_link(SECRET, &claims("7", Action::Approve));
        assert_eq!(verify_plan_link(SECRET, &decision, NOW), Err(AuthError::BadSignature));
        let call = sign_call_link(SECRET, &CallLinkClaims { target: "7".into(), expires_at: NOW + 60 });
        assert_eq!(verify_plan_link(SECRET, &call, NOW), Err(AuthError::BadSignature));
        // Approve cannot become Reject, nor name another plan.
        let (_, tag) = token.split_once('.').unwrap();
        for forged in [
            PlanLinkClaims { plan: 7, approve: false, expires_at: NOW + 60 },
            PlanLinkClaims { plan: 8, approve: true, expires_at: NOW + 60 },
        ] {
            let payload = sign_plan_link(b"attacker", &forged).split_once('.').unwrap().0.to_string();
            assert_eq!(verify_plan_link(SECRET, &format!("{payload}.{tag}"), NOW), Err(AuthError::BadSignature));
        }
    }
}
