//! Posting the morning digest, and keeping its messages in step with the
//! decisions.
//!
//! The digest is computed once a day from the ledger, its entries are saved
//! (decisions survive a second posting), and each platform that is on gets
//! its pages: posted the first time, edited in place afterwards — a second
//! run the same day updates, never duplicates. After a decision, only the
//! pages holding the decided entries are re-rendered and edited.

use super::state::{unix_now, Services};
use crate::chat::links::Action;
use crate::decision::{EntryState, Status};
use crate::delivery::lines::{delivery_lines, letter_to_post};
use crate::digest::build::{self, ledger_is_fresh, HeaderInput};
use crate::digest::call_buttons::CallButton;
use crate::digest::discord::{discord_digest_pages, discord_page, ButtonKind};
use crate::digest::discord_calls::{discord_call_pages, CallButtons};
use crate::digest::slack::{slack_digest_pages, slack_page};
use crate::digest::slack_calls::slack_call_pages;
use crate::digest::teams::teams_digest_cards;
use crate::digest::teams_calls::teams_call_cards;
use crate::digest::{plan_lines, CallEntry, DigestEntry, DigestHeader, PlanLinks, WaitingPlan};
use crate::domain::{ClientId, ProposalId};
use crate::people::Platform;
use crate::policy::aged::Figures;
use crate::policy::calls::{CallPlanner, CallTask};
use crate::policy::changes::Changes;
use crate::policy::payment_sent::PaymentWatch;
use crate::policy::planner::Planner;
use crate::render::message::{preview, render_message};
use crate::store::{Actor, CallOutcomeRecord, OutboxRow, PostedMessage};
use crate::{instalment_notes, instalment_plans};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// Characters of the message shown per entry.
const PREVIEW_CHARS: usize = 280;

/// What a posting did.
#[derive(Debug, Clone)]
pub struct Published {
    pub day: NaiveDate,
    pub entries: usize,
    /// Pages per platform.
    pub pages: Vec<(Platform, usize)>,
}

/// Computes, saves and posts today's digest. `None` on a closed day.
pub async fn publish(svc: &Services) -> anyhow::Result<Option<Published>> {
    let today = svc.clock.today();
    let config = svc.config();
    if !config.policy.calendar.is_business_day(today) {
        tracing::info!(%today, "not a business day: no digest");
        return Ok(None);
    }
    let (header, states, calls, outcomes) = compute(svc, today).await?;
    let header_json = json!({ "lines": header.lines });
    let actor = Actor { name: "relance".into(), via: "digest".into() };
    let stored = svc.store.save_digest(today, &header_json, &states, &actor).await?;
    let (header, entries) = view(svc, today, &stored).await?;
    let calls = build::call_entries(calls, &svc.people(), &outcomes, svc.clock.tz());
    let mut pages = Vec::new();
    for platform in [Platform::Slack, Platform::Discord, Platform::Teams] {
        if let Some(count) = post(svc, platform, &header, &entries, &calls).await? {
            pages.push((platform, count));
        }
    }
    Ok(Some(Published { day: today, entries: entries.len(), pages }))
}

/// The day's reminders, its header, its calls and today's call outcomes.
type Computed = (DigestHeader, Vec<EntryState>, Vec<CallTask>, Vec<CallOutcomeRecord>);

/// Plans the day's reminders and calls and builds the header in one pass
/// over the ledger.
async fn compute(svc: &Services, today: NaiveDate) -> anyhow::Result<Computed> {
    let config = svc.config();
    let since = svc.store.previous_digest_day(today).await?;
    let mut planner = Planner::new(&config.policy, today);
    // One read of the year's call outcomes: the attempts the call planner
    // counts, today's outcomes, and the payments announced (the last
    // `WATCH_DAYS` of them, which `PaymentWatch` keeps).
    let records = crate::cli::call_records(svc.store.as_ref(), today).await?;
    let (attempts, outcomes) = crate::cli::split_attempts(&records, today);
    let mut calls = CallPlanner::for_the_day(&config.policy, &attempts, today);
    let mut figures = Figures::new(today, crate::cli::DSO_PERIOD_DAYS);
    let mut changes = Changes::new(since.unwrap_or(today - Days::new(1)), today);
    let mut ended_plans = Vec::new();
    let mut notes = Vec::new();
    let mut payments = PaymentWatch::new(&records, config.policy.calls.payment_sent_grace_days, today);
    let last_import_at = svc
        .store
        .ledger_pages(today, &mut |accounts| {
            ended_plans.extend(accounts.iter().flat_map(|a| instalment_plans::ended(a, &config.policy, today)));
            notes.extend(accounts.iter().flat_map(|a| instalment_notes::notes_due(a, &config.policy, today)));
            planner.add(&accounts);
            calls.add(&accounts);
            figures.add(&accounts);
            changes.add(&accounts);
            payments.add(&accounts);
            Ok(())
        })
        .await?;
    let proposals = planner.finish();
    let (aged, dso) = (figures.aged(), figures.dso());
    let actor = Actor { name: "relance".into(), via: "digest".into() };
    let ended_plans = instalment_plans::record_ends(svc.store.as_ref(), ended_plans, &actor).await?;
    let todays_notes = instalment_notes::queue(svc.store.as_ref(), &notes, today, &actor).await?;
    let mut header = build::header(&HeaderInput {
        today,
        now: svc.clock.now(),
        tz: svc.clock.tz(),
        lang: svc.lang(),
        aged: &aged,
        dso: &dso,
        changes: Some(&changes),
        previous_digest: since.is_some(),
        last_import_at,
        max_ledger_age_hours: config.digest.max_ledger_age_hours,
        proposals: proposals.len(),
        payments_not_received: &payments.finish(),
    });
    let plan_lines = ended_plans.iter().map(|e| instalment_plans::end_line(e, svc.lang()));
    let plan_lines = plan_lines.chain(instalment_notes::header_line(&todays_notes, svc.lang()));
    header.lines.splice(0..0, plan_lines);
    let states = proposals
        .into_iter()
        .map(|p| {
            let owner = p.owner.clone();
            EntryState::new(p, owner)
        })
        .collect();
    Ok((header, states, calls.finish(), outcomes))
}

/// The proposed instalment plans, as the header lines them, each with its
/// signed Approve / Reject links (used by Teams and `/digest`; Slack and
/// Discord name the command). A client no longer in the ledger is named by
/// its id.
/// Link expiry runs on the real time, like the other links' (the clock may
/// be replaying a day).
async fn waiting_plans(svc: &Services) -> anyhow::Result<(Vec<WaitingPlan>, usize)> {
    let proposed = svc.store.proposed_plans().await?;
    if proposed.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let index = svc.clients.get(svc.store.as_ref()).await?;
    let name_of = |id: &ClientId| index.get(id).map(|c| c.name.clone());
    let (mut shown, more) = plan_lines::waiting_plans(&proposed, &name_of, svc.lang());
    let unix = unix_now();
    for plan in &mut shown {
        plan.links = Some(PlanLinks {
            approve: svc.links.plan_url(plan.id, true, unix),
            reject: svc.links.plan_url(plan.id, false, unix),
        });
    }
    Ok((shown, more))
}

/// The digest as shown now: stored header lines, freshness re-read (a fresh
/// import lifts the warning), each entry's status and buttons.
pub async fn view(
    svc: &Services,
    day: NaiveDate,
    states: &[EntryState],
) -> anyhow::Result<(DigestHeader, Vec<DigestEntry>)> {
    Ok(DayState::read(svc, day).await?.view(svc, states))
}

/// What every page of a day's digest shares when rendered: the stored header
/// lines and the freshness of the ledger. Read once per rendering, however
/// many pages are re-rendered.
pub struct DayState {
    day: NaiveDate,
    lines: Vec<String>,
    /// The warning to show, when the data is stale and no "send anyway" was given.
    warning: Option<String>,
    /// The day's outbox rows by reminder: what became of the approved messages.
    outbox: HashMap<ProposalId, Vec<OutboxRow>>,
    /// The plans waiting for finance (read now, not stored with the
    /// header: a plan decided leaves the header at the next edit).
    plans: (Vec<WaitingPlan>, usize),
    now: DateTime<Utc>,
}

impl DayState {
    pub async fn read(svc: &Services, day: NaiveDate) -> anyhow::Result<Self> {
        let record = svc.store.digest(day).await?;
        let lines: Vec<String> =
            record.as_ref().and_then(|r| serde_json::from_value(r.header["lines"].clone()).ok()).unwrap_or_default();
        let now = svc.clock.now();
        let last = svc.store.last_import_at().await?;
        let max_age = svc.config().digest.max_ledger_age_hours;
        let sent_anyway = record.as_ref().is_some_and(|r| r.send_anyway.is_some());
        let stale = !ledger_is_fresh(last, now, max_age) && !sent_anyway;
        let warning = stale.then(|| build::stale_warning(last, now, max_age, svc.lang()));
        let mut outbox: HashMap<ProposalId, Vec<OutboxRow>> = HashMap::new();
        for row in svc.store.outbox(day).await? {
            outbox.entry(row.item.proposal_id.clone()).or_default().push(row);
        }
        let plans = waiting_plans(svc).await?;
        Ok(Self { day, lines, warning, outbox, plans, now })
    }

    /// The header and the entries, with each entry's status, buttons and preview.
    pub fn view(&self, svc: &Services, states: &[EntryState]) -> (DigestHeader, Vec<DigestEntry>) {
        let config = svc.config();
        let stale = self.warning.is_some();
        let mut header = DigestHeader::new(self.day, self.lines.clone());
        (header.plans, header.plans_more) = self.plans.clone();
        if stale {
            header.warning = self.warning.clone();
            header.send_anyway = states.iter().any(|s| matches!(s.status, Status::Pending | Status::Approved));
        }
        let people = svc.people();
        let entries = states
            .iter()
            .map(|state| {
                let text = render_message(&state.proposal, &config.company, &svc.templates)
                    .map(|m| preview(&m, PREVIEW_CHARS))
                    .unwrap_or_default();
                let mut entry =
                    build::entry(state, text, &config.decisions, &people, svc.lang(), svc.clock.tz(), stale);
                self.add_deliveries(&mut entry, svc);
                entry
            })
            .collect();
        (header, entries)
    }
}

impl DayState {
    /// Appends to the entry's status what became of its messages, and offers
    /// "📮 Lettre postée" while its letter waits to be posted.
    fn add_deliveries(&self, entry: &mut DigestEntry, svc: &Services) {
        let Some(rows) = self.outbox.get(&entry.proposal.id) else { return };
        let rows: Vec<&OutboxRow> = rows.iter().collect();
        if letter_to_post(&rows) && !entry.buttons.contains(&Action::LetterPosted) {
            entry.buttons.push(Action::LetterPosted);
        }
        let lines = delivery_lines(&rows, svc.lang(), svc.clock.tz(), self.now);
        if lines.is_empty() {
            return;
        }
        let mut status = entry.status.take().unwrap_or_default();
        for line in lines {
            if !status.is_empty() {
                status.push('\n');
            }
            status.push_str(&line);
        }
        entry.status = Some(status);
    }
}

/// A rendered page and the entries it holds.
struct Page {
    body: serde_json::Value,
    entries: Vec<ProposalId>,
}

/// Posts or edits the digest's pages on one platform, then the "📞 À
/// appeler" pages after them (pages holding no entry); `None` when it is off.
async fn post(
    svc: &Services,
    platform: Platform,
    header: &DigestHeader,
    entries: &[DigestEntry],
    calls: &[CallEntry],
) -> anyhow::Result<Option<usize>> {
    let lang = svc.lang();
    let now = unix_now();
    let link = |target: &str, action: Action| svc.links.url(target, action, now);
    let pages: Vec<Page> = match platform {
        Platform::Slack if svc.platforms.slack.is_some() => slack_digest_pages(header, entries, lang)
            .into_iter()
            .map(|p| Page { body: p.body, entries: p.entries })
            .collect(),
        Platform::Discord if svc.platforms.discord.is_some() => {
            discord_digest_pages(header, entries, lang, ButtonKind::Interactive)
                .into_iter()
                .map(|p| Page { body: p.body, entries: p.entries })
                .collect()
        }
        Platform::Discord if svc.platforms.discord_webhook.is_some() => {
            let link_of = |id: &ProposalId, action: Action| link(id.as_str(), action);
            discord_digest_pages(header, entries, lang, ButtonKind::Links(&link_of))
                .into_iter()
                .map(|p| Page { body: p.body, entries: p.entries })
                .collect()
        }
        Platform::Teams if svc.platforms.teams.is_some() => teams_digest_cards(header, entries, lang, &link)
            .into_iter()
            .map(|p| Page { body: p.body, entries: p.entries })
            .collect(),
        _ => return Ok(None),
    };
    let call_pages = match platform {
        Platform::Slack => slack_call_pages(header.date, calls, lang),
        Platform::Discord => {
            let call_link = |button: &CallButton| svc.links.call_url(button, now);
            let buttons = match svc.platforms.discord {
                Some(_) => CallButtons::Interactive,
                None => CallButtons::Links(&call_link),
            };
            discord_call_pages(header.date, calls, lang, buttons)
        }
        Platform::Teams => teams_call_cards(header.date, calls, lang, &|button| svc.links.call_url(button, now)),
        Platform::Web => Vec::new(),
    };
    let mut pages = pages;
    pages.extend(call_pages.into_iter().map(|body| Page { body, entries: Vec::new() }));
    let existing = svc.store.messages(header.date, platform).await?;
    for (index, page) in pages.iter().enumerate() {
        let known = existing.iter().find(|m| m.page as usize == index);
        let message = send_page(svc, platform, page, known).await?;
        let Some((channel, message_id)) = message else { continue };
        let record = PostedMessage {
            day: header.date,
            platform,
            page: index as u32,
            channel,
            message_id,
            entries: page.entries.clone(),
        };
        svc.store.save_messages(&[record]).await?;
        svc.metrics.posted(platform.as_str());
    }
    Ok(Some(pages.len()))
}

/// Posts one page, or edits it where it was posted. Returns where it is, or
/// `None` when nothing was sent (a webhook page already posted today: those
/// messages cannot be edited, and their links open pages that show the
/// current state).
async fn send_page(
    svc: &Services,
    platform: Platform,
    page: &Page,
    known: Option<&PostedMessage>,
) -> anyhow::Result<Option<(String, String)>> {
    let p = &svc.platforms;
    match (platform, known) {
        (Platform::Slack, Some(m)) => {
            let slack = p.slack.as_ref().expect("slack is on");
            slack.api.update_message(&m.channel, &m.message_id, &page.body).await?;
            Ok(Some((m.channel.clone(), m.message_id.clone())))
        }
        (Platform::Slack, None) => {
            let slack = p.slack.as_ref().expect("slack is on");
            let posted = slack.api.post_message(&slack.channel, &page.body).await?;
            tokio::time::sleep(slack.pace).await;
            Ok(Some(posted))
        }
        (Platform::Discord, known) if p.discord.is_some() => {
            let discord = p.discord.as_ref().expect("discord is on");
            match known {
                Some(m) => {
                    discord.api.edit(&m.channel, &m.message_id, &page.body).await?;
                    Ok(Some((m.channel.clone(), m.message_id.clone())))
                }
                None => {
                    let id = discord.api.post(&discord.channel_id, &page.body).await?;
                    Ok(Some((discord.channel_id.clone(), id)))
                }
            }
        }
        (_, Some(_)) => Ok(None),
        (Platform::Discord, None) => {
            let url = p.discord_webhook.as_deref().expect("discord webhook is on");
            crate::chat::discord_api::post_webhook(url, &page.body).await?;
            Ok(Some((String::new(), String::new())))
        }
        (Platform::Teams, None) => {
            let url = p.teams.as_deref().expect("teams is on");
            crate::chat::teams_api::post_card(&svc.http, url, &page.body).await?;
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            Ok(Some((String::new(), String::new())))
        }
        (Platform::Web, None) => Ok(None),
    }
}

/// Re-renders, on the platforms whose messages can be edited, every page
/// holding one of `ids` — on the digest of each entry's own day, since a
/// letter is often posted the day after its digest — or every page of
/// today's digest when `ids` is empty.
pub async fn refresh(svc: &Services, ids: &[ProposalId]) -> anyhow::Result<()> {
    if ids.is_empty() {
        return refresh_day(svc, svc.clock.today(), ids).await;
    }
    let mut days: BTreeMap<NaiveDate, Vec<ProposalId>> = BTreeMap::new();
    for entry in svc.store.entries_by_id(ids).await? {
        days.entry(entry.proposal.date).or_default().push(entry.proposal.id);
    }
    for (day, ids) in days {
        refresh_day(svc, day, &ids).await?;
    }
    Ok(())
}

/// [`refresh`] on one day's digest (every page when `ids` is empty).
async fn refresh_day(svc: &Services, day: NaiveDate, ids: &[ProposalId]) -> anyhow::Result<()> {
    // The header lines and freshness, read once for every page re-rendered.
    let mut shared: Option<DayState> = None;
    for platform in [Platform::Slack, Platform::Discord] {
        let on = match platform {
            Platform::Slack => svc.platforms.slack.is_some(),
            _ => svc.platforms.discord.is_some(),
        };
        if !on {
            continue;
        }
        let messages = svc.store.messages(day, platform).await?;
        let count = messages.iter().filter(|m| !is_calls_page(m)).count();
        let ids: std::collections::HashSet<&ProposalId> = ids.iter().collect();
        for message in &messages {
            let touched =
                !is_calls_page(message) && (ids.is_empty() || message.entries.iter().any(|e| ids.contains(e)));
            if !touched {
                continue;
            }
            if shared.is_none() {
                shared = Some(DayState::read(svc, day).await?);
            }
            let state = shared.as_ref().expect("read just above");
            let body = render_page(svc, state, platform, message, count).await?;
            send_page(svc, platform, &Page { body, entries: message.entries.clone() }, Some(message)).await?;
        }
    }
    Ok(())
}

/// A page after the first that holds no entry is a page of calls, posted
/// after the reminders: a decision's click leaves it alone; a call outcome
/// re-renders it (`publish_calls`).
pub fn is_calls_page(message: &PostedMessage) -> bool {
    message.page > 0 && message.entries.is_empty()
}

/// One stored page, rendered again from the entries' current states.
pub async fn render_page(
    svc: &Services,
    day: &DayState,
    platform: Platform,
    message: &PostedMessage,
    pages: usize,
) -> anyhow::Result<serde_json::Value> {
    let states = svc.store.entries_by_id(&message.entries).await?;
    let (header, entries) = day.view(svc, &states);
    let header = (message.page == 0).then_some(&header);
    // Renderers number pages from 1.
    let (index, lang) = (message.page as usize + 1, svc.lang());
    Ok(match platform {
        Platform::Slack => slack_page(header, &entries, index, pages, lang),
        _ => discord_page(header, &entries, index, pages, lang, ButtonKind::Interactive),
    })
}
