//! relance: a chat-ops bot that chases unpaid invoices for French SMEs.
//!
//! The pure core (`policy`, `render`) takes plain data and today's date and
//! returns plain data; the shell (`store`, `import`, `cli`) does the I/O.
//! See ARCHITECTURE.md for the map.

pub mod chat;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod decision;
pub mod delivery;
pub mod demo;
pub mod digest;
pub mod domain;
pub mod duplicates;
pub mod holds;
pub mod import;
pub mod instalment_notes;
pub mod instalment_plans;
pub mod ledger;
pub mod letter;
pub mod lookup;
pub mod mail;
pub mod people;
pub mod policy;
pub mod render;
pub mod serve;
pub mod sms;
pub mod status;
pub mod store;
pub mod web;

/// Makes ring the process's TLS provider (SMTP over TLS, the SMS API, the
/// chat platforms). rustls picks one by itself only when a single backend is
/// compiled in; a build where another crate enables aws-lc-rs too (a test
/// dependency does) would otherwise panic at the first TLS connection.
/// Idempotent.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
