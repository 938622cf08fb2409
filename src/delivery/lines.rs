//! What the digest entry says about its messages once approved: sent where
//! and when, retried, failed and why, cancelled and why; for a letter, the
//! file to print and post, then the day it was posted and by whom. Read from
//! the outbox rows, the one record of what happened to each channel.

use crate::domain::{Channel, Language};
use crate::render::format;
use crate::store::{OutboxRow, OutboxStatus};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Characters of a failure's reason shown in the chat (the full text stays
/// in the outbox row and the audit log): the entry's status has a bounded
/// room on every platform.
const ERROR_CHARS: usize = 120;

/// One line per channel that has news, in the team's language. A row
/// cancelled by a decision (veto, snooze, withdrawal) says nothing: the
/// decision's own status line does.
pub fn delivery_lines(rows: &[&OutboxRow], lang: Language, tz: Tz, now: DateTime<Utc>) -> Vec<String> {
    rows.iter().filter_map(|row| line(row, lang, tz, now)).collect()
}

/// Whether a letter is written and waiting for a person to post it: the
/// entry then offers "📮 Lettre postée".
pub fn letter_to_post(rows: &[&OutboxRow]) -> bool {
    rows.iter().any(|row| row.channel == Channel::Letter && row.status == OutboxStatus::Sent && row.posted_on.is_none())
}

fn line(row: &OutboxRow, lang: Language, tz: Tz, now: DateTime<Utc>) -> Option<String> {
    let fr = lang == Language::Fr;
    let time = |t: DateTime<Utc>| t.with_timezone(&tz).format("%H:%M").to_string();
    let channel = row.channel;
    let error = format::truncate_chars(row.last_error.as_deref().unwrap_or(""), ERROR_CHARS);
    Some(match row.status {
        OutboxStatus::Sent => {
            let to = row.recipient.as_deref().unwrap_or("");
            let at = row.sent_at.map(time).unwrap_or_default();
            match (channel, fr) {
                (Channel::Email, true) => format!("📧 envoyé à {to} à {at}"),
                (Channel::Email, false) => format!("📧 sent to {to} at {at}"),
                (Channel::Sms, true) => format!("📱 SMS envoyé au {to} à {at}"),
                (Channel::Sms, false) => format!("📱 SMS sent to {to} at {at}"),
                (Channel::Letter, _) => return Some(letter_line(row, to, lang)),
            }
        }
        OutboxStatus::Failed if fr => format!("⚠️ échec ({}) : {error}", label(channel, fr)),
        OutboxStatus::Failed => format!("⚠️ failed ({}): {error}", label(channel, fr)),
        OutboxStatus::Cancelled if error.is_empty() => return None,
        OutboxStatus::Cancelled if fr => format!("🚫 non envoyé ({}) : {error}", label(channel, fr)),
        OutboxStatus::Cancelled => format!("🚫 not sent ({}): {error}", label(channel, fr)),
        OutboxStatus::Queued if row.item.held_for_fresh_data => return None,
        OutboxStatus::Queued if !error.is_empty() => {
            if fr {
                format!("⏳ {} : nouvel essai prévu ({error})", label(channel, fr))
            } else {
                format!("⏳ {}: will retry ({error})", label(channel, fr))
            }
        }
        OutboxStatus::Queued if row.item.not_before > now => {
            let at = time(row.item.not_before);
            if fr {
                format!("🕚 {} : part à {at}", label(channel, fr))
            } else {
                format!("🕚 {}: leaves at {at}", label(channel, fr))
            }
        }
        OutboxStatus::Queued => return None,
        OutboxStatus::Sending if fr => format!("📤 {} : envoi en cours", label(channel, fr)),
        OutboxStatus::Sending => format!("📤 {}: sending", label(channel, fr)),
    })
}

/// A written letter: the manual task until someone posts it, then when and who.
fn letter_line(row: &OutboxRow, file: &str, lang: Language) -> String {
    let by = row.posted_by.as_deref().unwrap_or("?");
    match (row.posted_on, lang) {
        (None, Language::Fr) => format!("📄 lettre recommandée à imprimer et poster : {file}"),
        (None, Language::En) => format!("📄 registered letter to print and post: {file}"),
        (Some(on), Language::Fr) => format!("📮 lettre postée le {} ({by})", format::date(on, lang)),
        (Some(on), Language::En) => format!("📮 letter posted on {} ({by})", format::date(on, lang)),
    }
}

fn label(channel: Channel, fr: bool) -> &'static str {
    match (channel, fr) {
        (Channel::Email, _) => "e-mail",
        (Channel::Sms, _) => "SMS",
        (Channel::Letter, true) => "lettre",
        (Channel::Letter, false) => "letter",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::OutboxItem;
    use crate::domain::{Stage, Tone};
    use crate::policy::Proposal;
    use chrono::TimeZone;
    use chrono_tz::Europe::Paris;

    fn row(channel: Channel, status: OutboxStatus) -> OutboxRow {
        let p = Proposal::sample("ACME", "Acme", Stage::First, Tone::Courteous, vec![]);
        let at = Paris.with_ymd_and_hms(2026, 3, 16, 9, 2, 0).unwrap().with_timezone(&Utc);
        let mut item = OutboxItem::of(&p, at, false);
        item.channels = vec![channel];
        OutboxRow {
            channel,
            item,
            status,
            created_at: at,
            updated_at: at,
            attempts: 1,
            recipient: None,
            message_id: None,
            sent_at: Some(at),
            last_error: None,
            posted_on: None,
            posted_by: None,
        }
    }

    #[test]
    fn the_entry_says_where_and_when_each_message_went_or_why_not() {
        let now = Utc::now();
        let mut mail = row(Channel::Email, OutboxStatus::Sent);
        mail.recipient = Some("compta@client.fr".into());
        let mut sms = row(Channel::Sms, OutboxStatus::Failed);
        sms.last_error = Some("numéro invalide".into());
        let lines = delivery_lines(&[&mail, &sms], Language::Fr, Paris, now);
        assert_eq!(lines, ["📧 envoyé à compta@client.fr à 09:02", "⚠️ échec (SMS) : numéro invalide"]);
        let mut paid = row(Channel::Email, OutboxStatus::Cancelled);
        paid.last_error = Some("invoice F-1 paid since the approval".into());
        let vetoed = row(Channel::Email, OutboxStatus::Cancelled);
        let lines = delivery_lines(&[&paid, &vetoed], Language::En, Paris, now);
        assert_eq!(lines, ["🚫 not sent (e-mail): invoice F-1 paid since the approval"]);
    }

    #[test]
    fn a_written_letter_is_a_task_until_someone_says_it_is_posted() {
        let mut letter = row(Channel::Letter, OutboxStatus::Sent);
        letter.recipient = Some("outbox/letters/mise-en-demeure-ACME.pdf".into());
        let now = Utc::now();
        assert_eq!(
            delivery_lines(&[&letter], Language::Fr, Paris, now),
            ["📄 lettre recommandée à imprimer et poster : outbox/letters/mise-en-demeure-ACME.pdf"]
        );
        assert!(letter_to_post(&[&letter]));
        letter.posted_on = Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
        letter.posted_by = Some("Claire Martin".into());
        assert_eq!(
            delivery_lines(&[&letter], Language::Fr, Paris, now),
            ["📮 lettre postée le 16/03/2026 (Claire Martin)"]
        );
        assert_eq!(
            delivery_lines(&[&letter], Language::En, Paris, now),
            ["📮 letter posted on 16 Mar 2026 (Claire Martin)"]
        );
        assert!(!letter_to_post(&[&letter]), "posted: no task left");
        let queued = row(Channel::Letter, OutboxStatus::Queued);
        let mail = row(Channel::Email, OutboxStatus::Sent);
        assert!(!letter_to_post(&[&queued, &mail]), "nothing written yet, and an e-mail is not a letter");
    }

    #[test]
    fn a_strategic_reminder_waiting_for_the_cutoff_says_when_it_leaves() {
        let mut waiting = row(Channel::Email, OutboxStatus::Queued);
        waiting.item.not_before = Paris.with_ymd_and_hms(2026, 3, 16, 11, 0, 0).unwrap().with_timezone(&Utc);
        let before = Paris.with_ymd_and_hms(2026, 3, 16, 9, 0, 0).unwrap().with_timezone(&Utc);
        assert_eq!(delivery_lines(&[&waiting], Language::Fr, Paris, before), ["🕚 e-mail : part à 11:00"]);
        let after = Paris.with_ymd_and_hms(2026, 3, 16, 11, 30, 0).unwrap().with_timezone(&Utc);
        assert!(delivery_lines(&[&waiting], Language::Fr, Paris, after).is_empty());
    }
}
