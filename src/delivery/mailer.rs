//! The e-mail transport the outbox worker sends through.
//!
//! One trait, two implementations: [`SmtpMailer`](super::SmtpMailer) for a
//! real server (`SMTP_URL`), [`FileMailer`](super::FileMailer) writing
//! `.eml` files, the embedded default. Tests may add their own. The worker
//! never sees a transport's error type: each attempt comes back as a
//! [`SendOutcome`] it can record and act on.

use super::SendOutcome;
use crate::mail::Composed;

/// Sends one composed reminder and says what became of it.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    /// One attempt, no retry: retrying is the outbox's job, since only it
    /// knows how many tries a reminder has had.
    async fn send(&self, mail: &Composed) -> SendOutcome;

    /// Where mail goes, for the log line at start (`SMTP
    /// smtp://claire:***@smtp.example.fr:587?tls=starttls`); never a password.
    fn describe(&self) -> String;
}
