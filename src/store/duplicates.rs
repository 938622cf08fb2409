//! Duplicates of invoices (`0008_duplicates.sql`): queued once per request
//! and day, then claimed, leased, settled by the sender exactly like the
//! outbox's reminders (see `board/sending.rs`, which explains the leases).
//!
//! A sent duplicate is also the record the planner and `relance status`
//! read: the invoice was sent again on that day, so the next written
//! reminder waits.

use super::backend::{Backend, Binds, Columns, Conn, Q};
use super::sql::SqlStore;
use super::{Actor, AuditEntry, OutboxStatus, Result, Settled, StoreError};
use crate::domain::{ClientId, EmailAddress, InvoiceNumber};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Executor;

/// A duplicate to queue: these invoices of one client, to this address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDuplicate {
    pub day: NaiveDate,
    pub client_id: ClientId,
    /// Sorted, without repeats (the key is built from them).
    pub invoices: Vec<InvoiceNumber>,
    pub recipient: EmailAddress,
}

impl NewDuplicate {
    /// `dup:<invoices>:<day>`: what makes the same request twice the same
    /// day one duplicate.
    pub fn key(&self) -> String {
        let numbers: Vec<&str> = self.invoices.iter().map(InvoiceNumber::as_str).collect();
        format!("dup:{}:{}", numbers.join(","), self.day)
    }
}

/// What queuing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedDuplicate {
    pub id: i64,
    /// False when the same duplicate was already asked for today (nothing written).
    pub new: bool,
}

/// A duplicate a sender holds the lease of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDuplicate {
    pub id: i64,
    /// The Message-ID is built from it: every attempt carries the same one.
    pub key: String,
    pub client_id: ClientId,
    pub invoices: Vec<InvoiceNumber>,
    pub recipient: String,
    /// Attempts including this one.
    pub attempts: u32,
    /// Set when this is an instalment plan's confirmation rather than a duplicate.
    pub plan_id: Option<i64>,
    /// Set, with `plan_id`, when this is the friendly note before that
    /// instalment of the plan (`0011_instalment_notes.sql`).
    pub instalment: Option<u32>,
}

/// One stored duplicate, for `relance status` and the tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateRow {
    pub key: String,
    pub day: NaiveDate,
    pub client_id: ClientId,
    pub invoices: Vec<InvoiceNumber>,
    pub recipient: String,
    pub requested_by: String,
    pub status: OutboxStatus,
    pub attempts: u32,
    pub message_id: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Why it failed or was cancelled.
    pub last_error: Option<String>,
}

/// What a claim picks: queued rows whose retry time has come, and rows whose
/// sender's lease ran out. Unlike a reminder, a duplicate has no day to
/// expire with: asked for in the evening, it leaves when the window opens.
const DUE: &str = "(status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)) \
     OR (status = 'sending' AND lease_until < $1)";

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    pub(super) async fn dup_queue(&self, dup: &NewDuplicate, actor: &Actor) -> Result<QueuedDuplicate> {
        let mut tx = self.begin_write().await?;
        let queued = Self::write_duplicate(&mut tx, dup, actor, self.now()).await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// Queues a duplicate with its audit entry in the open transaction,
    /// unless the same one was asked for today (then nothing is written).
    pub(super) async fn write_duplicate(
        conn: &mut Conn<DB>,
        dup: &NewDuplicate,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<QueuedDuplicate> {
        let key = dup.key();
        let numbers = serde_json::to_string(&dup.invoices).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sql = format!(
            "INSERT INTO duplicates (dup_key, day, client_id, invoices, recipient, requested_by, status, \
             created_at, updated_at) VALUES ($1, $2, $3, {}, $5, $6, 'queued', $7, $7) \
             ON CONFLICT (dup_key) DO NOTHING RETURNING id",
            DB::json_param(4)
        );
        let inserted = sqlx::query::<DB>(&sql)
            .text(&key)
            .date(dup.day)
            .text(dup.client_id.as_str())
            .text(&numbers)
            .text(dup.recipient.as_str())
            .text(&actor.name)
            .time(now)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = inserted else {
            let sql = "SELECT id FROM duplicates WHERE dup_key = $1";
            let id = sqlx::query::<DB>(sql).text(&key).fetch_one(&mut *conn).await?.int(0)?;
            return Ok(QueuedDuplicate { id, new: false });
        };
        let entry = AuditEntry {
            at: now,
            actor: actor.clone(),
            action: "duplicate.requested".into(),
            client_id: Some(dup.client_id.clone()),
            subject: key.clone(),
            detail: serde_json::json!({ "invoices": dup.invoices, "to": dup.recipient.as_str() }),
        };
        Self::insert_audit(conn, &entry).await?;
        Ok(QueuedDuplicate { id: row.int(0)?, new: true })
    }

    pub(super) async fn dup_claim(
        &self,
        owner: &str,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedDuplicate>> {
        let now = self.now();
        let sql = format!(
            "UPDATE duplicates SET status = 'sending', lease_owner = $2, lease_until = $3, \
             attempts = attempts + 1, updated_at = $1 \
             WHERE id IN (SELECT id FROM duplicates WHERE {DUE} ORDER BY id LIMIT $4{}) \
             RETURNING id, dup_key, client_id, CAST(invoices AS TEXT), recipient, CAST(attempts AS BIGINT), plan_id, \
             CAST(instalment AS BIGINT)",
            DB::SKIP_LOCKED
        );
        let mut tx = self.begin_write().await?;
        let query = sqlx::query::<DB>(&sql).time(now).text(owner).time(now + lease).int(i64::from(limit));
        let found = query.fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let mut claimed = found.iter().map(claimed).collect::<Result<Vec<_>>>()?;
        claimed.sort_by_key(|c| c.id);
        Ok(claimed)
    }

    pub(super) async fn dup_settle(&self, claimed: &ClaimedDuplicate, owner: &str, settled: &Settled) -> Result<bool> {
        const CLAIM_HELD: &str = "WHERE id = $1 AND status = 'sending' AND lease_owner = $2";
        const RELEASE: &str = "lease_owner = NULL, lease_until = NULL, updated_at = $3";
        let now = self.now();
        let sql = match settled {
            Settled::Sent { .. } => format!(
                "UPDATE duplicates SET status = 'sent', sent_at = $3, recipient = $4, message_id = $5, \
                 last_error = NULL, {RELEASE} {CLAIM_HELD}"
            ),
            Settled::Retry { .. } => format!(
                "UPDATE duplicates SET status = 'queued', next_attempt_at = $4, last_error = $5, {RELEASE} {CLAIM_HELD}"
            ),
            Settled::Failed { .. } | Settled::Cancelled { .. } => {
                format!("UPDATE duplicates SET status = $4, last_error = $5, {RELEASE} {CLAIM_HELD}")
            }
        };
        let query = sqlx::query::<DB>(&sql).int(claimed.id).text(owner).time(now);
        let query = match settled {
            Settled::Sent { recipient, message_id } => query.text(recipient).text(message_id),
            Settled::Retry { at, error } => query.time(*at).text(error),
            Settled::Failed { error: text } | Settled::Cancelled { reason: text } => {
                query.text(settled.status().as_str()).text(text)
            }
        };
        let mut tx = self.begin_write().await?;
        if DB::rows_affected(&query.execute(&mut *tx).await?) != 1 {
            return Ok(false);
        }
        let actor = Actor { name: owner.to_string(), via: "outbox".into() };
        Self::insert_audit(&mut tx, &settled_audit(claimed, settled, &actor, now)).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn dup_list(&self, client: &ClientId) -> Result<Vec<DuplicateRow>> {
        let sql = "SELECT dup_key, day, client_id, CAST(invoices AS TEXT), recipient, requested_by, status, \
                   CAST(attempts AS BIGINT), message_id, sent_at, last_error \
                   FROM duplicates WHERE client_id = $1 AND plan_id IS NULL ORDER BY id";
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query::<DB>(sql).text(client.as_str()).fetch_all(&mut *conn).await?;
        rows.iter().map(duplicate_row).collect()
    }
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn numbers(json: &str) -> Result<Vec<InvoiceNumber>> {
    let texts: Vec<String> = serde_json::from_str(json).map_err(corrupt)?;
    texts.iter().map(|t| InvoiceNumber::parse(t).map_err(corrupt)).collect()
}

fn attempts(value: i64) -> Result<u32> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt("negative duplicate attempts".into()))
}

fn claimed(row: &impl Columns) -> Result<ClaimedDuplicate> {
    Ok(ClaimedDuplicate {
        id: row.int(0)?,
        key: row.text(1)?.to_string(),
        client_id: ClientId::parse(row.text(2)?).map_err(corrupt)?,
        invoices: numbers(row.text(3)?)?,
        recipient: row.text(4)?.to_string(),
        attempts: attempts(row.int(5)?)?,
        plan_id: row.opt_int(6)?,
        instalment: row.opt_int(7)?.map(u32::try_from).transpose().map_err(|_| corrupt("instalment number"))?,
    })
}

fn duplicate_row(row: &impl Columns) -> Result<DuplicateRow> {
    let status = row.text(6)?;
    Ok(DuplicateRow {
        key: row.text(0)?.to_string(),
        day: row.date(1)?,
        client_id: ClientId::parse(row.text(2)?).map_err(corrupt)?,
        invoices: numbers(row.text(3)?)?,
        recipient: row.text(4)?.to_string(),
        requested_by: row.text(5)?.to_string(),
        status: OutboxStatus::parse(status).ok_or_else(|| corrupt(format!("unknown duplicate status {status:?}")))?,
        attempts: attempts(row.int(7)?)?,
        message_id: row.opt_text(8)?.map(str::to_string),
        sent_at: row.opt_time(9)?,
        last_error: row.opt_text(10)?.map(str::to_string),
    })
}

/// `duplicate.sent`, `duplicate.retry`, `duplicate.failed` or `duplicate.cancelled`
/// (`plan.confirmation_sent`, … for a plan's confirmation, `plan.note_sent`, …
/// for the note before an instalment).
fn settled_audit(claimed: &ClaimedDuplicate, settled: &Settled, actor: &Actor, now: DateTime<Utc>) -> AuditEntry {
    let mut detail = serde_json::json!({ "invoices": claimed.invoices, "attempt": claimed.attempts });
    let action = match settled {
        Settled::Sent { recipient, message_id } => {
            detail["recipient"] = recipient.as_str().into();
            detail["message_id"] = message_id.as_str().into();
            "duplicate.sent"
        }
        Settled::Retry { at, error } => {
            detail["next_attempt_at"] = at.to_rfc3339().into();
            detail["error"] = error.as_str().into();
            "duplicate.retry"
        }
        Settled::Failed { error } => {
            detail["error"] = error.as_str().into();
            "duplicate.failed"
        }
        Settled::Cancelled { reason } => {
            detail["reason"] = reason.as_str().into();
            "duplicate.cancelled"
        }
    };
    let action = match (claimed.plan_id, claimed.instalment) {
        (Some(_), Some(_)) => action.replace("duplicate.", "plan.note_"),
        (Some(_), None) => action.replace("duplicate.", "plan.confirmation_"),
        (None, _) => action.to_string(),
    };
    AuditEntry {
        at: now,
        actor: actor.clone(),
        action,
        client_id: Some(claimed.client_id.clone()),
        subject: claimed.key.clone(),
        detail,
    }
}
