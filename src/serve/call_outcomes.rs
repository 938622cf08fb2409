//! What came of a call, from a verified Slack click or modal to the store
//! and back to the "📞 À appeler" page. The finding and recording steps are
//! the platforms' common part (`discord_call_outcomes` is Discord's shell).
//!
//! A click finds its call again by reading one account (the button names
//! the client) and planning that client's call for today as the page does,
//! so a button of an earlier day, or of a call since closed, records
//! nothing. The roles are the holds' (`Person::may_hold`): an outcome puts
//! holds on the call's invoices. A voicemail is recorded at the click; the
//! other outcomes open a modal first (`call_outcome_modal`) and are recorded
//! at its submission. The outcome, its holds, the copy of the invoices it
//! asks for and their audit entries go in one transaction
//! (`Store::record_call_outcome`); then the call pages are re-rendered with
//! the outcome in place and edited.

use super::state::Services;
use crate::chat::slack_call_modal::{call_outcome_modal, form_errors, notice};
use crate::decision::{refusal_text, Refusal};
use crate::digest::call_buttons::CallButton;
use crate::domain::Language;
use crate::ledger::{Account, Hold};
use crate::people::{Person, Platform};
use crate::policy::call_outcome::{consequence, held, read, Asks, Outcome, OutcomeForm};
use crate::policy::calls::{CallPlanner, CallTask};
use crate::store::{Actor, CallRef};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use std::sync::Arc;

/// The call a button is about, as today's page plans it, and who may act.
pub(super) struct Found {
    pub(super) task: CallTask,
    account: Account,
    pub(super) person: Person,
    /// Where the click came from: the audit's `via`.
    platform: Platform,
}

/// The person, the call, the role, and that nobody answered it already;
/// else why nothing is recorded, told to the clicker only.
pub(super) async fn find(
    svc: &Services,
    platform: Platform,
    user_id: &str,
    button: &CallButton,
) -> anyhow::Result<Result<Found, String>> {
    match svc.person(platform, user_id) {
        Some(person) => find_for(svc, person, platform, button).await,
        None => Ok(Err(refusal_text(&Refusal::Unknown, svc.lang()))),
    }
}

/// [`find`] for a person already known (signed in on a link's page).
pub(super) async fn find_for(
    svc: &Services,
    person: Person,
    platform: Platform,
    button: &CallButton,
) -> anyhow::Result<Result<Found, String>> {
    let lang = svc.lang();
    let located = match locate(svc, button).await? {
        Ok(located) => located,
        Err(text) => return Ok(Err(text)),
    };
    if !person.may_hold(located.account.client.owner.as_deref()) {
        return Ok(Err(not_allowed(lang)));
    }
    if let Some(text) = located.answered {
        return Ok(Err(text));
    }
    Ok(Ok(Found { task: located.task, account: located.account, person, platform }))
}

/// A call as today's list has it, whoever asks.
pub(super) struct Located {
    pub(super) task: CallTask,
    account: Account,
    /// Today's outcomes, for the page that shows the call.
    pub(super) outcomes: Vec<crate::store::CallOutcomeRecord>,
    /// "Cet appel a déjà son issue (…)" when someone answered it today.
    pub(super) answered: Option<String>,
}

/// Plans the button's client's call for today as the page does; else why
/// there is no such call any more.
pub(super) async fn locate(svc: &Services, button: &CallButton) -> anyhow::Result<Result<Located, String>> {
    let lang = svc.lang();
    let today = svc.clock.today();
    let store = svc.store.as_ref();
    let Some(account) = store.account(&button.client_id, today).await? else {
        return Ok(Err(gone(lang)));
    };
    let (attempts, outcomes) = crate::cli::stored_attempts(store, today).await?;
    let mut planner = CallPlanner::for_the_day(&svc.config().policy, &attempts, today);
    planner.add(std::slice::from_ref(&account));
    let Some(task) = planner.finish().into_iter().find(|t| t.id == button.task_id) else {
        return Ok(Err(gone(lang)));
    };
    let answered = outcomes
        .iter()
        .find(|r| r.call.task_id == task.id && r.outcome.kind().answered())
        .map(|done| already(&done.outcome, &done.actor.name, lang));
    Ok(Ok(Located { task, account, outcomes, answered }))
}

impl Found {
    /// The client's address in the ledger: the modal's pre-filled copy
    /// address, and the one taken when the caller leaves it empty.
    pub(super) fn client_email(&self) -> Option<&crate::domain::EmailAddress> {
        self.account.client.email.as_ref()
    }
}

impl Located {
    /// The client's address in the ledger (see [`Found::client_email`]).
    pub(super) fn client_email(&self) -> Option<&crate::domain::EmailAddress> {
        self.account.client.email.as_ref()
    }
}

/// Stores the outcome with the holds it puts on the call's invoices; the
/// outcome as stored, which is what to tell: a "not received" whose copy
/// could not be queued (an invoice paid meanwhile) keeps no address, so
/// nothing claims a copy left.
pub(super) async fn record(svc: &Arc<Services>, found: &Found, outcome: &Outcome) -> anyhow::Result<Outcome> {
    let today = svc.clock.today();
    let rules = &svc.config().policy.calls;
    let effect = consequence(outcome, rules, today);
    let holds: Vec<_> = match &effect.hold {
        None => Vec::new(),
        Some(change) => found
            .task
            .invoices
            .iter()
            .map(|i| {
                let current = found.account.invoices.iter().find(|s| s.number == i.number).map(|s| &s.hold);
                (i.number.clone(), held(change, current.unwrap_or(&Hold::default())))
            })
            .collect(),
    };
    let call = CallRef {
        task_id: found.task.id.clone(),
        client_id: found.task.client_id.clone(),
        invoices: found.task.invoices.iter().map(|i| i.number.clone()).collect(),
        offset_days: found.task.offset_days,
        day: today,
    };
    let actor = Actor { name: found.person.name.clone(), via: found.platform.as_str().into() };
    let (duplicate, outcome) = match outcome {
        Outcome::NotReceived { to } => match duplicate_of(svc, &call.invoices, to.as_ref(), today).await {
            Some(dup) => (Some(dup), outcome.clone()),
            None => (None, Outcome::NotReceived { to: None }),
        },
        _ => (None, outcome.clone()),
    };
    svc.store.record_call_outcome(&call, &outcome, &holds, duplicate.as_ref(), &actor).await?;
    if effect.notify_owner {
        // After the outcome is stored, and without keeping the clicker waiting.
        let svc = svc.clone();
        tokio::spawn(async move { super::owner_notices::send_due(&svc).await });
    }
    Ok(outcome)
}

/// "Invoice not received": a copy of the call's invoices, queued with the
/// outcome (one transaction) to the address the caller confirmed (`to`,
/// checked by `read`; the ledger's when the outcome has none)
/// (`crate::duplicates`), and sent by the sender once. A copy that cannot be
/// queued (an invoice paid meanwhile) is logged, the address masked: the
/// outcome and its grace stand.
async fn duplicate_of(
    svc: &Services,
    invoices: &[crate::domain::InvoiceNumber],
    to: Option<&crate::domain::EmailAddress>,
    today: chrono::NaiveDate,
) -> Option<crate::store::NewDuplicate> {
    match crate::duplicates::prepare(svc.store.as_ref(), invoices, to.map(|t| t.as_str()), today).await {
        Ok(dup) => {
            tracing::info!(to = %crate::duplicates::masked(&dup.recipient), "call outcome: invoice copy queued");
            Some(dup)
        }
        Err(err) => {
            let to = to.map(crate::duplicates::masked).unwrap_or_default();
            tracing::warn!(error = %err, to = %to, "call outcome: invoice copy not queued");
            None
        }
    }
}

/// An outcome button, verified: a voicemail is recorded now, the others
/// open their modal. Answered 200 at once; what follows runs in a task.
pub async fn on_click(
    svc: Arc<Services>,
    user_id: String,
    button: CallButton,
    trigger_id: Option<String>,
    response_url: Option<String>,
) -> Response {
    let found = match find(&svc, Platform::Slack, &user_id, &button).await {
        Ok(found) => found,
        Err(err) => return failed(&err),
    };
    let lang = svc.lang();
    let answer: Result<Option<String>, String> = match found {
        Err(text) => Err(text),
        Ok(found) if button.kind.asks() == Asks::Nothing => match record(&svc, &found, &Outcome::Voicemail).await {
            Ok(stored) => Ok(Some(noted(&stored, lang))),
            Err(err) => return failed(&err),
        },
        Ok(found) => {
            let (name, email) = (&found.task.client_name, found.client_email());
            let modal = call_outcome_modal(&button, name, email, &svc.config().policy.calls, lang);
            if let Some(trigger) = trigger_id.clone() {
                let svc = svc.clone();
                tokio::spawn(async move {
                    let slack = svc.platforms.slack.as_ref().expect("slack is on");
                    if let Err(err) = slack.api.open_modal(&trigger, &modal).await {
                        tracing::warn!(error = %err, "slack: call outcome modal not opened");
                    }
                });
            }
            Ok(None)
        }
    };
    tokio::spawn(async move {
        let slack = svc.platforms.slack.as_ref().expect("slack is on");
        let text = match &answer {
            Ok(text) => text.clone(),
            Err(text) => Some(text.clone()),
        };
        if let (Some(text), Some(url)) = (text, &response_url) {
            if let Err(err) = slack.api.respond(url, &text, true).await {
                tracing::warn!(error = %err, "slack: call outcome notice not delivered");
            }
        }
        if matches!(answer, Ok(Some(_))) {
            refresh_after(&svc).await;
        }
    });
    StatusCode::OK.into_response()
}

/// A modal submitted: read, checked, recorded; an empty 200 closes it, a
/// refused input keeps it open with the error under the input.
pub async fn on_submit(svc: Arc<Services>, user_id: String, button: CallButton, form: OutcomeForm) -> Response {
    let lang = svc.lang();
    let found = match find(&svc, Platform::Slack, &user_id, &button).await {
        Ok(Ok(found)) => found,
        Ok(Err(text)) => return Json(notice("relance", &text, lang)).into_response(),
        Err(err) => return failed(&err),
    };
    let outcome = match read(button.kind, &form, found.client_email(), &svc.config().policy.calls, svc.clock.today()) {
        Ok(outcome) => outcome,
        Err(refused) => return Json(form_errors(&refused, lang)).into_response(),
    };
    if let Err(err) = record(&svc, &found, &outcome).await {
        return failed(&err);
    }
    let follow = svc.clone();
    tokio::spawn(async move { refresh_after(&follow).await });
    match outcome {
        Outcome::CashDifficulty => {
            Json(notice(button.kind.label(lang), &instalments(&button.client_id, lang), lang)).into_response()
        }
        _ => StatusCode::OK.into_response(),
    }
}

/// Re-renders and edits the day's call pages, logging a failure: the
/// outcome is stored whatever becomes of the message.
pub(super) async fn refresh_after(svc: &Services) {
    if let Err(err) = super::publish_calls::refresh_calls(svc, svc.clock.today()).await {
        tracing::warn!(error = %err, "call pages not refreshed");
    }
}

fn failed(err: &anyhow::Error) -> Response {
    tracing::error!(error = %err, "call outcome not recorded");
    (StatusCode::OK, "⚠️ relance could not record this call's outcome; please try again.").into_response()
}

fn gone(lang: Language) -> String {
    match lang {
        Language::Fr => "Cet appel n'est plus dans la liste du jour : rien n'a été enregistré.".into(),
        Language::En => "This call is no longer on today's list: nothing was recorded.".into(),
    }
}

fn not_allowed(lang: Language) -> String {
    match lang {
        Language::Fr => "Désolé, votre rôle ne permet pas d'enregistrer l'issue d'un appel à ce client : rien n'a changé. La finance le peut pour tout client, un commercial pour les siens.".into(),
        Language::En => "Sorry, your role does not allow recording a call's outcome for this client: nothing changed. Finance may for every client, a sales rep for their own.".into(),
    }
}

fn already(outcome: &Outcome, by: &str, lang: Language) -> String {
    match lang {
        Language::Fr => format!("Cet appel a déjà son issue ({}, par {by}) : rien n'a changé.", outcome.describe(lang)),
        Language::En => {
            format!("This call already has its outcome ({}, by {by}): nothing changed.", outcome.describe(lang))
        }
    }
}

pub(super) fn noted(outcome: &Outcome, lang: Language) -> String {
    match lang {
        Language::Fr => format!("📞 Noté : {}.", outcome.describe(lang)),
        Language::En => format!("📞 Noted: {}.", outcome.describe(lang)),
    }
}

/// Cash difficulty: recorded; the instalment plan is the next step, not
/// made here: the answer gives the command, pre-filled with the client and
/// three instalments, to adjust and type.
pub(super) fn instalments(client: &crate::domain::ClientId, lang: Language) -> String {
    match lang {
        Language::Fr => format!(
            "📞 Noté : difficulté de trésorerie. Proposez un échéancier au client avec `/relance echeancier {client} 3` \
             (nombre d'échéances, puis la première date si besoin : `/relance echeancier {client} 3 15/04`)."
        ),
        Language::En => format!(
            "📞 Noted: cash difficulty. Offer the client an instalment plan with `/relance echeancier {client} 3` \
             (the number of instalments, then the first date if needed: `/relance echeancier {client} 3 15/04`)."
        ),
    }
}
