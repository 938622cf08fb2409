//! `relance plan`: today's proposals, as the finance team would read them.

use super::App;
use crate::config::Config;
use crate::domain::Language;
use crate::policy::aged::Figures;
use crate::policy::planner::Planner;
use crate::policy::{Policy, Proposal};
use crate::render::digest_text::{render_digest, DigestView};
use crate::render::format;
use crate::render::message::{render_message, Message, Templates};
use crate::store::Store;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The DSO window: one quarter.
pub const DSO_PERIOD_DAYS: u32 = 90;

pub async fn run(app: &App, json: bool) -> anyhow::Result<()> {
    let today = app.today();
    let day = plan_day(app.store.as_ref(), &app.loaded.config.policy, today).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&day.proposals)?);
    } else {
        print!("{}", terminal_digest(&app.loaded.config, app.loaded.tz, today, &day)?);
    }
    Ok(())
}

/// A day's plan and the ledger's figures, read in one pass.
pub struct Day {
    pub proposals: Vec<Proposal>,
    pub figures: Figures,
    pub last_import_at: Option<DateTime<Utc>>,
}

/// Streams the ledger page by page through the planner and the figures, so
/// that a million invoices are never all in memory at once.
pub async fn plan_day(store: &dyn Store, policy: &Policy, today: NaiveDate) -> anyhow::Result<Day> {
    let mut planner = Planner::new(policy, today);
    let mut figures = Figures::new(today, DSO_PERIOD_DAYS);
    let last_import_at = store
        .ledger_pages(today, &mut |accounts| {
            planner.add(&accounts);
            figures.add(&accounts);
            Ok(())
        })
        .await?;
    Ok(Day { proposals: planner.finish(), figures, last_import_at })
}

/// The configured templates: the built-in ones, overridden by `templates_dir`.
pub fn templates(config: &Config) -> anyhow::Result<Templates> {
    Ok(match &config.templates_dir {
        Some(dir) => Templates::from_dir(dir)?,
        None => Templates::builtin(),
    })
}

/// The digest printed in a terminal: totals, aged balance, each proposal with a preview.
pub fn terminal_digest(config: &Config, tz: Tz, today: NaiveDate, day: &Day) -> anyhow::Result<String> {
    let templates = templates(config)?;
    let messages: Vec<Message> =
        day.proposals.iter().map(|p| render_message(p, &config.company, &templates)).collect::<Result<_, _>>()?;
    let (aged, dso) = (day.figures.aged(), day.figures.dso());
    let view = DigestView {
        today,
        lang: config.digest.language,
        company: &config.company,
        proposals: &day.proposals,
        messages: &messages,
        aged: &aged,
        dso: &dso,
        last_import_at: day.last_import_at,
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
