//! `relance config check`: what can be checked without sending anything.
//!
//! The configuration loads (the loader checks keys, addresses, IBAN, BIC),
//! the templates compile, and every template states the mandatory mentions
//! in every case (`mail::mentions`). A mistake is found here, before the
//! morning's reminders, not in a client's inbox. No database is opened.

use super::{app, plan, Cli, UserError};
use crate::config::Config;
use crate::mail::check_templates;

/// Prints `ok`, or every problem (one a line) and fails with exit code 2.
pub fn run(cli: &Cli) -> anyhow::Result<()> {
    let loaded = app::load_config(&cli.config)?;
    let problems = check(&loaded.config)?;
    if problems.is_empty() {
        println!("ok");
        return Ok(());
    }
    for problem in &problems {
        println!("{problem}");
    }
    Err(UserError(format!(
        "{}: {} problem(s) with the mandatory mentions, listed above",
        cli.config.display(),
        problems.len()
    ))
    .into())
}

/// The problems found in a loaded configuration's templates (none: all good).
/// Templates that do not load at all are an error.
pub fn check(config: &Config) -> anyhow::Result<Vec<String>> {
    let templates = plan::templates(config)?;
    Ok(match check_templates(&templates, &config.company) {
        Ok(()) => vec![],
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(templates_dir: Option<&std::path::Path>) -> Config {
        let mut config = crate::config::parse(crate::config::SHIPPED, &|_| None).unwrap();
        config.templates_dir = templates_dir.map(std::path::Path::to_path_buf);
        config
    }

    #[test]
    fn the_shipped_configuration_passes() {
        assert_eq!(check(&config(None)).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_template_without_the_total_is_reported_by_file_language_and_case() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("en")).unwrap();
        let invoices = "{% for inv in invoices %}\n- {{ inv.number }} of {{ inv.issue_date }} ({{ inv.description }}), due {{ inv.due_date }}: {{ inv.amount_due }}\n{% endfor %}\n";
        std::fs::write(dir.path().join("en/_invoices.txt.j2"), invoices).unwrap();
        let problems = check(&config(Some(dir.path()))).unwrap();
        assert!(
            problems.contains(
                &"en/firm.txt.j2 [en, B2B client, first reminder]: missing the total due (\"€8,023.57\")".to_string()
            ),
            "{problems:#?}"
        );
        assert!(problems.iter().all(|p| p.starts_with("en/") && p.contains(".txt.j2")), "{problems:#?}");
    }

    #[test]
    fn a_missing_templates_dir_is_an_error() {
        let err = check(&config(Some(std::path::Path::new("/nonexistent/templates")))).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/templates"), "{err}");
    }
}
