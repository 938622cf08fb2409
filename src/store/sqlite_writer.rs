//! The decision writer on SQLite: a connection of its own, used from one
//! thread, that reads, decides and writes a batch of button clicks without
//! leaving that thread.
//!
//! Why not the sqlx pool: sqlx runs each SQLite connection on a worker
//! thread of its own, and every statement is a round trip to it. A batch of
//! clicks made about eight (begin, the day's facts, the entries, four
//! writes, commit), and during a burst each waited for a core: timed on the
//! bench, `BEGIN IMMEDIATE` alone took 0.4–5.7 ms and the batch's fixed cost
//! was about 5 ms, on the single writer's serial path. Here the decision
//! engine's thread runs the whole transaction itself: one wake-up a batch.
//!
//! The statements are the sqlx store's (`board/decisions.rs`, built as
//! [`Stmt`]s), and [`Arg`](super::stmt::Arg) stores values exactly as sqlx
//! does, so what this writes reads back through the store like any row. The
//! connection skips CHECK constraints (see [`SqliteDecisionWriter::open`]).
//! PostgreSQL has no such writer: its round trips are network ones, and
//! several instances share the work through row locks.

use super::backend::Backend;
use super::board::decisions::{decision_statements, pause_client, pauses, Pieces};
use super::board::rows::{entry_of, ENTRY_COLUMNS, SENT_ANYWAY_SQL};
use super::board::trail;
use super::rows::placeholders;
use super::sql::last_import_sql;
use super::sqlite::PRAGMAS;
use super::stmt::Stmt;
use super::{Applied, DayFacts, DecideFn, DecisionWriter, Result, StoreError};
use crate::clock::Clock;
use crate::decision::{Effect, EntryState};
use crate::domain::ProposalId;
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use sqlx::Sqlite;
use std::collections::HashMap;
use std::path::Path;

/// Prepared statements kept by the connection: the batch's statements
/// differ by their number of rows (a batch of 256 clicks has as many
/// shapes), and the common sizes recur.
const STATEMENT_CACHE: usize = 128;

pub struct SqliteDecisionWriter {
    conn: Connection,
    clock: Clock,
}

impl SqliteDecisionWriter {
    /// Opens the database file the store uses, with the pool's settings
    /// (WAL, foreign keys, the same busy timeout and page cache), CHECK
    /// constraints aside (below).
    pub fn open(path: &Path, clock: Clock) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(super::sqlite::BUSY_TIMEOUT)?;
        let pragmas: String = PRAGMAS.iter().map(|(name, value)| format!("PRAGMA {name} = {value};")).collect();
        conn.execute_batch(&pragmas)?;
        // CHECK constraints are not re-evaluated on this connection: every
        // JSON value it writes is one serde has just produced from typed
        // values, and `json_valid` parsing it again was a fifth of the serial
        // path when a click wrote about 4.5 KB of it (bench: p50 28–32 →
        // 20–27 ms, alternated pairs; since 0013 a click writes far less).
        // The statements are the very ones the sqlx store runs with every
        // CHECK on, on both backends, in the same tests; NOT NULL, UNIQUE,
        // foreign keys and STRICT types still hold here.
        conn.pragma_update(None, "ignore_check_constraints", true)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Self { conn, clock })
    }
}

impl DecisionWriter for SqliteDecisionWriter {
    /// The same transaction as the sqlx store's `apply_decisions`: the write
    /// lock first (`BEGIN IMMEDIATE`), the facts and entries read under it,
    /// the decisions, their rows, and the pauses in client order.
    fn apply_decisions(&mut self, day: NaiveDate, ids: &[ProposalId], decide: &mut DecideFn<'_>) -> Result<()> {
        let now = self.clock.now().trunc_subsecs(6);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let facts = day_facts(&tx, day)?;
        let mut entries = entries_with_ids(&tx, ids)?;
        let applied = decide(&mut entries, &facts);
        let applied: Vec<&Applied> = applied.iter().filter(|a| a.outcome.effect != Effect::Repeat).collect();
        for stmt in decision_statements::<Sqlite>(&applied, now, Pieces::Recurring)? {
            run(&tx, &stmt)?;
        }
        for (client, (until, a)) in pauses(&applied) {
            if run(&tx, &pause_client::<Sqlite>(client, until, now))? > 0 {
                run(&tx, &super::audit::insert::<Sqlite>(&[trail::paused(client, until, a)]))?;
            }
        }
        Ok(tx.commit()?)
    }
}

/// Runs a statement (prepared once per shape); returns the rows it changed.
fn run(conn: &Connection, stmt: &Stmt) -> Result<u64> {
    let mut prepared = conn.prepare_cached(&stmt.sql)?;
    let changed = prepared.execute(rusqlite::params_from_iter(&stmt.args.0))?;
    stmt.check(changed as u64)
}

/// Whether the day's digest was "sent anyway", and the ledger's last import.
fn day_facts(conn: &Connection, day: NaiveDate) -> Result<DayFacts> {
    let mut digest = conn.prepare_cached(SENT_ANYWAY_SQL)?;
    let actor: Option<Option<String>> =
        digest.query_row([day.format("%F").to_string()], |row| row.get(0)).optional()?;
    let mut import = conn.prepare_cached(&last_import_sql())?;
    let at: Option<String> = import.query_row([], |row| row.get(0)).optional()?;
    Ok(DayFacts { sent_anyway: actor.flatten().is_some(), last_import_at: at.as_deref().map(time).transpose()? })
}

/// The entries with these ids (each once), in proposal-id order.
fn entries_with_ids(conn: &Connection, ids: &[ProposalId]) -> Result<HashMap<ProposalId, EntryState>> {
    let mut wanted: Vec<&str> = ids.iter().map(ProposalId::as_str).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut found = HashMap::with_capacity(wanted.len());
    for chunk in Pieces::Recurring.cut(&wanted) {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM digest_entries WHERE proposal_id IN ({}) ORDER BY proposal_id",
            placeholders(<Sqlite as Backend>::PARAMS, 1, chunk.len())
        );
        let mut select = conn.prepare_cached(&sql)?;
        let mut rows = select.query(rusqlite::params_from_iter(chunk))?;
        while let Some(row) = rows.next()? {
            let text = |i: usize| row.get_ref(i)?.as_str().map_err(rusqlite::Error::from);
            let entry = entry_of(text(1)?, text(2)?)?;
            found.insert(entry.proposal.id.clone(), entry);
        }
    }
    Ok(found)
}

/// A time as sqlx's SQLite driver stores it (RFC 3339).
fn time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("time {text:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The writer's connection must behave like the pool's: WAL (readers
    /// never wait for it), foreign keys checked, the same page cache.
    #[test]
    fn the_writer_opens_with_the_pools_settings() {
        let dir = tempfile::tempdir().unwrap();
        let writer = SqliteDecisionWriter::open(&dir.path().join("relance.db"), Clock::real(chrono_tz::Europe::Paris))
            .expect("opens");
        let pragma = |name: &str| -> String {
            writer
                .conn
                .query_row(&format!("PRAGMA {name}"), [], |row| row.get::<_, rusqlite::types::Value>(0))
                .map(|value| match value {
                    rusqlite::types::Value::Integer(n) => n.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    other => format!("{other:?}"),
                })
                .unwrap()
        };
        assert_eq!(pragma("journal_mode"), "wal");
        assert_eq!(pragma("foreign_keys"), "1");
        assert_eq!(pragma("cache_size"), "-16384");
        assert_eq!(pragma("mmap_size"), "1073741824");
        assert_eq!(pragma("synchronous"), "1", "NORMAL");
        assert_eq!(pragma("busy_timeout"), "5000");
        assert_eq!(pragma("ignore_check_constraints"), "1", "see `open`");
    }
}
