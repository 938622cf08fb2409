//! The dunning policy: who gets reminded, when and how.
//!
//! Everything here is pure: plain data in, plain data out, today passed as an
//! argument. The configuration (`bot-config.yaml`, section `policy:`)
//! deserializes straight into [`Policy`]; its defaults are French practice
//! (../shared/DUNNING.md): J-3, J+5, J+15, J+30, J+45.

pub mod aged;
pub mod calendar;
pub mod call_outcome;
mod call_script;
pub mod calls;
pub mod changes;
pub mod instalments;
pub mod payment_sent;
pub mod penalties;
pub mod plan_progress;
pub mod planner;
mod proposal;
pub mod score;

pub use calendar::{Calendar, Region};
pub use calls::{call_tasks, CallAttempt, CallRules, CallTask};
pub use penalties::{PenaltyRules, RateRow};
pub use planner::plan;
pub use proposal::{Proposal, ProposedInvoice};

use crate::domain::{Channel, Language, Stage, Tone};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The whole policy, as configured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// The ladder, in climbing order. A stage left out is never proposed.
    pub stages: Vec<StageRule>,
    /// Minimum days between two reminders to the same client.
    pub cooldown_days: u32,
    /// Below this total due (in the proposal's currency), no reminder is proposed.
    pub min_amount: Decimal,
    pub strategic: StrategicRule,
    pub bad_payers: BadPayerRule,
    pub penalties: PenaltyRules,
    pub calendar: Calendar,
    /// Phone calls between the written reminders (`calls.rs`).
    pub calls: CallRules,
    /// Instalment plans: the note before each instalment, the grace after it (`plan_progress.rs`).
    pub instalments: plan_progress::InstalmentRules,
    /// The finance team's language, for the one-line reasons. Set from `digest.language`.
    #[serde(skip)]
    pub language: Language,
}

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageRule {
    pub stage: Stage,
    /// Days from the due date (negative: before it). Moved to the next business day.
    pub offset_days: i64,
    pub channels: Vec<Channel>,
    pub tone: Tone,
    /// Whether the reminder states late-payment penalties and the 40 € indemnity (B2B).
    #[serde(default)]
    pub show_penalties: bool,
}

/// Strategic clients: gentler, no SMS, their owner named on the proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StrategicRule {
    /// How many tones softer than the stage's own tone.
    pub soften_by: u8,
    /// Whether SMS may be sent to strategic clients.
    pub sms: bool,
}

impl Default for StrategicRule {
    fn default() -> Self {
        Self { soften_by: 1, sms: false }
    }
}

/// Clients whose payment score is below `score_below` climb the ladder on
/// shorter offsets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BadPayerRule {
    pub score_below: u8,
    /// Replacement offsets (days from the due date) per stage.
    pub offsets: BTreeMap<Stage, i64>,
}

impl Default for BadPayerRule {
    fn default() -> Self {
        Self {
            score_below: 40,
            offsets: BTreeMap::from([
                (Stage::First, 1),
                (Stage::Second, 8),
                (Stage::Final, 20),
                (Stage::FormalNotice, 30),
            ]),
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        let rule = |stage, offset_days, channels: &[Channel], tone, show_penalties| StageRule {
            stage,
            offset_days,
            channels: channels.to_vec(),
            tone,
            show_penalties,
        };
        Self {
            stages: vec![
                rule(Stage::PreDue, -3, &[Channel::Email], Tone::Friendly, false),
                rule(Stage::First, 5, &[Channel::Email], Tone::Courteous, false),
                rule(Stage::Second, 15, &[Channel::Email, Channel::Sms], Tone::Firm, false),
                rule(Stage::Final, 30, &[Channel::Email], Tone::PreLitigation, true),
                rule(Stage::FormalNotice, 45, &[Channel::Letter], Tone::Formal, true),
            ],
            cooldown_days: 7,
            min_amount: dec!(0),
            strategic: StrategicRule::default(),
            bad_payers: BadPayerRule::default(),
            instalments: plan_progress::InstalmentRules::default(),
            penalties: PenaltyRules::default(),
            calendar: Calendar::default(),
            calls: CallRules::default(),
            language: Language::Fr,
        }
    }
}

impl Policy {
    /// The rule for a stage, if the ladder has it.
    pub fn rule(&self, stage: Stage) -> Option<&StageRule> {
        self.stages.iter().find(|r| r.stage == stage)
    }

    /// Checks what serde cannot: a ladder in climbing order, each stage once,
    /// channels present. Errors name the key path.
    pub fn validate(&self) -> Result<(), String> {
        if self.stages.is_empty() {
            return Err("policy.stages: at least one stage is required".into());
        }
        for (i, pair) in self.stages.windows(2).enumerate() {
            if pair[1].stage <= pair[0].stage {
                return Err(format!(
                    "policy.stages[{}]: stage {} must come after {} (order: pre_due, first, second, final, formal_notice, each once)",
                    i + 1,
                    pair[1].stage,
                    pair[0].stage
                ));
            }
            if pair[1].offset_days < pair[0].offset_days {
                return Err(format!(
                    "policy.stages[{}].offset_days: {} is before the previous stage's {} (offsets must not decrease)",
                    i + 1,
                    pair[1].offset_days,
                    pair[0].offset_days
                ));
            }
        }
        for (i, rule) in self.stages.iter().enumerate() {
            if rule.channels.is_empty() {
                return Err(format!(
                    "policy.stages[{i}].channels: at least one channel is required (email, sms, letter)"
                ));
            }
            if rule.stage == Stage::PreDue && rule.offset_days >= 0 {
                return Err(format!(
                    "policy.stages[{i}].offset_days: pre_due must be before the due date (a negative number of days)"
                ));
            }
            if rule.stage != Stage::PreDue && rule.offset_days < 0 {
                return Err(format!(
                    "policy.stages[{i}].offset_days: {} must be on or after the due date (0 or more days)",
                    rule.stage
                ));
            }
        }
        if self.min_amount < Decimal::ZERO {
            return Err("policy.min_amount: must be zero or more".into());
        }
        self.calls.validate()?;
        self.penalties.validate().map_err(|e| format!("policy.penalties.{e}"))
    }
}
