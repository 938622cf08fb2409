//! The sender inside `relance serve`: a pass every `sending.poll_seconds`,
//! sooner when the window opens; the digest entries it settled are edited
//! by the refresher like those changed by a click.

use super::refresher::Touched;
use super::state::Services;
use crate::delivery::Worker;
use std::sync::Arc;
use std::time::Duration;

/// Runs until the process stops.
pub async fn run(svc: Arc<Services>, worker: Worker) {
    let poll = Duration::from_secs(u64::from(worker.settings.poll_seconds.max(1)));
    loop {
        let mut wait = poll;
        match worker.run_pass().await {
            Ok(pass) => {
                count(&svc, &pass);
                if pass.sent + pass.failed + pass.cancelled + pass.retried > 0 {
                    tracing::info!(
                        sent = pass.sent,
                        retry = pass.retried,
                        failed = pass.failed,
                        cancelled = pass.cancelled,
                        "outbox pass"
                    );
                }
                if !pass.touched.is_empty() {
                    svc.touched(Touched::Entries(pass.touched));
                }
                if let Some(opens) = pass.closed_until {
                    let until = (opens - svc.clock.now()).to_std().unwrap_or_default();
                    wait = wait.min(until.max(Duration::from_secs(1)));
                }
            }
            Err(err) => tracing::error!(error = %format!("{err:#}"), "outbox pass failed; next try at the next poll"),
        }
        super::owner_notices::send_due(&svc).await;
        tokio::time::sleep(wait).await;
    }
}

fn count(svc: &Services, pass: &crate::delivery::Pass) {
    let m = &svc.metrics;
    m.settled("sent", pass.sent);
    m.settled("retry", pass.retried);
    m.settled("failed", pass.failed);
    m.settled("cancelled", pass.cancelled);
    m.settled("expired", pass.expired);
}
