//! The audit entries of the digest's writes: postings, withdrawals,
//! decisions, pauses, "send anyway", used links. Each is written in the
//! transaction of the change it records.

use super::merge::{Change, Row};
use crate::decision::Stamp;
use crate::domain::ClientId;
use crate::people::Platform;
use crate::store::{Actor, Applied, AuditEntry};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

fn actor(by: &str, via: Platform) -> Actor {
    Actor { name: by.to_string(), via: via.as_str().to_string() }
}

/// `digest.posted`: the day's digest was saved, with what the posting changed.
pub fn posted(day: NaiveDate, rows: &[Row], actor: &Actor, at: DateTime<Utc>) -> AuditEntry {
    let with = |change: Change| -> Vec<&str> {
        rows.iter().filter(|r| r.change == Some(change)).map(|r| r.entry.proposal.id.as_str()).collect()
    };
    AuditEntry {
        at,
        actor: actor.clone(),
        action: "digest.posted".into(),
        client_id: None,
        subject: day.to_string(),
        detail: json!({
            "entries": rows.len(),
            "added": with(Change::Added),
            "refreshed": with(Change::Refreshed),
            "withdrawn": with(Change::Withdrawn),
            "revived": with(Change::Revived),
        }),
    }
}

/// `digest.withdrawn`, on the client's own trail: why a reminder did not leave.
pub fn withdrawn(row: &Row, actor: &Actor, at: DateTime<Utc>) -> AuditEntry {
    let p = &row.entry.proposal;
    AuditEntry {
        at,
        actor: actor.clone(),
        action: "digest.withdrawn".into(),
        client_id: Some(p.client_id.clone()),
        subject: p.id.to_string(),
        detail: json!({ "day": p.date, "stage": p.stage, "total_due": p.total_due.to_string() }),
    }
}

/// `decision.approve`, `decision.veto`…: who decided what, and what it did.
pub fn decision(applied: &Applied) -> AuditEntry {
    let (r, entry) = (&applied.record, &applied.outcome.entry);
    let p = &entry.proposal;
    AuditEntry {
        at: r.at,
        actor: actor(&r.by, r.via),
        action: format!("decision.{}", r.action.as_str()),
        client_id: Some(r.client_id.clone()),
        subject: r.proposal_id.to_string(),
        detail: json!({
            "day": r.day,
            "effect": r.effect,
            "status": entry.status,
            "rev": entry.rev,
            "stage": p.stage,
            "tone": p.tone,
            "currency": p.currency,
            "total_due": p.total_due.to_string(),
            "detail": r.detail,
        }),
    }
}

/// `hold.pause`: a veto or snooze paused the client (longer than before).
pub fn paused(client: &ClientId, until: NaiveDate, applied: &Applied) -> AuditEntry {
    let r = &applied.record;
    AuditEntry {
        at: r.at,
        actor: actor(&r.by, r.via),
        action: "hold.pause".into(),
        client_id: Some(client.clone()),
        subject: client.to_string(),
        detail: json!({
            "target": "client",
            "paused_until": until,
            "decision": r.action.as_str(),
            "proposal_id": r.proposal_id,
        }),
    }
}

/// `digest.send_anyway`: finance released the approvals held for fresh data.
pub fn send_anyway(day: NaiveDate, stamp: &Stamp, released: &[&str]) -> AuditEntry {
    AuditEntry {
        at: stamp.at,
        actor: actor(&stamp.by, stamp.via),
        action: "digest.send_anyway".into(),
        client_id: None,
        subject: day.to_string(),
        detail: json!({ "released": released }),
    }
}

/// `link.used`: a signed decision link acted (it will not act again).
pub fn link_used(token_digest: &str, by: &str, at: DateTime<Utc>) -> AuditEntry {
    AuditEntry {
        at,
        actor: actor(by, Platform::Web),
        action: "link.used".into(),
        client_id: None,
        subject: token_digest.to_string(),
        detail: json!({}),
    }
}
