//! `relance plan`: today's proposals, as the finance team would read them.

use super::App;
use crate::config::Config;
use crate::domain::Language;
use crate::ledger::Ledger;
use crate::policy::{aged, plan, Proposal};
use crate::render::digest_text::{render_digest, DigestView};
use crate::render::format;
use crate::render::message::{render_message, Message, Templates};
use chrono::NaiveDate;
use chrono_tz::Tz;

/// The DSO window: one quarter.
pub const DSO_PERIOD_DAYS: u32 = 90;

pub async fn run(app: &App, json: bool) -> anyhow::Result<()> {
    let today = app.today();
    let ledger = app.store.ledger(today).await?;
    let proposals = plan(&ledger, &app.loaded.config.policy, today);
    if json {
        println!("{}", serde_json::to_string_pretty(&proposals)?);
    } else {
        print!("{}", terminal_digest(&app.loaded.config, app.loaded.tz, today, &ledger, &proposals)?);
    }
    Ok(())
}

/// The configured templates: the built-in ones, overridden by `templates_dir`.
pub fn templates(config: &Config) -> anyhow::Result<Templates> {
    Ok(match &config.templates_dir {
        Some(dir) => Templates::from_dir(dir)?,
        None => Templates::builtin(),
    })
}

/// The digest printed in a terminal: totals, aged balance, each proposal with a preview.
pub fn terminal_digest(
    config: &Config,
    tz: Tz,
    today: NaiveDate,
    ledger: &Ledger,
    proposals: &[Proposal],
) -> anyhow::Result<String> {
    let templates = templates(config)?;
    let messages: Vec<Message> =
        proposals.iter().map(|p| render_message(p, &config.company, &templates)).collect::<Result<_, _>>()?;
    let aged = aged::aged_balance(ledger.accounts.iter(), today);
    let dso = aged::dso(ledger.accounts.iter(), today, DSO_PERIOD_DAYS);
    let view = DigestView {
        today,
        lang: config.digest.language,
        company: &config.company,
        proposals,
        messages: &messages,
        aged: &aged,
        dso: &dso,
        last_import_at: ledger.last_import_at,
        tz,
        non_business_day: non_business_day(config, today),
    };
    Ok(render_digest(&view))
}

/// "samedi 5 décembre 2026 — jour non ouvré ; prochain envoi : lundi 7 décembre 2026".
pub fn non_business_day(config: &Config, today: NaiveDate) -> Option<String> {
    let calendar = &config.policy.calendar;
    if calendar.is_business_day(today) {
        return None;
    }
    let lang = config.digest.language;
    let next = calendar.on_or_after(today);
    let why = match (calendar.holiday_name(today), lang) {
        (Some(name), Language::Fr) => format!("{name}, jour férié"),
        (Some(name), Language::En) => format!("{name}, public holiday"),
        (None, Language::Fr) => "jour non ouvré".to_string(),
        (None, Language::En) => "not a business day".to_string(),
    };
    let (today, next) = (format::date_long(today, lang), format::date_long(next, lang));
    Some(match lang {
        Language::Fr => format!("{today} — {why} : aucune relance ne part ; prochain envoi : {next}"),
        Language::En => format!("{today} — {why}: no reminder goes out; next sending day: {next}"),
    })
}
