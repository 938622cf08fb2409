//! The PostgreSQL backend: for several bot instances sharing one ledger.
//!
//! Money is NUMERIC(18, 4), read and written as `rust_decimal::Decimal`.

use super::backend::{Backend, MoneyColumns, ParamStyle, Q};
use super::sql::SqlStore;
use super::{Result, StoreError};
use rust_decimal::Decimal;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPoolOptions, PgQueryResult};
use sqlx::{Postgres, Row};
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// The store on PostgreSQL.
pub type PgStore = SqlStore<Postgres>;

impl SqlStore<Postgres> {
    /// Connects to the database named by a `postgres://` URL. Does not migrate.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool =
            PgPoolOptions::new().max_connections(8).acquire_timeout(Duration::from_secs(10)).connect(url).await?;
        Ok(Self::from_pool(pool))
    }
}

impl MoneyColumns for Postgres {
    fn bind_money<'q>(query: Q<'q, Self>, amount: Decimal) -> Q<'q, Self> {
        query.bind(amount)
    }

    fn money(row: &Self::Row, index: usize) -> Result<Option<Decimal>> {
        let amount: Option<Decimal> = row.try_get(index)?;
        Ok(amount.map(|a| a.normalize()))
    }
}

impl Backend for Postgres {
    const BEGIN_WRITE: &'static str = "BEGIN";
    const BEGIN_SNAPSHOT: &'static str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    const PARAMS: ParamStyle = ParamStyle::Numbered;
    const BULK_BEGIN: &'static str = "";
    const BULK_END: &'static str = "";
    const LOCK_FOR_UPDATE: &'static str = " FOR UPDATE";
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";

    fn migrator() -> &'static Migrator {
        &MIGRATOR
    }

    fn json_param(n: usize) -> String {
        format!("CAST(${n} AS jsonb)")
    }

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }
}
