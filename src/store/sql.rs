//! The store, written once for both SQL backends.
//!
//! [`SqlStore`] implements [`Store`] for any [`Backend`]; `sqlite.rs` and
//! `postgres.rs` only say how to connect and what their database does
//! differently. Queries are checked at run time (`sqlx::query` + binds), so
//! building the crate needs no database.
//!
//! Writes: one transaction per call, holding the change, its audit entry and,
//! for imports, its `imports` row (helpers in `writes.rs`). Imports send
//! multi-row statements of [`BATCH_ROWS`] rows. The ledger and the clients
//! are read by pages of packed records (`snapshot.rs`); the balances and
//! payments a payments file needs, by IN lists of [`BATCH_ROWS`] invoice
//! numbers (never the whole ledger for a file of fifty payments).

use super::audit::{self, HoldBy};
use super::backend::{Backend, Binds, Columns, Conn, Q};
use super::rows::{self, BATCH_ROWS};
use super::snapshot::{self, AccountsBuilder, Scope};
use super::{Actor, AuditEntry, HoldTarget, ImportCounts, InvoiceBalance, ReminderRecord, Result, Store};
use super::{
    Claimed, DecideFn, DecisionRecord, DigestRecord, Entries, LetterPosted, OutboxRow, PostedMessage, Settled,
};
use super::{ClaimedDuplicate, DuplicateRow, NewDuplicate, QueuedDuplicate};
use crate::clock::Clock;
use crate::decision::{EntryState, Stamp};
use crate::domain::{Client, ClientId, Currency, Invoice, InvoiceNumber, Payment, ProposalId};
use crate::ledger::{Account, Hold, Ledger};
use crate::people::Platform;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use futures::TryStreamExt;
use rust_decimal::Decimal;
use sqlx::{Database, Executor, Pool};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

/// A store on a pool of `DB` connections.
pub struct SqlStore<DB: Database> {
    pool: Pool<DB>,
    /// Stamps imports and audit entries: the one clock, so a replayed day
    /// (`--now`) writes that day's timestamps.
    clock: Clock,
}

impl<DB: Backend> SqlStore<DB> {
    pub fn from_pool(pool: Pool<DB>) -> Self {
        Self { pool, clock: Clock::real(chrono_tz::Europe::Paris) }
    }

    /// The same store, stamping its writes with `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The clock stamping the store's writes.
    pub(super) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Now, to the microsecond (both databases keep that precision).
    pub(super) fn now(&self) -> DateTime<Utc> {
        self.clock.now().trunc_subsecs(6)
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

/// The distinct invoice numbers among `numbers`, as an IN list binds them:
/// a file naming an invoice on many rows asks for it once.
fn distinct(numbers: &[InvoiceNumber]) -> Vec<&str> {
    let set: BTreeSet<&str> = numbers.iter().map(InvoiceNumber::as_str).collect();
    set.into_iter().collect()
}

/// The kinds of import that make the ledger's payment data fresher.
const FRESHNESS_KINDS: &str = "('invoices', 'payments')";

/// The time of the latest import that makes the ledger fresh.
pub(super) fn last_import_sql() -> String {
    format!("SELECT at FROM imports WHERE kind IN {FRESHNESS_KINDS} ORDER BY id DESC LIMIT 1")
}

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
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
        let clients = match client {
            None => {
                let mut conn = self.pool.acquire().await?;
                Self::count(&mut conn, "clients").await?
            }
            Some(_) => 1,
        };
        // Reserved once: growing a vector this large by doubling would briefly hold two copies.
        let mut accounts = Vec::with_capacity(usize::try_from(clients).unwrap_or_default());
        let last_import = self
            .load_pages(today, client, |page| {
                accounts.extend(page);
                Ok(())
            })
            .await?;
        Ok((accounts, last_import))
    }

    /// Reads the snapshot (all clients, or one) in one transaction and hands
    /// each page's accounts to `sink` as soon as they are complete.
    async fn load_pages(
        &self,
        today: NaiveDate,
        client: Option<&ClientId>,
        mut sink: impl FnMut(Vec<Account>) -> Result<()> + Send,
    ) -> Result<Option<DateTime<Utc>>> {
        let mut tx = self.pool.begin_with(DB::BEGIN_SNAPSHOT).await?;
        let (scope, start) = match client {
            Some(id) => (Scope::One, id.as_str()),
            None => (Scope::All, ""),
        };
        let sql = snapshot::accounts_page_sql(scope);
        let cutoff = Some(rows::history_cutoff(today));
        let mut builder = AccountsBuilder::default();
        let mut plans = Self::plans_in_force(&mut tx, client).await?;
        Self::for_each_page(&mut tx, &sql, cutoff, start, scope, |row| {
            builder.add_page(snapshot::accounts_page(row)?)?;
            let mut accounts = builder.take();
            if !plans.is_empty() {
                for account in &mut accounts {
                    account.plans = plans.remove(&account.client.id).unwrap_or_default();
                }
            }
            sink(accounts)
        })
        .await?;
        let last_import = Self::last_import(&mut tx).await?;
        tx.commit().await?;
        Ok(last_import)
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

    pub(super) async fn last_import(conn: &mut Conn<DB>) -> Result<Option<DateTime<Utc>>> {
        let row = sqlx::query::<DB>(&last_import_sql()).fetch_optional(conn).await?;
        row.map(|r| r.time(0)).transpose()
    }
}

#[async_trait]
impl<DB> Store for SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
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

    async fn invoice_client(&self, number: &InvoiceNumber) -> Result<Option<ClientId>> {
        let mut conn = self.pool.acquire().await?;
        let query = sqlx::query::<DB>("SELECT client_id FROM invoices WHERE number = $1").text(number.as_str());
        match query.fetch_optional(&mut *conn).await? {
            Some(row) => Ok(Some(rows::client_id(row.text(0)?)?)),
            None => Ok(None),
        }
    }

    async fn invoice_balances(&self, numbers: &[InvoiceNumber]) -> Result<HashMap<InvoiceNumber, InvoiceBalance>> {
        let numbers = distinct(numbers);
        let mut balances = HashMap::with_capacity(numbers.len());
        if numbers.is_empty() {
            return Ok(balances);
        }
        // One snapshot, so that an invoice's payments and its row agree.
        let mut tx = self.pool.begin_with(DB::BEGIN_SNAPSHOT).await?;
        for chunk in numbers.chunks(BATCH_ROWS) {
            // Summed here, not in SQL: SQLite stores money as text and would sum it as floats.
            let payments = Self::payments_of(&mut tx, chunk).await?;
            let select = "SELECT number, client_id, amount, paid, currency FROM invoices WHERE number";
            let sql = Self::where_in(select, chunk.len());
            Self::for_each_row(&mut tx, Self::bind_texts(sqlx::query(&sql), chunk), |row| {
                let number = rows::invoice_number(row.text(0)?)?;
                let since_import: Decimal =
                    payments.get(number.as_str()).into_iter().flatten().map(|(_, amount)| *amount).sum();
                let balance = InvoiceBalance {
                    client_id: rows::client_id(row.text(1)?)?,
                    amount: row.money(2)?,
                    paid: row.money(3)? + since_import,
                    currency: rows::parse(row.text(4)?, Currency::parse)?,
                };
                balances.insert(number, balance);
                Ok(())
            })
            .await?;
        }
        tx.commit().await?;
        Ok(balances)
    }

    async fn payment_keys(&self, numbers: &[InvoiceNumber]) -> Result<HashSet<Payment>> {
        let numbers = distinct(numbers);
        let mut keys = HashSet::new();
        if numbers.is_empty() {
            return Ok(keys);
        }
        let mut tx = self.pool.begin_with(DB::BEGIN_SNAPSHOT).await?;
        for chunk in numbers.chunks(BATCH_ROWS) {
            let select = "SELECT p.invoice, p.date, p.amount, p.reference FROM payments p WHERE p.invoice";
            let sql = Self::where_in(select, chunk.len());
            Self::for_each_row(&mut tx, Self::bind_texts(sqlx::query(&sql), chunk), |row| {
                keys.insert(Payment {
                    invoice: rows::invoice_number(row.text(0)?)?,
                    date: row.date(1)?,
                    amount: row.money(2)?,
                    reference: row.text(3)?.to_string(),
                });
                Ok(())
            })
            .await?;
        }
        tx.commit().await?;
        Ok(keys)
    }

    async fn import_clients(&self, clients: &[Client], actor: &Actor, file: &str) -> Result<ImportCounts> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let import_id = Self::start_import(&mut tx, "clients", file, actor, now).await?;
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
        Self::finish_import(&mut tx, import_id, file, clients.len(), counts, actor).await?;
        tx.commit().await?;
        Ok(counts)
    }

    async fn import_invoices(&self, invoices: &[Invoice], actor: &Actor, file: &str) -> Result<ImportCounts> {
        let mut conn = self.pool.acquire().await?;
        Self::run_setting(&mut conn, DB::BULK_BEGIN).await?;
        let counts = Self::upsert_invoices(&mut conn, invoices, actor, file, self.now()).await;
        Self::run_setting(&mut conn, DB::BULK_END).await?;
        counts
    }

    async fn import_payments(&self, payments: &[Payment], actor: &Actor, file: &str) -> Result<ImportCounts> {
        let mut tx = self.begin_write().await?;
        let import_id = Self::start_import(&mut tx, "payments", file, actor, self.now()).await?;
        let mut insert = rows::payment_insert(DB::PARAMS);
        let mut touched = BTreeSet::new();
        let mut inserted = 0;
        for batch in payments.chunks(BATCH_ROWS) {
            let mut query = sqlx::query::<DB>(insert.sql(batch.len()));
            for payment in batch {
                query = rows::bind_payment(query, payment, import_id);
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
        Self::finish_import(&mut tx, import_id, file, payments.len(), counts, actor).await?;
        tx.commit().await?;
        Ok(counts)
    }

    async fn last_import_at(&self) -> Result<Option<DateTime<Utc>>> {
        let mut conn = self.pool.acquire().await?;
        Self::last_import(&mut conn).await
    }

    async fn set_hold(&self, target: &HoldTarget, hold: &Hold, actor: &Actor, reason: Option<&str>) -> Result<()> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        Self::write_hold(&mut tx, target, hold, &HoldBy { actor, reason }, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn ledger(&self, today: NaiveDate) -> Result<Ledger> {
        let (accounts, last_import_at) = self.load(today, None).await?;
        Ok(Ledger { accounts, last_import_at })
    }

    async fn ledger_pages(
        &self,
        today: NaiveDate,
        page: &mut (dyn FnMut(Vec<Account>) -> Result<()> + Send),
    ) -> Result<Option<DateTime<Utc>>> {
        self.load_pages(today, None, page).await
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

    async fn clients_revision(&self) -> Result<Option<i64>> {
        let sql = "SELECT id FROM imports WHERE kind = 'clients' ORDER BY id DESC LIMIT 1";
        let row = sqlx::query::<DB>(sql).fetch_optional(&self.pool).await?;
        row.map(|r| r.int(0)).transpose()
    }

    async fn record_reminder(&self, reminder: &ReminderRecord, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        Self::refuse_repeated_stages(&mut tx, reminder).await?;
        let sql = format!("{} RETURNING id", rows::reminder_insert(DB::PARAMS).sql(1));
        let row = rows::bind_reminder(sqlx::query::<DB>(&sql), reminder).fetch_one(&mut *tx).await?;
        Self::insert_reminder_lines(&mut tx, row.int(0)?, reminder).await?;
        Self::insert_audit(&mut tx, &audit::reminder_audit(reminder, actor)).await?;
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

    async fn save_digest(
        &self,
        day: NaiveDate,
        header: &serde_json::Value,
        entries: &[EntryState],
        actor: &Actor,
    ) -> Result<Entries> {
        self.board_save_digest(day, header, entries, actor).await
    }

    async fn digest(&self, day: NaiveDate) -> Result<Option<DigestRecord>> {
        self.board_digest(day).await
    }

    async fn previous_digest_day(&self, day: NaiveDate) -> Result<Option<NaiveDate>> {
        self.board_previous_digest_day(day).await
    }

    async fn entries(&self, day: NaiveDate) -> Result<Entries> {
        self.board_entries(day).await
    }

    async fn entries_by_id(&self, ids: &[ProposalId]) -> Result<Entries> {
        self.board_entries_by_id(ids).await
    }

    async fn save_messages(&self, messages: &[PostedMessage]) -> Result<()> {
        self.board_save_messages(messages).await
    }

    async fn messages(&self, day: NaiveDate, platform: Platform) -> Result<Vec<PostedMessage>> {
        self.board_messages(day, platform).await
    }

    async fn apply_decisions(&self, day: NaiveDate, ids: &[ProposalId], decide: &mut DecideFn<'_>) -> Result<()> {
        self.board_apply_decisions(day, ids, decide).await
    }

    fn decision_writer(&self) -> Result<Option<Box<dyn super::DecisionWriter>>> {
        DB::decision_writer(self)
    }

    async fn release_held(&self, day: NaiveDate, stamp: &Stamp) -> Result<u64> {
        self.board_release_held(day, stamp).await
    }

    async fn decisions(&self, client: &ClientId) -> Result<Vec<DecisionRecord>> {
        self.board_decisions(client).await
    }

    async fn outbox(&self, day: NaiveDate) -> Result<Vec<OutboxRow>> {
        self.board_outbox(day).await
    }

    async fn claim_outbox(
        &self,
        day: NaiveDate,
        owner: &str,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<Claimed>> {
        self.board_claim_outbox(day, owner, lease, limit).await
    }

    async fn settle_outbox(&self, claimed: &Claimed, owner: &str, settled: &Settled) -> Result<bool> {
        self.board_settle_outbox(claimed, owner, settled).await
    }

    async fn expire_outbox(&self, today: NaiveDate, reason: &str) -> Result<Vec<ProposalId>> {
        self.board_expire_outbox(today, reason).await
    }

    async fn mark_letter_posted(&self, proposal: &ProposalId, on: NaiveDate, actor: &Actor) -> Result<LetterPosted> {
        self.board_mark_letter_posted(proposal, on, actor).await
    }

    async fn invoice_pdfs(&self, numbers: &[InvoiceNumber]) -> Result<HashMap<InvoiceNumber, String>> {
        self.board_invoice_pdfs(numbers).await
    }

    async fn queue_duplicate(&self, dup: &NewDuplicate, actor: &Actor) -> Result<QueuedDuplicate> {
        self.dup_queue(dup, actor).await
    }

    async fn claim_duplicates(
        &self,
        owner: &str,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<ClaimedDuplicate>> {
        self.dup_claim(owner, lease, limit).await
    }

    async fn settle_duplicate(&self, claimed: &ClaimedDuplicate, owner: &str, settled: &Settled) -> Result<bool> {
        self.dup_settle(claimed, owner, settled).await
    }

    async fn duplicates(&self, client: &ClientId) -> Result<Vec<DuplicateRow>> {
        self.dup_list(client).await
    }

    async fn claim_job(&self, name: &str, day: NaiveDate, owner: &str, stale: chrono::Duration) -> Result<bool> {
        self.jobs_claim(name, day, owner, stale).await
    }

    async fn finish_job(&self, name: &str, day: NaiveDate, owner: &str) -> Result<()> {
        self.jobs_finish(name, day, owner).await
    }

    async fn use_link(&self, token_digest: &str, by: &str) -> Result<bool> {
        self.board_use_link(token_digest, by).await
    }

    async fn first_seen(&self, key: &str, at: DateTime<Utc>) -> Result<bool> {
        self.jobs_first_seen(key, at).await
    }

    async fn propose_plan(&self, plan: &super::NewPlan, actor: &Actor) -> Result<super::PlanRow> {
        self.plans_propose(plan, actor).await
    }

    async fn decide_plan(&self, id: i64, decision: &super::PlanDecision, actor: &Actor) -> Result<super::PlanRow> {
        self.plans_decide(id, decision, actor).await
    }

    async fn close_plan(&self, id: i64, end: super::PlanEnd, actor: &Actor) -> Result<bool> {
        self.plans_close(id, end, actor).await
    }

    async fn plan(&self, id: i64) -> Result<Option<super::PlanRow>> {
        self.plans_get(id).await
    }

    async fn plans(&self, client: &ClientId) -> Result<Vec<super::PlanRow>> {
        self.plans_of(client).await
    }

    async fn queue_instalment_notes(
        &self,
        notes: &[super::NewNote],
        day: NaiveDate,
        actor: &Actor,
    ) -> Result<Vec<super::NoteRow>> {
        self.notes_queue(notes, day, actor).await
    }

    async fn instalment_notes(&self, client: &ClientId) -> Result<Vec<super::NoteRow>> {
        self.notes_of(client).await
    }

    async fn proposed_plans(&self) -> Result<Vec<super::PlanRow>> {
        self.plans_proposed().await
    }

    async fn record_call_outcome(
        &self,
        call: &super::CallRef,
        outcome: &crate::policy::call_outcome::Outcome,
        holds: &[(InvoiceNumber, Hold)],
        duplicate: Option<&NewDuplicate>,
        actor: &Actor,
    ) -> Result<super::CallOutcomeRecord> {
        self.calls_record(call, outcome, holds, duplicate, actor).await
    }

    async fn call_outcomes(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<super::CallOutcomeRecord>> {
        self.calls_outcomes(from, to).await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        Self::insert_audit(&mut conn, entry).await
    }

    async fn audit_log(&self, client: Option<&ClientId>, limit: u32) -> Result<Vec<AuditEntry>> {
        let mut conn = self.pool.acquire().await?;
        let sql = match client {
            Some(_) => format!("{} WHERE client_id = $1 ORDER BY id DESC LIMIT $2", audit::AUDIT_SELECT),
            None => format!("{} ORDER BY id DESC LIMIT $1", audit::AUDIT_SELECT),
        };
        let query = Self::for_client(sqlx::query(&sql), client).int(i64::from(limit));
        let mut entries = Vec::new();
        Self::for_each_row(&mut conn, query, |row| {
            entries.push(audit::audit_entry(row)?);
            Ok(())
        })
        .await?;
        Ok(entries)
    }
}
