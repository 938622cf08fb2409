//! The chat platforms' settings in `bot-config.yaml` (`slack:`, `discord:`,
//! `teams:`, `server:`), every value read from the environment.
//!
//! A platform is on when the variables it needs are set, off otherwise, so
//! the embedded default (nothing set) runs with no account anywhere: the
//! digest is then printed and served as a local page at `/digest`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A token, a signing secret or a URL carrying a credential (Teams workflow
/// URLs carry theirs in `sig=`): usable, never printed.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(#[serde(deserialize_with = "crate::config::lenient::string")] pub String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

/// `server:` — the HTTP side of `relance serve`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on (`RELANCE_LISTEN`).
    pub listen: String,
    /// The URL people reach this server at (`RELANCE_PUBLIC_URL`), for
    /// decision links; default `http://{listen}`.
    pub public_url: Option<String>,
    /// Key of the decision links (`RELANCE_LINK_SECRET`). Unset: a random key
    /// per process, so links die with it (fine locally, not in production).
    pub link_secret: Option<Secret>,
    /// How long a decision link stays valid, in hours.
    pub link_hours: u32,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self { listen: "127.0.0.1:8080".into(), public_url: None, link_secret: None, link_hours: 48 }
    }
}

impl ServerSettings {
    /// The base of decision links, without a trailing slash.
    pub fn base_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }
}

/// `slack:` — on when the bot token, the signing secret and the channel are set.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct SlackSettings {
    pub bot_token: Option<Secret>,
    pub signing_secret: Option<Secret>,
    /// Channel id (`C0123456789`) or name.
    #[serde(deserialize_with = "crate::config::lenient::option")]
    pub channel: Option<String>,
    /// The Web API base, with `/api` (a local fake in tests).
    pub api_url: String,
}

impl Default for SlackSettings {
    fn default() -> Self {
        Self { bot_token: None, signing_secret: None, channel: None, api_url: "https://slack.com/api".into() }
    }
}

impl SlackSettings {
    pub fn is_on(&self) -> bool {
        self.bot_token.is_some() && self.signing_secret.is_some() && self.channel.is_some()
    }
}

/// `discord:` — on with a bot token, the public key and a channel (buttons
/// answered on `/discord/interactions`), or with a webhook URL alone (link
/// buttons to signed decision pages).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct DiscordSettings {
    pub bot_token: Option<Secret>,
    /// The application's Ed25519 public key, hex.
    #[serde(deserialize_with = "crate::config::lenient::option")]
    pub public_key: Option<String>,
    #[serde(deserialize_with = "crate::config::lenient::option")]
    pub application_id: Option<String>,
    #[serde(deserialize_with = "crate::config::lenient::option")]
    pub channel_id: Option<String>,
    /// The API base (a local fake in tests); requests go to `{api_url}/api/v10/…`.
    pub api_url: String,
    pub webhook_url: Option<Secret>,
}

impl Default for DiscordSettings {
    fn default() -> Self {
        Self {
            bot_token: None,
            public_key: None,
            application_id: None,
            channel_id: None,
            api_url: "https://discord.com".into(),
            webhook_url: None,
        }
    }
}

impl DiscordSettings {
    /// Posting with the bot and answering button clicks.
    pub fn bot_is_on(&self) -> bool {
        self.bot_token.is_some() && self.public_key.is_some() && self.channel_id.is_some()
    }

    /// Posting through the webhook, with link buttons (when the bot is off).
    pub fn webhook_is_on(&self) -> bool {
        !self.bot_is_on() && self.webhook_url.is_some()
    }

    /// What the loader can check: ids are Discord ids (digits), so a
    /// misplaced value (the public key in `DISCORD_APPLICATION_ID`) is found
    /// at start, not at the first command.
    pub fn validate(&self) -> Result<(), String> {
        for (key, value) in [("application_id", &self.application_id), ("channel_id", &self.channel_id)] {
            if let Some(id) = value.as_deref().filter(|id| !is_snowflake(id)) {
                return Err(format!("discord.{key}: {id:?} is not a Discord id (digits, e.g. 1234567890123456789)"));
            }
        }
        Ok(())
    }
}

/// A Discord id: digits, not zero.
fn is_snowflake(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && id.parse::<u64>().is_ok_and(|n| n > 0)
}

/// `teams:` — on with a Workflows webhook URL.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct TeamsSettings {
    /// A Workflows "When a Teams webhook request is received" URL.
    pub webhook_url: Option<Secret>,
    /// The outgoing webhook's security token (base64), for `@Relance …`.
    pub outgoing_secret: Option<Secret>,
}

impl TeamsSettings {
    pub fn is_on(&self) -> bool {
        self.webhook_url.is_some()
    }

    /// The outgoing webhook's HMAC key: Teams shows the security token in
    /// base64 and signs with the decoded bytes. `None` when unset.
    pub fn outgoing_key(&self) -> Result<Option<Vec<u8>>, String> {
        use base64::Engine;
        let Some(secret) = &self.outgoing_secret else { return Ok(None) };
        match base64::engine::general_purpose::STANDARD.decode(secret.expose().trim()) {
            Ok(key) if !key.is_empty() => Ok(Some(key)),
            _ => Err("teams.outgoing_secret: not the base64 security token Teams shows when the outgoing webhook \
                      is created (TEAMS_OUTGOING_SECRET)"
                .to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let slack = SlackSettings { bot_token: Some(Secret("xoxb-123".into())), ..Default::default() };
        assert!(!format!("{slack:?}").contains("xoxb"));
    }

    #[test]
    fn platforms_are_on_only_when_complete() {
        let mut slack = SlackSettings { bot_token: Some(Secret("xoxb".into())), ..Default::default() };
        assert!(!slack.is_on());
        slack.signing_secret = Some(Secret("s".into()));
        slack.channel = Some("C1".into());
        assert!(slack.is_on());
        let discord = DiscordSettings { webhook_url: Some(Secret("https://x".into())), ..Default::default() };
        assert!(discord.webhook_is_on() && !discord.bot_is_on());
    }

    #[test]
    fn ids_and_the_teams_token_are_checked_at_load() {
        let discord = DiscordSettings { application_id: Some("1200000000000000000".into()), ..Default::default() };
        assert_eq!(discord.validate(), Ok(()));
        let swapped = DiscordSettings { application_id: Some("d75a980182b10ab7".into()), ..Default::default() };
        assert!(swapped.validate().unwrap_err().starts_with("discord.application_id: \"d75a980182b10ab7\""));
        let token = |t: &str| TeamsSettings { outgoing_secret: Some(Secret(t.into())), ..Default::default() };
        let key = token("vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=").outgoing_key().unwrap().unwrap();
        assert_eq!(key.len(), 32);
        assert!(token("not base64!").outgoing_key().unwrap_err().contains("TEAMS_OUTGOING_SECRET"));
        assert_eq!(TeamsSettings::default().outgoing_key(), Ok(None));
    }
}
