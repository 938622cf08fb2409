//! The decision rules, one behaviour per test.

use super::*;
use crate::decision::{status_line, DecisionRules, Refusal};
use crate::domain::{ProposalId, Stage, Tone};
use crate::policy::{Proposal, ProposedInvoice};
use chrono::{NaiveTime, TimeZone};
use chrono_tz::Europe::Paris;
use rust_decimal_macros::dec;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Paris.from_local_datetime(&day().and_hms_opt(h, m, 0).unwrap()).unwrap().with_timezone(&Utc)
}

fn entry(stage: Stage, tone: Tone, owner: Option<&str>) -> EntryState {
    let inv = ProposedInvoice::sample("F-1", dec!(1200), day() - Days::new(20), 20, stage);
    let mut p = Proposal::sample("C1", "Garage Martin", stage, tone, vec![inv]);
    p.id = ProposalId::parse("20260316-abcdef0123").unwrap();
    EntryState::new(p, owner.map(str::to_string))
}

fn person(name: &str, role: Role) -> Person {
    Person { name: name.into(), role, ..Person::default() }
}

fn click(action: Action) -> Click {
    Click {
        proposal_id: ProposalId::parse("20260316-abcdef0123").unwrap(),
        action,
        rev: None,
        reason: None,
        days: None,
    }
}

fn ctx(rules: &DecisionRules, fresh: bool) -> Context<'_> {
    Context { now: at(9, 12), tz: Paris, rules, ledger_fresh: fresh }
}

#[test]
fn finance_approval_queues_the_reminder() {
    let rules = DecisionRules::default();
    let e = entry(Stage::First, Tone::Courteous, None);
    let out =
        decide(&e, &person("Claire", Role::Finance), Platform::Slack, &click(Action::Approve), &ctx(&rules, true))
            .unwrap();
    assert_eq!(out.entry.status, Status::Approved);
    assert_eq!(out.effect, Effect::Approved { held: false });
    let Some(OutboxOp::Queue(item)) = out.outbox else { panic!("queued") };
    assert_eq!(item.not_before, at(9, 12));
    assert_eq!(item.tone, Tone::Courteous);
    assert_eq!(out.entry.rev, 1);
}

#[test]
fn a_repeated_approval_changes_nothing() {
    let rules = DecisionRules::default();
    let claire = person("Claire", Role::Finance);
    let e = entry(Stage::First, Tone::Courteous, None);
    let once = decide(&e, &claire, Platform::Slack, &click(Action::Approve), &ctx(&rules, true)).unwrap();
    let twice = decide(&once.entry, &claire, Platform::Discord, &click(Action::Approve), &ctx(&rules, true)).unwrap();
    assert_eq!(twice.effect, Effect::Repeat);
    assert_eq!(twice.entry, once.entry);
    assert!(twice.outbox.is_none());
}

#[test]
fn legal_stages_need_two_different_finance_people() {
    let rules = DecisionRules::default();
    let (claire, marc) = (person("Claire", Role::Finance), person("Marc", Role::Finance));
    let e = entry(Stage::Final, Tone::PreLitigation, None);
    let first = decide(&e, &claire, Platform::Slack, &click(Action::Approve), &ctx(&rules, true)).unwrap();
    assert_eq!(first.effect, Effect::FirstApproval);
    assert_eq!(first.entry.status, Status::Pending);
    assert!(first.outbox.is_none());
    let again = decide(&first.entry, &claire, Platform::Slack, &click(Action::Approve), &ctx(&rules, true)).unwrap();
    assert_eq!(again.effect, Effect::Repeat, "the same person twice is not four eyes");
    let second = decide(&first.entry, &marc, Platform::Web, &click(Action::Approve), &ctx(&rules, true)).unwrap();
    assert_eq!(second.entry.status, Status::Approved);
    assert!(matches!(second.outbox, Some(OutboxOp::Queue(_))));
    let line = status_line(&first.entry, &rules, crate::domain::Language::Fr, Paris).unwrap();
    assert!(line.contains("1/2"), "{line}");
}

#[test]
fn stale_data_holds_the_approved_reminder() {
    let rules = DecisionRules::default();
    let e = entry(Stage::First, Tone::Courteous, None);
    let out =
        decide(&e, &person("Claire", Role::Finance), Platform::Slack, &click(Action::Approve), &ctx(&rules, false))
            .unwrap();
    assert_eq!(out.effect, Effect::Approved { held: true });
    let Some(OutboxOp::Queue(item)) = out.outbox else { panic!("queued") };
    assert!(item.held_for_fresh_data);
}

#[test]
fn strategic_reminders_wait_for_the_cutoff() {
    let rules = DecisionRules { strategic_cutoff: NaiveTime::from_hms_opt(11, 0, 0).unwrap(), ..Default::default() };
    let mut e = entry(Stage::First, Tone::Courteous, Some("Julie"));
    e.proposal.segment = crate::domain::Segment::Strategic;
    let out =
        decide(&e, &person("Claire", Role::Finance), Platform::Slack, &click(Action::Approve), &ctx(&rules, true))
            .unwrap();
    let Some(OutboxOp::Queue(item)) = out.outbox else { panic!("queued") };
    assert_eq!(item.not_before, at(11, 0));
}

#[test]
fn sales_may_protect_their_own_clients_only() {
    let rules = DecisionRules::default();
    let julie = person("Julie Roux", Role::Sales);
    let mine = entry(Stage::Second, Tone::Firm, Some("julie roux"));
    let theirs = entry(Stage::Second, Tone::Firm, Some("Marc"));
    for action in [Action::Veto, Action::Soften, Action::Snooze] {
        assert!(decide(&mine, &julie, Platform::Slack, &click(action), &ctx(&rules, true)).is_ok(), "{action:?}");
        assert_eq!(
            decide(&theirs, &julie, Platform::Slack, &click(action), &ctx(&rules, true)),
            Err(Refusal::NotAllowed { action })
        );
    }
    assert_eq!(
        decide(&mine, &julie, Platform::Slack, &click(Action::Approve), &ctx(&rules, true)),
        Err(Refusal::NotAllowed { action: Action::Approve })
    );
    let viewer = person("Paul", Role::Viewer);
    assert!(decide(&mine, &viewer, Platform::Slack, &click(Action::Veto), &ctx(&rules, true)).is_err());
}

#[test]
fn soften_steps_down_to_the_gentlest_then_refuses() {
    let rules = DecisionRules::default();
    let claire = person("Claire", Role::Finance);
    let mut e = entry(Stage::Final, Tone::PreLitigation, None);
    let mut tones = Vec::new();
    loop {
        match decide(&e, &claire, Platform::Slack, &click(Action::Soften), &ctx(&rules, true)) {
            Ok(out) => {
                tones.push(out.entry.proposal.tone);
                e = out.entry;
            }
            Err(refusal) => {
                assert_eq!(refusal, Refusal::Gentlest);
                break;
            }
        }
    }
    assert_eq!(tones, vec![Tone::Firm, Tone::Courteous, Tone::Friendly]);
    assert_eq!(e.planned_tone, Tone::PreLitigation);
    assert!(!buttons(&e).contains(&Action::Soften));
    let approved = decide(&e, &claire, Platform::Slack, &click(Action::Approve), &ctx(&rules, true));
    assert!(approved.is_ok(), "a softened entry can then be approved");
}

#[test]
fn concurrent_softens_bound_to_one_revision_soften_once() {
    let rules = DecisionRules::default();
    let e = entry(Stage::Second, Tone::Firm, None);
    let seen = Click { rev: Some(e.rev), ..click(Action::Soften) };
    let first = decide(&e, &person("Claire", Role::Finance), Platform::Slack, &seen, &ctx(&rules, true)).unwrap();
    let second = decide(&first.entry, &person("Marc", Role::Finance), Platform::Discord, &seen, &ctx(&rules, true));
    assert_eq!(second, Err(Refusal::Outdated));
    assert_eq!(first.entry.proposal.tone, Tone::Courteous);
}

#[test]
fn a_veto_after_approval_cancels_the_queued_reminder_and_pauses_the_client() {
    let rules = DecisionRules::default();
    let e = entry(Stage::First, Tone::Courteous, None);
    let approved =
        decide(&e, &person("Claire", Role::Finance), Platform::Slack, &click(Action::Approve), &ctx(&rules, true))
            .unwrap();
    let veto = Click { reason: Some(" client en négociation ".into()), ..click(Action::Veto) };
    let out =
        decide(&approved.entry, &person("Claire", Role::Finance), Platform::Slack, &veto, &ctx(&rules, true)).unwrap();
    assert_eq!(out.outbox, Some(OutboxOp::Cancel));
    assert_eq!(out.entry.status, Status::Vetoed);
    assert_eq!(out.entry.reason.as_deref(), Some("client en négociation"));
    assert_eq!(out.pause_client_until, NaiveDate::from_ymd_opt(2026, 3, 22), "7 days counting today");
    let line = status_line(&out.entry, &rules, crate::domain::Language::Fr, Paris).unwrap();
    assert!(line.contains("⛔ Veto de Claire : client en négociation"), "{line}");
    let late = decide(
        &out.entry,
        &person("Marc", Role::Finance),
        Platform::Slack,
        &click(Action::Approve),
        &ctx(&rules, true),
    );
    assert_eq!(late, Err(Refusal::Closed { status: Status::Vetoed, by: Some("Claire".into()) }));
}

#[test]
fn snooze_pauses_for_the_default_or_chosen_days() {
    let rules = DecisionRules::default();
    let e = entry(Stage::First, Tone::Courteous, None);
    let claire = person("Claire", Role::Finance);
    let out = decide(&e, &claire, Platform::Slack, &click(Action::Snooze), &ctx(&rules, true)).unwrap();
    assert_eq!(out.effect, Effect::Snoozed { until: NaiveDate::from_ymd_opt(2026, 3, 18).unwrap() });
    assert!(out.outbox.is_none(), "nothing was queued");
    let ten = Click { days: Some(10), ..click(Action::Snooze) };
    let out = decide(&e, &claire, Platform::Slack, &ten, &ctx(&rules, true)).unwrap();
    assert_eq!(out.pause_client_until, NaiveDate::from_ymd_opt(2026, 3, 25));
}

#[test]
fn approved_entries_keep_only_the_stopping_buttons() {
    let rules = DecisionRules::default();
    let e = entry(Stage::First, Tone::Courteous, None);
    assert_eq!(buttons(&e), Action::ALL.to_vec());
    let out =
        decide(&e, &person("Claire", Role::Finance), Platform::Slack, &click(Action::Approve), &ctx(&rules, true))
            .unwrap();
    assert_eq!(buttons(&out.entry), vec![Action::Veto, Action::Snooze]);
    let line = status_line(&out.entry, &rules, crate::domain::Language::Fr, Paris).unwrap();
    assert_eq!(line, "✅ Approuvé par Claire à 09:12");
}
