//! Keeps the posted digest in step with the decisions, in the background and
//! in batches.
//!
//! A click is answered as soon as it is decided; the messages showing its
//! entry are edited afterwards. Editing once per click would cost, with 200
//! clicks in flight, 200 page renders and 200 `chat.update` calls a second —
//! both cores busy re-rendering, and far beyond Slack's ~50 updates a minute
//! for `chat.update` (measured: p99 of a click 1.1–1.9 s that way). So the
//! changed entries are collected until the clicks pause for [`QUIET`] (at
//! most [`MAX_WAIT`] after the first), then each page holding any of them
//! is rendered and edited once.
//!
//! Waiting for a pause rather than a fixed delay puts the edits behind the
//! answers: during a burst of clicks (a team going through the morning's
//! digest together) the two cores answer clicks, and the pages are edited
//! once the burst is over — once each, instead of again and again while it
//! lasts. Measured with `relance bench clicks` (README, "Button clicks").

use super::publish::refresh;
use super::state::Services;
use crate::domain::ProposalId;
use std::collections::BTreeSet;
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::mpsc;

/// The pause in the changes after which the pages are edited.
pub const QUIET: Duration = Duration::from_millis(250);
/// The longest the pages lag behind the first change they show.
pub const MAX_WAIT: Duration = Duration::from_secs(2);

/// What changed.
#[derive(Debug)]
pub enum Touched {
    /// These entries changed.
    Entries(Vec<ProposalId>),
    /// Every page (send anyway releases a whole day).
    All,
    /// A hold changed: today's digest is posted again, which withdraws the
    /// entries of a client just paused or disputed and revives those whose
    /// hold was lifted (`store/board/merge.rs`), then edits every page.
    Republish,
}

/// Runs until the services are dropped.
pub async fn run(svc: Weak<Services>, mut changes: mpsc::UnboundedReceiver<Touched>) {
    while let Some(first) = changes.recv().await {
        let (mut ids, mut all, mut republish) = (BTreeSet::new(), false, false);
        let mut gather = |touched: Touched| match touched {
            Touched::Entries(list) => ids.extend(list),
            Touched::All => all = true,
            Touched::Republish => republish = true,
        };
        gather(first);
        let deadline = tokio::time::Instant::now() + MAX_WAIT;
        loop {
            let until = deadline.min(tokio::time::Instant::now() + QUIET);
            match tokio::time::timeout_at(until, changes.recv()).await {
                Ok(Some(more)) => gather(more),
                // A pause, the deadline, or the server stopping: edit now.
                Ok(None) | Err(_) => break,
            }
        }
        let Some(svc) = svc.upgrade() else { return };
        if republish {
            // Posting again edits every page: nothing else to refresh.
            if let Err(err) = super::publish(&svc).await {
                tracing::warn!(error = %format!("{err:#}"), "today's digest not posted again after a hold change");
            }
            continue;
        }
        // An empty list means every page.
        let ids: Vec<ProposalId> = if all { Vec::new() } else { ids.into_iter().collect() };
        if let Err(err) = refresh(&svc, &ids).await {
            tracing::warn!(error = %format!("{err:#}"), "digest messages not updated after decisions");
        }
    }
}
