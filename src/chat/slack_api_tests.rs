//! The Slack client against a fake Web API on loopback (wiremock).

use super::*;
use std::time::Instant;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "xoxb-test-0123456789";

async fn fake_slack() -> (MockServer, SlackApi) {
    let server = MockServer::start().await;
    let api = SlackApi::new(&format!("{}/api/", server.uri()), TOKEN).unwrap();
    (server, api)
}

fn page() -> Value {
    json!({ "text": "Relances proposées", "blocks": [{ "type": "section", "block_id": "digest:header",
        "text": { "type": "mrkdwn", "text": "*Relances proposées*" } }] })
}

fn ok_post() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "channel": "C024BE91L", "ts": "1773651000.000200",
        "message": { "type": "message", "text": "Relances proposées", "blocks": [{ "type": "table" }] } }))
}

/// Slack's answer to a throttled Web API call.
fn rate_limited(retry_after: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("Retry-After", retry_after)
        .set_body_json(json!({ "ok": false, "error": "ratelimited" }))
}

#[tokio::test]
async fn a_posted_page_carries_token_channel_and_blocks_and_returns_where_it_landed() {
    let (server, api) = fake_slack().await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_partial_json(json!({ "channel": "#finance", "text": "Relances proposées" })))
        .and(body_partial_json(json!({ "blocks": [{ "block_id": "digest:header" }] })))
        .respond_with(ok_post())
        .expect(1)
        .mount(&server)
        .await;
    let landed = api.post_message("#finance", &page()).await.unwrap();
    assert_eq!(landed, ("C024BE91L".to_string(), "1773651000.000200".to_string()));
}

#[tokio::test]
async fn a_429_is_waited_out_as_retry_after_says_then_retried_once() {
    let (server, api) = fake_slack().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(rate_limited("1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/chat.postMessage")).respond_with(ok_post()).mount(&server).await;
    let started = Instant::now();
    let landed = api.post_message("C024BE91L", &page()).await.unwrap();
    assert_eq!(landed.1, "1773651000.000200");
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
    assert_eq!(server.received_requests().await.unwrap().len(), 2, "one retry, no more");
}

#[tokio::test]
async fn rate_limiting_that_does_not_end_fails_after_three_tries() {
    let (server, api) = fake_slack().await;
    Mock::given(path("/api/chat.update")).respond_with(rate_limited("0")).mount(&server).await;
    let err = api.update_message("C1", "1.2", &page()).await.unwrap_err().to_string();
    assert!(err.contains("rate limited 3 times"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), MAX_TRIES as usize);
}

#[tokio::test]
async fn a_long_ban_is_not_waited_for() {
    let (server, api) = fake_slack().await;
    Mock::given(path("/api/chat.update")).respond_with(rate_limited("3600")).mount(&server).await;
    let started = Instant::now();
    let err = api.update_message("C1", "1.2", &page()).await.unwrap_err().to_string();
    assert!(err.contains("rate limited for 3600 s"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn ok_false_is_an_error_naming_slacks_error() {
    let (server, api) = fake_slack().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": false, "error": "channel_not_found" })))
        .mount(&server)
        .await;
    let err = api.post_message("#nowhere", &page()).await.unwrap_err().to_string();
    assert!(err.contains("chat.postMessage") && err.contains("channel_not_found"), "{err}");
    assert!(!err.contains(TOKEN));
}

#[tokio::test]
async fn an_update_targets_the_message_by_channel_and_ts() {
    let (server, api) = fake_slack().await;
    Mock::given(path("/api/chat.update"))
        .and(body_partial_json(
            json!({ "channel": "C024BE91L", "ts": "1773651000.000200", "text": "Relances proposées" }),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": true, "channel": "C024BE91L", "ts": "1773651000.000200" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    api.update_message("C024BE91L", "1773651000.000200", &page()).await.unwrap();
}

#[tokio::test]
async fn a_refusal_is_answered_to_the_clicker_only_without_replacing_the_digest() {
    let (server, api) = fake_slack().await;
    Mock::given(method("POST"))
        .and(path("/actions/T1/123/abc"))
        .and(body_partial_json(json!({ "response_type": "ephemeral", "replace_original": false, "text": "Désolé" })))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&server)
        .await;
    api.respond(&format!("{}/actions/T1/123/abc", server.uri()), "Désolé", true).await.unwrap();
}

#[tokio::test]
async fn a_failed_response_url_is_an_error_without_the_url() {
    let (server, api) = fake_slack().await;
    Mock::given(path("/actions/T1/secret")).respond_with(ResponseTemplate::new(404)).mount(&server).await;
    let err = api.respond(&format!("{}/actions/T1/secret", server.uri()), "x", true).await.unwrap_err().to_string();
    assert!(err.contains("404") && !err.contains("secret"), "{err}");
}

#[tokio::test]
async fn the_veto_modal_carries_the_proposal_and_asks_for_an_optional_reason() {
    let (server, api) = fake_slack().await;
    Mock::given(path("/api/views.open"))
        .and(body_partial_json(json!({ "trigger_id": "123.456.abc", "view": {
            "type": "modal", "callback_id": "veto_reason", "private_metadata": "20260316-c6a87d7881" } })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "view": { "id": "V1" } })))
        .expect(1)
        .mount(&server)
        .await;
    api.open_veto_modal("123.456.abc", "20260316-c6a87d7881", "Garage Martin", Language::Fr).await.unwrap();
    let view = veto_modal("20260316-c6a87d7881", "<!channel>", Language::En);
    let input = &view["blocks"][1];
    assert_eq!((input["block_id"].as_str(), input["optional"].as_bool()), (Some(REASON_BLOCK_ID), Some(true)));
    assert_eq!(input["element"]["action_id"], REASON_ACTION_ID);
    assert_eq!(view["blocks"][0]["text"]["type"], "plain_text", "a client name in plain text pings no one");
}

#[test]
fn the_token_never_shows_in_debug_output_and_bad_settings_are_refused() {
    let api = SlackApi::new("https://slack.com/api", TOKEN).unwrap();
    assert!(!format!("{api:?}").contains(TOKEN));
    assert!(SlackApi::new("slack.com/api", TOKEN).is_err());
    assert!(SlackApi::new("https://slack.com/api", " ").is_err());
}
