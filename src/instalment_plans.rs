//! Instalment plans (échéancier) from the CLI and the chat alike: the checks
//! before a plan is stored, finance's decision, and the end of a plan in
//! force (completed or broken) recorded when the day is planned.
//!
//! The arithmetic is `policy::instalments`, where a plan stands on a day
//! `policy::plan_progress`; this module only reads the ledger, checks, and
//! writes through the store (each write audited there).

use crate::domain::{ClientId, EmailAddress, InvoiceNumber, Language};
use crate::ledger::Account;
use crate::policy::instalments::{plan_instalments, Frequency, InstalmentError};
use crate::policy::plan_progress::{paid_towards, progress, Standing};
use crate::policy::Policy;
use crate::store::{Actor, NewPlan, PlanDecision, PlanEnd, PlanRow, Store, StoreError};
use chrono::NaiveDate;

/// What a plan covers: one invoice, or every open invoice of a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Covered {
    Invoice(InvoiceNumber),
    Client(ClientId),
}

/// The request for a plan, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    pub covered: Covered,
    pub count: u32,
    pub first: Option<NaiveDate>,
    pub frequency: Frequency,
}

/// A plan as stored, with the client's e-mail address in the ledger: where
/// the confirmation goes once the plan is approved. None: no confirmation
/// can be sent, and the replies say so (finance tells the client another way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub plan: PlanRow,
    pub confirm_to: Option<EmailAddress>,
}

/// Why a plan was not stored; each says what to change.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("invoice {0} is not in the ledger")]
    UnknownInvoice(InvoiceNumber),
    #[error("client {0} is not in the ledger")]
    UnknownClient(ClientId),
    #[error("invoice {invoice} is already in instalment plan {plan} ({status}): reject or finish that one first")]
    AlreadyInPlan { invoice: InvoiceNumber, plan: i64, status: &'static str },
    #[error("no instalment plan {0}")]
    UnknownPlan(i64),
    #[error("instalment plan {0}: {1}")]
    AlreadyDecided(i64, String),
    #[error(transparent)]
    Schedule(#[from] InstalmentError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for PlanError {
    fn from(err: StoreError) -> Self {
        PlanError::Store(err)
    }
}

/// Checks the request against the ledger and stores the proposed plan
/// (`plan.proposed` in the audit log). Nothing is written when a check fails.
pub async fn propose(
    store: &dyn Store,
    request: &PlanRequest,
    actor: &Actor,
    today: NaiveDate,
) -> Result<Planned, PlanError> {
    let client = match &request.covered {
        Covered::Invoice(number) => {
            store.invoice_client(number).await?.ok_or_else(|| PlanError::UnknownInvoice(number.clone()))?
        }
        Covered::Client(id) => id.clone(),
    };
    let account = store.account(&client, today).await?.ok_or_else(|| PlanError::UnknownClient(client.clone()))?;
    let chosen: Vec<_> = account
        .invoices
        .iter()
        .filter(|i| match &request.covered {
            Covered::Invoice(number) => &i.number == number,
            Covered::Client(_) => i.is_open(),
        })
        .collect();
    let schedule = plan_instalments(&chosen, request.count, request.first, request.frequency, today)?;
    let mut invoices: Vec<InvoiceNumber> = chosen.iter().filter(|i| i.is_open()).map(|i| i.number.clone()).collect();
    invoices.sort();
    refuse_overlap(&store.plans(&client).await?, &invoices)?;
    let plan = NewPlan {
        client_id: client,
        invoices,
        frequency: request.frequency,
        language: account.client.language,
        schedule,
    };
    Ok(Planned { plan: store.propose_plan(&plan, actor).await?, confirm_to: account.client.email })
}

/// An invoice is in one open plan at most.
fn refuse_overlap(plans: &[PlanRow], invoices: &[InvoiceNumber]) -> Result<(), PlanError> {
    for plan in plans.iter().filter(|p| p.status.is_open()) {
        if let Some(invoice) = invoices.iter().find(|n| plan.invoices.contains(n)) {
            let (invoice, plan, status) = (invoice.clone(), plan.id, plan.status.as_str());
            return Err(PlanError::AlreadyInPlan { invoice, plan, status });
        }
    }
    Ok(())
}

/// Finance approves or rejects a proposed plan. An approval queues the
/// confirmation to the client's address in the ledger, sent once by the
/// sender; with no address, nothing is queued and [`Planned::confirm_to`]
/// is none, for the reply to say so.
pub async fn decide(
    store: &dyn Store,
    id: i64,
    approve: bool,
    actor: &Actor,
    today: NaiveDate,
) -> Result<Planned, PlanError> {
    let plan = store.plan(id).await?.ok_or(PlanError::UnknownPlan(id))?;
    let client = store.account(&plan.client_id, today).await?.map(|a| a.client);
    let confirm_to = client.and_then(|c| c.email);
    let decision = match approve {
        true => PlanDecision::Approve { confirm_to: confirm_to.clone(), day: today },
        false => PlanDecision::Reject,
    };
    match store.decide_plan(id, &decision, actor).await {
        Ok(plan) => Ok(Planned { plan, confirm_to }),
        Err(StoreError::NotFound(_)) => Err(PlanError::UnknownPlan(id)),
        Err(StoreError::Conflict(why)) => Err(PlanError::AlreadyDecided(id, why)),
        Err(err) => Err(err.into()),
    }
}

/// A plan in force found ended on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    pub client: ClientId,
    pub plan: i64,
    pub end: PlanEnd,
}

/// The plans of this account that ended by `today`: completed, or broken by
/// a missed instalment.
pub fn ended(account: &Account, policy: &Policy, today: NaiveDate) -> Vec<Ended> {
    account
        .plans
        .iter()
        .filter_map(|plan| {
            let paid = paid_towards(plan, &account.invoices);
            let end = match progress(plan, paid, &policy.instalments, &policy.calendar, today).standing {
                Standing::Completed => PlanEnd::Completed,
                Standing::Broken { missed, .. } => PlanEnd::Broken { missed: missed.number },
                Standing::InForce { .. } => return None,
            };
            Some(Ended { client: account.client.id.clone(), plan: plan.id, end })
        })
        .collect()
}

/// Records the ends found by [`ended`] (each `plan.completed` or
/// `plan.broken` in the audit log, once). Returns those recorded now: a
/// second posting the same day finds them recorded already.
pub async fn record_ends(store: &dyn Store, ends: Vec<Ended>, actor: &Actor) -> Result<Vec<Ended>, StoreError> {
    let mut recorded = Vec::new();
    for ended in ends {
        if store.close_plan(ended.plan, ended.end, actor).await? {
            recorded.push(ended);
        }
    }
    Ok(recorded)
}

/// The digest header's line for a plan that ended, in the team's language:
/// a broken plan first and loud, since its reminders resume today.
pub fn end_line(ended: &Ended, language: Language) -> String {
    let (client, plan) = (&ended.client, ended.plan);
    match (ended.end, language) {
        (PlanEnd::Broken { missed }, Language::Fr) => {
            format!("⚠️ Échéancier n° {plan} de {client} rompu : échéance {missed} impayée, les relances reprennent.")
        }
        (PlanEnd::Broken { missed }, Language::En) => {
            format!("⚠️ Instalment plan {plan} of {client} broken: instalment {missed} unpaid, reminders resume.")
        }
        (PlanEnd::Completed, Language::Fr) => format!("✅ Échéancier n° {plan} de {client} soldé."),
        (PlanEnd::Completed, Language::En) => format!("✅ Instalment plan {plan} of {client} paid in full."),
    }
}
