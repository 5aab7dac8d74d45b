//! Observability without leaks: every credential type, on success and failure paths, traced at
//! TRACE level; no secret may appear in the logs, in errors or in Debug output, while the
//! spans still name the operation, attempt, status and request id.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use dbss::Credentials;
use httpmock::{Method, MockServer};
use serde_json::json;

const SECRETS: [&str; 4] = ["sk-TOP-SECRET", "sts-TOP-SECRET", "token-TOP-SECRET", "pw-TOP-SECRET"];

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_credential_type_leaks_a_secret_into_traces_errors_or_debug() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(Method::POST)
                .path("/v3/auth/tokens")
                .body_includes("pw-TOP-SECRET");
            then.status(201)
                .header("x-subject-token", "token-TOP-SECRET")
                .json_body(json!({"token": {"expires_at": "2099-01-01T00:00:00Z"}}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(Method::GET).query_param("limit", "1");
            then.status(200)
                .header("x-request-id", "req-ok")
                .json_body(json!({"total": 0, "servers": []}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(Method::GET).query_param("limit", "2");
            then.status(403)
                .header("x-request-id", "req-denied")
                .json_body(json!({"error_code": "APIGW.0301", "error_msg": "denied"}));
        })
        .await;

    let mut texts = Vec::new();
    for credentials in [
        Credentials::ak_sk("AKVISIBLE", "sk-TOP-SECRET"),
        Credentials::temporary("AKVISIBLE", "sk-TOP-SECRET", "sts-TOP-SECRET"),
        Credentials::token("token-TOP-SECRET"),
        Credentials::password("bot", "pw-TOP-SECRET", "acme"),
    ] {
        let client = dbss::Client::builder()
            .environment([])
            .endpoint(server.base_url())
            .project_id("0123456789abcdef0123456789abcdef")
            .credentials(credentials)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let ok = dbss_tests::v1_instances(&client, 0, 1).await;
        assert!(ok.is_ok(), "{ok:?}");
        let denied = dbss_tests::v1_instances(&client, 0, 2).await;
        assert!(denied.is_err());
        texts.push(format!(
            "{client:?} {ok:?} {denied:?} {}",
            denied.as_ref().err().map(ToString::to_string).unwrap_or_default()
        ));
    }
    // A refused password exchange, through the same subscriber.
    let refusing = MockServer::start_async().await;
    refusing
        .mock_async(|when, then| {
            when.method(Method::POST).path("/v3/auth/tokens");
            then.status(401)
                .json_body(json!({"error": {"message": "wrong password"}}));
        })
        .await;
    let client = dbss::Client::builder()
        .environment([])
        .endpoint(refusing.base_url())
        .project_id("0123456789abcdef0123456789abcdef")
        .credentials(Credentials::password("bot", "pw-TOP-SECRET", "acme"))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = dbss_tests::v1_instances(&client, 0, 1).await;
    texts.push(format!(
        "{refused:?} {}",
        refused.as_ref().err().map(ToString::to_string).unwrap_or_default()
    ));

    let logs =
        String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)).into_owned();
    for secret in SECRETS {
        assert!(!logs.contains(secret), "{secret} leaked into the trace:\n{logs}");
        for text in &texts {
            assert!(
                !text.contains(secret),
                "{secret} leaked into an error or Debug output: {text}"
            );
        }
    }
    for expected in [
        "dbss.call",
        "dbss.attempt",
        "ListAuditInstances",
        "attempt=1",
        "status=200",
        "req-ok",
        "status=403",
    ] {
        assert!(logs.contains(expected), "the trace lacks {expected:?}:\n{logs}");
    }
}
