//! Slack interaction payloads, form-encoded as Slack sends them, read into decisions.

use super::*;

/// Slack's documented block_actions example (docs.slack.dev, reference /
/// interaction-payloads / block_actions-payload), verbatim but for the
/// clicked button's `action_id`, `block_id` and `value`, which are ours.
fn documented_click(action_id: &str, block_id: &str, value: &str) -> String {
    format!(
        r#"{{"type":"block_actions","team":{{"id":"T9TK3CUKW","domain":"example"}},"user":{{"id":"UA8RXUSPL","username":"jtorrance","team_id":"T9TK3CUKW"}},"api_app_id":"AABA1ABCD","token":"9s8d9as89d8as9d8as989","container":{{"type":"message_attachment","message_ts":"1548261231.000200","attachment_id":1,"channel_id":"CBR2V3XEX","is_ephemeral":false,"is_app_unfurl":false}},"trigger_id":"12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3","channel":{{"id":"CBR2V3XEX","name":"review-updates"}},"message":{{"bot_id":"BAH5CA16Z","type":"message","text":"This content can't be displayed.","user":"UAJ2RU415","ts":"1548261231.000200"}},"response_url":"https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209","actions":[{{"action_id":"{action_id}","block_id":"{block_id}","text":{{"type":"plain_text","text":"View","emoji":true}},"value":"{value}","type":"button","action_ts":"1548426417.840180"}}]}}"#
    )
}

/// The body of `POST /slack/interactions`: `payload=` and the JSON, percent-encoded.
fn form(json: &str) -> Vec<u8> {
    serde_urlencoded::to_string([("payload", json)]).unwrap().into_bytes()
}

const ID: &str = "20260316-c6a87d7881";

#[test]
fn the_documented_click_payload_reads_as_a_decision_on_the_proposal() {
    let body = form(&documented_click(&format!("approve:{ID}"), &format!("actions:{ID}:2"), ID));
    assert!(body.starts_with(b"payload=%7B%22type%22%3A%22block_actions%22"), "encoded as Slack does");
    let expected = SlackClick {
        user_id: "UA8RXUSPL".into(),
        action: Action::Approve,
        proposal_id: ID.into(),
        rev: Some(2),
        channel_id: Some("CBR2V3XEX".into()),
        message_ts: Some("1548261231.000200".into()),
        response_url: Some("https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209".into()),
        trigger_id: Some("12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3".into()),
    };
    assert_eq!(parse_slack_interaction(&body), Ok(SlackInteraction::Click(expected)));
}

#[test]
fn the_action_is_the_action_id_prefix_for_each_button() {
    for (name, action) in
        [("approve", Action::Approve), ("soften", Action::Soften), ("veto", Action::Veto), ("snooze", Action::Snooze)]
    {
        let body = form(&documented_click(&format!("{name}:{ID}"), &format!("actions:{ID}:0"), ID));
        match parse_slack_interaction(&body) {
            Ok(SlackInteraction::Click(click)) => assert_eq!((click.action, click.rev), (action, Some(0)), "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn send_anyway_carries_the_day_and_no_revision() {
    let body = form(&documented_click("send_anyway:2026-03-16", "digest:send_anyway", "2026-03-16"));
    match parse_slack_interaction(&body) {
        Ok(SlackInteraction::Click(click)) => {
            assert_eq!((click.action, click.proposal_id.as_str(), click.rev), (Action::SendAnyway, "2026-03-16", None));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_block_id_without_a_readable_revision_gives_none() {
    for block_id in [format!("actions:{ID}"), format!("actions:{ID}:x"), "=qXel".to_string()] {
        let body = form(&documented_click(&format!("soften:{ID}"), &block_id, ID));
        match parse_slack_interaction(&body) {
            Ok(SlackInteraction::Click(click)) => assert_eq!(click.rev, None, "{block_id}"),
            other => panic!("{block_id}: {other:?}"),
        }
    }
}

#[test]
fn a_message_block_container_and_spaces_encoded_as_plus_are_read() {
    let json = format!(
        r#"{{"type":"block_actions","user":{{"id":"U1"}},"container":{{"type":"message","message_ts":"1.2","channel_id":"C9"}},"actions":[{{"action_id":"veto:{ID}","block_id":"actions:{ID}:7","value":"{ID}","type":"button"}}],"message":{{"ts":"1.2","text":"Relances proposées — lundi 16 mars"}}}}"#
    );
    let body = form(&json);
    assert!(body.windows(1).any(|w| w == b"+"), "serde_urlencoded, like Slack, encodes spaces as +");
    match parse_slack_interaction(&body) {
        Ok(SlackInteraction::Click(c)) => {
            assert_eq!(
                (c.action, c.rev, c.channel_id.as_deref(), c.message_ts.as_deref()),
                (Action::Veto, Some(7), Some("C9"), Some("1.2"))
            );
            assert_eq!((c.response_url, c.trigger_id), (None, None));
        }
        other => panic!("{other:?}"),
    }
}

fn veto_submission(callback_id: &str, reason: &str) -> String {
    format!(
        r#"{{"type":"view_submission","team":{{"id":"T1","domain":"x"}},"user":{{"id":"U024BE7LH","username":"julie"}},"view":{{"id":"V1","type":"modal","callback_id":"{callback_id}","private_metadata":"{ID}","state":{{"values":{{"veto_reason":{{"reason":{{"type":"plain_text_input","value":{reason}}}}}}}}}}}}}"#
    )
}

#[test]
fn the_veto_modal_submission_gives_the_proposal_and_the_trimmed_reason() {
    let body = form(&veto_submission("veto_reason", r#"" client en négociation ""#));
    let expected = SlackInteraction::VetoReason {
        user_id: "U024BE7LH".into(),
        proposal_id: ID.into(),
        reason: Some("client en négociation".into()),
    };
    assert_eq!(parse_slack_interaction(&body), Ok(expected));
}

#[test]
fn an_empty_veto_reason_is_none() {
    for reason in ["null", r#""  ""#] {
        match parse_slack_interaction(&form(&veto_submission("veto_reason", reason))) {
            Ok(SlackInteraction::VetoReason { reason, .. }) => assert_eq!(reason, None),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn other_interactions_are_acknowledged_and_ignored() {
    assert_eq!(parse_slack_interaction(&form(&veto_submission("other_modal", "null"))), Ok(SlackInteraction::Other));
    let closed = r#"{"type":"view_closed","user":{"id":"U1"},"view":{"callback_id":"veto_reason"}}"#;
    assert_eq!(parse_slack_interaction(&form(closed)), Ok(SlackInteraction::Other));
}

#[test]
fn malformed_bodies_are_typed_errors() {
    use SlackInteractionError as E;
    assert_eq!(parse_slack_interaction(b"token=x&text=y"), Err(E::NoPayload));
    assert_eq!(parse_slack_interaction(b""), Err(E::NoPayload));
    assert!(matches!(parse_slack_interaction(b"payload=%7Bnot+json"), Err(E::BadJson(_))));
    assert!(matches!(parse_slack_interaction(&form(r#"{"user":{"id":"U1"}}"#)), Err(E::BadJson(_))), "no type");
    let unknown = form(&documented_click("WaXA", "=qXel", "click_me_123"));
    assert_eq!(parse_slack_interaction(&unknown), Err(E::UnknownAction("WaXA".into())));
    let no_value = form(&documented_click(&format!("approve:{ID}"), "b", "").replace(r#","value":"""#, ""));
    assert_eq!(parse_slack_interaction(&no_value), Err(E::Missing("actions[0].value")));
    let no_actions = form(r#"{"type":"block_actions","user":{"id":"U1"},"actions":[]}"#);
    assert_eq!(parse_slack_interaction(&no_actions), Err(E::Missing("actions")));
    let no_user =
        form(&format!(r#"{{"type":"block_actions","actions":[{{"action_id":"approve:{ID}","value":"{ID}"}}]}}"#));
    assert_eq!(parse_slack_interaction(&no_user), Err(E::Missing("user.id")));
    let no_metadata =
        form(&veto_submission("veto_reason", "null").replace(&format!(r#""private_metadata":"{ID}","#), ""));
    assert_eq!(parse_slack_interaction(&no_metadata), Err(E::Missing("view.private_metadata")));
}

#[test]
fn a_command_button_runs_its_value() {
    let payload = serde_json::json!({
        "type": "block_actions",
        "user": {"id": "U01CLAIRE", "username": "claire", "team_id": "T1"},
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "C1", "is_ephemeral": true},
        "response_url": "https://hooks.slack.com/actions/T1/1/abc",
        "actions": [{"action_id": "status:1", "block_id": "choices", "value": "status C7 --public", "type": "button"}]
    });
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
    assert_eq!(
        parse_slack_interaction(body.as_bytes()),
        Ok(SlackInteraction::Command {
            user_id: "U01CLAIRE".into(),
            text: "status C7 --public".into(),
            response_url: Some("https://hooks.slack.com/actions/T1/1/abc".into()),
        })
    );
}

#[test]
fn an_outcome_button_and_its_modal_read_back_the_call_and_what_was_typed() {
    use crate::domain::ClientId;
    use crate::policy::call_outcome::{OutcomeForm, OutcomeKind};
    let value = "20260316-c-0a1b2c3d4e|internal_block|ACME";
    let button = CallButton {
        task_id: "20260316-c-0a1b2c3d4e".into(),
        kind: OutcomeKind::InternalBlock,
        client_id: ClientId::parse("ACME").unwrap(),
    };
    let body = form(&documented_click(
        "call_outcome:20260316-c-0a1b2c3d4e:internal_block",
        "call_actions:20260316-c-0a1b2c3d4e",
        value,
    ));
    let SlackInteraction::CallOutcome { user_id, button: read, trigger_id, .. } =
        parse_slack_interaction(&body).unwrap()
    else {
        panic!("an outcome click");
    };
    assert_eq!((user_id.as_str(), &read, trigger_id.is_some()), ("UA8RXUSPL", &button, true));
    let forged = form(&documented_click("call_outcome:x:maybe", "call_actions:x", "x|maybe|ACME"));
    assert!(matches!(parse_slack_interaction(&forged), Err(SlackInteractionError::UnknownAction(_))));

    let submitted = serde_json::json!({
        "type": "view_submission",
        "user": {"id": "UA8RXUSPL"},
        "view": {"callback_id": "call_outcome", "private_metadata": value, "state": {"values": {
            "outcome_reason": {"outcome_reason": {"type": "plain_text_input", "value": "bon de commande"}},
            "outcome_days": {"outcome_days": {"type": "plain_text_input", "value": "10"}},
        }}}
    });
    let form_read =
        OutcomeForm { date: None, reason: Some("bon de commande".into()), days: Some("10".into()), email: None };
    assert_eq!(
        parse_slack_interaction(&form(&submitted.to_string())),
        Ok(SlackInteraction::CallOutcomeForm { user_id: "UA8RXUSPL".into(), button, form: form_read })
    );
}
