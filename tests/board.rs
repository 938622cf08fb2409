//! The digest's state in the store, on every backend available (SQLite
//! always, PostgreSQL when RELANCE_TEST_POSTGRES_URL is set): postings and
//! re-postings, decisions with their outbox rows, pauses and audit entries,
//! concurrent clicks, "send anyway", messages, used links.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use common::{actor, client, d, dec, proposal, test_stores};
use relance::decision::{decide, Action, Click, Context, DecisionRules, Effect, EntryState, Stamp, Status};
use relance::domain::{Channel, ClientId, ProposalId, Stage, Tone};
use relance::ledger::Hold;
use relance::people::{Person, Platform, Role};
use relance::store::{Applied, DecisionRecord, HoldTarget, OutboxStatus, PostedMessage, Settled, Store, StoreError};
use std::collections::HashMap;
use std::sync::Arc;

const DAY: &str = "2026-03-16";

fn cid(id: &str) -> ClientId {
    ClientId::parse(id).unwrap()
}

/// 16 March 2026 at `h:m`, Paris time.
fn at(h: u32, m: u32) -> DateTime<Utc> {
    Paris.from_local_datetime(&d(DAY).and_hms_opt(h, m, 0).unwrap()).unwrap().with_timezone(&Utc)
}

/// An undecided entry of the day for `client`, owing `due`.
fn entry(client: &str, stage: Stage, due: &str) -> EntryState {
    EntryState::new(proposal(client, DAY, stage, Tone::Courteous, due), None)
}

fn ids(entries: &[EntryState]) -> Vec<&str> {
    entries.iter().map(|e| e.proposal.client_id.as_str()).collect()
}

fn statuses(entries: &[EntryState]) -> Vec<Status> {
    entries.iter().map(|e| e.status).collect()
}

/// A digest header as the renderers would store it.
fn header(line: &str) -> serde_json::Value {
    serde_json::json!({ "lines": [line] })
}

/// Clients C1…C4, so entries and pauses have someone to name.
async fn seed(store: &dyn Store) {
    let clients: Vec<_> = ["C1", "C2", "C3", "C4"].into_iter().map(client).collect();
    store.import_clients(&clients, &actor(), "clients.csv").await.unwrap();
}

async fn post(store: &dyn Store, entries: &[EntryState]) -> Vec<EntryState> {
    store.save_digest(d(DAY), &header("digest"), entries, &actor()).await.unwrap()
}

/// The stable keyword of a decision's effect, as the decision engine records it.
fn effect_name(effect: &Effect) -> &'static str {
    match effect {
        Effect::Repeat => "repeat",
        Effect::FirstApproval => "first_approval",
        Effect::Approved { held: false } => "approved",
        Effect::Approved { held: true } => "held",
        Effect::Softened { .. } => "softened",
        Effect::Vetoed { .. } => "vetoed",
        Effect::Snoozed { .. } => "snoozed",
    }
}

/// What the decision engine's closure does: applies one click to the entry
/// it names, in the map, and returns what to write.
fn apply(
    entries: &mut HashMap<ProposalId, EntryState>,
    person: &Person,
    click: &Click,
    ctx: &Context<'_>,
) -> Vec<Applied> {
    let Some(entry) = entries.get_mut(&click.proposal_id) else { return Vec::new() };
    let Ok(outcome) = decide(entry, person, Platform::Slack, click, ctx) else { return Vec::new() };
    *entry = outcome.entry.clone();
    let p = &outcome.entry.proposal;
    let record = DecisionRecord {
        proposal_id: p.id.clone(),
        client_id: p.client_id.clone(),
        day: p.date,
        action: click.action,
        by: person.name.clone(),
        via: Platform::Slack,
        at: ctx.now,
        effect: effect_name(&outcome.effect).into(),
        detail: serde_json::json!({ "reason": click.reason }),
    };
    vec![Applied { outcome, record }]
}

/// `who` (finance) clicks `action` on `id` at 09:12, the ledger fresh or not.
/// Written the way the server's decision engine writes it: through the
/// store's decision writer when it has one (SQLite), else `apply_decisions`.
async fn click(store: &dyn Store, id: &ProposalId, who: &str, action: Action, fresh: bool) {
    let person = Person { name: who.into(), role: Role::Finance, ..Person::default() };
    let rules = DecisionRules::default();
    let ctx = Context { now: at(9, 12), tz: Paris, rules: &rules, ledger_fresh: fresh };
    let click =
        Click { proposal_id: id.clone(), action, rev: None, reason: Some("en négociation".into()), days: None };
    let day = ctx.now.with_timezone(&Paris).date_naive();
    let mut decide = |entries: &mut _, _: &_| apply(entries, &person, &click, &ctx);
    match store.decision_writer().unwrap() {
        Some(mut writer) => writer.apply_decisions(day, std::slice::from_ref(id), &mut decide).unwrap(),
        None => store.apply_decisions(day, std::slice::from_ref(id), &mut decide).await.unwrap(),
    }
}

async fn audit_actions(store: &dyn Store, client: Option<&str>) -> Vec<String> {
    let client = client.map(cid);
    let mut log = store.audit_log(client.as_ref(), 100).await.unwrap();
    log.reverse();
    log.into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn a_first_posting_stores_the_digest_and_its_entries_in_order() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let saved = post(store, &[entry("C2", Stage::First, "80"), entry("C1", Stage::Second, "1200.50")]).await;
        assert_eq!(ids(&saved), vec!["C2", "C1"], "{}", t.name);
        assert_eq!(store.entries(d(DAY)).await.unwrap(), saved, "{}: read back whole", t.name);
        assert_eq!(saved[1].proposal.total_due, dec("1200.50"), "{}", t.name);

        let digest = store.digest(d(DAY)).await.unwrap().expect("posted");
        assert_eq!((digest.header, digest.send_anyway), (header("digest"), None), "{}", t.name);
        assert_eq!(digest.posted_at, digest.updated_at, "{}", t.name);
        assert_eq!(store.digest(d("2026-03-17")).await.unwrap(), None, "{}", t.name);
        assert_eq!(audit_actions(store, None).await.last().map(String::as_str), Some("digest.posted"), "{}", t.name);
    }
}

#[tokio::test]
async fn posting_again_keeps_decisions_adds_new_entries_last_and_withdraws_the_rest() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let first = post(
            store,
            &[entry("C1", Stage::First, "100"), entry("C2", Stage::First, "200"), entry("C3", Stage::First, "300")],
        )
        .await;
        let posted_at = store.digest(d(DAY)).await.unwrap().unwrap().posted_at;
        click(store, &first[0].proposal.id, "Claire", Action::Approve, true).await;
        click(store, &first[2].proposal.id, "Claire", Action::Approve, true).await;

        // C1 paid part of its invoice; C2 and C3 are no longer proposed; C4 is new.
        let again = store
            .save_digest(
                d(DAY),
                &header("again"),
                &[entry("C4", Stage::First, "40"), entry("C1", Stage::First, "60")],
                &actor(),
            )
            .await
            .unwrap();
        assert_eq!(ids(&again), vec!["C1", "C2", "C3", "C4"], "{}", t.name);
        let expected = vec![Status::Approved, Status::Withdrawn, Status::Withdrawn, Status::Pending];
        assert_eq!(statuses(&again), expected, "{}", t.name);
        assert_eq!(again[0].proposal.total_due, dec("100"), "{}: the approved proposal is what leaves", t.name);
        assert_eq!(again[0].approvals[0].by, "Claire", "{}", t.name);
        assert_eq!(again[2].closed.as_ref().map(|s| s.by.as_str()), Some("test"), "{}", t.name);
        assert_eq!(store.entries(d(DAY)).await.unwrap(), again, "{}", t.name);

        let outbox = store.outbox(d(DAY)).await.unwrap();
        let rows: Vec<(&str, OutboxStatus)> = outbox.iter().map(|r| (r.item.client_id.as_str(), r.status)).collect();
        assert_eq!(rows, vec![("C1", OutboxStatus::Queued), ("C3", OutboxStatus::Cancelled)], "{}", t.name);

        let digest = store.digest(d(DAY)).await.unwrap().unwrap();
        assert_eq!((digest.posted_at, digest.header), (posted_at, header("again")), "{}", t.name);
        assert!(digest.updated_at >= posted_at, "{}", t.name);
        assert!(audit_actions(store, Some("C3")).await.contains(&"digest.withdrawn".to_string()), "{}", t.name);
    }
}

#[tokio::test]
async fn an_untouched_entry_takes_the_new_amounts_of_a_later_posting() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        post(store, &[entry("C1", Stage::First, "100")]).await;
        let again = post(store, &[entry("C1", Stage::First, "40")]).await;
        assert_eq!((again[0].proposal.total_due, again[0].rev), (dec("40"), 0), "{}", t.name);
        assert_eq!(store.entries(d(DAY)).await.unwrap(), again, "{}", t.name);
    }
}

#[tokio::test]
async fn a_withdrawn_entry_proposed_again_can_be_approved_again() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let id = post(store, &[entry("C1", Stage::First, "100")]).await[0].proposal.id.clone();
        click(store, &id, "Claire", Action::Approve, true).await;
        assert_eq!(statuses(&post(store, &[]).await), vec![Status::Withdrawn], "{}", t.name);

        let revived = post(store, &[entry("C1", Stage::First, "100")]).await;
        assert_eq!((revived[0].status, revived[0].rev), (Status::Pending, 3), "{}", t.name);
        assert!(revived[0].approvals.is_empty(), "{}", t.name);
        click(store, &id, "Marc", Action::Approve, true).await;
        let outbox = store.outbox(d(DAY)).await.unwrap();
        assert_eq!(outbox.len(), 1, "{}: one row per proposal", t.name);
        assert_eq!(outbox[0].status, OutboxStatus::Queued, "{}", t.name);
        assert_eq!(outbox[0].item.proposal.id, id, "{}", t.name);
    }
}

#[tokio::test]
async fn an_approval_writes_the_entry_the_decision_the_audit_and_the_outbox() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let id = post(store, &[entry("C1", Stage::First, "1200.10")]).await[0].proposal.id.clone();
        click(store, &id, "Claire", Action::Approve, true).await;
        click(store, &id, "Claire", Action::Approve, true).await; // a double click

        let stored = store.entries_by_id(std::slice::from_ref(&id)).await.unwrap();
        assert_eq!((stored[0].status, stored[0].rev), (Status::Approved, 1), "{}", t.name);
        let decisions = store.decisions(&cid("C1")).await.unwrap();
        assert_eq!(decisions.len(), 1, "{}: the double click is one decision", t.name);
        let d0 = &decisions[0];
        assert_eq!((d0.action, d0.by.as_str(), d0.via, d0.at), (Action::Approve, "Claire", Platform::Slack, at(9, 12)));
        assert_eq!((d0.effect.as_str(), d0.day), ("approved", d(DAY)), "{}", t.name);
        assert_eq!(d0.detail, serde_json::json!({ "reason": "en négociation" }), "{}", t.name);

        let outbox = store.outbox(d(DAY)).await.unwrap();
        assert_eq!(outbox.len(), 1, "{}", t.name);
        let item = &outbox[0].item;
        assert_eq!((item.not_before, item.held_for_fresh_data, item.tone), (at(9, 12), false, Tone::Courteous));
        assert_eq!(item.proposal.total_due, dec("1200.10"), "{}: money exact", t.name);

        let log = store.audit_log(Some(&cid("C1")), 10).await.unwrap();
        assert_eq!(log[0].action, "decision.approve", "{}", t.name);
        assert_eq!((log[0].actor.name.as_str(), log[0].actor.via.as_str()), ("Claire", "slack"), "{}", t.name);
        assert_eq!(log[0].subject, id.as_str(), "{}", t.name);
    }
}

/// A decision rewrites an entry's state and, only when it changes it, its
/// proposal (a column of its own): the softened tone must survive the
/// approval that follows, in the entry and in the queued message.
#[tokio::test]
async fn a_softened_proposal_reads_back_softer_and_is_queued_at_its_softer_tone() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let id = post(store, &[entry("C1", Stage::Second, "980.00")]).await[0].proposal.id.clone();
        click(store, &id, "Claire", Action::Soften, true).await;
        let softened = &store.entries_by_id(std::slice::from_ref(&id)).await.unwrap()[0];
        assert_eq!((softened.proposal.tone, softened.planned_tone), (Tone::Friendly, Tone::Courteous), "{}", t.name);
        assert_eq!((softened.status, softened.rev, softened.softened.len()), (Status::Pending, 1, 1), "{}", t.name);

        click(store, &id, "Claire", Action::Approve, true).await;
        let approved = &store.entries(d(DAY)).await.unwrap()[0];
        assert_eq!((approved.status, approved.rev), (Status::Approved, 2), "{}", t.name);
        assert_eq!(approved.proposal, softened.proposal, "{}: the approval left the proposal as softened", t.name);
        let outbox = store.outbox(d(DAY)).await.unwrap();
        assert_eq!((outbox[0].item.tone, outbox[0].item.proposal.tone), (Tone::Friendly, Tone::Friendly), "{}", t.name);
        assert_eq!(outbox[0].item.proposal.total_due, dec("980.00"), "{}", t.name);
    }
}

/// A queued message refers to its entry's proposal; once sent, its row keeps
/// its own copy: the entry withdrawn and proposed again with new amounts
/// does not change what the row says was sent.
#[tokio::test]
async fn a_sent_message_keeps_the_proposal_it_was_sent_with() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let invoice = common::invoice("F-C1", "C1", "2026-02-14", "100.00");
        store.import_invoices(&[invoice], &actor(), "invoices.csv").await.unwrap();
        let id = post(store, &[entry("C1", Stage::First, "100.00")]).await[0].proposal.id.clone();
        click(store, &id, "Claire", Action::Approve, true).await;
        let claimed = store.claim_outbox(d(DAY), "sender-1", chrono::Duration::minutes(5), 10).await.unwrap();
        assert_eq!(claimed.len(), 1, "{}", t.name);
        assert_eq!(claimed[0].item.proposal.total_due, dec("100.00"), "{}: the entry's proposal", t.name);
        let sent = Settled::Sent { recipient: "compta@c1.example".into(), message_id: "<m1@relance>".into() };
        assert!(store.settle_outbox(&claimed[0], "sender-1", &sent).await.unwrap(), "{}", t.name);

        post(store, &[]).await;
        let revived = post(store, &[entry("C1", Stage::First, "250.00")]).await;
        assert_eq!(revived[0].proposal.total_due, dec("250.00"), "{}: the entry takes the new amounts", t.name);
        let outbox = store.outbox(d(DAY)).await.unwrap();
        assert_eq!(outbox[0].status, OutboxStatus::Sent, "{}", t.name);
        assert_eq!(outbox[0].item.proposal.total_due, dec("100.00"), "{}: what was sent", t.name);
    }
}

#[tokio::test]
async fn a_veto_cancels_the_queued_message_and_pauses_the_client_unless_paused_longer() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let longer = Hold { paused_until: Some(d("2026-04-30")), dispute: Some("prix".into()), promise_date: None };
        store.set_hold(&HoldTarget::Client(cid("C2")), &longer, &actor(), None).await.unwrap();
        let saved = post(store, &[entry("C1", Stage::First, "100"), entry("C2", Stage::First, "200")]).await;
        click(store, &saved[0].proposal.id, "Claire", Action::Approve, true).await;
        click(store, &saved[0].proposal.id, "Claire", Action::Veto, true).await;
        click(store, &saved[1].proposal.id, "Claire", Action::Veto, true).await;

        let outbox = store.outbox(d(DAY)).await.unwrap();
        assert_eq!(outbox.iter().map(|r| r.status).collect::<Vec<_>>(), vec![OutboxStatus::Cancelled], "{}", t.name);
        let c1 = store.account(&cid("C1"), d(DAY)).await.unwrap().unwrap();
        assert_eq!(c1.hold.paused_until, Some(d("2026-03-22")), "{}: 7 days counting today", t.name);
        let c2 = store.account(&cid("C2"), d(DAY)).await.unwrap().unwrap();
        assert_eq!(c2.hold, longer, "{}: the longer pause and the dispute stay", t.name);

        let c1_log = audit_actions(store, Some("C1")).await;
        assert_eq!(c1_log, vec!["decision.approve", "decision.veto", "hold.pause"], "{}", t.name);
        let c2_log = audit_actions(store, Some("C2")).await;
        assert_eq!(c2_log, vec!["hold.dispute", "decision.veto"], "{}: nothing paused", t.name);
        let vetoed = store.entries(d(DAY)).await.unwrap();
        assert_eq!(statuses(&vetoed), vec![Status::Vetoed, Status::Vetoed], "{}", t.name);
        assert_eq!(vetoed[0].reason.as_deref(), Some("en négociation"), "{}", t.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_simultaneous_approvals_make_one_decision() {
    for t in test_stores().await {
        seed(t.store.as_ref()).await;
        // C1 needs one approval, C2 (final stage) two from different people.
        let saved = post(t.store.as_ref(), &[entry("C1", Stage::First, "100"), entry("C2", Stage::Final, "200")]).await;
        let start = Arc::new(tokio::sync::Barrier::new(20));
        let mut tasks = Vec::new();
        for n in 0..20 {
            let (store, start) = (Arc::clone(&t.store), Arc::clone(&start));
            let id = saved[n % 2].proposal.id.clone();
            tasks.push(tokio::spawn(async move {
                start.wait().await; // all at once
                click(store.as_ref(), &id, &format!("Finance {n}"), Action::Approve, true).await;
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let one = t.store.decisions(&cid("C1")).await.unwrap();
        assert_eq!(one.iter().map(|r| r.effect.as_str()).collect::<Vec<_>>(), vec!["approved"], "{}", t.name);
        let two = t.store.decisions(&cid("C2")).await.unwrap();
        let effects: Vec<&str> = two.iter().map(|r| r.effect.as_str()).collect();
        assert_eq!(effects, vec!["first_approval", "approved"], "{}", t.name);
        assert_ne!(two[0].by, two[1].by, "{}: four eyes", t.name);
        assert_eq!(t.store.outbox(d(DAY)).await.unwrap().len(), 2, "{}", t.name);
        let entries = t.store.entries(d(DAY)).await.unwrap();
        assert_eq!(entries.iter().map(|e| (e.rev, e.approvals.len())).collect::<Vec<_>>(), vec![(1, 1), (2, 2)]);
    }
}

#[tokio::test]
async fn send_anyway_releases_the_approvals_held_for_fresh_data() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let saved = post(store, &[entry("C1", Stage::First, "100"), entry("C2", Stage::First, "200")]).await;
        click(store, &saved[0].proposal.id, "Claire", Action::Approve, false).await;
        click(store, &saved[1].proposal.id, "Claire", Action::Approve, true).await;
        assert!(store.outbox(d(DAY)).await.unwrap()[0].item.held_for_fresh_data, "{}", t.name);

        let stamp = Stamp { by: "Claire".into(), via: Platform::Discord, at: at(9, 30) };
        assert_eq!(store.release_held(d(DAY), &stamp).await.unwrap(), 1, "{}", t.name);
        let entries = store.entries(d(DAY)).await.unwrap();
        assert!(entries.iter().all(|e| !e.held_for_fresh_data && e.status == Status::Approved), "{}", t.name);
        assert_eq!(entries[0].rev, 2, "{}: the release is a change", t.name);
        let outbox = store.outbox(d(DAY)).await.unwrap();
        assert!(outbox.iter().all(|r| !r.item.held_for_fresh_data && r.status == OutboxStatus::Queued), "{}", t.name);
        assert_eq!(store.digest(d(DAY)).await.unwrap().unwrap().send_anyway, Some(stamp.clone()), "{}", t.name);
        assert_eq!(audit_actions(store, None).await.last().map(String::as_str), Some("digest.send_anyway"));

        assert_eq!(store.release_held(d(DAY), &stamp).await.unwrap(), 0, "{}: nothing left to release", t.name);
        let unknown = store.release_held(d("2026-03-17"), &stamp).await;
        assert!(matches!(unknown, Err(StoreError::NotFound(_))), "{}: {unknown:?}", t.name);
    }
}

#[tokio::test]
async fn a_request_id_is_first_seen_once_across_instances_and_forgotten_after_a_week() {
    for t in test_stores().await {
        let monday = Utc.with_ymd_and_hms(2026, 3, 16, 8, 0, 0).unwrap();
        // Two instances on one database: two stores on the same URL.
        let other = relance::store::connect(&t.url, relance::clock::Clock::fixed(monday, Paris)).await.unwrap();
        let store = t.store.as_ref();
        assert!(store.first_seen("teams:1485983408511", monday).await.unwrap(), "{}", t.name);
        assert!(
            !other.first_seen("teams:1485983408511", monday).await.unwrap(),
            "{}: replay on another instance",
            t.name
        );
        let (a, b) = tokio::join!(store.first_seen("teams:2", monday), other.first_seen("teams:2", monday));
        assert!(a.unwrap() ^ b.unwrap(), "{}: of two at once, one is first", t.name);
        let eight_days = monday + chrono::Duration::days(8);
        assert!(store.first_seen("teams:3", eight_days).await.unwrap(), "{}", t.name);
        assert!(store.first_seen("teams:1485983408511", eight_days).await.unwrap(), "{}: pruned after a week", t.name);
        assert!(!store.first_seen("teams:3", eight_days).await.unwrap(), "{}: recent keys are kept", t.name);
    }
}

#[tokio::test]
async fn a_decision_link_acts_once() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        assert!(store.use_link("9f86d081884c7d65", "Claire").await.unwrap(), "{}", t.name);
        assert!(!store.use_link("9f86d081884c7d65", "Marc").await.unwrap(), "{}: second use", t.name);
        assert!(store.use_link("other", "Marc").await.unwrap(), "{}", t.name);
        let log = store.audit_log(None, 10).await.unwrap();
        let used: Vec<(&str, &str)> = log
            .iter()
            .filter(|e| e.action == "link.used")
            .map(|e| (e.subject.as_str(), e.actor.name.as_str()))
            .collect();
        assert_eq!(used, vec![("other", "Marc"), ("9f86d081884c7d65", "Claire")], "{}", t.name);
    }
}

#[tokio::test]
async fn messages_are_kept_by_day_platform_and_page() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let saved = post(store, &[entry("C1", Stage::First, "100"), entry("C2", Stage::First, "200")]).await;
        let ids: Vec<ProposalId> = saved.iter().map(|e| e.proposal.id.clone()).collect();
        let message = |platform, page: u32, ts: &str, entries: &[ProposalId]| PostedMessage {
            day: d(DAY),
            platform,
            page,
            channel: "C024BE91L".into(),
            message_id: ts.into(),
            entries: entries.to_vec(),
        };
        let first = [
            message(Platform::Slack, 1, "1710.2", &ids[1..]),
            message(Platform::Slack, 0, "1710.1", &ids[..1]),
            message(Platform::Discord, 0, "80351110224678912", &ids),
        ];
        store.save_messages(&first).await.unwrap();
        store.save_messages(&[message(Platform::Slack, 0, "1711.1", &ids)]).await.unwrap();

        let slack = store.messages(d(DAY), Platform::Slack).await.unwrap();
        assert_eq!(slack, vec![message(Platform::Slack, 0, "1711.1", &ids), first[0].clone()], "{}", t.name);
        assert_eq!(store.messages(d(DAY), Platform::Discord).await.unwrap(), vec![first[2].clone()], "{}", t.name);
        assert!(store.messages(d(DAY), Platform::Teams).await.unwrap().is_empty(), "{}", t.name);
    }
}

#[tokio::test]
async fn the_previous_digest_is_the_last_one_posted_before() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        for day in ["2026-03-13", "2026-03-17", "2026-03-16"] {
            store.save_digest(d(day), &header(day), &[], &actor()).await.unwrap();
        }
        assert_eq!(store.previous_digest_day(d("2026-03-17")).await.unwrap(), Some(d("2026-03-16")), "{}", t.name);
        assert_eq!(store.previous_digest_day(d("2026-03-16")).await.unwrap(), Some(d("2026-03-13")), "{}", t.name);
        assert_eq!(store.previous_digest_day(d("2026-03-13")).await.unwrap(), None, "{}", t.name);
    }
}

#[tokio::test]
async fn entries_by_id_come_in_the_order_asked() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let saved = post(store, &[entry("C1", Stage::First, "100"), entry("C2", Stage::First, "200")]).await;
        let unknown = ProposalId::parse("20260316-0000000000").unwrap();
        let asked = [saved[1].proposal.id.clone(), unknown, saved[0].proposal.id.clone()];
        assert_eq!(ids(&store.entries_by_id(&asked).await.unwrap()), vec!["C2", "C1"], "{}", t.name);
    }
}

#[tokio::test]
async fn a_proposal_of_another_day_is_refused() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let other_day = EntryState::new(proposal("C1", "2026-03-17", Stage::First, Tone::Courteous, "10"), None);
        let refused = store.save_digest(d(DAY), &header("x"), &[other_day], &actor()).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{}: {refused:?}", t.name);
        assert_eq!(store.digest(d(DAY)).await.unwrap(), None, "{}: nothing written", t.name);
    }
}

#[tokio::test]
async fn decisions_cannot_be_rewritten() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let id = post(store, &[entry("C1", Stage::First, "100")]).await[0].proposal.id.clone();
        click(store, &id, "Claire", Action::Approve, true).await;
        assert!(t.raw_execute("UPDATE decisions SET actor = 'Marc'").await.is_err(), "{}", t.name);
        assert!(t.raw_execute("DELETE FROM decisions").await.is_err(), "{}", t.name);
        assert_eq!(store.decisions(&cid("C1")).await.unwrap()[0].by, "Claire", "{}", t.name);
    }
}

/// Several clicks decided in one transaction (the engine's group commit)
/// give what they give one by one: the last state of each entry, one
/// decision row and audit entry per accepted click, and an outbox row that
/// ends cancelled when the batch approves then vetoes.
/// On every backend, and on SQLite both through the pool and through the
/// decision writer the server's engine uses.
#[tokio::test]
async fn a_batch_of_clicks_writes_what_the_clicks_write_one_by_one() {
    for through_writer in [false, true] {
        for t in test_stores().await {
            let store = t.store.as_ref();
            let writer = match (through_writer, store.decision_writer().unwrap()) {
                (false, _) => None,
                (true, Some(writer)) => Some(writer),
                (true, None) => continue,
            };
            let name = if through_writer { format!("{} (decision writer)", t.name) } else { t.name.to_string() };
            seed(store).await;
            let posted = post(store, &[entry("C1", Stage::First, "100"), entry("C2", Stage::First, "200")]).await;
            let (c1, c2) = (posted[0].proposal.id.clone(), posted[1].proposal.id.clone());
            let person = Person { name: "Claire".into(), role: Role::Finance, ..Person::default() };
            let rules = DecisionRules::default();
            let ctx = Context { now: at(9, 12), tz: Paris, rules: &rules, ledger_fresh: true };
            let click = |id: &ProposalId, action| Click {
                proposal_id: id.clone(),
                action,
                rev: None,
                reason: None,
                days: None,
            };
            let clicks = [click(&c1, Action::Approve), click(&c2, Action::Approve), click(&c1, Action::Veto)];
            let ids = [c1.clone(), c2.clone()];
            let mut decide =
                |entries: &mut _, _: &_| clicks.iter().flat_map(|c| apply(entries, &person, c, &ctx)).collect();
            match writer {
                Some(mut writer) => writer.apply_decisions(d(DAY), &ids, &mut decide).unwrap(),
                None => store.apply_decisions(d(DAY), &ids, &mut decide).await.unwrap(),
            }

            let stored = store.entries_by_id(&ids).await.unwrap();
            assert_eq!(statuses(&stored), vec![Status::Vetoed, Status::Approved], "{name}");
            let outbox = store.outbox(d(DAY)).await.unwrap();
            let rows: Vec<_> = outbox.iter().map(|r| (r.item.proposal_id.clone(), r.status)).collect();
            assert_eq!(rows, vec![(c1, OutboxStatus::Cancelled), (c2, OutboxStatus::Queued)], "{name}");
            let decisions = store.decisions(&cid("C1")).await.unwrap();
            assert_eq!(decisions.len(), 2, "{name}");
            assert_eq!(decisions[0].at, at(9, 12), "{name}: the time reads back as written");
            let actions = audit_actions(store, Some("C1")).await;
            assert_eq!(actions, vec!["decision.approve", "decision.veto", "hold.pause"], "{name}");
            let c1 = store.account(&cid("C1"), d(DAY)).await.unwrap().unwrap();
            assert_eq!(c1.hold.paused_until, Some(d("2026-03-22")), "{name}: the veto's pause reads back as a date");
        }
    }
}

/// A reminder by e-mail and SMS is two outbox rows, sent and retried
/// independently; a veto cancels both.
#[tokio::test]
async fn an_approval_queues_one_outbox_row_per_channel_and_a_veto_cancels_them_all() {
    for t in test_stores().await {
        let store = t.store.as_ref();
        seed(store).await;
        let mut both = entry("C1", Stage::First, "100");
        both.proposal.channels = vec![Channel::Email, Channel::Sms];
        let id = post(store, &[both]).await[0].proposal.id.clone();
        click(store, &id, "Claire", Action::Approve, true).await;
        let rows = |outbox: Vec<relance::store::OutboxRow>| -> Vec<(Channel, OutboxStatus)> {
            outbox.into_iter().map(|r| (r.channel, r.status)).collect()
        };
        let queued = rows(store.outbox(d(DAY)).await.unwrap());
        assert_eq!(
            queued,
            vec![(Channel::Email, OutboxStatus::Queued), (Channel::Sms, OutboxStatus::Queued)],
            "{}",
            t.name
        );

        click(store, &id, "Claire", Action::Veto, true).await;
        let cancelled = rows(store.outbox(d(DAY)).await.unwrap());
        let expected = vec![(Channel::Email, OutboxStatus::Cancelled), (Channel::Sms, OutboxStatus::Cancelled)];
        assert_eq!(cancelled, expected, "{}", t.name);
    }
}
