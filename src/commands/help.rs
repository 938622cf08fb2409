//! `/relance help`, and the usage shown after a mistyped command.

use super::{Reply, Section, UsageError};
use crate::domain::Language;

/// One line per sub-command: its usage and what it does.
fn usages(lang: Language) -> Vec<(&'static str, &'static str)> {
    match lang {
        Language::Fr => vec![
            ("status", "status <client> — tout sur un client (id, SIREN ou nom ; fautes de frappe tolérées)"),
            ("pause", "pause <client> <jours|date> [motif] — plus de relance jusqu'à la date (15/12, 15/12/2026, 2026-12-15) ou pendant N jours"),
            ("resume", "resume <client> — lève la pause"),
            ("promise", "promise <facture> <date> — promesse de paiement : pas de relance avant la date ; signalée dans le digest si elle n'est pas tenue"),
            ("dispute", "dispute <facture> <motif> — litige : plus de relance sur la facture, signalé dans le digest jusqu'à sa résolution"),
            ("resolve", "resolve <facture> — litige réglé (lève aussi promesse et pause de la facture)"),
            ("echeancier", "echeancier <facture|client> <n> [première date] [hebdo] — propose un échéancier de n mensualités, ou hebdomadaire (finance ou commercial du client) ; echeancier approve|reject <n°> : la finance décide"),
            ("digest", "digest — publie à nouveau le digest du jour (finance)"),
            ("help", "help — cette aide"),
        ],
        Language::En => vec![
            ("status", "status <client> — everything about a client (id, SIREN or name; typos forgiven)"),
            ("pause", "pause <client> <days|date> [reason] — no reminder until the date (15/12, 15/12/2026, 2026-12-15) or for N days"),
            ("resume", "resume <client> — lifts the pause"),
            ("promise", "promise <invoice> <date> — a promise to pay: no reminder before the date; flagged in the digest if broken"),
            ("dispute", "dispute <invoice> <reason> — a dispute: no reminder on the invoice, listed in the digest until resolved"),
            ("resolve", "resolve <invoice> — the dispute is settled (also lifts the invoice's promise and pause)"),
            ("echeancier", "echeancier <invoice|client> <n> [first date] [weekly] — proposes a plan of n monthly instalments, or weekly (finance or the client's sales rep); echeancier approve|reject <id>: finance decides"),
            ("digest", "digest — posts today's digest again (finance)"),
            ("help", "help — this help"),
        ],
    }
}

pub fn help(lang: Language, public: bool) -> Reply {
    let fr = lang == Language::Fr;
    let mut lines: Vec<String> = usages(lang).into_iter().map(|(_, usage)| format!("/relance {usage}")).collect();
    lines.push(
        if fr {
            "Ajoutez --public pour que la réponse soit visible de tout le canal. status et help : toute l'équipe ; pause, resume, promise, dispute, resolve, echeancier : la finance et le commercial du client ; digest et décision d'un échéancier : la finance."
        } else {
            "Add --public to show the answer to the whole channel. status and help: the whole team; pause, resume, promise, dispute, resolve, echeancier: finance and the client's sales rep; digest and deciding a plan: finance."
        }
        .to_string(),
    );
    Reply {
        public,
        title: if fr { "Commandes /relance" } else { "/relance commands" }.to_string(),
        sections: vec![Section { heading: None, lines }],
        choices: Vec::new(),
    }
}

/// What was wrong, and the usage of the sub-command (or all of them).
pub fn usage(error: &UsageError, lang: Language) -> Reply {
    let lines: Vec<String> = usages(lang)
        .into_iter()
        .filter(|(name, _)| error.command().is_none_or(|c| c == *name))
        .map(|(_, usage)| format!("/relance {usage}"))
        .collect();
    Reply {
        public: false,
        title: error.text(lang),
        sections: vec![Section { heading: Some("Usage".into()), lines }],
        choices: Vec::new(),
    }
}
