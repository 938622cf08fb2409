//! The `/relance` application command as Discord registers it: one command,
//! a sub-command per verb of `crate::commands`, each with a `public` flag.
//!
//! Why it is shaped this way:
//! - **One table, two uses.** [`SUB_COMMANDS`] builds the JSON `relance
//!   discord register` sends, and tells [`command_text`] in which order to
//!   put the values a user filled in: Discord sends options in the order they
//!   were typed, while the core reads `pause <client> <days|date> [reason]`
//!   by position.
//! - **English names, French descriptions.** Names stay the words the core
//!   parses (the same on Slack and Teams, where people type them), so they
//!   are not localized; descriptions are shown in French to French clients
//!   (`description_localizations.fr`), in English to everyone else.
//! - **Plain JSON** like every other Discord body here (`digest::discord`),
//!   sent as is by `DiscordApi::put_commands`.

use serde_json::{json, Map, Value};

/// The command's name: `/relance`.
pub const COMMAND_NAME: &str = "relance";
/// The option that makes an answer visible to the whole channel.
pub const PUBLIC_OPTION: &str = "public";
/// The option whose value Discord autocompletes from the client list.
pub const CLIENT_OPTION: &str = "client";

/// Discord's option types (application-commands, "Application Command Option Type").
const SUB_COMMAND: u8 = 1;
const STRING: u8 = 3;
const BOOLEAN: u8 = 5;
/// CHAT_INPUT: a slash command.
const CHAT_INPUT: u8 = 1;

/// A sub-command's option: a string the user types (or picks, for `client`).
pub struct OptionSpec {
    pub name: &'static str,
    pub en: &'static str,
    pub fr: &'static str,
    pub required: bool,
    /// The values offered in a list (value, English name, French name);
    /// empty: free text.
    pub choices: &'static [(&'static str, &'static str, &'static str)],
}

/// A verb of `/relance`, with its options in the order the core reads them.
pub struct SubCommand {
    pub name: &'static str,
    pub en: &'static str,
    pub fr: &'static str,
    pub options: &'static [OptionSpec],
}

const CLIENT: OptionSpec = OptionSpec {
    name: CLIENT_OPTION,
    en: "Client id, SIREN or name",
    fr: "Identifiant, SIREN ou nom du client",
    required: true,
    choices: &[],
};
const INVOICE: OptionSpec =
    OptionSpec { name: "invoice", en: "Invoice number", fr: "Numéro de facture", required: true, choices: &[] };

/// Every sub-command, in the order Discord lists them.
pub const SUB_COMMANDS: &[SubCommand] = &[
    SubCommand {
        name: "status",
        en: "Everything about a client: invoices, score, reminders, next step",
        fr: "Tout sur un client : factures, score, relances, prochaine étape",
        options: &[CLIENT],
    },
    SubCommand {
        name: "pause",
        en: "Stop reminders to a client for some days or until a date",
        fr: "Suspendre les relances d'un client quelques jours ou jusqu'à une date",
        options: &[
            CLIENT,
            OptionSpec {
                name: "days-or-date",
                en: "Days (10) or a date (2026-04-15)",
                fr: "Nombre de jours (10) ou date (2026-04-15)",
                required: true,
                choices: &[],
            },
            OptionSpec {
                name: "reason",
                en: "Why (shown in the digest)",
                fr: "Motif (visible dans le digest)",
                required: false,
                choices: &[],
            },
        ],
    },
    SubCommand {
        name: "resume",
        en: "Lift a client's pause",
        fr: "Lever la suspension d'un client",
        options: &[CLIENT],
    },
    SubCommand {
        name: "promise",
        en: "Record a promise to pay an invoice by a date",
        fr: "Noter une promesse de paiement d'une facture à une date",
        options: &[
            INVOICE,
            OptionSpec {
                name: "date",
                en: "Promised date (2026-04-15)",
                fr: "Date promise (2026-04-15)",
                required: true,
                choices: &[],
            },
        ],
    },
    SubCommand {
        name: "dispute",
        en: "Record a dispute on an invoice: no reminder until resolved",
        fr: "Noter un litige sur une facture : plus de relance jusqu'à sa résolution",
        options: &[
            INVOICE,
            OptionSpec {
                name: "reason",
                en: "What the client disputes",
                fr: "Ce que le client conteste",
                required: true,
                choices: &[],
            },
        ],
    },
    SubCommand {
        name: "resolve",
        en: "Close an invoice's dispute or promise",
        fr: "Clore le litige ou la promesse d'une facture",
        options: &[INVOICE],
    },
    SubCommand {
        name: "digest",
        en: "Post today's digest again (finance)",
        fr: "Publier de nouveau le digest du jour (finance)",
        options: &[],
    },
    SubCommand {
        name: "echeancier",
        en: "Propose an instalment plan for an invoice or a client (finance approves it)",
        fr: "Proposer un échéancier pour une facture ou un client (la finance l'approuve)",
        options: &[
            OptionSpec {
                name: "invoice-or-client",
                en: "Invoice number, or client id, SIREN or name",
                fr: "Numéro de facture, ou identifiant, SIREN ou nom du client",
                required: true,
                choices: &[],
            },
            OptionSpec {
                name: "instalments",
                en: "Number of instalments (1 to 24)",
                fr: "Nombre d'échéances (1 à 24)",
                required: true,
                choices: &[],
            },
            OptionSpec {
                name: "first-date",
                en: "First instalment's date (default: in a week)",
                fr: "Date de la première échéance (par défaut : dans une semaine)",
                required: false,
                choices: &[],
            },
            OptionSpec {
                name: "frequency",
                en: "Monthly (default) or weekly instalments",
                fr: "Échéances mensuelles (par défaut) ou hebdomadaires",
                required: false,
                choices: &[("monthly", "monthly", "mensuelles"), ("weekly", "weekly", "hebdomadaires")],
            },
        ],
    },
    SubCommand { name: "help", en: "How to use /relance", fr: "Utiliser /relance", options: &[] },
];

/// The sub-command named `name`.
pub fn sub_command(name: &str) -> Option<&'static SubCommand> {
    SUB_COMMANDS.iter().find(|s| s.name == name)
}

/// The body of `PUT /applications/{id}/commands` (or the guild's): the whole
/// list of the application's commands, which replaces what was registered.
pub fn command_definitions() -> Value {
    let sub_commands: Vec<Value> = SUB_COMMANDS.iter().map(sub_command_json).collect();
    json!([{
        "name": COMMAND_NAME,
        "type": CHAT_INPUT,
        "description": "Unpaid invoices: ask about a client, record a promise, a dispute, a pause",
        "description_localizations": { "fr": "Impayés : un client, une promesse, un litige, une pause" },
        "options": sub_commands,
    }])
}

fn sub_command_json(sub: &SubCommand) -> Value {
    let mut options: Vec<Value> = sub.options.iter().map(option_json).collect();
    options.push(json!({
        "type": BOOLEAN,
        "name": PUBLIC_OPTION,
        "description": "Show the answer to the whole channel (default: only you)",
        "description_localizations": { "fr": "Montrer la réponse à tout le salon (par défaut : à vous seul)" },
        "required": false,
    }));
    json!({
        "type": SUB_COMMAND,
        "name": sub.name,
        "description": sub.en,
        "description_localizations": { "fr": sub.fr },
        "options": options,
    })
}

fn option_json(option: &OptionSpec) -> Value {
    let mut json = Map::new();
    json.insert("type".into(), json!(STRING));
    json.insert("name".into(), json!(option.name));
    json.insert("description".into(), json!(option.en));
    json.insert("description_localizations".into(), json!({ "fr": option.fr }));
    json.insert("required".into(), json!(option.required));
    if option.name == CLIENT_OPTION {
        json.insert("autocomplete".into(), json!(true));
    }
    if !option.choices.is_empty() {
        let choices: Vec<Value> = option
            .choices
            .iter()
            .map(|(value, en, fr)| json!({ "name": en, "name_localizations": { "fr": fr }, "value": value }))
            .collect();
        json.insert("choices".into(), Value::Array(choices));
    }
    Value::Object(json)
}

/// The text the core reads for a sub-command and the values the user gave
/// (by option name): the verb, then the values in the definition's order,
/// then `--public` when asked. Unknown options are ignored.
pub fn command_text(sub: &SubCommand, values: &[(String, String)], public: bool) -> String {
    let mut words = vec![sub.name.to_string()];
    for option in sub.options {
        if let Some((_, value)) = values.iter().find(|(name, _)| name == option.name) {
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
            if !value.is_empty() {
                words.push(value);
            }
        }
    }
    if public {
        words.push("--public".into());
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Discord's rules for CHAT_INPUT names: 1–32 characters, lowercase,
    /// letters, digits, `-` and `_`.
    fn valid_name(name: &str) -> bool {
        let chars = name.chars().count();
        (1..=32).contains(&chars)
            && name.chars().all(|c| c.is_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    }

    fn check_described(item: &Value, path: &str) {
        let name = item["name"].as_str().unwrap();
        assert!(valid_name(name), "{path}: name {name:?}");
        for description in [&item["description"], &item["description_localizations"]["fr"]] {
            let text = description.as_str().unwrap_or_else(|| panic!("{path}: description missing"));
            assert!((1..=100).contains(&text.chars().count()), "{path}: description {text:?} over 100");
        }
    }

    #[test]
    fn the_definition_is_one_command_within_discords_limits() {
        let definitions = command_definitions();
        let commands = definitions.as_array().unwrap();
        assert_eq!(commands.len(), 1);
        let relance = &commands[0];
        check_described(relance, "relance");
        assert_eq!(relance["name"], "relance");
        let subs = relance["options"].as_array().unwrap();
        assert!(subs.len() <= 25);
        let names: Vec<&str> = subs.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            ["status", "pause", "resume", "promise", "dispute", "resolve", "digest", "echeancier", "help"]
        );
        for sub in subs {
            let path = format!("relance {}", sub["name"]);
            check_described(sub, &path);
            assert_eq!(sub["type"], 1, "{path}");
            let options = sub["options"].as_array().unwrap();
            assert!(options.len() <= 25, "{path}");
            for option in options {
                check_described(option, &format!("{path} {}", option["name"]));
            }
            // Discord refuses a required option after an optional one.
            let required: Vec<bool> = options.iter().map(|o| o["required"].as_bool().unwrap()).collect();
            assert!(required.windows(2).all(|w| w[0] || !w[1]), "{path}: {required:?}");
            let last = options.last().unwrap();
            assert_eq!((last["name"].as_str(), last["type"].as_u64()), (Some("public"), Some(5)), "{path}");
        }
    }

    #[test]
    fn only_client_options_autocomplete() {
        let definitions = command_definitions();
        let options =
            definitions[0]["options"].as_array().unwrap().iter().flat_map(|s| s["options"].as_array().unwrap());
        for option in options {
            assert_eq!(option.get("autocomplete").is_some(), option["name"] == "client", "{option}");
        }
    }

    #[test]
    fn values_are_put_in_the_order_the_core_reads_them() {
        let pause = sub_command("pause").unwrap();
        let typed = [
            ("reason".to_string(), "client en  négociation".to_string()),
            ("client".to_string(), "Acme Industries".to_string()),
            ("days-or-date".to_string(), "10".to_string()),
        ];
        assert_eq!(command_text(pause, &typed, false), "pause Acme Industries 10 client en négociation");
        let status = sub_command("status").unwrap();
        assert_eq!(command_text(status, &[("client".into(), "ACME".into())], true), "status ACME --public");
        assert_eq!(command_text(sub_command("help").unwrap(), &[("other".into(), "x".into())], false), "help");
        let plan = sub_command("echeancier").unwrap();
        let typed = [
            ("first-date".into(), "15/04".into()),
            ("instalments".into(), "3".into()),
            ("invoice-or-client".into(), "Garage Martin".into()),
        ];
        assert_eq!(command_text(plan, &typed, false), "echeancier Garage Martin 3 15/04");
        let weekly = [
            ("frequency".into(), "weekly".into()),
            ("instalments".into(), "6".into()),
            ("invoice-or-client".into(), "F-1".into()),
        ];
        assert_eq!(command_text(plan, &weekly, false), "echeancier F-1 6 weekly");
        let choices = &command_definitions()[0]["options"][7]["options"][3]["choices"];
        assert_eq!(
            choices[1],
            json!({ "name": "weekly", "name_localizations": { "fr": "hebdomadaires" }, "value": "weekly" })
        );
        assert!(sub_command("delete").is_none());
    }
}
