//! CSV import: `relance import clients|invoices|payments FILE`.
//!
//! The files come from French SMEs' accounting tools and from Excel: `;` or
//! `,`, UTF-8 or Windows-1252, `31/03/2026`, `2 400,00 €`. Parsing and
//! validation are pure (bytes and the store's current keys in, typed rows or
//! every bad row out); [`import_file`] is the one entry point that reads the
//! file and talks to the store.
//!
//! An import is all or nothing: one bad row and nothing is written, and the
//! user is told every bad row with its line, so one round of fixes is enough.
//! Re-importing the same file changes nothing (the store upserts).

mod cells;
mod clients;
mod decode;
mod invoices;
mod payments;
mod table;
mod values;

pub use clients::parse_clients;
pub use invoices::{check_invoices, parse_invoices};
pub use payments::{check_payments, parse_payments};
pub use values::{parse_amount, parse_date};

use crate::domain::{Currency, InvoiceNumber, Payment};
use crate::store::{Actor, ImportCounts, Store, StoreError};
use std::collections::BTreeSet;
use std::fmt;
use std::hash::Hash;
use std::path::Path;
use std::str::FromStr;

/// Which file is being imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    Clients,
    Invoices,
    Payments,
}

impl ImportKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ImportKind::Clients => "clients",
            ImportKind::Invoices => "invoices",
            ImportKind::Payments => "payments",
        }
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "clients" => Ok(ImportKind::Clients),
            "invoices" => Ok(ImportKind::Invoices),
            "payments" => Ok(ImportKind::Payments),
            _ => Err(format!("unknown import kind {s:?} (expected clients, invoices or payments)")),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: ImportKind,
    /// Distinct rows handed to the store (blank lines and exact repeats not counted).
    pub rows: usize,
    pub counts: ImportCounts,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        write!(
            f,
            "{}: {} rows ({} inserted, {} updated, {} unchanged)",
            self.kind, self.rows, c.inserted, c.updated, c.unchanged
        )
    }
}

/// One bad row: the line in the file (the header is line 1) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct RowError {
    pub line: usize,
    pub reason: String,
}

impl RowError {
    pub fn new(line: usize, reason: impl Into<String>) -> Self {
        Self { line, reason: reason.into() }
    }
}

/// A file that cannot be read as a table at all (empty, missing columns);
/// the reason, without the path, which only [`import_file`] knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnreadableFile(pub String);

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read, is empty, or lacks required columns.
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    /// Some rows are wrong: nothing was imported.
    #[error("{}", list_bad_rows(.file, .errors))]
    BadRows { file: String, errors: Vec<RowError> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `invoices.csv: 2 bad rows, nothing imported:` then one indented line per row.
fn list_bad_rows(file: &str, errors: &[RowError]) -> String {
    let plural = if errors.len() == 1 { "" } else { "s" };
    let mut out = format!("{file}: {} bad row{plural}, nothing imported:", errors.len());
    for error in errors {
        out.push_str("\n  ");
        out.push_str(&error.to_string());
    }
    out
}

/// The rows a file parsed into, in file order, each with its line; and the
/// rows that did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    /// `lines[i]` is the file line of `rows[i]`.
    pub lines: Vec<usize>,
    /// Sorted by line.
    pub errors: Vec<RowError>,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Self { rows: Vec::new(), lines: Vec::new(), errors: Vec::new() }
    }
}

/// Reads every row of a file with `read`, which returns the row's value or
/// the reason it is bad.
fn parse_rows<T>(
    bytes: &[u8],
    schema: &table::Schema,
    mut read: impl FnMut(&table::Row<'_>) -> Result<T, String>,
) -> Result<Parsed<T>, UnreadableFile> {
    let text = decode::decode(bytes);
    let mut table = table::Table::open(&text, schema).map_err(UnreadableFile)?;
    // One row per line at most: reserving once spares a million-row file the
    // copies (and the doubled peak memory) of a vector growing step by step.
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut parsed = Parsed { rows: Vec::with_capacity(lines), lines: Vec::with_capacity(lines), errors: Vec::new() };
    while let Some(row) = table.next_row() {
        match row.and_then(|row| read(&row).map(|value| (row.line, value)).map_err(|e| RowError::new(row.line, e))) {
            Ok((line, value)) => {
                parsed.rows.push(value);
                parsed.lines.push(line);
            }
            Err(error) => parsed.errors.push(error),
        }
    }
    Ok(parsed)
}

/// Drops exact repeats of a row (an export concatenated twice is harmless)
/// and reports a key given twice with different content: which one is
/// right is the user's call, not ours.
fn drop_repeats<T: PartialEq, K: ?Sized + Ord + fmt::Debug>(
    parsed: &mut Parsed<T>,
    what: &str,
    key: impl for<'a> Fn(&'a T) -> &'a K,
) {
    let mut repeats = find_repeats(&parsed.rows, &key);
    if repeats.is_empty() {
        return;
    }
    let mut keep = vec![true; parsed.rows.len()];
    for (later, first) in repeats.drain(..) {
        keep[later] = false;
        if parsed.rows[later] != parsed.rows[first] {
            let reason = format!(
                "{what} {:?} already on line {} with different content",
                key(&parsed.rows[later]),
                parsed.lines[first]
            );
            parsed.errors.push(RowError::new(parsed.lines[later], reason));
        }
    }
    let mut flags = keep.iter();
    parsed.rows.retain(|_| *flags.next().unwrap_or(&true));
    let mut flags = keep.iter();
    parsed.lines.retain(|_| *flags.next().unwrap_or(&true));
    parsed.errors.sort_by_key(|e| e.line);
}

/// `(later, first)` index pairs of rows sharing a key. Sorts row indices by
/// key rather than hashing the keys: a million rows cost 4 MB, not 50.
fn find_repeats<'a, T, K: ?Sized + Ord + 'a>(rows: &'a [T], key: impl Fn(&'a T) -> &'a K) -> Vec<(usize, usize)> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    // Stable: within a key, rows stay in file order, so the first is the first seen.
    order.sort_by(|&a, &b| key(&rows[a as usize]).cmp(key(&rows[b as usize])));
    let mut repeats = Vec::new();
    for run in order.chunk_by(|&a, &b| key(&rows[a as usize]) == key(&rows[b as usize])) {
        repeats.extend(run[1..].iter().map(|&later| (later as usize, run[0] as usize)));
    }
    repeats.sort_unstable();
    repeats
}

/// Merges the rows that failed parsing with those that failed validation.
fn all_errors(mut parse_errors: Vec<RowError>, check: Result<(), Vec<RowError>>) -> Vec<RowError> {
    if let Err(more) = check {
        parse_errors.extend(more);
        parse_errors.sort_by_key(|e| e.line);
    }
    parse_errors
}

/// Imports one file into the store, all or nothing.
///
/// Invoices are checked against the clients already in the store (import
/// clients first); payments against the invoices and the payments already
/// recorded. Parsing runs on a blocking thread: a million rows take a few
/// seconds, which must not stall the bot's other work.
pub async fn import_file(
    store: &dyn Store,
    kind: ImportKind,
    path: &Path,
    actor: &Actor,
) -> Result<ImportReport, ImportError> {
    let file = path.display().to_string();
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| ImportError::File { path: file.clone(), reason: format!("cannot read it: {e}") })?;
    let unreadable = |e: UnreadableFile| ImportError::File { path: file.clone(), reason: e.0 };
    let bad_rows = |errors: Vec<RowError>| ImportError::BadRows { file: file.clone(), errors };
    let (rows, counts) = match kind {
        ImportKind::Clients => {
            let parsed = off_thread(move || parse_clients(&bytes)).await.map_err(unreadable)?;
            if !parsed.errors.is_empty() {
                return Err(bad_rows(parsed.errors));
            }
            (parsed.rows.len(), store.import_clients(&parsed.rows, actor, &file).await?)
        }
        ImportKind::Invoices => {
            let mut parsed =
                off_thread(move || parse_invoices(&bytes, Currency::default())).await.map_err(unreadable)?;
            let known_clients = store.client_ids().await?;
            let errors = all_errors(std::mem::take(&mut parsed.errors), check_invoices(&parsed, &known_clients));
            if !errors.is_empty() {
                return Err(bad_rows(errors));
            }
            (parsed.rows.len(), store.import_invoices(&parsed.rows, actor, &file).await?)
        }
        ImportKind::Payments => {
            let mut parsed = off_thread(move || parse_payments(&bytes)).await.map_err(unreadable)?;
            // Only the invoices the file names: a bank file of fifty payments
            // must not read a ledger of a million invoices.
            let named = named_invoices(&parsed.rows);
            let balances = store.invoice_balances(&named).await?;
            let existing = store.payment_keys(&named).await?;
            let errors = all_errors(std::mem::take(&mut parsed.errors), check_payments(&parsed, &balances, &existing));
            if !errors.is_empty() {
                return Err(bad_rows(errors));
            }
            (parsed.rows.len(), store.import_payments(&parsed.rows, actor, &file).await?)
        }
    };
    Ok(ImportReport { kind, rows, counts })
}

/// The distinct invoices some payments are for, each once.
fn named_invoices(payments: &[Payment]) -> Vec<InvoiceNumber> {
    let named: BTreeSet<&InvoiceNumber> = payments.iter().map(|p| &p.invoice).collect();
    named.into_iter().cloned().collect()
}

/// Runs CPU-bound work on tokio's blocking pool; a panic there stays a panic.
async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("import parsing was cancelled: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_are_listed_one_per_line() {
        let error = ImportError::BadRows {
            file: "invoices.csv".into(),
            errors: vec![
                RowError::new(4, "unknown client \"C-999\""),
                RowError::new(9, "amount \"abc\": not an amount (expected 2400.00, 2 400,00 or 2 400,00 €)"),
            ],
        };
        assert_eq!(
            error.to_string(),
            "invoices.csv: 2 bad rows, nothing imported:\n  line 4: unknown client \"C-999\"\n  line 9: amount \"abc\": not an amount (expected 2400.00, 2 400,00 or 2 400,00 €)"
        );
        let one = ImportError::BadRows { file: "c.csv".into(), errors: vec![RowError::new(2, "name is empty")] };
        assert_eq!(one.to_string(), "c.csv: 1 bad row, nothing imported:\n  line 2: name is empty");
    }

    #[test]
    fn file_errors_name_the_path() {
        let error = ImportError::File { path: "x.csv".into(), reason: "is empty (expected a header line)".into() };
        assert_eq!(error.to_string(), "x.csv: is empty (expected a header line)");
    }

    #[test]
    fn kinds_parse_from_the_command_line() {
        assert_eq!("clients".parse(), Ok(ImportKind::Clients));
        assert_eq!("Invoices".parse(), Ok(ImportKind::Invoices));
        assert_eq!("payments".parse(), Ok(ImportKind::Payments));
        assert_eq!(
            "bills".parse::<ImportKind>(),
            Err("unknown import kind \"bills\" (expected clients, invoices or payments)".to_string())
        );
    }

    #[test]
    fn report_reads_as_a_sentence() {
        let report = ImportReport {
            kind: ImportKind::Invoices,
            rows: 3,
            counts: ImportCounts { inserted: 2, updated: 1, unchanged: 0 },
        };
        assert_eq!(report.to_string(), "invoices: 3 rows (2 inserted, 1 updated, 0 unchanged)");
    }
}
