//! Makes one DBSS call (`ListAuditInstances`) to the endpoint given as the only argument, with
//! the client's default limits, then prints how it ended and the process's peak resident
//! memory. Tests that measure what a hostile server can make the client hold run it, so that
//! the figure is the client's alone (not the test harness's, nor the server's).
//!
//! Output, one `key: value` per line: `outcome: ok` or `outcome: <error>`, and
//! `peak_rss_kib: <VmHWM>` (Linux; `unknown` elsewhere).

use std::{process::ExitCode, time::Duration};

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(endpoint), None) = (args.next(), args.next()) else {
        eprintln!("usage: one-call <endpoint>");
        return ExitCode::from(2);
    };
    let client = dbss::Client::builder()
        .endpoint(endpoint)
        .project_id(dbss_tests::PROJECT)
        .credentials(dbss::Credentials::ak_sk(dbss_tests::AK, dbss_tests::SK))
        // Nothing from this machine's environment or profile file.
        .environment([])
        .attempt_timeout(Duration::from_secs(120))
        .retry(dbss::RetryPolicy {
            max_attempts: 1,
            ..dbss::RetryPolicy::default()
        })
        .build();
    let client = match client {
        Ok(client) => client,
        Err(error) => {
            eprintln!("one-call: {error}");
            return ExitCode::from(2);
        }
    };
    let outcome = match dbss_tests::v1_instances(&client, 0, 100).await {
        Ok(_) => "ok".to_owned(),
        Err(error) => error.to_string(),
    };
    println!("outcome: {outcome}");
    println!(
        "peak_rss_kib: {}",
        peak_rss_kib().map_or("unknown".to_owned(), |kib| kib.to_string())
    );
    ExitCode::SUCCESS
}

/// `VmHWM` of this process, in KiB: the most resident memory it ever had.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
