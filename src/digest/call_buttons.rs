//! What a call's outcome button carries, the same on every platform: the
//! call task's id, the outcome, and the client, so a click finds its call
//! by reading one account (a task id is a hash and names no client).
//!
//! `{task id}|{outcome}|{client id}`: the task id and the outcome hold no
//! `|`, and the client id comes last, so any character it holds is kept.

use crate::domain::ClientId;
use crate::policy::call_outcome::OutcomeKind;
use crate::policy::calls::CallTask;

/// The prefix of an outcome button's `action_id` (`call_outcome:{task}:{outcome}`).
pub const CALL_OUTCOME_ACTION: &str = "call_outcome";

/// An outcome button, or the modal it opened (as `private_metadata`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallButton {
    pub task_id: String,
    pub kind: OutcomeKind,
    pub client_id: ClientId,
}

impl CallButton {
    /// The button recording `kind` for `task`.
    pub fn new(task: &CallTask, kind: OutcomeKind) -> Self {
        Self { task_id: task.id.clone(), kind, client_id: task.client_id.clone() }
    }

    pub fn encode(&self) -> String {
        format!("{}|{}|{}", self.task_id, self.kind.as_str(), self.client_id)
    }

    /// `None` for anything a button of ours did not carry.
    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.splitn(3, '|');
        let task_id = parts.next().filter(|t| !t.is_empty() && t.len() <= 64)?.to_string();
        let kind = OutcomeKind::parse(parts.next()?)?;
        let client_id = ClientId::parse(parts.next()?).ok()?;
        Some(Self { task_id, kind, client_id })
    }

    /// The button's `action_id`: unique within its actions block.
    pub fn action_id(&self) -> String {
        format!("{CALL_OUTCOME_ACTION}:{}:{}", self.task_id, self.kind.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_button_reads_back_what_it_carried_and_nothing_else() {
        let button = CallButton {
            task_id: "20260316-c-0a1b2c3d4e".into(),
            kind: OutcomeKind::InternalBlock,
            client_id: ClientId::parse("ACME|2").unwrap(),
        };
        assert_eq!(button.encode(), "20260316-c-0a1b2c3d4e|internal_block|ACME|2");
        assert_eq!(CallButton::parse(&button.encode()), Some(button.clone()));
        assert_eq!(button.action_id(), "call_outcome:20260316-c-0a1b2c3d4e:internal_block");
        for bad in ["", "t|maybe|ACME", "t|voicemail", "|voicemail|ACME", "t|voicemail|"] {
            assert_eq!(CallButton::parse(bad), None, "{bad:?}");
        }
    }
}
