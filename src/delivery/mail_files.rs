//! E-mails as `.eml` files: the embedded default when no `SMTP_URL` is set.
//!
//! Each message becomes `{dir}/{Message-ID}.eml` (the id made file-safe), a
//! file any mail client opens. The Message-ID is derived from the reminder,
//! so a reminder sent again after a crash overwrites its file: the folder
//! holds what the clients would have received, once each. The Bcc archive
//! copy is an envelope matter and does not show in the file (lettre leaves
//! the Bcc header out of the message, as a server would).

use super::files::{file_stem, write_atomically_async};
use super::{Mailer, SendOutcome};
use crate::mail::Composed;
use std::path::PathBuf;

/// Writes each e-mail to a file in `dir`, created when missing.
#[derive(Debug, Clone)]
pub struct FileMailer {
    pub dir: PathBuf,
}

impl FileMailer {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The file a message goes to: `relance.20260316-C-7=40acme.fr.eml` for
    /// `<relance.20260316-C-7@acme.fr>`.
    pub fn file_name(message_id: &str) -> String {
        let id = message_id.trim().trim_start_matches('<').trim_end_matches('>');
        format!("{}.eml", file_stem(id))
    }
}

#[async_trait::async_trait]
impl Mailer for FileMailer {
    /// Writes the message's bytes, exactly as SMTP would carry them. A
    /// failed write (disk full, no permission) is transient: the outbox
    /// retries, and gives up at its limit.
    async fn send(&self, mail: &Composed) -> SendOutcome {
        let name = Self::file_name(&mail.message_id);
        match write_atomically_async(self.dir.clone(), name, mail.message.formatted()).await {
            Ok(path) => SendOutcome::Sent { provider_id: path.display().to_string() },
            Err(reason) => SendOutcome::Transient { reason, retry_after: None },
        }
    }

    fn describe(&self) -> String {
        format!("no SMTP_URL: e-mails are written as .eml files to {}", self.dir.display())
    }
}
