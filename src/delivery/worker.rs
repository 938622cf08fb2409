//! The sender: claims due messages from the outbox, checks each again, sends
//! it through its channel and records what became of it.
//!
//! One pass ([`Worker::run_pass`]) claims batches until nothing is due, so a
//! test or `relance send` drains the outbox deterministically, with no sleep;
//! `relance serve` runs a pass every `sending.poll_seconds`. Everything that
//! decides (the window, the re-check, the retry) is pure and lives next
//! door; this module only reads, calls and writes.

use super::files::write_atomically_async;
use super::recheck::recheck;
use super::settings::SendingConfig;
use super::{Mailer, SendOutcome};
use crate::clock::Clock;
use crate::domain::{Channel, Language, ProposalId};
use crate::letter::{formal_notice_pdf, letter_file_name};
use crate::mail::{compose_reminder, invoice_pdf, Attachment, Sender};
use crate::policy::{Calendar, Proposal};
use crate::render::{render_message, Company, Templates};
use crate::sms::SmsSender;
use crate::store::{Claimed, Settled, Store};
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::path::PathBuf;
use std::sync::Arc;
use tracing::Instrument;

/// What a worker needs, all of it shared and cheap to clone.
#[derive(Clone)]
pub struct Worker {
    pub store: Arc<dyn Store>,
    pub clock: Clock,
    pub calendar: Calendar,
    /// `policy.instalments`: the grace a plan's confirmation states.
    pub instalments: crate::policy::plan_progress::InstalmentRules,
    pub settings: SendingConfig,
    pub company: Company,
    pub templates: Templates,
    pub sender: Sender,
    pub mail: Arc<dyn Mailer>,
    pub sms: Arc<dyn SmsSender>,
    /// Where formal notice letters are written.
    pub letters_dir: PathBuf,
    /// Relative invoice PDF paths are read from here.
    pub pdf_dir: PathBuf,
    /// The team's language: the reasons the digest shows.
    pub lang: Language,
    /// This sender's name on its claims (host and process).
    pub owner: String,
}

/// What a pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    pub sent: u32,
    pub retried: u32,
    pub failed: u32,
    pub cancelled: u32,
    /// Messages of earlier days cancelled unsent.
    pub expired: u32,
    /// The settlements another sender had taken over (our lease ran out).
    pub lost: u32,
    /// The reminders whose digest entries changed.
    pub touched: Vec<ProposalId>,
    /// Set when the sending window is closed: when it opens.
    pub closed_until: Option<DateTime<Utc>>,
}

impl Worker {
    /// Sends every message due now, batch after batch, and returns what it
    /// did. Outside the sending window it sends nothing and says when the
    /// window opens.
    pub async fn run_pass(&self) -> anyhow::Result<Pass> {
        let mut pass = Pass::default();
        let today = self.clock.today();
        let expired = self.store.expire_outbox(today, &expired_reason(self.lang)).await?;
        pass.expired = expired.len() as u32;
        pass.touched.extend(expired);
        if let Some(opens) = self.settings.window.next_opening(self.clock.now(), self.clock.tz(), &self.calendar) {
            pass.closed_until = Some(opens);
            return Ok(pass);
        }
        let lease = chrono::Duration::seconds(i64::from(self.settings.lease_seconds));
        loop {
            let claims = self.store.claim_outbox(today, &self.owner, lease, self.settings.batch).await?;
            if claims.is_empty() {
                break;
            }
            let concurrency = self.settings.concurrency.max(1) as usize;
            let mut results = futures::stream::iter(claims).map(|c| self.deliver(c)).buffer_unordered(concurrency);
            while let Some(result) = results.next().await {
                let (claimed, settled, held) = result?;
                pass.count(&settled, held);
                pass.touched.push(claimed.item.proposal_id.clone());
            }
        }
        self.send_duplicates(&mut pass, lease).await?;
        pass.touched.sort();
        pass.touched.dedup();
        Ok(pass)
    }

    /// One claimed message: re-checked, sent, settled. Returns whether the
    /// claim was still ours when settled.
    async fn deliver(&self, claimed: Claimed) -> anyhow::Result<(Claimed, Settled, bool)> {
        let span = tracing::info_span!(
            "outbox",
            proposal = %claimed.item.proposal_id,
            channel = claimed.channel.as_str(),
            attempt = claimed.attempts
        );
        self.deliver_in_span(claimed).instrument(span).await
    }

    async fn deliver_in_span(&self, claimed: Claimed) -> anyhow::Result<(Claimed, Settled, bool)> {
        let settled = match self.check(&claimed).await? {
            Err(reason) => Settled::Cancelled { reason },
            Ok(client) => self.send(&claimed, &client).await,
        };
        let held = self.store.settle_outbox(&claimed, &self.owner, &settled).await?;
        if !held {
            tracing::warn!("lease ran out before the result was recorded: another sender took the message over");
        }
        log_settled(&settled);
        Ok((claimed, settled, held))
    }

    /// Re-reads the client and the digest entry and checks the message may
    /// still leave: the client, or the reason not to (in the team's words).
    async fn check(&self, claimed: &Claimed) -> anyhow::Result<Result<crate::domain::Client, String>> {
        let item = &claimed.item;
        let today = self.clock.today();
        let entries = self.store.entries_by_id(std::slice::from_ref(&item.proposal_id)).await?;
        let account = self.store.account(&item.client_id, today).await?;
        match recheck(item, account.as_ref(), entries.first(), today) {
            Ok(()) => Ok(Ok(account.context("the account passed the re-check")?.client)),
            Err(reason) => Ok(Err(reason.text(self.lang))),
        }
    }

    async fn send(&self, claimed: &Claimed, client: &crate::domain::Client) -> Settled {
        let p = &claimed.item.proposal;
        let now = self.clock.now();
        let attempt = |outcome: SendOutcome, recipient: &str, message_id: &str| {
            let jitter = fastrand::f64();
            self.settings.retry.settle(outcome, claimed.attempts, now, jitter, recipient, message_id)
        };
        match claimed.channel {
            Channel::Email => {
                let to: Vec<String> =
                    client.email.iter().chain(client.cc.iter()).map(|e| e.as_str().to_string()).collect();
                if to.is_empty() {
                    return Settled::Failed { error: no_address(self.lang) };
                }
                let attachments = self.attachments(p).await;
                let key = reminder_key(claimed);
                match compose_reminder(p, &to, &self.company, &self.templates, &self.sender, &key, attachments, now) {
                    Ok(mail) => attempt(self.mail.send(&mail).await, &mail.to.join(", "), &mail.message_id),
                    Err(err) => Settled::Failed { error: err.to_string() },
                }
            }
            Channel::Sms => {
                let Some(phone) = client.phone.as_ref() else {
                    return Settled::Failed { error: no_phone(self.lang) };
                };
                match render_message(p, &self.company, &self.templates).map(|m| m.sms) {
                    Ok(Some(body)) => {
                        let outcome = self.sms.send(&reminder_key(claimed), phone, &body).await.into();
                        attempt(outcome, phone.as_str(), "")
                    }
                    Ok(None) => Settled::Failed { error: "no SMS text for this reminder".into() },
                    Err(err) => Settled::Failed { error: err.to_string() },
                }
            }
            Channel::Letter => self.write_letter(p).await,
        }
    }

    /// The invoices' PDFs, read off the disk. A missing or unreadable file
    /// is logged and left out: the reminder lists every invoice anyway.
    async fn attachments(&self, p: &Proposal) -> Vec<Attachment> {
        let numbers: Vec<_> = p.invoices.iter().map(|i| i.number.clone()).collect();
        self.invoice_attachments(&numbers).await
    }

    /// These invoices' PDFs, as [`Worker::attachments`] reads them.
    pub(super) async fn invoice_attachments(&self, numbers: &[crate::domain::InvoiceNumber]) -> Vec<Attachment> {
        let paths = match self.store.invoice_pdfs(numbers).await {
            Ok(paths) => paths,
            Err(err) => {
                tracing::warn!(error = %err, "invoice PDFs not looked up");
                return Vec::new();
            }
        };
        let mut files: Vec<String> = numbers.iter().filter_map(|n| paths.get(n).cloned()).collect();
        files.dedup();
        let dir = self.pdf_dir.clone();
        let read = tokio::task::spawn_blocking(move || files.iter().map(|f| invoice_pdf(f, &dir)).collect::<Vec<_>>());
        let mut attachments = Vec::new();
        for result in read.await.unwrap_or_default() {
            match result {
                Ok(a) => attachments.push(a),
                Err(err) => tracing::warn!(error = %err, "invoice PDF not attached"),
            }
        }
        attachments
    }

    /// A formal notice is a registered letter a person posts: the PDF is
    /// written to `letters/`, and the digest entry names it.
    async fn write_letter(&self, p: &Proposal) -> Settled {
        let pdf = match formal_notice_pdf(p, &self.company, &self.templates, None, p.date) {
            Ok(pdf) => pdf,
            Err(err) => return Settled::Failed { error: err.to_string() },
        };
        let written = write_atomically_async(self.letters_dir.clone(), letter_file_name(p), pdf).await;
        match written {
            Ok(path) => Settled::Sent { recipient: path.display().to_string(), message_id: String::new() },
            Err(error) => Settled::Retry { at: self.clock.now() + chrono::Duration::minutes(5), error },
        }
    }
}

impl Pass {
    pub(super) fn count(&mut self, settled: &Settled, held: bool) {
        if !held {
            self.lost += 1;
            return;
        }
        match settled {
            Settled::Sent { .. } => self.sent += 1,
            Settled::Retry { .. } => self.retried += 1,
            Settled::Failed { .. } => self.failed += 1,
            Settled::Cancelled { .. } => self.cancelled += 1,
        }
    }
}

/// The message's key: the proposal's id for its e-mail (the Message-ID is
/// built from it, so every attempt at one reminder carries the same one),
/// suffixed by the channel for the others.
pub fn reminder_key(claimed: &Claimed) -> String {
    match claimed.channel {
        Channel::Email => claimed.item.proposal_id.to_string(),
        other => format!("{}_{}", claimed.item.proposal_id, other.as_str()),
    }
}

pub(super) fn log_settled(settled: &Settled) {
    match settled {
        Settled::Sent { .. } => tracing::info!("sent"),
        Settled::Retry { at, error } => tracing::warn!(%at, error = %error, "transient failure, will retry"),
        Settled::Failed { error } => tracing::warn!(error = %error, "failed"),
        Settled::Cancelled { reason } => tracing::info!(reason = %reason, "cancelled at send time"),
    }
}

fn expired_reason(lang: Language) -> String {
    match lang {
        Language::Fr => "non envoyé le jour de son approbation".into(),
        Language::En => "not sent on the day it was approved".into(),
    }
}

pub(super) fn no_address(lang: Language) -> String {
    match lang {
        Language::Fr => "aucune adresse e-mail pour ce client".into(),
        Language::En => "no e-mail address for this client".into(),
    }
}

fn no_phone(lang: Language) -> String {
    match lang {
        Language::Fr => "aucun numéro de mobile valide pour ce client".into(),
        Language::En => "no valid mobile number for this client".into(),
    }
}
