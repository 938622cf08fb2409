//! The decision engine: every click goes through one queue, and the clicks
//! that arrive together are decided and written in one transaction (group
//! commit).
//!
//! Why a queue: each decision reads the entry, applies the pure rules and
//! writes the new state, the decision row, the audit entry and the outbox
//! row. Run per request, 200 simultaneous clicks would be 200 write
//! transactions queuing on SQLite's single writer, each paying its own
//! commit. Batched, they cost a handful of commits, and the order of the
//! clicks on one entry is the order they reached the queue — which, with the
//! transaction's lock (`BEGIN IMMEDIATE` on SQLite, `FOR UPDATE` on
//! PostgreSQL, for several instances), is what makes double clicks, platform
//! retries and concurrent clicks give one decision.
//!
//! On SQLite the engine is a thread of its own holding the store's decision
//! writer, a connection it uses synchronously: a batch is read, decided and
//! written there, without a round trip to another thread per statement.

use crate::clock::Clock;
use crate::decision::{decide, Click, Context, DecisionRules, EntryState, Outcome, Person, Refusal};
use crate::digest::build::ledger_is_fresh;
use crate::domain::ProposalId;
use crate::people::Platform;
use crate::store::{Applied, DayFacts, DecisionRecord, DecisionWriter, Store, StoreError};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Clicks decided in one transaction, at most.
const MAX_BATCH: usize = 256;
/// Clicks waiting, at most; beyond, callers wait for room.
const QUEUE: usize = 4096;

/// What became of a click.
#[derive(Debug, Clone)]
pub struct Decided {
    pub result: Result<Outcome, Refusal>,
    /// The entry as it stands after the batch (for re-rendering), if it exists.
    pub entry: Option<EntryState>,
}

struct Job {
    person: Person,
    via: Platform,
    click: Click,
    reply: oneshot::Sender<anyhow::Result<Decided>>,
}

/// A handle to the engine; cheap to clone.
#[derive(Clone)]
pub struct DecisionEngine {
    jobs: mpsc::Sender<Job>,
}

/// What the engine needs from the rest of the server.
pub struct EngineDeps {
    pub store: Arc<dyn Store>,
    pub clock: Clock,
    pub rules: DecisionRules,
    pub max_ledger_age_hours: u32,
}

impl DecisionEngine {
    /// Starts the engine: on a thread of its own with the store's
    /// synchronous decision writer when it has one (SQLite), else as a task
    /// on the current runtime.
    pub fn start(deps: EngineDeps) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        match deps.store.decision_writer() {
            Ok(Some(writer)) => {
                let thread = std::thread::Builder::new().name("relance-decisions".into());
                thread.spawn(move || run_on_thread(deps, writer, queue)).expect("the decision thread starts");
            }
            Ok(None) => drop(tokio::spawn(run(deps, queue))),
            Err(err) => {
                tracing::warn!(error = %err, "decision writer not opened; decisions go through the pool");
                drop(tokio::spawn(run(deps, queue)));
            }
        }
        Self { jobs }
    }

    /// Decides one click by `person`, waiting for its batch to be committed.
    pub async fn decide(&self, person: Person, via: Platform, click: Click) -> anyhow::Result<Decided> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { person, via, click, reply }).await.map_err(|_| anyhow::anyhow!("engine stopped"))?;
        answer.await.map_err(|_| anyhow::anyhow!("engine stopped"))?
    }
}

/// The engine as a task: each batch through [`Store::apply_decisions`].
async fn run(deps: EngineDeps, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let mut batch = Batch::new(&deps, &jobs);
        let (today, ids) = (batch.today, batch.ids());
        let mut decide = |entries: &mut _, facts: &_| batch.decide(entries, facts);
        let done = deps.store.apply_decisions(today, &ids, &mut decide).await;
        let answers = done.map(|()| batch.answers());
        reply(std::mem::take(&mut jobs), answers);
    }
}

/// The engine as a thread owning the decision writer: a batch is read,
/// decided and written without leaving the thread (one wake-up a batch).
fn run_on_thread(deps: EngineDeps, mut writer: Box<dyn DecisionWriter>, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.blocking_recv_many(&mut jobs, MAX_BATCH) > 0 {
        let mut batch = Batch::new(&deps, &jobs);
        let (today, ids) = (batch.today, batch.ids());
        let done = writer.apply_decisions(today, &ids, &mut |entries, facts| batch.decide(entries, facts));
        let answers = done.map(|()| batch.answers());
        reply(std::mem::take(&mut jobs), answers);
    }
}

/// Answers each job of a batch, in order, or all with the batch's error.
fn reply(jobs: Vec<Job>, answers: Result<Vec<Decided>, StoreError>) {
    match answers {
        Ok(answers) => {
            for (job, answer) in jobs.into_iter().zip(answers) {
                let _ = job.reply.send(Ok(answer));
            }
        }
        Err(err) => {
            tracing::error!(error = %err, clicks = jobs.len(), "decisions not recorded");
            for job in jobs {
                let _ = job.reply.send(Err(anyhow::anyhow!("decision not recorded: {err}")));
            }
        }
    }
}

/// One batch of clicks being decided, at one instant: the pure rules run
/// inside the store's transaction, on the entries it read and locked.
struct Batch<'a> {
    deps: &'a EngineDeps,
    jobs: &'a [Job],
    now: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
    results: Vec<Result<Outcome, Refusal>>,
    /// The batch's entries as they stand after it.
    after: HashMap<ProposalId, EntryState>,
}

impl<'a> Batch<'a> {
    fn new(deps: &'a EngineDeps, jobs: &'a [Job]) -> Self {
        let (now, today) = (deps.clock.now(), deps.clock.today());
        Self { deps, jobs, now, today, results: Vec::with_capacity(jobs.len()), after: HashMap::new() }
    }

    /// The proposals the batch touches, each once.
    fn ids(&self) -> Vec<ProposalId> {
        let mut ids: Vec<_> = self.jobs.iter().map(|j| j.click.proposal_id.clone()).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Decides the clicks in order, each on the entry as the ones before
    /// left it; returns what to write (repeats are not written).
    fn decide(&mut self, entries: &mut HashMap<ProposalId, EntryState>, facts: &DayFacts) -> Vec<Applied> {
        let (now, today) = (self.now, self.today);
        // Fresh data, or finance said "send anyway" today: approvals are not held.
        let fresh = facts.sent_anyway || ledger_is_fresh(facts.last_import_at, now, self.deps.max_ledger_age_hours);
        let ctx = Context { now, tz: self.deps.clock.tz(), rules: &self.deps.rules, ledger_fresh: fresh };
        self.results.clear();
        let mut applied = Vec::new();
        for job in self.jobs {
            let result = match entries.get(&job.click.proposal_id) {
                None => Err(Refusal::NotFound),
                Some(entry) if entry.proposal.date != today => Err(Refusal::PastDay),
                Some(entry) => decide(entry, &job.person, job.via, &job.click, &ctx),
            };
            if let Ok(outcome) = &result {
                if outcome.effect != crate::decision::Effect::Repeat {
                    entries.insert(job.click.proposal_id.clone(), outcome.entry.clone());
                    applied.push(Applied { outcome: outcome.clone(), record: record(job, outcome, now) });
                }
            }
            self.results.push(result);
        }
        // The store reads nothing from `entries` once it has the decisions.
        self.after = std::mem::take(entries);
        applied
    }

    /// Each job's answer, in order.
    fn answers(self) -> Vec<Decided> {
        let after = self.after;
        (self.jobs.iter().zip(self.results))
            .map(|(job, result)| Decided { result, entry: after.get(&job.click.proposal_id).cloned() })
            .collect()
    }
}

/// The decision row: who, when, through what, and what it did.
fn record(job: &Job, outcome: &Outcome, at: chrono::DateTime<chrono::Utc>) -> DecisionRecord {
    use crate::decision::Effect;
    let p = &outcome.entry.proposal;
    let (effect, detail) = match &outcome.effect {
        Effect::Repeat => ("repeat", serde_json::json!({})),
        Effect::FirstApproval => ("first_approval", serde_json::json!({ "approvals": outcome.entry.approvals.len() })),
        Effect::Approved { held: true } => ("held", serde_json::json!({ "reason": "stale ledger" })),
        Effect::Approved { held: false } => ("approved", serde_json::json!({ "tone": p.tone })),
        Effect::Softened { from, to } => ("softened", serde_json::json!({ "from": from, "to": to })),
        Effect::Vetoed { until } => ("vetoed", serde_json::json!({ "until": until, "reason": outcome.entry.reason })),
        Effect::Snoozed { until } => ("snoozed", serde_json::json!({ "until": until })),
    };
    DecisionRecord {
        proposal_id: p.id.clone(),
        client_id: p.client_id.clone(),
        day: p.date,
        action: job.click.action,
        by: job.person.name.clone(),
        via: job.via,
        at,
        effect: effect.to_string(),
        detail,
    }
}
