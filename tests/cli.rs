//! The `relance` binary as a user runs it: files in, text and JSON out, exit
//! codes, on SQLite and (with RELANCE_TEST_POSTGRES_URL) PostgreSQL.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const CLIENTS: &str = "client_id;name;email;phone;segment;owner;language;kind;siren\n\
    ACME;ACME Industries;compta@acme.fr;01 45 67 89 10;strategic;Julie;fr;b2b;732829320\n\
    SGE;Société Générale d'Équipement;ap@sge.fr;;standard;Marc;fr;b2b;\n\
    DUP;M. Jean Dupont;jean@dupont.fr;06 12 34 56 78;standard;;fr;b2c;\n";

// Replayed on Monday 16 March 2026.
const INVOICES: &str = "number;client_id;issue_date;due_date;amount;currency;paid;description\n\
    F-1;ACME;01/01/2026;31/01/2026;2 400,00 €;EUR;;Maintenance janvier\n\
    F-2;SGE;06/02/2026;06/03/2026;1 000,00;EUR;;Audit\n\
    F-3;DUP;01/02/2026;13/02/2026;500,00;EUR;;Réparation\n\
    F-4;SGE;01/01/2026;31/01/2026;300,00;EUR;;Fournitures\n";

const PAYMENTS: &str = "invoice;amount;date;reference\nF-4;300,00;02/02/2026;VIR 1\n";

/// The binary, pointed at a database and a replayed day, with the shipped configuration.
fn relance(url: &str) -> Command {
    let mut cmd = Command::cargo_bin("relance").unwrap();
    cmd.env("DATABASE_URL", url)
        .env("RELANCE_CONFIG", concat!(env!("CARGO_MANIFEST_DIR"), "/bot-config.yaml"))
        .env("RELANCE_NOW", "2026-03-16");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn import_all(url: &str, dir: &Path) {
    for (kind, text) in [("clients", CLIENTS), ("invoices", INVOICES), ("payments", PAYMENTS)] {
        let file = write(dir, &format!("{kind}.csv"), text);
        relance(url).args(["import", kind, &file]).assert().success();
    }
}

fn json(cmd: &mut Command) -> Value {
    let output = cmd.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn imported_ledger_gives_the_expected_plan_on_every_backend() {
    for backend in common::test_stores().await {
        let dir = tempfile::tempdir().unwrap();
        import_all(&backend.url, dir.path());
        let plan = json(relance(&backend.url).args(["plan", "--json"]));
        let proposals = plan.as_array().unwrap();
        // F-1 is 44 days late with no history: it starts at `first`, never at `final`.
        // F-2 is 10 days late: `first`. F-3 (consumer) 31 days: `first`. F-4 is paid.
        let by_client: Vec<(&str, &str, &str, &str)> = proposals
            .iter()
            .map(|p| {
                (
                    p["client_id"].as_str().unwrap(),
                    p["stage"].as_str().unwrap(),
                    p["tone"].as_str().unwrap(),
                    p["total_due"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            by_client,
            vec![
                ("ACME", "first", "friendly", "2400.00"),
                ("SGE", "first", "courteous", "1000.00"),
                ("DUP", "first", "courteous", "500.00")
            ],
            "{}",
            backend.name
        );
        let acme = &proposals[0];
        assert_eq!(acme["currency"], "EUR");
        assert_eq!(acme["channels"], serde_json::json!(["email"]));
        assert_eq!(acme["owner"], "Julie");
        assert_eq!(acme["invoices"][0]["number"], "F-1");
        assert_eq!(acme["invoices"][0]["amount_due"], "2400.00");
        assert_eq!(acme["invoices"][0]["due_date"], "2026-01-31");
        assert_eq!(acme["invoices"][0]["days_late"], 44);
        let id = acme["id"].as_str().unwrap().to_string();
        assert!(id.starts_with("20260316-"), "{id}");
        // The same day gives the same ids.
        let again = json(relance(&backend.url).args(["plan", "--json"]));
        assert_eq!(again[0]["id"], id.as_str());
    }
}

#[tokio::test]
async fn the_text_digest_reads_in_french_with_french_amounts() {
    let backend = common::test_stores().await.remove(0);
    let dir = tempfile::tempdir().unwrap();
    import_all(&backend.url, dir.path());
    let output = relance(&backend.url).arg("plan").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success());
    assert!(text.contains("Relances proposées — lundi 16 mars 2026"), "{text}");
    assert!(text.contains("2 400,00 €"), "{text}");
    assert!(text.contains("ACME Industries"), "{text}");
    assert!(text.contains("Balance âgée"), "{text}");
    // The import was stamped by the replayed clock (16 March, 09:00 in Paris), not the real one.
    assert!(text.contains("16/03/2026 à 09:00"), "{text}");
    let audit = backend.store.audit_log(None, 1).await.unwrap();
    assert_eq!(audit[0].at.to_rfc3339(), "2026-03-16T08:00:00+00:00");
}

#[tokio::test]
async fn a_dispute_a_promise_and_a_pause_remove_proposals_and_are_audited() {
    for backend in common::test_stores().await {
        let dir = tempfile::tempdir().unwrap();
        import_all(&backend.url, dir.path());
        relance(&backend.url)
            .args(["dispute", "--invoice", "F-1", "--reason", "livraison incomplète"])
            .assert()
            .success();
        relance(&backend.url).args(["promise", "societe generale", "--date", "2026-03-20"]).assert().success();
        relance(&backend.url).args(["pause", "DUP", "--until", "2026-03-16"]).assert().success();
        let plan = json(relance(&backend.url).args(["plan", "--json"]));
        assert_eq!(plan, serde_json::json!([]), "{}", backend.name);
        // The day after the pause, the consumer is reminded again; the promise still holds.
        let plan = json(relance(&backend.url).args(["--date", "2026-03-17", "plan", "--json"]));
        let clients: Vec<&str> = plan.as_array().unwrap().iter().map(|p| p["client_id"].as_str().unwrap()).collect();
        assert_eq!(clients, vec!["DUP"], "{}", backend.name);
        let audit = backend.store.audit_log(None, 50).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.iter().filter(|a| a.starts_with("hold")).count() >= 3, "{actions:?}");
        let unknown = relance(&backend.url).args(["dispute", "--invoice", "F-404", "--reason", "?"]).assert().code(2);
        assert!(String::from_utf8_lossy(&unknown.get_output().stderr).contains("no invoice F-404"));
        relance(&backend.url).args(["resolve", "--invoice", "F-1"]).assert().success();
        let plan = json(relance(&backend.url).args(["plan", "--json"]));
        assert_eq!(plan[0]["client_id"], "ACME");
    }
}

/// The clients `relance calls --json` lists on `day`.
fn called_on(url: &str, day: &str) -> Vec<String> {
    let calls = json(relance(url).args(["--date", day, "calls", "--json"]));
    calls.as_array().unwrap().iter().map(|c| c["client_id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn calls_lists_exactly_the_due_call_tasks_on_each_day() {
    for backend in common::test_stores().await {
        let dir = tempfile::tempdir().unwrap();
        import_all(&backend.url, dir.path());
        // ACME's F-1 fell due on Saturday 31 January: J+10 is Tuesday 10 February.
        // DUP's F-3 on Friday 13 February: J+10 is Monday 23 February. SGE has no phone.
        let table: [(&str, &[&str]); 6] = [
            ("2026-02-09", &[]),
            ("2026-02-10", &["ACME"]),
            ("2026-02-20", &["ACME"]),
            ("2026-02-21", &[]),
            ("2026-02-23", &["ACME", "DUP"]),
            ("2026-03-16", &["ACME", "DUP"]),
        ];
        for (day, expected) in table {
            assert_eq!(called_on(&backend.url, day), expected, "{day} on {}", backend.name);
        }
        let calls = json(relance(&backend.url).args(["calls", "--json"]));
        let acme = &calls[0];
        assert_eq!(acme["caller"], serde_json::json!({ "role": "owner", "name": "Julie" }));
        assert_eq!(
            (acme["tel"].as_str(), acme["phone_display"].as_str()),
            (Some("tel:+33145678910"), Some("+33 1 45 67 89 10"))
        );
        assert_eq!(acme["invoices"][0]["number"], "F-1");
        assert_eq!(acme["invoices"][0]["amount_due"], "2400.00");
        assert_eq!(acme["invoices"][0]["days_late"], 44);
        assert_eq!(acme["reminders"], serde_json::json!([]));
        assert_eq!(acme["script"][0], "Vérifier la réception : facture F-1 bien reçue, et par qui ?");
        assert_eq!(calls[1]["caller"], serde_json::json!({ "role": "finance" }));
        assert_eq!(acme.get("contact_name"), None, "no contact column, no contact");
        // A clients file with the optional contact column names whom to ask for.
        let with_contact =
            "client_id;name;phone;owner;contact\nACME;ACME Industries;01 45 67 89 10;Julie;Mme Leroy (compta)\n";
        let file = write(dir.path(), "contacts.csv", with_contact);
        relance(&backend.url).args(["import", "clients", &file]).assert().success();
        let calls = json(relance(&backend.url).args(["calls", "--json"]));
        assert_eq!(calls[0]["contact_name"], "Mme Leroy (compta)", "{}", backend.name);
        assert_eq!(
            calls[0]["script"][0],
            "Demander Mme Leroy (compta) : « Bonjour, Mme Leroy (compta), je vous appelle au sujet de nos factures. »"
        );
        let text = relance(&backend.url).arg("calls").output().unwrap();
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(text.contains("Appel : la comptabilité · demander Mme Leroy (compta)"), "{text}");
        // A promise in force takes the client off the list until its date has passed.
        relance(&backend.url).args(["promise", "DUP", "--date", "2026-03-20"]).assert().success();
        assert_eq!(called_on(&backend.url, "2026-03-16"), ["ACME"], "{}", backend.name);
        assert_eq!(called_on(&backend.url, "2026-03-23"), ["ACME", "DUP"], "{}", backend.name);
    }
}

#[tokio::test]
async fn calls_reads_in_french_with_the_number_in_full() {
    let backend = common::test_stores().await.remove(0);
    let dir = tempfile::tempdir().unwrap();
    import_all(&backend.url, dir.path());
    let output = relance(&backend.url).arg("calls").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("📞 À appeler — lundi 16 mars 2026 : 2 appels\n"), "{text}");
    assert!(text.contains("ACME Industries — +33 1 45 67 89 10 (tel:+33145678910)\nAppel : Julie (responsable du client)\n• F-1 — 2 400,00 € — échue le 31/01/2026 — 44 j de retard\nTotal : 2 400,00 €\nRelances envoyées : aucune\nScript :\n   1. Vérifier"), "{text}");
    assert!(text.contains("M. Jean Dupont — +33 6 12 34 56 78"), "{text}");
    // `relance digest` with no chat platform prints the section after the reminders.
    let digest = relance(&backend.url).arg("digest").output().unwrap();
    let text = String::from_utf8(digest.stdout).unwrap();
    assert!(text.contains("📞 À appeler — lundi 16 mars 2026 : 2 appels"), "{text}");
    assert!(text.find("Relances proposées").unwrap() < text.find("📞 À appeler").unwrap(), "{text}");
    let weekend = relance(&backend.url).args(["--date", "2026-03-14", "calls"]).output().unwrap();
    let text = String::from_utf8(weekend.stdout).unwrap();
    assert!(text.contains("samedi 14 mars 2026") && text.contains("lundi 16 mars 2026"), "{text}");
}

#[tokio::test]
async fn status_finds_a_client_by_name_siren_or_id_whatever_the_accents() {
    let backend = common::test_stores().await.remove(0);
    let dir = tempfile::tempdir().unwrap();
    import_all(&backend.url, dir.path());
    for query in ["SGE", "societe generale", "SOCIÉTÉ GÉNÉRALE D'ÉQUIPEMENT"] {
        let report = json(relance(&backend.url).args(["status", query, "--json"]));
        assert_eq!(report["client"]["id"], "SGE", "{query}");
        let open: Vec<&str> =
            report["open_invoices"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap()).collect();
        assert_eq!(open, vec!["F-2"], "paid F-4 is not open");
        assert_eq!(report["pending_proposal"]["stage"], "first");
    }
    let report = json(relance(&backend.url).args(["status", "732 829 320", "--json"]));
    assert_eq!(report["client"]["id"], "ACME");
    let text = relance(&backend.url).args(["status", "acme"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("ACME Industries ⭐"), "{text}");
    assert!(text.contains("F-1"), "{text}");
    let missing = relance(&backend.url).args(["status", "nobody"]).assert().code(2);
    let stderr = String::from_utf8(missing.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("no client matches \"nobody\""), "{stderr}");
}

#[tokio::test]
async fn the_aged_report_totals_what_is_owed() {
    let backend = common::test_stores().await.remove(0);
    let dir = tempfile::tempdir().unwrap();
    import_all(&backend.url, dir.path());
    let report = json(relance(&backend.url).args(["report", "aged", "--json"]));
    let eur = &report["totals"][0];
    assert_eq!(eur["currency"], "EUR");
    assert_eq!(eur["days_1_30"], "1000.00");
    assert_eq!(eur["days_31_60"], "2900.00");
    assert_eq!(eur["total"], "3900.00");
    assert_eq!(report["clients"][0]["client_id"], "ACME", "the most overdue first");
}

#[tokio::test]
async fn a_bad_file_writes_nothing_and_lists_every_bad_row() {
    let backend = common::test_stores().await.remove(0);
    let dir = tempfile::tempdir().unwrap();
    let clients = write(dir.path(), "clients.csv", CLIENTS);
    relance(&backend.url).args(["import", "clients", &clients]).assert().success();
    let bad = "number;client_id;issue_date;due_date;amount\n\
        F-1;ACME;01/01/2026;31/01/2026;100\n\
        F-2;NOBODY;01/01/2026;31/01/2026;100\n\
        F-3;ACME;01/02/2026;01/01/2026;100\n\
        F-4;ACME;01/01/2026;31/01/2026;-5\n";
    let file = write(dir.path(), "invoices.csv", bad);
    let assert = relance(&backend.url).args(["import", "invoices", &file]).assert().code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    for line in ["line 3", "line 4", "line 5"] {
        assert!(stderr.contains(line), "{line} missing from: {stderr}");
    }
    assert!(!stderr.contains("line 2"), "{stderr}");
    let plan = json(relance(&backend.url).args(["plan", "--json"]));
    assert_eq!(plan, serde_json::json!([]), "nothing was imported");
}

#[test]
fn a_weekend_proposes_nothing_and_says_when_the_next_run_is() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("r.db").display());
    let output = Command::cargo_bin("relance")
        .unwrap()
        .env("DATABASE_URL", &url)
        .env("RELANCE_CONFIG", concat!(env!("CARGO_MANIFEST_DIR"), "/bot-config.yaml"))
        .env("RELANCE_NOW", "2026-03-14T10:00:00+01:00")
        .arg("plan")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("samedi 14 mars 2026"), "{text}");
    assert!(text.contains("lundi 16 mars 2026"), "{text}");
}

#[test]
fn a_configuration_error_names_the_key_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bot-config.yaml");
    std::fs::write(&config, "policy:\n  cooldown_days: soon\n").unwrap();
    let assert = Command::cargo_bin("relance").unwrap().arg("--config").arg(&config).arg("plan").assert().code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("policy.cooldown_days:"), "{stderr}");
}

#[test]
fn the_demo_prints_a_full_digest_from_a_local_database() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let output = Command::cargo_bin("relance")
        .unwrap()
        .env("RELANCE_CONFIG", concat!(env!("CARGO_MANIFEST_DIR"), "/bot-config.yaml"))
        .env_remove("DATABASE_URL")
        .args(["--date", "2026-03-16", "demo", "--dir"])
        .arg(&demo)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(text.contains("40 clients"), "{text}");
    assert!(text.contains("Relances proposées — lundi 16 mars 2026"), "{text}");
    assert!(text.contains(" €"), "{text}");
    assert!(demo.join("relance.db").exists());
    let proposals = text.lines().filter(|l| l.starts_with(|c: char| c.is_ascii_digit()) && l.contains(". ")).count();
    assert!(proposals >= 3, "a demo day has several proposals:\n{text}");
}

/// `relance digest` with no chat platform prints the day's digest and points
/// at the local page; `relance serve` answers /healthz, serves the page, and
/// stops cleanly on SIGTERM.
#[cfg(unix)]
#[tokio::test]
async fn serve_runs_on_the_embedded_default_and_stops_on_sigterm() {
    let backend = &common::test_stores().await[0];
    let dir = tempfile::tempdir().unwrap();
    import_all(&backend.url, dir.path());
    let digest = relance(&backend.url).arg("digest").output().unwrap();
    let text = String::from_utf8_lossy(&digest.stdout);
    assert!(digest.status.success(), "{}", String::from_utf8_lossy(&digest.stderr));
    assert!(text.contains("Relances proposées") && text.contains("/digest"), "{text}");

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("relance"))
        .arg("serve")
        .env("DATABASE_URL", &backend.url)
        .env("RELANCE_CONFIG", concat!(env!("CARGO_MANIFEST_DIR"), "/bot-config.yaml"))
        .env("RELANCE_NOW", "2026-03-16")
        .env("RELANCE_LISTEN", format!("127.0.0.1:{port}"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let mut healthy = false;
    for _ in 0..100 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status() == 200) {
            healthy = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(healthy, "relance serve never answered /healthz");
    let page = reqwest::get(format!("{base}/digest")).await.unwrap().text().await.unwrap();
    assert!(page.contains("ACME Industries"), "the digest posted by `relance digest` is on the page: {page}");
    let status = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "exit after SIGTERM: {log}");
    assert!(log.contains("platforms on: none") && log.contains("stopping"), "{log}");
}

#[tokio::test]
async fn a_formal_notice_letter_is_recorded_as_posted_from_the_command_line() {
    for backend in common::test_stores().await {
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().display().to_string();
        let store = backend.store.as_ref();
        let mail = common::sending::approved(store, &["C1"], &[]).await.remove(0);
        let id = common::sending::formal_notice(store, "C9").await.to_string();
        let run = |now: &str| {
            let mut cmd = relance(&backend.url);
            cmd.env("RELANCE_NOW", now).env("RELANCE_OUTBOX_DIR", &outbox).env("USER", "claire");
            cmd
        };
        let stderr = |output: &std::process::Output| String::from_utf8_lossy(&output.stderr).to_string();

        // Not written yet: nothing to post.
        let early = run("2026-03-16T10:00:00+01:00").args(["letter", "posted", &id]).output().unwrap();
        assert_eq!(early.status.code(), Some(2), "{}", backend.name);
        assert!(stderr(&early).contains("has no letter written"), "{}", stderr(&early));
        run("2026-03-16T10:00:00+01:00").arg("send").assert().success();

        // Unknown ids, e-mail reminders and days to come are refused (exit 2).
        for (args, says) in [
            (vec!["letter", "posted", "20260316-nope"], "no proposal 20260316-nope"),
            (vec!["letter", "posted", mail.as_str()], "is not sent by registered letter"),
            (vec!["letter", "posted", &id, "--on", "2026-03-18"], "--on 2026-03-18: that day is still to come"),
            (vec!["letter", "posted", &id, "--on", "2026-03-13"], "belongs to the digest of 2026-03-16"),
        ] {
            let output = run("2026-03-17T09:00:00+01:00").args(&args).output().unwrap();
            assert_eq!(output.status.code(), Some(2), "{}: {args:?}", backend.name);
            assert!(stderr(&output).contains(says), "{args:?}: {}", stderr(&output));
        }

        // Posted the day after its digest, by default today, by the user.
        let done = run("2026-03-17T09:00:00+01:00").args(["letter", "posted", &id]).output().unwrap();
        let text = String::from_utf8_lossy(&done.stdout).to_string();
        assert!(done.status.success(), "{}", stderr(&done));
        assert!(text.contains("Formal notice to Client C9 (C9) recorded as posted on 17/03/2026 by claire"), "{text}");
        assert!(text.contains(&outbox) && text.trim_end().ends_with(".pdf"), "{text}: names the file");
        let row = store.outbox(common::d("2026-03-16")).await.unwrap();
        let letter = row.iter().find(|r| r.item.proposal_id.as_str() == id).unwrap();
        assert_eq!(letter.posted_on, Some(common::d("2026-03-17")), "{}", backend.name);
        assert_eq!(letter.posted_by.as_deref(), Some("claire"), "{}", backend.name);

        // Once: a second time says who did, and changes nothing.
        let again = run("2026-03-18T09:00:00+01:00").args(["letter", "posted", &id, "--by", "Marc"]).output().unwrap();
        assert!(again.status.success(), "{}", stderr(&again));
        assert!(String::from_utf8_lossy(&again.stdout).contains("Already recorded: posted on 17/03/2026 by claire"));

        // The client's status shows the letter and when it was posted.
        let status = run("2026-03-18T09:00:00+01:00").args(["status", "C9"]).output().unwrap();
        let text = String::from_utf8_lossy(&status.stdout).to_string();
        assert!(text.contains(".pdf — postée le 17/03/2026 (claire)"), "{}: {text}", backend.name);
        let report = json(run("2026-03-18T09:00:00+01:00").args(["status", "C9", "--json"]));
        assert_eq!(report["letters"][0]["posted_on"], "2026-03-17", "{}", backend.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn discord_register_puts_the_relance_command_for_a_guild_or_says_what_is_missing() {
    use wiremock::matchers::{body_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let discord = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/v10/applications/1200000000000000000/guilds/1000000000000000001/commands"))
        .and(header("authorization", "Bot discord-test-token"))
        .and(body_json(relance::chat::discord_commands::command_definitions()))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .expect(1)
        .mount(&discord)
        .await;
    let register = |app_id: Option<&str>| {
        let mut cmd = Command::cargo_bin("relance").unwrap();
        cmd.env("RELANCE_CONFIG", concat!(env!("CARGO_MANIFEST_DIR"), "/bot-config.yaml"))
            .env("DISCORD_BOT_TOKEN", "discord-test-token")
            .env("DISCORD_API_URL", discord.uri())
            .env_remove("DISCORD_APPLICATION_ID")
            .args(["discord", "register", "--guild", "1000000000000000001"]);
        if let Some(id) = app_id {
            cmd.env("DISCORD_APPLICATION_ID", id);
        }
        cmd.output().unwrap()
    };
    let done = register(Some("1200000000000000000"));
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(said.contains("/relance registered in server 1000000000000000001 (status, pause"), "{said}");

    let missing = register(None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr)
        .contains("discord.application_id is not set: set DISCORD_APPLICATION_ID"));
    let swapped = register(Some("d75a980182b10ab7d54bfed3c964073a"));
    assert_eq!(swapped.status.code(), Some(2), "checked when the configuration loads");
    assert!(String::from_utf8_lossy(&swapped.stderr)
        .contains("discord.application_id: \"d75a980182b10ab7d54bfed3c964073a\""));
}

#[tokio::test]
async fn a_duplicate_is_queued_from_the_command_line_and_relance_send_delivers_it_once() {
    for backend in common::test_stores().await {
        let dir = tempfile::tempdir().unwrap();
        import_all(&backend.url, dir.path());
        let outbox = dir.path().join("outbox");
        let run = || {
            let mut cmd = relance(&backend.url);
            cmd.env("RELANCE_NOW", "2026-03-16T10:00:00+01:00").env("RELANCE_OUTBOX_DIR", &outbox);
            cmd
        };
        let stderr = |output: &std::process::Output| String::from_utf8_lossy(&output.stderr).to_string();

        for (args, says) in [
            (vec!["duplicate", "F-9"], "invoice F-9 is not in the ledger"),
            (vec!["duplicate", "F-1", "F-2"], "belong to two clients"),
            (vec!["duplicate", "F-4"], "invoice F-4 is paid"),
            (vec!["duplicate", "F-2", "--to", "nobody"], "\"nobody\" is not an e-mail address"),
        ] {
            let output = run().args(&args).output().unwrap();
            assert_eq!(output.status.code(), Some(2), "{}: {args:?}", backend.name);
            assert!(stderr(&output).contains(says), "{args:?}: {}", stderr(&output));
        }

        let queued = run().args(["duplicate", "F-2"]).output().unwrap();
        assert!(queued.status.success(), "{}", stderr(&queued));
        assert!(String::from_utf8_lossy(&queued.stdout).contains("duplicate of F-2 queued for ap@sge.fr"));
        run().args(["duplicate", "F-2"]).assert().success();
        run().arg("send").assert().success();
        run().arg("send").assert().success();

        let files: Vec<_> = std::fs::read_dir(&outbox).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1, "{}: one e-mail written: {files:?}", backend.name);
        let eml = std::fs::read_to_string(&files[0]).unwrap();
        assert!(eml.contains("To: =?utf-8?") || eml.contains("ap@sge.fr"), "{eml}");
        assert!(eml.contains("Duplicata de la facture F-2"), "{eml}");

        // `relance status` lists it, sent, with who asked.
        let status = run().args(["status", "SGE"]).output().unwrap();
        let status = String::from_utf8_lossy(&status.stdout);
        assert!(status.contains("Duplicatas (1)"), "{}: {status}", backend.name);
        assert!(status.contains("F-2 → ap@sge.fr · envoyé (demandé par"), "{}: {status}", backend.name);
    }
}
