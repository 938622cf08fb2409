//! Rendering: pure functions from plain data to text.
//!
//! What the client receives (`message`, from the templates in `templates/`)
//! and what the finance team reads in its terminal (`digest_text`). Nothing
//! here reads the clock or the database: the proposal carries its date, and
//! templates are loaded once, before any rendering.

pub mod company;
pub mod digest_text;
pub mod duplicate;
pub mod format;
pub mod instalment_note;
pub mod instalment_plan;
pub mod message;
pub mod plan_schedule;
mod templates;

pub use company::Company;
pub use digest_text::{render_digest, DigestView};
pub use message::{preview, render_message, Message};
pub use templates::escape_html;
pub use templates::{RenderError, Templates};
