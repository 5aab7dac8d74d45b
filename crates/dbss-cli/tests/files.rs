//! Files the CLI writes (`--out` of exports and downloads): real files in a temporary
//! directory, the binary run as a process against the simulator or a local mock server.
#![cfg(unix)]

mod support;

use std::{
    os::unix::fs::{FileTypeExt, PermissionsExt},
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use dbss_sim::{Fault, Simulator};
use serde_json::Value;
use support::{command, dbss, fails, json, ok, run, sim, stderr, stdout, temp_dir};

/// An instance, one of its databases and an agent of it, from the seeded scenario.
fn agent_of(sim: &Simulator) -> (String, String, String) {
    let instances = json(&dbss(sim, &["instances", "list", "--all", "-o", "json"]));
    for instance in instances.as_array().into_iter().flatten() {
        let id = instance["id"].as_str().unwrap_or_default().to_owned();
        let agents = json(&dbss(sim, &["agents", "list", "-i", &id, "--all", "-o", "json"]));
        if let Some(agent) = agents.as_array().and_then(|a| a.first()) {
            let text = |k: &str| agent[k].as_str().unwrap_or_default().to_owned();
            return (id, text("db_id"), text("agent_id"));
        }
    }
    panic!("no agent in the seeded scenario");
}

fn first_instance(sim: &Simulator) -> String {
    let instances = json(&dbss(sim, &["instances", "list", "--limit", "1", "-o", "json"]));
    instances[0]["id"].as_str().unwrap_or_default().to_owned()
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn download(sim: &Simulator, ids: &(String, String, String), out: &Path) -> std::process::Output {
    let out = out.display().to_string();
    dbss(
        sim,
        &["agents", "download", "-i", &ids.0, "-d", &ids.1, &ids.2, "--out", &out],
    )
}

fn export(sim: &Simulator, instance: &str, out: &Path) -> std::process::Output {
    let out = out.display().to_string();
    dbss(sim, &["sql", "export", "-i", instance, "--since", "1h", "--out", &out])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_directory_is_refused_before_anything_is_created() {
    let sim = sim().await;
    let dir = temp_dir("out-dir");
    let target = dir.join("folder");
    std::fs::create_dir(&target).unwrap_or_else(|e| panic!("{e}"));
    let ids = agent_of(&sim);
    let err = fails(&download(&sim, &ids, &target), 2);
    assert!(err.contains("is a directory"), "{err}");
    let err = fails(&export(&sim, &ids.0, &target), 2);
    assert!(err.contains("is a directory"), "{err}");
    let err = fails(&export(&sim, &ids.0, &dir.join("missing/")), 2);
    assert!(err.contains("names a directory"), "{err}");
    assert_eq!(names(&dir), ["folder"]);
    assert_eq!(names(&target), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_part_file_is_left_alone_and_the_download_is_verified() {
    let sim = sim().await;
    let dir = temp_dir("out-part");
    let ids = agent_of(&sim);
    let target = dir.join("agent.tar.gz");
    std::fs::write(dir.join("agent.tar.gz.part"), "mine").unwrap_or_else(|e| panic!("{e}"));
    let saved = json(&download(&sim, &ids, &target));
    let bytes = std::fs::read(&target).unwrap_or_default();
    assert_eq!(saved["bytes"], bytes.len(), "{saved}");
    assert!(bytes.starts_with(&[0x1f, 0x8b]), "the package");
    assert_eq!(
        std::fs::read_to_string(dir.join("agent.tar.gz.part")).unwrap_or_default(),
        "mine"
    );
    assert_eq!(names(&dir), ["agent.tar.gz", "agent.tar.gz.part"]);

    // Without -d the checksum is found by looking through the instance's databases.
    std::fs::remove_file(&target).unwrap_or_else(|e| panic!("{e}"));
    let out = dbss(
        &sim,
        &[
            "agents",
            "download",
            "-i",
            &ids.0,
            &ids.2,
            "--out",
            &target.display().to_string(),
        ],
    );
    ok(&out);
    assert!(!stderr(&out).contains("not verified"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&target).unwrap_or_default(), bytes);

    // A new file gets the usual permissions of a new file (not the 0600 of a temporary one).
    let mode = std::fs::metadata(&target)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0);
    assert_ne!(mode, 0o600, "{mode:o}");
    // A replaced file keeps its permissions.
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap_or_else(|e| panic!("{e}"));
    ok(&download(&sim, &ids, &target));
    let mode = std::fs::metadata(&target)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0);
    assert_eq!(mode, 0o640);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_symlink_is_written_through_and_a_dangling_one_refused() {
    let sim = sim().await;
    let dir = temp_dir("out-symlink");
    let instance = first_instance(&sim);
    let real = dir.join("real.jsonl");
    std::fs::write(&real, "old\n").unwrap_or_else(|e| panic!("{e}"));
    let link = dir.join("link.jsonl");
    std::os::unix::fs::symlink("real.jsonl", &link).unwrap_or_else(|e| panic!("{e}"));
    ok(&export(&sim, &instance, &link));
    assert!(std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));
    let text = std::fs::read_to_string(&real).unwrap_or_default();
    assert!(
        !text.starts_with("old") && text.lines().all(|l| l.starts_with('{')),
        "{text}"
    );

    let dangling = dir.join("dangling.jsonl");
    std::os::unix::fs::symlink("nowhere.jsonl", &dangling).unwrap_or_else(|e| panic!("{e}"));
    let err = fails(&export(&sim, &instance, &dangling), 2);
    assert!(err.contains("does not exist"), "{err}");
    assert_eq!(names(&dir), ["dangling.jsonl", "link.jsonl", "real.jsonl"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fifo_is_written_in_place_and_stays_a_fifo() {
    let sim = sim().await;
    let dir = temp_dir("out-fifo");
    let ids = agent_of(&sim);
    let fifo = dir.join("pipe");
    let status = Command::new("mkfifo").arg(&fifo).status();
    assert!(status.is_ok_and(|s| s.success()), "mkfifo failed");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap_or_default())
    };
    let saved = json(&download(&sim, &ids, &fifo));
    let received = reader.join().unwrap_or_default();
    assert!(received.starts_with(&[0x1f, 0x8b]), "{received:?}");
    assert_eq!(saved["bytes"], received.len());
    assert!(std::fs::metadata(&fifo).is_ok_and(|m| m.file_type().is_fifo()));
    assert_eq!(names(&dir), ["pipe"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn out_dash_is_stdout_for_downloads_and_exports() {
    let sim = sim().await;
    let dir = temp_dir("out-dash");
    let ids = agent_of(&sim);
    let file = dir.join("agent.bin");
    ok(&download(&sim, &ids, &file));
    let mut dash = command(
        &sim,
        &["agents", "download", "-i", &ids.0, "-d", &ids.1, &ids.2, "--out", "-"],
    );
    dash.current_dir(&dir);
    let out = run(dash);
    ok(&out);
    assert_eq!(out.stdout, std::fs::read(&file).unwrap_or_default());
    let mut dash = command(&sim, &["sql", "export", "-i", &ids.0, "--out", "-"]);
    dash.current_dir(&dir);
    let lines = ok(&run(dash));
    assert!(
        lines.lines().all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "{lines}"
    );
    assert_eq!(names(&dir), ["agent.bin"], "no file named -");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn device_nodes_are_written_in_place() {
    let sim = sim().await;
    let dir = temp_dir("out-device");
    let null = dir.join("null");
    let full = dir.join("full");
    let made = [(&null, "3"), (&full, "7")].iter().all(|(path, minor)| {
        Command::new("mknod")
            .arg(path)
            .args(["c", "1", minor])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if !made {
        eprintln!("SKIPPED: mknod needs root (a device node cannot be made here)");
        let _ = std::fs::remove_dir_all(dir);
        return;
    }
    let instance = first_instance(&sim);
    // CSV: the header is written even when the window holds no record.
    let csv = |out: &Path| {
        let out = out.display().to_string();
        dbss(
            &sim,
            &["sql", "export", "-i", &instance, "--format", "csv", "--out", &out],
        )
    };
    ok(&csv(&null));
    // /dev/full refuses every write: the error is reported, and the node is not replaced.
    let err = fails(&csv(&full), 2);
    assert!(err.contains("No space left"), "{err}");
    for node in [&null, &full] {
        assert!(
            std::fs::metadata(node).is_ok_and(|m| m.file_type().is_char_device()),
            "{}",
            node.display()
        );
    }
    assert_eq!(names(&dir), ["full", "null"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_mid_download_leaves_no_temporary_file() {
    let fault: Fault = "op=DownloadAuditAgentNew,slow-body-ms=400,chunk=2"
        .parse()
        .unwrap_or_else(|e| panic!("{e:?}"));
    let sim = Simulator::builder()
        .fault(fault)
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = temp_dir("out-sigterm");
    let ids = agent_of(&sim);
    let target = dir.join("agent.tar.gz");
    let mut child = command(
        &sim,
        &[
            "agents",
            "download",
            "-i",
            &ids.0,
            "-d",
            &ids.1,
            &ids.2,
            "--out",
            &target.display().to_string(),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap_or_else(|e| panic!("{e}"));
    // Wait until the download is being written: its temporary file has bytes in it.
    let deadline = Instant::now() + Duration::from_secs(20);
    let writing = loop {
        let part = names(&dir).into_iter().find(|n| n.ends_with(".part"));
        if let Some(part) = part
            && std::fs::metadata(dir.join(&part)).is_ok_and(|m| m.len() > 0)
        {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let pid = i32::try_from(child.id()).unwrap_or(0);
    // SAFETY: sends a signal to the child this test started.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(writing, "the download never started writing");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert_eq!(names(&dir), Vec::<String>::new(), "nothing left behind");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_checksum_mismatch_fails_and_leaves_the_target_as_it_was() {
    let server = httpmock::MockServer::start_async().await;
    let project = "0123456789abcdef0123456789abcdef";
    let instance = "0f2c4a6e8b0d2f4a6c8e0b2d4f6a8c0e";
    let agent = "a1b2c3d4e5f6a7b8a1b2c3d4e5f6a7b8";
    let db = "d1b2c3d4e5f6a7b8a1b2c3d4e5f6a7b8";
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path(format!("/v3/{project}/audit/{instance}/agents"));
            then.status(200).json_body(serde_json::json!({ "agents": [{
                "agent_id": agent, "agent_type": "DB", "agent_os": "LINUX64_X86", "agent_ip": "10.0.0.1",
                "sha256": "00".repeat(32),
            }]}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path(format!("/v2/{project}/audit/{instance}/agents/{agent}/download"));
            then.status(200)
                .header("content-type", "application/octet-stream")
                .body("not the package that was listed");
        })
        .await;
    let dir = temp_dir("out-sha");
    let target = dir.join("agent.tar.gz");
    std::fs::write(&target, "previous").unwrap_or_else(|e| panic!("{e}"));
    let mut cli = support::bare();
    cli.args(["agents", "download", "-i", instance, "-d", db, agent, "--out"])
        .arg(&target)
        .env("HUAWEICLOUD_SDK_AK", "AKMOCK")
        .env("HUAWEICLOUD_SDK_SK", "SKMOCK")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", project)
        .env("DBSS_ENDPOINT", server.base_url());
    let out = run(cli);
    let err = fails(&out, 5);
    assert!(err.contains("SHA-256") && err.contains(&"00".repeat(32)), "{err}");
    assert!(stdout(&out).is_empty());
    assert_eq!(std::fs::read_to_string(&target).unwrap_or_default(), "previous");
    assert_eq!(names(&dir), ["agent.tar.gz"]);
    let _ = std::fs::remove_dir_all(dir);
}
