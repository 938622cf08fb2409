//! The friendly note a few days before each instalment of an approved plan.
//!
//! **When it is queued.** When the morning digest is posted (a business day
//! only: no digest, no note on a weekend or holiday), for each plan in force
//! whose next unpaid instalment's note is due (`plan_progress::note_due`:
//! from its note day — `policy.instalments.reminder_days_before` calendar
//! days before, moved to a business day — to the instalment's date, a
//! catch-up for a morning without a digest). The notes go into the
//! `duplicates` queue in one transaction with their audit entries, each keyed
//! by plan and instalment, so a second posting or a second instance queues
//! nothing more. The sender then e-mails it in the sending window.
//!
//! **At send time** it is re-checked on the ledger as it is then
//! ([`still_due`]): an instalment already paid (running total), a plan no
//! longer in force, or an instalment whose date has passed cancels it.
//!
//! Not a reminder: no stage, no proposal, nothing on the invoices' ladder.

use crate::domain::Language;
use crate::ledger::{Account, InvoiceState};
use crate::policy::instalments::Instalment;
use crate::policy::plan_progress::{note_due, paid_towards, progress, InstalmentRules, Standing};
use crate::policy::{Calendar, Policy};
use crate::store::{Actor, NewNote, NoteRow, PlanRow, PlanStatus, Store, StoreError};
use chrono::NaiveDate;

/// The notes of this account due today (a client without an e-mail address
/// gets none: finance sees the plan in `relance status`).
pub fn notes_due(account: &Account, policy: &Policy, today: NaiveDate) -> Vec<NewNote> {
    let Some(to) = &account.client.email else { return Vec::new() };
    account
        .plans
        .iter()
        .filter_map(|plan| {
            let paid = paid_towards(plan, &account.invoices);
            let instalment = note_due(plan, paid, &policy.instalments, &policy.calendar, today)?;
            Some(NewNote {
                plan_id: plan.id,
                client_id: account.client.id.clone(),
                invoices: plan.invoices.clone(),
                instalment,
                recipient: to.clone(),
            })
        })
        .collect()
}

/// Queues the notes found by [`notes_due`] and returns today's: those
/// queued today (now, or by an earlier posting today), not the ones an
/// earlier day queued and the catch-up rule finds due again.
pub async fn queue(
    store: &dyn Store,
    notes: &[NewNote],
    today: NaiveDate,
    actor: &Actor,
) -> Result<Vec<NoteRow>, StoreError> {
    if notes.is_empty() {
        return Ok(Vec::new());
    }
    let stored = store.queue_instalment_notes(notes, today, actor).await?;
    Ok(stored.into_iter().filter(|n| n.day == today).collect())
}

/// The digest header's line for today's notes, in the team's language:
/// « 📅 2 rappels d'échéance partent aujourd'hui : SGE, DUP. »
pub fn header_line(notes: &[NoteRow], language: Language) -> Option<String> {
    const SHOWN: usize = 5;
    if notes.is_empty() {
        return None;
    }
    let mut clients: Vec<&str> = Vec::new();
    for client in notes.iter().map(|n| n.client_id.as_str()) {
        if !clients.contains(&client) {
            clients.push(client);
        }
    }
    let more = clients.len().saturating_sub(SHOWN);
    let mut names = clients.into_iter().take(SHOWN).collect::<Vec<_>>().join(", ");
    if more > 0 {
        names.push_str(&format!(" (+{more})"));
    }
    let n = notes.len();
    Some(match (language, n) {
        (Language::Fr, 1) => format!("📅 1 rappel d'échéance part aujourd'hui : {names}."),
        (Language::Fr, _) => format!("📅 {n} rappels d'échéance partent aujourd'hui : {names}."),
        (Language::En, 1) => format!("📅 1 instalment note goes out today: {names}."),
        (Language::En, _) => format!("📅 {n} instalment notes go out today: {names}."),
    })
}

/// Why a queued note does not leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteCancel {
    /// Broken, completed, or otherwise no longer approved.
    PlanEnded,
    /// The running total of payments covers the instalment already.
    Paid,
    /// The instalment's date passed before the note could leave.
    Passed,
}

impl NoteCancel {
    /// The reason stored with the cancelled row, in the team's language.
    pub fn text(self, language: Language) -> &'static str {
        match (self, language) {
            (NoteCancel::PlanEnded, Language::Fr) => "échéancier plus en cours",
            (NoteCancel::PlanEnded, Language::En) => "instalment plan no longer in force",
            (NoteCancel::Paid, Language::Fr) => "échéance déjà payée",
            (NoteCancel::Paid, Language::En) => "instalment already paid",
            (NoteCancel::Passed, Language::Fr) => "date de l'échéance passée",
            (NoteCancel::Passed, Language::En) => "instalment date passed",
        }
    }
}

/// The re-check at send time, pure: the instalment `number` of `plan` (as
/// stored now) is still to be paid on or after `today`, given the plan's
/// invoices as they stand now.
pub fn still_due(
    plan: Option<&PlanRow>,
    number: u32,
    invoices: &[InvoiceState],
    rules: &InstalmentRules,
    calendar: &Calendar,
    today: NaiveDate,
) -> Result<Instalment, NoteCancel> {
    let plan = plan.filter(|p| p.status == PlanStatus::Approved).ok_or(NoteCancel::PlanEnded)?;
    let in_force = plan.in_force();
    let paid = paid_towards(&in_force, invoices);
    let next = match progress(&in_force, paid, rules, calendar, today).standing {
        Standing::Completed => return Err(NoteCancel::Paid),
        Standing::Broken { .. } => return Err(NoteCancel::PlanEnded),
        Standing::InForce { next, .. } => next,
    };
    let instalment = in_force.instalments.into_iter().find(|i| i.number == number).ok_or(NoteCancel::PlanEnded)?;
    if next.number > number {
        return Err(NoteCancel::Paid);
    }
    if today > instalment.due_date {
        return Err(NoteCancel::Passed);
    }
    Ok(instalment)
}

#[cfg(test)]
#[path = "instalment_notes_tests.rs"]
mod tests;
