//! `bot-config.yaml`: typed, interpolated from the environment, validated.
//!
//! Secrets and endpoints are never written in the file: a string value may
//! contain `${VAR}` (required) or `${VAR:-default}`, replaced at load time.
//! Every error names the key path and what was expected, so a user knows
//! which line to fix.

use crate::chat::settings::{DiscordSettings, ServerSettings, SlackSettings, TeamsSettings};
use crate::decision::DecisionRules;
use crate::delivery::settings::{MailSettings, SendingConfig, SmsConfig};
use crate::domain::Language;
use crate::people::{Person, Role};
use crate::policy::Policy;
use crate::render::Company;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The commented configuration shipped with relance, used where no file is given.
pub const SHIPPED: &str = include_str!("../bot-config.yaml");

/// The configuration as written in `bot-config.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// IANA timezone: "today", business days and sending hours are read in it.
    pub timezone: String,
    /// `sqlite://…` or `postgres://…`; empty: `relance.db` next to the config file.
    pub database_url: Option<SecretUrl>,
    pub digest: DigestConfig,
    pub company: Company,
    pub policy: Policy,
    /// A folder of templates overriding the built-in ones, name by name.
    pub templates_dir: Option<PathBuf>,
    /// The team: names, roles and platform accounts.
    pub people: Vec<Person>,
    /// Four eyes, veto and snooze lengths, strategic cut-off.
    pub decisions: DecisionRules,
    pub server: ServerSettings,
    pub slack: SlackSettings,
    pub discord: DiscordSettings,
    pub teams: TeamsSettings,
    /// When approved messages leave, how failures are retried.
    pub sending: SendingConfig,
    /// The SMTP server and the sender's addresses.
    pub mail: MailSettings,
    /// The SMS provider's account.
    pub sms: SmsConfig,
}

/// The morning digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DigestConfig {
    /// The finance team's language.
    pub language: Language,
    /// When the digest is posted: a cron expression (sec min hour day month weekday), in `timezone`.
    pub schedule: String,
    /// Older ledger data than this is flagged, and approvals are held.
    pub max_ledger_age_hours: u32,
}

impl Default for DigestConfig {
    fn default() -> Self {
        Self { language: Language::Fr, schedule: "0 30 8 * * Mon-Fri".into(), max_ledger_age_hours: 24 }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            timezone: "Europe/Paris".into(),
            database_url: None,
            digest: DigestConfig::default(),
            company: Company::default(),
            policy: Policy::default(),
            templates_dir: None,
            people: Vec::new(),
            decisions: DecisionRules::default(),
            server: ServerSettings::default(),
            slack: SlackSettings::default(),
            discord: DiscordSettings::default(),
            teams: TeamsSettings::default(),
            sending: SendingConfig::default(),
            mail: MailSettings::default(),
            sms: SmsConfig::default(),
        }
    }
}

/// A database URL whose password never reaches a log or a `Debug` print.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct SecretUrl(pub String);

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", crate::store::redact(&self.0))
    }
}

/// Ids and codes read from the environment: `${DISCORD_CHANNEL_ID}` holds a
/// snowflake (`80351110224678912`) that YAML would read as a number, and a
/// sign-in code may be all digits. These fields take either, as text.
pub mod lenient {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Str(String),
        Unsigned(u64),
        Int(i64),
        Float(f64),
        Bool(bool),
    }

    impl Text {
        fn into_string(self) -> String {
            match self {
                Text::Str(s) => s,
                Text::Unsigned(u) => u.to_string(),
                Text::Int(i) => i.to_string(),
                Text::Float(f) => f.to_string(),
                Text::Bool(b) => b.to_string(),
            }
        }
    }

    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(Text::deserialize(d)?.into_string())
    }

    pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(Option::<Text>::deserialize(d)?.map(Text::into_string))
    }
}

/// A configuration that failed to load: where, and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub message: String,
}

/// A loaded, validated configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub tz: Tz,
    pub path: PathBuf,
}

impl Loaded {
    /// A path from the configuration, relative to the config file's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        dir.join(path)
    }

    /// The database URL: the configured one, or `relance.db` beside the config file.
    pub fn database_url(&self) -> String {
        match &self.config.database_url {
            Some(url) => url.0.clone(),
            None => {
                let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
                format!("sqlite://{}", dir.join("relance.db").display())
            }
        }
    }
}

/// Reads and validates a configuration file. `env` looks variables up (the
/// process environment in production, a map in tests).
pub fn load(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Loaded, ConfigError> {
    let fail = |message: String| ConfigError { file: path.display().to_string(), message };
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let config = parse(&text, env).map_err(fail)?;
    let tz = Tz::from_str(&config.timezone)
        .map_err(|_| fail(format!("timezone: {:?} is not an IANA timezone (e.g. Europe/Paris)", config.timezone)))?;
    Ok(Loaded { config, tz, path: path.to_path_buf() })
}

/// Parses the YAML text, interpolates `${VAR}`, deserializes and validates.
pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, String> {
    let mut value: Value = serde_yaml_ng::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
    if value.is_null() {
        value = Value::Mapping(Default::default());
    }
    interpolate(&mut value, "", env)?;
    let mut config: Config = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            inner.to_string()
        } else {
            format!("{path}: {inner}")
        }
    })?;
    if config.database_url.as_ref().is_some_and(|u| u.0.trim().is_empty()) {
        config.database_url = None;
    }
    if config.mail.smtp_url().is_none() {
        config.mail.smtp_url = None;
    }
    config.policy.language = config.digest.language;
    validate(&config)?;
    Ok(config)
}

fn validate(config: &Config) -> Result<(), String> {
    Tz::from_str(&config.timezone)
        .map_err(|_| format!("timezone: {:?} is not an IANA timezone (e.g. Europe/Paris)", config.timezone))?;
    cron::Schedule::from_str(&config.digest.schedule).map_err(|e| {
        format!(
            "digest.schedule: {:?} is not a cron expression (sec min hour day month weekday, e.g. \"0 30 8 * * Mon-Fri\"): {e}",
            config.digest.schedule
        )
    })?;
    config.policy.validate()?;
    validate_people(&config.people)?;
    config.sms.settings()?;
    validate_sending(&config.sending)?;
    config.discord.validate()?;
    config.teams.outgoing_key()?;
    config.company.validate().map_err(|e| format!("company.{e}"))
}

/// Numbers serde accepts but the sender cannot work with.
fn validate_sending(s: &SendingConfig) -> Result<(), String> {
    let positive = [
        ("batch", s.batch),
        ("concurrency", s.concurrency),
        ("lease_seconds", s.lease_seconds),
        ("poll_seconds", s.poll_seconds),
        ("retry.max_attempts", s.retry.max_attempts),
    ];
    match positive.iter().find(|(_, v)| *v == 0) {
        Some((key, _)) => Err(format!("sending.{key}: must be at least 1")),
        None => Ok(()),
    }
}

/// Every person has a name, and no platform account or name is claimed twice
/// (a click must designate one person).
fn validate_people(people: &[Person]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for (i, person) in people.iter().enumerate() {
        if person.name.trim().is_empty() {
            return Err(format!("people[{i}].name: every person needs a name"));
        }
        let keys = [
            ("name", Some(person.name.trim().to_lowercase())),
            ("slack", person.slack.clone()),
            ("discord", person.discord.clone()),
            ("teams", person.teams.clone()),
            ("email", person.email.as_ref().map(|e| e.trim().to_lowercase())),
        ];
        for (field, value) in keys {
            if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
                if !seen.insert((field, value.clone())) {
                    return Err(format!("people[{i}].{field}: {value:?} is already given to another person"));
                }
            }
        }
        if person.role == Role::Finance && person.code.as_deref().is_some_and(|c| c.trim().len() < 4) {
            return Err(format!("people[{i}].code: a sign-in code needs at least 4 characters"));
        }
    }
    Ok(())
}

/// Replaces `${VAR}` and `${VAR:-default}` in every string value, in place.
/// A value that is one whole `${…}` is re-read as YAML, so `cooldown_days:
/// ${COOLDOWN:-7}` is a number.
fn interpolate(value: &mut Value, path: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
    match value {
        Value::String(text) => {
            let replaced = expand(text, env).map_err(|e| format!("{}: {e}", display_path(path)))?;
            let whole = text.trim().starts_with("${") && text.trim().ends_with('}') && text.matches("${").count() == 1;
            *value = match serde_yaml_ng::from_str::<Value>(&replaced) {
                Ok(scalar @ (Value::Number(_) | Value::Bool(_))) if whole && !phone_like(&replaced) => scalar,
                _ => Value::String(replaced),
            };
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                interpolate(item, &format!("{path}[{i}]"), env)?;
            }
        }
        Value::Mapping(map) => {
            for (key, item) in map.iter_mut() {
                let key = key.as_str().map(str::to_string).unwrap_or_else(|| format!("{key:?}"));
                let child = if path.is_empty() { key } else { format!("{path}.{key}") };
                interpolate(item, &child, env)?;
            }
            // `siren: ${COMPANY_SIREN:-}` with the variable unset means "no SIREN":
            // a key whose value is empty is as if it were not written.
            map.retain(|_, item| !matches!(item, Value::String(s) if s.trim().is_empty()));
        }
        Value::Tagged(tagged) => interpolate(&mut tagged.value, path, env)?,
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

/// `+33612345678` or `0612345678`: YAML reads them as numbers and would
/// drop the `+` or the leading zero, so they stay text.
fn phone_like(text: &str) -> bool {
    let text = text.trim();
    text.starts_with('+') || (text.len() > 1 && text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit()))
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "(top level)"
    } else {
        path
    }
}

/// Expands the `${…}` references of one string. `$$` stands for a literal `$`.
fn expand(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').ok_or_else(|| format!("unclosed ${{ in {text:?}"))?;
            out.push_str(&lookup(&body[..end], env)?);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn lookup(reference: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let (name, default) = match reference.split_once(":-") {
        Some((name, default)) => (name, Some(default)),
        None => (reference, None),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("${{{reference}}}: {name:?} is not an environment variable name"));
    }
    match (env(name).filter(|v| !v.is_empty()), default) {
        (Some(value), _) => Ok(value),
        (None, Some(default)) => Ok(default.to_string()),
        (None, None) => {
            Err(format!("environment variable {name} is not set (write ${{{name}:-default}} for an optional one)"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The sender's details every message needs, for tests about other sections.
    const COMPANY: &str =
        "company: { name: Atelier SAS, contact_name: Claire, contact_email: compta@atelier.fr, sms_sender: Atelier }\n";

    fn with_company(text: &str) -> String {
        format!("{COMPANY}{text}")
    }

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_shipped_configuration_loads() {
        let text = SHIPPED;
        let config = parse(text, &env(&[])).expect("bot-config.yaml must load with no environment");
        assert_eq!(config.policy.cooldown_days, 7);
        assert_eq!(config.policy.stages.len(), 5);
        assert!(config.database_url.is_none());
    }

    #[test]
    fn variables_are_interpolated_with_defaults_and_retyped() {
        let text = "database_url: ${DB}\npolicy:\n  cooldown_days: ${COOLDOWN:-9}\n";
        let config = parse(&with_company(text), &env(&[("DB", "postgres://u:pw@h/db")])).unwrap();
        assert_eq!(config.policy.cooldown_days, 9);
        assert_eq!(config.database_url.as_ref().unwrap().0, "postgres://u:pw@h/db");
        assert!(!format!("{config:?}").contains("pw"), "the password must not appear in Debug output");
    }

    #[test]
    fn phone_numbers_from_the_environment_stay_text_and_sending_keys_are_checked() {
        let vars = [("SMS_FROM", "+33700000000"), ("SMS_ACCOUNT_SID", "AC1"), ("SMS_AUTH_TOKEN", "0123")];
        let config = parse(SHIPPED, &env(&vars)).unwrap();
        let sms = config.sms.settings().unwrap().expect("SMS is on");
        assert_eq!((sms.from.as_str(), sms.auth_token.expose()), ("+33700000000", "0123"));
        let err = parse(&with_company("sending:\n  window: \"18:00-09:00\"\n"), &env(&[])).unwrap_err();
        assert!(err.starts_with("sending.window: \"18:00-09:00\" is not a sending window"), "{err}");
        let err = parse(&with_company("sending:\n  batch: 0\n"), &env(&[])).unwrap_err();
        assert_eq!(err, "sending.batch: must be at least 1");
        let err = parse(SHIPPED, &env(&[("SMS_ACCOUNT_SID", "AC1")])).unwrap_err();
        assert!(err.starts_with("sms: auth_token, from missing"), "{err}");
    }

    #[test]
    fn a_missing_variable_names_the_key_and_the_variable() {
        let err = parse("company:\n  name: ${COMPANY_NAME}\n", &env(&[])).unwrap_err();
        assert!(err.starts_with("company.name: environment variable COMPANY_NAME is not set"), "{err}");
    }

    #[test]
    fn a_wrong_value_names_its_key_path_and_what_is_expected() {
        let text = "policy:\n  stages:\n    - { stage: first, offset_days: 5, channels: [email], tone: harsh }\n";
        let err = parse(text, &env(&[])).unwrap_err();
        assert!(err.starts_with("policy.stages[0].tone: unknown variant `harsh`"), "{err}");
        assert!(err.contains("friendly"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let err = parse("policy:\n  cooldown: 7\n", &env(&[])).unwrap_err();
        assert!(err.starts_with("policy.cooldown: unknown field `cooldown`, expected one of"), "{err}");
    }

    #[test]
    fn semantic_errors_name_the_key() {
        let err = parse("digest:\n  schedule: every morning\n", &env(&[])).unwrap_err();
        assert!(err.starts_with("digest.schedule:"), "{err}");
        let err = parse("timezone: Paris/France\n", &env(&[])).unwrap_err();
        assert!(err.starts_with("timezone:"), "{err}");
        let text = "policy:\n  stages:\n    - { stage: second, offset_days: 15, channels: [email], tone: firm }\n    - { stage: first, offset_days: 5, channels: [email], tone: courteous }\n";
        let err = parse(text, &env(&[])).unwrap_err();
        assert!(err.starts_with("policy.stages[1]:"), "{err}");
    }

    #[test]
    fn call_steps_are_configured_per_segment_and_checked() {
        let text = "policy:\n  calls:\n    strategic: { offset_days: [3, 20], caller: finance }\n";
        let config = parse(&with_company(text), &env(&[])).unwrap();
        let calls = &config.policy.calls;
        assert_eq!(
            (calls.standard.offset_days.as_slice(), calls.strategic.offset_days.as_slice()),
            (&[10][..], &[3, 20][..])
        );
        assert_eq!(calls.caller_role(crate::domain::Segment::Strategic), crate::policy::calls::CallerRole::Finance);
        assert_eq!(calls.max_call_attempts, 2);
        let err =
            parse(&with_company("policy:\n  calls:\n    standard: { offset_days: [10, 8] }\n"), &env(&[])).unwrap_err();
        assert!(err.starts_with("policy.calls.standard.offset_days[1]: offsets must climb"), "{err}");
        let err = parse(&with_company("policy:\n  calls:\n    max_call_attempts: 0\n"), &env(&[])).unwrap_err();
        assert_eq!(err, "policy.calls.max_call_attempts: must be at least 1");
    }

    #[test]
    fn decimals_from_yaml_are_exact() {
        let config = parse(&with_company("policy:\n  min_amount: 12.15\n"), &env(&[])).unwrap();
        assert_eq!(config.policy.min_amount.to_string(), "12.15");
    }

    #[test]
    fn the_default_database_sits_next_to_the_config_file() {
        let loaded = Loaded {
            config: Config::default(),
            tz: chrono_tz::Europe::Paris,
            path: "/etc/relance/bot-config.yaml".into(),
        };
        assert_eq!(loaded.database_url(), "sqlite:///etc/relance/relance.db");
    }

    #[test]
    fn numeric_ids_and_codes_from_the_environment_stay_text() {
        let text = with_company(
            "people:\n  - { name: Claire, role: finance, discord: \"${D_ID}\", code: \"${CODE}\" }\ndiscord:\n  channel_id: ${CHAN}\n",
        );
        let config =
            parse(&text, &env(&[("D_ID", "80351110224678912"), ("CODE", "004821"), ("CHAN", "1234567890123")]))
                .unwrap();
        assert_eq!(config.people[0].discord.as_deref(), Some("80351110224678912"));
        assert_eq!(config.people[0].code.as_deref(), Some("004821"));
        assert_eq!(config.discord.channel_id.as_deref(), Some("1234567890123"));
    }

    #[test]
    fn a_platform_account_given_twice_is_refused() {
        let text = with_company("people:\n  - { name: A, slack: U1 }\n  - { name: B, slack: U1 }\n");
        let err = parse(&text, &env(&[])).unwrap_err();
        assert!(err.contains("people[1].slack"), "{err}");
    }
}
