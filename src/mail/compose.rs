//! The reminder as an e-mail message, ready for any lettre transport.
//!
//! Pure: the date comes in as an argument and the Message-ID is derived from
//! the reminder's key, so composing the same reminder twice gives the same
//! headers (only MIME boundaries differ). That is what makes a resend after
//! a crash recognisable, by the client's mail client and by us.

use super::attachment::Attachment;
use super::html::render_email;
use crate::policy::Proposal;
use crate::render::{Company, RenderError, Templates};
use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Mailboxes, MultiPart, SinglePart};
use lettre::Message;
use std::time::SystemTime;

/// Who a reminder comes from. The seeds advise the manager's own address
/// (`Claire Martin <claire@acme.fr>`): people answer a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// `MAIL_FROM`: one mailbox, with or without a display name.
    pub from: String,
    /// `MAIL_REPLY_TO`: where answers go when not to `from` (the accounts mailbox).
    pub reply_to: Option<String>,
    /// `MAIL_BCC`: an archive copy, one or several addresses separated by commas;
    /// never shown to the client.
    pub bcc: Option<String>,
}

/// A composed reminder: the message, its Message-ID and whom it goes to.
#[derive(Debug, Clone)]
pub struct Composed {
    pub message: Message,
    /// `<relance.{key}@{domain}>`, as in the header.
    pub message_id: String,
    /// The recipients' addresses (To), for the digest's "sent to …" line.
    pub to: Vec<String>,
}

/// Why a reminder could not be composed. Each names the offending value.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("{field}: {value:?} is not one valid e-mail address")]
    BadAddress { field: &'static str, value: String },
    #[error("no e-mail address to send {client}'s reminder to")]
    NoRecipient { client: String },
    #[error("attachment {filename}: {content_type:?} is not a MIME type")]
    BadContentType { filename: String, content_type: String },
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("the e-mail to {client} cannot be built: {detail}")]
    Build { client: String, detail: String },
}

/// Composes a proposal's reminder: subject, text and HTML parts
/// (multipart/alternative), inside multipart/mixed with the attachments when
/// there are some. `to` holds the client's addresses; a bare address gets the
/// client's name as display name. `reminder_key` identifies the reminder
/// (the outbox's unique key) and becomes the Message-ID; `date` is the Date
/// header.
#[allow(clippy::too_many_arguments)]
pub fn compose_reminder(
    p: &Proposal,
    to: &[String],
    company: &Company,
    templates: &Templates,
    sender: &Sender,
    reminder_key: &str,
    attachments: Vec<Attachment>,
    date: DateTime<Utc>,
) -> Result<Composed, ComposeError> {
    if to.is_empty() {
        return Err(ComposeError::NoRecipient { client: p.client_name.clone() });
    }
    let email = render_email(p, company, templates)?;
    let (mut builder, message_id) = envelope(sender, reminder_key, email.subject, date)?;
    let mut addresses = Vec::with_capacity(to.len());
    for raw in to {
        let mut mailbox = one_mailbox("recipient", raw)?;
        if mailbox.name.is_none() {
            mailbox.name = Some(p.client_name.clone());
        }
        addresses.push(mailbox.email.to_string());
        builder = builder.to(mailbox);
    }
    let body = MultiPart::alternative_plain_html(email.text, email.html);
    let built = if attachments.is_empty() {
        builder.multipart(body)
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for a in attachments {
            mixed = mixed.singlepart(attachment_part(a)?);
        }
        builder.multipart(mixed)
    };
    let message = built.map_err(|e| ComposeError::Build { client: p.client_name.clone(), detail: e.to_string() })?;
    Ok(Composed { message, message_id, to: addresses })
}

/// The headers every message from relance carries: From, Reply-To, the
/// archive's Bcc, the subject, the Date, and the Message-ID derived from
/// `key` (returned too, for the outbox row).
pub(super) fn envelope(
    sender: &Sender,
    key: &str,
    subject: String,
    date: DateTime<Utc>,
) -> Result<(lettre::message::MessageBuilder, String), ComposeError> {
    let from = one_mailbox("from (MAIL_FROM)", &sender.from)?;
    let message_id = message_id(key, from.email.domain());
    let mut builder = Message::builder()
        .from(from)
        .subject(subject)
        .date(SystemTime::from(date))
        .message_id(Some(message_id.clone()));
    if let Some(reply_to) = sender.reply_to.as_deref().filter(|r| !r.trim().is_empty()) {
        builder = builder.reply_to(one_mailbox("reply-to (MAIL_REPLY_TO)", reply_to)?);
    }
    for bcc in mailboxes("bcc (MAIL_BCC)", sender.bcc.as_deref().unwrap_or(""))? {
        builder = builder.bcc(bcc);
    }
    Ok((builder, message_id))
}

/// The Message-ID of a reminder: `<relance.{key}@{domain}>`. The same key
/// always gives the same id, so a message sent twice (a crash between the
/// send and its record) is one message to the client's mail client and
/// recognisable in the archive. Characters a Message-ID may not hold are
/// written `=XX` (hexadecimal bytes), which keeps two keys apart.
pub fn message_id(reminder_key: &str, domain: &str) -> String {
    let mut left = String::with_capacity(reminder_key.len() + 8);
    left.push_str("relance.");
    for byte in reminder_key.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
            left.push(char::from(byte));
        } else {
            left.push_str(&format!("={byte:02X}"));
        }
    }
    format!("<{left}@{domain}>")
}

/// Exactly one mailbox (`Name <a@b.fr>` or `a@b.fr`): lettre's parser reads
/// the first of a list and ignores the rest, so a list is refused here.
pub(super) fn one_mailbox(field: &'static str, raw: &str) -> Result<Mailbox, ComposeError> {
    let mut list = mailboxes(field, raw)?.into_iter();
    match (list.next(), list.next()) {
        (Some(mailbox), None) => Ok(mailbox),
        _ => Err(ComposeError::BadAddress { field, value: raw.to_string() }),
    }
}

/// Zero or more mailboxes separated by commas.
pub(super) fn mailboxes(field: &'static str, raw: &str) -> Result<Vec<Mailbox>, ComposeError> {
    if raw.trim().is_empty() {
        return Ok(vec![]);
    }
    let bad = || ComposeError::BadAddress { field, value: raw.to_string() };
    let parsed: Mailboxes = raw.trim().parse().map_err(|_| bad())?;
    let list: Vec<Mailbox> = parsed.into_iter().collect();
    // The parser stops at what it cannot read; count the @ to notice.
    let at_signs = raw.matches('@').count();
    if list.is_empty() || list.len() != at_signs {
        return Err(bad());
    }
    Ok(list)
}

pub(super) fn attachment_part(a: Attachment) -> Result<SinglePart, ComposeError> {
    let content_type = ContentType::parse(&a.content_type)
        .map_err(|_| ComposeError::BadContentType { filename: a.filename.clone(), content_type: a.content_type })?;
    Ok(lettre::message::Attachment::new(a.filename).body(a.content, content_type))
}

#[cfg(test)]
#[path = "compose_tests.rs"]
mod tests;
