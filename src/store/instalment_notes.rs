//! The friendly notes before instalments (`0011_instalment_notes.sql`):
//! rows of the `duplicates` queue with a `plan_id` and an `instalment`, keyed
//! `note:<plan>:<number>` so each instalment's note is queued once however
//! often the digest is posted. Claimed, leased and settled with the
//! duplicates (`duplicates.rs`); this module queues and lists them.

use super::backend::{Backend, Binds, Columns, Conn, Q};
use super::board::rows::to_json;
use super::rows::corrupt;
use super::sql::SqlStore;
use super::{Actor, AuditEntry, OutboxStatus, Result};
use crate::domain::{ClientId, EmailAddress, InvoiceNumber};
use crate::policy::instalments::Instalment;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Executor;

/// A note to queue: the one before `instalment` of plan `plan_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNote {
    pub plan_id: i64,
    pub client_id: ClientId,
    /// The plan's invoices (what the sender re-checks).
    pub invoices: Vec<InvoiceNumber>,
    pub instalment: Instalment,
    pub recipient: EmailAddress,
}

impl NewNote {
    /// `note:<plan>:<number>`: one note per instalment, ever.
    pub fn key(&self) -> String {
        format!("note:{}:{}", self.plan_id, self.instalment.number)
    }
}

/// A note as stored: when it was queued (the day of the digest that queued
/// it) and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteRow {
    pub plan_id: i64,
    pub client_id: ClientId,
    pub instalment: u32,
    pub day: NaiveDate,
    pub status: OutboxStatus,
    pub sent_at: Option<DateTime<Utc>>,
    /// Why it failed or was cancelled.
    pub last_error: Option<String>,
}

const SELECT: &str = "SELECT plan_id, client_id, CAST(instalment AS BIGINT), day, status, sent_at, last_error \
     FROM duplicates";

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    /// Queues the notes not queued yet, each with its `plan.note_queued`
    /// audit entry, in one transaction; returns every note asked for as
    /// stored (the ones queued earlier keep their day).
    pub(super) async fn notes_queue(&self, notes: &[NewNote], day: NaiveDate, actor: &Actor) -> Result<Vec<NoteRow>> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let mut stored = Vec::with_capacity(notes.len());
        for note in notes {
            if Self::insert_note(&mut tx, note, day, actor, now).await? {
                let entry = audit(note, actor, now);
                Self::insert_audit(&mut tx, &entry).await?;
            }
            let sql = format!("{SELECT} WHERE dup_key = $1");
            let row = sqlx::query::<DB>(&sql).string(note.key()).fetch_one(&mut *tx).await?;
            stored.push(note_row(&row)?);
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// True when the note was queued now, false when it was already.
    async fn insert_note(
        conn: &mut Conn<DB>,
        note: &NewNote,
        day: NaiveDate,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let sql = format!(
            "INSERT INTO duplicates (dup_key, day, client_id, invoices, recipient, requested_by, status, \
             created_at, updated_at, plan_id, instalment) \
             VALUES ($1, $2, $3, {}, $5, $6, 'queued', $7, $7, $8, $9) ON CONFLICT (dup_key) DO NOTHING",
            DB::json_param(4)
        );
        let query = sqlx::query::<DB>(&sql)
            .string(note.key())
            .date(day)
            .text(note.client_id.as_str())
            .string(to_json(&note.invoices)?)
            .text(note.recipient.as_str())
            .text(&actor.name)
            .time(now)
            .int(note.plan_id)
            .int(i64::from(note.instalment.number));
        Ok(DB::rows_affected(&query.execute(&mut *conn).await?) == 1)
    }

    /// A client's notes, oldest first.
    pub(super) async fn notes_of(&self, client: &ClientId) -> Result<Vec<NoteRow>> {
        let sql = format!("{SELECT} WHERE client_id = $1 AND instalment IS NOT NULL ORDER BY id");
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query::<DB>(&sql).text(client.as_str()).fetch_all(&mut *conn).await?;
        rows.iter().map(note_row).collect()
    }
}

fn note_row(row: &impl Columns) -> Result<NoteRow> {
    let status = row.text(4)?;
    Ok(NoteRow {
        plan_id: row.int(0)?,
        client_id: super::rows::client_id(row.text(1)?)?,
        instalment: u32::try_from(row.int(2)?).map_err(|_| corrupt("instalment number"))?,
        day: row.date(3)?,
        status: OutboxStatus::parse(status).ok_or_else(|| corrupt(format!("note status {status:?}")))?,
        sent_at: row.opt_time(5)?,
        last_error: row.opt_text(6)?.map(str::to_string),
    })
}

/// `plan.note_queued`, on the note's key like its `plan.note_sent` (the plan's id is in the key).
fn audit(note: &NewNote, actor: &Actor, now: DateTime<Utc>) -> AuditEntry {
    let i = &note.instalment;
    AuditEntry {
        at: now,
        actor: actor.clone(),
        action: "plan.note_queued".into(),
        client_id: Some(note.client_id.clone()),
        subject: note.key(),
        detail: serde_json::json!({
            "plan": note.plan_id,
            "instalment": i.number,
            "date": i.due_date,
            "amount": i.amount.to_string(),
            "to": note.recipient.as_str(),
        }),
    }
}
