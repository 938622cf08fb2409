//! Keeps the posted digest in step with the decisions, in the background and
//! in batches.
//!
//! A click is answered as soon as it is decided; the messages showing its
//! entry are edited afterwards. Editing once per click would cost, with 200
//! clicks in flight, 200 page renders and 200 `chat.update` calls a second —
//! both cores busy re-rendering, and far beyond Slack's ~50 updates a minute
//! for `chat.update` (measured: p99 of a click 1.1–1.9 s that way). So the
//! changed entries are collected for [`DEBOUNCE`], then each page holding any
//! of them is rendered and edited once.

use super::publish::refresh;
use super::state::Services;
use crate::domain::ProposalId;
use std::collections::BTreeSet;
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long changes are gathered before the pages are edited.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// What changed.
#[derive(Debug)]
pub enum Touched {
    /// These entries changed.
    Entries(Vec<ProposalId>),
    /// Every page (send anyway releases a whole day).
    All,
}

/// Runs until the services are dropped.
pub async fn run(svc: Weak<Services>, mut changes: mpsc::UnboundedReceiver<Touched>) {
    while let Some(first) = changes.recv().await {
        let (mut ids, mut all) = (BTreeSet::new(), false);
        let mut gather = |touched: Touched| match touched {
            Touched::Entries(list) => ids.extend(list),
            Touched::All => all = true,
        };
        gather(first);
        tokio::time::sleep(DEBOUNCE).await;
        while let Ok(more) = changes.try_recv() {
            gather(more);
        }
        let Some(svc) = svc.upgrade() else { return };
        // An empty list means every page.
        let ids: Vec<ProposalId> = if all { Vec::new() } else { ids.into_iter().collect() };
        if let Err(err) = refresh(&svc, &ids).await {
            tracing::warn!(error = %format!("{err:#}"), "digest messages not updated after decisions");
        }
    }
}
