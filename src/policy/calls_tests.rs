//! Table tests for call tasks, on the real 2026 French calendar.
//!
//! Landmarks: Thursday 5 March + 10 days = Sunday 15 March, so the call is
//! due Monday 16 March; Tuesday 21 April + 10 = Friday 1 May (Labour Day),
//! then the weekend, so the call is due Monday 4 May.

use super::*;
use crate::domain::{Client, PhoneE164, Segment};
use crate::ledger::{Hold, PaymentLine, SentReminder};
use crate::policy::planner::tests::{d, invoice, sent};
use rust_decimal_macros::dec;

fn client(id: &str) -> Client {
    let mut client = Client::new(ClientId::parse(id).unwrap(), format!("{id} SARL"));
    client.phone = Some(PhoneE164::parse("04 72 00 00 00").unwrap());
    client
}

fn one(client: Client, invoices: Vec<InvoiceState>) -> Vec<Account> {
    vec![Account::new(client, invoices)]
}

fn tasks(accounts: &[Account], policy: &Policy, attempts: &[CallAttempt], today: &str) -> Vec<CallTask> {
    call_tasks(accounts, policy, attempts, d(today))
}

/// The clients called on each day, for one ledger.
fn called_on(accounts: &[Account], policy: &Policy, days: &[&str]) -> Vec<(String, Vec<String>)> {
    days.iter()
        .map(|day| {
            let ids = tasks(accounts, policy, &[], day).into_iter().map(|t| t.client_id.as_str().to_string());
            (day.to_string(), ids.collect())
        })
        .collect()
}

/// An attempt on ACME's F-1 at the default J+10 step.
fn attempt(on: &str, answered: bool) -> CallAttempt {
    CallAttempt {
        client_id: ClientId::parse("ACME").unwrap(),
        invoices: vec![InvoiceNumber::parse("F-1").unwrap()],
        offset_days: 10,
        on: d(on),
        answered,
    }
}

fn expect(rows: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    rows.iter().map(|(day, ids)| (day.to_string(), ids.iter().map(|s| s.to_string()).collect())).collect()
}

#[test]
fn the_default_call_is_due_ten_days_late_moved_past_weekends_and_holidays() {
    let accounts = [
        one(client("MARS"), vec![invoice("F-1", "2026-03-05", dec!(1200))]),
        one(client("MAI"), vec![invoice("F-2", "2026-04-21", dec!(300))]),
    ]
    .concat();
    let policy = Policy::default();
    let days = ["2026-03-13", "2026-03-14", "2026-03-15", "2026-03-16", "2026-03-17", "2026-04-30", "2026-05-01"];
    let days = [&days[..], &["2026-05-04"]].concat();
    assert_eq!(
        called_on(&accounts, &policy, &days),
        expect(&[
            ("2026-03-13", &[]),
            ("2026-03-14", &[]),
            ("2026-03-15", &[]),
            ("2026-03-16", &["MARS"]),
            ("2026-03-17", &["MARS"]),
            ("2026-04-30", &["MARS"]),
            ("2026-05-01", &[]),
            ("2026-05-04", &["MARS", "MAI"]),
        ])
    );
}

#[test]
fn the_call_gives_way_once_the_second_written_reminder_is_sent() {
    let due = "2026-03-05";
    let cases = [(None, true), (Some(Stage::First), true), (Some(Stage::Second), false), (Some(Stage::Final), false)];
    for (last, expected) in cases {
        let mut inv = invoice("F-1", due, dec!(100));
        if let Some(stage) = last {
            inv = sent(inv, stage, "2026-03-10");
        }
        let found = !tasks(&one(client("ACME"), vec![inv]), &Policy::default(), &[], "2026-03-18").is_empty();
        assert_eq!(found, expected, "last stage {last:?}");
    }
}

#[test]
fn no_call_for_a_client_paid_up_held_or_without_a_phone() {
    let today = "2026-03-16";
    let due = "2026-03-05";
    let held = |hold: Hold| {
        let mut accounts = one(client("ACME"), vec![invoice("F-1", due, dec!(100))]);
        accounts[0].hold = hold;
        accounts
    };
    let mut paid = invoice("F-1", due, dec!(100));
    paid.payments.push(PaymentLine { date: d("2026-03-12"), amount: dec!(100) });
    let mut no_phone = client("ACME");
    no_phone.phone = None;
    let mut invoice_disputed = invoice("F-1", due, dec!(100));
    invoice_disputed.hold.dispute = Some("livraison incomplète".into());
    let cases: Vec<(&str, Vec<Account>, usize)> = vec![
        ("open, reachable", one(client("ACME"), vec![invoice("F-1", due, dec!(100))]), 1),
        ("paid up", one(client("ACME"), vec![paid]), 0),
        ("no phone", one(no_phone, vec![invoice("F-1", due, dec!(100))]), 0),
        ("paused", held(Hold { paused_until: Some(d("2026-03-20")), ..Hold::default() }), 0),
        ("pause over", held(Hold { paused_until: Some(d("2026-03-13")), ..Hold::default() }), 1),
        ("disputed", held(Hold { dispute: Some("prix".into()), ..Hold::default() }), 0),
        ("promise in force", held(Hold { promise_date: Some(d("2026-03-16")), ..Hold::default() }), 0),
        ("promise broken", held(Hold { promise_date: Some(d("2026-03-13")), ..Hold::default() }), 1),
        ("only invoice disputed", one(client("ACME"), vec![invoice_disputed]), 0),
    ];
    for (name, accounts, expected) in cases {
        assert_eq!(tasks(&accounts, &Policy::default(), &[], today).len(), expected, "{name}");
    }
}

#[test]
fn a_call_closes_once_answered_or_after_max_attempts_and_is_not_retried_the_same_day() {
    let accounts = one(client("ACME"), vec![invoice("F-1", "2026-03-05", dec!(100))]);
    let policy = Policy::default();
    let cases: Vec<(&str, Vec<CallAttempt>, Option<u32>)> = vec![
        ("no attempt", vec![], Some(1)),
        ("voicemail yesterday", vec![attempt("2026-03-16", false)], Some(2)),
        ("voicemail today", vec![attempt("2026-03-17", false)], None),
        ("answered", vec![attempt("2026-03-16", true)], None),
        ("two voicemails", vec![attempt("2026-03-13", false), attempt("2026-03-16", false)], None),
    ];
    for (name, attempts, expected) in cases {
        let found = tasks(&accounts, &policy, &attempts, "2026-03-17");
        assert_eq!(found.first().map(|t| t.attempt), expected, "{name}");
    }
    let mut three = policy.clone();
    three.calls.max_call_attempts = 3;
    let two = [attempt("2026-03-13", false), attempt("2026-03-16", false)];
    assert_eq!(tasks(&accounts, &three, &two, "2026-03-17")[0].attempt, 3);
}

#[test]
fn the_days_page_keeps_a_call_tried_today_even_once_its_outcome_held_the_invoice() {
    let promised = |hold: bool| {
        let mut invoice = invoice("F-1", "2026-03-05", dec!(100));
        if hold {
            invoice.hold.promise_date = Some(d("2026-03-25"));
        }
        one(client("ACME"), vec![invoice])
    };
    let policy = Policy::default();
    let today = d("2026-03-17");
    // (case, ledger, attempts, on the day's page as attempt n, left to call)
    type Case = (&'static str, Vec<Account>, Vec<CallAttempt>, Option<u32>, bool);
    let cases: Vec<Case> = vec![
        ("nothing yet", promised(false), vec![], Some(1), true),
        ("promise recorded today", promised(true), vec![attempt("2026-03-17", true)], Some(1), false),
        ("voicemail today", promised(false), vec![attempt("2026-03-17", false)], Some(1), false),
        (
            "second voicemail today",
            promised(false),
            vec![attempt("2026-03-16", false), attempt("2026-03-17", false)],
            Some(2),
            false,
        ),
        ("answered yesterday", promised(true), vec![attempt("2026-03-16", true)], None, false),
        ("held, not called today", promised(true), vec![], None, false),
    ];
    for (name, accounts, attempts, on_page, left) in cases {
        let mut page = CallPlanner::for_the_day(&policy, &attempts, today);
        page.add(&accounts);
        assert_eq!(page.finish().first().map(|t| t.attempt), on_page, "{name}");
        assert_eq!(!call_tasks(&accounts, &policy, &attempts, today).is_empty(), left, "{name}");
    }
}

#[test]
fn call_steps_and_callers_follow_the_segment() {
    let mut strategic = client("STRAT");
    strategic.segment = Segment::Strategic;
    strategic.owner = Some("Hélène".into());
    let mut orphan = client("ORPHAN");
    orphan.segment = Segment::Strategic;
    let accounts = [
        one(strategic, vec![invoice("S-1", "2026-03-09", dec!(5000))]),
        one(orphan, vec![invoice("O-1", "2026-03-09", dec!(50))]),
        one(client("STD"), vec![invoice("D-1", "2026-03-09", dec!(700))]),
    ]
    .concat();
    let callers = |policy: &Policy, today: &str| -> Vec<(String, Caller)> {
        tasks(&accounts, policy, &[], today).into_iter().map(|t| (t.client_id.as_str().to_string(), t.caller)).collect()
    };
    let owner = Caller::Owner { name: "Hélène".into() };
    // The default: everyone at J+10 (19 March); the owner calls the strategic client.
    assert_eq!(callers(&Policy::default(), "2026-03-18"), vec![]);
    assert_eq!(
        callers(&Policy::default(), "2026-03-19"),
        vec![("ORPHAN".into(), Caller::Finance), ("STD".into(), Caller::Finance), ("STRAT".into(), owner.clone())]
    );
    // Strategic clients called early (J+3 = 12 March), standard ones never; finance makes the calls.
    let mut policy = Policy::default();
    policy.calls.strategic.offset_days = vec![3];
    policy.calls.strategic.caller = Some(CallerRole::Finance);
    policy.calls.standard.offset_days = vec![];
    assert_eq!(callers(&policy, "2026-03-11"), vec![]);
    assert_eq!(
        callers(&policy, "2026-03-12"),
        vec![("ORPHAN".into(), Caller::Finance), ("STRAT".into(), Caller::Finance)]
    );
}

#[test]
fn a_later_call_step_takes_over_from_an_unanswered_earlier_one() {
    let mut policy = Policy::default();
    policy.calls.standard.offset_days = vec![10, 20];
    // J+20 = 25 March; the second stage (J+15) is not sent yet, so the J+10 call is still open.
    let accounts = one(client("ACME"), vec![invoice("F-1", "2026-03-05", dec!(100))]);
    let steps = |today| tasks(&accounts, &policy, &[], today).iter().map(|t| t.offset_days).collect::<Vec<_>>();
    assert_eq!(steps("2026-03-24"), vec![10]);
    assert_eq!(steps("2026-03-25"), vec![20]);
    // After the second reminder, J+20 still stands (the final stage, J+30, has not gone out).
    let accounts =
        one(client("ACME"), vec![sent(invoice("F-1", "2026-03-05", dec!(100)), Stage::Second, "2026-03-20")]);
    assert_eq!(tasks(&accounts, &policy, &[], "2026-03-24").len(), 0);
    assert_eq!(tasks(&accounts, &policy, &[], "2026-03-25")[0].offset_days, 20);
}

#[test]
fn a_task_lists_the_invoices_amounts_reminders_phone_and_script() {
    let mut acme = client("ACME");
    acme.name = "Durand & Fils".into();
    let mut usd = invoice("F-3", "2026-03-02", dec!(80.10));
    usd.currency = Currency::parse("USD").unwrap();
    let mut partly_paid = sent(invoice("F-1", "2026-03-05", dec!(1200)), Stage::First, "2026-03-10");
    partly_paid.paid_at_import = dec!(200);
    let not_yet = invoice("F-9", "2026-03-30", dec!(999));
    let mut accounts = one(acme, vec![not_yet, partly_paid, invoice("F-2", "2026-03-04", dec!(450.55)), usd]);
    accounts[0].reminders.push(SentReminder { on: d("2026-03-10"), stage: Stage::First, currency: Currency::EUR });
    let task = tasks(&accounts, &Policy::default(), &[], "2026-03-16").remove(0);
    assert_eq!(task.id, call_task_id(&ClientId::parse("ACME").unwrap(), d("2026-03-16")));
    assert!(task.id.starts_with("20260316-c-"), "{}", task.id);
    assert_eq!((task.tel.as_str(), task.phone_display.as_str()), ("tel:+33472000000", "+33 4 72 00 00 00"));
    let listed: Vec<(&str, Decimal, i64)> =
        task.invoices.iter().map(|i| (i.number.as_str(), i.amount_due, i.days_late)).collect();
    assert_eq!(listed, vec![("F-3", dec!(80.10), 14), ("F-2", dec!(450.55), 12), ("F-1", dec!(1000), 11)]);
    let totals: Vec<(&str, Decimal)> = task.totals.iter().map(|t| (t.currency.code(), t.amount_due)).collect();
    assert_eq!(totals, vec![("EUR", dec!(1450.55)), ("USD", dec!(80.10))]);
    assert_eq!(task.reminders, vec![SentStage { stage: Stage::First, on: d("2026-03-10") }]);
    assert_eq!(task.caller, Caller::Finance);
    assert_eq!(task.script[0], "Vérifier la réception : factures F-3, F-2, F-1 bien reçues, et par qui ?");
    let json = serde_json::to_value(&task).unwrap();
    assert_eq!(json["invoices"][1]["amount_due"], "450.55");
    assert_eq!(json["caller"]["role"], "finance");
}

#[test]
fn the_script_follows_the_stage_and_the_team_language() {
    let reminded = sent(invoice("F-1", "2026-03-05", dec!(100)), Stage::Second, "2026-03-20");
    let mut accounts = one(client("ACME"), vec![reminded]);
    for (stage, on) in [(Stage::First, "2026-03-10"), (Stage::Second, "2026-03-20")] {
        accounts[0].reminders.push(SentReminder { on: d(on), stage, currency: Currency::EUR });
    }
    let mut policy = Policy::default();
    policy.calls.standard.offset_days = vec![10, 20];
    let fr = tasks(&accounts, &policy, &[], "2026-03-25").remove(0).script;
    assert_eq!(
        fr[0],
        "Rappeler nos relances restées sans réponse : 10/03/2026 (1re relance), 20/03/2026 (2e relance)."
    );
    assert!(fr[1].contains("échéancier"), "{fr:?}");
    policy.language = Language::En;
    let en = tasks(&accounts, &policy, &[], "2026-03-25").remove(0).script;
    assert_eq!(en[0], "Recall our unanswered reminders: 2026-03-10 (first reminder), 2026-03-20 (second reminder).");
    let early = one(client("ACME"), vec![invoice("F-1", "2026-03-05", dec!(100))]);
    let en = tasks(&early, &policy, &[], "2026-03-16").remove(0).script;
    assert_eq!(en[0], "Check reception: was invoice F-1 received, and by whom?");
}

#[test]
fn the_written_plan_is_unchanged_by_call_steps() {
    let accounts = one(client("ACME"), vec![invoice("F-1", "2026-03-05", dec!(100))]);
    let ledger = crate::ledger::Ledger { accounts, last_import_at: None };
    let mut without_calls = Policy::default();
    without_calls.calls.standard.offset_days = vec![];
    for today in ["2026-03-10", "2026-03-16", "2026-03-20"] {
        let plan = |p: &Policy| super::super::plan(&ledger, p, d(today));
        assert_eq!(plan(&Policy::default()), plan(&without_calls), "{today}");
    }
}
