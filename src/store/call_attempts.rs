//! What came of the calls (`0007_call_attempts.sql`): one row per outcome
//! recorded, written with the holds it puts on the call's invoices and their
//! audit entries in one transaction, so an outcome never stands without its
//! consequence, nor a hold without the call that set it.

use super::audit::HoldBy;
use super::backend::{Backend, Binds, Columns, Q};
use super::board::rows::{from_json, to_json};
use super::rows::{self, corrupt};
use super::sql::SqlStore;
use super::{Actor, AuditEntry, HoldTarget, NewDuplicate, Result};
use crate::domain::{ClientId, EmailAddress, InvoiceNumber};
use crate::ledger::Hold;
use crate::policy::call_outcome::{Outcome, OutcomeKind};
use crate::policy::calls::CallAttempt;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Executor;

/// The call an outcome is about, as the day's call task listed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRef {
    /// `CallTask::id`.
    pub task_id: String,
    pub client_id: ClientId,
    pub invoices: Vec<InvoiceNumber>,
    /// The call step (`CallTask::offset_days`).
    pub offset_days: i64,
    /// The day of the task.
    pub day: NaiveDate,
}

/// An outcome as stored: which call, what came of it, who recorded it, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallOutcomeRecord {
    pub call: CallRef,
    pub outcome: Outcome,
    pub actor: Actor,
    pub at: DateTime<Utc>,
}

impl CallOutcomeRecord {
    /// The attempt as the call planner counts it.
    pub fn attempt(&self) -> CallAttempt {
        CallAttempt {
            client_id: self.call.client_id.clone(),
            invoices: self.call.invoices.clone(),
            offset_days: self.call.offset_days,
            on: self.call.day,
            answered: self.outcome.kind().answered(),
        }
    }
}

const SELECT: &str = "SELECT task_id, client_id, CAST(invoices AS TEXT), offset_days, day, outcome, promised_for, \
                      reason, days, actor, via, at, copy_to FROM call_attempts";

fn record(row: &impl Columns) -> Result<CallOutcomeRecord> {
    let kind = OutcomeKind::parse(row.text(5)?).ok_or_else(|| corrupt(format!("call outcome {:?}", row.text(5))))?;
    let days = row.opt_int(8)?.map(u32::try_from).transpose().map_err(|_| corrupt("call outcome days"))?;
    let copy_to = row.opt_text(12)?.map(EmailAddress::parse).transpose().map_err(|e| corrupt(e.to_string()))?;
    let outcome = Outcome::from_parts(kind, row.opt_date(6)?, row.opt_text(7)?.map(String::from), days, copy_to)
        .ok_or_else(|| corrupt(format!("call outcome {kind:?} without its detail")))?;
    Ok(CallOutcomeRecord {
        call: CallRef {
            task_id: row.text(0)?.to_string(),
            client_id: rows::client_id(row.text(1)?)?,
            invoices: from_json(row.text(2)?)?,
            offset_days: row.int(3)?,
            day: row.date(4)?,
        },
        outcome,
        actor: Actor { name: row.text(9)?.to_string(), via: row.text(10)?.to_string() },
        at: row.time(11)?,
    })
}

/// The `call.<outcome>` audit entry: enough to tell later who heard what.
fn audit(record: &CallOutcomeRecord) -> AuditEntry {
    AuditEntry {
        at: record.at,
        actor: record.actor.clone(),
        action: format!("call.{}", record.outcome.kind().as_str()),
        client_id: Some(record.call.client_id.clone()),
        subject: record.call.task_id.clone(),
        detail: serde_json::json!({
            "invoices": record.call.invoices,
            "offset_days": record.call.offset_days,
            "day": record.call.day,
            "outcome": record.outcome,
        }),
    }
}

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    pub(super) async fn calls_record(
        &self,
        call: &CallRef,
        outcome: &Outcome,
        holds: &[(InvoiceNumber, Hold)],
        duplicate: Option<&NewDuplicate>,
        actor: &Actor,
    ) -> Result<CallOutcomeRecord> {
        let record =
            CallOutcomeRecord { call: call.clone(), outcome: outcome.clone(), actor: actor.clone(), at: self.now() };
        let sql = format!(
            "INSERT INTO call_attempts (task_id, client_id, invoices, offset_days, day, outcome, promised_for, \
             reason, days, actor, via, at, copy_to) VALUES ($1, $2, {}, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            DB::json_param(3)
        );
        let mut tx = self.begin_write().await?;
        sqlx::query::<DB>(&sql)
            .text(&call.task_id)
            .text(call.client_id.as_str())
            .string(to_json(&call.invoices)?)
            .int(call.offset_days)
            .date(call.day)
            .text(outcome.kind().as_str())
            .opt_date(outcome.promised_for())
            .opt_text(outcome.reason())
            .opt_int(outcome.days().map(i64::from))
            .text(&actor.name)
            .text(&actor.via)
            .time(record.at)
            .opt_text(outcome.copy_to().map(EmailAddress::as_str))
            .execute(&mut *tx)
            .await?;
        Self::insert_audit(&mut tx, &audit(&record)).await?;
        for (number, hold) in holds {
            let by = HoldBy { actor, reason: None };
            Self::write_hold(&mut tx, &HoldTarget::Invoice(number.clone()), hold, &by, record.at).await?;
        }
        if let Some(dup) = duplicate {
            Self::write_duplicate(&mut tx, dup, actor, record.at).await?;
        }
        tx.commit().await?;
        Ok(record)
    }

    pub(super) async fn calls_outcomes(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<CallOutcomeRecord>> {
        let mut conn = self.pool().acquire().await?;
        let sql = format!("{SELECT} WHERE day >= $1 AND day <= $2 ORDER BY id");
        let rows = sqlx::query::<DB>(&sql).date(from).date(to).fetch_all(&mut *conn).await?;
        rows.iter().map(record).collect()
    }
}
