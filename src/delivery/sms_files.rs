//! SMS as `.sms.txt` files: the embedded default without SMS settings.
//!
//! Each text becomes `{dir}/{key}.sms.txt` (the key made file-safe): who it
//! goes to, who it comes from, what it costs in segments, then the body, so
//! a person can check the wording and the bill before configuring an SMS
//! API. The key is the reminder's, so a resent text replaces its file.

use super::files::{file_stem, write_atomically_async};
use crate::domain::PhoneE164;
use crate::sms::{segments, SmsOutcome, SmsSender};
use std::path::PathBuf;

/// Writes each SMS to a file in `dir`, created when missing.
#[derive(Debug, Clone)]
pub struct FileSms {
    pub dir: PathBuf,
    /// The sender shown in the file (`SMS_FROM` or the company's SMS name).
    pub from: String,
}

impl FileSms {
    pub fn new(dir: impl Into<PathBuf>, from: impl Into<String>) -> Self {
        Self { dir: dir.into(), from: from.into() }
    }

    /// The file a message goes to: `20260316-C-7.sms.txt`.
    pub fn file_name(key: &str) -> String {
        format!("{}.sms.txt", file_stem(key))
    }

    /// The file's text: a header block, a blank line, the body as sent.
    pub fn contents(&self, to: &PhoneE164, body: &str) -> String {
        let cost = segments(body);
        format!(
            "To: {}\nFrom: {}\nSegments: {} ({}, {} units)\n\n{body}\n",
            to.as_str(),
            self.from,
            cost.count,
            cost.encoding,
            cost.units
        )
    }
}

#[async_trait::async_trait]
impl SmsSender for FileSms {
    /// Writes the file; a failed write is transient, like a failed request.
    async fn send(&self, key: &str, to: &PhoneE164, body: &str) -> SmsOutcome {
        let contents = self.contents(to, body).into_bytes();
        match write_atomically_async(self.dir.clone(), Self::file_name(key), contents).await {
            Ok(path) => SmsOutcome::Sent { sid: path.display().to_string() },
            Err(reason) => SmsOutcome::Transient { reason, retry_after: None },
        }
    }

    fn describe(&self) -> String {
        format!("no SMS settings: texts are written as .sms.txt files to {}", self.dir.display())
    }
}
