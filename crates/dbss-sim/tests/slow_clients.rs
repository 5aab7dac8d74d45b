//! Clients that hold connections without finishing requests cannot knock the simulator over:
//! silent sockets, half-sent heads and trickled bodies are closed after their timeouts, and
//! more idle sockets than the connection cap (or than file descriptors) do not keep a signed
//! call from being answered. Every wait is bounded; none of the bounds is a speed goal.

mod support;

use std::time::{Duration, Instant};

use dbss_sim::Simulator;
use support::raw::{Process, read_until_closed, signed_head};
use tokio::{io::AsyncWriteExt, net::TcpStream};

/// Far above every timeout configured here: only a simulator that never closes reaches it.
const NEVER: Duration = Duration::from_secs(20);

async fn connect(addr: std::net::SocketAddr) -> TcpStream {
    TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"))
}

async fn started(builder: dbss_sim::SimulatorBuilder) -> Simulator {
    builder.start().await.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_idle_timeout() {
    let sim = started(Simulator::builder().idle_timeout(Duration::from_millis(300))).await;
    let mut silent = connect(sim.addr()).await;
    let began = Instant::now();
    let received = read_until_closed(&mut silent, NEVER).await;
    assert_eq!(received.as_deref(), Some(&b""[..]), "closed without an answer");
    assert!(began.elapsed() >= Duration::from_millis(250), "not before the timeout");
}

#[tokio::test]
async fn a_head_trickled_byte_by_byte_is_cut_off_by_the_header_timeout() {
    // Bytes keep moving, so the idle timeout never runs out: only the header timeout can end it.
    let sim = started(
        Simulator::builder()
            .idle_timeout(Duration::from_secs(60))
            .header_read_timeout(Duration::from_millis(500)),
    )
    .await;
    let mut slow = connect(sim.addr()).await;
    let trickle = async {
        slow.write_all(b"GET /v2/p/audit/quota HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..200 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if slow.write_all(b"X").await.is_err() {
                return true;
            }
        }
        false
    };
    let closed = tokio::time::timeout(NEVER, trickle).await;
    assert_eq!(closed.ok(), Some(true), "the simulator closed the connection");
}

#[tokio::test]
async fn a_trickled_body_is_answered_408_after_the_body_timeout() {
    let sim = started(
        Simulator::builder()
            .idle_timeout(Duration::from_secs(60))
            .body_read_timeout(Duration::from_millis(500)),
    )
    .await;
    let body = format!("{{\"name\":\"{}\"}}", "x".repeat(10_000));
    let path = format!("/v1/{}/audit/instance/nothing", sim.project_id());
    let head = signed_head(
        sim.addr(),
        sim.ak(),
        sim.sk(),
        "PUT",
        &path,
        body.as_bytes(),
        body.len(),
    );
    let mut slow = connect(sim.addr()).await;
    slow.write_all(head.as_bytes()).await.unwrap_or_else(|e| panic!("{e}"));
    let (mut reader, mut writer) = slow.into_split();
    let trickle = tokio::spawn(async move {
        for byte in body.as_bytes() {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if writer.write_all(&[*byte]).await.is_err() {
                break;
            }
        }
    });
    let mut received = Vec::new();
    let read = tokio::time::timeout(NEVER, tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut received)).await;
    trickle.abort();
    assert!(read.is_ok(), "the connection was closed");
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("not received within 500 ms"), "{text}");
}

/// A signed call on a fresh connection, bounded in time.
async fn signed_call_succeeds(url: &str, ak: &str, sk: &str, project: &str) {
    let client = dbss::Client::builder()
        .endpoint(url)
        .project_id(project)
        .credentials(dbss::Credentials::ak_sk(ak, sk))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let page = tokio::time::timeout(
        NEVER,
        dbss::Operation::call(client.ops().list_audit_instances_last().offset("0").limit("10")),
    )
    .await
    .unwrap_or_else(|_| panic!("the signed call was not answered in {NEVER:?}"))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.total, Some(3));
}

#[tokio::test]
async fn idle_sockets_beyond_the_cap_do_not_keep_a_signed_call_out() {
    let sim = started(
        Simulator::builder()
            .max_connections(16)
            .idle_timeout(Duration::from_secs(60))
            .header_read_timeout(Duration::from_secs(60)),
    )
    .await;
    // 40 silent sockets and 8 with half a head: three times the cap, none of them finishing.
    let mut held = Vec::new();
    for i in 0..48 {
        let mut socket = connect(sim.addr()).await;
        if i % 6 == 0 {
            let _ = socket.write_all(b"GET /v2/p/audit/quota HTTP/1.1\r\n").await;
        }
        held.push(socket);
    }
    // Past the grace period during which a new connection is never closed for room.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    signed_call_succeeds(&sim.url(), sim.ak(), sim.sk(), sim.project_id()).await;
    // The oldest idle sockets made room: at most the cap of them are still open.
    let mut still_open = 0;
    for socket in &mut held {
        if read_until_closed(socket, Duration::from_millis(20)).await.is_none() {
            still_open += 1;
        }
    }
    assert!(still_open <= 16, "{still_open} idle sockets still open");
}

#[tokio::test]
async fn with_256_file_descriptors_300_idle_sockets_do_not_keep_a_signed_call_out() {
    if std::process::Command::new("prlimit").arg("--version").output().is_err() {
        eprintln!("NOTICE: the file-descriptor test is skipped: `prlimit` (util-linux) is not installed");
        return;
    }
    // The cap left at its default (4096), above what the process can open: running out of
    // descriptors must make room the same way the cap does.
    let sim = Process::start(&["prlimit", "--nofile=256:256", "--"], &[]);
    let mut held = Vec::new();
    for _ in 0..300 {
        held.push(connect(sim.addr).await);
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    signed_call_succeeds(
        &sim.url(),
        dbss_sim::defaults::AK,
        dbss_sim::defaults::SK,
        dbss_sim::defaults::PROJECT_ID,
    )
    .await;
    drop(held);
}
