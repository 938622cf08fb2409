//! The morning schedule: `digest.schedule` (a cron expression, read in the
//! configured timezone), business days only. A server started after today's
//! time with no digest posted yet posts it at once, so a restart at 09:00
//! does not skip a day.

use super::publish::publish;
use super::state::Services;
use chrono::{DateTime, Utc};
use cron::Schedule;
use std::str::FromStr;
use std::sync::Arc;

/// The job name of the morning digest in the `jobs` table.
const DIGEST_JOB: &str = "digest";

/// Runs until the process stops.
pub async fn run(svc: Arc<Services>) {
    let schedule = match Schedule::from_str(&svc.config().digest.schedule) {
        Ok(schedule) => schedule,
        Err(err) => {
            tracing::error!(error = %err, "digest.schedule is not a cron expression: scheduler off");
            return;
        }
    };
    catch_up(&svc, &schedule).await;
    if svc.clock.is_replayed() {
        tracing::info!("replayed clock (--now): the scheduler posts no further digest");
        return;
    }
    loop {
        let tz = svc.clock.tz();
        let now = svc.clock.now().with_timezone(&tz);
        let Some(next) = schedule.after(&now).next() else { return };
        let wait = (next.with_timezone(&Utc) - svc.clock.now()).to_std().unwrap_or_default();
        tracing::info!(next = %next, "next digest");
        tokio::time::sleep(wait).await;
        post(&svc).await;
    }
}

/// Posts today's digest now if today's scheduled time has passed and none
/// was posted yet.
async fn catch_up(svc: &Services, schedule: &Schedule) {
    let now = svc.clock.now();
    if !passed_today(schedule, svc, now) {
        return;
    }
    match svc.store.digest(svc.clock.today()).await {
        Ok(Some(_)) => {}
        Ok(None) => post(svc).await,
        Err(err) => tracing::error!(error = %err, "cannot read today's digest"),
    }
}

/// Whether one of today's scheduled times is at or before `now`.
fn passed_today(schedule: &Schedule, svc: &Services, now: DateTime<Utc>) -> bool {
    let tz = svc.clock.tz();
    let today = svc.clock.today();
    let midnight = today.and_hms_opt(0, 0, 0).expect("valid time");
    let Some(start) = chrono::TimeZone::from_local_datetime(&tz, &midnight).earliest() else {
        return false;
    };
    schedule.after(&(start - chrono::Duration::seconds(1))).next().is_some_and(|t| t.date_naive() == today && t <= now)
}

/// A claim on today's posting older than this, never finished, is taken
/// over: its instance died mid-way.
const STALE_CLAIM_MINUTES: i64 = 10;

/// Posts today's digest, unless another instance on the same database is
/// posting it or has: several `relance serve` share one database, and the
/// channel must get one digest.
async fn post(svc: &Services) {
    let (today, owner) = (svc.clock.today(), crate::delivery::setup::owner_name());
    let stale = chrono::Duration::minutes(STALE_CLAIM_MINUTES);
    match svc.store.claim_job(DIGEST_JOB, today, &owner, stale).await {
        Ok(true) => {}
        Ok(false) => return tracing::info!(%today, "another instance posts today's digest"),
        Err(err) => return tracing::error!(error = %err, "cannot claim today's digest"),
    }
    let posted = publish(svc).await;
    if posted.is_ok() {
        if let Err(err) = svc.store.finish_job(DIGEST_JOB, today, &owner).await {
            tracing::warn!(error = %err, "digest posted, but not marked done");
        }
    }
    match posted {
        Ok(Some(done)) => tracing::info!(day = %done.day, entries = done.entries, pages = ?done.pages, "digest posted"),
        Ok(None) => {}
        Err(err) => tracing::error!(error = %format!("{err:#}"), "digest not posted"),
    }
}
