//! A 429 with `Retry-After` during a concurrent listing holds back every request of the client,
//! not only the one that was told, and the listing still comes out complete and in order.
//!
//! The server is a tiny HTTP/1.1 responder on 127.0.0.1 that records when each request arrives
//! and answers the listing's pages; one page is refused once with 429 and `Retry-After: 1`.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use dbss::paging::Paged;
use futures::TryStreamExt;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const INSTANCE: &str = "062212d8-8e30-4783-9671-43f3f1f3bb1e";
/// Databases in the listing.
const TOTAL: u64 = 60;
/// Databases per page.
const PAGE: u64 = 5;
/// The page refused once: the last of the first four fetched together, so that without a shared
/// hold the three before it would finish and let new requests start during its Retry-After
/// (the first of them would not do: the in-order buffer waits for it anyway).
const REFUSED_OFFSET: u64 = 4 * PAGE;
/// How long every successful page takes: long enough that no request can finish, and so no
/// new one start, between the refused page's arrival and its 429 reaching the client.
const PAGE_DELAY: Duration = Duration::from_millis(150);
/// How long the 429 takes: the pages sent alongside the refused one arrive before it is sent.
const REFUSAL_DELAY: Duration = Duration::from_millis(50);
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// What the responder saw.
#[derive(Default)]
struct Log {
    /// Arrival instant and offset of every request, in arrival order.
    arrivals: Vec<(Instant, u64)>,
    /// When the 429 was written.
    refused_at: Option<Instant>,
}

type Shared = Arc<Mutex<Log>>;

fn lock(log: &Shared) -> std::sync::MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The `offset` query parameter of a request line (`GET /path?offset=5&limit=5 HTTP/1.1`).
fn offset_of(head: &str) -> Option<u64> {
    let target = head.lines().next()?.split_whitespace().nth(1)?;
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("offset="))
        .and_then(|v| v.parse().ok())
}

fn page_body(offset: u64) -> String {
    let databases: Vec<_> = (offset..(offset + PAGE).min(TOTAL))
        .map(|i| serde_json::json!({"database": {"id": format!("db{i:04}")}}))
        .collect();
    serde_json::json!({"total": TOTAL, "databases": databases}).to_string()
}

/// Answers the requests of one keep-alive connection until the client closes it.
async fn serve(mut socket: TcpStream, log: Shared) {
    let mut seen = Vec::new();
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        // GET requests: the head is the whole request.
        let end = loop {
            if let Some(at) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            match socket.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buffer[..n]),
            }
        };
        let head = String::from_utf8_lossy(&seen[..end]).into_owned();
        seen.drain(..end);
        let offset = offset_of(&head).unwrap_or(u64::MAX);
        let refuse = {
            let mut log = lock(&log);
            log.arrivals.push((Instant::now(), offset));
            offset == REFUSED_OFFSET && log.arrivals.iter().filter(|(_, o)| *o == offset).count() == 1
        };
        let answer = if refuse {
            tokio::time::sleep(REFUSAL_DELAY).await;
            let body = r#"{"error_code":"DBSS.429","error_msg":"too many requests"}"#;
            format!(
                "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nretry-after: {}\r\ncontent-length: {}\r\n\r\n{body}",
                RETRY_AFTER.as_secs(),
                body.len()
            )
        } else {
            tokio::time::sleep(PAGE_DELAY).await;
            let body = page_body(offset);
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
        };
        if socket.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
        if refuse {
            lock(&log).refused_at = Some(Instant::now());
        }
    }
}

async fn responder() -> (String, Shared) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let log = Shared::default();
    let shared = log.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket, shared.clone()));
        }
    });
    (format!("http://{addr}"), log)
}

fn client(endpoint: &str) -> dbss::Client {
    dbss::Client::builder()
        .endpoint(endpoint)
        .project_id(PROJECT)
        .credentials(dbss::Credentials::ak_sk(
            "AKEXAMPLE0123456789",
            "SKEXAMPLEsecretKey0123456789abcdefghijkl",
        ))
        // Bounded, so a broken client fails the test instead of hanging it.
        .attempt_timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_holds_back_every_worker_until_its_retry_after_has_passed() {
    let (endpoint, log) = responder().await;
    let client = client(&endpoint);
    let ids: Vec<String> = client
        .ops()
        .list_audit_databases_new()
        .instance_id(INSTANCE)
        .items_concurrent(PAGE, 4)
        .map_ok(|item| item.database.and_then(|database| database.id).unwrap_or_default())
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("the listing failed: {e}"));

    let expected: Vec<String> = (0..TOTAL).map(|i| format!("db{i:04}")).collect();
    assert_eq!(ids, expected, "complete and in order despite the 429");

    let log = lock(&log);
    let refused_at = log.refused_at.unwrap_or_else(|| panic!("the 429 was never sent"));
    let after: Vec<_> = log.arrivals.iter().filter(|(at, _)| *at > refused_at).collect();
    assert!(!after.is_empty(), "requests went on after the 429 (the retry at least)");
    for (at, offset) in &after {
        let waited = at.duration_since(refused_at);
        assert!(
            waited >= RETRY_AFTER,
            "the request for offset {offset} started {waited:?} after the 429, before its Retry-After of {RETRY_AFTER:?}"
        );
    }
    // The first page and the four fetched together came before the 429; those four finishing
    // would have started new requests at once, so the hold is what kept them waiting.
    let before = log.arrivals.iter().filter(|(at, _)| *at <= refused_at).count();
    assert_eq!(before, 5, "the listing did not run four pages at once before the 429");
    let retried = log.arrivals.iter().filter(|(_, o)| *o == REFUSED_OFFSET).count();
    assert_eq!(retried, 2, "the refused page is asked for again, once");
}
