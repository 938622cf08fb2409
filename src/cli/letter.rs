//! `relance letter posted PROPOSAL [--on DAY] [--by NAME]`: a person says
//! they posted a formal notice letter (recommandé avec AR), the same record
//! as the digest's "📮 Lettre postée" button — for a letter posted on another
//! day, or a team without a chat platform.

use super::{App, UserError};
use crate::domain::{Channel, ProposalId};
use crate::render::format;
use crate::store::LetterPosted;
use chrono::NaiveDate;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum LetterAction {
    /// Record that a formal notice letter was posted (registered mail).
    Posted(PostedArgs),
}

#[derive(Debug, Args)]
pub struct PostedArgs {
    /// The proposal id, as the digest and `relance plan --json` show it.
    pub proposal: String,
    /// The day it was posted (default: today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    /// Who posted it (default: the user at the keyboard).
    #[arg(long)]
    pub by: Option<String>,
}

pub async fn run(app: App, action: &LetterAction) -> anyhow::Result<()> {
    let LetterAction::Posted(args) = action;
    let id = ProposalId::parse(args.proposal.trim()).map_err(|e| UserError(format!("{:?}: {e}", args.proposal)))?;
    let entry = app.store.entries_by_id(std::slice::from_ref(&id)).await?.into_iter().next().ok_or_else(|| {
        UserError(format!("no proposal {id}: the ids are in the digest and in `relance plan --json`"))
    })?;
    let p = &entry.proposal;
    let on = args.on.unwrap_or_else(|| app.today());
    check_day(on, p.date, app.today())?;
    let mut actor = app.actor();
    if let Some(by) = args.by.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        actor.name = by.to_string();
    }
    let lang = app.loaded.config.digest.language;
    match app.store.mark_letter_posted(&id, on, &actor).await? {
        LetterPosted::Recorded { file } => {
            println!(
                "Formal notice to {} ({}) recorded as posted on {} by {}: {file}",
                p.client_name.trim(),
                p.client_id,
                format::date(on, lang),
                actor.name
            );
        }
        LetterPosted::AlreadyPosted { on, by } => {
            println!("Already recorded: posted on {} by {by}; nothing changed.", format::date(on, lang));
            return Ok(());
        }
        LetterPosted::NoLetter => return Err(no_letter(&id, p.channels.contains(&Channel::Letter)).into()),
    }
    app.refresh_chat(&[id]).await;
    Ok(())
}

/// A letter is posted on or after the day of its digest (the sender writes
/// it that day at the earliest), and not in the future.
fn check_day(on: NaiveDate, digest_day: NaiveDate, today: NaiveDate) -> Result<(), UserError> {
    if on > today {
        return Err(UserError(format!("--on {on}: that day is still to come")));
    }
    if on < digest_day {
        return Err(UserError(format!("--on {on}: the letter belongs to the digest of {digest_day}, posted after it")));
    }
    Ok(())
}

/// Why there is nothing to mark: the proposal is not a letter, or its letter
/// is not written (approval, sender) or was cancelled.
fn no_letter(id: &ProposalId, is_letter: bool) -> UserError {
    if is_letter {
        UserError(format!(
            "proposal {id} has no letter written: it needs its approvals, then the sender writes the PDF \
             (`relance send`, or `relance serve`); a vetoed or expired one is never written"
        ))
    } else {
        UserError(format!("proposal {id} is not sent by registered letter: there is nothing to post"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_is_posted_between_its_digest_and_today() {
        let (digest, today) =
            (NaiveDate::from_ymd_opt(2026, 3, 16).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 18).unwrap());
        assert!(check_day(digest, digest, today).is_ok());
        assert!(check_day(today, digest, today).is_ok());
        let early = check_day(digest.pred_opt().unwrap(), digest, today).unwrap_err();
        assert!(early.0.contains("digest of 2026-03-16"), "{early}");
        let late = check_day(today.succ_opt().unwrap(), digest, today).unwrap_err();
        assert!(late.0.contains("still to come"), "{late}");
    }
}
