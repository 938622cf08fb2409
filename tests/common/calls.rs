//! The ledger and the look-ups of the call outcome tests (`serve_calls`,
//! `serve_discord_calls`): two clients to call on Monday 16 March 2026, and
//! what the store and the planner say after an outcome.

use super::server::{Bot, Fakes, Platforms};
use super::TestStore;
use super::{actor, client, invoice};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use relance::domain::PhoneE164;
use relance::policy::call_outcome::Outcome;

pub fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// 09:30 in Paris on `date`.
pub fn morning(date: &str) -> DateTime<Utc> {
    let d = day(date);
    Paris.from_local_datetime(&d.and_hms_opt(9, 30, 0).unwrap()).unwrap().with_timezone(&Utc)
}

/// Garage Martin (C1, finance calls) and Menuiserie Roux (C4, Julie's), with
/// a phone each and an invoice due Monday 2 March: J+10 falls on Thursday
/// 12 March, so both are to be called on Monday 16 March.
pub async fn import(store: &dyn relance::store::Store) {
    let mut garage = client("C1");
    garage.name = "Garage Martin".into();
    garage.phone = Some(PhoneE164::parse("04 72 00 00 01").unwrap());
    let mut hers = client("C4");
    hers.name = "Menuiserie Roux".into();
    hers.owner = Some("Julie Roux".into());
    hers.phone = Some(PhoneE164::parse("04 72 00 00 04").unwrap());
    store.import_clients(&[garage, hers], &actor(), "clients.csv").await.unwrap();
    let invoices = [invoice("F-1", "C1", "2026-03-02", "1200.00"), invoice("F-4", "C4", "2026-03-02", "310.00")];
    store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
}

pub async fn outcomes(bot: &Bot) -> Vec<Outcome> {
    let all = bot.store.call_outcomes(day("2026-03-01"), day("2026-04-30")).await.unwrap();
    all.into_iter().map(|r| r.outcome).collect()
}

/// The clients the written plan proposes on `date`.
pub async fn proposed(bot: &Bot, date: &str) -> Vec<String> {
    let ledger = bot.store.ledger(day(date)).await.unwrap();
    let plan = relance::policy::plan(&ledger, &bot.svc.config().policy, day(date));
    plan.into_iter().map(|p| p.client_id.as_str().to_string()).collect()
}

/// The clients left to call on `date`.
pub async fn to_call(bot: &Bot, date: &str) -> Vec<String> {
    let tasks = relance::cli::calls_day(bot.store.as_ref(), &bot.svc.config().policy, day(date)).await.unwrap();
    tasks.into_iter().map(|t| t.client_id.as_str().to_string()).collect()
}

/// The server on Monday 16 March 09:30 with the two clients imported and
/// the digest posted on every platform (fakes).
pub async fn published_monday(test_store: TestStore) -> (Fakes, Bot) {
    let fakes = Fakes::start().await;
    let bot = Bot::start(test_store, Some(&fakes), Platforms::All, morning("2026-03-16")).await;
    import(bot.store.as_ref()).await;
    relance::serve::publish(&bot.svc).await.unwrap().unwrap();
    (fakes, bot)
}

/// What the sender e-mails at 10:30 on Monday 16 March to a real SMTP
/// server (the copies of invoices a "not received" queued): the recipients
/// of each message (the company's archive in Bcc left out) and its subject.
pub async fn mailed_on_monday(bot: &Bot) -> Vec<(Vec<String>, String)> {
    let (smtp, url) = super::smtp::SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let at = morning("2026-03-16") + chrono::Duration::minutes(60);
    let worker = super::sending::worker(&bot._test_store, at, &url, None, dir.path()).await;
    worker.run_pass().await.unwrap();
    let received = smtp.received();
    let to = |m: &super::smtp::Received| m.to.iter().filter(|t| !t.starts_with("archives@")).cloned().collect();
    received.iter().map(|m| (to(m), m.parsed().subject().unwrap_or("").to_string())).collect()
}
