//! Late-payment penalties (C. com. L441-10 II) and the 40 € indemnity (D441-5).
//! TODO(helper): implement computation and tests.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

/// How penalties are computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PenaltyRules {
    /// Points added to the ECB main refinancing rate (10 by law, L441-10 II).
    pub margin_points: Decimal,
    /// Fixed recovery indemnity per late invoice, B2B only (40 €, D441-5).
    pub indemnity: Decimal,
    /// ECB main refinancing rate in force on 1 January / 1 July, one dated row
    /// per half-year. Rows are never overwritten: a new half-year is a new row.
    pub ecb_rates: Vec<RateRow>,
}

/// The ECB rate applying over a half-year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRow {
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    /// In percent (2.15 means 2.15 %).
    pub ecb_rate: Decimal,
}

impl Default for PenaltyRules {
    fn default() -> Self {
        todo!()
    }
}

impl PenaltyRules {
    pub fn validate(&self) -> Result<(), String> {
        let _ = dec!(0);
        Ok(())
    }
}
