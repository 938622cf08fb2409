//! `relance status CLIENT`: everything about one client, in one screen.

use super::{App, UserError};
use crate::domain::{Channel, Client, Currency, Language, ProposalId, Stage};
use crate::ledger::{Account, Hold, InvoiceState, Ledger};
use crate::lookup::{ClientIndex, Found};
use crate::policy::aged::{aged_balance, AgedBalance};
use crate::policy::planner::next_step;
use crate::policy::score::{payment_score, PaymentScore};
use crate::policy::{plan, Proposal};
use crate::render::format::{self, money, plain_spaces};
use crate::store::ReminderRecord;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt::Write;

/// What `status --json` prints.
#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub today: NaiveDate,
    pub client: Client,
    pub hold: Hold,
    pub open_invoices: Vec<OpenInvoice>,
    pub aged: Vec<AgedBalance>,
    pub score: PaymentScore,
    pub reminders: Vec<ReminderRecord>,
    /// The formal notice letters among the reminders: file, posted or not.
    pub letters: Vec<LetterView>,
    pub pending_proposal: Option<Proposal>,
    pub next_step: Option<NextStepView>,
}

#[derive(Debug, Serialize)]
pub struct OpenInvoice {
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub days_late: i64,
    pub currency: Currency,
    #[serde(with = "crate::domain::decimal_str")]
    pub amount: Decimal,
    #[serde(with = "crate::domain::decimal_str")]
    pub amount_due: Decimal,
    /// The last stage this invoice received, and when.
    pub last_stage: Option<(Stage, NaiveDate)>,
    pub hold: Hold,
}

/// A formal notice letter the sender wrote, and when a person posted it.
#[derive(Debug, Serialize)]
pub struct LetterView {
    pub proposal_id: ProposalId,
    pub file: Option<String>,
    pub posted_on: Option<NaiveDate>,
    pub posted_by: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct NextStepView {
    pub stage: String,
    pub date: NaiveDate,
    pub invoices: Vec<String>,
}

pub async fn run(app: &App, query: &str, json: bool) -> anyhow::Result<()> {
    let report = build(app, query).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", plain_spaces(&render(&report, app.loaded.config.digest.language)));
    }
    Ok(())
}

/// Finds the client, reads its account and history, and runs the pure core on it.
pub async fn build(app: &App, query: &str) -> anyhow::Result<StatusReport> {
    let clients = ClientIndex::new(app.store.clients().await?);
    let client = match clients.find(query) {
        Found::One(client) => client.clone(),
        Found::Several(candidates) => {
            let names: Vec<String> = candidates.iter().take(10).map(|c| format!("{} ({})", c.name, c.id)).collect();
            return Err(UserError(format!("{query:?} matches several clients: {}", names.join(", "))).into());
        }
        Found::None(_) => {
            return Err(UserError(format!("no client matches {query:?} (by id, SIREN or name)")).into())
        }
    };
    let today = app.today();
    let account = app
        .store
        .account(&client.id, today)
        .await?
        .ok_or_else(|| UserError(format!("client {} disappeared while reading", client.id)))?;
    let reminders = app.store.reminders(&client.id).await?;
    let letters = letters(app, &reminders).await?;
    let policy = &app.loaded.config.policy;
    let single = Ledger { accounts: vec![account.clone()], last_import_at: None };
    let pending_proposal = plan(&single, policy, today).into_iter().next();
    let next_step = next_step(&account, policy, today).map(|step| NextStepView {
        stage: step.stage.to_string(),
        date: step.date,
        invoices: step.invoices.iter().map(ToString::to_string).collect(),
    });
    Ok(StatusReport {
        today,
        client,
        hold: account.hold.clone(),
        open_invoices: open_invoices(&account, today),
        aged: aged_balance(std::iter::once(&account), today),
        score: payment_score(&account, today),
        reminders,
        letters,
        pending_proposal,
        next_step,
    })
}

/// The letters of the reminders sent by registered letter, from their
/// outbox rows (one read per letter: a client gets few).
async fn letters(app: &App, reminders: &[ReminderRecord]) -> anyhow::Result<Vec<LetterView>> {
    let mut letters = Vec::new();
    for rem in reminders.iter().filter(|r| r.channels.contains(&Channel::Letter)) {
        let rows = app.store.outbox(rem.on).await?;
        let row = rows.into_iter().find(|r| r.item.proposal_id == rem.proposal_id && r.channel == Channel::Letter);
        if let Some(row) = row {
            letters.push(LetterView {
                proposal_id: rem.proposal_id.clone(),
                file: row.recipient,
                posted_on: row.posted_on,
                posted_by: row.posted_by,
            });
        }
    }
    Ok(letters)
}

fn open_invoices(account: &Account, today: NaiveDate) -> Vec<OpenInvoice> {
    let mut open: Vec<&InvoiceState> = account.invoices.iter().filter(|i| i.is_open()).collect();
    open.sort_by_key(|i| (i.due_date, i.number.clone()));
    open.into_iter()
        .map(|i| OpenInvoice {
            number: i.number.to_string(),
            issue_date: i.issue_date,
            due_date: i.due_date,
            days_late: i.days_late(today),
            currency: i.currency,
            amount: i.amount,
            amount_due: i.amount_due(),
            last_stage: i.last_stage,
            hold: i.hold.clone(),
        })
        .collect()
}

/// `27,8` in French, `27.8` in English.
fn decimal(value: Decimal, lang: Language) -> String {
    match lang {
        Language::Fr => value.to_string().replace('.', ","),
        Language::En => value.to_string(),
    }
}

/// Picks the French or the English text.
fn t<'a>(lang: Language, fr: &'a str, en: &'a str) -> &'a str {
    match lang {
        Language::Fr => fr,
        Language::En => en,
    }
}

/// The human-readable screen.
pub fn render(r: &StatusReport, lang: Language) -> String {
    let mut out = String::new();
    let c = &r.client;
    let star = if c.segment == crate::domain::Segment::Strategic { " ⭐" } else { "" };
    let _ = writeln!(out, "{}{} — {}", c.name, star, c.id);
    let mut facts = vec![c.kind.as_str().to_uppercase(), format!("{} {}", t(lang, "langue", "language"), c.language)];
    if let Some(siren) = &c.siren {
        facts.push(format!("SIREN {siren}"));
    }
    if let Some(owner) = &c.owner {
        facts.push(format!("{} {owner}", t(lang, "suivi par", "owner")));
    }
    if let Some(email) = &c.email {
        facts.push(email.to_string());
    }
    if let Some(phone) = &c.phone {
        facts.push(phone.to_string());
    }
    let _ = writeln!(out, "  {}", facts.join(" · "));
    write_hold(&mut out, &r.hold, lang, "  ");
    let s = &r.score;
    let _ = writeln!(
        out,
        "  {} {}/100 ({}) — {} {} j, {} {}",
        t(lang, "Score de paiement", "Payment score"),
        s.score,
        if lang == Language::Fr { s.label.label_fr() } else { s.label.as_str() },
        t(lang, "retard moyen", "average delay"),
        decimal(s.average_days_late, lang),
        s.late_invoices_12m,
        t(lang, "factures en retard sur 12 mois", "late invoices in 12 months"),
    );
    write_invoices(&mut out, r, lang);
    write_aged(&mut out, &r.aged, lang);
    write_reminders(&mut out, r, lang);
    write_next(&mut out, r, lang);
    out
}

fn write_hold(out: &mut String, hold: &Hold, lang: Language, indent: &str) {
    if let Some(reason) = &hold.dispute {
        let _ = writeln!(out, "{indent}⚠ {} : {reason}", t(lang, "Litige", "Dispute"));
    }
    if let Some(date) = hold.promise_date {
        let _ = writeln!(
            out,
            "{indent}🤝 {} {}",
            t(lang, "Promesse de paiement au", "Promise to pay by"),
            format::date(date, lang)
        );
    }
    if let Some(date) = hold.paused_until {
        let _ =
            writeln!(out, "{indent}⏸ {} {}", t(lang, "En pause jusqu'au", "Paused until"), format::date(date, lang));
    }
}

fn write_invoices(out: &mut String, r: &StatusReport, lang: Language) {
    let _ = writeln!(out, "\n{} ({})", t(lang, "Factures ouvertes", "Open invoices"), r.open_invoices.len());
    for i in &r.open_invoices {
        let late = if i.days_late > 0 {
            format!("{} j {}", i.days_late, t(lang, "de retard", "late"))
        } else {
            t(lang, "non échue", "not due").to_string()
        };
        let _ = writeln!(
            out,
            "  {:<16} {} {:<10} {:<14} {:>14} {} {:>14}{}",
            i.number,
            t(lang, "éch.", "due"),
            format::date(i.due_date, lang),
            late,
            money(i.amount_due, i.currency, lang),
            t(lang, "sur", "of"),
            money(i.amount, i.currency, lang),
            i.last_stage
                .map(|(stage, on)| format!("  [{} {}]", format::stage_label(stage, lang), format::date(on, lang)))
                .unwrap_or_default(),
        );
        write_hold(out, &i.hold, lang, "      ");
    }
}

fn write_aged(out: &mut String, aged: &[AgedBalance], lang: Language) {
    for a in aged {
        let m = |d| money(d, a.currency, lang);
        let _ = writeln!(
            out,
            "  {} : {} {} · 1–30 {} · 31–60 {} · 61–90 {} · > 90 {} · total {}",
            t(lang, "Balance âgée", "Aged balance"),
            t(lang, "non échu", "not due"),
            m(a.not_due),
            m(a.days_1_30),
            m(a.days_31_60),
            m(a.days_61_90),
            m(a.over_90),
            m(a.total)
        );
    }
}

fn write_reminders(out: &mut String, r: &StatusReport, lang: Language) {
    let _ = writeln!(out, "\n{} ({})", t(lang, "Relances envoyées", "Reminders sent"), r.reminders.len());
    for rem in &r.reminders {
        let invoices: Vec<String> = rem.invoices.iter().map(|(n, _, _)| n.to_string()).collect();
        let channels: Vec<&str> = rem.channels.iter().map(|c| format::channel_label(*c, lang)).collect();
        let _ = writeln!(
            out,
            "  {}  {:<26} {:<20} {}",
            format::date(rem.on, lang),
            format::stage_label(rem.stage, lang),
            channels.join(" + "),
            invoices.join(", ")
        );
        if let Some(letter) = r.letters.iter().find(|l| l.proposal_id == rem.proposal_id) {
            write_letter(out, letter, lang);
        }
    }
}

/// "📄 outbox/letters/….pdf — postée le 17/03/2026 (Claire Martin)", or "à poster".
fn write_letter(out: &mut String, letter: &LetterView, lang: Language) {
    let file = letter.file.as_deref().unwrap_or("?");
    let posted = match (letter.posted_on, &letter.posted_by) {
        (Some(on), by) => {
            let by = by.as_deref().unwrap_or("?");
            format!("{} {} ({by})", t(lang, "postée le", "posted on"), format::date(on, lang))
        }
        (None, _) => t(lang, "à poster", "to post").to_string(),
    };
    let _ = writeln!(out, "      📄 {file} — {posted}");
}

fn write_next(out: &mut String, r: &StatusReport, lang: Language) {
    let _ = writeln!(out);
    match &r.pending_proposal {
        Some(p) => {
            let _ = writeln!(
                out,
                "{} {} — {} ({}) : {}",
                t(lang, "Proposée aujourd'hui :", "Proposed today:"),
                format::stage_label(p.stage, lang),
                money(p.total_due, p.currency, lang),
                p.invoices.len(),
                p.reason
            );
        }
        None => {
            let _ = writeln!(out, "{}", t(lang, "Aucune relance proposée aujourd'hui.", "No reminder proposed today."));
        }
    }
    if let Some(step) = &r.next_step {
        let stage = step.stage.parse().map(|s| format::stage_label(s, lang)).unwrap_or(&step.stage);
        let _ = writeln!(
            out,
            "{} {stage} {} {} ({})",
            t(lang, "Prochaine étape :", "Next step:"),
            t(lang, "le", "on"),
            format::date(step.date, lang),
            step.invoices.join(", ")
        );
    }
}
