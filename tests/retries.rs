//! Retries: what is retried, what never is, and the signature of every attempt.

use std::time::Duration;

use dbss::{CallOptions, Error, RetryPolicy, types};
use dbss_tests::{
    client,
    flaky::{Flaky, Step},
};

const LIST: &str = r#"{"total": 0, "servers": []}"#;

fn quick(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts: attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn a_read_survives_a_reset_a_503_and_a_429_each_attempt_signed_afresh() {
    let server = Flaky::start(vec![
        Step::Drop,
        Step::Answer(503, vec![], "{}"),
        Step::Answer(429, vec![("retry-after", "0")], "{}"),
        Step::Answer(200, vec![("x-request-id", "finally")], LIST),
    ])
    .await;
    let client = client(&server.url).with_options(CallOptions {
        retry: Some(quick(4)),
        ..Default::default()
    });
    let page = dbss_tests::v1_instances(&client, 0, 10).await;
    assert!(page.is_ok(), "{page:?}");
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        assert!(
            request.contains("authorization: SDK-HMAC-SHA256 Access="),
            "every attempt is signed: {request}"
        );
        assert!(request.to_ascii_lowercase().contains("x-sdk-date: "), "{request}");
    }
}

fn order_body() -> types::CreateInstancePeriodRequest {
    serde_json::from_value(serde_json::json!({
        "name": "audit-prod", "flavor_ref": "c6.xlarge.4", "vpc_id": "b26086b0-8257-21c4-6b34-3c2486e643b7",
        "availability_zone": "cn-north-4a", "nics": [{"subnet_id": "fe866fcb-2725-fcd8-0b02-4a7957795b65"}],
        "security_groups": [{"id": "b80bb774-0288-fda1-f201-890375a60c8f"}], "comment": "", "region": "cn-north-4",
        "cloud_service_type": "hws.service.type.dbss", "charging_mode": 0, "period_type": 2, "period_num": 1,
        "subscription_num": 1, "is_auto_renew": 0,
        "product_infos": [{"product_id": "p1", "cloud_service_type": "hws.service.type.dbss", "resource_type": "hws.resource.type.dbss",
            "resource_spec_code": "dbss.bypassaudit.low", "product_spec_desc": "low"}]
    }))
    .unwrap_or_else(|e| panic!("example order does not fit: {e}"))
}

#[tokio::test]
async fn an_order_is_never_sent_twice_when_the_connection_drops_after_sending() {
    let server = Flaky::start(vec![Step::Drop, Step::Answer(200, vec![], r#"{"order_id": "o-1"}"#)]).await;
    let client = client(&server.url).with_options(CallOptions {
        retry: Some(quick(3)),
        ..Default::default()
    });
    let outcome = dbss::Operation::call(client.ops().create_instances_period_order_new().body(order_body())).await;
    assert!(
        matches!(outcome, Err(Error::Transport { attempts: 1, .. })),
        "{outcome:?}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "the order reached the server once and was not repeated"
    );
}

#[tokio::test]
async fn the_caller_may_opt_in_to_retrying_an_order() {
    let server = Flaky::start(vec![Step::Drop, Step::Answer(200, vec![], r#"{"order_id": "o-2"}"#)]).await;
    let policy = RetryPolicy {
        retry_non_idempotent: true,
        ..quick(3)
    };
    let client = client(&server.url).with_options(CallOptions {
        retry: Some(policy),
        ..Default::default()
    });
    let outcome = dbss::Operation::call(client.ops().create_instances_period_order_new().body(order_body())).await;
    assert_eq!(outcome.ok().and_then(|o| o.order_id).as_deref(), Some("o-2"));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_exhausted_budget_stops_retrying() {
    let server = Flaky::start(vec![Step::Answer(503, vec![], "{}"); 10]).await;
    // Room for exactly one retry in the whole budget.
    let policy = RetryPolicy {
        budget: 5,
        retry_cost: 5,
        ..quick(5)
    };
    let client = client(&server.url).with_options(CallOptions {
        retry: Some(policy),
        ..Default::default()
    });
    let first = dbss_tests::v1_instances(&client, 0, 1).await;
    assert_eq!(first.err().and_then(|e| e.status()), Some(503));
    assert_eq!(
        server.requests().len(),
        2,
        "one attempt and the single retry the budget allowed"
    );
    let second = dbss_tests::v1_instances(&client, 0, 1).await;
    assert_eq!(second.err().and_then(|e| e.status()), Some(503));
    assert_eq!(server.requests().len(), 3, "no budget left: no retry");
}

#[tokio::test]
async fn a_total_timeout_ends_the_call_with_a_timeout_error() {
    // A listener that accepts and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = client(&url).with_options(CallOptions {
        total_timeout: Some(Duration::from_millis(300)),
        retry: Some(quick(5)),
        ..Default::default()
    });
    let outcome = dbss_tests::v1_instances(&client, 0, 1).await;
    assert!(matches!(outcome, Err(Error::Timeout { .. })), "{outcome:?}");
}
