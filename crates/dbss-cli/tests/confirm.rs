//! Confirmation of destructive commands, in a real pseudo-terminal: asked on a terminal,
//! skipped by `--yes`, refused (exit 2) without a terminal.

mod support;

use std::time::Duration;

use expectrl::{Eof, Expect, Session, process::unix::WaitStatus, session::OsSession};
use support::{dbss, fails, ok, sim};

/// `dbss args...` against `sim` in a pseudo-terminal of its own.
fn in_terminal(sim: &dbss_sim::Simulator, args: &[&str]) -> OsSession {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dbss"));
    command
        .args(args)
        .env_clear()
        .env("HOME", "/nonexistent-home")
        .env("TERM", "xterm-256color")
        .env("HUAWEICLOUD_SDK_AK", sim.ak())
        .env("HUAWEICLOUD_SDK_SK", sim.sk())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", sim.project_id())
        .env("DBSS_ENDPOINT", sim.url());
    let mut session = Session::spawn(command).unwrap_or_else(|e| panic!("cannot start dbss in a terminal: {e}"));
    // Bounded, so that a prompt that never comes fails the test instead of hanging it.
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    session
}

/// Answers the prompt that names `action`, then waits for the end; the exit code.
fn answer(mut session: OsSession, action: &str, reply: &str) -> i32 {
    session
        .expect(action)
        .unwrap_or_else(|e| panic!("no prompt naming {action:?}: {e}"));
    session.send(reply).unwrap_or_else(|e| panic!("{e}"));
    session.send("\r").unwrap_or_else(|e| panic!("{e}"));
    let _ = session.expect(Eof);
    match session.get_process().wait() {
        Ok(WaitStatus::Exited(_, code)) => code,
        other => panic!("dbss did not exit normally: {other:?}"),
    }
}

/// The ACTIVE instances, by id.
fn active(sim: &dbss_sim::Simulator) -> Vec<String> {
    let listed = ok(&dbss(sim, &["instances", "list", "-o", "json"]));
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap_or_else(|e| panic!("{e}"));
    listed
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["status"] == "ACTIVE")
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
}

fn status(sim: &dbss_sim::Simulator, id: &str) -> serde_json::Value {
    let shown = ok(&dbss(sim, &["instances", "show", id, "-o", "json"]));
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap_or_else(|e| panic!("{e}"));
    shown["status"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_terminal_is_asked_and_no_keeps_the_instance_running() {
    let sim = sim().await;
    let id = active(&sim)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no ACTIVE instance"));
    let session = in_terminal(&sim, &["instances", "stop", &id]);
    assert_eq!(answer(session, &format!("Stop audit instance {id}"), "n"), 2);
    assert_eq!(status(&sim, &id), "ACTIVE");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_terminal_is_asked_and_yes_goes_ahead() {
    let sim = sim().await;
    let id = active(&sim)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no ACTIVE instance"));
    let session = in_terminal(&sim, &["instances", "stop", &id, "--wait", "--wait-timeout", "60"]);
    assert_eq!(answer(session, &format!("Stop audit instance {id}"), "y"), 0);
    assert_ne!(status(&sim, &id), "ACTIVE");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_terminal_destructive_commands_need_yes() {
    let sim = sim().await;
    let id = active(&sim)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no ACTIVE instance"));
    for args in [
        &["instances", "stop", &id][..],
        &["instances", "reboot", &id],
        &["instances", "delete", &id],
        &["whitelists", "delete", "-i", &id, "w-1"],
        &["rules", "risk", "delete", "-i", &id, "r-1"],
        &["tags", "remove", "-i", &id, "env"],
        &["databases", "delete", "-i", &id, "db-1"],
        &[
            "api",
            "stop-audit-instance-new",
            "--body",
            &format!(r#"{{"instance_id":"{id}"}}"#),
        ],
    ] {
        let err = fails(&dbss(&sim, args), 2);
        assert!(err.contains("--yes"), "{args:?}: {err}");
    }
    assert_eq!(status(&sim, &id), "ACTIVE");
    ok(&dbss(
        &sim,
        &["instances", "stop", &id, "--yes", "--wait", "--wait-timeout", "60"],
    ));
    assert_ne!(status(&sim, &id), "ACTIVE");
}
