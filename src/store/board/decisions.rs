//! A batch of decisions written with a handful of statements.
//!
//! The decision engine hands over up to a few hundred accepted decisions at
//! once (group commit). Written one by one, each costs four statements — the
//! entry, the decision row, the audit entry, the outbox row — and on SQLite
//! every statement is a round trip to the connection's thread: 200 clicks
//! made 800 round trips inside the single writer's transaction. Here each
//! table gets one multi-row statement per [`BATCH_ROWS`] rows, whatever the
//! number of decisions.
//!
//! The result is the one the decisions would give applied in order: an
//! entry decided twice in the batch keeps its last state, and a proposal
//! queued then cancelled (approve, then veto) ends cancelled.

use super::rows;
use super::trail;
use crate::decision::{EntryState, OutboxItem, OutboxOp};
use crate::domain::Channel;
use crate::store::backend::{Backend, Binds, Conn, Q};
use crate::store::rows::{param, placeholders, values, BATCH_ROWS};
use crate::store::sql::SqlStore;
use crate::store::{Applied, AuditEntry, Result, StoreError};
use chrono::{DateTime, Utc};
use sqlx::Executor;
use std::collections::HashMap;

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    /// Writes accepted decisions (repeats already left out), in order.
    pub(super) async fn write_decisions(conn: &mut Conn<DB>, applied: &[&Applied], now: DateTime<Utc>) -> Result<()> {
        Self::update_entries(conn, &last_states(applied), now).await?;
        for chunk in applied.chunks(BATCH_ROWS) {
            Self::insert_decision_rows(conn, chunk).await?;
        }
        let audit: Vec<AuditEntry> = applied.iter().map(|a| trail::decision(a)).collect();
        Self::insert_audits(conn, &audit).await?;
        let (queue, cancel) = outbox_ops(applied);
        Self::queue_outbox_rows(conn, &queue, now).await?;
        for chunk in cancel.chunks(BATCH_ROWS) {
            Self::cancel_outbox(conn, chunk, now).await?;
        }
        Ok(())
    }

    /// Rewrites entries (each at most once) with one `UPDATE … FROM (VALUES …)`.
    async fn update_entries(conn: &mut Conn<DB>, entries: &[&EntryState], now: DateTime<Utc>) -> Result<()> {
        for chunk in entries.chunks(BATCH_ROWS) {
            // `now` is the first parameter, before the rows' (SQLite numbers `?` in order).
            let sql = format!(
                "UPDATE digest_entries SET status = v.column2, rev = v.column3, state = v.column4, \
                 updated_at = {} FROM (VALUES {}) AS v WHERE digest_entries.proposal_id = v.column1",
                param::<DB>(1, false),
                values::<DB>(2, chunk.len(), &[false, false, false, true])
            );
            let mut query = sqlx::query::<DB>(&sql).time(now);
            for entry in chunk {
                query = query
                    .text(entry.proposal.id.as_str())
                    .text(entry.status.as_str())
                    .int(i64::from(entry.rev))
                    .string(rows::to_json(entry)?);
            }
            let updated = DB::rows_affected(&query.execute(&mut *conn).await?);
            if updated != chunk.len() as u64 {
                return Err(StoreError::NotFound(format!(
                    "{} of the {} digest entries decided",
                    chunk.len() as u64 - updated,
                    chunk.len()
                )));
            }
        }
        Ok(())
    }

    async fn insert_decision_rows(conn: &mut Conn<DB>, applied: &[&Applied]) -> Result<()> {
        let mut json = [false; 9];
        json[8] = true;
        let sql = format!(
            "INSERT INTO decisions (proposal_id, day, client_id, action, actor, via, at, effect, detail) VALUES {}",
            values::<DB>(1, applied.len(), &json)
        );
        let mut query = sqlx::query::<DB>(&sql);
        for a in applied {
            let r = &a.record;
            query = query
                .text(r.proposal_id.as_str())
                .date(r.day)
                .text(r.client_id.as_str())
                .text(r.action.as_str())
                .text(&r.by)
                .text(r.via.as_str())
                .time(r.at)
                .text(&r.effect)
                .string(rows::to_json(&r.detail)?);
        }
        query.execute(conn).await?;
        Ok(())
    }

    /// Queues each item's messages, one row per channel, or queues again
    /// ones that were cancelled (an entry withdrawn then proposed and
    /// approved again). A row a sender has taken further is left alone.
    async fn queue_outbox_rows(conn: &mut Conn<DB>, items: &[&OutboxItem], now: DateTime<Utc>) -> Result<()> {
        let batch: Vec<(&OutboxItem, Channel)> =
            items.iter().flat_map(|item| item.channels.iter().map(move |c| (*item, *c))).collect();
        for chunk in batch.chunks(BATCH_ROWS) {
            Self::queue_outbox_chunk(conn, chunk, now).await?;
        }
        Ok(())
    }

    async fn queue_outbox_chunk(
        conn: &mut Conn<DB>,
        batch: &[(&OutboxItem, Channel)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut json = [false; 12];
        json[9] = true;
        let sql = format!(
            "INSERT INTO outbox (proposal_id, channel, day, client_id, stage, tone, status, not_before, \
             held_for_fresh_data, item, created_at, updated_at) VALUES {} \
             ON CONFLICT (proposal_id, channel) DO UPDATE SET stage = excluded.stage, tone = excluded.tone, \
             status = 'queued', not_before = excluded.not_before, \
             held_for_fresh_data = excluded.held_for_fresh_data, item = excluded.item, attempts = 0, \
             next_attempt_at = NULL, last_error = NULL, \
             updated_at = excluded.updated_at WHERE outbox.status IN ('queued', 'cancelled')",
            values::<DB>(1, batch.len(), &json)
        );
        let mut query = sqlx::query::<DB>(&sql);
        for (item, channel) in batch {
            query = query
                .text(item.proposal_id.as_str())
                .text(channel.as_str())
                .date(item.day)
                .text(item.client_id.as_str())
                .text(item.stage.as_str())
                .text(item.tone.as_str())
                .text("queued")
                .time(item.not_before)
                .flag(item.held_for_fresh_data)
                .string(rows::to_json(item)?)
                .time(now)
                .time(now);
        }
        query.execute(conn).await?;
        Ok(())
    }

    /// Cancels proposals' messages that are still queued, on every channel
    /// (never one already sent).
    pub(super) async fn cancel_outbox(conn: &mut Conn<DB>, ids: &[&str], now: DateTime<Utc>) -> Result<()> {
        let sql = format!(
            "UPDATE outbox SET status = 'cancelled', updated_at = {} WHERE status = 'queued' AND proposal_id IN ({})",
            param::<DB>(1, false),
            placeholders(DB::PARAMS, 2, ids.len())
        );
        let query = ids.iter().fold(sqlx::query::<DB>(&sql).time(now), |q, id| q.text(id));
        query.execute(conn).await?;
        Ok(())
    }
}

/// Each decided entry's state after the batch, in first-decision order.
fn last_states<'a>(applied: &[&'a Applied]) -> Vec<&'a EntryState> {
    let mut order: Vec<&str> = Vec::new();
    let mut last: HashMap<&str, &EntryState> = HashMap::new();
    for a in applied {
        let id = a.outcome.entry.proposal.id.as_str();
        if last.insert(id, &a.outcome.entry).is_none() {
            order.push(id);
        }
    }
    order.into_iter().map(|id| last[id]).collect()
}

/// The outbox operations of the batch, as the same result applied in order:
/// the last item queued for each proposal queued in the batch, then the
/// proposals whose last operation is a cancel.
fn outbox_ops<'a>(applied: &[&'a Applied]) -> (Vec<&'a OutboxItem>, Vec<&'a str>) {
    let mut order: Vec<&str> = Vec::new();
    let mut queued: HashMap<&str, &OutboxItem> = HashMap::new();
    let mut ends_cancelled: HashMap<&str, bool> = HashMap::new();
    for a in applied {
        let id = a.record.proposal_id.as_str();
        let cancel = match &a.outcome.outbox {
            Some(OutboxOp::Queue(item)) => {
                queued.insert(id, item);
                false
            }
            Some(OutboxOp::Cancel) => true,
            None => continue,
        };
        if ends_cancelled.insert(id, cancel).is_none() {
            order.push(id);
        }
    }
    let queue = order.iter().filter_map(|id| queued.get(id).copied()).collect();
    let cancel = order.into_iter().filter(|id| ends_cancelled[id]).collect();
    (queue, cancel)
}
