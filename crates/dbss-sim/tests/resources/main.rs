//! Resources kept in state: what is written is read back, by the old and the new operations
//! alike, and what the service refuses is refused with its code and the offending field.

#[path = "../support/mod.rs"]
mod support;

mod audited;
mod rules;
mod settings;
mod tags;

use dbss_sim::Simulator;
use serde_json::{Value, json};

use crate::support::{Answer, Request, first_instance, path, send};

pub(crate) async fn sim() -> (Simulator, String) {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let id = first_instance(&sim);
    (sim, id)
}

pub(crate) async fn call(sim: &Simulator, method: &str, version: &str, rest: &str, body: Option<Value>) -> Answer {
    let mut request = Request::new(method, path(sim, version, rest));
    if let Some(body) = body {
        request = request.json(&body);
    }
    send(sim, request).await
}

pub(crate) async fn ok(sim: &Simulator, method: &str, version: &str, rest: &str, body: Option<Value>) -> Value {
    let answer = call(sim, method, version, rest, body).await;
    assert!(
        (200..300).contains(&answer.status),
        "{method} {rest}: {} {}",
        answer.status,
        answer.text()
    );
    answer.json()
}

pub(crate) fn error(answer: &Answer) -> (u16, String, String) {
    let body = answer.json();
    (
        answer.status,
        body["error"]["error_code"].as_str().unwrap_or_default().to_owned(),
        body["error"]["error_msg"].as_str().unwrap_or_default().to_owned(),
    )
}

pub(crate) fn database(name: &str) -> Value {
    json!({"database": {"db_classification": "ECS", "name": name, "type": "MYSQL", "version": "8.0",
                        "charset": "UTF8", "ip": "192.168.1.40", "port": "3306", "os": "LINUX64"}})
}

#[tokio::test]
async fn requests_are_checked_against_the_spec_before_anything_happens() {
    let (sim, id) = sim().await;
    let short = call(&sim, "GET", "v2", "/audit/short-id/databases", None).await;
    assert_eq!(
        error(&short),
        (
            400,
            "DBSS.10000001".into(),
            "path.instance_id: expected at least 32 characters, got 8".into()
        )
    );
    let query = send(
        &sim,
        Request::new("GET", path(&sim, "v1", "/audit/instances")).query("limit", "ten"),
    )
    .await;
    assert_eq!(error(&query).2, "query.limit: \"ten\" does not match ^[0-9]+$");
    let required = send(
        &sim,
        Request::new("GET", path(&sim, "v3", &format!("/audit/{id}/agents"))),
    )
    .await;
    assert_eq!(error(&required).2, "query.db_id: required");
    let no_body = call(&sim, "POST", "v1", &format!("/audit/{id}/rule/sql"), None).await;
    assert_eq!(error(&no_body).2, "request body: required");
    let several = call(
        &sim,
        "POST",
        "v1",
        &format!("/audit/{id}/rule/sql"),
        Some(json!({"risk_level": "EXTREME", "status": "ON"})),
    )
    .await;
    assert_eq!(
        error(&several).2,
        "body.rule_name: required; body.sql_regex: required; \
         body.risk_level: \"EXTREME\" is not one of \"LOW\", \"MEDIUM\", \"HIGH\", \"NO_RISK\""
    );
    let unknown = call(&sim, "GET", "v1", "/audit/nothing-here", None).await;
    assert_eq!(
        (unknown.status, unknown.json()["error"]["error_code"].as_str()),
        (404, Some("DBSS.10021004"))
    );
    let other_project = send(&sim, Request::new("GET", format!("/v2/{}/audit/quota", "f".repeat(32)))).await;
    assert_eq!(error(&other_project).0, 403);
    assert_eq!(sim.state().databases(&id).len(), 2, "nothing changed");
}
