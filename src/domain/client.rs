//! Clients: who owes, how to reach them, and how to speak to them.

use super::{ClientId, InvalidValue};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Strategic clients get gentler reminders and their sales rep is named on
/// every proposal, so the rep can stop it before it leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    #[default]
    Standard,
    Strategic,
}

/// Business or consumer: the law differs (no 40 € indemnity, no penalties for consumers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientKind {
    #[default]
    B2b,
    B2c,
}

/// The language the client is written to in. French by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Fr,
    En,
}

macro_rules! keyword_enum {
    ($ty:ident { $($text:literal => $variant:ident),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(&self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim().to_lowercase().as_str() {
                    $($text => Ok($ty::$variant),)+
                    _ => Err(format!(concat!("expected one of", $(" ", $text),+))),
                }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keyword_enum!(Segment { "standard" => Standard, "strategic" => Strategic });
keyword_enum!(ClientKind { "b2b" => B2b, "b2c" => B2c });
keyword_enum!(Language { "fr" => Fr, "en" => En });

/// An e-mail address, checked for the shape `local@domain.tld` (the mail
/// server is the judge of the rest).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let value = raw.trim();
        let bad = |why| Err(InvalidValue::new("e-mail address", raw, why));
        let Some((local, domain)) = value.split_once('@') else {
            return bad("has no @");
        };
        if local.is_empty() || domain.contains('@') || !domain.contains('.') {
            return bad("is not of the form name@domain.tld");
        }
        if domain.starts_with('.') || domain.ends_with('.') {
            return bad("has an invalid domain");
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control() || c == ',' || c == ';') {
            return bad("contains spaces or separators (one address per field)");
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(e: EmailAddress) -> String {
        e.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in E.164 form (`+33612345678`). National French numbers
/// (`06 12 34 56 78`) are read with France as the default region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneE164(String);

impl PhoneE164 {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let number = phonenumber::parse(Some(phonenumber::country::Id::FR), raw.trim())
            .map_err(|_| InvalidValue::new("phone number", raw, "is not a phone number"))?;
        if !phonenumber::is_valid(&number) {
            return Err(InvalidValue::new("phone number", raw, "is not a valid number"));
        }
        Ok(Self(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `tel:` URI a phone or softphone dials (RFC 3966: the E.164 form).
    pub fn tel_uri(&self) -> String {
        format!("tel:{}", self.0)
    }

    /// The number as a person reads it aloud: `+33 6 12 34 56 78`. Chat
    /// platforms do not all make `tel:` links clickable, so the digest shows
    /// this next to the link.
    pub fn international(&self) -> String {
        phonenumber::parse(None, &self.0)
            .map(|n| n.format().mode(phonenumber::Mode::International).to_string())
            .unwrap_or_else(|_| self.0.clone())
    }
}

impl TryFrom<String> for PhoneE164 {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneE164> for String {
    fn from(p: PhoneE164) -> String {
        p.0
    }
}

impl fmt::Display for PhoneE164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A SIREN: the 9-digit French company number, with its Luhn check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 9 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(InvalidValue::new("SIREN", raw, "is not 9 digits"));
        }
        // La Poste's SIREN is the one documented exception to the Luhn key.
        if digits != "356000000" && !luhn_valid(&digits) {
            return Err(InvalidValue::new("SIREN", raw, "has a wrong check digit"));
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

impl TryFrom<String> for Siren {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Siren> for String {
    fn from(s: Siren) -> String {
        s.0
    }
}

impl fmt::Display for Siren {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client as the accounting tool knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub email: Option<EmailAddress>,
    pub cc: Option<EmailAddress>,
    pub phone: Option<PhoneE164>,
    pub segment: Segment,
    /// The sales rep in charge (a name or handle matching `people:` in the config).
    pub owner: Option<String>,
    pub language: Language,
    pub kind: ClientKind,
    pub siren: Option<Siren>,
    /// The person to ask for on the phone ("Mme Dupont, comptabilité").
    #[serde(default)]
    pub contact_name: Option<String>,
}

impl Client {
    /// A standard business client written to in French, with no contact
    /// details yet: the defaults an import applies to empty cells.
    pub fn new(id: ClientId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            email: None,
            cc: None,
            phone: None,
            segment: Segment::Standard,
            owner: None,
            language: Language::Fr,
            kind: ClientKind::B2b,
            siren: None,
            contact_name: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siren_checks_its_luhn_key() {
        assert!(Siren::parse("732 829 320").is_ok());
        assert!(Siren::parse("732829321").is_err());
        assert!(Siren::parse("12345").is_err());
    }

    #[test]
    fn french_phone_numbers_become_e164() {
        assert_eq!(PhoneE164::parse("06 12 34 56 78").unwrap().as_str(), "+33612345678");
        assert!(PhoneE164::parse("hello").is_err());
    }

    #[test]
    fn a_phone_reads_aloud_and_dials_as_tel() {
        let phone = PhoneE164::parse("06 12 34 56 78").unwrap();
        assert_eq!(phone.international(), "+33 6 12 34 56 78");
        assert_eq!(phone.tel_uri(), "tel:+33612345678");
    }

    #[test]
    fn email_needs_a_domain() {
        assert!(EmailAddress::parse("compta@acme.fr").is_ok());
        assert!(EmailAddress::parse("compta@acme").is_err());
        assert!(EmailAddress::parse("a@b.fr; c@d.fr").is_err());
    }
}
