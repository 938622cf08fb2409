//! `/relance` on `POST /discord/interactions`, after the signature check in
//! `discord_routes`: the command, its client autocomplete and the buttons a
//! reply offers.
//!
//! Discord gives 3 s for the first answer. A typed command is therefore
//! answered at once with "thinking…" (deferred, private unless `public`),
//! and the reply replaces it through the interaction token (`PATCH
//! …/messages/@original`), however long the command takes. A reply's button
//! is answered inline when the command is quick, deferred otherwise.

use super::command_runs::{answer_within, commands_failed, spawn_answer};
use super::state::Services;
use crate::chat::discord_reply::{
    autocomplete_result, deferred, discord_reply, ephemeral_reply, MAX_AUTOCOMPLETE_CHOICES,
};
use crate::chat::discord_slash::{ClientTyped, SlashCommand};
use crate::commands::{self, Reply};
use crate::people::Platform;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// A typed `/relance …`: deferred now, the reply edited in when ready.
pub fn on_command(svc: Arc<Services>, command: SlashCommand) -> Response {
    let task = spawn_answer(&svc, Platform::Discord, &command.user_id, &command.text);
    let public = command.public;
    tokio::spawn(edit_when_done(svc, command, task));
    Json(deferred(public)).into_response()
}

/// A reply's `cmd:` button: the command's reply, to the clicker only.
pub async fn on_button(svc: Arc<Services>, command: SlashCommand) -> Response {
    match answer_within(&svc, Platform::Discord, &command.user_id, &command.text, svc.waits.discord_button).await {
        Ok(reply) => Json(ephemeral_reply(discord_reply(&reply, svc.lang()))).into_response(),
        Err(task) => {
            tokio::spawn(edit_when_done(svc, command, task));
            Json(deferred(false)).into_response()
        }
    }
}

/// The clients matching what is typed, best first; none when the search is
/// slower than Discord waits.
pub async fn on_autocomplete(svc: Arc<Services>, typed: Option<ClientTyped>) -> Response {
    let Some(typed) = typed else { return Json(autocomplete_result(&[])).into_response() };
    let search = commands::suggest_clients(&svc, &typed.typed, MAX_AUTOCOMPLETE_CHOICES);
    let choices = tokio::time::timeout(svc.waits.autocomplete, search).await.unwrap_or_else(|_| {
        tracing::warn!("discord autocomplete: client search too slow, answered with no choice");
        Vec::new()
    });
    Json(autocomplete_result(&choices)).into_response()
}

/// Waits for the command and replaces the deferred answer with its reply.
async fn edit_when_done(svc: Arc<Services>, command: SlashCommand, task: JoinHandle<Reply>) {
    let reply = task.await.unwrap_or_else(|panicked| {
        tracing::error!(error = %panicked, "discord command task failed");
        commands_failed(&svc)
    });
    let Some(discord) = &svc.platforms.discord else { return };
    let body = discord_reply(&reply, svc.lang());
    if let Err(err) = discord.api.edit_original(&command.application_id, &command.token, &body).await {
        tracing::warn!(error = %err, "discord: the command's answer could not be edited in");
    }
}
