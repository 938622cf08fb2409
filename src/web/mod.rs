//! The HTML pages `relance serve` shows people: the confirmation page a
//! decision link opens (`GET /act/{token}`), the page answering its POST, and
//! the local `/digest` page used when no chat platform is configured, and
//! the confirmation pages of call outcome links and instalment plan links.
//!
//! Rendering only: the HTTP handlers verify links, check codes and CSRF
//! tokens, decide, and call these functions for the HTML. Two rules:
//! - **A GET changes nothing.** Mail and chat link scanners open every link,
//!   so a link only ever leads to a page with a form; the decision is that
//!   form's POST, by a person who names themselves and gives their code.
//! - **Client data is HTML-escaped.** Pages are minijinja templates with HTML
//!   auto-escaping on for every value, so a client named
//!   `<script>alert(1)</script>` is shown, never run.

pub mod call_pages;
pub mod pages;
pub mod plan_pages;

pub use call_pages::{call_confirm_page, CallConfirmView, CallTyped};
pub use pages::{confirm_page, digest_page, result_page, ConfirmView};
pub use plan_pages::{plan_confirm_page, PlanConfirmView};
