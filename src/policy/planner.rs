//! The planner: from the ledger and today's date to the reminders worth
//! proposing today, one per client and currency.
//!
//! Pure: no clock, no I/O. The rules (see ../shared/DUNNING.md):
//! - nothing is proposed on a non-business day;
//! - each open invoice climbs the ladder one stage at a time; a stage is due
//!   from `due_date + offset` moved to the next business day, and stays due
//!   until it is sent (a day without a run loses nothing);
//! - disputes stop everything, promises and pauses delay (inclusive dates);
//! - one voice per client: a cooldown of `cooldown_days` calendar days
//!   after any reminder, in any currency;
//! - one message per client and currency lists every invoice that is due, in
//!   the tone of the most advanced stage.
//!
//! `plan` runs on a million invoices: beyond what it returns it allocates one
//! scratch vector, asks the calendar once (see [`plan`]), and computes a
//! client's payment score at most once, only for a client that gets a
//! proposal (the `score` field) or whose bad-payer status decides a stage.

use super::penalties::{indemnity, late_penalties};
use super::plan_progress::{held_invoices, paid_towards, progress, Standing};
use super::score::payment_score;
use super::{Policy, Proposal, ProposedInvoice, StageRule};
use crate::domain::{Channel, ClientId, ClientKind, Currency, InvoiceNumber, Language, ProposalId, Segment, Stage};
use crate::ledger::{Account, Hold, InvoiceState, SentReminder};
use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

#[cfg(test)]
#[path = "planner_tests.rs"]
pub(super) mod tests;

/// The next reminder a client will get if nothing changes, for `relance status`
/// ("next step: 2nd reminder on 16/03").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    /// The most advanced stage among the invoices due that day.
    pub stage: Stage,
    pub date: NaiveDate,
    pub invoices: Vec<InvoiceNumber>,
}

/// Why a client gets no reminder today (or only some of its invoices do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Blocked {
    /// Today is a weekend day, a public holiday or a closing day.
    NonBusinessDay,
    /// A commercial dispute on the client (`invoice` None) or on one invoice.
    Dispute { invoice: Option<InvoiceNumber>, reason: String },
    /// A promise to pay: reminders resume the day after `until`.
    Promise { invoice: Option<InvoiceNumber>, until: NaiveDate },
    /// A pause: reminders resume the day after `until`.
    Paused { invoice: Option<InvoiceNumber>, until: NaiveDate },
    /// The last reminder is too recent: the next may leave from `resumes_on`.
    Cooldown { last: NaiveDate, resumes_on: NaiveDate },
    /// What is due in this currency is below `policy.min_amount`.
    BelowMinAmount { currency: Currency, total_due: Decimal, min_amount: Decimal },
    /// An instalment plan in force: its invoices wait for instalment `number`, due on `date`.
    InstalmentPlan { plan: i64, number: u32, date: NaiveDate, amount: Decimal },
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// A proposal's id: the day, then a hash of the client and the currency, so
/// the same proposal keeps its id however often the digest is rebuilt that
/// day, and an id never reveals the client.
pub fn proposal_id(client: &ClientId, currency: Currency, today: NaiveDate) -> ProposalId {
    let mut hasher = Sha256::new();
    hasher.update(client.as_str().as_bytes());
    hasher.update(b"\x1f");
    hasher.update(currency.code().as_bytes());
    let digest = hasher.finalize();
    let mut id = String::with_capacity(19);
    let _ = write!(id, "{:04}{:02}{:02}-", today.year(), today.month(), today.day());
    for byte in &digest[..5] {
        id.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        id.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
    }
    ProposalId::parse(&id).expect("19 ASCII characters make a valid proposal id")
}

/// Today's proposals, strongest first: by stage descending, then total due
/// descending, then client id (and currency), so two runs on the same data
/// produce the same digest.
///
/// Nothing is proposed on a non-business day. Because today is then known to
/// be a business day, a stage whose date (`due + offset`) is on or before
/// today is also due once moved to the next business day: the first business
/// day on or after that date is at the latest today. So the per-invoice check
/// compares day counts and never asks the calendar, which keeps a million
/// invoices fast; [`next_step`] computes the moved dates themselves.
pub fn plan(ledger: &crate::ledger::Ledger, policy: &Policy, today: NaiveDate) -> Vec<Proposal> {
    let mut planner = Planner::new(policy, today);
    planner.add(&ledger.accounts);
    planner.finish()
}

/// [`plan`] fed page by page: the store hands over a few hundred accounts at
/// a time and drops them once planned, so a million invoices are never all in
/// memory. Same result as `plan` over the concatenated pages.
pub struct Planner<'p> {
    ladder: Ladder<'p>,
    today: NaiveDate,
    business_day: bool,
    proposals: Vec<Proposal>,
    due: Vec<Due>,
}

impl<'p> Planner<'p> {
    pub fn new(policy: &'p Policy, today: NaiveDate) -> Self {
        let business_day = policy.calendar.is_business_day(today);
        Self { ladder: Ladder::new(policy), today, business_day, proposals: Vec::new(), due: Vec::new() }
    }

    /// Plans these accounts (nothing on a non-business day).
    pub fn add(&mut self, accounts: &[Account]) {
        if !self.business_day {
            return;
        }
        for account in accounts {
            plan_account(account, &self.ladder, self.today, &mut self.due, &mut self.proposals);
        }
    }

    /// The day's proposals, strongest first.
    pub fn finish(self) -> Vec<Proposal> {
        strongest_first(self.proposals)
    }
}

/// Sorts by stage descending, total due descending, client id, currency.
/// Sorts indices and moves each proposal once: proposals are a few hundred
/// bytes, and sorting them in place moves each one many times.
fn strongest_first(proposals: Vec<Proposal>) -> Vec<Proposal> {
    let mut order: Vec<usize> = (0..proposals.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        let (a, b) = (&proposals[a], &proposals[b]);
        b.stage
            .cmp(&a.stage)
            .then_with(|| b.total_due.cmp(&a.total_due))
            .then_with(|| a.client_id.cmp(&b.client_id))
            .then_with(|| a.currency.cmp(&b.currency))
    });
    let mut slots: Vec<Option<Proposal>> = proposals.into_iter().map(Some).collect();
    order.into_iter().map(|i| slots[i].take().expect("each index appears once")).collect()
}

/// The earliest day on or after `today` when the client would get a
/// reminder, given the stage dates, its holds and the cooldown; None when
/// nothing is left to send or a dispute stops everything. `min_amount` is not
/// applied (see [`blocked_reasons`]). When a stage is due today, the date is
/// today.
pub fn next_step(account: &Account, policy: &Policy, today: NaiveDate) -> Option<NextStep> {
    if account.hold.dispute.is_some() {
        return None;
    }
    let ladder = Ladder::new(policy);
    let mut score = LazyScore::new(account, today);
    let client_floor = resume_date(&account.hold, today);
    let mut candidates: Vec<(NaiveDate, Stage, &InvoiceNumber)> = Vec::new();
    let in_plan = plan_held(account, policy, today);
    let chased = |inv: &&InvoiceState| inv.is_open() && inv.hold.dispute.is_none() && !in_plan.contains(&&inv.number);
    for invoice in account.invoices.iter().filter(chased) {
        let floor = client_floor.max(resume_date(&invoice.hold, today)).max(cooldown_resumes_on(
            &account.reminders,
            invoice.currency,
            today,
            policy.cooldown_days,
        ));
        if let Some((stage, date)) = ladder.next_date(invoice, floor, &mut score) {
            candidates.push((date, stage, &invoice.number));
        }
    }
    let date = candidates.iter().map(|c| c.0).min()?;
    candidates.retain(|c| c.0 == date);
    // As in `plan`: a not-yet-due invoice does not ride along with late ones.
    if candidates.iter().any(|c| c.1 != Stage::PreDue) {
        candidates.retain(|c| c.1 != Stage::PreDue);
    }
    let stage = candidates.iter().map(|c| c.1).max()?;
    Some(NextStep { stage, date, invoices: candidates.into_iter().map(|c| c.2.clone()).collect() })
}

/// Everything that keeps reminders from leaving today for this client:
/// today's calendar, its holds and its open invoices' holds, the cooldown,
/// and the currencies whose due total is below `min_amount`. Empty when
/// nothing blocks (either a proposal is made or simply nothing is due yet).
///
/// The cooldown is reported from the last reminder in any currency, even one
/// sent today: `plan` still lets another currency go out the same day.
pub fn blocked_reasons(account: &Account, policy: &Policy, today: NaiveDate) -> Vec<Blocked> {
    let mut reasons = Vec::new();
    if !policy.calendar.is_business_day(today) {
        reasons.push(Blocked::NonBusinessDay);
    }
    push_hold_reasons(&account.hold, None, today, &mut reasons);
    push_plan_reasons(account, policy, today, &mut reasons);
    for invoice in account.invoices.iter().filter(|inv| inv.is_open()) {
        push_hold_reasons(&invoice.hold, Some(&invoice.number), today, &mut reasons);
    }
    let cooldown = i64::from(policy.cooldown_days);
    if let Some(last) = account.reminders.iter().map(|r| r.on).max().filter(|on| (today - *on).num_days() < cooldown) {
        reasons.push(Blocked::Cooldown { last, resumes_on: last + Days::new(u64::from(policy.cooldown_days)) });
    }
    let ladder = Ladder::new(policy);
    let mut due = Vec::new();
    collect_due(account, &ladder, today, &mut LazyScore::new(account, today), &mut due);
    for group in by_currency(account, &mut due) {
        let total_due: Decimal = group.iter().map(|c| c.amount_due).sum();
        if total_due < policy.min_amount {
            let currency = group[0].currency;
            reasons.push(Blocked::BelowMinAmount { currency, total_due, min_amount: policy.min_amount });
        }
    }
    reasons
}

/// A [`Blocked::InstalmentPlan`] per plan in force.
fn push_plan_reasons(account: &Account, policy: &Policy, today: NaiveDate, reasons: &mut Vec<Blocked>) {
    for plan in &account.plans {
        let paid = paid_towards(plan, &account.invoices);
        if let Standing::InForce { next, .. } =
            progress(plan, paid, &policy.instalments, &policy.calendar, today).standing
        {
            let (number, date, amount) = (next.number, next.due_date, next.amount);
            reasons.push(Blocked::InstalmentPlan { plan: plan.id, number, date, amount });
        }
    }
}

impl Blocked {
    /// One line for `relance status`, in the team's language.
    pub fn describe(&self, language: Language) -> String {
        let fr = language == Language::Fr;
        let prefix = |invoice: &Option<InvoiceNumber>| match (invoice, fr) {
            (Some(n), true) => format!("facture {n} : "),
            (Some(n), false) => format!("invoice {n}: "),
            (None, _) => String::new(),
        };
        let day = |d: &NaiveDate| format_date(*d, language);
        match (self, fr) {
            (Blocked::NonBusinessDay, true) => "jour non ouvré : aucune relance aujourd'hui".into(),
            (Blocked::NonBusinessDay, false) => "not a business day: no reminder today".into(),
            (Blocked::Dispute { invoice, reason }, true) => format!("{}litige en cours ({reason})", prefix(invoice)),
            (Blocked::Dispute { invoice, reason }, false) => format!("{}in dispute ({reason})", prefix(invoice)),
            (Blocked::Promise { invoice, until }, true) => {
                format!("{}promesse de paiement au {}", prefix(invoice), day(until))
            }
            (Blocked::Promise { invoice, until }, false) => {
                format!("{}promised to pay by {}", prefix(invoice), day(until))
            }
            (Blocked::Paused { invoice, until }, true) => {
                format!("{}en pause jusqu'au {}", prefix(invoice), day(until))
            }
            (Blocked::Paused { invoice, until }, false) => format!("{}paused until {}", prefix(invoice), day(until)),
            (Blocked::Cooldown { last, resumes_on }, true) => {
                format!("dernière relance le {}, prochaine possible le {}", day(last), day(resumes_on))
            }
            (Blocked::Cooldown { last, resumes_on }, false) => {
                format!("last reminder on {}, next possible on {}", day(last), day(resumes_on))
            }
            (Blocked::BelowMinAmount { currency, total_due, min_amount }, true) => {
                format!("montant dû {total_due} {currency} inférieur au minimum de {min_amount} {currency}")
            }
            (Blocked::BelowMinAmount { currency, total_due, min_amount }, false) => {
                format!("amount due {total_due} {currency} is below the minimum of {min_amount} {currency}")
            }
            (Blocked::InstalmentPlan { plan, number, date, amount }, true) => {
                format!("échéancier n° {plan} en cours : échéance {number} de {amount} le {}", day(date))
            }
            (Blocked::InstalmentPlan { plan, number, date, amount }, false) => {
                format!("instalment plan {plan} in force: instalment {number} of {amount} on {}", day(date))
            }
        }
    }
}

/// A stage's name in the middle of a reason line ("dernière relance le … (1re
/// relance)"): the wording of `render::format::stage_label`, in lower case.
/// The planner does not depend on `render`, which renders its output.
pub(super) fn stage_label(stage: Stage, language: Language) -> &'static str {
    match (language, stage) {
        (Language::Fr, Stage::PreDue) => "relance préventive",
        (Language::Fr, Stage::First) => "1re relance",
        (Language::Fr, Stage::Second) => "2e relance",
        (Language::Fr, Stage::Final) => "relance avant contentieux",
        (Language::Fr, Stage::FormalNotice) => "mise en demeure",
        (Language::En, Stage::PreDue) => "pre-due reminder",
        (Language::En, Stage::First) => "first reminder",
        (Language::En, Stage::Second) => "second reminder",
        (Language::En, Stage::Final) => "final reminder",
        (Language::En, Stage::FormalNotice) => "formal notice",
    }
}

/// An invoice whose next stage is due today.
#[derive(Debug, Clone, Copy)]
struct Due {
    /// Position in `account.invoices`.
    index: usize,
    stage: Stage,
    currency: Currency,
    amount_due: Decimal,
}

/// The ladder with its lookups resolved once per call.
struct Ladder<'p> {
    policy: &'p Policy,
    pre_due: Option<&'p StageRule>,
    /// The first stage after the due date (`first` in the default ladder).
    first_post_due: Option<&'p StageRule>,
    /// Bad-payer offsets by `Stage as usize`, so no map lookup per invoice.
    bad_offsets: [Option<i64>; Stage::ALL.len()],
}

impl<'p> Ladder<'p> {
    fn new(policy: &'p Policy) -> Self {
        let mut bad_offsets = [None; Stage::ALL.len()];
        for (stage, offset) in &policy.bad_payers.offsets {
            bad_offsets[*stage as usize] = Some(*offset);
        }
        Self {
            policy,
            pre_due: policy.rule(Stage::PreDue),
            first_post_due: policy.stages.iter().find(|r| r.stage > Stage::PreDue),
            bad_offsets,
        }
    }

    /// The stage an invoice climbs to next, judged on `day`: the one after its
    /// last stage; without history, `pre_due` while the invoice is not yet due
    /// and the first post-due stage otherwise (an invoice imported 40 days late
    /// starts at `first`, never higher). None after the last stage.
    fn candidate(&self, invoice: &InvoiceState, day: NaiveDate) -> Option<&'p StageRule> {
        match invoice.last_stage {
            Some((last, _)) => self.policy.stages.iter().find(|r| r.stage > last),
            None if day < invoice.due_date => self.pre_due.or(self.first_post_due),
            None => self.first_post_due,
        }
    }

    /// Days from the due date to the stage: the bad-payer offset replaces the
    /// rule's when the client is a bad payer.
    fn offset(&self, rule: &StageRule, bad_payer: bool) -> i64 {
        match self.bad_offsets[rule.stage as usize] {
            Some(offset) if bad_payer => offset,
            _ => rule.offset_days,
        }
    }

    fn has_bad_offset(&self, stage: Stage) -> bool {
        self.bad_offsets[stage as usize].is_some()
    }

    /// Whether `rule` is due for an invoice `days_late` days past its due
    /// date. The score is only computed when the two schedules disagree.
    fn is_due(&self, rule: &StageRule, days_late: i64, score: &mut LazyScore) -> bool {
        if rule.stage == Stage::PreDue && days_late >= 0 {
            return false;
        }
        let standard = days_late >= rule.offset_days;
        match self.bad_offsets[rule.stage as usize] {
            Some(bad) if (days_late >= bad) != standard => {
                if self.is_bad_payer(score) {
                    !standard
                } else {
                    standard
                }
            }
            _ => standard,
        }
    }

    fn is_bad_payer(&self, score: &mut LazyScore) -> bool {
        score.get() < self.policy.bad_payers.score_below
    }

    /// The stage's date for an invoice, moved to a business day.
    fn stage_date(&self, rule: &StageRule, invoice: &InvoiceState, score: &mut LazyScore) -> NaiveDate {
        let offset = self.offset(rule, self.has_bad_offset(rule.stage) && self.is_bad_payer(score));
        let raw = invoice.due_date.checked_add_signed(chrono::Duration::days(offset)).unwrap_or(invoice.due_date);
        self.policy.calendar.on_or_after(raw)
    }

    /// The next stage of an invoice and the business day it can leave, not
    /// before `floor`. A `pre_due` that could only leave once the invoice is
    /// due is replaced by the first post-due stage.
    fn next_date(&self, invoice: &InvoiceState, floor: NaiveDate, score: &mut LazyScore) -> Option<(Stage, NaiveDate)> {
        let calendar = &self.policy.calendar;
        let rule = self.candidate(invoice, floor)?;
        let date = calendar.on_or_after(floor.max(self.stage_date(rule, invoice, score)));
        if rule.stage != Stage::PreDue || date < invoice.due_date {
            return Some((rule.stage, date));
        }
        let first = self.first_post_due?;
        Some((first.stage, calendar.on_or_after(floor.max(self.stage_date(first, invoice, score)))))
    }
}

/// The payment score, computed at most once per account and only when asked.
struct LazyScore<'a> {
    account: &'a Account,
    today: NaiveDate,
    value: Option<u8>,
}

impl<'a> LazyScore<'a> {
    fn new(account: &'a Account, today: NaiveDate) -> Self {
        Self { account, today, value: None }
    }

    fn get(&mut self) -> u8 {
        *self.value.get_or_insert_with(|| payment_score(self.account, self.today).score)
    }
}

fn plan_account(account: &Account, ladder: &Ladder, today: NaiveDate, due: &mut Vec<Due>, out: &mut Vec<Proposal>) {
    let policy = ladder.policy;
    if hold_blocks(&account.hold, today)
        || cooldown_blocks_every_currency(&account.reminders, today, policy.cooldown_days)
    {
        return;
    }
    let mut score = LazyScore::new(account, today);
    collect_due(account, ladder, today, &mut score, due);
    for group in by_currency(account, due) {
        let overdue_only: Vec<Due>;
        let group = if mixes_pre_due_with_overdue(group) {
            overdue_only = group.iter().filter(|d| d.stage != Stage::PreDue).copied().collect();
            &overdue_only[..]
        } else {
            group
        };
        let currency = group[0].currency;
        if cooldown_blocks(&account.reminders, currency, today, policy.cooldown_days) {
            continue;
        }
        let total_due: Decimal = group.iter().map(|c| c.amount_due).sum();
        if total_due < policy.min_amount {
            continue;
        }
        out.push(build_proposal(account, ladder, group, total_due, &mut score, today));
    }
}

/// An invoice not yet due has no place in a reminder about late ones (least of
/// all in a formal notice): its friendly pre-due note is dropped instead.
fn mixes_pre_due_with_overdue(group: &[Due]) -> bool {
    group.iter().any(|d| d.stage == Stage::PreDue) && group.iter().any(|d| d.stage != Stage::PreDue)
}

/// Fills `due` (cleared first) with the open, unheld invoices whose next stage is due today.
fn collect_due(account: &Account, ladder: &Ladder, today: NaiveDate, score: &mut LazyScore, due: &mut Vec<Due>) {
    due.clear();
    let in_plan = plan_held(account, ladder.policy, today);
    for (index, invoice) in account.invoices.iter().enumerate() {
        let amount_due = invoice.amount_due();
        if amount_due <= Decimal::ZERO || hold_blocks(&invoice.hold, today) || in_plan.contains(&&invoice.number) {
            continue;
        }
        let Some(rule) = ladder.candidate(invoice, today) else { continue };
        if ladder.is_due(rule, invoice.days_late(today), score) {
            due.push(Due { index, stage: rule.stage, currency: invoice.currency, amount_due });
        }
    }
}

/// Sorts `due` by currency, then due date and number, and splits it per currency.
fn by_currency<'d>(account: &Account, due: &'d mut [Due]) -> impl Iterator<Item = &'d [Due]> {
    due.sort_unstable_by(|a, b| {
        let (x, y) = (&account.invoices[a.index], &account.invoices[b.index]);
        a.currency.cmp(&b.currency).then(x.due_date.cmp(&y.due_date)).then_with(|| x.number.cmp(&y.number))
    });
    due.chunk_by(|a, b| a.currency == b.currency)
}

/// The invoices an instalment plan in force holds today (none, without
/// allocating, for the many accounts without a plan).
fn plan_held<'a>(account: &'a Account, policy: &Policy, today: NaiveDate) -> Vec<&'a InvoiceNumber> {
    if account.plans.is_empty() {
        return Vec::new();
    }
    held_invoices(&account.plans, &account.invoices, &policy.instalments, &policy.calendar, today)
}

/// A dispute stops reminders; a promise or a pause delays them until the day after its date.
pub(super) fn hold_blocks(hold: &Hold, today: NaiveDate) -> bool {
    hold.dispute.is_some() || resume_date(hold, today) > today
}

/// The first day a promise or pause lets reminders out again (today when none applies).
fn resume_date(hold: &Hold, today: NaiveDate) -> NaiveDate {
    [hold.promise_date, hold.paused_until]
        .into_iter()
        .flatten()
        .filter(|until| *until >= today)
        .filter_map(|until| until.succ_opt())
        .fold(today, NaiveDate::max)
}

fn push_hold_reasons(hold: &Hold, invoice: Option<&InvoiceNumber>, today: NaiveDate, reasons: &mut Vec<Blocked>) {
    let invoice = || invoice.cloned();
    if let Some(reason) = &hold.dispute {
        reasons.push(Blocked::Dispute { invoice: invoice(), reason: reason.clone() });
    }
    if let Some(until) = hold.promise_date.filter(|d| *d >= today) {
        reasons.push(Blocked::Promise { invoice: invoice(), until });
    }
    if let Some(until) = hold.paused_until.filter(|d| *d >= today) {
        reasons.push(Blocked::Paused { invoice: invoice(), until });
    }
}

/// Whether a reminder in `currency` must wait. The cooldown is per client,
/// in calendar days, across currencies (one voice per client), with one
/// exception: reminders in two currencies may leave the same day, since
/// finance approves them together in the same digest.
fn cooldown_blocks(reminders: &[SentReminder], currency: Currency, today: NaiveDate, cooldown_days: u32) -> bool {
    reminders.iter().any(|r| {
        let age = (today - r.on).num_days();
        age < i64::from(cooldown_days) && !(age == 0 && r.currency != currency)
    })
}

/// The cheap early exit: a reminder on an earlier day within the cooldown blocks every currency.
fn cooldown_blocks_every_currency(reminders: &[SentReminder], today: NaiveDate, cooldown_days: u32) -> bool {
    reminders.iter().any(|r| {
        let age = (today - r.on).num_days();
        age != 0 && age < i64::from(cooldown_days)
    })
}

/// The first day a reminder in `currency` may leave, on or after today.
fn cooldown_resumes_on(
    reminders: &[SentReminder],
    currency: Currency,
    today: NaiveDate,
    cooldown_days: u32,
) -> NaiveDate {
    if !cooldown_blocks(reminders, currency, today, cooldown_days) {
        return today;
    }
    let last = reminders.iter().map(|r| r.on).max().unwrap_or(today);
    (last + Days::new(u64::from(cooldown_days))).max(today)
}

fn build_proposal(
    account: &Account,
    ladder: &Ladder,
    group: &[Due],
    total_due: Decimal,
    score: &mut LazyScore,
    today: NaiveDate,
) -> Proposal {
    let policy = ladder.policy;
    let client = &account.client;
    let currency = group[0].currency;
    let stage = group.iter().map(|c| c.stage).max().expect("a currency group is never empty");
    let rule = policy.rule(stage).expect("candidate stages come from the ladder");
    let mut invoices: Vec<ProposedInvoice> =
        group.iter().map(|c| proposed_invoice(&account.invoices[c.index], c, today)).collect();
    let (penalties, indemnity) = if rule.show_penalties && client.kind == ClientKind::B2b {
        state_penalties(account, group, &mut invoices, currency, policy, today)
    } else {
        (None, None)
    };
    let in_currency = || account.reminders.iter().filter(|r| r.currency == currency);
    // The message cites earlier reminders as "our reminders of …": only those
    // sent since the oldest listed invoice was issued can concern it.
    let oldest_issue = group.iter().map(|c| account.invoices[c.index].issue_date).min().unwrap_or(today);
    let previous_reminders: Vec<(Stage, NaiveDate)> =
        in_currency().filter(|r| r.on >= oldest_issue).map(|r| (r.stage, r.on)).collect();
    let score = score.get();
    let accelerated = score < policy.bad_payers.score_below && group.iter().any(|c| ladder.has_bad_offset(c.stage));
    let last = in_currency().map(|r| (r.stage, r.on)).max_by_key(|(_, on)| *on);
    let strategic = client.segment == Segment::Strategic;
    Proposal {
        id: proposal_id(&client.id, currency, today),
        date: today,
        client_id: client.id.clone(),
        client_name: client.name.clone(),
        segment: client.segment,
        kind: client.kind,
        language: client.language,
        owner: client.owner.clone(),
        stage,
        tone: if strategic { (0..policy.strategic.soften_by).fold(rule.tone, |t, _| t.softer()) } else { rule.tone },
        channels: if strategic {
            strategic_channels(&rule.channels, policy.strategic.sms)
        } else {
            rule.channels.clone()
        },
        currency,
        reason: reason(policy.language, &invoices, last, accelerated),
        invoices,
        total_due,
        penalties,
        indemnity,
        previous_reminders,
        score,
    }
}

fn proposed_invoice(invoice: &InvoiceState, due: &Due, today: NaiveDate) -> ProposedInvoice {
    ProposedInvoice {
        number: invoice.number.clone(),
        issue_date: invoice.issue_date,
        due_date: invoice.due_date,
        amount: invoice.amount,
        amount_due: due.amount_due,
        days_late: invoice.days_late(today),
        stage: due.stage,
        penalties: None,
        description: invoice.description.clone(),
    }
}

/// Penalties per invoice and in total, and the 40 € indemnity for the listed
/// invoices already past due (B2B; the caller checks).
fn state_penalties(
    account: &Account,
    group: &[Due],
    invoices: &mut [ProposedInvoice],
    currency: Currency,
    policy: &Policy,
    today: NaiveDate,
) -> (Option<Decimal>, Option<Decimal>) {
    let mut total = Decimal::ZERO;
    for (listed, due) in invoices.iter_mut().zip(group) {
        let amount = late_penalties(&account.invoices[due.index], today, &policy.penalties).total;
        listed.penalties = Some(amount);
        total += amount;
    }
    let late = invoices.iter().filter(|i| i.days_late > 0).count();
    (Some(total), indemnity(account.client.kind, currency, late, &policy.penalties))
}

/// Strategic clients get no SMS unless the policy allows it; e-mail when nothing else is left.
fn strategic_channels(channels: &[Channel], sms_allowed: bool) -> Vec<Channel> {
    let kept: Vec<Channel> = channels.iter().copied().filter(|c| sms_allowed || *c != Channel::Sms).collect();
    if kept.is_empty() {
        vec![Channel::Email]
    } else {
        kept
    }
}

/// The one-line "why today" for the digest: how late, the last reminder, and
/// whether the bad-payer schedule applied. Written into one buffer: it is
/// built for every proposal of a large ledger.
fn reason(
    language: Language,
    invoices: &[ProposedInvoice],
    last: Option<(Stage, NaiveDate)>,
    accelerated: bool,
) -> String {
    let fr = language == Language::Fr;
    let mut line = String::with_capacity(96);
    let late = invoices.iter().filter(|i| i.days_late > 0);
    let (late_count, max_late) = late.fold((0, 0), |(n, max), i| (n + 1, i.days_late.max(max)));
    // Writing to a String cannot fail.
    let _ = match (fr, late_count) {
        (_, 0) => Ok(()),
        (true, 1) => write!(line, "1 facture en retard ({max_late} j)"),
        (true, n) => write!(line, "{n} factures en retard (max {max_late} j)"),
        (false, 1) => write!(line, "1 invoice overdue ({max_late} days)"),
        (false, n) => write!(line, "{n} invoices overdue (max {max_late} days)"),
    };
    let upcoming = invoices.iter().filter(|i| i.days_late <= 0);
    let (upcoming_count, nearest) = upcoming.fold((0, i64::MAX), |(n, min), i| (n + 1, min.min(-i.days_late)));
    if upcoming_count > 0 {
        separate(&mut line, fr);
        write_falling_due(&mut line, fr, upcoming_count, nearest);
    }
    if let Some((stage, on)) = last {
        separate(&mut line, fr);
        line.push_str(if fr { "dernière relance le " } else { "last reminder on " });
        write_date(&mut line, on, language);
        let _ = write!(line, " ({})", stage_label(stage, language));
    }
    if accelerated {
        separate(&mut line, fr);
        line.push_str(if fr { "mauvais payeur : calendrier accéléré" } else { "bad payer: faster schedule" });
    }
    line
}

/// French puts a space before a semicolon.
fn separate(line: &mut String, fr: bool) {
    if !line.is_empty() {
        line.push_str(if fr { " ; " } else { "; " });
    }
}

/// "Échéance dans 3 jours" / "2 factures à échéance (la plus proche dans 2 jours)",
/// capitalized when it opens the line.
fn write_falling_due(line: &mut String, fr: bool, count: usize, nearest_days: i64) {
    let opens = line.is_empty();
    let _ = match (fr, count) {
        (true, 1) => write!(line, "{}chéance ", if opens { "É" } else { "é" }),
        (true, n) => write!(line, "{n} factures à échéance (la plus proche "),
        (false, 1) => write!(line, "{}ue ", if opens { "D" } else { "d" }),
        (false, n) => write!(line, "{n} invoices falling due (the nearest "),
    };
    let _ = match (fr, nearest_days) {
        (true, 0) => write!(line, "aujourd'hui"),
        (true, 1) => write!(line, "dans 1 jour"),
        (true, n) => write!(line, "dans {n} jours"),
        (false, 0) => write!(line, "today"),
        (false, 1) => write!(line, "in 1 day"),
        (false, n) => write!(line, "in {n} days"),
    };
    if count > 1 {
        line.push(')');
    }
}

/// 03/03/2026 for French readers, 2026-03-03 (unambiguous) in English.
fn write_date(line: &mut String, date: NaiveDate, language: Language) {
    let (y, m, d) = (date.year(), date.month(), date.day());
    let _ = match language {
        Language::Fr => write!(line, "{d:02}/{m:02}/{y}"),
        Language::En => write!(line, "{y:04}-{m:02}-{d:02}"),
    };
}

pub(super) fn format_date(date: NaiveDate, language: Language) -> String {
    let mut text = String::with_capacity(10);
    write_date(&mut text, date, language);
    text
}
