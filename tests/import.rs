//! `relance import` against the real stores: SQLite always, PostgreSQL when
//! RELANCE_TEST_POSTGRES_URL is set. Files are written to a temp dir and
//! imported through `import_file`, the one entry point the CLI uses.

mod common;

use relance::domain::{ClientId, InvoiceNumber};
use relance::import::{import_file, ImportError, ImportKind, ImportReport, RowError};
use relance::store::{Actor, ImportCounts, Store};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const CLIENTS: &str = "client_id;name;email;phone;segment;kind\r\n\
    C-1;Acme SARL;compta@acme.fr;06 12 34 56 78;strategic;b2b\r\n\
    C-2;\"Dupont; Fils & Cie\";;;;\r\n";

const INVOICES: &str = "number;client_id;issue_date;due_date;amount;paid;description\r\n\
    F-1;C-1;01/03/2026;31/03/2026;2 400,00 €;;Maintenance mars\r\n\
    F-2;C-2;2026-03-05;2026-04-04;1 000,00;200,00;\"Audit,\nphase 1\"\r\n";

const PAYMENTS: &str = "invoice,amount,date,reference\n\
    F-1,\"1 000,00\",05/04/2026,VIR 1\n\
    F-1,400.00,2026-04-10,VIR 2\n\
    F-2,800,12/04/2026,CHQ 77\n";

fn actor() -> Actor {
    Actor { name: "claire".into(), via: "cli".into() }
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

async fn import(store: &dyn Store, kind: ImportKind, path: &Path) -> Result<ImportReport, ImportError> {
    import_file(store, kind, path, &actor()).await
}

fn counts(inserted: u64, updated: u64, unchanged: u64) -> ImportCounts {
    ImportCounts { inserted, updated, unchanged }
}

async fn client_ids(store: &dyn Store) -> BTreeSet<String> {
    store.client_ids().await.unwrap().iter().map(|id| id.as_str().to_string()).collect()
}

/// Every invoice number these tests' files use.
fn invoice_numbers() -> Vec<InvoiceNumber> {
    ["F-1", "F-2", "F-3", "F-4"].iter().map(|n| InvoiceNumber::parse(n).unwrap()).collect()
}

/// Invoice → (amount, paid so far), for the invoices of [`invoice_numbers`] in the store.
async fn balances(store: &dyn Store) -> BTreeMap<String, (Decimal, Decimal)> {
    let balances = store.invoice_balances(&invoice_numbers()).await.unwrap();
    balances.iter().map(|(number, b)| (number.as_str().to_string(), (b.amount, b.paid))).collect()
}

/// The bad rows of a refused import, as the user reads them.
fn bad_rows(result: Result<ImportReport, ImportError>) -> Vec<String> {
    match result {
        Err(ImportError::BadRows { errors, .. }) => errors.iter().map(RowError::to_string).collect(),
        other => panic!("expected bad rows, got {other:?}"),
    }
}

/// Imports the three sample files in order.
async fn import_samples(store: &dyn Store, dir: &Path) -> [ImportReport; 3] {
    let clients = import(store, ImportKind::Clients, &write(dir, "clients.csv", CLIENTS)).await.unwrap();
    let invoices = import(store, ImportKind::Invoices, &write(dir, "invoices.csv", INVOICES)).await.unwrap();
    let payments = import(store, ImportKind::Payments, &write(dir, "payments.csv", PAYMENTS)).await.unwrap();
    [clients, invoices, payments]
}

#[tokio::test]
async fn clients_invoices_and_payments_are_imported() {
    for t in common::test_stores().await {
        let store = t.store.as_ref();
        let dir = tempfile::tempdir().unwrap();
        let [clients, invoices, payments] = import_samples(store, dir.path()).await;
        assert_eq!((clients.rows, clients.counts), (2, counts(2, 0, 0)), "{}", t.name);
        assert_eq!((invoices.rows, invoices.counts), (2, counts(2, 0, 0)), "{}", t.name);
        assert_eq!((payments.rows, payments.counts), (3, counts(3, 0, 0)), "{}", t.name);

        assert_eq!(client_ids(store).await, BTreeSet::from(["C-1".to_string(), "C-2".to_string()]), "{}", t.name);
        let acme = store.clients().await.unwrap().into_iter().find(|c| c.id.as_str() == "C-1").unwrap();
        assert_eq!(acme.phone.unwrap().as_str(), "+33612345678", "{}", t.name);
        let dupont = store.clients().await.unwrap().into_iter().find(|c| c.id.as_str() == "C-2").unwrap();
        assert_eq!(dupont.name, "Dupont; Fils & Cie", "{}", t.name);
        // F-1: 1 000 + 400 paid of 2 400; F-2: 200 at import + 800.
        assert_eq!(
            balances(store).await,
            BTreeMap::from([
                ("F-1".to_string(), (dec!(2400.00), dec!(1400.00))),
                ("F-2".to_string(), (dec!(1000.00), dec!(1000.00))),
            ]),
            "{}",
            t.name
        );
    }
}

#[tokio::test]
async fn reimporting_the_same_files_changes_nothing() {
    for t in common::test_stores().await {
        let store = t.store.as_ref();
        let dir = tempfile::tempdir().unwrap();
        import_samples(store, dir.path()).await;
        let before = balances(store).await;
        let [clients, invoices, payments] = import_samples(store, dir.path()).await;
        assert_eq!(clients.counts, counts(0, 0, 2), "{}", t.name);
        assert_eq!(invoices.counts, counts(0, 0, 2), "{}", t.name);
        // The payments are all recorded already: a re-import, not an overpayment.
        assert_eq!(payments.counts, counts(0, 0, 3), "{}", t.name);
        assert_eq!(balances(store).await, before, "{}", t.name);
    }
}

#[tokio::test]
async fn an_updated_invoice_is_counted_as_updated() {
    for t in common::test_stores().await {
        let store = t.store.as_ref();
        let dir = tempfile::tempdir().unwrap();
        import_samples(store, dir.path()).await;
        let changed = INVOICES.replace("2 400,00 €", "2 500,00 €");
        let report = import(store, ImportKind::Invoices, &write(dir.path(), "invoices-v2.csv", changed)).await.unwrap();
        assert_eq!(report.counts, counts(0, 1, 1), "{}", t.name);
        assert_eq!(balances(store).await["F-1"], (dec!(2500.00), dec!(1400.00)), "{}", t.name);
    }
}

#[tokio::test]
async fn one_bad_client_row_imports_nothing_and_every_bad_row_is_listed() {
    for t in common::test_stores().await {
        let store = t.store.as_ref();
        let dir = tempfile::tempdir().unwrap();
        let text = "client_id;name;email;siren\n\
            C-1;Acme;compta@acme.fr;732 829 320\n\
            C-2;;;\n\
            C-3;Beta;\"compta@beta.fr, dg@beta.fr\";\n\
            \n\
            C-4;Gamma;;732829321\n";
        let path = write(dir.path(), "clients.csv", text);
        let error = import(store, ImportKind::Clients, &path).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: 3 bad rows, nothing imported:\n  \
                 line 3: name is empty\n  \
                 line 4: email \"compta@beta.fr, dg@beta.fr\": is not of the form name@domain.tld\n  \
                 line 6: siren \"732829321\": has a wrong check digit",
                path.display()
            ),
            "{}",
            t.name
        );
        assert_eq!(client_ids(store).await, BTreeSet::new(), "{}", t.name);
    }
}

#[tokio::test]
async fn invoices_of_unknown_clients_and_bad_rows_are_reported_together() {
    for t in common::test_stores().await {
        let store = t.store.as_ref();
        let dir = tempfile::tempdir().unwrap();
        import(store, ImportKind::Clients, &write(dir.path(), "clients.csv", CLIENTS)).await.unwrap();
        let text = "number;client_id;issue_date;due_date;amount\n\
            F-1;C-1;01/03/2026;31/03/2026;100,00\n\
            F-2;C-999;01/03/2026;31/03/2026;100,00\n\
            F-3;C-1;31/02/2026;31/03/2026;100,00\n\
            F-4;C-2;01/03/2026;31/03/2026;100,00\n";
        let result = import(store, ImportKind::Invoices, &write(dir.path(), "invoices.csv", text)).await;
        assert_eq!(
            bad_rows(result),
            ["line 3: unknown client \"C-999\"", "line 4: issue_date \"31/02/2026\": no such date"],
            "{}",
            t.name
        );
        assert_eq!(balances(store).await, BTreeMap::new(), "{}", t.name);
    }
}

#[tokio::test]
async fn a_payment_larger_than_the_remaining_due_is_refused() {
    for t in common::test_stores().await {
        let store = t.store.as_ref();
        let dir = tempfile::tempdir().unwrap();
        import_samples(store, dir.path()).await;
        // F-1 has 1 000,00 still due: 600 passes, the next 500 would overpay by 100.
        let text = "invoice;amount;date;reference\n\
            F-1;600,00;20/04/2026;VIR 3\n\
            F-1;500,00;21/04/2026;VIR 4\n\
            F-2;1,00;21/04/2026;VIR 5\n\
            F-404;1,00;21/04/2026;VIR 6\n";
        let result = import(store, ImportKind::Payments, &write(dir.path(), "payments-2.csv", text)).await;
        assert_eq!(
            bad_rows(result),
            [
                "line 3: payment 500.00 EUR is more than the 400.00 EUR still due on invoice \"F-1\"",
                "line 4: invoice \"F-2\" is already fully paid",
                "line 5: unknown invoice \"F-404\"",
            ],
            "{}",
            t.name
        );
        assert_eq!(balances(store).await["F-1"], (dec!(2400.00), dec!(1400.00)), "{}", t.name);
        let keys = store
            .payment_keys(&[invoice_numbers(), vec![InvoiceNumber::parse("F-404").unwrap()]].concat())
            .await
            .unwrap();
        assert_eq!(keys.len(), 3, "{}", t.name);
        assert!(keys.iter().all(|p| p.invoice != InvoiceNumber::parse("F-404").unwrap()), "{}", t.name);
    }
}

#[tokio::test]
async fn an_excel_fr_file_in_windows_1252_keeps_its_accents() {
    for t in common::test_stores().await {
        let store = t.store.as_ref();
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"Client_ID;Name;Owner\r\nC-9;Soci\xE9t\xE9 G\xE9n\xE9rale;H\xE9l\xE8ne\r\n";
        let report = import(store, ImportKind::Clients, &write(dir.path(), "clients.csv", bytes)).await.unwrap();
        assert_eq!(report.counts, counts(1, 0, 0), "{}", t.name);
        let clients = store.clients().await.unwrap();
        let client = clients.iter().find(|c| c.id == ClientId::parse("C-9").unwrap()).unwrap();
        assert_eq!((client.name.as_str(), client.owner.as_deref()), ("Société Générale", Some("Hélène")), "{}", t.name);
    }
}

#[tokio::test]
async fn unreadable_and_incomplete_files_name_the_file() {
    for t in common::test_stores().await {
        let store = t.store.as_ref();
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "invoices.csv", "number;client;date;total\nF-1;C-1;01/03/2026;100\n");
        let error = import(store, ImportKind::Invoices, &path).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: missing required columns \"client_id\", \"issue_date\", \"due_date\", \"amount\" \
                 (columns found: number, client, date, total)",
                path.display()
            ),
            "{}",
            t.name
        );
        let empty = write(dir.path(), "empty.csv", "");
        let error = import(store, ImportKind::Payments, &empty).await.unwrap_err();
        assert_eq!(error.to_string(), format!("{}: is empty (expected a header line)", empty.display()));
        let missing = dir.path().join("missing.csv");
        let error = import(store, ImportKind::Clients, &missing).await.unwrap_err();
        assert!(
            matches!(&error, ImportError::File { path, reason } if *path == missing.display().to_string() && reason.starts_with("cannot read it: ")),
            "{}: {error:?}",
            t.name
        );
    }
}
