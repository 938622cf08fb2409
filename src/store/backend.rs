//! What differs between the SQL backends, and a typed layer over sqlx that
//! hides it from the rest of the store.
//!
//! The store is written once, generic over [`Backend`] (see `sql.rs`); SQLite
//! and PostgreSQL differ only in what is declared here: how money is stored
//! (TEXT holding an exact decimal string vs NUMERIC), how a write transaction
//! starts, how JSON is cast, and which migrations apply. Everything the store
//! reads goes through [`Columns`] and everything it binds through [`Binds`],
//! so the long list of sqlx trait bounds is written in this file only.

use super::sql::SqlStore;
use super::{DecisionWriter, Result, StoreError};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use rust_decimal::Decimal;
use sqlx::migrate::{Migrate, Migrator};
use sqlx::query::Query;
use sqlx::{ColumnIndex, Database, Decode, Encode, IntoArguments, Row, Type};

/// A connection of backend `DB`.
pub type Conn<DB> = <DB as Database>::Connection;

/// A query being built, for backend `DB`.
pub type Q<'q, DB> = Query<'q, DB, <DB as Database>::Arguments<'q>>;

/// How bind parameters are written in a long generated statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// `$1, $2, …` (PostgreSQL; SQLite reads them too).
    Numbered,
    /// `?, ?, …`: SQLite finds a named parameter by walking a list, so a
    /// 6,500-parameter statement with `$N` names spends seconds binding.
    Anonymous,
}

/// How a backend stores money: the one type SQLite lacks.
pub trait MoneyColumns: Database {
    /// Binds an amount of money in this backend's storage format.
    fn bind_money<'q>(query: Q<'q, Self>, amount: Decimal) -> Q<'q, Self>;
    /// Reads an amount of money (NULL as `None`), normalized (`10.5`, not `10.5000`).
    fn money(row: &Self::Row, index: usize) -> Result<Option<Decimal>>;
}

/// One SQL backend: the few things SQLite and PostgreSQL do differently.
///
/// The supertraits carry what the generic store needs from sqlx (typed rows,
/// migrations, arguments), so that code states `DB: Backend` and little else.
pub trait Backend:
    MoneyColumns + Database<Row: Columns, Connection: Migrate> + for<'q> Database<Arguments<'q>: IntoArguments<'q, Self>>
{
    /// Starts a transaction that will write. SQLite takes the write lock up
    /// front (`BEGIN IMMEDIATE`), so a second writer waits on the busy timeout
    /// instead of failing when it tries to upgrade a read lock.
    const BEGIN_WRITE: &'static str;
    /// Starts a read-only transaction whose statements all see one snapshot,
    /// so the ledger's separate queries agree with each other.
    const BEGIN_SNAPSHOT: &'static str;
    /// The parameters of multi-row statements and long IN lists.
    const PARAMS: ParamStyle;
    /// Set on a connection before a large import, and [`Backend::BULK_END`]
    /// after it (empty: nothing to set).
    const BULK_BEGIN: &'static str;
    const BULK_END: &'static str;
    /// Appended to a SELECT that reads rows the transaction will rewrite
    /// (`FOR UPDATE` on PostgreSQL, so concurrent decisions on one entry
    /// queue up; empty on SQLite, whose `BEGIN IMMEDIATE` already serializes
    /// writers).
    const LOCK_FOR_UPDATE: &'static str;
    /// Appended to the SELECT that picks the outbox rows a sender claims
    /// (`FOR UPDATE SKIP LOCKED` on PostgreSQL: two instances claiming at
    /// once take different rows instead of waiting for each other; empty on
    /// SQLite, where one writer at a time claims).
    const SKIP_LOCKED: &'static str;

    /// The embedded migrations of this backend.
    fn migrator() -> &'static Migrator;
    /// The SQL expression that stores text parameter `$n` in a JSON column.
    fn json_param(n: usize) -> String;
    /// Rows inserted or updated by a statement (for upserts: not the unchanged ones).
    fn rows_affected(result: &Self::QueryResult) -> u64;

    /// The store's synchronous decision writer, if this backend has one
    /// (see [`DecisionWriter`]).
    fn decision_writer(_store: &SqlStore<Self>) -> Result<Option<Box<dyn DecisionWriter>>> {
        Ok(None)
    }
}

/// Typed reads from a result row, by column position.
pub trait Columns {
    fn text(&self, index: usize) -> Result<&str>;
    fn opt_text(&self, index: usize) -> Result<Option<&str>>;
    fn date(&self, index: usize) -> Result<NaiveDate>;
    fn opt_date(&self, index: usize) -> Result<Option<NaiveDate>>;
    fn int(&self, index: usize) -> Result<i64>;
    fn opt_int(&self, index: usize) -> Result<Option<i64>>;
    fn time(&self, index: usize) -> Result<DateTime<Utc>>;
    fn opt_time(&self, index: usize) -> Result<Option<DateTime<Utc>>>;
    fn opt_money(&self, index: usize) -> Result<Option<Decimal>>;

    fn money(&self, index: usize) -> Result<Decimal> {
        self.opt_money(index)?.ok_or_else(|| StoreError::Corrupt(format!("NULL amount in column {index}")))
    }
}

impl<R> Columns for R
where
    R: Row,
    R::Database: MoneyColumns<Row = R>,
    usize: ColumnIndex<R>,
    for<'r> &'r str: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
    fn text(&self, index: usize) -> Result<&str> {
        Ok(self.try_get(index)?)
    }
    fn opt_text(&self, index: usize) -> Result<Option<&str>> {
        Ok(self.try_get(index)?)
    }
    fn date(&self, index: usize) -> Result<NaiveDate> {
        Ok(self.try_get(index)?)
    }
    fn opt_date(&self, index: usize) -> Result<Option<NaiveDate>> {
        Ok(self.try_get(index)?)
    }
    fn int(&self, index: usize) -> Result<i64> {
        Ok(self.try_get(index)?)
    }
    fn opt_int(&self, index: usize) -> Result<Option<i64>> {
        Ok(self.try_get(index)?)
    }
    fn time(&self, index: usize) -> Result<DateTime<Utc>> {
        Ok(self.try_get(index)?)
    }
    fn opt_time(&self, index: usize) -> Result<Option<DateTime<Utc>>> {
        Ok(self.try_get(index)?)
    }
    fn opt_money(&self, index: usize) -> Result<Option<Decimal>> {
        R::Database::money(self, index)
    }
}

/// Typed binds, in placeholder order.
pub trait Binds<'q>: Sized {
    fn text(self, value: &'q str) -> Self;
    fn opt_text(self, value: Option<&'q str>) -> Self;
    fn string(self, value: String) -> Self;
    fn date(self, value: NaiveDate) -> Self;
    fn opt_date(self, value: Option<NaiveDate>) -> Self;
    fn int(self, value: i64) -> Self;
    fn opt_int(self, value: Option<i64>) -> Self;
    fn flag(self, value: bool) -> Self;
    fn time(self, value: DateTime<Utc>) -> Self;
    fn money(self, value: Decimal) -> Self;
}

impl<'q, DB> Binds<'q> for Q<'q, DB>
where
    DB: MoneyColumns,
    &'q str: Encode<'q, DB> + Type<DB>,
    Option<&'q str>: Encode<'q, DB>,
    String: Encode<'q, DB> + Type<DB>,
    NaiveDate: Encode<'q, DB> + Type<DB>,
    Option<NaiveDate>: Encode<'q, DB>,
    DateTime<Utc>: Encode<'q, DB> + Type<DB>,
    i64: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB>,
    bool: Encode<'q, DB> + Type<DB>,
{
    fn text(self, value: &'q str) -> Self {
        self.bind(value)
    }
    fn opt_text(self, value: Option<&'q str>) -> Self {
        self.bind(value)
    }
    fn string(self, value: String) -> Self {
        self.bind(value)
    }
    fn date(self, value: NaiveDate) -> Self {
        self.bind(value)
    }
    fn opt_date(self, value: Option<NaiveDate>) -> Self {
        self.bind(value)
    }
    fn int(self, value: i64) -> Self {
        self.bind(value)
    }
    fn opt_int(self, value: Option<i64>) -> Self {
        self.bind(value)
    }
    fn flag(self, value: bool) -> Self {
        self.bind(value)
    }
    fn time(self, value: DateTime<Utc>) -> Self {
        // Whole microseconds, as PostgreSQL keeps them, so a value reads back equal.
        self.bind(value.trunc_subsecs(6))
    }
    fn money(self, value: Decimal) -> Self {
        DB::bind_money(self, value)
    }
}
