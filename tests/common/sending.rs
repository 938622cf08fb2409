//! Approved reminders ready to send, and senders built the way
//! `bot-config.yaml` builds them: shared by the sending tests and the outbox
//! benchmark.

use super::smtp::SmtpServer;
use super::{actor, client, d, invoice, proposal, TestStore};
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use relance::clock::Clock;
use relance::config::Loaded;
use relance::decision::{decide, Action, Click, Context, DecisionRules, EntryState};
use relance::delivery::{setup, Worker};
use relance::domain::{Channel, ClientId, PhoneE164, ProposalId, Stage, Tone};
use relance::people::{Person, Platform, Role};
use relance::render::Templates;
use relance::store::{Applied, DecisionRecord, PgStore, SqliteStore, Store};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

pub const DAY: &str = "2026-03-16";

/// 16 March 2026 (a Monday) at `h:m`, Paris time.
pub fn at(h: u32, m: u32) -> DateTime<Utc> {
    Paris.from_local_datetime(&d(DAY).and_hms_opt(h, m, 0).unwrap()).unwrap().with_timezone(&Utc)
}

pub fn cid(id: &str) -> ClientId {
    ClientId::parse(id).unwrap()
}

/// The store of `ts` as seen at `now` (a second connection, its clock fixed).
pub async fn store_at(ts: &TestStore, now: DateTime<Utc>) -> Arc<dyn Store> {
    let clock = Clock::fixed(now, Paris);
    match ts.name {
        "sqlite" => Arc::new(SqliteStore::connect(&ts.url).await.unwrap().with_clock(clock)),
        _ => Arc::new(PgStore::connect(&ts.url).await.unwrap().with_clock(clock)),
    }
}

/// Clients `ids` owing 1 200 € each on an invoice 20 days late, each
/// proposed a first reminder today (by e-mail, and SMS for those in `sms`),
/// the digest posted and every entry approved by finance at 09:12.
pub async fn approved(store: &dyn Store, ids: &[&str], sms: &[&str]) -> Vec<ProposalId> {
    let clients: Vec<_> = ids
        .iter()
        .map(|id| {
            let mut c = client(id);
            if sms.contains(id) {
                c.phone = Some(PhoneE164::parse("06 12 34 56 78").unwrap());
            }
            c
        })
        .collect();
    store.import_clients(&clients, &actor(), "clients.csv").await.unwrap();
    let due = (d(DAY) - chrono::Days::new(20)).to_string();
    let invoices: Vec<_> = ids.iter().map(|id| invoice(&format!("F-{id}"), id, &due, "1200")).collect();
    store.import_invoices(&invoices, &actor(), "invoices.csv").await.unwrap();
    let entries: Vec<EntryState> = ids
        .iter()
        .map(|id| {
            let mut p = proposal(id, DAY, Stage::First, Tone::Courteous, "1200");
            if sms.contains(id) {
                p.channels = vec![Channel::Email, Channel::Sms];
            }
            EntryState::new(p, None)
        })
        .collect();
    store.save_digest(d(DAY), &serde_json::json!({ "lines": [] }), &entries, &actor()).await.unwrap();
    let ids: Vec<ProposalId> = entries.iter().map(|e| e.proposal.id.clone()).collect();
    decide_all(store, &ids, Action::Approve, at(9, 12)).await;
    ids
}

/// A formal notice to client `id` (2 400 € due 45 days ago), sent by
/// registered letter: the digest posted with it alone, approved by Claire
/// then Marc (two finance approvals, the legal steps' four eyes) at 09:12.
pub async fn formal_notice(store: &dyn Store, id: &str) -> ProposalId {
    store.import_clients(&[client(id)], &actor(), "clients.csv").await.unwrap();
    let due = (d(DAY) - chrono::Days::new(45)).to_string();
    store.import_invoices(&[invoice(&format!("F-{id}"), id, &due, "2400")], &actor(), "invoices.csv").await.unwrap();
    let mut p = proposal(id, DAY, Stage::FormalNotice, Tone::Formal, "2400");
    p.channels = vec![Channel::Letter];
    let entry = EntryState::new(p, None);
    let lines = serde_json::json!({ "lines": [] });
    store.save_digest(d(DAY), &lines, std::slice::from_ref(&entry), &actor()).await.unwrap();
    let ids = vec![entry.proposal.id];
    decide_all_as(store, "Claire", &ids, Action::Approve, at(9, 12)).await;
    decide_all_as(store, "Marc", &ids, Action::Approve, at(9, 12)).await;
    ids.into_iter().next().expect("one id")
}

/// Finance (Claire) clicks `action` on each entry at `now`.
pub async fn decide_all(store: &dyn Store, ids: &[ProposalId], action: Action, now: DateTime<Utc>) {
    decide_all_as(store, "Claire", ids, action, now).await;
}

/// Finance person `name` clicks `action` on each entry at `now`.
pub async fn decide_all_as(store: &dyn Store, name: &str, ids: &[ProposalId], action: Action, now: DateTime<Utc>) {
    let claire = Person { name: name.into(), role: Role::Finance, ..Person::default() };
    let rules = DecisionRules::default();
    let ctx = Context { now, tz: Paris, rules: &rules, ledger_fresh: true };
    let mut decide_batch = |entries: &mut HashMap<ProposalId, EntryState>, _: &_| {
        let mut applied = Vec::new();
        for id in ids {
            let click =
                Click {
                    proposal_id: id.clone(), action, rev: None, reason: Some("en négociation".into()), days: None
                };
            let entry = entries.get_mut(id).expect("the entry");
            let outcome = decide(entry, &claire, Platform::Slack, &click, &ctx).expect("finance may decide");
            *entry = outcome.entry.clone();
            let record = DecisionRecord {
                proposal_id: id.clone(),
                client_id: entry.proposal.client_id.clone(),
                day: entry.proposal.date,
                action,
                by: claire.name.clone(),
                via: Platform::Slack,
                at: now,
                effect: "decided".into(),
                detail: serde_json::json!({}),
            };
            applied.push(Applied { outcome, record });
        }
        applied
    };
    store.apply_decisions(d(DAY), ids, &mut decide_batch).await.unwrap();
}

/// The sender as `bot-config.yaml` builds it, at `now`, sending to `smtp`
/// (and SMS to `sms_api`, else into files), its outbox folder in `dir`.
pub async fn worker(ts: &TestStore, now: DateTime<Utc>, smtp: &str, sms_api: Option<&str>, dir: &Path) -> Worker {
    let mut env: HashMap<&str, String> = HashMap::from([
        ("SMTP_URL", smtp.to_string()),
        ("MAIL_FROM", "Claire Martin <claire@atelier-dumas.fr>".into()),
        ("MAIL_BCC", "archives@atelier-dumas.fr".into()),
    ]);
    if let Some(api) = sms_api {
        env.extend([
            ("SMS_API_URL", api.to_string()),
            ("SMS_ACCOUNT_SID", "AC0123".into()),
            ("SMS_AUTH_TOKEN", "secret-token".into()),
            ("SMS_FROM", "+33700000000".into()),
        ]);
    }
    let config = relance::config::parse(relance::config::SHIPPED, &|k| env.get(k).cloned()).unwrap();
    let loaded = Loaded { config, tz: Paris, path: dir.join("bot-config.yaml") };
    let store = store_at(ts, now).await;
    setup::worker(&loaded, store, Clock::fixed(now, Paris), Templates::builtin()).unwrap()
}

/// The Message-IDs the server received, sorted (duplicates kept).
pub fn message_ids(server: &SmtpServer) -> Vec<String> {
    let mut ids: Vec<String> =
        server.received().iter().map(|r| r.parsed().message_id().expect("a Message-ID").to_string()).collect();
    ids.sort();
    ids
}
