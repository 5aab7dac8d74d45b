//! Client overhead benchmark: requests/s and latency percentiles of `dbss` against any
//! endpoint, beside a hand-written raw `reqwest` call that signs the same way (the floor).
//!
//! ```sh
//! # a minimal local responder (fixed JSON answer, keep-alive), in one terminal:
//! cargo run --release -p dbss --example bench -- --serve 127.0.0.1:18080
//! # then:
//! cargo run --release -p dbss --example bench -- --endpoint http://127.0.0.1:18080 --requests 20000 --concurrency 8
//! cargo run --release -p dbss --example bench -- --endpoint http://127.0.0.1:18080 --requests 20000 --concurrency 8 --raw
//! ```
//! Prints one line: `mode=dbss requests=N concurrency=C seconds=S rps=R p50_us=.. p99_us=..`.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
    sync::Semaphore,
};

const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const AK: &str = "BENCHAK0000000000000";
const SK: &str = "bench-secret-key-000000000000000000000000";

struct Args {
    endpoint: Option<String>,
    serve: Option<String>,
    requests: usize,
    concurrency: usize,
    raw: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        endpoint: None,
        serve: None,
        requests: 10_000,
        concurrency: 1,
        raw: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--endpoint" => args.endpoint = Some(value()?),
            "--serve" => args.serve = Some(value()?),
            "--requests" => args.requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?,
            "--concurrency" => args.concurrency = value()?.parse().map_err(|e| format!("--concurrency: {e}"))?,
            "--raw" => args.raw = true,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = parse_args()?;
    if let Some(addr) = &args.serve {
        return serve(addr).await;
    }
    let endpoint = args.endpoint.clone().ok_or("give --endpoint URL or --serve ADDR")?;
    let client = dbss::Client::builder()
        .endpoint(&endpoint)
        .project_id(PROJECT)
        .credentials(dbss::Credentials::ak_sk(AK, SK))
        .build()
        .map_err(|e| e.to_string())?;
    let raw = reqwest::Client::new();
    let limit = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.requests);
    for _ in 0..args.requests {
        let permit = limit.clone().acquire_owned().await.map_err(|e| e.to_string())?;
        let (client, raw, endpoint, use_raw) = (client.clone(), raw.clone(), endpoint.clone(), args.raw);
        tasks.push(tokio::spawn(async move {
            let begun = Instant::now();
            let ok = if use_raw {
                raw_call(&raw, &endpoint).await
            } else {
                client.list_audit_instances(0, 10).await.is_ok()
            };
            drop(permit);
            (ok, begun.elapsed())
        }));
    }
    let mut latencies = Vec::with_capacity(args.requests);
    let mut failures = 0usize;
    for task in tasks {
        let (ok, took) = task.await.map_err(|e| e.to_string())?;
        failures += usize::from(!ok);
        latencies.push(took);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "mode={} requests={} concurrency={} failures={failures} seconds={seconds:.3} rps={:.0} p50_us={} p99_us={}",
        if args.raw { "raw-reqwest" } else { "dbss" },
        args.requests,
        args.concurrency,
        args.requests as f64 / seconds,
        pct(0.50).as_micros(),
        pct(0.99).as_micros(),
    );
    Ok(())
}

/// The floor: one signed GET with plain reqwest, the same signing, no other layer.
async fn raw_call(http: &reqwest::Client, endpoint: &str) -> bool {
    let url = format!("{endpoint}/v1/{PROJECT}/dbss/audit/instances");
    let host = endpoint
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .to_owned();
    let mut request = dbss::signing::SignableRequest {
        method: "GET".into(),
        host,
        path: format!("/v1/{PROJECT}/dbss/audit/instances"),
        query: vec![("offset".into(), "0".into()), ("limit".into(), "10".into())],
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Project-Id".into(), PROJECT.into()),
        ],
        body: Vec::new(),
    };
    let Ok(signature) = dbss::signing::sign(&mut request, AK, SK, chrono::Utc::now()) else {
        return false;
    };
    let mut builder = http.get(format!("{url}?{}", signature.canonical_query));
    for (name, value) in &request.headers {
        if !name.eq_ignore_ascii_case("host") {
            builder = builder.header(name, value);
        }
    }
    match builder.header("Authorization", signature.authorization).send().await {
        // Decoded into the same typed response as the client's, so both do the same work.
        Ok(response) => match response.bytes().await {
            Ok(body) => serde_json::from_slice::<dbss::types::ListAuditInstancesResponse>(&body).is_ok(),
            Err(_) => false,
        },
        Err(_) => false,
    }
}

/// A minimal HTTP/1.1 keep-alive responder answering every request with a fixed list page.
async fn serve(addr: &str) -> Result<(), String> {
    let listener = TcpListener::bind(addr).await.map_err(|e| format!("{addr}: {e}"))?;
    println!(
        "responder listening on http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    const BODY: &str =
        r#"{"total":1,"servers":[{"id":"062212d8-8e30-4783-9671-43f3f1f3bb1e","name":"bench","status":"ACTIVE"}]}"#;
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: bench\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let response: Arc<[u8]> = Arc::from(response.into_bytes());
    loop {
        let (mut socket, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let response = response.clone();
        tokio::spawn(async move {
            let mut buffer = vec![0u8; 16 * 1024];
            let mut filled = 0usize;
            loop {
                // Answer each complete request head (bench requests carry no body).
                while let Some(end) = buffer[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                    if socket.write_all(&response).await.is_err() {
                        return;
                    }
                    buffer.copy_within(end + 4..filled, 0);
                    filled -= end + 4;
                }
                if filled == buffer.len() {
                    return;
                }
                match tokio::time::timeout(Duration::from_secs(60), socket.read(&mut buffer[filled..])).await {
                    Ok(Ok(n)) if n > 0 => filled += n,
                    _ => return,
                }
            }
        });
    }
}
