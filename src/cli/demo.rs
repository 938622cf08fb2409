//! `relance demo`: a realistic ledger in a local SQLite file, and today's digest.

use super::app::{clock, load_config, open_store};
use super::plan::{plan_day, terminal_digest};
use super::Cli;
use crate::domain::Language;
use crate::import::{import_file, ImportKind};
use crate::policy::{plan, Policy};
use crate::render::format;
use crate::store::{self, Actor, ReminderRecord, Store};
use anyhow::Context;
use chrono::{Days, NaiveDate, TimeZone, Utc};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the demo's CSV files and database (recreated on each run).
    #[arg(long, default_value = "relance-demo")]
    pub dir: PathBuf,
}

/// How far back the demo's history goes (its oldest invoices are ~5 months old).
const HISTORY_DAYS: u64 = 150;
/// The days before today without a run, so the demo also shows the catch-up.
const OFF_LAST_DAYS: u64 = 7;

pub async fn run(cli: &Cli, args: &DemoArgs) -> anyhow::Result<()> {
    let loaded = load_config(&cli.config)?;
    let clock = clock(cli, &loaded)?;
    let config = &loaded.config;
    // A demo on a Saturday shows Monday's digest rather than an empty one.
    let today = config.policy.calendar.on_or_after(clock.today());
    let demo = crate::demo::generate(today);
    let db = fresh_dir(&args.dir)?;
    let url = format!("sqlite://{}", db.display());
    let store = open_store(&url, clock).await?;
    let actor = Actor { name: "demo".into(), via: "cli".into() };
    for (kind, name, text) in [
        (ImportKind::Clients, "clients.csv", &demo.clients_csv),
        (ImportKind::Invoices, "invoices.csv", &demo.invoices_csv),
        (ImportKind::Payments, "payments.csv", &demo.payments_csv),
    ] {
        let path = args.dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("Failed to write {}", path.display()))?;
        import_file(store.as_ref(), kind, &path, &actor).await?;
    }
    replay_history(store.as_ref(), &config.policy, today, &actor).await?;
    for (target, hold) in &demo.holds {
        store.set_hold(target, hold, &actor, None).await?;
    }
    let day = plan_day(store.as_ref(), &config.policy, today).await?;
    let lang = config.digest.language;
    if today != clock.today() {
        let day = format::date_long(clock.today(), lang);
        match lang {
            Language::Fr => println!("({day} : jour non ouvré — voici le digest du prochain jour ouvré)\n"),
            Language::En => println!("({day}: not a business day — here is the next business day's digest)\n"),
        }
    }
    let (clients, invoices, db) = (demo.client_count, demo.invoice_count, store::redact(&url));
    match lang {
        Language::Fr => println!("Démo : {clients} clients, {invoices} factures importées dans {db}\n"),
        Language::En => println!("Demo: {clients} clients, {invoices} invoices imported into {db}\n"),
    }
    print!("{}", terminal_digest(config, loaded.tz, today, &day)?);
    println!("\n{}", if lang == Language::Fr { "À explorer :" } else { "Explore:" });
    let env = format!("DATABASE_URL={url}");
    for command in ["status ACME", "plan --json", "calls", "report aged"] {
        println!("  {env} cargo run --release -- --date {today} {command}");
    }
    Ok(())
}

/// Creates the folder, removes a previous demo database, returns the database path.
fn fresh_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    let db = dir.join("relance.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", db.display()));
        if file.exists() {
            std::fs::remove_file(&file).with_context(|| format!("Failed to remove {}", file.display()))?;
        }
    }
    Ok(db)
}

/// The past months as the bot would have lived them: every business day, the
/// planner's proposals are recorded as sent — except about one in eight,
/// vetoed by a person — so the history obeys every rule of the policy.
async fn replay_history(store: &dyn Store, policy: &Policy, today: NaiveDate, actor: &Actor) -> anyhow::Result<()> {
    let mut day = today - Days::new(HISTORY_DAYS);
    let mut vetoes = fastrand::Rng::with_seed(8);
    // The bot was off last week (holidays): today's digest catches up with it.
    while day < today - Days::new(OFF_LAST_DAYS) {
        if policy.calendar.is_business_day(day) {
            let ledger = store.ledger(day).await?;
            let sent_at = Utc.from_utc_datetime(&day.and_hms_opt(8, 0, 0).expect("valid time"));
            for proposal in plan(&ledger, policy, day) {
                if vetoes.u8(0..8) != 0 {
                    store.record_reminder(&ReminderRecord::from_proposal(&proposal, sent_at), actor).await?;
                }
            }
        }
        day = day + Days::new(1);
    }
    Ok(())
}
