//! Discord HTTP interactions: what a verified request asks, and the answers.
//!
//! Call [`parse_interaction`] only after
//! [`verify_discord_with_key`](super::discord_signature::verify_discord_with_key)
//! accepted the raw bytes. It reads the documented JSON with small serde
//! structs rather than serenity's full `Interaction` model: we need five
//! fields, and a strict model of everything else (Discord adds fields and
//! component types every few months) would turn a harmless addition into a
//! click we cannot read.
//!
//! The answers are plain JSON (Discord's interaction callback types): the
//! server must send one within 3 s, with `Content-Type: application/json`.

use super::discord_call_modal::TypedOutcome;
use super::discord_slash::{parse_autocomplete, parse_command, parse_command_button, ClientTyped, SlashCommand};
use crate::decision::Action;
use crate::digest::call_buttons::CallButton;
use crate::domain::{Language, ProposalId};
use crate::render::format::truncate_chars;
use serde::Deserialize;
use serde_json::{json, Value};

/// `custom_id` of the veto modal: `veto_reason:{proposal_id}`.
pub const VETO_REASON_PREFIX: &str = "veto_reason";
/// `custom_id` of the modal's text input.
const REASON_INPUT_ID: &str = "reason";
/// Longest veto reason accepted in the modal: it is shown in the digest.
pub const MAX_REASON_CHARS: usize = 300;
/// Discord's limit on a modal title and on a label.
const MAX_MODAL_TITLE_CHARS: usize = 45;
/// Discord's limit on a message's `content`.
const MAX_CONTENT_CHARS: usize = 2000;

/// Flag of a message only the clicker sees.
const EPHEMERAL: u64 = 1 << 6;

/// What a verified interaction asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscordInteraction {
    /// Discord checking the endpoint: answer [`pong`].
    Ping,
    /// A digest button.
    Click(DiscordClick),
    /// The veto modal, submitted.
    VetoReason { user_id: String, proposal_id: ProposalId, reason: Option<String>, message_id: Option<String> },
    /// A call's outcome button (`custom_id` a [`CallButton`]).
    CallOutcome { user_id: String, button: CallButton },
    /// A call outcome's modal, submitted (`custom_id` the button's).
    CallOutcomeForm { user_id: String, button: CallButton, typed: TypedOutcome },
    /// `/relance …` typed (see `discord_slash`).
    Command(SlashCommand),
    /// A reply's `cmd:` button: a command run for the clicker.
    CommandButton(SlashCommand),
    /// An option being typed: the client in `/relance … client:`, or
    /// another option (answered with no suggestion: Discord waits for a list).
    Autocomplete(Option<ClientTyped>),
    /// Anything else (another command, a button of another app version):
    /// answer with an [`ephemeral`] "unknown action".
    Other,
}

/// A click on a digest button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscordClick {
    /// The clicker: `member.user.id` in a server, `user.id` in a DM.
    pub user_id: String,
    pub action: Action,
    /// The proposal, or the day (`2026-03-16`) for "send anyway".
    pub proposal_id: ProposalId,
    /// The entry revision the button was rendered at; none for "send anyway".
    pub rev: Option<u32>,
    /// The digest message holding the button, to edit in place.
    pub message_id: String,
    pub channel_id: String,
}

/// Why a verified body could not be read. Answer 400: Discord sent it, so a
/// failure here is a bug to log, not an attack.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InteractionError {
    #[error("interaction body is not the documented JSON: {0}")]
    Json(String),
    #[error("interaction of type {kind} has no {what}")]
    Missing { kind: u8, what: &'static str },
}

/// The fields we read, all optional so the shape is checked per type.
#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "type")]
    kind: u8,
    data: Option<WireData>,
    member: Option<WireMember>,
    user: Option<WireUser>,
    message: Option<WireMessage>,
    channel_id: Option<String>,
    channel: Option<WireChannel>,
}

#[derive(Deserialize)]
struct WireData {
    custom_id: Option<String>,
    #[serde(default)]
    components: Vec<Value>,
}

/// `member` (in a server) and `user` (in a DM): also read by `discord_slash`.
#[derive(Deserialize)]
pub(super) struct WireMember {
    user: Option<WireUser>,
}

#[derive(Deserialize)]
pub(super) struct WireUser {
    id: String,
}

#[derive(Deserialize)]
struct WireMessage {
    id: String,
    channel_id: Option<String>,
}

#[derive(Deserialize)]
struct WireChannel {
    id: String,
}

/// Interaction types (discord-api-docs, receiving-and-responding).
const PING: u8 = 1;
const APPLICATION_COMMAND: u8 = 2;
const MESSAGE_COMPONENT: u8 = 3;
const APPLICATION_COMMAND_AUTOCOMPLETE: u8 = 4;
const MODAL_SUBMIT: u8 = 5;

/// Reads a verified interaction body.
pub fn parse_interaction(body: &[u8]) -> Result<DiscordInteraction, InteractionError> {
    let wire: Wire = serde_json::from_slice(body).map_err(|e| InteractionError::Json(e.to_string()))?;
    match wire.kind {
        PING => Ok(DiscordInteraction::Ping),
        APPLICATION_COMMAND => Ok(parse_command(body)?.map_or(DiscordInteraction::Other, DiscordInteraction::Command)),
        APPLICATION_COMMAND_AUTOCOMPLETE => Ok(DiscordInteraction::Autocomplete(parse_autocomplete(body)?)),
        MESSAGE_COMPONENT => match parse_command_button(body)? {
            Some(command) => Ok(DiscordInteraction::CommandButton(command)),
            None => parse_click(wire),
        },
        MODAL_SUBMIT => parse_modal(wire),
        _ => Ok(DiscordInteraction::Other),
    }
}

fn parse_click(wire: Wire) -> Result<DiscordInteraction, InteractionError> {
    let kind = wire.kind;
    let user_id = user_id(&wire).ok_or(InteractionError::Missing { kind, what: "user id" })?;
    let custom_id = wire.data.as_ref().and_then(|d| d.custom_id.as_deref());
    let custom_id = custom_id.ok_or(InteractionError::Missing { kind, what: "data.custom_id" })?;
    if let Some(button) = CallButton::parse(custom_id) {
        return Ok(DiscordInteraction::CallOutcome { user_id, button });
    }
    let Some((action, proposal_id, rev)) = parse_custom_id(custom_id) else {
        return Ok(DiscordInteraction::Other);
    };
    let message = wire.message.as_ref().ok_or(InteractionError::Missing { kind, what: "message" })?;
    let channel_id = wire
        .channel_id
        .clone()
        .or_else(|| wire.channel.as_ref().map(|c| c.id.clone()))
        .or_else(|| message.channel_id.clone())
        .ok_or(InteractionError::Missing { kind, what: "channel id" })?;
    Ok(DiscordInteraction::Click(DiscordClick {
        user_id,
        action,
        proposal_id,
        rev,
        message_id: message.id.clone(),
        channel_id,
    }))
}

fn parse_modal(wire: Wire) -> Result<DiscordInteraction, InteractionError> {
    let kind = wire.kind;
    let user_id = user_id(&wire).ok_or(InteractionError::Missing { kind, what: "user id" })?;
    let data = wire.data.as_ref().ok_or(InteractionError::Missing { kind, what: "data" })?;
    let custom_id = data.custom_id.as_deref().ok_or(InteractionError::Missing { kind, what: "data.custom_id" })?;
    if let Some(button) = CallButton::parse(custom_id) {
        let typed = TypedOutcome::from_components(&data.components);
        return Ok(DiscordInteraction::CallOutcomeForm { user_id, button, typed });
    }
    let Some(proposal_id) = custom_id
        .strip_prefix(VETO_REASON_PREFIX)
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(|id| ProposalId::parse(id).ok())
    else {
        return Ok(DiscordInteraction::Other);
    };
    let reason = find_input(&data.components, REASON_INPUT_ID)
        .map(|r| r.trim().chars().take(MAX_REASON_CHARS).collect::<String>())
        .filter(|r| !r.is_empty());
    let message_id = wire.message.as_ref().map(|m| m.id.clone());
    Ok(DiscordInteraction::VetoReason { user_id, proposal_id, reason, message_id })
}

fn user_id(wire: &Wire) -> Option<String> {
    member_or_user(wire.member.as_ref(), wire.user.as_ref())
}

/// `member.user.id` (in a server) or `user.id` (in a DM).
pub(super) fn member_or_user(member: Option<&WireMember>, user: Option<&WireUser>) -> Option<String> {
    let member = member.and_then(|m| m.user.as_ref());
    member.or(user).map(|u| u.id.clone()).filter(|id| !id.is_empty())
}

/// `{action}:{proposal_id}[:{rev}]` as the digest renders it. The revision is
/// the part after the last `:` when it is a number; a proposal id may itself
/// contain `:`. `None` for any other `custom_id`.
pub fn parse_custom_id(custom_id: &str) -> Option<(Action, ProposalId, Option<u32>)> {
    let (name, rest) = custom_id.split_once(':')?;
    let action = Action::from_name(name)?;
    let (id, rev) = match rest.rsplit_once(':') {
        Some((id, rev)) if !rev.is_empty() && rev.bytes().all(|b| b.is_ascii_digit()) => (id, rev.parse().ok()),
        _ => (rest, None),
    };
    Some((action, ProposalId::parse(id).ok()?, rev))
}

/// The value of the text input `custom_id` among a modal's submitted
/// components, wrapped in a Label (`component`, current) or an Action Row
/// (`components`, deprecated but still sent by older clients).
pub(super) fn find_input<'a>(components: &'a [Value], custom_id: &str) -> Option<&'a str> {
    components.iter().find_map(|c| {
        if c["custom_id"] == custom_id {
            return c["value"].as_str();
        }
        let inner = c.get("component").map(std::slice::from_ref).unwrap_or_default();
        let children = c["components"].as_array().map(Vec::as_slice).unwrap_or_default();
        find_input(inner, custom_id).or_else(|| find_input(children, custom_id))
    })
}

/// The answer to a PING.
pub fn pong() -> Value {
    json!({ "type": 1 })
}

/// Replaces the clicked message with a re-rendered digest page (type 7,
/// UPDATE_MESSAGE), keeping only the fields an interaction response accepts.
pub fn update_message(body: &Value) -> Value {
    const ALLOWED: [&str; 6] = ["content", "embeds", "components", "allowed_mentions", "flags", "attachments"];
    let data: serde_json::Map<String, Value> = body
        .as_object()
        .map(|fields| {
            fields.iter().filter(|(k, _)| ALLOWED.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
        })
        .unwrap_or_default();
    json!({ "type": 7, "data": data })
}

/// A reply only the clicker sees (type 4, flag EPHEMERAL), pinging no one.
pub fn ephemeral(text: &str) -> Value {
    json!({
        "type": 4,
        "data": {
            "content": truncate_chars(text, MAX_CONTENT_CHARS),
            "flags": EPHEMERAL,
            "allowed_mentions": { "parse": [] },
        },
    })
}

/// The modal a Veto click opens (type 9): one optional paragraph for the
/// reason, shown later in the digest. Submitting it comes back as
/// [`DiscordInteraction::VetoReason`].
pub fn veto_modal(proposal_id: &ProposalId, client_name: &str, lang: Language) -> Value {
    let name = client_name.split_whitespace().collect::<Vec<_>>().join(" ");
    let (title, label, description, placeholder) = match lang {
        Language::Fr => (
            format!("Veto : {name}"),
            "Motif (facultatif)",
            "Visible dans le digest. Aucune relance ne partira vers ce client tant que le veto tient.",
            "ex. client en négociation, paiement annoncé",
        ),
        Language::En => (
            format!("Veto: {name}"),
            "Reason (optional)",
            "Shown in the digest. No reminder goes to this client while the veto holds.",
            "e.g. client negotiating, payment announced",
        ),
    };
    json!({
        "type": 9,
        "data": {
            "custom_id": format!("{VETO_REASON_PREFIX}:{proposal_id}"),
            "title": truncate_chars(&title, MAX_MODAL_TITLE_CHARS),
            "components": [{
                "type": 18,
                "label": label,
                "description": description,
                "component": {
                    "type": 4,
                    "custom_id": REASON_INPUT_ID,
                    "style": 2,
                    "required": false,
                    "max_length": MAX_REASON_CHARS,
                    "placeholder": placeholder,
                },
            }],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: Value) -> DiscordInteraction {
        parse_interaction(body.to_string().as_bytes()).unwrap()
    }

    /// A MESSAGE_COMPONENT interaction as Discord documents it, in a server.
    fn component(custom_id: &str) -> Value {
        json!({
            "type": 3,
            "id": "1210000000000000001",
            "application_id": "1200000000000000000",
            "token": "aW50ZXJhY3Rpb24tdG9rZW4",
            "version": 1,
            "guild_id": "1100000000000000000",
            "channel_id": "1300000000000000000",
            "channel": { "id": "1300000000000000000", "type": 0, "name": "relances" },
            "member": {
                "user": { "id": "80351110224678912", "username": "claire", "discriminator": "0", "global_name": "Claire" },
                "roles": [],
                "permissions": "2248473465835073",
                "joined_at": "2025-05-16T22:51:16.692000+00:00",
            },
            "message": {
                "id": "1400000000000000000",
                "channel_id": "1300000000000000000",
                "type": 0,
                "content": "Relances proposées",
                "components": [{ "type": 1, "id": 1, "components": [] }],
            },
            "data": { "component_type": 2, "id": 2, "custom_id": custom_id },
            "locale": "fr",
            "guild_locale": "fr",
            "app_permissions": "0",
            "entitlements": [],
            "authorizing_integration_owners": { "0": "1100000000000000000" },
            "context": 0,
        })
    }

    #[test]
    fn a_ping_is_answered_with_a_pong() {
        let ping = json!({ "type": 1, "id": "1", "application_id": "2", "token": "t", "version": 1 });
        assert_eq!(parse(ping), DiscordInteraction::Ping);
        assert_eq!(pong(), json!({ "type": 1 }));
    }

    #[test]
    fn a_button_click_in_a_server_names_the_member_the_action_and_the_message() {
        let got = parse(component("soften:20260316-c6a87d7881:2"));
        let expected = DiscordClick {
            user_id: "80351110224678912".into(),
            action: Action::Soften,
            proposal_id: ProposalId::parse("20260316-c6a87d7881").unwrap(),
            rev: Some(2),
            message_id: "1400000000000000000".into(),
            channel_id: "1300000000000000000".into(),
        };
        assert_eq!(got, DiscordInteraction::Click(expected));
    }

    #[test]
    fn a_click_in_a_dm_reads_the_top_level_user() {
        let mut body = component("approve:20260316-c6a87d7881:0");
        body.as_object_mut().unwrap().remove("member");
        body["user"] = json!({ "id": "99", "username": "paul" });
        body.as_object_mut().unwrap().remove("channel_id");
        let DiscordInteraction::Click(click) = parse(body) else { panic!("a click") };
        assert_eq!(
            (click.user_id.as_str(), click.action, click.channel_id.as_str()),
            ("99", Action::Approve, "1300000000000000000")
        );
    }

    #[test]
    fn send_anyway_carries_the_day_and_no_revision() {
        let DiscordInteraction::Click(click) = parse(component("send_anyway:2026-03-16")) else { panic!("a click") };
        assert_eq!(click.action, Action::SendAnyway);
        assert_eq!(click.proposal_id.as_str(), "2026-03-16");
        assert_eq!(click.rev, None);
    }

    #[test]
    fn unknown_buttons_and_commands_are_other() {
        assert_eq!(parse(component("rl:v1:approve:x")), DiscordInteraction::Other);
        assert_eq!(parse(component("approve")), DiscordInteraction::Other);
        assert_eq!(
            parse(json!({ "type": 2, "data": { "name": "relance" }, "user": { "id": "1" } })),
            DiscordInteraction::Other
        );
    }

    #[test]
    fn custom_ids_round_trip_what_the_digest_renders() {
        let id = |s: &str| ProposalId::parse(s).unwrap();
        assert_eq!(parse_custom_id("veto:20260316-c1:12"), Some((Action::Veto, id("20260316-c1"), Some(12))));
        assert_eq!(parse_custom_id("snooze:a:b:7"), Some((Action::Snooze, id("a:b"), Some(7))));
        assert_eq!(parse_custom_id("snooze:a:b"), Some((Action::Snooze, id("a:b"), None)));
        assert_eq!(parse_custom_id("approve:"), None);
        assert_eq!(parse_custom_id("delete:20260316-c1:1"), None);
    }

    #[test]
    fn malformed_bodies_are_errors_not_clicks() {
        assert!(matches!(parse_interaction(b"not json"), Err(InteractionError::Json(_))));
        let mut nobody = component("approve:p:0");
        nobody.as_object_mut().unwrap().remove("member");
        let err = parse_interaction(nobody.to_string().as_bytes()).unwrap_err();
        assert_eq!(err, InteractionError::Missing { kind: 3, what: "user id" });
    }

    /// A MODAL_SUBMIT with a Label-wrapped text input, as documented.
    fn modal_submit(custom_id: &str, components: Value) -> Value {
        json!({
            "type": 5,
            "id": "1210000000000000002",
            "application_id": "1200000000000000000",
            "token": "dG9rZW4",
            "version": 1,
            "channel_id": "1300000000000000000",
            "member": { "user": { "id": "80351110224678912", "username": "julie" } },
            "message": { "id": "1400000000000000000", "channel_id": "1300000000000000000" },
            "data": { "custom_id": custom_id, "components": components },
        })
    }

    #[test]
    fn a_submitted_veto_modal_gives_the_trimmed_reason() {
        let label = json!([{ "type": 18, "id": 1, "component": { "type": 4, "id": 2, "custom_id": "reason", "value": "  client en négociation \n" } }]);
        let got = parse(modal_submit("veto_reason:20260316-c6a87d7881", label));
        assert_eq!(
            got,
            DiscordInteraction::VetoReason {
                user_id: "80351110224678912".into(),
                proposal_id: ProposalId::parse("20260316-c6a87d7881").unwrap(),
                reason: Some("client en négociation".into()),
                message_id: Some("1400000000000000000".into()),
            }
        );
    }

    #[test]
    fn a_veto_modal_from_an_action_row_or_left_blank_parses_too() {
        let row = json!([{ "type": 1, "components": [{ "type": 4, "custom_id": "reason", "value": "promesse" }] }]);
        let DiscordInteraction::VetoReason { reason, .. } = parse(modal_submit("veto_reason:p1", row)) else {
            panic!()
        };
        assert_eq!(reason.as_deref(), Some("promesse"));
        let blank = json!([{ "type": 18, "component": { "type": 4, "custom_id": "reason", "value": "   " } }]);
        let DiscordInteraction::VetoReason { reason, .. } = parse(modal_submit("veto_reason:p1", blank)) else {
            panic!()
        };
        assert_eq!(reason, None);
        assert_eq!(parse(modal_submit("feedback:p1", json!([]))), DiscordInteraction::Other);
    }

    #[test]
    fn update_message_keeps_only_response_fields() {
        let page = json!({ "content": "c", "embeds": [], "components": [], "allowed_mentions": { "parse": [] }, "nonce": "x", "tts": false });
        assert_eq!(
            update_message(&page),
            json!({ "type": 7, "data": { "content": "c", "embeds": [], "components": [], "allowed_mentions": { "parse": [] } } })
        );
    }

    #[test]
    fn ephemeral_replies_are_private_and_ping_no_one() {
        let reply = ephemeral("@everyone refusé");
        assert_eq!(reply["type"], 4);
        assert_eq!(reply["data"]["flags"], 64);
        assert_eq!(reply["data"]["allowed_mentions"], json!({ "parse": [] }));
        assert_eq!(ephemeral(&"x".repeat(5000))["data"]["content"].as_str().unwrap().chars().count(), 2000);
    }

    #[test]
    fn the_veto_modal_asks_an_optional_reason_within_discord_limits() {
        let id = ProposalId::parse("20260316-c6a87d7881").unwrap();
        let modal = veto_modal(&id, "Société Générale des Eaux et Forêts du Grand Est", Language::Fr);
        assert_eq!(modal["type"], 9);
        let data = &modal["data"];
        assert_eq!(data["custom_id"], "veto_reason:20260316-c6a87d7881");
        let title = data["title"].as_str().unwrap();
        assert!(title.starts_with("Veto : Société") && title.chars().count() <= 45, "{title}");
        let label = &data["components"][0];
        assert_eq!(label["type"], 18);
        assert!(label["label"].as_str().unwrap().chars().count() <= 45);
        assert!(label["description"].as_str().unwrap().chars().count() <= 100);
        let input = &label["component"];
        assert_eq!(
            (input["type"].clone(), input["style"].clone(), input["required"].clone()),
            (json!(4), json!(2), json!(false))
        );
        assert!(input["placeholder"].as_str().unwrap().chars().count() <= 100);
        assert_eq!(veto_modal(&id, "ACME", Language::En)["data"]["title"], "Veto: ACME");
    }
}
