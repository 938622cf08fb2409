//! `relance pause|dispute|promise|resolve`: what stops reminders, set by a person.

use super::{App, UserError};
use crate::domain::{ClientId, InvoiceNumber};
use crate::holds::{self, Held, HoldChange};
use crate::lookup::{ClientIndex, Found};
use chrono::NaiveDate;
use clap::Args;

/// A client (id, SIREN or name), or one invoice with `--invoice`.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The client (id, SIREN or name).
    #[arg(required_unless_present = "invoice")]
    pub client: Option<String>,
    /// One invoice instead of the whole client.
    #[arg(long)]
    pub invoice: Option<String>,
}

#[derive(Debug, Args)]
pub struct PauseArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Last day without reminders.
    #[arg(long)]
    pub until: NaiveDate,
}

#[derive(Debug, Args)]
pub struct DisputeArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Why the client contests (shown to finance and sales).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct PromiseArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// The date the client promised to pay by.
    #[arg(long)]
    pub date: NaiveDate,
}

pub async fn pause(app: &App, args: &PauseArgs) -> anyhow::Result<()> {
    change(app, &args.target, HoldChange::Pause { until: args.until }).await
}

pub async fn dispute(app: &App, args: &DisputeArgs) -> anyhow::Result<()> {
    change(app, &args.target, HoldChange::Dispute { reason: args.reason.clone() }).await
}

pub async fn promise(app: &App, args: &PromiseArgs) -> anyhow::Result<()> {
    change(app, &args.target, HoldChange::Promise { by: args.date }).await
}

pub async fn resolve(app: &App, args: &TargetArgs) -> anyhow::Result<()> {
    change(app, args, HoldChange::Resolve).await
}

/// Reads the current hold, applies the change, stores it (with its audit entry).
async fn change(app: &App, args: &TargetArgs, change: HoldChange) -> anyhow::Result<()> {
    let today = app.today();
    let lang = app.loaded.config.digest.language;
    let (held, label) = current(app, args, today).await?;
    let hold = holds::change(app.store.as_ref(), &held, &change, (&app.actor(), None), today)
        .await?
        .map_err(|refusal| UserError(refusal.text(lang)))?;
    println!("{label}: {}", holds::describe(&hold, lang));
    Ok(())
}

async fn current(app: &App, args: &TargetArgs, today: NaiveDate) -> anyhow::Result<(Held, String)> {
    if let Some(number) = &args.invoice {
        let number = InvoiceNumber::parse(number).map_err(|e| UserError(e.to_string()))?;
        let held = holds::invoice_hold(app.store.as_ref(), &number, today)
            .await?
            .ok_or_else(|| UserError(format!("no invoice {number}")))?;
        return Ok((held, format!("invoice {number}")));
    }
    let id = find_client(app, args.client.as_deref().unwrap_or_default()).await?;
    Ok((holds::client_hold(app.store.as_ref(), &id, today).await?, format!("client {id}")))
}

/// The one client `query` names (id, SIREN or name), or a user error.
pub(super) async fn find_client(app: &App, query: &str) -> anyhow::Result<ClientId> {
    let clients = ClientIndex::new(app.store.clients().await?);
    match clients.find(query) {
        Found::One(client) => Ok(client.id.clone()),
        Found::Several(c) => Err(UserError(format!("{query:?} matches {} clients: be more precise", c.len())).into()),
        Found::None(_) => Err(UserError(format!("no client matches {query:?}")).into()),
    }
}
