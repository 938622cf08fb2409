//! Delivery: sending the approved reminders, once, at the right moment.
//!
//! The outbox rows written with each approval are claimed by a sender
//! ([`worker`]), checked again against the database ([`recheck`], pure),
//! sent through their channel — e-mail over SMTP or into `.eml` files
//! ([`mailer`], [`smtp`], [`mail_files`]), SMS through the Twilio-compatible
//! client (`crate::sms`) or into `.sms.txt` files ([`sms_files`]), the
//! formal notice as a PDF letter for a person to post — and settled:
//! sent, retried with backoff ([`retry`], pure), failed or cancelled, with
//! the digest entry saying so ([`lines`], pure). Messages leave on business
//! days inside the sending window ([`window`], pure). [`settings`] and
//! [`setup`] turn `bot-config.yaml` into a sender.

mod duplicates;
pub mod files;
pub mod lines;
pub mod mail_files;
pub mod mailer;
pub mod outcome;
pub mod recheck;
pub mod retry;
pub mod settings;
pub mod setup;
pub mod sms_files;
pub mod smtp;
pub mod window;
pub mod worker;

pub use mail_files::FileMailer;
pub use mailer::Mailer;
pub use outcome::SendOutcome;
pub use sms_files::FileSms;
pub use smtp::{MailerSetupError, SmtpMailer, SmtpOptions};
pub use worker::{Pass, Worker};
