//! Instalment plan links (`GET|POST /plan/{token}`): Teams' Approve and
//! Reject under the answer to `@Relance echeancier …`, since an outgoing
//! webhook's reply has no buttons that call back. As for the decision and
//! call links, the token is HMAC-signed under its own context, bound to one
//! plan and one decision, and expiring; a GET only shows the plan and a
//! sign-in form; the POST of that form, by a person who signs in against
//! `people:`, decides through `instalment_plans::decide` like the chat and
//! the CLI (finance only; an approval queues the client's confirmation in
//! the same transaction).
//!
//! Once: the plan's status only moves forward, so a second POST (a double
//! click, the other link, a resent form) finds it decided and says so. A
//! refused POST (wrong code, a role that may not) writes nothing.

use super::act_routes::{csrf_for, invalid_link, page, server_error, signed_in};
use super::state::{unix_now, Services};
use crate::chat::links::{verify_plan_link, PlanLinkClaims};
use crate::digest::describe::tr;
use crate::domain::{Client, Language};
use crate::instalment_plans::{self, PlanError};
use crate::people::{Person, Platform, Role};
use crate::render::plan_schedule::{confirmation_line, decided_title, status_word};
use crate::store::{Actor, PlanRow, PlanStatus};
use crate::web::pages::result_page;
use crate::web::{plan_confirm_page, PlanConfirmView};
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

/// The confirmation page's form: who signs in.
#[derive(Debug, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    who: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf: String,
}

pub async fn plan_get(State(svc): State<Arc<Services>>, Path(token): Path<String>) -> Response {
    let claims = match verify_plan_link(svc.links.secret(), &token, unix_now()) {
        Ok(claims) => claims,
        Err(err) => return invalid_link(&svc, &err),
    };
    match confirm(&svc, &claims, &token, None).await {
        Ok(html) => page(StatusCode::OK, html),
        Err(err) => server_error(&svc, &err),
    }
}

/// The plan and its client as they are now (none when either is gone).
async fn read(svc: &Services, id: i64) -> anyhow::Result<(Option<PlanRow>, Option<Client>)> {
    let Some(plan) = svc.store.plan(id).await? else { return Ok((None, None)) };
    let index = svc.clients.get(svc.store.as_ref()).await?;
    let client = index.get(&plan.client_id).cloned();
    Ok((Some(plan), client))
}

/// The confirmation page, with an error above the form if any.
async fn confirm(
    svc: &Services,
    claims: &PlanLinkClaims,
    token: &str,
    error: Option<String>,
) -> anyhow::Result<String> {
    let lang = svc.lang();
    let (plan, client) = read(svc, claims.plan).await?;
    let warning =
        plan.as_ref().and_then(|p| confirmation_line(p, client.as_ref().and_then(|c| c.email.as_ref()), lang));
    let named = match (&client, &plan) {
        (Some(client), _) => format!("{} ({})", client.name, client.id),
        (None, Some(plan)) => plan.client_id.to_string(),
        (None, None) => String::new(),
    };
    Ok(plan_confirm_page(&PlanConfirmView {
        lang,
        approve: claims.approve,
        id: claims.plan,
        plan: plan.as_ref(),
        client: named,
        warning,
        csrf: csrf_for(svc, token),
        error,
    }))
}

pub async fn plan_post(
    State(svc): State<Arc<Services>>,
    Path(token): Path<String>,
    Form(form): Form<PlanForm>,
) -> Response {
    let claims = match verify_plan_link(svc.links.secret(), &token, unix_now()) {
        Ok(claims) => claims,
        Err(err) => return invalid_link(&svc, &err),
    };
    let form_fields = (form.csrf.as_str(), form.who.as_str(), form.code.as_str());
    let again = |error| confirm(&svc, &claims, &token, Some(error));
    let person = match signed_in(&svc, &token, form_fields, again).await {
        Ok(person) => person,
        Err(response) => return response,
    };
    match decided(&svc, &claims, person).await {
        Ok(response) => response,
        Err(err) => server_error(&svc, &err),
    }
}

/// Finance's decision recorded, or why nothing changed.
async fn decided(svc: &Services, claims: &PlanLinkClaims, person: Person) -> anyhow::Result<Response> {
    let lang = svc.lang();
    if person.role != Role::Finance {
        let text = tr(
            lang,
            "Désolé, seule la finance peut approuver ou refuser un échéancier : rien n'a changé.",
            "Sorry, only finance may approve or reject an instalment plan: nothing changed.",
        );
        return Ok(page(StatusCode::FORBIDDEN, result_page(lang, "relance", text, false)));
    }
    let actor = Actor { name: person.name.clone(), via: Platform::Web.as_str().to_string() };
    let today = svc.clock.today();
    let done = match instalment_plans::decide(svc.store.as_ref(), claims.plan, claims.approve, &actor, today).await {
        Ok(done) => done,
        Err(PlanError::Store(err)) => return Err(err.into()),
        Err(PlanError::AlreadyDecided(..)) => {
            let status = svc.store.plan(claims.plan).await?.map(|p| p.status);
            let text = already(claims.plan, status, lang);
            return Ok(page(StatusCode::CONFLICT, result_page(lang, "relance", &text, false)));
        }
        Err(err) => return Ok(page(StatusCode::NOT_FOUND, result_page(lang, "relance", &err.to_string(), false))),
    };
    tracing::info!(by = %person.name, plan = done.plan.id, approve = claims.approve, "instalment plan decided by link");
    // Today's digest, if posted, is posted again: the plan leaves its header
    // and, approved, its invoices leave the day's entries.
    svc.republish_if_posted().await;
    let mut text = decided_title(&done.plan, done.confirm_to.as_ref(), lang);
    if let Some(line) = confirmation_line(&done.plan, done.confirm_to.as_ref(), lang) {
        text = format!("{text}. {line}");
    }
    Ok(page(StatusCode::OK, result_page(lang, "relance", &text, true)))
}

/// The answer to a second decision: the plan's status as it stands.
fn already(id: i64, status: Option<PlanStatus>, lang: Language) -> String {
    let word = status.map_or(tr(lang, "décidé", "decided"), |s| status_word(s, lang));
    match lang {
        Language::Fr => format!("L'échéancier n° {id} est déjà {word} : il ne se décide qu'une fois, rien n'a changé."),
        Language::En => format!("Instalment plan {id} is already {word}: it is decided once, nothing changed."),
    }
}
