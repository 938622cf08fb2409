//! Table tests for the planner, on the real 2026 French calendar.
//!
//! 2026 landmarks used below: Monday 2 and 16 March; Easter Monday 6 April;
//! Friday 1 and 8 May (holidays); Ascension Thursday 14 May.

use super::*;
use crate::domain::{Client, ClientKind, Language, Segment, Tone};
use crate::ledger::{Ledger, PaymentLine};
use crate::policy::penalties::late_penalties;
use crate::policy::score::payment_score;
use rust_decimal_macros::dec;

const USD: &str = "USD";

pub(crate) fn d(text: &str) -> NaiveDate {
    text.parse().expect("test dates are ISO")
}

fn client(id: &str) -> Client {
    Client::new(ClientId::parse(id).unwrap(), format!("{id} SARL"))
}

/// An unpaid invoice in euros, issued 30 days before `due` (shared with the
/// other policy tests).
pub(crate) fn invoice(number: &str, due: &str, amount: Decimal) -> InvoiceState {
    let due_date = d(due);
    InvoiceState {
        description: String::new(),
        number: InvoiceNumber::parse(number).unwrap(),
        issue_date: due_date - Days::new(30),
        due_date,
        amount,
        currency: Currency::EUR,
        paid_at_import: Decimal::ZERO,
        payments: Vec::new(),
        hold: Hold::default(),
        last_stage: None,
    }
}

fn in_usd(mut invoice: InvoiceState) -> InvoiceState {
    invoice.currency = Currency::parse(USD).unwrap();
    invoice
}

/// The invoice already received `stage` on `on`.
pub(crate) fn sent(mut invoice: InvoiceState, stage: Stage, on: &str) -> InvoiceState {
    invoice.last_stage = Some((stage, d(on)));
    invoice
}

fn account(client: Client, invoices: Vec<InvoiceState>) -> Account {
    Account::new(client, invoices)
}

/// Adds a reminder already sent to the client.
fn reminded(mut account: Account, stage: Stage, on: &str, currency: Currency) -> Account {
    account.reminders.push(SentReminder { on: d(on), stage, currency });
    account
}

/// The default policy, with nobody a bad payer unless a test says so (the
/// score is someone else's formula; tests force it with `score_below`).
fn policy() -> Policy {
    let mut policy = Policy::default();
    policy.bad_payers.score_below = 0;
    policy
}

fn everyone_bad_payer() -> Policy {
    let mut policy = Policy::default();
    policy.bad_payers.score_below = 101;
    policy
}

fn plan_for(accounts: Vec<Account>, policy: &Policy, today: &str) -> Vec<Proposal> {
    plan(&Ledger { accounts, last_import_at: None }, policy, d(today))
}

/// The stage proposed for a one-invoice client, if any.
fn stage_proposed(invoice: InvoiceState, policy: &Policy, today: &str) -> Option<Stage> {
    let proposals = plan_for(vec![account(client("ACME"), vec![invoice])], policy, today);
    assert!(proposals.len() <= 1, "one client and one currency make at most one proposal");
    proposals.first().map(|p| p.stage)
}

fn numbers(proposal: &Proposal) -> Vec<&str> {
    proposal.invoices.iter().map(|i| i.number.as_str()).collect()
}

#[test]
fn the_test_calendar_is_the_real_2026_one() {
    let calendar = &policy().calendar;
    for (day, business) in [
        ("2026-03-16", true),
        ("2026-03-14", false),
        ("2026-04-06", false),
        ("2026-05-08", false),
        ("2026-05-13", true),
        ("2026-05-14", false),
        ("2026-05-15", true),
    ] {
        assert_eq!(calendar.is_business_day(d(day)), business, "{day}");
    }
}

#[test]
fn nothing_is_proposed_on_a_non_business_day() {
    let mut with_pont = policy();
    with_pont.calendar.closed_days.insert(d("2026-05-15"));
    let late = || invoice("F-1", "2026-01-15", dec!(500));
    let cases = [
        ("2026-03-14", policy(), 0), // Saturday
        ("2026-03-15", policy(), 0), // Sunday
        ("2026-04-06", policy(), 0), // Easter Monday
        ("2026-05-01", policy(), 0), // Fête du Travail
        ("2026-05-14", policy(), 0), // Ascension
        ("2026-05-15", with_pont.clone(), 0),
        ("2026-05-15", policy(), 1),
        ("2026-03-16", policy(), 1),
    ];
    for (today, policy, expected) in cases {
        let proposals = plan_for(vec![account(client("ACME"), vec![late()])], &policy, today);
        assert_eq!(proposals.len(), expected, "on {today}");
    }
}

#[test]
fn first_reminder_leaves_on_the_business_day_on_or_after_j_plus_5() {
    let cases = [
        // due Monday 2 March: J+5 is Saturday 7 March, moved to Monday 9 March
        ("2026-03-02", "2026-03-06", None),
        ("2026-03-02", "2026-03-09", Some(Stage::First)),
        // due Friday 8 May (a holiday): J+5 is Wednesday 13 May
        ("2026-05-08", "2026-05-12", None),
        ("2026-05-08", "2026-05-13", Some(Stage::First)),
        // due Saturday 9 May: J+5 is Ascension, moved to Friday 15 May
        ("2026-05-09", "2026-05-13", None),
        ("2026-05-09", "2026-05-14", None),
        ("2026-05-09", "2026-05-15", Some(Stage::First)),
    ];
    for (due, today, expected) in cases {
        assert_eq!(stage_proposed(invoice("F-1", due, dec!(100)), &policy(), today), expected, "due {due}, {today}");
    }
}

#[test]
fn next_step_dates_are_moved_past_weekends_and_holidays() {
    let cases = [
        ("2026-03-02", "2026-03-04", "2026-03-09"),
        ("2026-05-08", "2026-05-11", "2026-05-13"),
        ("2026-05-09", "2026-05-11", "2026-05-15"),
    ];
    for (due, today, expected) in cases {
        let account = account(client("ACME"), vec![invoice("F-1", due, dec!(100))]);
        let step = next_step(&account, &policy(), d(today)).expect("first is still to come");
        assert_eq!((step.stage, step.date), (Stage::First, d(expected)), "due {due}");
        assert_eq!(step.invoices, vec![InvoiceNumber::parse("F-1").unwrap()]);
    }
}

#[test]
fn the_ladder_is_climbed_one_stage_at_a_time() {
    // Due Monday 2 February 2026.
    let cases = [
        (None, "2026-03-16", Some(Stage::First)), // 42 days late, no history: first, never final
        (Some((Stage::First, "2026-02-09")), "2026-02-16", None), // J+14
        (Some((Stage::First, "2026-02-09")), "2026-02-17", Some(Stage::Second)), // J+15
        (Some((Stage::First, "2026-02-09")), "2026-03-16", Some(Stage::Second)), // J+42: still second
        (Some((Stage::Second, "2026-02-17")), "2026-03-03", None), // J+29
        (Some((Stage::Second, "2026-02-17")), "2026-03-04", Some(Stage::Final)), // J+30
        (Some((Stage::Final, "2026-03-04")), "2026-03-18", None), // J+44
        (Some((Stage::Final, "2026-03-04")), "2026-03-19", Some(Stage::FormalNotice)), // J+45
        (Some((Stage::FormalNotice, "2026-03-19")), "2026-12-01", None), // after the last stage, nothing
    ];
    for (last, today, expected) in cases {
        let mut late = invoice("F-1", "2026-02-02", dec!(100));
        late.last_stage = last.map(|(stage, on)| (stage, d(on)));
        assert_eq!(stage_proposed(late, &policy(), today), expected, "after {last:?} on {today}");
    }
}

#[test]
fn a_stage_missed_on_its_day_is_proposed_on_the_next_run() {
    // First was due on Monday 9 March; the bot did not run until Friday 20 March.
    let proposals =
        plan_for(vec![account(client("ACME"), vec![invoice("F-1", "2026-03-02", dec!(100))])], &policy(), "2026-03-20");
    assert_eq!(proposals.len(), 1);
    assert_eq!(proposals[0].stage, Stage::First);
    assert_eq!(proposals[0].invoices[0].days_late, 18);
}

#[test]
fn pre_due_is_proposed_only_before_the_due_date() {
    // Due Thursday 19 March: J-3 is Monday 16 March, J+5 Tuesday 24 March.
    let fresh = || invoice("F-1", "2026-03-19", dec!(100));
    let reminded_before = || sent(fresh(), Stage::PreDue, "2026-03-16");
    let cases = [
        (fresh(), "2026-03-13", None),
        (fresh(), "2026-03-16", Some(Stage::PreDue)),
        (fresh(), "2026-03-18", Some(Stage::PreDue)), // missed on the 16th, still before the due date
        (fresh(), "2026-03-19", None),                // due today: too late for pre_due, too early for first
        (fresh(), "2026-03-23", None),
        (fresh(), "2026-03-24", Some(Stage::First)),
        (reminded_before(), "2026-03-18", None), // never the same stage twice
        (reminded_before(), "2026-03-24", Some(Stage::First)),
    ];
    for (invoice, today, expected) in cases {
        let last = invoice.last_stage;
        assert_eq!(stage_proposed(invoice, &policy(), today), expected, "{today} after {last:?}");
    }
}

#[test]
fn a_ladder_without_some_stages_skips_them() {
    let mut no_pre_due_no_second = policy();
    no_pre_due_no_second.stages.retain(|r| !matches!(r.stage, Stage::PreDue | Stage::Second));
    let cases = [
        (invoice("F-1", "2026-03-19", dec!(100)), "2026-03-16", None),
        (invoice("F-1", "2026-03-19", dec!(100)), "2026-03-24", Some(Stage::First)),
        (sent(invoice("F-1", "2026-02-02", dec!(100)), Stage::First, "2026-02-09"), "2026-02-17", None),
        (sent(invoice("F-1", "2026-02-02", dec!(100)), Stage::First, "2026-02-09"), "2026-03-04", Some(Stage::Final)),
    ];
    for (invoice, today, expected) in cases {
        assert_eq!(stage_proposed(invoice, &no_pre_due_no_second, today), expected, "{today}");
    }
}

#[test]
fn the_cooldown_is_seven_calendar_days_per_client_in_any_currency() {
    let usd = Currency::parse(USD).unwrap();
    // Second has been due since J+15; the last reminder decides.
    let cases = [
        ("2026-03-10", Currency::EUR, "2026-03-16", false), // 6 days
        ("2026-03-10", Currency::EUR, "2026-03-17", true),  // 7 days
        ("2026-03-10", usd, "2026-03-16", false),           // one voice per client: USD counts too
        ("2026-03-13", Currency::EUR, "2026-03-19", false), // calendar days, not business days
        ("2026-03-13", Currency::EUR, "2026-03-20", true),
    ];
    for (last, currency, today, proposed) in cases {
        let late = sent(invoice("F-1", "2026-02-02", dec!(100)), Stage::First, "2026-02-09");
        let account = reminded(account(client("ACME"), vec![late]), Stage::First, last, currency);
        assert_eq!(plan_for(vec![account], &policy(), today).len(), usize::from(proposed), "last {last}, {today}");
    }
}

#[test]
fn two_currencies_make_two_proposals_the_same_day_then_the_cooldown_applies() {
    let usd = Currency::parse(USD).unwrap();
    let invoices = || vec![invoice("F-1", "2026-02-20", dec!(100)), in_usd(invoice("F-2", "2026-02-20", dec!(70)))];
    let both = plan_for(vec![account(client("ACME"), invoices())], &policy(), "2026-03-16");
    let currencies: Vec<Currency> = both.iter().map(|p| p.currency).collect();
    assert_eq!(currencies, vec![Currency::EUR, usd]);
    assert_ne!(both[0].id, both[1].id);

    // The EUR reminder left this morning: the USD one may still leave today, not tomorrow.
    let mut after_eur = reminded(account(client("ACME"), invoices()), Stage::First, "2026-03-16", Currency::EUR);
    after_eur.invoices[0].last_stage = Some((Stage::First, d("2026-03-16")));
    let today = plan_for(vec![after_eur.clone()], &policy(), "2026-03-16");
    assert_eq!(today.iter().map(|p| p.currency).collect::<Vec<_>>(), vec![usd]);
    assert!(plan_for(vec![after_eur], &policy(), "2026-03-17").is_empty());
}

#[test]
fn paid_invoices_are_never_reminded_and_partial_payments_count() {
    let mut paid = invoice("F-1", "2026-02-02", dec!(1000));
    paid.paid_at_import = dec!(1000);
    let mut overpaid = invoice("F-2", "2026-02-02", dec!(1000));
    overpaid.payments.push(PaymentLine { date: d("2026-03-01"), amount: dec!(1200) });
    assert!(plan_for(vec![account(client("ACME"), vec![paid, overpaid])], &policy(), "2026-03-16").is_empty());

    let mut partly = invoice("F-3", "2026-02-02", dec!(1000));
    partly.paid_at_import = dec!(200);
    partly.payments.push(PaymentLine { date: d("2026-03-01"), amount: dec!(300.50) });
    let proposals = plan_for(vec![account(client("ACME"), vec![partly])], &policy(), "2026-03-16");
    assert_eq!(proposals[0].total_due, dec!(499.50));
    assert_eq!((proposals[0].invoices[0].amount, proposals[0].invoices[0].amount_due), (dec!(1000), dec!(499.50)));
}

#[test]
fn a_dispute_stops_reminders_on_the_invoice_or_the_whole_client() {
    let mut disputed = invoice("F-1", "2026-02-02", dec!(1000));
    disputed.hold.dispute = Some("prix contesté".into());
    let other = invoice("F-2", "2026-02-03", dec!(200));
    let proposals =
        plan_for(vec![account(client("ACME"), vec![disputed.clone(), other.clone()])], &policy(), "2026-03-16");
    assert_eq!(numbers(&proposals[0]), vec!["F-2"]);
    assert_eq!(proposals[0].total_due, dec!(200));

    let mut whole_client = account(client("ACME"), vec![other]);
    whole_client.hold.dispute = Some("litige qualité".into());
    assert!(plan_for(vec![whole_client], &policy(), "2026-03-16").is_empty());
}

#[test]
fn promises_and_pauses_hold_until_their_date_inclusive() {
    type SetHold = fn(&mut Hold, NaiveDate);
    let holds: [(&str, SetHold); 2] =
        [("promise", |h, day| h.promise_date = Some(day)), ("pause", |h, day| h.paused_until = Some(day))];
    let cases = [
        ("2026-03-13", "2026-03-16", true),  // promise passed: reminders resume
        ("2026-03-16", "2026-03-16", false), // promised for today
        ("2026-03-17", "2026-03-16", false), // promised for tomorrow
        ("2026-03-16", "2026-03-17", true),  // the day after the promise
    ];
    for (name, set) in holds {
        for on_client in [true, false] {
            for (until, today, proposed) in cases {
                let mut account = account(client("ACME"), vec![invoice("F-1", "2026-02-02", dec!(100))]);
                let hold = if on_client { &mut account.hold } else { &mut account.invoices[0].hold };
                set(hold, d(until));
                let got = plan_for(vec![account], &policy(), today).len();
                assert_eq!(got, usize::from(proposed), "{name} until {until} on client={on_client}, {today}");
            }
        }
    }
}

#[test]
fn one_proposal_lists_every_due_invoice_in_the_tone_of_the_most_advanced() {
    let second = sent(invoice("A-1", "2026-02-02", dec!(1200)), Stage::First, "2026-02-09");
    let first = invoice("B-2", "2026-03-09", dec!(300.50));
    let not_yet = invoice("C-3", "2026-03-13", dec!(50)); // first on 18 March
    let pre_due = invoice("D-4", "2026-03-19", dec!(80));
    let account = account(client("ACME"), vec![pre_due, not_yet, first, second.clone()]);
    let proposals = plan_for(vec![account], &policy(), "2026-03-16");

    assert_eq!(proposals.len(), 1);
    let proposal = &proposals[0];
    assert_eq!((proposal.stage, proposal.tone), (Stage::Second, Tone::Firm));
    assert_eq!(proposal.channels, vec![Channel::Email, Channel::Sms]);
    // D-4 is not due yet: it has no place in a reminder about late invoices.
    assert_eq!(numbers(proposal), vec!["A-1", "B-2"], "by due date");
    let stages: Vec<(Stage, i64)> = proposal.invoices.iter().map(|i| (i.stage, i.days_late)).collect();
    assert_eq!(stages, vec![(Stage::Second, 42), (Stage::First, 7)]);
    assert_eq!(proposal.total_due, dec!(1500.50));
    assert_eq!(
        proposal.invoices[0],
        ProposedInvoice {
            description: String::new(),
            number: second.number,
            issue_date: d("2026-01-03"),
            due_date: d("2026-02-02"),
            amount: dec!(1200),
            amount_due: dec!(1200),
            days_late: 42,
            stage: Stage::Second,
            penalties: None,
        }
    );
}

#[test]
fn planning_page_by_page_gives_the_same_proposals_in_the_same_order() {
    let accounts: Vec<Account> = (0..7)
        .map(|i| {
            let due = if i % 2 == 0 { "2026-03-09" } else { "2026-02-02" };
            let invoice = invoice(&format!("F-{i}"), due, Decimal::from(100 + i * 37));
            let invoice = if i % 2 == 0 { invoice } else { sent(invoice, Stage::First, "2026-02-09") };
            account(client(&format!("C{i}")), vec![invoice])
        })
        .collect();
    let whole = plan_for(accounts.clone(), &policy(), "2026-03-16");
    let policy = policy();
    let mut planner = Planner::new(&policy, d("2026-03-16"));
    for page in accounts.chunks(3) {
        planner.add(page);
    }
    let paged = planner.finish();
    assert_eq!(paged, whole);
    assert_eq!(paged.len(), 7);
    assert_eq!(paged[0].stage, Stage::Second, "strongest first across pages");
}

#[test]
fn the_proposal_carries_the_client_and_today() {
    let mut english = client("ACME");
    english.language = Language::En;
    english.kind = ClientKind::B2c;
    let proposals =
        plan_for(vec![account(english, vec![invoice("F-1", "2026-03-09", dec!(100))])], &policy(), "2026-03-16");
    let proposal = &proposals[0];
    assert_eq!(proposal.date, d("2026-03-16"));
    assert_eq!((proposal.client_id.as_str(), proposal.client_name.as_str()), ("ACME", "ACME SARL"));
    assert_eq!(
        (proposal.language, proposal.kind, proposal.segment),
        (Language::En, ClientKind::B2c, Segment::Standard)
    );
    assert_eq!(proposal.reason, "1 facture en retard (7 j)", "the reason is for finance, in the team's language");
}

#[test]
fn below_min_amount_nothing_is_proposed_per_currency() {
    let mut policy = policy();
    policy.min_amount = dec!(100);
    let cases = [(dec!(99.99), 0), (dec!(100), 1), (dec!(2500), 1)];
    for (amount, expected) in cases {
        let account = account(client("ACME"), vec![invoice("F-1", "2026-03-09", amount)]);
        assert_eq!(plan_for(vec![account], &policy, "2026-03-16").len(), expected, "{amount}");
    }
    let mixed = account(
        client("ACME"),
        vec![
            invoice("F-1", "2026-03-09", dec!(60)),
            invoice("F-2", "2026-03-09", dec!(60)),
            in_usd(invoice("F-3", "2026-03-09", dec!(60))),
        ],
    );
    let proposals = plan_for(vec![mixed], &policy, "2026-03-16");
    assert_eq!(
        proposals.iter().map(|p| (p.currency, p.total_due)).collect::<Vec<_>>(),
        vec![(Currency::EUR, dec!(120))]
    );
}

#[test]
fn strategic_clients_get_a_softer_tone_no_sms_and_their_owner_named() {
    let sms_only = |policy: &mut Policy| policy.stages[2].channels = vec![Channel::Sms];
    let soften_twice = |policy: &mut Policy| policy.strategic.soften_by = 2;
    let allow_sms = |policy: &mut Policy| policy.strategic.sms = true;
    let no_softening = |policy: &mut Policy| policy.strategic.soften_by = 0;
    let unchanged = |_: &mut Policy| {};
    type Configure = fn(&mut Policy);
    let cases: [(Segment, Configure, Tone, Vec<Channel>); 6] = [
        (Segment::Standard, unchanged, Tone::Firm, vec![Channel::Email, Channel::Sms]),
        (Segment::Strategic, unchanged, Tone::Courteous, vec![Channel::Email]),
        (Segment::Strategic, soften_twice, Tone::Friendly, vec![Channel::Email]),
        (Segment::Strategic, allow_sms, Tone::Courteous, vec![Channel::Email, Channel::Sms]),
        (Segment::Strategic, sms_only, Tone::Courteous, vec![Channel::Email]),
        (Segment::Strategic, no_softening, Tone::Firm, vec![Channel::Email]),
    ];
    for (segment, configure, tone, channels) in cases {
        let mut policy = policy();
        configure(&mut policy);
        let mut owned = client("ACME");
        owned.segment = segment;
        owned.owner = Some("julie".into());
        let second = sent(invoice("F-1", "2026-02-02", dec!(100)), Stage::First, "2026-02-09");
        let proposals = plan_for(vec![account(owned, vec![second])], &policy, "2026-03-16");
        let proposal = &proposals[0];
        assert_eq!((proposal.stage, proposal.tone), (Stage::Second, tone), "{segment}");
        assert_eq!(proposal.channels, channels, "{segment}");
        assert_eq!(proposal.owner.as_deref(), Some("julie"), "the owner is always copied");
    }
}

#[test]
fn bad_payers_climb_on_the_shorter_offsets() {
    // Due Monday 2 March. Bad payers: first at J+1, second at J+8 (default offsets).
    let fresh = || invoice("F-1", "2026-03-02", dec!(100));
    let after_first = || sent(fresh(), Stage::First, "2026-03-03");
    let mut slower = everyone_bad_payer();
    slower.bad_payers.offsets.insert(Stage::First, 10);
    let cases = [
        (fresh(), everyone_bad_payer(), "2026-03-03", Some(Stage::First)),
        (fresh(), policy(), "2026-03-03", None),
        (after_first(), everyone_bad_payer(), "2026-03-10", Some(Stage::Second)),
        (after_first(), policy(), "2026-03-10", None),
        (fresh(), slower.clone(), "2026-03-09", None), // the replacement offset applies even when longer
        (fresh(), slower, "2026-03-12", Some(Stage::First)),
    ];
    for (invoice, policy, today, expected) in cases {
        assert_eq!(
            stage_proposed(invoice, &policy, today),
            expected,
            "{today}, score below {}",
            policy.bad_payers.score_below
        );
    }
    let account = account(client("ACME"), vec![fresh()]);
    let step = next_step(&account, &everyone_bad_payer(), d("2026-03-02")).unwrap();
    assert_eq!((step.stage, step.date), (Stage::First, d("2026-03-03")));
}

#[test]
fn the_reason_says_when_the_bad_payer_schedule_was_used() {
    let account = account(client("ACME"), vec![invoice("F-1", "2026-03-02", dec!(100))]);
    let proposals = plan_for(vec![account.clone()], &everyone_bad_payer(), "2026-03-03");
    assert_eq!(proposals[0].reason, "1 facture en retard (1 j) ; mauvais payeur : calendrier accéléré");
    assert_eq!(proposals[0].score, payment_score(&account, d("2026-03-03")).score);
    let good = plan_for(vec![account], &policy(), "2026-03-09");
    assert_eq!(good[0].reason, "1 facture en retard (7 j)");
}

#[test]
fn penalties_and_indemnity_are_stated_from_the_final_stage_to_businesses_only() {
    // Final (J+30 = Sunday 15 March) leaves Monday 16 March, 31 days late, at 12.15 %.
    let at_final = || sent(invoice("F-1", "2026-02-13", dec!(1000)), Stage::Second, "2026-03-02");
    let at_first = || invoice("F-2", "2026-03-09", dec!(500)); // 7 days late
    let with_kind = |kind, invoices| {
        let mut c = client("ACME");
        c.kind = kind;
        account(c, invoices)
    };

    let b2b = plan_for(vec![with_kind(ClientKind::B2b, vec![at_final(), at_first()])], &policy(), "2026-03-16");
    let proposal = &b2b[0];
    assert_eq!(proposal.stage, Stage::Final);
    let per_invoice: Vec<Option<Decimal>> = proposal.invoices.iter().map(|i| i.penalties).collect();
    assert_eq!(per_invoice, vec![Some(dec!(10.32)), Some(dec!(1.17))]);
    assert_eq!(per_invoice[0], Some(late_penalties(&at_final(), d("2026-03-16"), &policy().penalties).total));
    assert_eq!((proposal.penalties, proposal.indemnity), (Some(dec!(11.49)), Some(dec!(80))));

    let b2c = plan_for(vec![with_kind(ClientKind::B2c, vec![at_final(), at_first()])], &policy(), "2026-03-16");
    assert_eq!((b2c[0].penalties, b2c[0].indemnity), (None, None));
    assert!(b2c[0].invoices.iter().all(|i| i.penalties.is_none()));

    let first_only = plan_for(vec![with_kind(ClientKind::B2b, vec![at_first()])], &policy(), "2026-03-16");
    assert_eq!((first_only[0].penalties, first_only[0].indemnity), (None, None), "first does not state penalties");

    let in_dollars = plan_for(vec![with_kind(ClientKind::B2b, vec![in_usd(at_final())])], &policy(), "2026-03-16");
    assert_eq!((in_dollars[0].penalties, in_dollars[0].indemnity), (Some(dec!(10.32)), None), "the 40 € is in euros");
}

#[test]
fn proposal_ids_are_stable_for_a_client_currency_and_day() {
    let acme = ClientId::parse("ACME").unwrap();
    let id = proposal_id(&acme, Currency::EUR, d("2026-03-16"));
    assert_eq!(id.as_str(), "20260316-c6a87d7881");
    assert_eq!(proposal_id(&acme, Currency::EUR, d("2026-03-16")), id);
    assert_eq!(proposal_id(&acme, Currency::EUR, d("2026-03-17")).as_str(), "20260317-c6a87d7881");
    assert_ne!(proposal_id(&acme, Currency::parse(USD).unwrap(), d("2026-03-16")), id);
    assert_ne!(proposal_id(&ClientId::parse("ACME2").unwrap(), Currency::EUR, d("2026-03-16")), id);

    let proposals =
        plan_for(vec![account(client("ACME"), vec![invoice("F-1", "2026-03-09", dec!(100))])], &policy(), "2026-03-16");
    assert_eq!(proposals[0].id, id);
}

#[test]
fn proposals_come_strongest_first() {
    let at = |id: &str, last: Option<Stage>, amount| {
        let mut late = invoice(&format!("{id}-1"), "2026-02-02", amount);
        late.last_stage = last.map(|stage| (stage, d("2026-02-09")));
        account(client(id), vec![late])
    };
    let accounts = vec![
        at("BETA", None, dec!(5000)),
        at("ALPHA", Some(Stage::First), dec!(200)),
        at("ZED", Some(Stage::Second), dec!(100)),
        at("ACME", Some(Stage::First), dec!(900)),
        at("ABC", Some(Stage::First), dec!(200)),
    ];
    let proposals = plan_for(accounts, &policy(), "2026-03-16");
    let order: Vec<(&str, Stage)> = proposals.iter().map(|p| (p.client_id.as_str(), p.stage)).collect();
    assert_eq!(
        order,
        vec![
            ("ZED", Stage::Final),
            ("ACME", Stage::Second),
            ("ABC", Stage::Second),
            ("ALPHA", Stage::Second),
            ("BETA", Stage::First)
        ]
    );
}

/// Invoice A (17 days late) is at second, B (7 days late) at first; the client
/// got a first reminder in euros on 3 March and one in dollars on 5 March.
fn reminded_client() -> Account {
    let a = sent(invoice("A-1", "2026-02-27", dec!(100)), Stage::First, "2026-03-03");
    let b = invoice("B-2", "2026-03-09", dec!(100));
    let usd = Currency::parse(USD).unwrap();
    let account = reminded(account(client("ACME"), vec![a, b]), Stage::First, "2026-03-03", Currency::EUR);
    reminded(account, Stage::Second, "2026-03-05", usd)
}

#[test]
fn the_reason_and_previous_reminders_cover_this_currency() {
    let proposals = plan_for(vec![reminded_client()], &policy(), "2026-03-16");
    assert_eq!(proposals[0].reason, "2 factures en retard (max 17 j) ; dernière relance le 03/03/2026 (1re relance)");
    assert_eq!(proposals[0].previous_reminders, vec![(Stage::First, d("2026-03-03"))]);

    let mut english = policy();
    english.language = Language::En;
    let proposals = plan_for(vec![reminded_client()], &english, "2026-03-16");
    assert_eq!(proposals[0].reason, "2 invoices overdue (max 17 days); last reminder on 2026-03-03 (first reminder)");
}

#[test]
fn the_reason_announces_a_coming_due_date() {
    let mut english = policy();
    english.language = Language::En;
    let cases = [
        (vec![invoice("F-1", "2026-03-19", dec!(100))], policy(), "Échéance dans 3 jours"),
        (vec![invoice("F-1", "2026-03-19", dec!(100))], english.clone(), "Due in 3 days"),
        (
            vec![invoice("F-1", "2026-03-19", dec!(100)), invoice("F-2", "2026-03-18", dec!(100))],
            policy(),
            "2 factures à échéance (la plus proche dans 2 jours)",
        ),
        (
            vec![invoice("F-1", "2026-03-19", dec!(100)), invoice("F-2", "2026-03-09", dec!(100))],
            policy(),
            // The invoice not yet due is left out of a reminder about a late one.
            "1 facture en retard (7 j)",
        ),
    ];
    for (invoices, policy, expected) in cases {
        let proposals = plan_for(vec![account(client("ACME"), invoices)], &policy, "2026-03-16");
        assert_eq!(proposals[0].reason, expected);
    }
}

#[test]
fn next_step_names_the_next_stage_and_its_business_day() {
    let step = next_step(&reminded_client(), &policy(), d("2026-03-05")).unwrap();
    // B's first (J+5 = Saturday 14 March) and A's second (J+15 = Saturday 14 March) both move to Monday 16 March.
    assert_eq!((step.stage, step.date), (Stage::Second, d("2026-03-16")));
    assert_eq!(step.invoices.iter().map(InvoiceNumber::as_str).collect::<Vec<_>>(), vec!["A-1", "B-2"]);
    assert_eq!(
        format!("{} le {}", stage_label(step.stage, Language::Fr), format_date(step.date, Language::Fr)),
        "2e relance le 16/03/2026"
    );
}

#[test]
fn next_step_waits_for_holds_and_the_cooldown() {
    let due_first = || account(client("ACME"), vec![invoice("F-1", "2026-03-02", dec!(100))]);
    let after_cooldown = reminded(due_first(), Stage::First, "2026-03-13", Currency::EUR);
    let mut client_paused = due_first();
    client_paused.hold.paused_until = Some(d("2026-03-20"));
    let mut invoice_promised = due_first();
    invoice_promised.invoices[0].hold.promise_date = Some(d("2026-03-17"));
    let mut pre_due_paused = account(client("ACME"), vec![invoice("F-1", "2026-03-19", dec!(100))]);
    pre_due_paused.hold.paused_until = Some(d("2026-03-19"));
    let cases = [
        (due_first(), "2026-03-16", Some((Stage::First, "2026-03-16"))), // due today
        (after_cooldown, "2026-03-16", Some((Stage::First, "2026-03-20"))),
        (client_paused, "2026-03-16", Some((Stage::First, "2026-03-23"))), // Friday's pause ends: Monday
        (invoice_promised, "2026-03-16", Some((Stage::First, "2026-03-18"))),
        (
            account(client("ACME"), vec![invoice("F-1", "2026-03-19", dec!(100))]),
            "2026-03-10",
            Some((Stage::PreDue, "2026-03-16")),
        ),
        (pre_due_paused, "2026-03-10", Some((Stage::First, "2026-03-24"))), // too late for pre_due
    ];
    for (account, today, expected) in cases {
        let got = next_step(&account, &policy(), d(today)).map(|s| (s.stage, s.date));
        assert_eq!(got, expected.map(|(stage, day)| (stage, d(day))), "{today}");
    }
}

#[test]
fn next_step_is_none_when_nothing_is_left_to_send() {
    let mut disputed = account(client("ACME"), vec![invoice("F-1", "2026-03-02", dec!(100))]);
    disputed.hold.dispute = Some("litige".into());
    let done =
        account(client("ACME"), vec![sent(invoice("F-1", "2026-01-02", dec!(100)), Stage::FormalNotice, "2026-02-16")]);
    let mut paid = invoice("F-1", "2026-03-02", dec!(100));
    paid.paid_at_import = dec!(100);
    for account in [disputed, done, account(client("ACME"), vec![paid])] {
        assert_eq!(next_step(&account, &policy(), d("2026-03-16")), None);
    }
}

#[test]
fn blocked_reasons_list_what_holds_reminders_back() {
    let mut policy = policy();
    policy.min_amount = dec!(1000);
    let mut paused = invoice("F-2", "2026-02-02", dec!(400));
    paused.hold.paused_until = Some(d("2026-03-18"));
    let mut disputed = invoice("F-3", "2026-02-02", dec!(900));
    disputed.hold.dispute = Some("prix contesté".into());
    let mut account = account(client("ACME"), vec![invoice("F-1", "2026-02-02", dec!(120)), paused, disputed]);
    account.hold.promise_date = Some(d("2026-03-20"));
    let account = reminded(account, Stage::First, "2026-03-12", Currency::EUR);

    let reasons = blocked_reasons(&account, &policy, d("2026-03-16"));
    let number = |n: &str| Some(InvoiceNumber::parse(n).unwrap());
    assert_eq!(
        reasons,
        vec![
            Blocked::Promise { invoice: None, until: d("2026-03-20") },
            Blocked::Paused { invoice: number("F-2"), until: d("2026-03-18") },
            Blocked::Dispute { invoice: number("F-3"), reason: "prix contesté".into() },
            Blocked::Cooldown { last: d("2026-03-12"), resumes_on: d("2026-03-19") },
            Blocked::BelowMinAmount { currency: Currency::EUR, total_due: dec!(120), min_amount: dec!(1000) },
        ]
    );
    let lines: Vec<String> = reasons.iter().map(|r| r.describe(Language::Fr)).collect();
    assert_eq!(
        lines,
        vec![
            "promesse de paiement au 20/03/2026",
            "facture F-2 : en pause jusqu'au 18/03/2026",
            "facture F-3 : litige en cours (prix contesté)",
            "dernière relance le 12/03/2026, prochaine possible le 19/03/2026",
            "montant dû 120 EUR inférieur au minimum de 1000 EUR",
        ]
    );
    assert_eq!(reasons[2].describe(Language::En), "invoice F-3: in dispute (prix contesté)");
}

#[test]
fn blocked_reasons_are_empty_when_nothing_holds_back() {
    let free = account(client("ACME"), vec![invoice("F-1", "2026-03-09", dec!(100))]);
    assert_eq!(blocked_reasons(&free, &policy(), d("2026-03-16")), vec![]);
    assert_eq!(blocked_reasons(&free, &policy(), d("2026-03-14")), vec![Blocked::NonBusinessDay]);
}

#[test]
fn an_invoice_already_reminded_at_its_stage_is_not_listed_again() {
    // A got its first on 9 March (second due 17 March); B's first is due 16 March; C is done.
    let a = sent(invoice("A-1", "2026-03-02", dec!(100)), Stage::First, "2026-03-09");
    let b = invoice("B-2", "2026-03-09", dec!(100));
    let c = sent(invoice("C-3", "2025-11-03", dec!(100)), Stage::FormalNotice, "2025-12-18");
    let account = reminded(account(client("ACME"), vec![a, b, c]), Stage::First, "2026-03-09", Currency::EUR);
    let proposals = plan_for(vec![account], &policy(), "2026-03-16");
    assert_eq!(numbers(&proposals[0]), vec!["B-2"]);
    assert_eq!((proposals[0].stage, proposals[0].total_due), (Stage::First, dec!(100)));
}

#[test]
fn blocked_reasons_speak_english_too() {
    let reasons = [
        Blocked::NonBusinessDay,
        Blocked::Promise { invoice: None, until: d("2026-03-20") },
        Blocked::Cooldown { last: d("2026-03-12"), resumes_on: d("2026-03-19") },
        Blocked::BelowMinAmount { currency: Currency::EUR, total_due: dec!(120), min_amount: dec!(1000) },
    ];
    let lines: Vec<String> = reasons.iter().map(|r| r.describe(Language::En)).collect();
    assert_eq!(
        lines,
        vec![
            "not a business day: no reminder today",
            "promised to pay by 2026-03-20",
            "last reminder on 2026-03-12, next possible on 2026-03-19",
            "amount due 120 EUR is below the minimum of 1000 EUR",
        ]
    );
}

#[test]
fn reminders_older_than_the_listed_invoices_are_not_cited() {
    // A reminder in January was about an invoice since paid; today's lists an invoice issued in February.
    let paid_long_ago = reminded(account(client("ACME"), vec![]), Stage::Final, "2026-01-12", Currency::EUR);
    let mut account = reminded(paid_long_ago, Stage::First, "2026-03-09", Currency::EUR);
    account.invoices.push(sent(invoice("F-9", "2026-03-02", dec!(900)), Stage::First, "2026-03-09"));
    let proposals = plan_for(vec![account], &policy(), "2026-03-17");
    assert_eq!(proposals[0].stage, Stage::Second);
    assert_eq!(proposals[0].previous_reminders, vec![(Stage::First, d("2026-03-09"))]);
}

#[test]
fn next_step_leaves_a_not_yet_due_invoice_out_of_a_late_reminder() {
    // On Friday 13 March: A's first falls on Monday 16 (J+5 from 11 March), and
    // B's pre-due reminder too (J-3 from Thursday 19): B is not listed with A.
    let a = invoice("A-1", "2026-03-11", dec!(100));
    let b = invoice("B-2", "2026-03-19", dec!(100));
    let step = next_step(&account(client("ACME"), vec![a, b]), &policy(), d("2026-03-13")).unwrap();
    assert_eq!((step.stage, step.date), (Stage::First, d("2026-03-16")));
    assert_eq!(step.invoices.iter().map(InvoiceNumber::as_str).collect::<Vec<_>>(), vec!["A-1"]);
}
