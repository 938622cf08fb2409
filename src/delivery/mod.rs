//! Delivery: what carries an approved reminder to the client.
//!
//! The transports, each behind a small trait the outbox worker calls once
//! per attempt: e-mail over SMTP or into `.eml` files (`mailer`), SMS into
//! `.sms.txt` files when no SMS API is configured (`sms_files`; the Twilio
//! client lives in `crate::sms`), and what one attempt became (`outcome`).

pub mod files;
pub mod mail_files;
pub mod mailer;
pub mod outcome;
pub mod sms_files;
pub mod smtp;

pub use mail_files::FileMailer;
pub use mailer::Mailer;
pub use outcome::SendOutcome;
pub use sms_files::FileSms;
pub use smtp::{MailerSetupError, SmtpMailer, SmtpOptions};
