//! The decision rules, as one pure function.

use super::{Action, Context, Effect, EntryState, OutboxItem, OutboxOp, Outcome, Refusal, Stamp, Status};
use super::{Click, Person};
use crate::domain::Segment;
use crate::people::{Platform, Role};
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

/// Applies `click` by `person` (through `via`) to `entry`.
///
/// Checks the role first, so a refused click never learns more than "no";
/// then the entry's status, so a repeated click is a [`Effect::Repeat`] and
/// a late click on a closed entry says who closed it.
pub fn decide(
    entry: &EntryState,
    person: &Person,
    via: Platform,
    click: &Click,
    ctx: &Context<'_>,
) -> Result<Outcome, Refusal> {
    allowed(entry, person, click.action)?;
    let stamp = Stamp { by: person.name.clone(), via, at: ctx.now };
    match click.action {
        Action::Approve => approve(entry, stamp, ctx),
        Action::Soften => soften(entry, stamp, click.rev),
        Action::Veto => close(entry, stamp, Status::Vetoed, ctx.rules.veto_days, click.reason.clone(), ctx),
        Action::Snooze => {
            let days = click.days.unwrap_or(ctx.rules.snooze_days).clamp(1, 90);
            close(entry, stamp, Status::Snoozed, days, None, ctx)
        }
        // Not decisions on the entry: handled before the engine (see serve::clicks).
        Action::SendAnyway | Action::Preview | Action::LetterPosted => Err(Refusal::Unsupported),
    }
}

/// Which buttons an entry still shows: all four while pending (Soften only
/// while a gentler tone exists), Veto and Snooze once approved (a queued
/// reminder can still be stopped), none once closed.
pub fn buttons(entry: &EntryState) -> Vec<Action> {
    match entry.status {
        Status::Pending => Action::ALL
            .into_iter()
            .filter(|a| *a != Action::Soften || entry.proposal.tone.softer() != entry.proposal.tone)
            .collect(),
        Status::Approved => vec![Action::Veto, Action::Snooze],
        Status::Vetoed | Status::Snoozed | Status::Withdrawn => Vec::new(),
    }
}

/// Finance may do everything; a sales rep may veto, soften or snooze the
/// clients they own; anyone else nothing.
fn allowed(entry: &EntryState, person: &Person, action: Action) -> Result<(), Refusal> {
    let ok = match person.role {
        Role::Finance => true,
        Role::Sales => {
            matches!(action, Action::Veto | Action::Soften | Action::Snooze) && person.owns(entry.owner.as_deref())
        }
        Role::Viewer => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Refusal::NotAllowed { action })
    }
}

fn closed(entry: &EntryState) -> Refusal {
    Refusal::Closed { status: entry.status, by: entry.closed.as_ref().map(|s| s.by.clone()) }
}

fn approve(entry: &EntryState, stamp: Stamp, ctx: &Context<'_>) -> Result<Outcome, Refusal> {
    match entry.status {
        Status::Approved => return Ok(repeat(entry)),
        Status::Vetoed | Status::Snoozed | Status::Withdrawn => return Err(closed(entry)),
        Status::Pending => {}
    }
    if entry.approvals.iter().any(|a| a.by == stamp.by) {
        return Ok(repeat(entry));
    }
    let mut next = entry.clone();
    next.approvals.push(stamp);
    next.rev += 1;
    if next.approvals.len() < entry.approvals_needed(ctx.rules) {
        return Ok(Outcome { entry: next, effect: Effect::FirstApproval, outbox: None, pause_client_until: None });
    }
    next.status = Status::Approved;
    next.held_for_fresh_data = !ctx.ledger_fresh;
    let item = outbox_item(&next, ctx);
    let effect = Effect::Approved { held: next.held_for_fresh_data };
    Ok(Outcome { entry: next, effect, outbox: Some(OutboxOp::Queue(Box::new(item))), pause_client_until: None })
}

fn soften(entry: &EntryState, stamp: Stamp, seen_rev: Option<u32>) -> Result<Outcome, Refusal> {
    if entry.status != Status::Pending {
        return Err(closed(entry));
    }
    if seen_rev.is_some_and(|rev| rev != entry.rev) {
        return Err(Refusal::Outdated);
    }
    let from = entry.proposal.tone;
    let to = from.softer();
    if to == from {
        return Err(Refusal::Gentlest);
    }
    let mut next = entry.clone();
    next.proposal.tone = to;
    next.softened.insert(0, stamp);
    next.rev += 1;
    Ok(Outcome { entry: next, effect: Effect::Softened { from, to }, outbox: None, pause_client_until: None })
}

/// Veto or snooze: the entry closes, a queued reminder is cancelled, and the
/// client is paused for `days` days counting today.
fn close(
    entry: &EntryState,
    stamp: Stamp,
    status: Status,
    days: u32,
    reason: Option<String>,
    ctx: &Context<'_>,
) -> Result<Outcome, Refusal> {
    if entry.status == status {
        return Ok(add_reason(entry, stamp, reason).unwrap_or_else(|| repeat(entry)));
    }
    if matches!(entry.status, Status::Vetoed | Status::Snoozed | Status::Withdrawn) {
        return Err(closed(entry));
    }
    let today = ctx.now.with_timezone(&ctx.tz).date_naive();
    let until = last_paused_day(today, days);
    let mut next = entry.clone();
    let outbox = (entry.status == Status::Approved).then_some(OutboxOp::Cancel);
    next.status = status;
    next.closed = Some(stamp);
    next.reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    next.until = Some(until);
    next.held_for_fresh_data = false;
    next.rev += 1;
    let effect = if status == Status::Vetoed { Effect::Vetoed { until } } else { Effect::Snoozed { until } };
    Ok(Outcome { entry: next, effect, outbox, pause_client_until: Some(until) })
}

/// `days` days counting today: 7 days from Monday pauses through Sunday.
fn last_paused_day(today: NaiveDate, days: u32) -> NaiveDate {
    today + Days::new(u64::from(days.max(1) - 1))
}

/// A reason given after the veto (Slack's modal opens once the veto is
/// recorded): stored if the entry has none yet.
fn add_reason(entry: &EntryState, stamp: Stamp, reason: Option<String>) -> Option<Outcome> {
    let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty())?;
    if entry.status != Status::Vetoed || entry.reason.is_some() {
        return None;
    }
    let mut next = entry.clone();
    next.reason = Some(reason);
    next.closed = Some(Stamp { at: entry.closed.as_ref().map_or(stamp.at, |s| s.at), ..stamp });
    next.rev += 1;
    let until = next.until.unwrap_or_default();
    Some(Outcome { entry: next, effect: Effect::Vetoed { until }, outbox: None, pause_client_until: None })
}

fn repeat(entry: &EntryState) -> Outcome {
    Outcome { entry: entry.clone(), effect: Effect::Repeat, outbox: None, pause_client_until: None }
}

/// The outbox row of an approved entry. A strategic client's reminder waits
/// for the cut-off, so the owner keeps the morning to veto it.
fn outbox_item(entry: &EntryState, ctx: &Context<'_>) -> OutboxItem {
    let p = &entry.proposal;
    let mut not_before = ctx.now;
    if p.segment == Segment::Strategic {
        not_before = not_before.max(cutoff_instant(p.date, ctx));
    }
    OutboxItem::of(p, not_before, entry.held_for_fresh_data)
}

/// `day` at the strategic cut-off, local time, as an instant.
fn cutoff_instant(day: NaiveDate, ctx: &Context<'_>) -> DateTime<Utc> {
    let local = day.and_time(ctx.rules.strategic_cutoff);
    ctx.tz.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or(ctx.now)
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
