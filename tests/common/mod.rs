//! Test helpers shared by the integration tests: fresh stores on every
//! backend available, and quick builders of domain values.
//!
//! `test_stores()` always returns a SQLite store in a temporary directory and,
//! when `RELANCE_TEST_POSTGRES_URL` names a server (for example
//! `postgres://postgres@127.0.0.1:5432/postgres`), a PostgreSQL store on a
//! database of its own, created for the call and dropped with the
//! [`TestStore`]. Databases left behind by a killed run are dropped by a later
//! run once they are an hour old (their name carries their creation time), so
//! parallel test threads never drop each other's.
#![allow(dead_code)] // each test crate uses its own subset of the helpers

pub mod calls;
pub mod sending;
pub mod server;
pub mod smtp;

use chrono::{Days, NaiveDate};
use relance::domain::{Channel, Client, ClientId, ClientKind, Currency, EmailAddress, Invoice, InvoiceNumber};
use relance::domain::{Language, Payment, Segment, Stage, Tone};
use relance::policy::{Proposal, ProposedInvoice};
use relance::store::{Actor, PgStore, SqliteStore, Store};
use rust_decimal::Decimal;
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Prefix of the throw-away PostgreSQL databases.
const PG_PREFIX: &str = "relance_t_";
/// Leftover test databases older than this are dropped.
const PG_LEFTOVER_SECS: u64 = 3600;

/// A migrated, empty store, and what must outlive it.
pub struct TestStore {
    /// "sqlite" or "postgres", for assertion messages.
    pub name: &'static str,
    pub store: Arc<dyn Store>,
    /// The store's URL, for [`TestStore::raw_execute`].
    pub url: String,
    _cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, database: String },
}

impl TestStore {
    /// Runs SQL straight on the database, around the store (to check what
    /// the schema itself refuses).
    pub async fn raw_execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        match self.name {
            "sqlite" => Ok(SqliteConnection::connect(&self.url).await?.execute(sql).await?.rows_affected()),
            _ => Ok(PgConnection::connect(&self.url).await?.execute(sql).await?.rows_affected()),
        }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, database } = &self._cleanup {
            // Drop runs inside the test's runtime, where blocking on a future
            // is not allowed: drop the database from a thread of its own.
            let (admin_url, database) = (admin_url.clone(), database.clone());
            let done = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                runtime.block_on(async {
                    let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                    admin.execute(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)").as_str()).await.ok()
                })
            });
            let _ = done.join();
        }
    }
}

/// A fresh store per available backend, migrated.
pub async fn test_stores() -> Vec<TestStore> {
    let mut stores = vec![sqlite_store().await];
    if let Ok(admin_url) = std::env::var("RELANCE_TEST_POSTGRES_URL") {
        stores.push(postgres_store(&admin_url).await);
    }
    stores
}

async fn sqlite_store() -> TestStore {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("relance.db").display());
    let store = SqliteStore::connect(&url).await.expect("open SQLite");
    store.migrate().await.expect("migrate SQLite");
    TestStore { name: "sqlite", store: Arc::new(store), url, _cleanup: Cleanup::Sqlite(dir) }
}

async fn postgres_store(admin_url: &str) -> TestStore {
    let mut admin = PgConnection::connect(admin_url).await.expect("connect to RELANCE_TEST_POSTGRES_URL");
    drop_leftovers(&mut admin).await;
    let database = format!("{PG_PREFIX}{}_{:08x}", unix_now(), fastrand::u32(..));
    admin.execute(format!("CREATE DATABASE {database}").as_str()).await.expect("create the test database");
    let url = with_database(admin_url, &database);
    let store = PgStore::connect(&url).await.expect("open PostgreSQL");
    store.migrate().await.expect("migrate PostgreSQL");
    TestStore {
        name: "postgres",
        store: Arc::new(store),
        url,
        _cleanup: Cleanup::Postgres { admin_url: admin_url.to_string(), database },
    }
}

/// Drops test databases of earlier runs that were killed before their cleanup.
async fn drop_leftovers(admin: &mut PgConnection) {
    let pattern = format!("{PG_PREFIX}%");
    let names: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE $1")
        .bind(pattern)
        .fetch_all(&mut *admin)
        .await
        .unwrap_or_default();
    let too_old = unix_now().saturating_sub(PG_LEFTOVER_SECS);
    for (name,) in names {
        let created = name.strip_prefix(PG_PREFIX).and_then(|rest| rest.split('_').next()?.parse::<u64>().ok());
        if created.is_some_and(|secs| secs < too_old) {
            let _ = admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// The same server URL, naming another database (query string kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

// ---------------------------------------------------------------- domain builders

/// A date from `YYYY-MM-DD`.
pub fn d(date: &str) -> NaiveDate {
    date.parse().expect("a YYYY-MM-DD date")
}

/// An exact amount from its decimal text.
pub fn dec(amount: &str) -> Decimal {
    Decimal::from_str_exact(amount).expect("a decimal amount")
}

pub fn actor() -> Actor {
    Actor { name: "test".into(), via: "cli".into() }
}

/// A standard B2B client writing in French, with an e-mail address.
pub fn client(id: &str) -> Client {
    let mut client = Client::new(ClientId::parse(id).expect("client id"), format!("Client {id}"));
    client.email = Some(EmailAddress::parse(&format!("compta@{}.example.fr", id.to_lowercase())).expect("e-mail"));
    client
}

/// An unpaid invoice in euros, issued 30 days before it falls due.
pub fn invoice(number: &str, client: &str, due: &str, amount: &str) -> Invoice {
    Invoice {
        number: InvoiceNumber::parse(number).expect("invoice number"),
        client_id: ClientId::parse(client).expect("client id"),
        issue_date: d(due) - Days::new(30),
        due_date: d(due),
        amount: dec(amount),
        currency: Currency::EUR,
        paid: Decimal::ZERO,
        description: format!("Prestation {number}"),
        pdf: None,
    }
}

/// A payment with an empty bank reference.
pub fn payment(invoice: &str, amount: &str, date: &str) -> Payment {
    Payment {
        invoice: InvoiceNumber::parse(invoice).expect("invoice number"),
        amount: dec(amount),
        date: d(date),
        reference: String::new(),
    }
}

/// The day's proposal to a standard French business client, by e-mail, for
/// one invoice of `due` (20 days late), with the id the planner gives it.
pub fn proposal(client: &str, day: &str, stage: Stage, tone: Tone, due: &str) -> Proposal {
    let client_id = ClientId::parse(client).expect("client id");
    let invoice = ProposedInvoice {
        number: InvoiceNumber::parse(&format!("F-{client}")).expect("invoice number"),
        issue_date: d(day) - Days::new(50),
        due_date: d(day) - Days::new(20),
        amount: dec(due),
        amount_due: dec(due),
        days_late: 20,
        stage,
        penalties: None,
        description: format!("Prestation {client}"),
    };
    Proposal {
        id: relance::policy::planner::proposal_id(&client_id, Currency::EUR, d(day)),
        date: d(day),
        client_id,
        client_name: format!("Client {client}"),
        segment: Segment::Standard,
        kind: ClientKind::B2b,
        language: Language::Fr,
        owner: None,
        stage,
        tone,
        channels: vec![Channel::Email],
        currency: Currency::EUR,
        total_due: dec(due),
        invoices: vec![invoice],
        penalties: None,
        indemnity: None,
        previous_reminders: vec![],
        score: 50,
        reason: String::new(),
    }
}
