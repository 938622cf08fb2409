//! Call outcomes recorded through signed links, over real HTTP: the seven
//! outcome links of each call in the Teams card (posted to a fake Workflows
//! webhook) and on the local `/digest` page, their confirmation pages, and
//! the POST by a person who signs in against `people:`. Each test asserts
//! what is stored and what the planner proposes on the following simulated
//! days. On SQLite and, when RELANCE_TEST_POSTGRES_URL is set, PostgreSQL.

mod common;

use common::calls::*;
use common::server::*;
use common::test_stores;
use relance::policy::call_outcome::Outcome;
use relance::serve;
use serde_json::Value;

/// The URL of the outcome link titled `label` under `client_name`'s call in
/// the Teams cards, pointed at the test server.
async fn teams_link(fakes: &Fakes, bot: &Bot, client_name: &str, label: &str) -> String {
    for card in Fakes::requests(&fakes.teams, "POST", "/workflow").await {
        let body = card["attachments"][0]["content"]["body"].as_array().cloned().unwrap_or_default();
        for call in body.iter().filter(|b| b["type"] == "Container" && b.to_string().contains("tel:")) {
            let items = call["items"].as_array().unwrap();
            if !items[0]["text"].as_str().unwrap_or("").contains(client_name) {
                continue;
            }
            let Some(set) = items.iter().find(|i| i["type"] == "ActionSet") else { continue };
            let actions = set["actions"].as_array().unwrap();
            let action = actions.iter().find(|a| a["title"] == label).unwrap_or_else(|| panic!("{label}: {actions:?}"));
            assert_eq!(action["type"], "Action.OpenUrl");
            return local(bot, action["url"].as_str().unwrap());
        }
    }
    panic!("no call for {client_name} in the Teams cards");
}

/// The link's path on the test server (the configured public URL is not it).
fn local(bot: &Bot, url: &str) -> String {
    let token = url.rsplit('/').next().unwrap();
    format!("{}/call/{token}", bot.base)
}

/// The confirmation page of `url`, and its CSRF field.
async fn open(url: &str) -> (String, String) {
    let page = reqwest::get(url).await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).expect("a form").split('"').next().unwrap().to_string();
    (page, csrf)
}

async fn submit(url: &str, csrf: &str, who: &str, code: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let mut form = vec![("who", who), ("code", code), ("csrf", csrf)];
    form.extend_from_slice(fields);
    let answer = reqwest::Client::new().post(url).form(&form).send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn a_dispute_from_the_teams_card_asks_a_reason_records_once_and_stops_reminders() {
    for test_store in test_stores().await {
        let (fakes, bot) = published_monday(test_store).await;
        let url = teams_link(&fakes, &bot, "Garage Martin", "Litige").await;

        // GET only shows the page, with the reason to give; nothing stored.
        let (page, csrf) = open(&url).await;
        assert!(page.contains("Issue de l&#x27;appel à Garage Martin : « Litige » ?"), "{page}");
        assert!(page.contains("name=\"reason\"") && !page.contains("name=\"date\""), "{page}");
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);

        // A wrong code, then no reason: the page again, saying why; nothing written.
        let (status, page) = submit(&url, &csrf, "Claire Martin", "0000", &[("reason", "prix")]).await;
        assert_eq!(status, 401, "{page}");
        assert!(page.contains("Nom ou code personnel incorrect.") && page.contains(">prix</textarea>"), "{page}");
        let (status, page) = submit(&url, &csrf, "Claire Martin", "4821", &[("reason", "  ")]).await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("role=\"alert\">Indiquez le motif.</p>"), "{page}");
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);

        let (status, page) = submit(&url, &csrf, "Claire Martin", "4821", &[("reason", "pièces manquantes")]).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("📞 Noté : litige (pièces manquantes)."), "{page}");
        assert_eq!(outcomes(&bot).await, [Outcome::Dispute { reason: "pièces manquantes".into() }]);
        let log = bot.store.audit_log(Some(&relance::domain::ClientId::parse("C1").unwrap()), 5).await.unwrap();
        let call = log.iter().find(|e| e.action == "call.dispute").expect("the outcome in the audit log");
        assert_eq!((call.actor.name.as_str(), call.actor.via.as_str()), ("Claire Martin", "web"), "{}", bot.name);

        // Replayed, by her or by Marc: nothing more.
        let (status, _) = submit(&url, &csrf, "Claire Martin", "4821", &[("reason", "autre")]).await;
        assert_eq!(status, 403, "{}", bot.name);
        let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
        assert!(page.contains("Cet appel a déjà son issue") && !page.contains("<form"), "{page}");
        assert_eq!(outcomes(&bot).await.len(), 1, "{}", bot.name);

        assert_eq!(to_call(&bot, "2026-03-16").await, ["C4"], "{}", bot.name);
        for date in ["2026-03-16", "2026-03-26", "2026-04-30"] {
            assert!(!proposed(&bot, date).await.contains(&"C1".to_string()), "{}: disputed on {date}", bot.name);
        }
        bot.stop().await;
    }
}

#[tokio::test]
async fn invoice_not_received_from_the_teams_card_mails_the_copy_to_the_address_confirmed_on_the_page() {
    for test_store in test_stores().await {
        let (fakes, bot) = published_monday(test_store).await;
        let url = teams_link(&fakes, &bot, "Garage Martin", "Facture non reçue").await;
        let client = relance::domain::ClientId::parse("C1").unwrap();

        let (page, csrf) = open(&url).await;
        assert!(page.contains("name=\"email\" type=\"email\" value=\"compta@c1.example.fr\""), "{page}");

        // A malformed address: the page again, naming it, with what was typed; nothing written.
        let (status, page) = submit(&url, &csrf, "Claire Martin", "4821", &[("email", "jeanne@martin")]).await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("role=\"alert\">« jeanne@martin » n&#x27;est pas une adresse e-mail"), "{page}");
        assert!(page.contains("value=\"jeanne@martin\""), "{page}");
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);
        assert!(bot.store.duplicates(&client).await.unwrap().is_empty(), "{}", bot.name);

        let (status, page) =
            submit(&url, &csrf, "Claire Martin", "4821", &[("email", "jeanne@garage-martin.fr")]).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("📞 Noté : facture non reçue, copie à jeanne@garage-martin.fr."), "{page}");
        let mailed = mailed_on_monday(&bot).await;
        assert_eq!(
            mailed.iter().map(|m| m.0.clone()).collect::<Vec<_>>(),
            [["jeanne@garage-martin.fr"]],
            "{}",
            bot.name
        );
        let log = bot.store.audit_log(Some(&client), 10).await.unwrap();
        let noted = log.iter().find(|e| e.action == "call.not_received").expect("the outcome's audit entry");
        assert_eq!(
            (noted.detail["outcome"]["to"].as_str(), noted.actor.via.as_str()),
            (Some("jeanne@garage-martin.fr"), "web")
        );
        bot.stop().await;
    }
}

#[tokio::test]
async fn a_sales_rep_records_a_promise_for_her_own_client_only() {
    for test_store in test_stores().await {
        let (fakes, bot) = published_monday(test_store).await;
        let garage = teams_link(&fakes, &bot, "Garage Martin", "Paiera le…").await;
        let (_, csrf) = open(&garage).await;
        let (status, page) = submit(&garage, &csrf, "Julie Roux", "5550", &[("date", "2026-03-25")]).await;
        assert_eq!(status, 403, "{page}");
        assert!(page.contains("votre rôle ne permet pas"), "{page}");
        assert!(outcomes(&bot).await.is_empty(), "{}", bot.name);

        let hers = teams_link(&fakes, &bot, "Menuiserie Roux", "Paiera le…").await;
        let (page, csrf) = open(&hers).await;
        assert!(page.contains("name=\"date\" type=\"date\" min=\"2026-03-16\""), "{page}");
        let (status, page) = submit(&hers, &csrf, "Julie Roux", "5550", &[("date", "2026-03-13")]).await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("13/03/2026 est passé"), "{page}");
        let (status, page) = submit(&hers, &csrf, "julie@atelier.fr", "5550", &[("date", "2026-03-25")]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(outcomes(&bot).await, [Outcome::Promise { by: day("2026-03-25") }], "{}", bot.name);
        for date in ["2026-03-17", "2026-03-25"] {
            assert!(!proposed(&bot, date).await.contains(&"C4".to_string()), "{}: C4 held on {date}", bot.name);
        }
        assert!(proposed(&bot, "2026-03-26").await.contains(&"C4".to_string()), "{}: promise broken", bot.name);
        bot.stop().await;
    }
}

#[tokio::test]
async fn without_any_platform_the_digest_page_records_a_voicemail_once_per_link() {
    for test_store in test_stores().await {
        let bot = Bot::start(test_store, None, Platforms::None, morning("2026-03-16")).await;
        import(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap();
        let digest = reqwest::get(format!("{}/digest", bot.base)).await.unwrap().text().await.unwrap();
        let garage =
            digest.split("<section class=\"entry call\">").skip(1).find(|s| s.contains("Garage Martin")).unwrap();
        let href = garage.split("href=\"").find(|h| h.contains("/call/") && h.contains("Messagerie")).unwrap();
        let url = local(&bot, href.split('"').next().unwrap());

        let tampered = url.replacen("/call/", "/call/x", 1);
        assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 401, "{}", bot.name);
        let (page, csrf) = open(&url).await;
        assert!(!page.contains("name=\"reason\"") && !page.contains("name=\"date\""), "{page}");
        let (status, page) = submit(&url, &csrf, "Marc Petit", "7319", &[]).await;
        assert_eq!(status, 200, "{page}");
        let (status, page) = submit(&url, &csrf, "Claire Martin", "4821", &[]).await;
        assert_eq!(status, 409, "{page}");
        assert!(page.contains("Ce lien a déjà servi"), "{page}");
        assert_eq!(outcomes(&bot).await, [Outcome::Voicemail], "{}", bot.name);

        let digest = reqwest::get(format!("{}/digest", bot.base)).await.unwrap().text().await.unwrap();
        assert!(digest.contains("📞 Rappel : messagerie / injoignable — Marc Petit 09:30"), "{digest}");
        // A voicemail leaves the call open: its links stay for the next try.
        let garage =
            digest.split("<section class=\"entry call\">").skip(1).find(|s| s.contains("Garage Martin")).unwrap();
        assert_eq!(garage.matches("/call/").count(), 7, "{garage}");
        bot.stop().await;
    }
}

#[tokio::test]
async fn each_call_in_the_teams_card_carries_its_seven_outcome_links() {
    for test_store in test_stores().await {
        let (fakes, bot) = published_monday(test_store).await;
        let cards = Fakes::requests(&fakes.teams, "POST", "/workflow").await;
        let calls: Vec<Value> = cards
            .iter()
            .flat_map(|c| c["attachments"][0]["content"]["body"].as_array().cloned().unwrap_or_default())
            .filter(|b| b["type"] == "Container" && b.to_string().contains("tel:"))
            .collect();
        assert_eq!(calls.len(), 2, "{}", bot.name);
        for call in &calls {
            let set = call["items"].as_array().unwrap().iter().find(|i| i["type"] == "ActionSet").unwrap();
            let urls: Vec<&str> =
                set["actions"].as_array().unwrap().iter().map(|a| a["url"].as_str().unwrap()).collect();
            assert_eq!(urls.len(), 7);
            assert!(urls.iter().all(|u| u.contains("/call/")), "{urls:?}");
            let distinct: std::collections::HashSet<_> = urls.iter().collect();
            assert_eq!(distinct.len(), 7, "one link per outcome");
        }
        bot.stop().await;
    }
}

#[tokio::test]
async fn a_dispute_notifies_the_clients_owner_in_each_chat_and_by_mail_once() {
    for test_store in test_stores().await {
        let (smtp, smtp_url) = common::smtp::SmtpServer::start();
        let fakes = Fakes::start().await;
        let extra = format!("mail: {{ smtp_url: \"{smtp_url}\" }}\n");
        let bot = Bot::start_with(test_store, Some(&fakes), Platforms::All, morning("2026-03-16"), &extra).await;
        import(bot.store.as_ref()).await;
        serve::publish(&bot.svc).await.unwrap().unwrap();

        // Claire (finance) records a dispute on Julie's client.
        let url = teams_link(&fakes, &bot, "Menuiserie Roux", "Litige").await;
        let (_, csrf) = open(&url).await;
        let (status, page) = submit(&url, &csrf, "Claire Martin", "4821", &[("reason", "<!channel> prix")]).await;
        assert_eq!(status, 200, "{page}");

        eventually("the e-mail to Julie", || async { !smtp.received().is_empty() }).await;
        let mail = &smtp.received()[0];
        assert_eq!(mail.to, ["julie@atelier.fr"], "{}", bot.name);
        let parsed = mail.parsed();
        assert_eq!(parsed.subject(), Some("relance — Litige chez Menuiserie Roux"));
        assert!(parsed.body_text(0).unwrap().contains("(F-4) : <!channel> prix. Noté par Claire Martin"));

        let said = |bodies: Vec<Value>| bodies.into_iter().filter(|b| b.to_string().contains("Litige chez")).collect();
        let slack: Vec<Value> = said(Fakes::requests(&fakes.slack, "POST", "/chat.postMessage").await);
        assert_eq!(slack.len(), 1, "{}", bot.name);
        let text = slack[0]["text"].as_str().unwrap();
        assert!(text.starts_with("<@U02JULIE> ⚠️ Litige chez Menuiserie Roux (F-4)"), "{text}");
        assert!(text.contains("&lt;!channel&gt; prix"), "{text}");
        let discord: Vec<Value> = said(Fakes::requests(&fakes.discord, "POST", "/messages").await);
        assert_eq!(discord.len(), 1, "{}", bot.name);
        assert!(discord[0]["content"].as_str().unwrap().starts_with("<@80351110224678950> ⚠️ Litige"));
        assert_eq!(discord[0]["allowed_mentions"], serde_json::json!({"parse": [], "users": ["80351110224678950"]}));
        let teams: Vec<Value> = said(Fakes::requests(&fakes.teams, "POST", "/workflow").await);
        assert_eq!(teams.len(), 1, "{}", bot.name);
        assert!(teams[0].to_string().contains("Julie Roux : ⚠️ Litige chez Menuiserie Roux"), "{}", teams[0]);

        // Later passes (the sender's) send nothing twice.
        serve::owner_notices::send_due(&bot.svc).await;
        serve::owner_notices::send_due(&bot.svc).await;
        assert_eq!(smtp.received().len(), 1, "{}", bot.name);
        let slack: Vec<Value> = said(Fakes::requests(&fakes.slack, "POST", "/chat.postMessage").await);
        let discord: Vec<Value> = said(Fakes::requests(&fakes.discord, "POST", "/messages").await);
        assert_eq!((slack.len(), discord.len()), (1, 1), "{}", bot.name);
        bot.stop().await;
    }
}

/// What the platforms received mentioning an announced payment not received.
async fn payment_lines(fakes: &Fakes) -> Vec<String> {
    let mut bodies = Fakes::requests(&fakes.slack, "POST", "/chat.postMessage").await;
    bodies.extend(Fakes::requests(&fakes.teams, "POST", "/workflow").await);
    bodies.into_iter().map(|b| b.to_string()).filter(|b| b.contains("💸")).collect()
}

#[tokio::test]
async fn a_payment_announced_and_not_received_is_said_once_its_grace_ended() {
    for test_store in test_stores().await {
        let (fakes, bot) = published_monday(test_store).await;
        let url = teams_link(&fakes, &bot, "Garage Martin", "Paiement envoyé").await;
        let (page, csrf) = open(&url).await;
        assert!(page.contains("attendent 3 jours son import"), "{page}");
        let (status, page) = submit(&url, &csrf, "Claire Martin", "4821", &[]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(outcomes(&bot).await, [Outcome::PaymentSent], "{}", bot.name);

        // Held through Thursday 19: the digests say nothing of it.
        let bot = bot.restart_at(Some(&fakes), Platforms::All, morning("2026-03-19")).await;
        serve::publish(&bot.svc).await.unwrap().unwrap();
        assert!(payment_lines(&fakes).await.is_empty(), "{}", bot.name);
        assert!(!proposed(&bot, "2026-03-19").await.contains(&"C1".to_string()), "{}", bot.name);

        // Friday 20: still unpaid in the ledger. Slack and Teams say so, and `relance status`.
        let bot = bot.restart_at(Some(&fakes), Platforms::All, morning("2026-03-20")).await;
        serve::publish(&bot.svc).await.unwrap().unwrap();
        let lines = payment_lines(&fakes).await;
        assert_eq!(lines.len(), 2, "{}: {lines:?}", bot.name);
        for line in &lines {
            assert!(line.contains("💸 Paiement annoncé le 16/03/2026 non reçu : Garage Martin, F-1"), "{line}");
        }
        let clients = bot.store.clients().await.unwrap();
        let garage = clients.iter().find(|c| c.id.as_str() == "C1").unwrap();
        let policy = &bot.svc.config().policy;
        let report = relance::status::gather(bot.store.as_ref(), garage, policy, day("2026-03-20")).await.unwrap();
        let text = relance::status::render(&report.unwrap(), relance::domain::Language::Fr);
        assert!(text.contains("💸 Paiement annoncé le 16/03/2026 non reçu : Garage Martin, F-1"), "{text}");
        bot.stop().await;
    }
}
