//! "Invoice not received": a duplicate requested (as the call outcome and
//! `relance duplicate` do) is e-mailed once by the real sender to a real SMTP
//! server, on every backend available.

mod common;

use common::sending::{at, cid, worker, DAY};
use common::smtp::SmtpServer;
use common::{actor, client, d, invoice, payment, test_stores};
use relance::domain::InvoiceNumber;
use relance::duplicates::{request, RequestError};
use relance::store::{OutboxStatus, Store};

const PDF: &[u8] = b"%PDF-1.7\n\x00\xff\xfe binary\r\n.\r\n..dot line\rend %%EOF";

fn numbers(list: &[&str]) -> Vec<InvoiceNumber> {
    list.iter().map(|n| InvoiceNumber::parse(n).unwrap()).collect()
}

/// Client C1 owes F-1 (with a PDF in `pdf_dir`) and F-2 (none); C2 owes F-3.
async fn ledger(store: &dyn Store, pdf_dir: &std::path::Path) {
    store.import_clients(&[client("C1"), client("C2")], &actor(), "clients.csv").await.unwrap();
    let pdf = pdf_dir.join("F-1.pdf");
    std::fs::write(&pdf, PDF).unwrap();
    let mut f1 = invoice("F-1", "C1", "2026-03-01", "1200");
    f1.pdf = Some(pdf.display().to_string());
    let invoices = [f1, invoice("F-2", "C1", "2026-03-01", "300"), invoice("F-3", "C2", "2026-03-01", "50")];
    store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
}

#[tokio::test]
async fn a_duplicate_asked_twice_leaves_once_with_the_pdf_to_the_confirmed_address() {
    for ts in test_stores().await {
        let (server, url) = SmtpServer::start();
        let dir = tempfile::tempdir().unwrap();
        ledger(ts.store.as_ref(), dir.path()).await;
        let asked = numbers(&["F-1"]);
        let first = request(ts.store.as_ref(), &asked, Some("jeanne@c1.example.fr"), &actor(), d(DAY)).await.unwrap();
        let again = request(ts.store.as_ref(), &asked, Some("jeanne@c1.example.fr"), &actor(), d(DAY)).await.unwrap();
        assert!(first.new && !again.new, "{}", ts.name);

        let w = worker(&ts, at(10, 0), &url, None, dir.path()).await;
        let pass = w.run_pass().await.unwrap();
        assert_eq!((pass.sent, pass.failed, pass.cancelled), (1, 0, 0), "{}: {pass:?}", ts.name);
        assert_eq!(w.run_pass().await.unwrap().sent, 0, "{}: nothing left to send", ts.name);

        let received = server.received();
        assert_eq!(received.len(), 1, "{}: one e-mail", ts.name);
        assert!(received[0].to.contains(&"jeanne@c1.example.fr".to_string()), "{:?}", received[0].to);
        let m = received[0].parsed();
        assert_eq!(m.subject(), Some("Duplicata de la facture F-1"));
        let text = m.body_text(0).unwrap();
        assert!(text.contains("ci-joint le duplicata") && text.contains("F-1"), "{text}");
        assert!(!text.contains("Relance") && !text.contains("pénalité"), "{text}");
        let attachments: Vec<_> = m.attachments().collect();
        assert_eq!(attachments.len(), 1, "{}", ts.name);
        assert_eq!(attachments[0].contents(), PDF, "{}: the PDF arrives byte for byte", ts.name);

        let rows = ts.store.duplicates(&cid("C1")).await.unwrap();
        assert_eq!(rows.len(), 1, "{}", ts.name);
        assert_eq!(rows[0].status, OutboxStatus::Sent);
        assert_eq!(rows[0].recipient, "jeanne@c1.example.fr");
        assert!(rows[0].sent_at.is_some());
        let audit = ts.store.audit_log(Some(&cid("C1")), 50).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "duplicate.requested").count(), 1, "{actions:?}");
        assert_eq!(actions.iter().filter(|a| **a == "duplicate.sent").count(), 1, "{actions:?}");
    }
}

#[tokio::test]
async fn without_a_pdf_the_details_are_in_the_body_and_the_ledger_address_is_used() {
    for ts in test_stores().await {
        let (server, url) = SmtpServer::start();
        let dir = tempfile::tempdir().unwrap();
        ledger(ts.store.as_ref(), dir.path()).await;
        let queued = request(ts.store.as_ref(), &numbers(&["F-2"]), None, &actor(), d(DAY)).await.unwrap();
        assert_eq!(queued.to.as_str(), "compta@c1.example.fr");

        let w = worker(&ts, at(10, 0), &url, None, dir.path()).await;
        assert_eq!(w.run_pass().await.unwrap().sent, 1, "{}", ts.name);
        let received = server.received();
        let m = received[0].parsed();
        assert_eq!(m.attachments().count(), 0);
        let text = m.body_text(0).unwrap();
        for expected in ["ci-dessous", "F-2", "30/01/2026", "01/03/2026", "300,00", "Prestation F-2"] {
            assert!(text.contains(expected), "{}: {expected:?} missing in {text}", ts.name);
        }
    }
}

#[tokio::test]
async fn a_duplicate_of_invoices_paid_since_is_not_sent_and_says_why() {
    for ts in test_stores().await {
        let (server, url) = SmtpServer::start();
        let dir = tempfile::tempdir().unwrap();
        ledger(ts.store.as_ref(), dir.path()).await;
        request(ts.store.as_ref(), &numbers(&["F-2"]), None, &actor(), d(DAY)).await.unwrap();
        ts.store.import_payments(&[payment("F-2", "300", DAY)], &actor(), "payments.csv").await.unwrap();

        let w = worker(&ts, at(10, 0), &url, None, dir.path()).await;
        let pass = w.run_pass().await.unwrap();
        assert_eq!((pass.sent, pass.cancelled), (0, 1), "{}: {pass:?}", ts.name);
        assert!(server.received().is_empty());
        let rows = ts.store.duplicates(&cid("C1")).await.unwrap();
        assert_eq!(rows[0].status, OutboxStatus::Cancelled);
        assert_eq!(rows[0].last_error.as_deref(), Some("factures réglées depuis la demande de duplicata"));
    }
}

#[tokio::test]
async fn bad_requests_are_refused_with_what_is_wrong_and_write_nothing() {
    for ts in test_stores().await {
        let dir = tempfile::tempdir().unwrap();
        ledger(ts.store.as_ref(), dir.path()).await;
        let store = ts.store.as_ref();
        let ask = |list: &'static [&'static str], to: Option<&'static str>| async move {
            request(store, &numbers(list), to, &actor(), d(DAY)).await.unwrap_err()
        };
        let unknown = ask(&["F-9"], None).await;
        assert!(matches!(unknown, RequestError::UnknownInvoice(_)), "{unknown}");
        assert_eq!(unknown.to_string(), "invoice F-9 is not in the ledger");
        let two = ask(&["F-1", "F-3"], None).await;
        assert!(matches!(two, RequestError::SeveralClients { .. }), "{two}");
        assert!(two.to_string().contains("C1") && two.to_string().contains("C2"), "{two}");
        let bad = ask(&["F-1"], Some("jeanne@")).await;
        assert!(matches!(bad, RequestError::BadAddress { .. }), "{bad}");
        assert!(bad.to_string().contains("\"jeanne@\""), "{bad}");

        for c in ["C1", "C2"] {
            assert!(store.duplicates(&cid(c)).await.unwrap().is_empty(), "{}", ts.name);
            let audit = store.audit_log(Some(&cid(c)), 50).await.unwrap();
            assert!(audit.iter().all(|a| !a.action.starts_with("duplicate.")), "{}", ts.name);
        }
    }
}
