//! The formal notice (mise en demeure) as a PDF letter, ready to print and
//! send by registered mail with acknowledgement of receipt.
//!
//! The last stage of the ladder is not e-mailed: a person prints this letter
//! and posts it (DUNNING.md). Its wording is the `formal` template, rendered
//! by `render_message` like every other reminder, so the legal mentions
//! (principal, L441-10 penalties, the 40 € indemnity per invoice, the 8-day
//! deadline) are decided in one place. This module only sets it on A4 pages:
//! `blocks` writes the letter's parts in the client's language, `winansi`
//! encodes them for the PDF's standard Helvetica and measures them, `wrap`
//! breaks lines to the width, `layout` places every line on its page, `pdf`
//! writes the file. All of it is pure: the letter's date is an argument, and
//! the same proposal gives the same bytes.

mod blocks;
mod layout;
mod pdf;
mod winansi;
mod wrap;

use crate::domain::Tone;
use crate::policy::Proposal;
use crate::render::{render_message, Company, RenderError, Templates};
use chrono::NaiveDate;

/// Why no letter could be produced.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// Only the formal tone is a registered letter; the other stages are e-mails.
    #[error("proposal {proposal} is a {tone} reminder, not a formal notice: it is sent by e-mail, not as a letter")]
    NotAFormalNotice { proposal: String, tone: &'static str },
    /// The `formal` template failed to render.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A character the letter's font cannot print (Helvetica covers Western
    /// European letters, not every script); better refused than printed as `?`
    /// in a legal letter.
    #[error("cannot print {character:?} in the letter to {client} (in {text:?}): correct the name or address, or use Latin letters")]
    Unprintable { client: String, character: char, text: String },
}

/// The formal notice for `p`, dated `date`, as the bytes of an A4 PDF:
/// sender (name, address, SIREN), recipient (name, and `client_address`
/// when the ledger has one), place and date, the registered-mail mention,
/// the subject and the body of the `formal` template, on as many numbered
/// pages as it takes.
pub fn formal_notice_pdf(
    p: &Proposal,
    company: &Company,
    templates: &Templates,
    client_address: Option<&str>,
    date: NaiveDate,
) -> Result<Vec<u8>, LetterError> {
    if p.tone != Tone::Formal {
        return Err(LetterError::NotAFormalNotice { proposal: p.id.to_string(), tone: p.tone.as_str() });
    }
    let message = render_message(p, company, templates)?;
    let lang = p.language;
    let encode = |text: &str| {
        winansi::encode(text).map_err(|character| LetterError::Unprintable {
            client: p.client_name.clone(),
            character,
            text: text.to_string(),
        })
    };
    let encode_all = |lines: Vec<String>| lines.iter().map(|l| encode(l)).collect::<Result<Vec<_>, _>>();
    let text = layout::LetterText {
        sender: encode_all(blocks::sender_lines(company))?,
        recipient: encode_all(blocks::recipient_lines(&p.client_name, client_address))?,
        place_date: encode(&blocks::place_and_date(company, date, lang))?,
        mention: encode(blocks::registered_mention(lang))?,
        subject: encode(&blocks::subject_line(&message.subject, lang))?,
        body: encode_all(blocks::body_lines(&message))?,
    };
    // Page labels are ASCII digits and words: nothing to refuse.
    let pages =
        layout::lay_out(&text, |n, total| winansi::encode(&blocks::page_label(n, total, lang)).unwrap_or_default());
    Ok(pdf::write(&pages, &pdf::DocInfo { title: &message.subject, author: &company.name, date }))
}

/// The PDF's file name: `mise-en-demeure-<client id>-<proposal date>.pdf`,
/// with the client id reduced to letters, digits and dashes.
pub fn letter_file_name(p: &Proposal) -> String {
    blocks::file_name(p.client_id.as_str(), p.date)
}

#[cfg(test)]
mod tests;
