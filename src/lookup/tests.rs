use super::*;
use crate::domain::{ClientId, Siren};

fn client(id: &str, name: &str, siren: Option<&str>) -> Client {
    let mut client = Client::new(ClientId::parse(id).unwrap(), name);
    client.siren = siren.map(|s| Siren::parse(s).unwrap());
    client
}

fn index() -> ClientIndex {
    ClientIndex::new(vec![
        client("C001", "Société Générale d'Équipement", Some("732829320")),
        client("ACME", "ACME Industries", None),
        client("C003", "Boulangerie Émile", None),
        client("C004", "Boulangerie Martin", None),
        client("C005", "Dupont SA", Some("552120222")),
        client("C006", "Boulangerie Dupont", None),
        client("C007", "Dupont & Fils", None),
        client("C008", "Dupond Traiteur", None),
        client("C009", "Menuiserie Roux", None),
        client("C010", "Société Générale", None),
    ])
}

/// What a query finds, as ids: `One(id)`, `Several(ids)` or `None(ids)`.
fn ids(found: Found<'_>) -> (&'static str, Vec<String>) {
    let list = |clients: Vec<&Client>| clients.iter().map(|c| c.id.to_string()).collect();
    match found {
        Found::One(c) => ("one", vec![c.id.to_string()]),
        Found::Several(cs) => ("several", list(cs)),
        Found::None(cs) => ("none", list(cs)),
    }
}

#[test]
fn one_client_is_found_by_id_siren_or_name_whatever_the_case_accents_and_small_typos() {
    let index = index();
    let table = [
        ("C003", "C003", "id"),
        ("c003", "C003", "id, any case"),
        ("acme", "ACME", "id equal to a name word"),
        ("552 120 222", "C005", "SIREN with spaces"),
        ("552120222", "C005", "SIREN"),
        ("73282932000015", "C001", "a SIRET starts with its SIREN"),
        ("societe generale", "C010", "accents and case"),
        ("SOCIÉTÉ GÉNÉRALE", "C010", "upper case with accents"),
        ("societe generale equipement", "C001", "words of a longer name"),
        ("équipement générale", "C001", "words in any order"),
        ("Acme Industires", "ACME", "a transposition"),
        ("acme indstries", "ACME", "a missing letter"),
        ("boulangerie emile", "C003", "accents"),
        ("boulangrie martn", "C004", "a typo in each word"),
        ("menuis", "C009", "the start of a word"),
        ("dupont sa", "C005", "exact name among several Duponts"),
    ];
    for (query, expected, why) in table {
        assert_eq!(ids(index.find(query)), ("one", vec![expected.to_string()]), "{query:?}: {why}");
    }
}

#[test]
fn an_ambiguous_name_lists_the_best_matches_first() {
    let index = index();
    let (kind, found) = ids(index.find("Dupont"));
    assert_eq!(kind, "several");
    assert_eq!(found[..3], ["C005", "C007", "C006"], "exact words first, shorter names first: {found:?}");
    assert_eq!(found.last().map(String::as_str), Some("C008"), "the typo comes last: {found:?}");
    let (kind, found) = ids(index.find("boulangerie"));
    assert_eq!((kind, found.len()), ("several", 3));
}

#[test]
fn nothing_found_offers_the_closest_names() {
    let index = index();
    let (kind, closest) = ids(index.find("Boulangerie Lefebvre"));
    assert_eq!(kind, "none");
    assert!(closest.len() >= 3 && closest[..3].iter().all(|id| ["C003", "C004", "C006"].contains(&id.as_str())));
    let (kind, closest) = ids(index.find("Menuserie Lambert"));
    assert_eq!((kind, closest.first().map(String::as_str)), ("none", Some("C009")), "{closest:?}");
    assert_eq!(ids(index.find("zzzz")), ("none", vec![]));
    assert_eq!(ids(index.find("  ")), ("none", vec![]));
    assert_eq!(ids(index.find("123 456 789")), ("none", vec![]), "an unknown SIREN");
}

#[test]
fn suggestions_start_with_ids_and_sirens_then_names() {
    let index = index();
    let ids = |typed: &str| -> Vec<String> { index.suggest(typed, 3).iter().map(|c| c.id.to_string()).collect() };
    assert_eq!(ids("C00"), ["C001", "C003", "C004"]);
    assert_eq!(ids("552 1"), ["C005"]);
    assert_eq!(ids("menuiserie"), ["C009"]);
    assert_eq!(ids("dupont").len(), 3);
    assert_eq!(ids("").len(), 3, "an empty box still offers clients");
}
