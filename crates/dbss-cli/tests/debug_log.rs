//! `--debug` and `DBSS_LOG`: one line per request attempt with its method, URL, status,
//! duration, request id and retry decision; never a secret.

mod support;

use dbss_sim::{Fault, Simulator};
use support::{command, ok, run, stderr};

/// A simulator whose first instance listing fails with a 503 (then answers normally).
async fn flaky() -> Simulator {
    Simulator::builder()
        .fault(Fault::status("ListAuditInstancesLast", 503).times(1))
        .start()
        .await
        .unwrap_or_else(|e| panic!("cannot start the simulator: {e}"))
}

/// The lines of the attempts' closing events.
fn attempts(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains("attempt finished")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_logs_every_attempt_with_its_facts_and_retry_decision() {
    let sim = flaky().await;
    let out = run(command(&sim, &["--debug", "instances", "list", "-o", "json"]));
    ok(&out);
    let log = stderr(&out);
    let lines = attempts(&log);
    assert_eq!(lines.len(), 2, "one line per attempt:\n{log}");
    let url = format!("url={}/v2/{}/audit/instances", sim.url(), sim.project_id());
    for line in &lines {
        for fact in ["method=GET", url.as_str(), "duration_ms=", "request_id=", "retry="] {
            assert!(line.contains(fact), "{fact:?} missing from {line}");
        }
    }
    assert!(
        lines[0].contains("status=503") && lines[0].contains("retry=\"yes\""),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("status=200") && lines[1].contains("retry=\"no\""),
        "{}",
        lines[1]
    );
    assert!(!log.contains(sim.sk()), "the secret key leaked:\n{log}");
    assert!(!log.contains("Signature="), "the signature leaked:\n{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dbss_log_sets_the_filter_and_rust_log_alone_stays_quiet() {
    let sim = support::sim().await;
    let logged = |debug: bool, vars: &[(&str, &str)]| {
        let mut args = vec!["instances", "list", "-o", "json"];
        if debug {
            args.insert(0, "--debug");
        }
        let mut command = command(&sim, &args);
        command.envs(vars.iter().copied());
        let out = run(command);
        ok(&out);
        attempts(&stderr(&out)).len()
    };
    assert_eq!(logged(false, &[]), 0);
    assert_eq!(logged(false, &[("DBSS_LOG", "debug")]), 1);
    assert_eq!(logged(false, &[("DBSS_LOG", "info")]), 0);
    assert_eq!(logged(false, &[("RUST_LOG", "debug")]), 0);
    assert_eq!(logged(true, &[("RUST_LOG", "debug")]), 1);
    // DBSS_LOG wins over --debug's default.
    assert_eq!(logged(true, &[("DBSS_LOG", "warn")]), 0);
}
