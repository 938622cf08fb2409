//! Decisions on the morning digest: Approve, Soften, Veto, Snooze.
//!
//! A pure function, [`decide`], turns the state of one digest entry, the
//! person who clicked and what they clicked into the entry's next state and
//! the side effects to persist with it (the outbox row, the client's pause).
//! It does no I/O and reads no clock, so every rule — roles, four eyes,
//! strategic cut-off, stale data, repeats — is table-tested here, and the
//! shell (the decision engine in `serve`) only loads, calls and stores, in
//! one transaction.
//!
//! One decision per proposal, however many clicks: a repeated click (a
//! double click, a platform retry, a second tab) finds the state it would
//! produce already there and changes nothing ([`Effect::Repeat`]); Soften,
//! the one action that is not naturally idempotent, is bound to the revision
//! the clicker saw, so two people softening the same entry at once soften it
//! one step, not two.

mod decide;
mod status;

pub use crate::chat::links::Action;
pub use decide::{buttons, decide};
pub use status::{action_label, refusal_text, status_line};

use crate::domain::{Channel, ClientId, ProposalId, Stage, Tone};
use crate::people::Platform;
use crate::policy::Proposal;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// `decisions:` in `bot-config.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionRules {
    /// Stages that need two approvals from two different finance people.
    pub two_approvals: Vec<Stage>,
    /// How long a veto stops the client's reminders, in days.
    pub veto_days: u32,
    /// How long Snooze postpones the client's reminders, in days.
    pub snooze_days: u32,
    /// Reminders to strategic clients do not leave before this local time,
    /// so that their owner has the morning to veto.
    pub strategic_cutoff: NaiveTime,
}

impl Default for DecisionRules {
    fn default() -> Self {
        Self {
            two_approvals: vec![Stage::Final, Stage::FormalNotice],
            veto_days: 7,
            snooze_days: 3,
            strategic_cutoff: NaiveTime::from_hms_opt(11, 0, 0).expect("valid time"),
        }
    }
}

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for a decision (possibly with one approval of two).
    Pending,
    /// Queued for sending (the outbox holds it).
    Approved,
    Vetoed,
    Snoozed,
    /// No longer proposed when the digest was posted again (the client paid,
    /// a hold was set): nothing will be sent.
    Withdrawn,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Vetoed => "vetoed",
            Status::Snoozed => "snoozed",
            Status::Withdrawn => "withdrawn",
        }
    }
}

/// Someone's act on an entry: who, through which platform, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub by: String,
    pub via: Platform,
    pub at: DateTime<Utc>,
}

/// One proposal of one day's digest, as persisted between clicks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryState {
    /// The proposal; its `tone` is the current one (after softening).
    pub proposal: Proposal,
    /// The tone the planner proposed, before any softening.
    pub planned_tone: Tone,
    /// The client's `owner` cell (any segment), for the sales role.
    pub owner: Option<String>,
    pub status: Status,
    /// Finance approvals so far (two needed for the stages of `two_approvals`).
    pub approvals: Vec<Stamp>,
    /// Who softened it, last first.
    pub softened: Vec<Stamp>,
    /// The veto or snooze, or the withdrawal.
    pub closed: Option<Stamp>,
    /// The veto's reason, if one was given.
    pub reason: Option<String>,
    /// Until when a veto or snooze pauses the client (inclusive).
    pub until: Option<NaiveDate>,
    /// Approved while the ledger was stale: the outbox holds it until a fresh
    /// import or a finance "send anyway".
    pub held_for_fresh_data: bool,
    /// Incremented at every change; Soften buttons carry the one they showed.
    pub rev: u32,
}

impl EntryState {
    /// A new, undecided entry for a proposal.
    pub fn new(proposal: Proposal, owner: Option<String>) -> Self {
        Self {
            planned_tone: proposal.tone,
            proposal,
            owner,
            status: Status::Pending,
            approvals: Vec::new(),
            softened: Vec::new(),
            closed: None,
            reason: None,
            until: None,
            held_for_fresh_data: false,
            rev: 0,
        }
    }

    /// How many approvals this entry needs before it is queued.
    pub fn approvals_needed(&self, rules: &DecisionRules) -> usize {
        if rules.two_approvals.contains(&self.proposal.stage) {
            2
        } else {
            1
        }
    }
}

/// What someone clicked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Click {
    pub proposal_id: ProposalId,
    pub action: Action,
    /// The entry revision the button was rendered at (Soften checks it).
    pub rev: Option<u32>,
    /// A veto's reason (from a modal, a reply or the confirmation page).
    pub reason: Option<String>,
    /// Snooze length, when the clicker chose one; else `snooze_days`.
    pub days: Option<u32>,
}

/// What the decision needs to know about the world, passed in.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub rules: &'a DecisionRules,
    /// Whether the ledger was imported within `max_ledger_age` of `now`.
    pub ledger_fresh: bool,
}

/// The person deciding, as `people:` describes them.
pub use crate::people::Person;

/// What a decision changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The state already says so: nothing to write.
    Repeat,
    /// One approval of two recorded.
    FirstApproval,
    /// Queued for sending (held if the data is stale).
    Approved {
        held: bool,
    },
    Softened {
        from: Tone,
        to: Tone,
    },
    Vetoed {
        until: NaiveDate,
    },
    Snoozed {
        until: NaiveDate,
    },
}

/// A reminder for the sender, written in the same transaction as the approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub proposal_id: ProposalId,
    pub client_id: ClientId,
    pub day: NaiveDate,
    pub stage: Stage,
    pub tone: Tone,
    pub channels: Vec<Channel>,
    /// Not sent before this instant (the strategic cut-off, or the approval).
    pub not_before: DateTime<Utc>,
    /// Held until a fresh import or a "send anyway".
    pub held_for_fresh_data: bool,
    /// The proposal as approved (tone included), for the sender to render.
    /// Stored by reference to the entry's while the message waits (see
    /// `store::board::rows::item_json`).
    pub proposal: Proposal,
}

impl OutboxItem {
    /// The outbox item of a proposal as approved.
    pub fn of(p: &Proposal, not_before: DateTime<Utc>, held_for_fresh_data: bool) -> Self {
        Self {
            proposal_id: p.id.clone(),
            client_id: p.client_id.clone(),
            day: p.date,
            stage: p.stage,
            tone: p.tone,
            channels: p.channels.clone(),
            not_before,
            held_for_fresh_data,
            proposal: p.clone(),
        }
    }
}

/// What the outbox must do.
#[derive(Debug, Clone, PartialEq)]
pub enum OutboxOp {
    Queue(Box<OutboxItem>),
    /// Cancel this proposal's queued message, if it has not left yet.
    Cancel,
}

/// The result of an accepted click.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub entry: EntryState,
    pub effect: Effect,
    pub outbox: Option<OutboxOp>,
    /// Pause the client's reminders until this day (inclusive), keeping a
    /// longer pause if there is one.
    pub pause_client_until: Option<NaiveDate>,
}

/// Why a click changed nothing. Shown to the clicker only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The account is not in `people:`.
    Unknown,
    /// The role does not allow this action on this client.
    NotAllowed { action: Action },
    /// The entry was decided already (vetoed, snoozed, withdrawn, or approved
    /// for Soften).
    Closed { status: Status, by: Option<String> },
    /// The entry changed since the button was shown (someone softened it).
    Outdated,
    /// Already the gentlest tone.
    Gentlest,
    /// Not a decision this entry can take (send anyway on one entry).
    Unsupported,
    /// No such entry (an old or forged id).
    NotFound,
    /// The entry belongs to an earlier day's digest: today's digest decides.
    PastDay,
    /// The letter was already recorded as posted, on that day by that person.
    LetterAlreadyPosted { on: NaiveDate, by: String },
    /// No letter to post: not written yet, cancelled, or not a formal notice.
    NoLetter,
}
