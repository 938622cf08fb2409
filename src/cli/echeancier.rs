//! `relance echeancier <invoice|client> <n> [--first DATE] [--weekly]`
//! proposes an instalment plan and prints its schedule;
//! `relance echeancier approve|reject <plan-id>` is finance's decision.
//! The checks and the writes are `crate::instalment_plans`, shared with the chat.
//!
//! The schedule is printed in the team's language (`digest.language`), like
//! `relance status` and `relance calls` (`23/03/2026 · 400,00 €`); scripts
//! read `--json` instead (ISO dates, amounts as decimal strings).

use super::{App, UserError};
use crate::domain::{InvoiceNumber, Language};
use crate::instalment_plans::{self, Covered, PlanError, PlanRequest, Planned};
use crate::policy::instalments::Frequency;
use crate::render::format::plain_spaces;
use crate::render::plan_schedule::{confirmation_line, decided_title, plan_heading, schedule_lines};
use crate::store::PlanRow;
use chrono::NaiveDate;
use clap::Args;
use serde_json::json;

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
    /// Print the plan as JSON (ISO dates, amounts as decimal strings) instead of text.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(app: &App, args: &EcheancierArgs) -> anyhow::Result<()> {
    match args.target.as_str() {
        "approve" | "reject" => decide(app, args.target == "approve", &args.count, args.json).await,
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
    let Planned { plan, confirm_to } =
        instalment_plans::propose(app.store.as_ref(), &request, &app.actor(), app.today()).await.map_err(user_error)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json!({ "plan": plan, "confirm_to": confirm_to }))?);
        return Ok(());
    }
    let lang = app.loaded.config.digest.language;
    print!("{}", plain_spaces(&schedule_text(&plan, lang)));
    if let Some(line) = confirmation_line(&plan, confirm_to.as_ref(), lang) {
        println!("{line}");
    }
    match lang {
        Language::Fr => println!("Pour l'approuver : relance echeancier approve {}", plan.id),
        Language::En => println!("To approve it: relance echeancier approve {}", plan.id),
    }
    Ok(())
}

/// The invoice `target` names, if it is an invoice number in the ledger.
async fn invoice(app: &App, target: &str) -> anyhow::Result<Option<InvoiceNumber>> {
    let Ok(number) = InvoiceNumber::parse(target) else { return Ok(None) };
    Ok(app.store.invoice_client(&number).await?.map(|_| number))
}

async fn decide(app: &App, approve: bool, id: &str, json: bool) -> anyhow::Result<()> {
    let id: i64 = id.parse().map_err(|_| UserError(format!("{id:?} is not a plan id")))?;
    let Planned { plan, confirm_to } =
        instalment_plans::decide(app.store.as_ref(), id, approve, &app.actor(), app.today())
            .await
            .map_err(user_error)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&json!({ "plan": plan, "confirm_to": confirm_to }))?);
        return Ok(());
    }
    let lang = app.loaded.config.digest.language;
    println!("{}", plain_spaces(&decided_title(&plan, confirm_to.as_ref(), lang)));
    print!("{}", plain_spaces(&schedule_text(&plan, lang)));
    if let Some(line) = confirmation_line(&plan, confirm_to.as_ref(), lang) {
        println!("{line}");
    }
    Ok(())
}

fn user_error(err: PlanError) -> anyhow::Error {
    match err {
        PlanError::Store(err) => err.into(),
        other => UserError(other.to_string()).into(),
    }
}

/// The plan's heading, its invoices and one instalment a line, in `lang`.
fn schedule_text(plan: &PlanRow, lang: Language) -> String {
    let mut text = format!("{}\n", plan_heading(plan, &format!("client {}", plan.client_id), lang));
    for line in schedule_lines(plan, lang) {
        text.push_str(&format!("  {line}\n"));
    }
    text
}
