//! Probe proposals: reminders made of sentinel values, for the mandatory
//! mentions check to render and search.
//!
//! Every value is distinct and none is part of another (two-digit days, no
//! amount inside another), so finding `19/02/2031` in a rendering proves the
//! due date of the second invoice is there and nothing else. Two invoices,
//! so a template that shows only the first one is caught.

use crate::domain::{
    Channel, ClientId, ClientKind, Currency, InvoiceNumber, Language, ProposalId, Segment, Stage, Tone,
};
use crate::policy::{Proposal, ProposedInvoice};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Where in the ladder the probe stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// Before the due date (stage `pre_due`).
    PreDue,
    /// A first reminder: no previous one to cite.
    First,
    /// A later reminder, citing the previous ones: stage `second`, or the
    /// stage the tone belongs to (`final` for pre-litigation, `formal_notice`).
    Later,
}

impl Moment {
    pub fn label(self) -> &'static str {
        match self {
            Moment::PreDue => "before the due date",
            Moment::First => "first reminder",
            Moment::Later => "second reminder or later",
        }
    }
}

/// One case the check renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Case {
    /// The body template's name (`firm`, `strategic`, …).
    pub template: &'static str,
    /// The tone and segment that select it.
    pub tone: Tone,
    pub segment: Segment,
    pub language: Language,
    pub kind: ClientKind,
    pub moment: Moment,
}

/// The body templates and the tone and segment that select each.
const TEMPLATES: [(&str, Tone, Segment); 6] = [
    ("friendly", Tone::Friendly, Segment::Standard),
    ("courteous", Tone::Courteous, Segment::Standard),
    ("firm", Tone::Firm, Segment::Standard),
    ("strategic", Tone::Courteous, Segment::Strategic),
    ("pre_litigation", Tone::PreLitigation, Segment::Standard),
    ("formal", Tone::Formal, Segment::Standard),
];

/// Every case: each template × language × B2B/B2C × moment (no pre-due
/// case for the pre-litigation and formal tones, which never come before it).
pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (template, tone, segment) in TEMPLATES {
        for language in [Language::Fr, Language::En] {
            for kind in [ClientKind::B2b, ClientKind::B2c] {
                for moment in [Moment::PreDue, Moment::First, Moment::Later] {
                    if moment == Moment::PreDue && legal_tone(tone) {
                        continue;
                    }
                    cases.push(Case { template, tone, segment, language, kind, moment });
                }
            }
        }
    }
    cases
}

/// Tones whose reminders to a business must state penalties and the indemnity.
pub fn legal_tone(tone: Tone) -> bool {
    matches!(tone, Tone::PreLitigation | Tone::Formal)
}

/// The probe's sentinel values.
pub struct Sentinels;

impl Sentinels {
    pub const CLIENT: &'static str = "Probe Client SAS";
    pub const NUMBERS: [&'static str; 2] = ["F-PROBE-101", "F-PROBE-202"];
    /// Client-supplied text with markup in it: must come out escaped in HTML.
    pub const DESCRIPTIONS: [&'static str; 2] = ["Maintenance <probe> & co", "Formation Q1"];
    pub const MARKUP: &'static str = "<probe>";
    pub const PENALTIES: Decimal = Decimal::from_parts(3141, 0, 0, false, 2);
    /// 40 € for each of the two invoices.
    pub const INDEMNITY: Decimal = Decimal::from_parts(80, 0, 0, false, 0);
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a valid probe date")
}

/// The probe proposal of a case.
pub fn proposal(case: &Case) -> Proposal {
    let (stage, today, previous) = ladder(case.moment, case.tone);
    let days_late = |due: NaiveDate| (today - due).num_days();
    let invoice = |i: usize, issue: NaiveDate, due: NaiveDate, amount: Decimal, amount_due: Decimal| ProposedInvoice {
        number: InvoiceNumber::parse(Sentinels::NUMBERS[i]).expect("a valid probe number"),
        issue_date: issue,
        due_date: due,
        amount,
        amount_due,
        days_late: days_late(due),
        stage,
        penalties: None,
        description: Sentinels::DESCRIPTIONS[i].into(),
    };
    let invoices = vec![
        invoice(0, d(2031, 1, 13), d(2031, 2, 12), Decimal::new(150_000, 2), Decimal::new(123_456, 2)),
        invoice(1, d(2031, 1, 20), d(2031, 2, 19), Decimal::new(700_000, 2), Decimal::new(678_901, 2)),
    ];
    // Consumers get them too, as a planner's mistake would: none may show.
    let legal = case.kind == ClientKind::B2c || legal_tone(case.tone);
    Proposal {
        id: ProposalId::parse("probe").expect("a valid probe id"),
        date: today,
        client_id: ClientId::parse("PROBE").expect("a valid probe client id"),
        client_name: Sentinels::CLIENT.into(),
        segment: case.segment,
        kind: case.kind,
        language: case.language,
        owner: None,
        stage,
        tone: case.tone,
        channels: vec![Channel::Email],
        currency: Currency::EUR,
        total_due: invoices.iter().map(|i| i.amount_due).sum(),
        invoices,
        penalties: legal.then_some(Sentinels::PENALTIES),
        indemnity: legal.then_some(Sentinels::INDEMNITY),
        previous_reminders: previous,
        score: 50,
        reason: String::new(),
    }
}

/// The stage, the day and the previous reminders of a moment.
fn ladder(moment: Moment, tone: Tone) -> (Stage, NaiveDate, Vec<(Stage, NaiveDate)>) {
    let earlier = [(Stage::First, d(2031, 3, 11)), (Stage::Second, d(2031, 3, 18)), (Stage::Final, d(2031, 3, 25))];
    match moment {
        Moment::PreDue => (Stage::PreDue, d(2031, 2, 10), vec![]),
        Moment::First => (Stage::First, d(2031, 2, 24), vec![]),
        Moment::Later => {
            let stage = match tone {
                Tone::Formal => Stage::FormalNotice,
                Tone::PreLitigation => Stage::Final,
                _ => Stage::Second,
            };
            let previous = earlier.into_iter().filter(|(s, _)| *s < stage).collect();
            (stage, d(2031, 3, 27), previous)
        }
    }
}
