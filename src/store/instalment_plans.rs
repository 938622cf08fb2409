//! Instalment plans (`0009_instalment_plans.sql`): proposed, then approved
//! or rejected, then completed or broken, each step with its audit entry in
//! the same transaction. A step is taken only from the status it expects
//! (`UPDATE … WHERE status = …`), so two people deciding at once give one
//! decision and the other is told what happened first.

use super::backend::{Backend, Binds, Columns, Conn, Q};
use super::board::rows::{from_json, to_json};
use super::rows::{self, corrupt};
use super::sql::SqlStore;
use super::{Actor, AuditEntry, Result, StoreError};
use crate::domain::{ClientId, Currency, EmailAddress, InvoiceNumber, Language};
use crate::ledger::PlanInForce;
use crate::policy::instalments::{Frequency, Instalment, InstalmentPlan};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Executor;
use std::collections::HashMap;
use std::str::FromStr;

/// Where a plan is in its life. Only moves forward:
/// proposed → approved | rejected; approved → completed | broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Proposed,
    Approved,
    Rejected,
    Completed,
    Broken,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Proposed => "proposed",
            PlanStatus::Approved => "approved",
            PlanStatus::Rejected => "rejected",
            PlanStatus::Completed => "completed",
            PlanStatus::Broken => "broken",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Proposed, Self::Approved, Self::Rejected, Self::Completed, Self::Broken]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// Proposed or approved: its invoices cannot be in another plan.
    pub fn is_open(self) -> bool {
        matches!(self, PlanStatus::Proposed | PlanStatus::Approved)
    }
}

/// A plan to store: the schedule for these invoices of one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan {
    pub client_id: ClientId,
    /// Sorted, without repeats.
    pub invoices: Vec<InvoiceNumber>,
    pub frequency: Frequency,
    /// The client's language, for the confirmation.
    pub language: Language,
    pub schedule: InstalmentPlan,
}

/// A stored plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    pub id: i64,
    pub client_id: ClientId,
    pub invoices: Vec<InvoiceNumber>,
    pub frequency: Frequency,
    pub language: Language,
    pub schedule: InstalmentPlan,
    pub status: PlanStatus,
    pub proposed: Stamped,
    /// Who approved or rejected it.
    pub decided: Option<Stamped>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The instalment whose miss broke it.
    pub missed_number: Option<u32>,
}

impl PlanRow {
    /// The plan as the planner reads it.
    pub fn in_force(&self) -> PlanInForce {
        PlanInForce {
            id: self.id,
            invoices: self.invoices.clone(),
            total: self.schedule.total,
            instalments: self.schedule.instalments.clone(),
        }
    }
}

/// Who did a step, through which platform, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamped {
    pub actor: Actor,
    pub at: DateTime<Utc>,
}

/// Finance's decision on a proposed plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanDecision {
    /// Approved: the confirmation is queued to `confirm_to` (none when the
    /// client has no address: finance then tells it another way), on `day`.
    Approve {
        confirm_to: Option<EmailAddress>,
        day: NaiveDate,
    },
    Reject,
}

/// How a plan in force ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanEnd {
    Completed,
    /// Instalment `missed` was not paid in time.
    Broken {
        missed: u32,
    },
}

const SELECT: &str = "SELECT id, client_id, CAST(invoices AS TEXT), currency, total, frequency, language, status, \
     proposed_by, proposed_via, proposed_at, decided_by, decided_via, decided_at, closed_at, \
     CAST(missed_number AS BIGINT) FROM instalment_plans";

fn plan_row(row: &impl Columns, instalments: Vec<Instalment>) -> Result<PlanRow> {
    let status = row.text(7)?;
    let decided = match (row.opt_text(11)?, row.opt_text(12)?, row.opt_time(13)?) {
        (Some(name), Some(via), Some(at)) => Some(Stamped { actor: actor(name, via), at }),
        _ => None,
    };
    let frequency = match row.text(5)? {
        "weekly" => Frequency::Weekly,
        "monthly" => Frequency::Monthly,
        other => return Err(corrupt(format!("plan frequency {other:?}"))),
    };
    Ok(PlanRow {
        id: row.int(0)?,
        client_id: rows::client_id(row.text(1)?)?,
        invoices: from_json(row.text(2)?)?,
        frequency,
        language: Language::from_str(row.text(6)?).map_err(corrupt)?,
        schedule: InstalmentPlan {
            currency: Currency::parse(row.text(3)?).map_err(|e| corrupt(e.to_string()))?,
            total: row.money(4)?,
            instalments,
        },
        status: PlanStatus::parse(status).ok_or_else(|| corrupt(format!("plan status {status:?}")))?,
        proposed: Stamped { actor: actor(row.text(8)?, row.text(9)?), at: row.time(10)? },
        decided,
        closed_at: row.opt_time(14)?,
        missed_number: row.opt_int(15)?.map(u32::try_from).transpose().map_err(|_| corrupt("missed number"))?,
    })
}

fn actor(name: &str, via: &str) -> Actor {
    Actor { name: name.to_string(), via: via.to_string() }
}

fn audit(action: &str, plan: &PlanRow, actor: &Actor, at: DateTime<Utc>) -> AuditEntry {
    let instalments: Vec<serde_json::Value> = plan
        .schedule
        .instalments
        .iter()
        .map(|i| serde_json::json!({ "number": i.number, "date": i.due_date, "amount": i.amount.to_string() }))
        .collect();
    AuditEntry {
        at,
        actor: actor.clone(),
        action: action.into(),
        client_id: Some(plan.client_id.clone()),
        subject: format!("plan:{}", plan.id),
        detail: serde_json::json!({
            "invoices": plan.invoices,
            "currency": plan.schedule.currency,
            "total": plan.schedule.total.to_string(),
            "instalments": instalments,
            "missed": plan.missed_number,
        }),
    }
}

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    pub(super) async fn plans_propose(&self, plan: &NewPlan, actor: &Actor) -> Result<PlanRow> {
        let now = self.now();
        let sql = format!(
            "INSERT INTO instalment_plans (client_id, invoices, currency, total, frequency, language, status, \
             proposed_by, proposed_via, proposed_at) VALUES ($1, {}, $3, $4, $5, $6, 'proposed', $7, $8, $9) \
             RETURNING id",
            DB::json_param(2)
        );
        let mut tx = self.begin_write().await?;
        let id = sqlx::query::<DB>(&sql)
            .text(plan.client_id.as_str())
            .string(to_json(&plan.invoices)?)
            .text(plan.schedule.currency.code())
            .money(plan.schedule.total)
            .text(frequency_text(plan.frequency))
            .text(plan.language.as_str())
            .text(&actor.name)
            .text(&actor.via)
            .time(now)
            .fetch_one(&mut *tx)
            .await?
            .int(0)?;
        for instalment in &plan.schedule.instalments {
            let sql = "INSERT INTO instalments (plan_id, number, due_date, amount) VALUES ($1, $2, $3, $4)";
            let query = sqlx::query::<DB>(sql).int(id).int(i64::from(instalment.number));
            query.date(instalment.due_date).money(instalment.amount).execute(&mut *tx).await?;
        }
        let stored = Self::plan_in(&mut tx, id).await?.ok_or_else(|| StoreError::NotFound(format!("plan {id}")))?;
        Self::insert_audit(&mut tx, &audit("plan.proposed", &stored, actor, now)).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Approves or rejects a proposed plan; an approval queues the
    /// confirmation in the same transaction.
    pub(super) async fn plans_decide(&self, id: i64, decision: &PlanDecision, actor: &Actor) -> Result<PlanRow> {
        let now = self.now();
        let (status, action) = match decision {
            PlanDecision::Approve { .. } => ("approved", "plan.approved"),
            PlanDecision::Reject => ("rejected", "plan.rejected"),
        };
        let sql = "UPDATE instalment_plans SET status = $2, decided_by = $3, decided_via = $4, decided_at = $5 \
                   WHERE id = $1 AND status = 'proposed'";
        let mut tx = self.begin_write().await?;
        let query = sqlx::query::<DB>(sql).int(id).text(status).text(&actor.name).text(&actor.via).time(now);
        let changed = DB::rows_affected(&query.execute(&mut *tx).await?) == 1;
        let stored = Self::plan_in(&mut tx, id).await?.ok_or_else(|| StoreError::NotFound(format!("plan {id}")))?;
        if !changed {
            return Err(StoreError::Conflict(format!("plan {id} is already {}", stored.status.as_str())));
        }
        let mut entry = audit(action, &stored, actor, now);
        match decision {
            PlanDecision::Approve { confirm_to: Some(to), day } => {
                Self::queue_confirmation(&mut tx, &stored, to, *day, actor, now).await?;
                entry.detail["confirmation_to"] = to.as_str().into();
            }
            // Said in the audit log too: why the client got nothing.
            PlanDecision::Approve { confirm_to: None, .. } => {
                entry.detail["confirmation"] = "none: the client has no e-mail address".into();
            }
            PlanDecision::Reject => {}
        }
        Self::insert_audit(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The plan's confirmation, queued with the duplicates (`plan:<id>`: once).
    async fn queue_confirmation(
        conn: &mut Conn<DB>,
        plan: &PlanRow,
        to: &EmailAddress,
        day: NaiveDate,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let sql = format!(
            "INSERT INTO duplicates (dup_key, day, client_id, invoices, recipient, requested_by, status, \
             created_at, updated_at, plan_id) VALUES ($1, $2, $3, {}, $5, $6, 'queued', $7, $7, $8) \
             ON CONFLICT (dup_key) DO NOTHING",
            DB::json_param(4)
        );
        sqlx::query::<DB>(&sql)
            .string(format!("plan:{}", plan.id))
            .date(day)
            .text(plan.client_id.as_str())
            .string(to_json(&plan.invoices)?)
            .text(to.as_str())
            .text(&actor.name)
            .time(now)
            .int(plan.id)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Closes an approved plan; false when it was not approved any more (closed already).
    pub(super) async fn plans_close(&self, id: i64, end: PlanEnd, actor: &Actor) -> Result<bool> {
        let now = self.now();
        let (status, action, missed) = match end {
            PlanEnd::Completed => ("completed", "plan.completed", None),
            PlanEnd::Broken { missed } => ("broken", "plan.broken", Some(i64::from(missed))),
        };
        let sql = "UPDATE instalment_plans SET status = $2, closed_at = $3, missed_number = $4 \
                   WHERE id = $1 AND status = 'approved'";
        let mut tx = self.begin_write().await?;
        let query = sqlx::query::<DB>(sql).int(id).text(status).time(now).opt_int(missed);
        if DB::rows_affected(&query.execute(&mut *tx).await?) != 1 {
            return Ok(false);
        }
        let stored = Self::plan_in(&mut tx, id).await?.ok_or_else(|| StoreError::NotFound(format!("plan {id}")))?;
        Self::insert_audit(&mut tx, &audit(action, &stored, actor, now)).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn plans_get(&self, id: i64) -> Result<Option<PlanRow>> {
        let mut conn = self.pool().acquire().await?;
        Self::plan_in(&mut conn, id).await
    }

    pub(super) async fn plans_of(&self, client: &ClientId) -> Result<Vec<PlanRow>> {
        let mut conn = self.pool().acquire().await?;
        Self::plans_where(&mut conn, "client_id = $1", Some(client.as_str())).await
    }

    pub(super) async fn plans_proposed(&self) -> Result<Vec<PlanRow>> {
        let mut conn = self.pool().acquire().await?;
        Self::plans_where(&mut conn, "status = 'proposed'", None).await
    }

    /// The approved plans by client, for the snapshot (read in its transaction).
    pub(super) async fn plans_in_force(
        conn: &mut Conn<DB>,
        client: Option<&ClientId>,
    ) -> Result<HashMap<ClientId, Vec<PlanInForce>>> {
        let rows = match client {
            Some(id) => Self::plans_where(conn, "status = 'approved' AND client_id = $1", Some(id.as_str())).await?,
            None => Self::plans_where(conn, "status = 'approved'", None).await?,
        };
        let mut by_client: HashMap<ClientId, Vec<PlanInForce>> = HashMap::new();
        for row in rows {
            by_client.entry(row.client_id.clone()).or_default().push(row.in_force());
        }
        Ok(by_client)
    }

    async fn plan_in(conn: &mut Conn<DB>, id: i64) -> Result<Option<PlanRow>> {
        let sql = format!("{SELECT} WHERE id = $1");
        let Some(row) = sqlx::query::<DB>(&sql).int(id).fetch_optional(&mut *conn).await? else {
            return Ok(None);
        };
        let instalments = Self::instalments_of(conn, &[id]).await?.remove(&id).unwrap_or_default();
        plan_row(&row, instalments).map(Some)
    }

    /// The plans matching `filter` (which may bind `$1` to `param`), in id order.
    async fn plans_where(conn: &mut Conn<DB>, filter: &str, param: Option<&str>) -> Result<Vec<PlanRow>> {
        let sql = format!("{SELECT} WHERE {filter} ORDER BY id");
        let mut query = sqlx::query::<DB>(&sql);
        if let Some(value) = param {
            query = query.text(value);
        }
        let found = query.fetch_all(&mut *conn).await?;
        let ids: Vec<i64> = found.iter().map(|r| r.int(0)).collect::<Result<_>>()?;
        let mut instalments = Self::instalments_of(conn, &ids).await?;
        found.iter().zip(&ids).map(|(row, id)| plan_row(row, instalments.remove(id).unwrap_or_default())).collect()
    }

    /// The instalments of these plans, by plan, in number order.
    async fn instalments_of(conn: &mut Conn<DB>, ids: &[i64]) -> Result<HashMap<i64, Vec<Instalment>>> {
        let mut by_plan: HashMap<i64, Vec<Instalment>> = HashMap::new();
        if ids.is_empty() {
            return Ok(by_plan);
        }
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT plan_id, CAST(number AS BIGINT), due_date, amount FROM instalments \
             WHERE plan_id IN ({list}) ORDER BY plan_id, number"
        );
        for row in sqlx::query::<DB>(&sql).fetch_all(&mut *conn).await? {
            let number = u32::try_from(row.int(1)?).map_err(|_| corrupt("instalment number"))?;
            let instalment = Instalment { number, due_date: row.date(2)?, amount: row.money(3)? };
            by_plan.entry(row.int(0)?).or_default().push(instalment);
        }
        Ok(by_plan)
    }
}

fn frequency_text(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Monthly => "monthly",
        Frequency::Weekly => "weekly",
    }
}
