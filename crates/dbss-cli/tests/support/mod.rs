//! What the CLI tests share: running the real `dbss` binary against a simulator on
//! 127.0.0.1, normalising its output, and golden files.
//!
//! Golden files live in `tests/golden/`; they are compared exactly after request ids, ports,
//! timestamps and temporary paths are normalised. `DBSS_UPDATE_GOLDEN=1` rewrites them.
#![allow(dead_code, reason = "each test binary uses its own part of the helpers")]

pub mod policy;
#[cfg(unix)]
pub mod pty;

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::OnceLock,
};

use dbss_sim::Simulator;
use regex::Regex;

/// A simulator with its seeded scenario; lifecycle changes take 300 ms instead of 2 s, so the
/// `--wait` tests are quick but still wait.
pub async fn sim() -> Simulator {
    Simulator::builder()
        .transition_delay(std::time::Duration::from_millis(300))
        .start()
        .await
        .unwrap_or_else(|e| panic!("cannot start the simulator: {e}"))
}

/// An instance of the simulator's state with databases, so it has audit records (read from
/// the state directly: for tests that must not spend a CLI call on finding it).
pub fn audited_instance_in_state(sim: &Simulator) -> String {
    let (instances, _) = sim.state().list(0, 1000);
    instances
        .into_iter()
        .map(|i| i.id)
        .find(|id| !sim.state().databases(id).is_empty())
        .unwrap_or_else(|| panic!("the seeded scenario has no instance with databases"))
}

/// A fresh, empty directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dbss-cli-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// `dbss` with a clean environment: no profile file of the machine's user is read.
pub fn bare() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dbss"));
    command
        .env_clear()
        .env("HOME", "/nonexistent-home")
        .stdin(Stdio::null());
    command
}

/// `dbss` with the simulator's credentials in the official SDKs' environment variables.
pub fn command(sim: &Simulator, args: &[&str]) -> Command {
    let mut command = bare();
    command
        .args(args)
        .env("HUAWEICLOUD_SDK_AK", sim.ak())
        .env("HUAWEICLOUD_SDK_SK", sim.sk())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", sim.project_id())
        .env("DBSS_ENDPOINT", sim.url());
    command
}

/// Runs `dbss args...` against the simulator.
pub fn dbss(sim: &Simulator, args: &[&str]) -> Output {
    run(command(sim, args))
}

/// Runs a prepared command.
pub fn run(mut command: Command) -> Output {
    command.output().unwrap_or_else(|e| panic!("cannot run dbss: {e}"))
}

/// Runs a prepared command with `input` on stdin.
pub fn run_with_stdin(mut command: Command, input: &str) -> Output {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot run dbss: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes());
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("dbss: {e}"))
}

/// Stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts success and returns stdout.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "dbss failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

/// Asserts the exit code and returns stderr.
pub fn fails(out: &Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    stderr(out)
}

/// Stdout parsed as JSON.
pub fn json(out: &Output) -> serde_json::Value {
    let text = ok(out);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The list printed by `dbss <args> -o json`.
pub fn list(sim: &Simulator, args: &[&str]) -> Vec<serde_json::Value> {
    let mut args = args.to_vec();
    args.extend(["-o", "json"]);
    match json(&dbss(sim, &args)) {
        serde_json::Value::Array(items) => items,
        other => panic!("not a list: {other}"),
    }
}

/// The string `field` of `value`; the test stops, naming the field, when there is none.
pub fn text(value: &serde_json::Value, field: &str) -> String {
    value[field]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no {field} in {value}"))
}

/// The flags of `dbss instances create` that name what the seeded scenario offers: flavor,
/// network, zone, product and region (a test adds `--name` and what it is about).
pub const SEEDED_ORDER_FLAGS: &[&str] = &[
    "--flavor",
    "c6.xlarge.2",
    "--vpc",
    "b26086b0-8257-21c4-6b34-3c2486e643b7",
    "--subnet",
    "fe866fcb-2725-fcd8-0b02-4a7957795b65",
    "--security-group",
    "b80bb774-0288-fda1-f201-890375a60c8f",
    "--zone",
    "cn-north-4a",
    "--product-id",
    "9bea82de-f865-d4d0-e499-eb252805f127",
    "--region",
    "cn-north-4",
];

/// Whether the simulator serves the everyday operations (the stateful simulator does; the
/// first one served only ListAuditInstances and UpdateAuditSecurityGroup). Tests of
/// everyday commands skip, saying so, when it does not, unless `DBSS_CLI_REQUIRE_FULL_SIM=1`
/// makes that a failure.
pub fn full(sim: &Simulator) -> bool {
    let out = dbss(sim, &["instances", "list", "--limit", "1", "-o", "json"]);
    if out.status.success() {
        return true;
    }
    let err = stderr(&out);
    assert!(err.contains("DBSS.10021004"), "unexpected failure of the probe:\n{err}");
    assert!(
        std::env::var("DBSS_CLI_REQUIRE_FULL_SIM").as_deref() != Ok("1"),
        "DBSS_CLI_REQUIRE_FULL_SIM=1 but the simulator does not serve ListAuditInstancesLast"
    );
    eprintln!("SKIPPED: the simulator does not serve the everyday operations yet");
    false
}

/// Skips the rest of the test on a simulator without the everyday operations.
#[macro_export]
macro_rules! require_full_sim {
    ($sim:expr) => {
        if !$crate::support::full(&$sim) {
            return;
        }
    };
}

fn patterns() -> &'static [(Regex, &'static str)] {
    static PATTERNS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            (r"(request id:?\s+)[^\s)]+", "${1}<request-id>"),
            (r"127\.0\.0\.1:\d+", "127.0.0.1:<port>"),
            (r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?Z?", "<time>"),
            (r"\b1\d{12}\b", "<epoch-ms>"),
            (r"/[^\s]*dbss-cli-test-\d+-", "<tmp>/"),
        ]
        .into_iter()
        .map(|(p, r)| (Regex::new(p).unwrap_or_else(|e| panic!("{e}")), r))
        .collect()
    })
}

/// `text` with what changes from run to run replaced by placeholders.
pub fn normalise(text: &str) -> String {
    patterns().iter().fold(text.to_owned(), |text, (pattern, with)| {
        pattern.replace_all(&text, *with).into_owned()
    })
}

/// Compares `actual` (normalised) with `tests/golden/<name>`; `DBSS_UPDATE_GOLDEN=1` rewrites it.
pub fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
        .join(name);
    let actual = normalise(actual);
    if std::env::var("DBSS_UPDATE_GOLDEN").as_deref() == Ok("1") {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(&path, &actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `DBSS_UPDATE_GOLDEN=1 cargo test -p dbss-cli` to record it. Output:\n{actual}",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "output differs from {} (DBSS_UPDATE_GOLDEN=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// A stand-in server on 127.0.0.1 that answers every request with `status` and `body`
/// (for the failures the simulator does not produce: 5xx without a DBSS body, garbage).
pub async fn canned(status: u16, body: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        // Bounded: a test never needs more answers than this.
        for _ in 0..32 {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 64 * 1024];
                let mut seen = Vec::new();
                // Read the head and whatever body arrived with it; the answer does not depend on it.
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buffer[..n]),
                    }
                }
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: text/html\r\nx-request-id: canned-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}
