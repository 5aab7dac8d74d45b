//! The simulator's handling of any request (`dbss_sim::InMemory::answer`: routing against the
//! spec, authentication and signature verification, path, query and body validation, the
//! operation, the answer's check against the spec), on a fresh seeded simulator per input:
//!
//! * it never panics, and (no fault being configured) always answers;
//! * it never answers 5xx: a refusal is a 4xx naming the problem;
//! * every answer carries `X-Request-Id`; an error's body is JSON with `error_code` and
//!   `error_msg` (flat, or under `error`) that `dbss::ServiceError` reads the same code from;
//!   a JSON success body parses, and a 204 has none;
//! * a request signed with the simulator's key is never refused as unauthenticated (401),
//!   unless the input's own headers stand in the way (`Sent::cleanly_signed`, `request.rs`).
//!
//! The input's layout is in [`input`]: five bytes pick the route, method and credential, and
//! the rest is the request's text, so that libFuzzer reaches every operation with valid
//! signatures, real ids and the spec's example bodies, and mutates from there.

mod input;
mod request;
mod route;

use dbss_sim::{InMemory, Simulator, spec::Spec};
use http::Response;
use serde_json::Value;

pub use input::{Credential, Input, decode};
pub use request::TOKEN;
pub use route::{IAM_USER, Route};

/// SQL records per instance: the paging and filtering code runs the same on 50 rows as on the
/// default 1000, twenty times faster per input.
const AUDIT_ROWS: u64 = 50;

thread_local! {
    // One runtime per thread, not per input: the pipeline only awaits timers that are zero.
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("a current-thread tokio runtime: {e}"));
}

/// Checks the simulator's answer to the request `data` describes; panics when a property fails.
pub fn check(data: &[u8]) {
    let Some(input) = decode(data) else { return };
    let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
    let route = Route::nth(spec, input.route);
    let Some(sent) = request::build(&input, route) else {
        return;
    };
    let described = describe(&sent.request);
    // A fresh simulator per input: an answer depends on the input alone (and the clock), so
    // that a kept input replays the same.
    let sim = simulator();
    let answer = RUNTIME.with(|runtime| runtime.block_on(sim.answer(sent.request)));
    let response = answer.unwrap_or_else(|reset| panic!("no fault is configured, yet {reset}\n{described}"));
    check_answer(&response, sent.cleanly_signed)
        .unwrap_or_else(|problem| panic!("{problem}\n{described}\nanswer: {}", describe_answer(&response)));
}

fn simulator() -> InMemory {
    let [user, password, account] = IAM_USER;
    Simulator::builder()
        .token(TOKEN)
        .iam_user(user, password, account)
        .audit_rows(AUDIT_ROWS)
        .in_memory()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn check_answer(response: &Response<Vec<u8>>, cleanly_signed: bool) -> Result<(), String> {
    let status = response.status().as_u16();
    let body = response.body();
    if status >= 500 {
        return Err(format!("answered {status}: the simulator refuses with a 4xx"));
    }
    if !response.headers().contains_key("x-request-id") {
        return Err("no X-Request-Id".into());
    }
    let json = || serde_json::from_slice::<Value>(body).map_err(|e| format!("body is not JSON: {e}"));
    if status >= 400 {
        let error = json()?;
        let detail = error.get("error").unwrap_or(&error);
        let (Some(code), Some(message)) = (
            detail.get("error_code").and_then(Value::as_str),
            detail.get("error_msg").and_then(Value::as_str),
        ) else {
            return Err("an error body without error_code and error_msg".into());
        };
        let read = dbss::ServiceError::from_body("SimRequest", status, None, body);
        if read.error_code.as_deref() != Some(code) {
            return Err(format!("the client reads the code {:?}, not {code}", read.error_code));
        }
        if cleanly_signed && status == 401 {
            return Err(format!(
                "a request signed with the simulator's key was refused: {message}"
            ));
        }
    } else if status == 204 && !body.is_empty() {
        return Err("a 204 with a body".into());
    } else if content_type(response).starts_with("application/json") {
        json()?;
    }
    Ok(())
}

fn content_type(response: &Response<Vec<u8>>) -> &str {
    response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn describe<B: AsRef<[u8]>>(request: &http::Request<B>) -> String {
    format!(
        "request: {} {}\n{:?}\n{}",
        request.method(),
        request.uri(),
        request.headers(),
        String::from_utf8_lossy(request.body().as_ref())
    )
}

fn describe_answer(response: &Response<Vec<u8>>) -> String {
    let body = String::from_utf8_lossy(response.body());
    let shown: String = body.chars().take(2000).collect();
    format!("{} {shown}", response.status())
}
