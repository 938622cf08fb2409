use super::*;
use reqwest::header::HeaderValue;
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SID: &str = "AC0123456789abcdef";
const TOKEN: &str = "s3cr3t-t0ken";
const MESSAGES: &str = "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json";

fn settings(api_url: &str) -> SmsSettings {
    SmsSettings {
        api_url: api_url.into(),
        account_sid: SID.into(),
        auth_token: Secret(TOKEN.into()),
        from: "AtelierDuma".into(),
    }
}

fn client(server: &MockServer) -> TwilioClient {
    TwilioClient::new(settings(&server.uri())).unwrap()
}

fn mobile() -> PhoneE164 {
    PhoneE164::parse("06 12 34 56 78").unwrap()
}

/// Answers every POST with `response`.
async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(response).mount(&server).await;
    server
}

async fn send_to(server: &MockServer) -> SmsOutcome {
    client(server).send(&mobile(), "Bonjour").await
}

fn transient(outcome: SmsOutcome) -> (String, Option<Duration>) {
    match outcome {
        SmsOutcome::Transient { reason, retry_after } => (reason, retry_after),
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

fn permanent(outcome: SmsOutcome) -> String {
    match outcome {
        SmsOutcome::Permanent { reason } => reason,
        other => panic!("expected a permanent failure, got {other:?}"),
    }
}

#[tokio::test]
async fn the_request_is_a_form_post_with_basic_auth_and_201_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(header("authorization", "Basic QUMwMTIzNDU2Nzg5YWJjZGVmOnMzY3IzdC10MGtlbg=="))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "To=%2B33612345678&From=AtelierDuma\
             &Body=Facture+F-42+%3A+2+400%2C00+%E2%82%AC+%C3%A0+r%C3%A9gler.+Merci+%21",
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "sid": "SM5f1e0c8a", "status": "queued", "to": "+33612345678" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let outcome = client(&server).send(&mobile(), "Facture F-42 : 2 400,00 € à régler. Merci !").await;
    assert_eq!(outcome, SmsOutcome::Sent { sid: "SM5f1e0c8a".into() });
}

#[tokio::test]
async fn a_2xx_without_a_sid_is_still_sent_never_retried() {
    let server = answering(ResponseTemplate::new(200).set_body_string("OK")).await;
    assert_eq!(send_to(&server).await, SmsOutcome::Sent { sid: String::new() });
}

#[tokio::test]
async fn throttling_is_transient_with_retry_after() {
    let body = json!({ "code": 20429, "message": "Too Many Requests", "status": 429 });
    let server = answering(ResponseTemplate::new(429).insert_header("Retry-After", "30").set_body_json(body)).await;
    let (reason, retry_after) = transient(send_to(&server).await);
    assert_eq!(reason, "HTTP 429, Twilio error 20429: Too Many Requests");
    assert_eq!(retry_after, Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn server_errors_and_request_timeouts_are_transient() {
    for status in [500, 502, 503, 408] {
        let server = answering(ResponseTemplate::new(status).set_body_string("<html>Service Unavailable</html>")).await;
        let (reason, retry_after) = transient(send_to(&server).await);
        assert_eq!(reason, format!("HTTP {status}: <html>Service Unavailable</html>"));
        assert_eq!(retry_after, None);
    }
}

#[tokio::test]
async fn an_invalid_number_is_permanent_with_twilios_code_and_message() {
    let body = json!({
        "code": 21211,
        "message": "The 'To' number +33612345678 is not a valid phone number.",
        "more_info": "https://www.twilio.com/docs/errors/21211",
        "status": 400
    });
    let server = answering(ResponseTemplate::new(400).set_body_json(body)).await;
    let reason = permanent(send_to(&server).await);
    assert_eq!(reason, "HTTP 400, Twilio error 21211: The 'To' number +33612345678 is not a valid phone number.");
}

#[tokio::test]
async fn other_client_errors_are_permanent() {
    let auth = json!({ "code": 20003, "message": "Authenticate", "status": 401 });
    let server = answering(ResponseTemplate::new(401).set_body_json(auth)).await;
    assert_eq!(permanent(send_to(&server).await), "HTTP 401, Twilio error 20003: Authenticate");

    let server = answering(ResponseTemplate::new(404).set_body_string("no such\n  route")).await;
    assert_eq!(permanent(send_to(&server).await), "HTTP 404: no such route");

    let compatible = json!({ "message": "blocked recipient" });
    let server = answering(ResponseTemplate::new(403).set_body_json(compatible)).await;
    assert_eq!(permanent(send_to(&server).await), "HTTP 403: blocked recipient");
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = TwilioClient::new(settings(&url)).unwrap();
    let (reason, retry_after) = transient(client.send(&mobile(), "Bonjour").await);
    assert!(reason.starts_with("SMS API connection failed"), "{reason}");
    assert!(!reason.contains(SID), "the reason names the URL: {reason}");
    assert_eq!(retry_after, None);
}

#[tokio::test]
async fn a_timeout_is_transient() {
    let server = answering(ResponseTemplate::new(201).set_delay(Duration::from_secs(5))).await;
    let http = reqwest::Client::builder().timeout(Duration::from_millis(200)).build().unwrap();
    let client = TwilioClient::with_http(http, settings(&server.uri())).unwrap();
    let (reason, _) = transient(client.send(&mobile(), "Bonjour").await);
    assert!(reason.starts_with("SMS API timed out"), "{reason}");
}

#[test]
fn retry_after_in_seconds_or_as_a_date_against_the_answers_date() {
    let headers = |pairs: &[(&'static str, &'static str)]| {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    };
    assert_eq!(retry_after(&headers(&[("retry-after", " 12 ")])), Some(Duration::from_secs(12)));
    let dated = headers(&[("retry-after", "Wed, 21 Oct 2026 07:30:00 GMT"), ("date", "Wed, 21 Oct 2026 07:28:00 GMT")]);
    assert_eq!(retry_after(&dated), Some(Duration::from_secs(120)));
    let past = headers(&[("retry-after", "Wed, 21 Oct 2026 07:27:00 GMT"), ("date", "Wed, 21 Oct 2026 07:28:00 GMT")]);
    assert_eq!(retry_after(&past), Some(Duration::ZERO));
    assert_eq!(
        retry_after(&headers(&[("retry-after", "Wed, 21 Oct 2026 07:30:00 GMT")])),
        None,
        "no Date to measure from"
    );
    assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
    assert_eq!(retry_after(&headers(&[])), None);
}

#[test]
fn the_endpoint_keeps_the_base_path_and_escapes_the_sid() {
    let url = |base: &str, sid: &str| messages_url(base, sid).map(|u| u.to_string());
    assert_eq!(url("https://api.twilio.com", SID).unwrap(), format!("https://api.twilio.com{MESSAGES}"));
    assert_eq!(
        url("http://127.0.0.1:9000/sms/", "AC1").unwrap(),
        "http://127.0.0.1:9000/sms/2010-04-01/Accounts/AC1/Messages.json"
    );
    assert_eq!(url("https://h", "AC/../x").unwrap(), "https://h/2010-04-01/Accounts/AC%2F..%2Fx/Messages.json");
    assert!(matches!(messages_url("api.twilio.com", SID), Err(SetupError::ApiUrl { .. })));
    assert!(matches!(messages_url("ftp://api.twilio.com", SID), Err(SetupError::ApiUrl { .. })));
}

#[test]
fn the_token_never_prints() {
    let client = TwilioClient::new(settings("https://api.twilio.com")).unwrap();
    let printed = format!("{client:?} {:?}", settings("https://api.twilio.com"));
    assert!(!printed.contains(TOKEN), "{printed}");
    assert!(printed.contains(SID), "the rest still prints: {printed}");
    assert_eq!(client.describe(), "SMS API https://api.twilio.com (account AC0123456789abcdef, from AtelierDuma)");
}

#[test]
fn settings_read_from_yaml_default_to_twilio() {
    let yaml = "account_sid: AC1\nauth_token: tok\nfrom: '+33612345678'\n";
    let read: SmsSettings = serde_yaml_ng::from_str(yaml).unwrap();
    assert_eq!(read.api_url, DEFAULT_API_URL);
    assert_eq!(read.from, "+33612345678");
    assert_eq!(read.auth_token.expose(), "tok");
    assert!(serde_yaml_ng::from_str::<SmsSettings>("account_sid: AC1\nauth_token: t\nfrom: X\ntoken: t\n").is_err());
}
