//! `relance calls`: today's call tasks, apart from `relance plan` (whose
//! output does not change): who to phone, about what, and what to say.

use super::plan::non_business_day;
use super::App;
use crate::config::Config;
use crate::digest::call_lines::{call_count, calls_title, no_calls, plain_call};
use crate::domain::Language;
use crate::policy::calls::{CallAttempt, CallPlanner, CallTask};
use crate::policy::Policy;
use crate::render::format::plain_spaces;
use crate::store::{CallOutcomeRecord, Store};
use chrono::{Days, NaiveDate};

pub async fn run(app: &App, json: bool) -> anyhow::Result<()> {
    let today = app.today();
    let config = &app.loaded.config;
    let tasks = calls_day(app.store.as_ref(), &config.policy, today).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&tasks)?);
    } else if let Some(closed) = non_business_day(config, today) {
        println!("{}", plain_spaces(&closed));
    } else {
        print!("{}", calls_text(config, today, &tasks));
    }
    Ok(())
}

/// The "📞 À appeler" section as terminal text: the title and count, then
/// each call, or a line saying there is none.
pub fn calls_text(config: &Config, today: NaiveDate, tasks: &[CallTask]) -> String {
    let lang = config.digest.language;
    let colon = if lang == Language::Fr { " :" } else { ":" };
    let mut text = format!("{}{colon} {}\n", plain_spaces(&calls_title(today, lang)), call_count(tasks.len(), lang));
    if tasks.is_empty() {
        text.push_str(no_calls(lang));
        text.push('\n');
    }
    for task in tasks {
        text.push('\n');
        text.push_str(&plain_call(task, lang));
        text.push('\n');
    }
    text
}

/// How far back the planner reads the calls' outcomes: a call step expires
/// once the written escalation moves past it, well within a year.
const ATTEMPTS_DAYS: u64 = 366;

/// The call tasks left to make today, the ledger streamed page by page as
/// for the plan: a call closes once answered or after `max_call_attempts`
/// unanswered tries, and one tried today is not listed again.
pub async fn calls_day(store: &dyn Store, policy: &Policy, today: NaiveDate) -> anyhow::Result<Vec<CallTask>> {
    let (attempts, _) = stored_attempts(store, today).await?;
    let mut planner = CallPlanner::new(policy, &attempts, today);
    store
        .ledger_pages(today, &mut |accounts| {
            planner.add(&accounts);
            Ok(())
        })
        .await?;
    Ok(planner.finish())
}

/// The day's "📞 À appeler" page: the calls due today, those already tried
/// today included (`CallPlanner::for_the_day`), and today's outcomes to show
/// under them. Also used by the digest's posting, which plans it in its own
/// pass over the ledger from [`stored_attempts`].
pub async fn calls_page(
    store: &dyn Store,
    policy: &Policy,
    today: NaiveDate,
) -> anyhow::Result<(Vec<CallTask>, Vec<CallOutcomeRecord>)> {
    let (attempts, outcomes) = stored_attempts(store, today).await?;
    let mut planner = CallPlanner::for_the_day(policy, &attempts, today);
    store
        .ledger_pages(today, &mut |accounts| {
            planner.add(&accounts);
            Ok(())
        })
        .await?;
    Ok((planner.finish(), outcomes))
}

/// The attempts the planner counts, and today's outcomes.
pub async fn stored_attempts(
    store: &dyn Store,
    today: NaiveDate,
) -> anyhow::Result<(Vec<CallAttempt>, Vec<CallOutcomeRecord>)> {
    Ok(split_attempts(&call_records(store, today).await?, today))
}

/// The call outcomes recorded within the year before `today`: every attempt
/// the call planner may count.
pub async fn call_records(store: &dyn Store, today: NaiveDate) -> anyhow::Result<Vec<CallOutcomeRecord>> {
    Ok(store.call_outcomes(today - Days::new(ATTEMPTS_DAYS), today).await?)
}

/// The attempts among `records`, and today's outcomes.
pub fn split_attempts(records: &[CallOutcomeRecord], today: NaiveDate) -> (Vec<CallAttempt>, Vec<CallOutcomeRecord>) {
    let attempts = records.iter().map(CallOutcomeRecord::attempt).collect();
    let today_only = records.iter().filter(|r| r.call.day == today).cloned().collect();
    (attempts, today_only)
}
