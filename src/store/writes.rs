//! The store's write helpers: transactions, batches, derived columns, audit.
//!
//! Every write the [`Store`](super::Store) trait offers runs in one
//! transaction that also appends its audit entry; the helpers here take a
//! connection, and their callers pass the open transaction.

use super::audit::{self, HoldBy};
use super::backend::{Backend, Binds, Columns, Conn, Q};
use super::rows::{self, BatchInsert, Settlement, BATCH_ROWS};
use super::sql::SqlStore;
use super::{Actor, AuditEntry, HoldTarget, ImportCounts, ReminderRecord, Result, StoreError};
use crate::domain::Invoice;
use crate::ledger::Hold;
use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt;
use rust_decimal::Decimal;
use sqlx::{Connection, Executor};
use std::collections::{BTreeSet, HashMap};

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    pub(super) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, DB>> {
        Ok(self.pool().begin_with(DB::BEGIN_WRITE).await?)
    }

    pub(super) async fn count(conn: &mut Conn<DB>, table: &str) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let row = sqlx::query::<DB>(&sql).fetch_one(conn).await?;
        row.int(0)
    }

    /// `{select} IN (…)`, with `count` placeholders in this backend's style.
    /// Callers pass at most [`BATCH_ROWS`] values, far below SQLite's limit on
    /// bound parameters.
    pub(super) fn where_in(select: &str, count: usize) -> String {
        format!("{select} IN ({})", rows::placeholders(DB::PARAMS, 1, count))
    }

    /// Binds each text in order.
    pub(super) fn bind_texts<'q>(query: Q<'q, DB>, texts: &[&'q str]) -> Q<'q, DB> {
        texts.iter().fold(query, |query, text| query.text(text))
    }

    /// The recorded payments of some invoices, by invoice number.
    pub(super) async fn payments_of(
        conn: &mut Conn<DB>,
        numbers: &[&str],
    ) -> Result<HashMap<String, Vec<(NaiveDate, Decimal)>>> {
        let sql = Self::where_in("SELECT invoice, date, amount FROM payments WHERE invoice", numbers.len());
        let query = Self::bind_texts(sqlx::query(&sql), numbers);
        let mut found: HashMap<String, Vec<(NaiveDate, Decimal)>> = HashMap::new();
        let mut stream = query.fetch(conn);
        while let Some(row) = stream.try_next().await? {
            found.entry(row.text(0)?.to_string()).or_default().push((row.date(1)?, row.money(2)?));
        }
        Ok(found)
    }

    /// Recomputes the derived `is_open` / `settled_on` of invoices whose payments changed.
    pub(super) async fn refresh_settlement(conn: &mut Conn<DB>, numbers: &BTreeSet<String>) -> Result<()> {
        let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
        for chunk in numbers.chunks(BATCH_ROWS) {
            let paid = Self::payments_of(&mut *conn, chunk).await?;
            let sql = Self::where_in("SELECT number, amount, paid FROM invoices WHERE number", chunk.len());
            let query = Self::bind_texts(sqlx::query(&sql), chunk);
            let mut settlements = Vec::with_capacity(chunk.len());
            for row in query.fetch_all(&mut *conn).await? {
                let number = row.text(0)?;
                let payments = paid.get(number).map(Vec::as_slice).unwrap_or_default();
                settlements.push((number.to_string(), Settlement::of(row.money(1)?, row.money(2)?, payments)));
            }
            for (number, s) in &settlements {
                sqlx::query::<DB>("UPDATE invoices SET is_open = $1, settled_on = $2 WHERE number = $3")
                    .flag(s.is_open)
                    .opt_date(s.settled_on)
                    .text(number)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(())
    }

    /// Sets (replaces) a client's or an invoice's hold, with its audit entry
    /// (who, and the reason they gave).
    pub(super) async fn write_hold(
        conn: &mut Conn<DB>,
        target: &HoldTarget,
        hold: &Hold,
        by: &HoldBy<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let set = "SET paused_until = $1, dispute = $2, promise_date = $3";
        let (client_id, subject, kind) = match target {
            HoldTarget::Client(id) => {
                let sql = format!("UPDATE clients {set}, updated_at = $4 WHERE client_id = $5");
                let query = rows::bind_hold(sqlx::query::<DB>(&sql), hold).time(now).text(id.as_str());
                if DB::rows_affected(&query.execute(&mut *conn).await?) == 0 {
                    return Err(StoreError::NotFound(format!("client {id}")));
                }
                (id.clone(), id.to_string(), "client")
            }
            HoldTarget::Invoice(number) => {
                let sql = format!("UPDATE invoices {set} WHERE number = $4 RETURNING client_id");
                let query = rows::bind_hold(sqlx::query::<DB>(&sql), hold).text(number.as_str());
                let Some(row) = query.fetch_optional(&mut *conn).await? else {
                    return Err(StoreError::NotFound(format!("invoice {number}")));
                };
                (rows::client_id(row.text(0)?)?, number.to_string(), "invoice")
            }
        };
        let entry = audit::hold_audit(kind, client_id, subject, hold, by, now);
        Self::insert_audit(conn, &entry).await
    }

    pub(super) async fn insert_audit(conn: &mut Conn<DB>, entry: &AuditEntry) -> Result<()> {
        Self::insert_audits(conn, std::slice::from_ref(entry)).await
    }

    /// Audit entries, in order, one statement per [`BATCH_ROWS`] of them.
    pub(super) async fn insert_audits(conn: &mut Conn<DB>, entries: &[AuditEntry]) -> Result<()> {
        for stmt in audit::inserts::<DB>(entries) {
            stmt.run(&mut *conn).await?;
        }
        Ok(())
    }

    /// Opens the `imports` row of an import (its counts come at the end), so
    /// that the rows it writes can name it. Returns its id.
    pub(super) async fn start_import(
        conn: &mut Conn<DB>,
        kind: &str,
        file: &str,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let row = sqlx::query::<DB>(
            "INSERT INTO imports (kind, file, at, actor, inserted, updated, unchanged) \
             VALUES ($1, $2, $3, $4, 0, 0, 0) RETURNING id",
        )
        .text(kind)
        .text(file)
        .time(at)
        .text(&actor.name)
        .fetch_one(&mut *conn)
        .await?;
        row.int(0)
    }

    /// Records what an import changed: its counts and its audit entry.
    pub(super) async fn finish_import(
        conn: &mut Conn<DB>,
        import_id: i64,
        file: &str,
        rows: usize,
        counts: ImportCounts,
        actor: &Actor,
    ) -> Result<()> {
        let row = sqlx::query::<DB>(
            "UPDATE imports SET inserted = $1, updated = $2, unchanged = $3 WHERE id = $4 RETURNING kind, at",
        )
        .int(counts.inserted as i64)
        .int(counts.updated as i64)
        .int(counts.unchanged as i64)
        .int(import_id)
        .fetch_one(&mut *conn)
        .await?;
        let entry = audit::import_audit(row.text(0)?, file, rows, counts, actor, row.time(1)?);
        Self::insert_audit(conn, &entry).await
    }

    /// Runs a connection setting (nothing when the backend has none).
    pub(super) async fn run_setting(conn: &mut Conn<DB>, sql: &str) -> Result<()> {
        if !sql.is_empty() {
            sqlx::query::<DB>(sql).execute(conn).await?;
        }
        Ok(())
    }

    /// Upserts invoices in one transaction with their `imports` row and audit entry.
    pub(super) async fn upsert_invoices(
        conn: &mut Conn<DB>,
        invoices: &[Invoice],
        actor: &Actor,
        file: &str,
        now: DateTime<Utc>,
    ) -> Result<ImportCounts> {
        let mut tx = conn.begin_with(DB::BEGIN_WRITE).await?;
        let import_id = Self::start_import(&mut tx, "invoices", file, actor, now).await?;
        let before = Self::count(&mut tx, "invoices").await?;
        // Without any payment recorded (a first import), no batch needs to look for some.
        let any_payment = Self::count(&mut tx, "(SELECT 1 FROM payments LIMIT 1) AS one_payment").await? > 0;
        let mut upsert = rows::invoice_upsert(DB::PARAMS);
        let mut written = 0;
        for batch in rows::batches(&rows::in_client_order(invoices), BATCH_ROWS, |i| i.number.as_str()) {
            let numbers: Vec<&str> = batch.iter().map(|i| i.number.as_str()).collect();
            let paid = if any_payment { Self::payments_of(&mut tx, &numbers).await? } else { HashMap::new() };
            let mut query = sqlx::query::<DB>(upsert.sql(batch.len()));
            for invoice in batch {
                let payments = paid.get(invoice.number.as_str()).map(Vec::as_slice).unwrap_or_default();
                let settlement = Settlement::of(invoice.amount, invoice.paid, payments);
                query = rows::bind_invoice(query, invoice, settlement, import_id);
            }
            written += DB::rows_affected(&query.execute(&mut *tx).await?);
        }
        let after = Self::count(&mut tx, "invoices").await?;
        let counts = ImportCounts::from_totals(invoices.len(), before, after, written);
        Self::finish_import(&mut tx, import_id, file, invoices.len(), counts, actor).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// Refuses a reminder that would give an invoice a stage it already
    /// received, naming the invoice and the day (the UNIQUE constraint
    /// remains the guarantee when two instances race).
    pub(super) async fn refuse_repeated_stages(conn: &mut Conn<DB>, reminder: &ReminderRecord) -> Result<()> {
        let numbers: Vec<&str> = reminder.invoices.iter().map(|(n, _, _)| n.as_str()).collect();
        for chunk in numbers.chunks(BATCH_ROWS) {
            let select = "SELECT ri.invoice, ri.stage, r.on_date FROM reminder_invoices ri \
                          JOIN reminders r ON r.id = ri.reminder_id WHERE ri.invoice";
            let sql = Self::where_in(select, chunk.len());
            let query = Self::bind_texts(sqlx::query(&sql), chunk);
            for row in query.fetch_all(&mut *conn).await? {
                let (number, stage) = (row.text(0)?, row.text(1)?);
                if reminder.invoices.iter().any(|(n, s, _)| n.as_str() == number && s.as_str() == stage) {
                    let on = row.date(2)?;
                    return Err(StoreError::Conflict(format!(
                        "invoice {number} already received the {stage} reminder on {on}"
                    )));
                }
            }
        }
        Ok(())
    }

    pub(super) async fn insert_reminder_lines(conn: &mut Conn<DB>, id: i64, reminder: &ReminderRecord) -> Result<()> {
        let mut insert = BatchInsert::new(
            DB::PARAMS,
            "reminder_invoices",
            &["reminder_id", "line", "invoice", "stage", "amount_due"],
            String::new(),
        );
        for (chunk_index, chunk) in reminder.invoices.chunks(BATCH_ROWS).enumerate() {
            let mut query = sqlx::query::<DB>(insert.sql(chunk.len()));
            for (i, (number, stage, due)) in chunk.iter().enumerate() {
                let line = (chunk_index * BATCH_ROWS + i) as i64;
                query = query.int(id).int(line).text(number.as_str()).text(stage.as_str()).money(*due);
            }
            query.execute(&mut *conn).await.map_err(|e| stage_conflict(e, reminder))?;
        }
        let sql = format!(
            "UPDATE invoices SET last_stage = $1, last_stage_on = $2 \
             WHERE number = $3 AND (last_stage IS NULL OR {} < $4)",
            rows::stage_rank_sql("last_stage")
        );
        for (number, stage, _) in &reminder.invoices {
            sqlx::query::<DB>(&sql)
                .text(stage.as_str())
                .date(reminder.on)
                .text(number.as_str())
                .int(rows::stage_rank(*stage))
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

/// A unique violation on `reminder_invoices` (an instance raced us) as a conflict.
fn stage_conflict(error: sqlx::Error, reminder: &ReminderRecord) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
            "one of the invoices of proposal {} already received the {} reminder",
            reminder.proposal_id, reminder.stage
        )),
        _ => error.into(),
    }
}
