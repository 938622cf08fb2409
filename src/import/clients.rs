//! `clients.csv`: who owes, how to reach them, how to speak to them.
//!
//! Columns: client_id, name (required), email, cc, phone, segment, owner,
//! language, kind, siren. Empty cells take the defaults: segment standard,
//! language fr, kind b2b.

use super::cells::{self, Problems};
use super::table::{Row, Schema};
use super::{drop_repeats, parse_rows, Parsed, UnreadableFile};
use crate::domain::{Client, ClientId, EmailAddress, PhoneE164, Siren};

const SCHEMA: Schema = Schema {
    fields: &["client_id", "name", "email", "cc", "phone", "segment", "owner", "language", "kind", "siren"],
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
        ) => Ok(Client { id, name, email, cc, phone, segment, owner, language, kind, siren }),
        _ => Err(p.reason()),
    }
}
