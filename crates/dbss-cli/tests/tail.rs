//! `dbss sql tail --follow` against a simulator making 200 records a second: killed with
//! SIGKILL at random moments and restarted from its checkpoint, it prints every record of the
//! period exactly once; SIGTERM ends it quietly with its checkpoint saved.

mod support;

use std::{
    collections::{BTreeSet, HashMap},
    path::{Path, PathBuf},
    process::{Child, Stdio},
    time::{Duration, Instant},
};

use dbss::{paging::Paged, types::AuditSqlRequest};
use dbss_sim::Simulator;
use futures::TryStreamExt;
use support::{command, temp_dir};

/// New records per second of the simulated instance.
const RATE: u64 = 200;
/// How long the follower is repeatedly killed and restarted.
const PERIOD: Duration = Duration::from_secs(30);
/// No run of the follower may take longer than this (keeps a broken build from hanging).
const RUN_LIMIT: Duration = Duration::from_secs(60);

async fn live_sim() -> Simulator {
    Simulator::builder()
        .audit_rate(RATE)
        .audit_rows(0)
        .start()
        .await
        .unwrap_or_else(|e| panic!("cannot start the simulator: {e}"))
}

/// A pseudo-random number below `n` (different each run: the kill moments vary).
fn random_below(n: u64) -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(Instant::now()) % n.max(1)
}

fn spawn_tail(sim: &Simulator, instance: &str, format: &str, checkpoint: &Path, out: &Path, follow: bool) -> Child {
    let checkpoint = checkpoint.display().to_string();
    let mut args = vec![
        "sql",
        "tail",
        "-i",
        instance,
        "--since",
        "1h",
        "--checkpoint",
        &checkpoint,
        "--format",
        format,
    ];
    if follow {
        args.push("--follow");
    }
    let stdout = std::fs::File::create(out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    let mut command = command(sim, &args);
    command.stdout(Stdio::from(stdout)).stderr(Stdio::piped());
    command.spawn().unwrap_or_else(|e| panic!("cannot run dbss: {e}"))
}

/// Waits for a child, killing it past [`RUN_LIMIT`].
async fn wait(mut child: Child) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            panic!("dbss tail did not finish within {RUN_LIMIT:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// (id, time in epoch seconds) of each complete line a run printed; a last line cut short by
/// the kill does not count (the record is printed again after the restart).
fn printed(path: &Path, format: &str) -> Vec<(String, i64)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let complete = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    complete
        .lines()
        .map(|line| {
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            let (id, time) = if format == "ocsf" {
                assert_eq!(value["class_uid"], 6005, "{line}");
                (
                    value["metadata"]["uid"].as_str(),
                    value["time"].as_i64().map(|ms| ms / 1000),
                )
            } else {
                (
                    value["id"].as_str(),
                    value["start_time"].as_str().and_then(dbss::follow::parse_api_time),
                )
            };
            match (id, time) {
                (Some(id), Some(time)) => (id.to_owned(), time),
                _ => panic!("a record without id or time: {line}"),
            }
        })
        .collect()
}

/// Every record the simulator holds for the instance up to `end` (epoch seconds).
async fn records_until(sim: &Simulator, instance: &str, end: i64) -> BTreeSet<String> {
    let client = dbss::Client::builder()
        .endpoint(sim.url())
        .region(sim.region())
        .project_id(sim.project_id())
        .credentials(dbss::Credentials::ak_sk(sim.ak(), sim.sk()))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    // The window as start and end times, oldest first: what `tail` itself asks for.
    let request: AuditSqlRequest = serde_json::from_value(serde_json::json!({
        "page": 1,
        "size": 1,
        "time": {
            "start_time": dbss::follow::format_api_time(end - 7200),
            "end_time": dbss::follow::format_api_time(end),
        },
        "time_order": "ASC",
    }))
    .unwrap_or_else(|e| panic!("request: {e}"));
    let call = client.ops().list_audit_sqls_new().instance_id(instance).body(request);
    let items: Vec<_> = call
        .items(10_000)
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("listing the simulator's records: {e}"));
    // The window's end second is read whole: records up to end + 999 ms count.
    items
        .into_iter()
        .filter_map(|item| item.sql)
        .filter(|sql| {
            sql.start_time
                .as_deref()
                .and_then(dbss::follow::parse_api_time)
                .is_some_and(|t| t < end)
        })
        .filter_map(|sql| sql.id)
        .collect()
}

async fn killed_and_restarted(format: &str) {
    let sim = live_sim().await;
    let instance = support::audited_instance_in_state(&sim);
    let dir = temp_dir(&format!("tail-kill-{format}"));
    let checkpoint = dir.join("checkpoint.json");
    let mut outputs: Vec<PathBuf> = Vec::new();
    let began = Instant::now();
    let mut kills = 0;
    while began.elapsed() < PERIOD || kills < 5 {
        let out = dir.join(format!("run-{}.out", outputs.len()));
        let child = spawn_tail(&sim, &instance, format, &checkpoint, &out, true);
        outputs.push(out);
        // Between 0.3 s (often before the first batch is out) and 6 s.
        tokio::time::sleep(Duration::from_millis(300 + random_below(5_700))).await;
        let mut child = child;
        child.kill().unwrap_or_else(|e| panic!("kill -9: {e}"));
        let status = wait(child).await;
        assert!(!status.success(), "the follower was killed");
        kills += 1;
    }
    // A last run without --follow reads up to the moment it starts, then exits.
    let cut = chrono::Utc::now().timestamp();
    let out = dir.join("final.out");
    let last = spawn_tail(&sim, &instance, format, &checkpoint, &out, false);
    outputs.push(out);
    let status = wait(last).await;
    assert!(status.success(), "the last run failed: {status}");
    // Records up to 5 s before the cut were all visible (at most 3 s late) when it ran.
    let end = cut - 5;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut total = 0usize;
    for path in &outputs {
        for (id, time) in printed(path, format) {
            total += 1;
            if time < end {
                *seen.entry(id).or_insert(0) += 1;
            }
        }
    }
    let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    let expected = records_until(&sim, &instance, end).await;
    let got: BTreeSet<String> = seen.keys().cloned().collect();
    let missing: Vec<_> = expected.difference(&got).take(5).collect();
    let invented: Vec<_> = got.difference(&expected).take(5).collect();
    eprintln!(
        "{format}: {kills} kills, {} runs, {total} lines printed, {} records expected",
        outputs.len(),
        expected.len()
    );
    assert!(
        expected.len() as u64 > RATE * 20,
        "the simulator made {} records",
        expected.len()
    );
    assert!(
        repeated.is_empty(),
        "printed more than once: {:?}",
        &repeated[..repeated.len().min(5)]
    );
    assert!(
        missing.is_empty(),
        "{} missing, e.g. {missing:?}",
        expected.difference(&got).count()
    );
    assert!(invented.is_empty(), "not the simulator's: {invented:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsonl_survives_kill_9_without_loss_or_repeat() {
    killed_and_restarted("jsonl").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ocsf_survives_kill_9_without_loss_or_repeat() {
    killed_and_restarted("ocsf").await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_saves_the_checkpoint_and_exits_quietly() {
    let sim = live_sim().await;
    let instance = support::audited_instance_in_state(&sim);
    let dir = temp_dir("tail-sigterm");
    let checkpoint = dir.join("checkpoint.json");
    let out = dir.join("out.jsonl");
    let child = spawn_tail(&sim, &instance, "jsonl", &checkpoint, &out, true);
    // Once it has printed something (bounded wait), plus a moment.
    let waiting = Instant::now();
    while std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) == 0 && waiting.elapsed() < RUN_LIMIT {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill").args(["-TERM", &pid]).status();
    assert!(killed.is_ok_and(|s| s.success()), "cannot send SIGTERM");
    let mut child = child;
    let stderr = child.stderr.take();
    let status = wait(child).await;
    assert!(status.success(), "SIGTERM must end tail with 0, got {status}");
    let mut message = String::new();
    if let Some(mut stderr) = stderr {
        use std::io::Read;
        let _ = stderr.read_to_string(&mut message);
    }
    assert!(message.trim().is_empty(), "quiet: {message}");
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&checkpoint).unwrap_or_default())
        .unwrap_or_else(|e| panic!("the checkpoint was not saved: {e}"));
    assert_eq!(saved["kind"], "sql");
    assert!(saved["instances"][&instance]["from"].is_i64(), "{saved}");
    assert!(
        !printed(&out, "jsonl").is_empty(),
        "records were printed before SIGTERM"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Without --follow: alarms as CSV and every instance's SQL records, then exit 0; one position
/// per instance in the checkpoint file, and nothing printed twice by a second run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_csv_and_all_instances_until_caught_up() {
    let sim = live_sim().await;
    let instance = support::audited_instance_in_state(&sim);
    let dir = temp_dir("tail-once");
    tokio::time::sleep(Duration::from_secs(3)).await;

    let alarms = support::run(command(
        &sim,
        &["alarms", "tail", "-i", &instance, "--since", "1m", "--format", "csv"],
    ));
    assert!(alarms.status.success(), "{}", String::from_utf8_lossy(&alarms.stderr));
    let text = String::from_utf8_lossy(&alarms.stdout);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().map(|h| h.starts_with("id,alarm_time,")),
        Some(true),
        "{text}"
    );
    let rows: Vec<&str> = lines.collect();
    // 200 statements a second make 10 alarms a second.
    assert!(rows.len() >= 10, "{} alarms: {text}", rows.len());
    let ids: BTreeSet<&str> = rows.iter().filter_map(|r| r.split(',').next()).collect();
    assert_eq!(ids.len(), rows.len(), "an alarm printed twice");

    let checkpoint = dir.join("all.checkpoint").display().to_string();
    let args = [
        "sql",
        "tail",
        "--all-instances",
        "--since",
        "1m",
        "--checkpoint",
        &checkpoint,
    ];
    let first = support::run(command(&sim, &args));
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let mut per_instance: HashMap<String, usize> = HashMap::new();
    let mut ids = BTreeSet::new();
    for line in String::from_utf8_lossy(&first.stdout).lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let owner = value["instance_id"].as_str().unwrap_or_default().to_owned();
        *per_instance.entry(owner).or_insert(0) += 1;
        assert!(
            ids.insert(value["id"].as_str().unwrap_or_default().to_owned()),
            "repeated: {line}"
        );
    }
    let audited = sim
        .state()
        .list(0, 1000)
        .0
        .into_iter()
        .filter(|i| !sim.state().databases(&i.id).is_empty())
        .count();
    assert_eq!(
        per_instance.len(),
        audited,
        "records of every audited instance: {per_instance:?}"
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&checkpoint).unwrap_or_default()).unwrap_or_default();
    let positions = saved["instances"].as_object().map(|m| m.len()).unwrap_or(0);
    assert_eq!(
        positions,
        sim.state().list(0, 1000).0.len(),
        "one position per instance: {saved}"
    );

    // A second run from the checkpoint prints only newer records.
    let second = support::run(command(&sim, &args));
    assert!(second.status.success());
    for line in String::from_utf8_lossy(&second.stdout).lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        assert!(
            !ids.contains(value["id"].as_str().unwrap_or_default()),
            "printed again: {line}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
