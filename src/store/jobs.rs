//! Once-a-day jobs several instances schedule and one runs (the triagebot
//! pattern: a row per job and day, the first insert wins), and requests
//! deduplicated by their id the same way.

use super::backend::{Backend, Binds, Q};
use super::sql::SqlStore;
use super::Result;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Executor;

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    pub(super) async fn jobs_claim(
        &self,
        name: &str,
        day: NaiveDate,
        owner: &str,
        stale: chrono::Duration,
    ) -> Result<bool> {
        let now = self.now();
        let sql = "INSERT INTO jobs (name, day, owner, claimed_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (name, day) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at \
                   WHERE jobs.done_at IS NULL AND jobs.claimed_at < $5 \
                   RETURNING owner";
        let mut tx = self.begin_write().await?;
        let query = sqlx::query::<DB>(sql).text(name).date(day).text(owner).time(now).time(now - stale);
        let won = query.fetch_optional(&mut *tx).await?.is_some();
        tx.commit().await?;
        Ok(won)
    }

    pub(super) async fn jobs_finish(&self, name: &str, day: NaiveDate, owner: &str) -> Result<()> {
        let now = self.now();
        let sql = "UPDATE jobs SET done_at = $4 WHERE name = $1 AND day = $2 AND owner = $3";
        let mut tx = self.begin_write().await?;
        sqlx::query::<DB>(sql).text(name).date(day).text(owner).time(now).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The insert is the check: of two instances receiving the same request,
    /// the database lets one in. Rows older than [`super::SEEN_REQUESTS_KEPT`]
    /// go in the same transaction.
    pub(super) async fn jobs_first_seen(&self, key: &str, at: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let prune = "DELETE FROM seen_requests WHERE seen_at < $1";
        sqlx::query::<DB>(prune).time(at - super::SEEN_REQUESTS_KEPT).execute(&mut *tx).await?;
        let sql = "INSERT INTO seen_requests (key, seen_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
        let first = DB::rows_affected(&sqlx::query::<DB>(sql).text(key).time(at).execute(&mut *tx).await?) == 1;
        tx.commit().await?;
        Ok(first)
    }
}
