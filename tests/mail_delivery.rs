//! E-mail delivery through a real SMTP server running in the test: what the
//! client's mailbox receives, how refusals and outages come back to the
//! outbox, and that connections are reused. Then the embedded default: the
//! `.eml` and `.sms.txt` files.

mod common;

use chrono::{TimeZone, Utc};
use common::smtp::SmtpServer;
use mail_parser::MimeHeaders;
use relance::delivery::{FileMailer, FileSms, Mailer, SendOutcome, SmtpMailer};
use relance::domain::{PhoneE164, Stage, Tone};
use relance::mail::{compose_reminder, Attachment, Composed, Sender};
use relance::render::{Company, Templates};
use relance::sms::{SmsOutcome, SmsSender};
use std::net::TcpListener;
use std::sync::Arc;

const CLIENT: &str = "Société Générale d'Éclairage";
const CLIENT_MAILBOX: &str = "compta@sge-eclairage.fr";
const ARCHIVE: &str = "archive@atelier-dupont.fr";
const IBAN: &str = "FR7630006000011234567890189";
/// Bytes no text encoding would carry unharmed: NUL, 0xFF, a bare CR, a
/// line starting with a dot (SMTP's end-of-data marker).
const PDF: &[u8] = b"%PDF-1.7\n\x00\xff\xfe binary\r\n.\r\n..dot line\rend %%EOF";

fn company() -> Company {
    Company {
        name: "Atelier Dupont SAS".into(),
        siren: Some("732829320".into()),
        address: Some("12 rue des Lilas\n69003 Lyon".into()),
        iban: Some(IBAN.into()),
        bic: Some("AGRIFRPP".into()),
        payment_link: Some("https://pay.example.fr/dupont?ref=42".into()),
        contact_name: "Claire Martin".into(),
        contact_email: "compta@atelier-dupont.fr".into(),
        contact_phone: Some("04 72 00 00 00".into()),
        signature: None,
        sms_sender: "DUPONT".into(),
    }
}

fn sender() -> Sender {
    Sender {
        from: "Claire Martin <claire@atelier-dupont.fr>".into(),
        reply_to: Some("compta@atelier-dupont.fr".into()),
        bcc: Some(ARCHIVE.into()),
    }
}

/// A first reminder of 2 400 € to Société Générale d'Éclairage, its invoice
/// PDF attached, to `to`, with Message-ID from `key`.
fn reminder_to(to: &str, key: &str) -> Composed {
    let mut p = common::proposal("C-7", "2026-03-16", Stage::First, Tone::Courteous, "2400");
    p.client_name = CLIENT.into();
    let pdf =
        Attachment { filename: "F-C-7.pdf".into(), content: PDF.to_vec(), content_type: "application/pdf".into() };
    let at = Utc.with_ymd_and_hms(2026, 3, 16, 8, 2, 0).unwrap();
    compose_reminder(&p, &[to.to_string()], &company(), &Templates::builtin(), &sender(), key, vec![pdf], at)
        .expect("the reminder composes")
}

fn reminder(key: &str) -> Composed {
    reminder_to(CLIENT_MAILBOX, key)
}

fn address_of(list: Option<&mail_parser::Address>) -> (Option<String>, Option<String>) {
    let first = list.and_then(|a| a.first()).expect("an address");
    (first.name().map(str::to_string), first.address().map(str::to_string))
}

#[tokio::test]
async fn the_client_receives_the_whole_reminder() {
    let (server, url) = SmtpServer::start();
    let mailer = SmtpMailer::from_url(&url).unwrap();
    let mail = reminder("20260316-C-7");

    let outcome = mailer.send(&mail).await;
    let SendOutcome::Sent { provider_id } = outcome else { panic!("not sent: {outcome:?}") };
    assert_eq!(provider_id, "250 2.0.0 Ok: queued as Q1");

    let received = server.received();
    assert_eq!(received.len(), 1);
    let envelope = &received[0];
    assert_eq!(envelope.from, "claire@atelier-dupont.fr");
    assert_eq!(envelope.to, [CLIENT_MAILBOX, ARCHIVE], "the archive copy goes in the envelope");

    let m = envelope.parsed();
    assert_eq!(address_of(m.from()), (Some("Claire Martin".into()), Some("claire@atelier-dupont.fr".into())));
    assert_eq!(address_of(m.to()), (Some(CLIENT.into()), Some(CLIENT_MAILBOX.into())));
    assert_eq!(address_of(m.reply_to()).1.as_deref(), Some("compta@atelier-dupont.fr"));
    assert!(m.bcc().is_none(), "no Bcc header may reach the client");
    let raw = String::from_utf8_lossy(&envelope.raw);
    assert!(!raw.to_ascii_lowercase().contains("\nbcc:"), "{raw}");
    assert_eq!(m.message_id(), Some("relance.20260316-C-7@atelier-dupont.fr"));
    assert_eq!(format!("<{}>", m.message_id().unwrap()), mail.message_id);
    let subject = m.subject().expect("a subject");
    assert!(subject.contains("F-C-7"), "{subject}");
    assert!(raw.contains("Subject: =?utf-8?"), "a UTF-8 subject travels as encoded words: {raw}");

    assert_eq!((m.text_body_count(), m.html_body_count()), (1, 1), "a text part and an HTML part");
    let text = m.body_text(0).unwrap();
    let html = m.body_html(0).unwrap();
    for (part, body) in [("text", &text), ("html", &html)] {
        assert!(body.contains("F-C-7"), "{part} names the invoice: {body}");
        assert!(body.contains("2\u{202F}400,00\u{A0}€"), "{part} states the amount in French: {body}");
        assert!(body.contains(IBAN) || body.contains("FR76 3000"), "{part} says how to pay: {body}");
        assert!(body.contains("Claire Martin"), "{part} says whom to contact: {body}");
    }
    assert!(html.contains("Soci&eacute;t&eacute;") || html.contains(CLIENT) || html.contains("Société"), "{html}");

    let attachments: Vec<_> = m.attachments().collect();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].attachment_name(), Some("F-C-7.pdf"));
    assert_eq!(attachments[0].contents(), PDF, "the PDF arrives byte for byte");
}

#[tokio::test]
async fn a_refused_mailbox_is_a_permanent_failure_naming_the_code_and_the_servers_words() {
    let (server, url) = SmtpServer::start();
    server.refuse_permanently("gone@sge-eclairage.fr");
    let mailer = SmtpMailer::from_url(&url).unwrap();

    let outcome = mailer.send(&reminder_to("gone@sge-eclairage.fr", "k-550")).await;
    assert_eq!(
        outcome,
        SendOutcome::Permanent { reason: "550 5.1.1 <gone@sge-eclairage.fr>: Recipient address rejected".into() }
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_temporary_refusal_is_transient_and_the_retry_goes_through() {
    let (server, url) = SmtpServer::start();
    server.refuse_temporarily(CLIENT_MAILBOX);
    let mailer = SmtpMailer::from_url(&url).unwrap();
    let mail = reminder("k-451");

    let outcome = mailer.send(&mail).await;
    assert_eq!(
        outcome,
        SendOutcome::Transient { reason: format!("451 4.3.0 <{CLIENT_MAILBOX}>: Try again later"), retry_after: None }
    );
    assert!(server.received().is_empty());

    server.accept(CLIENT_MAILBOX);
    assert!(mailer.send(&mail).await.is_sent(), "the same message goes through once the server accepts it");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_refused_archive_address_fails_the_whole_message() {
    let (server, url) = SmtpServer::start();
    server.refuse_permanently(ARCHIVE);
    let mailer = SmtpMailer::from_url(&url).unwrap();
    let outcome = mailer.send(&reminder("k-bcc")).await;
    assert!(
        matches!(&outcome, SendOutcome::Permanent { reason } if reason.starts_with("550 5.1.1 <archive@")),
        "{outcome:?}"
    );
    assert!(server.received().is_empty(), "the client gets nothing, so a retry cannot send a second copy");
}

#[tokio::test]
async fn nothing_listening_is_transient_and_says_the_connection_failed() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mailer = SmtpMailer::from_url(&format!("smtp://relance:s3cret-pw@127.0.0.1:{port}")).unwrap();
    let outcome = mailer.send(&reminder("k-down")).await;
    let SendOutcome::Transient { reason, retry_after: None } = outcome else { panic!("{outcome:?}") };
    assert!(reason.starts_with("SMTP connection failed: "), "{reason}");
    assert!(reason.to_lowercase().contains("refused"), "{reason}");
    assert!(!reason.contains("s3cret-pw"), "{reason}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_as_transient() {
    // Accepts the TCP connection but never sends its greeting.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let options =
        relance::delivery::SmtpOptions { timeout: std::time::Duration::from_millis(300), ..Default::default() };
    let mailer = SmtpMailer::with_options(&format!("smtp://127.0.0.1:{port}"), options).unwrap();
    let outcome = mailer.send(&reminder("k-silent")).await;
    let SendOutcome::Transient { reason, .. } = outcome else { panic!("{outcome:?}") };
    assert!(reason.starts_with("SMTP server did not answer in time"), "{reason}");
    drop(silent);
}

#[tokio::test]
async fn a_hundred_messages_share_a_few_connections() {
    let (server, url) = SmtpServer::start();
    let mailer = Arc::new(SmtpMailer::from_url(&url).unwrap());
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let mailer = Arc::clone(&mailer);
        tasks.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for i in 0..25 {
                outcomes.push(mailer.send(&reminder(&format!("k-{worker}-{i}"))).await);
            }
            outcomes
        }));
    }
    for task in tasks {
        for outcome in task.await.unwrap() {
            assert!(outcome.is_sent(), "{outcome:?}");
        }
    }
    let received = server.received();
    assert_eq!(received.len(), 100);
    let mut ids: Vec<String> = received.iter().map(|r| r.parsed().message_id().unwrap().to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 100, "each message once");
    let sessions = server.sessions();
    assert!((1..=4).contains(&sessions), "100 messages from 4 senders took {sessions} connections");
}

#[tokio::test]
async fn without_smtp_each_mail_is_an_eml_file_that_a_resend_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let mailer = FileMailer::new(&outbox);
    assert!(mailer.describe().contains(&outbox.display().to_string()));
    let mail = reminder("20260316-C-7");

    let SendOutcome::Sent { provider_id } = mailer.send(&mail).await else { panic!("not written") };
    let path = outbox.join("relance.20260316-C-7=40atelier-dupont.fr.eml");
    assert_eq!(provider_id, path.display().to_string());
    let first = std::fs::read(&path).unwrap();
    let m = mail_parser::MessageParser::default().parse(&first).unwrap();
    assert_eq!(m.message_id(), Some("relance.20260316-C-7@atelier-dupont.fr"));
    assert_eq!(m.attachments().next().unwrap().contents(), PDF);

    // The resend of the same reminder (same Message-ID, new MIME boundaries).
    assert!(mailer.send(&reminder("20260316-C-7")).await.is_sent());
    let files: Vec<_> = std::fs::read_dir(&outbox).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files, vec![path.clone()], "one file per reminder, however often it is sent");
    assert_ne!(std::fs::read(&path).unwrap(), first, "the file holds the latest attempt");

    assert!(mailer.send(&reminder("20260316-C-8")).await.is_sent());
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 2);
}

#[tokio::test]
async fn a_file_that_cannot_be_written_is_transient_and_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("outbox");
    std::fs::write(&blocker, b"a file where the folder should be").unwrap();
    let outcome = FileMailer::new(&blocker).send(&reminder("k")).await;
    let SendOutcome::Transient { reason, .. } = outcome else { panic!("{outcome:?}") };
    assert!(reason.contains(&blocker.display().to_string()), "{reason}");
}

#[tokio::test]
async fn without_sms_settings_each_text_is_a_file_that_a_resend_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let sms = FileSms::new(&outbox, "DUPONT");
    let to = PhoneE164::parse("06 12 34 56 78").unwrap();
    let body = "Atelier Dupont : facture F-C-7 de 2 400,00 € échue, merci de régler. 04 72 00 00 00";

    let SmsOutcome::Sent { sid } = sms.send("20260316-C-7/sms", &to, body).await else { panic!("not written") };
    let path = outbox.join("20260316-C-7=2Fsms.sms.txt");
    assert_eq!(sid, path.display().to_string());
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written, format!("To: +33612345678\nFrom: DUPONT\nSegments: 1 (GSM-7, 84 units)\n\n{body}\n"));

    let longer = format!("{body} — rappel");
    assert!(matches!(sms.send("20260316-C-7/sms", &to, &longer).await, SmsOutcome::Sent { .. }));
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 1, "a resend replaces the file");
    let rewritten = std::fs::read_to_string(&path).unwrap();
    assert!(rewritten.contains("Segments: 2 (UCS-2, ") && rewritten.ends_with(&format!("{longer}\n")), "{rewritten}");

    let as_outcome = SendOutcome::from(sms.send("20260316-C-9/sms", &to, "x").await);
    assert!(as_outcome.is_sent());
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 2);
}

/// The raw throughput of `SmtpMailer` alone: 1,000 composed reminders (with
/// their PDF) to the embedded server, by 1, 4 and 16 concurrent senders.
/// Composition happens before the clock starts. Run with
/// `cargo test --release --test mail_delivery -- --ignored --nocapture smtp_throughput`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: prints figures, asserts only that every message arrived"]
async fn smtp_throughput() {
    const MESSAGES: usize = 1_000;
    let mails: Arc<Vec<Composed>> = Arc::new((0..MESSAGES).map(|i| reminder(&format!("bench-{i}"))).collect());
    let size = mails[0].message.formatted().len();
    println!("{MESSAGES} messages of {size} bytes each");
    for senders in [1usize, 4, 16] {
        let (server, url) = SmtpServer::start();
        let options = relance::delivery::SmtpOptions { pool_size: senders as u32, ..Default::default() };
        let mailer = Arc::new(SmtpMailer::with_options(&url, options).unwrap());
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = std::time::Instant::now();
        let tasks: Vec<_> = (0..senders)
            .map(|_| {
                let (mailer, mails, next) = (Arc::clone(&mailer), Arc::clone(&mails), Arc::clone(&next));
                tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(mail) = mails.get(i) else { break };
                        let outcome = mailer.send(mail).await;
                        assert!(outcome.is_sent(), "{outcome:?}");
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let elapsed = started.elapsed();
        assert_eq!(server.received().len(), MESSAGES);
        println!(
            "senders {senders:>2}: {:>6.0} messages/s ({:.2} s, {} connections)",
            MESSAGES as f64 / elapsed.as_secs_f64(),
            elapsed.as_secs_f64(),
            server.sessions()
        );
    }
}
