//! What to say on a call, a few lines for the caller, in the team's language.
//!
//! The seeds' advice (../shared/DUNNING.md): an early call checks that the
//! invoice arrived and was validated, finds the block and asks for a payment
//! date, listening rather than accusing; once the written reminders have gone
//! unanswered, the call recalls them, offers an instalment plan to a client
//! short of cash, gets a firm date and states the real next step without
//! threatening.

use super::calls::{CallInvoice, SentStage};
use super::planner::{format_date, stage_label};
use crate::domain::{Language, Stage};

/// The script for a call about these invoices, given the reminders sent;
/// it opens by asking for the contact when the clients import names one.
pub fn script(invoices: &[CallInvoice], reminders: &[SentStage], contact: Option<&str>, lang: Language) -> Vec<String> {
    let numbers: Vec<&str> = invoices.iter().map(|i| i.number.as_str()).collect();
    let numbers = numbers.join(", ");
    let furthest = invoices.iter().filter_map(|i| i.last_stage).max();
    let fr = lang == Language::Fr;
    let late = furthest.is_some_and(|s| s >= Stage::Second);
    let mut lines = Vec::with_capacity(4);
    if let Some(contact) = contact.map(str::trim).filter(|c| !c.is_empty()) {
        lines.push(if fr {
            format!("Demander {contact} : « Bonjour, {contact}, je vous appelle au sujet de nos factures. »")
        } else {
            format!("Ask for {contact}: \"Hello {contact}, I am calling about our invoices.\"")
        });
    }
    if late {
        let sent: Vec<String> =
            reminders.iter().map(|r| format!("{} ({})", format_date(r.on, lang), stage_label(r.stage, lang))).collect();
        if !sent.is_empty() {
            lines.push(if fr {
                format!("Rappeler nos relances restées sans réponse : {}.", sent.join(", "))
            } else {
                format!("Recall our unanswered reminders: {}.", sent.join(", "))
            });
        }
        lines.push(if fr {
            "Trouver le blocage ; en cas de difficulté de trésorerie, proposer un échéancier.".to_string()
        } else {
            "Find the block; if cash is short, offer an instalment plan.".to_string()
        });
        lines.push(if fr {
            "Obtenir une date de paiement ferme et annoncer, sans menacer, la suite prévue.".to_string()
        } else {
            "Get a firm payment date and state, without threatening, the next step planned.".to_string()
        });
    } else {
        let several = invoices.len() > 1;
        lines.push(match (fr, several) {
            (true, false) => format!("Vérifier la réception : facture {numbers} bien reçue, et par qui ?"),
            (true, true) => format!("Vérifier la réception : factures {numbers} bien reçues, et par qui ?"),
            (false, false) => format!("Check reception: was invoice {numbers} received, and by whom?"),
            (false, true) => format!("Check reception: were invoices {numbers} received, and by whom?"),
        });
        lines.push(if fr {
            "Trouver le blocage : bon de commande, validation interne, adresse de facturation, contestation ?"
                .to_string()
        } else {
            "Find the block: purchase order, internal approval, billing address, disagreement?".to_string()
        });
        lines.push(if fr {
            "Demander une date de paiement précise et le moyen (virement, chèque).".to_string()
        } else {
            "Ask for a precise payment date and the means (transfer, cheque).".to_string()
        });
    }
    lines
}
