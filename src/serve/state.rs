//! What every handler of `relance serve` shares: the configuration, the one
//! clock, the store, the decision engine, the platforms that are on, the
//! link key and the metrics.

use super::command_runs::CommandWaits;
use super::engine::{DecisionEngine, EngineDeps};
use super::metrics::Metrics;
use crate::chat::discord_api::DiscordApi;
use crate::chat::links::{
    sign_call_link, sign_link, sign_plan_link, Action, CallLinkClaims, LinkClaims, PlanLinkClaims,
};
use crate::chat::slack_api::SlackApi;
use crate::clock::Clock;
use crate::config::{Config, Loaded};
use crate::digest::call_buttons::CallButton;
use crate::people::{People, Platform};
use crate::render::message::Templates;
use crate::store::Store;
use std::sync::Arc;

/// The platforms that are on, with their clients.
#[derive(Default)]
pub struct Platforms {
    pub slack: Option<SlackBot>,
    pub discord: Option<DiscordBot>,
    /// Discord through a webhook (no bot): link buttons.
    pub discord_webhook: Option<String>,
    /// A Teams Workflows URL.
    pub teams: Option<String>,
    /// The Teams outgoing webhook's HMAC key (`@Relance …` on `/teams/outgoing`).
    pub teams_outgoing: Option<Vec<u8>>,
}

pub struct SlackBot {
    pub api: SlackApi,
    pub channel: String,
    pub signing_secret: String,
    /// Wait between two new messages: Slack allows about one
    /// `chat.postMessage` per second per channel (none against a local fake).
    pub pace: std::time::Duration,
}

pub struct DiscordBot {
    pub api: DiscordApi,
    pub channel_id: String,
    pub public_key: ed25519_dalek::VerifyingKey,
}

impl Platforms {
    /// Builds the clients of the platforms whose settings are complete.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let mut platforms = Platforms::default();
        let s = &config.slack;
        if let (true, Some(token), Some(secret), Some(channel)) =
            (s.is_on(), &s.bot_token, &s.signing_secret, &s.channel)
        {
            platforms.slack = Some(SlackBot {
                api: SlackApi::new(&s.api_url, token.expose())?,
                channel: channel.clone(),
                signing_secret: secret.expose().to_string(),
                pace: if s.api_url.starts_with("https://slack.com") {
                    std::time::Duration::from_millis(1100)
                } else {
                    std::time::Duration::ZERO
                },
            });
        }
        let d = &config.discord;
        if let (true, Some(token), Some(key), Some(channel)) =
            (d.bot_is_on(), &d.bot_token, &d.public_key, &d.channel_id)
        {
            let public_key = crate::chat::discord_signature::parse_public_key(key)
                .map_err(|e| anyhow::anyhow!("discord.public_key (DISCORD_PUBLIC_KEY): {e}"))?;
            platforms.discord = Some(DiscordBot {
                api: DiscordApi::new(&d.api_url, token.expose()),
                channel_id: channel.clone(),
                public_key,
            });
        } else if d.webhook_is_on() {
            platforms.discord_webhook = d.webhook_url.as_ref().map(|u| u.expose().to_string());
        }
        platforms.teams = config.teams.webhook_url.as_ref().map(|u| u.expose().to_string());
        platforms.teams_outgoing = config.teams.outgoing_key().map_err(anyhow::Error::msg)?;
        Ok(platforms)
    }

    /// "Slack, Discord (webhook), Teams", or the local page.
    pub fn describe(&self) -> String {
        let mut on = Vec::new();
        if self.slack.is_some() {
            on.push("Slack");
        }
        if self.discord.is_some() {
            on.push("Discord");
        }
        if self.discord_webhook.is_some() {
            on.push("Discord (webhook, link buttons)");
        }
        if self.teams.is_some() {
            on.push("Teams (Workflows webhook, link buttons)");
        }
        if self.teams_outgoing.is_some() {
            on.push("Teams (@Relance outgoing webhook)");
        }
        if on.is_empty() {
            "none — the digest is printed and served at /digest".to_string()
        } else {
            on.join(", ")
        }
    }

    pub fn any(&self) -> bool {
        self.slack.is_some() || self.discord.is_some() || self.discord_webhook.is_some() || self.teams.is_some()
    }
}

/// Signs decision links for the link-button platforms and the web page.
#[derive(Clone)]
pub struct LinkMaker {
    secret: Arc<Vec<u8>>,
    base_url: String,
    hours: u32,
}

impl LinkMaker {
    /// With the configured secret, or a random one for this process (links
    /// then die with it; the server says so at start).
    pub fn new(secret: Option<&str>, base_url: String, hours: u32) -> Self {
        let secret = match secret {
            Some(s) => s.as_bytes().to_vec(),
            None => (0..32).map(|_| fastrand::u8(..)).collect(),
        };
        Self { secret: Arc::new(secret), base_url, hours }
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// The URL of the confirmation page for `action` on `target` (a proposal
    /// id, or a day for "send anyway").
    pub fn url(&self, target: &str, action: Action, now_unix: i64) -> String {
        let claims =
            LinkClaims { proposal_id: target.to_string(), action, expires_at: now_unix + i64::from(self.hours) * 3600 };
        format!("{}/act/{}", self.base_url, sign_link(&self.secret, &claims))
    }

    /// The URL of the confirmation page recording one outcome of one call.
    pub fn call_url(&self, button: &CallButton, now_unix: i64) -> String {
        let claims = CallLinkClaims { target: button.encode(), expires_at: now_unix + i64::from(self.hours) * 3600 };
        format!("{}/call/{}", self.base_url, sign_call_link(&self.secret, &claims))
    }

    /// The URL of the confirmation page approving (or rejecting) one
    /// instalment plan: Teams' answer to `@Relance echeancier …`.
    pub fn plan_url(&self, plan: i64, approve: bool, now_unix: i64) -> String {
        let claims = PlanLinkClaims { plan, approve, expires_at: now_unix + i64::from(self.hours) * 3600 };
        format!("{}/plan/{}", self.base_url, sign_plan_link(&self.secret, &claims))
    }
}

/// Everything the handlers share.
pub struct Services {
    pub loaded: Loaded,
    pub clock: Clock,
    pub store: Arc<dyn Store>,
    pub engine: DecisionEngine,
    pub platforms: Platforms,
    pub links: LinkMaker,
    pub metrics: Metrics,
    pub templates: Templates,
    pub http: reqwest::Client,
    /// How long commands may take before a "working on it" answer.
    pub waits: CommandWaits,
    /// The clients the commands search (see `client_index`).
    pub clients: super::client_index::ClientCache,
    /// SMTP when `SMTP_URL` is set: the owners' notices go by e-mail too.
    pub mail: Option<Arc<dyn crate::delivery::Mailer>>,
    /// Who the notices are from (`MAIL_FROM`, else the company's contact).
    pub mail_from: crate::mail::Sender,
    /// Entries whose messages must be edited (see `refresher`).
    changes: tokio::sync::mpsc::UnboundedSender<super::refresher::Touched>,
}

impl Services {
    pub fn new(loaded: Loaded, clock: Clock, store: Arc<dyn Store>) -> anyhow::Result<Arc<Self>> {
        Self::with_waits(loaded, clock, store, CommandWaits::default())
    }

    /// [`Services::new`] with other command deadlines (tests drive the late
    /// answers with them).
    pub fn with_waits(
        loaded: Loaded,
        clock: Clock,
        store: Arc<dyn Store>,
        waits: CommandWaits,
    ) -> anyhow::Result<Arc<Self>> {
        crate::install_tls_provider();
        let config = &loaded.config;
        let platforms = Platforms::from_config(config)?;
        let server = &config.server;
        let links =
            LinkMaker::new(server.link_secret.as_ref().map(|s| s.expose()), server.base_url(), server.link_hours);
        let templates = crate::cli::templates(config)?;
        let engine = DecisionEngine::start(EngineDeps {
            store: store.clone(),
            clock,
            rules: config.decisions.clone(),
            max_ledger_age_hours: config.digest.max_ledger_age_hours,
        });
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build()?;
        let (changes, changed) = tokio::sync::mpsc::unbounded_channel();
        let mail: Option<Arc<dyn crate::delivery::Mailer>> = match config.mail.smtp_url() {
            Some(url) => Some(Arc::new(crate::delivery::SmtpMailer::from_url(url)?)),
            None => None,
        };
        let mail_from = crate::delivery::setup::sender(&loaded);
        let svc = Arc::new(Self {
            loaded,
            clock,
            store,
            engine,
            platforms,
            links,
            metrics: Metrics::new(),
            templates,
            http,
            waits,
            clients: Default::default(),
            mail,
            mail_from,
            changes,
        });
        tokio::spawn(super::refresher::run(Arc::downgrade(&svc), changed));
        tokio::spawn(warm_client_index(Arc::downgrade(&svc)));
        Ok(svc)
    }

    /// Asks for the messages showing these entries to be edited soon.
    pub fn touched(&self, touched: super::refresher::Touched) {
        let _ = self.changes.send(touched);
    }

    /// Today's digest, if already posted, is posted again in the background
    /// (by the refresher) so that it shows a change at once: an entry for a
    /// client just paused or disputed is withdrawn (its buttons gone, a
    /// queued message cancelled), one whose hold was lifted comes back — the
    /// merge of a second posting (`store/board/merge.rs`) does exactly that —
    /// and the header's plans waiting for approval are read again. The
    /// change itself is already stored: failing to tell is logged, not
    /// returned.
    pub async fn republish_if_posted(&self) {
        match self.store.digest(self.clock.today()).await {
            Ok(Some(_)) => self.touched(super::refresher::Touched::Republish),
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, "could not tell whether today's digest is posted"),
        }
    }

    pub fn config(&self) -> &Config {
        &self.loaded.config
    }

    pub fn people(&self) -> People<'_> {
        People(&self.config().people)
    }

    pub fn lang(&self) -> crate::domain::Language {
        self.config().digest.language
    }

    /// The person behind a platform account, if `people:` knows them.
    pub fn person(&self, platform: Platform, account: &str) -> Option<crate::people::Person> {
        self.people().find(platform, account).cloned()
    }
}

/// Builds the index of clients at start, so the first command does not wait for it.
async fn warm_client_index(svc: std::sync::Weak<Services>) {
    let Some(svc) = svc.upgrade() else { return };
    if let Err(err) = svc.clients.get(svc.store.as_ref()).await {
        tracing::warn!(error = %err, "client index not built at start");
    }
}

/// The real unix time, for signatures and link expiry. Platforms stamp
/// requests with the real time, so freshness is checked against it even
/// when the business clock replays another day (`--now`).
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}
