//! `POST /teams/outgoing`: `@Relance status ACME` in a Teams channel (an
//! outgoing webhook).
//!
//! The request is verified on its raw bytes first (the HMAC Teams computes
//! with the webhook's security token; 401 otherwise). It carries no signed
//! timestamp, so a replay is recognised by its activity id, kept in the
//! database ([`Store::first_seen`](crate::store::Store::first_seen)) so that
//! every instance agrees: a second delivery is answered but not run again.
//! An activity stamped before the ids kept ([`SEEN_REQUESTS_KEPT`]) is
//! treated as a replay too, so forgetting old ids opens no gap.
//!
//! A plan's Approve / Reject in the reply are signed `/plan/{token}` links
//! (`plan_links`), the way Teams decides everything else.
//!
//! Teams waits 5 s and offers no way to answer later: the command gets
//! `svc.waits.teams` (4.5 s), after which the answer says it is still working (the
//! command itself finishes in the background).

use super::command_runs::answer_within;
use super::state::{unix_now, Services};
use crate::chat::teams_outgoing::{already_answered, parse_activity, still_working, teams_reply, TeamsMessage};
use crate::chat::teams_signature::verify_teams;
use crate::commands::Command;
use crate::people::Platform;
use crate::store::SEEN_REQUESTS_KEPT;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;

pub async fn outgoing(State(svc): State<Arc<Services>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(key) = &svc.platforms.teams_outgoing else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    if let Err(err) = verify_teams(key, authorization, &body) {
        svc.metrics.signature_failed("teams");
        tracing::warn!(error = %err, "teams request refused");
        return (StatusCode::UNAUTHORIZED, "invalid request signature").into_response();
    }
    let message = match parse_activity(&body) {
        Ok(message) => message,
        Err(err) => {
            tracing::warn!(error = %err, "teams activity not understood");
            return (StatusCode::BAD_REQUEST, "activity not understood").into_response();
        }
    };
    let lang = svc.lang();
    match first_time(&svc, &message).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(activity = %message.id, "teams activity seen before: answered, not run again");
            return Json(already_answered(lang)).into_response();
        }
        Err(err) => {
            tracing::error!(error = %err, "teams: could not check the activity id");
            return Json(json!({ "type": "message", "text": "⚠️ relance: internal error, try again later." }))
                .into_response();
        }
    }
    let text = if message.text.is_empty() { "help" } else { message.text.as_str() };
    match answer_within(&svc, Platform::Teams, &account(&svc, &message), text, svc.waits.teams).await {
        Ok(reply) => Json(teams_reply(&reply, lang, &|command| signed_link(&svc, command))).into_response(),
        Err(_still_running) => Json(still_working(lang)).into_response(),
    }
}

/// The signed link standing for a reply's choice, where there is one: a
/// plan's Approve / Reject (`/plan/{token}`), decided on its confirmation
/// page by someone who signs in, since Teams cannot call back.
fn signed_link(svc: &Services, command: &str) -> Option<String> {
    match crate::commands::parse(command).ok()?.command {
        Command::DecidePlan { plan, approve } => Some(svc.links.plan_url(plan, approve, unix_now())),
        _ => None,
    }
}

/// Whether this activity is new: not stamped before the ids kept, and its
/// id never seen by any instance.
async fn first_time(svc: &Services, message: &TeamsMessage) -> anyhow::Result<bool> {
    let now = chrono::Utc::now();
    if message.timestamp.is_some_and(|sent| now - sent > SEEN_REQUESTS_KEPT) {
        return Ok(false);
    }
    Ok(svc.store.first_seen(&format!("teams:{}", message.id), now).await?)
}

/// The account the core looks up in `people:` (`teams:`): the sender's
/// Entra object id when a person has it — it is what an admin finds in the
/// Entra admin center — else the Teams user id (`29:…`).
fn account(svc: &Services, message: &TeamsMessage) -> String {
    match &message.aad_object_id {
        Some(aad) if svc.person(Platform::Teams, aad).is_some() => aad.clone(),
        _ => message.from_id.clone(),
    }
}
