//! Request bodies cost bounded memory: what the headers can settle is settled before the body
//! is read, and the bodies being read share a fixed budget. Memory is read from
//! `/proc/<pid>/status` of the `dbss-sim` binary.

mod support;

use std::time::Duration;

use dbss_sim::Simulator;
use support::raw::{Process, read_until_closed, signed_head};
use tokio::{io::AsyncWriteExt, net::TcpStream, task::JoinSet};

const FOUR_MB: usize = 4 * 1024 * 1024;

async fn connect(addr: std::net::SocketAddr) -> TcpStream {
    TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"))
}

#[tokio::test]
async fn a_request_that_cannot_be_authenticated_is_refused_before_its_body_is_sent() {
    let sim = Simulator::builder().start().await.unwrap_or_else(|e| panic!("{e}"));
    let path = format!("/v1/{}/audit/instance/nothing", sim.project_id());
    let unsigned = format!("PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {FOUR_MB}\r\n\r\n");
    let unknown_key = signed_head(sim.addr(), "SOMEONEELSE", "guess", "PUT", &path, b"{}", FOUR_MB);
    let too_large = signed_head(sim.addr(), sim.ak(), sim.sk(), "PUT", &path, b"{}", FOUR_MB + 1);
    for (head, status, code) in [
        (unsigned, "401", "APIGW.0101"),
        (unknown_key, "401", "APIGW.0301"),
        (too_large, "413", "DBSS.10000001"),
    ] {
        let mut socket = connect(sim.addr()).await;
        socket
            .write_all(head.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Not a byte of the body is sent: the answer comes anyway, and the connection closes.
        let received = read_until_closed(&mut socket, Duration::from_secs(20)).await;
        let text = String::from_utf8_lossy(received.as_deref().unwrap_or_default()).into_owned();
        assert!(text.starts_with(&format!("HTTP/1.1 {status}")), "{text}");
        assert!(text.contains(code), "{text}");
        assert!(text.to_ascii_lowercase().contains("connection: close"), "{text}");
    }
}

/// Opens a connection, sends `head` and all but the last byte of its 4 MB body, and holds it.
async fn never_finished(addr: std::net::SocketAddr, head: String) -> TcpStream {
    let mut socket = connect(addr).await;
    let body = vec![b' '; FOUR_MB - 1];
    // The simulator may refuse early and close, or stop reading while the budget is taken:
    // either way this client gives up writing after a while and keeps the socket open.
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        socket.write_all(head.as_bytes()).await?;
        socket.write_all(&body).await
    })
    .await;
    socket
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_unfinished_4_mb_bodies_stay_within_the_body_budget() {
    let sim = Process::start(&[], &[]);
    let addr = sim.addr;
    let path = format!("/v1/{}/audit/instance/nothing", dbss_sim::defaults::PROJECT_ID);
    // Warm up: one answered call, so the baseline includes the simulator's own allocations.
    let warm = signed_head(
        addr,
        dbss_sim::defaults::AK,
        dbss_sim::defaults::SK,
        "PUT",
        &path,
        b"{}",
        2,
    );
    let mut socket = connect(addr).await;
    socket
        .write_all(format!("{warm}{{}}").as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    drop(socket);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = sim.memory_kib("VmRSS");

    let mut clients = JoinSet::new();
    for i in 0..50 {
        // Half carry no credential; half a well-formed one whose signature will not verify,
        // which only the body can show: those are read, within the budget.
        let head = if i % 2 == 0 {
            format!("PUT {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {FOUR_MB}\r\n\r\n")
        } else {
            signed_head(
                addr,
                dbss_sim::defaults::AK,
                "wrong-secret",
                "PUT",
                &path,
                b"{}",
                FOUR_MB,
            )
        };
        clients.spawn(never_finished(addr, head));
    }
    let held = clients.join_all().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (rss, peak) = (sim.memory_kib("VmRSS"), sim.memory_kib("VmHWM"));
    eprintln!("dbss-sim memory with 50 unfinished 4 MB bodies: VmRSS {before} -> {rss} KiB, peak VmHWM {peak} KiB");
    drop(held);
    // 50 bodies held whole would be 200 MiB; the budget is 32 MiB (plus what reading a body
    // costs on top of holding it).
    assert!(peak < before + 96 * 1024, "peak {peak} KiB from {before} KiB");
}
