//! `relance pause|dispute|promise|resolve`: what stops reminders, set by a person.

use super::{App, UserError};
use crate::domain::{ClientId, InvoiceNumber};
use crate::ledger::Hold;
use crate::lookup::{ClientIndex, Found};
use crate::store::HoldTarget;
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
    if args.until < app.today() {
        return Err(UserError(format!("--until {}: the date has passed", args.until)).into());
    }
    change(app, &args.target, |hold| hold.paused_until = Some(args.until)).await
}

pub async fn dispute(app: &App, args: &DisputeArgs) -> anyhow::Result<()> {
    if args.reason.trim().is_empty() {
        return Err(UserError("--reason: say why the client disputes".into()).into());
    }
    change(app, &args.target, |hold| hold.dispute = Some(args.reason.trim().to_string())).await
}

pub async fn promise(app: &App, args: &PromiseArgs) -> anyhow::Result<()> {
    if args.date < app.today() {
        return Err(UserError(format!("--date {}: a promise to pay is for a day to come", args.date)).into());
    }
    change(app, &args.target, |hold| hold.promise_date = Some(args.date)).await
}

pub async fn resolve(app: &App, args: &TargetArgs) -> anyhow::Result<()> {
    change(app, args, |hold| *hold = Hold::default()).await
}

/// Reads the current hold, applies the change, stores it (with its audit entry).
async fn change(app: &App, args: &TargetArgs, edit: impl FnOnce(&mut Hold)) -> anyhow::Result<()> {
    let today = app.today();
    let (target, mut hold, label) = current(app, args, today).await?;
    edit(&mut hold);
    app.store.set_hold(&target, &hold, &app.actor()).await?;
    println!("{label}: {}", describe(&hold));
    Ok(())
}

async fn current(app: &App, args: &TargetArgs, today: NaiveDate) -> anyhow::Result<(HoldTarget, Hold, String)> {
    if let Some(number) = &args.invoice {
        let number = InvoiceNumber::parse(number).map_err(|e| UserError(e.to_string()))?;
        let client =
            app.store.invoice_client(&number).await?.ok_or_else(|| UserError(format!("no invoice {number}")))?;
        let account = app.store.account(&client, today).await?;
        let hold = account
            .and_then(|a| a.invoices.into_iter().find(|i| i.number == number).map(|i| i.hold))
            .unwrap_or_default();
        return Ok((HoldTarget::Invoice(number.clone()), hold, format!("invoice {number}")));
    }
    let query = args.client.as_deref().unwrap_or_default();
    let clients = ClientIndex::new(app.store.clients().await?);
    let id: ClientId = match clients.find(query) {
        Found::One(client) => client.id.clone(),
        Found::Several(c) => {
            return Err(UserError(format!("{query:?} matches {} clients: be more precise", c.len())).into())
        }
        Found::None(_) => return Err(UserError(format!("no client matches {query:?}")).into()),
    };
    let hold = app.store.account(&id, today).await?.map(|a| a.hold).unwrap_or_default();
    Ok((HoldTarget::Client(id.clone()), hold, format!("client {id}")))
}

fn describe(hold: &Hold) -> String {
    let mut parts = Vec::new();
    if let Some(reason) = &hold.dispute {
        parts.push(format!("disputed ({reason})"));
    }
    if let Some(date) = hold.promise_date {
        parts.push(format!("promised to pay by {date}"));
    }
    if let Some(date) = hold.paused_until {
        parts.push(format!("paused until {date}"));
    }
    if parts.is_empty() {
        "no hold: reminders follow the policy".into()
    } else {
        parts.join(", ")
    }
}
