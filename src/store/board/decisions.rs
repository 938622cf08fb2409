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
use crate::decision::{Effect, EntryState, OutboxItem, OutboxOp};
use crate::domain::{Channel, ClientId};
use crate::store::audit;
use crate::store::backend::{Backend, Binds, Conn, Q};
use crate::store::rows::{param, placeholders, values, BATCH_ROWS};
use crate::store::sql::SqlStore;
use crate::store::stmt::{Args, Stmt};
use crate::store::{Applied, AuditEntry, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Executor;
use std::collections::{BTreeMap, HashMap, HashSet};

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    /// Writes accepted decisions (repeats already left out), in order.
    pub(super) async fn write_decisions(conn: &mut Conn<DB>, applied: &[&Applied], now: DateTime<Utc>) -> Result<()> {
        for stmt in decision_statements::<DB>(applied, now, Pieces::Fewest)? {
            stmt.run(conn).await?;
        }
        Ok(())
    }

    /// Cancels proposals' messages that are still queued, on every channel
    /// (never one already sent).
    pub(super) async fn cancel_outbox(conn: &mut Conn<DB>, ids: &[&str], now: DateTime<Utc>) -> Result<()> {
        for chunk in ids.chunks(BATCH_ROWS) {
            outbox_cancel::<DB>(chunk, now).run(conn).await?;
        }
        Ok(())
    }
}

/// How a batch's rows are cut into statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pieces {
    /// As few statements as possible (up to [`BATCH_ROWS`] rows each): each
    /// statement is a round trip to the database (sqlx, PostgreSQL).
    Fewest,
    /// Statements of 256, 128, … 2 or 1 rows (the binary digits of the row
    /// count): a handful of shapes that recur from batch to batch, so they
    /// stay prepared. For the SQLite decision writer, where a statement
    /// costs no round trip but parsing a new multi-row shape for every
    /// batch size was 6–8 % of its thread's time in profiles of the bench.
    Recurring,
}

impl Pieces {
    pub(crate) fn cut<T>(self, rows: &[T]) -> Vec<&[T]> {
        match self {
            Pieces::Fewest => rows.chunks(BATCH_ROWS).collect(),
            Pieces::Recurring => {
                let mut pieces = Vec::new();
                let mut rest = rows;
                while !rest.is_empty() {
                    let size = 1 << rest.len().min(256).ilog2();
                    let (piece, after) = rest.split_at(size);
                    pieces.push(piece);
                    rest = after;
                }
                pieces
            }
        }
    }
}

/// The statements writing accepted decisions (repeats already left out), in
/// order: the entries, the decision rows, their audit entries, the outbox;
/// each statement writes several rows, cut as `pieces` says.
///
/// Why multi-row statements even on the SQLite decision writer, where a
/// statement costs no round trip: a row a statement was measured slower on
/// the bench (p50 about 38 ms against 27 ms, 200 clicks in flight).
pub(crate) fn decision_statements<DB: Backend>(
    applied: &[&Applied],
    now: DateTime<Utc>,
    pieces: Pieces,
) -> Result<Vec<Stmt>> {
    let mut stmts = Vec::new();
    let last = last_states(applied);
    for piece in pieces.cut(&last) {
        stmts.push(entries_update::<DB>(piece, now)?);
    }
    for piece in pieces.cut(&softened(applied, &last)) {
        stmts.push(proposals_update::<DB>(piece)?);
    }
    for piece in pieces.cut(applied) {
        stmts.push(decision_rows::<DB>(piece)?);
    }
    let audit: Vec<AuditEntry> = applied.iter().map(|a| trail::decision(a)).collect();
    stmts.extend(pieces.cut(&audit).into_iter().map(audit::insert::<DB>));
    let (queue, cancel) = outbox_ops(applied);
    let queue: Vec<(&OutboxItem, Channel)> =
        queue.iter().flat_map(|item| item.channels.iter().map(move |c| (*item, *c))).collect();
    for piece in pieces.cut(&queue) {
        stmts.push(outbox_queue::<DB>(piece, now)?);
    }
    stmts.extend(pieces.cut(&cancel).into_iter().map(|piece| outbox_cancel::<DB>(piece, now)));
    Ok(stmts)
}

/// Rewrites entries' states (each at most once) with one `UPDATE … FROM
/// (VALUES …)`; their proposals are left alone (see [`proposals_update`]).
fn entries_update<DB: Backend>(entries: &[&EntryState], now: DateTime<Utc>) -> Result<Stmt> {
    // `now` is the first parameter, before the rows' (SQLite numbers `?` in order).
    let sql = format!(
        "UPDATE digest_entries SET status = v.column2, rev = v.column3, state = v.column4, \
         updated_at = {} FROM (VALUES {}) AS v WHERE digest_entries.proposal_id = v.column1",
        param::<DB>(1, false),
        values::<DB>(2, entries.len(), &[false, false, false, true])
    );
    let mut args = Args::default().time(now);
    for entry in entries {
        args = args
            .text(entry.proposal.id.as_str())
            .text(entry.status.as_str())
            .int(i64::from(entry.rev))
            .string(rows::state_json(entry)?);
    }
    Ok(Stmt::new(sql, args).changing(entries.len() as u64, "digest entries decided"))
}

/// Rewrites the proposals a decision changed. Only Soften does (it lowers
/// the tone): an approval, a veto or a snooze leaves the proposal's 2 KB or
/// so alone instead of serialising and writing them again.
fn proposals_update<DB: Backend>(entries: &[&EntryState]) -> Result<Stmt> {
    let sql = format!(
        "UPDATE digest_proposals SET proposal = v.column2 FROM (VALUES {}) AS v \
         WHERE digest_proposals.proposal_id = v.column1",
        values::<DB>(1, entries.len(), &[false, true])
    );
    let mut args = Args::default();
    for entry in entries {
        args = args.text(entry.proposal.id.as_str()).string(rows::to_json(&entry.proposal)?);
    }
    Ok(Stmt::new(sql, args).changing(entries.len() as u64, "digest proposals softened"))
}

fn decision_rows<DB: Backend>(applied: &[&Applied]) -> Result<Stmt> {
    let mut json = [false; 9];
    json[8] = true;
    let sql = format!(
        "INSERT INTO decisions (proposal_id, day, client_id, action, actor, via, at, effect, detail) VALUES {}",
        values::<DB>(1, applied.len(), &json)
    );
    let mut args = Args::default();
    for a in applied {
        let r = &a.record;
        args = args
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
    Ok(Stmt::new(sql, args))
}

/// Queues each item's messages, one row per channel, or queues again
/// ones that were cancelled (an entry withdrawn then proposed and
/// approved again). A row a sender has taken further is left alone.
fn outbox_queue<DB: Backend>(batch: &[(&OutboxItem, Channel)], now: DateTime<Utc>) -> Result<Stmt> {
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
    let mut args = Args::default();
    for (item, channel) in batch {
        args = args
            .text(item.proposal_id.as_str())
            .text(channel.as_str())
            .date(item.day)
            .text(item.client_id.as_str())
            .text(item.stage.as_str())
            .text(item.tone.as_str())
            .text("queued")
            .time(item.not_before)
            .flag(item.held_for_fresh_data)
            .string(rows::item_json(item, false)?)
            .time(now)
            .time(now);
    }
    Ok(Stmt::new(sql, args))
}

/// Cancels proposals' messages that are still queued, on every channel.
fn outbox_cancel<DB: Backend>(ids: &[&str], now: DateTime<Utc>) -> Stmt {
    let sql = format!(
        "UPDATE outbox SET status = 'cancelled', updated_at = {} WHERE status = 'queued' AND proposal_id IN ({})",
        param::<DB>(1, false),
        placeholders(DB::PARAMS, 2, ids.len())
    );
    Stmt::new(sql, ids.iter().fold(Args::default().time(now), |args, id| args.text(id)))
}

/// The pause each client of the batch gets: the longest, with the decision
/// that set it, in client order (the order every writer locks them in).
pub(crate) fn pauses<'a>(applied: &[&'a Applied]) -> BTreeMap<&'a ClientId, (NaiveDate, &'a Applied)> {
    let mut pauses: BTreeMap<&ClientId, (NaiveDate, &Applied)> = BTreeMap::new();
    for a in applied {
        if let Some(until) = a.outcome.pause_client_until {
            let pause = pauses.entry(&a.record.client_id).or_insert((until, a));
            if until > pause.0 {
                *pause = (until, a);
            }
        }
    }
    pauses
}

/// Pauses a client until `until`, unless a longer pause is set (dispute and
/// promise untouched). When it changes a row, [`trail::paused`] is audited.
pub(crate) fn pause_client<DB: Backend>(client: &ClientId, until: NaiveDate, now: DateTime<Utc>) -> Stmt {
    let sql = format!(
        "UPDATE clients SET paused_until = {}, updated_at = {} \
         WHERE client_id = {} AND (paused_until IS NULL OR paused_until < {})",
        param::<DB>(1, false),
        param::<DB>(2, false),
        param::<DB>(3, false),
        param::<DB>(4, false)
    );
    Stmt::new(sql, Args::default().date(until).time(now).text(client.as_str()).date(until))
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

/// Of the entries' last states, those whose proposal a decision of the
/// batch changed (softened).
fn softened<'a>(applied: &[&Applied], last: &[&'a EntryState]) -> Vec<&'a EntryState> {
    let ids: HashSet<&str> = (applied.iter())
        .filter(|a| matches!(a.outcome.effect, Effect::Softened { .. }))
        .map(|a| a.record.proposal_id.as_str())
        .collect();
    last.iter().filter(|e| ids.contains(e.proposal.id.as_str())).copied().collect()
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

#[cfg(test)]
mod tests {
    use super::Pieces;

    #[test]
    fn recurring_pieces_are_the_binary_digits_of_the_row_count() {
        let rows: Vec<u32> = (0..700).collect();
        let sizes = |n: usize| Pieces::Recurring.cut(&rows[..n]).iter().map(|p| p.len()).collect::<Vec<_>>();
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), [1]);
        assert_eq!(sizes(170), [128, 32, 8, 2]);
        assert_eq!(sizes(256), [256]);
        assert_eq!(sizes(700), [256, 256, 128, 32, 16, 8, 4]);
        let pieces = Pieces::Recurring.cut(&rows[..170]);
        assert_eq!(pieces.concat(), rows[..170], "every row once, in order");
        assert_eq!(Pieces::Fewest.cut(&rows).iter().map(|p| p.len()).collect::<Vec<_>>(), [500, 200]);
    }
}
