//! The digest as every platform renders it: a header and one entry per
//! proposal, already decided what to show. Renderers (Slack, Discord, Teams,
//! the local web page) only lay it out within their limits.

use crate::decision::Action;
use crate::policy::{CallTask, Proposal};
use chrono::NaiveDate;

/// The top of the digest.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestHeader {
    pub date: NaiveDate,
    /// Totals, freshness of the ledger, changes since the previous digest,
    /// already formatted in the team's language. May contain client names:
    /// renderers escape them.
    pub lines: Vec<String>,
    /// Shown first and prominently when set: the ledger is stale and
    /// approvals are held.
    pub warning: Option<String>,
    /// Whether to offer finance the "send anyway" button (stale data and at
    /// least one entry still to send).
    pub send_anyway: bool,
    /// The instalment plans proposed and not yet decided, oldest first, at
    /// most `plan_lines::MAX_WAITING_PLANS` (read live at each rendering, so
    /// an approval takes the line away at the next edit).
    pub plans: Vec<WaitingPlan>,
    /// Proposed plans beyond those shown: "… et N autres".
    pub plans_more: usize,
}

impl DigestHeader {
    pub fn new(date: NaiveDate, lines: Vec<String>) -> Self {
        Self { date, lines, warning: None, send_anyway: false, plans: Vec::new(), plans_more: 0 }
    }
}

/// A proposed instalment plan waiting for finance: nobody would see it
/// otherwise until someone looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingPlan {
    pub id: i64,
    /// "⏳ Échéancier n° 3 à approuver — Garage Martin : 3 × 400,00 € dès le
    /// 15/04/2026 (proposé par Julie Roux)". Client data inside: renderers
    /// escape it.
    pub line: String,
    /// The signed Approve / Reject pages (`/plan/{token}`), for the renderers
    /// whose buttons are links (Teams, the local `/digest` page); the shell
    /// fills them, Slack and Discord name the command instead.
    pub links: Option<PlanLinks>,
}

/// The two signed links of a waiting plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLinks {
    pub approve: String,
    pub reject: String,
}

/// The sales rep in charge of a client, to mention on their strategic
/// clients' entries so the platform notifies them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Owner {
    pub name: String,
    /// Slack member id, mentioned as `<@U…>`.
    pub slack: Option<String>,
    /// Discord user id, mentioned as `<@…>` and allowed in `allowed_mentions`.
    pub discord: Option<String>,
}

/// One proposal as the digest shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestEntry {
    /// The proposal, with its current tone (after any softening).
    pub proposal: Proposal,
    /// The start of the message that would be sent, in the current tone.
    pub preview: String,
    /// What was decided so far ("✅ Approuvé par Claire à 09:12"), if anything.
    pub status: Option<String>,
    /// The buttons still offered, in order (none once closed).
    pub buttons: Vec<Action>,
    /// The entry's revision: carried by the buttons, so a Soften clicked on
    /// an outdated rendering is recognised.
    pub rev: u32,
    /// The ledger is stale: the entry is marked "données anciennes".
    pub stale: bool,
    /// The owner to mention (strategic clients), when `people:` knows them.
    pub owner: Option<Owner>,
}

impl DigestEntry {
    /// An undecided entry: all four buttons, revision 0, fresh data.
    pub fn new(proposal: Proposal, preview: impl Into<String>) -> Self {
        Self {
            proposal,
            preview: preview.into(),
            status: None,
            buttons: Action::ALL.to_vec(),
            rev: 0,
            stale: false,
            owner: None,
        }
    }
}

/// One call task as the digest's "📞 À appeler" section shows it, with
/// what came of it today. Its outcome buttons (will pay, not received,
/// payment sent, dispute, internal block, cash difficulty, voicemail) are
/// offered until someone answered ([`CallEntry::answered`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CallEntry {
    pub task: CallTask,
    /// The owner to mention when the owner is the one to call.
    pub owner: Option<Owner>,
    /// Today's outcomes, in the order recorded.
    pub notes: Vec<CallNote>,
}

/// An outcome recorded, as shown under its call: "📞 Rappel : promesse au
/// 20/03/2026 — Claire Martin 09:42".
#[derive(Debug, Clone, PartialEq)]
pub struct CallNote {
    pub outcome: crate::policy::call_outcome::Outcome,
    pub by: String,
    /// Local time.
    pub at: chrono::NaiveTime,
}

impl CallEntry {
    /// Someone answered: the call is done for the day, its buttons go.
    pub fn answered(&self) -> bool {
        self.notes.iter().any(|n| n.outcome.kind().answered())
    }
}
