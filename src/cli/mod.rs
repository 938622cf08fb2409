//! The command line: one module per command, each a thin shell around the
//! pure core (load → compute → print).

mod app;
mod bench;
mod bench_clicks;
mod bench_status;
mod calls;
mod config_check;
mod demo;
mod discord;
mod duplicate;
mod echeancier;
mod hold;
mod letter;
mod plan;
mod report;
mod send;
mod status;

pub use app::App;
pub use calls::{call_records, calls_day, calls_page, calls_text, split_attempts, stored_attempts};
pub use plan::{plan_day, templates, terminal_digest, Day, DSO_PERIOD_DAYS};

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

/// relance — the finance team's dunning bot.
#[derive(Debug, Parser)]
#[command(name = "relance", version, about, long_about = None)]
pub struct Cli {
    /// The configuration file.
    #[arg(long, env = "RELANCE_CONFIG", default_value = "bot-config.yaml", global = true)]
    pub config: PathBuf,
    /// Replay another moment: an RFC 3339 instant (2026-03-16T09:30:00+01:00).
    #[arg(long, env = "RELANCE_NOW", global = true)]
    pub now: Option<String>,
    /// Replay another day (09:00 local time); shorthand for --now.
    #[arg(long, global = true)]
    pub date: Option<NaiveDate>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or update the database schema.
    Migrate,
    /// Import a CSV file: clients, invoices or payments.
    Import {
        /// clients, invoices or payments.
        kind: String,
        file: PathBuf,
    },
    /// Today's proposed reminders.
    Plan {
        /// Print JSON (amounts as decimal strings) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Today's call tasks: whom to phone, about which invoices, and what to say.
    Calls {
        /// Print JSON (amounts as decimal strings) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Everything about one client: open invoices, aged balance, score, history, next step.
    Status {
        /// Client id, SIREN or name (case and accents ignored).
        client: String,
        /// Print JSON (amounts as decimal strings) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Reports.
    Report {
        #[command(subcommand)]
        report: ReportKind,
    },
    /// Stop reminders to a client (or one invoice) until a date.
    Pause(hold::PauseArgs),
    /// Record a dispute: no reminder until it is resolved (`relance resolve`).
    Dispute(hold::DisputeArgs),
    /// Record the client's promise to pay by a date: no reminder until then.
    Promise(hold::PromiseArgs),
    /// Lift every hold (pause, dispute, promise) on a client or an invoice.
    Resolve(hold::TargetArgs),
    /// E-mail a client a duplicate of invoices it did not receive (PDF attached, or their details).
    Duplicate(duplicate::DuplicateArgs),
    /// Instalment plans (échéancier): `echeancier <invoice|client> <n>` proposes
    /// one, `echeancier approve|reject <plan-id>` decides it (finance).
    #[command(name = "echeancier", visible_alias = "plan-instalments")]
    Echeancier(echeancier::EcheancierArgs),
    /// Run the bot: HTTP server (clicks, decision links, /digest, /healthz,
    /// /metrics), the morning digest on schedule, the decision engine.
    Serve,
    /// Post today's digest now (or update today's), then exit.
    Digest,
    /// Send the approved reminders that are due now (one pass), then exit.
    Send,
    /// Formal notice letters: record one as posted (registered mail).
    Letter {
        #[command(subcommand)]
        action: letter::LetterAction,
    },
    /// Load a realistic French demo ledger and print today's digest.
    Demo(demo::DemoArgs),
    /// Measure import and planning on synthetic data.
    Bench(bench::BenchArgs),
    /// Discord: register the `/relance` application command.
    Discord {
        #[command(subcommand)]
        action: discord::DiscordAction,
    },
    /// Check the configuration without sending anything.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Load bot-config.yaml and check that every template states the
    /// mandatory mentions in every case; prints "ok" or each problem.
    Check,
}

#[derive(Debug, Subcommand)]
pub enum ReportKind {
    /// The aged balance (balance âgée) per client, with totals and DSO.
    Aged {
        /// Print JSON (amounts as decimal strings) instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Parses the arguments and runs the command.
pub async fn run(args: impl IntoIterator<Item = OsString>) -> anyhow::Result<()> {
    let cli = Cli::parse_from(args);
    crate::install_tls_provider();
    match &cli.command {
        Command::Demo(args) => demo::run(&cli, args).await,
        Command::Bench(args) => bench::run(&cli, args).await,
        Command::Config { action: ConfigAction::Check } => config_check::run(&cli),
        Command::Discord { action } => discord::run(&cli, action).await,
        command => {
            let app = App::open(&cli).await?;
            match command {
                Command::Migrate => app.migrated(),
                Command::Import { kind, file } => app.import(kind, file).await,
                Command::Plan { json } => plan::run(&app, *json).await,
                Command::Calls { json } => calls::run(&app, *json).await,
                Command::Status { client, json } => status::run(&app, client, *json).await,
                Command::Report { report: ReportKind::Aged { json } } => report::aged(&app, *json).await,
                Command::Pause(args) => hold::pause(&app, args).await,
                Command::Dispute(args) => hold::dispute(&app, args).await,
                Command::Promise(args) => hold::promise(&app, args).await,
                Command::Resolve(args) => hold::resolve(&app, args).await,
                Command::Duplicate(args) => duplicate::run(&app, args).await,
                Command::Echeancier(args) => echeancier::run(&app, args).await,
                Command::Serve => crate::serve::run(app).await,
                Command::Digest => digest(app).await,
                Command::Send => send::run(app).await,
                Command::Letter { action } => letter::run(app, action).await,
                Command::Demo(_) | Command::Bench(_) | Command::Config { .. } | Command::Discord { .. } => {
                    unreachable!("handled above")
                }
            }
        }
    }
}

/// `relance digest`: posts (or updates) today's digest on every platform
/// that is on; prints it when none is.
async fn digest(app: App) -> anyhow::Result<()> {
    let today = app.today();
    let (config, tz) = (app.loaded.config.clone(), app.loaded.tz);
    let store = app.store.clone();
    let svc = crate::serve::Services::new(app.loaded, app.clock, app.store)?;
    match crate::serve::publish(&svc).await? {
        None => println!("{}", plan::non_business_day(&config, today).unwrap_or_default()),
        Some(done) if svc.platforms.any() => {
            for (platform, pages) in &done.pages {
                println!("{platform}: {} entries on {pages} message(s)", done.entries);
            }
        }
        Some(_) => {
            let day = plan_day(store.as_ref(), &config.policy, today).await?;
            print!("{}", terminal_digest(&config, tz, today, &day)?);
            let calls = calls_day(store.as_ref(), &config.policy, today).await?;
            print!("\n{}", calls_text(&config, today, &calls));
            println!(
                "\nNo chat platform is configured: run `relance serve` and open {}/digest to decide.",
                config.server.base_url()
            );
        }
    }
    Ok(())
}

/// Logs go to stderr (stdout is for the command's output): human-readable by
/// default, JSON with `RELANCE_LOG_FORMAT=json`; level from `RUST_LOG`
/// (default warn, and info for relance's own lines under `relance serve`,
/// where they are the operator's record: digests posted, decisions refused).
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let serving = std::env::args().skip(1).any(|arg| arg == "serve");
    let default = if serving { "warn,relance=info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("RELANCE_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// The message a user sees: the error and its causes, without a backtrace.
pub fn describe(err: &anyhow::Error) -> String {
    let mut text = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// 2 for bad input (a file or a configuration to fix), 1 for everything else.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    let bad_input = err.chain().any(|cause| {
        cause.is::<crate::import::ImportError>() || cause.is::<crate::config::ConfigError>() || cause.is::<UserError>()
    });
    if bad_input {
        2
    } else {
        1
    }
}

/// Something the user asked that cannot be done as asked (unknown client, …).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);
