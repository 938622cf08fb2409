//! The sender: who the reminders come from, how to pay them, whom to call.
//!
//! Read from `company:` in bot-config.yaml (the config loader embeds this
//! struct). Every reminder must say how to pay and whom to contact, so these
//! details are checked once, at load time, rather than discovered in a
//! client's inbox.

use crate::domain::{EmailAddress, PhoneE164, Siren};
use serde::{Deserialize, Serialize};

/// The sender's details, as configured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Company {
    pub name: String,
    pub siren: Option<String>,
    /// Postal address, one line or several (`\n`); heads the formal notice letter.
    pub address: Option<String>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    /// A page where the client pays online (card, transfer initiation).
    pub payment_link: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    /// Replaces the default signature (contact name and company name) when set.
    pub signature: Option<String>,
    /// The SMS sender name: at most 11 letters or digits, not only digits (AF2M
    /// operators' rules since March 2025). Empty: no SMS sender configured.
    pub sms_sender: String,
}

impl Company {
    /// Checks what serde cannot. The error starts with the key path relative
    /// to `company` (`sms_sender: …`), for the config loader to prefix.
    pub fn validate(&self) -> Result<(), String> {
        require("name", &self.name)?;
        require("contact_name", &self.contact_name)?;
        require("contact_email", &self.contact_email)?;
        EmailAddress::parse(&self.contact_email).map_err(|e| format!("contact_email: {:?} {}", e.value, e.why))?;
        if let Some(phone) = &self.contact_phone {
            PhoneE164::parse(phone).map_err(|e| format!("contact_phone: {:?} {}", e.value, e.why))?;
        }
        if let Some(siren) = &self.siren {
            Siren::parse(siren).map_err(|e| format!("siren: {:?} {}", e.value, e.why))?;
        }
        if let Some(iban) = &self.iban {
            check_iban(iban).map_err(|why| format!("iban: {iban:?} {why}"))?;
        }
        if let Some(bic) = &self.bic {
            check_bic(bic).map_err(|why| format!("bic: {bic:?} {why}"))?;
        }
        if let Some(link) = &self.payment_link {
            if !link.starts_with("https://") || link.chars().any(char::is_whitespace) {
                return Err(format!("payment_link: {link:?} must be an https:// address without spaces"));
            }
        }
        check_sms_sender(&self.sms_sender).map_err(|why| format!("sms_sender: {:?} {why}", self.sms_sender))
    }

    /// The IBAN in groups of four (`FR76 3000 …`), the way it is printed on
    /// invoices and typed into banking apps.
    pub fn iban_display(&self) -> Option<String> {
        self.iban.as_deref().map(|iban| {
            let compact = compact_iban(iban);
            compact.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
        })
    }

    /// The name SMS are signed with: the sender name, or the company name.
    pub fn sms_signature(&self) -> &str {
        if self.sms_sender.is_empty() {
            &self.name
        } else {
            &self.sms_sender
        }
    }
}

fn require(key: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("{key}: is required"));
    }
    Ok(())
}

fn compact_iban(iban: &str) -> String {
    iban.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase()
}

/// The IBAN shape (ISO 13616): country, two check digits, up to 30
/// alphanumerics, and the mod-97 check that catches a mistyped digit.
fn check_iban(raw: &str) -> Result<(), &'static str> {
    let iban = compact_iban(raw);
    let b = iban.as_bytes();
    if !(15..=34).contains(&b.len()) || !b.iter().all(u8::is_ascii_alphanumeric) {
        return Err("is not an IBAN (15 to 34 letters and digits)");
    }
    if !b[..2].iter().all(u8::is_ascii_alphabetic) || !b[2..4].iter().all(u8::is_ascii_digit) {
        return Err("is not an IBAN (it starts with a country code and two check digits)");
    }
    if iban.starts_with("FR") && b.len() != 27 {
        return Err("is not a French IBAN (27 characters)");
    }
    if iban_mod97(&iban) != 1 {
        return Err("has a wrong check digit (mod 97)");
    }
    Ok(())
}

/// The IBAN check: move the first four characters to the end, read letters
/// as numbers (A = 10 … Z = 35), and take the remainder modulo 97.
fn iban_mod97(iban: &str) -> u32 {
    let rotated = iban[4..].bytes().chain(iban[..4].bytes());
    rotated.fold(0u32, |acc, b| {
        let value = if b.is_ascii_digit() { u32::from(b - b'0') } else { u32::from(b - b'A') + 10 };
        let factor = if value >= 10 { 100 } else { 10 };
        (acc * factor + value) % 97
    })
}

/// A BIC: 4 letters (bank), 2 letters (country), 2 alphanumerics (place),
/// optionally 3 more (branch).
fn check_bic(raw: &str) -> Result<(), &'static str> {
    let bic = raw.trim().to_ascii_uppercase();
    let b = bic.as_bytes();
    let shape_ok = (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_alphabetic)
        && b[6..].iter().all(u8::is_ascii_alphanumeric);
    if shape_ok {
        Ok(())
    } else {
        Err("is not a BIC (8 or 11 characters: bank, country, place, optional branch)")
    }
}

fn check_sms_sender(sender: &str) -> Result<(), &'static str> {
    if sender.is_empty() {
        return Ok(());
    }
    if sender.chars().count() > 11 {
        return Err("is longer than 11 characters");
    }
    if !sender.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("may contain only letters and digits (no spaces, accents or punctuation)");
    }
    if sender.chars().all(|c| c.is_ascii_digit()) {
        return Err("may not be only digits");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid sender; each test breaks one field.
    fn company() -> Company {
        Company {
            name: "Atelier Dupont SAS".into(),
            siren: Some("732 829 320".into()),
            address: Some("12 rue des Lilas\n69003 Lyon".into()),
            iban: Some("FR76 3000 6000 0112 3456 7890 189".into()),
            bic: Some("AGRIFRPP".into()),
            payment_link: Some("https://pay.example.fr/dupont".into()),
            contact_name: "Claire Martin".into(),
            contact_email: "compta@atelier-dupont.fr".into(),
            contact_phone: Some("04 72 00 00 00".into()),
            signature: None,
            sms_sender: "DUPONT".into(),
        }
    }

    #[test]
    fn a_complete_company_is_valid() {
        assert_eq!(company().validate(), Ok(()));
    }

    #[test]
    fn a_long_sms_sender_is_refused_with_its_key() {
        let c = Company { sms_sender: "Relance-Facture-SAS".into(), ..company() };
        assert_eq!(c.validate().unwrap_err(), "sms_sender: \"Relance-Facture-SAS\" is longer than 11 characters");
    }

    #[test]
    fn sms_sender_is_letters_and_digits_not_only_digits() {
        let c = Company { sms_sender: "Atelier D".into(), ..company() };
        assert!(c.validate().unwrap_err().starts_with("sms_sender: \"Atelier D\" may contain only letters and digits"));
        let c = Company { sms_sender: "0612345678".into(), ..company() };
        assert_eq!(c.validate().unwrap_err(), "sms_sender: \"0612345678\" may not be only digits");
        let c = Company { sms_sender: String::new(), ..company() };
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.sms_signature(), "Atelier Dupont SAS");
    }

    #[test]
    fn iban_check_digits_are_verified() {
        let c = Company { iban: Some("FR76 3000 6000 0112 3456 7890 188".into()), ..company() };
        assert_eq!(
            c.validate().unwrap_err(),
            "iban: \"FR76 3000 6000 0112 3456 7890 188\" has a wrong check digit (mod 97)"
        );
        let c = Company { iban: Some("DE89370400440532013000".into()), ..company() };
        assert_eq!(c.validate(), Ok(()));
        let c = Company { iban: Some("FR76300060000112345678901".into()), ..company() };
        assert!(c.validate().unwrap_err().starts_with("iban: "));
    }

    #[test]
    fn iban_is_displayed_in_groups_of_four() {
        let c = Company { iban: Some("fr7630006000011234567890189".into()), ..company() };
        assert_eq!(c.iban_display().unwrap(), "FR76 3000 6000 0112 3456 7890 189");
    }

    #[test]
    fn required_fields_and_contact_shapes() {
        let c = Company { name: " ".into(), ..company() };
        assert_eq!(c.validate().unwrap_err(), "name: is required");
        let c = Company { contact_email: "compta@dupont".into(), ..company() };
        assert_eq!(c.validate().unwrap_err(), "contact_email: \"compta@dupont\" is not of the form name@domain.tld");
        let c = Company { contact_phone: Some("12".into()), ..company() };
        assert!(c.validate().unwrap_err().starts_with("contact_phone: \"12\""));
        let c = Company { siren: Some("732829321".into()), ..company() };
        assert_eq!(c.validate().unwrap_err(), "siren: \"732829321\" has a wrong check digit");
        let c = Company { bic: Some("AGRI".into()), ..company() };
        assert!(c.validate().unwrap_err().starts_with("bic: \"AGRI\" is not a BIC"));
        let c = Company { payment_link: Some("pay.example.fr".into()), ..company() };
        assert_eq!(
            c.validate().unwrap_err(),
            "payment_link: \"pay.example.fr\" must be an https:// address without spaces"
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = serde_json::from_str::<Company>(r#"{"name": "X", "smssender": "X"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `smssender`"), "{err}");
    }
}
