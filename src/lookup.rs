//! Finding a client from what a person typed: an id, a SIREN or a name,
//! whatever the case and accents (`/relance status societe generale`).

use crate::domain::Client;
use unicode_normalization::UnicodeNormalization;

/// The outcome of a search.
#[derive(Debug, PartialEq)]
pub enum Found<'a> {
    One(&'a Client),
    /// Several clients match: the person must be more precise.
    Several(Vec<&'a Client>),
    None,
}

/// Lower case, accents removed, punctuation and runs of spaces folded to one space.
pub fn fold(text: &str) -> String {
    let stripped: String = text
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Exact id, then SIREN, then exact name, then names containing the words typed.
pub fn find_client<'a>(clients: &'a [Client], query: &str) -> Found<'a> {
    let query = query.trim();
    if let Some(client) = clients.iter().find(|c| c.id.as_str() == query) {
        return Found::One(client);
    }
    let wanted = fold(query);
    if wanted.is_empty() {
        return Found::None;
    }
    let digits: String = query.chars().filter(|c| !c.is_whitespace()).collect();
    let passes: [&dyn Fn(&Client) -> bool; 4] = [
        &|c| fold(c.id.as_str()) == wanted,
        &|c| c.siren.as_ref().is_some_and(|s| s.as_str() == digits),
        &|c| fold(&c.name) == wanted,
        &|c| {
            let name = fold(&c.name);
            wanted.split(' ').all(|word| name.split(' ').any(|w| w.starts_with(word)))
        },
    ];
    for pass in passes {
        let matches: Vec<&Client> = clients.iter().filter(|c| pass(c)).collect();
        match matches.len() {
            0 => continue,
            1 => return Found::One(matches[0]),
            _ => return Found::Several(matches),
        }
    }
    Found::None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientId, Siren};

    fn client(id: &str, name: &str, siren: Option<&str>) -> Client {
        let mut client = Client::new(ClientId::parse(id).unwrap(), name);
        client.siren = siren.map(|s| Siren::parse(s).unwrap());
        client
    }

    fn ledger() -> Vec<Client> {
        vec![
            client("C001", "Société Générale d'Équipement", Some("732829320")),
            client("ACME", "ACME Industries", None),
            client("C003", "Boulangerie Émile", None),
            client("C004", "Boulangerie Martin", None),
        ]
    }

    #[test]
    fn matches_on_id_siren_and_name_ignoring_case_and_accents() {
        let clients = ledger();
        assert_eq!(find_client(&clients, "acme"), Found::One(&clients[1]));
        assert_eq!(find_client(&clients, "732 829 320"), Found::One(&clients[0]));
        assert_eq!(find_client(&clients, "societe generale"), Found::One(&clients[0]));
        assert_eq!(find_client(&clients, "BOULANGERIE EMILE"), Found::One(&clients[2]));
    }

    #[test]
    fn an_ambiguous_name_lists_the_candidates() {
        let clients = ledger();
        assert_eq!(find_client(&clients, "boulangerie"), Found::Several(vec![&clients[2], &clients[3]]));
        assert_eq!(find_client(&clients, "nobody"), Found::None);
    }
}
