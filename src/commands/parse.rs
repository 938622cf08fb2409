//! What the text typed after `/relance` asks for. Pure: no clock (a date
//! typed without its year, or a number of days, is resolved against today
//! by [`When::resolve`]), no store.
//!
//! Client names hold spaces and no quotes are needed: `pause Garage Martin
//! 15/12 attend un virement` pauses "Garage Martin" — the client is the words
//! before the first number of days or date, the reason what follows. So a
//! number of days is 1 to 365, and a name ending in such a number needs its
//! id or SIREN instead.

use crate::domain::Language;
use crate::policy::instalments::Frequency;
use chrono::{Datelike, Days, NaiveDate};

/// The flag that makes an answer visible to the whole channel.
pub const PUBLIC_FLAG: &str = "--public";
/// The longest pause typed as a number of days.
const MAX_DAYS: u32 = 365;

/// A sub-command and its arguments, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Status {
        client: String,
    },
    Pause {
        client: String,
        until: When,
        reason: Option<String>,
    },
    Resume {
        client: String,
    },
    Promise {
        invoice: String,
        by: When,
    },
    Dispute {
        invoice: String,
        reason: String,
    },
    Resolve {
        invoice: String,
    },
    /// An instalment plan for an invoice or a client: `count` instalments
    /// from `first`, monthly unless `hebdo` / `weekly` was typed.
    Echeancier {
        target: String,
        count: u32,
        first: Option<When>,
        frequency: Frequency,
    },
    /// Finance approves or rejects a proposed plan.
    DecidePlan {
        plan: i64,
        approve: bool,
    },
    Digest,
    Help,
}

/// A command and whether its answer is for the whole channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub command: Command,
    pub public: bool,
}

/// A day as typed: a number of days, a full date, or a day and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// For this many days, counting today (`7`: today and the six after).
    Days(u32),
    Date(NaiveDate),
    /// `15/12`: the next such day, this year or next.
    DayMonth {
        day: u32,
        month: u32,
    },
}

impl When {
    /// The day meant, seen from `today`.
    pub fn resolve(self, today: NaiveDate) -> NaiveDate {
        match self {
            When::Days(days) => today + Days::new(u64::from(days.max(1) - 1)),
            When::Date(date) => date,
            When::DayMonth { day, month } => (today.year()..=today.year() + 4)
                .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
                .find(|date| *date >= today)
                .unwrap_or(today),
        }
    }
}

/// Why a text is not a command; the answer shows the usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageError {
    Unknown(String),
    /// The sub-command needs a client, an invoice, a date or a reason.
    Missing {
        command: &'static str,
        what: Missing,
    },
    BadDate(String),
    /// More words than the sub-command takes.
    Extra {
        command: &'static str,
        words: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Client,
    Invoice,
    DaysOrDate,
    Date,
    Reason,
    /// The number of instalments (1 to 24).
    Count,
    /// A plan's number.
    Plan,
}

impl UsageError {
    /// The sub-command whose usage to show, if known.
    pub fn command(&self) -> Option<&'static str> {
        match self {
            UsageError::Missing { command, .. } | UsageError::Extra { command, .. } => Some(command),
            UsageError::Unknown(_) | UsageError::BadDate(_) => None,
        }
    }

    pub fn text(&self, lang: Language) -> String {
        let fr = lang == Language::Fr;
        match self {
            UsageError::Unknown(word) if fr => format!("Commande inconnue « {word} »."),
            UsageError::Unknown(word) => format!("Unknown command \"{word}\"."),
            UsageError::Missing { command, what } => {
                let what = match (what, fr) {
                    (Missing::Client, true) => "le client (id, SIREN ou nom)",
                    (Missing::Client, false) => "the client (id, SIREN or name)",
                    (Missing::Invoice, true) => "le numéro de facture",
                    (Missing::Invoice, false) => "the invoice number",
                    (Missing::DaysOrDate, true) => "un nombre de jours (1 à 365) ou une date",
                    (Missing::DaysOrDate, false) => "a number of days (1 to 365) or a date",
                    (Missing::Date, true) => "la date (2026-12-15, 15/12/2026 ou 15/12)",
                    (Missing::Date, false) => "the date (2026-12-15, 15/12/2026 or 15/12)",
                    (Missing::Reason, true) => "le motif",
                    (Missing::Reason, false) => "the reason",
                    (Missing::Count, true) => "le nombre d'échéances (1 à 24)",
                    (Missing::Count, false) => "the number of instalments (1 to 24)",
                    (Missing::Plan, true) => "le numéro de l'échéancier",
                    (Missing::Plan, false) => "the plan's number",
                };
                if fr {
                    format!("« {command} » : il manque {what}.")
                } else {
                    format!("\"{command}\": {what} is missing.")
                }
            }
            UsageError::BadDate(text) if fr => {
                format!("« {text} » n'est pas une date (2026-12-15, 15/12/2026 ou 15/12).")
            }
            UsageError::BadDate(text) => format!("\"{text}\" is not a date (2026-12-15, 15/12/2026 or 15/12)."),
            UsageError::Extra { command, words } if fr => {
                format!("« {command} » : je ne sais que faire de « {words} ».")
            }
            UsageError::Extra { command, words } => format!("\"{command}\": I don't know what to do with \"{words}\"."),
        }
    }
}

/// Reads `status ACME --public`, `pause Garage Martin 15/12 virement en cours`…
/// An empty text is `help`. Sub-commands have French names too (`statut`,
/// `reprendre`, `promesse`, `litige`, `resoudre`, `aide`).
pub fn parse(text: &str) -> Result<Parsed, UsageError> {
    let mut public = false;
    let mut words: Vec<&str> = Vec::new();
    for word in text.split_whitespace() {
        if word.eq_ignore_ascii_case(PUBLIC_FLAG) {
            public = true;
        } else {
            words.push(word);
        }
    }
    let Some((first, args)) = words.split_first() else {
        return Ok(Parsed { command: Command::Help, public });
    };
    let command = match crate::lookup::fold(first).as_str() {
        "status" | "statut" => Command::Status { client: rest("status", args, Missing::Client)? },
        "pause" => pause(args)?,
        "resume" | "reprendre" => Command::Resume { client: rest("resume", args, Missing::Client)? },
        "promise" | "promesse" => promise(args)?,
        "dispute" | "litige" => {
            let (invoice, reason) = args.split_first().ok_or(missing("dispute", Missing::Invoice))?;
            let reason = rest("dispute", reason, Missing::Reason)?;
            Command::Dispute { invoice: invoice.to_string(), reason }
        }
        "resolve" | "resoudre" => {
            let invoice = one("resolve", args, Missing::Invoice)?;
            Command::Resolve { invoice }
        }
        "echeancier" | "plan" => echeancier(args)?,
        "digest" => none("digest", args, Command::Digest)?,
        "help" | "aide" => Command::Help,
        _ => return Err(UsageError::Unknown(first.to_string())),
    };
    Ok(Parsed { command, public })
}

fn missing(command: &'static str, what: Missing) -> UsageError {
    UsageError::Missing { command, what }
}

/// The remaining words, joined by spaces; at least one.
fn rest(command: &'static str, args: &[&str], what: Missing) -> Result<String, UsageError> {
    if args.is_empty() {
        return Err(missing(command, what));
    }
    Ok(args.join(" "))
}

/// Exactly one word.
fn one(command: &'static str, args: &[&str], what: Missing) -> Result<String, UsageError> {
    match args {
        [] => Err(missing(command, what)),
        [word] => Ok(word.to_string()),
        [_, extra @ ..] => Err(UsageError::Extra { command, words: extra.join(" ") }),
    }
}

fn none(command: &'static str, args: &[&str], parsed: Command) -> Result<Command, UsageError> {
    match args.is_empty() {
        true => Ok(parsed),
        false => Err(UsageError::Extra { command, words: args.join(" ") }),
    }
}

/// `pause <client…> <days|date> [reason…]`.
fn pause(args: &[&str]) -> Result<Command, UsageError> {
    let at = args.iter().position(|w| days(w).is_some() || date(w).is_ok());
    match at {
        None if args.is_empty() => Err(missing("pause", Missing::Client)),
        None => Err(missing("pause", Missing::DaysOrDate)),
        Some(0) => Err(missing("pause", Missing::Client)),
        Some(at) => {
            let until = days(args[at]).map(When::Days).map_or_else(|| date(args[at]), Ok)?;
            let reason = (at + 1 < args.len()).then(|| args[at + 1..].join(" "));
            Ok(Command::Pause { client: args[..at].join(" "), until, reason })
        }
    }
}

/// `promise <invoice> <date>`.
fn promise(args: &[&str]) -> Result<Command, UsageError> {
    match args {
        [] => Err(missing("promise", Missing::Invoice)),
        [_] => Err(missing("promise", Missing::Date)),
        [invoice, when] => Ok(Command::Promise { invoice: invoice.to_string(), by: date(when)? }),
        [_, _, extra @ ..] => Err(UsageError::Extra { command: "promise", words: extra.join(" ") }),
    }
}

/// `echeancier <invoice|client…> <n> [first date] [hebdo|weekly]`, or
/// `echeancier approve|reject <plan>` (`approuver`, `refuser`).
fn echeancier(args: &[&str]) -> Result<Command, UsageError> {
    const NAME: &str = "echeancier";
    if let Some((verb, rest)) = args.split_first() {
        let approve = match crate::lookup::fold(verb).as_str() {
            "approve" | "approuver" => Some(true),
            "reject" | "refuser" => Some(false),
            _ => None,
        };
        if let Some(approve) = approve {
            let plan = one(NAME, rest, Missing::Plan)?;
            let plan = plan.trim_start_matches(['n', '°', '#']).parse().map_err(|_| missing(NAME, Missing::Plan))?;
            return Ok(Command::DecidePlan { plan, approve });
        }
    }
    let (frequency, args) = match args.split_last() {
        Some((last, before)) if frequency_word(last).is_some() && !before.is_empty() => (frequency_word(last), before),
        _ => (None, args),
    };
    let (first, args) = match args.split_last() {
        Some((last, before))
            if last.contains(['/', '-']) && last.chars().next().is_some_and(|c| c.is_ascii_digit()) =>
        {
            (Some(date(last)?), before)
        }
        _ => (None, args),
    };
    // The frequency may also come before the date: `3 hebdo 15/12`.
    let (frequency, args) = match (frequency, args.split_last()) {
        (None, Some((last, before))) if frequency_word(last).is_some() && !before.is_empty() => {
            (frequency_word(last), before)
        }
        (frequency, _) => (frequency, args),
    };
    let Some((count, target)) = args.split_last() else { return Err(missing(NAME, Missing::Client)) };
    let Ok(count) = count.parse::<u32>() else { return Err(missing(NAME, Missing::Count)) };
    if target.is_empty() {
        return Err(missing(NAME, Missing::Client));
    }
    Ok(Command::Echeancier { target: target.join(" "), count, first, frequency: frequency.unwrap_or_default() })
}

/// `hebdo`, `hebdomadaire`, `weekly`; `mensuel`, `monthly` (the default, accepted typed).
fn frequency_word(word: &str) -> Option<Frequency> {
    match crate::lookup::fold(word).as_str() {
        "hebdo" | "hebdomadaire" | "weekly" => Some(Frequency::Weekly),
        "mensuel" | "mensuelle" | "monthly" => Some(Frequency::Monthly),
        _ => None,
    }
}

/// A number of days, 1 to [`MAX_DAYS`] (an optional `j`/`d` after it: `7j`).
fn days(word: &str) -> Option<u32> {
    let digits = word.trim_end_matches(['j', 'J', 'd', 'D']);
    digits.parse().ok().filter(|d| (1..=MAX_DAYS).contains(d))
}

/// `2026-12-15`, `15/12/2026` or `15/12`.
fn date(word: &str) -> Result<When, UsageError> {
    let bad = || UsageError::BadDate(word.to_string());
    if let Ok(date) = NaiveDate::parse_from_str(word, "%Y-%m-%d") {
        return Ok(When::Date(date));
    }
    if let Ok(date) = NaiveDate::parse_from_str(word, "%d/%m/%Y") {
        return Ok(When::Date(date));
    }
    let (day, month) = word.split_once('/').ok_or_else(bad)?;
    let (day, month): (u32, u32) = (day.parse().map_err(|_| bad())?, month.parse().map_err(|_| bad())?);
    // Checked on a leap year: 29/02 exists in some year to come.
    NaiveDate::from_ymd_opt(2028, month, day).ok_or_else(bad)?;
    Ok(When::DayMonth { day, month })
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
