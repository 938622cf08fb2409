//! `relance report aged`: the aged balance (balance âgée) per client, with totals and DSO.

use super::plan::DSO_PERIOD_DAYS;
use super::App;
use crate::domain::{ClientId, Currency, Language};
use crate::ledger::Account;
use crate::policy::aged::{aged_balance, AgedBalance, Figures};
use crate::render::format::{money, plain_spaces};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, Serialize)]
pub struct AgedReport {
    pub as_of: NaiveDate,
    pub totals: Vec<AgedBalance>,
    pub dso_days: Vec<DsoLine>,
    pub clients: Vec<ClientAged>,
}

#[derive(Debug, Serialize)]
pub struct DsoLine {
    pub currency: Currency,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub days: Option<Decimal>,
}

#[derive(Debug, Serialize)]
pub struct ClientAged {
    pub client_id: ClientId,
    pub name: String,
    pub balances: Vec<AgedBalance>,
}

pub async fn aged(app: &App, json: bool) -> anyhow::Result<()> {
    let today = app.today();
    let mut figures = Figures::new(today, DSO_PERIOD_DAYS);
    let mut clients: Vec<ClientAged> = Vec::new();
    // Streamed: a client's row is all the report keeps of its account.
    app.store
        .ledger_pages(today, &mut |accounts| {
            figures.add(&accounts);
            clients.extend(accounts.iter().filter_map(|a| client_row(a, today)));
            Ok(())
        })
        .await?;
    // The most overdue first: that is who finance calls.
    clients.sort_by(|a, b| overdue(b).cmp(&overdue(a)).then_with(|| a.client_id.cmp(&b.client_id)));
    let report = AgedReport {
        as_of: today,
        totals: figures.aged(),
        dso_days: figures.dso().into_iter().map(|(currency, days)| DsoLine { currency, days }).collect(),
        clients,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", plain_spaces(&render(&report, app.loaded.config.digest.language)));
    }
    Ok(())
}

/// A client's line, when it owes something.
fn client_row(account: &Account, today: NaiveDate) -> Option<ClientAged> {
    let balances = aged_balance(std::iter::once(account), today);
    balances.iter().any(|b| b.total > Decimal::ZERO).then(|| ClientAged {
        client_id: account.client.id.clone(),
        name: account.client.name.clone(),
        balances,
    })
}

fn overdue(c: &ClientAged) -> Decimal {
    c.balances.iter().map(|b| b.overdue_total).sum()
}

/// One line per client and currency, then the totals and the DSO.
pub fn render(r: &AgedReport, lang: Language) -> String {
    let fr = lang == Language::Fr;
    let mut out = String::new();
    let title = if fr { "Balance âgée au" } else { "Aged balance as of" };
    let _ = writeln!(out, "{title} {}\n", crate::render::format::date(r.as_of, lang));
    let head = if fr {
        ["Client", "Non échu", "1–30 j", "31–60 j", "61–90 j", "> 90 j", "Total"]
    } else {
        ["Client", "Not due", "1–30 d", "31–60 d", "61–90 d", "> 90 d", "Total"]
    };
    let _ = writeln!(
        out,
        "{:<32} {:>15} {:>15} {:>15} {:>15} {:>15} {:>15}",
        head[0], head[1], head[2], head[3], head[4], head[5], head[6]
    );
    for c in &r.clients {
        for b in &c.balances {
            write_row(&mut out, &truncate(&c.name, 32), b, lang);
        }
    }
    let _ = writeln!(out);
    for b in &r.totals {
        write_row(&mut out, "TOTAL", b, lang);
    }
    for line in &r.dso_days {
        let days = line.days.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
        let _ = writeln!(out, "DSO ({}) : {days} {}", line.currency, if fr { "jours" } else { "days" });
    }
    out
}

fn write_row(out: &mut String, name: &str, b: &AgedBalance, lang: Language) {
    let m = |d| money(d, b.currency, lang);
    let _ = writeln!(
        out,
        "{:<32} {:>15} {:>15} {:>15} {:>15} {:>15} {:>15}",
        name,
        m(b.not_due),
        m(b.days_1_30),
        m(b.days_31_60),
        m(b.days_61_90),
        m(b.over_90),
        m(b.total)
    );
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}
