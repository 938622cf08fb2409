//! `relance status CLIENT`: everything about one client, in one screen.

use super::{App, UserError};
use crate::lookup::{ClientIndex, Found};
use crate::render::format::plain_spaces;
use crate::status::{gather, render, StatusReport};

pub async fn run(app: &App, query: &str, json: bool) -> anyhow::Result<()> {
    let report = build(app, query).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", plain_spaces(&render(&report, app.loaded.config.digest.language)));
    }
    Ok(())
}

/// Finds the client, reads its account and history, and runs the pure core on it.
pub async fn build(app: &App, query: &str) -> anyhow::Result<StatusReport> {
    let clients = ClientIndex::new(app.store.clients().await?);
    let client = match clients.find(query) {
        Found::One(client) => client,
        Found::Several(candidates) => {
            let names: Vec<String> = candidates.iter().take(10).map(|c| format!("{} ({})", c.name, c.id)).collect();
            return Err(UserError(format!("{query:?} matches several clients: {}", names.join(", "))).into());
        }
        Found::None(_) => return Err(UserError(format!("no client matches {query:?} (by id, SIREN or name)")).into()),
    };
    gather(app.store.as_ref(), client, &app.loaded.config.policy, app.today())
        .await?
        .ok_or_else(|| UserError(format!("client {} disappeared while reading", client.id)).into())
}
