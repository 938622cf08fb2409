//! Instalment plans (échéancier) through the `relance` binary on simulated
//! days (`RELANCE_NOW`), on SQLite and (with RELANCE_TEST_POSTGRES_URL)
//! PostgreSQL: the schedule sums to what is due, bad requests write nothing,
//! an approved plan holds the invoices' reminders, an imported payment pays
//! an instalment, and a missed one breaks the plan and brings the policy's
//! stage back.

mod common;

use assert_cmd::Command;
use rust_decimal::Decimal;
use serde_json::Value;
use std::path::Path;

const CLIENTS: &str = "client_id;name;email;phone;segment;owner;language;kind;siren\n\
    SGE;Société Générale d'Équipement;ap@sge.fr;;standard;Marc;fr;b2b;\n\
    DUP;M. Jean Dupont;jean@dupont.fr;;standard;;fr;b2c;\n";

const INVOICES: &str = "number;client_id;issue_date;due_date;amount;currency;paid;description\n\
    F-2;SGE;06/02/2026;06/03/2026;1 000,00;EUR;;Audit\n\
    F-5;SGE;06/02/2026;06/03/2026;200,01;EUR;;Fournitures\n\
    F-3;DUP;01/02/2026;13/02/2026;500,00;EUR;;Réparation\n";

/// The binary on a simulated day, with the shipped configuration.
fn relance(url: &str, day: &str) -> Command {
    let mut cmd = Command::cargo_bin("relance").unwrap();
    cmd.env("DATABASE_URL", url)
        .env("RELANCE_CONFIG", concat!(env!("CARGO_MANIFEST_DIR"), "/bot-config.yaml"))
        .env("RELANCE_NOW", day);
    cmd
}

fn import(url: &str, dir: &Path, kind: &str, text: &str, day: &str) {
    let path = dir.join(format!("{kind}.csv"));
    std::fs::write(&path, text).unwrap();
    relance(url, day).args(["import", kind, &path.display().to_string()]).assert().success();
}

fn stdout(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn refused(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(!output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8(output.stderr).unwrap()
}

/// The clients `relance plan` proposes a reminder to on `day`, with the stage and total.
fn proposed(url: &str, day: &str) -> Vec<(String, String, String)> {
    let plan: Value = serde_json::from_str(&stdout(relance(url, day).args(["plan", "--json"]))).unwrap();
    let field = |p: &Value, k: &str| p[k].as_str().unwrap().to_string();
    plan.as_array().unwrap().iter().map(|p| (field(p, "client_id"), field(p, "stage"), field(p, "total_due"))).collect()
}

fn status(url: &str, day: &str) -> Value {
    serde_json::from_str(&stdout(relance(url, day).args(["status", "SGE", "--json"]))).unwrap()
}

fn sge_first(total: &str) -> (String, String, String) {
    ("SGE".into(), "first".into(), total.into())
}

#[tokio::test]
async fn a_plan_sums_to_the_amount_due_holds_reminders_and_a_missed_instalment_resumes_them() {
    for backend in common::test_stores().await {
        let (url, dir) = (&backend.url, tempfile::tempdir().unwrap());
        let monday = "2026-03-16";
        import(url, dir.path(), "clients", CLIENTS, monday);
        import(url, dir.path(), "invoices", INVOICES, monday);
        assert!(proposed(url, monday).contains(&sge_first("1200.01")), "{}: no plan yet", backend.name);

        // Bad requests say why and write nothing.
        for (args, why) in [
            (vec!["echeancier", "SGE", "0"], "at least 1"),
            (vec!["echeancier", "SGE", "25"], "maximum of 24"),
            (vec!["echeancier", "SGE", "three"], "not a number"),
            (vec!["echeancier", "SGE", "3", "--first", "2026-03-10"], "before today"),
            (vec!["echeancier", "NOBODY", "3"], "no client matches"),
            (vec!["echeancier", "approve", "99"], "no instalment plan 99"),
        ] {
            let err = refused(relance(url, monday).args(&args));
            assert!(err.contains(why), "{}: {args:?}: {err}", backend.name);
        }
        assert_eq!(status(url, monday)["plans"], Value::Array(vec![]), "{}", backend.name);

        // Three monthly instalments from Monday 23 March, summing to what SGE owes.
        // Printed in the team's language (French here), like `relance status`.
        let text = stdout(relance(url, monday).args(["echeancier", "SGE", "3", "--first", "2026-03-23"]));
        assert!(text.contains("Échéancier n° 1 proposé — client SGE : 1 200,01 € en 3 échéance(s)"), "{text}");
        assert!(text.contains("  Factures : F-2, F-5\n"), "{text}");
        assert!(
            text.contains("  1. 23/03/2026 · 400,00 €\n  2. 23/04/2026 · 400,00 €\n  3. 23/05/2026 · 400,01 €\n"),
            "{text}"
        );
        assert!(text.contains("Pour l'approuver : relance echeancier approve 1"), "{text}");
        let plan = &status(url, monday)["plans"][0]["plan"];
        let amounts: Decimal = plan["schedule"]["instalments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["amount"].as_str().unwrap().parse::<Decimal>().unwrap())
            .sum();
        assert_eq!(
            amounts,
            "1200.01".parse::<Decimal>().unwrap(),
            "{}: the schedule sums to the amount due",
            backend.name
        );
        assert_eq!(plan["status"], "proposed");
        let id = plan["id"].as_i64().unwrap().to_string();
        assert!(
            proposed(url, monday).contains(&sge_first("1200.01")),
            "{}: a proposed plan holds nothing",
            backend.name
        );
        let again = refused(relance(url, monday).args(["echeancier", "F-2", "2"]));
        assert!(again.contains("already in instalment plan"), "{again}");

        // In English when the team works in English; scripts read --json (ISO dates, decimal strings).
        let approved = stdout(relance(url, monday).env("RELANCE_LANGUAGE", "en").args(["echeancier", "approve", &id]));
        assert!(
            approved.contains("Instalment plan 1 approved — client SGE: €1,200.01 in 3 instalment(s)"),
            "{approved}"
        );
        assert!(approved.contains("  3. 23 May 2026 · €400.01\n"), "{approved}");
        let json = |args: &[&str]| -> Value { serde_json::from_str(&stdout(relance(url, monday).args(args))).unwrap() };
        let dup = json(&["echeancier", "F-3", "2", "--first", "2026-03-30", "--json"]);
        let first = &dup["plan"]["schedule"]["instalments"][0];
        assert_eq!((first["due_date"].as_str(), first["amount"].as_str()), (Some("2026-03-30"), Some("250.00")));
        let dup_id = dup["plan"]["id"].as_i64().unwrap().to_string();
        assert_eq!(
            json(&["echeancier", "reject", &dup_id, "--json"])["plan"]["status"],
            "rejected",
            "{}",
            backend.name
        );
        let twice = refused(relance(url, monday).args(["echeancier", "reject", &id]));
        assert!(twice.contains("already approved"), "{}: {twice}", backend.name);
        assert_eq!(status(url, monday)["plans"][0]["plan"]["decided"]["actor"]["via"], "cli");

        // While the plan is kept, SGE gets no reminder on its invoices' dates.
        assert!(!proposed(url, monday).iter().any(|p| p.0 == "SGE"), "{}: approved, SGE is held", backend.name);
        assert!(proposed(url, monday).iter().any(|p| p.0 == "DUP"), "{}: other clients are not", backend.name);

        // The first instalment is paid on its date: matched from the payments.
        import(
            url,
            dir.path(),
            "payments",
            "invoice;amount;date;reference\nF-2;400,00;23/03/2026;VIR 1\n",
            "2026-03-24",
        );
        let progress = &status(url, "2026-03-26")["plans"][0]["progress"];
        assert_eq!(progress["paid_count"], 1, "{}: {progress}", backend.name);
        assert_eq!(progress["standing"]["next"]["number"], 2, "{}: {progress}", backend.name);
        assert!(!proposed(url, "2026-03-26").iter().any(|p| p.0 == "SGE"), "{}: paid, still held", backend.name);

        // The second (Thursday 23 April) is not: still held during the two business days of grace…
        assert!(!proposed(url, "2026-04-27").iter().any(|p| p.0 == "SGE"), "{}: grace", backend.name);
        // …missed on Tuesday 28: the plan is broken and the policy's stage is proposed again.
        assert!(proposed(url, "2026-04-28").contains(&sge_first("800.01")), "{}: escalation resumes", backend.name);
        stdout(relance(url, "2026-04-28").arg("digest"));
        let digest = backend.store.digest(common::d("2026-04-28")).await.unwrap().unwrap();
        let first_line = digest.header["lines"][0].as_str().unwrap_or_default().to_string();
        assert!(first_line.contains(&format!("Échéancier n° {id} de SGE rompu : échéance 2 impayée")), "{first_line}");
        let plan = &status(url, "2026-04-28")["plans"][0]["plan"];
        assert_eq!(
            (plan["status"].as_str(), plan["missed_number"].as_i64()),
            (Some("broken"), Some(2)),
            "{}",
            backend.name
        );
        let text = stdout(relance(url, "2026-04-28").args(["status", "SGE"]));
        assert!(text.contains("Échéanciers (1)") && text.contains("rompu") && text.contains("1. 23/03/2026"), "{text}");
        stdout(relance(url, "2026-04-29").arg("digest"));
        let audit = backend.store.audit_log(None, 100).await.unwrap();
        let actions: Vec<&str> =
            audit.iter().filter(|a| a.subject == format!("plan:{id}")).map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["plan.broken", "plan.approved", "plan.proposed"], "{}: each step once", backend.name);
    }
}

/// Finance approves a plan: the client gets the confirmation with the dates
/// and amounts, exactly once however often the sender runs or finance clicks.
#[tokio::test]
async fn an_approved_plan_is_confirmed_to_the_client_once_by_e_mail() {
    use common::sending::{at, cid, worker, DAY};
    use common::smtp::SmtpServer;
    use relance::instalment_plans::{decide, propose, Covered, PlanRequest};
    use relance::policy::instalments::Frequency;

    for ts in common::test_stores().await {
        let (server, smtp) = SmtpServer::start();
        let dir = tempfile::tempdir().unwrap();
        let store = ts.store.as_ref();
        store.import_clients(&[common::client("C1")], &common::actor(), "clients.csv").await.unwrap();
        let invoices =
            [common::invoice("F-1", "C1", "2026-03-02", "1000"), common::invoice("F-2", "C1", "2026-03-06", "0.02")];
        store.import_invoices(&invoices, &common::actor(), "invoices.csv").await.unwrap();
        let request = PlanRequest {
            covered: Covered::Client(cid("C1")),
            count: 3,
            first: Some(common::d("2026-03-31")),
            frequency: Frequency::Monthly,
        };
        let plan = propose(store, &request, &common::actor(), common::d(DAY)).await.unwrap().plan;
        let w = worker(&ts, at(10, 0), &smtp, None, dir.path()).await;
        assert_eq!(w.run_pass().await.unwrap().sent, 0, "{}: nothing before approval", ts.name);

        decide(store, plan.id, true, &common::actor(), common::d(DAY)).await.unwrap();
        assert!(decide(store, plan.id, true, &common::actor(), common::d(DAY)).await.is_err(), "approved once");
        assert_eq!(w.run_pass().await.unwrap().sent, 1, "{}", ts.name);
        assert_eq!(w.run_pass().await.unwrap().sent, 0, "{}: sent once", ts.name);

        let received = server.received();
        assert_eq!(received.len(), 1, "{}: one e-mail", ts.name);
        assert!(received[0].to.contains(&"compta@c1.example.fr".to_string()), "{:?}", received[0].to);
        let m = received[0].parsed();
        assert_eq!(m.subject(), Some("Échéancier de paiement – factures F-1 et F-2"));
        let text = m.body_text(0).unwrap().replace(['\u{202f}', '\u{a0}'], " ");
        for expected in [
            "échéance 1 : 333,34 € au plus tard le 31/03/2026",
            "échéance 2 : 333,34 € au plus tard le 30/04/2026",
            "échéance 3 : 333,34 € au plus tard le 31/05/2026",
            "Le montant de 1 000,02 € sera réglé en 3 échéances",
            "facture n° F-1",
            "facture n° F-2",
            "IBAN",
        ] {
            assert!(text.contains(expected), "{}: {expected:?} missing from:\n{text}", ts.name);
        }
        let audit = store.audit_log(Some(&cid("C1")), 50).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "plan.confirmation_sent").count(), 1, "{actions:?}");
        assert!(store.duplicates(&cid("C1")).await.unwrap().is_empty(), "a confirmation is not a duplicate");
    }
}

/// A client with no e-mail address: the proposal warns that no confirmation
/// can be sent, the approval says plainly that none was, and nothing is
/// queued (the audit entry says why).
#[tokio::test]
async fn approving_a_plan_for_a_client_without_e_mail_says_no_confirmation_could_be_sent() {
    for backend in common::test_stores().await {
        let (url, dir) = (&backend.url, tempfile::tempdir().unwrap());
        let monday = "2026-03-16";
        let clients = "client_id;name;email;phone;segment;owner;language;kind;siren\n\
            NOM;Atelier Sans Mail;;;standard;;fr;b2b;\n";
        import(url, dir.path(), "clients", clients, monday);
        import(
            url,
            dir.path(),
            "invoices",
            "number;client_id;issue_date;due_date;amount;currency;paid;description\n\
            F-9;NOM;06/02/2026;06/03/2026;300,00;EUR;;Audit\n",
            monday,
        );

        let proposed = stdout(relance(url, monday).args(["echeancier", "NOM", "2"]));
        assert!(
            proposed.contains("⚠️ Ce client n'a pas d'adresse e-mail : une fois l'échéancier approuvé, aucune confirmation ne pourra lui être envoyée."),
            "{}: {proposed}",
            backend.name
        );
        let approved = stdout(relance(url, monday).args(["echeancier", "approve", "1"]));
        assert!(approved.contains("aucune confirmation envoyée au client (pas d'adresse e-mail)"), "{approved}");
        assert!(
            approved.contains("⚠️ Aucune confirmation n'a pu être envoyée : le client n'a pas d'adresse e-mail."),
            "{}: {approved}",
            backend.name
        );
        let audit = backend.store.audit_log(None, 50).await.unwrap();
        let entry = audit.iter().find(|a| a.action == "plan.approved").expect("plan.approved audited");
        assert_eq!(entry.detail["confirmation"], "none: the client has no e-mail address", "{}", backend.name);
        assert!(entry.detail.get("confirmation_to").is_none(), "{}: nothing queued", backend.name);
    }
}

const NOTE_CLIENTS: &str = "client_id;name;email;phone;segment;owner;language;kind;siren\n\
    SGE;Société Générale d'Équipement;ap@sge.fr;;standard;Marc;fr;b2b;\n\
    DUP;M. Jean Dupont;jean@dupont.fr;;standard;;fr;b2c;\n\
    UKL;UK Lighting Ltd;ap@uklighting.co.uk;;standard;;en;b2b;\n";

const NOTE_INVOICES: &str = "number;client_id;issue_date;due_date;amount;currency;paid;description\n\
    F-2;SGE;06/02/2026;06/03/2026;1 000,00;EUR;;Audit\n\
    F-5;SGE;06/02/2026;06/03/2026;200,01;EUR;;Fournitures\n\
    F-3;DUP;01/02/2026;13/02/2026;500,00;EUR;;Réparation\n\
    F-8;UKL;01/02/2026;13/02/2026;300,00;EUR;;Lamps\n";

/// Proposes and approves a plan for `client` on `day`; returns its id.
fn approved_plan(url: &str, day: &str, client: &str, count: &str, first: &str) -> i64 {
    stdout(relance(url, day).args(["echeancier", client, count, "--first", first]));
    let status: Value = serde_json::from_str(&stdout(relance(url, day).args(["status", client, "--json"]))).unwrap();
    let id = status["plans"].as_array().unwrap().last().unwrap()["plan"]["id"].as_i64().unwrap();
    stdout(relance(url, day).args(["echeancier", "approve", &id.to_string()]));
    id
}

/// A business morning: the digest posted (`times` times), then one pass of the sender.
fn morning(url: &str, smtp: &str, day: &str, times: usize) {
    for _ in 0..times {
        stdout(relance(url, day).arg("digest"));
    }
    stdout(relance(url, day).args(["send"]).env("SMTP_URL", smtp).env("MAIL_FROM", "Claire <claire@atelier-dumas.fr>"));
}

/// The instalment notes the SMTP server received: (recipient, subject, body).
fn notes(server: &common::smtp::SmtpServer) -> Vec<(String, String, String)> {
    server
        .received()
        .iter()
        .filter_map(|r| {
            let m = r.parsed();
            let subject = m.subject()?.to_string();
            let note = subject.starts_with("Rappel amical") || subject.starts_with("Friendly reminder");
            let body = m.body_text(0)?.replace(['\u{202f}', '\u{a0}'], " ");
            note.then(|| (r.to[0].clone(), subject, body))
        })
        .collect()
}

/// Over simulated days, the friendly note before each instalment of an
/// approved plan is e-mailed once, on the business day `reminder_days_before`
/// (3) calendar days before it, in the client's language; none for an
/// instalment paid already, none once the plan is broken.
#[tokio::test]
async fn the_friendly_note_before_an_instalment_is_e_mailed_once_and_only_while_it_is_due() {
    use common::smtp::SmtpServer;
    for backend in common::test_stores().await {
        let (url, dir, name) = (&backend.url, tempfile::tempdir().unwrap(), backend.name);
        let (server, smtp) = SmtpServer::start();
        let monday = "2026-03-16";
        import(url, dir.path(), "clients", NOTE_CLIENTS, monday);
        import(url, dir.path(), "invoices", NOTE_INVOICES, monday);
        // SGE: 400 € on Monday 23 March, 23 April, 23 May; DUP and UKL: two on Friday 27 March and 27 April.
        let sge = approved_plan(url, monday, "SGE", "3", "2026-03-23");
        approved_plan(url, monday, "DUP", "2", "2026-03-27");
        approved_plan(url, monday, "UKL", "2", "2026-03-27");
        morning(url, &smtp, monday, 1);
        assert_eq!(server.received().len(), 3, "{name}: the three confirmations");

        for day in ["2026-03-17", "2026-03-18", "2026-03-19"] {
            morning(url, &smtp, day, 1);
        }
        assert!(notes(&server).is_empty(), "{name}: too early for a note");
        let text = stdout(relance(url, "2026-03-19").args(["status", "SGE"])).replace(['\u{202f}', '\u{a0}'], " ");
        assert!(text.contains("1. 23/03/2026 · 400,00 € · prochaine · rappel prévu le 20/03/2026"), "{name}: {text}");

        // Friday 20 March, 23 − 3 days: SGE's note, however often the digest is posted.
        morning(url, &smtp, "2026-03-20", 2);
        morning(url, &smtp, "2026-03-20", 1);
        let sent = notes(&server);
        assert_eq!(sent.len(), 1, "{name}: one note: {sent:?}");
        let (to, subject, body) = &sent[0];
        assert_eq!((to.as_str(), subject.as_str()), ("ap@sge.fr", "Rappel amical : échéance 1/3 du 23/03/2026"));
        for expected in [
            "l'échéance 1 sur 3 de votre échéancier de paiement (factures F-2 et F-5), d'un montant de 400,00 €, arrive le 23/03/2026",
            "- échéance 2 : 400,00 € le 23/04/2026",
            "- échéance 3 : 400,01 € le 23/05/2026",
            "IBAN",
        ] {
            assert!(body.contains(expected), "{name}: {expected:?} missing from:\n{body}");
        }
        assert!(!body.contains("pénalit") && !body.contains("indemnit"), "{name}: friendly: {body}");
        let digest = backend.store.digest(common::d("2026-03-20")).await.unwrap().unwrap();
        let lines = digest.header["lines"].to_string();
        assert!(lines.contains("📅 1 rappel d'échéance part aujourd'hui : SGE."), "{name}: {lines}");
        let text = stdout(relance(url, "2026-03-20").args(["status", "SGE"]));
        assert!(text.contains("· rappel envoyé le 20/03/2026"), "{name}: {text}");

        // The weekend: no digest, no note. Monday 23: SGE pays instalment 1 and DUP its first, early.
        morning(url, &smtp, "2026-03-21", 1);
        import(
            url,
            dir.path(),
            "payments",
            "invoice;amount;date;reference\nF-2;400,00;23/03/2026;VIR 1\nF-3;250,00;23/03/2026;VIR 2\n",
            "2026-03-23",
        );
        morning(url, &smtp, "2026-03-23", 1);
        // Tuesday 24, 27 − 3 days: UKL's note in English; none for DUP, paid.
        morning(url, &smtp, "2026-03-24", 1);
        morning(url, &smtp, "2026-03-25", 1);
        let sent = notes(&server);
        let recipients: Vec<&str> = sent.iter().map(|n| n.0.as_str()).collect();
        assert_eq!(recipients, ["ap@sge.fr", "ap@uklighting.co.uk"], "{name}: DUP paid, no note");
        assert_eq!(sent[1].1, "Friendly reminder: instalment 1 of 2 due 27 Mar 2026", "{name}");
        assert!(sent[1].2.contains("for €150.00, is due on 27 Mar 2026"), "{name}: {}", sent[1].2);

        // Monday 20 April: SGE's second note. Unpaid, the plan breaks on the 28th: no third note.
        morning(url, &smtp, "2026-04-20", 1);
        morning(url, &smtp, "2026-04-28", 1);
        morning(url, &smtp, "2026-05-20", 1);
        let sent = notes(&server);
        let subjects: Vec<&str> = sent.iter().filter(|n| n.0 == "ap@sge.fr").map(|n| n.1.as_str()).collect();
        assert_eq!(
            subjects,
            ["Rappel amical : échéance 1/3 du 23/03/2026", "Rappel amical : échéance 2/3 du 23/04/2026"],
            "{name}: once each, none after the break"
        );
        let audit = backend.store.audit_log(None, 1000).await.unwrap();
        let note_steps: Vec<(&str, &str)> = audit
            .iter()
            .filter(|a| a.subject.starts_with(&format!("note:{sge}:")))
            .map(|a| (a.subject.as_str(), a.action.as_str()))
            .collect();
        let (one, two) = (format!("note:{sge}:1"), format!("note:{sge}:2"));
        assert_eq!(
            note_steps,
            [
                (two.as_str(), "plan.note_sent"),
                (two.as_str(), "plan.note_queued"),
                (one.as_str(), "plan.note_sent"),
                (one.as_str(), "plan.note_queued")
            ],
            "{name}: each audited once"
        );
    }
}

/// The store queues each instalment's note once, with one audit entry, and
/// a second call (a second posting, another day's catch-up) answers the
/// stored row with the day it was first queued.
#[tokio::test]
async fn an_instalment_note_is_queued_once_with_its_audit_entry() {
    use common::sending::{cid, DAY};
    use relance::instalment_plans::{decide, propose, Covered, PlanRequest};
    use relance::policy::instalments::Frequency;
    use relance::store::{NewNote, OutboxStatus};

    for ts in common::test_stores().await {
        let store = ts.store.as_ref();
        store.import_clients(&[common::client("C1")], &common::actor(), "clients.csv").await.unwrap();
        store
            .import_invoices(&[common::invoice("F-1", "C1", "2026-03-02", "300")], &common::actor(), "i.csv")
            .await
            .unwrap();
        let request = PlanRequest {
            covered: Covered::Client(cid("C1")),
            count: 3,
            first: Some(common::d("2026-03-31")),
            frequency: Frequency::Monthly,
        };
        let plan = propose(store, &request, &common::actor(), common::d(DAY)).await.unwrap().plan;
        decide(store, plan.id, true, &common::actor(), common::d(DAY)).await.unwrap();
        let note = |number: usize| NewNote {
            plan_id: plan.id,
            client_id: cid("C1"),
            invoices: plan.invoices.clone(),
            instalment: plan.schedule.instalments[number - 1].clone(),
            recipient: relance::domain::EmailAddress::parse("compta@c1.example.fr").unwrap(),
        };
        let first = store.queue_instalment_notes(&[note(1)], common::d("2026-03-26"), &common::actor()).await.unwrap();
        let again =
            store.queue_instalment_notes(&[note(1), note(2)], common::d("2026-03-27"), &common::actor()).await.unwrap();
        assert_eq!(first.len(), 1, "{}", ts.name);
        assert_eq!(again[0], first[0], "{}: queued once, on its first day", ts.name);
        assert_eq!((again[1].instalment, again[1].day), (2, common::d("2026-03-27")), "{}", ts.name);
        assert_eq!(first[0].status, OutboxStatus::Queued);
        assert_eq!(store.instalment_notes(&cid("C1")).await.unwrap(), again, "{}", ts.name);
        assert!(store.duplicates(&cid("C1")).await.unwrap().is_empty(), "{}: a note is not a duplicate", ts.name);
        let audit = store.audit_log(Some(&cid("C1")), 50).await.unwrap();
        let queued = audit.iter().filter(|a| a.action == "plan.note_queued").count();
        assert_eq!(queued, 2, "{}: one audit entry per note", ts.name);
    }
}
