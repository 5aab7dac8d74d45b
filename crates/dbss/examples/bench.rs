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
//! `--concurrency C` runs C callers, each making its share of the requests one after the other;
//! `--warmup N` (default 200) requests go first, untimed; `--raw-timeout SECS` gives the raw
//! floor a per-request timeout, as the client's attempt timeout (60 s by default); `--runtime current-thread` runs on
//! Tokio's current-thread scheduler instead of the multi-threaded one.
//! Credentials come from `--ak`, `--sk` and `--project-id`, or else from the usual
//! `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK` and `HUAWEICLOUD_SDK_PROJECT_ID` variables (the
//! local responder of `--serve` accepts any).
//! When any request fails the line says `failures=N result=INVALID rps=invalid` and the exit
//! status is non-zero: a rate of failed calls is no figure.
//! Prints one line: `mode=dbss runtime=.. requests=N concurrency=C seconds=S rps=R p50_us=.. p99_us=..
//! cpu_us_per_call=..` (the last: CPU time of this process per call, on Linux, 10 ms resolution).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

/// The credentials every caller signs with.
struct Keys {
    project: String,
    ak: String,
    sk: String,
}

struct Args {
    endpoint: Option<String>,
    serve: Option<String>,
    requests: usize,
    concurrency: usize,
    raw: bool,
    current_thread: bool,
    warmup: usize,
    raw_timeout: Option<Duration>,
    ak: Option<String>,
    sk: Option<String>,
    project: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        endpoint: None,
        serve: None,
        requests: 10_000,
        concurrency: 1,
        raw: false,
        current_thread: false,
        warmup: 200,
        raw_timeout: None,
        ak: None,
        sk: None,
        project: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--endpoint" => args.endpoint = Some(value()?),
            "--serve" => args.serve = Some(value()?),
            "--requests" => args.requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?,
            "--concurrency" => args.concurrency = value()?.parse().map_err(|e| format!("--concurrency: {e}"))?,
            "--warmup" => args.warmup = value()?.parse().map_err(|e| format!("--warmup: {e}"))?,
            "--raw" => args.raw = true,
            "--ak" => args.ak = Some(value()?),
            "--sk" => args.sk = Some(value()?),
            "--project-id" => args.project = Some(value()?),
            "--raw-timeout" => {
                let seconds: u64 = value()?.parse().map_err(|e| format!("--raw-timeout: {e}"))?;
                args.raw_timeout = Some(Duration::from_secs(seconds));
            }
            "--runtime" => {
                args.current_thread = match value()?.as_str() {
                    "current-thread" => true,
                    "multi-thread" => false,
                    other => return Err(format!("--runtime: {other} is neither current-thread nor multi-thread")),
                }
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    args.concurrency = args.concurrency.max(1);
    Ok(args)
}

fn main() -> Result<(), String> {
    let args = parse_args()?;
    if let Some(addr) = &args.serve {
        return serve(addr);
    }
    // Tokio's two schedulers: the multi-threaded one (`#[tokio::main]`'s default) and the
    // current-thread one, where the caller and the connection share one thread.
    let runtime = if args.current_thread {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().enable_all().build()
    }
    .map_err(|e| e.to_string())?;
    runtime.block_on(run(args))
}

/// One caller's way of making a request: through `dbss`, or by hand.
#[derive(Clone)]
enum Caller {
    Dbss(dbss::Client),
    Raw(reqwest::Client, Arc<str>, Arc<Keys>),
}

impl Caller {
    async fn call(&self) -> bool {
        match self {
            Caller::Dbss(client) => {
                let call = client.ops().list_audit_instances_last().offset("0").limit("10");
                dbss::Operation::call(call).await.is_ok()
            }
            Caller::Raw(http, endpoint, keys) => raw_call(http, endpoint, keys).await,
        }
    }

    /// `count` calls one after the other: (failures, latency of each).
    async fn calls(&self, count: usize) -> (usize, Vec<Duration>) {
        let mut latencies = Vec::with_capacity(count);
        let mut failures = 0;
        for _ in 0..count {
            let begun = Instant::now();
            failures += usize::from(!self.call().await);
            latencies.push(begun.elapsed());
        }
        (failures, latencies)
    }
}

async fn run(args: Args) -> Result<(), String> {
    let endpoint = args.endpoint.clone().ok_or("give --endpoint URL or --serve ADDR")?;
    let keys = Arc::new(keys(&args)?);
    let caller = if args.raw {
        // `--raw-timeout`: the floor with a per-request timeout like the client's attempt
        // timeout (a timer per request), to tell that cost apart from the client's own.
        let mut http = reqwest::Client::builder();
        if let Some(timeout) = args.raw_timeout {
            http = http.timeout(timeout);
        }
        Caller::Raw(
            http.build().map_err(|e| e.to_string())?,
            Arc::from(endpoint.as_str()),
            keys.clone(),
        )
    } else {
        let client = dbss::Client::builder()
            .endpoint(&endpoint)
            .project_id(&keys.project)
            .credentials(dbss::Credentials::ak_sk(&keys.ak, &keys.sk))
            .build()
            .map_err(|e| e.to_string())?;
        Caller::Dbss(client)
    };
    // Connections opened and warm before the clock starts.
    let mut warm = Vec::new();
    for _ in 0..args.concurrency {
        let (caller, count) = (caller.clone(), args.warmup.div_ceil(args.concurrency));
        warm.push(tokio::spawn(async move { caller.calls(count).await }));
    }
    for task in warm {
        task.await.map_err(|e| e.to_string())?;
    }

    // C callers, each making its share of the requests one after the other (one caller:
    // the calls are made right here, as a sequential program makes them).
    let started = Instant::now();
    let cpu_before = process_cpu();
    let (mut failures, mut latencies) = (0, Vec::with_capacity(args.requests));
    if args.concurrency == 1 {
        (failures, latencies) = caller.calls(args.requests).await;
    } else {
        let mut tasks = Vec::with_capacity(args.concurrency);
        for i in 0..args.concurrency {
            let share = args.requests / args.concurrency + usize::from(i < args.requests % args.concurrency);
            let caller = caller.clone();
            tasks.push(tokio::spawn(async move { caller.calls(share).await }));
        }
        for task in tasks {
            let (failed, took) = task.await.map_err(|e| e.to_string())?;
            failures += failed;
            latencies.extend(took);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu_per_call = match (cpu_before, process_cpu()) {
        (Some(before), Some(after)) => format!("{:.1}", (after - before) / args.requests as f64 * 1e6),
        _ => "?".to_owned(),
    };
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "mode={} runtime={} requests={} concurrency={} failures={failures} result={} seconds={seconds:.3} rps={} p50_us={} p99_us={} cpu_us_per_call={cpu_per_call}",
        match (args.raw, args.raw_timeout) {
            (false, _) => "dbss",
            (true, None) => "raw-reqwest",
            (true, Some(_)) => "raw-reqwest+timeout",
        },
        if args.current_thread {
            "current-thread"
        } else {
            "multi-thread"
        },
        args.requests,
        args.concurrency,
        if failures == 0 { "ok" } else { "INVALID" },
        // A rate that counts failed calls is not presented as a figure.
        if failures == 0 {
            format!("{:.0}", args.requests as f64 / seconds)
        } else {
            "invalid".to_owned()
        },
        pct(0.50).as_micros(),
        pct(0.99).as_micros(),
    );
    if failures > 0 {
        return Err(format!(
            "{failures} of {} requests failed: no valid figure",
            args.requests
        ));
    }
    Ok(())
}

/// The credentials of the flags, or else of the SDK's usual environment variables.
fn keys(args: &Args) -> Result<Keys, String> {
    let pick = |flag: &Option<String>, name: &str, var: &str| {
        flag.clone()
            .or_else(|| std::env::var(var).ok().filter(|v| !v.is_empty()))
            .ok_or(format!("give {name} or set {var}"))
    };
    Ok(Keys {
        ak: pick(&args.ak, "--ak", "HUAWEICLOUD_SDK_AK")?,
        sk: pick(&args.sk, "--sk", "HUAWEICLOUD_SDK_SK")?,
        project: pick(&args.project, "--project-id", "HUAWEICLOUD_SDK_PROJECT_ID")?,
    })
}

/// CPU time (user and system, every thread) this process has used, in seconds: Linux's
/// `/proc/self/stat`, in clock ticks of 1/100 s (the fixed `USER_HZ` of Linux's ABI).
fn process_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces, but ends with the last ')'):
    // state is field 3, utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |field: usize| fields.get(field - 3)?.parse::<f64>().ok();
    Some((ticks(14)? + ticks(15)?) / 100.0)
}

/// The floor: one signed GET with plain reqwest, no other layer. It sends what the client
/// sends, byte for byte but the signing time: the same headers (`accept` unsigned, the others
/// signed), query and signature algorithm.
async fn raw_call(http: &reqwest::Client, endpoint: &str, keys: &Keys) -> bool {
    let project = keys.project.as_str();
    let url = format!("{endpoint}/v2/{project}/audit/instances");
    let host = endpoint.trim_start_matches("http://").trim_start_matches("https://");
    let mut request = dbss::signing::SignableRequest {
        method: "GET".into(),
        host: host.into(),
        path: format!("/v2/{project}/audit/instances").into(),
        query: vec![("offset".into(), "0".into()), ("limit".into(), "10".into())],
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("api-version".into(), "v1".into()),
            ("user-agent".into(), dbss::USER_AGENT.into()),
            ("X-Project-Id".into(), project.into()),
        ],
        body: Default::default(),
    };
    let Ok(signature) = dbss::signing::sign(&mut request, &keys.ak, &keys.sk, chrono::Utc::now()) else {
        return false;
    };
    let mut builder = http
        .get(format!("{url}?{}", signature.canonical_query))
        .header("accept", "application/json");
    for (name, value) in &request.headers {
        if !name.eq_ignore_ascii_case("host") {
            builder = builder.header(name.as_ref(), value.as_ref());
        }
    }
    match builder.header("Authorization", signature.authorization).send().await {
        // Decoded into the same typed response as the client's, so both do the same work.
        Ok(response) => match response.bytes().await {
            Ok(body) => serde_json::from_slice::<dbss::types::ListAuditInstancesLastResponse>(&body).is_ok(),
            Err(_) => false,
        },
        Err(_) => false,
    }
}

/// A minimal HTTP/1.1 keep-alive responder answering every request with a fixed list page: a
/// thread per connection, blocking reads and writes, no runtime and no timer. The least work a
/// server can do per request, so that what differs between runs is the client.
fn serve(addr: &str) -> Result<(), String> {
    let listener = std::net::TcpListener::bind(addr).map_err(|e| format!("{addr}: {e}"))?;
    println!(
        "responder listening on http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    const BODY: &str =
        r#"{"total":1,"instances":[{"id":"062212d8-8e30-4783-9671-43f3f1f3bb1e","name":"bench","status":"ACTIVE"}]}"#;
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: bench\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let response: Arc<[u8]> = Arc::from(response.into_bytes());
    for socket in listener.incoming() {
        let Ok(socket) = socket else { continue };
        let response = response.clone();
        std::thread::spawn(move || answer(socket, &response));
    }
    Ok(())
}

/// Answers each complete request head on one connection (bench requests carry no body).
fn answer(mut socket: std::net::TcpStream, response: &[u8]) {
    use std::io::{Read, Write};
    let _ = socket.set_nodelay(true);
    let _ = socket.set_read_timeout(Some(Duration::from_secs(60)));
    let mut buffer = vec![0u8; 16 * 1024];
    let mut filled = 0usize;
    loop {
        while let Some(end) = buffer[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
            if socket.write_all(response).is_err() {
                return;
            }
            buffer.copy_within(end + 4..filled, 0);
            filled -= end + 4;
        }
        if filled == buffer.len() {
            return;
        }
        match socket.read(&mut buffer[filled..]) {
            Ok(n) if n > 0 => filled += n,
            _ => return,
        }
    }
}
