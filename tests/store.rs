//! The store's contract, checked on every backend available (SQLite always,
//! PostgreSQL when RELANCE_TEST_POSTGRES_URL is set): imports and their
//! counts, holds, the ledger snapshot, reminders, the audit log, exact money.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::{actor, client, d, dec, invoice, payment, test_stores};
use relance::domain::{Channel, ClientId, Currency, InvoiceNumber, ProposalId, Stage, Tone};
use relance::ledger::{Account, Hold, PaymentLine, SentReminder};
use relance::store::{HoldTarget, ImportCounts, ReminderRecord, Store, StoreError};
use std::sync::Arc;

fn counts(inserted: u64, updated: u64, unchanged: u64) -> ImportCounts {
    ImportCounts { inserted, updated, unchanged }
}

fn cid(id: &str) -> ClientId {
    ClientId::parse(id).unwrap()
}

fn num(number: &str) -> InvoiceNumber {
    InvoiceNumber::parse(number).unwrap()
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    rfc3339.parse().unwrap()
}

/// A reminder sent on `on` to `client` listing `invoices` at `stage`.
fn reminder(client: &str, on: &str, stage: Stage, invoices: &[(&str, &str)]) -> ReminderRecord {
    ReminderRecord {
        proposal_id: ProposalId::parse(&format!("{client}-EUR-{on}")).unwrap(),
        client_id: cid(client),
        sent_at: at(&format!("{on}T09:30:00Z")),
        on: d(on),
        stage,
        tone: Tone::Courteous,
        channels: vec![Channel::Email, Channel::Sms],
        currency: Currency::EUR,
        total_due: invoices.iter().map(|(_, due)| dec(due)).sum(),
        invoices: invoices.iter().map(|(n, due)| (num(n), stage, dec(due))).collect(),
    }
}

async fn account(store: &dyn Store, client: &str, today: NaiveDate) -> Account {
    store.account(&cid(client), today).await.unwrap().expect("the client exists")
}

/// The invoice numbers of an account, in order.
fn numbers(account: &Account) -> Vec<&str> {
    account.invoices.iter().map(|i| i.number.as_str()).collect()
}

/// Clients C1 and C2, with two invoices for C1 and one for C2.
async fn seed(store: &dyn Store) {
    store.import_clients(&[client("C1"), client("C2")], &actor(), "clients.csv").await.unwrap();
    let invoices = [
        invoice("F1", "C1", "2026-02-01", "1200.00"),
        invoice("F2", "C1", "2026-03-01", "300.50"),
        invoice("F3", "C2", "2026-02-15", "80"),
    ];
    store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
}

#[tokio::test]
async fn migrating_twice_is_harmless() {
    for t in test_stores().await {
        t.store.migrate().await.unwrap_or_else(|e| panic!("{}: {e}", t.name));
        assert!(t.store.clients().await.unwrap().is_empty(), "{}", t.name);
    }
}

#[tokio::test]
async fn client_imports_count_inserted_updated_and_unchanged_rows() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        let first = store.import_clients(&[client("C1"), client("C2")], &actor(), "a.csv").await.unwrap();
        assert_eq!(first, counts(2, 0, 0), "{}", t.name);

        // Identical rows, NULL columns included, change nothing.
        let again = store.import_clients(&[client("C1"), client("C2")], &actor(), "a.csv").await.unwrap();
        assert_eq!(again, counts(0, 0, 2), "{}", t.name);

        let mut renamed = client("C2");
        renamed.name = "Dupont & Fils".into();
        renamed.email = None;
        let mixed = store.import_clients(&[client("C1"), renamed, client("C3")], &actor(), "b.csv").await.unwrap();
        assert_eq!(mixed, counts(1, 1, 1), "{}", t.name);

        let clients = store.clients().await.unwrap();
        let names: Vec<(&str, &str)> = clients.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect();
        assert_eq!(names, vec![("C1", "Client C1"), ("C2", "Dupont & Fils"), ("C3", "Client C3")], "{}", t.name);
        assert_eq!(clients[1].email, None, "{}", t.name);
        assert_eq!(clients[0], client("C1"), "{}", t.name);
    }
}

#[tokio::test]
async fn invoice_imports_are_idempotent_and_compare_amounts_as_numbers() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let same = [
            invoice("F1", "C1", "2026-02-01", "1200"),
            invoice("F2", "C1", "2026-03-01", "300.5"),
            invoice("F3", "C2", "2026-02-15", "80.00"),
        ];
        assert_eq!(store.import_invoices(&same, &actor(), "again.csv").await.unwrap(), counts(0, 0, 3), "{}", t.name);

        let mut corrected = invoice("F3", "C2", "2026-02-15", "80.00");
        corrected.pdf = Some("factures/F3.pdf".into());
        let new = invoice("F4", "C2", "2026-04-01", "10");
        let result = store.import_invoices(&[corrected, new], &actor(), "more.csv").await.unwrap();
        assert_eq!(result, counts(1, 1, 0), "{}", t.name);
        assert_eq!(store.client_ids().await.unwrap().len(), 2, "{}", t.name);
    }
}

#[tokio::test]
async fn a_large_invoice_import_spans_several_batches() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        store.import_clients(&[client("C1")], &actor(), "clients.csv").await.unwrap();
        let many: Vec<_> = (0..1234).map(|i| invoice(&format!("F{i:05}"), "C1", "2026-02-01", "10.10")).collect();
        assert_eq!(store.import_invoices(&many, &actor(), "big.csv").await.unwrap(), counts(1234, 0, 0), "{}", t.name);
        assert_eq!(store.import_invoices(&many, &actor(), "big.csv").await.unwrap(), counts(0, 0, 1234), "{}", t.name);
        let owed: rust_decimal::Decimal =
            account(store, "C1", d("2026-03-01")).await.invoices.iter().map(|i| i.amount_due()).sum();
        assert_eq!(owed, dec("12463.40"), "{}", t.name);
    }
}

#[tokio::test]
async fn reads_of_several_pages_see_every_client_once_in_order() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        // More clients than one page holds (1,000), numbered so that byte order differs from numeric order.
        let ids: Vec<String> = (0..2345).map(|i| format!("C{i}")).collect();
        let clients: Vec<_> = ids.iter().map(|id| client(id)).collect();
        store.import_clients(&clients, &actor(), "clients.csv").await.unwrap();
        let invoices: Vec<_> = ids.iter().map(|id| invoice(&format!("F-{id}"), id, "2026-02-01", "100")).collect();
        store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
        let payments: Vec<_> =
            ids.iter().step_by(3).map(|id| payment(&format!("F-{id}"), "40", "2026-02-10")).collect();
        store.import_payments(&payments, &actor(), "bank.csv").await.unwrap();

        let mut sorted = ids.clone();
        sorted.sort();
        let ledger = store.ledger(d("2026-03-01")).await.unwrap();
        let read: Vec<&str> = ledger.accounts.iter().map(|a| a.client.id.as_str()).collect();
        assert_eq!(read, sorted.iter().map(String::as_str).collect::<Vec<_>>(), "{}", t.name);
        let due: rust_decimal::Decimal = ledger.accounts.iter().flat_map(|a| &a.invoices).map(|i| i.amount_due()).sum();
        assert_eq!(due, dec("234500") - dec("40") * rust_decimal::Decimal::from(payments.len()), "{}", t.name);

        // Streamed by pages: the same accounts, in the same order, never all at once.
        let mut pages = 0;
        let mut streamed: Vec<String> = Vec::new();
        store
            .ledger_pages(d("2026-03-01"), &mut |accounts| {
                pages += 1;
                streamed.extend(accounts.iter().map(|a| a.client.id.to_string()));
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!((streamed.len(), pages), (2345, 3), "{}", t.name);
        assert_eq!(streamed, sorted, "{}", t.name);

        let listed: Vec<String> = store.clients().await.unwrap().into_iter().map(|c| c.id.to_string()).collect();
        assert_eq!(listed, sorted, "{}", t.name);
        let every: Vec<InvoiceNumber> = invoices.iter().map(|i| i.number.clone()).collect();
        let balances = store.invoice_balances(&every).await.unwrap();
        assert_eq!((balances.len(), balances[&num("F-C3")].paid), (2345, dec("40")), "{}", t.name);
        assert_eq!(store.payment_keys(&every).await.unwrap().len(), payments.len(), "{}", t.name);
    }
}

#[tokio::test]
async fn payments_are_recorded_once_however_often_the_file_is_imported() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let mut wire = payment("F1", "200", "2026-02-10");
        wire.reference = "VIR 42".into();
        let file = [wire.clone(), payment("F1", "100", "2026-02-20"), payment("F3", "80", "2026-02-12")];
        assert_eq!(store.import_payments(&file, &actor(), "bank.csv").await.unwrap(), counts(3, 0, 0), "{}", t.name);
        assert_eq!(store.import_payments(&file, &actor(), "bank.csv").await.unwrap(), counts(0, 0, 3), "{}", t.name);
        // Same day and amount, another reference: another payment.
        let mut other = wire.clone();
        other.reference = "VIR 43".into();
        assert_eq!(
            store.import_payments(&[other], &actor(), "bank2.csv").await.unwrap(),
            counts(1, 0, 0),
            "{}",
            t.name
        );

        let all = [num("F1"), num("F2"), num("F3")];
        let keys = store.payment_keys(&all).await.unwrap();
        assert_eq!(keys.len(), 4, "{}", t.name);
        assert!(keys.contains(&wire), "{}", t.name);
        let balances = store.invoice_balances(&all).await.unwrap();
        assert_eq!(balances[&num("F1")].paid, dec("500"), "{}", t.name);
        assert_eq!(balances[&num("F1")].amount, dec("1200"), "{}", t.name);
        assert_eq!(balances[&num("F2")].paid, dec("0"), "{}", t.name);
        assert_eq!(balances[&num("F3")].client_id, cid("C2"), "{}", t.name);
    }
}

#[tokio::test]
async fn balances_and_payments_are_read_for_the_named_invoices_only() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let file =
            [payment("F1", "200", "2026-02-10"), payment("F1", "100", "2026-02-20"), payment("F3", "80", "2026-02-12")];
        store.import_payments(&file, &actor(), "bank.csv").await.unwrap();

        // F1 named twice, F3 paid but not named, F-404 unknown.
        let named = [num("F1"), num("F-404"), num("F1"), num("F2")];
        let balances = store.invoice_balances(&named).await.unwrap();
        let mut read: Vec<(&str, String)> =
            balances.iter().map(|(n, b)| (n.as_str(), format!("{} {} {}", b.client_id, b.amount, b.paid))).collect();
        read.sort();
        assert_eq!(read, [("F1", "C1 1200 300".to_string()), ("F2", "C1 300.5 0".to_string())], "{}", t.name);
        let keys = store.payment_keys(&named).await.unwrap();
        assert_eq!(keys, file[..2].iter().cloned().collect(), "{}", t.name);
        assert!(store.invoice_balances(&[]).await.unwrap().is_empty(), "{}", t.name);
        assert!(store.payment_keys(&[num("F2")]).await.unwrap().is_empty(), "{}", t.name);
    }
}

#[tokio::test]
async fn a_file_naming_more_invoices_than_one_in_list_holds_reads_them_all() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        store.import_clients(&[client("C1")], &actor(), "clients.csv").await.unwrap();
        // 2,500 invoices: five IN lists of 500. Every other one is named, plus 500 unknown numbers.
        let invoices: Vec<_> = (0..2500).map(|i| invoice(&format!("F{i:05}"), "C1", "2026-02-01", "100")).collect();
        store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
        let payments: Vec<_> = (0..2500).map(|i| payment(&format!("F{i:05}"), "0.01", "2026-02-10")).collect();
        store.import_payments(&payments, &actor(), "bank.csv").await.unwrap();

        let mut named: Vec<InvoiceNumber> = (0..2500).step_by(2).map(|i| num(&format!("F{i:05}"))).collect();
        named.extend((0..500).map(|i| num(&format!("X{i:05}"))));
        let balances = store.invoice_balances(&named).await.unwrap();
        assert_eq!(balances.len(), 1250, "{}", t.name);
        assert!(balances.keys().all(|n| n.as_str().starts_with('F')), "{}", t.name);
        assert!(!balances.contains_key(&num("F00001")), "{}", t.name);
        let paid: rust_decimal::Decimal = balances.values().map(|b| b.paid).sum();
        assert_eq!(paid, dec("12.50"), "{}", t.name);
        assert_eq!(balances[&num("F02498")].paid, dec("0.01"), "{}", t.name);

        let keys = store.payment_keys(&named).await.unwrap();
        assert_eq!(keys.len(), 1250, "{}", t.name);
        assert_eq!(keys, payments.iter().step_by(2).cloned().collect(), "{}", t.name);
    }
}

#[tokio::test]
async fn money_stays_exact() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        store.import_clients(&[client("C1")], &actor(), "clients.csv").await.unwrap();
        store.import_invoices(&[invoice("F1", "C1", "2026-02-01", "0.30")], &actor(), "i.csv").await.unwrap();
        let cents = [payment("F1", "0.10", "2026-02-02"), payment("F1", "0.20", "2026-02-03")];
        store.import_payments(&cents, &actor(), "p.csv").await.unwrap();

        let today = d("2026-03-01");
        let f1 = &account(store, "C1", today).await.invoices[0];
        assert_eq!(f1.amount_due(), dec("0"), "{}", t.name);
        assert!(!f1.is_open(), "{}", t.name);
        assert_eq!(f1.settled_on(), Some(d("2026-02-03")), "{}", t.name);
        assert_eq!(store.invoice_balances(&[num("F1")]).await.unwrap()[&num("F1")].paid, dec("0.30"), "{}", t.name);
    }
}

#[tokio::test]
async fn the_ledger_holds_what_the_planner_needs() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        store.import_payments(&[payment("F1", "200", "2026-02-10")], &actor(), "bank.csv").await.unwrap();
        store.record_reminder(&reminder("C1", "2026-02-06", Stage::First, &[("F1", "1200")]), &actor()).await.unwrap();
        store.record_reminder(&reminder("C1", "2026-02-16", Stage::Second, &[("F1", "1000")]), &actor()).await.unwrap();

        let ledger = store.ledger(d("2026-03-01")).await.unwrap();
        let ids: Vec<&str> = ledger.accounts.iter().map(|a| a.client.id.as_str()).collect();
        assert_eq!(ids, vec!["C1", "C2"], "{}", t.name);
        let c1 = &ledger.accounts[0];
        assert_eq!(numbers(c1), vec!["F1", "F2"], "{}", t.name);
        let f1 = &c1.invoices[0];
        assert_eq!(f1.amount_due(), dec("1000"), "{}", t.name);
        assert_eq!(f1.payments, vec![PaymentLine { date: d("2026-02-10"), amount: dec("200") }], "{}", t.name);
        assert_eq!(f1.last_stage, Some((Stage::Second, d("2026-02-16"))), "{}", t.name);
        assert_eq!((f1.issue_date, f1.due_date, f1.currency), (d("2026-01-02"), d("2026-02-01"), Currency::EUR));
        assert_eq!(c1.invoices[1].last_stage, None, "{}", t.name);
        assert_eq!(
            c1.reminders,
            vec![
                SentReminder { on: d("2026-02-06"), stage: Stage::First, currency: Currency::EUR },
                SentReminder { on: d("2026-02-16"), stage: Stage::Second, currency: Currency::EUR },
            ],
            "{}",
            t.name
        );
        assert!(ledger.accounts[1].reminders.is_empty(), "{}", t.name);
        assert!(ledger.last_import_at.is_some(), "{}", t.name);

        let single = account(store, "C1", d("2026-03-01")).await;
        assert_eq!(numbers(&single), numbers(c1), "{}", t.name);
        assert_eq!(single.reminders, c1.reminders, "{}", t.name);
        assert!(store.account(&cid("C9"), d("2026-03-01")).await.unwrap().is_none(), "{}", t.name);
    }
}

#[tokio::test]
async fn settled_invoices_stay_in_the_ledger_for_a_year() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        store.import_clients(&[client("C1")], &actor(), "clients.csv").await.unwrap();
        let mut paid_at_import_long_ago = invoice("OLD-PAID", "C1", "2024-01-31", "50");
        paid_at_import_long_ago.paid = dec("50");
        let mut paid_at_import_recently = invoice("NEW-PAID", "C1", "2026-01-31", "50");
        paid_at_import_recently.paid = dec("50");
        let invoices = [
            invoice("OPEN-OLD", "C1", "2023-06-30", "70"),
            invoice("SETTLED-OLD", "C1", "2024-06-30", "100"),
            invoice("SETTLED-RECENT", "C1", "2024-06-30", "100"),
            paid_at_import_long_ago,
            paid_at_import_recently,
        ];
        store.import_invoices(&invoices, &actor(), "i.csv").await.unwrap();
        let payments = [
            payment("SETTLED-OLD", "100", "2025-02-27"),
            payment("SETTLED-RECENT", "40", "2024-07-15"),
            payment("SETTLED-RECENT", "60", "2025-03-02"),
            payment("OPEN-OLD", "10", "2023-07-01"),
        ];
        store.import_payments(&payments, &actor(), "p.csv").await.unwrap();

        let c1 = account(store, "C1", d("2026-03-01")).await;
        assert_eq!(numbers(&c1), vec!["NEW-PAID", "OPEN-OLD", "SETTLED-RECENT"], "{}", t.name);
        assert_eq!(c1.invoices[1].amount_due(), dec("60"), "{}", t.name);
        assert_eq!(c1.invoices[2].settled_on(), Some(d("2025-03-02")), "{}", t.name);
        let in_ledger = store.ledger(d("2026-03-01")).await.unwrap();
        assert_eq!(numbers(&in_ledger.accounts[0]), numbers(&c1), "{}", t.name);

        // A payment reopens nothing, but a correction of the amount does.
        let mut more = invoice("SETTLED-OLD", "C1", "2024-06-30", "150");
        more.description = "corrected".into();
        assert_eq!(store.import_invoices(&[more], &actor(), "fix.csv").await.unwrap(), counts(0, 1, 0), "{}", t.name);
        let c1 = account(store, "C1", d("2026-03-01")).await;
        assert_eq!(numbers(&c1), vec!["NEW-PAID", "OPEN-OLD", "SETTLED-OLD", "SETTLED-RECENT"], "{}", t.name);
        assert_eq!(c1.invoices[2].amount_due(), dec("50"), "{}", t.name);
    }
}

#[tokio::test]
async fn holds_are_set_lifted_and_survive_reimports() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let dispute = Hold { dispute: Some("prix contesté".into()), ..Hold::default() };
        let promise = Hold { promise_date: Some(d("2026-03-10")), paused_until: Some(d("2026-03-05")), dispute: None };
        store.set_hold(&HoldTarget::Client(cid("C1")), &promise, &actor(), None).await.unwrap();
        store.set_hold(&HoldTarget::Invoice(num("F2")), &dispute, &actor(), None).await.unwrap();

        let mut renamed = client("C1");
        renamed.name = "Renamed".into();
        store.import_clients(&[renamed], &actor(), "clients2.csv").await.unwrap();
        let changed = invoice("F2", "C1", "2026-03-01", "999");
        assert_eq!(store.import_invoices(&[changed], &actor(), "i2.csv").await.unwrap(), counts(0, 1, 0), "{}", t.name);

        let c1 = account(store, "C1", d("2026-03-01")).await;
        assert_eq!(c1.client.name, "Renamed", "{}", t.name);
        assert_eq!(c1.hold, promise, "{}", t.name);
        assert_eq!(c1.invoices[1].hold, dispute, "{}", t.name);
        assert_eq!(c1.invoices[1].amount, dec("999"), "{}", t.name);
        assert_eq!(c1.invoices[0].hold, Hold::default(), "{}", t.name);

        store.set_hold(&HoldTarget::Invoice(num("F2")), &Hold::default(), &actor(), None).await.unwrap();
        assert_eq!(account(store, "C1", d("2026-03-01")).await.invoices[1].hold, Hold::default(), "{}", t.name);

        let missing = store.set_hold(&HoldTarget::Invoice(num("F404")), &dispute, &actor(), None).await;
        assert!(matches!(missing, Err(StoreError::NotFound(ref what)) if what == "invoice F404"), "{}", t.name);
        let missing = store.set_hold(&HoldTarget::Client(cid("C404")), &dispute, &actor(), None).await;
        assert!(matches!(missing, Err(StoreError::NotFound(ref what)) if what == "client C404"), "{}", t.name);
    }
}

#[tokio::test]
async fn an_invoice_never_receives_the_same_stage_twice() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let first = reminder("C1", "2026-02-06", Stage::First, &[("F1", "1200")]);
        store.record_reminder(&first, &actor()).await.unwrap();

        let again = reminder("C1", "2026-02-09", Stage::First, &[("F2", "300.50"), ("F1", "1200")]);
        let refused = store.record_reminder(&again, &actor()).await.unwrap_err();
        assert_eq!(
            refused.to_string(),
            "conflict: invoice F1 already received the first reminder on 2026-02-06",
            "{}",
            t.name
        );

        // Nothing of the refused reminder was written.
        assert_eq!(store.reminders(&cid("C1")).await.unwrap(), vec![first.clone()], "{}", t.name);
        let c1 = account(store, "C1", d("2026-03-01")).await;
        assert_eq!(c1.invoices[1].last_stage, None, "{}", t.name);
        assert_eq!(c1.reminders.len(), 1, "{}", t.name);
        let sent: Vec<_> =
            store.audit_log(None, 50).await.unwrap().into_iter().filter(|e| e.action == "reminder.sent").collect();
        assert_eq!(sent.len(), 1, "{}", t.name);

        // The schema refuses it too, whoever writes.
        let sql = "INSERT INTO reminder_invoices (reminder_id, line, invoice, stage, amount_due) \
                   SELECT id, 9, 'F1', 'first', 1 FROM reminders";
        let error = t.raw_execute(sql).await.unwrap_err().to_string();
        assert!(error.contains("UNIQUE") || error.contains("unique"), "{}: {error}", t.name);
    }
}

#[tokio::test]
async fn reminders_read_back_as_recorded_oldest_first() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let second = reminder("C1", "2026-02-16", Stage::Second, &[("F2", "300.50"), ("F1", "1000")]);
        let first = reminder("C1", "2026-02-06", Stage::First, &[("F1", "1200")]);
        store.record_reminder(&second, &actor()).await.unwrap();
        store.record_reminder(&first, &actor()).await.unwrap();
        assert_eq!(store.reminders(&cid("C1")).await.unwrap(), vec![first, second], "{}", t.name);
        assert!(store.reminders(&cid("C2")).await.unwrap().is_empty(), "{}", t.name);

        // The most advanced stage wins, whatever the order of recording.
        let f1 = &account(store, "C1", d("2026-03-01")).await.invoices[0];
        assert_eq!(f1.last_stage, Some((Stage::Second, d("2026-02-16"))), "{}", t.name);
    }
}

#[tokio::test]
async fn every_change_leaves_an_audit_entry_newest_first() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        store.import_payments(&[payment("F3", "80", "2026-02-12")], &actor(), "bank.csv").await.unwrap();
        let hold = Hold { dispute: Some("livraison incomplète".into()), ..Hold::default() };
        store.set_hold(&HoldTarget::Invoice(num("F1")), &hold, &actor(), None).await.unwrap();
        store
            .record_reminder(&reminder("C1", "2026-02-06", Stage::First, &[("F2", "300.50")]), &actor())
            .await
            .unwrap();

        let log = store.audit_log(None, 10).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            vec!["reminder.sent", "hold.dispute", "import.payments", "import.invoices", "import.clients"],
            "{}",
            t.name
        );
        assert_eq!(log[3].subject, "invoices.csv", "{}", t.name);
        assert_eq!(log[3].detail["inserted"], 3, "{}", t.name);
        assert_eq!(log[1].client_id, Some(cid("C1")), "{}", t.name);
        assert_eq!(log[1].subject, "F1", "{}", t.name);
        assert_eq!(log[1].detail["dispute"], "livraison incomplète", "{}", t.name);
        assert_eq!(log[0].subject, "C1-EUR-2026-02-06", "{}", t.name);
        assert_eq!(log[0].detail["invoices"][0]["amount_due"], "300.50", "{}", t.name);
        assert_eq!(log[0].actor, actor(), "{}", t.name);

        let for_c1: Vec<String> =
            store.audit_log(Some(&cid("C1")), 10).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(for_c1, vec!["reminder.sent", "hold.dispute"], "{}", t.name);
        assert_eq!(store.audit_log(None, 2).await.unwrap().len(), 2, "{}", t.name);

        let mut note = log[0].clone();
        note.action = "note".into();
        note.at = at("2026-03-01T10:00:00.123456Z");
        note.detail = serde_json::json!({ "text": "appel au client", "n": [1, 2] });
        store.append_audit(&note).await.unwrap();
        assert_eq!(store.audit_log(None, 1).await.unwrap(), vec![note], "{}", t.name);
    }
}

#[tokio::test]
async fn the_audit_log_cannot_be_rewritten() {
    for t in test_stores().await {
        seed(t.store.as_ref()).await;
        let update = t.raw_execute("UPDATE audit_log SET actor = 'someone else'").await.unwrap_err();
        assert!(update.to_string().contains("audit_log is append-only: UPDATE refused"), "{}: {update}", t.name);
        let delete = t.raw_execute("DELETE FROM audit_log").await.unwrap_err();
        assert!(delete.to_string().contains("audit_log is append-only: DELETE refused"), "{}: {delete}", t.name);
        assert_eq!(t.store.audit_log(None, 10).await.unwrap().len(), 2, "{}", t.name);
    }
}

#[tokio::test]
async fn freshness_comes_from_invoice_and_payment_imports_only() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        assert_eq!(store.last_import_at().await.unwrap(), None, "{}", t.name);
        store.import_clients(&[client("C1")], &actor(), "clients.csv").await.unwrap();
        assert_eq!(store.last_import_at().await.unwrap(), None, "{}", t.name);

        let before = Utc::now() - chrono::Duration::seconds(1);
        store.import_invoices(&[invoice("F1", "C1", "2026-02-01", "10")], &actor(), "i.csv").await.unwrap();
        let after_invoices = store.last_import_at().await.unwrap().expect("set by the invoices import");
        assert!(after_invoices >= before && after_invoices <= Utc::now(), "{}", t.name);

        store.import_payments(&[payment("F1", "10", "2026-02-01")], &actor(), "p.csv").await.unwrap();
        let after_payments = store.last_import_at().await.unwrap().unwrap();
        assert!(after_payments >= after_invoices, "{}", t.name);
        store.import_clients(&[client("C2")], &actor(), "clients2.csv").await.unwrap();
        assert_eq!(store.last_import_at().await.unwrap(), Some(after_payments), "{}", t.name);
        assert_eq!(store.ledger(d("2026-03-01")).await.unwrap().last_import_at, Some(after_payments), "{}", t.name);
    }
}

#[tokio::test]
async fn the_client_index_is_rebuilt_when_clients_are_imported_again() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        assert_eq!(store.clients_revision().await.unwrap(), None, "{}", t.name);
        let cache = relance::serve::client_index::ClientCache::default();
        assert!(cache.get(store).await.unwrap().is_empty(), "{}", t.name);
        seed(store).await;
        let first = store.clients_revision().await.unwrap();
        assert!(first.is_some(), "{}", t.name);
        // Invoices and payments leave the clients as they were.
        store.import_invoices(&[invoice("F9", "C1", "2026-04-01", "10")], &actor(), "i.csv").await.unwrap();
        assert_eq!(store.clients_revision().await.unwrap(), first, "{}", t.name);
        let index = cache.get(store).await.unwrap();
        assert_eq!(index.len(), 2, "{}", t.name);
        let mut renamed = client("C2");
        renamed.name = "Société Générale".into();
        store.import_clients(&[renamed, client("C3")], &actor(), "clients.csv").await.unwrap();
        assert_ne!(store.clients_revision().await.unwrap(), first, "{}", t.name);
        let index = cache.get(store).await.unwrap();
        assert_eq!(index.len(), 3, "{}", t.name);
        assert!(
            matches!(index.find("societe generale"), relance::lookup::Found::One(c) if c.id.as_str() == "C2"),
            "{}",
            t.name
        );
        assert!(Arc::ptr_eq(&index, &cache.get(store).await.unwrap()), "{}: unchanged clients, same index", t.name);
    }
}

/// Migration 0013 moved each digest entry's proposal out of its state
/// document into a table of its own, and outbox items stopped copying it:
/// an entry and a queued message written by an earlier version (the whole
/// entry in `state`, the proposal in the item) read back whole once the
/// database is migrated.
#[tokio::test]
async fn an_entry_stored_before_migration_0013_reads_back_whole() {
    use relance::decision::EntryState;
    let dir = tempfile::tempdir().unwrap();
    let earlier = dir.path().join("migrations");
    std::fs::create_dir(&earlier).unwrap();
    for file in std::fs::read_dir("migrations/sqlite").unwrap() {
        let file = file.unwrap();
        if file.file_name().to_string_lossy().as_ref() < "0013" {
            std::fs::copy(file.path(), earlier.join(file.file_name())).unwrap();
        }
    }
    let path = dir.path().join("relance.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
    sqlx::migrate::Migrator::new(earlier.as_path()).await.unwrap().run(&pool).await.unwrap();

    let day = "2026-03-16";
    let entry = EntryState::new(common::proposal("C1", day, Stage::First, Tone::Firm, "1200.10"), Some("Sam".into()));
    let at = "2026-03-16T08:00:00+00:00";
    let client = "INSERT INTO clients (client_id, name, segment, language, kind, created_at, updated_at) \
                  VALUES ('C1', 'Client C1', 'standard', 'fr', 'b2b', $1, $1)";
    sqlx::query(client).bind(at).execute(&pool).await.unwrap();
    let digest = "INSERT INTO digests (day, posted_at, updated_at, header) VALUES ($1, $2, $2, '{}')";
    sqlx::query(digest).bind(day).bind(at).execute(&pool).await.unwrap();
    let old_entry =
        "INSERT INTO digest_entries (proposal_id, day, position, client_id, status, rev, state, updated_at) \
                     VALUES ($1, $2, 0, 'C1', 'pending', 0, $3, $4)";
    let whole = serde_json::to_string(&entry).unwrap();
    let query = sqlx::query(old_entry).bind(entry.proposal.id.as_str()).bind(day).bind(whole).bind(at);
    query.execute(&pool).await.unwrap();
    // Its message queued then, the outbox item holding its own copy of the proposal.
    let not_before = "2026-03-16T08:00:00Z".parse().unwrap();
    let item = relance::decision::OutboxItem::of(&entry.proposal, not_before, false);
    let old_row = "INSERT INTO outbox (proposal_id, channel, day, client_id, stage, tone, status, not_before, \
                   held_for_fresh_data, item, created_at, updated_at) \
                   VALUES ($1, 'email', $2, 'C1', 'first', 'firm', 'queued', $3, 0, $4, $3, $3)";
    let whole = serde_json::to_string(&item).unwrap();
    let query = sqlx::query(old_row).bind(entry.proposal.id.as_str()).bind(day).bind(at).bind(whole);
    query.execute(&pool).await.unwrap();
    pool.close().await;

    let store = relance::store::SqliteStore::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.entries(d(day)).await.unwrap(), vec![entry]);
    let outbox = store.outbox(d(day)).await.unwrap();
    assert_eq!(outbox.iter().map(|row| &row.item).collect::<Vec<_>>(), [&item], "the item as written then");
}
