//! The e-mail's two faces: the text a template writes, and the same text
//! laid out in HTML.
//!
//! The HTML part is not a second wording to keep in step with the first: it
//! is the tone's text body, paragraph by paragraph, where the invoice list
//! becomes a table and the payment lines a payment block with a button. Both
//! parts therefore always say the same thing, and a company that rewords
//! `firm.txt.j2` changes both. The layout (`<lang>/email.html.j2`) is
//! editable like any template and HTML-escapes every value it prints.

use crate::policy::Proposal;
use crate::render::message::{render_email_text, render_tidy};
use crate::render::{Company, RenderError, Templates};
use minijinja::{context, Value};
use serde::Serialize;

/// A reminder ready to become an e-mail: subject, text part, HTML part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders the subject, the text and the HTML of a proposal's e-mail in the
/// client's language, with the template of its tone.
pub fn render_email(p: &Proposal, company: &Company, templates: &Templates) -> Result<Email, RenderError> {
    let lang = p.language.as_str();
    let text = render_email_text(p, company, templates)?;
    let invoices = render_tidy(templates, &format!("{lang}/_invoices.txt.j2"), &text.context)?;
    let payment = render_tidy(templates, &format!("{lang}/_payment.txt.j2"), &text.context)?;
    let blocks = blocks(&text.body, &invoices, &payment);
    let ctx = context! { blocks => Value::from_serialize(&blocks), ..text.context };
    let html = templates.render(&format!("{lang}/email.html.j2"), &ctx)?;
    Ok(Email { subject: text.subject, text: text.body, html })
}

/// The HTML part alone (see [`render_email`]).
pub fn render_html(p: &Proposal, company: &Company, templates: &Templates) -> Result<String, RenderError> {
    Ok(render_email(p, company, templates)?.html)
}

/// A piece of the body, as the HTML layout lays it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Block {
    /// `text`, or `invoices` / `payment` where the layout puts its table and
    /// its payment block in place of the text's lists.
    pub kind: &'static str,
    /// The paragraph's lines (text blocks).
    pub lines: Vec<String>,
    /// Its trailing `- ` bullet lines, without the dash.
    pub items: Vec<String>,
}

impl Block {
    fn marker(kind: &'static str) -> Self {
        Self { kind, lines: vec![], items: vec![] }
    }

    fn text(paragraph: &str) -> Self {
        let lines: Vec<&str> = paragraph.lines().collect();
        let lead = lines.iter().position(|l| l.starts_with("- ")).unwrap_or(lines.len());
        let all_bullets_after = lines[lead..].iter().all(|l| l.starts_with("- "));
        let split = if all_bullets_after { lead } else { lines.len() };
        Self {
            kind: "text",
            lines: lines[..split].iter().map(|l| l.to_string()).collect(),
            items: lines[split..].iter().map(|l| l[2..].to_string()).collect(),
        }
    }
}

/// Splits the body into paragraphs, replacing the run of paragraphs that is
/// the invoice list (the `_invoices` part rendered alone) and the one that
/// is the payment lines by markers. A body that words them differently (a
/// user's template without the include) keeps its own text.
pub(crate) fn blocks(body: &str, invoices: &str, payment: &str) -> Vec<Block> {
    let mut paragraphs: Vec<Result<&str, &'static str>> = split_paragraphs(body).into_iter().map(Ok).collect();
    for (kind, part) in [("invoices", invoices), ("payment", payment)] {
        let wanted = split_paragraphs(part);
        if wanted.is_empty() || wanted.len() > paragraphs.len() {
            continue;
        }
        let found = (0..=paragraphs.len() - wanted.len())
            .find(|&i| paragraphs[i..i + wanted.len()].iter().zip(&wanted).all(|(have, want)| have == &Ok(*want)));
        if let Some(i) = found {
            paragraphs.splice(i..i + wanted.len(), [Err(kind)]);
        }
    }
    paragraphs.into_iter().map(|p| p.map_or_else(Block::marker, Block::text)).collect()
}

fn split_paragraphs(text: &str) -> Vec<&str> {
    text.split("\n\n").map(|p| p.trim_matches('\n')).filter(|p| !p.trim().is_empty()).collect()
}

#[cfg(test)]
#[path = "html_tests.rs"]
mod tests;
