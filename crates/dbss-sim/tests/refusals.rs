//! Requests refused for what their line or parameters say: numbers beyond any integer range,
//! methods a known path does not serve.

mod support;

use dbss_sim::Simulator;
use support::{Request, path, send};

#[tokio::test]
async fn an_integer_too_long_for_any_type_is_refused_naming_its_field() {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let list = path(&sim, "v1", "/audit/instances");
    for limit in [
        "1001",
        "99999999999999999999",
        "100000000000000000000000000000000000000000",
    ] {
        let answer = send(
            &sim,
            Request::new("GET", &list).query("offset", "0").query("limit", limit),
        )
        .await;
        let message = answer.json()["error"]["error_msg"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(answer.status, 400, "limit={limit}: {}", answer.text());
        assert!(
            message.starts_with("query.limit: must be between 1 and 1000"),
            "limit={limit}: {message}"
        );
    }
    // A parameter typed integer in the spec: the same number does not fit in 64 bits.
    let instance = support::first_instance(&sim);
    let whitelists = path(&sim, "v1", &format!("/audit/{instance}/whitelists"));
    let answer = send(
        &sim,
        Request::new("GET", whitelists).query("limit", "99999999999999999999"),
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert_eq!(
        answer.json()["error"]["error_msg"].as_str(),
        Some("query.limit: 99999999999999999999 does not fit in int64")
    );
    let fine = send(
        &sim,
        Request::new("GET", &list).query("offset", "0").query("limit", "10"),
    )
    .await;
    assert_eq!(fine.status, 200, "{}", fine.text());
}

#[tokio::test]
async fn a_known_path_with_another_method_is_405_listing_the_allowed_ones() {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let http = reqwest::Client::new();
    let quota = path(&sim, "v2", "/audit/quota");
    let answer = send(&sim, Request::new("POST", &quota)).await;
    assert_eq!(answer.status, 405, "{}", answer.text());
    assert_eq!(answer.headers.get("allow").and_then(|v| v.to_str().ok()), Some("GET"));
    assert_eq!(answer.json()["error"]["error_code"].as_str(), Some("DBSS.10021004"));

    let both = path(&sim, "v1", "/dbss/audit/instances");
    let answer = send(&sim, Request::new("PATCH", &both)).await;
    assert_eq!(answer.status, 405);
    assert_eq!(
        answer.headers.get("allow").and_then(|v| v.to_str().ok()),
        Some("DELETE, GET")
    );

    // The simulated IAM's paths too, without any credential.
    let iam = http
        .get(format!("{}/v3/auth/tokens", sim.url()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(iam.status().as_u16(), 405);
    assert_eq!(iam.headers().get("allow").and_then(|v| v.to_str().ok()), Some("POST"));

    let nowhere = send(&sim, Request::new("GET", path(&sim, "v2", "/nowhere"))).await;
    assert_eq!(nowhere.status, 404);
}
