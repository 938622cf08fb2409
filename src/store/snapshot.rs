//! The large reads — the ledger snapshot, every client — as paged queries,
//! and the code that turns their answers into domain values.
//!
//! A page is up to [`PAGE_CLIENTS`] consecutive clients. One query per page
//! returns one row: the page's last client id, then one column per list
//! (for the snapshot, [`accounts_page_sql`]: clients, invoices, payments,
//! reminders, invoice holds), each a list of records packed by the database
//! (`packed.rs`). A million invoices thus cross the driver as a hundred rows,
//! not a million: the SQLite driver copies every value and hands every row to
//! another thread, which costs seconds at that scale. Records come in no
//! particular order: the parser sorts.

use super::backend::Columns;
use super::packed::{counted, packed, CurrencyCache, Cursor, RECORD};
use super::rows::corrupt;
use super::Result;
use crate::domain::{Client, ClientId, EmailAddress, InvoiceNumber, PhoneE164, Siren, Stage};
use crate::ledger::{Account, Hold, InvoiceState, PaymentLine, SentReminder};
use std::str::FromStr;

/// Clients per page: large enough that per-query costs vanish, small enough
/// that a page's text stays around a megabyte.
pub const PAGE_CLIENTS: usize = 1000;

/// What the snapshot reads: every client, or one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Pages of clients after `$2` (the empty string for the first page).
    All,
    /// The client `$2`.
    One,
}

/// `WITH page …, bounds …`: the clients of a page (after, or equal to,
/// parameter `$n`) and the lowest and highest of their ids.
fn page_of_clients(scope: Scope, n: usize) -> String {
    let page = match scope {
        Scope::All => {
            format!("SELECT client_id FROM clients WHERE client_id > ${n} ORDER BY client_id LIMIT {PAGE_CLIENTS}")
        }
        Scope::One => format!("SELECT client_id FROM clients WHERE client_id = ${n}"),
    };
    format!("WITH page AS ({page}), bounds AS (SELECT min(client_id) AS lo, max(client_id) AS hi FROM page)")
}

/// `(SELECT string_agg(record, '␞') FROM … WHERE …)`: a page's list of records.
fn list(record: String, from: &str, filter: String) -> String {
    format!("(SELECT string_agg({record}, '{RECORD}') FROM {from}, bounds b WHERE {filter})")
}

fn in_page(column: &str) -> String {
    format!("{column} BETWEEN b.lo AND b.hi")
}

/// The clients of a page: `client_id, email, cc, phone, segment, language,
/// kind, siren, paused_until, promise_date, name, owner, dispute, contact_name`.
fn clients_list() -> String {
    list(
        packed(&[
            "c.client_id",
            "c.email",
            "c.cc",
            "c.phone",
            "c.segment",
            "c.language",
            "c.kind",
            "c.siren",
            "c.paused_until",
            "c.promise_date",
            &counted("c.name"),
            &counted("c.owner"),
            &counted("c.dispute"),
            &counted("c.contact_name"),
        ]),
        "clients c",
        in_page("c.client_id"),
    )
}

/// Every client, by pages of clients after `$1`.
pub fn clients_page_sql() -> String {
    format!("{} SELECT (SELECT hi FROM bounds), {}", page_of_clients(Scope::All, 1), clients_list())
}

/// Adds the clients of a row of [`clients_page_sql`], in client-id order.
pub fn add_clients(clients: &mut Vec<Client>, row: &impl Columns) -> Result<()> {
    let first = clients.len();
    let mut rows = Cursor::new(row.opt_text(1)?.unwrap_or_default());
    while rows.next_record()? {
        clients.push(client(&mut rows)?.0);
    }
    clients[first..].sort_by(|a, b| a.id.cmp(&b.id));
    Ok(())
}

/// The accounts page query. `$1` is the cut-off date of settled invoices,
/// `$2` the client id the page starts after ([`Scope::All`]) or the one client.
pub fn accounts_page_sql(scope: Scope) -> String {
    let in_snapshot = "(i.is_open OR i.issue_date >= $1 OR i.settled_on >= $1)";
    let clients = clients_list();
    let invoices = list(
        packed(&[
            "i.client_id",
            "i.number",
            "i.issue_date",
            "i.due_date",
            "i.amount",
            "i.currency",
            "i.paid",
            "i.last_stage",
            "i.last_stage_on",
            &counted("i.description"),
        ]),
        "invoices i",
        format!("{} AND {in_snapshot}", in_page("i.client_id")),
    );
    let payments = list(
        packed(&["i.client_id", "p.invoice", "p.date", "p.amount"]),
        "invoices i JOIN payments p ON p.invoice = i.number",
        format!("{} AND {in_snapshot}", in_page("i.client_id")),
    );
    let reminders = list(
        packed(&["r.client_id", "r.id", "r.on_date", "r.stage", "r.currency"]),
        "reminders r",
        in_page("r.client_id"),
    );
    // Same condition as the partial index `invoices_held`, which serves it.
    let holds = list(
        packed(&["i.client_id", "i.number", "i.paused_until", "i.promise_date", &counted("i.dispute")]),
        "invoices i",
        format!(
            "{} AND (i.paused_until IS NOT NULL OR i.dispute IS NOT NULL OR i.promise_date IS NOT NULL)",
            in_page("i.client_id")
        ),
    );
    let page = page_of_clients(scope, 2);
    format!("{page} SELECT (SELECT hi FROM bounds), {clients}, {invoices}, {payments}, {reminders}, {holds}")
}

/// The columns of an accounts page row.
pub fn accounts_page(row: &impl Columns) -> Result<Page<'_>> {
    Ok(Page {
        clients: row.opt_text(1)?,
        invoices: row.opt_text(2)?,
        payments: row.opt_text(3)?,
        reminders: row.opt_text(4)?,
        holds: row.opt_text(5)?,
    })
}

/// The columns of one page row, as text (`None` for an empty list).
pub struct Page<'a> {
    pub clients: Option<&'a str>,
    pub invoices: Option<&'a str>,
    pub payments: Option<&'a str>,
    pub reminders: Option<&'a str>,
    pub holds: Option<&'a str>,
}

/// The accounts, built page by page in client-id order.
#[derive(Default)]
pub struct AccountsBuilder {
    accounts: Vec<Account>,
    currencies: CurrencyCache,
}

impl AccountsBuilder {
    /// Adds a page's accounts. Pages must come in client-id order.
    pub fn add_page(&mut self, page: Page<'_>) -> Result<()> {
        let first = self.accounts.len();
        self.add_clients(page.clients.unwrap_or_default())?;
        let accounts = &mut self.accounts[first..];
        accounts.sort_by(|a, b| a.client.id.cmp(&b.client.id));

        let mut rows = Cursor::new(page.invoices.unwrap_or_default());
        while rows.next_record()? {
            let account = find_account(accounts, rows.text()?)?;
            account.invoices.push(invoice(&mut rows, &mut self.currencies)?);
        }
        for account in accounts.iter_mut() {
            account.invoices.sort_by(|a, b| a.number.cmp(&b.number));
            // Pushed one by one, a client's invoices leave up to half their
            // vector unused: a million invoices make that a hundred megabytes.
            account.invoices.shrink_to_fit();
        }

        let mut rows = Cursor::new(page.payments.unwrap_or_default());
        while rows.next_record()? {
            let invoice = find_invoice(find_account(accounts, rows.text()?)?, rows.text()?)?;
            invoice.payments.push(PaymentLine { date: rows.date()?, amount: rows.money()? });
        }

        let mut reminders = Vec::new();
        let mut rows = Cursor::new(page.reminders.unwrap_or_default());
        while rows.next_record()? {
            let (client, id) = (rows.text()?, rows.parsed(i64::from_str)?);
            let sent = SentReminder {
                on: rows.date()?,
                stage: rows.parsed(Stage::from_str)?,
                currency: self.currencies.parse(rows.text()?)?,
            };
            reminders.push((client, sent.on, id, sent));
        }
        reminders.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        for (client, _, _, sent) in reminders {
            find_account(accounts, client)?.reminders.push(sent);
        }

        let mut rows = Cursor::new(page.holds.unwrap_or_default());
        while rows.next_record()? {
            let account = find_account(accounts, rows.text()?)?;
            let number = rows.text()?;
            let hold = Hold { paused_until: rows.opt_date()?, promise_date: rows.opt_date()?, dispute: None };
            let hold = Hold { dispute: rows.counted()?.map(str::to_string), ..hold };
            // An invoice on hold may be outside the snapshot (settled long ago).
            if let Ok(invoice) = find_invoice(account, number) {
                invoice.hold = hold;
            }
        }

        for invoice in accounts.iter_mut().flat_map(|a| a.invoices.iter_mut()).filter(|i| i.payments.len() > 1) {
            invoice.payments.sort_by_key(|p| p.date);
        }
        Ok(())
    }

    /// The accounts added so far, leaving the builder empty for the next pages.
    pub fn take(&mut self) -> Vec<Account> {
        std::mem::take(&mut self.accounts)
    }

    fn add_clients(&mut self, list: &str) -> Result<()> {
        let mut rows = Cursor::new(list);
        while rows.next_record()? {
            let (client, hold) = client(&mut rows)?;
            self.accounts.push(Account { hold, ..Account::new(client, Vec::new()) });
        }
        Ok(())
    }
}

/// The account of a client in a page sorted by client id.
fn find_account<'a>(accounts: &'a mut [Account], client: &str) -> Result<&'a mut Account> {
    let i = accounts
        .binary_search_by(|a| a.client.id.as_str().cmp(client))
        .map_err(|_| corrupt(format!("a row names client {client:?}, which is not in its page")))?;
    Ok(&mut accounts[i])
}

/// An invoice of an account whose invoices are sorted by number.
fn find_invoice<'a>(account: &'a mut Account, number: &str) -> Result<&'a mut InvoiceState> {
    let i = account
        .invoices
        .binary_search_by(|invoice| invoice.number.as_str().cmp(number))
        .map_err(|_| corrupt(format!("a row names invoice {number:?}, which is not in the snapshot")))?;
    Ok(&mut account.invoices[i])
}

/// A client record: the fields of the `clients` list after the client id.
fn client(rows: &mut Cursor<'_>) -> Result<(Client, Hold)> {
    let id = rows.parsed(ClientId::parse)?;
    let email = rows.opt_parsed(EmailAddress::parse)?;
    let cc = rows.opt_parsed(EmailAddress::parse)?;
    let phone = rows.opt_parsed(PhoneE164::parse)?;
    let segment = rows.parsed(str::parse)?;
    let language = rows.parsed(str::parse)?;
    let kind = rows.parsed(str::parse)?;
    let siren = rows.opt_parsed(Siren::parse)?;
    let (paused_until, promise_date) = (rows.opt_date()?, rows.opt_date()?);
    let name = rows.counted()?.ok_or_else(|| corrupt(format!("client {id} has no name")))?.to_string();
    let owner = rows.counted()?.map(str::to_string);
    let dispute = rows.counted()?.map(str::to_string);
    let contact_name = rows.counted()?.map(str::to_string);
    let client = Client { id, name, email, cc, phone, segment, owner, language, kind, siren, contact_name };
    Ok((client, Hold { paused_until, dispute, promise_date }))
}

/// An invoice record: the fields of the `invoices` list after the client id.
fn invoice(rows: &mut Cursor<'_>, currencies: &mut CurrencyCache) -> Result<InvoiceState> {
    let number = rows.parsed(InvoiceNumber::parse)?;
    let (issue_date, due_date, amount) = (rows.date()?, rows.date()?, rows.money()?);
    let currency = currencies.parse(rows.text()?)?;
    let paid_at_import = rows.money()?;
    let last_stage = match (rows.opt_parsed(Stage::from_str)?, rows.opt_date()?) {
        (Some(stage), Some(on)) => Some((stage, on)),
        _ => None,
    };
    let description = rows.counted()?.unwrap_or_default().to_string();
    Ok(InvoiceState {
        number,
        issue_date,
        due_date,
        amount,
        currency,
        paid_at_import,
        payments: Vec::new(),
        hold: Hold::default(),
        last_stage,
        description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::from_str(text).unwrap()
    }

    /// Packs records as the database does.
    fn list(records: &[&[&str]]) -> String {
        let records: Vec<String> = records.iter().map(|fields| fields.join("\u{1f}")).collect();
        records.join("\u{1e}")
    }

    fn page() -> (String, String, String, String, String) {
        let clients = list(&[
            &["C2", "", "", "", "strategic", "en", "b2c", "", "", "", "3:Bob", ":", ":", ":"],
            &[
                "C1",
                "a@b.fr",
                "",
                "",
                "standard",
                "fr",
                "b2b",
                "",
                "2026-03-01",
                "",
                "14:Dupont\u{1f}\u{1e}& Fils",
                "3:rep",
                "5:prix\u{1e}",
                "10:Mme Dupont",
            ],
        ]);
        let invoices = list(&[
            &["C1", "F-2", "2026-01-02", "2026-02-01", "80", "USD", "0", "", "", ":"],
            &[
                "C1",
                "F-1",
                "2026-01-02",
                "2026-02-01",
                "1200.5000",
                "EUR",
                "0.10",
                "second",
                "2026-02-16",
                "10:Audit\u{1e}mars",
            ],
        ]);
        let payments = list(&[&["C1", "F-1", "2026-02-20", "100"], &["C1", "F-1", "2026-02-10", "0.10"]]);
        let reminders =
            list(&[&["C1", "9", "2026-02-16", "second", "EUR"], &["C1", "4", "2026-02-06", "first", "EUR"]]);
        let holds = list(&[&["C1", "F-2", "", "2026-03-10", ":"], &["C1", "F-OLD", "2026-01-01", "", ":"]]);
        (clients, invoices, payments, reminders, holds)
    }

    #[test]
    fn a_page_reads_back_into_sorted_accounts() {
        let (clients, invoices, payments, reminders, holds) = page();
        let mut builder = AccountsBuilder::default();
        let page = Page {
            clients: Some(&clients),
            invoices: Some(&invoices),
            payments: Some(&payments),
            reminders: Some(&reminders),
            holds: Some(&holds),
        };
        builder.add_page(page).unwrap();
        let accounts = builder.take();
        assert_eq!(accounts.iter().map(|a| a.client.id.as_str()).collect::<Vec<_>>(), vec!["C1", "C2"]);
        let c1 = &accounts[0];
        assert_eq!(c1.client.name, "Dupont\u{1f}\u{1e}& Fils");
        assert_eq!(c1.client.contact_name.as_deref(), Some("Mme Dupont"));
        assert_eq!(accounts[1].client.contact_name, None);
        assert_eq!((c1.client.owner.as_deref(), c1.hold.dispute.as_deref()), (Some("rep"), Some("prix\u{1e}")));
        assert_eq!(c1.hold.paused_until, Some(d("2026-03-01")));
        assert_eq!(c1.invoices.iter().map(|i| i.number.as_str()).collect::<Vec<_>>(), vec!["F-1", "F-2"]);
        let f1 = &c1.invoices[0];
        assert_eq!((f1.amount.to_string(), f1.paid_at_import), ("1200.5".to_string(), dec!(0.10)));
        assert_eq!(f1.last_stage, Some((Stage::Second, d("2026-02-16"))));
        assert_eq!(f1.payments.iter().map(|p| p.date).collect::<Vec<_>>(), vec![d("2026-02-10"), d("2026-02-20")]);
        assert_eq!(f1.amount_due(), dec!(1100.30));
        assert_eq!((f1.description.as_str(), c1.invoices[1].description.as_str()), ("Audit\u{1e}mars", ""));
        assert_eq!(c1.invoices[1].hold.promise_date, Some(d("2026-03-10")));
        assert_eq!(c1.reminders.iter().map(|r| r.stage).collect::<Vec<_>>(), vec![Stage::First, Stage::Second]);
        let c2 = &accounts[1];
        assert_eq!((c2.client.name.as_str(), c2.client.owner.as_deref(), c2.invoices.len()), ("Bob", None, 0));
    }

    #[test]
    fn malformed_pages_are_reported_as_corrupt() {
        let short = "C1\u{1f}F-1\u{1f}2026-01-02";
        let mut builder = AccountsBuilder::default();
        let page = Page { clients: None, invoices: Some(short), payments: None, reminders: None, holds: None };
        let error = builder.add_page(page).unwrap_err().to_string();
        assert_eq!(error, "stored data is corrupt: a row names client \"C1\", which is not in its page");
    }
}
