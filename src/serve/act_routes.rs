//! Signed decision links (`GET|POST /act/{token}`) and the local digest page
//! (`GET /digest`).
//!
//! Mail and chat link scanners open links, some even run scripts: a GET only
//! shows a confirmation page. The decision is the POST of that page's form,
//! by a person who signs in with their name (or e-mail) and personal code
//! from `people:`, and it happens once per link. The form carries a CSRF
//! field derived from the token, so another site cannot post it.

use super::clicks;
use super::publish::view;
use super::refresher::Touched;
use super::state::{unix_now, Services};
use crate::chat::links::{verify_link, LinkClaims};
use crate::decision::{Action, Click};
use crate::domain::ProposalId;
use crate::people::Platform;
use crate::web::pages::{confirm_page, digest_page, result_page, ConfirmView};
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The confirmation page's form.
#[derive(Debug, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    who: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    csrf: String,
}

pub(super) fn page(status: StatusCode, html: String) -> Response {
    (status, Html(html)).into_response()
}

fn lang_texts(svc: &Services) -> (bool, crate::domain::Language) {
    let lang = svc.lang();
    (lang == crate::domain::Language::Fr, lang)
}

pub(super) fn invalid_link(svc: &Services, err: &crate::chat::AuthError) -> Response {
    svc.metrics.signature_failed("web");
    tracing::warn!(error = %err, "decision link refused");
    let (fr, lang) = lang_texts(svc);
    let (title, text) = if fr {
        ("Lien invalide", "Ce lien de décision est invalide ou a expiré. Utilisez le digest du jour.")
    } else {
        ("Invalid link", "This decision link is invalid or has expired. Use today's digest.")
    };
    page(StatusCode::UNAUTHORIZED, result_page(lang, title, text, false))
}

pub(super) fn csrf_for(svc: &Services, token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(svc.links.secret()).expect("any key length");
    mac.update(b"relance/csrf:");
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Who posted a confirmation page, or why nobody is: a form not from our
/// page (403, told at once), or a wrong name or code (the page again).
pub(super) enum SignIn {
    Person(crate::people::Person),
    Forged(Response),
    WrongCode(String),
}

/// The CSRF field checked, then the person signed in against `people:`.
pub(super) fn sign_in(svc: &Services, token: &str, csrf: &str, who: &str, code: &str) -> SignIn {
    let (fr, lang) = lang_texts(svc);
    if !csrf_ok(svc, token, csrf) {
        let text = if fr { "Formulaire invalide : rouvrez le lien." } else { "Invalid form: open the link again." };
        return SignIn::Forged(page(StatusCode::FORBIDDEN, result_page(lang, "CSRF", text, false)));
    }
    match svc.people().sign_in(who, code) {
        Some(person) => SignIn::Person(person.clone()),
        None => {
            svc.metrics.signature_failed("web");
            let error = if fr { "Nom ou code personnel incorrect." } else { "Wrong name or personal code." };
            SignIn::WrongCode(error.to_string())
        }
    }
}

/// [`sign_in`] for a link's POST: the person, or the answer to give at
/// once — 403 for a forged form, the page again (401) for a wrong name or
/// code, rendered by `again` with the error above the form.
pub(super) async fn signed_in<Fut>(
    svc: &Services,
    token: &str,
    (csrf, who, code): (&str, &str, &str),
    again: impl FnOnce(String) -> Fut,
) -> Result<crate::people::Person, Response>
where
    Fut: std::future::Future<Output = anyhow::Result<String>>,
{
    match sign_in(svc, token, csrf, who, code) {
        SignIn::Person(person) => Ok(person),
        SignIn::Forged(response) => Err(response),
        SignIn::WrongCode(error) => Err(match again(error).await {
            Ok(html) => page(StatusCode::UNAUTHORIZED, html),
            Err(err) => server_error(svc, &err),
        }),
    }
}

fn csrf_ok(svc: &Services, token: &str, given: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(svc.links.secret()).expect("any key length");
    mac.update(b"relance/csrf:");
    mac.update(token.as_bytes());
    hex::decode(given.trim()).is_ok_and(|bytes| mac.verify_slice(&bytes).is_ok())
}

pub async fn act_get(State(svc): State<Arc<Services>>, Path(token): Path<String>) -> Response {
    let claims = match verify_link(svc.links.secret(), &token, unix_now()) {
        Ok(claims) => claims,
        Err(err) => return invalid_link(&svc, &err),
    };
    match confirm(&svc, &claims, &token, None).await {
        Ok(html) => page(StatusCode::OK, html),
        Err(err) => server_error(&svc, &err),
    }
}

/// The confirmation page for a link, with an error above the form if any.
async fn confirm(svc: &Services, claims: &LinkClaims, token: &str, error: Option<String>) -> anyhow::Result<String> {
    let day = svc.clock.today();
    let mut shown = None;
    if claims.action != Action::SendAnyway {
        let id = ProposalId::parse(&claims.proposal_id)?;
        let states = svc.store.entries_by_id(&[id]).await?;
        if let Some(state) = states.first() {
            let (_, entries) = view(svc, state.proposal.date, std::slice::from_ref(state)).await?;
            shown = entries.into_iter().next();
        }
    }
    let (fr, lang) = lang_texts(svc);
    let title = if fr { "Décision sur une relance" } else { "Decision on a reminder" };
    Ok(confirm_page(&ConfirmView {
        lang,
        title: title.to_string(),
        action: claims.action,
        entry: shown.as_ref(),
        day,
        csrf: csrf_for(svc, token),
        snooze_days: svc.config().decisions.snooze_days,
        error,
    }))
}

pub async fn act_post(
    State(svc): State<Arc<Services>>,
    Path(token): Path<String>,
    Form(form): Form<ActForm>,
) -> Response {
    let claims = match verify_link(svc.links.secret(), &token, unix_now()) {
        Ok(claims) => claims,
        Err(err) => return invalid_link(&svc, &err),
    };
    let form_fields = (form.csrf.as_str(), form.who.as_str(), form.code.as_str());
    let again = |error| confirm(&svc, &claims, &token, Some(error));
    let person = match signed_in(&svc, &token, form_fields, again).await {
        Ok(person) => person,
        Err(response) => return response,
    };
    match decide(&svc, &claims, &token, person, &form).await {
        Ok(response) => response,
        Err(err) => server_error(&svc, &err),
    }
}

async fn decide(
    svc: &Arc<Services>,
    claims: &LinkClaims,
    token: &str,
    person: crate::people::Person,
    form: &ActForm,
) -> anyhow::Result<Response> {
    let (fr, lang) = lang_texts(svc);
    // Once per link and per person: four eyes means a second finance person
    // may use the same Approve link (Teams cards are posted once a day).
    let digest = hex::encode(Sha256::digest(format!("{token}\n{}", person.name).as_bytes()));
    if !svc.store.use_link(&digest, &person.name).await? {
        let text = if fr {
            "Ce lien a déjà servi : une décision n'est prise qu'une fois."
        } else {
            "This link was already used: a decision is taken once."
        };
        return Ok(page(StatusCode::CONFLICT, result_page(lang, "relance", text, false)));
    }
    let proposal_id = ProposalId::parse(&claims.proposal_id)?;
    let click = Click {
        proposal_id: proposal_id.clone(),
        action: claims.action,
        rev: None,
        reason: Some(form.reason.clone()).filter(|r| !r.trim().is_empty()),
        days: form.days.trim().parse().ok(),
    };
    let answer = clicks::handle_person(svc, person, Platform::Web, click).await?;
    if answer.changed {
        svc.touched(touched(claims.action, proposal_id));
    }
    Ok(match answer.refusal {
        Some(text) => page(StatusCode::FORBIDDEN, result_page(lang, "relance", &text, false)),
        None => {
            let text = match (claims.action, fr) {
                (Action::LetterPosted, true) => "Lettre recommandée enregistrée comme postée aujourd'hui.",
                (Action::LetterPosted, false) => "Registered letter recorded as posted today.",
                (_, true) => "Décision enregistrée.",
                (_, false) => "Decision recorded.",
            };
            page(StatusCode::OK, result_page(lang, "relance", text, true))
        }
    })
}

/// The entries whose messages a decision changed.
pub(super) fn touched(action: Action, id: ProposalId) -> Touched {
    if action == Action::SendAnyway {
        Touched::All
    } else {
        Touched::Entries(vec![id])
    }
}

/// `GET /digest`: today's digest with its buttons as decision links — the
/// whole flow without any chat account.
pub async fn digest(State(svc): State<Arc<Services>>) -> Response {
    let day = svc.clock.today();
    let result = async {
        let states = svc.store.entries(day).await?;
        let (mut header, entries) = view(&svc, day, &states).await?;
        if svc.store.digest(day).await?.is_none() {
            let (fr, _) = lang_texts(&svc);
            header.lines.push(if fr {
                "Pas encore de digest aujourd'hui : il est préparé à l'heure prévue (digest.schedule), ou tout de suite avec `relance digest`.".into()
            } else {
                "No digest yet today: it is prepared at the scheduled time (digest.schedule), or now with `relance digest`.".into()
            });
        }
        let now = unix_now();
        let link = |target: &str, action: Action| svc.links.url(target, action, now);
        let call_link = |button: &crate::digest::call_buttons::CallButton| svc.links.call_url(button, now);
        // The calls are not stored: the page plans them again from the ledger.
        let (tasks, outcomes) = crate::cli::calls_page(svc.store.as_ref(), &svc.config().policy, day).await?;
        let calls = crate::digest::build::call_entries(tasks, &svc.people(), &outcomes, svc.clock.tz());
        anyhow::Ok(digest_page(&header, &entries, &calls, svc.lang(), &link, &call_link))
    }
    .await;
    match result {
        Ok(html) => page(StatusCode::OK, html),
        Err(err) => server_error(&svc, &err),
    }
}

pub(super) fn server_error(svc: &Services, err: &anyhow::Error) -> Response {
    tracing::error!(error = %err, "page failed");
    let (fr, lang) = lang_texts(svc);
    let text = if fr {
        "Erreur interne : rien n'a changé. Réessayez."
    } else {
        "Internal error: nothing changed. Try again."
    };
    page(StatusCode::INTERNAL_SERVER_ERROR, result_page(lang, "relance", text, false))
}
