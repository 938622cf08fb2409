//! What every command needs: the configuration, the clock and the store.

use super::Cli;
use crate::clock::Clock;
use crate::config::{self, Loaded};
use crate::store::{self, Actor, Store};
use anyhow::Context;
use chrono::NaiveDate;
use std::path::Path;
use std::sync::Arc;

pub struct App {
    pub loaded: Loaded,
    pub clock: Clock,
    pub store: Arc<dyn Store>,
}

impl App {
    /// Loads the configuration, sets the clock, opens and migrates the store.
    pub async fn open(cli: &Cli) -> anyhow::Result<App> {
        let loaded = load_config(&cli.config)?;
        let clock = clock(cli, &loaded)?;
        let store = open_store(&loaded.database_url(), clock).await?;
        Ok(App { loaded, clock, store })
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The person at the keyboard, for the audit log.
    pub fn actor(&self) -> Actor {
        let name = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "cli".into());
        Actor { name, via: "cli".into() }
    }

    pub fn migrated(&self) -> anyhow::Result<()> {
        println!("Database ready: {}", store::redact(&self.loaded.database_url()));
        Ok(())
    }

    pub async fn import(&self, kind: &str, file: &Path) -> anyhow::Result<()> {
        let kind: crate::import::ImportKind =
            kind.parse().map_err(|e: String| super::UserError(format!("import {kind:?}: {e}")))?;
        let report = crate::import::import_file(self.store.as_ref(), kind, file, &self.actor()).await?;
        let c = report.counts;
        println!(
            "{}: {} rows read — {} new, {} updated, {} unchanged",
            file.display(),
            report.rows,
            c.inserted,
            c.updated,
            c.unchanged
        );
        if kind != crate::import::ImportKind::Clients {
            self.release_held_approvals().await?;
        }
        Ok(())
    }

    /// Edits the digest messages showing these entries, on the platforms
    /// that are on, so the channel shows what a command just did ("sent to
    /// … at 09:02", "letter posted on …"). A failure is logged, not
    /// returned: the command's own work is done.
    pub async fn refresh_chat(self, touched: &[crate::domain::ProposalId]) {
        if touched.is_empty() {
            return;
        }
        let svc = match crate::serve::Services::new(self.loaded, self.clock, self.store) {
            Ok(svc) => svc,
            Err(err) => return tracing::warn!(error = %format!("{err:#}"), "digest not updated"),
        };
        if !svc.platforms.any() {
            return;
        }
        if let Err(err) = crate::serve::publish::refresh(&svc, touched).await {
            tracing::warn!(error = %format!("{err:#}"), "digest messages not updated");
        }
    }

    /// Fresh invoices or payments are what approvals held on stale data
    /// were waiting for: release today's (the sender still re-checks each
    /// invoice at send time).
    async fn release_held_approvals(&self) -> anyhow::Result<()> {
        let today = self.today();
        let held = self.store.outbox(today).await?.iter().any(|row| row.item.held_for_fresh_data);
        if held {
            let stamp = crate::decision::Stamp {
                by: format!("{} (import)", self.actor().name),
                via: crate::people::Platform::Web,
                at: self.clock.now(),
            };
            let released = self.store.release_held(today, &stamp).await?;
            println!("{released} approved reminder(s) held for stale data released by this import");
        }
        Ok(())
    }
}

/// Reads the configuration file. The default path may be missing (the shipped
/// configuration then applies); a path the user named must exist.
pub fn load_config(path: &Path) -> anyhow::Result<Loaded> {
    let env = |name: &str| std::env::var(name).ok();
    if !path.exists() && path == Path::new("bot-config.yaml") {
        tracing::warn!("no bot-config.yaml here: using the shipped default configuration");
        let fail = |message| config::ConfigError { file: "(shipped bot-config.yaml)".into(), message };
        let config = config::parse(config::SHIPPED, &env).map_err(fail)?;
        let tz = config.timezone.parse().map_err(|_| fail(format!("timezone: {:?} is unknown", config.timezone)))?;
        return Ok(Loaded { config, tz, path: path.to_path_buf() });
    }
    Ok(config::load(path, &env)?)
}

/// The clock, replayed with `--date` or `--now`/`RELANCE_NOW` when given.
pub fn clock(cli: &Cli, loaded: &Loaded) -> anyhow::Result<Clock> {
    let replay = match (&cli.date, &cli.now) {
        (Some(date), _) => Some(date.format("%Y-%m-%d").to_string()),
        (None, Some(now)) => Some(now.clone()),
        (None, None) => None,
    };
    Clock::new(loaded.tz, replay.as_deref()).map_err(|e| anyhow::anyhow!(super::UserError(format!("--now: {e}"))))
}

/// Connects to the database and applies the migrations.
pub async fn open_store(url: &str, clock: Clock) -> anyhow::Result<Arc<dyn Store>> {
    let shown = store::redact(url);
    let store = store::connect(url, clock).await.with_context(|| format!("Failed to open the database {shown}"))?;
    store.migrate().await.with_context(|| format!("Failed to migrate the database {shown}"))?;
    Ok(store)
}
