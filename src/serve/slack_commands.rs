//! `POST /slack/commands`: the `/relance` slash command, and the buttons of
//! its answers (from `slack_routes`).
//!
//! Slack shows `operation_timeout` when its 200 takes more than 3 s. A
//! status is usually a few milliseconds, but the first command after an
//! import rebuilds the client index, and `digest` plans the whole ledger:
//! so the answer races a 2.5 s timer (`svc.waits.slack`). In time, it is the 200's body; late,
//! the 200 says "⏳" to the asker only and the answer follows through the
//! command's `response_url` once ready.

use super::command_runs::{answer_within, commands_failed};
use super::slack_routes::refusal;
use super::state::Services;
use crate::chat::slack_command::parse_slack_command;
use crate::commands::slack::{slack_reply, slack_wait};
use crate::commands::{answer, Reply};
use crate::people::Platform;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

pub async fn commands(State(svc): State<Arc<Services>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = refusal(&svc, &headers, &body) {
        return refused;
    }
    let command = match parse_slack_command(&body) {
        Ok(command) => command,
        Err(err) => {
            tracing::warn!(error = %err, "slack command not understood");
            return (StatusCode::BAD_REQUEST, "command not understood").into_response();
        }
    };
    let (user, text, url) = (command.user_id, command.text, command.response_url);
    match answer_within(&svc, Platform::Slack, &user, &text, svc.waits.slack).await {
        Ok(reply) => Json(slack_reply(&reply)).into_response(),
        Err(work) => {
            tracing::info!("slack command slower than its deadline: answering through response_url");
            let wait = slack_wait(waiting(&svc));
            tokio::spawn(async move {
                let reply = work.await.unwrap_or_else(|_| commands_failed(&svc));
                follow_up(&svc, &url, &reply).await;
            });
            Json(wait).into_response()
        }
    }
}

/// A button of an answer (one of several clients): runs its command and
/// answers through the interaction's `response_url`.
pub(super) fn on_button(svc: Arc<Services>, user_id: String, text: String, response_url: Option<String>) -> Response {
    tokio::spawn(async move {
        let reply = answer(&svc, Platform::Slack, &user_id, &text).await;
        match response_url {
            Some(url) => follow_up(&svc, &url, &reply).await,
            None => tracing::warn!("slack command button without response_url: answer dropped"),
        }
    });
    StatusCode::OK.into_response()
}

async fn follow_up(svc: &Services, url: &str, reply: &Reply) {
    let Some(slack) = &svc.platforms.slack else { return };
    if let Err(err) = slack.api.respond_with(url, &slack_reply(reply)).await {
        tracing::warn!(error = %err, "slack: command answer not delivered");
    }
}

fn waiting(svc: &Services) -> &'static str {
    crate::status::text::t(svc.lang(), "⏳ Je cherche…", "⏳ Looking it up…")
}
