//! The sender's side of the outbox: claiming due messages under a lease,
//! settling each attempt, expiring what was not sent on its day.
//!
//! Exactly once rests on three things here. A claim is one statement that
//! moves rows from `queued` to `sending` with the sender's name and a lease,
//! so two senders never hold one row (PostgreSQL skips rows another claim
//! has locked; SQLite has one writer). A settlement only lands while the
//! sender still holds the claim. And a row is unique per client, day, stage
//! and channel. A sender killed between the send and its settlement leaves
//! a `sending` row whose lease runs out: the one message that may then go
//! twice, with the same Message-ID.
//!
//! A letter "sent" is a PDF written for a person to post; when they have,
//! they say so, and its row records the day and who ([`LetterPosted`]).

use super::super::audit;
use super::super::backend::{Backend, Binds, Columns, Conn, Q};
use super::super::rows::BATCH_ROWS;
use super::super::sql::SqlStore;
use super::super::{Actor, AuditEntry, Claimed, LetterPosted, ReminderRecord, Result, Settled, StoreError};
use super::rows;
use crate::domain::{Channel, ClientId, InvoiceNumber, ProposalId};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Executor;
use std::collections::HashMap;

/// What a claim picks: today's rows due now, and rows whose sender's lease
/// ran out (killed, or stuck past its lease).
const DUE: &str = "day = $1 AND held_for_fresh_data = $2 AND ( \
     (status = 'queued' AND not_before <= $3 AND (next_attempt_at IS NULL OR next_attempt_at <= $3)) \
     OR (status = 'sending' AND lease_until < $3))";

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    pub(in crate::store) async fn board_claim_outbox(
        &self,
        day: NaiveDate,
        owner: &str,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<Claimed>> {
        let now = self.now();
        let sql = format!(
            "UPDATE outbox SET status = 'sending', lease_owner = $4, lease_until = $5, \
             attempts = attempts + 1, updated_at = $3 \
             WHERE id IN (SELECT id FROM outbox WHERE {DUE} ORDER BY id LIMIT $6{}) \
             RETURNING id, channel, CAST(item AS TEXT), CAST(attempts AS BIGINT), {}",
            DB::SKIP_LOCKED,
            rows::OUTBOX_PROPOSAL
        );
        let mut tx = self.begin_write().await?;
        let query =
            sqlx::query::<DB>(&sql).date(day).flag(false).time(now).text(owner).time(now + lease).int(i64::from(limit));
        let found = query.fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let mut claimed = found.iter().map(claimed).collect::<Result<Vec<_>>>()?;
        claimed.sort_by_key(|c| c.id);
        Ok(claimed)
    }

    pub(in crate::store) async fn board_settle_outbox(
        &self,
        claimed: &Claimed,
        owner: &str,
        settled: &Settled,
    ) -> Result<bool> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        if !Self::settle_row(&mut tx, claimed, owner, settled, now).await? {
            return Ok(false);
        }
        let actor = Actor { name: owner.to_string(), via: "outbox".into() };
        let mut recorded = None;
        if let Settled::Sent { .. } = settled {
            recorded = Some(Self::record_first_sending(&mut tx, claimed, &actor, now).await?);
        }
        Self::insert_audit(&mut tx, &settled_audit(claimed, settled, recorded, &actor, now)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Moves the row out of `sending`, if `owner` still holds it. A row that
    /// is done with (sent, failed, cancelled) takes its own copy of the
    /// proposal it was about (see [`rows::item_json`]).
    async fn settle_row(
        conn: &mut Conn<DB>,
        claimed: &Claimed,
        owner: &str,
        settled: &Settled,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        const CLAIM_HELD: &str = "WHERE id = $1 AND status = 'sending' AND lease_owner = $2";
        const RELEASE: &str = "lease_owner = NULL, lease_until = NULL, updated_at = $3";
        let item = DB::json_param(6);
        let sql = match settled {
            Settled::Sent { .. } => format!(
                "UPDATE outbox SET status = 'sent', sent_at = $3, recipient = $4, message_id = $5, \
                 last_error = NULL, item = {item}, {RELEASE} {CLAIM_HELD}"
            ),
            Settled::Retry { .. } => format!(
                "UPDATE outbox SET status = 'queued', next_attempt_at = $4, last_error = $5, {RELEASE} {CLAIM_HELD}"
            ),
            Settled::Failed { .. } | Settled::Cancelled { .. } => {
                format!("UPDATE outbox SET status = $4, last_error = $5, item = {item}, {RELEASE} {CLAIM_HELD}")
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
        let query = match settled {
            Settled::Retry { .. } => query,
            _ => query.string(rows::item_json(&claimed.item, true)?),
        };
        let done = query.execute(conn).await?;
        Ok(DB::rows_affected(&done) == 1)
    }

    /// The first channel of a reminder to leave records the reminder: the
    /// stage each invoice reached, which the planner reads tomorrow. Returns
    /// whether it was recorded now (false: another channel did already, or
    /// an invoice already had that stage — the message has left either way,
    /// so the settlement stands and the audit says why).
    async fn record_first_sending(
        conn: &mut Conn<DB>,
        claimed: &Claimed,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let id = claimed.item.proposal_id.as_str();
        // The e-mail and the SMS of one reminder may settle at once: the
        // entry's row lock makes the second wait and then see the first's record.
        let lock = format!("SELECT position FROM digest_entries WHERE proposal_id = $1{}", DB::LOCK_FOR_UPDATE);
        sqlx::query::<DB>(&lock).text(id).fetch_optional(&mut *conn).await?;
        let sql = "SELECT COUNT(*) FROM reminders WHERE proposal_id = $1";
        if sqlx::query::<DB>(sql).text(id).fetch_one(&mut *conn).await?.int(0)? > 0 {
            return Ok(false);
        }
        let reminder = ReminderRecord::from_proposal(&claimed.item.proposal, now);
        match Self::refuse_repeated_stages(conn, &reminder).await {
            Err(StoreError::Conflict(_)) => return Ok(false),
            other => other?,
        }
        let sql = format!("{} RETURNING id", super::super::rows::reminder_insert(DB::PARAMS).sql(1));
        let row = super::super::rows::bind_reminder(sqlx::query::<DB>(&sql), &reminder).fetch_one(&mut *conn).await?;
        Self::insert_reminder_lines(conn, row.int(0)?, &reminder).await?;
        Self::insert_audit(conn, &audit::reminder_audit(&reminder, actor)).await?;
        Ok(true)
    }

    pub(in crate::store) async fn board_expire_outbox(
        &self,
        today: NaiveDate,
        reason: &str,
    ) -> Result<Vec<ProposalId>> {
        let now = self.now();
        let sql = "UPDATE outbox SET status = 'cancelled', last_error = $3, lease_owner = NULL, lease_until = NULL, \
                   updated_at = $2 \
                   WHERE day < $1 AND (status = 'queued' OR (status = 'sending' AND lease_until < $2)) \
                   RETURNING proposal_id, client_id, channel, day";
        let mut tx = self.begin_write().await?;
        let found = sqlx::query::<DB>(sql).date(today).time(now).text(reason).fetch_all(&mut *tx).await?;
        let actor = Actor { name: "relance".into(), via: "outbox".into() };
        let mut expired = Vec::with_capacity(found.len());
        let mut entries = Vec::with_capacity(found.len());
        for row in &found {
            let proposal = ProposalId::parse(row.text(0)?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let client = ClientId::parse(row.text(1)?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            entries.push(AuditEntry {
                at: now,
                actor: actor.clone(),
                action: "outbox.expired".into(),
                client_id: Some(client),
                subject: proposal.to_string(),
                detail: serde_json::json!({ "channel": row.text(2)?, "day": row.date(3)?, "reason": reason }),
            });
            expired.push(proposal);
        }
        Self::insert_audits(&mut tx, &entries).await?;
        tx.commit().await?;
        expired.dedup();
        Ok(expired)
    }
}

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    /// The letter's row is locked while it is read (SQLite's `BEGIN
    /// IMMEDIATE`, PostgreSQL's `FOR UPDATE`), so of two people saying so at
    /// once the second finds the first's record.
    pub(in crate::store) async fn board_mark_letter_posted(
        &self,
        proposal: &ProposalId,
        on: NaiveDate,
        actor: &Actor,
    ) -> Result<LetterPosted> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT id, client_id, recipient, posted_on, posted_by, stage FROM outbox \
             WHERE proposal_id = $1 AND channel = 'letter' AND status = 'sent'{}",
            DB::LOCK_FOR_UPDATE
        );
        let Some(row) = sqlx::query::<DB>(&sql).text(proposal.as_str()).fetch_optional(&mut *tx).await? else {
            return Ok(LetterPosted::NoLetter);
        };
        if let Some(on) = row.opt_date(3)? {
            return Ok(LetterPosted::AlreadyPosted { on, by: row.opt_text(4)?.unwrap_or_default().to_string() });
        }
        let file = row.opt_text(2)?.unwrap_or_default().to_string();
        let client = ClientId::parse(row.text(1)?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let update =
            "UPDATE outbox SET posted_on = $1, posted_by = $2, updated_at = $3 WHERE id = $4 AND posted_on IS NULL";
        let query = sqlx::query::<DB>(update).date(on).text(&actor.name).time(now).int(row.int(0)?);
        if DB::rows_affected(&query.execute(&mut *tx).await?) != 1 {
            return Err(StoreError::Conflict(format!("the letter of {proposal} was recorded by another writer")));
        }
        let entry = AuditEntry {
            at: now,
            actor: actor.clone(),
            action: "letter.posted".into(),
            client_id: Some(client),
            subject: proposal.to_string(),
            detail: serde_json::json!({ "posted_on": on, "file": file, "stage": row.text(5)? }),
        };
        Self::insert_audit(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(LetterPosted::Recorded { file })
    }

    pub(in crate::store) async fn board_invoice_pdfs(
        &self,
        numbers: &[InvoiceNumber],
    ) -> Result<HashMap<InvoiceNumber, String>> {
        let mut conn = self.pool().acquire().await?;
        let texts: Vec<&str> = numbers.iter().map(InvoiceNumber::as_str).collect();
        let mut found = HashMap::new();
        for chunk in texts.chunks(BATCH_ROWS) {
            let sql = Self::where_in("SELECT number, pdf FROM invoices WHERE pdf IS NOT NULL AND number", chunk.len());
            for row in Self::bind_texts(sqlx::query(&sql), chunk).fetch_all(&mut *conn).await? {
                let number = InvoiceNumber::parse(row.text(0)?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                found.insert(number, row.text(1)?.to_string());
            }
        }
        Ok(found)
    }
}

fn claimed(row: &impl Columns) -> Result<Claimed> {
    let channel = row.text(1)?;
    let channel: Channel =
        channel.parse().map_err(|_| StoreError::Corrupt(format!("unknown outbox channel {channel:?}")))?;
    let attempts = u32::try_from(row.int(3)?).map_err(|_| StoreError::Corrupt("negative outbox attempts".into()))?;
    Ok(Claimed { id: row.int(0)?, channel, item: rows::item_of(row.text(2)?, row.opt_text(4)?)?, attempts })
}

/// `outbox.sent`, `outbox.retry`, `outbox.failed` or `outbox.cancelled`, with
/// what a person checking a complaint needs: the channel, where it went,
/// which attempt, why.
fn settled_audit(
    claimed: &Claimed,
    settled: &Settled,
    recorded: Option<bool>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AuditEntry {
    let mut detail = serde_json::json!({
        "channel": claimed.channel.as_str(),
        "attempt": claimed.attempts,
        "stage": claimed.item.stage,
        "tone": claimed.item.tone,
    });
    let action = match settled {
        Settled::Sent { recipient, message_id } => {
            detail["recipient"] = recipient.as_str().into();
            detail["message_id"] = message_id.as_str().into();
            detail["reminder_recorded"] = recorded.unwrap_or(false).into();
            "outbox.sent"
        }
        Settled::Retry { at, error } => {
            detail["next_attempt_at"] = at.to_rfc3339().into();
            detail["error"] = error.as_str().into();
            "outbox.retry"
        }
        Settled::Failed { error } => {
            detail["error"] = error.as_str().into();
            "outbox.failed"
        }
        Settled::Cancelled { reason } => {
            detail["reason"] = reason.as_str().into();
            "outbox.cancelled"
        }
    };
    AuditEntry {
        at: now,
        actor: actor.clone(),
        action: action.into(),
        client_id: Some(claimed.item.client_id.clone()),
        subject: claimed.item.proposal_id.to_string(),
        detail,
    }
}
