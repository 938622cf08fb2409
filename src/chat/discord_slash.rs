//! `/relance` on Discord: what a verified application command, autocomplete
//! or `cmd:` button asks, as the text the core reads (`status ACME --public`).
//!
//! Called by [`parse_interaction`](super::discord_interaction::parse_interaction)
//! after the signature was checked. Like the click parser, it reads the few
//! documented fields it needs with small serde structs, so a field Discord
//! adds never makes a command unreadable.

use super::discord_commands::{command_text, sub_command, CLIENT_OPTION, COMMAND_NAME, PUBLIC_OPTION};
use super::discord_interaction::{member_or_user, InteractionError, WireMember, WireUser};
use serde::Deserialize;
use serde_json::Value;

/// `custom_id` prefix of the buttons a reply offers (`cmd:status C042`).
pub const COMMAND_BUTTON_PREFIX: &str = "cmd:";

/// A command to run and answer through the interaction's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashCommand {
    /// The asker: `member.user.id` in a server, `user.id` in a DM.
    pub user_id: String,
    /// What the core reads: `pause Acme Industries 10 négociation`.
    pub text: String,
    /// Shown to the channel (`public: true`), or to the asker only.
    pub public: bool,
    /// To edit the deferred answer: `PATCH /webhooks/{application_id}/{token}/messages/@original`.
    pub application_id: String,
    pub token: String,
}

/// The user is typing a client in `/relance … client:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTyped {
    pub typed: String,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "type")]
    kind: u8,
    application_id: Option<String>,
    token: Option<String>,
    data: Option<WireData>,
    member: Option<WireMember>,
    user: Option<WireUser>,
}

#[derive(Deserialize)]
struct WireData {
    name: Option<String>,
    custom_id: Option<String>,
    #[serde(default)]
    options: Vec<WireOption>,
}

#[derive(Deserialize)]
struct WireOption {
    name: String,
    value: Option<Value>,
    #[serde(default)]
    options: Vec<WireOption>,
    #[serde(default)]
    focused: bool,
}

/// An application command (type 2). `None` for another application's command
/// or an unknown sub-command (a definition registered by an older version).
pub fn parse_command(body: &[u8]) -> Result<Option<SlashCommand>, InteractionError> {
    let wire = read(body)?;
    let data = wire.data.as_ref().ok_or(InteractionError::Missing { kind: wire.kind, what: "data" })?;
    if data.name.as_deref() != Some(COMMAND_NAME) {
        return Ok(None);
    }
    let Some(chosen) = data.options.first() else { return Ok(None) };
    let Some(sub) = sub_command(&chosen.name) else { return Ok(None) };
    let values: Vec<(String, String)> =
        chosen.options.iter().filter_map(|o| Some((o.name.clone(), value_text(o.value.as_ref()?)))).collect();
    let public = chosen.options.iter().any(|o| o.name == PUBLIC_OPTION && o.value == Some(Value::Bool(true)));
    let text = command_text(sub, &values, public);
    answerable(&wire, text, public).map(Some)
}

/// A click on a reply's `cmd:` button (type 3): the command it carries, run
/// for the clicker and answered to them only. `None` for any other button.
pub fn parse_command_button(body: &[u8]) -> Result<Option<SlashCommand>, InteractionError> {
    let wire = read(body)?;
    let custom_id = wire.data.as_ref().and_then(|d| d.custom_id.as_deref()).unwrap_or_default();
    let Some(text) = custom_id.strip_prefix(COMMAND_BUTTON_PREFIX) else { return Ok(None) };
    let text = text.split_whitespace().filter(|w| *w != "--public").collect::<Vec<_>>().join(" ");
    answerable(&wire, text, false).map(Some)
}

/// An autocomplete request (type 4) on the `client` option: what is typed so
/// far. `None` when another option is focused.
pub fn parse_autocomplete(body: &[u8]) -> Result<Option<ClientTyped>, InteractionError> {
    let wire = read(body)?;
    let data = wire.data.as_ref().ok_or(InteractionError::Missing { kind: wire.kind, what: "data" })?;
    let options = data.options.iter().flat_map(|sub| sub.options.iter());
    let focused = options.into_iter().find(|o| o.focused && o.name == CLIENT_OPTION);
    Ok(focused.map(|o| ClientTyped { typed: o.value.as_ref().map(value_text).unwrap_or_default() }))
}

fn read(body: &[u8]) -> Result<Wire, InteractionError> {
    serde_json::from_slice(body).map_err(|e| InteractionError::Json(e.to_string()))
}

fn answerable(wire: &Wire, text: String, public: bool) -> Result<SlashCommand, InteractionError> {
    let kind = wire.kind;
    let user_id = member_or_user(wire.member.as_ref(), wire.user.as_ref())
        .ok_or(InteractionError::Missing { kind, what: "user id" })?;
    let application_id =
        wire.application_id.clone().ok_or(InteractionError::Missing { kind, what: "application_id" })?;
    let token = wire.token.clone().ok_or(InteractionError::Missing { kind, what: "token" })?;
    Ok(SlashCommand { user_id, text, public, application_id, token })
}

/// An option's value as typed: strings as they are, numbers and booleans
/// in their JSON form.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An application command as Discord sends it (receiving-and-responding,
    /// "Interaction Object"), in a server.
    fn command(sub: &str, options: Value) -> Vec<u8> {
        json!({
            "type": 2, "id": "1300000000000000009", "application_id": "42", "token": "tok-en", "version": 1,
            "guild_id": "1", "channel_id": "1100000000000000001", "locale": "fr",
            "member": { "user": { "id": "80351110224678912", "username": "claire" }, "roles": [] },
            "data": { "id": "9", "name": "relance", "type": 1, "options": [{ "type": 1, "name": sub, "options": options }] },
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn a_sub_command_becomes_the_text_the_core_reads() {
        let options = json!([
            { "type": 3, "name": "days-or-date", "value": "2026-04-15" },
            { "type": 3, "name": "client", "value": "C042" },
            { "type": 5, "name": "public", "value": true },
        ]);
        let got = parse_command(&command("pause", options)).unwrap().unwrap();
        assert_eq!(
            got,
            SlashCommand {
                user_id: "80351110224678912".into(),
                text: "pause C042 2026-04-15 --public".into(),
                public: true,
                application_id: "42".into(),
                token: "tok-en".into(),
            }
        );
        let private =
            json!([{ "type": 3, "name": "client", "value": "ACME" }, { "type": 5, "name": "public", "value": false }]);
        let got = parse_command(&command("status", private)).unwrap().unwrap();
        assert_eq!((got.text.as_str(), got.public), ("status ACME", false));
    }

    #[test]
    fn in_a_dm_the_user_is_top_level_and_unknown_commands_are_not_ours() {
        let mut dm: Value = serde_json::from_slice(&command("help", json!([]))).unwrap();
        dm.as_object_mut().unwrap().remove("member");
        dm["user"] = json!({ "id": "111" });
        let got = parse_command(dm.to_string().as_bytes()).unwrap().unwrap();
        assert_eq!((got.user_id.as_str(), got.text.as_str()), ("111", "help"));
        assert_eq!(parse_command(&command("delete", json!([]))).unwrap(), None);
        let mut other = dm.clone();
        other["data"]["name"] = json!("weather");
        assert_eq!(parse_command(other.to_string().as_bytes()).unwrap(), None);
        let mut anonymous = dm;
        anonymous.as_object_mut().unwrap().remove("user");
        assert!(parse_command(anonymous.to_string().as_bytes()).is_err());
    }

    #[test]
    fn autocomplete_reads_the_focused_client_option() {
        let mut body: Value = serde_json::from_slice(&command(
            "status",
            json!([{ "type": 3, "name": "client", "value": "acm", "focused": true }]),
        ))
        .unwrap();
        body["type"] = json!(4);
        assert_eq!(parse_autocomplete(body.to_string().as_bytes()).unwrap(), Some(ClientTyped { typed: "acm".into() }));
        body["data"]["options"][0]["options"][0]["name"] = json!("reason");
        assert_eq!(parse_autocomplete(body.to_string().as_bytes()).unwrap(), None);
    }

    #[test]
    fn a_command_button_runs_its_command_privately() {
        let click = json!({
            "type": 3, "id": "5", "application_id": "42", "token": "tok", "version": 1,
            "user": { "id": "111" },
            "message": { "id": "7", "channel_id": "8" },
            "data": { "custom_id": "cmd:status C042 --public", "component_type": 2 },
        });
        let got = parse_command_button(click.to_string().as_bytes()).unwrap().unwrap();
        assert_eq!((got.text.as_str(), got.public), ("status C042", false));
        let mut digest = click;
        digest["data"]["custom_id"] = json!("approve:20260316-c6a87d7881:1");
        assert_eq!(parse_command_button(digest.to_string().as_bytes()).unwrap(), None);
    }
}
