//! What the digest shows about an entry's decisions, and what a refused
//! clicker reads — in the team's language.

use super::{Action, DecisionRules, EntryState, Refusal, Stamp, Status};
use crate::domain::Language;
use crate::render::format::{date, tone_label};
use chrono_tz::Tz;

/// The line shown under an entry once someone acted on it: "✅ Approuvé par
/// Claire Martin à 09:12", "⛔ Veto de Julie Roux : client en négociation",
/// "🔏 1/2 approbations (Claire Martin)", "🪶 Adouci par Julie Roux (ferme →
/// courtois)". `None` for an untouched entry.
pub fn status_line(entry: &EntryState, rules: &DecisionRules, lang: Language, tz: Tz) -> Option<String> {
    let fr = lang == Language::Fr;
    let time = |s: &Stamp| s.at.with_timezone(&tz).format("%H:%M").to_string();
    let mut lines = Vec::new();
    if let Some(s) = entry.softened.first() {
        let (from, to) = (tone_label(entry.planned_tone, lang), tone_label(entry.proposal.tone, lang));
        lines.push(if fr {
            format!("🪶 Adouci par {} à {} ({from} → {to})", s.by, time(s))
        } else {
            format!("🪶 Softened by {} at {} ({from} → {to})", s.by, time(s))
        });
    }
    match entry.status {
        Status::Pending if !entry.approvals.is_empty() => {
            let needed = entry.approvals_needed(rules);
            let names: Vec<&str> = entry.approvals.iter().map(|a| a.by.as_str()).collect();
            lines.push(if fr {
                format!(
                    "🔏 {}/{needed} approbations ({}) — une seconde personne de la finance doit approuver",
                    names.len(),
                    names.join(", ")
                )
            } else {
                format!(
                    "🔏 {}/{needed} approvals ({}) — a second finance person must approve",
                    names.len(),
                    names.join(", ")
                )
            });
        }
        Status::Pending => {}
        Status::Approved => {
            let last = entry.approvals.last()?;
            let who: Vec<&str> = entry.approvals.iter().map(|a| a.by.as_str()).collect();
            let who = who.join(if fr { " et " } else { " and " });
            lines.push(if fr {
                format!("✅ Approuvé par {who} à {}", time(last))
            } else {
                format!("✅ Approved by {who} at {}", time(last))
            });
            if entry.held_for_fresh_data {
                lines.push(if fr {
                    "⏸ Envoi suspendu : données anciennes — importez les paiements ou « Envoyer quand même »"
                        .to_string()
                } else {
                    "⏸ Sending held: stale data — import the payments or \"Send anyway\"".to_string()
                });
            }
        }
        Status::Vetoed | Status::Snoozed | Status::Withdrawn => lines.push(closed_line(entry, lang, &time)),
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn closed_line(entry: &EntryState, lang: Language, time: &dyn Fn(&Stamp) -> String) -> String {
    let fr = lang == Language::Fr;
    let (by, at) = entry.closed.as_ref().map(|s| (s.by.as_str(), time(s))).unwrap_or(("?", String::new()));
    let until = entry.until.map(|d| date(d, lang)).unwrap_or_default();
    match (entry.status, &entry.reason) {
        (Status::Vetoed, Some(reason)) if fr => format!("⛔ Veto de {by} : {reason} (jusqu'au {until})"),
        (Status::Vetoed, None) if fr => format!("⛔ Veto de {by} à {at} (jusqu'au {until})"),
        (Status::Vetoed, Some(reason)) => format!("⛔ Vetoed by {by}: {reason} (until {until})"),
        (Status::Vetoed, None) => format!("⛔ Vetoed by {by} at {at} (until {until})"),
        (Status::Snoozed, _) if fr => format!("💤 Reporté par {by} à {at} : pas de relance jusqu'au {until}"),
        (Status::Snoozed, _) => format!("💤 Snoozed by {by} at {at}: no reminder until {until}"),
        _ if fr => "➖ Retiré : plus proposé (paiement reçu ou suspension)".to_string(),
        _ => "➖ Withdrawn: no longer proposed (payment received or hold)".to_string(),
    }
}

/// The polite answer to a click that changed nothing, shown to the clicker only.
pub fn refusal_text(refusal: &Refusal, lang: Language) -> String {
    let fr = lang == Language::Fr;
    match refusal {
        Refusal::Unknown if fr => {
            "Désolé, vous ne figurez pas dans l'équipe déclarée à relance (`people:`) : rien n'a changé.".into()
        }
        Refusal::Unknown => "Sorry, you are not in relance's team list (`people:`): nothing changed.".into(),
        Refusal::NotAllowed { action } if fr => format!(
            "Désolé, votre rôle ne permet pas « {} » sur ce client : rien n'a changé. La finance décide de tout ; un commercial peut mettre un veto, adoucir ou reporter ses propres clients.",
            action_label(*action, lang)
        ),
        Refusal::NotAllowed { action } => format!(
            "Sorry, your role does not allow \"{}\" on this client: nothing changed. Finance decides everything; a sales rep may veto, soften or snooze their own clients.",
            action_label(*action, lang)
        ),
        Refusal::Closed { status, by } => {
            let by = by.as_deref().unwrap_or("?");
            match (status, fr) {
                (Status::Vetoed, true) => format!("Cette relance a déjà reçu un veto de {by}."),
                (Status::Vetoed, false) => format!("This reminder was already vetoed by {by}."),
                (Status::Snoozed, true) => format!("Cette relance a déjà été reportée par {by}."),
                (Status::Snoozed, false) => format!("This reminder was already snoozed by {by}."),
                (Status::Approved, true) => "Cette relance est déjà approuvée : seul un veto ou un report peut encore l'arrêter.".into(),
                (Status::Approved, false) => "This reminder is already approved: only a veto or a snooze can still stop it.".into(),
                (_, true) => "Cette relance n'est plus proposée.".into(),
                (_, false) => "This reminder is no longer proposed.".into(),
            }
        }
        Refusal::Outdated if fr => "Cette relance vient d'être modifiée par quelqu'un d'autre : voici son état actuel.".into(),
        Refusal::Outdated => "Someone else just changed this reminder: here is where it stands.".into(),
        Refusal::Gentlest if fr => "Le ton est déjà le plus doux : approuvez, reportez ou mettez un veto.".into(),
        Refusal::Gentlest => "The tone is already the gentlest: approve, snooze or veto.".into(),
        Refusal::Unsupported if fr => "Action inconnue : rien n'a changé.".into(),
        Refusal::Unsupported => "Unknown action: nothing changed.".into(),
        Refusal::NotFound if fr => "Cette relance est introuvable (lien ancien ou invalide) : rien n'a changé.".into(),
        Refusal::NotFound => "This reminder cannot be found (old or invalid link): nothing changed.".into(),
        Refusal::PastDay if fr => "Cette relance appartient à un digest précédent : décidez dans celui d'aujourd'hui.".into(),
        Refusal::PastDay => "This reminder belongs to an earlier digest: decide in today's.".into(),
        Refusal::LetterAlreadyPosted { on, by } if fr => format!(
            "La lettre recommandée est déjà enregistrée comme postée le {} par {by} : rien n'a changé.",
            date(*on, lang)
        ),
        Refusal::LetterAlreadyPosted { on, by } => format!(
            "The registered letter was already recorded as posted on {} by {by}: nothing changed.",
            date(*on, lang)
        ),
        Refusal::NoLetter if fr => {
            "Pas de lettre recommandée à poster pour cette relance (pas encore écrite, ou annulée) : rien n'a changé."
                .into()
        }
        Refusal::NoLetter => {
            "There is no registered letter to post for this reminder (not written yet, or cancelled): nothing changed."
                .into()
        }
    }
}

/// The button's label, e.g. "Approuver".
pub fn action_label(action: Action, lang: Language) -> &'static str {
    match (lang, action) {
        (Language::Fr, Action::Approve) => "Approuver",
        (Language::Fr, Action::Soften) => "Adoucir",
        (Language::Fr, Action::Veto) => "Veto",
        (Language::Fr, Action::Snooze) => "Reporter",
        (Language::Fr, Action::SendAnyway) => "Envoyer quand même",
        (Language::Fr, Action::Preview) => "Aperçu",
        (Language::Fr, Action::LetterPosted) => "📮 Lettre postée",
        (Language::En, Action::Approve) => "Approve",
        (Language::En, Action::Soften) => "Soften",
        (Language::En, Action::Veto) => "Veto",
        (Language::En, Action::Snooze) => "Snooze",
        (Language::En, Action::SendAnyway) => "Send anyway",
        (Language::En, Action::Preview) => "Preview",
        (Language::En, Action::LetterPosted) => "📮 Letter posted",
    }
}
