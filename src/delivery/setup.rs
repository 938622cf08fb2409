//! The sender as the configuration describes it: SMTP or `.eml` files,
//! an SMS API or `.sms.txt` files, the sending window and retries.

use super::smtp::{SmtpMailer, SmtpOptions};
use super::worker::Worker;
use super::{FileMailer, FileSms, Mailer};
use crate::clock::Clock;
use crate::config::Loaded;
use crate::mail::Sender;
use crate::render::Templates;
use crate::sms::{SmsSender, TwilioClient};
use crate::store::Store;
use std::sync::Arc;

/// Builds the sender. Transports are set up, not connected: a wrong SMTP
/// URL is reported here, an unreachable server at the first message.
pub fn worker(loaded: &Loaded, store: Arc<dyn Store>, clock: Clock, templates: Templates) -> anyhow::Result<Worker> {
    crate::install_tls_provider();
    let config = &loaded.config;
    let settings = config.sending.clone();
    let outbox_dir = loaded.resolve(&settings.outbox_dir);
    let mail: Arc<dyn Mailer> = match config.mail.smtp_url() {
        Some(url) => {
            let options = SmtpOptions { pool_size: settings.concurrency.max(1), ..SmtpOptions::default() };
            Arc::new(SmtpMailer::with_options(url, options)?)
        }
        None => Arc::new(FileMailer::new(outbox_dir.clone())),
    };
    let sms: Arc<dyn SmsSender> = match config.sms.settings().map_err(anyhow::Error::msg)? {
        Some(account) => Arc::new(TwilioClient::new(account)?),
        None => Arc::new(FileSms::new(outbox_dir.clone(), config.company.sms_signature())),
    };
    Ok(Worker {
        store,
        clock,
        calendar: config.policy.calendar.clone(),
        instalments: config.policy.instalments,
        company: config.company.clone(),
        templates,
        sender: sender(loaded),
        mail,
        sms,
        letters_dir: outbox_dir.join("letters"),
        pdf_dir: loaded.resolve(std::path::Path::new(".")),
        lang: config.digest.language,
        owner: owner_name(),
        settings,
    })
}

/// `MAIL_FROM`, or the company's contact when unset.
pub(crate) fn sender(loaded: &Loaded) -> Sender {
    let (mail, company) = (&loaded.config.mail, &loaded.config.company);
    let from = if mail.from.trim().is_empty() {
        format!("{} <{}>", company.contact_name.trim(), company.contact_email.trim())
    } else {
        mail.from.trim().to_string()
    };
    let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    Sender { from, reply_to: optional(&mail.reply_to), bcc: optional(&mail.bcc) }
}

/// This process's name on its claims: host, process id and a random tag
/// (two containers may both be process 1 on hosts of the same name).
pub fn owner_name() -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "relance".into());
    format!("{host}:{}:{:04x}", std::process::id(), fastrand::u16(..))
}

/// What the log says at start about where messages go.
pub fn describe(worker: &Worker) -> String {
    format!(
        "e-mail → {}; SMS → {}; letters → {}",
        worker.mail.describe(),
        worker.sms.describe(),
        worker.letters_dir.display()
    )
}
