//! `clients.csv`: who owes, how to reach them, how to speak to them.
//!
//! Columns: client_id, name (required), email, cc, phone, segment, owner,
//! language, kind, siren, contact (optional: the person to ask for on the
//! phone). Empty cells take the defaults: segment standard, language fr,
//! kind b2b.

use super::cells::{self, Problems};
use super::table::{Row, Schema};
use super::{drop_repeats, parse_rows, Parsed, UnreadableFile};
use crate::domain::{Client, ClientId, EmailAddress, PhoneE164, Siren};

const SCHEMA: Schema = Schema {
    fields: &["client_id", "name", "email", "cc", "phone", "segment", "owner", "language", "kind", "siren", "contact"],
    required: 2,
};
const CLIENT_ID: usize = 0;
const NAME: usize = 1;
const EMAIL: usize = 2;
const CC: usize = 3;
const PHONE: usize = 4;
const SEGMENT: usize = 5;
const OWNER: usize = 6;
const LANGUAGE: usize = 7;
const KIND: usize = 8;
const SIREN: usize = 9;
const CONTACT: usize = 10;

/// Parses a clients file. Every row is checked on its own (a client file
/// needs nothing from the store), and a client id given twice with
/// different details is a bad row.
pub fn parse_clients(bytes: &[u8]) -> Result<Parsed<Client>, UnreadableFile> {
    let mut parsed = parse_rows(bytes, &SCHEMA, client)?;
    drop_repeats(&mut parsed, "client", |c: &Client| c.id.as_str());
    Ok(parsed)
}

fn client(row: &Row<'_>) -> Result<Client, String> {
    let mut p = Problems::default();
    let id = p.take(cells::required("client_id", row.get(CLIENT_ID), ClientId::parse));
    let name = p.take(cells::text("name", row.get(NAME)));
    let email = p.take(cells::optional("email", row.get(EMAIL), EmailAddress::parse));
    let cc = p.take(cells::optional("cc", row.get(CC), EmailAddress::parse));
    let phone = p.take(cells::optional("phone", row.get(PHONE), PhoneE164::parse));
    let segment = p.take(cells::keyword("segment", row.get(SEGMENT)));
    let language = p.take(cells::keyword("language", row.get(LANGUAGE)));
    let kind = p.take(cells::keyword("kind", row.get(KIND)));
    let siren = p.take(cells::optional("siren", row.get(SIREN), Siren::parse));
    let owner = Some(row.get(OWNER)).filter(|o| !o.is_empty()).map(str::to_string);
    let contact_name = Some(row.get(CONTACT).trim()).filter(|c| !c.is_empty()).map(str::to_string);
    match (id, name, email, cc, phone, segment, language, kind, siren) {
        (
            Some(id),
            Some(name),
            Some(email),
            Some(cc),
            Some(phone),
            Some(segment),
            Some(language),
            Some(kind),
            Some(siren),
        ) => Ok(Client { id, name, email, cc, phone, segment, owner, language, kind, siren, contact_name }),
        _ => Err(p.reason()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientKind, Language, Segment};
    use crate::import::RowError;

    fn parse(text: &str) -> Parsed<Client> {
        parse_clients(text.as_bytes()).unwrap()
    }

    #[test]
    fn a_full_row_from_excel_fr_in_windows_1252() {
        let bytes = b"client_id;name;email;cc;phone;segment;owner;language;kind;siren\r\n\
            C-1;Soci\xE9t\xE9 G\xE9n\xE9rale;compta@sg.fr;dg@sg.fr;06 12 34 56 78;Strategic;H\xE9l\xE8ne;EN;B2C;732 829 320\r\n";
        let parsed = parse_clients(bytes).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.lines, vec![2]);
        let client = &parsed.rows[0];
        assert_eq!(client.id.as_str(), "C-1");
        assert_eq!(client.name, "Société Générale");
        assert_eq!(client.email.as_ref().unwrap().as_str(), "compta@sg.fr");
        assert_eq!(client.cc.as_ref().unwrap().as_str(), "dg@sg.fr");
        assert_eq!(client.phone.as_ref().unwrap().as_str(), "+33612345678");
        assert_eq!(client.segment, Segment::Strategic);
        assert_eq!(client.owner.as_deref(), Some("Hélène"));
        assert_eq!(client.language, Language::En);
        assert_eq!(client.kind, ClientKind::B2c);
        assert_eq!(client.siren.as_ref().unwrap().as_str(), "732829320");
    }

    #[test]
    fn only_the_required_columns_gives_the_defaults() {
        let parsed = parse("Name,Client_ID\n\"Dupont, Fils & Cie\",C-2\n");
        let client = &parsed.rows[0];
        assert_eq!(client.id.as_str(), "C-2");
        assert_eq!(client.name, "Dupont, Fils & Cie");
        assert_eq!(
            (client.email.clone(), client.phone.clone(), client.owner.clone(), client.siren.clone()),
            (None, None, None, None)
        );
        assert_eq!((client.segment, client.language, client.kind), (Segment::Standard, Language::Fr, ClientKind::B2b));
        assert_eq!(client.contact_name, None, "no contact column: no contact");
        let parsed = parse("client_id;name;contact\nC-3;Garage Martin; Mme Dupont \nC-4;Roux;\n");
        assert_eq!(parsed.rows[0].contact_name.as_deref(), Some("Mme Dupont"));
        assert_eq!(parsed.rows[1].contact_name, None);
    }

    #[test]
    fn every_problem_of_every_row_is_reported_with_its_line() {
        let text = "client_id;name;email;phone;segment;language;kind;siren\n\
            C-1;\"Acme\nSiège\";compta@acme.fr;;;;;\n\
            C-2;;compta@acme;;;;;\n\
            C-3;Beta;;hello;vip;de;pro;732829321\n\
            ;Gamma;;;;;;12345\n";
        let parsed = parse(text);
        assert_eq!(parsed.lines, vec![2]);
        assert_eq!(
            parsed.errors,
            vec![
                RowError::new(4, "name is empty; email \"compta@acme\": is not of the form name@domain.tld"),
                RowError::new(
                    5,
                    "phone \"hello\": is not a phone number; segment \"vip\": expected one of standard strategic; \
                     language \"de\": expected one of fr en; kind \"pro\": expected one of b2b b2c; \
                     siren \"732829321\": has a wrong check digit"
                ),
                RowError::new(6, "client_id is empty; siren \"12345\": is not 9 digits"),
            ]
        );
    }

    #[test]
    fn a_client_twice_is_fine_if_identical_and_an_error_if_not() {
        let parsed = parse("client_id;name\nC-1;Acme\nC-2;Beta\nC-1;Acme\nC-2;Beta SA\n");
        assert_eq!(parsed.rows.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Acme", "Beta"]);
        assert_eq!(parsed.lines, vec![2, 3]);
        assert_eq!(parsed.errors, vec![RowError::new(5, "client \"C-2\" already on line 3 with different content")]);
    }

    #[test]
    fn a_file_without_a_name_column_is_refused() {
        let err = parse_clients(b"client_id;nom;email\nC-1;Acme;a@b.fr\n").unwrap_err();
        assert_eq!(err.0, "missing required column \"name\" (columns found: client_id, nom, email)");
    }
}
