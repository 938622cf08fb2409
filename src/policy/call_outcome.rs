//! What came of a call, and what it changes: the outcomes credit managers
//! record after phoning a client (issue 6), each with the inputs it needs
//! and its consequence as plain data — the hold to put on the call's
//! invoices, whom to tell — which the shell stores (`serve::call_outcomes`).
//!
//! Pure: today is an argument. The holds are invoice-level (the call was
//! about these invoices, not the whole account) and made of the same
//! [`HoldChange`]s as `/relance pause|promise|dispute`, so the planner, the
//! sender's re-check and `relance status` read them like any other hold.

use super::calls::CallRules;
use crate::domain::{EmailAddress, Language};
use crate::holds::HoldChange;
use crate::ledger::Hold;
use crate::render::format;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// The kinds of answer a call gets, as stored (`call_attempts.outcome`) and
/// carried by the digest's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Promise,
    NotReceived,
    PaymentSent,
    Dispute,
    InternalBlock,
    CashDifficulty,
    Voicemail,
}

/// What the caller must give before an outcome is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asks {
    /// Nothing: recorded at the click.
    Nothing,
    /// The promised date.
    Date,
    /// A reason (the dispute's).
    Reason,
    /// A reason, and days to hold (a default offered).
    ReasonAndDays,
    /// Only a confirmation: what was said is noted with the outcome.
    Confirmation,
    /// The e-mail address the copy of the invoices goes to: the caller
    /// confirms the client's address from the ledger or types the one the
    /// client just gave on the phone.
    Address,
}

impl OutcomeKind {
    /// In the order the buttons show them: the most common answers first.
    pub const ALL: [OutcomeKind; 7] = [
        OutcomeKind::Promise,
        OutcomeKind::NotReceived,
        OutcomeKind::PaymentSent,
        OutcomeKind::Dispute,
        OutcomeKind::InternalBlock,
        OutcomeKind::CashDifficulty,
        OutcomeKind::Voicemail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Promise => "promise",
            OutcomeKind::NotReceived => "not_received",
            OutcomeKind::PaymentSent => "payment_sent",
            OutcomeKind::Dispute => "dispute",
            OutcomeKind::InternalBlock => "internal_block",
            OutcomeKind::CashDifficulty => "cash_difficulty",
            OutcomeKind::Voicemail => "voicemail",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Someone answered: the call step is done. A voicemail is not, and
    /// counts towards `max_call_attempts`.
    pub fn answered(self) -> bool {
        self != OutcomeKind::Voicemail
    }

    /// What the modal asks. Every outcome but a voicemail opens one: the
    /// consequences (a hold of several days) deserve a second look.
    pub fn asks(self) -> Asks {
        match self {
            OutcomeKind::Voicemail => Asks::Nothing,
            OutcomeKind::Promise => Asks::Date,
            OutcomeKind::Dispute => Asks::Reason,
            OutcomeKind::InternalBlock => Asks::ReasonAndDays,
            OutcomeKind::NotReceived => Asks::Address,
            OutcomeKind::PaymentSent | OutcomeKind::CashDifficulty => Asks::Confirmation,
        }
    }

    /// The button's text.
    pub fn label(self, lang: Language) -> &'static str {
        let fr = lang == Language::Fr;
        match self {
            OutcomeKind::Promise if fr => "Paiera le…",
            OutcomeKind::Promise => "Will pay on…",
            OutcomeKind::NotReceived if fr => "Facture non reçue",
            OutcomeKind::NotReceived => "Invoice not received",
            OutcomeKind::PaymentSent if fr => "Paiement envoyé",
            OutcomeKind::PaymentSent => "Payment sent",
            OutcomeKind::Dispute if fr => "Litige",
            OutcomeKind::Dispute => "Dispute",
            OutcomeKind::InternalBlock if fr => "Blocage interne",
            OutcomeKind::InternalBlock => "Internal block",
            OutcomeKind::CashDifficulty if fr => "Difficulté de trésorerie",
            OutcomeKind::CashDifficulty => "Cash difficulty",
            OutcomeKind::Voicemail if fr => "Messagerie / injoignable",
            OutcomeKind::Voicemail => "Voicemail / unreachable",
        }
    }
}

/// An outcome with what it needs: only valid ones exist (see [`read`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Promise {
        by: NaiveDate,
    },
    /// The copy goes to `to`, the address the caller confirmed (`None` only
    /// for an outcome recorded before the address was asked).
    NotReceived {
        to: Option<EmailAddress>,
    },
    PaymentSent,
    Dispute {
        reason: String,
    },
    InternalBlock {
        reason: String,
        days: u32,
    },
    CashDifficulty,
    Voicemail,
}

impl Outcome {
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::Promise { .. } => OutcomeKind::Promise,
            Outcome::NotReceived { .. } => OutcomeKind::NotReceived,
            Outcome::PaymentSent => OutcomeKind::PaymentSent,
            Outcome::Dispute { .. } => OutcomeKind::Dispute,
            Outcome::InternalBlock { .. } => OutcomeKind::InternalBlock,
            Outcome::CashDifficulty => OutcomeKind::CashDifficulty,
            Outcome::Voicemail => OutcomeKind::Voicemail,
        }
    }

    pub fn promised_for(&self) -> Option<NaiveDate> {
        match self {
            Outcome::Promise { by } => Some(*by),
            _ => None,
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Dispute { reason } | Outcome::InternalBlock { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// Where the copy of a "not received" went.
    pub fn copy_to(&self) -> Option<&EmailAddress> {
        match self {
            Outcome::NotReceived { to } => to.as_ref(),
            _ => None,
        }
    }

    pub fn days(&self) -> Option<u32> {
        match self {
            Outcome::InternalBlock { days, .. } => Some(*days),
            _ => None,
        }
    }

    /// Back from its stored columns; `None` when they do not fit the kind.
    pub fn from_parts(
        kind: OutcomeKind,
        promised_for: Option<NaiveDate>,
        reason: Option<String>,
        days: Option<u32>,
        copy_to: Option<EmailAddress>,
    ) -> Option<Self> {
        Some(match kind {
            OutcomeKind::Promise => Outcome::Promise { by: promised_for? },
            OutcomeKind::NotReceived => Outcome::NotReceived { to: copy_to },
            OutcomeKind::PaymentSent => Outcome::PaymentSent,
            OutcomeKind::Dispute => Outcome::Dispute { reason: reason? },
            OutcomeKind::InternalBlock => Outcome::InternalBlock { reason: reason?, days: days? },
            OutcomeKind::CashDifficulty => Outcome::CashDifficulty,
            OutcomeKind::Voicemail => Outcome::Voicemail,
        })
    }

    /// "promesse au 20/03/2026", "litige (prix)": the outcome in a line.
    pub fn describe(&self, lang: Language) -> String {
        let fr = lang == Language::Fr;
        match self {
            Outcome::Promise { by } if fr => format!("promesse au {}", format::date(*by, lang)),
            Outcome::Promise { by } => format!("promised for {}", format::date(*by, lang)),
            Outcome::NotReceived { to: Some(to) } if fr => format!("facture non reçue, copie à {}", to.as_str()),
            Outcome::NotReceived { to: Some(to) } => format!("invoice not received, copy to {}", to.as_str()),
            Outcome::NotReceived { to: None } if fr => "facture non reçue".into(),
            Outcome::NotReceived { to: None } => "invoice not received".into(),
            Outcome::PaymentSent if fr => "paiement envoyé".into(),
            Outcome::PaymentSent => "payment sent".into(),
            Outcome::Dispute { reason } if fr => format!("litige ({reason})"),
            Outcome::Dispute { reason } => format!("dispute ({reason})"),
            Outcome::InternalBlock { reason, days } if fr => format!("blocage interne ({reason}), {days} j"),
            Outcome::InternalBlock { reason, days } => format!("internal block ({reason}), {days} days"),
            Outcome::CashDifficulty if fr => "difficulté de trésorerie".into(),
            Outcome::CashDifficulty => "cash difficulty".into(),
            Outcome::Voicemail if fr => "messagerie / injoignable".into(),
            Outcome::Voicemail => "voicemail / unreachable".into(),
        }
    }
}

/// What the caller typed in the modal, as read (nothing checked yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutcomeForm {
    pub date: Option<NaiveDate>,
    pub reason: Option<String>,
    /// The days typed, as text: a bad number is named in the refusal.
    pub days: Option<String>,
    /// The address typed for the copy (pre-filled with the ledger's).
    pub email: Option<String>,
}

/// Why an outcome cannot be recorded as given; nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeRefusal {
    NoDate,
    DateInThePast(NaiveDate),
    NoReason,
    BadDays(String),
    /// No address typed and none in the ledger.
    NoAddress,
    /// What was typed is not an e-mail address: the text and why.
    BadAddress {
        typed: String,
        why: String,
    },
}

/// The longest hold a caller may set for an internal block.
pub const MAX_BLOCK_DAYS: u32 = 90;

impl OutcomeRefusal {
    pub fn text(&self, lang: Language) -> String {
        let fr = lang == Language::Fr;
        match self {
            OutcomeRefusal::NoDate if fr => "Indiquez la date promise.".into(),
            OutcomeRefusal::NoDate => "Give the promised date.".into(),
            OutcomeRefusal::DateInThePast(d) if fr => {
                format!(
                    "Le {} est passé : une promesse porte sur aujourd'hui ou un jour à venir.",
                    format::date(*d, lang)
                )
            }
            OutcomeRefusal::DateInThePast(d) => {
                format!("{} has passed: a promise is for today or a day to come.", format::date(*d, lang))
            }
            OutcomeRefusal::NoReason if fr => "Indiquez le motif.".into(),
            OutcomeRefusal::NoReason => "Give the reason.".into(),
            OutcomeRefusal::BadDays(text) if fr => {
                format!("« {text} » : indiquez un nombre de jours entre 1 et {MAX_BLOCK_DAYS}.")
            }
            OutcomeRefusal::BadDays(text) => format!("\"{text}\": give a number of days from 1 to {MAX_BLOCK_DAYS}."),
            OutcomeRefusal::NoAddress if fr => {
                "Ce client n'a pas d'adresse e-mail dans le registre : indiquez celle où envoyer la copie.".into()
            }
            OutcomeRefusal::NoAddress => {
                "This client has no e-mail address in the ledger: give the one the copy should go to.".into()
            }
            OutcomeRefusal::BadAddress { typed, why } if fr => {
                format!("« {typed} » n'est pas une adresse e-mail ({why}) : rien n'a été enregistré.")
            }
            OutcomeRefusal::BadAddress { typed, why } => {
                format!("\"{typed}\" is not an e-mail address ({why}): nothing was recorded.")
            }
        }
    }
}

/// Reads the form for an outcome of `kind`: a promise needs a date, today
/// or later; a dispute and an internal block a reason; an internal block's
/// days default to `policy.calls.internal_block_days`; "not received" an
/// address for the copy, the one typed or else `client_email`, the
/// client's in the ledger.
pub fn read(
    kind: OutcomeKind,
    form: &OutcomeForm,
    client_email: Option<&EmailAddress>,
    rules: &CallRules,
    today: NaiveDate,
) -> Result<Outcome, OutcomeRefusal> {
    let reason = || form.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    Ok(match kind {
        OutcomeKind::Promise => match form.date {
            None => return Err(OutcomeRefusal::NoDate),
            Some(by) if by < today => return Err(OutcomeRefusal::DateInThePast(by)),
            Some(by) => Outcome::Promise { by },
        },
        OutcomeKind::Dispute => Outcome::Dispute { reason: reason().ok_or(OutcomeRefusal::NoReason)? },
        OutcomeKind::InternalBlock => {
            let reason = reason().ok_or(OutcomeRefusal::NoReason)?;
            let days = match form.days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
                None => rules.internal_block_days,
                Some(text) => match text.parse::<u32>() {
                    Ok(days) if (1..=MAX_BLOCK_DAYS).contains(&days) => days,
                    _ => return Err(OutcomeRefusal::BadDays(text.to_string())),
                },
            };
            Outcome::InternalBlock { reason, days }
        }
        OutcomeKind::NotReceived => Outcome::NotReceived { to: Some(copy_address(form, client_email)?) },
        OutcomeKind::PaymentSent => Outcome::PaymentSent,
        OutcomeKind::CashDifficulty => Outcome::CashDifficulty,
        OutcomeKind::Voicemail => Outcome::Voicemail,
    })
}

/// The address typed, checked; empty means the ledger's; neither is a
/// refusal asking for one. A typed text is echoed at most 80 characters.
fn copy_address(form: &OutcomeForm, client_email: Option<&EmailAddress>) -> Result<EmailAddress, OutcomeRefusal> {
    match form.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(typed) => EmailAddress::parse(typed).map_err(|e| OutcomeRefusal::BadAddress {
            typed: format::truncate_chars(typed, 80),
            why: e.why.to_string(),
        }),
        None => client_email.cloned().ok_or(OutcomeRefusal::NoAddress),
    }
}

/// What an outcome does, beyond being recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consequence {
    /// The hold to put on each of the call's invoices.
    pub hold: Option<HoldChange>,
    /// The client's owner should hear of it (a dispute, an internal block).
    pub notify_owner: bool,
    /// An instalment plan may be proposed (`/relance echeancier`).
    pub offer_instalments: bool,
}

/// The consequence of `outcome` recorded `today`. A pause lasts N days
/// counting today, the last one included (`Hold::paused_until`).
pub fn consequence(outcome: &Outcome, rules: &CallRules, today: NaiveDate) -> Consequence {
    let pause = |days: u32| HoldChange::Pause { until: today + Days::new(u64::from(days)) };
    let (hold, notify_owner, offer_instalments) = match outcome {
        Outcome::Promise { by } => (Some(HoldChange::Promise { by: *by }), false, false),
        Outcome::NotReceived { .. } => (Some(pause(rules.duplicate_grace_days)), false, false),
        Outcome::PaymentSent => (Some(pause(rules.payment_sent_grace_days)), false, false),
        Outcome::Dispute { reason } => (Some(HoldChange::Dispute { reason: reason.clone() }), true, false),
        Outcome::InternalBlock { days, .. } => (Some(pause(*days)), true, false),
        Outcome::CashDifficulty => (None, false, true),
        Outcome::Voicemail => (None, false, false),
    };
    Consequence { hold, notify_owner, offer_instalments }
}

/// An invoice's hold once the change is made: like [`HoldChange::apply`],
/// except that a pause never shortens a longer one already there.
pub fn held(change: &HoldChange, current: &Hold) -> Hold {
    let next = change.apply(current);
    match (current.paused_until, next.paused_until) {
        (Some(before), Some(after)) if before > after => Hold { paused_until: Some(before), ..next },
        _ => next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn form(date: Option<&str>, reason: Option<&str>, days: Option<&str>) -> OutcomeForm {
        OutcomeForm { date: date.map(d), reason: reason.map(String::from), days: days.map(String::from), email: None }
    }

    fn email(text: &str) -> EmailAddress {
        EmailAddress::parse(text).unwrap()
    }

    #[test]
    fn each_outcome_reads_what_it_needs_or_says_what_is_missing() {
        let rules = CallRules::default();
        let today = d("2026-03-16");
        let cases: Vec<(OutcomeKind, OutcomeForm, Result<Outcome, OutcomeRefusal>)> = vec![
            (OutcomeKind::Promise, form(Some("2026-03-20"), None, None), Ok(Outcome::Promise { by: d("2026-03-20") })),
            (OutcomeKind::Promise, form(Some("2026-03-16"), None, None), Ok(Outcome::Promise { by: today })),
            (OutcomeKind::Promise, form(None, None, None), Err(OutcomeRefusal::NoDate)),
            (
                OutcomeKind::Promise,
                form(Some("2026-03-15"), None, None),
                Err(OutcomeRefusal::DateInThePast(d("2026-03-15"))),
            ),
            (OutcomeKind::Dispute, form(None, Some(" prix "), None), Ok(Outcome::Dispute { reason: "prix".into() })),
            (OutcomeKind::Dispute, form(None, Some("  "), None), Err(OutcomeRefusal::NoReason)),
            (
                OutcomeKind::InternalBlock,
                form(None, Some("bon de commande"), None),
                Ok(Outcome::InternalBlock { reason: "bon de commande".into(), days: 7 }),
            ),
            (
                OutcomeKind::InternalBlock,
                form(None, Some("validation"), Some(" 12 ")),
                Ok(Outcome::InternalBlock { reason: "validation".into(), days: 12 }),
            ),
            (OutcomeKind::InternalBlock, form(None, Some("x"), Some("0")), Err(OutcomeRefusal::BadDays("0".into()))),
            (
                OutcomeKind::InternalBlock,
                form(None, Some("x"), Some("dix")),
                Err(OutcomeRefusal::BadDays("dix".into())),
            ),
            (OutcomeKind::InternalBlock, form(None, None, Some("3")), Err(OutcomeRefusal::NoReason)),
            (OutcomeKind::PaymentSent, form(None, None, None), Ok(Outcome::PaymentSent)),
            (OutcomeKind::CashDifficulty, form(None, None, None), Ok(Outcome::CashDifficulty)),
            (OutcomeKind::Voicemail, form(None, None, None), Ok(Outcome::Voicemail)),
        ];
        let ledger = email("compta@martin.fr");
        for (kind, form, expected) in cases {
            assert_eq!(read(kind, &form, Some(&ledger), &rules, today), expected, "{kind:?} {form:?}");
        }
        assert!(OutcomeRefusal::BadDays("dix".into()).text(Language::Fr).contains("« dix »"));
    }

    #[test]
    fn not_received_sends_the_copy_to_the_address_confirmed_or_says_what_is_wrong() {
        let rules = CallRules::default();
        let today = d("2026-03-16");
        let typed = |text: Option<&str>| OutcomeForm { email: text.map(String::from), ..OutcomeForm::default() };
        let to = |text: &str| Ok(Outcome::NotReceived { to: Some(email(text)) });
        let ledger = email("compta@martin.fr");
        type Case = (Option<&'static str>, bool, Result<Outcome, OutcomeRefusal>);
        let cases: Vec<Case> = vec![
            // The ledger's address, confirmed as pre-filled, or left empty.
            (Some("compta@martin.fr"), true, to("compta@martin.fr")),
            (None, true, to("compta@martin.fr")),
            (Some("   "), true, to("compta@martin.fr")),
            // The address the client gave on the phone wins over the ledger's.
            (Some(" jeanne@martin.fr "), true, to("jeanne@martin.fr")),
            (Some("jeanne@martin.fr"), false, to("jeanne@martin.fr")),
            // Nothing anywhere: the caller is asked for one.
            (None, false, Err(OutcomeRefusal::NoAddress)),
            (Some(""), false, Err(OutcomeRefusal::NoAddress)),
            // A malformed address is refused, naming it, even with a ledger address.
            (
                Some("jeanne.martin.fr"),
                true,
                Err(OutcomeRefusal::BadAddress { typed: "jeanne.martin.fr".into(), why: "has no @".into() }),
            ),
            (
                Some("jeanne @martin.fr"),
                true,
                Err(OutcomeRefusal::BadAddress {
                    typed: "jeanne @martin.fr".into(),
                    why: "contains spaces or separators (one address per field)".into(),
                }),
            ),
        ];
        for (text, has_ledger, expected) in cases {
            let got = read(OutcomeKind::NotReceived, &typed(text), has_ledger.then_some(&ledger), &rules, today);
            assert_eq!(got, expected, "{text:?} ledger: {has_ledger}");
        }
        let bad = OutcomeRefusal::BadAddress { typed: "x".into(), why: "has no @".into() };
        assert_eq!(bad.text(Language::Fr), "« x » n'est pas une adresse e-mail (has no @) : rien n'a été enregistré.");
        assert!(OutcomeRefusal::NoAddress.text(Language::En).contains("no e-mail address in the ledger"));
        let noted = Outcome::NotReceived { to: Some(email("jeanne@martin.fr")) };
        assert_eq!(noted.describe(Language::Fr), "facture non reçue, copie à jeanne@martin.fr");
        assert_eq!(noted.copy_to(), Some(&email("jeanne@martin.fr")));
    }

    #[test]
    fn each_outcome_holds_the_invoices_as_the_policy_says() {
        let rules = CallRules {
            internal_block_days: 7,
            payment_sent_grace_days: 3,
            duplicate_grace_days: 5,
            ..CallRules::default()
        };
        let today = d("2026-03-16");
        let pause = |until: &str| Some(HoldChange::Pause { until: d(until) });
        let cases: Vec<(Outcome, Option<HoldChange>, bool, bool)> = vec![
            (Outcome::Promise { by: d("2026-03-20") }, Some(HoldChange::Promise { by: d("2026-03-20") }), false, false),
            (Outcome::NotReceived { to: None }, pause("2026-03-21"), false, false),
            (Outcome::PaymentSent, pause("2026-03-19"), false, false),
            (
                Outcome::Dispute { reason: "prix".into() },
                Some(HoldChange::Dispute { reason: "prix".into() }),
                true,
                false,
            ),
            (Outcome::InternalBlock { reason: "BC".into(), days: 10 }, pause("2026-03-26"), true, false),
            (Outcome::CashDifficulty, None, false, true),
            (Outcome::Voicemail, None, false, false),
        ];
        for (outcome, hold, notify_owner, offer_instalments) in cases {
            let got = consequence(&outcome, &rules, today);
            assert_eq!(got, Consequence { hold, notify_owner, offer_instalments }, "{outcome:?}");
        }
    }

    #[test]
    fn only_a_voicemail_leaves_the_call_unanswered_and_kinds_round_trip() {
        for kind in OutcomeKind::ALL {
            assert_eq!(OutcomeKind::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.answered(), kind != OutcomeKind::Voicemail);
            assert_eq!(kind.asks() == Asks::Nothing, kind == OutcomeKind::Voicemail);
        }
        assert_eq!(OutcomeKind::parse("maybe"), None);
        let block = Outcome::InternalBlock { reason: "BC".into(), days: 4 };
        assert_eq!(Outcome::from_parts(block.kind(), None, Some("BC".into()), Some(4), None), Some(block));
        assert_eq!(Outcome::from_parts(OutcomeKind::Promise, None, None, None, None), None);
        let copy = Outcome::NotReceived { to: Some(email("jeanne@martin.fr")) };
        assert_eq!(Outcome::from_parts(copy.kind(), None, None, None, copy.copy_to().cloned()), Some(copy));
    }

    #[test]
    fn a_pause_never_shortens_a_longer_one() {
        let current = Hold { paused_until: Some(d("2026-04-30")), ..Hold::default() };
        let next = held(&HoldChange::Pause { until: d("2026-03-19") }, &current);
        assert_eq!(next.paused_until, Some(d("2026-04-30")));
        let next = held(&HoldChange::Promise { by: d("2026-03-20") }, &current);
        assert_eq!((next.promise_date, next.paused_until), (Some(d("2026-03-20")), Some(d("2026-04-30"))));
        assert_eq!(
            held(&HoldChange::Pause { until: d("2026-03-19") }, &Hold::default()).paused_until,
            Some(d("2026-03-19"))
        );
    }
}
