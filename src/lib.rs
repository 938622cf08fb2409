//! relance: a chat-ops bot that chases unpaid invoices for French SMEs.
//!
//! The pure core (`policy`, `render`) takes plain data and today's date and
//! returns plain data; the shell (`store`, `import`, `cli`) does the I/O.
//! See ARCHITECTURE.md for the map.

pub mod chat;
pub mod cli;
pub mod clock;
pub mod config;
pub mod decision;
pub mod delivery;
pub mod demo;
pub mod digest;
pub mod domain;
pub mod import;
pub mod ledger;
pub mod letter;
pub mod lookup;
pub mod mail;
pub mod people;
pub mod policy;
pub mod render;
pub mod serve;
pub mod sms;
pub mod store;
pub mod web;
