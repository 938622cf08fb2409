//! `relance serve`: the HTTP server (button clicks, decision links, the
//! local digest page, health and metrics), the morning scheduler and the
//! decision engine, in one process; and `relance digest`, which posts
//! today's digest once.
//!
//! Everything here is shell: requests are authenticated on their raw bytes,
//! handed to the pure core (`decision`, `digest`) through the engine, and
//! the results are written by the store and posted by the platform clients.

mod act_routes;
mod call_links;
mod call_outcomes;
mod clicks;
pub mod client_index;
pub mod command_runs;
mod discord_call_outcomes;
mod discord_commands;
mod discord_routes;
pub mod engine;
pub mod metrics;
pub mod owner_notices;
mod plan_links;
pub mod publish;
mod publish_calls;
mod refresher;
mod routes;
mod scheduler;
mod sending;
mod slack_commands;
mod slack_routes;
pub mod state;
mod teams_routes;

pub use publish::{publish, Published};
pub use refresher::Touched;
pub use state::Services;

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A server running on a bound socket.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, and returns.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        Ok(self.task.await??)
    }
}

/// Starts serving on `listener`; with `schedule`, the morning scheduler too.
pub fn start(svc: Arc<Services>, listener: TcpListener, schedule: bool) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    if schedule {
        tokio::spawn(scheduler::run(svc.clone()));
    }
    let (stop, stopped) = oneshot::channel::<()>();
    let app = routes::router(svc);
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(Running { addr, stop: Some(stop), task })
}

/// Starts the sender (a pass every `sending.poll_seconds`), which has the
/// digest entries it settles edited like those a click changes.
pub fn start_sender(svc: Arc<Services>, worker: crate::delivery::Worker) {
    tokio::spawn(sending::run(svc, worker));
}

/// `relance serve`: runs until SIGTERM or Ctrl-C, then finishes the
/// requests in flight and exits.
pub async fn run(app: crate::cli::App) -> anyhow::Result<()> {
    let listen = app.loaded.config.server.listen.clone();
    let no_link_secret = app.loaded.config.server.link_secret.is_none();
    let templates = crate::cli::templates(&app.loaded.config)?;
    let worker = crate::delivery::setup::worker(&app.loaded, app.store.clone(), app.clock, templates)?;
    let svc = Services::new(app.loaded, app.clock, app.store)?;
    let listener = TcpListener::bind(&listen)
        .await
        .map_err(|e| anyhow::anyhow!("server.listen (RELANCE_LISTEN) {listen}: {e}"))?;
    let running = start(svc.clone(), listener, true)?;
    eprintln!("relance serve: listening on http://{}", running.addr);
    eprintln!("platforms on: {}", svc.platforms.describe());
    eprintln!("sending: {}", crate::delivery::setup::describe(&worker));
    start_sender(svc.clone(), worker);
    if no_link_secret {
        eprintln!(
            "RELANCE_LINK_SECRET is not set: decision links are signed with a random key and die with this process"
        );
    }
    if !svc.platforms.any() {
        eprintln!("the digest page: {}/digest", svc.config().server.base_url());
    }
    shutdown_signal().await;
    eprintln!("relance serve: stopping (requests in flight finish first)");
    running.stop().await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
