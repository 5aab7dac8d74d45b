//! What a hostile server can make the client hold in memory: JSON answers are read up to the
//! client's limit (`ClientBuilder::max_response_bytes`, 32 MiB by default) and refused beyond
//! it, error bodies are read up to a small cap and the rest is never read, and downloads stay
//! streamed whatever their size.
//!
//! The server is written here (a tokio `TcpListener` on 127.0.0.1) because a well-behaved mock
//! server cannot stall, lie about a length, or send a gibibyte: its bodies are generated as
//! they are sent, never held. The memory tests run the client in a process of its own (the
//! `one-call` helper binary of this crate) and read its peak resident memory.

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// How the answer tells the length of its body.
#[derive(Clone, Copy, Debug)]
enum Framing {
    ContentLength,
    Chunked,
}

/// What the hostile server answers to every request.
#[derive(Clone, Copy, Debug)]
struct Answer {
    status: u16,
    framing: Framing,
    /// Length of the whole body (as announced, and as sent unless `hold_after`).
    size: u64,
    /// Stop sending after this many body bytes and keep the connection open, silent.
    hold_after: Option<u64>,
}

impl Answer {
    fn new(status: u16, framing: Framing, size: u64) -> Answer {
        Answer {
            status,
            framing,
            size,
            hold_after: None,
        }
    }

    /// The body is valid JSON of the documented shape, padded with a long string: for a
    /// success a list of no instances, for a failure an error code and message.
    fn prefix_and_suffix(&self) -> (&'static [u8], &'static [u8]) {
        if self.status < 300 {
            (br#"{"total":0,"servers":[],"pad":""#, br#""}"#)
        } else {
            (
                br#"{"error_code":"DBSS.10000001","error_msg":"hostile","pad":""#,
                br#""}"#,
            )
        }
    }
}

/// Serves `answer` to every connection on 127.0.0.1; the endpoint to reach it.
async fn hostile_server(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let address = listener.local_addr().unwrap_or_else(|e| panic!("address: {e}"));
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(answer_one(socket, answer));
        }
    });
    format!("http://{address}")
}

/// Reads the request head, then sends the answer until done or until the client goes away.
async fn answer_one(mut socket: TcpStream, answer: Answer) {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let length = match answer.framing {
        Framing::ContentLength => format!("Content-Length: {}\r\n", answer.size),
        Framing::Chunked => "Transfer-Encoding: chunked\r\n".to_owned(),
    };
    let head = format!(
        "HTTP/1.1 {} Hostile\r\nContent-Type: application/json\r\nX-Request-Id: hostile-1\r\n{length}\r\n",
        answer.status
    );
    if socket.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let _ = send_body(&mut socket, answer).await;
    if answer.hold_after.is_some() {
        tokio::time::sleep(Duration::from_secs(300)).await;
    }
}

/// The body, generated as it is sent: prefix, `x` padding, suffix, `answer.size` bytes in all
/// (the size is never below the prefix and suffix together).
async fn send_body(socket: &mut TcpStream, answer: Answer) -> std::io::Result<()> {
    const PIECE: u64 = 64 * 1024;
    let (prefix, suffix) = answer.prefix_and_suffix();
    let padding = vec![b'x'; PIECE as usize];
    let mut budget = answer.hold_after.unwrap_or(u64::MAX);
    let mut left = answer.size.saturating_sub((prefix.len() + suffix.len()) as u64);
    let mut more = write_piece(socket, answer.framing, prefix, &mut budget).await?;
    while more && left > 0 {
        let n = left.min(PIECE);
        more = write_piece(socket, answer.framing, &padding[..n as usize], &mut budget).await?;
        left -= n;
    }
    let whole = more && write_piece(socket, answer.framing, suffix, &mut budget).await?;
    if whole && matches!(answer.framing, Framing::Chunked) {
        socket.write_all(b"0\r\n\r\n").await?;
    }
    socket.flush().await
}

/// Writes what `budget` allows of `bytes`, framed; false once the budget is spent.
async fn write_piece(
    socket: &mut TcpStream,
    framing: Framing,
    bytes: &[u8],
    budget: &mut u64,
) -> std::io::Result<bool> {
    let n = bytes.len().min(usize::try_from(*budget).unwrap_or(usize::MAX));
    let piece = &bytes[..n];
    match framing {
        Framing::ContentLength => socket.write_all(piece).await?,
        Framing::Chunked if piece.is_empty() => {}
        Framing::Chunked => {
            socket.write_all(format!("{:x}\r\n", piece.len()).as_bytes()).await?;
            socket.write_all(piece).await?;
            socket.write_all(b"\r\n").await?;
        }
    }
    *budget -= n as u64;
    Ok(*budget > 0)
}

// ---------------------------------------------------------------------------------------------
// Memory of a client in a process of its own

/// Peak resident memory allowed to the client, whatever the server sends.
const PEAK_RSS_LIMIT_KIB: u64 = 100_000_000 / 1024;

/// Runs `one-call` against a server giving `answer`; its outcome and peak RSS in KiB.
async fn one_call(answer: Answer) -> (String, u64) {
    let endpoint = hostile_server(answer).await;
    // The child gives up by itself after its attempt timeout (120 s); the bound here only keeps
    // a failing test from hanging.
    let run = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_one-call"))
            .arg(&endpoint)
            .output()
    });
    let output = tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .unwrap_or_else(|_| panic!("one-call did not finish within 300 s"))
        .unwrap_or_else(|e| panic!("one-call panicked: {e}"))
        .unwrap_or_else(|e| panic!("one-call could not run: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "one-call failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |key: &str| {
        stdout
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no {key} in {stdout}"))
            .to_owned()
    };
    let peak = field("peak_rss_kib:")
        .parse()
        .unwrap_or_else(|e| panic!("peak_rss_kib of {stdout}: {e}"));
    let outcome: String = field("outcome:").chars().take(160).collect();
    eprintln!("{answer:?}: peak RSS {:.1} MiB; {outcome}", peak as f64 / 1024.0);
    (field("outcome:"), peak)
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gib_json_answer_leaves_the_client_under_100_mb() {
    let (outcome, peak) = one_call(Answer::new(200, Framing::Chunked, GIB)).await;
    assert!(peak < PEAK_RSS_LIMIT_KIB, "peak RSS {peak} KiB; outcome: {outcome}");
    assert!(
        outcome.contains("ListAuditInstances") && outcome.contains(&(32 * MIB).to_string()),
        "the error names the operation and the limit: {outcome}"
    );
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gib_error_body_leaves_the_client_under_100_mb() {
    let (outcome, peak) = one_call(Answer::new(500, Framing::Chunked, GIB)).await;
    assert!(peak < PEAK_RSS_LIMIT_KIB, "peak RSS {peak} KiB; outcome: {outcome}");
    assert!(
        outcome.contains("ListAuditInstances: HTTP 500") && outcome.contains("(request id hostile-1)"),
        "still a service error with its status and request id: {outcome}"
    );
}

// ---------------------------------------------------------------------------------------------
// The limits in process, with small figures

/// A client of `endpoint` that reads at most `limit` bytes of a success body, trying once.
fn limited_client(endpoint: &str, limit: u64) -> dbss::Client {
    dbss::Client::builder()
        .endpoint(endpoint)
        .project_id(dbss_tests::PROJECT)
        .credentials(dbss::Credentials::ak_sk(dbss_tests::AK, dbss_tests::SK))
        .environment([])
        .attempt_timeout(Duration::from_secs(20))
        .retry(dbss::RetryPolicy {
            max_attempts: 1,
            ..dbss::RetryPolicy::default()
        })
        .max_response_bytes(limit)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// `ListAuditInstances` against a server giving `answer`, within a bound that keeps a test
/// that is failing from hanging.
async fn list(answer: Answer, limit: u64) -> Result<(), dbss::Error> {
    let endpoint = hostile_server(answer).await;
    let client = limited_client(&endpoint, limit);
    let call = dbss_tests::v1_instances(&client, 0, 10);
    tokio::time::timeout(Duration::from_secs(60), call)
        .await
        .unwrap_or_else(|_| panic!("no answer within 60 s"))
        .map(drop)
}

#[tokio::test]
async fn a_body_beyond_the_limit_is_a_typed_error_naming_the_operation_and_the_limit() {
    for framing in [Framing::Chunked, Framing::ContentLength] {
        let error = list(Answer::new(200, framing, 4 * MIB), 64 * 1024)
            .await
            .expect_err("a body over the limit is refused");
        let dbss::Error::ResponseTooLarge {
            operation,
            status,
            request_id,
            limit,
        } = &error
        else {
            panic!("{framing:?}: expected ResponseTooLarge, got {error}")
        };
        assert_eq!(
            (*operation, *status, request_id.as_deref(), *limit),
            ("ListAuditInstances", 200, Some("hostile-1"), 64 * 1024)
        );
        assert_eq!(
            error.to_string(),
            "ListAuditInstances: HTTP 200: the response is larger than the limit of 65536 bytes \
             (max_response_bytes) (request id hostile-1)"
        );
    }
}

#[tokio::test]
async fn an_announced_length_beyond_the_limit_is_refused_before_the_body_is_read() {
    // The server announces 1 GiB and then sends nothing: waiting for the body would only end
    // with the attempt's timeout.
    let answer = Answer {
        hold_after: Some(0),
        ..Answer::new(200, Framing::ContentLength, GIB)
    };
    let error = list(answer, 32 * MIB).await.expect_err("refused");
    assert!(matches!(error, dbss::Error::ResponseTooLarge { .. }), "{error}");
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_read() {
    for framing in [Framing::Chunked, Framing::ContentLength] {
        let result = list(Answer::new(200, framing, 256 * 1024), 256 * 1024).await;
        assert!(result.is_ok(), "{framing:?}: {result:?}");
    }
    let over = list(Answer::new(200, Framing::Chunked, 256 * 1024 + 1), 256 * 1024).await;
    assert!(matches!(over, Err(dbss::Error::ResponseTooLarge { .. })), "{over:?}");
}

#[tokio::test]
async fn an_error_body_is_read_up_to_its_cap_and_the_rest_never_waited_for() {
    // 1 MiB of an 8 MiB error body, then silence: a client reading it all would wait until
    // the attempt's timeout; one that stops at the cap answers with the service error at once.
    let answer = Answer {
        hold_after: Some(MIB),
        ..Answer::new(500, Framing::Chunked, 8 * MIB)
    };
    let error = list(answer, 32 * MIB).await.expect_err("a 500");
    let service = error
        .as_service()
        .unwrap_or_else(|| panic!("expected a service error, got {error}"));
    assert_eq!(
        (service.status, service.request_id.as_deref()),
        (500, Some("hostile-1"))
    );
    assert!(
        service.body.starts_with(r#"{"error_code":"DBSS.10000001""#),
        "{}",
        service.body
    );
    // A small error body is read whole, its code and message found.
    let small = list(Answer::new(503, Framing::ContentLength, 1000), 32 * MIB).await;
    let small = small.expect_err("a 503");
    assert_eq!(
        (small.error_code(), small.error_msg()),
        (Some("DBSS.10000001"), Some("hostile"))
    );
}

#[tokio::test]
async fn a_download_is_streamed_whatever_the_limit() {
    let endpoint = hostile_server(Answer::new(200, Framing::Chunked, 4 * MIB)).await;
    let client = limited_client(&endpoint, 1024);
    let mut sink = tokio::io::sink();
    let report = "b80bb774-0288-fda1-f201-890375a60c8f";
    let download = client.download_audit_report(dbss_tests::INSTANCE, report, None, &mut sink, |_| {});
    let written = tokio::time::timeout(Duration::from_secs(60), download)
        .await
        .unwrap_or_else(|_| panic!("no download within 60 s"));
    assert_eq!(written.map_err(|e| e.to_string()), Ok(4 * MIB));
}
