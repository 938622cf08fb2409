//! Telling a client's owner (from `people:`) that a call found a dispute or
//! an internal block: a message in the chat mentioning them on each platform
//! that is on, and an e-mail when they have an address and SMTP is set.
//!
//! Sent after the outcome is stored, never before: a pass reads the
//! outcomes of the last [`NOTICE_DAYS`] days from `call_attempts` and sends
//! each notice not sent yet. Once per outcome and channel: each send is a
//! row of the `jobs` table (`owner_notice:{task}:{channel}`, the outcome's
//! day), claimed before sending and finished after, so two instances or two
//! passes never send it twice. A failed send leaves its claim unfinished;
//! a pass after [`RETRY_MINUTES`] takes it over and tries again, until the
//! outcome is older than [`NOTICE_DAYS`]. Each failure is logged.
//!
//! A pass runs right after an outcome is recorded, and with every pass of
//! the sender, which makes the retries.

use super::state::Services;
use crate::delivery::SendOutcome;
use crate::digest::owner_notice::{discord_notice, owner_notice, slack_notice, teams_notice, OwnerNotice};
use crate::people::Person;
use crate::policy::call_outcome::consequence;
use crate::store::CallOutcomeRecord;
use chrono::Days;

/// Outcomes older than this are no longer notified (nor retried).
const NOTICE_DAYS: u64 = 3;
/// A claim left unfinished this long (a failed send, a dead instance) is
/// taken over by the next pass.
const RETRY_MINUTES: i64 = 10;

/// Where a notice goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Slack,
    Discord,
    Teams,
    Email,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Channel::Slack => "slack",
            Channel::Discord => "discord",
            Channel::Teams => "teams",
            Channel::Email => "email",
        }
    }
}

/// Sends the notices not sent yet; logs what fails (retried by a later pass).
pub async fn send_due(svc: &Services) {
    if let Err(err) = pass(svc).await {
        tracing::error!(error = %format!("{err:#}"), "owner notices: pass failed");
    }
}

async fn pass(svc: &Services) -> anyhow::Result<()> {
    let today = svc.clock.today();
    let rules = &svc.config().policy.calls;
    let records = svc.store.call_outcomes(today - Days::new(NOTICE_DAYS), today).await?;
    for record in records.iter().filter(|r| consequence(&r.outcome, rules, r.call.day).notify_owner) {
        notify(svc, record).await?;
    }
    Ok(())
}

/// One outcome's notice, on each channel not done yet.
async fn notify(svc: &Services, record: &CallOutcomeRecord) -> anyhow::Result<()> {
    let today = svc.clock.today();
    let Some(account) = svc.store.account(&record.call.client_id, today).await? else { return Ok(()) };
    let people = svc.people();
    let Some(owner) = people.owner(account.client.owner.as_deref()) else {
        tracing::warn!(client = %record.call.client_id, "owner notice: the client has no owner in people:");
        return Ok(());
    };
    let lang = svc.lang();
    let invoices = &record.call.invoices;
    let Some(notice) =
        owner_notice(&record.outcome, &account.client.name, invoices, &record.actor.name, record.call.day, lang)
    else {
        return Ok(());
    };
    let instance = crate::delivery::setup::owner_name();
    let stale = chrono::Duration::minutes(RETRY_MINUTES);
    for channel in channels(svc, owner) {
        let job = format!("owner_notice:{}:{}", record.call.task_id, channel.as_str());
        if !svc.store.claim_job(&job, record.call.day, &instance, stale).await? {
            continue;
        }
        match send(svc, channel, owner, &notice, &job).await {
            Ok(()) => {
                svc.store.finish_job(&job, record.call.day, &instance).await?;
                tracing::info!(task = %record.call.task_id, channel = channel.as_str(), "owner notified");
            }
            Err(err) => tracing::warn!(
                task = %record.call.task_id,
                channel = channel.as_str(),
                error = %format!("{err:#}"),
                "owner notice not sent; retried in {RETRY_MINUTES} minutes"
            ),
        }
    }
    Ok(())
}

/// The platforms that are on, and e-mail when the owner has an address
/// and SMTP is set.
fn channels(svc: &Services, owner: &Person) -> Vec<Channel> {
    let p = &svc.platforms;
    let mut out = Vec::new();
    if p.slack.is_some() {
        out.push(Channel::Slack);
    }
    if p.discord.is_some() || p.discord_webhook.is_some() {
        out.push(Channel::Discord);
    }
    if p.teams.is_some() {
        out.push(Channel::Teams);
    }
    if svc.mail.is_some() && owner.email.as_deref().is_some_and(|e| !e.trim().is_empty()) {
        out.push(Channel::Email);
    }
    out
}

async fn send(svc: &Services, channel: Channel, owner: &Person, notice: &OwnerNotice, key: &str) -> anyhow::Result<()> {
    let p = &svc.platforms;
    match channel {
        Channel::Slack => {
            let slack = p.slack.as_ref().expect("slack is on");
            slack.api.post_message(&slack.channel, &slack_notice(notice, owner)).await?;
        }
        Channel::Discord => match (&p.discord, &p.discord_webhook) {
            (Some(discord), _) => {
                discord.api.post(&discord.channel_id, &discord_notice(notice, owner)).await?;
            }
            (None, Some(url)) => crate::chat::discord_api::post_webhook(url, &discord_notice(notice, owner)).await?,
            (None, None) => {}
        },
        Channel::Teams => {
            let url = p.teams.as_deref().expect("teams is on");
            crate::chat::teams_api::post_card(&svc.http, url, &teams_notice(notice, owner, svc.lang())).await?;
        }
        Channel::Email => email(svc, owner, notice, key).await?,
    }
    Ok(())
}

async fn email(svc: &Services, owner: &Person, notice: &OwnerNotice, key: &str) -> anyhow::Result<()> {
    let (Some(mail), Some(to)) = (&svc.mail, owner.email.as_deref()) else { return Ok(()) };
    let text = crate::render::duplicate::DuplicateText { subject: notice.subject.clone(), body: notice.line.clone() };
    let composed =
        crate::mail::compose_plain(&text, &owner.name, to.trim(), &svc.mail_from, key, Vec::new(), svc.clock.now())?;
    match mail.send(&composed).await {
        SendOutcome::Sent { .. } => Ok(()),
        SendOutcome::Transient { reason, .. } | SendOutcome::Permanent { reason } => anyhow::bail!("{reason}"),
    }
}
