//! Waiters for asynchronous work, and streamed downloads.

use std::time::Duration;

use dbss::{
    Error,
    wait::{InstanceState, Waiter},
};
use dbss_tests::{
    client,
    flaky::{Flaky, Step},
};

const ID: &str = "062212d8-8e30-4783-9671-43f3f1f3bb1e";

fn quick(deadline_ms: u64) -> Waiter {
    Waiter {
        deadline: Duration::from_millis(deadline_ms),
        first_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
    }
}

fn listing(status: &'static str, task: &'static str) -> Step {
    let body: &'static str = Box::leak(
        format!(r#"{{"total": 1, "instances": [{{"id": "{ID}", "status": "{status}", "task": "{task}"}}]}}"#)
            .into_boxed_str(),
    );
    Step::Answer(200, vec![], body)
}

#[tokio::test]
async fn an_instance_waiter_polls_through_build_and_a_failed_poll_until_active() {
    let server = Flaky::start(vec![
        listing("BUILD", "NO_TASK"),
        Step::Answer(503, vec![], "{}"),
        Step::Answer(503, vec![], "{}"),
        Step::Answer(503, vec![], "{}"),
        listing("ACTIVE", "powering-on"),
        listing("ACTIVE", "NO_TASK"),
    ])
    .await;
    let instance = client(&server.url)
        .wait_for_audit_instance(ID, InstanceState::Active, &quick(10_000))
        .await;
    let instance = instance.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(instance.and_then(|i| i.status).as_deref(), Some("ACTIVE"));
}

#[tokio::test]
async fn a_waiter_that_times_out_says_what_it_last_saw() {
    let server = Flaky::start(vec![listing("BUILD", "NO_TASK"); 100]).await;
    let outcome = client(&server.url)
        .wait_for_audit_instance(ID, InstanceState::Active, &quick(150))
        .await;
    let Err(Error::Wait {
        last_state, finished, ..
    }) = &outcome
    else {
        panic!("expected a wait error, got {outcome:?}")
    };
    assert_eq!((last_state.as_str(), *finished), ("status BUILD, task NO_TASK", false));
    let text = outcome.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("deadline reached") && text.contains(ID), "{text}");
}

#[tokio::test]
async fn an_instance_in_error_ends_the_wait_at_once() {
    let server = Flaky::start(vec![listing("ERROR", "NO_TASK")]).await;
    let outcome = client(&server.url)
        .wait_for_audit_instance(ID, InstanceState::Stopped, &quick(10_000))
        .await;
    assert!(
        matches!(outcome, Err(Error::Wait { finished: true, .. })),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_deleted_instance_is_one_that_is_no_longer_listed() {
    let server = Flaky::start(vec![
        listing("DELETING", "delete_wait"),
        Step::Answer(200, vec![], r#"{"total": 0, "instances": []}"#),
    ])
    .await;
    let outcome = client(&server.url)
        .wait_for_audit_instance(ID, InstanceState::Deleted, &quick(10_000))
        .await;
    assert!(matches!(outcome, Ok(None)), "{outcome:?}");
}

#[tokio::test]
async fn a_failed_job_ends_its_waiter_with_the_reason() {
    let server = Flaky::start(vec![
        Step::Answer(200, vec![], r#"{"jobs": [{"job_id": "j1", "status": "RUNNING"}]}"#),
        Step::Answer(
            200,
            vec![],
            r#"{"jobs": [{"job_id": "j1", "status": "FAIL", "fail_reason": "no capacity"}]}"#,
        ),
    ])
    .await;
    let outcome = client(&server.url)
        .wait_for_job("resource-1", "j1", &quick(10_000))
        .await;
    let text = outcome.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("no capacity") && text.contains("it failed"), "{text}");
}

#[tokio::test]
async fn downloads_stream_to_a_file_with_progress_and_leave_no_partial_file() {
    use httpmock::{Method, MockServer};
    let server = MockServer::start_async().await;
    let package: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    server
        .mock_async(|when, then| {
            when.method(Method::GET)
                .path_includes("/agents/b80bb774-0288-fda1-f201-890375a60c8f/download");
            then.status(200)
                .header("content-type", "application/octet-stream")
                .body(package.clone());
        })
        .await;
    let client = client(&server.base_url());
    let dir = std::env::temp_dir().join(format!("dbss-download-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("agent.tar.gz");
    let mut updates = Vec::new();
    let stream = dbss::Operation::call(
        client
            .ops()
            .download_audit_agent_new()
            .instance_id(ID)
            .agent_id("b80bb774-0288-fda1-f201-890375a60c8f"),
    )
    .await;
    let written = dbss::download::save_to_file(
        "DownloadAuditAgentNew",
        stream.unwrap_or_else(|e| panic!("{e}")),
        &path,
        |p| updates.push(p.bytes),
    )
    .await;
    assert_eq!(written.ok(), Some(3_000_000));
    assert_eq!(std::fs::read(&path).ok().as_deref(), Some(package.as_slice()));
    assert!(
        updates.len() > 1 && updates.windows(2).all(|w| w[0] < w[1]),
        "progress after each chunk: {} updates",
        updates.len()
    );
    assert!(!dir.join("agent.tar.gz.part").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Downloads the 1,000-byte package of a local mock server to `path`.
async fn download_to(server: &httpmock::MockServer, path: &std::path::Path) -> Result<u64, dbss::Error> {
    let client = client(&server.base_url());
    let stream = dbss::Operation::call(
        client
            .ops()
            .download_audit_agent_new()
            .instance_id(ID)
            .agent_id("b80bb774-0288-fda1-f201-890375a60c8f"),
    )
    .await?;
    dbss::download::save_to_file("DownloadAuditAgentNew", stream, path, |_| {}).await
}

#[tokio::test]
async fn save_to_file_never_clobbers_a_part_file_refuses_directories_and_keeps_fifos_and_symlinks() {
    use httpmock::{Method, MockServer};
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(Method::GET).path_includes("/download");
            then.status(200)
                .header("content-type", "application/octet-stream")
                .body(vec![7u8; 1000]);
        })
        .await;
    let dir = std::env::temp_dir().join(format!("dbss-save-targets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));

    // A user's own `X.part` beside the target is neither overwritten nor renamed away.
    let target = dir.join("agent.tar.gz");
    std::fs::write(dir.join("agent.tar.gz.part"), b"mine").unwrap_or_else(|e| panic!("{e}"));
    let first = download_to(&server, &target).await;
    assert_eq!(first.as_ref().ok(), Some(&1000), "{first:?}");
    assert_eq!(
        std::fs::read(dir.join("agent.tar.gz.part")).ok().as_deref(),
        Some(&b"mine"[..])
    );
    assert_eq!(std::fs::read(&target).map(|b| b.len()).ok(), Some(1000));

    // A directory is refused and nothing is created in or beside it.
    let before = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    let refused = download_to(&server, &dir).await;
    assert!(
        refused
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("directory"),
        "{refused:?}"
    );
    assert_eq!(std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0), before);

    // A symlink is written through: it stays a symlink and its target gets the bytes.
    let real = dir.join("real.bin");
    let link = dir.join("link.bin");
    std::fs::write(&real, b"old").unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(&real, &link).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(download_to(&server, &link).await.ok(), Some(1000));
    assert!(
        std::fs::symlink_metadata(&link)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false)
    );
    assert_eq!(std::fs::read(&real).map(|b| b.len()).ok(), Some(1000));

    // A FIFO is written in place, streamed to its reader, and is still a FIFO afterwards.
    let fifo = dir.join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.map(|s| s.success()).unwrap_or(false) {
        let reader_path = fifo.clone();
        let reader = std::thread::spawn(move || std::fs::read(&reader_path).map(|b| b.len()).ok());
        assert_eq!(download_to(&server, &fifo).await.ok(), Some(1000));
        assert_eq!(reader.join().ok().flatten(), Some(1000));
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::metadata(&fifo)
                .map(|m| m.file_type().is_fifo())
                .unwrap_or(false)
        );
    } else {
        eprintln!("NOTICE: mkfifo unavailable; the FIFO case was not run");
    }
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        !leftovers.iter().any(|n| n.to_string_lossy().starts_with('.')),
        "{leftovers:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
