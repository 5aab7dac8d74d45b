//! Contract tests: what our client sends and how it reads every documented answer, through
//! real HTTP to httpmock.

use dbss::{Error, Operation, TransportKind};
use dbss_tests::{AK, INSTANCE, PROJECT, SECURITY_GROUP, authorization_regex, client, client_with};
use futures::StreamExt as _;
use httpmock::{Method::GET, Method::POST, MockServer};
use serde_json::json;

const SG_PATH: &str = "/v1/0123456789abcdef0123456789abcdef/audit/security-group";
const LIST_PATH: &str = "/v1/0123456789abcdef0123456789abcdef/dbss/audit/instances";
/// The seed page's example request body, as serde writes it (field order of the schema).
const SEED_BODY: &str = r#"{"instance_id":"062212d8-8e30-4783-9671-43f3f1f3bb1e","securitygroup_ids":["f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd"]}"#;
/// Headers our client signs on a JSON request, in signed order.
const SIGNED: &str = "api-version;content-type;host;user-agent;x-project-id;x-sdk-date";

#[tokio::test]
async fn update_security_group_sends_exactly_the_documented_signed_request() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(SG_PATH)
                .header("content-type", "application/json;charset=UTF-8")
                .header("x-project-id", PROJECT)
                .header("user-agent", dbss::USER_AGENT)
                .header_matches("x-sdk-date", r"^\d{8}T\d{6}Z$")
                .header_matches("authorization", authorization_regex(SIGNED))
                .header_missing("x-auth-token")
                .body(SEED_BODY);
            then.status(200)
                .header("x-request-id", "req-1")
                .json_body(json!({"result": "SUCCESS"}));
        })
        .await;
    let outcome = client(&server.base_url())
        .instances()
        .set_security_group(INSTANCE, SECURITY_GROUP)
        .await;
    mock.assert_async().await;
    assert_eq!(outcome.ok().flatten().as_deref(), Some("SUCCESS"));
}

#[tokio::test]
async fn every_documented_error_status_keeps_status_code_message_and_request_id() {
    for (status, code, message) in [
        (400, "DBSS.10020021", "invalid instance id"),
        (403, "DBSS.10020100", "token authentication failed"),
        (500, "DBSS.11000000", "internal system error"),
    ] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(POST).path(SG_PATH);
                then.status(status)
                    .header("x-request-id", format!("req-{status}"))
                    .json_body(json!({"error": {"error_code": code, "error_msg": message}}));
            })
            .await;
        let error = client(&server.base_url())
            .instances()
            .set_security_group(INSTANCE, SECURITY_GROUP)
            .await
            .err();
        let Some(Error::Service(e)) = error else {
            panic!("{status}: expected a service error, got {error:?}")
        };
        assert_eq!(
            (e.status, e.error_code.as_deref(), e.error_msg.as_deref()),
            (status, Some(code), Some(message))
        );
        assert_eq!(e.request_id.as_deref(), Some(format!("req-{status}").as_str()));
        assert_eq!(e.operation, "UpdateAuditSecurityGroupNew");
        // Documented errors are final: one request each, no retry.
        assert_eq!(mock.calls_async().await, 1, "status {status}");
    }
}

#[tokio::test]
async fn undeclared_statuses_and_the_flat_shape_are_read_too() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(LIST_PATH);
            then.status(401)
                .header("x-request-id", "gw-1")
                .json_body(json!({"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information", "details": []}));
        })
        .await;
    let error = dbss_tests::v1_instances(&client(&server.base_url()), 0, 10).await.err();
    assert_eq!(error.as_ref().and_then(Error::status), Some(401));
    assert_eq!(error.as_ref().and_then(Error::error_code), Some("APIGW.0301"));
    assert_eq!(error.as_ref().and_then(Error::request_id), Some("gw-1"));
}

#[tokio::test]
async fn a_non_json_error_keeps_its_body_and_is_retried_only_while_idempotent() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(LIST_PATH);
            then.status(502)
                .header("x-request-id", "edge-9")
                .body("<html>Bad Gateway</html>");
        })
        .await;
    let error = dbss_tests::v1_instances(&client(&server.base_url()), 0, 10).await.err();
    let Some(Error::Service(e)) = error else {
        panic!("expected a service error, got {error:?}")
    };
    assert_eq!(
        (e.status, e.error_code.as_deref(), e.body.as_str()),
        (502, None, "<html>Bad Gateway</html>")
    );
    assert_eq!(e.request_id.as_deref(), Some("edge-9"));
    assert_eq!(
        mock.calls_async().await,
        3,
        "a read is retried up to max_attempts on 502"
    );
}

#[tokio::test]
async fn an_undecodable_success_keeps_status_and_request_id() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(LIST_PATH);
            then.status(200)
                .header("x-request-id", "ok-but-garbled")
                .body("this is not json");
        })
        .await;
    let error = dbss_tests::v1_instances(&client(&server.base_url()), 0, 10).await.err();
    let Some(Error::Decode { status, request_id, .. }) = error else {
        panic!("expected a decode error, got {error:?}")
    };
    assert_eq!((status, request_id.as_deref()), (200, Some("ok-but-garbled")));
}

#[tokio::test]
async fn responses_are_read_tolerantly() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(LIST_PATH);
            then.status(200).json_body(json!({
                "total": 2,
                "servers": [
                    {"id": "a", "status": "A_STATE_NOBODY_DOCUMENTED", "charge_model": null, "brand_new_field": {"x": 1}},
                    {}
                ],
                "unknown_top_level": true
            }));
        })
        .await;
    let page = dbss_tests::v1_instances(&client(&server.base_url()), 0, 10).await;
    let page = page.unwrap_or_else(|e| panic!("tolerant decoding failed: {e}"));
    assert_eq!(page.total, Some(2));
    assert_eq!(page.items[0].status.as_deref(), Some("A_STATE_NOBODY_DOCUMENTED"));
    assert_eq!(page.items[0].charge_model, None);
    assert_eq!(page.items[1].id, None);
}

#[tokio::test]
async fn empty_or_out_of_range_ids_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({"result": "SUCCESS"}));
        })
        .await;
    let client = client(&server.base_url());
    let instances = client.instances();
    for (instance, group, field) in [
        ("", SECURITY_GROUP, "instance_id"),
        ("too-short-for-an-instance-id", SECURITY_GROUP, "instance_id"),
        (INSTANCE, "", "securitygroup_ids[0]"),
    ] {
        let error = instances.set_security_group(instance, group).await.err();
        let Some(Error::InvalidRequest { operation, reason }) = error else {
            panic!("{instance:?}/{group:?}: expected a refusal, got {error:?}")
        };
        assert_eq!(operation, "UpdateAuditSecurityGroupNew");
        assert!(reason.starts_with(field), "{reason}");
    }
    assert_eq!(mock.calls_async().await, 0, "nothing may be sent");
}

#[tokio::test]
async fn list_sends_the_canonical_query_and_pages_lazily_to_the_total() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for (offset, ids) in [("0", vec!["i1", "i2"]), ("2", vec!["i3", "i4"]), ("4", vec!["i5"])] {
        let servers: Vec<_> = ids.iter().map(|id| json!({"id": id})).collect();
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path(LIST_PATH)
                        .query_param("offset", offset)
                        .query_param("limit", "2")
                        .header("content-type", "application/json")
                        .header_matches("authorization", authorization_regex(SIGNED));
                    then.status(200).json_body(json!({"total": 5, "servers": servers}));
                })
                .await,
        );
    }
    let client = client(&server.base_url());
    let mut stream = Box::pin(dbss::paging::items(dbss_tests::v1_instance_pages(&client, 2)));
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        ids.push(item.unwrap_or_else(|e| panic!("{e}")).id.unwrap_or_default());
    }
    assert_eq!(ids, ["i1", "i2", "i3", "i4", "i5"]);
    for mock in &mocks {
        assert_eq!(
            mock.calls_async().await,
            1,
            "each page fetched once, and no page past the total"
        );
    }
}

#[tokio::test]
async fn token_credentials_send_x_auth_token_and_no_signature() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(LIST_PATH)
                .header("x-auth-token", "iam-token-value")
                .header_missing("authorization");
            then.status(200).json_body(json!({"total": 0, "servers": []}));
        })
        .await;
    let client = client_with(&server.base_url(), dbss::Credentials::token("iam-token-value"));
    let page = dbss_tests::v1_instances(&client, 0, 10).await;
    mock.assert_async().await;
    assert_eq!(page.ok().map(|p| p.items.len()), Some(0));
}

#[tokio::test]
async fn temporary_keys_sign_their_security_token() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(LIST_PATH)
                .header("x-security-token", "sts-token")
                .header_matches(
                    "authorization",
                    authorization_regex(&format!("{SIGNED};x-security-token")),
                );
            then.status(200).json_body(json!({"total": 0, "servers": []}));
        })
        .await;
    let client = client_with(
        &server.base_url(),
        dbss::Credentials::temporary(AK, dbss_tests::SK, "sts-token"),
    );
    assert!(dbss_tests::v1_instances(&client, 0, 10).await.is_ok());
    mock.assert_async().await;
}

#[tokio::test]
async fn raw_operations_have_the_project_filled_in() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(LIST_PATH).query_param("limit", "7");
            then.status(200)
                .header("x-request-id", "raw-1")
                .json_body(json!({"total": 0, "servers": []}));
        })
        .await;
    let client = client(&server.base_url());
    #[allow(deprecated)]
    let response = client
        .ops()
        .list_audit_instances()
        .limit("7")
        .call_with_metadata()
        .await;
    mock.assert_async().await;
    let response = response.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((response.status, response.request_id.as_deref()), (200, Some("raw-1")));
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_connect_error_after_every_attempt() {
    // Bind then drop a listener: the port is now closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    let error = dbss_tests::v1_instances(&client(&format!("http://127.0.0.1:{port}")), 0, 1)
        .await
        .err();
    let Some(Error::Transport { kind, attempts, .. }) = error else {
        panic!("expected a transport error, got {error:?}")
    };
    assert_eq!((kind, attempts), (TransportKind::Connect, 3));
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(403)
                .json_body(json!({"error": {"error_code": "DBSS.10020100", "error_msg": "denied"}}));
        })
        .await;
    for credentials in [
        dbss::Credentials::ak_sk(AK, dbss_tests::SK),
        dbss::Credentials::token("secret-iam-token"),
        dbss::Credentials::temporary(AK, dbss_tests::SK, "secret-sts-token"),
    ] {
        let client = client_with(&server.base_url(), credentials);
        let error = dbss_tests::v1_instances(&client, 0, 1).await.err();
        let text = format!(
            "{client:?} {error:?} {}",
            error.as_ref().map(ToString::to_string).unwrap_or_default()
        );
        for secret in [dbss_tests::SK, "secret-iam-token", "secret-sts-token"] {
            assert!(!text.contains(secret), "secret leaked: {text}");
        }
    }
}
