//! "Payment sent" outcomes whose grace ran out: the client said on the
//! phone that the payment had left, the reminders held
//! `payment_sent_grace_days` for it to be imported, and the ledger still
//! shows the invoices unpaid. The digest's header and `relance status` say
//! so ("💸 Paiement annoncé le … non reçu"), so someone calls back.
//!
//! Pure: the outcomes, the accounts and today come in as arguments. The
//! accounts may come page by page (`PaymentWatch::add`), as the digest
//! reads the ledger.

use crate::domain::{ClientId, InvoiceNumber, Language};
use crate::ledger::Account;
use crate::policy::call_outcome::Outcome;
use crate::render::format::date;
use crate::store::CallOutcomeRecord;
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// How far back announced payments are watched: past this, the reminders
/// have long resumed and the line would only be noise.
pub const WATCH_DAYS: u64 = 30;

/// A payment announced on a call and not in the ledger after its grace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentNotReceived {
    pub client_id: ClientId,
    pub client_name: String,
    /// The day of the call.
    pub announced_on: NaiveDate,
    /// The call's invoices still unpaid today.
    pub invoices: Vec<InvoiceNumber>,
}

/// The announced payments to check against the ledger.
pub struct PaymentWatch<'a> {
    lapsed: Vec<&'a CallOutcomeRecord>,
    found: Vec<PaymentNotReceived>,
}

impl<'a> PaymentWatch<'a> {
    /// Keeps the "payment sent" outcomes whose grace ended before `today`:
    /// the hold lasted through `announced_on + grace_days`.
    pub fn new(outcomes: &'a [CallOutcomeRecord], grace_days: u32, today: NaiveDate) -> Self {
        let lapsed = outcomes
            .iter()
            .filter(|r| r.outcome == Outcome::PaymentSent)
            .filter(|r| r.call.day + Days::new(u64::from(grace_days)) < today)
            .filter(|r| r.call.day + Days::new(WATCH_DAYS) >= today)
            .collect();
        Self { lapsed, found: Vec::new() }
    }

    /// Checks the announced payments of these accounts' clients.
    pub fn add(&mut self, accounts: &[Account]) {
        for account in accounts {
            for record in self.lapsed.iter().filter(|r| r.call.client_id == account.client.id) {
                let unpaid: Vec<InvoiceNumber> = account
                    .invoices
                    .iter()
                    .filter(|i| i.is_open() && record.call.invoices.contains(&i.number))
                    .map(|i| i.number.clone())
                    .collect();
                if !unpaid.is_empty() {
                    self.found.push(PaymentNotReceived {
                        client_id: account.client.id.clone(),
                        client_name: account.client.name.clone(),
                        announced_on: record.call.day,
                        invoices: unpaid,
                    });
                }
            }
        }
    }

    /// The payments not received, the oldest announcement first.
    pub fn finish(mut self) -> Vec<PaymentNotReceived> {
        self.found.sort_by(|a, b| (a.announced_on, &a.client_name).cmp(&(b.announced_on, &b.client_name)));
        self.found
    }
}

/// "💸 Paiement annoncé le 16/03/2026 non reçu : Garage Martin, F-1, F-2".
pub fn not_received_line(p: &PaymentNotReceived, lang: Language) -> String {
    let numbers: Vec<String> = p.invoices.iter().map(ToString::to_string).collect();
    let on = date(p.announced_on, lang);
    match lang {
        Language::Fr => format!("💸 Paiement annoncé le {on} non reçu : {}, {}", p.client_name, numbers.join(", ")),
        Language::En => format!("💸 Payment announced on {on} not received: {}, {}", p.client_name, numbers.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Client, Currency};
    use crate::ledger::{Hold, InvoiceState, PaymentLine};
    use crate::store::{Actor, CallRef};
    use rust_decimal_macros::dec;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn invoice(number: &str, paid_on: Option<&str>) -> InvoiceState {
        InvoiceState {
            number: InvoiceNumber::parse(number).unwrap(),
            issue_date: d("2026-02-01"),
            due_date: d("2026-03-02"),
            amount: dec!(1200),
            currency: Currency::EUR,
            paid_at_import: dec!(0),
            payments: paid_on.map(|on| PaymentLine { date: d(on), amount: dec!(1200) }).into_iter().collect(),
            hold: Hold::default(),
            last_stage: None,
            description: String::new(),
        }
    }

    fn announced(client: &str, invoices: &[&str], on: &str, outcome: Outcome) -> CallOutcomeRecord {
        CallOutcomeRecord {
            call: CallRef {
                task_id: format!("t-{client}"),
                client_id: ClientId::parse(client).unwrap(),
                invoices: invoices.iter().map(|n| InvoiceNumber::parse(n).unwrap()).collect(),
                offset_days: 10,
                day: d(on),
            },
            outcome,
            actor: Actor { name: "Claire Martin".into(), via: "slack".into() },
            at: chrono::Utc::now(),
        }
    }

    fn account(id: &str, name: &str, invoices: Vec<InvoiceState>) -> Account {
        Account::new(Client::new(ClientId::parse(id).unwrap(), name), invoices)
    }

    /// What the digest of `today` reports, for a payment announced on Monday
    /// 16 March with the default grace (3 days: held through the 19th).
    fn reported(today: &str, paid_on: Option<&str>) -> Vec<PaymentNotReceived> {
        let outcomes = [
            announced("C1", &["F-1", "F-2"], "2026-03-16", Outcome::PaymentSent),
            announced("C2", &["F-9"], "2026-03-16", Outcome::Voicemail),
        ];
        let mut watch = PaymentWatch::new(&outcomes, 3, d(today));
        watch.add(&[account("C1", "Garage Martin", vec![invoice("F-1", None), invoice("F-2", paid_on)])]);
        watch.add(&[account("C2", "ACME", vec![invoice("F-9", None)])]);
        watch.finish()
    }

    #[test]
    fn an_announced_payment_is_reported_once_its_grace_ended_and_while_unpaid() {
        let cases: [(&str, Option<&str>, Vec<&str>); 7] = [
            ("2026-03-16", None, vec![]),
            ("2026-03-17", None, vec![]),
            ("2026-03-19", None, vec![]),
            ("2026-03-20", None, vec!["F-1", "F-2"]),
            ("2026-03-23", Some("2026-03-18"), vec!["F-1"]),
            ("2026-04-15", None, vec!["F-1", "F-2"]),
            ("2026-04-16", None, vec![]),
        ];
        for (today, paid_on, expected) in cases {
            let got = reported(today, paid_on);
            let numbers: Vec<String> = got.iter().flat_map(|p| p.invoices.iter().map(ToString::to_string)).collect();
            assert_eq!(numbers, expected, "{today}");
        }
        let all_paid = {
            let outcomes = [announced("C1", &["F-1"], "2026-03-16", Outcome::PaymentSent)];
            let mut watch = PaymentWatch::new(&outcomes, 3, d("2026-03-20"));
            watch.add(&[account("C1", "Garage Martin", vec![invoice("F-1", Some("2026-03-19"))])]);
            watch.finish()
        };
        assert!(all_paid.is_empty());
    }

    #[test]
    fn the_line_names_the_day_the_client_and_the_invoices() {
        let got = reported("2026-03-20", None);
        assert_eq!(
            not_received_line(&got[0], Language::Fr),
            "💸 Paiement annoncé le 16/03/2026 non reçu : Garage Martin, F-1, F-2"
        );
        assert_eq!(
            not_received_line(&got[0], Language::En),
            "💸 Payment announced on 16 Mar 2026 not received: Garage Martin, F-1, F-2"
        );
    }
}
