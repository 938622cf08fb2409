//! `relance bench`: import and planning times on synthetic data, with peak memory;
//! `relance bench clicks`: the latency of button clicks on the running server
//! (see [`super::bench_clicks`]).
//!
//! Each phase runs in a child process of its own, so the peak resident set
//! size reported for planning is planning's, not the import's leftover.

use super::app::open_store;
use super::plan::plan_day;
use super::Cli;
use crate::clock::Clock;
use crate::import::{import_file, ImportKind};
use crate::policy::{plan, Policy};
use crate::store::Actor;
use anyhow::Context;
use chrono::{Days, NaiveDate};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[arg(long, default_value_t = 100_000)]
    pub clients: usize,
    #[arg(long, default_value_t = 1_000_000)]
    pub invoices: usize,
    /// Keep the data here instead of a temporary folder.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Internal: run one phase in this process (import, reimport, plan or snapshot) on --dir.
    #[arg(long, hide = true)]
    pub phase: Option<String>,
    #[command(subcommand)]
    pub what: Option<BenchKind>,
}

/// Benchmarks other than import and planning.
#[derive(Debug, Subcommand)]
pub enum BenchKind {
    /// p50/p99 latency of signed Slack button clicks on the server, on loopback, with SQLite.
    Clicks(super::bench_clicks::ClicksArgs),
    /// p50/p99 latency of `/relance status` on a large ledger (SQLite): through
    /// `commands::answer`, then as signed Slack commands over loopback HTTP.
    Status(super::bench_status::StatusArgs),
}

/// What one phase measured.
#[derive(Debug, Default, Serialize, Deserialize)]
struct PhaseReport {
    steps: Vec<(String, f64)>,
    peak_rss_mb: f64,
    note: String,
}

/// The day the synthetic ledger is planned on (a Monday, business day).
pub(super) const BENCH_DAY: (i32, u32, u32) = (2026, 3, 16);

pub async fn run(cli: &Cli, args: &BenchArgs) -> anyhow::Result<()> {
    match &args.what {
        Some(BenchKind::Clicks(clicks)) => return super::bench_clicks::run(clicks).await,
        Some(BenchKind::Status(status)) => return super::bench_status::run(status).await,
        None => {}
    }
    let today = NaiveDate::from_ymd_opt(BENCH_DAY.0, BENCH_DAY.1, BENCH_DAY.2).expect("valid day");
    match args.phase.as_deref() {
        Some(phase) => {
            let dir = args.dir.as_ref().context("--phase needs --dir")?;
            let report = match phase {
                "import" => import_phase(dir).await?,
                "reimport" => reimport_phase(dir).await?,
                "plan" => plan_phase(dir, today).await?,
                "snapshot" => snapshot_phase(dir, today).await?,
                other => anyhow::bail!("unknown phase {other:?}"),
            };
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        None => orchestrate(cli, args, today),
    }
}

fn orchestrate(_cli: &Cli, args: &BenchArgs, today: NaiveDate) -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let _ = std::fs::remove_file(dir.join("bench.db"));
    println!("relance bench: {} clients, {} open invoices, planned on {today}", args.clients, args.invoices);
    let started = Instant::now();
    write_synthetic(&dir, args.clients, args.invoices, today)?;
    println!("  data generated in {:.1} s ({})", started.elapsed().as_secs_f64(), dir.display());
    for phase in ["import", "reimport", "plan", "snapshot"] {
        let report = child(&dir, phase)?;
        for (step, seconds) in &report.steps {
            println!("  {phase:<8} {step:<40} {seconds:>8.3} s");
        }
        println!("  {phase:<8} {:<40} {:>8.1} MB   {}", "peak RSS (whole process)", report.peak_rss_mb, report.note);
    }
    Ok(())
}

fn child(dir: &Path, phase: &str) -> anyhow::Result<PhaseReport> {
    let exe = std::env::current_exe()?;
    let output = std::process::Command::new(exe)
        .args(["bench", "--dir"])
        .arg(dir)
        .args(["--phase", phase])
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("Failed to run the {phase} phase"))?;
    anyhow::ensure!(output.status.success(), "the {phase} phase failed");
    Ok(serde_json::from_slice(&output.stdout)?)
}

async fn import_phase(dir: &Path) -> anyhow::Result<PhaseReport> {
    let store =
        open_store(&format!("sqlite://{}", dir.join("bench.db").display()), Clock::real(chrono_tz::Europe::Paris))
            .await?;
    let actor = Actor { name: "bench".into(), via: "cli".into() };
    let mut report = PhaseReport::default();
    for (kind, file) in [(ImportKind::Clients, "clients.csv"), (ImportKind::Invoices, "invoices.csv")] {
        let started = Instant::now();
        let result = import_file(store.as_ref(), kind, &dir.join(file), &actor).await?;
        report.steps.push((format!("{file} ({} rows)", result.rows), started.elapsed().as_secs_f64()));
    }
    report.peak_rss_mb = peak_rss_mb();
    Ok(report)
}

/// Importing the same invoices again: every row is compared, none is written.
async fn reimport_phase(dir: &Path) -> anyhow::Result<PhaseReport> {
    let store =
        open_store(&format!("sqlite://{}", dir.join("bench.db").display()), Clock::real(chrono_tz::Europe::Paris))
            .await?;
    let actor = Actor { name: "bench".into(), via: "cli".into() };
    let mut report = PhaseReport::default();
    let started = Instant::now();
    let again = import_file(store.as_ref(), ImportKind::Invoices, &dir.join("invoices.csv"), &actor).await?;
    report.steps.push(("invoices.csv again (no change)".into(), started.elapsed().as_secs_f64()));
    report.note = format!("{} rows unchanged", again.counts.unchanged);
    report.peak_rss_mb = peak_rss_mb();
    Ok(report)
}

/// What `relance plan` does: the ledger streamed by pages through the planner and the figures.
async fn plan_phase(dir: &Path, today: NaiveDate) -> anyhow::Result<PhaseReport> {
    let store =
        open_store(&format!("sqlite://{}", dir.join("bench.db").display()), Clock::real(chrono_tz::Europe::Paris))
            .await?;
    let mut report = PhaseReport::default();
    let started = Instant::now();
    let day = plan_day(store.as_ref(), &Policy::default(), today).await?;
    let label = format!("read + plan, streamed ({} proposals)", day.proposals.len());
    report.steps.push((label, started.elapsed().as_secs_f64()));
    report.peak_rss_mb = peak_rss_mb();
    Ok(report)
}

/// The whole ledger in memory at once (`Store::ledger`), then the pure planner over it.
async fn snapshot_phase(dir: &Path, today: NaiveDate) -> anyhow::Result<PhaseReport> {
    let store =
        open_store(&format!("sqlite://{}", dir.join("bench.db").display()), Clock::real(chrono_tz::Europe::Paris))
            .await?;
    let mut report = PhaseReport::default();
    let started = Instant::now();
    let ledger = store.ledger(today).await?;
    let invoices: usize = ledger.accounts.iter().map(|a| a.invoices.len()).sum();
    report.steps.push((format!("read whole ledger ({invoices} invoices)"), started.elapsed().as_secs_f64()));
    let planning = Instant::now();
    let proposals = plan(&ledger, &Policy::default(), today);
    report.steps.push((format!("plan ({} proposals)", proposals.len()), planning.elapsed().as_secs_f64()));
    report.steps.push(("read + plan".into(), started.elapsed().as_secs_f64()));
    report.peak_rss_mb = peak_rss_mb();
    Ok(report)
}

/// The process's peak resident set size (VmHWM), in MB; 0 where /proc is missing.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Clients and invoices spread so that every stage of the ladder has work today.
pub(super) fn write_synthetic(dir: &Path, clients: usize, invoices: usize, today: NaiveDate) -> anyhow::Result<()> {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("clients.csv"))?);
    writeln!(out, "client_id,name,email,phone,segment,owner,language,kind")?;
    for i in 0..clients {
        let segment = if i % 20 == 0 { "strategic" } else { "standard" };
        let kind = if i % 10 == 0 { "b2c" } else { "b2b" };
        writeln!(out, "C{i:06},Client {i},compta{i}@example.fr,,{segment},rep{},fr,{kind}", i % 50)?;
    }
    out.flush()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("invoices.csv"))?);
    writeln!(out, "number,client_id,issue_date,due_date,amount,currency,paid,description")?;
    for i in 0..invoices {
        let client = rng.usize(0..clients.max(1));
        let due = today - Days::new(rng.u64(0..90)) + Days::new(10);
        let issue = due - Days::new(30);
        let cents = rng.u64(10_000..5_000_000);
        writeln!(out, "F{i:08},C{client:06},{issue},{due},{}.{:02},EUR,0,Prestation {i}", cents / 100, cents % 100)?;
    }
    out.flush()?;
    Ok(())
}
