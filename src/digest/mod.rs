//! The morning digest as the chat platforms receive it.
//!
//! The terminal digest lives in `render::digest_text`; this module turns the
//! same proposals into platform payloads (Slack Block Kit for now). Like the
//! rest of the pure core it does no I/O and reads no clock: the caller passes
//! the day, the already-formatted totals and each proposal's preview and
//! decision status, and gets back JSON ready to post.
//!
//! Two rules shape everything here:
//! - **Client data is untrusted.** A client named `<!channel>` must not ping a
//!   whole channel, so every client-supplied string is escaped for the
//!   platform before it reaches formatted text.
//! - **Large days never drop an entry.** Platforms cap blocks, characters and
//!   buttons per message; the digest is split into pages instead, and only
//!   the content of one entry (long invoice lists, a long preview) is ever
//!   shortened, never the entry itself.

pub mod build;
pub mod call_buttons;
pub mod call_lines;
pub mod describe;
pub mod discord;
pub mod discord_calls;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod model;
pub mod owner_notice;
pub mod plan_lines;
pub mod slack;
pub mod slack_calls;
pub mod teams;
pub mod teams_calls;

pub use model::{CallEntry, CallNote, DigestEntry, DigestHeader, Owner, PlanLinks, WaitingPlan};
pub use slack::{slack_digest_pages, slack_escape};
pub use teams::{teams_digest_cards, teams_inert, TeamsPage};
