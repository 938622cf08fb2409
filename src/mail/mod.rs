//! The reminder e-mail: what leaves for the client's inbox.
//!
//! Pure pieces the sender (the outbox worker) puts together: the text and
//! HTML parts rendered from the templates (`html`), the message with its
//! headers, Message-ID and attachments (`compose`, on lettre), the invoice
//! PDFs read from disk (`attachment`), and the check, run by `relance config
//! check`, that every template states the mandatory mentions (`mentions`,
//! with its probe proposals in `probe`). No clock, no network: the date and
//! the reminder's key come in as arguments.

pub mod attachment;
pub mod compose;
pub mod duplicate;
pub mod html;
pub mod mentions;
pub(crate) mod probe;

pub use attachment::{invoice_pdf, Attachment, AttachmentError};
pub use compose::{compose_reminder, message_id, ComposeError, Composed, Sender};
pub use duplicate::compose_plain;
pub use html::{render_email, render_html, Email};
pub use mentions::{check_templates, MentionError, Problem};

#[cfg(test)]
mod fixtures;
