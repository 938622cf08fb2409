//! Editing the "📞 À appeler" pages after an outcome is recorded: the day's
//! calls planned again (those tried today kept, `CallPlanner::for_the_day`)
//! with today's outcomes under them, rendered, and each call page edited
//! where it was posted, on Slack and on Discord (a bot's messages; a
//! webhook's carry no buttons). The pages are cut the same whatever the
//! outcomes (`digest::slack_calls` and `digest::discord_calls` count every
//! call's room), so page N still holds the calls it held.

use super::publish::is_calls_page;
use super::state::Services;
use crate::digest::build::call_entries;
use crate::digest::discord_calls::{discord_call_pages, CallButtons};
use crate::digest::model::CallEntry;
use crate::digest::slack_calls::slack_call_pages;
use crate::people::Platform;
use crate::store::PostedMessage;
use chrono::NaiveDate;

/// Re-renders and edits the day's call pages on the platforms whose call
/// pages carry outcome buttons.
pub async fn refresh_calls(svc: &Services, day: NaiveDate) -> anyhow::Result<()> {
    let slack = svc.platforms.slack.as_ref();
    let discord = svc.platforms.discord.as_ref();
    let mut calls: Option<Vec<CallEntry>> = None;
    for platform in [Platform::Slack, Platform::Discord] {
        let on = match platform {
            Platform::Slack => slack.is_some(),
            _ => discord.is_some(),
        };
        let posted = if on { posted_pages(svc, day, platform).await? } else { Vec::new() };
        if posted.is_empty() {
            continue;
        }
        if calls.is_none() {
            let (tasks, outcomes) = crate::cli::calls_page(svc.store.as_ref(), &svc.config().policy, day).await?;
            calls = Some(call_entries(tasks, &svc.people(), &outcomes, svc.clock.tz()));
        }
        let calls = calls.as_deref().unwrap_or_default();
        let pages = match platform {
            Platform::Slack => slack_call_pages(day, calls, svc.lang()),
            _ => discord_call_pages(day, calls, svc.lang(), CallButtons::Interactive),
        };
        if pages.len() != posted.len() {
            tracing::warn!(
                posted = posted.len(),
                now = pages.len(),
                "call pages changed count: editing those in common"
            );
        }
        for (message, body) in posted.iter().zip(&pages) {
            match (platform, slack, discord) {
                (Platform::Slack, Some(s), _) => {
                    s.api.update_message(&message.channel, &message.message_id, body).await?
                }
                (Platform::Discord, _, Some(d)) => d.api.edit(&message.channel, &message.message_id, body).await?,
                _ => {}
            }
        }
    }
    Ok(())
}

/// The day's call pages posted on `platform`, in page order.
async fn posted_pages(svc: &Services, day: NaiveDate, platform: Platform) -> anyhow::Result<Vec<PostedMessage>> {
    let mut posted: Vec<_> = svc.store.messages(day, platform).await?.into_iter().filter(is_calls_page).collect();
    posted.sort_by_key(|m| m.page);
    Ok(posted)
}
