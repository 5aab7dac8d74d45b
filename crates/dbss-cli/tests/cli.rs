//! The `dbss` binary as users run it: `dbss api`, output formats, error reports and exit
//! codes, against a simulator on 127.0.0.1 (every operation here is one that every simulator
//! version serves).

mod support;

use support::{bare, canned, dbss, fails, golden, json, ok, run, sim, stderr, stdout};

/// The id of the first seeded instance, through the CLI itself.
fn first_instance(sim: &dbss_sim::Simulator) -> String {
    let value = json(&dbss(
        sim,
        &[
            "api",
            "list-audit-instances",
            "--limit",
            "1",
            "--query",
            "servers[0].id",
        ],
    ));
    value
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no instance: {value}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn api_list_prints_the_response_as_json_when_piped() {
    let sim = sim().await;
    let out = dbss(&sim, &["api", "list-audit-instances", "--limit", "2"]);
    let value = json(&out);
    assert!(value["total"].as_u64().unwrap_or(0) >= 2, "{value}");
    assert_eq!(value["servers"].as_array().map(Vec::len), Some(2));
    assert!(
        stderr(&out).contains("warning: ListAuditInstances is being retired"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn api_update_security_group_changes_the_simulators_state() {
    let sim = sim().await;
    let id = first_instance(&sim);
    let body = format!(r#"{{"instance_id":"{id}","securitygroup_ids":["sg-from-cli"]}}"#);
    let out = dbss(&sim, &["api", "update-audit-security-group", "--body", &body]);
    assert!(ok(&out).contains("SUCCESS"));
    let listed = json(&dbss(&sim, &["api", "list-audit-instances", "--limit", "1"]));
    assert_eq!(listed["servers"][0]["security_group_id"], "sg-from-cli", "{listed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_from_a_file_or_stdin_works_and_a_bad_one_names_the_field() {
    let sim = sim().await;
    let id = first_instance(&sim);
    let dir = support::temp_dir("body");
    let file = dir.join("body.json");
    std::fs::write(
        &file,
        format!(r#"{{"instance_id":"{id}","securitygroup_ids":["sg-file"]}}"#),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    ok(&dbss(
        &sim,
        &[
            "api",
            "update-audit-security-group",
            "--body",
            &format!("@{}", file.display()),
        ],
    ));
    let piped = support::run_with_stdin(
        support::command(&sim, &["api", "update-audit-security-group", "--body", "@-"]),
        &format!(r#"{{"instance_id":"{id}","securitygroup_ids":["sg-stdin"]}}"#),
    );
    ok(&piped);

    let out = dbss(
        &sim,
        &[
            "api",
            "update-audit-security-group",
            "--body",
            r#"{"instance_id":"00000000-0000-4000-8000-000000000000","securitygroup_ids":["a","b"]}"#,
        ],
    );
    let err = fails(&out, 2);
    assert!(err.contains("securitygroup_ids"), "{err}");
    golden("api-bad-body.stderr", &err);
    let out = dbss(
        &sim,
        &[
            "api",
            "update-audit-security-group",
            "--body",
            "@/nonexistent/body.json",
        ],
    );
    fails(&out, 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn service_errors_print_status_code_message_and_request_id_with_exit_4() {
    let sim = sim().await;
    let out = dbss(
        &sim,
        &[
            "api",
            "update-audit-security-group",
            "--body",
            r#"{"instance_id":"00000000-0000-4000-8000-000000000000","securitygroup_ids":["a"]}"#,
        ],
    );
    let err = fails(&out, 4);
    for expected in ["HTTP 400", "DBSS.10020021", "request id:"] {
        assert!(err.contains(expected), "missing {expected:?} in {err}");
    }
    golden("refused.stderr", &err);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_credentials_and_bad_secrets_exit_3_without_showing_the_secret() {
    let sim = sim().await;
    let url = sim.url();
    let args = [
        "api",
        "list-audit-instances",
        "--endpoint",
        &url,
        "--project-id",
        sim.project_id(),
    ];
    let mut command = bare();
    command.args(args);
    let err = fails(&run(command), 3);
    assert!(err.contains("HUAWEICLOUD_SDK_AK"), "{err}");
    golden("no-credentials.stderr", &err);

    let mut command = bare();
    command
        .args(args)
        .env("HUAWEICLOUD_SDK_AK", sim.ak())
        .env("HUAWEICLOUD_SDK_SK", "a-wrong-secret-value");
    let out = run(command);
    fails(&out, 3);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        all.contains("APIGW.0301") && !all.contains("a-wrong-secret-value"),
        "{all}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn server_failures_and_garbage_exit_5_unreachable_exits_6() {
    let sim = sim().await;
    let id = first_instance(&sim);
    let failing = canned(500, "<html>internal error</html>").await;
    let out = dbss(
        &sim,
        &[
            "instances",
            "security-group",
            "set",
            &id,
            "sg-1",
            "--endpoint",
            &failing,
        ],
    );
    let err = fails(&out, 5);
    assert!(
        err.contains("HTTP 500") && err.contains("internal error") && err.contains("canned-1"),
        "{err}"
    );
    golden("server-error.stderr", &err);

    let garbage = canned(200, "this is not json").await;
    let out = dbss(
        &sim,
        &[
            "instances",
            "security-group",
            "set",
            &id,
            "sg-1",
            "--endpoint",
            &garbage,
        ],
    );
    let err = fails(&out, 5);
    assert!(err.contains("could not decode"), "{err}");

    // Nothing listens on port 9 (discard) of the loopback.
    let out = dbss(&sim, &["instances", "show", &id, "--endpoint", "http://127.0.0.1:9"]);
    let err = fails(&out, 6);
    assert!(err.contains("connection failed"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2() {
    let sim = sim().await;
    for args in [
        &["instances", "frobnicate"][..],
        &["sql", "list", "--instance", "i", "--since", "yesterday"],
        &["instances", "list", "--output", "xml"],
        &["instances", "list", "--query", "a..b"],
        &["instances", "create", "--name", "x"],
        &["tags", "add", "--instance", "i", "novalue"],
        &["api", "no-such-operation"],
    ] {
        let out = dbss(&sim, args);
        fails(&out, 2);
    }
    let err = fails(&dbss(&sim, &["instances", "create", "--name", "x"]), 2);
    golden("create-missing-flags.stderr", &err);
    let err = fails(
        &dbss(&sim, &["sql", "list", "--instance", "i", "--since", "yesterday"]),
        2,
    );
    golden("bad-since.stderr", &err);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_output_format_and_query() {
    let sim = sim().await;
    let yaml = ok(&dbss(
        &sim,
        &[
            "api",
            "list-audit-instances",
            "--limit",
            "1",
            "-o",
            "yaml",
            "--query",
            "{total: total}",
        ],
    ));
    assert!(yaml.starts_with("total: "), "{yaml}");
    let line = ok(&dbss(
        &sim,
        &["api", "list-audit-instances", "--limit", "1", "-o", "jsonl"],
    ));
    assert_eq!(line.lines().count(), 1, "{line}");
    let table = ok(&dbss(
        &sim,
        &[
            "api",
            "list-audit-instances",
            "--output",
            "table",
            "--query",
            "{total: total}",
        ],
    ));
    assert!(table.starts_with("total  "), "{table}");
    let out = dbss(&sim, &["api", "update-audit-security-group", "--body-template"]);
    assert!(ok(&out).contains("securitygroup_ids"));
    golden("body-template.stdout", &stdout(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_logs_requests_but_never_a_secret() {
    let sim = sim().await;
    let out = dbss(&sim, &["--debug", "api", "list-audit-instances", "--limit", "1"]);
    ok(&out);
    let err = stderr(&out);
    assert!(err.contains("DEBUG") && err.contains("ListAuditInstances"), "{err}");
    assert!(!err.contains(sim.sk()), "the secret key leaked:\n{err}");

    let mut command = bare();
    command
        .args(["--debug", "api", "list-audit-instances", "--endpoint", &sim.url()])
        .args(["--project-id", sim.project_id()])
        .env("HUAWEICLOUD_SDK_AK", sim.ak())
        .env("HUAWEICLOUD_SDK_SK", "wrong-secret-for-debug")
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", "a-security-token-value");
    let out = run(command);
    fails(&out, 3);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    for secret in ["wrong-secret-for-debug", "a-security-token-value"] {
        assert!(!all.contains(secret), "{secret} leaked:\n{all}");
    }
}

#[test]
fn demo_runs_the_tour_on_its_own_simulator() {
    let out = run(bare_with(&["demo"]));
    let text = ok(&out);
    for step in [
        "UpdateAuditSecurityGroup",
        "DBSS.10020021",
        "exactly one security group id",
        "demo finished",
    ] {
        assert!(text.contains(step), "demo output lacks {step:?}:\n{text}");
    }
    // Once the simulator serves every step, none is skipped and every step has run.
    if !text.contains("skipped") {
        for step in [
            "is ACTIVE after",
            "AddAuditDatabaseNew",
            "AddAuditAgentNew",
            "is ON",
            "statements",
            "alarms",
            "records →",
            "env",
        ] {
            assert!(text.contains(step), "demo output lacks {step:?}:\n{text}");
        }
    }
}

fn bare_with(args: &[&str]) -> std::process::Command {
    let mut command = bare();
    command.args(args);
    command
}
