//! Faults on demand: error answers, dropped connections before and after processing,
//! latency and slow bodies, per operation and deterministic by seed; and a real client
//! recovering from them.

mod support;

use std::time::{Duration, Instant};

use dbss_sim::{Fault, Simulator};
use serde_json::json;
use support::{Request, client_for, first_instance, instances_total, path, send, try_send_with};

async fn statuses(seed: u64) -> Vec<u16> {
    let fault = "op=ListAuditInstancesNew,status=503,rate=0.5,retry-after=1"
        .parse::<Fault>()
        .unwrap_or_else(|e| panic!("{e}"));
    let sim = Simulator::builder()
        .seed(seed)
        .fault(fault)
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut seen = Vec::new();
    for _ in 0..24 {
        let answer = send(&sim, Request::new("GET", path(&sim, "v1", "/audit/instances"))).await;
        if answer.status == 503 {
            assert_eq!(answer.json()["error"]["error_code"], "DBSS.11000000");
            assert_eq!(
                answer.headers.get("retry-after").and_then(|v| v.to_str().ok()),
                Some("1")
            );
            assert!(answer.headers.contains_key("x-request-id"));
        }
        seen.push(answer.status);
    }
    // Other operations are not affected.
    let other = send(&sim, Request::new("GET", path(&sim, "v2", "/audit/instances"))).await;
    assert_eq!(other.status, 200);
    seen
}

#[tokio::test]
async fn error_answers_hit_a_seeded_share_of_requests() {
    let first = statuses(3).await;
    assert_eq!(first, statuses(3).await, "the same seed fails the same requests");
    assert_ne!(first, statuses(4).await, "another seed fails others");
    let failed = first.iter().filter(|s| **s == 503).count();
    assert!((4..=20).contains(&failed), "{failed} of 24 at rate 0.5");
    assert!(first.iter().all(|s| *s == 503 || *s == 200));
}

#[tokio::test]
async fn throttling_answers_in_the_gateways_shape() {
    let sim = Simulator::builder()
        .fault(Fault::status("*", 429).times(1))
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let throttled = send(&sim, Request::new("GET", path(&sim, "v2", "/audit/quota"))).await;
    assert_eq!(
        (throttled.status, throttled.json()["error_code"].as_str()),
        (429, Some("APIGW.0308"))
    );
    let next = send(&sim, Request::new("GET", path(&sim, "v2", "/audit/quota"))).await;
    assert_eq!(next.status, 200, "times=1 hits once");
}

fn whitelist(sql: &str) -> serde_json::Value {
    json!({ "whitelists": [{ "sql": sql }] })
}

/// Adds a whitelist entry with `fault` configured; returns whether it was answered, and the
/// entries kept afterwards.
async fn add_whitelist_with(fault: Fault) -> (bool, Vec<String>, Simulator, String) {
    let sim = Simulator::builder()
        .fault(fault)
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let id = first_instance(&sim);
    let request =
        Request::new("POST", path(&sim, "v1", &format!("/audit/{id}/whitelists"))).json(&whitelist("SELECT 1"));
    let outcome = try_send_with(&reqwest::Client::new(), &sim, request).await;
    if let Err(error) = &outcome {
        // The connection closed without an answer: no status, no body.
        assert!(error.status().is_none(), "{error:?}");
    }
    let kept = sim.state().whitelists(&id).into_iter().map(|w| w.sql).collect();
    (outcome.is_ok(), kept, sim, id)
}

#[tokio::test]
async fn a_reset_before_processing_closes_the_connection_and_changes_nothing() {
    let (answered, kept, sim, id) = add_whitelist_with(Fault::reset_before("BatchAddAuditWhitelist").times(1)).await;
    assert!(!answered, "the connection must close without an answer");
    assert!(kept.is_empty(), "{kept:?}");
    // times=1: the retry goes through.
    let request =
        Request::new("POST", path(&sim, "v1", &format!("/audit/{id}/whitelists"))).json(&whitelist("SELECT 2"));
    assert_eq!(send(&sim, request).await.status, 200);
    assert_eq!(sim.state().whitelists(&id).len(), 1);
}

#[tokio::test]
async fn a_reset_after_processing_keeps_the_change_it_did_not_acknowledge() {
    let (answered, kept, _sim, _) = add_whitelist_with(Fault::reset_after("BatchAddAuditWhitelist")).await;
    assert!(!answered, "the connection must close without an answer");
    assert_eq!(kept, ["SELECT 1"], "processed before the connection closed");
}

#[tokio::test]
async fn latency_and_slow_bodies_delay_answers_without_changing_them() {
    let plain = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let expected = send(&plain, Request::new("GET", path(&plain, "v2", "/audit/instances")))
        .await
        .json();
    let sim = Simulator::builder()
        .fault(Fault::latency("ListAuditInstancesLast", Duration::from_millis(300)))
        .fault(
            "op=ListAuditInstances,slow-body-ms=60,chunk=512"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let late = send(&sim, Request::new("GET", path(&sim, "v2", "/audit/instances"))).await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(late.json(), expected, "the same answer, later");

    let started = Instant::now();
    let slow = send(&sim, Request::new("GET", path(&sim, "v1", "/dbss/audit/instances"))).await;
    let chunks = slow.body.len().div_ceil(512) as u32;
    assert!(chunks >= 2, "{} bytes", slow.body.len());
    assert!(
        started.elapsed() >= Duration::from_millis(60) * chunks,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(slow.json()["total"], 3, "the slow body arrives whole");
}

#[tokio::test]
async fn the_client_retries_through_transient_faults() {
    let sim = Simulator::builder()
        .fault(Fault::status("ListAuditInstancesLast", 503).times(2).retry_after(0))
        .fault(Fault::reset_before("ListAuditInstancesNew").times(1))
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let client = client_for(&sim)
        .retry(dbss::RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            ..dbss::RetryPolicy::default()
        })
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(instances_total(&client).await, Some(3), "third attempt answered");
    use dbss::Operation;
    let new = client
        .ops()
        .list_audit_instances_new()
        .limit("10")
        .call()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(new.total, Some(3), "retried after the dropped connection");
}
