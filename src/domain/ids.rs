//! Identifiers. Kept as validated strings: they come from the users' own tools.
//! Stored inline (no heap allocation up to 24 bytes): the ledger holds a million
//! invoice numbers, and every proposal copies the ones it lists.

use super::InvalidValue;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(CompactString);

        impl $name {
            /// Trims the value; refuses an empty one, one over the length limit,
            /// or one with control characters.
            pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
                let value = raw.trim();
                if value.is_empty() {
                    return Err(InvalidValue::new($what, raw, "is empty"));
                }
                if value.chars().count() > $max {
                    return Err(InvalidValue::new($what, raw, concat!("is longer than ", $max, " characters")));
                }
                if value.chars().any(char::is_control) {
                    return Err(InvalidValue::new($what, raw, "contains control characters"));
                }
                Ok(Self(CompactString::new(value)))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.into_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(
    /// The client's identifier in the company's own accounting tool.
    ClientId, "client id", 64
);
text_id!(
    /// An invoice number, unique across the ledger (French invoices are numbered in one sequence).
    InvoiceNumber, "invoice number", 64
);
text_id!(
    /// A proposal's identifier: stable for a client, a currency and a day, so a
    /// button clicked twice or a digest posted twice points at the same proposal.
    ProposalId, "proposal id", 64
);
