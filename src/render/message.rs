//! The reminder itself: subject, body and SMS, as the client will read them.
//!
//! Everything a template needs is computed here and handed over already
//! formatted in the client's language (amounts, dates, lists of numbers), so
//! a user editing a template writes prose, not arithmetic. The legal mentions
//! are decided here too, not in the templates: penalties and the 40 €
//! indemnity only ever reach a business client (B2C law forbids them), even if
//! a proposal carried them by mistake.

use super::company::Company;
use super::format::{self, date, money};
pub use super::templates::{RenderError, Templates};
use crate::domain::{Channel, ClientKind, Currency, Segment, Stage, Tone};
use crate::policy::Proposal;
use minijinja::Value;
use rust_decimal::Decimal;
use serde::Serialize;

/// The longest SMS we send: two concatenated GSM segments' worth of text.
pub const SMS_MAX_CHARS: usize = 320;

/// A rendered reminder. `body` is the e-mail text (or the letter, for a
/// formal notice); `sms` is set when the proposal's channels include SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub body: String,
    pub sms: Option<String>,
}

/// Renders a proposal in the client's language with the template of its
/// tone; strategic clients get the cooperative wording instead of the
/// friendly, courteous and firm tones (the pre-litigation and formal ones keep
/// their legal mentions whoever the client is).
pub fn render_message(p: &Proposal, company: &Company, templates: &Templates) -> Result<Message, RenderError> {
    let ctx = Context::with_subject(p, company, templates)?;
    let body = render_body(p, &ctx, templates)?;
    let sms = if p.channels.contains(&Channel::Sms) { Some(render_sms(p, &ctx, templates)?) } else { None };
    Ok(Message { subject: ctx.subject, body, sms })
}

/// The e-mail's text, as [`render_message`] writes it, with the values the
/// templates saw: what the HTML part is built from (`crate::mail`), so both
/// parts say the same thing. No SMS is rendered.
pub(crate) struct EmailText {
    pub subject: String,
    pub body: String,
    /// The templates' variables (see templates/README.md), subject included.
    pub context: Value,
}

/// Renders a proposal's e-mail text, keeping the context (see [`EmailText`]).
pub(crate) fn render_email_text(
    p: &Proposal,
    company: &Company,
    templates: &Templates,
) -> Result<EmailText, RenderError> {
    let ctx = Context::with_subject(p, company, templates)?;
    let body = render_body(p, &ctx, templates)?;
    let context = Value::from_serialize(&ctx);
    Ok(EmailText { subject: ctx.subject, body, context })
}

/// Renders a text template with a context and tidies it like a body, for
/// the parts of a body rendered alone (`_invoices.txt.j2`).
pub(crate) fn render_tidy(templates: &Templates, name: &str, ctx: &Value) -> Result<String, RenderError> {
    Ok(tidy(&templates.render(name, ctx)?))
}

fn render_body(p: &Proposal, ctx: &Context, templates: &Templates) -> Result<String, RenderError> {
    let name = format!("{}/{}.txt.j2", p.language.as_str(), ctx.template);
    Ok(tidy(&templates.render(&name, &Value::from_serialize(ctx))?))
}

/// The template a proposal is written with (the file name without `.txt.j2`).
pub fn template_name(p: &Proposal) -> &'static str {
    match p.tone {
        Tone::Friendly | Tone::Courteous | Tone::Firm if p.segment == Segment::Strategic => "strategic",
        tone => tone.as_str(),
    }
}

/// The start of the body on one line, after the salutation ("Madame,
/// Monsieur,"), cut at `max_chars` with an ellipsis: what the digest shows.
pub fn preview(m: &Message, max_chars: usize) -> String {
    let lines: Vec<&str> = m.body.lines().map(str::trim).collect();
    let start = lines.iter().position(|l| is_salutation(l)).map_or(0, |i| i + 1);
    let text = lines[start..].iter().filter(|l| !l.is_empty()).copied().collect::<Vec<_>>().join(" ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// "Madame, Monsieur," / "Bonjour," / "Dear Sir or Madam,": short and ending with a comma.
fn is_salutation(line: &str) -> bool {
    line.ends_with(',') && line.chars().count() <= 30
}

fn render_sms(p: &Proposal, ctx: &Context, templates: &Templates) -> Result<String, RenderError> {
    let name = format!("{}/sms.txt.j2", p.language.as_str());
    let text = gsm_friendly(&one_line(&templates.render(&name, &Value::from_serialize(ctx))?));
    let len = text.chars().count();
    if len > SMS_MAX_CHARS {
        return Err(RenderError::SmsTooLong { client: p.client_name.clone(), name, len, max: SMS_MAX_CHARS });
    }
    Ok(text)
}

/// What the templates see. Amounts and dates are preformatted strings.
#[derive(Debug, Serialize)]
struct Context {
    lang: &'static str,
    stage: &'static str,
    stage_label: &'static str,
    /// The body template in use (`strategic`, `firm`, …), for the subject line.
    template: &'static str,
    pre_due: bool,
    /// Second reminder or later: previous dates and a deadline are due.
    from_second: bool,
    /// The proposal's date (penalties are computed to this day).
    today: String,
    client: ClientView,
    company: CompanyView,
    invoices: Vec<InvoiceView>,
    count: usize,
    single: bool,
    /// Invoice numbers in prose: `F-1, F-2 et F-3`.
    numbers: String,
    total_due: String,
    /// What the formal notice claims: principal, penalties and indemnity.
    claim_total: String,
    /// The earliest due date among the invoices.
    earliest_due: String,
    previous: Vec<PreviousView>,
    /// Dates of the previous reminders in prose: `03/03/2026 et 10/03/2026`.
    previous_dates: String,
    /// Penalties and indemnity: business clients only, when the proposal states them.
    legal: Option<LegalView>,
    /// The rendered subject, for letters that print it ("Objet : …").
    subject: String,
    sms_sender: String,
}

#[derive(Debug, Serialize)]
struct ClientView {
    name: String,
    b2b: bool,
    strategic: bool,
}

#[derive(Debug, Serialize)]
pub(super) struct CompanyView {
    name: String,
    siren: Option<String>,
    address: Option<String>,
    iban: Option<String>,
    bic: Option<String>,
    payment_link: Option<String>,
    contact_name: String,
    contact_email: String,
    contact_phone: Option<String>,
    signature: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct InvoiceView {
    pub(super) number: String,
    pub(super) issue_date: String,
    pub(super) due_date: String,
    pub(super) amount: String,
    pub(super) amount_due: String,
    pub(super) days_late: i64,
    /// What was sold; empty when the accounting export had no description.
    pub(super) description: String,
}

#[derive(Debug, Serialize)]
struct PreviousView {
    stage_label: &'static str,
    date: String,
}

#[derive(Debug, Serialize)]
struct LegalView {
    penalties: Option<String>,
    indemnity: Option<String>,
}

impl Context {
    /// The context with the rendered subject, which letters print.
    fn with_subject(p: &Proposal, company: &Company, templates: &Templates) -> Result<Self, RenderError> {
        let mut ctx = Context::new(p, company);
        let name = format!("{}/subject.txt.j2", p.language.as_str());
        ctx.subject = one_line(&templates.render(&name, &Value::from_serialize(&ctx))?);
        Ok(ctx)
    }

    fn new(p: &Proposal, company: &Company) -> Self {
        let lang = p.language;
        let amount = |d: Decimal| money(d, p.currency, lang);
        let numbers: Vec<String> = p.invoices.iter().map(|i| i.number.to_string()).collect();
        let previous_dates: Vec<String> = p.previous_reminders.iter().map(|(_, d)| date(*d, lang)).collect();
        let earliest_due = p.invoices.iter().map(|i| i.due_date).min().unwrap_or(p.date);
        let legal = legal_view(p);
        Self {
            lang: lang.as_str(),
            stage: p.stage.as_str(),
            stage_label: format::stage_label(p.stage, lang),
            template: template_name(p),
            pre_due: p.stage == Stage::PreDue,
            from_second: p.stage >= Stage::Second,
            today: date(p.date, lang),
            client: ClientView {
                name: p.client_name.clone(),
                b2b: p.kind == ClientKind::B2b,
                strategic: p.segment == Segment::Strategic,
            },
            company: CompanyView::new(company),
            invoices: p
                .invoices
                .iter()
                .map(|i| InvoiceView {
                    number: i.number.to_string(),
                    issue_date: date(i.issue_date, lang),
                    due_date: date(i.due_date, lang),
                    amount: amount(i.amount),
                    amount_due: amount(i.amount_due),
                    days_late: i.days_late,
                    description: i.description.trim().to_string(),
                })
                .collect(),
            count: p.invoices.len(),
            single: p.invoices.len() == 1,
            numbers: format::join_words(&numbers, lang),
            total_due: amount(p.total_due),
            claim_total: claim_total(p, legal.is_some()),
            earliest_due: date(earliest_due, lang),
            previous: p
                .previous_reminders
                .iter()
                .map(|(stage, d)| PreviousView { stage_label: format::stage_label(*stage, lang), date: date(*d, lang) })
                .collect(),
            previous_dates: format::join_words(&previous_dates, lang),
            legal,
            subject: String::new(),
            sms_sender: company.sms_signature().to_string(),
        }
    }
}

impl CompanyView {
    pub(super) fn new(c: &Company) -> Self {
        let non_empty = |s: &Option<String>| s.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        Self {
            name: c.name.clone(),
            siren: non_empty(&c.siren),
            address: non_empty(&c.address),
            iban: c.iban_display().filter(|v| !v.is_empty()),
            bic: non_empty(&c.bic).map(|b| b.to_ascii_uppercase()),
            payment_link: non_empty(&c.payment_link),
            contact_name: c.contact_name.clone(),
            contact_email: c.contact_email.clone(),
            contact_phone: non_empty(&c.contact_phone),
            signature: non_empty(&c.signature),
        }
    }
}

/// Penalties and indemnity are mentioned to businesses only (L441-10 and
/// D441-5 do not apply to consumers, and claiming them is unlawful).
fn legal_view(p: &Proposal) -> Option<LegalView> {
    if p.kind != ClientKind::B2b || (p.penalties.is_none() && p.indemnity.is_none()) {
        return None;
    }
    Some(LegalView {
        penalties: p.penalties.map(|d| money(d, p.currency, p.language)),
        // The indemnity is set in euros by decree, whatever the invoice currency.
        indemnity: p.indemnity.map(|d| money(d, Currency::EUR, p.language)),
    })
}

/// The whole claim. The indemnity is in euros: it is added to a euro total,
/// and stated beside a total in another currency.
fn claim_total(p: &Proposal, with_legal: bool) -> String {
    let lang = p.language;
    let penalties = if with_legal { p.penalties.unwrap_or_default() } else { Decimal::ZERO };
    let indemnity = if with_legal { p.indemnity.unwrap_or_default() } else { Decimal::ZERO };
    let principal = p.total_due + penalties;
    if p.currency == Currency::EUR || indemnity.is_zero() {
        let eur_part = if p.currency == Currency::EUR { indemnity } else { Decimal::ZERO };
        return money(principal + eur_part, p.currency, lang);
    }
    let parts = [money(principal, p.currency, lang), money(indemnity, Currency::EUR, lang)];
    format::join_words(&parts, lang)
}

/// Collapses a rendered subject or SMS to one line of single spaces.
pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cleans template output: no trailing spaces, at most one blank line in a
/// row, no blank lines at either end, one final newline.
pub(super) fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_run = 0;
    for line in s.trim().lines().map(str::trim_end) {
        blank_run = if line.is_empty() { blank_run + 1 } else { 0 };
        if blank_run <= 1 {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Replaces characters outside the GSM 03.38 alphabet by their closest GSM
/// equivalent (`ê` → `e`, `’` → `'`), so a French SMS stays in 7-bit
/// encoding (160 characters a segment instead of 70). Characters the
/// alphabet has (`é`, `è`, `à`, `€`) are kept.
pub fn gsm_friendly(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'â' | 'á' => out.push('a'),
            'ê' | 'ë' => out.push('e'),
            'î' | 'ï' | 'í' => out.push('i'),
            'ô' | 'ó' => out.push('o'),
            'û' | 'ú' => out.push('u'),
            'ç' => out.push('c'),
            'œ' => out.push_str("oe"),
            'À' | 'Â' => out.push('A'),
            'È' | 'Ê' | 'Ë' => out.push('E'),
            'Î' | 'Ï' => out.push('I'),
            'Ô' => out.push('O'),
            'Ù' | 'Û' => out.push('U'),
            'Œ' => out.push_str("OE"),
            '’' | '‘' => out.push('\''),
            '“' | '”' | '«' | '»' => out.push('"'),
            '–' | '—' => out.push('-'),
            '…' => out.push_str("..."),
            '\u{A0}' | '\u{202F}' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
