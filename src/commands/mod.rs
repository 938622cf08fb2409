//! `/relance <sub-command>`: the chat commands (issue 5), answered the same
//! way on Slack, Discord and Teams.
//!
//! Each platform's route authenticates the request, turns it into the text
//! typed after `/relance` (`status ACME --public`), and hands it to
//! [`answer`]; the [`Reply`] it gets back is platform-neutral plain text that
//! the platform's renderer escapes and formats (Slack mrkdwn, Discord
//! markdown with no mentions, Teams markdown).

mod help;
mod parse;
mod run;
pub mod slack;
mod status_reply;

pub use parse::{parse, Command, Missing, Parsed, UsageError, When, PUBLIC_FLAG};
pub use status_reply::{status_reply, StatusView};

use crate::domain::Language;
use crate::people::Platform;
use crate::serve::Services;

/// What the bot answers to a command: plain text (no markup: each platform
/// escapes it), private to the asker unless `public`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Shown to everyone in the channel (`--public`), or to the asker only.
    pub public: bool,
    /// The first line, in bold where the platform has bold.
    pub title: String,
    /// The body, in order.
    pub sections: Vec<Section>,
    /// Several clients matched: one button each, running `command`.
    pub choices: Vec<Choice>,
}

/// A heading and its lines (an invoice per line, a decision per line…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: Option<String>,
    pub lines: Vec<String>,
}

/// A button offered in a reply: its label and the command it runs
/// (`status C042`), as if the asker had typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub label: String,
    pub command: String,
}

impl Reply {
    /// A one-line answer to the asker only (a refusal, a mistake).
    pub fn said(title: impl Into<String>) -> Self {
        Reply { public: false, title: title.into(), sections: Vec::new(), choices: Vec::new() }
    }
}

/// Runs the command typed after `/relance` by `account` on `platform`.
/// Never fails: a user's mistake or an internal error is a reply too.
pub async fn answer(svc: &Services, platform: Platform, account: &str, text: &str) -> Reply {
    let lang = svc.lang();
    let parsed = match parse(text) {
        Ok(parsed) => parsed,
        Err(error) => return help::usage(&error, lang),
    };
    let person = svc.person(platform, account);
    match run::run(svc, person, platform, parsed).await {
        Ok(reply) => reply,
        Err(err) => {
            tracing::error!(error = %err, %platform, "command failed");
            Reply::said(match lang {
                Language::Fr => "⚠️ Une erreur interne est survenue ; rien n'a changé. Réessayez dans un instant.",
                Language::En => "⚠️ An internal error occurred; nothing changed. Please try again in a moment.",
            })
        }
    }
}

/// Clients whose id, SIREN or name starts with or resembles `typed`, best
/// first, at most `limit` (Discord's autocomplete: label = name, command =
/// the client id).
pub async fn suggest_clients(svc: &Services, typed: &str, limit: usize) -> Vec<Choice> {
    match svc.clients.get(svc.store.as_ref()).await {
        Ok(index) => index
            .suggest(typed, limit)
            .into_iter()
            .map(|c| Choice { label: c.name.clone(), command: c.id.to_string() })
            .collect(),
        Err(err) => {
            tracing::error!(error = %err, "client suggestions unavailable");
            Vec::new()
        }
    }
}
