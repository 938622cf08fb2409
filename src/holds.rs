//! Changing what stops reminders — a pause, a dispute, a promise to pay —
//! whoever asks: `relance pause|dispute|promise|resolve` in the terminal and
//! `/relance pause|resume|promise|dispute|resolve` in the chat make the same
//! checks and the same stored change, with its audit entry naming who and
//! through which platform (`Store::set_hold`), so the planner, the digest and
//! `relance status` all see it.

use crate::domain::{ClientId, InvoiceNumber, Language};
use crate::ledger::Hold;
use crate::render::format;
use crate::store::{Actor, HoldTarget, Store};
use chrono::NaiveDate;

/// One change to a hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldChange {
    /// No reminder up to and including this day.
    Pause { until: NaiveDate },
    /// Lifts the pause (a dispute or a promise stays).
    Resume,
    /// The client promised to pay by this day: no reminder until then.
    Promise { by: NaiveDate },
    /// No reminder until the dispute is resolved.
    Dispute { reason: String },
    /// Lifts every hold: the dispute is settled, and a promise or a pause with it.
    Resolve,
}

/// A change that makes no sense; nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldRefusal {
    PauseInThePast(NaiveDate),
    PromiseInThePast(NaiveDate),
    NoReason,
}

impl HoldRefusal {
    pub fn text(&self, lang: Language) -> String {
        let fr = lang == Language::Fr;
        match self {
            HoldRefusal::PauseInThePast(d) if fr => {
                format!("Le {} est passé : une pause va jusqu'à un jour à venir.", format::date(*d, lang))
            }
            HoldRefusal::PauseInThePast(d) => {
                format!("{} has passed: a pause lasts until a day to come.", format::date(*d, lang))
            }
            HoldRefusal::PromiseInThePast(d) if fr => {
                format!("Le {} est passé : une promesse de paiement porte sur un jour à venir.", format::date(*d, lang))
            }
            HoldRefusal::PromiseInThePast(d) => {
                format!("{} has passed: a promise to pay is for a day to come.", format::date(*d, lang))
            }
            HoldRefusal::NoReason if fr => "Indiquez le motif du litige.".into(),
            HoldRefusal::NoReason => "Say why the client disputes the invoice.".into(),
        }
    }
}

impl HoldChange {
    /// Whether the change may be made `today`.
    pub fn check(&self, today: NaiveDate) -> Result<(), HoldRefusal> {
        match self {
            HoldChange::Pause { until } if *until < today => Err(HoldRefusal::PauseInThePast(*until)),
            HoldChange::Promise { by } if *by < today => Err(HoldRefusal::PromiseInThePast(*by)),
            HoldChange::Dispute { reason } if reason.trim().is_empty() => Err(HoldRefusal::NoReason),
            _ => Ok(()),
        }
    }

    /// The hold once changed.
    pub fn apply(&self, hold: &Hold) -> Hold {
        let mut next = hold.clone();
        match self {
            HoldChange::Pause { until } => next.paused_until = Some(*until),
            HoldChange::Resume => next.paused_until = None,
            HoldChange::Promise { by } => next.promise_date = Some(*by),
            HoldChange::Dispute { reason } => next.dispute = Some(reason.trim().to_string()),
            HoldChange::Resolve => next = Hold::default(),
        }
        next
    }
}

/// A hold as stored now, and whose it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub target: HoldTarget,
    /// The client concerned (the invoice's, for an invoice).
    pub client_id: ClientId,
    pub hold: Hold,
}

/// A client's hold.
pub async fn client_hold(store: &dyn Store, id: &ClientId, today: NaiveDate) -> anyhow::Result<Held> {
    let hold = store.account(id, today).await?.map(|a| a.hold).unwrap_or_default();
    Ok(Held { target: HoldTarget::Client(id.clone()), client_id: id.clone(), hold })
}

/// An invoice's hold; `None` for an unknown invoice.
pub async fn invoice_hold(store: &dyn Store, number: &InvoiceNumber, today: NaiveDate) -> anyhow::Result<Option<Held>> {
    let Some(client_id) = store.invoice_client(number).await? else {
        return Ok(None);
    };
    let account = store.account(&client_id, today).await?;
    let hold =
        account.and_then(|a| a.invoices.into_iter().find(|i| &i.number == number).map(|i| i.hold)).unwrap_or_default();
    Ok(Some(Held { target: HoldTarget::Invoice(number.clone()), client_id, hold }))
}

/// Checks the change, then stores the changed hold with its audit entry
/// (holding `reason`, when one was given), in one transaction. Returns the
/// hold now in force, or why nothing was stored.
pub async fn change(
    store: &dyn Store,
    held: &Held,
    change: &HoldChange,
    by: (&Actor, Option<&str>),
    today: NaiveDate,
) -> anyhow::Result<Result<Hold, HoldRefusal>> {
    if let Err(refusal) = change.check(today) {
        return Ok(Err(refusal));
    }
    let next = change.apply(&held.hold);
    store.set_hold(&held.target, &next, by.0, by.1).await?;
    Ok(Ok(next))
}

/// "en litige (…), en pause jusqu'au 15/12/2026", or that nothing holds.
pub fn describe(hold: &Hold, lang: Language) -> String {
    let fr = lang == Language::Fr;
    let mut parts = Vec::new();
    if let Some(reason) = &hold.dispute {
        parts.push(if fr { format!("en litige ({reason})") } else { format!("disputed ({reason})") });
    }
    if let Some(date) = hold.promise_date {
        let on = format::date(date, lang);
        parts.push(if fr { format!("promesse de paiement au {on}") } else { format!("promised to pay by {on}") });
    }
    if let Some(date) = hold.paused_until {
        let on = format::date(date, lang);
        parts.push(if fr { format!("en pause jusqu'au {on} inclus") } else { format!("paused until {on} inclusive") });
    }
    match (parts.is_empty(), fr) {
        (true, true) => "aucune suspension : les relances suivent la politique".into(),
        (true, false) => "no hold: reminders follow the policy".into(),
        (false, _) => parts.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn each_change_touches_only_its_part_of_the_hold() {
        let hold = Hold { paused_until: Some(d("2026-04-01")), dispute: Some("prix".into()), promise_date: None };
        let promised = HoldChange::Promise { by: d("2026-03-31") }.apply(&hold);
        assert_eq!((promised.promise_date, promised.dispute.as_deref()), (Some(d("2026-03-31")), Some("prix")));
        assert_eq!(HoldChange::Resume.apply(&hold).paused_until, None);
        assert_eq!(HoldChange::Resume.apply(&hold).dispute.as_deref(), Some("prix"));
        assert_eq!(HoldChange::Resolve.apply(&hold), Hold::default());
        let disputed = HoldChange::Dispute { reason: "  livraison incomplète ".into() }.apply(&Hold::default());
        assert_eq!(disputed.dispute.as_deref(), Some("livraison incomplète"));
    }

    #[test]
    fn past_dates_and_empty_reasons_are_refused() {
        let today = d("2026-03-16");
        assert_eq!(
            HoldChange::Pause { until: d("2026-03-15") }.check(today),
            Err(HoldRefusal::PauseInThePast(d("2026-03-15")))
        );
        assert_eq!(HoldChange::Pause { until: today }.check(today), Ok(()));
        assert!(HoldChange::Promise { by: d("2026-03-01") }.check(today).is_err());
        assert_eq!(HoldChange::Dispute { reason: " ".into() }.check(today), Err(HoldRefusal::NoReason));
        assert!(HoldRefusal::NoReason.text(Language::Fr).contains("motif"));
    }

    #[test]
    fn a_hold_is_described_in_the_users_language() {
        let hold = Hold { paused_until: Some(d("2026-12-15")), dispute: None, promise_date: None };
        assert_eq!(describe(&hold, Language::Fr), "en pause jusqu'au 15/12/2026 inclus");
        assert!(describe(&Hold::default(), Language::En).starts_with("no hold"));
    }
}
