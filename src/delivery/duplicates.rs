//! The sender's part for duplicates: claimed after the reminders of a pass,
//! checked again on the account as it is now (`duplicates::still_owed`),
//! composed with the invoices' PDFs, sent and settled under the lease, with
//! the same retries as a reminder's e-mail. The same queue carries an
//! instalment plan's confirmation and the friendly note before each
//! instalment (re-checked by `instalment_notes::still_due`).

use super::worker::{log_settled, Pass, Worker};
use crate::domain::Language;
use crate::duplicates::{still_owed, DuplicateCancel};
use crate::instalment_notes::{still_due, NoteCancel};
use crate::mail::compose_plain;
use crate::render::duplicate::{render_duplicate, DuplicateText};
use crate::render::instalment_note::render_instalment_note;
use crate::render::instalment_plan::render_plan_confirmation;
use crate::store::{ClaimedDuplicate, PlanStatus, Settled};
use tracing::Instrument;

impl Worker {
    /// Sends every duplicate due now, batch after batch (the window was
    /// checked by the pass).
    pub(super) async fn send_duplicates(&self, pass: &mut Pass, lease: chrono::Duration) -> anyhow::Result<()> {
        loop {
            let claims = self.store.claim_duplicates(&self.owner, lease, self.settings.batch).await?;
            if claims.is_empty() {
                return Ok(());
            }
            for claimed in claims {
                let span = tracing::info_span!("duplicate", key = %claimed.key, attempt = claimed.attempts);
                let settled = self.duplicate(&claimed).instrument(span.clone()).await?;
                let held = self.store.settle_duplicate(&claimed, &self.owner, &settled).await?;
                span.in_scope(|| log_settled(&settled));
                pass.count(&settled, held);
            }
        }
    }

    /// One claimed duplicate: re-checked, rendered, sent.
    async fn duplicate(&self, claimed: &ClaimedDuplicate) -> anyhow::Result<Settled> {
        let today = self.clock.today();
        let account = self.store.account(&claimed.client_id, today).await?;
        let Some(account) = account else {
            return Ok(Settled::Cancelled { reason: DuplicateCancel::UnknownClient.text(self.lang) });
        };
        if let (Some(plan), Some(number)) = (claimed.plan_id, claimed.instalment) {
            return self.instalment_note(claimed, plan, number, &account).await;
        }
        let owed = match still_owed(Some(&account), &claimed.invoices) {
            Ok(owed) => owed,
            Err(reason) => return Ok(Settled::Cancelled { reason: reason.text(self.lang) }),
        };
        let client = &account.client;
        let (text, attachments) = match claimed.plan_id {
            Some(id) => match self.plan_confirmation(id, client, &owed).await? {
                Ok(text) => (text, Vec::new()),
                Err(settled) => return Ok(settled),
            },
            None => {
                let numbers: Vec<_> = owed.iter().map(|i| i.number.clone()).collect();
                let attachments = self.invoice_attachments(&numbers).await;
                let attached = !attachments.is_empty();
                match render_duplicate(client, &owed, attached, today, &self.company, &self.templates) {
                    Ok(text) => (text, attachments),
                    Err(err) => return Ok(Settled::Failed { error: err.to_string() }),
                }
            }
        };
        self.send_text(claimed, &client.name, &text, attachments).await
    }

    /// Composes the e-mail to the row's recipient (its Message-ID from the
    /// row's key, the same at every attempt), sends it, and says how it settles.
    async fn send_text(
        &self,
        claimed: &ClaimedDuplicate,
        name: &str,
        text: &DuplicateText,
        attachments: Vec<crate::mail::Attachment>,
    ) -> anyhow::Result<Settled> {
        let now = self.clock.now();
        let key = &claimed.key;
        match compose_plain(text, name, &claimed.recipient, &self.sender, key, attachments, now) {
            Ok(mail) => {
                let outcome = self.mail.send(&mail).await;
                let jitter = fastrand::f64();
                let recipient = mail.to.join(", ");
                Ok(self.settings.retry.settle(outcome, claimed.attempts, now, jitter, &recipient, &mail.message_id))
            }
            Err(err) => Ok(Settled::Failed { error: err.to_string() }),
        }
    }

    /// The note before instalment `number` of plan `plan`: re-checked on
    /// the plan and the invoices as they are now, rendered, sent.
    async fn instalment_note(
        &self,
        claimed: &ClaimedDuplicate,
        plan: i64,
        number: u32,
        account: &crate::ledger::Account,
    ) -> anyhow::Result<Settled> {
        let stored = self.store.plan(plan).await?;
        let today = self.clock.today();
        let checked = still_due(stored.as_ref(), number, &account.invoices, &self.instalments, &self.calendar, today);
        let (plan, instalment) = match (stored, checked) {
            (Some(plan), Ok(instalment)) => (plan, instalment),
            (_, Err(why)) => return Ok(Settled::Cancelled { reason: why.text(self.lang).into() }),
            (None, Ok(_)) => return Ok(Settled::Cancelled { reason: NoteCancel::PlanEnded.text(self.lang).into() }),
        };
        let client = &account.client;
        match render_instalment_note(client, &plan, &instalment, &self.company, &self.templates) {
            Ok(text) => self.send_text(claimed, &client.name, &text, Vec::new()).await,
            Err(err) => Ok(Settled::Failed { error: err.to_string() }),
        }
    }

    /// The text of plan `id`'s confirmation, or how the attempt ends: a
    /// plan no longer approved (broken or paid off before the window
    /// opened) is not confirmed.
    async fn plan_confirmation(
        &self,
        id: i64,
        client: &crate::domain::Client,
        owed: &[&crate::ledger::InvoiceState],
    ) -> anyhow::Result<Result<DuplicateText, Settled>> {
        let Some(plan) = self.store.plan(id).await?.filter(|p| p.status == PlanStatus::Approved) else {
            let reason = match self.lang {
                Language::Fr => "échéancier plus en cours",
                Language::En => "instalment plan no longer in force",
            };
            return Ok(Err(Settled::Cancelled { reason: reason.into() }));
        };
        let (grace, today) = (self.instalments.grace_days, self.clock.today());
        Ok(render_plan_confirmation(client, &plan, owed, grace, today, &self.company, &self.templates)
            .map_err(|err| Settled::Failed { error: err.to_string() }))
    }
}
