//! What every platform's handler does with a click once it is authenticated
//! and parsed: find the person, decide (or release held approvals, or record
//! a posted letter), count it, and say what to tell the clicker.

use super::engine::Decided;
use super::state::Services;
use crate::decision::{refusal_text, Action, Click, Effect, Refusal, Stamp};
use crate::domain::ProposalId;
use crate::people::{Platform, Role};
use crate::render::message::render_message;
use crate::store::{Actor, LetterPosted};

/// The answer to a click.
#[derive(Debug)]
pub struct Answer {
    /// Shown to the clicker only, when the click changed nothing.
    pub refusal: Option<String>,
    /// Whether something changed (the digest pages must be re-rendered).
    pub changed: bool,
    /// The decision, when one was taken.
    pub decided: Option<Decided>,
}

impl Answer {
    fn refused(refusal: &Refusal, svc: &Services) -> Self {
        Self { refusal: Some(refusal_text(refusal, svc.lang())), changed: false, decided: None }
    }
}

/// Decides `click` by the person behind `account` on `platform`.
pub async fn handle(svc: &Services, platform: Platform, account: &str, click: Click) -> anyhow::Result<Answer> {
    let Some(person) = svc.person(platform, account) else {
        tracing::info!(%platform, action = click.action.as_str(), "click by an account not in people: refused");
        return Ok(Answer::refused(&Refusal::Unknown, svc));
    };
    handle_person(svc, person, platform, click).await
}

/// Decides `click` by a person already identified (signed in on a link page).
pub async fn handle_person(
    svc: &Services,
    person: crate::people::Person,
    platform: Platform,
    click: Click,
) -> anyhow::Result<Answer> {
    match click.action {
        Action::SendAnyway => return send_anyway(svc, &person, platform).await,
        Action::LetterPosted => return letter_posted(svc, &person, platform, &click.proposal_id).await,
        _ => {}
    }
    let action = click.action;
    let decided = svc.engine.decide(person, platform, click).await?;
    match &decided.result {
        Err(refusal) => {
            let mut answer = Answer::refused(refusal, svc);
            // Someone else changed the entry: the clicker's view is outdated, re-render it.
            answer.changed = *refusal == Refusal::Outdated;
            Ok(answer)
        }
        Ok(outcome) => {
            let changed = outcome.effect != Effect::Repeat;
            if changed {
                svc.metrics.decided(action.as_str(), platform.as_str());
            }
            Ok(Answer { refusal: None, changed, decided: Some(decided) })
        }
    }
}

/// Finance's "send anyway": releases the day's approvals held for stale data.
async fn send_anyway(svc: &Services, person: &crate::people::Person, platform: Platform) -> anyhow::Result<Answer> {
    if person.role != Role::Finance {
        return Ok(Answer::refused(&Refusal::NotAllowed { action: Action::SendAnyway }, svc));
    }
    let stamp = Stamp { by: person.name.clone(), via: platform, at: svc.clock.now() };
    let released = svc.store.release_held(svc.clock.today(), &stamp).await?;
    tracing::info!(by = %person.name, released, "send anyway");
    svc.metrics.decided(Action::SendAnyway.as_str(), platform.as_str());
    Ok(Answer { refusal: None, changed: true, decided: None })
}

/// Finance says the formal notice letter is posted: recorded with today's
/// date and their name. Not through the decision engine: it changes the
/// letter's outbox row, not the entry, and is allowed on an earlier day's
/// entry (a letter printed on Monday is often posted on Tuesday).
async fn letter_posted(
    svc: &Services,
    person: &crate::people::Person,
    platform: Platform,
    id: &ProposalId,
) -> anyhow::Result<Answer> {
    if person.role != Role::Finance {
        return Ok(Answer::refused(&Refusal::NotAllowed { action: Action::LetterPosted }, svc));
    }
    let actor = Actor { name: person.name.clone(), via: platform.as_str().to_string() };
    match svc.store.mark_letter_posted(id, svc.clock.today(), &actor).await? {
        LetterPosted::Recorded { file } => {
            tracing::info!(by = %person.name, proposal = %id, %file, "letter posted");
            svc.metrics.decided(Action::LetterPosted.as_str(), platform.as_str());
            Ok(Answer { refusal: None, changed: true, decided: None })
        }
        LetterPosted::AlreadyPosted { on, by } => Ok(Answer::refused(&Refusal::LetterAlreadyPosted { on, by }, svc)),
        LetterPosted::NoLetter => Ok(Answer::refused(&Refusal::NoLetter, svc)),
    }
}

/// The whole message an entry would send, in its current tone, for the
/// Preview button: subject, e-mail text and the SMS when there is one, with
/// its segment count and encoding (what it will cost). Any member of
/// `people:` may look; the answer is private to them.
pub async fn preview(svc: &Services, platform: Platform, account: &str, id: &ProposalId) -> anyhow::Result<String> {
    if svc.person(platform, account).is_none() {
        return Ok(refusal_text(&Refusal::Unknown, svc.lang()));
    }
    let Some(entry) = svc.store.entries_by_id(std::slice::from_ref(id)).await?.into_iter().next() else {
        return Ok(refusal_text(&Refusal::NotFound, svc.lang()));
    };
    let message = render_message(&entry.proposal, &svc.config().company, &svc.templates)?;
    let fr = svc.lang() == crate::domain::Language::Fr;
    let mut text = format!("{} {}\n\n{}", if fr { "Objet :" } else { "Subject:" }, message.subject, message.body);
    if let Some(sms) = message.sms {
        let heading = crate::sms::segments::heading(&crate::sms::segments(&sms), svc.lang());
        text.push_str(&format!("\n\n{heading} {sms}"));
    }
    Ok(text)
}
