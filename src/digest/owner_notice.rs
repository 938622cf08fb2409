//! What a client's owner is told when a call finds a dispute or an internal
//! block (`policy::call_outcome::consequence` says whom to tell): one line
//! naming the client, the invoices, the reason and what the bot does now,
//! and that line as a chat message mentioning the owner on each platform
//! (Slack `<@U…>`, Discord `<@id>` with only that user allowed, Teams their
//! name) and as an e-mail subject. Pure: the shell
//! (`serve::owner_notices`) sends them, once each.

use super::describe::tr;
use super::discord::{discord_escape, is_snowflake};
use super::slack::{is_slack_member_id, slack_escape};
use super::teams::{message, text};
use crate::domain::{InvoiceNumber, Language};
use crate::people::Person;
use crate::policy::call_outcome::Outcome;
use crate::render::format::{date, one_line, truncate_chars};
use chrono::NaiveDate;
use serde_json::{json, Value};

/// Characters of the reason quoted in a notice.
const MAX_REASON_CHARS: usize = 300;
/// Invoices named in a notice before the rest is counted.
const MAX_NOTICE_INVOICES: usize = 5;

/// The notice, in the team's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerNotice {
    pub subject: String,
    /// Plain text, client data unescaped: each renderer escapes it.
    pub line: String,
}

/// What happened on the call, for the owner; `None` for the outcomes the
/// owner is not told of.
pub fn owner_notice(
    outcome: &Outcome,
    client_name: &str,
    invoices: &[InvoiceNumber],
    by: &str,
    day: NaiveDate,
    lang: Language,
) -> Option<OwnerNotice> {
    let client = one_line(client_name.trim());
    let mut numbers: Vec<String> = invoices.iter().take(MAX_NOTICE_INVOICES).map(|n| n.to_string()).collect();
    if invoices.len() > MAX_NOTICE_INVOICES {
        numbers.push(format!("+{}", invoices.len() - MAX_NOTICE_INVOICES));
    }
    let numbers = numbers.join(", ");
    let reason = |r: &str| truncate_chars(&one_line(r), MAX_REASON_CHARS);
    let on = date(day, lang);
    let (subject, line) = match (outcome, lang) {
        (Outcome::Dispute { reason: r }, Language::Fr) => (
            format!("Litige chez {client}"),
            format!(
                "⚠️ Litige chez {client} ({numbers}) : {}. Noté par {by} le {on} après un appel ; les relances de ces factures sont arrêtées jusqu'à résolution (/relance resolve).",
                reason(r)
            ),
        ),
        (Outcome::Dispute { reason: r }, Language::En) => (
            format!("Dispute at {client}"),
            format!(
                "⚠️ Dispute at {client} ({numbers}): {}. Recorded by {by} on {on} after a call; reminders for these invoices stop until it is resolved (/relance resolve).",
                reason(r)
            ),
        ),
        (Outcome::InternalBlock { reason: r, days }, Language::Fr) => (
            format!("Blocage interne chez {client}"),
            format!(
                "⏸️ Blocage interne chez {client} ({numbers}) : {}. Noté par {by} le {on} après un appel ; les relances de ces factures attendent {days} jours.",
                reason(r)
            ),
        ),
        (Outcome::InternalBlock { reason: r, days }, Language::En) => (
            format!("Internal block at {client}"),
            format!(
                "⏸️ Internal block at {client} ({numbers}): {}. Recorded by {by} on {on} after a call; reminders for these invoices wait {days} days.",
                reason(r)
            ),
        ),
        _ => return None,
    };
    let subject = format!("relance — {subject}");
    Some(OwnerNotice { subject, line })
}

/// A Slack `chat.postMessage` body: the owner's mention, then the line,
/// escaped (a reason typed as `<!channel>` pings nobody).
pub fn slack_notice(notice: &OwnerNotice, owner: &Person) -> Value {
    let who = match owner.slack.as_deref().map(str::trim).filter(|id| is_slack_member_id(id)) {
        Some(id) => format!("<@{id}>"),
        None => slack_escape(&owner.name),
    };
    json!({ "text": format!("{who} {}", slack_escape(&notice.line)) })
}

/// A Discord message body: the owner's mention in `content`, the only one
/// `allowed_mentions` lets notify.
pub fn discord_notice(notice: &OwnerNotice, owner: &Person) -> Value {
    let id = owner.discord.as_deref().map(str::trim).filter(|id| is_snowflake(id));
    let who = match id {
        Some(id) => format!("<@{id}>"),
        None => discord_escape(&owner.name),
    };
    let users: Vec<&str> = id.into_iter().collect();
    json!({
        "content": format!("{who} {}", discord_escape(&notice.line)),
        "allowed_mentions": { "parse": [], "users": users },
    })
}

/// A Teams Workflows body: a card naming the owner (a webhook cannot
/// mention), everything inert.
pub fn teams_notice(notice: &OwnerNotice, owner: &Person, lang: Language) -> Value {
    let to = format!("{}{} {}", owner.name, tr(lang, " :", ":"), notice.line);
    message(vec![text(&to)], notice.subject.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::Role;

    fn julie() -> Person {
        Person {
            name: "Julie Roux".into(),
            role: Role::Sales,
            slack: Some("U02JULIE".into()),
            discord: Some("80351110224678950".into()),
            email: Some("julie@atelier.fr".into()),
            ..Person::default()
        }
    }

    fn day() -> NaiveDate {
        "2026-03-16".parse().unwrap()
    }

    fn dispute(reason: &str) -> OwnerNotice {
        let invoices = [InvoiceNumber::parse("F-4").unwrap()];
        let outcome = Outcome::Dispute { reason: reason.into() };
        owner_notice(&outcome, "Menuiserie <Roux>", &invoices, "Claire Martin", day(), Language::Fr).unwrap()
    }

    #[test]
    fn a_dispute_and_an_internal_block_are_told_and_nothing_else() {
        assert_eq!(
            dispute("prix").line,
            "⚠️ Litige chez Menuiserie <Roux> (F-4) : prix. Noté par Claire Martin le 16/03/2026 après un appel ; les relances de ces factures sont arrêtées jusqu'à résolution (/relance resolve)."
        );
        let invoices: Vec<InvoiceNumber> = (0..7).map(|i| InvoiceNumber::parse(&format!("F-{i}")).unwrap()).collect();
        let block = Outcome::InternalBlock { reason: "bon de commande".into(), days: 7 };
        let told = owner_notice(&block, "ACME", &invoices, "Marc", day(), Language::En).unwrap();
        assert_eq!(told.subject, "relance — Internal block at ACME");
        assert!(
            told.line.contains("(F-0, F-1, F-2, F-3, F-4, +2): bon de commande") && told.line.contains("wait 7 days")
        );
        for quiet in [Outcome::Voicemail, Outcome::PaymentSent, Outcome::Promise { by: day() }] {
            assert_eq!(owner_notice(&quiet, "ACME", &invoices, "Marc", day(), Language::Fr), None);
        }
    }

    #[test]
    fn each_platform_mentions_the_owner_and_only_the_owner() {
        let notice = dispute("<!channel> @everyone");
        let owner = julie();
        assert_eq!(owner.role, Role::Sales);
        let slack = slack_notice(&notice, &owner)["text"].as_str().unwrap().to_string();
        assert!(slack.starts_with("<@U02JULIE> ⚠️ Litige chez Menuiserie &lt;Roux&gt;"), "{slack}");
        assert!(!slack.contains("<!channel>"), "{slack}");
        let discord = discord_notice(&notice, &owner);
        assert!(discord["content"].as_str().unwrap().starts_with("<@80351110224678950> "), "{discord}");
        assert_eq!(discord["allowed_mentions"], json!({ "parse": [], "users": ["80351110224678950"] }));
        let teams = teams_notice(&notice, &owner, Language::Fr);
        let said = teams["attachments"][0]["content"]["body"][0]["text"].as_str().unwrap();
        assert!(said.starts_with("Julie Roux : ⚠️ Litige"), "{said}");
        let nobody = Person { slack: None, discord: None, ..owner };
        assert!(slack_notice(&notice, &nobody)["text"].as_str().unwrap().starts_with("Julie Roux ⚠️"));
        assert_eq!(discord_notice(&notice, &nobody)["allowed_mentions"]["users"], json!([]));
    }
}
