//! The call outcomes' modal on Discord (interaction response type 9) and
//! its submission read back. Discord has no date picker in modals, so the
//! promised date is typed (`31/03/2026` or `2026-03-31`) and read here; the
//! rest is checked by the platform-neutral `policy::call_outcome::read`.
//! A submission cannot be refused with the modal kept open: a bad input is
//! answered with an ephemeral message naming it, and nothing is recorded.
//!
//! The modal's `custom_id` is the button's own ([`CallButton::encode`]), so
//! it fits Discord's 100 characters whenever the button did.

use super::discord_interaction::find_input;
use super::slack_call_modal::{about, email_hint, email_label, MAX_EMAIL_CHARS, MAX_OUTCOME_REASON_CHARS};
use crate::digest::call_buttons::CallButton;
use crate::domain::{EmailAddress, Language};
use crate::policy::call_outcome::{Asks, OutcomeForm};
use crate::policy::calls::CallRules;
use crate::render::format::truncate_chars;
use serde_json::{json, Value};

/// `custom_id`s of the modal's text inputs.
const DATE_INPUT: &str = "date";
const REASON_INPUT: &str = "reason";
const DAYS_INPUT: &str = "days";
const EMAIL_INPUT: &str = "email";
/// Discord's limit on a Label's description.
const MAX_DESCRIPTION_CHARS: usize = 100;
/// Discord's limit on a modal title.
const MAX_MODAL_TITLE_CHARS: usize = 45;

/// What a submitted outcome modal carried, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypedOutcome {
    pub date: Option<String>,
    pub reason: Option<String>,
    pub days: Option<String>,
    pub email: Option<String>,
}

impl TypedOutcome {
    /// The inputs of a submitted modal's `data.components`.
    pub fn from_components(components: &[Value]) -> Self {
        let typed = |id| find_input(components, id).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        Self {
            date: typed(DATE_INPUT),
            reason: typed(REASON_INPUT),
            days: typed(DAYS_INPUT),
            email: typed(EMAIL_INPUT),
        }
    }

    /// The form `call_outcome::read` checks; an unreadable date is refused
    /// here, naming what was typed.
    pub fn form(&self, lang: Language) -> Result<OutcomeForm, String> {
        let date = match self.date.as_deref() {
            None => None,
            Some(text) => Some(crate::import::parse_date(text).map_err(|_| not_a_date(text, lang))?),
        };
        Ok(OutcomeForm { date, reason: self.reason.clone(), days: self.days.clone(), email: self.email.clone() })
    }
}

fn not_a_date(text: &str, lang: Language) -> String {
    let text = truncate_chars(text, 40);
    match lang {
        Language::Fr => {
            format!("« {text} » n'est pas une date : écrivez-la 31/03/2026 ou 2026-03-31. Rien n'a été enregistré.")
        }
        Language::En => format!("\"{text}\" is not a date: write it 31/03/2026 or 2026-03-31. Nothing was recorded."),
    }
}

/// The modal an outcome button opens: what recording will do, then the
/// inputs `asks()` names (none for a confirmation); the copy's address is
/// pre-filled with `email`, the client's in the ledger.
pub fn discord_outcome_modal(
    button: &CallButton,
    client_name: &str,
    email: Option<&EmailAddress>,
    rules: &CallRules,
    lang: Language,
) -> Value {
    let fr = lang == Language::Fr;
    let name = client_name.split_whitespace().collect::<Vec<_>>().join(" ");
    let name: String = name.chars().take(150).collect();
    let mut components = vec![json!({ "type": 10, "content": about(button.kind, &name, rules, lang) })];
    let reason = || {
        let label = if fr { "Motif" } else { "Reason" };
        input(label, REASON_INPUT, 2, MAX_OUTCOME_REASON_CHARS, None)
    };
    match button.kind.asks() {
        Asks::Date => {
            let label = if fr { "Date promise (JJ/MM/AAAA)" } else { "Promised date (DD/MM/YYYY)" };
            components.push(input(label, DATE_INPUT, 1, 10, None));
        }
        Asks::Reason => components.push(reason()),
        Asks::ReasonAndDays => {
            components.push(reason());
            let label = if fr { "Suspendre (jours)" } else { "Hold (days)" };
            components.push(input(label, DAYS_INPUT, 1, 3, Some(rules.internal_block_days.to_string())));
        }
        Asks::Address => {
            let value = email.map(|e| e.as_str().to_string());
            let mut field = input(email_label(lang), EMAIL_INPUT, 1, MAX_EMAIL_CHARS, value);
            field["description"] = json!(truncate_chars(email_hint(email.is_some(), lang), MAX_DESCRIPTION_CHARS));
            components.push(field);
        }
        Asks::Nothing | Asks::Confirmation => {}
    }
    json!({
        "type": 9,
        "data": {
            "custom_id": button.encode(),
            "title": truncate_chars(button.kind.label(lang), MAX_MODAL_TITLE_CHARS),
            "components": components,
        },
    })
}

/// A required text input in its Label (style 1 short, 2 paragraph).
fn input(label: &str, custom_id: &str, style: u8, max_length: usize, value: Option<String>) -> Value {
    let mut field =
        json!({ "type": 4, "custom_id": custom_id, "style": style, "required": true, "max_length": max_length });
    if let Some(value) = value {
        field["value"] = json!(value);
    }
    json!({ "type": 18, "label": label, "component": field })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ClientId;
    use crate::policy::call_outcome::OutcomeKind;

    fn button(kind: OutcomeKind) -> CallButton {
        CallButton { task_id: "20260316-c-0a1b2c3d4e".into(), kind, client_id: ClientId::parse("ACME").unwrap() }
    }

    fn inputs(modal: &Value) -> Vec<String> {
        let components = modal["data"]["components"].as_array().unwrap();
        components
            .iter()
            .filter(|c| c["type"] == 18)
            .map(|c| c["component"]["custom_id"].as_str().unwrap().into())
            .collect()
    }

    #[test]
    fn each_modal_asks_what_its_outcome_needs_and_carries_its_button() {
        let rules = CallRules::default();
        let modal = |kind| discord_outcome_modal(&button(kind), "Durand  &\nFils", None, &rules, Language::Fr);
        let promise = modal(OutcomeKind::Promise);
        assert_eq!(promise["type"], 9);
        assert_eq!(
            CallButton::parse(promise["data"]["custom_id"].as_str().unwrap()),
            Some(button(OutcomeKind::Promise))
        );
        assert!(promise["data"]["components"][0]["content"].as_str().unwrap().starts_with("Durand & Fils paiera"));
        assert_eq!(inputs(&promise), [DATE_INPUT]);
        assert_eq!(inputs(&modal(OutcomeKind::Dispute)), [REASON_INPUT]);
        let block = modal(OutcomeKind::InternalBlock);
        assert_eq!(inputs(&block), [REASON_INPUT, DAYS_INPUT]);
        assert_eq!(block["data"]["components"][2]["component"]["value"], "7");
        assert!(inputs(&modal(OutcomeKind::PaymentSent)).is_empty());
        let ledger = EmailAddress::parse("compta@durand.fr").unwrap();
        let copy = discord_outcome_modal(&button(OutcomeKind::NotReceived), "X", Some(&ledger), &rules, Language::En);
        assert_eq!(inputs(&copy), [EMAIL_INPUT]);
        assert_eq!(copy["data"]["components"][1]["component"]["value"], "compta@durand.fr");
        assert!(
            copy["data"]["components"][1]["description"].as_str().unwrap().chars().count() <= MAX_DESCRIPTION_CHARS
        );
        assert!(modal(OutcomeKind::NotReceived)["data"]["components"][1]["component"].get("value").is_none());
    }

    #[test]
    fn a_typed_date_is_read_day_first_and_a_bad_one_is_named() {
        let submitted =
            [json!({ "type": 18, "component": { "type": 4, "custom_id": "date", "value": " 25/03/2026 " } })];
        let typed = TypedOutcome::from_components(&submitted);
        assert_eq!(typed.form(Language::Fr).unwrap().date, "2026-03-25".parse().ok());
        let bad = TypedOutcome { date: Some("mardi".into()), ..Default::default() };
        assert_eq!(
            bad.form(Language::Fr).unwrap_err(),
            "« mardi » n'est pas une date : écrivez-la 31/03/2026 ou 2026-03-31. Rien n'a été enregistré."
        );
        assert_eq!(TypedOutcome::from_components(&[]).form(Language::En).unwrap(), OutcomeForm::default());
    }
}
