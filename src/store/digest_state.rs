//! What the store keeps about each day's digest: its entries and their
//! decisions, the messages it was posted as, the outbox, the used links.

use crate::decision::{Action, EntryState, OutboxItem, Outcome, Stamp};
use crate::domain::{Channel, ClientId, ProposalId};
use crate::people::Platform;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One day's digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigestRecord {
    pub day: NaiveDate,
    /// When it was first posted.
    pub posted_at: DateTime<Utc>,
    /// When it was last (re)posted.
    pub updated_at: DateTime<Utc>,
    /// The header as shown (lines, warning…), re-used when a page is updated
    /// after a click.
    pub header: serde_json::Value,
    /// Finance's "send anyway" on stale data, if given.
    pub send_anyway: Option<Stamp>,
}

/// One message a digest page was posted as, so a click on it (or a decision
/// taken elsewhere) can update it in place, and a second posting the same day
/// edits it instead of posting again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostedMessage {
    pub day: NaiveDate,
    pub platform: Platform,
    /// 0-based page number.
    pub page: u32,
    /// Slack channel id, Discord channel id, or "" (webhooks).
    pub channel: String,
    /// Slack `ts`, Discord message id, or "" when the platform gives none (Teams).
    pub message_id: String,
    /// The entries shown on this page, in order.
    pub entries: Vec<ProposalId>,
}

/// One accepted decision, as the `decisions` table and the audit log keep it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    pub proposal_id: ProposalId,
    pub client_id: ClientId,
    pub day: NaiveDate,
    pub action: Action,
    pub by: String,
    pub via: Platform,
    pub at: DateTime<Utc>,
    /// What it did, as a stable keyword (`approved`, `first_approval`,
    /// `softened`, `vetoed`, `snoozed`, `held`).
    pub effect: String,
    /// Reason, tones, dates…
    pub detail: serde_json::Value,
}

/// A decision ready to be written: the new entry state and its side effects
/// ([`Outcome`]), and the record of who did it.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub outcome: Outcome,
    pub record: DecisionRecord,
}

/// The state of a message in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for a sender (possibly held for fresh data, or until a retry).
    Queued,
    /// Claimed by a sender, whose lease says until when.
    Sending,
    /// Delivered to the mail server or the SMS provider.
    Sent,
    /// Refused for good, or out of attempts.
    Failed,
    /// Stopped before it left (veto, snooze, withdrawal, payment…).
    Cancelled,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Queued => "queued",
            OutboxStatus::Sending => "sending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
            OutboxStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Queued, Self::Sending, Self::Sent, Self::Failed, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One row of the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxRow {
    /// One row per reminder and channel: the e-mail and the SMS of one
    /// reminder are sent, retried and failed independently.
    pub channel: Channel,
    pub item: OutboxItem,
    pub status: OutboxStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Where it went: the address, the number, the letter's file.
    pub recipient: Option<String>,
    /// The e-mail's Message-ID, or the SMS provider's id.
    pub message_id: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed, or why it was cancelled.
    pub last_error: Option<String>,
    /// A letter: the day a person posted it (recommandé avec AR), once they said so.
    pub posted_on: Option<NaiveDate>,
    /// A letter: who posted it.
    pub posted_by: Option<String>,
}

/// What marking a proposal's letter as posted found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LetterPosted {
    /// Recorded now; `file` is the letter's PDF.
    Recorded { file: String },
    /// Someone had already said so: nothing changed.
    AlreadyPosted { on: NaiveDate, by: String },
    /// The proposal has no letter written yet (not a formal notice, not
    /// approved, not yet written by the sender, or cancelled).
    NoLetter,
}

/// A message a sender has claimed: its lease says until when no other
/// sender may take it (a sender killed mid-send loses it when the lease
/// runs out, and another sends it again, with the same Message-ID).
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub id: i64,
    pub channel: Channel,
    pub item: OutboxItem,
    /// Attempts including this one.
    pub attempts: u32,
}

/// How an attempt at a claimed message ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Handed to the mail server or the SMS provider (or, for a letter,
    /// printed to a file for a person to post).
    Sent { recipient: String, message_id: String },
    /// A transient failure: queued again, not before `at`.
    Retry { at: DateTime<Utc>, error: String },
    /// Refused for good, or out of attempts.
    Failed { error: String },
    /// Not sent: the re-check at send time found a reason (paid, disputed,
    /// vetoed, paused…).
    Cancelled { reason: String },
}

impl Settled {
    /// The outbox status it leaves the row in.
    pub fn status(&self) -> OutboxStatus {
        match self {
            Settled::Sent { .. } => OutboxStatus::Sent,
            Settled::Retry { .. } => OutboxStatus::Queued,
            Settled::Failed { .. } => OutboxStatus::Failed,
            Settled::Cancelled { .. } => OutboxStatus::Cancelled,
        }
    }
}

/// The entries of a day as stored, in digest order.
pub type Entries = Vec<EntryState>;
