//! `people:` in `bot-config.yaml`: who may decide what, and how each person is
//! known on each platform.
//!
//! Any member of a channel can click a button, so a click proves only which
//! platform account clicked. Roles turn that account into a permission: the
//! finance team decides everything, a sales rep protects their own clients
//! (veto, soften, snooze), everyone else may look but not touch.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Every decision, on every client, and "send anyway".
    Finance,
    /// Veto, soften or snooze the clients they own.
    Sales,
    /// Reads the digest and the status; changes nothing.
    #[default]
    Viewer,
}

/// Where a decision came from: a chat platform, or a signed link opened in a
/// browser (Teams cards, Discord webhook messages, the local `/digest` page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Slack,
    Discord,
    Teams,
    Web,
}

impl Platform {
    pub const ALL: [Platform; 4] = [Platform::Slack, Platform::Discord, Platform::Teams, Platform::Web];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Slack => "slack",
            Platform::Discord => "discord",
            Platform::Teams => "teams",
            Platform::Web => "web",
        }
    }

    pub fn parse(text: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One person of the team.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Person {
    /// Shown in decisions ("✅ Approuvé par Claire Martin à 09:12") and
    /// matched against clients' `owner` column.
    pub name: String,
    pub role: Role,
    /// Slack member id (`U024BE7LH`).
    #[serde(deserialize_with = "crate::config::lenient::option")]
    pub slack: Option<String>,
    /// Discord user id (a snowflake, `80351110224678912`).
    #[serde(deserialize_with = "crate::config::lenient::option")]
    pub discord: Option<String>,
    /// Teams user (an e-mail or AAD object id), for the outgoing webhook.
    #[serde(deserialize_with = "crate::config::lenient::option")]
    pub teams: Option<String>,
    #[serde(deserialize_with = "crate::config::lenient::option")]
    pub email: Option<String>,
    /// The personal code this person types on a decision link's confirmation
    /// page to say who they are. Read from the environment
    /// (`code: ${RELANCE_CODE_CLAIRE}`); never logged. No code: this person
    /// decides from Slack or Discord only.
    #[serde(deserialize_with = "crate::config::lenient::option")]
    pub code: Option<String>,
}

impl fmt::Debug for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Person")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("slack", &self.slack)
            .field("discord", &self.discord)
            .field("teams", &self.teams)
            .field("email", &self.email)
            .field("code", &self.code.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Person {
    /// This person's account id on `platform`, if they have one there.
    pub fn id_on(&self, platform: Platform) -> Option<&str> {
        match platform {
            Platform::Slack => self.slack.as_deref(),
            Platform::Discord => self.discord.as_deref(),
            Platform::Teams => self.teams.as_deref(),
            Platform::Web => self.email.as_deref(),
        }
    }

    /// Whether a client's `owner` cell designates this person: their name,
    /// e-mail or any platform id, ignoring case, spaces and a leading `@`.
    pub fn owns(&self, owner: Option<&str>) -> bool {
        let Some(owner) = owner.map(normalize).filter(|o| !o.is_empty()) else {
            return false;
        };
        let mine = [Some(self.name.as_str()), self.email.as_deref(), self.slack.as_deref(), self.discord.as_deref()];
        mine.into_iter().flatten().any(|value| normalize(value) == owner)
    }
}

impl Person {
    /// Whether this person may pause a client, or record a promise or a
    /// dispute on its invoices: finance on every client, a sales rep on the
    /// clients whose `owner` cell designates them.
    pub fn may_hold(&self, owner: Option<&str>) -> bool {
        match self.role {
            Role::Finance => true,
            Role::Sales => self.owns(owner),
            Role::Viewer => false,
        }
    }
}

fn normalize(text: &str) -> String {
    text.trim().trim_start_matches('@').trim().to_lowercase()
}

/// The team, as configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People<'a>(pub &'a [Person]);

impl<'a> People<'a> {
    /// The person behind an account on a platform.
    pub fn find(&self, platform: Platform, account: &str) -> Option<&'a Person> {
        let account = account.trim();
        if account.is_empty() {
            return None;
        }
        self.0.iter().find(|p| p.id_on(platform).is_some_and(|id| id.trim().eq_ignore_ascii_case(account)))
    }

    /// The person a client's `owner` cell designates.
    pub fn owner(&self, owner: Option<&str>) -> Option<&'a Person> {
        self.0.iter().find(|p| p.owns(owner))
    }

    /// The person whose name or e-mail is `who` and whose code is `code`,
    /// compared in constant time so a wrong code reveals nothing.
    pub fn sign_in(&self, who: &str, code: &str) -> Option<&'a Person> {
        let who = normalize(who);
        let person = self
            .0
            .iter()
            .find(|p| normalize(&p.name) == who || p.email.as_deref().is_some_and(|e| normalize(e) == who))?;
        let expected = person.code.as_deref().filter(|c| !c.is_empty())?;
        constant_time_eq(expected.as_bytes(), code.trim().as_bytes()).then_some(person)
    }
}

/// Compares two secrets without an early exit on the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use hmac::{Hmac, Mac};
    // Comparing MACs of both sides makes the comparison independent of length
    // and content; `verify_slice` is constant-time.
    let mac = |data: &[u8]| {
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(b"relance/code-compare").expect("any key length");
        m.update(data);
        m
    };
    let tag = mac(a).finalize().into_bytes();
    mac(b).verify_slice(&tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claire() -> Person {
        Person {
            name: "Claire Martin".into(),
            role: Role::Finance,
            slack: Some("U01CLAIRE".into()),
            discord: Some("80351110224678912".into()),
            email: Some("claire@atelier.fr".into()),
            code: Some("4821".into()),
            ..Person::default()
        }
    }

    fn julie() -> Person {
        Person { name: "Julie Roux".into(), role: Role::Sales, slack: Some("U02JULIE".into()), ..Person::default() }
    }

    #[test]
    fn a_platform_account_finds_its_person() {
        let team = [claire(), julie()];
        let people = People(&team);
        assert_eq!(people.find(Platform::Slack, "U02JULIE").map(|p| p.name.as_str()), Some("Julie Roux"));
        assert_eq!(people.find(Platform::Discord, "80351110224678912").map(|p| p.role), Some(Role::Finance));
        assert!(people.find(Platform::Slack, "U999").is_none());
        assert!(people.find(Platform::Discord, "U02JULIE").is_none(), "ids are per platform");
        assert!(people.find(Platform::Slack, "").is_none());
    }

    #[test]
    fn owners_are_matched_by_name_email_or_handle() {
        let julie = julie();
        assert!(julie.owns(Some("julie roux")));
        assert!(julie.owns(Some("@U02JULIE")));
        assert!(!julie.owns(Some("Julie")));
        assert!(!julie.owns(None));
        assert!(!julie.owns(Some("  ")));
    }

    #[test]
    fn finance_holds_any_client_a_sales_rep_only_their_own() {
        assert!(claire().may_hold(None));
        assert!(julie().may_hold(Some("Julie Roux")));
        assert!(!julie().may_hold(Some("Claire Martin")));
        let viewer = Person { name: "Paul".into(), ..Person::default() };
        assert!(!viewer.may_hold(Some("Paul")));
    }

    #[test]
    fn sign_in_needs_the_right_code() {
        let team = [claire(), julie()];
        let people = People(&team);
        assert_eq!(people.sign_in("claire@atelier.fr", "4821").map(|p| p.name.as_str()), Some("Claire Martin"));
        assert_eq!(people.sign_in("Claire Martin", " 4821 ").map(|p| p.role), Some(Role::Finance));
        assert!(people.sign_in("Claire Martin", "4822").is_none());
        assert!(people.sign_in("Julie Roux", "").is_none(), "no code configured: no sign-in");
    }

    #[test]
    fn codes_never_reach_a_debug_print() {
        assert!(!format!("{:?}", claire()).contains("4821"));
    }
}
