//! The contract of every operation, driven by the spec: for each operation, the request our
//! client sends (method, path, query, content type, body, signature) is exactly the one its
//! documented example describes, the documented success response decodes to exactly that
//! example, and an error response is read with its status, code and request id.
//!
//! The cases are generated from `openapi/dbss.yaml` into `generated/operations.rs` by
//! `cargo xtask codegen`; this runner is the only hand-written part.

#[path = "generated/operations.rs"]
mod generated;

use dbss::Error;
use dbss_tests::{authorization_regex, client};
use httpmock::{Method, MockServer};
use serde_json::Value;

use generated::{Case, Outcome, ResponseKind};

/// The contract sends every string parameter with its documented example.
pub fn param(_operation: &str, _name: &str, example: &str) -> String {
    example.to_owned()
}

/// The case's example request body, decoded into the operation's request type.
pub fn example_body<T: serde::de::DeserializeOwned>(id: &str) -> T {
    let case = generated::CASES
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id}"));
    let text = case.request.unwrap_or_else(|| panic!("{id} has no request example"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{id}: the example body does not fit its type: {e}"))
}

const FILE: &[u8] = b"PK\x03\x04 a report or agent package";

async fn mock_for<'a>(
    server: &'a MockServer,
    case: &Case,
    error: Option<(u16, Value)>,
    request_id: &str,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            let mut when = when
                .method(Method::from(case.method))
                .path(case.path)
                .header("content-type", case.content_type)
                .header_matches(
                    "authorization",
                    authorization_regex("api-version;content-type;host;user-agent;x-project-id;x-sdk-date"),
                );
            for (name, value) in case.query {
                when = when.query_param(*name, *value);
            }
            if let Some(body) = case.request {
                when.json_body(serde_json::from_str::<Value>(body).unwrap_or(Value::Null));
            } else if !matches!(case.method, "GET" | "HEAD") {
                // POST/PUT/DELETE without a body send an empty one (httpmock refuses body
                // matchers on GET).
                when.body("");
            }
            let then = then.header("x-request-id", request_id);
            match (&error, &case.response) {
                (Some((status, body)), _) => {
                    then.status(*status).json_body(body.clone());
                }
                (None, ResponseKind::Json(text)) => {
                    then.status(case.status)
                        .header("content-type", "application/json")
                        .body(*text);
                }
                (None, ResponseKind::Empty) => {
                    then.status(case.status);
                }
                (None, ResponseKind::Binary) => {
                    then.status(case.status)
                        .header("content-type", "application/octet-stream")
                        .body(FILE);
                }
            }
        })
        .await
}

#[tokio::test]
async fn every_operation_sends_its_documented_request_and_decodes_its_documented_response() {
    let server = MockServer::start_async().await;
    let client = client(&server.base_url());
    let mut failures = Vec::new();
    for case in &generated::CASES {
        let mock = mock_for(&server, case, None, "contract").await;
        let outcome = generated::invoke(&client, case.id).await;
        let expected = match &case.response {
            ResponseKind::Json(text) => Outcome::Json(serde_json::from_str(text).unwrap_or(Value::Null)),
            ResponseKind::Empty => Outcome::Empty,
            ResponseKind::Binary => Outcome::Bytes(FILE.to_vec()),
        };
        let calls = mock.calls_async().await;
        match outcome {
            Ok(outcome) if calls == 1 && outcome == expected => {}
            Ok(outcome) => failures.push(format!(
                "{}: {calls} matching request(s); decoded {outcome:?}, expected {expected:?}",
                case.id
            )),
            Err(error) => failures.push(format!("{}: {calls} matching request(s); {error}", case.id)),
        }
        mock.delete_async().await;
    }
    assert!(
        failures.is_empty(),
        "{} of {} operations failed:\n{}",
        failures.len(),
        generated::CASES.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_operation_reads_an_error_response_in_either_shape() {
    let server = MockServer::start_async().await;
    let client = client(&server.base_url());
    let mut failures = Vec::new();
    for (index, case) in generated::CASES.iter().enumerate() {
        // Alternate the two documented shapes across operations.
        let body = if index % 2 == 0 {
            serde_json::json!({"error": {"error_code": "DBSS.10020021", "error_msg": "invalid id"}})
        } else {
            serde_json::json!({"error_code": "DBSS.10020021", "error_msg": "invalid id", "details": [], "encoded_authorization_message": ""})
        };
        let request_id = format!("error-{}", case.id);
        let mock = mock_for(&server, case, Some((400, body)), &request_id).await;
        let outcome = generated::invoke(&client, case.id).await;
        match outcome {
            Err(Error::Service(e))
                if e.status == 400
                    && e.error_code.as_deref() == Some("DBSS.10020021")
                    && e.request_id.as_deref() == Some(request_id.as_str())
                    && e.operation == case.id => {}
            other => failures.push(format!("{}: {other:?}", case.id)),
        }
        if mock.calls_async().await != 1 {
            failures.push(format!(
                "{}: the error was not answered to the documented request",
                case.id
            ));
        }
        mock.delete_async().await;
    }
    assert!(
        failures.is_empty(),
        "{} operations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
