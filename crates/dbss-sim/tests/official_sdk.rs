//! Proof with a client nobody here wrote: Huawei's official Python SDK (`huaweicloudsdkdbss`,
//! its own `DbssClient`, AK/SK signer, request building and response models) drives the
//! simulator through a realistic scenario that touches every resource group and calls every
//! operation of the SDK.
//!
//! `official_sdk/scenario.py` (its parts in `official_sdk/story/`, one module per group of
//! resources) orders an audit instance and waits for it to become ACTIVE,
//! attaches databases and agents, works through rules, whitelists, settings, audit data,
//! statistics, reports, backups, tags, quotas, jobs, upgrades, the encryption and O&M product
//! lines and the resource-manager operations, then calls whatever operation the story did not
//! need with the spec's examples (example ids swapped for real ones). Every call must be
//! accepted, and every answer must read into the SDK's models without losing a field. It
//! prints `official-sdk: N/173 operations called, M failed`.
//!
//! The script needs the official SDK: `DBSS_ORACLE_PYTHON` (set by `cargo xtask test`).

mod support;

use std::{
    io::{BufRead, BufReader, Read},
    path::Path,
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    thread,
    time::{Duration, Instant},
};

use dbss_sim::Simulator;

/// Every operation of the SDK (and of `openapi/dbss.yaml`).
const OPERATIONS: usize = 173;

/// How long lifecycle tasks take: long enough to be seen in progress, short enough that the
/// scenario's waits (about twenty of them) stay quick.
const TRANSITION_DELAY: Duration = Duration::from_millis(150);

/// The scenario normally takes a few seconds; past this it is stuck.
const DEADLINE: Duration = Duration::from_secs(300);

/// Forwards a child's stream line by line (to the test's output, shown when it fails or with
/// `--nocapture`) and keeps the lines.
fn forward(
    stream: impl Read + Send + 'static,
    label: &'static str,
    lines: Arc<Mutex<Vec<String>>>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            eprintln!("[{label}] {line}");
            if let Ok(mut kept) = lines.lock() {
                kept.push(line);
            }
        }
    })
}

/// What the script printed and how it ended.
struct Run {
    success: bool,
    stdout: Vec<String>,
    elapsed: Duration,
}

/// Runs the scenario against `url` and waits for it, killing it past [`DEADLINE`].
fn run_scenario(python: &Path, url: &str, ak: &str, sk: &str, project_id: &str, region: &str) -> Run {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/official_sdk/scenario.py");
    let started = Instant::now();
    let mut child = Command::new(python)
        .arg("-u")
        // The story's modules are imported; no `__pycache__` is left in the source tree.
        .arg("-B")
        .arg(&script)
        .args(["--endpoint", url, "--ak", ak, "--sk", sk, "--project-id", project_id])
        .args(["--region", region])
        // The simulator is on loopback: never through a proxy the environment may name.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let readers = [
        child.stdout.take().map(|s| forward(s, "scenario", stdout.clone())),
        child
            .stderr
            .take()
            .map(|s| forward(s, "scenario stderr", stderr.clone())),
    ];
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > DEADLINE => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the scenario did not finish in {DEADLINE:?}");
            }
            Ok(None) => thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("waiting for the scenario: {e}"),
        }
    };
    for reader in readers.into_iter().flatten() {
        let _ = reader.join();
    }
    let stdout = stdout.lock().map(|lines| lines.to_vec()).unwrap_or_default();
    Run {
        success: status.success(),
        stdout,
        elapsed: started.elapsed(),
    }
}

/// `(called, failed)` from `official-sdk: N/173 operations called, M failed`.
fn summary(lines: &[String]) -> Option<(usize, usize)> {
    let line = lines.iter().rev().find_map(|l| l.strip_prefix("official-sdk: "))?;
    let (called, rest) = line.split_once('/')?;
    let (total, rest) = rest.split_once(" operations called, ")?;
    let failed = rest.strip_suffix(" failed")?;
    if total.parse::<usize>().ok()? != OPERATIONS {
        return None;
    }
    Some((called.parse().ok()?, failed.parse().ok()?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_calls_every_operation_in_a_realistic_scenario() {
    let Some(python) = support::oracle_python("the official-SDK scenario") else {
        return;
    };
    let sim = Simulator::builder()
        .seed(2024)
        .audit_rows(400)
        .transition_delay(TRANSITION_DELAY)
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let instances_before = sim.state().list(0, usize::MAX).1;
    let (url, ak, sk, project, region) = (
        sim.url(),
        sim.ak().to_owned(),
        sim.sk().to_owned(),
        sim.project_id().to_owned(),
        sim.region().to_owned(),
    );
    // The SDK is synchronous: it runs on a blocking thread while the simulator serves on the
    // runtime's workers.
    let run = tokio::task::spawn_blocking(move || run_scenario(&python, &url, &ak, &sk, &project, &region))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("the scenario ran in {:.1} s", run.elapsed.as_secs_f64());

    let counts = summary(&run.stdout);
    assert!(
        run.success,
        "the official SDK's scenario failed (summary: {counts:?}); its output is above"
    );
    assert_eq!(
        counts,
        Some((OPERATIONS, 0)),
        "every operation must be called through the official SDK, none failing"
    );

    // What the SDK did, as the simulator recorded it: both audit instances it ordered went
    // through their whole life (the jobs stay after the instances are gone), and everything it
    // ordered is deleted.
    let mut jobs: Vec<(String, String)> = sim
        .state()
        .jobs()
        .into_iter()
        .filter(|j| j.server_name.starts_with("sdk-audit"))
        .map(|j| (j.server_name, j.job_type))
        .collect();
    jobs.sort();
    let expected: Vec<(String, String)> = [
        ("sdk-audit", "createAuditInstance"),
        ("sdk-audit-legacy", "createAuditInstance"),
        ("sdk-audit-legacy", "deleteAuditInstance"),
        ("sdk-audit-legacy", "rebootAuditInstance"),
        ("sdk-audit-legacy", "startAuditInstance"),
        ("sdk-audit-legacy", "stopAuditInstance"),
        ("sdk-audit-prod", "deleteAuditInstance"),
        ("sdk-audit-prod", "rebootAuditInstance"),
        ("sdk-audit-prod", "startAuditInstance"),
        ("sdk-audit-prod", "stopAuditInstance"),
    ]
    .iter()
    .map(|(name, job)| ((*name).to_owned(), (*job).to_owned()))
    .collect();
    assert_eq!(jobs, expected, "the jobs of the SDK's instances");
    let (instances, total) = sim.state().list(0, usize::MAX);
    assert_eq!(
        total, instances_before,
        "the scenario deletes the audit instances it ordered"
    );
    assert!(instances.iter().all(|i| !i.name.starts_with("sdk-")));
    assert!(
        sim.state().clusters().iter().all(|c| !c.name.starts_with("sdk-")),
        "the scenario deletes the encryption and O&M instances it ordered"
    );
}

#[test]
fn the_summary_line_is_read_strictly() {
    let lines = |text: &str| vec!["noise".to_owned(), text.to_owned()];
    assert_eq!(
        summary(&lines("official-sdk: 173/173 operations called, 0 failed")),
        Some((173, 0))
    );
    assert_eq!(
        summary(&lines("official-sdk: 170/173 operations called, 2 failed")),
        Some((170, 2))
    );
    assert_eq!(
        summary(&lines("official-sdk: 173/172 operations called, 0 failed")),
        None
    );
    assert_eq!(summary(&lines("official-sdk: 173 operations called")), None);
    assert_eq!(summary(&lines("all good")), None);
}
