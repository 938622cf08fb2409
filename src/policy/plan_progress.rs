//! Where an approved instalment plan stands on a given day, pure.
//!
//! Payments are not tied to instalments by the client (a transfer rarely
//! says "instalment 2"), so they are matched by amount: what the plan's
//! invoices have received since the plan was made (the plan's total less
//! what they still owe) is compared with the running total of the schedule.
//! Instalment k is paid once that amount reaches the sum of instalments
//! 1..=k, so partial payments count and an early or double payment covers
//! the next instalments too.
//!
//! An unpaid instalment is missed `grace_days` business days after its date
//! (a transfer takes a day or two to show in the bank file): from the next
//! business day on, the plan is broken and the policy's stages resume. While
//! it is in force, the planner leaves its invoices alone; the client only
//! gets a friendly note `reminder_days_before` days before each instalment
//! ([`note_due`], queued and sent by `crate::instalment_notes`).

use super::calendar::Calendar;
use super::instalments::Instalment;
use crate::ledger::{InvoiceState, PlanInForce};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `policy.instalments` in bot-config.yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InstalmentRules {
    /// Calendar days before an instalment's date when the friendly note is due.
    pub reminder_days_before: u32,
    /// Business days after an instalment's date before it counts as missed.
    pub grace_days: u32,
}

impl Default for InstalmentRules {
    fn default() -> Self {
        Self { reminder_days_before: 3, grace_days: 2 }
    }
}

/// A plan on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// What the plan's invoices received since it was made (at most its total).
    pub paid: Decimal,
    /// Instalments fully covered by `paid`, from the first.
    pub paid_count: u32,
    pub standing: Standing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "standing")]
pub enum Standing {
    /// Every instalment is paid.
    Completed,
    /// `missed` was not paid in time: the policy's stages are back.
    Broken { missed: Instalment, missed_on: NaiveDate },
    /// The plan holds its invoices; `next` is the first unpaid instalment,
    /// `note_today` whether its friendly note is due today.
    InForce { next: Instalment, note_today: bool },
}

impl Progress {
    pub fn in_force(&self) -> bool {
        matches!(self.standing, Standing::InForce { .. })
    }
}

/// What the plan's invoices received since the plan was made: its total
/// less what they still owe, within `0..=total`. An invoice of the plan
/// absent from `invoices` is counted as paid (the snapshot keeps settled
/// invoices for a year, longer than any plan).
pub fn paid_towards(plan: &PlanInForce, invoices: &[InvoiceState]) -> Decimal {
    let still_due: Decimal =
        invoices.iter().filter(|i| plan.invoices.contains(&i.number)).map(InvoiceState::amount_due).sum();
    (plan.total - still_due).clamp(Decimal::ZERO, plan.total)
}

/// The first day an unpaid instalment counts as missed.
pub fn missed_on(instalment: &Instalment, rules: &InstalmentRules, calendar: &Calendar) -> NaiveDate {
    calendar.add_business_days(instalment.due_date, rules.grace_days + 1)
}

/// The day the friendly note before an instalment is proposed: the first
/// business day on or after `reminder_days_before` days before it, if that
/// is still before the instalment's date (else no note: the date is too close).
pub fn note_day(instalment: &Instalment, rules: &InstalmentRules, calendar: &Calendar) -> Option<NaiveDate> {
    let raw = instalment.due_date.checked_sub_days(Days::new(u64::from(rules.reminder_days_before)))?;
    Some(calendar.on_or_after(raw)).filter(|day| *day < instalment.due_date)
}

/// The instalment whose friendly note is to go out on `today`, if any: the
/// next unpaid instalment of a plan in force, from its note day (see
/// [`note_day`]) to its date inclusive. The days after the note day are a
/// catch-up for a morning the digest was not posted (the server down): the
/// note still makes sense up to the date itself ("due today"), never after
/// it, when the instalment is late and the grace, then the policy, take over.
/// Whether the note already went is the queue's business (one per instalment).
pub fn note_due(
    plan: &PlanInForce,
    paid: Decimal,
    rules: &InstalmentRules,
    calendar: &Calendar,
    today: NaiveDate,
) -> Option<Instalment> {
    let Standing::InForce { next, .. } = progress(plan, paid, rules, calendar, today).standing else {
        return None;
    };
    let from = note_day(&next, rules, calendar)?;
    (from <= today && today <= next.due_date).then_some(next)
}

/// The business day the note before `next` will go out, seen from `today`
/// when it has not been queued yet: its note day, or the next digest's day
/// for a catch-up; none when that would be after the instalment's date.
pub fn next_note_on(
    next: &Instalment,
    rules: &InstalmentRules,
    calendar: &Calendar,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let day = note_day(next, rules, calendar)?.max(calendar.on_or_after(today));
    (day <= next.due_date).then_some(day)
}

/// Where `plan` stands on `today`, given what its invoices received (`paid`,
/// see [`paid_towards`]).
pub fn progress(
    plan: &PlanInForce,
    paid: Decimal,
    rules: &InstalmentRules,
    calendar: &Calendar,
    today: NaiveDate,
) -> Progress {
    let mut covered = Decimal::ZERO;
    let mut paid_count = 0;
    for instalment in &plan.instalments {
        covered += instalment.amount;
        if covered > paid {
            break;
        }
        paid_count += 1;
    }
    let standing = match plan.instalments.iter().find(|i| i.number > paid_count) {
        None => Standing::Completed,
        Some(next) => {
            let missed_on = missed_on(next, rules, calendar);
            if today >= missed_on {
                Standing::Broken { missed: next.clone(), missed_on }
            } else {
                let note_today = note_day(next, rules, calendar) == Some(today);
                Standing::InForce { next: next.clone(), note_today }
            }
        }
    };
    Progress { paid, paid_count, standing }
}

/// The account's invoices an approved plan holds today: the planner does not
/// chase them on their own due dates.
pub fn held_invoices<'a>(
    plans: &'a [PlanInForce],
    invoices: &[InvoiceState],
    rules: &InstalmentRules,
    calendar: &Calendar,
    today: NaiveDate,
) -> Vec<&'a crate::domain::InvoiceNumber> {
    plans
        .iter()
        .filter(|plan| progress(plan, paid_towards(plan, invoices), rules, calendar, today).in_force())
        .flat_map(|plan| plan.invoices.iter())
        .collect()
}

#[cfg(test)]
#[path = "plan_progress_tests.rs"]
mod tests;
