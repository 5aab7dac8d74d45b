//! Every row of the exit-code table of the CLI README, end to end: the binary as a process
//! against the simulator or a stand-in server on 127.0.0.1. And a closed stdout
//! (`dbss ... | head`), which ends any command quietly with status 0.

mod support;

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use support::{bare, canned, command, dbss, fails, ok, run, sim, stderr, stdout};

/// Runs `command`, reads `keep` lines of its stdout and closes it (before anything is written
/// when `keep` is 0), as `| head -n keep` does; the exit code, the lines read and stderr.
fn with_stdout_closed_after(mut command: Command, keep: usize) -> (Option<i32>, Vec<String>, String) {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot run dbss: {e}"));
    let mut lines = Vec::new();
    if let Some(out) = child.stdout.take() {
        let mut reader = BufReader::new(out);
        while lines.len() < keep {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => lines.push(line),
            }
        }
        // Dropping the reader closes the pipe's only read end.
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("dbss: {e}"));
    (
        out.status.code(),
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The id of the first listed instance.
fn some_instance(sim: &dbss_sim::Simulator) -> String {
    let out = dbss(sim, &["instances", "list", "-o", "json"]);
    let value: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap_or_else(|e| panic!("{e}"));
    value[0]["id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no instance listed: {value}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_0_on_success() {
    let sim = sim().await;
    let out = dbss(&sim, &["instances", "list", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).trim_start().starts_with('['), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_2_on_bad_flags_bad_input_unreadable_files_and_unconfirmed_deletes() {
    let sim = sim().await;
    fails(&dbss(&sim, &["instances", "list", "--output", "xml"]), 2);
    fails(&dbss(&sim, &["sql", "list", "-i", "x", "--since", "yesterday"]), 2);
    fails(
        &dbss(
            &sim,
            &[
                "api",
                "update-audit-security-group",
                "--body",
                "@/nonexistent/body.json",
            ],
        ),
        2,
    );
    // Without a terminal to ask on, a destructive command needs --yes, and sends nothing.
    let id = some_instance(&sim);
    let err = fails(&dbss(&sim, &["instances", "delete", &id]), 2);
    assert!(err.contains("--yes"), "{err}");
    ok(&dbss(&sim, &["instances", "show", &id]));
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_3_on_missing_or_refused_credentials() {
    let sim = sim().await;
    let mut missing = bare();
    missing.args([
        "instances",
        "list",
        "--endpoint",
        &sim.url(),
        "--project-id",
        sim.project_id(),
    ]);
    let err = fails(&run(missing), 3);
    assert!(err.contains("no credentials"), "{err}");

    // A wrong secret key: the gateway answers 401 APIGW.0301, a credentials problem.
    let mut wrong = command(&sim, &["instances", "list"]);
    wrong.env("HUAWEICLOUD_SDK_SK", "a-wrong-secret-value");
    let out = run(wrong);
    let err = fails(&out, 3);
    assert!(err.contains("APIGW.0301"), "{err}");
    assert!(!format!("{}{err}", stdout(&out)).contains("a-wrong-secret-value"));
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_4_when_the_service_refuses_or_nothing_has_that_name() {
    let sim = sim().await;
    let body = r#"{"instance_id":"00000000-0000-4000-8000-000000000000","securitygroup_ids":["sg-1"]}"#;
    let err = fails(&dbss(&sim, &["api", "update-audit-security-group", "--body", body]), 4);
    assert!(err.contains("HTTP 400"), "{err}");
    let err = fails(
        &dbss(&sim, &["instances", "show", "0123456789abcdef0123456789abcdef"]),
        4,
    );
    assert!(err.contains("no audit instance"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_5_when_the_service_fails_or_answers_garbage() {
    let sim = sim().await;
    for (status, body, expected) in [
        (500, "<html>internal error</html>", "HTTP 500"),
        (200, "this is not json", "could not decode"),
    ] {
        let server = canned(status, body).await;
        let err = fails(&dbss(&sim, &["quotas", "show", "--endpoint", &server]), 5);
        assert!(err.contains(expected), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_6_when_the_service_cannot_be_reached() {
    let sim = sim().await;
    // Nothing listens on port 9 (discard) of the loopback.
    let err = fails(&dbss(&sim, &["quotas", "show", "--endpoint", "http://127.0.0.1:9"]), 6);
    assert!(err.contains("connection failed"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_stdout_ends_lists_exports_and_completions_quietly_with_0() {
    let sim = sim().await;
    let instance = some_instance(&sim);
    for args in [
        &["instances", "list", "--all", "-o", "jsonl"][..],
        &["instances", "list", "-o", "table"],
        &["sql", "export", "-i", &instance, "--since", "30d"],
        &["sql", "export", "-i", &instance, "--since", "30d", "--format", "csv"],
        &["completions", "bash"],
    ] {
        for keep in [0, 1] {
            let (code, _, err) = with_stdout_closed_after(command(&sim, args), keep);
            assert_eq!(code, Some(0), "{args:?} after {keep} line(s):\n{err}");
            assert!(!err.contains("panicked") && !err.contains("error"), "{args:?}:\n{err}");
        }
    }
}

#[test]
fn dbss_demo_piped_to_head_ends_quietly_with_0_and_leaves_no_files() {
    let tmp = support::temp_dir("demo-head");
    let mut demo = bare();
    demo.arg("demo").env("TMPDIR", &tmp);
    let (code, lines, err) = with_stdout_closed_after(demo, 2);
    assert_eq!(lines.len(), 2, "{err}");
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "the demo left {left:?}");
    let _ = std::fs::remove_dir_all(tmp);
}
