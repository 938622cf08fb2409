//! Money: exact decimals with a currency. Never f64.

use super::InvalidValue;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code (three upper-case ASCII letters). `Copy`, so a
/// million invoices do not carry a million heap strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const EUR: Currency = Currency(*b"EUR");

    /// Accepts `eur`, ` EUR `, `€` (as EUR); refuses anything but three letters.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let value = raw.trim();
        if value == "€" {
            return Ok(Self::EUR);
        }
        let upper = value.to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(InvalidValue::new("currency", raw, "is not a three-letter ISO 4217 code"));
        }
        Ok(Self([bytes[0], bytes[1], bytes[2]]))
    }

    pub fn code(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).expect("currency codes are ASCII")
    }

    /// The symbol French users expect after an amount (`2 400,00 €`), or the code.
    pub fn symbol(&self) -> &str {
        match &self.0 {
            b"EUR" => "€",
            b"USD" => "$",
            b"GBP" => "£",
            b"CHF" => "CHF",
            _ => self.code(),
        }
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self::EUR
    }
}

impl TryFrom<String> for Currency {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An exact amount in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    #[serde(with = "decimal_str")]
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }
}

/// Amounts as decimal strings with at least two decimals (`"2400.00"`, `"12.3456"`),
/// whatever scale the database returned: for `#[serde(with = "...")]`.
pub mod decimal_str {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    /// The amount with trailing zeros removed beyond the cents.
    pub fn canonical(amount: Decimal) -> Decimal {
        let mut amount = amount.normalize();
        if amount.scale() < 2 {
            amount.rescale(2);
        }
        amount
    }

    pub fn serialize<S: Serializer>(amount: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&canonical(*amount))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        rust_decimal::serde::str::deserialize(deserializer)
    }

    /// The same for an optional amount.
    pub mod option {
        use rust_decimal::Decimal;
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(amount: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
            match amount {
                Some(amount) => super::serialize(amount, serializer),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
            rust_decimal::serde::str_option::deserialize(deserializer)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::canonical;
        use rust_decimal_macros::dec;

        #[test]
        fn amounts_keep_their_cents_and_lose_trailing_zeros() {
            assert_eq!(canonical(dec!(2400)).to_string(), "2400.00");
            assert_eq!(canonical(dec!(2400.0000)).to_string(), "2400.00");
            assert_eq!(canonical(dec!(12.3450)).to_string(), "12.345");
            assert_eq!(canonical(dec!(0)).to_string(), "0.00");
        }
    }
}
