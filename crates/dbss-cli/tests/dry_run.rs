//! `--dry-run`: every command that calls the API prints the signed request it would send,
//! credentials redacted, and sends nothing.

mod support;

use httpmock::MockServer;
use support::{bare, ok, sim, stderr};

const AK: &str = "DRYRUNACCESSKEY0001";
const SK: &str = "dry-run-secret-key-value";
const SECURITY_TOKEN: &str = "dry-run-security-token-value";
const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const INSTANCE: &str = "fedcba9876543210fedcba9876543210";
const RESOURCE: &str = "e2f3ef5b-2d4b-8de7-6e63-73be861154ec";

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_of_command_prints_its_request_and_sends_nothing() {
    // Whatever would be sent lands here, and is counted.
    let server = MockServer::start_async().await;
    let catch_all = server
        .mock_async(|_when, then| {
            then.status(200).header("content-type", "application/json").body("{}");
        })
        .await;
    let endpoint = server.base_url();
    let security_group = format!(r#"{{"instance_id":"{INSTANCE}","securitygroup_ids":["sg-1"]}}"#);
    for (args, method, path, body) in [
        (&["instances", "list"][..], "GET", "/audit/instances", None),
        (
            &["instances", "delete", INSTANCE],
            "DELETE",
            "/audit/instance",
            Some(INSTANCE),
        ),
        (
            &["instances", "stop", INSTANCE],
            "POST",
            "/audit/instance/stop",
            Some(INSTANCE),
        ),
        (
            &["whitelists", "delete", "-i", INSTANCE, "w-1"],
            "POST",
            "/whitelists/batch-delete",
            Some("w-1"),
        ),
        (
            // The tags are read first, so that removing a key that is not there can say so.
            &["tags", "remove", "--resource-id", RESOURCE, "env"],
            "GET",
            "/tags",
            None,
        ),
        (
            &["sql", "export", "-i", INSTANCE, "--since", "2h"],
            "POST",
            "/sqls",
            Some("start_time"),
        ),
        (&["quotas", "show"], "GET", "/audit/quota", None),
        (
            &["api", "update-audit-security-group", "--body", &security_group],
            "POST",
            "/security-group",
            Some("sg-1"),
        ),
    ] {
        let mut command = bare();
        command
            .arg("--dry-run")
            .args(args)
            .env("HUAWEICLOUD_SDK_AK", AK)
            .env("HUAWEICLOUD_SDK_SK", SK)
            .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
            .env("DBSS_ENDPOINT", &endpoint);
        let out = support::run(command);
        let printed = ok(&out);
        let request_line = printed.lines().next().unwrap_or_default();
        let prefix = format!("{method} {endpoint}/");
        assert!(
            request_line.starts_with(&prefix) && request_line.contains(PROJECT) && request_line.contains(path),
            "{args:?}: expected {prefix}...{path}, got:\n{printed}"
        );
        let headers = printed.to_lowercase();
        for redacted in ["authorization: <redacted>", "x-security-token: <redacted>"] {
            assert!(headers.contains(redacted), "{args:?}: no {redacted:?} in\n{printed}");
        }
        assert!(
            headers.contains("x-sdk-date: ") && headers.contains("x-project-id: "),
            "{printed}"
        );
        if let Some(body) = body {
            assert!(printed.contains(body), "{args:?}: the body lacks {body:?}:\n{printed}");
        }
        let everything = format!("{printed}{}", stderr(&out));
        for secret in [SK, SECURITY_TOKEN, "Signature="] {
            assert!(!everything.contains(secret), "{args:?}: {secret} shown:\n{everything}");
        }
        assert!(stderr(&out).contains("dry run"), "{}", stderr(&out));
    }
    assert_eq!(catch_all.calls_async().await, 0, "a dry run sent a request");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_delete_leaves_the_instance_in_place() {
    let sim = sim().await;
    let listed = ok(&support::dbss(&sim, &["instances", "list", "-o", "json"]));
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap_or_else(|e| panic!("{e}"));
    let id = listed[0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no instance: {listed}"));
    let printed = ok(&support::dbss(&sim, &["--dry-run", "instances", "delete", id]));
    assert!(printed.starts_with("DELETE "), "{printed}");
    let shown = ok(&support::dbss(&sim, &["instances", "show", id, "-o", "json"]));
    assert!(!shown.contains("DELET"), "the instance is being deleted:\n{shown}");
}
