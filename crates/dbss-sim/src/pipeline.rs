//! What happens to every request: find its operation, apply faults, authenticate, check the
//! project, check parameters and body against the spec, run the operation (from state, or
//! synthesised from the response schema), check the answer against the spec, send it.

use std::{collections::BTreeMap, sync::Arc, time::Instant};

use axum::{
    Json,
    body::{Body, Bytes, to_bytes},
    http::{HeaderValue, StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use serde_json::Value;

use crate::{
    Shared,
    auth::{authenticate, check_project},
    error::{ApiError, codes},
    faults::FaultEffect,
    iam::{self, IamOperation},
    resources::{self, Call, Ctx, Reply},
    rng::{self, Rng},
    spec::{Location, Match, SuccessBody, Violation},
    synth::Synth,
};

/// Largest request body accepted.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// The connection must be closed without an answer (a `reset` fault).
#[derive(Debug, thiserror::Error)]
#[error("connection reset by a configured fault")]
pub struct Reset;

/// Handles one request, whether read off a connection or handed over in memory.
pub async fn handle(shared: Arc<Shared>, request: axum::http::Request<Body>) -> Result<Response, Reset> {
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let (parts, body) = request.into_parts();
    let mut response = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => process(&shared, &parts, &bytes).await?,
        Err(_) => {
            ApiError::bad_request(format!("request body: larger than {MAX_BODY} bytes or unreadable")).into_response()
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    Ok(response)
}

enum Target<'a> {
    Iam(IamOperation),
    Api(Match<'a>),
}

async fn process(shared: &Shared, parts: &Parts, body: &Bytes) -> Result<Response, Reset> {
    let path = parts.uri.path();
    let target = match IamOperation::route(&parts.method, path) {
        Some(op) => Target::Iam(op),
        None => match shared.spec.route(&parts.method, path) {
            Some(found) => Target::Api(found),
            None => {
                tracing::info!(method = %parts.method, path, "no such API");
                return Ok(ApiError::no_such_api(format!("no operation is {} {path}", parts.method)).into_response());
            }
        },
    };
    let operation = match &target {
        Target::Iam(op) => op.id(),
        Target::Api(found) => found.operation.id.as_str(),
    };
    let decision = shared.faults.decide(operation);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    match &decision.effect {
        Some(FaultEffect::ResetBefore) => {
            tracing::info!(operation, "fault: connection closed before processing");
            return Err(Reset);
        }
        Some(FaultEffect::Status {
            status,
            code,
            retry_after,
        }) => {
            tracing::info!(operation, status, "fault: error answer");
            return Ok(fault_answer(*status, code.as_deref(), *retry_after, operation));
        }
        _ => {}
    }
    let response = match target {
        Target::Iam(op) => iam_call(shared, op, parts, body),
        Target::Api(found) => api_call(shared, &found, parts, body).unwrap_or_else(IntoResponse::into_response),
    };
    tracing::info!(operation, status = response.status().as_u16(), "answered");
    match decision.effect {
        Some(FaultEffect::ResetAfter) => {
            tracing::info!(operation, "fault: connection closed after processing");
            Err(Reset)
        }
        Some(FaultEffect::SlowBody {
            chunk_delay,
            chunk_size,
        }) => Ok(slow(response, chunk_delay, chunk_size).await),
        _ => Ok(response),
    }
}

fn fault_answer(status: u16, code: Option<&str>, retry_after: Option<u64>, operation: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let message = format!("injected fault: {operation} answered {}", status.as_u16());
    let error = match (code, status) {
        (Some(code), _) if code.starts_with("APIGW.") => ApiError::Gateway {
            status,
            code: code.to_owned().into(),
            message,
        },
        (Some(code), _) => ApiError::dbss(status, code.to_owned(), message),
        (None, StatusCode::TOO_MANY_REQUESTS) => ApiError::Gateway {
            status,
            code: codes::THROTTLED.into(),
            message,
        },
        (None, s) if s.is_server_error() => ApiError::dbss(status, codes::INTERNAL, message),
        (None, _) => ApiError::dbss(status, codes::BAD_REQUEST, message),
    };
    let mut response = error.into_response();
    if let Some(seconds) = retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

/// Re-sends a response's body in chunks, waiting before each.
async fn slow(response: Response, delay: std::time::Duration, chunk_size: usize) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let chunks: Vec<Bytes> = bytes.chunks(chunk_size.max(1)).map(Bytes::copy_from_slice).collect();
    let stream = futures::stream::unfold(chunks.into_iter(), move |mut rest| async move {
        let chunk = rest.next()?;
        tokio::time::sleep(delay).await;
        Some((Ok::<Bytes, std::io::Error>(chunk), rest))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

fn iam_call(shared: &Shared, op: IamOperation, parts: &Parts, body: &Bytes) -> Response {
    match op {
        IamOperation::CreateToken => iam::create_token(shared, body).unwrap_or_else(IntoResponse::into_response),
        IamOperation::ListProjects => {
            let request = (&parts.method, &parts.uri, &parts.headers);
            match authenticate(&shared.identity, &shared.tokens, request, body, Utc::now()) {
                Ok(()) => iam::list_projects(shared, parts.uri.query()),
                Err(refusal) => refusal.into_response(),
            }
        }
    }
}

fn api_call(shared: &Shared, found: &Match<'_>, parts: &Parts, body: &Bytes) -> Result<Response, ApiError> {
    let op = found.operation;
    authenticate(
        &shared.identity,
        &shared.tokens,
        (&parts.method, &parts.uri, &parts.headers),
        body,
        Utc::now(),
    )?;
    if let Some(project) = found.params.get("project_id") {
        check_project(&shared.identity, project)?;
    }
    let call = checked_call(shared, found, parts.uri.query(), body)?;
    let ctx = Ctx {
        shared,
        op,
        now: Instant::now(),
        wall: Utc::now(),
    };
    let reply = match resources::handler(&op.id) {
        Some(handler) => handler(&ctx, &call)?,
        None => synthesise(&ctx, parts, body),
    };
    let status = StatusCode::from_u16(op.success_status).unwrap_or(StatusCode::OK);
    match reply {
        Reply::Json(value) => {
            if let SuccessBody::Json(schema) = &op.success
                && let Err(violations) = shared.spec.validate(schema, &value, "response")
            {
                // A simulator bug: say so loudly rather than send what the spec forbids.
                tracing::error!(operation = %op.id, "answer breaks the spec: {}", join(&violations));
                return Err(ApiError::internal(format!(
                    "dbss-sim bug: the answer of {} breaks the spec: {}",
                    op.id,
                    join(&violations)
                )));
            }
            Ok((status, Json(value)).into_response())
        }
        Reply::Empty => Ok(status.into_response()),
        Reply::Bytes(bytes) => Ok((
            status,
            [(axum::http::header::CONTENT_TYPE, "application/octet-stream")],
            bytes,
        )
            .into_response()),
    }
}

fn join(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Checks parameters and body against the operation's declarations.
fn checked_call(shared: &Shared, found: &Match<'_>, query: Option<&str>, body: &Bytes) -> Result<Call, ApiError> {
    let op = found.operation;
    let spec = shared.spec;
    let pairs: Vec<(String, String)> = query
        .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let mut violations = Vec::new();
    let mut call = Call {
        path: found.params.clone(),
        query: BTreeMap::new(),
        body: Value::Null,
    };
    for param in op.params.iter().filter(|p| !p.credential) {
        let raw = match param.location {
            Location::Path => found.params.get(&param.name).map(String::as_str),
            Location::Query => pairs.iter().find(|(k, _)| *k == param.name).map(|(_, v)| v.as_str()),
            Location::Header => continue,
        };
        match raw {
            None if param.required => violations.push(Violation {
                path: format!("{}.{}", param.location.prefix(), param.name),
                message: "required".into(),
            }),
            None => {}
            Some(raw) => match spec.check_param(param, raw) {
                Ok(typed) if param.location == Location::Query => {
                    call.query.insert(param.name.clone(), typed);
                }
                Ok(_) => {}
                Err(found) => violations.extend(found),
            },
        }
    }
    if let Some(declared) = &op.body {
        let text = std::str::from_utf8(body).unwrap_or("\u{fffd}");
        if text.trim().is_empty() {
            if declared.required {
                violations.push(Violation {
                    path: "request body".into(),
                    message: "required".into(),
                });
            }
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(value) => {
                    if let Err(found) = spec.validate(&declared.schema, &value, "body") {
                        violations.extend(found);
                    }
                    call.body = value;
                }
                Err(e) => violations.push(Violation {
                    path: "request body".into(),
                    message: format!("not valid JSON: {e}"),
                }),
            }
        }
    }
    if violations.is_empty() {
        Ok(call)
    } else {
        Err(ApiError::bad_request(join(&violations)))
    }
}

/// An answer made from the response schema, the same for the same request.
fn synthesise(ctx: &Ctx<'_>, parts: &Parts, body: &Bytes) -> Reply {
    let request = rng::combine(
        rng::hash_str(&parts.uri.to_string()),
        rng::hash_str(&String::from_utf8_lossy(body)),
    );
    let seed = rng::combine(
        rng::combine(ctx.shared.settings.seed, rng::hash_str(&ctx.op.id)),
        request,
    );
    match &ctx.op.success {
        SuccessBody::Json(schema) => {
            let mut synth = Synth::new(ctx.shared.spec, Rng::new(seed), ctx.wall, &ctx.shared.facts);
            Reply::Json(synth.value(schema, ""))
        }
        SuccessBody::Empty => Reply::Empty,
        SuccessBody::Binary => Reply::Bytes(format!("dbss-sim file {seed:016x}\n").into_bytes()),
    }
}
