//! The letter's blocks as text: sender, recipient, place and date, mention,
//! subject and body, in the client's language.
//!
//! The body comes from the `formal` template through `render_message`, so
//! the letter and the digest preview say the same thing and a company's own
//! wording applies to both. That template also prints a plain-text head
//! (sender, client, date, mention, subject) for an e-mail copy; the PDF sets
//! those itself, at the places a window envelope and a French reader expect,
//! so the body starts after the template's subject line.

use crate::domain::{Language, Siren};
use crate::render::format::date_long;
use crate::render::{Company, Message};
use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

/// Company name, address lines, and the SIREN (grouped `732 829 320`).
pub(crate) fn sender_lines(company: &Company) -> Vec<String> {
    let mut lines = vec![company.name.trim().to_string()];
    lines.extend(address_lines(company.address.as_deref()));
    if let Some(raw) = company.siren.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let siren = Siren::parse(raw).map_or_else(|_| raw.to_string(), |s| group_siren(s.as_str()));
        lines.push(format!("SIREN {siren}"));
    }
    lines
}

/// The client's name, then its postal address when the ledger has one.
pub(crate) fn recipient_lines(client_name: &str, address: Option<&str>) -> Vec<String> {
    let mut lines = vec![client_name.trim().to_string()];
    lines.extend(address_lines(address));
    lines
}

/// Fr `Lyon, le 16 mars 2026`, En `Lyon, 16 March 2026`; without a city in
/// the company's address, Fr `Le 16 mars 2026`, En `16 March 2026`.
pub(crate) fn place_and_date(company: &Company, date: NaiveDate, lang: Language) -> String {
    let long = date_long(date, lang);
    // date_long starts with the weekday, which letters leave out.
    let day_month_year = long.split_once(' ').map_or(long.as_str(), |(_, rest)| rest);
    match (company.address.as_deref().and_then(city), lang) {
        (Some(city), Language::Fr) => format!("{city}, le {day_month_year}"),
        (Some(city), Language::En) => format!("{city}, {day_month_year}"),
        (None, Language::Fr) => format!("Le {day_month_year}"),
        (None, Language::En) => day_month_year.to_string(),
    }
}

/// What the envelope's sender ticks at the post office, printed on the letter too.
pub(crate) fn registered_mention(lang: Language) -> &'static str {
    match lang {
        Language::Fr => "Lettre recommandée avec accusé de réception",
        Language::En => "Registered letter with acknowledgement of receipt",
    }
}

/// Fr `Objet : …`, En `Subject: …`.
pub(crate) fn subject_line(subject: &str, lang: Language) -> String {
    match lang {
        Language::Fr => format!("Objet : {subject}"),
        Language::En => format!("Subject: {subject}"),
    }
}

/// Fr `Page 2/3`, En `Page 2 of 3`.
pub(crate) fn page_label(n: usize, total: usize, lang: Language) -> String {
    match lang {
        Language::Fr => format!("Page {n}/{total}"),
        Language::En => format!("Page {n} of {total}"),
    }
}

/// The body's lines after the template's subject line, without the blank
/// lines in front. A user template that prints no subject line is kept whole.
pub(crate) fn body_lines(message: &Message) -> Vec<String> {
    let subject = message.subject.trim();
    let lines: Vec<&str> = message.body.lines().map(str::trim_end).collect();
    let after_subject = lines.iter().position(|l| !subject.is_empty() && l.ends_with(subject)).map_or(0, |i| i + 1);
    let start = (after_subject..lines.len()).find(|&i| !lines[i].trim().is_empty()).unwrap_or(lines.len());
    lines[start..].iter().map(|l| l.to_string()).collect()
}

/// A file name a person recognises and any file system accepts:
/// `mise-en-demeure-C-7-2026-03-16.pdf`.
pub(crate) fn file_name(client_id: &str, date: NaiveDate) -> String {
    format!("mise-en-demeure-{}-{date}.pdf", slug(client_id))
}

/// ASCII letters, digits, `-` and `_`; accents dropped (`é` → `e`), anything
/// else a single `-`.
fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "client".to_string()
    } else {
        trimmed.to_string()
    }
}

fn is_combining_mark(c: char) -> bool {
    ('\u{300}'..='\u{36F}').contains(&c)
}

fn address_lines(address: Option<&str>) -> Vec<String> {
    address.into_iter().flat_map(str::lines).map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

fn group_siren(digits: &str) -> String {
    format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..])
}

/// The city of a French address: what follows the postcode on the line
/// (or comma-separated part) that starts with one, without `CEDEX`. A city
/// written in capitals, as La Poste asks, is set in ordinary case for the
/// date line (`SAINT-ÉTIENNE` → `Saint-Étienne`).
pub(crate) fn city(address: &str) -> Option<String> {
    address.lines().flat_map(|l| l.split(',')).rev().find_map(|part| {
        let (code, rest) = part.trim().split_once(char::is_whitespace)?;
        if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let name = without_cedex(rest.trim());
        if name.is_empty() {
            return None;
        }
        let shouting = name.chars().any(char::is_alphabetic) && !name.chars().any(char::is_lowercase);
        Some(if shouting { ordinary_case(name) } else { name.to_string() })
    })
}

fn without_cedex(name: &str) -> &str {
    // ASCII lowercasing keeps byte offsets, so they index `name` too.
    let lower = name.to_ascii_lowercase();
    let word_start = |i: usize| i == 0 || lower[..i].ends_with(char::is_whitespace);
    match lower.match_indices("cedex").find(|(i, _)| word_start(*i)) {
        Some((i, _)) => name[..i].trim_end(),
        None => name,
    }
}

/// `BOULOGNE-SUR-MER` → `Boulogne-sur-Mer`, `L'ISLE-D'ABEAU` → `L'Isle-d'Abeau`.
fn ordinary_case(name: &str) -> String {
    const PARTICLES: [&str; 13] = ["de", "du", "des", "d", "la", "le", "les", "l", "en", "sur", "sous", "lès", "et"];
    let is_separator = |c: char| matches!(c, ' ' | '-' | '\'' | '’');
    let mut out = String::with_capacity(name.len());
    for (i, piece) in name.split_inclusive(is_separator).enumerate() {
        let word = piece.trim_end_matches(is_separator);
        let lower = word.to_lowercase();
        if i > 0 && PARTICLES.contains(&lower.as_str()) {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            out.extend(chars.next().into_iter().flat_map(char::to_uppercase));
            out.push_str(chars.as_str());
        }
        out.push_str(&piece[word.len()..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn company(address: Option<&str>) -> Company {
        Company {
            name: "Atelier Dupont SAS".into(),
            siren: Some("732829320".into()),
            address: address.map(String::from),
            ..Company::default()
        }
    }

    #[test]
    fn the_city_is_taken_after_the_postcode() {
        assert_eq!(city("12 rue des Lilas\n69003 Lyon").as_deref(), Some("Lyon"));
        assert_eq!(city("8 avenue Foch, 75008 Paris, France").as_deref(), Some("Paris"));
        assert_eq!(city("Tour Alpha\nCS 30012\n75008 PARIS  CEDEX 08").as_deref(), Some("Paris"));
        assert_eq!(city("1 place Carnot\n42000 SAINT-ÉTIENNE").as_deref(), Some("Saint-Étienne"));
        assert_eq!(city("BP 12\n38080 L'ISLE-D'ABEAU").as_deref(), Some("L'Isle-d'Abeau"));
        assert_eq!(city("62200 BOULOGNE-SUR-MER Cedex").as_deref(), Some("Boulogne-sur-Mer"));
        assert_eq!(city("12 rue des Lilas"), None);
        assert_eq!(city("1000 Bruxelles"), None);
    }

    #[test]
    fn place_and_date_in_the_clients_language() {
        let lyon = company(Some("12 rue des Lilas\n69003 Lyon"));
        assert_eq!(place_and_date(&lyon, d(2026, 3, 16), Language::Fr), "Lyon, le 16 mars 2026");
        assert_eq!(place_and_date(&lyon, d(2026, 4, 1), Language::Fr), "Lyon, le 1er avril 2026");
        assert_eq!(place_and_date(&lyon, d(2026, 3, 16), Language::En), "Lyon, 16 March 2026");
        let nowhere = company(None);
        assert_eq!(place_and_date(&nowhere, d(2026, 3, 16), Language::Fr), "Le 16 mars 2026");
        assert_eq!(place_and_date(&nowhere, d(2026, 3, 16), Language::En), "16 March 2026");
    }

    #[test]
    fn sender_block_groups_a_valid_siren_and_keeps_an_odd_one_as_written() {
        let c = company(Some("12 rue des Lilas\n\n69003 Lyon\n"));
        assert_eq!(sender_lines(&c), ["Atelier Dupont SAS", "12 rue des Lilas", "69003 Lyon", "SIREN 732 829 320"]);
        let c = Company { siren: Some("RCS Lyon 732".into()), address: None, ..c };
        assert_eq!(sender_lines(&c), ["Atelier Dupont SAS", "SIREN RCS Lyon 732"]);
        let c = Company { siren: None, ..c };
        assert_eq!(sender_lines(&c), ["Atelier Dupont SAS"]);
    }

    #[test]
    fn recipient_block_has_the_address_only_when_known() {
        assert_eq!(recipient_lines("Garage Martin", None), ["Garage Martin"]);
        assert_eq!(
            recipient_lines("Garage Martin", Some("3 rue Neuve\r\n13001 Marseille")),
            ["Garage Martin", "3 rue Neuve", "13001 Marseille"]
        );
    }

    #[test]
    fn the_body_starts_after_the_templates_subject_line() {
        let message = Message {
            subject: "Mise en demeure – facture n° F-1".into(),
            body:
                "Atelier\n\nLe 16/03/2026\n\nObjet : Mise en demeure – facture n° F-1\n\nMadame, Monsieur,\n\nTexte.\n"
                    .into(),
            sms: None,
        };
        assert_eq!(body_lines(&message), ["Madame, Monsieur,", "", "Texte."]);
        let custom = Message { body: "Madame,\nTexte.\n".into(), ..message };
        assert_eq!(body_lines(&custom), ["Madame,", "Texte."]);
    }

    #[test]
    fn file_names_are_safe_and_recognisable() {
        assert_eq!(file_name("C-7", d(2026, 3, 16)), "mise-en-demeure-C-7-2026-03-16.pdf");
        assert_eq!(
            file_name("Société/Générale 12", d(2026, 3, 16)),
            "mise-en-demeure-Societe-Generale-12-2026-03-16.pdf"
        );
        assert_eq!(file_name("../..", d(2026, 3, 16)), "mise-en-demeure-client-2026-03-16.pdf");
    }

    #[test]
    fn page_labels() {
        assert_eq!(page_label(2, 3, Language::Fr), "Page 2/3");
        assert_eq!(page_label(2, 3, Language::En), "Page 2 of 3");
    }
}
