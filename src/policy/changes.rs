//! What changed since the previous digest: invoices that fell overdue,
//! invoices paid, promises to pay that came due (and were broken), disputes
//! open. Folded over the ledger page by page, like [`super::aged::Figures`].

use crate::domain::{Currency, InvoiceNumber};
use crate::ledger::Account;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// A count and a sum, per currency.
pub type Tally = BTreeMap<Currency, (u32, Decimal)>;

/// A promise whose date has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseDue {
    pub client_name: String,
    /// The invoice promised, or `None` for a promise on the whole account.
    pub invoice: Option<InvoiceNumber>,
    pub date: NaiveDate,
    /// The date has passed and something is still owed.
    pub broken: bool,
}

/// A dispute in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDispute {
    pub client_name: String,
    pub invoice: Option<InvoiceNumber>,
    pub reason: String,
}

/// The changes between `since` (the previous digest's day) and `today`.
#[derive(Debug, Clone)]
pub struct Changes {
    pub since: NaiveDate,
    pub today: NaiveDate,
    /// Open invoices whose due date fell in `[since, today)`: overdue today, not then.
    pub newly_overdue: Tally,
    /// Invoices fully paid on or after `since`.
    pub paid: Tally,
    pub promises_due: Vec<PromiseDue>,
    pub disputes: Vec<OpenDispute>,
}

impl Changes {
    pub fn new(since: NaiveDate, today: NaiveDate) -> Self {
        Self {
            since,
            today,
            newly_overdue: Tally::new(),
            paid: Tally::new(),
            promises_due: Vec::new(),
            disputes: Vec::new(),
        }
    }

    /// Adds these accounts.
    pub fn add<'a>(&mut self, accounts: impl IntoIterator<Item = &'a Account>) {
        for account in accounts {
            self.add_account(account);
        }
    }

    fn add_account(&mut self, account: &Account) {
        let name = &account.client.name;
        let owes = account.invoices.iter().any(|i| i.is_open());
        if let Some(reason) = &account.hold.dispute {
            self.disputes.push(OpenDispute { client_name: name.clone(), invoice: None, reason: reason.clone() });
        }
        if let Some(date) = account.hold.promise_date {
            self.promise(name, None, date, owes);
        }
        for invoice in &account.invoices {
            let due = invoice.amount_due();
            if invoice.is_open() && invoice.due_date >= self.since && invoice.due_date < self.today {
                add(&mut self.newly_overdue, invoice.currency, due);
            }
            if invoice.settled_on().is_some_and(|d| d >= self.since && d <= self.today) {
                add(&mut self.paid, invoice.currency, invoice.amount);
            }
            if let Some(reason) = invoice.hold.dispute.as_ref().filter(|_| invoice.is_open()) {
                let (client_name, number) = (name.clone(), Some(invoice.number.clone()));
                self.disputes.push(OpenDispute { client_name, invoice: number, reason: reason.clone() });
            }
            if let Some(date) = invoice.hold.promise_date {
                self.promise(name, Some(&invoice.number), date, invoice.is_open());
            }
        }
    }

    /// A promise is listed from its date until the day after the next
    /// digest: due on its day, broken once passed unpaid.
    fn promise(&mut self, client: &str, invoice: Option<&InvoiceNumber>, date: NaiveDate, owes: bool) {
        if date < self.since || date > self.today || !owes {
            return;
        }
        self.promises_due.push(PromiseDue {
            client_name: client.to_string(),
            invoice: invoice.cloned(),
            date,
            broken: date < self.today,
        });
    }
}

fn add(tally: &mut Tally, currency: Currency, amount: Decimal) {
    let entry = tally.entry(currency).or_default();
    entry.0 += 1;
    entry.1 += amount;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Client, ClientId};
    use crate::ledger::{Hold, InvoiceState, PaymentLine};
    use rust_decimal_macros::dec;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    fn invoice(number: &str, due: NaiveDate, amount: Decimal, paid_on: Option<NaiveDate>) -> InvoiceState {
        InvoiceState {
            number: InvoiceNumber::parse(number).unwrap(),
            issue_date: due - chrono::Days::new(30),
            due_date: due,
            amount,
            currency: Currency::EUR,
            paid_at_import: Decimal::ZERO,
            payments: paid_on.map(|date| vec![PaymentLine { date, amount }]).unwrap_or_default(),
            hold: Hold::default(),
            last_stage: None,
            description: String::new(),
        }
    }

    #[test]
    fn counts_what_fell_overdue_and_what_was_paid_since_the_previous_digest() {
        let client = Client::new(ClientId::parse("C1").unwrap(), "Garage Martin");
        let mut promised = invoice("F-4", d(1), dec!(50), None);
        promised.hold.promise_date = Some(d(12));
        let account = Account::new(
            client,
            vec![
                invoice("F-1", d(13), dec!(100), None),       // due Friday, overdue Monday: new
                invoice("F-2", d(10), dec!(200), None),       // overdue before: not new
                invoice("F-3", d(1), dec!(300), Some(d(14))), // paid Saturday
                promised,
            ],
        );
        let mut changes = Changes::new(d(13), d(16));
        changes.add([&account]);
        assert_eq!(changes.newly_overdue.get(&Currency::EUR), Some(&(1, dec!(100))));
        assert_eq!(changes.paid.get(&Currency::EUR), Some(&(1, dec!(300))));
        assert!(changes.promises_due.is_empty(), "promised for the 12th: before the previous digest");
        let mut later = Changes::new(d(11), d(16));
        later.add([&account]);
        assert_eq!(later.promises_due.len(), 1);
        assert!(later.promises_due[0].broken);
    }
}
