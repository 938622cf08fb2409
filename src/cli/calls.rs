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
use crate::store::Store;
use chrono::NaiveDate;

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

/// The day's call tasks, the ledger streamed page by page as for the plan.
///
/// No call attempt is stored yet: the outcomes (issue 6, second part) will
/// read them here and pass them to the planner, which already closes a call
/// once answered or after `max_call_attempts` tries.
pub async fn calls_day(store: &dyn Store, policy: &Policy, today: NaiveDate) -> anyhow::Result<Vec<CallTask>> {
    let attempts: Vec<CallAttempt> = Vec::new();
    let mut planner = CallPlanner::new(policy, &attempts, today);
    store
        .ledger_pages(today, &mut |accounts| {
            planner.add(&accounts);
            Ok(())
        })
        .await?;
    Ok(planner.finish())
}
