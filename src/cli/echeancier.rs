//! `relance echeancier <invoice|client> <n> [--first DATE] [--weekly]`
//! proposes an instalment plan and prints its schedule;
//! `relance echeancier approve|reject <plan-id>` is finance's decision.
//! The checks and the writes are `crate::instalment_plans`, shared with the chat.

use super::{App, UserError};
use crate::domain::InvoiceNumber;
use crate::instalment_plans::{self, Covered, PlanError, PlanRequest};
use crate::policy::instalments::Frequency;
use crate::store::PlanRow;
use chrono::NaiveDate;
use clap::Args;

#[derive(Debug, Args)]
pub struct EcheancierArgs {
    /// An invoice number or a client (id, SIREN or name) — or `approve` / `reject`.
    pub target: String,
    /// The number of instalments — or, after approve / reject, the plan's id.
    pub count: String,
    /// The first instalment's date (default: a week from today).
    #[arg(long)]
    pub first: Option<NaiveDate>,
    /// Weekly instalments instead of monthly.
    #[arg(long)]
    pub weekly: bool,
}

pub async fn run(app: &App, args: &EcheancierArgs) -> anyhow::Result<()> {
    match args.target.as_str() {
        "approve" | "reject" => decide(app, args.target == "approve", &args.count).await,
        _ => propose(app, args).await,
    }
}

async fn propose(app: &App, args: &EcheancierArgs) -> anyhow::Result<()> {
    let count: u32 = args
        .count
        .parse()
        .map_err(|_| UserError(format!("{:?} is not a number of instalments (1 to 24)", args.count)))?;
    let covered = match invoice(app, &args.target).await? {
        Some(number) => Covered::Invoice(number),
        None => Covered::Client(super::hold::find_client(app, &args.target).await?),
    };
    let frequency = if args.weekly { Frequency::Weekly } else { Frequency::Monthly };
    let request = PlanRequest { covered, count, first: args.first, frequency };
    let plan =
        instalment_plans::propose(app.store.as_ref(), &request, &app.actor(), app.today()).await.map_err(user_error)?;
    print!("{}", schedule_text(&plan));
    println!("to approve: relance echeancier approve {}", plan.id);
    Ok(())
}

/// The invoice `target` names, if it is an invoice number in the ledger.
async fn invoice(app: &App, target: &str) -> anyhow::Result<Option<InvoiceNumber>> {
    let Ok(number) = InvoiceNumber::parse(target) else { return Ok(None) };
    Ok(app.store.invoice_client(&number).await?.map(|_| number))
}

async fn decide(app: &App, approve: bool, id: &str) -> anyhow::Result<()> {
    let id: i64 = id.parse().map_err(|_| UserError(format!("{id:?} is not a plan id")))?;
    let plan = instalment_plans::decide(app.store.as_ref(), id, approve, &app.actor(), app.today())
        .await
        .map_err(user_error)?;
    println!("instalment plan {} {}", plan.id, plan.status.as_str());
    Ok(())
}

fn user_error(err: PlanError) -> anyhow::Error {
    match err {
        PlanError::Store(err) => err.into(),
        other => UserError(other.to_string()).into(),
    }
}

/// The plan and its schedule, one instalment a line.
pub fn schedule_text(plan: &PlanRow) -> String {
    let currency = plan.schedule.currency;
    let invoices: Vec<&str> = plan.invoices.iter().map(InvoiceNumber::as_str).collect();
    let mut text = format!(
        "instalment plan {} ({}) for client {}, invoices {}: {:.2} {currency} in {} instalments\n",
        plan.id,
        plan.status.as_str(),
        plan.client_id,
        invoices.join(", "),
        plan.schedule.total,
        plan.schedule.instalments.len(),
    );
    for instalment in &plan.schedule.instalments {
        text.push_str(&format!(
            "  {:>2}. {}  {:.2} {currency}\n",
            instalment.number, instalment.due_date, instalment.amount
        ));
    }
    text
}
