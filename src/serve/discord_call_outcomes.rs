//! What came of a call, from a verified Discord click or modal to the store:
//! Discord's shell around the common steps of `call_outcomes` (find the call
//! and check the role, record with the holds, refresh the call pages).
//!
//! Discord wants an answer within 3 s and the steps take milliseconds, so
//! every answer is inline: a voicemail is recorded at the click and told
//! only to the clicker (type 4, ephemeral); the other outcomes answer with
//! their modal (type 9), recorded at its submission. A modal submitted
//! cannot stay open with an error, so a bad input is answered ephemeral,
//! naming it, and nothing is recorded. The call pages are edited after.

use super::call_outcomes::{find, instalments, noted, record, refresh_after};
use super::state::Services;
use crate::chat::discord_call_modal::{discord_outcome_modal, TypedOutcome};
use crate::chat::discord_interaction::ephemeral;
use crate::digest::call_buttons::CallButton;
use crate::people::Platform;
use crate::policy::call_outcome::{read, Asks, Outcome};
use axum::response::{IntoResponse, Json, Response};
use std::sync::Arc;

/// An outcome button, verified: a voicemail recorded now, else its modal.
pub async fn on_click(svc: Arc<Services>, user_id: String, button: CallButton) -> Response {
    let found = match find(&svc, Platform::Discord, &user_id, &button).await {
        Ok(Ok(found)) => found,
        Ok(Err(refusal)) => return Json(ephemeral(&refusal)).into_response(),
        Err(err) => return failed(&err),
    };
    if button.kind.asks() != Asks::Nothing {
        let (name, email) = (&found.task.client_name, found.client_email());
        let modal = discord_outcome_modal(&button, name, email, &svc.config().policy.calls, svc.lang());
        return Json(modal).into_response();
    }
    recorded(svc, &found, Outcome::Voicemail).await
}

/// A modal submitted: read, checked, recorded, told to the submitter.
pub async fn on_submit(svc: Arc<Services>, user_id: String, button: CallButton, typed: TypedOutcome) -> Response {
    let lang = svc.lang();
    let found = match find(&svc, Platform::Discord, &user_id, &button).await {
        Ok(Ok(found)) => found,
        Ok(Err(refusal)) => return Json(ephemeral(&refusal)).into_response(),
        Err(err) => return failed(&err),
    };
    let form = match typed.form(lang) {
        Ok(form) => form,
        Err(text) => return Json(ephemeral(&text)).into_response(),
    };
    match read(button.kind, &form, found.client_email(), &svc.config().policy.calls, svc.clock.today()) {
        Ok(outcome) => recorded(svc, &found, outcome).await,
        Err(refused) => Json(ephemeral(&refused.text(lang))).into_response(),
    }
}

/// Records, answers what was recorded, and edits the call pages after.
async fn recorded(svc: Arc<Services>, found: &super::call_outcomes::Found, outcome: Outcome) -> Response {
    let outcome = match record(&svc, found, &outcome).await {
        Ok(stored) => stored,
        Err(err) => return failed(&err),
    };
    let lang = svc.lang();
    let text = match outcome {
        Outcome::CashDifficulty => instalments(&found.task.client_id, lang),
        _ => noted(&outcome, lang),
    };
    tokio::spawn(async move { refresh_after(&svc).await });
    Json(ephemeral(&text)).into_response()
}

fn failed(err: &anyhow::Error) -> Response {
    tracing::error!(error = %err, "discord: call outcome not recorded");
    Json(ephemeral("⚠️ relance could not record this call's outcome; please try again.")).into_response()
}
