//! Executing a parsed command for a person: who may, finding the client or
//! the invoice, the store reads and writes, and the reply.

use super::help::help;
use super::status_reply::{status_reply, StatusView};
use super::{Choice, Command, Parsed, Reply, Section, When};
use crate::decision::{refusal_text, Refusal};
use crate::domain::{Client, InvoiceNumber, Language};
use crate::holds::{self, Held, HoldChange};
use crate::lookup::Found;
use crate::people::{Person, Platform, Role};
use crate::serve::Services;
use crate::store::Actor;

pub(super) async fn run(
    svc: &Services,
    person: Option<Person>,
    platform: Platform,
    parsed: Parsed,
) -> anyhow::Result<Reply> {
    let (lang, public, today) = (svc.lang(), parsed.public, svc.clock.today());
    if parsed.command == Command::Help {
        return Ok(help(lang, public));
    }
    let Some(person) = person else {
        tracing::info!(%platform, "command by an account not in people: refused");
        return Ok(Reply::said(refusal_text(&Refusal::Unknown, lang)));
    };
    let asked = Asked { svc, person: &person, platform, public, lang };
    match parsed.command {
        Command::Help => Ok(help(lang, public)),
        Command::Status { client } => asked.status(&client).await,
        Command::Pause { client, until, reason } => {
            let until = until.resolve(today);
            let again = format!("pause {{}} {until}{}", reason.as_deref().map(|r| format!(" {r}")).unwrap_or_default());
            asked.on_client(&client, &again, HoldChange::Pause { until }, reason).await
        }
        Command::Resume { client } => asked.on_client(&client, "resume {}", HoldChange::Resume, None).await,
        Command::Promise { invoice, by } => {
            asked.on_invoice(&invoice, HoldChange::Promise { by: by.resolve(today) }).await
        }
        Command::Dispute { invoice, reason } => asked.on_invoice(&invoice, HoldChange::Dispute { reason }).await,
        Command::Resolve { invoice } => asked.on_invoice(&invoice, HoldChange::Resolve).await,
        Command::Echeancier { target, count, first, frequency } => {
            asked.propose_plan(&target, count, first, frequency).await
        }
        Command::DecidePlan { plan, approve } => asked.decide_plan(plan, approve).await,
        Command::Digest => asked.digest().await,
    }
}

#[path = "plans.rs"]
mod plans;

/// A command being answered: who asked, where, how the answer is shown.
struct Asked<'a> {
    svc: &'a Services,
    person: &'a Person,
    platform: Platform,
    public: bool,
    lang: Language,
}

impl Asked<'_> {
    fn t(&self, fr: &str, en: &str) -> String {
        crate::status::text::t(self.lang, fr, en).to_string()
    }

    fn reply(&self, title: String, lines: Vec<String>) -> Reply {
        Reply { public: self.public, title, sections: vec![Section { heading: None, lines }], choices: Vec::new() }
    }

    /// The client typed, or the reply listing the candidates (each a button
    /// running `again` with the candidate's id in place of `{}`).
    async fn client(&self, typed: &str, again: &str) -> anyhow::Result<Result<Client, Reply>> {
        let index = self.svc.clients.get(self.svc.store.as_ref()).await?;
        let flag = if self.public { " --public" } else { "" };
        let choices = |clients: &[&Client]| -> Vec<Choice> {
            clients
                .iter()
                .map(|c| Choice {
                    label: format!("{} ({})", c.name, c.id),
                    command: format!("{}{flag}", again.replace("{}", c.id.as_str())),
                })
                .collect()
        };
        let (title, listed) = match index.find(typed) {
            Found::One(client) => return Ok(Ok(client.clone())),
            Found::Several(list) => (
                match self.lang {
                    Language::Fr => format!("Plusieurs clients correspondent à « {typed} » : lequel ?"),
                    Language::En => format!("Several clients match \"{typed}\": which one?"),
                },
                list,
            ),
            Found::None(closest) => (
                match (self.lang, closest.is_empty()) {
                    (Language::Fr, false) => format!("Aucun client ne correspond à « {typed} ». Les plus proches :"),
                    (Language::Fr, true) => format!("Aucun client ne correspond à « {typed} » (id, SIREN ou nom)."),
                    (Language::En, false) => format!("No client matches \"{typed}\". The closest:"),
                    (Language::En, true) => format!("No client matches \"{typed}\" (id, SIREN or name)."),
                },
                closest,
            ),
        };
        let lines = listed.iter().map(|c| format!("{} — {}", c.name, c.id)).collect();
        let mut reply = self.reply(title, lines);
        reply.choices = choices(&listed);
        reply.public = false;
        Ok(Err(reply))
    }

    async fn status(&self, typed: &str) -> anyhow::Result<Reply> {
        let client = match self.client(typed, "status {}").await? {
            Ok(client) => client,
            Err(reply) => return Ok(reply),
        };
        let (svc, today) = (self.svc, self.svc.clock.today());
        let Some(report) = crate::status::gather(svc.store.as_ref(), &client, &svc.config().policy, today).await?
        else {
            return Ok(Reply::said(self.t("Ce client vient de disparaître.", "This client just disappeared.")));
        };
        let decisions = svc.store.decisions(&client.id).await?;
        let entry = match &report.pending_proposal {
            Some(p) => svc.store.entries_by_id(std::slice::from_ref(&p.id)).await?.into_iter().next(),
            None => None,
        };
        let view = StatusView {
            report: &report,
            decisions: &decisions,
            entry: entry.as_ref(),
            rules: &svc.config().decisions,
            lang: self.lang,
            tz: svc.clock.tz(),
        };
        Ok(status_reply(&view, self.public))
    }

    /// A pause or its end, on a client the person may hold.
    async fn on_client(
        &self,
        typed: &str,
        again: &str,
        change: HoldChange,
        reason: Option<String>,
    ) -> anyhow::Result<Reply> {
        let client = match self.client(typed, again).await? {
            Ok(client) => client,
            Err(reply) => return Ok(reply),
        };
        if !self.person.may_hold(client.owner.as_deref()) {
            return Ok(self.not_allowed(&client));
        }
        let held = holds::client_hold(self.svc.store.as_ref(), &client.id, self.svc.clock.today()).await?;
        self.change(&client, &held, &change, reason).await
    }

    /// A promise, a dispute or its resolution, on an invoice of a client the person may hold.
    async fn on_invoice(&self, typed: &str, change: HoldChange) -> anyhow::Result<Reply> {
        let unknown = || {
            Reply::said(match self.lang {
                Language::Fr => format!("Aucune facture « {typed} »."),
                Language::En => format!("No invoice \"{typed}\"."),
            })
        };
        let Ok(number) = InvoiceNumber::parse(typed) else {
            return Ok(unknown());
        };
        let (store, today) = (self.svc.store.as_ref(), self.svc.clock.today());
        let Some(held) = holds::invoice_hold(store, &number, today).await? else {
            return Ok(unknown());
        };
        let index = self.svc.clients.get(store).await?;
        let client = match index.get(&held.client_id) {
            Some(client) => client.clone(),
            None => return Ok(unknown()),
        };
        if !self.person.may_hold(client.owner.as_deref()) {
            return Ok(self.not_allowed(&client));
        }
        self.change(&client, &held, &change, None).await
    }

    fn not_allowed(&self, client: &Client) -> Reply {
        tracing::info!(by = %self.person.name, client = %client.id, "hold refused: not finance nor the owner");
        Reply::said(match self.lang {
            Language::Fr => format!(
                "Désolé, seuls la finance et le commercial qui suit {} peuvent changer ses relances : rien n'a changé.",
                client.name
            ),
            Language::En => format!(
                "Sorry, only finance and the sales rep in charge of {} may change its reminders: nothing changed.",
                client.name
            ),
        })
    }

    /// Stores the change with its audit entry (holding the reason given),
    /// and says what now holds.
    async fn change(
        &self,
        client: &Client,
        held: &Held,
        change: &HoldChange,
        reason: Option<String>,
    ) -> anyhow::Result<Reply> {
        let (store, today) = (self.svc.store.as_ref(), self.svc.clock.today());
        let actor = Actor { name: self.person.name.clone(), via: self.platform.as_str().to_string() };
        let hold = match holds::change(store, held, change, (&actor, reason.as_deref()), today).await? {
            Ok(hold) => hold,
            Err(refusal) => return Ok(Reply::said(refusal.text(self.lang))),
        };
        tracing::info!(by = %actor.name, via = %actor.via, client = %client.id, ?change, "hold changed by command");
        self.svc.republish_if_posted().await;
        let what = match &held.target {
            crate::store::HoldTarget::Client(_) => client.name.clone(),
            crate::store::HoldTarget::Invoice(number) => format!("{number} ({})", client.name),
        };
        let lines = vec![
            format!("{what} : {}", holds::describe(&hold, self.lang)),
            match self.lang {
                Language::Fr => format!("Enregistré par {} ({}).", actor.name, actor.via),
                Language::En => format!("Recorded by {} ({}).", actor.name, actor.via),
            },
        ];
        Ok(self.reply(format!("✅ {} — {}", client.name, client.id), lines))
    }

    /// Finance posts today's digest again (its messages are edited in place).
    async fn digest(&self) -> anyhow::Result<Reply> {
        if self.person.role != Role::Finance {
            return Ok(Reply::said(self.t(
                "Désolé, seule la finance peut publier le digest : rien n'a changé.",
                "Sorry, only finance may post the digest: nothing changed.",
            )));
        }
        tracing::info!(by = %self.person.name, "digest posted again by command");
        let lang = self.lang;
        let Some(done) = crate::serve::publish(self.svc).await? else {
            return Ok(Reply::said(
                self.t("Pas de digest aujourd'hui : jour non ouvré.", "No digest today: not a business day."),
            ));
        };
        let pages: Vec<String> = done.pages.iter().map(|(p, n)| format!("{p} {n}")).collect();
        let day = crate::render::format::date(done.day, lang);
        let line = match lang {
            Language::Fr => format!("{} relance(s) proposée(s) · pages : {}", done.entries, pages.join(", ")),
            Language::En => format!("{} reminder(s) proposed · pages: {}", done.entries, pages.join(", ")),
        };
        let title = match lang {
            Language::Fr => format!("Digest du {day} publié"),
            Language::En => format!("Digest of {day} posted"),
        };
        Ok(self.reply(title, vec![line]))
    }
}
