//! "Invoice not received": a duplicate of the invoices, e-mailed once.
//!
//! [`request`] is what the *not received* call outcome and `relance
//! duplicate` both call: it checks the request (the invoices exist, belong to
//! one client and are still owed; the address parses) and queues the
//! duplicate in the store, once per invoices and day. The sender
//! (`delivery::Worker`) then claims it like a reminder, checks it again
//! ([`still_owed`]) and e-mails it with the PDFs.
//!
//! The re-check is not a reminder's: a promise, a pause or a dispute does not
//! stop a duplicate (the client asked for the invoice); only an invoice paid
//! since does, and the duplicate leaves with the invoices still owed.

use crate::domain::{ClientId, EmailAddress, InvoiceNumber, Language};
use crate::ledger::{Account, InvoiceState};
use crate::store::{Actor, NewDuplicate, Store};
use chrono::NaiveDate;

/// Why a duplicate cannot be queued: each names the offending value.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("no invoice given: name at least one invoice number")]
    NoInvoice,
    #[error("invoice {0} is not in the ledger")]
    UnknownInvoice(InvoiceNumber),
    #[error("invoices {first} and {second} belong to two clients ({first_client}, {second_client}): one duplicate goes to one client")]
    SeveralClients { first: InvoiceNumber, first_client: ClientId, second: InvoiceNumber, second_client: ClientId },
    #[error("invoice {0} is paid: there is nothing to send")]
    Paid(InvoiceNumber),
    #[error("{value:?} is not an e-mail address: {why}")]
    BadAddress { value: String, why: String },
    #[error("client {0} has no e-mail address in the ledger: give one with --to")]
    NoAddress(ClientId),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// What [`request`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub client: ClientId,
    pub invoices: Vec<InvoiceNumber>,
    pub to: EmailAddress,
    /// False when the same duplicate was already asked for today: it is sent once.
    pub new: bool,
}

/// Queues a duplicate of `invoices` to `to` (the address the caller
/// confirmed; `None`: the client's address in the ledger), asked by `actor`
/// on `today`. Nothing is written unless every check passes.
pub async fn request(
    store: &dyn Store,
    invoices: &[InvoiceNumber],
    to: Option<&str>,
    actor: &Actor,
    today: NaiveDate,
) -> Result<Queued, RequestError> {
    let dup = prepare(store, invoices, to, today).await?;
    let queued = store.queue_duplicate(&dup, actor).await?;
    let (client, to) = (dup.client_id, dup.recipient);
    tracing::info!(client = %client, invoices = dup.invoices.len(), to = %masked(&to), new = queued.new, "duplicate queued");
    Ok(Queued { client, invoices: dup.invoices, to, new: queued.new })
}

/// The duplicate [`request`] would queue, checked but not written: for a
/// caller that writes it with something else, in one transaction (a call's
/// "invoice not received").
pub async fn prepare(
    store: &dyn Store,
    invoices: &[InvoiceNumber],
    to: Option<&str>,
    today: NaiveDate,
) -> Result<NewDuplicate, RequestError> {
    let mut numbers = invoices.to_vec();
    numbers.sort();
    numbers.dedup();
    let first = numbers.first().ok_or(RequestError::NoInvoice)?;
    let client = store.invoice_client(first).await?.ok_or_else(|| RequestError::UnknownInvoice(first.clone()))?;
    for number in &numbers[1..] {
        match store.invoice_client(number).await? {
            None => return Err(RequestError::UnknownInvoice(number.clone())),
            Some(other) if other != client => {
                return Err(RequestError::SeveralClients {
                    first: first.clone(),
                    first_client: client,
                    second: number.clone(),
                    second_client: other,
                })
            }
            Some(_) => {}
        }
    }
    let account = store.account(&client, today).await?;
    let account = account.ok_or_else(|| RequestError::UnknownInvoice(first.clone()))?;
    check_open(&account, &numbers)?;
    let recipient = recipient(&account, to)?;
    Ok(NewDuplicate { day: today, client_id: client, invoices: numbers, recipient })
}

/// Every invoice is in the account and still owed.
fn check_open(account: &Account, numbers: &[InvoiceNumber]) -> Result<(), RequestError> {
    for number in numbers {
        let open = account.invoices.iter().any(|i| &i.number == number && !i.amount_due().is_zero());
        if !open {
            return Err(RequestError::Paid(number.clone()));
        }
    }
    Ok(())
}

/// The address given, parsed, or the client's.
fn recipient(account: &Account, to: Option<&str>) -> Result<EmailAddress, RequestError> {
    match to {
        Some(raw) => EmailAddress::parse(raw)
            .map_err(|e| RequestError::BadAddress { value: e.value.to_string(), why: e.why.to_string() }),
        None => account.client.email.clone().ok_or_else(|| RequestError::NoAddress(account.client.id.clone())),
    }
}

/// `j***@example.fr`: enough to tell two addresses apart in a log line,
/// not enough to read a client's address there (STYLE.md, habit 10).
pub fn masked(address: &EmailAddress) -> String {
    match address.as_str().split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".into(),
    }
}

/// Why a queued duplicate was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DuplicateCancel {
    /// Every invoice it names was paid since it was asked for.
    AllPaid,
    /// The client is no longer in the ledger.
    UnknownClient,
}

impl DuplicateCancel {
    /// The reason in the team's language, as the duplicate's row keeps it.
    pub fn text(&self, lang: Language) -> String {
        match (self, lang) {
            (DuplicateCancel::AllPaid, Language::Fr) => "factures réglées depuis la demande de duplicata".into(),
            (DuplicateCancel::AllPaid, Language::En) => "invoices paid since the duplicate was asked for".into(),
            (DuplicateCancel::UnknownClient, Language::Fr) => "client absent du registre".into(),
            (DuplicateCancel::UnknownClient, Language::En) => "client no longer in the ledger".into(),
        }
    }
}

/// The re-check at send time, pure: the invoices of the duplicate still
/// owed now, in the order asked. A promise, a pause or a dispute does not
/// matter here; only payment does.
pub fn still_owed<'a>(
    account: Option<&'a Account>,
    numbers: &[InvoiceNumber],
) -> Result<Vec<&'a InvoiceState>, DuplicateCancel> {
    let account = account.ok_or(DuplicateCancel::UnknownClient)?;
    let owed: Vec<&InvoiceState> = numbers
        .iter()
        .filter_map(|n| account.invoices.iter().find(|i| &i.number == n))
        .filter(|i| !i.amount_due().is_zero())
        .collect();
    if owed.is_empty() {
        return Err(DuplicateCancel::AllPaid);
    }
    Ok(owed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Client, Currency};
    use crate::ledger::{Hold, PaymentLine};
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn invoice(number: &str, paid: Decimal) -> InvoiceState {
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        InvoiceState {
            number: InvoiceNumber::parse(number).unwrap(),
            issue_date: day,
            due_date: day,
            amount: dec!(100),
            currency: Currency::EUR,
            paid_at_import: paid,
            payments: Vec::<PaymentLine>::new(),
            hold: Hold::default(),
            last_stage: None,
            description: String::new(),
        }
    }

    fn n(text: &str) -> InvoiceNumber {
        InvoiceNumber::parse(text).unwrap()
    }

    #[test]
    fn the_recheck_keeps_what_is_owed_ignores_holds_and_cancels_when_all_is_paid() {
        let client = Client::new(ClientId::parse("C1").unwrap(), "Dupont");
        let mut account = Account::new(client, vec![invoice("F-1", dec!(100)), invoice("F-2", dec!(0))]);
        account.hold.promise_date = NaiveDate::from_ymd_opt(2026, 12, 31);
        account.hold.paused_until = NaiveDate::from_ymd_opt(2026, 12, 31);
        account.hold.dispute = Some("price".into());
        type Case = (&'static [&'static str], Result<Vec<&'static str>, DuplicateCancel>);
        let cases: Vec<Case> = vec![
            (&["F-1", "F-2"], Ok(vec!["F-2"])),
            (&["F-2"], Ok(vec!["F-2"])),
            (&["F-1"], Err(DuplicateCancel::AllPaid)),
            (&["F-9"], Err(DuplicateCancel::AllPaid)),
        ];
        for (asked, expected) in cases {
            let numbers: Vec<InvoiceNumber> = asked.iter().map(|a| n(a)).collect();
            let got = still_owed(Some(&account), &numbers).map(|v| v.iter().map(|i| i.number.to_string()).collect());
            let expected = expected.map(|v| v.into_iter().map(String::from).collect::<Vec<_>>());
            assert_eq!(got, expected, "asked {asked:?}");
        }
        assert_eq!(still_owed(None, &[n("F-1")]).unwrap_err(), DuplicateCancel::UnknownClient);
    }

    #[test]
    fn a_masked_address_keeps_the_domain_only() {
        assert_eq!(masked(&EmailAddress::parse("jeanne@dupont.fr").unwrap()), "j***@dupont.fr");
    }
}
