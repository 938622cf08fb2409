//! The calls' outcomes in the store, on SQLite and on PostgreSQL (when
//! RELANCE_TEST_POSTGRES_URL is set): recorded with their holds and audit
//! entries in one transaction, read back by day, never rewritten.

mod common;

use common::{actor, client, d, invoice, test_stores};
use relance::domain::{ClientId, EmailAddress, InvoiceNumber};
use relance::ledger::Hold;
use relance::policy::call_outcome::Outcome;
use relance::store::{CallRef, NewDuplicate, Store};

fn num(number: &str) -> InvoiceNumber {
    InvoiceNumber::parse(number).unwrap()
}

async fn seed(store: &dyn Store) {
    store.import_clients(&[client("C1"), client("C2")], &actor(), "clients.csv").await.unwrap();
    let invoices = [invoice("F1", "C1", "2026-02-01", "1200.00"), invoice("F2", "C1", "2026-03-01", "300.50")];
    store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
}

fn call(day: &str, invoices: &[&str]) -> CallRef {
    CallRef {
        task_id: format!("{}-c-0a1b2c3d4e", day.replace('-', "")),
        client_id: ClientId::parse("C1").unwrap(),
        invoices: invoices.iter().map(|n| num(n)).collect(),
        offset_days: 10,
        day: d(day),
    }
}

#[tokio::test]
async fn an_outcome_is_stored_with_its_holds_and_audit_entries_and_read_back_by_day() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let promise = Outcome::Promise { by: d("2026-03-20") };
        let held = Hold { promise_date: Some(d("2026-03-20")), ..Hold::default() };
        let holds = [(num("F1"), held.clone()), (num("F2"), held.clone())];
        let stored = store
            .record_call_outcome(&call("2026-03-16", &["F1", "F2"]), &promise, &holds, None, &actor())
            .await
            .unwrap();
        let block = Outcome::InternalBlock { reason: "bon de commande".into(), days: 7 };
        store.record_call_outcome(&call("2026-03-17", &["F1"]), &block, &[], None, &actor()).await.unwrap();
        store
            .record_call_outcome(&call("2026-03-18", &["F1"]), &Outcome::Voicemail, &[], None, &actor())
            .await
            .unwrap();

        let all = store.call_outcomes(d("2026-03-01"), d("2026-03-31")).await.unwrap();
        let outcomes: Vec<&Outcome> = all.iter().map(|r| &r.outcome).collect();
        assert_eq!(outcomes, [&promise, &block, &Outcome::Voicemail], "{}", t.name);
        assert_eq!(all[0], stored, "{}", t.name);
        assert_eq!(all[0].call.invoices, [num("F1"), num("F2")], "{}", t.name);
        let attempts: Vec<bool> = all.iter().map(|r| r.attempt().answered).collect();
        assert_eq!(attempts, [true, true, false], "{}: a voicemail is not an answer", t.name);
        let one_day = store.call_outcomes(d("2026-03-17"), d("2026-03-17")).await.unwrap();
        assert_eq!(one_day.len(), 1, "{}", t.name);
        assert_eq!(one_day[0].outcome, block, "{}", t.name);

        let account = store.account(&ClientId::parse("C1").unwrap(), d("2026-03-16")).await.unwrap().unwrap();
        assert!(account.invoices.iter().all(|i| i.hold == held), "{}: both invoices promised", t.name);
        let audit = store.audit_log(Some(&ClientId::parse("C1").unwrap()), 10).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            &actions[..5],
            ["call.voicemail", "call.internal_block", "hold.promise", "hold.promise", "call.promise"],
            "{}",
            t.name
        );
        assert_eq!(audit[4].detail["outcome"]["by"], "2026-03-20", "{}", t.name);
    }
}

#[tokio::test]
async fn a_hold_that_cannot_be_set_leaves_no_outcome_behind() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let dispute = Outcome::Dispute { reason: "prix".into() };
        let hold = Hold { dispute: Some("prix".into()), ..Hold::default() };
        let holds = [(num("F1"), hold.clone()), (num("F404"), hold)];
        let failed =
            store.record_call_outcome(&call("2026-03-16", &["F1", "F404"]), &dispute, &holds, None, &actor()).await;
        assert!(failed.is_err(), "{}", t.name);
        assert!(store.call_outcomes(d("2026-03-01"), d("2026-03-31")).await.unwrap().is_empty(), "{}", t.name);
        let account = store.account(&ClientId::parse("C1").unwrap(), d("2026-03-16")).await.unwrap().unwrap();
        assert_eq!(account.invoices[0].hold, Hold::default(), "{}: F1's hold rolled back", t.name);
    }
}

#[tokio::test]
async fn invoice_not_received_queues_its_copy_with_the_outcome_or_not_at_all() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let grace = Hold { paused_until: Some(d("2026-03-21")), ..Hold::default() };
        let copy = |invoices: &[&str]| NewDuplicate {
            day: d("2026-03-16"),
            client_id: ClientId::parse("C1").unwrap(),
            invoices: invoices.iter().map(|n| num(n)).collect(),
            recipient: EmailAddress::parse("compta@c1.example").unwrap(),
        };
        // A hold that cannot be set (unknown invoice): neither the outcome nor its copy.
        let holds = [(num("F1"), grace.clone()), (num("F404"), grace.clone())];
        let dup = copy(&["F1", "F404"]);
        let failed = store
            .record_call_outcome(
                &call("2026-03-16", &["F1", "F404"]),
                &Outcome::NotReceived { to: Some(dup.recipient.clone()) },
                &holds,
                Some(&dup),
                &actor(),
            )
            .await;
        assert!(failed.is_err(), "{}", t.name);
        let client_id = ClientId::parse("C1").unwrap();
        assert!(store.duplicates(&client_id).await.unwrap().is_empty(), "{}: no copy without its outcome", t.name);
        // Recorded: the outcome, its grace and the copy, audited together.
        let holds = [(num("F1"), grace.clone())];
        let dup = copy(&["F1"]);
        let outcome = Outcome::NotReceived { to: Some(dup.recipient.clone()) };
        store.record_call_outcome(&call("2026-03-16", &["F1"]), &outcome, &holds, Some(&dup), &actor()).await.unwrap();
        // The outcome keeps the address the copy went to.
        let stored = store.call_outcomes(d("2026-03-16"), d("2026-03-16")).await.unwrap();
        assert_eq!(stored.last().map(|r| &r.outcome), Some(&outcome), "{}", t.name);
        let copies = store.duplicates(&client_id).await.unwrap();
        assert_eq!(copies.len(), 1, "{}", t.name);
        assert_eq!(
            (copies[0].recipient.as_str(), copies[0].invoices.clone()),
            ("compta@c1.example", vec![num("F1")]),
            "{}",
            t.name
        );
        let log = store.audit_log(Some(&client_id), 10).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"duplicate.requested") && actions.iter().any(|a| a.starts_with("call.")),
            "{}: {actions:?}",
            t.name
        );
        let noted = log.iter().find(|e| e.action == "call.not_received").expect("the outcome's audit entry");
        assert_eq!(noted.detail["outcome"]["to"], "compta@c1.example", "{}", t.name);
    }
}

#[tokio::test]
async fn recorded_outcomes_cannot_be_rewritten() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        store
            .record_call_outcome(&call("2026-03-16", &["F1"]), &Outcome::PaymentSent, &[], None, &actor())
            .await
            .unwrap();
        let update = t.raw_execute("UPDATE call_attempts SET outcome = 'voicemail'").await.unwrap_err();
        assert!(update.to_string().contains("call_attempts is append-only"), "{}: {update}", t.name);
        let delete = t.raw_execute("DELETE FROM call_attempts").await.unwrap_err();
        assert!(delete.to_string().contains("call_attempts is append-only"), "{}: {delete}", t.name);
        let bad = t
            .raw_execute(
                "INSERT INTO call_attempts (task_id, client_id, invoices, offset_days, day, outcome, actor, via, at) \
                 VALUES ('t', 'C1', '[]', 10, '2026-03-16', 'maybe', 'x', 'slack', '2026-03-16T09:00:00Z')",
            )
            .await;
        assert!(bad.is_err(), "{}: an unknown outcome is refused", t.name);
    }
}
