//! The simulated IAM: password tokens (issued, accepted, expiring) and project lookup, used
//! directly and by the real client.

mod support;

use std::time::Duration;

use dbss_sim::Simulator;
use serde_json::{Value, json};
use support::{Request, path, send};

fn token_request(user: &str, password: &str, domain: &str, project: Value) -> Value {
    json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {"name": user, "password": password, "domain": {"name": domain}}}},
        "scope": {"project": project},
    }})
}

async fn sim_with_user(ttl: Duration) -> Simulator {
    Simulator::builder()
        .iam_user("ops", "s3cret-pass", "acme")
        .token_ttl(ttl)
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn issue(sim: &Simulator, body: &Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/v3/auth/tokens", sim.url()))
        .json(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn list_with_token(sim: &Simulator, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{}", sim.url(), path(sim, "v2", "/audit/instances")))
        .header("X-Auth-Token", token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_password_buys_a_token_that_works_until_it_expires() {
    let sim = sim_with_user(Duration::from_millis(1500)).await;
    let response = issue(
        &sim,
        &token_request("ops", "s3cret-pass", "acme", json!({"name": "cn-north-4"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let token = response
        .headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_default();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(body["token"]["project"]["id"], sim.project_id());
    assert_eq!(body["token"]["project"]["name"], "cn-north-4");
    let expires = body["token"]["expires_at"].as_str().unwrap_or_default();
    assert!(chrono::DateTime::parse_from_rfc3339(expires).is_ok(), "{expires}");
    assert!(
        !body.to_string().contains("s3cret-pass"),
        "the password is never echoed"
    );

    let (status, page) = list_with_token(&sim, &token).await;
    assert_eq!((status, page["total"].as_u64()), (200, Some(3)));
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let (status, refusal) = list_with_token(&sim, &token).await;
    assert_eq!(status, 401);
    assert!(
        refusal["error_msg"].as_str().unwrap_or_default().contains("expired"),
        "{refusal}"
    );
    let (status, _) = list_with_token(&sim, "MIIsim-made-up").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn wrong_passwords_projects_and_requests_are_refused() {
    let sim = sim_with_user(Duration::from_secs(60)).await;
    for (body, status, code) in [
        (
            token_request("ops", "guess", "acme", json!({"name": "cn-north-4"})),
            401,
            "IAM.0004",
        ),
        (
            token_request("ops", "s3cret-pass", "other", json!({"name": "cn-north-4"})),
            401,
            "IAM.0004",
        ),
        (
            token_request("ops", "s3cret-pass", "acme", json!({"name": "eu-west-0"})),
            401,
            "IAM.0004",
        ),
        (json!({"auth": {}}), 400, "IAM.0011"),
    ] {
        let response = issue(&sim, &body).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        assert!(response.headers().get("x-subject-token").is_none());
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(answer["error_code"], code, "{answer}");
        assert!(!answer.to_string().contains("s3cret"), "{answer}");
    }
    // Scoped by project id works as well as by name; no user configured, no token.
    let by_id = issue(
        &sim,
        &token_request("ops", "s3cret-pass", "acme", json!({"id": sim.project_id()})),
    )
    .await;
    assert_eq!(by_id.status().as_u16(), 201);
    let nobody = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let refused = issue(
        &nobody,
        &token_request("ops", "s3cret-pass", "acme", json!({"name": "cn-north-4"})),
    )
    .await;
    assert_eq!(refused.status().as_u16(), 401);
}

#[tokio::test]
async fn the_project_of_a_region_is_found_with_a_signed_request() {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let found = send(&sim, Request::new("GET", "/v3/projects").query("name", "cn-north-4")).await;
    assert_eq!(found.status, 200, "{}", found.text());
    assert_eq!(found.json()["projects"][0]["id"], sim.project_id());
    let other = send(
        &sim,
        Request::new("GET", "/v3/projects").query("name", "ap-southeast-1"),
    )
    .await;
    assert_eq!(other.json()["projects"], json!([]));
    let unsigned = reqwest::get(format!("{}/v3/projects?name=cn-north-4", sim.url()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unsigned.status().as_u16(), 401);
}

#[tokio::test]
async fn the_client_signs_in_with_a_password_and_finds_its_project() {
    let sim = sim_with_user(Duration::from_secs(60)).await;
    let client = dbss::Client::builder()
        .region("cn-north-4")
        .endpoint(sim.url())
        .iam_endpoint(sim.url())
        .credentials(dbss::Credentials::password("ops", "s3cret-pass", "acme"))
        .build_async()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let page = dbss::Operation::call(client.ops().list_audit_instances_last().offset("0").limit("10"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.total, Some(3));

    let keys = dbss::Client::builder()
        .region("cn-north-4")
        .endpoint(sim.url())
        .iam_endpoint(sim.url())
        .credentials(dbss::Credentials::ak_sk(sim.ak(), sim.sk()))
        .build_async()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let page = dbss::Operation::call(keys.ops().list_audit_instances_last().offset("0").limit("10"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.total, Some(3), "the project was looked up through IAM");
}
