//! Everything about one client, for `relance status` and `/relance status`:
//! the store reads for that one client ([`gather`]), then the pure core on
//! them ([`build`]: open invoices, aged balance, score, today's proposal,
//! the next step). The terminal screen is [`text`]; the chat's reply is
//! built from the same report by `crate::commands`.

pub mod text;

use crate::domain::{Channel, Client, Currency, ProposalId, Stage};
use crate::ledger::{Account, Hold, InvoiceState, Ledger};
use crate::policy::aged::{aged_balance, AgedBalance};
use crate::policy::plan_progress::{next_note_on, paid_towards, progress, Progress, Standing};
use crate::policy::planner::next_step;
use crate::policy::score::{payment_score, PaymentScore};
use crate::policy::{plan, Policy, Proposal};
use crate::store::{DuplicateRow, NoteRow, PlanRow, PlanStatus, ReminderRecord, Store};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

pub use text::render;

use crate::policy::payment_sent::{PaymentNotReceived, PaymentWatch, WATCH_DAYS};

/// What `status --json` prints.
#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub today: NaiveDate,
    pub client: Client,
    pub hold: Hold,
    pub open_invoices: Vec<OpenInvoice>,
    pub aged: Vec<AgedBalance>,
    pub score: PaymentScore,
    pub reminders: Vec<ReminderRecord>,
    /// The formal notice letters among the reminders: file, posted or not.
    pub letters: Vec<LetterView>,
    /// Copies of invoices asked for (the client said it never received them).
    pub duplicates: Vec<DuplicateRow>,
    /// Instalment plans, oldest first, with where the approved ones stand today.
    pub plans: Vec<PlanView>,
    /// Payments announced on a call and not in the ledger after their grace.
    pub payments_not_received: Vec<PaymentNotReceived>,
    pub pending_proposal: Option<Proposal>,
    pub next_step: Option<NextStepView>,
}

#[derive(Debug, Serialize)]
pub struct OpenInvoice {
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub days_late: i64,
    pub currency: Currency,
    #[serde(with = "crate::domain::decimal_str")]
    pub amount: Decimal,
    #[serde(with = "crate::domain::decimal_str")]
    pub amount_due: Decimal,
    /// The last stage this invoice received, and when.
    pub last_stage: Option<(Stage, NaiveDate)>,
    pub hold: Hold,
}

/// A stored instalment plan and, while approved, where it stands today.
#[derive(Debug, Serialize)]
pub struct PlanView {
    pub plan: PlanRow,
    pub progress: Option<Progress>,
    /// The friendly notes before its instalments queued so far, oldest first.
    pub notes: Vec<NoteRow>,
    /// While in force and the next instalment's note is not queued yet: the
    /// day it will be (none when its date is too close for a note).
    pub next_note_day: Option<NaiveDate>,
}

/// A formal notice letter the sender wrote, and when a person posted it.
#[derive(Debug, Serialize)]
pub struct LetterView {
    pub proposal_id: ProposalId,
    pub file: Option<String>,
    pub posted_on: Option<NaiveDate>,
    pub posted_by: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct NextStepView {
    pub stage: String,
    pub date: NaiveDate,
    pub invoices: Vec<String>,
}

/// Reads one client's account, reminders and letters (a handful of indexed
/// reads, whatever the size of the ledger) and builds the report. `None`
/// when the client disappeared meanwhile.
pub async fn gather(
    store: &dyn Store,
    client: &Client,
    policy: &Policy,
    today: NaiveDate,
) -> anyhow::Result<Option<StatusReport>> {
    let Some(account) = store.account(&client.id, today).await? else {
        return Ok(None);
    };
    let reminders = store.reminders(&client.id).await?;
    let letters = letters(store, &reminders).await?;
    let account_invoices = account.invoices.clone();
    let announced = store.call_outcomes(today - chrono::Days::new(WATCH_DAYS), today).await?;
    let mut payments = PaymentWatch::new(&announced, policy.calls.payment_sent_grace_days, today);
    payments.add(std::slice::from_ref(&account));
    let mut report = build(account, reminders, letters, policy, today);
    report.payments_not_received = payments.finish();
    report.duplicates = store.duplicates(&client.id).await?;
    let notes = store.instalment_notes(&client.id).await?;
    report.plans = plan_views(store.plans(&client.id).await?, notes, &account_invoices, policy, today);
    Ok(Some(report))
}

/// The report on an account: the pure core on what [`gather`] read.
pub fn build(
    account: Account,
    reminders: Vec<ReminderRecord>,
    letters: Vec<LetterView>,
    policy: &Policy,
    today: NaiveDate,
) -> StatusReport {
    let single = Ledger { accounts: vec![account], last_import_at: None };
    let pending_proposal = plan(&single, policy, today).into_iter().next();
    let account = &single.accounts[0];
    let next_step = next_step(account, policy, today).map(|step| NextStepView {
        stage: step.stage.to_string(),
        date: step.date,
        invoices: step.invoices.iter().map(ToString::to_string).collect(),
    });
    StatusReport {
        today,
        client: account.client.clone(),
        hold: account.hold.clone(),
        open_invoices: open_invoices(account, today),
        aged: aged_balance(std::iter::once(account), today),
        score: payment_score(account, today),
        reminders,
        letters,
        duplicates: Vec::new(),
        plans: Vec::new(),
        payments_not_received: Vec::new(),
        pending_proposal,
        next_step,
    }
}

/// Each plan, with its progress when it is approved (the others have none)
/// and its instalment notes: those queued, and the next one's day.
fn plan_views(
    plans: Vec<PlanRow>,
    notes: Vec<NoteRow>,
    invoices: &[InvoiceState],
    policy: &Policy,
    today: NaiveDate,
) -> Vec<PlanView> {
    plans
        .into_iter()
        .map(|plan| {
            let progress = (plan.status == PlanStatus::Approved).then(|| {
                let in_force = plan.in_force();
                let paid = paid_towards(&in_force, invoices);
                progress(&in_force, paid, &policy.instalments, &policy.calendar, today)
            });
            let notes: Vec<NoteRow> = notes.iter().filter(|n| n.plan_id == plan.id).cloned().collect();
            let next_note_day = match progress.as_ref().map(|p| &p.standing) {
                Some(Standing::InForce { next, .. }) if !notes.iter().any(|n| n.instalment == next.number) => {
                    next_note_on(next, &policy.instalments, &policy.calendar, today)
                }
                _ => None,
            };
            PlanView { plan, progress, notes, next_note_day }
        })
        .collect()
}

/// The letters of the reminders sent by registered letter, from their
/// outbox rows (one read per letter: a client gets few).
async fn letters(store: &dyn Store, reminders: &[ReminderRecord]) -> anyhow::Result<Vec<LetterView>> {
    let mut letters = Vec::new();
    for rem in reminders.iter().filter(|r| r.channels.contains(&Channel::Letter)) {
        let rows = store.outbox(rem.on).await?;
        let row = rows.into_iter().find(|r| r.item.proposal_id == rem.proposal_id && r.channel == Channel::Letter);
        if let Some(row) = row {
            letters.push(LetterView {
                proposal_id: rem.proposal_id.clone(),
                file: row.recipient,
                posted_on: row.posted_on,
                posted_by: row.posted_by,
            });
        }
    }
    Ok(letters)
}

fn open_invoices(account: &Account, today: NaiveDate) -> Vec<OpenInvoice> {
    let mut open: Vec<&InvoiceState> = account.invoices.iter().filter(|i| i.is_open()).collect();
    open.sort_by_key(|i| (i.due_date, i.number.clone()));
    open.into_iter()
        .map(|i| OpenInvoice {
            number: i.number.to_string(),
            issue_date: i.issue_date,
            due_date: i.due_date,
            days_late: i.days_late(today),
            currency: i.currency,
            amount: i.amount,
            amount_due: i.amount_due(),
            last_stage: i.last_stage,
            hold: i.hold.clone(),
        })
        .collect()
}
