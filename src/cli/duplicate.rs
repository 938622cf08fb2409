//! `relance duplicate <invoice>… [--to EMAIL]`: finance sends a client the
//! invoices it says it never received, without the chat. The same request
//! as the *not received* call outcome (`crate::duplicates::request`); the
//! sender (`relance send`, or `relance serve`'s passes) e-mails it.

use super::{App, UserError};
use crate::domain::InvoiceNumber;
use crate::duplicates::{self, RequestError};
use clap::Args;

#[derive(Debug, Args)]
pub struct DuplicateArgs {
    /// The invoices to send again (one client's).
    #[arg(required = true)]
    pub invoices: Vec<String>,
    /// Where to send it; by default the client's e-mail address in the ledger.
    #[arg(long)]
    pub to: Option<String>,
}

pub async fn run(app: &App, args: &DuplicateArgs) -> anyhow::Result<()> {
    let numbers = args
        .invoices
        .iter()
        .map(|n| InvoiceNumber::parse(n).map_err(|e| UserError(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let queued =
        match duplicates::request(app.store.as_ref(), &numbers, args.to.as_deref(), &app.actor(), app.today()).await {
            Ok(queued) => queued,
            Err(RequestError::Store(err)) => return Err(err.into()),
            Err(err) => return Err(UserError(err.to_string()).into()),
        };
    let list = queued.invoices.iter().map(InvoiceNumber::as_str).collect::<Vec<_>>().join(", ");
    if queued.new {
        println!("duplicate of {list} queued for {} (client {})", queued.to.as_str(), queued.client);
    } else {
        println!("duplicate of {list} already queued today for client {}: sent once", queued.client);
    }
    Ok(())
}
