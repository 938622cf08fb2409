//! The composed message, read back the way a mail client reads it: headers
//! unfolded and decoded, MIME parts split and decoded.

use super::*;
use crate::domain::{Stage, Tone};
use crate::mail::fixtures::{company, proposal};
use base64::Engine;
use chrono::TimeZone;

fn sender() -> Sender {
    Sender {
        from: "Claire Martin <claire@atelier-dupont.fr>".into(),
        reply_to: Some("compta@atelier-dupont.fr".into()),
        bcc: Some("archive@atelier-dupont.fr".into()),
    }
}

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 16, 8, 2, 0).unwrap()
}

fn pdf(name: &str) -> Attachment {
    Attachment {
        filename: name.into(),
        content: b"%PDF-1.7\n\x00\xff binary".to_vec(),
        content_type: "application/pdf".into(),
    }
}

fn compose(p: &Proposal, sender: &Sender, attachments: Vec<Attachment>) -> Composed {
    let to = ["compta@garage-martin.fr".to_string()];
    compose_reminder(p, &to, &company(), &Templates::builtin(), sender, "20260316-C-7", attachments, at()).unwrap()
}

/// A MIME entity: its headers (unfolded) and decoded body, or its parts.
#[derive(Debug)]
struct Entity {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    parts: Vec<Entity>,
}

impl Entity {
    fn parse(raw: &[u8]) -> Entity {
        let raw = String::from_utf8(raw.to_vec()).expect("a composed message is ASCII");
        assert!(raw.is_ascii(), "8-bit characters in the raw message:\n{raw}");
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw.as_str(), ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                headers.last_mut().expect("a continuation line follows a header").1.push_str(line);
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.to_string(), value.trim().to_string()));
            }
        }
        let mut entity = Entity { headers, body: vec![], parts: vec![] };
        match entity.param("Content-Type", "boundary") {
            Some(boundary) => {
                let delimiter = format!("--{boundary}");
                let inner = body.split(&format!("{delimiter}--")).next().unwrap();
                // The CRLF before a delimiter is the delimiter's, not the part's.
                let part =
                    |p: &str| Entity::parse(p.trim_start_matches("\r\n").strip_suffix("\r\n").unwrap_or(p).as_bytes());
                entity.parts = inner.split(&delimiter).skip(1).map(part).collect();
            }
            None => entity.body = decode_body(body, entity.header("Content-Transfer-Encoding").unwrap_or("7bit")),
        }
        entity
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A header with its encoded words decoded.
    fn decoded(&self, name: &str) -> Option<String> {
        self.header(name).map(decode_words)
    }

    fn mime_type(&self) -> String {
        self.header("Content-Type").unwrap_or("text/plain").split(';').next().unwrap().trim().to_ascii_lowercase()
    }

    fn param(&self, header: &str, param: &str) -> Option<String> {
        let value = self.header(header)?;
        value.split(';').skip(1).find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k.trim().eq_ignore_ascii_case(param)).then(|| v.trim().trim_matches('"').to_string())
        })
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap().replace("\r\n", "\n")
    }
}

fn decode_body(body: &str, encoding: &str) -> Vec<u8> {
    match encoding.to_ascii_lowercase().as_str() {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD.decode(compact).unwrap()
        }
        "quoted-printable" => decode_qp(body),
        _ => body.as_bytes().to_vec(),
    }
}

fn decode_qp(body: &str) -> Vec<u8> {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// `=?utf-8?b?…?=` and `=?utf-8?q?…?=` words, whitespace between two words dropped.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, from) = rest.split_at(start);
        if !(last_was_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        let mut fields = from[2..].splitn(3, '?');
        let (_charset, encoding, tail) = (fields.next().unwrap(), fields.next().unwrap(), fields.next().unwrap());
        let end = tail.find("?=").unwrap();
        let text = &tail[..end];
        let bytes = if encoding.eq_ignore_ascii_case("b") {
            base64::engine::general_purpose::STANDARD.decode(text).unwrap()
        } else {
            decode_qp(&text.replace('_', " "))
        };
        out.push_str(&String::from_utf8(bytes).unwrap());
        rest = &tail[end + 2..];
        last_was_word = true;
    }
    out.push_str(rest);
    out
}

fn parsed(c: &Composed) -> Entity {
    Entity::parse(&c.message.formatted())
}

#[test]
fn from_reply_to_and_to_carry_names_and_bcc_stays_out_of_the_headers() {
    let c = compose(&proposal(Stage::First, Tone::Courteous), &sender(), vec![]);
    let m = parsed(&c);
    assert_eq!(m.decoded("From").unwrap(), "\"Claire Martin\" <claire@atelier-dupont.fr>");
    assert_eq!(m.decoded("Reply-To").unwrap(), "compta@atelier-dupont.fr");
    assert_eq!(m.decoded("To").unwrap(), "\"Garage Martin SARL\" <compta@garage-martin.fr>");
    assert_eq!(m.header("Bcc"), None, "the archive copy must not show");
    let envelope: Vec<String> = c.message.envelope().to().iter().map(ToString::to_string).collect();
    assert_eq!(envelope, ["compta@garage-martin.fr", "archive@atelier-dupont.fr"]);
    assert_eq!(c.message.envelope().from().unwrap().to_string(), "claire@atelier-dupont.fr");
    assert_eq!(c.to, ["compta@garage-martin.fr"]);
}

#[test]
fn without_reply_to_or_bcc_there_is_no_such_header_nor_recipient() {
    let s = Sender { reply_to: None, bcc: Some("  ".into()), ..sender() };
    let c = compose(&proposal(Stage::First, Tone::Courteous), &s, vec![]);
    let m = parsed(&c);
    assert_eq!(m.header("Reply-To"), None);
    assert_eq!(c.message.envelope().to().len(), 1);
}

#[test]
fn accented_subject_and_names_are_encoded_words_that_decode_back() {
    let mut p = proposal(Stage::Second, Tone::Firm);
    p.client_name = "Société Générale d'Éclairage".into();
    p.previous_reminders = vec![(Stage::First, crate::mail::fixtures::d(2026, 3, 6))];
    let s = Sender { from: "Hélène Crédit <helene@atelier-dupont.fr>".into(), ..sender() };
    let c = compose(&p, &s, vec![]);
    let m = parsed(&c);
    assert!(m.header("Subject").unwrap().contains("=?utf-8?b?"), "{:?}", m.header("Subject"));
    assert_eq!(m.decoded("Subject").unwrap(), "2e relance – facture n° F-2026-0042");
    assert!(m.header("To").unwrap().starts_with("=?utf-8?b?"), "{:?}", m.header("To"));
    assert_eq!(m.decoded("To").unwrap(), "Société Générale d'Éclairage <compta@garage-martin.fr>");
    assert_eq!(m.decoded("From").unwrap(), "Hélène Crédit <helene@atelier-dupont.fr>");
}

#[test]
fn message_id_comes_from_the_reminder_key_and_the_from_domain_and_the_date_from_the_argument() {
    let p = proposal(Stage::First, Tone::Courteous);
    let first = compose(&p, &sender(), vec![]);
    let again = compose(&p, &sender(), vec![pdf("F-2026-0042.pdf")]);
    assert_eq!(first.message_id, "<relance.20260316-C-7@atelier-dupont.fr>");
    assert_eq!(parsed(&first).header("Message-ID"), Some(first.message_id.as_str()));
    assert_eq!(parsed(&again).header("Message-ID"), Some(first.message_id.as_str()), "a resend keeps its id");
    assert_eq!(parsed(&first).header("Date"), Some("Mon, 16 Mar 2026 08:02:00 +0000"));
}

#[test]
fn the_message_id_escapes_what_a_message_id_cannot_hold_and_keeps_keys_apart() {
    assert_eq!(message_id("p-C-7_2", "acme.fr"), "<relance.p-C-7_2@acme.fr>");
    assert_eq!(message_id("C 7/second@2026.03", "acme.fr"), "<relance.C=207=2Fsecond=402026=2E03@acme.fr>");
    assert_ne!(message_id("a/b", "x.fr"), message_id("a=2Fb", "x.fr"));
    assert_eq!(message_id("é", "x.fr"), "<relance.=C3=A9@x.fr>");
}

#[test]
fn without_attachments_the_body_is_text_and_html_alternatives() {
    let p = proposal(Stage::First, Tone::Courteous);
    let c = compose(&p, &sender(), vec![]);
    let m = parsed(&c);
    assert_eq!(m.header("MIME-Version"), Some("1.0"));
    assert_eq!(m.mime_type(), "multipart/alternative");
    assert_eq!(m.parts.len(), 2);
    assert_eq!(m.parts[0].mime_type(), "text/plain");
    assert_eq!(m.parts[0].param("Content-Type", "charset").as_deref(), Some("utf-8"));
    assert_eq!(m.parts[1].mime_type(), "text/html");
    let email = render_email(&p, &company(), &Templates::builtin()).unwrap();
    assert_eq!(m.parts[0].text(), email.text);
    assert_eq!(m.parts[1].text(), email.html);
    assert!(m.parts[0].text().contains("reste dû 2\u{202F}400,00\u{A0}€"), "{}", m.parts[0].text());
}

#[test]
fn attachments_make_a_mixed_message_with_the_alternatives_first() {
    let c = compose(
        &proposal(Stage::First, Tone::Courteous),
        &sender(),
        vec![pdf("F-2026-0042.pdf"), pdf("Facture n°43 été.pdf")],
    );
    let m = parsed(&c);
    assert_eq!(m.mime_type(), "multipart/mixed");
    assert_eq!(m.parts.len(), 3);
    assert_eq!(m.parts[0].mime_type(), "multipart/alternative");
    assert_eq!(m.parts[0].parts.len(), 2);
    let attached = &m.parts[1];
    assert_eq!(attached.mime_type(), "application/pdf");
    assert!(attached.header("Content-Disposition").unwrap().starts_with("attachment;"));
    assert_eq!(attached.param("Content-Disposition", "filename").as_deref(), Some("F-2026-0042.pdf"));
    assert_eq!(attached.body, b"%PDF-1.7\n\x00\xff binary");
    let accented = m.parts[2].header("Content-Disposition").unwrap();
    assert!(accented.contains("filename*") && accented.contains("utf-8''"), "RFC 2231 name: {accented}");
}

#[test]
fn client_data_in_the_html_part_is_escaped() {
    let mut p = proposal(Stage::FormalNotice, Tone::Formal);
    p.client_name = "Dupont & Fils <script>".into();
    let m = parsed(&compose(&p, &sender(), vec![]));
    let html = m.parts[1].text();
    assert!(html.contains("Dupont &amp; Fils &lt;script&gt;"), "{html}");
    assert!(!html.contains("<script>"), "{html}");
    assert!(m.parts[0].text().contains("Dupont & Fils <script>"));
}

#[test]
fn a_bad_address_is_named_with_its_field() {
    let p = proposal(Stage::First, Tone::Courteous);
    let run = |s: &Sender, to: &[&str]| {
        let to: Vec<String> = to.iter().map(|t| t.to_string()).collect();
        compose_reminder(&p, &to, &company(), &Templates::builtin(), s, "k", vec![], at()).unwrap_err().to_string()
    };
    let ok_to = ["compta@garage-martin.fr"];
    assert_eq!(
        run(&Sender { from: "claire.atelier-dupont.fr".into(), ..sender() }, &ok_to),
        "from (MAIL_FROM): \"claire.atelier-dupont.fr\" is not one valid e-mail address"
    );
    assert_eq!(
        run(&Sender { from: "a@x.fr, b@x.fr".into(), ..sender() }, &ok_to),
        "from (MAIL_FROM): \"a@x.fr, b@x.fr\" is not one valid e-mail address"
    );
    assert_eq!(
        run(&Sender { reply_to: Some("compta@".into()), ..sender() }, &ok_to),
        "reply-to (MAIL_REPLY_TO): \"compta@\" is not one valid e-mail address"
    );
    assert_eq!(
        run(&sender(), &["compta@garage-martin.fr", "jean dupont@garage"]),
        "recipient: \"jean dupont@garage\" is not one valid e-mail address"
    );
    assert_eq!(run(&sender(), &[]), "no e-mail address to send Garage Martin SARL's reminder to");
}

#[test]
fn several_bcc_addresses_are_all_on_the_envelope() {
    let s = Sender { bcc: Some("a@x.fr, Archive <b@x.fr>".into()), ..sender() };
    let c = compose(&proposal(Stage::First, Tone::Courteous), &s, vec![]);
    assert_eq!(c.message.envelope().to().len(), 3);
}

#[test]
fn a_bad_content_type_is_refused_with_the_file_name() {
    let p = proposal(Stage::First, Tone::Courteous);
    let bad = Attachment { content_type: "pdf".into(), ..pdf("F-1.pdf") };
    let to = ["compta@garage-martin.fr".to_string()];
    let err =
        compose_reminder(&p, &to, &company(), &Templates::builtin(), &sender(), "k", vec![bad], at()).unwrap_err();
    assert_eq!(err.to_string(), "attachment F-1.pdf: \"pdf\" is not a MIME type");
}
