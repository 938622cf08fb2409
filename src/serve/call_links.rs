//! Call outcome links (`GET|POST /call/{token}`): the outcome buttons of
//! the Teams cards and of the local `/digest` page, which cannot call back
//! with a signed interaction. As for the decision links (`act_routes`), the
//! token is HMAC-signed, bound to one call task and one outcome, and
//! expiring; a GET only shows a confirmation page with the fields the
//! outcome asks; the POST of that page, by a person who signs in against
//! `people:`, records the outcome through the platforms' common steps
//! (`call_outcomes`: same call, same role rules, same store transaction).
//!
//! Once per link: the link is spent when an outcome is recorded through it,
//! whoever posts it, so a replayed POST (a double click, a browser resend)
//! records nothing more. A refused POST (wrong code, a field missing, a
//! role that may not) spends nothing and writes nothing.

use super::act_routes::{csrf_for, invalid_link, page, server_error, sign_in, SignIn};
use super::call_outcomes::{find_for, instalments, locate, noted, record, refresh_after};
use super::state::{unix_now, Services};
use crate::chat::links::verify_call_link;
use crate::chat::AuthError;
use crate::digest::build::call_entries;
use crate::digest::call_buttons::CallButton;
use crate::digest::describe::tr;
use crate::people::{Person, Platform};
use crate::policy::call_outcome::{read, Outcome, OutcomeForm};
use crate::web::pages::result_page;
use crate::web::{call_confirm_page, CallConfirmView, CallTyped};
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The confirmation page's form: who, and what the outcome asks.
#[derive(Debug, Default, Deserialize)]
pub struct CallForm {
    #[serde(default)]
    who: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
}

impl CallForm {
    fn typed(&self) -> CallTyped {
        CallTyped {
            date: self.date.clone(),
            reason: self.reason.clone(),
            days: self.days.clone(),
            email: self.email.clone(),
        }
    }

    /// The fields as the outcome rules read them; a date that is not one
    /// reads as none ("give the promised date").
    fn outcome_form(&self) -> OutcomeForm {
        let text = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
        OutcomeForm {
            date: self.date.trim().parse().ok(),
            reason: text(&self.reason),
            days: text(&self.days),
            email: text(&self.email),
        }
    }
}

/// The button a token grants, or why the link is refused.
fn granted(svc: &Services, token: &str) -> Result<CallButton, AuthError> {
    let claims = verify_call_link(svc.links.secret(), token, unix_now())?;
    CallButton::parse(&claims.target).ok_or(AuthError::Malformed("call link"))
}

pub async fn call_get(State(svc): State<Arc<Services>>, Path(token): Path<String>) -> Response {
    let button = match granted(&svc, &token) {
        Ok(button) => button,
        Err(err) => return invalid_link(&svc, &err),
    };
    match confirm(&svc, &button, &token, None, CallTyped::default()).await {
        Ok(html) => page(StatusCode::OK, html),
        Err(err) => server_error(&svc, &err),
    }
}

/// The confirmation page, with an error above the form if any.
async fn confirm(
    svc: &Services,
    button: &CallButton,
    token: &str,
    error: Option<String>,
    typed: CallTyped,
) -> anyhow::Result<String> {
    let (call, notice, client_email) = match locate(svc, button).await? {
        Ok(located) => {
            let client_email = located.client_email().cloned();
            let entries = call_entries(vec![located.task], &svc.people(), &located.outcomes, svc.clock.tz());
            (entries.into_iter().next(), located.answered, client_email)
        }
        Err(text) => (None, Some(text), None),
    };
    Ok(call_confirm_page(&CallConfirmView {
        lang: svc.lang(),
        kind: button.kind,
        call: call.as_ref(),
        notice,
        rules: &svc.config().policy.calls,
        client_email: client_email.as_ref(),
        today: svc.clock.today(),
        csrf: csrf_for(svc, token),
        error,
        typed,
    }))
}

pub async fn call_post(
    State(svc): State<Arc<Services>>,
    Path(token): Path<String>,
    Form(form): Form<CallForm>,
) -> Response {
    let button = match granted(&svc, &token) {
        Ok(button) => button,
        Err(err) => return invalid_link(&svc, &err),
    };
    let person = match sign_in(&svc, &token, &form.csrf, &form.who, &form.code) {
        SignIn::Person(person) => person,
        SignIn::Forged(response) => return response,
        SignIn::WrongCode(error) => {
            return again(&svc, &button, &token, error, &form, StatusCode::UNAUTHORIZED).await;
        }
    };
    match recorded(&svc, &button, &token, person, &form).await {
        Ok(response) => response,
        Err(err) => server_error(&svc, &err),
    }
}

/// The call found for the person, the fields read, the link spent, the
/// outcome recorded; else the page again or why nothing changed.
async fn recorded(
    svc: &Arc<Services>,
    button: &CallButton,
    token: &str,
    person: Person,
    form: &CallForm,
) -> anyhow::Result<Response> {
    let lang = svc.lang();
    let found = match find_for(svc, person, Platform::Web, button).await? {
        Ok(found) => found,
        Err(text) => return Ok(page(StatusCode::FORBIDDEN, result_page(lang, "relance", &text, false))),
    };
    let rules = &svc.config().policy.calls;
    let outcome = match read(button.kind, &form.outcome_form(), found.client_email(), rules, svc.clock.today()) {
        Ok(outcome) => outcome,
        Err(refused) => {
            return Ok(again(svc, button, token, refused.text(lang), form, StatusCode::UNPROCESSABLE_ENTITY).await)
        }
    };
    let spent = hex::encode(Sha256::digest(format!("call\n{token}").as_bytes()));
    if !svc.store.use_link(&spent, &found.person.name).await? {
        let text = tr(
            lang,
            "Ce lien a déjà servi : l'issue d'un appel n'est enregistrée qu'une fois.",
            "This link was already used: a call's outcome is recorded once.",
        );
        return Ok(page(StatusCode::CONFLICT, result_page(lang, "relance", text, false)));
    }
    let outcome = record(svc, &found, &outcome).await?;
    let follow = svc.clone();
    tokio::spawn(async move { refresh_after(&follow).await });
    let text = match outcome {
        Outcome::CashDifficulty => instalments(&found.task.client_id, lang),
        _ => noted(&outcome, lang),
    };
    Ok(page(StatusCode::OK, result_page(lang, "relance", &text, true)))
}

/// The confirmation page again, with the error and what was typed.
async fn again(
    svc: &Services,
    button: &CallButton,
    token: &str,
    error: String,
    form: &CallForm,
    status: StatusCode,
) -> Response {
    match confirm(svc, button, token, Some(error), form.typed()).await {
        Ok(html) => page(status, html),
        Err(err) => server_error(svc, &err),
    }
}
