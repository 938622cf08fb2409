//! The SQLite backend: the embedded default, one file, WAL mode.
//!
//! Money is stored as TEXT holding the canonical decimal string and parsed
//! back exactly; SQLite's own arithmetic (REAL) never touches it.

use super::backend::{Backend, MoneyColumns, ParamStyle, Q};
use super::rows::corrupt;
use super::sql::SqlStore;
use super::sqlite_writer::SqliteDecisionWriter;
use super::{DecisionWriter, Result, StoreError};
use rust_decimal::Decimal;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteQueryResult};
use sqlx::{Row, Sqlite};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// The store on SQLite.
pub type SqliteStore = SqlStore<Sqlite>;

impl SqlStore<Sqlite> {
    /// Opens (creating if missing) the database named by a `sqlite://path` URL.
    /// Does not migrate.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut options = SqliteConnectOptions::from_str(url)?.create_if_missing(true).busy_timeout(BUSY_TIMEOUT);
        for (name, value) in PRAGMAS {
            options = options.pragma(*name, *value);
        }
        let pool = SqlitePoolOptions::new().max_connections(4).test_before_acquire(false).connect_with(options).await?;
        tokio::spawn(checkpoints(pool.clone()));
        Ok(Self::from_pool(pool))
    }
}

/// How long a connection waits for another's write lock before failing.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The settings of every connection to the database: the pool's and the
/// decision writer's (`sqlite_writer.rs`), in the order they are set.
pub(super) const PRAGMAS: &[(&str, &str)] = &[
    // Readers never wait for the writer, nor it for them.
    ("journal_mode", "WAL"),
    ("synchronous", "NORMAL"),
    ("foreign_keys", "ON"),
    // A multi-row upsert journals the pages it changes, so that it can be
    // undone alone: in memory, not in a temporary file.
    ("temp_store", "memory"),
    // Checkpoints run in the background (below), not in whichever commit
    // crosses the WAL's 1000 pages: that commit is often a batch of button
    // clicks waiting for their answer.
    ("wal_autocheckpoint", "0"),
    // Pages are read through a memory map (1 GiB: the whole file for the
    // ledgers this product targets, a million invoices being a few hundred
    // MB) rather than copied by a `pread` each time they leave the page
    // cache: a batch of button clicks reads and writes entries, decisions,
    // audit and outbox b-trees all over the file, inside the single writer.
    ("mmap_size", "1073741824"),
    // The page cache of each connection (negative: in KiB): 16 MB, where
    // SQLite's default is 2 MB.
    ("cache_size", "-16384"),
];

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Copies the WAL back into the database (a passive checkpoint: it waits for
/// no one and no one waits for it) twice a second, until the pool is closed.
/// When the last connection closes, SQLite checkpoints what is left.
async fn checkpoints(pool: sqlx::SqlitePool) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %err, "SQLite checkpoint failed; the WAL grows until the next one");
        }
    }
}

impl MoneyColumns for Sqlite {
    fn bind_money<'q>(query: Q<'q, Self>, amount: Decimal) -> Q<'q, Self> {
        query.bind(amount.normalize().to_string())
    }

    fn money(row: &Self::Row, index: usize) -> Result<Option<Decimal>> {
        let text: Option<&str> = row.try_get(index)?;
        text.map(|t| Decimal::from_str_exact(t).map_err(|e| corrupt(format!("amount {t:?}: {e}")))).transpose()
    }
}

impl Backend for Sqlite {
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const BEGIN_SNAPSHOT: &'static str = "BEGIN";
    const PARAMS: ParamStyle = ParamStyle::Anonymous;
    // A million-row import inserts all over the invoice-number index: with
    // SQLite's default 2 MB page cache it rereads and rewrites the same
    // pages; 32 MB holds the index and cuts the import time by a third.
    // The usual cache ([`CACHE_PRAGMA`]) comes back after.
    const BULK_BEGIN: &'static str = "PRAGMA cache_size = -32768";
    const BULK_END: &'static str = "PRAGMA cache_size = -16384";
    const LOCK_FOR_UPDATE: &'static str = "";
    const SKIP_LOCKED: &'static str = "";

    fn migrator() -> &'static Migrator {
        &MIGRATOR
    }

    fn json_param(n: usize) -> String {
        format!("${n}")
    }

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }

    /// A connection of its own to the store's file (none for an in-memory
    /// database, which a second connection would not see).
    fn decision_writer(store: &SqlStore<Sqlite>) -> Result<Option<Box<dyn DecisionWriter>>> {
        let path = store.pool().connect_options().get_filename().to_owned();
        let name = path.to_string_lossy();
        if name == ":memory:" || name.starts_with("file:") {
            return Ok(None);
        }
        Ok(Some(Box::new(SqliteDecisionWriter::open(&path, *store.clock())?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pooled connection runs with [`PRAGMAS`] (the decision writer's
    /// own test checks its connection against the same values).
    #[tokio::test]
    async fn pooled_connections_have_the_settings_listed() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            SqliteStore::connect(&format!("sqlite://{}", dir.path().join("relance.db").display())).await.unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        let mut read = Vec::new();
        for (name, _) in PRAGMAS {
            let row = sqlx::query(&format!("PRAGMA {name}")).fetch_one(&mut *conn).await.unwrap();
            let value = row.try_get::<String, _>(0).or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()));
            read.push((*name, value.unwrap()));
        }
        let expected = [
            ("journal_mode", "wal"),
            ("synchronous", "1"),
            ("foreign_keys", "1"),
            ("temp_store", "2"),
            ("wal_autocheckpoint", "0"),
            ("mmap_size", "1073741824"),
            ("cache_size", "-16384"),
        ];
        assert_eq!(read, expected.map(|(n, v)| (n, v.to_string())));
        let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(timeout, BUSY_TIMEOUT.as_millis() as i64);
    }
}
