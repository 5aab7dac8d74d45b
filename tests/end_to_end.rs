//! End to end: our client against the simulator, over real HTTP on 127.0.0.1.

use chrono::{Duration as Span, Utc};
use dbss::Error;
use dbss_sim::Simulator;
use dbss_tests::{HandSigned, SECURITY_GROUP, sim_client};
use futures::TryStreamExt;

#[tokio::test]
async fn changing_a_security_group_really_changes_it() {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let client = sim_client(&sim);
    let instances: Vec<_> = client
        .audit_instances()
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(instances.len(), 3);
    let id = instances[1].id.clone().unwrap_or_default();

    let outcome = client
        .update_audit_security_group(&id, SECURITY_GROUP)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.result.as_deref(), Some("SUCCESS"));
    assert_eq!(
        sim.state().get(&id).map(|i| i.security_group_id),
        Some(SECURITY_GROUP.to_owned())
    );
    let listed: Vec<_> = client
        .audit_instances()
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed[1].security_group_id.as_deref(), Some(SECURITY_GROUP));
}

#[tokio::test]
async fn pages_of_every_size_cover_every_instance_once() {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let client = sim_client(&sim);
    for size in 1..=4 {
        let pages: Vec<_> = client
            .audit_instance_pages(size)
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<_> = pages
            .iter()
            .flat_map(|p| p.items.iter().filter_map(|i| i.id.clone()))
            .collect();
        assert_eq!(ids.len(), 3, "page size {size}");
        assert_eq!(
            pages.len() as u64,
            3u64.div_ceil(size),
            "page size {size}: no extra request past the total"
        );
    }
}

#[tokio::test]
async fn an_unknown_instance_is_a_400_with_a_dbss_code() {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let error = sim_client(&sim)
        .update_audit_security_group("00000000-0000-4000-8000-000000000000", SECURITY_GROUP)
        .await
        .err();
    assert_eq!(error.as_ref().and_then(Error::status), Some(400));
    assert_eq!(error.as_ref().and_then(Error::error_code), Some("DBSS.10020021"));
    assert!(
        error.as_ref().and_then(Error::request_id).is_some(),
        "the simulator gives every answer a request id"
    );
}

#[tokio::test]
async fn wrong_keys_get_the_gateways_401() {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    for credentials in [
        dbss::Credentials::ak_sk(sim.ak(), "not-the-secret"),
        dbss::Credentials::ak_sk("UNKNOWNAK", sim.sk()),
        dbss::Credentials::token("no-token-configured"),
    ] {
        let client = dbss::Client::builder()
            .endpoint(sim.url())
            .project_id(sim.project_id())
            .credentials(credentials)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let error = client.list_audit_instances(0, 10).await.err();
        assert_eq!(error.as_ref().and_then(Error::status), Some(401), "{error:?}");
        assert_eq!(
            error.as_ref().and_then(Error::error_code),
            Some("APIGW.0301"),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn tokens_are_accepted_when_the_simulator_issues_them() {
    let sim = Simulator::builder()
        .token("sim-token")
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let client = dbss::Client::builder()
        .endpoint(sim.url())
        .project_id(sim.project_id())
        .credentials(dbss::Credentials::token("sim-token"))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        client.list_audit_instances(0, 10).await.ok().map(|p| p.items.len()),
        Some(3)
    );
}

#[tokio::test]
async fn another_projects_path_is_refused_with_403() {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    // Correctly signed, but for a project that is not the credential's.
    let client = dbss::Client::builder()
        .endpoint(sim.url())
        .project_id("ffffffffffffffffffffffffffffffff")
        .credentials(dbss::Credentials::ak_sk(sim.ak(), sim.sk()))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let error = client.list_audit_instances(0, 10).await.err();
    assert_eq!(error.as_ref().and_then(Error::status), Some(403), "{error:?}");
}

/// Sends a GET signed at `date` by hand, and returns the status.
async fn signed_get_at(sim: &Simulator, date: chrono::DateTime<Utc>, tamper: bool) -> u16 {
    let path = format!("/v1/{}/dbss/audit/instances", sim.project_id());
    let request = HandSigned {
        query: &[("limit", "1")],
        date,
        sent_query: tamper.then_some("limit=2"),
        ..HandSigned::new("GET", &path, "application/json", "")
    };
    let response = request
        .send(&reqwest::Client::new(), sim)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    response.status().as_u16()
}

#[tokio::test]
async fn signatures_are_checked_with_a_fifteen_minute_clock_window() {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let now = Utc::now();
    assert_eq!(signed_get_at(&sim, now, false).await, 200);
    assert_eq!(signed_get_at(&sim, now - Span::minutes(14), false).await, 200);
    assert_eq!(signed_get_at(&sim, now + Span::minutes(14), false).await, 200);
    assert_eq!(signed_get_at(&sim, now - Span::minutes(16), false).await, 401);
    assert_eq!(signed_get_at(&sim, now + Span::minutes(16), false).await, 401);
    assert_eq!(
        signed_get_at(&sim, now, true).await,
        401,
        "a query changed after signing must fail"
    );
}

#[tokio::test]
async fn malformed_bodies_are_400s_that_name_the_field_never_500s() {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let path = format!("/v1/{}/dbss/audit/security-group", sim.project_id());
    for (body, field) in [
        (r#"{"securitygroup_ids":["sg"]}"#, "instance_id"),
        (r#"{"instance_id":"i","securitygroup_ids":[]}"#, "securitygroup_ids"),
        (
            r#"{"instance_id":"i","securitygroup_ids":["a","b"]}"#,
            "securitygroup_ids",
        ),
        (r#"{"instance_id":5,"securitygroup_ids":["a"]}"#, "instance_id"),
        (r#"not json"#, "request body"),
    ] {
        let status_and_text = raw_signed_post(&sim, &path, body).await;
        assert_eq!(status_and_text.0, 400, "{body}: {}", status_and_text.1);
        assert!(
            status_and_text.1.contains("DBSS.10000001") && status_and_text.1.contains(field),
            "{body}: {}",
            status_and_text.1
        );
    }
}

async fn raw_signed_post(sim: &Simulator, path: &str, body: &str) -> (u16, String) {
    let response = HandSigned::new("POST", path, "application/json;charset=UTF-8", body)
        .send(&reqwest::Client::new(), sim)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}
