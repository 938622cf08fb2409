//! The store: one small interface, two backends (SQLite embedded, PostgreSQL
//! for several instances). The backend is picked from the URL scheme.
//!
//! Every write that changes the ledger also appends to the audit log, in the
//! same transaction: nothing changes without a trace, and a trace never
//! exists without its change.

mod audit;
mod backend;
mod board;
mod call_attempts;
mod digest_state;
mod duplicates;
mod instalment_notes;
mod instalment_plans;
mod jobs;
mod packed;
mod postgres;
mod rows;
mod snapshot;
mod sql;
mod sqlite;
mod sqlite_writer;
mod stmt;
mod writes;

pub use call_attempts::{CallOutcomeRecord, CallRef};
pub use digest_state::{
    Applied, Claimed, DecisionRecord, DigestRecord, Entries, LetterPosted, OutboxRow, OutboxStatus, PostedMessage,
    Settled,
};
pub use duplicates::{ClaimedDuplicate, DuplicateRow, NewDuplicate, QueuedDuplicate};
pub use instalment_notes::{NewNote, NoteRow};
pub use instalment_plans::{NewPlan, PlanDecision, PlanEnd, PlanRow, PlanStatus, Stamped};
pub use postgres::PgStore;
pub use sql::SqlStore;
pub use sqlite::SqliteStore;

use crate::domain::{Channel, Client, ClientId, Currency, Invoice, InvoiceNumber, Payment, ProposalId, Stage, Tone};
use crate::ledger::{Account, Hold, Ledger};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How long a request's key is remembered by [`Store::first_seen`]. A
/// request stamped earlier than this is refused as a replay by its route,
/// so forgetting older keys lets nothing run twice.
pub const SEEN_REQUESTS_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(7);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The change contradicts what is stored (e.g. a stage an invoice already received).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// From the SQLite decision writer's own connection (`sqlite_writer.rs`).
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who did something, and through which channel (`cli`, `slack`, `discord`, `teams`, `web`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub via: String,
}

/// One line of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    /// What happened, as a stable keyword (`import.invoices`, `hold.dispute`, `reminder.sent`, …).
    pub action: String,
    pub client_id: Option<ClientId>,
    /// What it was done to: a file, an invoice number, a proposal id.
    pub subject: String,
    pub detail: serde_json::Value,
}

/// What an invoice already owes, for validating a payments file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceBalance {
    pub client_id: ClientId,
    pub amount: Decimal,
    /// Paid at import plus every recorded payment.
    pub paid: Decimal,
    pub currency: Currency,
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// A reminder that left (or, for a letter, was handed to a person), with the
/// invoices it listed and the stage each reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReminderRecord {
    pub proposal_id: ProposalId,
    pub client_id: ClientId,
    pub sent_at: DateTime<Utc>,
    /// The local business day it belongs to.
    pub on: NaiveDate,
    pub stage: Stage,
    pub tone: Tone,
    pub channels: Vec<Channel>,
    pub currency: Currency,
    pub total_due: Decimal,
    pub invoices: Vec<(InvoiceNumber, Stage, Decimal)>,
}

impl ReminderRecord {
    /// The record of a proposal once it has left. Letters are a manual task:
    /// they are recorded when handed to a person, like the rest.
    pub fn from_proposal(p: &crate::policy::Proposal, sent_at: DateTime<Utc>) -> Self {
        Self {
            proposal_id: p.id.clone(),
            client_id: p.client_id.clone(),
            sent_at,
            on: p.date,
            stage: p.stage,
            tone: p.tone,
            channels: p.channels.clone(),
            currency: p.currency,
            total_due: p.total_due,
            invoices: p.invoices.iter().map(|i| (i.number.clone(), i.stage, i.amount_due)).collect(),
        }
    }
}

/// What a hold is put on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HoldTarget {
    Client(ClientId),
    Invoice(InvoiceNumber),
}

/// What a batch of decisions needs to know about its day besides the
/// entries, read in the batch's own transaction (so an import or a "send
/// anyway" lands either wholly before the batch or wholly after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayFacts {
    /// Finance said "send anyway" on this day's digest.
    pub sent_anyway: bool,
    /// The latest import of invoices or payments.
    pub last_import_at: Option<DateTime<Utc>>,
}

/// Applies a batch of clicks to the entries they name, for
/// [`Store::apply_decisions`].
pub type DecideFn<'a> = dyn FnMut(&mut std::collections::HashMap<ProposalId, crate::decision::EntryState>, &DayFacts) -> Vec<Applied>
    + Send
    + 'a;

/// Writes batches of decisions from a thread of its own, synchronously: the
/// decision engine's fast path on SQLite (`sqlite_writer.rs`). Same contract
/// as [`Store::apply_decisions`].
pub trait DecisionWriter: Send {
    fn apply_decisions(&mut self, day: NaiveDate, ids: &[ProposalId], decide: &mut DecideFn<'_>) -> Result<()>;
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Applies the migrations (idempotent).
    async fn migrate(&self) -> Result<()>;

    /// Every client id, for validating an invoices file.
    async fn client_ids(&self) -> Result<HashSet<ClientId>>;
    /// The balances of the invoices a payments file names, for validating it.
    /// Only those: a daily bank file names a few dozen invoices, and reading
    /// all of a million-invoice ledger to check them would cost half a
    /// gigabyte and seconds. An unknown number is simply absent from the map;
    /// a number named twice is read once.
    async fn invoice_balances(&self, numbers: &[InvoiceNumber]) -> Result<HashMap<InvoiceNumber, InvoiceBalance>>;
    /// The payments already recorded on the invoices a payments file names,
    /// so re-importing a file counts none twice. Only those invoices' payments,
    /// for the same reason as [`Store::invoice_balances`].
    async fn payment_keys(&self, numbers: &[InvoiceNumber]) -> Result<HashSet<Payment>>;

    /// Upserts by client id, in one transaction with its audit entry.
    async fn import_clients(&self, clients: &[Client], actor: &Actor, file: &str) -> Result<ImportCounts>;
    /// Upserts by invoice number, in one transaction with its audit entry.
    async fn import_invoices(&self, invoices: &[Invoice], actor: &Actor, file: &str) -> Result<ImportCounts>;
    /// Inserts payments not yet recorded (same invoice, date, amount, reference).
    async fn import_payments(&self, payments: &[Payment], actor: &Actor, file: &str) -> Result<ImportCounts>;
    /// When invoices or payments were last imported.
    async fn last_import_at(&self) -> Result<Option<DateTime<Utc>>>;

    /// Sets (replaces) the hold on a client or an invoice; `Hold::default()` lifts it.
    async fn set_hold(&self, target: &HoldTarget, hold: &Hold, actor: &Actor, reason: Option<&str>) -> Result<()>;

    /// The snapshot the planner reads: every client, its open invoices and
    /// those issued or settled within the year before `today`.
    async fn ledger(&self, today: NaiveDate) -> Result<Ledger>;
    /// The same snapshot as `ledger`, handed to `page` a few hundred accounts
    /// at a time (in client order), so that a caller folding it — the planner,
    /// the aged balance — never holds a million invoices at once. Returns
    /// `last_import_at`. One consistent read, like `ledger`.
    async fn ledger_pages(
        &self,
        today: NaiveDate,
        page: &mut (dyn FnMut(Vec<Account>) -> Result<()> + Send),
    ) -> Result<Option<DateTime<Utc>>>;
    /// One client's account (same content as in `ledger`).
    async fn account(&self, client: &ClientId, today: NaiveDate) -> Result<Option<Account>>;
    /// The client an invoice belongs to, if the invoice exists.
    async fn invoice_client(&self, number: &InvoiceNumber) -> Result<Option<ClientId>>;
    /// Every client (for matching a name typed in a command).
    async fn clients(&self) -> Result<Vec<Client>>;
    /// The latest import of clients (its id), `None` before the first: a
    /// cheap read that changes whenever the clients may have, so the server's
    /// index of clients knows when to rebuild.
    async fn clients_revision(&self) -> Result<Option<i64>>;

    /// Records a sent reminder with its audit entry. A stage an invoice has
    /// already received is refused (`UNIQUE (invoice, stage)`).
    async fn record_reminder(&self, reminder: &ReminderRecord, actor: &Actor) -> Result<()>;
    /// A client's reminders, oldest first.
    async fn reminders(&self, client: &ClientId) -> Result<Vec<ReminderRecord>>;

    // ----- The digest and its decisions (see `digest_state`). -----

    /// Saves the day's digest: creates it or replaces its header, adds the
    /// entries not stored yet (at the end, in the order given), keeps the
    /// stored state of those already there (decisions survive a re-post),
    /// and withdraws the day's pending or approved entries no longer proposed
    /// (cancelling their outbox rows). Audited. Returns every entry of the
    /// day, in digest order (withdrawn ones included).
    async fn save_digest(
        &self,
        day: NaiveDate,
        header: &serde_json::Value,
        entries: &[crate::decision::EntryState],
        actor: &Actor,
    ) -> Result<Entries>;
    /// The day's digest, if it was posted.
    async fn digest(&self, day: NaiveDate) -> Result<Option<DigestRecord>>;
    /// The last day before `day` a digest was posted (for "since the previous digest").
    async fn previous_digest_day(&self, day: NaiveDate) -> Result<Option<NaiveDate>>;
    /// The day's entries, in digest order.
    async fn entries(&self, day: NaiveDate) -> Result<Entries>;
    /// The entries with these ids, in the order asked (unknown ids skipped).
    async fn entries_by_id(&self, ids: &[ProposalId]) -> Result<Entries>;

    /// Records (or replaces, by day/platform/page) the messages a digest was posted as.
    async fn save_messages(&self, messages: &[PostedMessage]) -> Result<()>;
    /// The messages of a day's digest on a platform, by page.
    async fn messages(&self, day: NaiveDate, platform: crate::people::Platform) -> Result<Vec<PostedMessage>>;

    /// Applies decisions in one transaction, which is what makes concurrent
    /// clicks give one decision. Reads the entries `ids` (locking them on
    /// PostgreSQL, `FOR UPDATE`), hands them to `decide` — which applies the
    /// batch's clicks in order on the map and returns what to write — then
    /// writes, for each [`Applied`] whose effect is not a repeat: the new
    /// entry state, the decision row, its audit entry, its outbox operation
    /// (queue, or cancel if not sent) and the client's pause (kept if longer).
    async fn apply_decisions(&self, day: NaiveDate, ids: &[ProposalId], decide: &mut DecideFn<'_>) -> Result<()>;
    /// A synchronous writer of decisions on a connection of its own, when the
    /// backend has one (SQLite); the decision engine then runs on a thread of
    /// its own with it. `None`: [`Store::apply_decisions`] is the way.
    fn decision_writer(&self) -> Result<Option<Box<dyn DecisionWriter>>> {
        Ok(None)
    }
    /// Finance's "send anyway": releases the day's approvals held for fresh
    /// data (entries and outbox rows) and records who, audited. Returns how
    /// many were released.
    async fn release_held(&self, day: NaiveDate, stamp: &crate::decision::Stamp) -> Result<u64>;
    /// The decisions on a client, oldest first.
    async fn decisions(&self, client: &ClientId) -> Result<Vec<DecisionRecord>>;
    /// The outbox rows of a day, in insertion order.
    async fn outbox(&self, day: NaiveDate) -> Result<Vec<OutboxRow>>;
    /// Claims up to `limit` of `day`'s messages due at `now` for the sender
    /// `owner`, for `lease`: queued ones whose time has come (not held for
    /// fresh data, past `not_before` and any retry delay) and those whose
    /// previous sender's lease ran out. Each claim counts an attempt. On
    /// PostgreSQL rows another sender is claiming are skipped (`FOR UPDATE
    /// SKIP LOCKED`), so several instances share the work; SQLite has one
    /// writer at a time. In id order.
    async fn claim_outbox(
        &self,
        day: NaiveDate,
        owner: &str,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<Claimed>>;
    /// Records how an attempt ended, if `owner` still holds the claim (false
    /// otherwise: its lease ran out and another sender took the message).
    /// With its audit entry; the first channel of a reminder to be sent also
    /// records the reminder (the invoices' stages), in the same transaction.
    async fn settle_outbox(&self, claimed: &Claimed, owner: &str, settled: &Settled) -> Result<bool>;
    /// Cancels the messages of days before `today` still waiting (a reminder
    /// belongs to its day's digest: tomorrow's proposes again, with
    /// tomorrow's amounts). Audited; returns their proposals.
    async fn expire_outbox(&self, today: NaiveDate, reason: &str) -> Result<Vec<ProposalId>>;
    /// Records that a person posted the proposal's formal notice letter
    /// (recommandé avec AR) on `on`: the day and who (`actor.name`) on its
    /// outbox row, with the `letter.posted` audit entry, in one transaction.
    /// Only a letter the sender has written (`sent`) can be posted, and only
    /// once: a second call says who did, and changes nothing.
    async fn mark_letter_posted(&self, proposal: &ProposalId, on: NaiveDate, actor: &Actor) -> Result<LetterPosted>;
    /// The PDF files of these invoices, where the invoices file gave one.
    async fn invoice_pdfs(&self, numbers: &[InvoiceNumber]) -> Result<HashMap<InvoiceNumber, String>>;
    /// Queues a duplicate of invoices (`relance duplicate`, the *not
    /// received* outcome) with its `duplicate.requested` audit entry, once per
    /// key ([`NewDuplicate::key`]): the same request again the same day
    /// writes nothing and answers the first one's id.
    async fn queue_duplicate(&self, dup: &NewDuplicate, actor: &Actor) -> Result<QueuedDuplicate>;
    /// Claims up to `limit` duplicates due now for `owner`, for `lease`, like
    /// [`Store::claim_outbox`] (any day: a duplicate does not expire).
    async fn claim_duplicates(&self, owner: &str, lease: chrono::Duration, limit: u32)
        -> Result<Vec<ClaimedDuplicate>>;
    /// Records how an attempt ended, if `owner` still holds the claim, with
    /// its audit entry (`duplicate.sent`, …).
    async fn settle_duplicate(&self, claimed: &ClaimedDuplicate, owner: &str, settled: &Settled) -> Result<bool>;
    /// A client's duplicates, oldest first.
    async fn duplicates(&self, client: &ClientId) -> Result<Vec<DuplicateRow>>;
    /// Claims the once-a-day job `name` of `day` (the morning digest) for
    /// `owner`: true when this instance should run it — nobody claimed it
    /// yet, or a claim older than `stale` was never finished (its instance
    /// died). Several instances on one database thus post one digest.
    async fn claim_job(&self, name: &str, day: NaiveDate, owner: &str, stale: chrono::Duration) -> Result<bool>;
    /// Marks the job done: no other instance takes it over.
    async fn finish_job(&self, name: &str, day: NaiveDate, owner: &str) -> Result<()>;
    /// Marks a decision link used; false if it was used already (links act once).
    async fn use_link(&self, token_digest: &str, by: &str) -> Result<bool>;
    /// Records a request's key (`teams:{activity id}`) seen at `at`; false if
    /// it was seen already — a retry or a replay, not to be run again. Keys
    /// older than [`SEEN_REQUESTS_KEPT`] are forgotten.
    async fn first_seen(&self, key: &str, at: DateTime<Utc>) -> Result<bool>;

    // ----- Instalment plans (see `instalment_plans`). -----

    /// Stores a proposed plan with its instalments and its `plan.proposed`
    /// audit entry, in one transaction. Returns it as stored.
    async fn propose_plan(&self, plan: &NewPlan, actor: &Actor) -> Result<PlanRow>;
    /// Approves or rejects a proposed plan, audited (`plan.approved`,
    /// `plan.rejected`); an approval queues the client's confirmation (sent
    /// by the sender with the duplicates) in the same transaction. A plan no
    /// longer proposed is a `Conflict` saying what it is; an unknown one `NotFound`.
    async fn decide_plan(&self, id: i64, decision: &PlanDecision, actor: &Actor) -> Result<PlanRow>;
    /// Marks an approved plan completed or broken, audited (`plan.completed`,
    /// `plan.broken`); false when it was no longer approved (nothing written).
    async fn close_plan(&self, id: i64, end: PlanEnd, actor: &Actor) -> Result<bool>;
    /// One plan.
    async fn plan(&self, id: i64) -> Result<Option<PlanRow>>;
    /// A client's plans, oldest first.
    async fn plans(&self, client: &ClientId) -> Result<Vec<PlanRow>>;
    /// Queues the friendly notes before these instalments (sent by the
    /// sender with the duplicates), each once ever (`note:<plan>:<number>`)
    /// with its `plan.note_queued` audit entry, in one transaction, stamped
    /// `day`. Returns every note asked for as stored: one queued on an
    /// earlier day keeps that day, so a caller can tell today's apart.
    async fn queue_instalment_notes(&self, notes: &[NewNote], day: NaiveDate, actor: &Actor) -> Result<Vec<NoteRow>>;
    /// A client's instalment notes, oldest first.
    async fn instalment_notes(&self, client: &ClientId) -> Result<Vec<NoteRow>>;
    /// Every plan proposed and not yet decided, oldest first: the digest's
    /// header shows them until finance decides.
    async fn proposed_plans(&self) -> Result<Vec<PlanRow>>;

    // ----- Calls (see `call_attempts`). -----

    /// Records what came of a call, with its audit entry, the holds it puts
    /// on the call's invoices (each audited) and the duplicate it asks for
    /// ("invoice not received", as [`Store::queue_duplicate`]), in one
    /// transaction. Stamped now; returns the record as stored.
    async fn record_call_outcome(
        &self,
        call: &CallRef,
        outcome: &crate::policy::call_outcome::Outcome,
        holds: &[(InvoiceNumber, Hold)],
        duplicate: Option<&NewDuplicate>,
        actor: &Actor,
    ) -> Result<CallOutcomeRecord>;
    /// The outcomes recorded for the call tasks of the days `from..=to`, in
    /// the order recorded.
    async fn call_outcomes(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<CallOutcomeRecord>>;

    /// Appends to the audit log.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<()>;
    /// The audit log, newest first, optionally for one client.
    async fn audit_log(&self, client: Option<&ClientId>, limit: u32) -> Result<Vec<AuditEntry>>;
}

/// Opens the store named by a URL: `sqlite://path` (created if missing, WAL)
/// or `postgres://…`, stamping its writes with `clock`. Does not migrate.
pub async fn connect(url: &str, clock: crate::clock::Clock) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?.with_clock(clock)))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?.with_clock(clock)))
    } else {
        anyhow::bail!("DATABASE_URL {:?}: expected sqlite://… or postgres://…", redact(url))
    }
}

/// A URL with its password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
