//! Running a `/relance` command against a platform's deadline.
//!
//! Discord invalidates an interaction not answered within 3 s and Teams
//! drops an outgoing webhook after 5 s, whatever the database is doing. So
//! the command runs in a task of its own and the route waits for it only so
//! long: on time, the reply goes in the answer; late, the route answers
//! something else (Discord: "thinking…", then an edit; Teams: "still
//! working") and the task runs to its end regardless, so a pause or a
//! promise asked for is never half-applied because a reply was late.

use super::state::Services;
use crate::commands::{self, Reply};
use crate::people::Platform;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tracing::Instrument;

/// How long each platform's route waits for a command before answering
/// "working on it" (and following up when it can). The platforms' own
/// limits are 3 s (Slack, Discord) and 5 s (Teams); the rest is the
/// network's. Tests shorten them to drive the late path.
#[derive(Debug, Clone, Copy)]
pub struct CommandWaits {
    /// A slash command, before "⏳" and the answer through `response_url`.
    pub slack: Duration,
    /// A Discord reply's button, before a deferred answer and its edit.
    pub discord_button: Duration,
    /// The client search of a Discord autocomplete (it cannot be deferred).
    pub autocomplete: Duration,
    /// A Teams mention, before "still working" (Teams cannot follow up).
    pub teams: Duration,
}

impl Default for CommandWaits {
    fn default() -> Self {
        Self {
            slack: Duration::from_millis(2_500),
            discord_button: Duration::from_millis(2_000),
            autocomplete: Duration::from_millis(2_500),
            teams: Duration::from_millis(4_500),
        }
    }
}

/// The reply if the command finished within `wait`; else the running task.
/// A zero wait always answers late: `timeout` polls its future once before
/// looking at the clock, and a task done by then would beat a deadline
/// already passed.
pub async fn answer_within(
    svc: &Arc<Services>,
    platform: Platform,
    account: &str,
    text: &str,
    wait: Duration,
) -> Result<Reply, JoinHandle<Reply>> {
    let mut task = spawn_answer(svc, platform, account, text);
    if wait.is_zero() {
        return Err(task);
    }
    match tokio::time::timeout(wait, &mut task).await {
        Ok(Ok(reply)) => Ok(reply),
        Ok(Err(panicked)) => {
            tracing::error!(error = %panicked, "command task failed");
            Ok(commands_failed(svc))
        }
        Err(_) => Err(task),
    }
}

/// Runs the command in a task of its own.
pub fn spawn_answer(svc: &Arc<Services>, platform: Platform, account: &str, text: &str) -> JoinHandle<Reply> {
    let (svc, account, text) = (svc.clone(), account.to_string(), text.to_string());
    let span = tracing::info_span!("command", %platform, command = %first_word(&text));
    tokio::spawn(async move { commands::answer(&svc, platform, &account, &text).await }.instrument(span))
}

/// What a task that did not finish (a panic) answers.
pub fn commands_failed(svc: &Services) -> Reply {
    let title = match svc.lang() {
        crate::domain::Language::Fr => "⚠️ relance n'a pas pu répondre ; réessayez dans un instant.",
        crate::domain::Language::En => "⚠️ relance could not answer; please try again in a moment.",
    };
    Reply { public: false, title: title.to_string(), sections: Vec::new(), choices: Vec::new() }
}

/// The verb, for logs (never the arguments: they may name a client).
fn first_word(text: &str) -> &str {
    text.split_whitespace().next().unwrap_or("")
}
