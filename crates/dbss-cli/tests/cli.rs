//! The `dbss` binary as users run it, against an in-process simulator.

use std::process::{Command, Output};

use dbss_sim::Simulator;

/// Runs `dbss` with the simulator's credentials in the official SDKs' environment variables.
fn dbss(sim: &Simulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dbss"))
        .args(args)
        .env_clear()
        .env("HUAWEICLOUD_SDK_AK", sim.ak())
        .env("HUAWEICLOUD_SDK_SK", sim.sk())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", sim.project_id())
        .env("DBSS_ENDPOINT", sim.url())
        .output()
        .unwrap_or_else(|e| panic!("cannot run dbss: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn sim() -> Simulator {
    Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn api_list_prints_the_response_as_json() {
    let sim = sim().await;
    let out = dbss(&sim, &["api", "list-audit-instances", "--limit", "2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let value: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
    assert_eq!(value["total"], 3);
    assert_eq!(value["servers"].as_array().map(Vec::len), Some(2));
    assert!(
        text(&out.stderr).contains("warning: ListAuditInstances is being retired"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn api_update_security_group_changes_the_simulators_state() {
    let sim = sim().await;
    let id = sim.state().list(0, 1).0[0].id.clone();
    let body = format!(r#"{{"instance_id":"{id}","securitygroup_ids":["sg-from-cli"]}}"#);
    let out = dbss(
        &sim,
        &[
            "api",
            "update-audit-security-group",
            "--body",
            &body,
            "--endpoint",
            &sim.url(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("SUCCESS"));
    assert_eq!(
        sim.state().get(&id).map(|i| i.security_group_id).as_deref(),
        Some("sg-from-cli")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_from_a_file_works_and_a_bad_one_names_the_field() {
    let sim = sim().await;
    let id = sim.state().list(0, 1).0[0].id.clone();
    let dir = std::env::temp_dir().join(format!("dbss-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("body.json");
    std::fs::write(
        &file,
        format!(r#"{{"instance_id":"{id}","securitygroup_ids":["sg-file"]}}"#),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = dbss(
        &sim,
        &[
            "api",
            "update-audit-security-group",
            "--body",
            &format!("@{}", file.display()),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = dbss(
        &sim,
        &[
            "api",
            "update-audit-security-group",
            "--body",
            r#"{"instance_id":"x","securitygroup_ids":["a","b"]}"#,
        ],
    );
    assert_eq!(out.status.code(), Some(2), "a bad body is a usage error");
    assert!(text(&out.stderr).contains("securitygroup_ids"), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn service_errors_print_code_message_and_request_id_with_exit_code_4() {
    let sim = sim().await;
    let out = dbss(
        &sim,
        &[
            "api",
            "update-audit-security-group",
            "--body",
            r#"{"instance_id":"nope","securitygroup_ids":["a"]}"#,
        ],
    );
    assert_eq!(out.status.code(), Some(4));
    let stderr = text(&out.stderr);
    for expected in ["HTTP 400", "DBSS.10020021", "request id:"] {
        assert!(stderr.contains(expected), "missing {expected:?} in {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_credentials_exit_3_and_bad_secrets_exit_4() {
    let sim = sim().await;
    let out = Command::new(env!("CARGO_BIN_EXE_dbss"))
        .args([
            "api",
            "list-audit-instances",
            "--endpoint",
            &sim.url(),
            "--project-id",
            sim.project_id(),
        ])
        .env_clear()
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("HUAWEICLOUD_SDK_AK"));

    let out = Command::new(env!("CARGO_BIN_EXE_dbss"))
        .args([
            "api",
            "list-audit-instances",
            "--endpoint",
            &sim.url(),
            "--project-id",
            sim.project_id(),
        ])
        .env_clear()
        .env("HUAWEICLOUD_SDK_AK", sim.ak())
        .env("HUAWEICLOUD_SDK_SK", "a-wrong-secret-value")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(4));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        all.contains("APIGW.0301") && !all.contains("a-wrong-secret-value"),
        "{all}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn table_output_and_body_template() {
    let sim = sim().await;
    let out = dbss(&sim, &["api", "list-audit-instances", "--output", "table"]);
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("ID "), "{stdout}");
    assert_eq!(stdout.lines().count(), 4, "{stdout}");
    let out = dbss(&sim, &["api", "update-audit-security-group", "--body-template"]);
    assert!(text(&out.stdout).contains("securitygroup_ids"), "{}", text(&out.stdout));
}

#[test]
fn demo_runs_the_tour_on_its_own_simulator() {
    let out = Command::new(env!("CARGO_BIN_EXE_dbss"))
        .arg("demo")
        .env_clear()
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    for step in [
        "ListAuditInstances",
        "UpdateAuditSecurityGroup",
        "DBSS.10020021",
        "exactly one security group id",
        "demo finished",
    ] {
        assert!(stdout.contains(step), "demo output lacks {step:?}:\n{stdout}");
    }
}
