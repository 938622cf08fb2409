//! The store, written once for both SQL backends.
//!
//! [`SqlStore`] implements [`Store`] for any [`Backend`]; `sqlite.rs` and
//! `postgres.rs` only say how to connect and what their database does
//! differently. Queries are checked at run time (`sqlx::query` + binds), so
//! building the crate needs no database.
//!
//! Writes: one transaction per call, holding the change, its audit entry and,
//! for imports, its `imports` row. Imports send multi-row statements of
//! [`BATCH_ROWS`] rows. Reads of the whole ledger stream rows in client order
//! and merge them in one pass (`snapshot.rs`).

use super::backend::{Backend, Binds, Columns, Q};
use super::rows::{self, BatchInsert, Settlement, BATCH_ROWS};
use super::snapshot::{self, AccountsBuilder, Scope};
use super::{Actor, AuditEntry, HoldTarget, ImportCounts, InvoiceBalance, ReminderRecord, Result, Store, StoreError};
use crate::domain::{Client, ClientId, Invoice, InvoiceNumber, Payment};
use crate::ledger::{Account, Hold, Ledger};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt;
use rust_decimal::Decimal;
use sqlx::migrate::Migrate;
use sqlx::{Connection, Database, Executor, IntoArguments, Pool};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

/// A store on a pool of `DB` connections.
pub struct SqlStore<DB: Database> {
    pool: Pool<DB>,
}

impl<DB: Backend> SqlStore<DB> {
    pub fn from_pool(pool: Pool<DB>) -> Self {
        Self { pool }
    }

    /// The pool, for tests and for features that add their own tables.
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }
}

/// Shows the backend only: the URL may hold a password.
impl<DB: Backend> fmt::Debug for SqlStore<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SqlStore({})", <DB as Database>::NAME)
    }
}

type Conn<DB> = <DB as Database>::Connection;

/// The kinds of import that make the ledger's payment data fresher.
const FRESHNESS_KINDS: &str = "('invoices', 'payments')";

impl<DB> SqlStore<DB>
where
    DB: Backend,
    DB::Connection: Migrate,
    DB::Row: Columns,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, DB>> {
        Ok(self.pool.begin_with(DB::BEGIN_WRITE).await?)
    }

    async fn count(conn: &mut Conn<DB>, table: &str) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let row = sqlx::query::<DB>(&sql).fetch_one(conn).await?;
        row.int(0)
    }

    /// The recorded payments of some invoices, by invoice number.
    async fn payments_of(conn: &mut Conn<DB>, numbers: &[&str]) -> Result<HashMap<String, Vec<(NaiveDate, Decimal)>>> {
        let sql = format!(
            "SELECT invoice, date, amount FROM payments WHERE invoice IN ({})",
            rows::placeholders(DB::PARAMS, 1, numbers.len())
        );
        let mut query = sqlx::query::<DB>(&sql);
        for number in numbers {
            query = query.text(number);
        }
        let mut found: HashMap<String, Vec<(NaiveDate, Decimal)>> = HashMap::new();
        let mut stream = query.fetch(conn);
        while let Some(row) = stream.try_next().await? {
            found.entry(row.text(0)?.to_string()).or_default().push((row.date(1)?, row.money(2)?));
        }
        Ok(found)
    }

    /// Recomputes the derived `is_open` / `settled_on` of invoices whose payments changed.
    async fn refresh_settlement(conn: &mut Conn<DB>, numbers: &BTreeSet<String>) -> Result<()> {
        let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
        for chunk in numbers.chunks(BATCH_ROWS) {
            let paid = Self::payments_of(&mut *conn, chunk).await?;
            let sql = format!(
                "SELECT number, amount, paid FROM invoices WHERE number IN ({})",
                rows::placeholders(DB::PARAMS, 1, chunk.len())
            );
            let mut query = sqlx::query::<DB>(&sql);
            for number in chunk {
                query = query.text(number);
            }
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

    async fn insert_audit(conn: &mut Conn<DB>, entry: &AuditEntry) -> Result<()> {
        let sql = rows::audit_insert_sql(&DB::json_param(7));
        rows::bind_audit(sqlx::query::<DB>(&sql), entry).execute(conn).await?;
        Ok(())
    }

    /// The `imports` row and the audit entry of an import.
    async fn record_import(
        conn: &mut Conn<DB>,
        kind: &str,
        file: &str,
        rows: usize,
        counts: ImportCounts,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query::<DB>(
            "INSERT INTO imports (kind, file, at, actor, inserted, updated, unchanged) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .text(kind)
        .text(file)
        .time(at)
        .text(&actor.name)
        .int(counts.inserted as i64)
        .int(counts.updated as i64)
        .int(counts.unchanged as i64)
        .execute(&mut *conn)
        .await?;
        Self::insert_audit(conn, &rows::import_audit(kind, file, rows, counts, actor, at)).await
    }

    /// Runs a connection setting (nothing when the backend has none).
    async fn run_setting(conn: &mut Conn<DB>, sql: &str) -> Result<()> {
        if !sql.is_empty() {
            sqlx::query::<DB>(sql).execute(conn).await?;
        }
        Ok(())
    }

    /// Upserts invoices in one transaction with their `imports` row and audit entry.
    async fn upsert_invoices(
        conn: &mut Conn<DB>,
        invoices: &[Invoice],
        actor: &Actor,
        file: &str,
    ) -> Result<ImportCounts> {
        let now = rows::now();
        let mut tx = conn.begin_with(DB::BEGIN_WRITE).await?;
        let before = Self::count(&mut tx, "invoices").await?;
        let any_payment = Self::count(&mut tx, "(SELECT 1 FROM payments LIMIT 1) AS any_payment").await? > 0;
        let mut upsert = rows::invoice_upsert(DB::PARAMS);
        let mut written = 0;
        for batch in rows::batches(&rows::in_client_order(invoices), BATCH_ROWS, |i| i.number.as_str()) {
            // Only an invoice already known can have payments (foreign key).
            let paid = match any_payment {
                true => {
                    Self::payments_of(&mut tx, &batch.iter().map(|i| i.number.as_str()).collect::<Vec<_>>()).await?
                }
                false => HashMap::new(),
            };
            let mut query = sqlx::query::<DB>(upsert.sql(batch.len()));
            for invoice in batch {
                let payments = paid.get(invoice.number.as_str()).map(Vec::as_slice).unwrap_or_default();
                let settlement = Settlement::of(invoice.amount, invoice.paid, payments);
                query = rows::bind_invoice(query, invoice, settlement, now);
            }
            written += DB::rows_affected(&query.execute(&mut *tx).await?);
        }
        let after = Self::count(&mut tx, "invoices").await?;
        let counts = ImportCounts::from_totals(invoices.len(), before, after, written);
        Self::record_import(&mut tx, "invoices", file, invoices.len(), counts, actor, now).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// Refuses a reminder that would give an invoice a stage it already
    /// received, naming the invoice and the day (the UNIQUE constraint
    /// remains the guarantee when two instances race).
    async fn refuse_repeated_stages(conn: &mut Conn<DB>, reminder: &ReminderRecord) -> Result<()> {
        let numbers: Vec<&str> = reminder.invoices.iter().map(|(n, _, _)| n.as_str()).collect();
        for chunk in numbers.chunks(BATCH_ROWS) {
            let sql = format!(
                "SELECT ri.invoice, ri.stage, r.on_date FROM reminder_invoices ri \
                 JOIN reminders r ON r.id = ri.reminder_id WHERE ri.invoice IN ({})",
                rows::placeholders(DB::PARAMS, 1, chunk.len())
            );
            let mut query = sqlx::query::<DB>(&sql);
            for number in chunk {
                query = query.text(number);
            }
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

    async fn insert_reminder_lines(conn: &mut Conn<DB>, id: i64, reminder: &ReminderRecord) -> Result<()> {
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

    /// Feeds every row of a query to `f`, one at a time (never the whole result in memory).
    async fn for_each_row<'q>(
        conn: &mut Conn<DB>,
        query: Q<'q, DB>,
        mut f: impl FnMut(&DB::Row) -> Result<()> + Send,
    ) -> Result<()> {
        let mut stream = query.fetch(conn);
        while let Some(row) = stream.try_next().await? {
            f(&row)?;
        }
        Ok(())
    }

    /// Binds the client id when the query is for one client.
    fn for_client<'q>(query: Q<'q, DB>, client: Option<&'q ClientId>) -> Q<'q, DB> {
        match client {
            Some(id) => query.text(id.as_str()),
            None => query,
        }
    }

    /// Accounts (all, or one client's) and the last import time, read in one snapshot.
    async fn load(&self, today: NaiveDate, client: Option<&ClientId>) -> Result<(Vec<Account>, Option<DateTime<Utc>>)> {
        let mut tx = self.pool.begin_with(DB::BEGIN_SNAPSHOT).await?;
        let (scope, start) = match client {
            Some(id) => (Scope::One, id.as_str()),
            None => (Scope::All, ""),
        };
        let sql = snapshot::accounts_page_sql(scope);
        let cutoff = Some(rows::history_cutoff(today));
        let mut builder = AccountsBuilder::default();
        Self::for_each_page(&mut tx, &sql, cutoff, start, scope, |row| builder.add_page(snapshot::accounts_page(row)?))
            .await?;
        let last_import = Self::last_import(&mut tx).await?;
        tx.commit().await?;
        Ok((builder.finish(), last_import))
    }

    /// Reads a paged query of `snapshot.rs` to its end, handing each page's
    /// row to `parse` while the next page is fetched (the database works on
    /// one page while Rust parses the other). `$1` is the cut-off date when
    /// there is one; the page bound follows.
    async fn for_each_page(
        conn: &mut Conn<DB>,
        sql: &str,
        cutoff: Option<NaiveDate>,
        start: &str,
        scope: Scope,
        mut parse: impl FnMut(&DB::Row) -> Result<()> + Send,
    ) -> Result<()> {
        let mut current = Self::fetch_page(&mut *conn, sql, cutoff, start).await?;
        while let Some(last) = current.opt_text(0)?.map(str::to_string) {
            if scope == Scope::One {
                return parse(&current);
            }
            let next = Self::fetch_page(&mut *conn, sql, cutoff, &last);
            let (next, parsed) = futures::future::join(next, async { parse(&current) }).await;
            parsed?;
            current = next?;
        }
        Ok(())
    }

    async fn fetch_page(conn: &mut Conn<DB>, sql: &str, cutoff: Option<NaiveDate>, start: &str) -> Result<DB::Row> {
        let query = sqlx::query::<DB>(sql);
        let query = match cutoff {
            Some(cutoff) => query.date(cutoff),
            None => query,
        };
        Ok(query.text(start).fetch_one(conn).await?)
    }

    async fn last_import(conn: &mut Conn<DB>) -> Result<Option<DateTime<Utc>>> {
        let sql = format!("SELECT at FROM imports WHERE kind IN {FRESHNESS_KINDS} ORDER BY id DESC LIMIT 1");
        let row = sqlx::query::<DB>(&sql).fetch_optional(conn).await?;
        row.map(|r| r.time(0)).transpose()
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

#[async_trait]
impl<DB> Store for SqlStore<DB>
where
    DB: Backend,
    DB::Connection: Migrate,
    DB::Row: Columns,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    async fn migrate(&self) -> Result<()> {
        DB::migrator().run(&self.pool).await?;
        Ok(())
    }

    async fn client_ids(&self) -> Result<HashSet<ClientId>> {
        let mut conn = self.pool.acquire().await?;
        let mut ids = HashSet::new();
        Self::for_each_row(&mut conn, sqlx::query("SELECT client_id FROM clients"), |row| {
            ids.insert(rows::client_id(row.text(0)?)?);
            Ok(())
        })
        .await?;
        Ok(ids)
    }

    async fn invoice_balances(&self) -> Result<HashMap<InvoiceNumber, InvoiceBalance>> {
        let mut tx = self.pool.begin_with(DB::BEGIN_SNAPSHOT).await?;
        let sql = snapshot::balances_page_sql();
        let mut balances = HashMap::new();
        Self::for_each_page(&mut tx, &sql, None, "", Scope::All, |row| snapshot::add_balances(&mut balances, row))
            .await?;
        tx.commit().await?;
        Ok(balances)
    }

    async fn payment_keys(&self) -> Result<HashSet<Payment>> {
        let mut conn = self.pool.acquire().await?;
        let mut keys = HashSet::new();
        let query = sqlx::query("SELECT invoice, amount, date, reference FROM payments");
        Self::for_each_row(&mut conn, query, |row| {
            keys.insert(rows::payment(row)?);
            Ok(())
        })
        .await?;
        Ok(keys)
    }

    async fn import_clients(&self, clients: &[Client], actor: &Actor, file: &str) -> Result<ImportCounts> {
        let now = rows::now();
        let mut tx = self.begin_write().await?;
        let before = Self::count(&mut tx, "clients").await?;
        let mut upsert = rows::client_upsert(DB::PARAMS);
        let mut written = 0;
        for batch in rows::batches(clients, BATCH_ROWS, |c| c.id.as_str()) {
            let mut query = sqlx::query::<DB>(upsert.sql(batch.len()));
            for client in batch {
                query = rows::bind_client(query, client, now);
            }
            written += DB::rows_affected(&query.execute(&mut *tx).await?);
        }
        let after = Self::count(&mut tx, "clients").await?;
        let counts = ImportCounts::from_totals(clients.len(), before, after, written);
        Self::record_import(&mut tx, "clients", file, clients.len(), counts, actor, now).await?;
        tx.commit().await?;
        Ok(counts)
    }

    async fn import_invoices(&self, invoices: &[Invoice], actor: &Actor, file: &str) -> Result<ImportCounts> {
        let mut conn = self.pool.acquire().await?;
        Self::run_setting(&mut conn, DB::BULK_BEGIN).await?;
        let counts = Self::upsert_invoices(&mut conn, invoices, actor, file).await;
        Self::run_setting(&mut conn, DB::BULK_END).await?;
        counts
    }

    async fn import_payments(&self, payments: &[Payment], actor: &Actor, file: &str) -> Result<ImportCounts> {
        let now = rows::now();
        let mut tx = self.begin_write().await?;
        let mut insert = rows::payment_insert(DB::PARAMS);
        let mut touched = BTreeSet::new();
        let mut inserted = 0;
        for batch in payments.chunks(BATCH_ROWS) {
            let mut query = sqlx::query::<DB>(insert.sql(batch.len()));
            for payment in batch {
                query = rows::bind_payment(query, payment, now);
            }
            // RETURNING lists the rows actually inserted, not the duplicates.
            Self::for_each_row(&mut tx, query, |row| {
                inserted += 1;
                touched.insert(row.text(0)?.to_string());
                Ok(())
            })
            .await?;
        }
        Self::refresh_settlement(&mut tx, &touched).await?;
        let counts = ImportCounts { inserted, updated: 0, unchanged: payments.len() as u64 - inserted };
        Self::record_import(&mut tx, "payments", file, payments.len(), counts, actor, now).await?;
        tx.commit().await?;
        Ok(counts)
    }

    async fn last_import_at(&self) -> Result<Option<DateTime<Utc>>> {
        let mut conn = self.pool.acquire().await?;
        Self::last_import(&mut conn).await
    }

    async fn set_hold(&self, target: &HoldTarget, hold: &Hold, actor: &Actor) -> Result<()> {
        let now = rows::now();
        let mut tx = self.begin_write().await?;
        let set = "SET paused_until = $1, dispute = $2, promise_date = $3, updated_at = $4";
        let (client_id, subject, kind) = match target {
            HoldTarget::Client(id) => {
                let sql = format!("UPDATE clients {set} WHERE client_id = $5");
                let query = rows::bind_hold(sqlx::query::<DB>(&sql), hold).time(now).text(id.as_str());
                if DB::rows_affected(&query.execute(&mut *tx).await?) == 0 {
                    return Err(StoreError::NotFound(format!("client {id}")));
                }
                (id.clone(), id.to_string(), "client")
            }
            HoldTarget::Invoice(number) => {
                let sql = format!("UPDATE invoices {set} WHERE number = $5 RETURNING client_id");
                let query = rows::bind_hold(sqlx::query::<DB>(&sql), hold).time(now).text(number.as_str());
                let Some(row) = query.fetch_optional(&mut *tx).await? else {
                    return Err(StoreError::NotFound(format!("invoice {number}")));
                };
                (rows::client_id(row.text(0)?)?, number.to_string(), "invoice")
            }
        };
        let entry = rows::hold_audit(kind, client_id, subject, hold, actor, now);
        Self::insert_audit(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn ledger(&self, today: NaiveDate) -> Result<Ledger> {
        let (accounts, last_import_at) = self.load(today, None).await?;
        Ok(Ledger { accounts, last_import_at })
    }

    async fn account(&self, client: &ClientId, today: NaiveDate) -> Result<Option<Account>> {
        let (accounts, _) = self.load(today, Some(client)).await?;
        Ok(accounts.into_iter().next())
    }

    async fn clients(&self) -> Result<Vec<Client>> {
        let mut tx = self.pool.begin_with(DB::BEGIN_SNAPSHOT).await?;
        let sql = snapshot::clients_page_sql();
        let mut clients = Vec::new();
        Self::for_each_page(&mut tx, &sql, None, "", Scope::All, |row| snapshot::add_clients(&mut clients, row))
            .await?;
        tx.commit().await?;
        Ok(clients)
    }

    async fn record_reminder(&self, reminder: &ReminderRecord, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        Self::refuse_repeated_stages(&mut tx, reminder).await?;
        let sql = format!("{} RETURNING id", rows::reminder_insert(DB::PARAMS).sql(1));
        let row = rows::bind_reminder(sqlx::query::<DB>(&sql), reminder).fetch_one(&mut *tx).await?;
        Self::insert_reminder_lines(&mut tx, row.int(0)?, reminder).await?;
        Self::insert_audit(&mut tx, &rows::reminder_audit(reminder, actor)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn reminders(&self, client: &ClientId) -> Result<Vec<ReminderRecord>> {
        let mut tx = self.pool.begin_with(DB::BEGIN_SNAPSHOT).await?;
        let mut records: Vec<(i64, ReminderRecord)> = Vec::new();
        let sql =
            format!("SELECT id, {} FROM reminders WHERE client_id = $1 ORDER BY on_date, id", rows::REMINDER_SELECT);
        Self::for_each_row(&mut tx, sqlx::query(&sql).text(client.as_str()), |row| {
            records.push((row.int(0)?, rows::reminder(row, 1)?));
            Ok(())
        })
        .await?;
        let index: HashMap<i64, usize> = records.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
        let sql = "SELECT ri.reminder_id, ri.invoice, ri.stage, ri.amount_due FROM reminder_invoices ri \
                   JOIN reminders r ON r.id = ri.reminder_id WHERE r.client_id = $1 ORDER BY ri.reminder_id, ri.line";
        Self::for_each_row(&mut tx, sqlx::query(sql).text(client.as_str()), |row| {
            if let Some(&i) = index.get(&row.int(0)?) {
                records[i].1.invoices.push(rows::reminder_line(row, 1)?);
            }
            Ok(())
        })
        .await?;
        tx.commit().await?;
        Ok(records.into_iter().map(|(_, r)| r).collect())
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        Self::insert_audit(&mut conn, entry).await
    }

    async fn audit_log(&self, client: Option<&ClientId>, limit: u32) -> Result<Vec<AuditEntry>> {
        let mut conn = self.pool.acquire().await?;
        let sql = match client {
            Some(_) => format!("{} WHERE client_id = $1 ORDER BY id DESC LIMIT $2", rows::AUDIT_SELECT),
            None => format!("{} ORDER BY id DESC LIMIT $1", rows::AUDIT_SELECT),
        };
        let query = Self::for_client(sqlx::query(&sql), client).int(i64::from(limit));
        let mut entries = Vec::new();
        Self::for_each_row(&mut conn, query, |row| {
            entries.push(rows::audit_entry(row)?);
            Ok(())
        })
        .await?;
        Ok(entries)
    }
}
