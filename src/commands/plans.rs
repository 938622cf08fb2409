//! `/relance echeancier …`: an instalment plan proposed from the chat (by
//! finance or the client's owner, like a hold; monthly, or weekly with
//! `hebdo` / `weekly`), answered with its schedule
//! and Approve / Reject buttons, which run `echeancier approve|reject <id>`
//! (finance only). The checks and writes are `crate::instalment_plans`,
//! shared with the CLI.

use super::{Asked, Choice, Reply};
use crate::domain::{Client, InvoiceNumber, Language};
use crate::instalment_plans::{self, Covered, PlanError, PlanRequest, Planned};
use crate::people::Role;
use crate::policy::instalments::Frequency;
use crate::render::plan_schedule::{confirmation_line, decided_title, plan_heading, schedule_lines};
use crate::store::{Actor, PlanRow};

impl Asked<'_> {
    fn actor(&self) -> Actor {
        Actor { name: self.person.name.clone(), via: self.platform.as_str().to_string() }
    }

    /// Proposes the plan and shows its schedule with finance's buttons.
    pub(super) async fn propose_plan(
        &self,
        typed: &str,
        count: u32,
        first: Option<super::When>,
        frequency: Frequency,
    ) -> anyhow::Result<Reply> {
        let (store, today) = (self.svc.store.as_ref(), self.svc.clock.today());
        let invoice = match InvoiceNumber::parse(typed) {
            Ok(number) => store.invoice_client(&number).await?.map(|client| (number, client)),
            Err(_) => None,
        };
        let (covered, client) = match invoice {
            Some((number, client_id)) => {
                let index = self.svc.clients.get(store).await?;
                let Some(client) = index.get(&client_id).cloned() else {
                    return Ok(Reply::said(self.t("Ce client vient de disparaître.", "This client just disappeared.")));
                };
                (Covered::Invoice(number), client)
            }
            None => {
                let first_text = first.map(|w| format!(" {}", w.resolve(today))).unwrap_or_default();
                let weekly = if frequency == Frequency::Weekly { " hebdo" } else { "" };
                match self.client(typed, &format!("echeancier {{}} {count}{first_text}{weekly}")).await? {
                    Ok(client) => (Covered::Client(client.id.clone()), client),
                    Err(reply) => return Ok(reply),
                }
            }
        };
        if !self.person.may_hold(client.owner.as_deref()) {
            return Ok(self.not_allowed(&client));
        }
        let first = first.map(|w| w.resolve(today));
        let request = PlanRequest { covered, count, first, frequency };
        let Planned { plan, confirm_to } = match instalment_plans::propose(store, &request, &self.actor(), today).await
        {
            Ok(planned) => planned,
            Err(PlanError::Store(err)) => return Err(err.into()),
            Err(err) => return Ok(Reply::said(format!("⚠️ {err}"))),
        };
        tracing::info!(by = %self.person.name, client = %client.id, plan = plan.id, "instalment plan proposed by command");
        // Today's digest header lists the plans waiting for finance.
        self.svc.republish_if_posted().await;
        let mut lines = schedule_lines(&plan, self.lang);
        lines.extend(confirmation_line(&plan, confirm_to.as_ref(), self.lang));
        let mut reply = self.reply(self.plan_title(&plan, &client), lines);
        reply.choices = vec![
            Choice { label: self.t("Approuver", "Approve"), command: format!("echeancier approve {}", plan.id) },
            Choice { label: self.t("Refuser", "Reject"), command: format!("echeancier reject {}", plan.id) },
        ];
        Ok(reply)
    }

    /// Finance approves (the confirmation is queued) or rejects a plan.
    pub(super) async fn decide_plan(&self, id: i64, approve: bool) -> anyhow::Result<Reply> {
        if self.person.role != Role::Finance {
            return Ok(Reply::said(self.t(
                "Désolé, seule la finance peut approuver ou refuser un échéancier : rien n'a changé.",
                "Sorry, only finance may approve or reject an instalment plan: nothing changed.",
            )));
        }
        let (store, today) = (self.svc.store.as_ref(), self.svc.clock.today());
        let Planned { plan, confirm_to } =
            match instalment_plans::decide(store, id, approve, &self.actor(), today).await {
                Ok(planned) => planned,
                Err(PlanError::Store(err)) => return Err(err.into()),
                Err(err) => return Ok(Reply::said(format!("⚠️ {err}"))),
            };
        tracing::info!(by = %self.person.name, plan = plan.id, approve, "instalment plan decided by command");
        // The plan leaves the header; approved, its invoices leave the day's entries.
        self.svc.republish_if_posted().await;
        let title = decided_title(&plan, confirm_to.as_ref(), self.lang);
        let mut lines = schedule_lines(&plan, self.lang);
        lines.extend(confirmation_line(&plan, confirm_to.as_ref(), self.lang));
        lines.push(match self.lang {
            Language::Fr => format!("Décidé par {} ({}).", self.person.name, self.platform.as_str()),
            Language::En => format!("Decided by {} ({}).", self.person.name, self.platform.as_str()),
        });
        Ok(self.reply(title, lines))
    }

    fn plan_title(&self, plan: &PlanRow, client: &Client) -> String {
        plan_heading(plan, &format!("{} ({})", client.name, client.id), self.lang)
    }
}
