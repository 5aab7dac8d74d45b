//! `dbss sql export` / `dbss alarms export` with `--concurrency N`: the bytes written do not
//! depend on N, and records reach the output while later pages are still being fetched.

mod support;

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader},
    process::Stdio,
    time::Duration,
};

use dbss_sim::Simulator;
use support::{command, ok, run, temp_dir};

async fn sim_with(rows: u64, latency: Duration) -> Simulator {
    Simulator::builder()
        .audit_rows(rows)
        .latency(latency)
        .start()
        .await
        .unwrap_or_else(|e| panic!("cannot start the simulator: {e}"))
}

/// `--start`/`--end` covering every generated row (they lie in the 30 days before the
/// simulator started), fixed once so that every run reads the same window.
fn whole_window() -> [String; 4] {
    let now = chrono::Utc::now();
    [
        "--start".into(),
        (now - chrono::Duration::days(31)).to_rfc3339(),
        "--end".into(),
        now.to_rfc3339(),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_are_byte_identical_at_concurrency_1_4_and_8() {
    let sim = sim_with(3000, Duration::ZERO).await;
    let instance = support::audited_instance_in_state(&sim);
    let window = whole_window();
    let dir = temp_dir("concurrent-export");
    // Alarms are a small part of the rows: smaller pages, so that they too need many pages.
    for (kind, page) in [("sql", 40usize), ("alarms", 10)] {
        let page_text = page.to_string();
        for format in ["jsonl", "csv"] {
            let mut files: Vec<(usize, Vec<u8>)> = Vec::new();
            let mut stdouts: Vec<(usize, Vec<u8>)> = Vec::new();
            for n in [1usize, 4, 8] {
                let path = dir.join(format!("{kind}-{n}.{format}"));
                let path_text = path.display().to_string();
                let n_text = n.to_string();
                let mut args = vec![kind, "export", "-i", &instance, "--page-size", &page_text];
                args.extend(window.iter().map(String::as_str));
                args.extend(["--format", format, "--concurrency", &n_text]);

                let mut to_file = args.clone();
                to_file.extend(["--out", &path_text]);
                let out = run(command(&sim, &to_file));
                ok(&out);
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                files.push((n, bytes));

                let mut to_stdout = args.clone();
                to_stdout.extend(["--out", "-"]);
                let out = run(command(&sim, &to_stdout));
                ok(&out);
                stdouts.push((n, out.stdout));
            }
            let (_, sequential) = &files[0];
            let lines = String::from_utf8_lossy(sequential);
            let records: Vec<&str> = lines.lines().skip(usize::from(format == "csv")).collect();
            // Enough records for many pages, each exactly once.
            assert!(
                records.len() > 10 * page,
                "{kind} {format}: only {} records",
                records.len()
            );
            let distinct: BTreeSet<&str> = records.iter().copied().collect();
            assert_eq!(distinct.len(), records.len(), "{kind} {format}: a record came twice");
            for (n, bytes) in &files {
                assert!(
                    bytes == sequential,
                    "{kind} {format}: the file at --concurrency {n} differs from 1"
                );
            }
            for (n, bytes) in &stdouts {
                assert!(
                    bytes == sequential,
                    "{kind} {format}: stdout at --concurrency {n} differs from the file at 1"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_writes_records_while_later_pages_are_still_being_fetched() {
    // 20 pages at 200 ms each, one at a time: the export takes at least 4 s in all.
    let sim = sim_with(2000, Duration::from_millis(200)).await;
    let instance = support::audited_instance_in_state(&sim);
    let window = whole_window();
    let mut args = vec!["sql", "export", "-i", &instance, "--page-size", "100"];
    args.extend(window.iter().map(String::as_str));
    args.extend(["--concurrency", "1", "--out", "-"]);
    let mut child = command(&sim, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run dbss: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    let read = reader.read_line(&mut first).unwrap_or(0);
    assert!(read > 0, "the export wrote nothing");
    // The first records are out while the process still has pages to fetch: it does not
    // collect everything before writing.
    let still_running = matches!(child.try_wait(), Ok(None));
    let rest = reader.lines().map_while(Result::ok).count();
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    let mut err = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut err);
    }
    assert!(status.success(), "dbss failed: {err}");
    assert_eq!(1 + rest, 2000, "every record was written");
    assert!(
        still_running,
        "the first record appeared only once the export had finished"
    );
}
