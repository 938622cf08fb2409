//! Rows of the digest's tables ↔ values. JSON columns (an entry's state, a
//! header, an outbox item) are read back through serde and re-validated:
//! a row edited by hand into something invalid is [`StoreError::Corrupt`].

use crate::decision::{Action, EntryState, OutboxItem, Stamp, Status};
use crate::domain::{Channel, ClientId, ProposalId, Stage, Tone};
use crate::people::Platform;
use crate::policy::Proposal;
use crate::store::backend::Columns;
use crate::store::rows::{client_id, corrupt, parse};
use crate::store::{DecisionRecord, DigestRecord, OutboxRow, OutboxStatus, PostedMessage, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A value as the text of a JSON column.
pub fn to_json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| corrupt(format!("cannot write JSON: {e}")))
}

/// A JSON column's text as a value.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    parse(text, |t| serde_json::from_str(t))
}

pub fn platform(text: &str) -> Result<Platform> {
    Platform::parse(text).ok_or_else(|| corrupt(format!("unknown platform {text:?}")))
}

/// `position, state` of `digest_entries`, and the entry's proposal (a
/// table of its own, see `migrations/*/0013_entry_proposal.sql`).
pub const ENTRY_COLUMNS: &str = "position, CAST(state AS TEXT), (SELECT CAST(p.proposal AS TEXT) \
     FROM digest_proposals p WHERE p.proposal_id = digest_entries.proposal_id)";

pub fn entry(row: &impl Columns) -> Result<(i64, EntryState)> {
    Ok((row.int(0)?, entry_of(row.text(1)?, row.text(2)?)?))
}

/// An entry from its two JSON columns.
pub fn entry_of(state: &str, proposal: &str) -> Result<EntryState> {
    let state: StoredState<'static> = from_json(state)?;
    Ok(state.with(from_json(proposal)?))
}

/// The text of an entry's `state` column: everything but its proposal.
pub fn state_json(entry: &EntryState) -> Result<String> {
    to_json(&StoredState::of(entry))
}

/// An entry's `state` column: the decisions' part of an [`EntryState`],
/// without the proposal (in `digest_proposals`, rewritten only when a
/// decision changes it). Borrowed when written, owned when read; the field
/// names are [`EntryState`]'s, so the column reads as the same document
/// minus one key.
#[derive(Serialize, Deserialize)]
struct StoredState<'a> {
    planned_tone: Tone,
    owner: Cow<'a, Option<String>>,
    status: Status,
    approvals: Cow<'a, [Stamp]>,
    softened: Cow<'a, [Stamp]>,
    closed: Cow<'a, Option<Stamp>>,
    reason: Cow<'a, Option<String>>,
    until: Option<NaiveDate>,
    held_for_fresh_data: bool,
    rev: u32,
}

impl<'a> StoredState<'a> {
    fn of(e: &'a EntryState) -> Self {
        Self {
            planned_tone: e.planned_tone,
            owner: Cow::Borrowed(&e.owner),
            status: e.status,
            approvals: Cow::Borrowed(&e.approvals),
            softened: Cow::Borrowed(&e.softened),
            closed: Cow::Borrowed(&e.closed),
            reason: Cow::Borrowed(&e.reason),
            until: e.until,
            held_for_fresh_data: e.held_for_fresh_data,
            rev: e.rev,
        }
    }

    fn with(self, proposal: Proposal) -> EntryState {
        EntryState {
            proposal,
            planned_tone: self.planned_tone,
            owner: self.owner.into_owned(),
            status: self.status,
            approvals: self.approvals.into_owned(),
            softened: self.softened.into_owned(),
            closed: self.closed.into_owned(),
            reason: self.reason.into_owned(),
            until: self.until,
            held_for_fresh_data: self.held_for_fresh_data,
            rev: self.rev,
        }
    }
}

/// Who said "send anyway" on the digest of the day `$1` (NULL: nobody).
pub const SENT_ANYWAY_SQL: &str = "SELECT send_anyway_actor FROM digests WHERE day = $1";

pub const DIGEST_SELECT: &str = "SELECT day, posted_at, updated_at, CAST(header AS TEXT), \
     send_anyway_actor, send_anyway_via, send_anyway_at FROM digests";

pub fn digest(row: &impl Columns) -> Result<DigestRecord> {
    let send_anyway = match (row.opt_text(4)?, row.opt_text(5)?, row.opt_time(6)?) {
        (None, _, _) => None,
        (Some(by), Some(via), Some(at)) => Some(Stamp { by: by.to_string(), via: platform(via)?, at }),
        (Some(by), _, _) => return Err(corrupt(format!("send anyway by {by:?} without its platform or time"))),
    };
    Ok(DigestRecord {
        day: row.date(0)?,
        posted_at: row.time(1)?,
        updated_at: row.time(2)?,
        header: from_json(row.text(3)?)?,
        send_anyway,
    })
}

pub const MESSAGE_SELECT: &str =
    "SELECT day, platform, page, channel, message_id, CAST(entries AS TEXT) FROM digest_messages";

pub fn message(row: &impl Columns) -> Result<PostedMessage> {
    let page = row.int(2)?;
    Ok(PostedMessage {
        day: row.date(0)?,
        platform: platform(row.text(1)?)?,
        page: u32::try_from(page).map_err(|_| corrupt(format!("page {page}")))?,
        channel: row.text(3)?.to_string(),
        message_id: row.text(4)?.to_string(),
        entries: from_json::<Vec<ProposalId>>(row.text(5)?)?,
    })
}

pub const DECISION_SELECT: &str =
    "SELECT proposal_id, client_id, day, action, actor, via, at, effect, CAST(detail AS TEXT) FROM decisions";

pub fn decision(row: &impl Columns) -> Result<DecisionRecord> {
    let action = row.text(3)?;
    Ok(DecisionRecord {
        proposal_id: parse(row.text(0)?, ProposalId::parse)?,
        client_id: client_id(row.text(1)?)?,
        day: row.date(2)?,
        action: Action::from_name(action).ok_or_else(|| corrupt(format!("unknown action {action:?}")))?,
        by: row.text(4)?.to_string(),
        via: platform(row.text(5)?)?,
        at: row.time(6)?,
        effect: row.text(7)?.to_string(),
        detail: from_json(row.text(8)?)?,
    })
}

/// The current proposal of an outbox row's entry, as a column of a query
/// on `outbox` (see [`item_of`]).
pub const OUTBOX_PROPOSAL: &str =
    "(SELECT CAST(p.proposal AS TEXT) FROM digest_proposals p WHERE p.proposal_id = outbox.proposal_id)";

/// The `SELECT … FROM outbox` that [`outbox`] reads.
pub fn outbox_select() -> String {
    format!(
        "SELECT status, CAST(item AS TEXT), created_at, updated_at, channel, CAST(attempts AS BIGINT), \
         recipient, message_id, sent_at, last_error, posted_on, posted_by, {OUTBOX_PROPOSAL} FROM outbox"
    )
}

pub fn outbox(row: &impl Columns) -> Result<OutboxRow> {
    let status = row.text(0)?;
    let status = OutboxStatus::parse(status).ok_or_else(|| corrupt(format!("unknown outbox status {status:?}")))?;
    let channel = row.text(4)?;
    let channel: Channel = channel.parse().map_err(|_| corrupt(format!("unknown outbox channel {channel:?}")))?;
    Ok(OutboxRow {
        channel,
        item: item_of(row.text(1)?, row.opt_text(12)?)?,
        status,
        created_at: row.time(2)?,
        updated_at: row.time(3)?,
        attempts: u32::try_from(row.int(5)?).map_err(|_| corrupt("negative outbox attempts"))?,
        recipient: row.opt_text(6)?.map(str::to_string),
        message_id: row.opt_text(7)?.map(str::to_string),
        sent_at: row.opt_time(8)?,
        last_error: row.opt_text(9)?.map(str::to_string),
        posted_on: row.opt_date(10)?,
        posted_by: row.opt_text(11)?.map(str::to_string),
    })
}

/// The text of an outbox row's `item` column. While the message waits, the
/// row refers to its entry's proposal instead of copying it: an approval
/// then writes a few hundred bytes, not 2 KB or so a channel, on the single
/// writer's serial path. That proposal is the one approved, for an approved
/// entry is never re-proposed, softened or refreshed (only a veto, a snooze
/// or a withdrawal touches it, and those cancel the row). Once the message
/// has left or failed, the row keeps its own copy (`with_proposal`), so
/// what it says was sent holds whatever becomes of the entry.
pub fn item_json(item: &OutboxItem, with_proposal: bool) -> Result<String> {
    to_json(&StoredItem::of(item, with_proposal))
}

/// An outbox item from its `item` column and its entry's current proposal
/// ([`OUTBOX_PROPOSAL`]): the row's own copy when it has one (settled rows,
/// and rows written before rows referred to their entry).
pub fn item_of(item: &str, entry_proposal: Option<&str>) -> Result<OutboxItem> {
    let stored: StoredItem<'static> = from_json(item)?;
    let proposal = match (stored.proposal, entry_proposal) {
        (Some(copy), _) => copy.into_owned(),
        (None, Some(text)) => from_json(text)?,
        (None, None) => return Err(corrupt(format!("outbox item of {} without a proposal", stored.proposal_id))),
    };
    Ok(OutboxItem {
        proposal_id: stored.proposal_id.into_owned(),
        client_id: stored.client_id.into_owned(),
        day: stored.day,
        stage: stored.stage,
        tone: stored.tone,
        channels: stored.channels.into_owned(),
        not_before: stored.not_before,
        held_for_fresh_data: stored.held_for_fresh_data,
        proposal,
    })
}

/// An `item` column's text with `held_for_fresh_data` off, in the form it
/// had (with or without its own copy of the proposal).
pub fn item_released(item: &str) -> Result<String> {
    let mut stored: StoredItem<'static> = from_json(item)?;
    stored.held_for_fresh_data = false;
    to_json(&stored)
}

/// An outbox row's `item` column: [`OutboxItem`]'s fields, the proposal
/// optional (see [`item_json`]).
#[derive(Serialize, Deserialize)]
struct StoredItem<'a> {
    proposal_id: Cow<'a, ProposalId>,
    client_id: Cow<'a, ClientId>,
    day: NaiveDate,
    stage: Stage,
    tone: Tone,
    channels: Cow<'a, [Channel]>,
    not_before: DateTime<Utc>,
    held_for_fresh_data: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    proposal: Option<Cow<'a, Proposal>>,
}

impl<'a> StoredItem<'a> {
    fn of(item: &'a OutboxItem, with_proposal: bool) -> Self {
        Self {
            proposal_id: Cow::Borrowed(&item.proposal_id),
            client_id: Cow::Borrowed(&item.client_id),
            day: item.day,
            stage: item.stage,
            tone: item.tone,
            channels: Cow::Borrowed(&item.channels),
            not_before: item.not_before,
            held_for_fresh_data: item.held_for_fresh_data,
            proposal: with_proposal.then_some(Cow::Borrowed(&item.proposal)),
        }
    }
}
