//! Signed HTTP calls to a simulator, as a raw client makes them (no retries, no decoding).

#![allow(dead_code)]

pub mod raw;

use chrono::Utc;
use dbss_signing as signing;
use dbss_sim::Simulator;
use serde_json::Value;

/// An answer, as received.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A request to sign and send.
pub struct Request<'a> {
    pub method: &'a str,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub content_type: &'a str,
    pub body: Option<String>,
}

impl<'a> Request<'a> {
    pub fn new(method: &'a str, path: impl Into<String>) -> Request<'a> {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            content_type: "application/json",
            body: None,
        }
    }

    pub fn json(mut self, body: &Value) -> Request<'a> {
        self.body = Some(body.to_string());
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Request<'a> {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// Signs `request` with the simulator's keys and sends it on `http`; transport errors are
/// returned (a `reset` fault closes connections without answering).
pub async fn try_send_with(
    http: &reqwest::Client,
    sim: &Simulator,
    request: Request<'_>,
) -> Result<Answer, reqwest::Error> {
    let body = request.body.unwrap_or_default();
    let mut signable = signing::SignableRequest {
        method: request.method.into(),
        host: sim.addr().to_string().into(),
        path: request.path.as_str().into(),
        query: signing::pairs(request.query),
        headers: signing::pairs([
            ("Content-Type", request.content_type),
            ("X-Project-Id", sim.project_id()),
        ]),
        body: body.as_bytes().into(),
    };
    let signature =
        signing::sign(&mut signable, sim.ak(), sim.sk(), Utc::now()).unwrap_or_else(|e| panic!("signing: {e}"));
    let mut url = format!("{}{}", sim.url(), request.path);
    if !signature.canonical_query.is_empty() {
        url = format!("{url}?{}", signature.canonical_query);
    }
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut builder = http.request(method, url).body(body.clone());
    for (name, value) in &signable.headers {
        if !name.eq_ignore_ascii_case("host") {
            builder = builder.header(name.as_ref(), value.as_ref());
        }
    }
    let response = builder.header("Authorization", signature.authorization).send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await?.to_vec();
    Ok(Answer { status, headers, body })
}

/// [`try_send_with`], for requests that must be answered.
pub async fn send_with(http: &reqwest::Client, sim: &Simulator, request: Request<'_>) -> Answer {
    let label = format!("{} {}", request.method, request.path);
    try_send_with(http, sim, request)
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"))
}

/// [`send_with`] on a fresh HTTP client.
pub async fn send(sim: &Simulator, request: Request<'_>) -> Answer {
    send_with(&reqwest::Client::new(), sim, request).await
}

/// `/v1/{project}` + `rest`, and friends.
pub fn path(sim: &Simulator, version: &str, rest: &str) -> String {
    format!("/{version}/{}{rest}", sim.project_id())
}

/// The first (ACTIVE, with databases) instance of the seeded scenario.
pub fn first_instance(sim: &Simulator) -> String {
    sim.state()
        .list(0, 1)
        .0
        .first()
        .map(|i| i.id.clone())
        .unwrap_or_default()
}

/// The official SDK's python (`DBSS_ORACLE_PYTHON`, which `cargo xtask test` sets), or `None`
/// with a notice naming what `skipped` describes, when this run has no oracle.
pub fn oracle_python(skipped: &str) -> Option<std::path::PathBuf> {
    match std::env::var_os("DBSS_ORACLE_PYTHON") {
        Some(python) if !python.is_empty() => Some(python.into()),
        _ => {
            eprintln!(
                "NOTICE: {skipped} is skipped: DBSS_ORACLE_PYTHON is not set. It needs the official \
                 Huawei SDK; run `cargo xtask test`, or set DBSS_ORACLE_PYTHON to the python \
                 printed by `cargo xtask oracle`."
            );
            None
        }
    }
}
