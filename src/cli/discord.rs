//! `relance discord register`: tells Discord about `/relance`, once per
//! application (and again when the command's definition changes).
//!
//! Discord learns an application's slash commands from a PUT of their whole
//! list; registering is therefore idempotent, and needs only the bot token
//! and the application id — no database, no running server.

use super::{app, Cli, UserError};
use crate::chat::discord_api::DiscordApi;
use crate::chat::discord_commands::{command_definitions, SUB_COMMANDS};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum DiscordAction {
    /// Register (or update) the `/relance` command with its sub-commands.
    Register {
        /// A server (guild) id: the command appears there at once, instead
        /// of everywhere within the hour.
        #[arg(long)]
        guild: Option<String>,
    },
}

pub async fn run(cli: &Cli, action: &DiscordAction) -> anyhow::Result<()> {
    let DiscordAction::Register { guild } = action;
    let loaded = app::load_config(&cli.config)?;
    let discord = &loaded.config.discord;
    let missing = |what: &str| UserError(format!("discord.{what} is not set: {}", hint(what)));
    let token = discord.bot_token.as_ref().ok_or_else(|| missing("bot_token"))?;
    let application_id = discord.application_id.as_deref().ok_or_else(|| missing("application_id"))?;
    let api = DiscordApi::new(&discord.api_url, token.expose());
    api.put_commands(application_id, guild.as_deref(), &command_definitions()).await?;
    let verbs: Vec<&str> = SUB_COMMANDS.iter().map(|s| s.name).collect();
    match guild {
        Some(guild) => println!("/relance registered in server {guild} ({}): available now", verbs.join(", ")),
        None => {
            println!("/relance registered for every server ({}): may take up to an hour to appear", verbs.join(", "))
        }
    }
    Ok(())
}

fn hint(key: &str) -> &'static str {
    match key {
        "bot_token" => "set DISCORD_BOT_TOKEN (Developer Portal → Bot → Reset Token)",
        _ => "set DISCORD_APPLICATION_ID (Developer Portal → General Information → Application ID)",
    }
}
