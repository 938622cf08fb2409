//! `POST /slack/interactions`: button clicks, the veto-reason modal, and
//! the call outcomes' buttons and modals (`call_outcomes.rs`).
//!
//! Slack wants its 200 within 3 s. The click is verified on the raw bytes,
//! decided (a few milliseconds, in the engine's batch) and answered; the
//! message update (`chat.update`), the refusal notice (`response_url`) and
//! the reason modal (`views.open`) follow in a task of their own.

use super::clicks;
use super::state::{unix_now, Services};
use crate::chat::slack_interaction::{parse_slack_interaction, SlackClick, SlackInteraction};
use crate::chat::slack_signature::verify_slack;
use crate::decision::{Action, Click, Effect};
use crate::domain::ProposalId;
use crate::people::Platform;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub async fn interactions(State(svc): State<Arc<Services>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = refusal(&svc, &headers, &body) {
        return refused;
    }
    match parse_slack_interaction(&body) {
        Ok(SlackInteraction::Click(click)) => on_click(svc, click).await,
        Ok(SlackInteraction::Command { user_id, text, response_url }) => {
            super::slack_commands::on_button(svc, user_id, text, response_url)
        }
        Ok(SlackInteraction::VetoReason { user_id, proposal_id, reason }) => {
            on_reason(svc, user_id, proposal_id, reason).await
        }
        Ok(SlackInteraction::CallOutcome { user_id, button, trigger_id, response_url }) => {
            super::call_outcomes::on_click(svc, user_id, button, trigger_id, response_url).await
        }
        Ok(SlackInteraction::CallOutcomeForm { user_id, button, form }) => {
            super::call_outcomes::on_submit(svc, user_id, button, form).await
        }
        Ok(SlackInteraction::Other) => StatusCode::OK.into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "slack payload not understood");
            (StatusCode::BAD_REQUEST, "payload not understood").into_response()
        }
    }
}

/// The answer refusing a request that is not Slack's, checked on its exact
/// bytes: 404 when Slack is off, 401 (counted) when the signature or its
/// timestamp is wrong; `None` for a genuine request.
pub(super) fn refusal(svc: &Services, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
    let Some(slack) = &svc.platforms.slack else {
        return Some(StatusCode::NOT_FOUND.into_response());
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let verified = verify_slack(
        slack.signing_secret.as_bytes(),
        header("x-slack-request-timestamp"),
        header("x-slack-signature"),
        body,
        unix_now(),
    );
    let err = verified.err()?;
    svc.metrics.signature_failed("slack");
    tracing::warn!(error = %err, "slack request refused");
    Some((StatusCode::UNAUTHORIZED, "invalid signature").into_response())
}

async fn on_click(svc: Arc<Services>, c: SlackClick) -> Response {
    let Ok(proposal_id) = ProposalId::parse(&c.proposal_id) else {
        return (StatusCode::BAD_REQUEST, "unknown proposal id").into_response();
    };
    if c.action == Action::Preview {
        return on_preview(svc, c, proposal_id);
    }
    let click = Click { proposal_id: proposal_id.clone(), action: c.action, rev: c.rev, reason: None, days: None };
    let answer = match clicks::handle(&svc, Platform::Slack, &c.user_id, click).await {
        Ok(answer) => answer,
        Err(err) => {
            tracing::error!(error = %err, "slack click not recorded");
            return (StatusCode::OK, "⚠️ relance could not record this decision; please try again.").into_response();
        }
    };
    let vetoed = answer.decided.as_ref().is_some_and(|d| {
        matches!(d.result.as_ref().map(|o| &o.effect), Ok(Effect::Vetoed { .. }))
            && d.entry.as_ref().is_some_and(|e| e.reason.is_none())
    });
    tokio::spawn(async move {
        let slack = svc.platforms.slack.as_ref().expect("slack is on");
        if let (Some(text), Some(url)) = (&answer.refusal, &c.response_url) {
            if let Err(err) = slack.api.respond(url, text, true).await {
                tracing::warn!(error = %err, "slack: refusal notice not delivered");
            }
        }
        if vetoed && c.action == Action::Veto {
            if let (Some(trigger), Some(entry)) =
                (&c.trigger_id, answer.decided.as_ref().and_then(|d| d.entry.as_ref()))
            {
                let name = &entry.proposal.client_name;
                if let Err(err) = slack.api.open_veto_modal(trigger, proposal_id.as_str(), name, svc.lang()).await {
                    tracing::warn!(error = %err, "slack: veto reason modal not opened");
                }
            }
        }
        if answer.changed {
            svc.touched(super::act_routes::touched(c.action, proposal_id));
        }
    });
    StatusCode::OK.into_response()
}

/// Preview: the whole message, to the clicker only, through `response_url`.
fn on_preview(svc: Arc<Services>, c: SlackClick, id: ProposalId) -> Response {
    tokio::spawn(async move {
        let Some(url) = &c.response_url else { return };
        let text = match clicks::preview(&svc, Platform::Slack, &c.user_id, &id).await {
            Ok(text) => crate::digest::slack_escape(&text),
            Err(err) => {
                tracing::warn!(error = %err, "preview not rendered");
                return;
            }
        };
        let slack = svc.platforms.slack.as_ref().expect("slack is on");
        if let Err(err) = slack.api.respond(url, &text, true).await {
            tracing::warn!(error = %err, "slack: preview not delivered");
        }
    });
    StatusCode::OK.into_response()
}

async fn on_reason(svc: Arc<Services>, user_id: String, proposal_id: String, reason: Option<String>) -> Response {
    let Ok(id) = ProposalId::parse(&proposal_id) else {
        return StatusCode::OK.into_response();
    };
    let click = Click { proposal_id: id.clone(), action: Action::Veto, rev: None, reason, days: None };
    match clicks::handle(&svc, Platform::Slack, &user_id, click).await {
        Ok(answer) if answer.changed => svc.touched(super::refresher::Touched::Entries(vec![id])),
        Ok(_) => {}
        Err(err) => tracing::error!(error = %err, "veto reason not recorded"),
    }
    // An empty 200 closes the modal.
    StatusCode::OK.into_response()
}
