//! Builds the ledger snapshot from sorted row streams, in one pass.
//!
//! The store reads clients, reminders and invoices (with their payments) as
//! three streams, each ordered by client id with the same byte order
//! (SQLite's BINARY collation, PostgreSQL's "C"). Merging them with a cursor
//! that only moves forward needs no map from a million invoice numbers to
//! anything: memory holds the accounts being built and one row at a time.

use super::backend::Columns;
use super::rows;
use super::Result;
use crate::domain::Client;
use crate::ledger::{Account, Hold};

/// Accounts in client-id order, filled stream by stream.
#[derive(Default)]
pub struct AccountsBuilder {
    accounts: Vec<Account>,
    cursor: usize,
}

impl AccountsBuilder {
    /// Clients must come in client-id order.
    pub fn push_client(&mut self, client: Client, hold: Hold) {
        self.accounts.push(Account { client, hold, reminders: Vec::new(), invoices: Vec::new() });
    }

    /// Starts reading another stream from the first account.
    pub fn rewind(&mut self) {
        self.cursor = 0;
    }

    /// The account of `client_id`, moving the cursor forward to it. Rows of a
    /// client that is not in the snapshot (none, given the foreign keys) are skipped.
    fn seek(&mut self, client_id: &str) -> Option<&mut Account> {
        while self.accounts.get(self.cursor).is_some_and(|a| a.client.id.as_str() < client_id) {
            self.cursor += 1;
        }
        self.accounts.get_mut(self.cursor).filter(|a| a.client.id.as_str() == client_id)
    }

    /// A row of [`rows::LEDGER_REMINDERS`].
    pub fn add_reminder(&mut self, row: &impl Columns) -> Result<()> {
        if let Some(account) = self.seek(row.text(0)?) {
            account.reminders.push(rows::sent_reminder(row)?);
        }
        Ok(())
    }

    /// A row of [`rows::LEDGER_INVOICES`]: a new invoice, or one more payment
    /// of the invoice read just before.
    pub fn add_invoice_row(&mut self, row: &impl Columns) -> Result<()> {
        let Some(account) = self.seek(row.text(0)?) else {
            return Ok(());
        };
        let number = row.text(1)?;
        let continues = account.invoices.last().is_some_and(|i| i.number.as_str() == number);
        if !continues {
            account.invoices.push(rows::invoice_state(row)?);
        }
        if let Some(payment) = rows::payment_line(row)? {
            let invoice = account.invoices.last_mut().expect("pushed above");
            invoice.payments.push(payment);
        }
        Ok(())
    }

    /// The accounts, with every invoice's payments oldest first.
    pub fn finish(mut self) -> Vec<Account> {
        for invoice in self.accounts.iter_mut().flat_map(|a| a.invoices.iter_mut()) {
            if invoice.payments.len() > 1 {
                invoice.payments.sort_by_key(|p| p.date);
            }
        }
        self.accounts
    }
}
