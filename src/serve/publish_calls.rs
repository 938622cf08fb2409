//! Editing the "📞 À appeler" pages after an outcome is recorded: the day's
//! calls planned again (those tried today kept, `CallPlanner::for_the_day`)
//! with today's outcomes under them, rendered, and each call page edited
//! where it was posted. The pages are cut the same whatever the outcomes
//! (`digest::slack_calls` counts every call's room), so page N still holds
//! the calls it held.

use super::publish::is_calls_page;
use super::state::Services;
use crate::digest::build::call_entries;
use crate::digest::slack_calls::slack_call_pages;
use crate::people::Platform;
use chrono::NaiveDate;

/// Re-renders and edits the day's call pages on Slack (the only platform
/// whose call pages carry outcome buttons yet).
pub async fn refresh_calls(svc: &Services, day: NaiveDate) -> anyhow::Result<()> {
    let Some(slack) = svc.platforms.slack.as_ref() else { return Ok(()) };
    let mut posted: Vec<_> =
        svc.store.messages(day, Platform::Slack).await?.into_iter().filter(is_calls_page).collect();
    if posted.is_empty() {
        return Ok(());
    }
    posted.sort_by_key(|m| m.page);
    let (tasks, outcomes) = crate::cli::calls_page(svc.store.as_ref(), &svc.config().policy, day).await?;
    let calls = call_entries(tasks, &svc.people(), &outcomes, svc.clock.tz());
    let pages = slack_call_pages(day, &calls, svc.lang());
    if pages.len() != posted.len() {
        tracing::warn!(posted = posted.len(), now = pages.len(), "call pages changed count: editing those in common");
    }
    for (message, body) in posted.iter().zip(&pages) {
        slack.api.update_message(&message.channel, &message.message_id, body).await?;
    }
    Ok(())
}
