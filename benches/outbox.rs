//! Outbox throughput: approved reminders sent by one sender pass to a real
//! SMTP server on loopback (mailin-embedded, the tests' server), over the
//! SMTP connection pool, on SQLite and — with RELANCE_TEST_POSTGRES_URL —
//! PostgreSQL. Each message is re-checked in the database, composed (text,
//! HTML), sent and settled with its audit entry, as in production.
//!
//! `cargo bench --bench outbox` (BENCH_MESSAGES, default 2000;
//! BENCH_CONCURRENCY, default the shipped 16).

#[path = "../tests/common/mod.rs"]
mod common;

use common::sending::{approved, at, message_ids, worker};
use common::smtp::SmtpServer;
use std::time::Instant;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a Tokio runtime");
    runtime.block_on(run());
}

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn run() {
    let messages = env_number("BENCH_MESSAGES", 2000);
    let concurrency = env_number("BENCH_CONCURRENCY", 16);
    for ts in common::test_stores().await {
        let (server, url) = SmtpServer::start();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let names: Vec<String> = (0..messages).map(|i| format!("B{i:05}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        approved(ts.store.as_ref(), &names, &[]).await;
        let mut sender = worker(&ts, at(10, 0), &url, None, dir.path()).await;
        sender.settings.concurrency = concurrency;
        let started = Instant::now();
        let pass = sender.run_pass().await.expect("a sender pass");
        let elapsed = started.elapsed();
        assert_eq!(pass.sent, messages, "every message sent");
        assert_eq!(message_ids(&server).len(), messages as usize, "every message received once");
        println!(
            "outbox/{}: {messages} messages in {:.2} s = {:.0} messages/s, concurrency {concurrency}, {} SMTP connection(s)",
            ts.name,
            elapsed.as_secs_f64(),
            f64::from(messages) / elapsed.as_secs_f64(),
            server.connections()
        );
    }
}
