//! `SMTP_URL` handling; sending is tested against a real server in
//! `tests/mail_delivery.rs`. Building a mailer needs a Tokio runtime (the
//! pool's reaper task), hence `tokio::test`.

use super::*;

fn setup_error(url: &str) -> String {
    SmtpMailer::from_url(url).unwrap_err().to_string()
}

#[test]
fn starttls_is_lettres_required_tls_and_none_is_plain() {
    let shown = "x";
    let rewritten = |url: &str| lettre_url(url, shown).unwrap().to_string();
    assert_eq!(rewritten("smtp://u:p@mail.example.fr:587?tls=starttls"), "smtp://u:p@mail.example.fr:587?tls=required");
    assert_eq!(rewritten("smtp://mail.example.fr?tls=STARTTLS"), "smtp://mail.example.fr?tls=required");
    assert_eq!(rewritten("smtp://mail.example.fr?tls=opportunistic"), "smtp://mail.example.fr?tls=opportunistic");
    assert_eq!(rewritten("smtp://127.0.0.1:2525?tls=none"), "smtp://127.0.0.1:2525");
    assert_eq!(rewritten("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    assert_eq!(rewritten("smtps://u:p@mail.example.fr"), "smtps://u:p@mail.example.fr");
}

#[tokio::test]
async fn every_documented_form_builds_a_mailer() {
    for url in [
        "smtp://claire:s3cret@smtp.example.fr:587?tls=starttls",
        "smtps://claire:s3cret@smtp.example.fr",
        "smtp://127.0.0.1:2525",
    ] {
        assert!(SmtpMailer::from_url(url).is_ok(), "{url}");
    }
}

#[tokio::test]
async fn a_bad_url_is_refused_naming_the_problem_without_the_password() {
    assert_eq!(
        setup_error("imap://claire:s3cret@mail.example.fr"),
        "SMTP_URL imap://claire:***@mail.example.fr: the scheme must be smtp or smtps, not \"imap\""
    );
    assert_eq!(
        setup_error("smtp://claire:s3cret@mail.example.fr?tls=yes"),
        "SMTP_URL smtp://claire:***@mail.example.fr?tls=yes: tls=\"yes\" is not one of starttls, required, opportunistic, none"
    );
    assert_eq!(
        setup_error("smtp://mail.example.fr?tsl=starttls"),
        "SMTP_URL smtp://mail.example.fr?tsl=starttls: unknown parameter \"tsl\" (only tls is understood)"
    );
    let not_a_url = setup_error("mail.example.fr:587");
    assert!(not_a_url.starts_with("SMTP_URL mail.example.fr:587: "), "{not_a_url}");
}

#[tokio::test]
async fn the_description_and_debug_output_hide_the_password() {
    let mailer = SmtpMailer::from_url("smtp://claire:s3cr%40t@smtp.example.fr:587?tls=starttls").unwrap();
    assert_eq!(mailer.describe(), "SMTP smtp://claire:***@smtp.example.fr:587?tls=starttls");
    let debug = format!("{mailer:?}");
    assert!(!debug.contains("s3cr"), "{debug}");
    assert_eq!(mailer.secrets, vec!["s3cr%40t".to_string(), "s3cr@t".to_string()]);
}

#[test]
fn a_reason_is_one_short_line_without_secrets() {
    let secrets = vec!["s3cret".to_string()];
    assert_eq!(scrub("535 5.7.8 bad\r\n  credentials s3cret", &secrets), "535 5.7.8 bad credentials ***");
    let long = scrub(&"x".repeat(1000), &[]);
    assert_eq!(long.chars().count(), REASON_CHARS + 1);
    assert!(long.ends_with('…'));
}
