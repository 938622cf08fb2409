//! A statement as data: its SQL and its arguments, bound later by whichever
//! driver runs it.
//!
//! Why: a batch of button clicks is written by the sqlx store on PostgreSQL
//! and, on SQLite, by the decision writer's own connection
//! (`sqlite_writer.rs`), which reads, decides and writes the whole batch on
//! one thread. Both run the statements built here, once.

use super::backend::{Backend, Binds, Conn, Q};
use super::{Result, StoreError};
use chrono::{DateTime, NaiveDate, SecondsFormat, SubsecRound, Utc};
use rust_decimal::Decimal;
use sqlx::Executor;

/// One argument, owned.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Null,
    Int(i64),
    Flag(bool),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    Money(Decimal),
}

/// Arguments in placeholder order, collected through [`Binds`] so the
/// binding code of the sqlx store (`audit::bind_audit`, …) fills them too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args(pub Vec<Arg>);

impl Args {
    fn push(mut self, arg: Arg) -> Self {
        self.0.push(arg);
        self
    }
}

impl<'q> Binds<'q> for Args {
    fn text(self, value: &'q str) -> Self {
        self.push(Arg::Text(value.to_string()))
    }
    fn opt_text(self, value: Option<&'q str>) -> Self {
        self.push(value.map_or(Arg::Null, |v| Arg::Text(v.to_string())))
    }
    fn string(self, value: String) -> Self {
        self.push(Arg::Text(value))
    }
    fn date(self, value: NaiveDate) -> Self {
        self.push(Arg::Date(value))
    }
    fn opt_date(self, value: Option<NaiveDate>) -> Self {
        self.push(value.map_or(Arg::Null, Arg::Date))
    }
    fn int(self, value: i64) -> Self {
        self.push(Arg::Int(value))
    }
    fn opt_int(self, value: Option<i64>) -> Self {
        self.push(value.map_or(Arg::Null, Arg::Int))
    }
    fn flag(self, value: bool) -> Self {
        self.push(Arg::Flag(value))
    }
    fn time(self, value: DateTime<Utc>) -> Self {
        self.push(Arg::Time(value))
    }
    fn money(self, value: Decimal) -> Self {
        self.push(Arg::Money(value))
    }
}

/// A statement to run, and how many rows it must change (checked by the
/// runner: an entry that vanished under a decision is an error, not a
/// silent no-op).
#[derive(Debug, Clone)]
pub struct Stmt {
    pub sql: String,
    pub args: Args,
    pub must_change: Option<(u64, &'static str)>,
}

impl Stmt {
    pub fn new(sql: String, args: Args) -> Self {
        Self { sql, args, must_change: None }
    }

    /// The statement must change `rows` rows of `what` (e.g. "digest entries").
    pub fn changing(mut self, rows: u64, what: &'static str) -> Self {
        self.must_change = Some((rows, what));
        self
    }

    /// Checks the rows changed against [`Stmt::changing`]; returns them.
    pub fn check(&self, changed: u64) -> Result<u64> {
        match self.must_change {
            Some((rows, what)) if changed != rows => {
                Err(StoreError::NotFound(format!("{} of the {rows} {what} to change", rows.saturating_sub(changed))))
            }
            _ => Ok(changed),
        }
    }

    /// Runs the statement on a sqlx connection; returns the rows changed.
    pub async fn run<DB>(&self, conn: &mut Conn<DB>) -> Result<u64>
    where
        DB: Backend,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'q> Q<'q, DB>: Binds<'q>,
    {
        let query = self.args.0.iter().fold(sqlx::query::<DB>(&self.sql), bind);
        let changed = DB::rows_affected(&query.execute(conn).await?);
        self.check(changed)
    }
}

fn bind<'q, DB: Backend>(query: Q<'q, DB>, arg: &'q Arg) -> Q<'q, DB>
where
    Q<'q, DB>: Binds<'q>,
{
    match arg {
        Arg::Text(v) => query.text(v),
        Arg::Null => query.opt_text(None),
        Arg::Int(v) => query.int(*v),
        Arg::Flag(v) => query.flag(*v),
        Arg::Date(v) => query.date(*v),
        Arg::Time(v) => query.time(*v),
        Arg::Money(v) => query.money(*v),
    }
}

/// The SQLite storage of each argument, exactly as sqlx's SQLite driver
/// writes it (dates `%F`, times RFC 3339 to the microsecond, money as its
/// normalized decimal string, flags 0/1), so rows written by the decision
/// writer read back like every other row.
impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            Arg::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Arg::Null => ToSqlOutput::Owned(Value::Null),
            Arg::Int(v) => ToSqlOutput::Owned(Value::Integer(*v)),
            Arg::Flag(v) => ToSqlOutput::Owned(Value::Integer(i64::from(*v))),
            Arg::Date(v) => ToSqlOutput::Owned(Value::Text(v.format("%F").to_string())),
            Arg::Time(v) => {
                ToSqlOutput::Owned(Value::Text(v.trunc_subsecs(6).to_rfc3339_opts(SecondsFormat::AutoSi, false)))
            }
            Arg::Money(v) => ToSqlOutput::Owned(Value::Text(v.normalize().to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::ToSql;

    fn stored(arg: Arg) -> rusqlite::types::Value {
        match arg.to_sql().unwrap() {
            rusqlite::types::ToSqlOutput::Owned(v) => v,
            rusqlite::types::ToSqlOutput::Borrowed(v) => v.into(),
            _ => unreachable!("no other output is produced"),
        }
    }

    #[test]
    fn sqlite_storage_matches_sqlx() {
        use rusqlite::types::Value::{Integer, Text};
        let at = DateTime::parse_from_rfc3339("2026-03-16T08:30:00.1234567Z").unwrap().with_timezone(&Utc);
        assert_eq!(stored(Arg::Time(at)), Text("2026-03-16T08:30:00.123456+00:00".into()));
        let date = NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();
        assert_eq!(stored(Arg::Date(date)), Text("2026-03-16".into()));
        assert_eq!(stored(Arg::Money(Decimal::new(105000, 4))), Text("10.5".into()));
        assert_eq!(stored(Arg::Flag(true)), Integer(1));
    }

    #[test]
    fn a_statement_changing_fewer_rows_than_required_is_an_error() {
        let stmt = Stmt::new("UPDATE t SET a = 1".into(), Args::default()).changing(3, "digest entries");
        assert_eq!(stmt.check(3).unwrap(), 3);
        let err = stmt.check(1).unwrap_err().to_string();
        assert!(err.contains("2 of the 3 digest entries"), "{err}");
    }
}
