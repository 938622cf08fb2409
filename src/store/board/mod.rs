//! The digest's state in SQL: each day's digest and its entries, the
//! decisions taken on them, the messages the digest was posted as, the
//! outbox the sender reads, the decision links already used.
//!
//! Every write is one transaction holding the change and its audit entries.
//! Writers that read an entry before rewriting it lock it: SQLite by its
//! `BEGIN IMMEDIATE` (one writer at a time), PostgreSQL by `FOR UPDATE`,
//! always in proposal-id order (so two writers never wait on each other in a
//! cycle), after the digest's own row when they touch it. That is what makes
//! twenty simultaneous clicks on one button one decision.

pub(super) mod decisions;
mod merge;
pub(super) mod rows;
mod sending;
pub(super) mod trail;

use super::backend::{Backend, Binds, Columns, Conn, Q};
use super::rows::BATCH_ROWS;
use super::sql::SqlStore;
use super::StoreError;
use super::{
    Actor, Applied, DayFacts, DecideFn, DecisionRecord, DigestRecord, Entries, OutboxRow, PostedMessage, Result,
};
use crate::decision::{Effect, EntryState, Stamp};
use crate::domain::{ClientId, ProposalId};
use crate::people::Platform;
use chrono::{DateTime, NaiveDate, Utc};
use merge::{Change, Row};
use sqlx::Executor;
use std::collections::HashMap;

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    /// See [`Store::save_digest`](super::Store::save_digest) and `merge.rs`
    /// for what a second posting keeps. Withdrawals are signed by `actor`.
    pub(super) async fn board_save_digest(
        &self,
        day: NaiveDate,
        header: &serde_json::Value,
        entries: &[EntryState],
        actor: &Actor,
    ) -> Result<Entries> {
        if let Some(other) = entries.iter().find(|e| e.proposal.date != day) {
            let (id, date) = (&other.proposal.id, other.proposal.date);
            return Err(StoreError::Conflict(format!("proposal {id} is for {date}, not for the digest of {day}")));
        }
        let now = self.now();
        let via = Platform::parse(&actor.via).unwrap_or(Platform::Web);
        let stamp = Stamp { by: actor.name.clone(), via, at: now };
        let mut tx = self.begin_write().await?;
        Self::upsert_digest(&mut tx, day, header, now).await?;
        let stored = Self::day_entries(&mut tx, day, true).await?;
        let rows = merge::merge(stored, entries, &stamp);
        for row in &rows {
            Self::write_row(&mut tx, day, row, now).await?;
            if row.change == Some(Change::Withdrawn) {
                Self::cancel_outbox(&mut tx, &[row.entry.proposal.id.as_str()], now).await?;
                Self::insert_audit(&mut tx, &trail::withdrawn(row, actor, now)).await?;
            }
        }
        Self::insert_audit(&mut tx, &trail::posted(day, &rows, actor, now)).await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(|row| row.entry).collect())
    }

    pub(super) async fn board_digest(&self, day: NaiveDate) -> Result<Option<DigestRecord>> {
        let mut conn = self.pool().acquire().await?;
        let sql = format!("{} WHERE day = $1", rows::DIGEST_SELECT);
        let row = sqlx::query::<DB>(&sql).date(day).fetch_optional(&mut *conn).await?;
        row.map(|row| rows::digest(&row)).transpose()
    }

    pub(super) async fn board_previous_digest_day(&self, day: NaiveDate) -> Result<Option<NaiveDate>> {
        let mut conn = self.pool().acquire().await?;
        let sql = "SELECT day FROM digests WHERE day < $1 ORDER BY day DESC LIMIT 1";
        let row = sqlx::query::<DB>(sql).date(day).fetch_optional(&mut *conn).await?;
        row.map(|row| row.date(0)).transpose()
    }

    pub(super) async fn board_entries(&self, day: NaiveDate) -> Result<Entries> {
        let mut conn = self.pool().acquire().await?;
        let entries = Self::day_entries(&mut conn, day, false).await?;
        Ok(entries.into_iter().map(|(_, entry)| entry).collect())
    }

    /// Each id asked once, in the order of its first mention.
    pub(super) async fn board_entries_by_id(&self, ids: &[ProposalId]) -> Result<Entries> {
        let mut conn = self.pool().acquire().await?;
        let mut found = Self::entries_with_ids(&mut conn, ids, false).await?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Not audited: where a digest was posted is plumbing, not a decision
    /// (the posting itself is, as `digest.posted`).
    pub(super) async fn board_save_messages(&self, messages: &[PostedMessage]) -> Result<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO digest_messages (day, platform, page, channel, message_id, entries) \
             VALUES ($1, $2, $3, $4, $5, {}) ON CONFLICT (day, platform, page) DO UPDATE SET \
             channel = excluded.channel, message_id = excluded.message_id, entries = excluded.entries",
            DB::json_param(6)
        );
        let mut tx = self.begin_write().await?;
        for m in messages {
            sqlx::query::<DB>(&sql)
                .date(m.day)
                .text(m.platform.as_str())
                .int(i64::from(m.page))
                .text(&m.channel)
                .text(&m.message_id)
                .string(rows::to_json(&m.entries)?)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn board_messages(&self, day: NaiveDate, platform: Platform) -> Result<Vec<PostedMessage>> {
        let mut conn = self.pool().acquire().await?;
        let sql = format!("{} WHERE day = $1 AND platform = $2 ORDER BY page", rows::MESSAGE_SELECT);
        let query = sqlx::query::<DB>(&sql).date(day).text(platform.as_str());
        query.fetch_all(&mut *conn).await?.iter().map(rows::message).collect()
    }

    /// Pauses are written last, one per client (the longest of the batch),
    /// in client order, like every other lock.
    pub(super) async fn board_apply_decisions(
        &self,
        day: NaiveDate,
        ids: &[ProposalId],
        decide: &mut DecideFn<'_>,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let facts = Self::day_facts(&mut tx, day).await?;
        let mut entries = Self::entries_with_ids(&mut tx, ids, true).await?;
        let applied = decide(&mut entries, &facts);
        let applied: Vec<&Applied> = applied.iter().filter(|a| a.outcome.effect != Effect::Repeat).collect();
        Self::write_decisions(&mut tx, &applied, now).await?;
        for (client, (until, a)) in decisions::pauses(&applied) {
            if decisions::pause_client::<DB>(client, until, now).run(&mut tx).await? > 0 {
                Self::insert_audit(&mut tx, &trail::paused(client, until, a)).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn board_release_held(&self, day: NaiveDate, stamp: &Stamp) -> Result<u64> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let sql = "UPDATE digests SET send_anyway_actor = $1, send_anyway_via = $2, send_anyway_at = $3 WHERE day = $4";
        let query = sqlx::query::<DB>(sql).text(&stamp.by).text(stamp.via.as_str()).time(stamp.at).date(day);
        if DB::rows_affected(&query.execute(&mut *tx).await?) == 0 {
            return Err(StoreError::NotFound(format!("digest of {day}")));
        }
        let mut released = Vec::new();
        for (_, mut entry) in Self::day_entries(&mut tx, day, true).await? {
            if entry.held_for_fresh_data {
                entry.held_for_fresh_data = false;
                entry.rev += 1;
                Self::update_entry(&mut tx, &entry, now).await?;
                released.push(entry.proposal.id);
            }
        }
        Self::release_outbox(&mut tx, day, now).await?;
        let ids: Vec<&str> = released.iter().map(ProposalId::as_str).collect();
        Self::insert_audit(&mut tx, &trail::send_anyway(day, stamp, &ids)).await?;
        tx.commit().await?;
        Ok(released.len() as u64)
    }

    pub(super) async fn board_decisions(&self, client: &ClientId) -> Result<Vec<DecisionRecord>> {
        let mut conn = self.pool().acquire().await?;
        let sql = format!("{} WHERE client_id = $1 ORDER BY id", rows::DECISION_SELECT);
        let found = sqlx::query::<DB>(&sql).text(client.as_str()).fetch_all(&mut *conn).await?;
        found.iter().map(rows::decision).collect()
    }

    pub(super) async fn board_outbox(&self, day: NaiveDate) -> Result<Vec<OutboxRow>> {
        let mut conn = self.pool().acquire().await?;
        let sql = format!("{} WHERE day = $1 ORDER BY id", rows::outbox_select());
        let found = sqlx::query::<DB>(&sql).date(day).fetch_all(&mut *conn).await?;
        found.iter().map(rows::outbox).collect()
    }

    /// The insert is the check: of two simultaneous uses, the database lets one in.
    pub(super) async fn board_use_link(&self, token_digest: &str, by: &str) -> Result<bool> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let sql = "INSERT INTO used_links (token_digest, actor, at) VALUES ($1, $2, $3) \
                   ON CONFLICT (token_digest) DO NOTHING";
        let query = sqlx::query::<DB>(sql).text(token_digest).text(by).time(now);
        if DB::rows_affected(&query.execute(&mut *tx).await?) == 0 {
            return Ok(false);
        }
        Self::insert_audit(&mut tx, &trail::link_used(token_digest, by, now)).await?;
        tx.commit().await?;
        Ok(true)
    }

    // ----- helpers, each taking the open transaction -----

    /// Creates the day's digest, or replaces its header (keeping when it was first posted).
    async fn upsert_digest(
        conn: &mut Conn<DB>,
        day: NaiveDate,
        header: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let sql = format!(
            "INSERT INTO digests (day, posted_at, updated_at, header) VALUES ($1, $2, $3, {}) \
             ON CONFLICT (day) DO UPDATE SET updated_at = excluded.updated_at, header = excluded.header",
            DB::json_param(4)
        );
        sqlx::query::<DB>(&sql).date(day).time(now).time(now).string(rows::to_json(header)?).execute(conn).await?;
        Ok(())
    }

    /// The day's entries with their positions, in digest order; locked
    /// (in proposal-id order) when `lock`.
    async fn day_entries(conn: &mut Conn<DB>, day: NaiveDate, lock: bool) -> Result<Vec<(i64, EntryState)>> {
        let select = format!("SELECT {} FROM digest_entries WHERE day = $1", rows::ENTRY_COLUMNS);
        let sql = match lock {
            true => format!("{select} ORDER BY proposal_id{}", DB::LOCK_FOR_UPDATE),
            false => format!("{select} ORDER BY position"),
        };
        let found = sqlx::query::<DB>(&sql).date(day).fetch_all(conn).await?;
        let mut entries = found.iter().map(rows::entry).collect::<Result<Vec<_>>>()?;
        entries.sort_by_key(|(position, _)| *position);
        Ok(entries)
    }

    /// Whether the day's digest was "sent anyway", and the ledger's last import.
    async fn day_facts(conn: &mut Conn<DB>, day: NaiveDate) -> Result<DayFacts> {
        let row = sqlx::query::<DB>(rows::SENT_ANYWAY_SQL).date(day).fetch_optional(&mut *conn).await?;
        let sent_anyway = row.map(|r| r.opt_text(0).map(|a| a.is_some())).transpose()?.unwrap_or(false);
        Ok(DayFacts { sent_anyway, last_import_at: Self::last_import(conn).await? })
    }

    /// The entries with these ids, locked (in proposal-id order) when `lock`.
    async fn entries_with_ids(
        conn: &mut Conn<DB>,
        ids: &[ProposalId],
        lock: bool,
    ) -> Result<HashMap<ProposalId, EntryState>> {
        let mut wanted: Vec<&str> = ids.iter().map(ProposalId::as_str).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let lock = if lock { DB::LOCK_FOR_UPDATE } else { "" };
        let select = format!("SELECT {} FROM digest_entries WHERE proposal_id", rows::ENTRY_COLUMNS);
        let mut found = HashMap::with_capacity(wanted.len());
        for chunk in wanted.chunks(BATCH_ROWS) {
            let sql = format!("{} ORDER BY proposal_id{lock}", Self::where_in(&select, chunk.len()));
            for row in Self::bind_texts(sqlx::query(&sql), chunk).fetch_all(&mut *conn).await? {
                let (_, entry) = rows::entry(&row)?;
                found.insert(entry.proposal.id.clone(), entry);
            }
        }
        Ok(found)
    }

    async fn write_row(conn: &mut Conn<DB>, day: NaiveDate, row: &Row, now: DateTime<Utc>) -> Result<()> {
        match row.change {
            None => Ok(()),
            Some(Change::Added) => Self::insert_entry(conn, day, row.position, &row.entry, now).await,
            Some(Change::Refreshed | Change::Withdrawn | Change::Revived) => {
                Self::update_entry(conn, &row.entry, now).await
            }
        }
    }

    async fn insert_entry(
        conn: &mut Conn<DB>,
        day: NaiveDate,
        position: i64,
        entry: &EntryState,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let sql = format!(
            "INSERT INTO digest_entries (proposal_id, day, position, client_id, status, rev, state, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, {}, $8)",
            DB::json_param(7)
        );
        sqlx::query::<DB>(&sql)
            .text(entry.proposal.id.as_str())
            .date(day)
            .int(position)
            .text(entry.proposal.client_id.as_str())
            .text(entry.status.as_str())
            .int(i64::from(entry.rev))
            .string(rows::state_json(entry)?)
            .time(now)
            .execute(&mut *conn)
            .await?;
        let sql = format!("INSERT INTO digest_proposals (proposal_id, proposal) VALUES ($1, {})", DB::json_param(2));
        let query = sqlx::query::<DB>(&sql).text(entry.proposal.id.as_str()).string(rows::to_json(&entry.proposal)?);
        query.execute(conn).await?;
        Ok(())
    }

    async fn update_entry(conn: &mut Conn<DB>, entry: &EntryState, now: DateTime<Utc>) -> Result<()> {
        let sql = format!(
            "UPDATE digest_entries SET status = $1, rev = $2, state = {}, updated_at = $4 WHERE proposal_id = $5",
            DB::json_param(3)
        );
        let query = sqlx::query::<DB>(&sql)
            .text(entry.status.as_str())
            .int(i64::from(entry.rev))
            .string(rows::state_json(entry)?)
            .time(now)
            .text(entry.proposal.id.as_str());
        if DB::rows_affected(&query.execute(&mut *conn).await?) == 0 {
            return Err(StoreError::NotFound(format!("digest entry {}", entry.proposal.id)));
        }
        // A re-posting may bring new amounts (refreshed) or a new proposal (revived).
        let sql = format!("UPDATE digest_proposals SET proposal = {} WHERE proposal_id = $2", DB::json_param(1));
        let query = sqlx::query::<DB>(&sql).string(rows::to_json(&entry.proposal)?).text(entry.proposal.id.as_str());
        query.execute(conn).await?;
        Ok(())
    }

    /// Lets the day's queued messages held for fresh data go.
    async fn release_outbox(conn: &mut Conn<DB>, day: NaiveDate, now: DateTime<Utc>) -> Result<()> {
        let sql = "SELECT id, CAST(item AS TEXT) FROM outbox \
                   WHERE day = $1 AND status = 'queued' AND held_for_fresh_data = $2 ORDER BY id";
        let held = sqlx::query::<DB>(sql).date(day).flag(true).fetch_all(&mut *conn).await?;
        let update = format!(
            "UPDATE outbox SET held_for_fresh_data = $1, item = {}, updated_at = $3 WHERE id = $4",
            DB::json_param(2)
        );
        for row in held {
            let item = rows::item_released(row.text(1)?)?;
            let query = sqlx::query::<DB>(&update).flag(false).string(item).time(now).int(row.int(0)?);
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}
