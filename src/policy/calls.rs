//! Call tasks: which clients someone should phone today, and what to say.
//!
//! The seed articles insist that writing is not enough: a call a few days
//! after the due date finds most blocks (invoice never received, purchase
//! order missing, payment already in the pipe, cash difficulty). So the
//! policy has call steps next to its written stages (`policy.calls`),
//! by default one call at J+10, between the first (J+5) and the second
//! (J+15) written reminders.
//!
//! Pure, like the planner, and with its calendar rules: nothing on a
//! non-business day; a step's date is `due + offset_days` in calendar days,
//! moved to the next business day; a step stays due until it is done. A
//! step *expires* once the invoice received the first written stage whose
//! offset lies after the call's: past that point the written escalation has
//! moved on, and an invoice imported months late does not flood the digest
//! with calls (as the planner starts such an invoice at `first`).
//!
//! A step is done for an invoice once a call reached someone (an outcome was
//! recorded), or after `max_call_attempts` unanswered attempts; a call tried
//! today is not proposed again the same day. The attempts are plain data the
//! caller reads from wherever outcomes are stored ([`CallAttempt`]).

use super::call_script::script;
use super::planner::hold_blocks;
use super::{Policy, StageRule};
use crate::domain::{ClientId, Currency, InvoiceNumber, Language, PhoneE164, Segment, Stage};
use crate::ledger::{Account, InvoiceState};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;

#[cfg(test)]
#[path = "calls_tests.rs"]
mod tests;

/// `policy.calls`: the call steps per segment and who calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallRules {
    /// Unanswered attempts (voicemail, unreachable) after which a step closes.
    pub max_call_attempts: u32,
    /// Days an *internal block* outcome (purchase order missing, validation
    /// pending…) holds reminders unless the caller says otherwise.
    pub internal_block_days: u32,
    /// Days a *payment sent* outcome holds reminders, waiting for the
    /// payment to be imported.
    pub payment_sent_grace_days: u32,
    /// Days an *invoice not received* outcome holds the next written
    /// reminder, while the duplicate reaches the client.
    pub duplicate_grace_days: u32,
    pub standard: SegmentCalls,
    pub strategic: SegmentCalls,
}

impl Default for CallRules {
    fn default() -> Self {
        Self {
            max_call_attempts: 2,
            internal_block_days: 7,
            payment_sent_grace_days: 3,
            duplicate_grace_days: 5,
            standard: SegmentCalls::default(),
            strategic: SegmentCalls::default(),
        }
    }
}

/// The calls for one segment of clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentCalls {
    /// Days from the due date of each call, climbing. Empty: never call.
    pub offset_days: Vec<i64>,
    /// Who calls. Unset: the owner for strategic clients (they know the
    /// relationship), finance otherwise.
    pub caller: Option<CallerRole>,
}

impl Default for SegmentCalls {
    fn default() -> Self {
        Self { offset_days: vec![10], caller: None }
    }
}

/// Who is expected to make a segment's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallerRole {
    Owner,
    Finance,
}

impl CallRules {
    pub fn for_segment(&self, segment: Segment) -> &SegmentCalls {
        match segment {
            Segment::Standard => &self.standard,
            Segment::Strategic => &self.strategic,
        }
    }

    /// The segment's caller, the default applied.
    pub fn caller_role(&self, segment: Segment) -> CallerRole {
        self.for_segment(segment).caller.unwrap_or(match segment {
            Segment::Strategic => CallerRole::Owner,
            Segment::Standard => CallerRole::Finance,
        })
    }

    /// What serde cannot check; errors name the key path.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_call_attempts == 0 {
            return Err("policy.calls.max_call_attempts: must be at least 1".into());
        }
        for (name, days) in [
            ("internal_block_days", self.internal_block_days),
            ("payment_sent_grace_days", self.payment_sent_grace_days),
            ("duplicate_grace_days", self.duplicate_grace_days),
        ] {
            if days == 0 {
                return Err(format!("policy.calls.{name}: must be at least 1 day"));
            }
        }
        for (name, calls) in [("standard", &self.standard), ("strategic", &self.strategic)] {
            if let Some(i) = calls.offset_days.iter().position(|o| *o < 0) {
                return Err(format!(
                    "policy.calls.{name}.offset_days[{i}]: a call is made on or after the due date (0 or more days)"
                ));
            }
            if let Some(i) = calls.offset_days.windows(2).position(|w| w[1] <= w[0]) {
                return Err(format!(
                    "policy.calls.{name}.offset_days[{}]: offsets must climb (each after the previous one)",
                    i + 1
                ));
            }
        }
        Ok(())
    }
}

/// One call made (or tried) about some invoices, as recorded by whoever
/// stores call outcomes. One attempt covers every invoice the task listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallAttempt {
    pub client_id: ClientId,
    pub invoices: Vec<InvoiceNumber>,
    /// The call step it answered (`CallTask::offset_days`).
    pub offset_days: i64,
    pub on: NaiveDate,
    /// Someone answered and an outcome was recorded; false for voicemail
    /// or unreachable, which count towards `max_call_attempts`.
    pub answered: bool,
}

/// Who should make a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Caller {
    /// The client's sales rep (a name matching `people:`).
    Owner {
        name: String,
    },
    Finance,
}

/// A call to make today: one per client, listing every invoice it is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallTask {
    /// Stable for the client and the day (outcome buttons will carry it).
    pub id: String,
    pub date: NaiveDate,
    pub client_id: ClientId,
    pub client_name: String,
    /// The person to ask for, from the clients import's `contact` column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    pub segment: Segment,
    /// The client's language: the one to speak on the phone.
    pub language: Language,
    pub phone: PhoneE164,
    /// `tel:+33612345678`.
    pub tel: String,
    /// The number as read aloud, `+33 6 12 34 56 78`.
    pub phone_display: String,
    /// The call step (days after the due date) of the most advanced invoice.
    pub offset_days: i64,
    /// 1 for a first try; more after unanswered attempts.
    pub attempt: u32,
    pub invoices: Vec<CallInvoice>,
    /// Total due per currency, in currency order.
    pub totals: Vec<CurrencyTotal>,
    /// Written reminders already sent about these invoices, oldest first.
    pub reminders: Vec<SentStage>,
    pub caller: Caller,
    /// What to say, a few short lines, in the team's language.
    pub script: Vec<String>,
}

/// An invoice a call is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallInvoice {
    pub number: InvoiceNumber,
    pub due_date: NaiveDate,
    pub currency: Currency,
    #[serde(with = "crate::domain::decimal_str")]
    pub amount_due: Decimal,
    pub days_late: i64,
    /// The last written stage it received.
    pub last_stage: Option<Stage>,
}

/// What a client owes in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrencyTotal {
    pub currency: Currency,
    #[serde(with = "crate::domain::decimal_str")]
    pub amount_due: Decimal,
}

/// A written reminder already sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentStage {
    pub stage: Stage,
    pub on: NaiveDate,
}

/// Today's call tasks over a whole ledger, most overdue first.
pub fn call_tasks(accounts: &[Account], policy: &Policy, attempts: &[CallAttempt], today: NaiveDate) -> Vec<CallTask> {
    let mut planner = CallPlanner::new(policy, attempts, today);
    planner.add(accounts);
    planner.finish()
}

/// [`call_tasks`] fed page by page, like `planner::Planner`.
pub struct CallPlanner<'p> {
    policy: &'p Policy,
    today: NaiveDate,
    business_day: bool,
    tallies: HashMap<(&'p ClientId, &'p InvoiceNumber, i64), Tally>,
    /// The day's page, not the calls left to make: see [`CallPlanner::for_the_day`].
    keep_today: bool,
    tasks: Vec<CallTask>,
}

/// The attempts on one invoice for one step.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    count: u32,
    answered: bool,
    tried_today: bool,
    /// The same, before today.
    count_before: u32,
    answered_before: bool,
}

impl<'p> CallPlanner<'p> {
    pub fn new(policy: &'p Policy, attempts: &'p [CallAttempt], today: NaiveDate) -> Self {
        let mut tallies: HashMap<_, Tally> = HashMap::new();
        for attempt in attempts {
            for number in &attempt.invoices {
                let tally = tallies.entry((&attempt.client_id, number, attempt.offset_days)).or_default();
                tally.count += 1;
                tally.answered |= attempt.answered;
                tally.tried_today |= attempt.on == today;
                if attempt.on < today {
                    tally.count_before += 1;
                    tally.answered_before |= attempt.answered;
                }
            }
        }
        let business_day = policy.calendar.is_business_day(today);
        Self { policy, today, business_day, tallies, keep_today: false, tasks: Vec::new() }
    }

    /// The day's "📞 À appeler" page rather than the calls left to make:
    /// a call tried today stays listed (its outcome is shown under it, and
    /// the hold that outcome set on its invoices does not hide it), planned
    /// from the attempts before today. So the page does not lose a call the
    /// moment someone records what came of it.
    pub fn for_the_day(policy: &'p Policy, attempts: &'p [CallAttempt], today: NaiveDate) -> Self {
        Self { keep_today: true, ..Self::new(policy, attempts, today) }
    }

    pub fn add(&mut self, accounts: &[Account]) {
        if !self.business_day {
            return;
        }
        for account in accounts {
            if let Some(task) = self.task(account) {
                self.tasks.push(task);
            }
        }
    }

    /// Most overdue first, then the client id, so two runs list the same order.
    pub fn finish(mut self) -> Vec<CallTask> {
        let most_late = |t: &CallTask| t.invoices.iter().map(|i| i.days_late).max().unwrap_or(0);
        self.tasks.sort_by(|a, b| most_late(b).cmp(&most_late(a)).then_with(|| a.client_id.cmp(&b.client_id)));
        self.tasks
    }

    fn task(&self, account: &Account) -> Option<CallTask> {
        let client = &account.client;
        let phone = client.phone.as_ref()?;
        if hold_blocks(&account.hold, self.today) {
            return None;
        }
        let offsets = &self.policy.calls.for_segment(client.segment).offset_days;
        let mut listed: Vec<(&InvoiceState, i64, u32)> = Vec::new();
        for invoice in account.invoices.iter().filter(|i| i.is_open()) {
            let Some(offset) = self.due_step(invoice, offsets) else { continue };
            let tally = self.tallies.get(&(&client.id, &invoice.number, offset)).copied().unwrap_or_default();
            let kept = self.keep_today && tally.tried_today;
            if hold_blocks(&invoice.hold, self.today) && !kept {
                continue;
            }
            let (count, answered) =
                if kept { (tally.count_before, tally.answered_before) } else { (tally.count, tally.answered) };
            if answered || (tally.tried_today && !kept) || count >= self.policy.calls.max_call_attempts {
                continue;
            }
            listed.push((invoice, offset, count));
        }
        if listed.is_empty() {
            return None;
        }
        listed.sort_by(|a, b| a.0.due_date.cmp(&b.0.due_date).then_with(|| a.0.number.cmp(&b.0.number)));
        Some(self.build(account, phone, &listed))
    }

    /// The latest call step whose date has come and that has not expired.
    fn due_step(&self, invoice: &InvoiceState, offsets: &[i64]) -> Option<i64> {
        let calendar = &self.policy.calendar;
        offsets.iter().rev().copied().find(|&offset| {
            let raw = invoice.due_date.checked_add_signed(chrono::Duration::days(offset)).unwrap_or(invoice.due_date);
            calendar.on_or_after(raw) <= self.today && !expired(invoice, offset, &self.policy.stages)
        })
    }

    fn build(&self, account: &Account, phone: &PhoneE164, listed: &[(&InvoiceState, i64, u32)]) -> CallTask {
        let client = &account.client;
        let invoices: Vec<CallInvoice> = listed
            .iter()
            .map(|(invoice, _, _)| CallInvoice {
                number: invoice.number.clone(),
                due_date: invoice.due_date,
                currency: invoice.currency,
                amount_due: invoice.amount_due(),
                days_late: invoice.days_late(self.today),
                last_stage: invoice.last_stage.map(|(stage, _)| stage),
            })
            .collect();
        let oldest_issue = listed.iter().map(|(i, _, _)| i.issue_date).min().unwrap_or(self.today);
        let reminders: Vec<SentStage> = account
            .reminders
            .iter()
            .filter(|r| r.on >= oldest_issue)
            .map(|r| SentStage { stage: r.stage, on: r.on })
            .collect();
        let caller = match (self.policy.calls.caller_role(client.segment), &client.owner) {
            (CallerRole::Owner, Some(name)) => Caller::Owner { name: name.clone() },
            _ => Caller::Finance,
        };
        CallTask {
            id: call_task_id(&client.id, self.today),
            date: self.today,
            client_id: client.id.clone(),
            client_name: client.name.clone(),
            contact_name: client.contact_name.as_deref().and_then(contact_shown),
            segment: client.segment,
            language: client.language,
            phone: phone.clone(),
            tel: phone.tel_uri(),
            phone_display: phone.international(),
            offset_days: listed.iter().map(|l| l.1).max().unwrap_or_default(),
            attempt: listed.iter().map(|l| l.2).max().unwrap_or_default() + 1,
            script: script(
                &invoices,
                &reminders,
                client.contact_name.as_deref().and_then(contact_shown).as_deref(),
                self.policy.language,
            ),
            totals: totals(&invoices),
            invoices,
            reminders,
            caller,
        }
    }
}

/// The contact's name as every renderer may show it without escaping:
/// letters, digits, spaces and `. - ' ’ , ( )` only (no `<`, `@`, `*`, `[`
/// that a chat would read as a mention or markup), at most 80 characters.
pub fn contact_shown(raw: &str) -> Option<String> {
    let kept: String = raw.chars().filter(|c| c.is_alphanumeric() || " .-'’,()".contains(*c)).collect();
    let words: Vec<&str> = kept.split_whitespace().collect();
    let shown: String = words.join(" ").chars().take(80).collect();
    Some(shown).filter(|s| !s.is_empty())
}

/// Whether the written escalation has moved past a call step: the invoice
/// received the first written stage planned after the call.
fn expired(invoice: &InvoiceState, offset: i64, stages: &[StageRule]) -> bool {
    let Some(after) = stages.iter().find(|r| r.stage != Stage::PreDue && r.offset_days > offset) else {
        return false;
    };
    invoice.last_stage.is_some_and(|(stage, _)| stage >= after.stage)
}

fn totals(invoices: &[CallInvoice]) -> Vec<CurrencyTotal> {
    let mut totals: Vec<CurrencyTotal> = Vec::new();
    for invoice in invoices {
        match totals.iter_mut().find(|t| t.currency == invoice.currency) {
            Some(total) => total.amount_due += invoice.amount_due,
            None => totals.push(CurrencyTotal { currency: invoice.currency, amount_due: invoice.amount_due }),
        }
    }
    totals.sort_by_key(|t| t.currency);
    totals
}

/// `20260316-c-` and a hash of the client: stable through the day like a
/// proposal id, distinct from the client's reminder proposal, and never
/// revealing the client.
pub fn call_task_id(client: &ClientId, today: NaiveDate) -> String {
    let digest = Sha256::new().chain_update(b"call\x1f").chain_update(client.as_str().as_bytes()).finalize();
    let mut id = format!("{:04}{:02}{:02}-c-", today.year(), today.month(), today.day());
    for byte in &digest[..5] {
        let _ = write!(id, "{byte:02x}");
    }
    id
}
