//! What the digest renderers' tests build their days from: one realistic
//! proposal, entry and header, shared so that Slack, Discord and Teams are
//! tested on the same day.

use super::model::{DigestEntry, DigestHeader};
use crate::domain::Language;
use crate::domain::{Channel, ProposalId, Stage, Tone};
use crate::policy::{Proposal, ProposedInvoice};
use chrono::NaiveDate;
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A proposal for client `n` with `invoices` invoices of 1 200 € each, 30
/// days late, by e-mail and SMS, with an id unique to `n`.
pub(crate) fn proposal(n: usize, name: &str, invoices: usize) -> Proposal {
    let invoices: Vec<ProposedInvoice> = (0..invoices)
        .map(|i| {
            let number = format!("F-2026-{n:04}-{i:03}");
            ProposedInvoice::sample(&number, dec!(1200), d(2026, 2, 14), 30, Stage::Second)
        })
        .collect();
    let mut p = Proposal::sample(&format!("C{n:04}"), name, Stage::Second, Tone::Firm, invoices);
    p.id = ProposalId::parse(&format!("20260316-c{n:09}")).unwrap();
    p.channels = vec![Channel::Email, Channel::Sms];
    p.score = 40;
    p.reason = "échue depuis 30 jours".into();
    p
}

/// An undecided entry with a short preview.
pub(crate) fn entry(p: Proposal) -> DigestEntry {
    DigestEntry::new(p, "Bonjour, sauf erreur de notre part, la facture ci-dessous…")
}

/// The header of Monday 16 March 2026 with two lines of totals.
pub(crate) fn header() -> DigestHeader {
    DigestHeader::new(
        d(2026, 3, 16),
        vec!["En retard : 180 000,00 € · 150 factures".into(), "DSO : EUR 52 jours".into()],
    )
}

/// A call task of Monday 16 March 2026, made by the call planner itself:
/// client `id` with `invoices` invoices of 1 000 € due on 5 March (11 days
/// late, first reminder sent on 10 March), called by finance.
pub(crate) fn call_task(id: &str, name: &str, invoices: usize) -> crate::policy::CallTask {
    let today = d(2026, 3, 16);
    let mut tasks =
        crate::policy::call_tasks(&[call_account(id, name, invoices)], &crate::policy::Policy::default(), &[], today);
    tasks.pop().expect("the fixture's client is due a call")
}

/// The account [`call_task`] plans its call from.
pub(crate) fn call_account(id: &str, name: &str, invoices: usize) -> crate::ledger::Account {
    use crate::domain::{Client, ClientId, Currency, InvoiceNumber, PhoneE164};
    use crate::ledger::{Account, Hold, InvoiceState, SentReminder};
    let mut client = Client::new(ClientId::parse(id).unwrap(), name);
    client.phone = Some(PhoneE164::parse("04 72 00 00 00").unwrap());
    let invoices = (0..invoices)
        .map(|i| InvoiceState {
            number: InvoiceNumber::parse(&format!("F-{i}")).unwrap(),
            issue_date: d(2026, 2, 5),
            due_date: d(2026, 3, 5),
            amount: dec!(1000),
            currency: Currency::EUR,
            paid_at_import: dec!(0),
            payments: vec![],
            hold: Hold::default(),
            last_stage: Some((Stage::First, d(2026, 3, 10))),
            description: String::new(),
        })
        .collect();
    let mut account = Account::new(client, invoices);
    account.reminders.push(SentReminder { on: d(2026, 3, 10), stage: Stage::First, currency: Currency::EUR });
    account
}

/// 150 calls with long names and 1 to 14 invoices each: a large day for
/// the renderers' limits.
pub(crate) fn many_calls() -> Vec<super::model::CallEntry> {
    let long = "Établissements ".repeat(20);
    (0..150)
        .map(|n| super::model::CallEntry {
            task: call_task(&format!("C{n:04}"), &format!("{long}{n}"), 1 + n % 14),
            owner: None,
            notes: Vec::new(),
        })
        .collect()
}

/// [`call_task`] as the digest shows it, with no owner known to `people:`.
pub(crate) fn call_entry(id: &str, name: &str, invoices: usize) -> super::model::CallEntry {
    super::model::CallEntry { task: call_task(id, name, invoices), owner: None, notes: Vec::new() }
}

/// Monday 16 March 2026, the fixtures' day.
pub(crate) fn monday() -> NaiveDate {
    d(2026, 3, 16)
}

/// [`header`] on a day with `count` proposed instalment plans, the clients
/// named at their longest and like a mass mention, each with its signed
/// links (as long as real tokens).
pub(crate) fn header_with_plans(count: i64) -> DigestHeader {
    use crate::digest::plan_lines::{tests::plan, waiting_plans};
    use crate::store::PlanStatus;
    let plans: Vec<_> =
        (1..=count).map(|id| plan(id, "C1", &["400.00", "400.00", "400.01"], PlanStatus::Proposed)).collect();
    let name_of =
        |_: &crate::domain::ClientId| Some(format!("<!channel> & {}", "Établissements Très Longs ".repeat(8)));
    let mut with_plans = header();
    (with_plans.plans, with_plans.plans_more) = waiting_plans(&plans, &name_of, Language::Fr);
    for p in &mut with_plans.plans {
        let url = |what: &str| format!("https://relance.example.fr/plan/{}.{}.{what}", "t".repeat(120), p.id);
        p.links = Some(crate::digest::PlanLinks { approve: url("approve"), reject: url("reject") });
    }
    with_plans
}
