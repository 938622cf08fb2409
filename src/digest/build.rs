//! From the day's figures and stored entries to the digest every platform
//! renders: the header's lines (freshness, totals, aged balance, DSO, what
//! changed since the previous digest) and one [`DigestEntry`] per stored
//! entry. Pure: the caller passes the clock's reading and the configuration.

use super::model::{CallEntry, CallNote, DigestEntry, DigestHeader, Owner};
use crate::decision::{buttons, status_line, DecisionRules, EntryState};
use crate::domain::{Currency, Language, Segment};
use crate::people::People;
use crate::policy::aged::AgedBalance;
use crate::policy::calls::{CallTask, Caller};
use crate::policy::changes::{Changes, Tally};
use crate::policy::payment_sent::{not_received_line, PaymentNotReceived};
use crate::render::format::{date, date_long, money, number};
use crate::store::CallOutcomeRecord;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

/// What the header is made of.
pub struct HeaderInput<'a> {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub lang: Language,
    pub aged: &'a [AgedBalance],
    pub dso: &'a [(Currency, Option<Decimal>)],
    /// The promises due and the disputes open, and what changed since
    /// `changes.since`.
    pub changes: Option<&'a Changes>,
    /// A digest was posted before: the line "since the digest of …" makes sense.
    pub previous_digest: bool,
    pub last_import_at: Option<DateTime<Utc>>,
    pub max_ledger_age_hours: u32,
    /// Proposals today (the digest's size, for the header).
    pub proposals: usize,
    /// Payments announced on a call and still not in the ledger after their grace.
    pub payments_not_received: &'a [PaymentNotReceived],
}

/// Whether the ledger was imported within `max_age_hours` of `now`.
/// Never imported counts as stale: nothing should leave on no data.
pub fn ledger_is_fresh(last_import_at: Option<DateTime<Utc>>, now: DateTime<Utc>, max_age_hours: u32) -> bool {
    last_import_at.is_some_and(|at| now - at <= chrono::Duration::hours(i64::from(max_age_hours)))
}

fn tr(lang: Language, fr: &'static str, en: &'static str) -> &'static str {
    match lang {
        Language::Fr => fr,
        Language::En => en,
    }
}

/// The header: a warning first when the data is stale, then the lines.
pub fn header(input: &HeaderInput<'_>) -> DigestHeader {
    let fresh = ledger_is_fresh(input.last_import_at, input.now, input.max_ledger_age_hours);
    // A broken promise comes first: someone must call the client today.
    let mut lines = input.changes.map(|c| promise_lines(c, input.lang)).unwrap_or_default();
    // So is a payment announced and not arrived: call back.
    lines.extend(input.payments_not_received.iter().map(|p| not_received_line(p, input.lang)));
    lines.push(freshness_line(input));
    lines.extend(totals_lines(input));
    if let Some(changes) = input.changes {
        if input.previous_digest {
            lines.push(since_line(changes, input.lang));
        }
        lines.extend(dispute_lines(changes, input.lang));
    }
    let mut header = DigestHeader::new(input.today, lines);
    if !fresh {
        let (at, max) = (input.last_import_at, input.max_ledger_age_hours);
        header.warning = Some(stale_warning(at, input.now, max, input.lang));
    }
    header
}

fn freshness_line(input: &HeaderInput<'_>) -> String {
    let lang = input.lang;
    match input.last_import_at {
        None => tr(lang, "Grand livre : aucun import pour l'instant.", "Ledger: nothing imported yet.").to_string(),
        Some(at) => {
            let local = at.with_timezone(&input.tz);
            let when = format!("{} {} {}", date(local.date_naive(), lang), tr(lang, "à", "at"), local.format("%H:%M"));
            format!("{} {when}", tr(lang, "Grand livre mis à jour le", "Ledger updated on"))
        }
    }
}

/// The warning on top of a digest whose ledger is older than `max_age_hours`.
pub fn stale_warning(
    last_import_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    max_age_hours: u32,
    lang: Language,
) -> String {
    let age = last_import_at.map(|at| (now - at).num_hours());
    let since = match (age, lang) {
        (None, Language::Fr) => "aucun import".to_string(),
        (None, Language::En) => "no import".to_string(),
        (Some(h), Language::Fr) if h >= 48 => format!("dernier import il y a {} jours", h / 24),
        (Some(h), Language::Fr) => format!("dernier import il y a {h} h"),
        (Some(h), Language::En) if h >= 48 => format!("last import {} days ago", h / 24),
        (Some(h), Language::En) => format!("last import {h} h ago"),
    };
    let limit = max_age_hours;
    match lang {
        Language::Fr => format!(
            "⚠️ Données anciennes ({since}, limite {limit} h) : les approbations sont suspendues jusqu'à un nouvel import des paiements, ou « Envoyer quand même » (finance)."
        ),
        Language::En => format!(
            "⚠️ Stale data ({since}, limit {limit} h): approvals are held until the payments are imported again, or \"Send anyway\" (finance)."
        ),
    }
}

fn totals_lines(input: &HeaderInput<'_>) -> Vec<String> {
    let lang = input.lang;
    let overdue: Vec<String> = input.aged.iter().map(|a| money(a.overdue_total, a.currency, lang)).collect();
    let count: u32 = input.aged.iter().map(|a| a.overdue_count).sum();
    let overdue = if overdue.is_empty() { money(Decimal::ZERO, Currency::EUR, lang) } else { overdue.join(" + ") };
    let mut lines = vec![match lang {
        Language::Fr => {
            format!("En retard : {overdue} · {count} facture(s) · {} relance(s) proposée(s)", input.proposals)
        }
        Language::En => format!("Overdue: {overdue} · {count} invoice(s) · {} reminder(s) proposed", input.proposals),
    }];
    for a in input.aged {
        let m = |d: Decimal| money(d, a.currency, lang);
        lines.push(match lang {
            Language::Fr => format!(
                "Balance âgée : à échoir {} · 1–30 j {} · 31–60 j {} · 61–90 j {} · > 90 j {}",
                m(a.not_due),
                m(a.days_1_30),
                m(a.days_31_60),
                m(a.days_61_90),
                m(a.over_90)
            ),
            Language::En => format!(
                "Aged balance: not due {} · 1–30 d {} · 31–60 d {} · 61–90 d {} · > 90 d {}",
                m(a.not_due),
                m(a.days_1_30),
                m(a.days_31_60),
                m(a.days_61_90),
                m(a.over_90)
            ),
        });
    }
    let dso: Vec<String> = input
        .dso
        .iter()
        .filter_map(|(c, d)| d.map(|d| format!("{} {} {c}", number(d, lang), tr(lang, "j", "d"))))
        .collect();
    if !dso.is_empty() {
        lines.push(format!("DSO (90 {}){} {}", tr(lang, "j", "d"), tr(lang, " :", ":"), dso.join(" · ")));
    }
    lines
}

fn tally(t: &Tally, lang: Language) -> (u32, String) {
    let count = t.values().map(|(n, _)| n).sum();
    let sums: Vec<String> = t.iter().map(|(c, (_, d))| money(*d, *c, lang)).collect();
    (count, sums.join(" + "))
}

fn since_line(changes: &Changes, lang: Language) -> String {
    let (late, late_sum) = tally(&changes.newly_overdue, lang);
    let (paid, paid_sum) = tally(&changes.paid, lang);
    let due = changes.promises_due.len();
    let since = date_long(changes.since, lang);
    match lang {
        Language::Fr => format!(
            "Depuis le digest du {since} : {late} facture(s) passée(s) en retard{}, {paid} payée(s){}, {due} promesse(s) à échéance",
            paren(&late_sum), paren(&paid_sum)
        ),
        Language::En => format!(
            "Since the digest of {since}: {late} invoice(s) fell overdue{}, {paid} paid{}, {due} promise(s) due",
            paren(&late_sum), paren(&paid_sum)
        ),
    }
}

/// The promises whose date came, the broken ones first.
fn promise_lines(changes: &Changes, lang: Language) -> Vec<String> {
    let mut promises: Vec<_> = changes.promises_due.iter().collect();
    promises.sort_by_key(|p| !p.broken);
    let mut lines = Vec::new();
    for p in promises {
        let what = p.invoice.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
        let on = date(p.date, lang);
        lines.push(match (lang, p.broken) {
            (Language::Fr, true) => format!("⚠️ Promesse non tenue : {}{what}, promis pour le {on}", p.client_name),
            (Language::Fr, false) => format!("📅 Promesse à échéance aujourd'hui : {}{what}", p.client_name),
            (Language::En, true) => format!("⚠️ Broken promise: {}{what}, promised for {on}", p.client_name),
            (Language::En, false) => format!("📅 Promise due today: {}{what}", p.client_name),
        });
    }
    lines
}

/// Every dispute open, until it is resolved.
fn dispute_lines(changes: &Changes, lang: Language) -> Vec<String> {
    let mut lines = Vec::new();
    for d in &changes.disputes {
        let what = d.invoice.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
        lines.push(match lang {
            Language::Fr => format!("⚖️ Litige en cours : {}{what} — {}", d.client_name, d.reason),
            Language::En => format!("⚖️ Open dispute: {}{what} — {}", d.client_name, d.reason),
        });
    }
    lines
}

fn paren(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" ({text})")
    }
}

/// What an entry shows, from its stored state. `preview` is the start of the
/// message in the entry's current tone.
pub fn entry(
    state: &EntryState,
    preview: String,
    rules: &DecisionRules,
    people: &People<'_>,
    lang: Language,
    tz: Tz,
    stale: bool,
) -> DigestEntry {
    let owner = (state.proposal.segment == Segment::Strategic)
        .then(|| people.owner(state.owner.as_deref()))
        .flatten()
        .map(|p| Owner { name: p.name.clone(), slack: p.slack.clone(), discord: p.discord.clone() });
    DigestEntry {
        proposal: state.proposal.clone(),
        preview,
        status: status_line(state, rules, lang, tz),
        buttons: buttons(state),
        rev: state.rev,
        stale,
        owner,
    }
}

/// The "📞 À appeler" section from the day's call tasks: each task with the
/// owner `people:` knows when the owner is the one to call, so the platform
/// can notify them.
pub fn call_entries(
    tasks: Vec<CallTask>,
    people: &People<'_>,
    outcomes: &[CallOutcomeRecord],
    tz: Tz,
) -> Vec<CallEntry> {
    tasks
        .into_iter()
        .map(|task| {
            let owner = match &task.caller {
                Caller::Owner { name } => people.owner(Some(name)),
                Caller::Finance => None,
            }
            .map(|p| Owner { name: p.name.clone(), slack: p.slack.clone(), discord: p.discord.clone() });
            let notes = outcomes
                .iter()
                .filter(|r| r.call.task_id == task.id)
                .map(|r| CallNote {
                    outcome: r.outcome.clone(),
                    by: r.actor.name.clone(),
                    at: r.at.with_timezone(&tz).time(),
                })
                .collect();
            CallEntry { task, owner, notes }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Paris;

    fn input<'a>(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> HeaderInput<'a> {
        HeaderInput {
            today: NaiveDate::from_ymd_opt(2026, 3, 16).unwrap(),
            now,
            tz: Paris,
            lang: Language::Fr,
            aged: &[],
            dso: &[],
            changes: None,
            payments_not_received: &[],
            previous_digest: false,
            last_import_at: last,
            max_ledger_age_hours: 24,
            proposals: 3,
        }
    }

    #[test]
    fn a_stale_ledger_puts_a_warning_on_top() {
        let now = Paris.with_ymd_and_hms(2026, 3, 16, 8, 30, 0).unwrap().with_timezone(&Utc);
        let fresh = header(&input(Some(now - chrono::Duration::hours(2)), now));
        assert!(fresh.warning.is_none());
        assert!(fresh.lines[0].contains("16/03/2026 à 06:30"), "{:?}", fresh.lines);
        let stale = header(&input(Some(now - chrono::Duration::hours(72)), now));
        let warning = stale.warning.unwrap();
        assert!(warning.contains("Données anciennes") && warning.contains("3 jours"), "{warning}");
        assert!(header(&input(None, now)).warning.is_some(), "never imported is stale");
    }

    #[test]
    fn a_broken_promise_opens_the_header_and_disputes_are_listed_even_on_the_first_digest() {
        use crate::policy::changes::{OpenDispute, PromiseDue};
        let now = Paris.with_ymd_and_hms(2026, 3, 16, 8, 30, 0).unwrap().with_timezone(&Utc);
        let mut changes = Changes::new(NaiveDate::from_ymd_opt(2026, 3, 13).unwrap(), input(None, now).today);
        changes.disputes.push(OpenDispute {
            client_name: "Garage Martin".into(),
            invoice: None,
            reason: "prix".into(),
        });
        let promised = |broken| PromiseDue {
            client_name: "Menuiserie Roux".into(),
            invoice: None,
            date: NaiveDate::from_ymd_opt(2026, 3, 13).unwrap(),
            broken,
        };
        changes.promises_due.extend([promised(false), promised(true)]);
        let header = header(&HeaderInput { changes: Some(&changes), ..input(Some(now), now) });
        assert!(header.lines[0].starts_with("⚠️ Promesse non tenue : Menuiserie Roux"), "{:?}", header.lines);
        assert!(header.lines[1].starts_with("📅 Promesse à échéance"), "{:?}", header.lines);
        assert!(header.lines.iter().any(|l| l == "⚖️ Litige en cours : Garage Martin — prix"), "{:?}", header.lines);
        assert!(header.lines.iter().all(|l| !l.starts_with("Depuis")), "no previous digest: {:?}", header.lines);
    }
}
