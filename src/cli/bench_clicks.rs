//! `relance bench clicks`: the latency of a signed Slack button click
//! (verify, decide, persist, answer) under many concurrent requests, against
//! the real server on loopback with a SQLite database (issue 3).
//!
//! Everything but Slack is real: the synthetic ledger is imported through the
//! store, the digest is computed and posted by `publish`, the server is the
//! one `relance serve` starts, and every click carries Slack's v0 signature
//! with a current timestamp. Slack's Web API is a local fake answering
//! `chat.postMessage` and `chat.update`, so the background page updates that
//! follow each decision run (and compete for the CPU and the database) as
//! they would in production, minus Slack's own latency.
//!
//! The clients run on a runtime of their own, in their own thread, so the
//! server's workers are not the ones sending the load. A click that was not
//! recorded fails the benchmark: the store must hold exactly one approved
//! entry and one queued outbox row per click.

use super::app::open_store;
use super::bench::{write_synthetic, BENCH_DAY};
use crate::clock::Clock;
use crate::config::{self, Loaded};
use crate::decision::{EntryState, Status};
use crate::import::{import_file, ImportKind};
use crate::serve::{self, Services};
use crate::store::{Actor, OutboxStatus, Store};
use anyhow::Context;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::{Json, Router};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use clap::Args;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

#[derive(Debug, Args)]
pub struct ClicksArgs {
    /// Clients in the synthetic ledger; nearly every one gets a proposal today.
    #[arg(long, default_value_t = 3_000)]
    pub clients: usize,
    /// Open invoices, spread over the clients.
    #[arg(long, default_value_t = 15_000)]
    pub invoices: usize,
    /// Clicks in flight at once (a closed loop: each answer sends the next click).
    #[arg(long, default_value_t = 200)]
    pub concurrency: usize,
    /// Clicks measured, each approving a different proposal.
    #[arg(long, default_value_t = 2_000)]
    pub requests: usize,
    /// Clicks sent before measuring (connections opened, caches warm), not measured.
    #[arg(long, default_value_t = 200)]
    pub warmup: usize,
    /// Send the clicks in bursts of --concurrency at once, each once the
    /// previous one is answered and its pages updated, instead of a closed loop.
    #[arg(long)]
    pub waves: bool,
}

/// The finance person who clicks, as Slack names them.
pub(super) const FINANCE_SLACK_ID: &str = "UBENCHFIN1";
/// The channel the fake Slack says the digest is in.
const CHANNEL: &str = "C0BENCH01";
/// The local time the clicks happen at on [`BENCH_DAY`].
const CLICK_TIME: (u32, u32) = (9, 30);
/// How long the background page updates may take to catch up after the load.
const SETTLE_LIMIT: Duration = Duration::from_secs(120);
/// Without a page update for this long, the updates are over.
const SETTLE_QUIET: Duration = Duration::from_secs(2);

pub async fn run(args: &ClicksArgs) -> anyhow::Result<()> {
    let today = NaiveDate::from_ymd_opt(BENCH_DAY.0, BENCH_DAY.1, BENCH_DAY.2).expect("valid day");
    let temp = tempfile::tempdir()?;
    let dir = temp.path();
    let clock = bench_clock(today)?;
    println!("relance bench clicks: {} clients, {} open invoices, clicks on {today}", args.clients, args.invoices);

    let started = Instant::now();
    let store = ledger(dir, args, today, clock).await?;
    println!("  ledger generated and imported in {:.1} s (SQLite, {})", started.elapsed().as_secs_f64(), dir.display());

    let slack = FakeSlack::start().await?;
    let secret = format!("{:032x}", fastrand::u128(..));
    let loaded = bench_config(dir, &slack.api_url(), &secret)?;
    let svc = Services::new(loaded, clock, store.clone())?;
    let started = Instant::now();
    let published = serve::publish(&svc).await?.context("the bench day is not a business day")?;
    let pages = slack.calls.posts.load(Ordering::SeqCst);
    println!(
        "  digest: {} entries posted on {pages} Slack message(s) in {:.1} s",
        published.entries,
        started.elapsed().as_secs_f64()
    );

    let entries = pending(store.as_ref(), today).await?;
    let needed = args.warmup + args.requests;
    anyhow::ensure!(
        entries.len() >= needed,
        "the digest has {} pending entries, {needed} clicks need as many: raise --clients and --invoices",
        entries.len()
    );
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let running = serve::start(svc, listener, false)?;
    let target = Target {
        addr: running.addr,
        path: "/slack/interactions".into(),
        response_url: format!("{}/response", slack.base_url()),
        secret,
    };
    let clicks: Vec<Click> = entries.iter().take(needed).map(Click::of).collect();
    let (warm, measured) = clicks.split_at(args.warmup);
    let loader = Loader::start(target, args.concurrency)?;

    let load = loader.fire(warm.to_vec()).await?;
    println!("  warm-up: {} clicks, {} in flight, in {:.2} s", warm.len(), args.concurrency, load.wall.as_secs_f64());
    slack.settle(warm.len()).await;

    let load =
        if args.waves { waves(&loader, &slack, measured, args).await? } else { loader.fire(measured.to_vec()).await? };
    print_latencies(&load, args);
    let caught_up = slack.settle(needed).await;
    println!(
        "  digest pages updated after the clicks: {} chat.update in all, the last {:.2} s after the last answer",
        slack.calls.updates.load(Ordering::SeqCst),
        caught_up.as_secs_f64()
    );
    verify(store.as_ref(), today, needed).await?;
    running.stop().await
}

/// The business clock, frozen on the bench day in the morning: the imports
/// are stamped with it, so the ledger is fresh and approvals are not held.
pub(super) fn bench_clock(today: NaiveDate) -> anyhow::Result<Clock> {
    let tz = chrono_tz::Europe::Paris;
    let time = NaiveTime::from_hms_opt(CLICK_TIME.0, CLICK_TIME.1, 0).expect("valid time");
    let now = tz.from_local_datetime(&today.and_time(time)).single().context("the bench time exists in Paris")?;
    Ok(Clock::fixed(now.with_timezone(&chrono::Utc), tz))
}

/// Writes the synthetic ledger and imports it into a new SQLite database.
async fn ledger(dir: &Path, args: &ClicksArgs, today: NaiveDate, clock: Clock) -> anyhow::Result<Arc<dyn Store>> {
    write_synthetic(dir, args.clients, args.invoices, today)?;
    import_synthetic(dir, clock).await
}

/// Imports the synthetic `clients.csv` and `invoices.csv` of `dir` into a new SQLite database there.
pub(super) async fn import_synthetic(dir: &Path, clock: Clock) -> anyhow::Result<Arc<dyn Store>> {
    let store = open_store(&format!("sqlite://{}", dir.join("bench.db").display()), clock).await?;
    let actor = Actor { name: "bench".into(), via: "cli".into() };
    for (kind, file) in [(ImportKind::Clients, "clients.csv"), (ImportKind::Invoices, "invoices.csv")] {
        import_file(store.as_ref(), kind, &dir.join(file), &actor).await?;
    }
    Ok(store)
}

/// The shipped configuration with Slack on (pointing at the fake) and one
/// finance person known by their Slack id; nothing read from the process
/// environment, so the figures do not depend on the shell.
pub(super) fn bench_config(dir: &Path, api_url: &str, secret: &str) -> anyhow::Result<Loaded> {
    let vars = [
        ("SLACK_BOT_TOKEN", "xoxb-bench"),
        ("SLACK_SIGNING_SECRET", secret),
        ("SLACK_CHANNEL", CHANNEL),
        ("SLACK_API_URL", api_url),
        ("RELANCE_FINANCE_SLACK", FINANCE_SLACK_ID),
        ("RELANCE_LINK_SECRET", "bench-link-secret"),
    ];
    let env = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
    let config = config::parse(config::SHIPPED, &env).map_err(|e| anyhow::anyhow!("bench configuration: {e}"))?;
    let tz = config.timezone.parse().map_err(|_| anyhow::anyhow!("timezone {:?}", config.timezone))?;
    Ok(Loaded { config, tz, path: dir.join("bot-config.yaml") })
}

/// The day's entries waiting for a decision, in digest order.
async fn pending(store: &dyn Store, today: NaiveDate) -> anyhow::Result<Vec<EntryState>> {
    let entries = store.entries(today).await?;
    Ok(entries.into_iter().filter(|e| e.status == Status::Pending).collect())
}

/// The store must hold one approved entry and one queued outbox row per
/// click: a benchmark whose clicks decided nothing would measure nothing.
async fn verify(store: &dyn Store, today: NaiveDate, clicks: usize) -> anyhow::Result<()> {
    let approved = store.entries(today).await?.iter().filter(|e| e.status == Status::Approved).count();
    // One outbox row per channel: count the reminders.
    let outbox = store.outbox(today).await?;
    let queued: std::collections::HashSet<_> =
        outbox.iter().filter(|r| r.status == OutboxStatus::Queued).map(|r| &r.item.proposal_id).collect();
    let queued = queued.len();
    println!(
        "  store: {approved} entries approved, {queued} reminders queued in the outbox, for {clicks} clicks (warm-up included)"
    );
    anyhow::ensure!(
        approved == clicks && queued == clicks,
        "the clicks were not all recorded: {approved} approved, {queued} queued, {clicks} expected"
    );
    Ok(())
}

/// Bursts of `concurrency` clicks sent at once, each on a server at rest:
/// the previous burst answered and its pages updated.
async fn waves(loader: &Loader, slack: &FakeSlack, clicks: &[Click], args: &ClicksArgs) -> anyhow::Result<Load> {
    let mut all = Load { latencies: Vec::with_capacity(clicks.len()), wall: Duration::ZERO, cpu: Duration::ZERO };
    for (i, wave) in clicks.chunks(args.concurrency.max(1)).enumerate() {
        let load = loader.fire(wave.to_vec()).await?;
        all.latencies.extend(load.latencies);
        all.wall += load.wall;
        all.cpu += load.cpu;
        slack.settle(args.warmup + (i * args.concurrency.max(1)) + wave.len()).await;
    }
    all.latencies.sort();
    Ok(all)
}

/// What the measured clicks gave.
struct Load {
    /// Send to answer, one per click, sorted.
    latencies: Vec<Duration>,
    /// First send to last answer (summed over waves).
    wall: Duration,
    /// CPU time the whole process used meanwhile (server, load, fake Slack).
    cpu: Duration,
}

fn print_latencies(load: &Load, args: &ClicksArgs) {
    let n = load.latencies.len();
    let how = if args.waves {
        format!("in waves of {} sent at once", args.concurrency)
    } else {
        format!("{} in flight", args.concurrency)
    };
    println!("  {n} approve clicks, {how}, loopback, SQLite (WAL):");
    for (label, q) in [("p50", 0.50), ("p90", 0.90), ("p99", 0.99)] {
        println!("    {label:<10} {:>8.2} ms", ms(percentile(&load.latencies, q)));
    }
    println!("    {:<10} {:>8.2} ms", "max", ms(load.latencies.last().copied().unwrap_or_default()));
    println!("    {:<10} {:>8.0} clicks/s", "throughput", n as f64 / load.wall.as_secs_f64());
    let cpu = load.cpu.as_secs_f64() * 1e6 / n.max(1) as f64;
    println!("    {:<10} {:>8.0} µs a click (server, load generator and fake Slack)", "CPU", cpu);
}

pub(super) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The nearest-rank percentile of sorted values (`q` in 0..=1).
pub(super) fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Where the clicks go, and the key they are signed with.
#[derive(Clone)]
struct Target {
    /// The server, and the path of Slack's interactions on it.
    addr: std::net::SocketAddr,
    path: String,
    response_url: String,
    secret: String,
}

/// One button click: Approve on one entry, at the revision it was rendered at.
#[derive(Clone)]
struct Click {
    id: String,
    rev: u32,
}

impl Click {
    fn of(entry: &EntryState) -> Self {
        Self { id: entry.proposal.id.as_str().to_string(), rev: entry.rev }
    }

    /// The form body Slack sends: `payload=` and the `block_actions` JSON.
    fn body(&self, target: &Target) -> String {
        let payload = json!({
            "type": "block_actions",
            "user": { "id": FINANCE_SLACK_ID },
            "container": { "type": "message", "message_ts": "1773650000.000001", "channel_id": CHANNEL },
            "channel": { "id": CHANNEL },
            "response_url": format!("{}/{}", target.response_url, self.id),
            "trigger_id": "bench.trigger",
            "actions": [{
                "type": "button",
                "action_id": format!("approve:{}", self.id),
                "block_id": format!("actions:{}:{}", self.id, self.rev),
                "value": self.id,
            }],
        });
        serde_urlencoded::to_string([("payload", payload.to_string())]).expect("a string pair encodes")
    }
}

/// Slack's v0 signature of `body` at `timestamp`.
pub(super) fn sign(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key");
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// The clients: a thread with a runtime of its own (the server's workers do
/// not send the load), each of the `concurrency` clients on one keep-alive
/// connection kept from one round to the next.
///
/// Why hyper's bare connection rather than reqwest: the load generator shares
/// the two cores with the server, and a click on an open HTTP/1.1 connection
/// needs no pool, redirects or header handling. In profiles of the burst the
/// load generator's share of the CPU went from 22 % (reqwest) to 15 %.
struct Loader {
    rounds: tokio::sync::mpsc::UnboundedSender<Round>,
}

struct Round {
    clicks: Vec<Click>,
    reply: tokio::sync::oneshot::Sender<anyhow::Result<Load>>,
}

/// One client's connection to the server.
type Connection = hyper::client::conn::http1::SendRequest<http_body_util::Full<Bytes>>;

impl Loader {
    fn start(target: Target, concurrency: usize) -> anyhow::Result<Self> {
        let (rounds, mut queue) = tokio::sync::mpsc::unbounded_channel::<Round>();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let target = Arc::new(target);
        std::thread::Builder::new().name("bench-clients".into()).spawn(move || {
            runtime.block_on(async move {
                let mut connections = Vec::new();
                while let Some(round) = queue.recv().await {
                    let load = closed_loop(&mut connections, &target, round.clicks, concurrency).await;
                    let _ = round.reply.send(load);
                }
            })
        })?;
        Ok(Self { rounds })
    }

    /// Sends `clicks`, `concurrency` of them in flight; fails on any answer but an empty 200.
    async fn fire(&self, clicks: Vec<Click>) -> anyhow::Result<Load> {
        let (reply, load) = tokio::sync::oneshot::channel();
        self.rounds.send(Round { clicks, reply }).map_err(|_| anyhow::anyhow!("the bench clients stopped"))?;
        load.await.map_err(|_| anyhow::anyhow!("the bench clients stopped"))?
    }
}

/// Opens a keep-alive HTTP/1.1 connection to the server, driven by a task of its own.
async fn connect(addr: std::net::SocketAddr) -> anyhow::Result<Connection> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

async fn closed_loop(
    connections: &mut Vec<Connection>,
    target: &Arc<Target>,
    clicks: Vec<Click>,
    concurrency: usize,
) -> anyhow::Result<Load> {
    while connections.len() < concurrency.max(1) {
        connections.push(connect(target.addr).await?);
    }
    // Signed before the clock starts: the load generator shares the two
    // cores with the server, and what it spends is not the server's latency.
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let clicks: Vec<Signed> = clicks.iter().map(|c| Signed::new(c, target, &timestamp)).collect();
    let (clicks, next) = (Arc::new(clicks), Arc::new(AtomicUsize::new(0)));
    let cpu = cpu_time();
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for mut connection in connections.drain(..) {
        let (clicks, next) = (clicks.clone(), next.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            while let Some(click) = clicks.get(next.fetch_add(1, Ordering::Relaxed)) {
                latencies.push(send(&mut connection, click).await?);
            }
            anyhow::Ok((latencies, connection))
        });
    }
    let mut latencies = Vec::with_capacity(clicks.len());
    while let Some(done) = workers.join_next().await {
        let (done, connection) = done??;
        latencies.extend(done);
        connections.push(connection);
    }
    let wall = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu);
    latencies.sort();
    Ok(Load { latencies, wall, cpu })
}

/// A click ready to send: the whole request, Slack's headers included.
struct Signed {
    id: String,
    request: hyper::Request<http_body_util::Full<Bytes>>,
}

impl Signed {
    fn new(click: &Click, target: &Target, timestamp: &str) -> Self {
        let body = click.body(target);
        let signature = sign(&target.secret, timestamp, &body);
        let request = hyper::Request::post(&target.path)
            .header("host", target.addr.to_string())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", timestamp)
            .header("x-slack-signature", signature)
            .body(http_body_util::Full::new(Bytes::from(body)))
            .expect("a valid request");
        Self { id: click.id.clone(), request }
    }
}

/// One signed click; its latency from send to the whole answer.
async fn send(connection: &mut Connection, click: &Signed) -> anyhow::Result<Duration> {
    use http_body_util::BodyExt;
    let request = click.request.clone();
    let started = Instant::now();
    connection.ready().await?;
    let answer = connection.send_request(request).await?;
    let status = answer.status();
    let body = answer.into_body().collect().await?.to_bytes();
    let latency = started.elapsed();
    anyhow::ensure!(
        status.is_success() && body.is_empty(),
        "click on {} answered {status}: {}",
        click.id,
        String::from_utf8_lossy(&body)
    );
    Ok(latency)
}

/// The CPU time this process has used (user and system, every thread):
/// with the wall time, how much of the two cores a click costs — a figure
/// that moves far less than latencies when other work shares the machine.
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Calls the fake Slack received.
#[derive(Default)]
struct Calls {
    posts: AtomicUsize,
    updates: AtomicUsize,
    other: AtomicUsize,
}

/// Slack's Web API on loopback: every call succeeds at once.
struct FakeSlack {
    addr: std::net::SocketAddr,
    calls: Arc<Calls>,
}

impl FakeSlack {
    async fn start() -> anyhow::Result<Self> {
        let calls = Arc::new(Calls::default());
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = Router::new().fallback(answer).with_state(calls.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self { addr, calls })
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn api_url(&self) -> String {
        format!("{}/api", self.base_url())
    }

    /// Waits until the pages of `clicks` decisions have been updated (one
    /// `chat.update` each), or no update came for [`SETTLE_QUIET`] (a server
    /// that merges updates sends fewer); returns when the last update came.
    async fn settle(&self, clicks: usize) -> Duration {
        let started = Instant::now();
        let mut last = (self.calls.updates.load(Ordering::SeqCst), Duration::ZERO);
        while started.elapsed() < SETTLE_LIMIT && last.0 < clicks && started.elapsed() - last.1 < SETTLE_QUIET {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let updates = self.calls.updates.load(Ordering::SeqCst);
            if updates != last.0 {
                last = (updates, started.elapsed());
            }
        }
        last.1
    }
}

/// `chat.postMessage`, `chat.update` or anything else (a `response_url`): ok.
async fn answer(State(calls): State<Arc<Calls>>, uri: Uri, _body: Bytes) -> Json<Value> {
    let counter = match uri.path() {
        "/api/chat.postMessage" => &calls.posts,
        "/api/chat.update" => &calls.updates,
        _ => &calls.other,
    };
    let n = counter.fetch_add(1, Ordering::SeqCst);
    Json(json!({ "ok": true, "channel": CHANNEL, "ts": format!("1773650000.{n:06}") }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::slack_interaction::{parse_slack_interaction, SlackInteraction};
    use crate::chat::slack_signature::verify_slack;
    use crate::decision::Action;

    fn target() -> Target {
        Target {
            addr: ([127, 0, 0, 1], 9).into(),
            path: "/slack/interactions".into(),
            response_url: "http://127.0.0.1:9/response".into(),
            secret: "s3cret".into(),
        }
    }

    #[test]
    fn a_bench_click_is_a_signed_approve_the_server_accepts() {
        let click = Click { id: "20260316-c6a87d7881".into(), rev: 3 };
        let body = click.body(&target());
        let signature = sign("s3cret", "1773650000", &body);
        let verified = verify_slack(b"s3cret", Some("1773650000"), Some(&signature), body.as_bytes(), 1_773_650_000);
        assert_eq!(verified, Ok(()));
        match parse_slack_interaction(body.as_bytes()) {
            Ok(SlackInteraction::Click(c)) => {
                assert_eq!((c.action, c.proposal_id.as_str(), c.rev), (Action::Approve, click.id.as_str(), Some(3)));
                assert_eq!(c.user_id, FINANCE_SLACK_ID);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 0.50), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&sorted, 1.0), Duration::from_millis(100));
        assert_eq!(percentile(&sorted[..1], 0.99), Duration::from_millis(1));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn the_bench_configuration_turns_slack_on_for_the_finance_person() {
        let loaded = bench_config(Path::new("/tmp"), "http://127.0.0.1:9/api", "s3cret").unwrap();
        assert!(loaded.config.slack.is_on());
        let finance = loaded.config.people.iter().find(|p| p.slack.as_deref() == Some(FINANCE_SLACK_ID));
        assert_eq!(finance.map(|p| p.role), Some(crate::people::Role::Finance));
    }
}
