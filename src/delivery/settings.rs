//! `sending:`, `mail:` and `sms:` in `bot-config.yaml`: when messages leave,
//! how failures are retried, and through what. Without an SMTP URL or SMS
//! account (the embedded default) messages are written as files to
//! `sending.outbox_dir`, so the whole flow can be tried with no account.

use super::retry::RetryPolicy;
use super::window::SendWindow;
use crate::config::SecretUrl;
use crate::sms::SmsSettings;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `sending:` — the sender's schedule and pace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SendingConfig {
    /// Local hours messages may leave in, on business days (`"09:00-18:00"`).
    pub window: SendWindow,
    pub retry: RetryPolicy,
    /// Where messages go without SMTP or SMS settings, and where formal
    /// notice letters are written (`letters/`). Relative to the config file.
    pub outbox_dir: PathBuf,
    /// Messages a sender claims at once.
    pub batch: u32,
    /// Messages a sender has in flight at once (over the SMTP connection pool).
    pub concurrency: u32,
    /// How long a claim holds: a sender killed mid-batch loses its messages
    /// to another after this long. Longer than the slowest send.
    pub lease_seconds: u32,
    /// How often `relance serve` looks for due messages.
    pub poll_seconds: u32,
}

impl Default for SendingConfig {
    fn default() -> Self {
        Self {
            window: SendWindow::default(),
            retry: RetryPolicy::default(),
            outbox_dir: PathBuf::from("outbox"),
            batch: 50,
            concurrency: 16,
            lease_seconds: 300,
            poll_seconds: 15,
        }
    }
}

/// `mail:` — the SMTP server and the sender's addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// `SMTP_URL`: `smtp://user:pass@host:587?tls=starttls`, `smtps://…`,
    /// `smtp://127.0.0.1:2525` (plain, local). Empty: `.eml` files.
    pub smtp_url: Option<SecretUrl>,
    /// `MAIL_FROM`: empty means the company's contact (`company.contact_name`
    /// `<company.contact_email>`): the seeds advise a person's address.
    pub from: String,
    /// `MAIL_REPLY_TO`.
    pub reply_to: String,
    /// `MAIL_BCC`: an archive copy, addresses separated by commas.
    pub bcc: String,
}

impl MailSettings {
    /// The SMTP URL, when one is set.
    pub fn smtp_url(&self) -> Option<&str> {
        self.smtp_url.as_ref().map(|u| u.0.trim()).filter(|u| !u.is_empty())
    }
}

/// `sms:` as written: every field may be empty (SMS then go to files).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsConfig {
    pub api_url: String,
    #[serde(deserialize_with = "crate::config::lenient::string")]
    pub account_sid: String,
    #[serde(deserialize_with = "crate::config::lenient::string")]
    pub auth_token: String,
    pub from: String,
}

impl SmsConfig {
    /// The account to send through; `Ok(None)` when none is configured, an
    /// error naming the missing keys when only some are.
    pub fn settings(&self) -> Result<Option<SmsSettings>, String> {
        let fields = [("account_sid", &self.account_sid), ("auth_token", &self.auth_token), ("from", &self.from)];
        let missing: Vec<&str> = fields.iter().filter(|(_, v)| v.trim().is_empty()).map(|(k, _)| *k).collect();
        if missing.len() == fields.len() {
            return Ok(None);
        }
        if !missing.is_empty() {
            return Err(format!("sms: {} missing (SMS needs account_sid, auth_token and from)", missing.join(", ")));
        }
        let api_url = if self.api_url.trim().is_empty() {
            crate::sms::twilio::DEFAULT_API_URL.into()
        } else {
            self.api_url.clone()
        };
        Ok(Some(SmsSettings {
            api_url,
            account_sid: self.account_sid.trim().into(),
            auth_token: crate::chat::settings::Secret(self.auth_token.trim().into()),
            from: self.from.trim().into(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_is_off_when_unset_and_a_half_set_account_names_what_is_missing() {
        assert_eq!(SmsConfig::default().settings(), Ok(None));
        let half = SmsConfig { account_sid: "AC123".into(), ..Default::default() };
        assert_eq!(
            half.settings().unwrap_err(),
            "sms: auth_token, from missing (SMS needs account_sid, auth_token and from)"
        );
        let full = SmsConfig {
            account_sid: "AC1".into(),
            auth_token: "t".into(),
            from: "+33600000000".into(),
            ..Default::default()
        };
        let settings = full.settings().unwrap().unwrap();
        assert_eq!(settings.api_url, "https://api.twilio.com");
        assert!(!format!("{settings:?}").contains("\"t\""), "the token never prints");
    }
}
