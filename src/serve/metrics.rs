//! `GET /metrics`, in the Prometheus text format: digests posted, decisions
//! by kind and platform, request latencies, signature failures, messages
//! sent, retried, failed and cancelled.
//!
//! One registry per server (not a global), so tests running several servers
//! in one process read their own figures.

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PlatformLabel {
    pub platform: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DecisionLabels {
    pub kind: String,
    pub platform: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabel {
    pub route: String,
    pub status: String,
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    pub digests_posted: Family<PlatformLabel, Counter>,
    pub decisions: Family<DecisionLabels, Counter>,
    pub signature_failures: Family<PlatformLabel, Counter>,
    pub request_seconds: Family<RouteLabel, Histogram>,
    pub messages: Family<OutcomeLabel, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("relance");
        let digests_posted = Family::<PlatformLabel, Counter>::default();
        registry.register("digests_posted", "Digest messages posted or updated, by platform", digests_posted.clone());
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register("decisions", "Decisions recorded, by kind and platform", decisions.clone());
        let signature_failures = Family::<PlatformLabel, Counter>::default();
        registry.register(
            "signature_failures",
            "Requests refused with 401 (bad, missing or stale signature), by platform",
            signature_failures.clone(),
        );
        let request_seconds = Family::<RouteLabel, Histogram>::new_with_constructor(|| {
            Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0])
        });
        registry.register("http_request_duration_seconds", "HTTP request latency, by route", request_seconds.clone());
        let messages = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "outbox_messages",
            "Messages the sender settled, by outcome (sent, retry, failed, cancelled, expired)",
            messages.clone(),
        );
        Self { registry, digests_posted, decisions, signature_failures, request_seconds, messages }
    }

    pub fn posted(&self, platform: &str) {
        self.digests_posted.get_or_create(&PlatformLabel { platform: platform.into() }).inc();
    }

    pub fn decided(&self, kind: &str, platform: &str) {
        self.decisions.get_or_create(&DecisionLabels { kind: kind.into(), platform: platform.into() }).inc();
    }

    /// Counts `n` messages settled with `outcome`.
    pub fn settled(&self, outcome: &str, n: u32) {
        if n > 0 {
            self.messages.get_or_create(&OutcomeLabel { outcome: outcome.into() }).inc_by(u64::from(n));
        }
    }

    pub fn signature_failed(&self, platform: &str) {
        self.signature_failures.get_or_create(&PlatformLabel { platform: platform.into() }).inc();
    }

    pub fn observe(&self, route: &str, status: u16, seconds: f64) {
        self.request_seconds
            .get_or_create(&RouteLabel { route: route.into(), status: status.to_string() })
            .observe(seconds);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_appear_in_the_exposition() {
        let m = Metrics::new();
        m.posted("slack");
        m.decided("approve", "slack");
        m.signature_failed("discord");
        m.observe("/slack/interactions", 200, 0.004);
        let text = m.render();
        assert!(text.contains("relance_digests_posted_total{platform=\"slack\"} 1"), "{text}");
        assert!(text.contains("relance_decisions_total{kind=\"approve\",platform=\"slack\"} 1"), "{text}");
        assert!(text.contains("relance_signature_failures_total{platform=\"discord\"} 1"), "{text}");
        assert!(text.contains("relance_http_request_duration_seconds_bucket"), "{text}");
    }
}
