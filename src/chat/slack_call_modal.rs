//! The modals of the call outcomes (`views.open`, then `view_submission`):
//! what the caller confirms or gives — the promised date, the reason, the
//! days, the address a copy of the invoices goes to — and the notice that replaces a submitted modal when there is
//! something to say (`response_action: update`). Pure: JSON in Slack's
//! shape. All plain text, where Slack parses no mention, so client names
//! and reasons need no escaping.

use super::slack_interaction::{
    CALL_OUTCOME_CALLBACK_ID, OUTCOME_DATE_BLOCK_ID, OUTCOME_DAYS_BLOCK_ID, OUTCOME_EMAIL_BLOCK_ID,
    OUTCOME_REASON_BLOCK_ID,
};
use crate::digest::call_buttons::CallButton;
use crate::domain::{EmailAddress, Language};
use crate::policy::call_outcome::{Asks, OutcomeKind, OutcomeRefusal};
use crate::policy::calls::CallRules;
use serde_json::{json, Value};

/// Longest reason typed (a dispute's, an internal block's).
pub const MAX_OUTCOME_REASON_CHARS: usize = 500;
/// Longest address typed (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Slack's limit on a modal's title.
const MAX_TITLE_CHARS: usize = 24;

/// The modal an outcome button opens; `private_metadata` carries the button.
/// `email`, the client's address in the ledger, pre-fills the copy's
/// address ("invoice not received"), which the caller confirms or replaces.
pub fn call_outcome_modal(
    button: &CallButton,
    client_name: &str,
    email: Option<&EmailAddress>,
    rules: &CallRules,
    lang: Language,
) -> Value {
    let fr = lang == Language::Fr;
    let name: String = client_name.trim().chars().take(150).collect();
    let mut blocks = vec![json!({
        "type": "section",
        "block_id": "outcome_about",
        "text": { "type": "plain_text", "text": about(button.kind, &name, rules, lang) },
    })];
    match button.kind.asks() {
        Asks::Date => blocks.push(json!({
            "type": "input",
            "block_id": OUTCOME_DATE_BLOCK_ID,
            "label": { "type": "plain_text", "text": if fr { "Date promise" } else { "Promised date" } },
            "element": { "type": "datepicker", "action_id": OUTCOME_DATE_BLOCK_ID },
        })),
        Asks::Reason => blocks.push(reason_input(lang)),
        Asks::ReasonAndDays => {
            blocks.push(reason_input(lang));
            blocks.push(json!({
                "type": "input",
                "block_id": OUTCOME_DAYS_BLOCK_ID,
                "label": { "type": "plain_text", "text": if fr { "Suspendre (jours)" } else { "Hold (days)" } },
                "element": {
                    "type": "plain_text_input",
                    "action_id": OUTCOME_DAYS_BLOCK_ID,
                    "initial_value": rules.internal_block_days.to_string(),
                    "max_length": 3,
                },
            }));
        }
        Asks::Address => {
            let mut element = json!({
                "type": "plain_text_input",
                "action_id": OUTCOME_EMAIL_BLOCK_ID,
                "max_length": MAX_EMAIL_CHARS,
            });
            if let Some(email) = email {
                element["initial_value"] = json!(email.as_str());
            }
            blocks.push(json!({
                "type": "input",
                "block_id": OUTCOME_EMAIL_BLOCK_ID,
                "label": { "type": "plain_text", "text": email_label(lang) },
                "hint": { "type": "plain_text", "text": email_hint(email.is_some(), lang) },
                "element": element,
            }));
        }
        Asks::Nothing | Asks::Confirmation => {}
    }
    json!({
        "type": "modal",
        "callback_id": CALL_OUTCOME_CALLBACK_ID,
        "private_metadata": button.encode(),
        "title": { "type": "plain_text", "text": title(button.kind.label(lang)) },
        "submit": { "type": "plain_text", "text": if fr { "Enregistrer" } else { "Record" } },
        "close": { "type": "plain_text", "text": if fr { "Annuler" } else { "Cancel" } },
        "blocks": blocks,
    })
}

/// What recording the outcome will do, in a sentence (also Discord's modal).
pub(crate) fn about(kind: OutcomeKind, name: &str, rules: &CallRules, lang: Language) -> String {
    let fr = lang == Language::Fr;
    match kind {
        OutcomeKind::Promise if fr => format!("{name} paiera le… Aucune relance sur ces factures jusqu'à cette date."),
        OutcomeKind::Promise => format!("{name} will pay on… No reminder for these invoices until then."),
        OutcomeKind::NotReceived if fr => format!(
            "{name} n'a pas reçu la facture. Une copie part aujourd'hui à l'adresse e-mail confirmée ci-dessous ; la prochaine relance écrite attendra {} jours.",
            rules.duplicate_grace_days
        ),
        OutcomeKind::NotReceived => format!(
            "{name} did not receive the invoice. A copy goes today to the e-mail address confirmed below; the next written reminder will wait {} days.",
            rules.duplicate_grace_days
        ),
        OutcomeKind::PaymentSent if fr => format!(
            "{name} a envoyé le paiement. Les relances de ces factures attendent {} jours son import.",
            rules.payment_sent_grace_days
        ),
        OutcomeKind::PaymentSent => format!(
            "{name} sent the payment. Reminders for these invoices wait {} days for it to be imported.",
            rules.payment_sent_grace_days
        ),
        OutcomeKind::Dispute if fr => {
            format!("{name} conteste. Les relances de ces factures s'arrêtent jusqu'à résolution.")
        }
        OutcomeKind::Dispute => format!("{name} disputes. Reminders for these invoices stop until it is resolved."),
        OutcomeKind::InternalBlock if fr => format!("Un blocage chez {name} (bon de commande, validation, adresse…)."),
        OutcomeKind::InternalBlock => format!("Something blocks at {name} (purchase order, approval, address…)."),
        OutcomeKind::CashDifficulty if fr => format!("{name} a des difficultés de trésorerie."),
        OutcomeKind::CashDifficulty => format!("{name} has cash difficulties."),
        OutcomeKind::Voicemail if fr => format!("Messagerie ou injoignable : {name}."),
        OutcomeKind::Voicemail => format!("Voicemail or unreachable: {name}."),
    }
}

/// The copy's address field: its label (also Discord's and the link page's).
pub(crate) fn email_label(lang: Language) -> &'static str {
    match lang {
        Language::Fr => "Envoyer la copie à (e-mail)",
        Language::En => "Send the copy to (e-mail)",
    }
}

/// Under the address: where the pre-filled value comes from, or that the
/// ledger has none.
pub(crate) fn email_hint(known: bool, lang: Language) -> &'static str {
    match (known, lang) {
        (true, Language::Fr) => {
            "L'adresse du client dans le registre : confirmez-la ou remplacez-la par celle donnée au téléphone."
        }
        (true, Language::En) => {
            "The client's address in the ledger: confirm it or replace it with the one given on the phone."
        }
        (false, Language::Fr) => "Aucune adresse dans le registre pour ce client : indiquez celle donnée au téléphone.",
        (false, Language::En) => "No address in the ledger for this client: give the one given on the phone.",
    }
}

fn reason_input(lang: Language) -> Value {
    let fr = lang == Language::Fr;
    json!({
        "type": "input",
        "block_id": OUTCOME_REASON_BLOCK_ID,
        "label": { "type": "plain_text", "text": if fr { "Motif" } else { "Reason" } },
        "element": {
            "type": "plain_text_input",
            "action_id": OUTCOME_REASON_BLOCK_ID,
            "multiline": true,
            "max_length": MAX_OUTCOME_REASON_CHARS,
        },
    })
}

fn title(text: &str) -> String {
    text.chars().take(MAX_TITLE_CHARS).collect()
}

/// The answer to a submission refused for its inputs: Slack shows the text
/// under the input at fault and keeps the modal open.
pub fn form_errors(refusal: &OutcomeRefusal, lang: Language) -> Value {
    let block = match refusal {
        OutcomeRefusal::NoDate | OutcomeRefusal::DateInThePast(_) => OUTCOME_DATE_BLOCK_ID,
        OutcomeRefusal::NoReason => OUTCOME_REASON_BLOCK_ID,
        OutcomeRefusal::BadDays(_) => OUTCOME_DAYS_BLOCK_ID,
        OutcomeRefusal::NoAddress | OutcomeRefusal::BadAddress { .. } => OUTCOME_EMAIL_BLOCK_ID,
    };
    json!({ "response_action": "errors", "errors": { block: refusal.text(lang) } })
}

/// The answer replacing the submitted modal with a notice (a refusal, or
/// what to do next).
pub fn notice(title_text: &str, text: &str, lang: Language) -> Value {
    json!({
        "response_action": "update",
        "view": {
            "type": "modal",
            "title": { "type": "plain_text", "text": title(title_text) },
            "close": { "type": "plain_text", "text": if lang == Language::Fr { "Fermer" } else { "Close" } },
            "blocks": [{ "type": "section", "text": { "type": "plain_text", "text": text } }],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ClientId;

    fn button(kind: OutcomeKind) -> CallButton {
        CallButton { task_id: "20260316-c-0a1b2c3d4e".into(), kind, client_id: ClientId::parse("ACME").unwrap() }
    }

    #[test]
    fn each_modal_asks_what_its_outcome_needs() {
        let rules = CallRules::default();
        let inputs = |kind| {
            let modal = call_outcome_modal(&button(kind), "Durand & Fils", None, &rules, Language::Fr);
            assert_eq!(CallButton::parse(modal["private_metadata"].as_str().unwrap()), Some(button(kind)));
            assert!(modal["title"]["text"].as_str().unwrap().chars().count() <= MAX_TITLE_CHARS);
            let blocks = modal["blocks"].as_array().unwrap().clone();
            blocks
                .iter()
                .filter(|b| b["type"] == "input")
                .map(|b| b["block_id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(inputs(OutcomeKind::Promise), [OUTCOME_DATE_BLOCK_ID]);
        assert_eq!(inputs(OutcomeKind::Dispute), [OUTCOME_REASON_BLOCK_ID]);
        assert_eq!(inputs(OutcomeKind::InternalBlock), [OUTCOME_REASON_BLOCK_ID, OUTCOME_DAYS_BLOCK_ID]);
        assert!(inputs(OutcomeKind::PaymentSent).is_empty());
        let block = call_outcome_modal(&button(OutcomeKind::InternalBlock), "X", None, &rules, Language::Fr);
        assert_eq!(block["blocks"][2]["element"]["initial_value"], "7");
        assert_eq!(inputs(OutcomeKind::NotReceived), [OUTCOME_EMAIL_BLOCK_ID]);
        let ledger = EmailAddress::parse("compta@durand.fr").unwrap();
        let copy = call_outcome_modal(&button(OutcomeKind::NotReceived), "X", Some(&ledger), &rules, Language::Fr);
        assert_eq!(copy["blocks"][1]["element"]["initial_value"], "compta@durand.fr");
        let unknown = call_outcome_modal(&button(OutcomeKind::NotReceived), "X", None, &rules, Language::Fr);
        assert!(unknown["blocks"][1]["element"].get("initial_value").is_none());
        assert!(unknown["blocks"][1]["hint"]["text"].as_str().unwrap().starts_with("Aucune adresse"));
        let errors = form_errors(&OutcomeRefusal::NoAddress, Language::Fr);
        assert!(errors["errors"][OUTCOME_EMAIL_BLOCK_ID].as_str().unwrap().contains("pas d'adresse e-mail"));
        let errors = form_errors(&OutcomeRefusal::NoReason, Language::Fr);
        assert_eq!(errors["errors"][OUTCOME_REASON_BLOCK_ID], "Indiquez le motif.");
    }
}
