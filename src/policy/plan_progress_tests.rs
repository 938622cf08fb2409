//! Table tests on the real 2026 French calendar: Monday 16 March, Thursday
//! 16 April, Easter Monday 6 April, Ascension Thursday 14 May, Saturday 16 May.

use super::*;
use crate::domain::{Client, ClientId, InvoiceNumber, Stage};
use crate::ledger::{Account, Ledger, PaymentLine};
use crate::policy::planner::tests::{d, invoice, sent};
use crate::policy::{plan, Policy};
use rust_decimal_macros::dec;

fn number(text: &str) -> InvoiceNumber {
    InvoiceNumber::parse(text).unwrap()
}

fn instalment(number: u32, due: &str, amount: Decimal) -> Instalment {
    Instalment { number, due_date: d(due), amount }
}

/// 300 € on F-1 in three instalments: 16 March, 16 April, 16 May (a Saturday).
fn three_hundred() -> PlanInForce {
    PlanInForce {
        id: 7,
        invoices: vec![number("F-1")],
        total: dec!(300),
        instalments: vec![
            instalment(1, "2026-03-16", dec!(100)),
            instalment(2, "2026-04-16", dec!(100)),
            instalment(3, "2026-05-16", dec!(100)),
        ],
    }
}

fn at(paid: Decimal, today: &str) -> Progress {
    progress(&three_hundred(), paid, &InstalmentRules::default(), &Calendar::default(), d(today))
}

#[test]
fn instalments_are_paid_from_the_running_total_partial_payments_included() {
    let cases = [
        (dec!(0), "2026-03-10", 0, Some((1, false))),
        (dec!(0), "2026-03-13", 0, Some((1, true))), // 16 March − 3 days: the note
        (dec!(0), "2026-03-16", 0, Some((1, false))),
        (dec!(0), "2026-03-18", 0, Some((1, false))), // within the 2 business days of grace
        (dec!(99.99), "2026-03-18", 0, Some((1, false))),
        (dec!(100), "2026-03-19", 1, Some((2, false))),
        (dec!(150), "2026-04-13", 1, Some((2, true))), // half of the second: still the second
        (dec!(250), "2026-05-13", 2, Some((3, true))), // Saturday 16 May − 3: Wednesday 13
        (dec!(300), "2026-03-10", 3, None),            // paid all at once, early
    ];
    for (paid, today, paid_count, next) in cases {
        let progress = at(paid, today);
        assert_eq!(progress.paid_count, paid_count, "{paid} on {today}");
        match (next, progress.standing) {
            (Some((number, note)), Standing::InForce { next, note_today }) => {
                assert_eq!((next.number, note_today), (number, note), "{paid} on {today}")
            }
            (None, Standing::Completed) => {}
            (expected, standing) => panic!("{paid} on {today}: expected {expected:?}, got {standing:?}"),
        }
    }
}

#[test]
fn an_instalment_unpaid_after_its_grace_days_breaks_the_plan() {
    let cases = [
        // 16 March (Monday) + 2 business days of grace: missed from Thursday 19.
        (dec!(0), "2026-03-19", 1, "2026-03-19"),
        (dec!(99.99), "2026-03-20", 1, "2026-03-19"),
        // 16 May is a Saturday: Monday 18, then 19 and 20 of grace, missed on the 21st.
        (dec!(200), "2026-05-21", 3, "2026-05-21"),
    ];
    for (paid, today, missed, on) in cases {
        match at(paid, today).standing {
            Standing::Broken { missed: instalment, missed_on } => {
                assert_eq!((instalment.number, missed_on), (missed, d(on)), "{paid} on {today}")
            }
            standing => panic!("{paid} on {today}: {standing:?}"),
        }
    }
    assert!(at(dec!(200), "2026-05-20").in_force(), "the last day of grace");
}

#[test]
fn the_note_is_on_a_business_day_before_the_instalment_or_not_at_all() {
    let rules = InstalmentRules::default();
    let calendar = Calendar::default();
    let cases = [
        ("2026-03-16", Some("2026-03-13")),
        ("2026-03-02", Some("2026-02-27")), // Monday: the Friday before
        ("2026-03-24", Some("2026-03-23")), // Tuesday: Saturday 21 moves to Monday 23
        ("2026-04-07", None),               // Saturday 4 → Easter Monday → Tuesday 7, the date itself
    ];
    for (due, note) in cases {
        assert_eq!(note_day(&instalment(1, due, dec!(1)), &rules, &calendar), note.map(d), "{due}");
    }
    let later = InstalmentRules { reminder_days_before: 7, grace_days: 0 };
    assert_eq!(note_day(&instalment(1, "2026-04-07", dec!(1)), &later, &calendar), Some(d("2026-03-31")));
    assert_eq!(missed_on(&instalment(1, "2026-03-16", dec!(1)), &later, &calendar), d("2026-03-17"));
}

#[test]
fn paid_towards_counts_only_the_plans_invoices_and_stays_within_its_total() {
    let mut plan = three_hundred();
    plan.invoices.push(number("F-2"));
    let mut f1 = invoice("F-1", "2026-03-02", dec!(200));
    let f2 = invoice("F-2", "2026-03-02", dec!(100));
    let mut other = invoice("F-9", "2026-03-02", dec!(500));
    assert_eq!(paid_towards(&plan, &[f1.clone(), f2.clone(), other.clone()]), dec!(0));
    f1.payments.push(PaymentLine { date: d("2026-03-16"), amount: dec!(120) });
    other.payments.push(PaymentLine { date: d("2026-03-16"), amount: dec!(500) });
    assert_eq!(paid_towards(&plan, &[f1.clone(), f2.clone(), other]), dec!(120));
    assert_eq!(paid_towards(&plan, &[]), dec!(300), "settled and gone from the snapshot");
}

/// F-1, due 2 March, had its first reminder on 9 March: the second is due
/// on 17 March (J+15). A plan in force holds it; once broken, it is back.
#[test]
fn the_planner_leaves_a_plans_invoices_alone_until_an_instalment_is_missed() {
    let f1 = sent(invoice("F-1", "2026-03-02", dec!(300)), Stage::First, "2026-03-09");
    let client = Client::new(ClientId::parse("C1").unwrap(), "C1 SARL");
    let mut account = Account::new(client, vec![f1]);
    let policy = Policy::default();
    let ledger = |account: &Account| Ledger { accounts: vec![account.clone()], last_import_at: None };
    assert_eq!(plan(&ledger(&account), &policy, d("2026-03-17"))[0].stage, Stage::Second, "without a plan");

    account.plans.push(three_hundred());
    for day in ["2026-03-17", "2026-03-18"] {
        assert!(plan(&ledger(&account), &policy, d(day)).is_empty(), "{day}: the plan holds F-1");
    }
    let reasons = crate::policy::planner::blocked_reasons(&account, &policy, d("2026-03-17"));
    assert!(reasons.contains(&crate::policy::planner::Blocked::InstalmentPlan {
        plan: 7,
        number: 1,
        date: d("2026-03-16"),
        amount: dec!(100)
    }));
    let next = crate::policy::planner::next_step(&account, &policy, d("2026-03-17"));
    assert_eq!(next, None, "nothing while the plan holds its only invoice");

    let broken = plan(&ledger(&account), &policy, d("2026-03-19"));
    assert_eq!(broken.len(), 1, "missed: the policy's stages resume");
    assert_eq!(broken[0].stage, Stage::Second, "from where they were");

    account.invoices[0].payments.push(PaymentLine { date: d("2026-03-17"), amount: dec!(100) });
    assert!(plan(&ledger(&account), &policy, d("2026-03-19")).is_empty(), "instalment 1 paid: still held");
}

#[test]
fn the_note_goes_from_its_day_to_the_instalments_date_for_the_next_unpaid_one_only() {
    let due = |paid: Decimal, today: &str| {
        let rules = InstalmentRules::default();
        note_due(&three_hundred(), paid, &rules, &Calendar::default(), d(today)).map(|i| i.number)
    };
    let cases = [
        (dec!(0), "2026-03-12", None),      // before the note day (Friday 13)
        (dec!(0), "2026-03-13", Some(1)),   // 16 March − 3 days
        (dec!(0), "2026-03-14", Some(1)),   // catch-up (a Saturday: the digest is not posted, the rule holds)
        (dec!(0), "2026-03-16", Some(1)),   // catch-up up to the date itself
        (dec!(0), "2026-03-17", None),      // late: the grace, then the policy
        (dec!(100), "2026-03-13", None),    // paid early: no note for it…
        (dec!(100), "2026-04-13", Some(2)), // …the next one's note day (Monday 13 April)
        (dec!(150), "2026-04-16", Some(2)), // half paid is unpaid
        (dec!(100), "2026-04-10", None),    // the Friday before the note day: not yet
        (dec!(200), "2026-05-13", Some(3)), // Saturday 16 May − 3: Wednesday 13
        (dec!(200), "2026-05-16", Some(3)),
        (dec!(300), "2026-05-13", None), // completed
    ];
    for (paid, today, expected) in cases {
        assert_eq!(due(paid, today), expected, "{paid} on {today}");
    }
    // A plan broken by instalment 1 has no note for instalment 2.
    assert_eq!(due(dec!(0), "2026-04-13"), None, "broken");
}

#[test]
fn the_next_note_is_on_its_day_or_at_the_next_digest_until_the_instalments_date() {
    let (rules, calendar) = (InstalmentRules::default(), Calendar::default());
    let first = instalment(1, "2026-03-16", dec!(100));
    let cases = [
        ("2026-03-02", Some("2026-03-13")), // ahead: its note day
        ("2026-03-14", Some("2026-03-16")), // Saturday, not queued yet: Monday's digest, the date itself
        ("2026-03-17", None),               // too late for a note
    ];
    for (today, expected) in cases {
        assert_eq!(next_note_on(&first, &rules, &calendar, d(today)), expected.map(d), "{today}");
    }
}
