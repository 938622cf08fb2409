//! What a Slack click or modal submission asks for, read from the raw body of
//! `POST /slack/interactions`.
//!
//! Slack sends `application/x-www-form-urlencoded` with a single field,
//! `payload`, holding JSON (docs.slack.dev, "Handling user interaction").
//! This parser runs only AFTER the caller has verified Slack's signature on the
//! exact bytes ([`super::slack_signature`]): nothing here is trusted before.
//!
//! Only the fields the decision needs are read, with serde, so a payload
//! carrying more than the documented shape (Slack adds fields over time) still
//! parses, while a payload missing what a decision needs is refused with a
//! typed [`SlackInteractionError`] (the caller answers 400 and changes nothing).
//!
//! How a click maps back to a decision is fixed by the digest's rendering
//! (`digest::slack`): the `action_id` begins with the English action name
//! before a `:`, the button's `value` is the proposal id (the day, for "send
//! anyway"), and the actions block's `block_id` is `actions:{id}:{rev}`.

use crate::decision::Action;
use crate::digest::call_buttons::{CallButton, CALL_OUTCOME_ACTION};
use crate::policy::call_outcome::OutcomeForm;
use serde::Deserialize;
use std::collections::HashMap;

/// `callback_id` of the veto modal (`views.open`), recognised on submission.
pub const VETO_CALLBACK_ID: &str = "veto_reason";
/// `block_id` of the modal's reason input.
pub const REASON_BLOCK_ID: &str = "veto_reason";
/// `action_id` of the modal's reason input.
pub const REASON_ACTION_ID: &str = "reason";

/// `callback_id` of a call outcome's modal.
pub const CALL_OUTCOME_CALLBACK_ID: &str = "call_outcome";
/// `block_id`s (and `action_id`s) of the call outcome modal's inputs.
pub const OUTCOME_DATE_BLOCK_ID: &str = "outcome_date";
pub const OUTCOME_REASON_BLOCK_ID: &str = "outcome_reason";
pub const OUTCOME_DAYS_BLOCK_ID: &str = "outcome_days";
pub const OUTCOME_EMAIL_BLOCK_ID: &str = "outcome_email";

/// What an interaction asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlackInteraction {
    /// A button of the digest.
    Click(SlackClick),
    /// A button of a command's answer (one of several clients matching):
    /// runs its `value`, a command as if typed after `/relance`.
    Command { user_id: String, text: String, response_url: Option<String> },
    /// The veto modal, submitted: the reason is optional.
    VetoReason { user_id: String, proposal_id: String, reason: Option<String> },
    /// An outcome button of the "📞 À appeler" section.
    CallOutcome { user_id: String, button: CallButton, trigger_id: Option<String>, response_url: Option<String> },
    /// A call outcome's modal, submitted.
    CallOutcomeForm { user_id: String, button: CallButton, form: OutcomeForm },
    /// Anything else (a modal closed, another app surface): acknowledged, ignored.
    Other,
}

/// One button click (`block_actions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackClick {
    /// The Slack member who clicked (`user.id`), to look up in `people:`.
    pub user_id: String,
    pub action: Action,
    /// The button's `value`: the proposal id, or the day for "send anyway".
    pub proposal_id: String,
    /// The entry revision the button was rendered at, from `actions:{id}:{rev}`.
    pub rev: Option<u32>,
    /// Where the clicked message is, for `chat.update`.
    pub channel_id: Option<String>,
    pub message_ts: Option<String>,
    /// For an ephemeral answer to the clicker (a refusal).
    pub response_url: Option<String>,
    /// For `views.open` (the veto reason modal), valid 3 s.
    pub trigger_id: Option<String>,
}

/// Why a body is not an interaction we can act on. Every variant maps to 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlackInteractionError {
    #[error("the form body has no payload field")]
    NoPayload,
    #[error("the payload is not the documented JSON: {0}")]
    BadJson(String),
    #[error("the payload has no {0}")]
    Missing(&'static str),
    #[error("unknown action_id {0:?}")]
    UnknownAction(String),
}

/// Parses the raw form body (`payload=%7B%22type%22…`).
pub fn parse_slack_interaction(body: &[u8]) -> Result<SlackInteraction, SlackInteractionError> {
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| SlackInteractionError::BadJson(e.to_string()))?;
    let json =
        fields.into_iter().find(|(k, _)| k == "payload").map(|(_, v)| v).ok_or(SlackInteractionError::NoPayload)?;
    let payload: Payload = serde_json::from_str(&json).map_err(|e| SlackInteractionError::BadJson(e.to_string()))?;
    match payload.kind.as_str() {
        "block_actions" => click(payload),
        "view_submission" => view_submission(payload),
        _ => Ok(SlackInteraction::Other),
    }
}

/// The first (and, for buttons, only) action of a `block_actions` payload.
fn click(payload: Payload) -> Result<SlackInteraction, SlackInteractionError> {
    let user_id = user_id(&payload)?;
    let first = payload.actions.into_iter().next().ok_or(SlackInteractionError::Missing("actions"))?;
    let name = first.action_id.split(':').next().unwrap_or_default();
    if name == CALL_OUTCOME_ACTION {
        let value = first.value.as_deref().ok_or(SlackInteractionError::Missing("actions[0].value"))?;
        let button = CallButton::parse(value).ok_or(SlackInteractionError::UnknownAction(first.action_id))?;
        return Ok(SlackInteraction::CallOutcome {
            user_id,
            button,
            trigger_id: payload.trigger_id,
            response_url: payload.response_url,
        });
    }
    if name == crate::commands::slack::COMMAND_ACTION {
        let text = first.value.ok_or(SlackInteractionError::Missing("actions[0].value"))?;
        return Ok(SlackInteraction::Command { user_id, text, response_url: payload.response_url });
    }
    let action =
        Action::from_name(name).ok_or_else(|| SlackInteractionError::UnknownAction(first.action_id.clone()))?;
    let proposal_id =
        first.value.filter(|v| !v.trim().is_empty()).ok_or(SlackInteractionError::Missing("actions[0].value"))?;
    let container = payload.container.unwrap_or_default();
    Ok(SlackInteraction::Click(SlackClick {
        user_id,
        action,
        rev: first.block_id.as_deref().and_then(revision),
        proposal_id,
        channel_id: container.channel_id.or(payload.channel.map(|c| c.id)),
        message_ts: container.message_ts.or(payload.message.and_then(|m| m.ts)),
        response_url: payload.response_url,
        trigger_id: payload.trigger_id,
    }))
}

/// The revision at the end of `actions:{id}:{rev}`; none for another shape
/// (an older message, the header's "send anyway").
fn revision(block_id: &str) -> Option<u32> {
    let (_, rev) = block_id.strip_prefix("actions:")?.rsplit_once(':')?;
    rev.parse().ok()
}

/// The veto modal's submission; any other modal is [`SlackInteraction::Other`].
fn view_submission(payload: Payload) -> Result<SlackInteraction, SlackInteractionError> {
    let user_id = user_id(&payload)?;
    let view = payload.view.ok_or(SlackInteractionError::Missing("view"))?;
    if view.callback_id.as_deref() == Some(CALL_OUTCOME_CALLBACK_ID) {
        return call_outcome_form(user_id, view);
    }
    if view.callback_id.as_deref() != Some(VETO_CALLBACK_ID) {
        return Ok(SlackInteraction::Other);
    }
    let proposal_id = view
        .private_metadata
        .filter(|id| !id.trim().is_empty())
        .ok_or(SlackInteractionError::Missing("view.private_metadata"))?;
    let reason = view
        .state
        .and_then(|mut s| s.values.remove(REASON_BLOCK_ID))
        .and_then(|mut block| block.remove(REASON_ACTION_ID))
        .and_then(|input| input.value)
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    Ok(SlackInteraction::VetoReason { user_id, proposal_id, reason })
}

/// The call outcome modal: the button it came from (`private_metadata`) and
/// what was typed. A date Slack's datepicker sent that is not a date is
/// refused like a missing field.
fn call_outcome_form(user_id: String, view: View) -> Result<SlackInteraction, SlackInteractionError> {
    let button = view
        .private_metadata
        .as_deref()
        .and_then(CallButton::parse)
        .ok_or(SlackInteractionError::Missing("view.private_metadata"))?;
    let mut values = view.state.map(|s| s.values).unwrap_or_default();
    let mut input = |block: &str| values.remove(block).and_then(|mut b| b.remove(block));
    let date = match input(OUTCOME_DATE_BLOCK_ID).and_then(|i| i.selected_date) {
        Some(text) => Some(text.parse().map_err(|_| SlackInteractionError::Missing("a valid selected_date"))?),
        None => None,
    };
    let reason = input(OUTCOME_REASON_BLOCK_ID).and_then(|i| i.value);
    let days = input(OUTCOME_DAYS_BLOCK_ID).and_then(|i| i.value);
    let email = input(OUTCOME_EMAIL_BLOCK_ID).and_then(|i| i.value);
    Ok(SlackInteraction::CallOutcomeForm { user_id, button, form: OutcomeForm { date, reason, days, email } })
}

fn user_id(payload: &Payload) -> Result<String, SlackInteractionError> {
    payload
        .user
        .as_ref()
        .map(|u| u.id.clone())
        .filter(|id| !id.is_empty())
        .ok_or(SlackInteractionError::Missing("user.id"))
}

/// The documented payload, reduced to what we read.
#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    kind: String,
    user: Option<User>,
    container: Option<Container>,
    channel: Option<Channel>,
    message: Option<Message>,
    response_url: Option<String>,
    trigger_id: Option<String>,
    #[serde(default)]
    actions: Vec<ActionPayload>,
    view: Option<View>,
}

#[derive(Deserialize)]
struct User {
    id: String,
}

#[derive(Deserialize, Default)]
struct Container {
    message_ts: Option<String>,
    channel_id: Option<String>,
}

#[derive(Deserialize)]
struct Channel {
    id: String,
}

#[derive(Deserialize)]
struct Message {
    ts: Option<String>,
}

#[derive(Deserialize)]
struct ActionPayload {
    action_id: String,
    block_id: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
struct View {
    callback_id: Option<String>,
    private_metadata: Option<String>,
    state: Option<ViewState>,
}

/// `state.values[block_id][action_id]`.
#[derive(Deserialize)]
struct ViewState {
    values: HashMap<String, HashMap<String, InputValue>>,
}

#[derive(Deserialize)]
struct InputValue {
    /// `null` when the optional input was left empty.
    #[serde(default)]
    value: Option<String>,
    /// A datepicker's `YYYY-MM-DD`.
    #[serde(default)]
    selected_date: Option<String>,
}

#[cfg(test)]
#[path = "slack_interaction_tests.rs"]
mod tests;
