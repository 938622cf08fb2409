//! `POST /discord/interactions`: PING, button clicks, the veto-reason modal,
//! the call outcomes (`discord_call_outcomes`) and `/relance` (handled in
//! `discord_commands`).
//!
//! Discord removes an endpoint that accepts a bad signature, so everything
//! is verified on the raw bytes first (401 otherwise). A click is answered
//! inline with the re-rendered message (`UPDATE_MESSAGE`) — deciding takes
//! milliseconds, far inside Discord's 3 s — and the other platforms' copies
//! are updated in the background.

use super::publish::{render_page, DayState};
use super::state::{unix_now, Services};
use super::{clicks, discord_call_outcomes, discord_commands};
use crate::chat::discord_interaction::{
    ephemeral, parse_interaction, pong, update_message, veto_modal, DiscordClick, DiscordInteraction,
};
use crate::chat::discord_signature::verify_discord_with_key;
use crate::decision::{Action, Click};
use crate::domain::ProposalId;
use crate::people::Platform;
use crate::render::format::truncate_chars;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use std::sync::Arc;

pub async fn interactions(State(svc): State<Arc<Services>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(discord) = &svc.platforms.discord else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let verified = verify_discord_with_key(
        &discord.public_key,
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
        &body,
        unix_now(),
    );
    if let Err(err) = verified {
        svc.metrics.signature_failed("discord");
        tracing::warn!(error = %err, "discord request refused");
        return (StatusCode::UNAUTHORIZED, "invalid request signature").into_response();
    }
    match parse_interaction(&body) {
        Ok(DiscordInteraction::Ping) => Json(pong()).into_response(),
        Ok(DiscordInteraction::Click(click)) => on_click(svc, click).await,
        Ok(DiscordInteraction::VetoReason { user_id, proposal_id, reason, message_id }) => {
            let click = DiscordClick {
                user_id,
                action: Action::Veto,
                proposal_id,
                rev: None,
                message_id: message_id.unwrap_or_default(),
                channel_id: String::new(),
            };
            decide(svc, click, reason).await
        }
        Ok(DiscordInteraction::CallOutcome { user_id, button }) => {
            discord_call_outcomes::on_click(svc, user_id, button).await
        }
        Ok(DiscordInteraction::CallOutcomeForm { user_id, button, typed }) => {
            discord_call_outcomes::on_submit(svc, user_id, button, typed).await
        }
        Ok(DiscordInteraction::Command(command)) => discord_commands::on_command(svc, command),
        Ok(DiscordInteraction::CommandButton(command)) => discord_commands::on_button(svc, command).await,
        Ok(DiscordInteraction::Autocomplete(typed)) => discord_commands::on_autocomplete(svc, typed).await,
        Ok(DiscordInteraction::Other) => Json(ephemeral("🤷")).into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "discord payload not understood");
            (StatusCode::BAD_REQUEST, "payload not understood").into_response()
        }
    }
}

/// Discord messages hold 2,000 characters.
const PREVIEW_CHARS: usize = 1_990;

/// Veto first asks for an optional reason (a modal); the others decide now.
async fn on_click(svc: Arc<Services>, click: DiscordClick) -> Response {
    if click.action == Action::Preview {
        return match clicks::preview(&svc, Platform::Discord, &click.user_id, &click.proposal_id).await {
            Ok(text) => Json(ephemeral(&truncate_chars(&text, PREVIEW_CHARS))).into_response(),
            Err(err) => {
                tracing::warn!(error = %err, "preview not rendered");
                Json(ephemeral("⚠️")).into_response()
            }
        };
    }
    if click.action == Action::Veto && svc.person(Platform::Discord, &click.user_id).is_some() {
        let id = &click.proposal_id;
        if let Ok(entries) = svc.store.entries_by_id(std::slice::from_ref(id)).await {
            if let Some(entry) = entries.first() {
                return Json(veto_modal(id, &entry.proposal.client_name, svc.lang())).into_response();
            }
        }
    }
    decide(svc, click, None).await
}

async fn decide(svc: Arc<Services>, c: DiscordClick, reason: Option<String>) -> Response {
    let proposal_id = c.proposal_id.clone();
    let click = Click { proposal_id: proposal_id.clone(), action: c.action, rev: c.rev, reason, days: None };
    let answer = match clicks::handle(&svc, Platform::Discord, &c.user_id, click).await {
        Ok(answer) => answer,
        Err(err) => {
            tracing::error!(error = %err, "discord click not recorded");
            return Json(ephemeral("⚠️ relance could not record this decision; please try again.")).into_response();
        }
    };
    if let Some(text) = &answer.refusal {
        if !answer.changed {
            return Json(ephemeral(text)).into_response();
        }
    }
    let updated = match updated_page(&svc, c.action, &proposal_id, &c.message_id).await {
        Ok(Some(body)) => Json(update_message(&body)).into_response(),
        Ok(None) => Json(ephemeral("✅")).into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "discord: page not re-rendered");
            Json(ephemeral("✅")).into_response()
        }
    };
    // The clicked message is already updated by the answer; the other
    // copies (other pages' headers, Slack) follow in the background.
    svc.touched(super::act_routes::touched(c.action, proposal_id));
    updated
}

/// The clicked message, rendered again with the entries' new states.
async fn updated_page(
    svc: &Services,
    action: Action,
    id: &ProposalId,
    message_id: &str,
) -> anyhow::Result<Option<Value>> {
    let mut day = svc.clock.today();
    // Decisions are on today's digest; a letter may be posted from an earlier one.
    if action == Action::LetterPosted {
        if let Some(entry) = svc.store.entries_by_id(std::slice::from_ref(id)).await?.first() {
            day = entry.proposal.date;
        }
    }
    let messages = svc.store.messages(day, Platform::Discord).await?;
    let Some(message) = messages.iter().find(|m| m.message_id == message_id) else {
        return Ok(None);
    };
    let day = DayState::read(svc, message.day).await?;
    // The "📞 À appeler" pages are not counted: "Page 1/1" stays right.
    let pages = messages.iter().filter(|m| !super::publish::is_calls_page(m)).count();
    Ok(Some(render_page(svc, &day, Platform::Discord, message, pages).await?))
}
