//! The `dbss-sim` binary as users start it, driven by our client.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_its_url_and_serves_signed_calls() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dbss-sim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--ak",
            "BINARYAK",
            "--sk",
            "binary-secret",
            "--project-id",
            "projbinary",
            "--token",
            "tok",
        ])
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

    for credentials in [
        dbss::Credentials::ak_sk("BINARYAK", "binary-secret"),
        dbss::Credentials::token("tok"),
    ] {
        let client = dbss::Client::builder()
            .endpoint(&url)
            .project_id("projbinary")
            .credentials(credentials)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let page = client
            .list_audit_instances(0, 10)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.total, Some(3));
    }
    let intruder = dbss::Client::builder()
        .endpoint(&url)
        .project_id("projbinary")
        .credentials(dbss::Credentials::ak_sk("BINARYAK", "guess"))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        intruder
            .list_audit_instances(0, 10)
            .await
            .err()
            .and_then(|e| e.status()),
        Some(401)
    );
    drop(running);
}
