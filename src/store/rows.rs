//! Rows ↔ domain values, and the SQL text both backends share.
//!
//! Column lists live next to the function that reads or binds them, so a
//! column added to one cannot be forgotten in the other. Values read back are
//! re-validated through the domain parsers: a row edited by hand into
//! something invalid surfaces as [`StoreError::Corrupt`], not as a panic far
//! away in the planner.

use super::backend::{Backend, Binds, Columns, ParamStyle};
use super::{ImportCounts, ReminderRecord, Result, StoreError};
use crate::domain::{
    Channel, Client, ClientId, Currency, EmailAddress, Invoice, InvoiceNumber, Payment, PhoneE164, ProposalId, Siren,
    Stage, Tone,
};
use crate::ledger::Hold;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::fmt::{Display, Write};
use std::str::FromStr;

/// Rows per multi-row INSERT: 500 × 12 columns stays far below SQLite's
/// 32,766 and PostgreSQL's 65,535 bound parameters, and is large enough that
/// per-statement overhead vanishes.
pub const BATCH_ROWS: usize = 500;

pub fn corrupt(what: impl Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// How far back settled invoices stay in the snapshot: a year, counted the
/// longer way (365 days or 12 months), so the payment score's 12-month
/// window always has its data.
pub fn history_cutoff(today: NaiveDate) -> NaiveDate {
    let by_days = today - chrono::Days::new(365);
    today.checked_sub_months(chrono::Months::new(12)).map_or(by_days, |by_months| by_months.min(by_days))
}

pub fn client_id(text: &str) -> Result<ClientId> {
    parse(text, ClientId::parse)
}

pub fn invoice_number(text: &str) -> Result<InvoiceNumber> {
    parse(text, InvoiceNumber::parse)
}

pub fn parse<T, E: Display>(value: &str, parser: impl FnOnce(&str) -> Result<T, E>) -> Result<T> {
    parser(value).map_err(corrupt)
}

pub fn parse_opt<T, E: Display>(value: Option<&str>, parser: impl FnOnce(&str) -> Result<T, E>) -> Result<Option<T>> {
    value.map(|v| parse(v, parser)).transpose()
}

/// `count` placeholders: `$first, $first+1, …` or `?, ?, …`.
pub fn placeholders(style: ParamStyle, first: usize, count: usize) -> String {
    let mut sql = String::with_capacity(count * 6);
    for n in first..first + count {
        if n > first {
            sql.push_str(", ");
        }
        match style {
            ParamStyle::Numbered => write!(sql, "${n}").expect("writing to a String"),
            ParamStyle::Anonymous => sql.push('?'),
        }
    }
    sql
}

/// Parameter `n`: `?` on SQLite (whose JSON columns are plain text), `$n`
/// on PostgreSQL, cast to `jsonb` for a JSON column.
pub fn param<DB: Backend>(n: usize, json: bool) -> String {
    match (DB::PARAMS, json) {
        (ParamStyle::Anonymous, _) => "?".to_string(),
        (ParamStyle::Numbered, true) => DB::json_param(n),
        (ParamStyle::Numbered, false) => format!("${n}"),
    }
}

/// `rows` parenthesised rows of parameters numbered from `first`, the
/// columns flagged in `json` stored as JSON.
pub fn values<DB: Backend>(first: usize, rows: usize, json: &[bool]) -> String {
    let width = json.len();
    let mut sql = String::with_capacity(rows * width * 8);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for (col, is_json) in json.iter().enumerate() {
            if col > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&param::<DB>(first + row * width + col, *is_json));
        }
        sql.push(')');
    }
    sql
}

/// A multi-row INSERT whose SQL text is rebuilt only when the number of rows
/// changes (a million-row import builds it twice, not two thousand times).
pub struct BatchInsert {
    style: ParamStyle,
    head: String,
    width: usize,
    tail: String,
    built: (usize, String),
}

impl BatchInsert {
    pub fn new(style: ParamStyle, table: &str, columns: &[&str], tail: String) -> Self {
        let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        Self { style, head, width: columns.len(), tail, built: (0, String::new()) }
    }

    /// An upsert keyed by `key` that rewrites a row only when one of the
    /// `compared` columns differs, so an identical row counts as unchanged
    /// (`IS DISTINCT FROM` treats two NULLs as equal on both backends).
    /// `also_set` columns follow along (timestamps, derived flags). Columns
    /// not listed, such as a hold set by a user, are never touched.
    pub fn upsert(
        style: ParamStyle,
        table: &str,
        columns: &[&str],
        key: &str,
        compared: &[&str],
        also_set: &[&str],
    ) -> Self {
        let set: Vec<String> = compared.iter().chain(also_set).map(|c| format!("{c} = excluded.{c}")).collect();
        let differs: Vec<String> =
            compared.iter().map(|c| format!("{table}.{c} IS DISTINCT FROM excluded.{c}")).collect();
        let tail = format!(" ON CONFLICT ({key}) DO UPDATE SET {} WHERE {}", set.join(", "), differs.join(" OR "));
        Self::new(style, table, columns, tail)
    }

    /// The statement for `rows` rows, with placeholders `$1…` numbered row by row.
    pub fn sql(&mut self, rows: usize) -> &str {
        if self.built.0 != rows || self.built.1.is_empty() {
            let mut sql = String::with_capacity(self.head.len() + self.tail.len() + rows * (self.width * 8 + 4));
            sql.push_str(&self.head);
            for row in 0..rows {
                if row > 0 {
                    sql.push_str(", ");
                }
                let _ = write!(sql, "({})", placeholders(self.style, row * self.width + 1, self.width));
            }
            sql.push_str(&self.tail);
            self.built = (rows, sql);
        }
        &self.built.1
    }
}

/// Splits rows into batches of at most `size`, starting a new batch where a
/// key repeats within the current one: PostgreSQL refuses to upsert the same
/// row twice in one statement, and splitting keeps "the last row wins" on both.
pub fn batches<T>(rows: &[T], size: usize, key: impl Fn(&T) -> &str) -> Vec<&[T]> {
    let mut out = Vec::with_capacity(rows.len() / size + 1);
    let mut start = 0;
    let mut seen = std::collections::HashSet::with_capacity(size);
    for (i, row) in rows.iter().enumerate() {
        if i - start == size || !seen.insert(key(row)) {
            out.push(&rows[start..i]);
            start = i;
            seen.clear();
            seen.insert(key(row));
        }
    }
    if start < rows.len() {
        out.push(&rows[start..]);
    }
    out
}

impl ImportCounts {
    /// From what the database reports: rows in the table before and after,
    /// and rows the statements wrote (inserted plus actually updated).
    pub fn from_totals(rows: usize, before: i64, after: i64, written: u64) -> Self {
        let inserted = u64::try_from(after - before).unwrap_or(0);
        let updated = written.saturating_sub(inserted);
        Self { inserted, updated, unchanged: (rows as u64).saturating_sub(inserted + updated) }
    }
}

// ---------------------------------------------------------------- clients

pub fn client_upsert(style: ParamStyle) -> BatchInsert {
    const COLUMNS: [&str; 13] = [
        "client_id",
        "name",
        "email",
        "cc",
        "phone",
        "segment",
        "owner",
        "language",
        "kind",
        "siren",
        "contact_name",
        "created_at",
        "updated_at",
    ];
    BatchInsert::upsert(style, "clients", &COLUMNS, "client_id", &COLUMNS[1..11], &["updated_at"])
}

pub fn bind_client<'q, B: Binds<'q>>(q: B, c: &'q Client, now: DateTime<Utc>) -> B {
    q.text(c.id.as_str())
        .text(&c.name)
        .opt_text(c.email.as_ref().map(EmailAddress::as_str))
        .opt_text(c.cc.as_ref().map(EmailAddress::as_str))
        .opt_text(c.phone.as_ref().map(PhoneE164::as_str))
        .text(c.segment.as_str())
        .opt_text(c.owner.as_deref())
        .text(c.language.as_str())
        .text(c.kind.as_str())
        .opt_text(c.siren.as_ref().map(Siren::as_str))
        .opt_text(c.contact_name.as_deref())
        .time(now)
        .time(now)
}

// ---------------------------------------------------------------- holds

pub fn bind_hold<'q, B: Binds<'q>>(q: B, hold: &'q Hold) -> B {
    q.opt_date(hold.paused_until).opt_text(hold.dispute.as_deref()).opt_date(hold.promise_date)
}

// ---------------------------------------------------------------- invoices

/// Whether an invoice is still open, and since when it is settled: the
/// derived columns that let the snapshot filter without summing money in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settlement {
    pub is_open: bool,
    pub settled_on: Option<NaiveDate>,
}

impl Settlement {
    /// The same rule as [`InvoiceState::amount_due`] and [`InvoiceState::settled_on`].
    pub fn of(amount: Decimal, paid: Decimal, payments: &[(NaiveDate, Decimal)]) -> Self {
        let received: Decimal = paid + payments.iter().map(|(_, a)| *a).sum::<Decimal>();
        let is_open = amount - received > Decimal::ZERO;
        let settled_on = if is_open { None } else { payments.iter().map(|(d, _)| *d).max() };
        Self { is_open, settled_on }
    }
}

pub fn invoice_upsert(style: ParamStyle) -> BatchInsert {
    const COLUMNS: [&str; 12] = [
        "number",
        "client_id",
        "issue_date",
        "due_date",
        "amount",
        "currency",
        "paid",
        "description",
        "pdf",
        "is_open",
        "settled_on",
        "import_id",
    ];
    BatchInsert::upsert(style, "invoices", &COLUMNS, "number", &COLUMNS[1..9], &["is_open", "settled_on", "import_id"])
}

/// The invoices in the order SQLite clusters them (client, then number), so a
/// large import appends to the table instead of writing all over it. The sort
/// is stable: a number repeated for the same client ends with its last row.
pub fn in_client_order(invoices: &[Invoice]) -> Vec<&Invoice> {
    let mut sorted: Vec<&Invoice> = invoices.iter().collect();
    sorted.sort_by(|a, b| (&a.client_id, &a.number).cmp(&(&b.client_id, &b.number)));
    sorted
}

/// Binds an invoice written by import `import_id`.
pub fn bind_invoice<'q, B: Binds<'q>>(q: B, i: &'q Invoice, s: Settlement, import_id: i64) -> B {
    q.text(i.number.as_str())
        .text(i.client_id.as_str())
        .date(i.issue_date)
        .date(i.due_date)
        .money(i.amount)
        .text(i.currency.code())
        .money(i.paid)
        .text(&i.description)
        .opt_text(i.pdf.as_deref())
        .flag(s.is_open)
        .opt_date(s.settled_on)
        .int(import_id)
}

/// `CASE column WHEN 'pre_due' THEN 0 … END`: a stage's rank on the ladder, in SQL.
pub fn stage_rank_sql(column: &str) -> String {
    let mut sql = format!("CASE {column}");
    for (rank, stage) in Stage::ALL.iter().enumerate() {
        let _ = write!(sql, " WHEN '{stage}' THEN {rank}");
    }
    sql.push_str(" END");
    sql
}

pub fn stage_rank(stage: Stage) -> i64 {
    Stage::ALL.iter().position(|s| *s == stage).unwrap_or_default() as i64
}

// ---------------------------------------------------------------- payments

pub fn payment_insert(style: ParamStyle) -> BatchInsert {
    BatchInsert::new(
        style,
        "payments",
        &["invoice", "amount", "date", "reference", "import_id"],
        " ON CONFLICT (invoice, date, amount, reference) DO NOTHING RETURNING invoice".into(),
    )
}

/// Binds a payment recorded by import `import_id`.
pub fn bind_payment<'q, B: Binds<'q>>(q: B, p: &'q Payment, import_id: i64) -> B {
    q.text(p.invoice.as_str()).money(p.amount).date(p.date).text(&p.reference).int(import_id)
}

// ---------------------------------------------------------------- reminders

pub const REMINDER_SELECT: &str =
    "proposal_id, client_id, sent_at, on_date, stage, tone, channels, currency, total_due";

pub fn reminder_insert(style: ParamStyle) -> BatchInsert {
    BatchInsert::new(style, "reminders", &REMINDER_SELECT.split(", ").collect::<Vec<_>>(), String::new())
}

pub fn bind_reminder<'q, B: Binds<'q>>(q: B, r: &'q ReminderRecord) -> B {
    q.text(r.proposal_id.as_str())
        .text(r.client_id.as_str())
        .time(r.sent_at)
        .date(r.on)
        .text(r.stage.as_str())
        .text(r.tone.as_str())
        .string(channels_text(&r.channels))
        .text(r.currency.code())
        .money(r.total_due)
}

/// A reminder without its invoices, from the columns of [`REMINDER_SELECT`] starting at `first`.
pub fn reminder(row: &impl Columns, first: usize) -> Result<ReminderRecord> {
    Ok(ReminderRecord {
        proposal_id: parse(row.text(first)?, ProposalId::parse)?,
        client_id: client_id(row.text(first + 1)?)?,
        sent_at: row.time(first + 2)?,
        on: row.date(first + 3)?,
        stage: parse(row.text(first + 4)?, Stage::from_str)?,
        tone: parse(row.text(first + 5)?, Tone::from_str)?,
        channels: channels(row.text(first + 6)?)?,
        currency: parse(row.text(first + 7)?, Currency::parse)?,
        total_due: row.money(first + 8)?,
        invoices: Vec::new(),
    })
}

/// One invoice of a reminder, from `invoice, stage, amount_due` starting at `first`.
pub fn reminder_line(row: &impl Columns, first: usize) -> Result<(InvoiceNumber, Stage, Decimal)> {
    Ok((invoice_number(row.text(first)?)?, parse(row.text(first + 1)?, Stage::from_str)?, row.money(first + 2)?))
}

/// Channels as stored: comma-separated keywords.
fn channels_text(channels: &[Channel]) -> String {
    channels.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
}

fn channels(text: &str) -> Result<Vec<Channel>> {
    text.split(',').filter(|c| !c.is_empty()).map(|c| parse(c, Channel::from_str)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_batch_insert_numbers_its_placeholders_row_by_row() {
        let mut insert = BatchInsert::new(ParamStyle::Numbered, "t", &["a", "b"], " RETURNING a".into());
        assert_eq!(insert.sql(2), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) RETURNING a");
        let mut insert = BatchInsert::new(ParamStyle::Anonymous, "t", &["a", "b"], String::new());
        assert_eq!(insert.sql(2), "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
    }

    #[test]
    fn an_upsert_rewrites_only_rows_that_differ_and_leaves_other_columns_alone() {
        let mut upsert = BatchInsert::upsert(ParamStyle::Numbered, "t", &["k", "a", "at"], "k", &["a"], &["at"]);
        let sql = upsert.sql(1);
        assert_eq!(
            sql,
            "INSERT INTO t (k, a, at) VALUES ($1, $2, $3) ON CONFLICT (k) DO UPDATE SET a = excluded.a, \
             at = excluded.at WHERE t.a IS DISTINCT FROM excluded.a"
        );
    }

    #[test]
    fn batches_split_on_size_and_on_a_repeated_key() {
        let sizes = |rows: &[&str], size| batches(rows, size, |r| r).iter().map(|b| b.len()).collect::<Vec<_>>();
        assert_eq!(sizes(&["a", "b", "c", "b", "d"], 2), vec![2, 2, 1]);
        assert_eq!(sizes(&["a", "b", "c", "b", "d"], 10), vec![3, 2]);
        assert_eq!(sizes(&["a", "a", "b"], 2), vec![1, 2]);
        assert!(batches(&[] as &[&str], 10, |r| r).is_empty());
    }

    #[test]
    fn settlement_follows_the_ledger_rule() {
        let paid_in_two = [(d("2026-01-10"), dec!(0.10)), (d("2026-01-05"), dec!(0.20))];
        assert_eq!(
            Settlement::of(dec!(0.30), dec!(0), &paid_in_two),
            Settlement { is_open: false, settled_on: Some(d("2026-01-10")) }
        );
        assert!(Settlement::of(dec!(0.30), dec!(0.10), &paid_in_two[..1]).is_open);
        // Paid at import: closed, but with no known date.
        assert_eq!(Settlement::of(dec!(100), dec!(100), &[]), Settlement { is_open: false, settled_on: None });
    }

    #[test]
    fn counts_come_from_table_sizes_and_rows_written() {
        let counts = ImportCounts::from_totals(10, 5, 8, 4);
        assert_eq!(counts, ImportCounts { inserted: 3, updated: 1, unchanged: 6 });
    }

    #[test]
    fn stage_ranks_follow_the_ladder() {
        assert_eq!(
            stage_rank_sql("s"),
            "CASE s WHEN 'pre_due' THEN 0 WHEN 'first' THEN 1 WHEN 'second' THEN 2 WHEN 'final' THEN 3 \
             WHEN 'formal_notice' THEN 4 END"
        );
        assert_eq!(stage_rank(Stage::Final), 3);
    }
}
