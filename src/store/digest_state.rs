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
}

/// The entries of a day as stored, in digest order.
pub type Entries = Vec<EntryState>;
