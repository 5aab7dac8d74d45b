//! The `dbss-sim` binary as users start it, driven by our client.

mod support;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

use support::instances_total;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_its_url_and_serves_signed_calls() {
    let (running, url) = start(&[
        "--ak",
        "BINARYAK",
        "--sk",
        "binary-secret",
        "--project-id",
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "--token",
        "tok",
    ]);

    for credentials in [
        dbss::Credentials::ak_sk("BINARYAK", "binary-secret"),
        dbss::Credentials::token("tok"),
    ] {
        let client = dbss::Client::builder()
            .endpoint(&url)
            .project_id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
            .credentials(credentials)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(instances_total(&client).await, Some(3));
    }
    let intruder = dbss::Client::builder()
        .endpoint(&url)
        .project_id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
        .credentials(dbss::Credentials::ak_sk("BINARYAK", "guess"))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        dbss::Operation::call(intruder.ops().list_audit_instances_last().offset("0").limit("10"))
            .await
            .err()
            .and_then(|e| e.status()),
        Some(401)
    );
    drop(running);
}

/// Starts the binary with `args`; returns it and its URL.
fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dbss-sim"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start dbss-sim: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("{e}"));
    let url = line
        .trim()
        .strip_prefix("dbss-sim listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (running, url)
}

fn client(url: &str) -> dbss::Client {
    dbss::Client::builder()
        .endpoint(url)
        .project_id(dbss_sim::defaults::PROJECT_ID)
        .credentials(dbss::Credentials::ak_sk(dbss_sim::defaults::AK, dbss_sim::defaults::SK))
        .retry(dbss::RetryPolicy {
            max_attempts: 1,
            ..dbss::RetryPolicy::default()
        })
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

const SCENARIO: &str = r#"{
  "instances": [
    {"id": "11111111-2222-3333-4444-555555555555", "name": "from-file", "status": "SHUTOFF",
     "spec_code": "dbss.bypassaudit.high", "tags": {"env": "file"}}
  ],
  "databases": [
    {"instance_id": "11111111-2222-3333-4444-555555555555", "id": "db-from-file-0001", "name": "ledger",
     "type": "POSTGRESQL", "port": "5432"}
  ],
  "agents": [
    {"instance_id": "11111111-2222-3333-4444-555555555555", "db_id": "db-from-file-0001",
     "agent_id": "agent-from-file-01"}
  ]
}"#;

#[tokio::test]
async fn a_scenario_file_seed_and_faults_configure_the_binary() {
    let dir = std::env::temp_dir().join(format!("dbss-sim-binary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("scenario.json");
    std::fs::write(&file, SCENARIO).unwrap_or_else(|e| panic!("{e}"));
    let state = file.display().to_string();
    let (_running, url) = start(&[
        "--state",
        &state,
        "--seed",
        "42",
        "--audit-rows",
        "50",
        "--transition-ms",
        "0",
        "--fault",
        "op=ShowAuditQuotaNew,status=500,times=1",
    ]);
    let client = client(&url);
    let page = dbss::Operation::call(client.ops().list_audit_instances_last().offset("0").limit("10"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.total, Some(1));
    let instance = &page.instances[0];
    assert_eq!(
        (
            instance.name.as_deref(),
            instance.status.as_deref(),
            instance.database_limit
        ),
        (Some("from-file"), Some("SHUTOFF"), Some(30))
    );
    use dbss::Operation;
    let quota = client.ops().show_audit_quota_new().call().await;
    assert_eq!(quota.err().and_then(|e| e.status()), Some(500), "the configured fault");
    assert!(client.ops().show_audit_quota_new().call().await.is_ok(), "times=1");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_scenarios_and_faults_are_usage_errors() {
    let dir = std::env::temp_dir().join(format!("dbss-sim-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("bad.json");
    std::fs::write(&file, r#"{"instances": [{"id": "short", "name": "x"}]}"#).unwrap_or_else(|e| panic!("{e}"));
    let state = file.display().to_string();
    for (args, expected) in [
        (vec!["--state", state.as_str()], "32 to 64 characters"),
        (
            vec!["--fault", "op=X,status=503,reset=before"],
            "choose one of status, reset",
        ),
        (vec!["--fault", "status=503"], "op= is required"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_dbss-sim"))
            .args(["--listen", "127.0.0.1:0"])
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_keys_can_come_from_the_environment_instead_of_the_command_line() {
    let sim = support::raw::Process::start_with_env(
        &[],
        &[],
        &[("DBSS_SIM_AK", "ENVIRONMENTAK"), ("DBSS_SIM_SK", "environment-secret")],
    );
    let call = |ak: &str, sk: &str| {
        dbss::Client::builder()
            .endpoint(sim.url())
            .project_id(dbss_sim::defaults::PROJECT_ID)
            .credentials(dbss::Credentials::ak_sk(ak, sk))
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let page = dbss::Operation::call(
        call("ENVIRONMENTAK", "environment-secret")
            .ops()
            .list_audit_instances_last()
            .offset("0")
            .limit("10"),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.total, Some(3));
    let defaults = dbss::Operation::call(
        call(dbss_sim::defaults::AK, dbss_sim::defaults::SK)
            .ops()
            .list_audit_instances_last()
            .offset("0")
            .limit("10"),
    )
    .await;
    assert_eq!(
        defaults.err().and_then(|e| e.status()),
        Some(401),
        "the defaults are replaced"
    );

    let help = Command::new(env!("CARGO_BIN_EXE_dbss-sim"))
        .arg("--help")
        .env("DBSS_SIM_SK", "environment-secret")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("DBSS_SIM_SK") && help.contains("DBSS_SIM_AK"), "{help}");
    assert!(
        !help.contains("environment-secret"),
        "the secret is never shown: {help}"
    );
}
