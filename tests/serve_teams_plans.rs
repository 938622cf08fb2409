//! Instalment plans decided from Teams through signed links, over real HTTP:
//! `@Relance echeancier …` (a signed outgoing-webhook request) is answered
//! with the schedule and Approve / Reject links (`/plan/{token}`); a GET
//! only shows the plan; the POST by someone who signs in decides it —
//! finance only, once — and the approval's confirmation e-mail is sent by
//! the sender to the real SMTP test server. Tampered and expired links are
//! refused. On SQLite and, when RELANCE_TEST_POSTGRES_URL is set, PostgreSQL.

mod common;

use chrono::Utc;
use common::sending::{at, worker};
use common::server::*;
use common::smtp::SmtpServer;
use common::test_stores;
use relance::chat::links::{sign_plan_link, PlanLinkClaims};
use relance::store::PlanStatus;
use serde_json::{json, Value};

/// The link secret of the test configuration (`common::server::config_text`).
const LINK_SECRET: &[u8] = b"a link secret for the tests, long";

/// `@Relance {text}` posted by Claire through the outgoing webhook, signed;
/// the text of the answer.
async fn ask(bot: &Bot, id: &str, text: &str) -> String {
    let body = json!({
        "type": "message", "id": id, "timestamp": Utc::now().to_rfc3339(),
        "channelId": "msteams", "text": format!("<at>Relance</at> {text}"),
        "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtH", "name": "Claire Martin", "aadObjectId": CLAIRE_TEAMS},
        "conversation": {"id": "19:253b1f341670408fb6fcb1e4a0a6b5d9@thread.skype"}
    })
    .to_string();
    let answer: Value = post_teams(bot, &body, Some(&teams_sign(&body))).await.json().await.unwrap();
    answer["text"].as_str().unwrap().to_string()
}

/// The URL of the Markdown link labelled `label` in a Teams answer, pointed
/// at the test server (the configured public URL is not it).
fn link(bot: &Bot, text: &str, label: &str) -> String {
    let start = text.find(&format!("[{label}](")).unwrap_or_else(|| panic!("no {label} link in {text}"));
    let rest = &text[start + label.len() + 3..];
    let url = &rest[..rest.find(')').unwrap()];
    assert!(url.contains("/plan/"), "{url}");
    format!("{}/plan/{}", bot.base, url.rsplit('/').next().unwrap())
}

/// The confirmation page of `url` (200), and its CSRF field.
async fn open(url: &str) -> (String, String) {
    let page = reqwest::get(url).await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap().replace(['\u{a0}', '\u{202f}'], " ");
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).expect("a form").split('"').next().unwrap().to_string();
    (page, csrf)
}

async fn submit(url: &str, csrf: &str, who: &str, code: &str) -> (u16, String) {
    let form = [("who", who), ("code", code), ("csrf", csrf)];
    let answer = reqwest::Client::new().post(url).form(&form).send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap().replace(['\u{a0}', '\u{202f}'], " "))
}

async fn status(bot: &Bot) -> PlanStatus {
    bot.store.plan(1).await.unwrap().unwrap().status
}

#[tokio::test]
async fn finance_approves_a_plan_once_with_the_signed_link_of_the_teams_answer() {
    for test_store in test_stores().await {
        let (smtp_server, smtp) = SmtpServer::start();
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;

        let answer = ask(&bot, "1485983409101", "echeancier F-2026-004 2 30/03").await;
        assert!(answer.contains("Échéancier n° 1 proposé"), "{}: {answer}", bot.name);
        let (approve, reject) = (link(&bot, &answer, "Approuver"), link(&bot, &answer, "Refuser"));
        assert!(answer.contains("@Relance echeancier approve 1"), "the command stays typable: {answer}");

        // The GET shows the plan and a form; nothing changes.
        let (_, reject_csrf) = open(&reject).await;
        let (page, csrf) = open(&approve).await;
        assert!(page.contains("échéancier n° 1 ?") && page.contains("Menuiserie Roux (C4)"), "{page}");
        assert!(page.contains("1. 30/03/2026 · 155,00 €") && page.contains("name=\"code\""), "{page}");
        assert_eq!(status(&bot).await, PlanStatus::Proposed, "{}: a GET decides nothing", bot.name);

        // A wrong code, then sales: refused, nothing written.
        let (code, page) = submit(&approve, &csrf, "Claire Martin", "0000").await;
        assert_eq!(code, 401, "{page}");
        let (code, page) = submit(&approve, &csrf, "Julie Roux", "5550").await;
        assert_eq!(code, 403, "{page}");
        assert!(page.contains("seule la finance peut approuver"), "{page}");
        assert_eq!(status(&bot).await, PlanStatus::Proposed, "{}: sales may not", bot.name);

        // Finance approves, once: a second POST, or the Reject link, says it is decided.
        let (code, page) = submit(&approve, &csrf, "Claire Martin", "4821").await;
        assert_eq!(code, 200, "{page}");
        assert!(page.contains("Échéancier n° 1 approuvé : la confirmation part au client"), "{page}");
        assert!(page.contains("compta@c4.example.fr"), "{page}");
        let (code, page) = submit(&approve, &csrf, "Marc Petit", "7319").await;
        assert_eq!(code, 409, "{page}");
        assert!(page.contains("chéancier n° 1 est déjà approuvé"), "{page}");
        let (code, page) = submit(&reject, &reject_csrf, "Claire Martin", "4821").await;
        assert_eq!(code, 409, "{}: {page}", bot.name);
        let page = reqwest::get(&reject).await.unwrap().text().await.unwrap();
        assert!(page.contains("déjà approuvé : rien à décider") && !page.contains("<form"), "{page}");
        assert_eq!(status(&bot).await, PlanStatus::Approved, "{}", bot.name);
        let audit = bot.store.audit_log(None, 100).await.unwrap();
        let approvals: Vec<_> = audit.iter().filter(|a| a.action == "plan.approved").collect();
        assert_eq!(approvals.len(), 1, "{}", bot.name);
        assert_eq!((approvals[0].actor.name.as_str(), approvals[0].actor.via.as_str()), ("Claire Martin", "web"));

        // The confirmation was queued with the approval: the sender e-mails it.
        let dir = tempfile::tempdir().unwrap();
        let w = worker(&bot._test_store, at(10, 0), &smtp, None, dir.path()).await;
        assert_eq!(w.run_pass().await.unwrap().sent, 1, "{}", bot.name);
        let received = smtp_server.received();
        assert_eq!(received.len(), 1, "{}", bot.name);
        assert!(received[0].to.contains(&"compta@c4.example.fr".to_string()), "{:?}", received[0].to);
        assert_eq!(received[0].parsed().subject(), Some("Échéancier de paiement – facture F-2026-004"));
        bot.stop().await;
    }
}

#[tokio::test]
async fn tampered_expired_and_foreign_plan_links_are_refused_and_change_nothing() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        let answer = ask(&bot, "1485983409201", "echeancier F-2026-004 2").await;
        let approve = link(&bot, &answer, "Approuver");
        let (_, csrf) = open(&approve).await;

        let expired = PlanLinkClaims { plan: 1, approve: true, expires_at: Utc::now().timestamp() - 1 };
        let expired = format!("{}/plan/{}", bot.base, sign_plan_link(LINK_SECRET, &expired));
        let forged = PlanLinkClaims { plan: 1, approve: true, expires_at: Utc::now().timestamp() + 3600 };
        let forged = format!("{}/plan/{}", bot.base, sign_plan_link(b"not our secret", &forged));
        let mut tampered = approve.clone().into_bytes();
        let at = approve.rfind('/').unwrap() + 3;
        tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let call_link = approve.replace("/plan/", "/call/");
        for url in [&expired, &forged, &tampered] {
            assert_eq!(reqwest::get(url).await.unwrap().status(), 401, "{url}");
            let (code, page) = submit(url, &csrf, "Claire Martin", "4821").await;
            assert_eq!(code, 401, "{url}: {page}");
        }
        // A plan link is no call outcome link.
        assert_eq!(reqwest::get(&call_link).await.unwrap().status(), 401);
        assert_eq!(status(&bot).await, PlanStatus::Proposed, "{}", bot.name);
        bot.stop().await;
    }
}

/// A client without an e-mail address: the Teams answer warns, the link's
/// page says so before approving, and the approval says no confirmation
/// could be sent.
#[tokio::test]
async fn a_plan_link_for_a_client_without_e_mail_says_no_confirmation_could_be_sent() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        let mut silent = common::client("C9");
        silent.name = "Atelier Sans Mail".into();
        silent.email = None;
        bot.store.import_clients(&[silent], &common::actor(), "clients.csv").await.unwrap();
        let invoices = [common::invoice("F-2026-009", "C9", "2026-03-09", "90.00")];
        bot.store.import_invoices(&invoices, &common::actor(), "invoices.csv").await.unwrap();

        let answer = ask(&bot, "1485983409301", "echeancier F-2026-009 3").await;
        assert!(answer.contains("Ce client n'a pas d'adresse e-mail"), "{}: {answer}", bot.name);
        let approve = link(&bot, &answer, "Approuver");
        let (page, csrf) = open(&approve).await;
        assert!(page.contains("pas d&#x27;adresse e-mail"), "{page}");
        let (code, page) = submit(&approve, &csrf, "Claire Martin", "4821").await;
        assert_eq!(code, 200, "{page}");
        assert!(page.contains("Aucune confirmation n&#x27;a pu être envoyée"), "{page}");
        bot.stop().await;
    }
}

/// The URL of the link titled `label` under the digest header's plan line
/// in the Teams card, pointed at the test server.
async fn digest_plan_link(fakes: &Fakes, bot: &Bot, label: &str) -> String {
    for card in Fakes::requests(&fakes.teams, "POST", "/workflow").await {
        let body = card["attachments"][0]["content"]["body"].as_array().cloned().unwrap_or_default();
        let Some(at) = body.iter().position(|b| b["text"].as_str().is_some_and(|t| t.starts_with("⏳"))) else {
            continue;
        };
        let actions = body[at + 1]["actions"].as_array().expect("the plan's links");
        let action = actions.iter().find(|a| a["title"] == label).expect("the link");
        let url = action["url"].as_str().unwrap();
        assert!(url.contains("/plan/"), "{url}");
        return format!("{}/plan/{}", bot.base, url.rsplit('/').next().unwrap());
    }
    panic!("no plan waiting in the Teams digest");
}

#[tokio::test]
async fn a_plan_waiting_in_the_teams_digest_is_approved_through_its_link_and_leaves_the_digest_page() {
    for test_store in test_stores().await {
        let fakes = Fakes::start().await;
        let bot = Bot::start(test_store, Some(&fakes), Platforms::All, monday()).await;
        import_ledger(bot.store.as_ref()).await;
        ask(&bot, "1485983409301", "echeancier F-2026-004 2 30/03").await;
        relance::serve::publish(&bot.svc).await.unwrap().unwrap();

        let digest = || async { reqwest::get(format!("{}/digest", bot.base)).await.unwrap().text().await.unwrap() };
        let page = digest().await.replace('\u{a0}', " ");
        assert!(page.contains("⏳ Échéancier n° 1 à approuver — Menuiserie Roux : 2 × 155,00 €"), "{page}");
        assert_eq!(page.matches("/plan/").count(), 2, "Approve and Reject: {page}");

        let approve = digest_plan_link(&fakes, &bot, "Approuver").await;
        let (_, csrf) = open(&approve).await;
        let (code, page) = submit(&approve, &csrf, "Claire Martin", "4821").await;
        assert_eq!(code, 200, "{page}");
        assert_eq!(status(&bot).await, PlanStatus::Approved, "{}", bot.name);
        let page = digest().await;
        assert!(!page.contains("⏳") && !page.contains("/plan/"), "{}: {page}", bot.name);
        bot.stop().await;
    }
}
