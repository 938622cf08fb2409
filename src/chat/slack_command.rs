//! A slash command (`/relance status ACME`) read from the raw body of
//! `POST /slack/commands`, AFTER its signature was verified on those exact
//! bytes ([`super::slack_signature`]).
//!
//! Slack sends `application/x-www-form-urlencoded` fields (`token, team_id,
//! channel_id, user_id, user_name, command, text, response_url, trigger_id`,
//! and more over time); only those the answer needs are read, so a new field
//! changes nothing, and a body missing one of them is refused (400).

use serde::Deserialize;

/// What the answer needs from a slash command.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SlackCommand {
    /// The Slack member who typed it, to look up in `people:`.
    pub user_id: String,
    /// `/relance` (or whatever the app's command is named).
    pub command: String,
    /// What follows the command; empty for `/relance` alone.
    #[serde(default)]
    pub text: String,
    /// Where to send the answer when it takes longer than Slack waits (3 s).
    pub response_url: String,
    pub channel_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the slash command's form is not the documented one: {0}")]
pub struct SlackCommandError(String);

/// Parses the raw form body.
pub fn parse_slack_command(body: &[u8]) -> Result<SlackCommand, SlackCommandError> {
    let command: SlackCommand = serde_urlencoded::from_bytes(body).map_err(|e| SlackCommandError(e.to_string()))?;
    if command.user_id.trim().is_empty() {
        return Err(SlackCommandError("user_id is empty".into()));
    }
    Ok(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slacks_documented_payload_is_read() {
        // docs.slack.dev, "Implementing slash commands", payload example, verbatim but for the text.
        let body = "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&enterprise_id=E0001&enterprise_name=Globular%20Construct%20Inc&channel_id=C2147483705&channel_name=test&user_id=U2147483697&user_name=Steve&command=/relance&text=status+Soci%C3%A9t%C3%A9+G%C3%A9n%C3%A9rale+--public&response_url=https://hooks.slack.com/commands/1234/5678&trigger_id=13345224609.738474920.8088930838d88f008e0&api_app_id=A123456";
        let command = parse_slack_command(body.as_bytes()).unwrap();
        assert_eq!(command.user_id, "U2147483697");
        assert_eq!(command.command, "/relance");
        assert_eq!(command.text, "status Société Générale --public");
        assert_eq!(command.response_url, "https://hooks.slack.com/commands/1234/5678");
        assert_eq!(command.channel_id.as_deref(), Some("C2147483705"));
    }

    #[test]
    fn an_empty_text_is_allowed_a_missing_user_is_not() {
        let command = parse_slack_command(b"user_id=U1&command=%2Frelance&text=&response_url=https%3A%2F%2Fx").unwrap();
        assert_eq!(command.text, "");
        assert!(parse_slack_command(b"command=%2Frelance&text=status&response_url=https%3A%2F%2Fx").is_err());
        assert!(parse_slack_command(b"user_id=&command=%2Frelance&response_url=https%3A%2F%2Fx").is_err());
        assert!(parse_slack_command(b"payload=%7B%7D").is_err());
    }
}
