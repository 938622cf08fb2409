//! The escalation ladder: stages, tones and channels.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A step of the escalation, in the order it is climbed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    PreDue,
    First,
    Second,
    Final,
    FormalNotice,
}

impl Stage {
    pub const ALL: [Stage; 5] = [Stage::PreDue, Stage::First, Stage::Second, Stage::Final, Stage::FormalNotice];

    pub fn as_str(&self) -> &'static str {
        match self {
            Stage::PreDue => "pre_due",
            Stage::First => "first",
            Stage::Second => "second",
            Stage::Final => "final",
            Stage::FormalNotice => "formal_notice",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL.into_iter().find(|stage| stage.as_str() == s).ok_or_else(|| {
            format!("unknown stage {s:?} (expected one of pre_due, first, second, final, formal_notice)")
        })
    }
}

/// How a reminder speaks, from the gentlest to the most formal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Friendly,
    Courteous,
    Firm,
    PreLitigation,
    Formal,
}

impl Tone {
    pub const ALL: [Tone; 5] = [Tone::Friendly, Tone::Courteous, Tone::Firm, Tone::PreLitigation, Tone::Formal];

    pub fn as_str(&self) -> &'static str {
        match self {
            Tone::Friendly => "friendly",
            Tone::Courteous => "courteous",
            Tone::Firm => "firm",
            Tone::PreLitigation => "pre_litigation",
            Tone::Formal => "formal",
        }
    }

    /// One step gentler, or the same when already the gentlest.
    pub fn softer(self) -> Tone {
        match self {
            Tone::Friendly | Tone::Courteous => Tone::Friendly,
            Tone::Firm => Tone::Courteous,
            Tone::PreLitigation => Tone::Firm,
            Tone::Formal => Tone::PreLitigation,
        }
    }
}

impl fmt::Display for Tone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Tone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tone::ALL.into_iter().find(|tone| tone.as_str() == s).ok_or_else(|| {
            format!("unknown tone {s:?} (expected one of friendly, courteous, firm, pre_litigation, formal)")
        })
    }
}

/// How a reminder reaches the client. `Letter` is a registered letter that a
/// person posts: the bot prepares it as a manual task, it never "sends" it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
    Letter,
}

impl Channel {
    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Letter => "letter",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "email" => Ok(Channel::Email),
            "sms" => Ok(Channel::Sms),
            "letter" => Ok(Channel::Letter),
            _ => Err(format!("unknown channel {s:?} (expected one of email, sms, letter)")),
        }
    }
}
