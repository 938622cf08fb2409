//! The duplicate as an e-mail: its covering note (plain text) and the
//! invoices' PDFs, with the same headers as a reminder (From, Reply-To, the
//! archive's Bcc) and a Message-ID derived from the duplicate's key, so a
//! resend after a crash is recognisably the same message.

use super::attachment::Attachment;
use super::compose::{attachment_part, envelope, one_mailbox, ComposeError, Composed, Sender};
use crate::render::duplicate::DuplicateText;
use chrono::{DateTime, Utc};
use lettre::message::{MultiPart, SinglePart};

/// Composes a plain-text `text` to the one address `to` (shown with `name`
/// when bare): an invoice's duplicate with its PDFs, or the notice a
/// client's owner gets after a call (no attachment). `key` makes the
/// Message-ID, `date` the Date header.
pub fn compose_plain(
    text: &DuplicateText,
    name: &str,
    to: &str,
    sender: &Sender,
    key: &str,
    attachments: Vec<Attachment>,
    date: DateTime<Utc>,
) -> Result<Composed, ComposeError> {
    let (builder, message_id) = envelope(sender, key, text.subject.clone(), date)?;
    let mut mailbox = one_mailbox("recipient", to)?;
    if mailbox.name.is_none() {
        mailbox.name = Some(name.to_string());
    }
    let address = mailbox.email.to_string();
    let builder = builder.to(mailbox);
    let body = SinglePart::plain(text.body.clone());
    let built = if attachments.is_empty() {
        builder.singlepart(body)
    } else {
        let mut mixed = MultiPart::mixed().singlepart(body);
        for a in attachments {
            mixed = mixed.singlepart(attachment_part(a)?);
        }
        builder.multipart(mixed)
    };
    let message = built.map_err(|e| ComposeError::Build { client: name.to_string(), detail: e.to_string() })?;
    Ok(Composed { message, message_id, to: vec![address] })
}
