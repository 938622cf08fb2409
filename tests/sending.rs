//! Sending the approved reminders, on every backend available: a real SMTP
//! server on loopback receives the e-mails, a fake Twilio-compatible API the
//! SMS. What is asserted is what a client would receive, and what the store
//! and the digest say about it.

mod common;

use chrono::Duration;
use chrono_tz::Europe::Paris;
use common::sending::{approved, at, cid, decide_all, formal_notice, message_ids, store_at, worker, DAY};
use common::smtp::SmtpServer;
use common::{actor, client, d, invoice, payment, proposal, test_stores};
use relance::clock::Clock;
use relance::config::Loaded;
use relance::decision::{Action, EntryState};
use relance::delivery::setup;
use relance::domain::ProposalId;
use relance::domain::{Channel, InvoiceNumber, Segment, Stage, Tone};
use relance::ledger::Hold;
use relance::render::Templates;
use relance::store::{Actor, HoldTarget, LetterPosted, OutboxRow, OutboxStatus};
use std::path::Path;

fn by_client(rows: &[OutboxRow], id: &str, channel: Channel) -> OutboxRow {
    rows.iter().find(|r| r.item.client_id.as_str() == id && r.channel == channel).cloned().expect("the outbox row")
}

#[tokio::test]
async fn approved_reminders_leave_once_by_email_and_sms_and_the_digest_says_so() {
    for ts in test_stores().await {
        let (server, url) = SmtpServer::start();
        let twilio = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .and(wiremock::matchers::path("/2010-04-01/Accounts/AC0123/Messages.json"))
            .respond_with(wiremock::ResponseTemplate::new(201).set_body_json(serde_json::json!({ "sid": "SM42" })))
            .expect(1)
            .mount(&twilio)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let ids = approved(ts.store.as_ref(), &["C1", "C2", "C3"], &["C2"]).await;
        let w = worker(&ts, at(10, 0), &url, Some(&twilio.uri()), dir.path()).await;

        let pass = w.run_pass().await.unwrap();
        assert_eq!((pass.sent, pass.failed, pass.cancelled), (4, 0, 0), "{}: {pass:?}", ts.name);
        let received = server.received();
        assert_eq!(received.len(), 3, "{}: one e-mail per reminder", ts.name);
        let c2 = received.iter().find(|r| r.to.contains(&"compta@c2.example.fr".to_string())).expect("C2's e-mail");
        assert!(c2.to.contains(&"archives@atelier-dumas.fr".to_string()), "the archive copy goes in the envelope");
        let m = c2.parsed();
        assert_eq!(m.message_id(), Some(format!("relance.{}@atelier-dumas.fr", ids[1]).as_str()));
        let text = m.body_text(0).unwrap();
        assert!(text.contains("F-C2") && text.contains("1\u{202F}200,00\u{A0}€"), "{text}");
        assert!(m.body_html(0).unwrap().contains("F-C2"));
        let sms = &twilio.received_requests().await.unwrap()[0];
        let form = String::from_utf8_lossy(&sms.body);
        assert!(form.contains("To=%2B33612345678"), "{form}");

        let rows = ts.store.outbox(d(DAY)).await.unwrap();
        let mail = by_client(&rows, "C2", Channel::Email);
        assert_eq!(mail.status, OutboxStatus::Sent);
        assert_eq!(mail.recipient.as_deref(), Some("compta@c2.example.fr"));
        assert_eq!(mail.message_id, Some(format!("<relance.{}@atelier-dumas.fr>", ids[1])));
        assert_eq!(by_client(&rows, "C2", Channel::Sms).message_id.as_deref(), Some("SM42"));
        // The reminder is recorded once (for the planner), with the audit.
        assert_eq!(ts.store.reminders(&cid("C2")).await.unwrap().len(), 1, "{}", ts.name);
        let log = ts.store.audit_log(Some(&cid("C2")), 50).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "outbox.sent").count(), 2, "{actions:?}");
        assert!(actions.contains(&"reminder.sent"), "{actions:?}");

        // A second pass, or a second sender, finds nothing left to send.
        let again = worker(&ts, at(10, 5), &url, Some(&twilio.uri()), dir.path()).await.run_pass().await.unwrap();
        assert_eq!(again.sent, 0, "{}", ts.name);
        assert_eq!(server.received().len(), 3);
    }
}

#[tokio::test]
async fn nothing_leaves_for_a_reminder_paid_disputed_or_vetoed_after_its_approval() {
    for ts in test_stores().await {
        let (server, url) = SmtpServer::start();
        let dir = tempfile::tempdir().unwrap();
        let store = ts.store.as_ref();
        let ids = approved(store, &["C1", "C2", "C3", "C4"], &[]).await;
        // After the approval: C1 pays, C2's invoice is disputed, C3 is vetoed.
        store.import_payments(&[payment("F-C1", "1200", DAY)], &actor(), "bank.csv").await.unwrap();
        let dispute = Hold { dispute: Some("livraison incomplète".into()), ..Hold::default() };
        store
            .set_hold(&HoldTarget::Invoice(InvoiceNumber::parse("F-C2").unwrap()), &dispute, &actor(), None)
            .await
            .unwrap();
        decide_all(store, &ids[2..3], Action::Veto, at(9, 30)).await;

        let pass = worker(&ts, at(10, 0), &url, None, dir.path()).await.run_pass().await.unwrap();
        assert_eq!((pass.sent, pass.cancelled), (1, 2), "{}: {pass:?}", ts.name);
        let received = server.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].to[0], "compta@c4.example.fr", "only C4, untouched, is written to");
        let rows = store.outbox(d(DAY)).await.unwrap();
        let paid = by_client(&rows, "C1", Channel::Email);
        assert_eq!(
            (paid.status, paid.last_error.as_deref()),
            (OutboxStatus::Cancelled, Some("facture F-C1 payée depuis l'approbation"))
        );
        let disputed = by_client(&rows, "C2", Channel::Email);
        assert_eq!(disputed.last_error.as_deref(), Some("facture F-C2 en litige"));
        assert_eq!(by_client(&rows, "C3", Channel::Email).status, OutboxStatus::Cancelled, "the veto cancelled it");
        assert!(store.reminders(&cid("C1")).await.unwrap().is_empty(), "no reminder recorded for C1");
    }
}

#[tokio::test]
async fn a_refused_address_fails_a_busy_server_is_retried_later() {
    for ts in test_stores().await {
        let (server, url) = SmtpServer::start();
        let dir = tempfile::tempdir().unwrap();
        approved(ts.store.as_ref(), &["C1", "C2"], &[]).await;
        server.refuse_permanently("compta@c1.example.fr");
        server.refuse_temporarily("compta@c2.example.fr");

        let pass = worker(&ts, at(10, 0), &url, None, dir.path()).await.run_pass().await.unwrap();
        assert_eq!((pass.sent, pass.failed, pass.retried), (0, 1, 1), "{}: {pass:?}", ts.name);
        let rows = ts.store.outbox(d(DAY)).await.unwrap();
        let refused = by_client(&rows, "C1", Channel::Email);
        assert_eq!(refused.status, OutboxStatus::Failed);
        assert!(refused.last_error.as_deref().unwrap().contains("550"), "{:?}", refused.last_error);
        let busy = by_client(&rows, "C2", Channel::Email);
        assert_eq!((busy.status, busy.attempts), (OutboxStatus::Queued, 1));

        // Not before its backoff (30 to 60 s after the first attempt)…
        let early = worker(&ts, at(10, 0) + Duration::seconds(20), &url, None, dir.path()).await;
        assert_eq!(early.run_pass().await.unwrap().retried, 0);
        // …then again, refused again; then accepted.
        let later = worker(&ts, at(10, 2), &url, None, dir.path()).await;
        assert_eq!(later.run_pass().await.unwrap().retried, 1);
        server.accept("compta@c2.example.fr");
        let last = worker(&ts, at(10, 10), &url, None, dir.path()).await.run_pass().await.unwrap();
        assert_eq!(last.sent, 1, "{}", ts.name);
        let busy = by_client(&ts.store.outbox(d(DAY)).await.unwrap(), "C2", Channel::Email);
        assert_eq!((busy.status, busy.attempts), (OutboxStatus::Sent, 3));
        assert_eq!(server.received().len(), 1);
        let log = ts.store.audit_log(Some(&cid("C1")), 20).await.unwrap();
        assert!(log.iter().any(|e| e.action == "outbox.failed"), "the failure is audited");
    }
}

#[tokio::test]
async fn nothing_leaves_outside_the_window_and_a_strategic_reminder_waits_for_the_cutoff() {
    for ts in test_stores().await {
        let (server, url) = SmtpServer::start();
        let dir = tempfile::tempdir().unwrap();
        let store = ts.store.as_ref();
        store.import_clients(&[client("S1")], &actor(), "clients.csv").await.unwrap();
        let due = (d(DAY) - chrono::Days::new(20)).to_string();
        store.import_invoices(&[invoice("F-S1", "S1", &due, "1200")], &actor(), "invoices.csv").await.unwrap();
        let mut p = proposal("S1", DAY, Stage::First, Tone::Courteous, "1200");
        p.segment = Segment::Strategic;
        let id = p.id.clone();
        store
            .save_digest(d(DAY), &serde_json::json!({ "lines": [] }), &[EntryState::new(p, None)], &actor())
            .await
            .unwrap();
        decide_all(store, std::slice::from_ref(&id), Action::Approve, at(8, 45)).await;

        let early = worker(&ts, at(8, 50), &url, None, dir.path()).await.run_pass().await.unwrap();
        assert_eq!(early.closed_until, Some(at(9, 0)), "{}", ts.name);
        let before_cutoff = worker(&ts, at(10, 30), &url, None, dir.path()).await.run_pass().await.unwrap();
        assert_eq!(before_cutoff.sent, 0, "the owner keeps the morning to veto");
        let after = worker(&ts, at(11, 1), &url, None, dir.path()).await.run_pass().await.unwrap();
        assert_eq!(after.sent, 1, "{}", ts.name);
        assert_eq!(server.received().len(), 1);
    }
}

#[tokio::test]
async fn without_smtp_or_sms_settings_messages_are_written_to_the_outbox_folder() {
    for ts in test_stores().await {
        let dir = tempfile::tempdir().unwrap();
        approved(ts.store.as_ref(), &["C1", "C2"], &["C2"]).await;
        let config = relance::config::parse(relance::config::SHIPPED, &|_| None).unwrap();
        let loaded = Loaded { config, tz: Paris, path: dir.path().join("bot-config.yaml") };
        let clock = Clock::fixed(at(10, 0), Paris);
        let w = setup::worker(&loaded, store_at(&ts, at(10, 0)).await, clock, Templates::builtin()).unwrap();
        assert!(setup::describe(&w).contains("outbox"), "{}", setup::describe(&w));
        let pass = w.run_pass().await.unwrap();
        assert_eq!(pass.sent, 3, "{}: {pass:?}", ts.name);
        let mut files: Vec<String> = std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files.iter().filter(|f| f.ends_with(".eml")).count(), 2, "{files:?}");
        assert_eq!(files.iter().filter(|f| f.ends_with(".sms.txt")).count(), 1, "{files:?}");
        let eml = files.iter().find(|f| f.ends_with(".eml")).unwrap();
        let text = std::fs::read_to_string(dir.path().join("outbox").join(eml)).unwrap();
        assert!(text.contains("Message-ID: <relance."), "{text}");
    }
}

#[tokio::test]
async fn two_senders_on_one_database_send_each_message_exactly_once() {
    for ts in test_stores().await {
        let (server, url) = SmtpServer::start();
        server.slow_down(std::time::Duration::from_millis(2));
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = (1..=60).map(|i| format!("K{i:02}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        approved(ts.store.as_ref(), &names, &[]).await;
        let mut a = worker(&ts, at(10, 0), &url, None, dir.path()).await;
        let mut b = worker(&ts, at(10, 0), &url, None, dir.path()).await;
        (a.settings.batch, b.settings.batch) = (5, 5);
        let (pa, pb) = tokio::join!(a.run_pass(), b.run_pass());
        let (pa, pb) = (pa.unwrap(), pb.unwrap());
        assert_eq!(pa.sent + pb.sent, 60, "{}: {pa:?} {pb:?}", ts.name);
        if ts.name == "postgres" {
            assert!(pa.sent > 0 && pb.sent > 0, "both senders took a share: {} + {}", pa.sent, pb.sent);
        }
        let ids = message_ids(&server);
        let mut unique = ids.clone();
        unique.dedup();
        assert_eq!((ids.len(), unique.len()), (60, 60), "{}: each message exactly once", ts.name);
    }
}

/// Runs `relance send` at `now` (local time of DAY) against `db` and `smtp`.
fn relance_send(dir: &Path, db: &str, smtp: &str, now: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_relance"));
    command
        .args(["--config", &dir.join("bot-config.yaml").display().to_string(), "--now", now, "send"])
        .env("DATABASE_URL", db)
        .env("SMTP_URL", smtp)
        .env("MAIL_FROM", "Claire Martin <claire@atelier-dumas.fr>")
        .env_remove("RELANCE_NOW")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

#[tokio::test]
async fn a_sender_killed_mid_batch_loses_nothing_and_repeats_at_most_what_was_in_flight() {
    const CONCURRENCY: usize = 2;
    for ts in test_stores().await {
        let (server, url) = SmtpServer::start();
        server.slow_down(std::time::Duration::from_millis(25));
        let dir = tempfile::tempdir().unwrap();
        // The shipped configuration, with a short lease and two messages in flight.
        let config = relance::config::SHIPPED.replace(
            "outbox_dir: ${RELANCE_OUTBOX_DIR:-outbox}",
            &format!("outbox_dir: outbox\n  concurrency: {CONCURRENCY}\n  batch: 10\n  lease_seconds: 60"),
        );
        std::fs::write(dir.path().join("bot-config.yaml"), config).unwrap();
        let names: Vec<String> = (1..=60).map(|i| format!("K{i:02}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        approved(ts.store.as_ref(), &names, &[]).await;

        let mut first = relance_send(dir.path(), &ts.url, &url, "2026-03-16T10:00:00+01:00").spawn().unwrap();
        while server.received().len() < 20 {
            assert!(first.try_wait().unwrap().is_none(), "{}: the sender finished before it could be killed", ts.name);
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        first.kill().unwrap(); // SIGKILL: no cleanup, no last word.
        first.wait().unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let before = server.received().len();
        assert!(before < 60, "{}: killed mid-batch ({before} received)", ts.name);

        // A new sender after the lease ran out sends the rest.
        let second = relance_send(dir.path(), &ts.url, &url, "2026-03-16T10:05:00+01:00").status().unwrap();
        assert!(second.success(), "{}", ts.name);
        let ids = message_ids(&server);
        let mut unique = ids.clone();
        unique.dedup();
        assert_eq!(unique.len(), 60, "{}: no message lost", ts.name);
        assert!(
            ids.len() - 60 <= CONCURRENCY,
            "{}: {} duplicates, more than the {CONCURRENCY} in flight",
            ts.name,
            ids.len() - 60
        );
        let rows = ts.store.outbox(d(DAY)).await.unwrap();
        assert!(rows.iter().all(|r| r.status == OutboxStatus::Sent), "{}: every row sent", ts.name);
        for name in &names {
            assert_eq!(ts.store.reminders(&cid(name)).await.unwrap().len(), 1, "{}: {name} recorded once", ts.name);
        }
    }
}

#[tokio::test]
async fn one_instance_posts_the_days_digest_and_another_takes_over_a_dead_claim() {
    for ts in test_stores().await {
        let day = d(DAY);
        let stale = Duration::minutes(10);
        let (a, b) = (store_at(&ts, at(8, 30)).await, store_at(&ts, at(8, 30)).await);
        let (won_a, won_b) =
            tokio::join!(a.claim_job("digest", day, "a", stale), b.claim_job("digest", day, "b", stale));
        assert!(won_a.unwrap() ^ won_b.unwrap(), "{}: exactly one instance posts", ts.name);
        // The winner died without finishing: after ten minutes another takes over…
        let later = store_at(&ts, at(8, 45)).await;
        assert!(later.claim_job("digest", day, "c", stale).await.unwrap(), "{}", ts.name);
        later.finish_job("digest", day, "c").await.unwrap();
        // …and once done, nobody posts it again that day; the next day is free.
        let evening = store_at(&ts, at(18, 0)).await;
        assert!(!evening.claim_job("digest", day, "d", stale).await.unwrap(), "{}", ts.name);
        assert!(evening.claim_job("digest", day.succ_opt().unwrap(), "d", stale).await.unwrap());
    }
}

#[tokio::test]
async fn a_formal_notice_is_written_as_a_pdf_then_recorded_as_posted_once() {
    for ts in test_stores().await {
        let dir = tempfile::tempdir().unwrap();
        let id = formal_notice(ts.store.as_ref(), "C9").await;
        let claire = Actor { name: "Claire Martin".into(), via: "slack".into() };
        let store = ts.store.as_ref();
        let unknown = ProposalId::parse("20260316-unknown").unwrap();
        assert_eq!(store.mark_letter_posted(&unknown, d(DAY), &claire).await.unwrap(), LetterPosted::NoLetter);
        assert_eq!(
            store.mark_letter_posted(&id, d(DAY), &claire).await.unwrap(),
            LetterPosted::NoLetter,
            "{}: approved, but the sender has not written it yet",
            ts.name
        );

        let pass = worker(&ts, at(10, 0), "", None, dir.path()).await.run_pass().await.unwrap();
        assert_eq!(pass.sent, 1, "{}: {pass:?}", ts.name);
        let letter = by_client(&store.outbox(d(DAY)).await.unwrap(), "C9", Channel::Letter);
        let file = letter.recipient.clone().expect("the PDF's path");
        assert!(file.ends_with(".pdf") && std::fs::read(&file).unwrap().starts_with(b"%PDF"), "{file}");
        assert_eq!((letter.posted_on, letter.posted_by), (None, None), "{}", ts.name);

        // Five people say so at once: one record, the others are told who did.
        let on = d("2026-03-17");
        let names = ["Claire Martin", "Marc Petit", "Anne Lefèvre", "Paul Girard", "Lucie Moreau"];
        let clicks = names.map(|name| {
            let (store, id) = (ts.store.clone(), id.clone());
            let actor = Actor { name: name.into(), via: "slack".into() };
            tokio::spawn(async move { store.mark_letter_posted(&id, on, &actor).await.unwrap() })
        });
        let mut answers = Vec::new();
        for click in clicks {
            answers.push(click.await.unwrap());
        }
        let recorded: Vec<_> = answers.iter().filter(|a| matches!(a, LetterPosted::Recorded { .. })).collect();
        assert_eq!(recorded, [&LetterPosted::Recorded { file: file.clone() }], "{}: {answers:?}", ts.name);
        let letter = by_client(&store.outbox(d(DAY)).await.unwrap(), "C9", Channel::Letter);
        let by = letter.posted_by.clone().expect("who posted it");
        assert_eq!(letter.posted_on, Some(on), "{}", ts.name);
        let already = LetterPosted::AlreadyPosted { on, by: by.clone() };
        assert_eq!(answers.iter().filter(|a| **a == already).count(), 4, "{}: {answers:?}", ts.name);

        // A later click changes nothing; the audit log has the one record.
        assert_eq!(store.mark_letter_posted(&id, d("2026-03-18"), &claire).await.unwrap(), already);
        assert_eq!(by_client(&store.outbox(d(DAY)).await.unwrap(), "C9", Channel::Letter), letter);
        let log = store.audit_log(Some(&cid("C9")), 50).await.unwrap();
        let posted: Vec<_> = log.iter().filter(|e| e.action == "letter.posted").collect();
        assert_eq!(posted.len(), 1, "{}: {log:?}", ts.name);
        assert_eq!((posted[0].actor.name.as_str(), posted[0].actor.via.as_str()), (by.as_str(), "slack"));
        assert_eq!(posted[0].subject, id.as_str());
        assert_eq!(posted[0].detail["posted_on"], "2026-03-17", "{}", ts.name);
        assert_eq!(posted[0].detail["file"], file.as_str(), "{}", ts.name);
    }
}
