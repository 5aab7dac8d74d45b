//! What happens to every request: find its operation, apply faults, authenticate, check the
//! project, check parameters and body against the spec, run the operation (from state, or
//! synthesised from the response schema), check the answer against the spec, send it.

use std::{collections::BTreeMap, sync::Arc, time::Instant};

use axum::{
    Json,
    body::HttpBody,
    body::{Body, Bytes, to_bytes},
    http::{HeaderValue, Method, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use serde_json::Value;
use tokio::sync::OwnedSemaphorePermit;

use crate::{
    Shared,
    auth::{authenticate, check_project, precheck},
    error::{ApiError, codes},
    faults::FaultEffect,
    iam::{self, IamOperation},
    limits,
    resources::{self, Call, Ctx, Reply},
    rng::{self, Rng},
    spec::{Location, Match, SuccessBody, Violation},
    synth::Synth,
};

/// The connection must be closed without an answer (a `reset` fault).
#[derive(Debug, thiserror::Error)]
#[error("connection reset by a configured fault")]
pub struct Reset;

/// Marks an answer to a request whose credential was accepted: the connection it came on
/// carries authenticated work, and is the last to be closed when connections run short.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Authenticated;

/// Handles one request, whether read off a connection or handed over in memory.
pub async fn handle(shared: Arc<Shared>, request: axum::http::Request<Body>) -> Result<Response, Reset> {
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let (parts, body) = request.into_parts();
    let mut response = process(&shared, &parts, body).await?;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    Ok(response)
}

enum Target<'a> {
    Iam(IamOperation),
    Api(Match<'a>),
}

async fn process(shared: &Shared, parts: &Parts, body: Body) -> Result<Response, Reset> {
    let path = parts.uri.path();
    let target = match IamOperation::route(&parts.method, path) {
        Some(op) => Target::Iam(op),
        None => match shared.spec.route(&parts.method, path) {
            Some(found) => Target::Api(found),
            None => return Ok(early(unrouted(shared, &parts.method, path), &body)),
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
    // Whatever the headers settle is settled before the body is read: a request that cannot
    // be authenticated, or whose body is too large, costs no body memory.
    let needs_credential = !matches!(target, Target::Iam(IamOperation::CreateToken));
    if needs_credential && let Err(refusal) = precheck(&shared.identity, &shared.tokens, &parts.headers, Utc::now()) {
        tracing::info!(operation, "refused before the body: {}", refusal.message());
        return Ok(early(refusal.into_response(), &body));
    }
    let max_body = match target {
        Target::Iam(_) => limits::defaults::MAX_TOKEN_BODY,
        Target::Api(_) => limits::defaults::MAX_BODY,
    };
    // Held until the request is answered: the body's share of the budget.
    let (body, _reserved) = match read_body(shared, body, max_body).await {
        Ok(read) => read,
        Err(refusal) => {
            tracing::info!(operation, "body refused: {}", refusal.message());
            return Ok(close(refusal.into_response()));
        }
    };
    let mut response = match target {
        Target::Iam(op) => iam_call(shared, op, parts, &body),
        Target::Api(found) => api_call(shared, &found, parts, &body).unwrap_or_else(IntoResponse::into_response),
    };
    if needs_credential && response.status() != StatusCode::UNAUTHORIZED {
        response.extensions_mut().insert(Authenticated);
    }
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

/// No operation has this method and path: `405` with `Allow` when the path is served with
/// other methods, else `404`.
fn unrouted(shared: &Shared, method: &Method, path: &str) -> Response {
    let mut allowed = IamOperation::methods(path);
    allowed.extend(shared.spec.methods(path));
    if allowed.is_empty() {
        tracing::info!(%method, path, "no such API");
        return ApiError::no_such_api(format!("no operation is {method} {path}")).into_response();
    }
    let allow = allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
    tracing::info!(%method, path, allow, "method not allowed");
    let mut response = ApiError::dbss(
        StatusCode::METHOD_NOT_ALLOWED,
        codes::NO_SUCH_API,
        format!("{path} does not accept {method}; it accepts {allow}"),
    )
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// An answer given without reading the request's `body`: when there is a body, the
/// connection is closed after the answer rather than read through a body nobody wants.
fn early(response: Response, body: &Body) -> Response {
    if HttpBody::size_hint(body).exact() == Some(0) {
        response
    } else {
        close(response)
    }
}

/// Closes the connection after `response`.
fn close(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Reads a body of at most `max` bytes within the body-read timeout, after reserving its
/// size in the body-memory budget (returned: the reservation lasts as long as it is held).
async fn read_body(shared: &Shared, body: Body, max: usize) -> Result<(Bytes, Option<OwnedSemaphorePermit>), ApiError> {
    let too_large = || {
        ApiError::dbss(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::BAD_REQUEST,
            format!("request body: larger than {max} bytes"),
        )
    };
    let hint = HttpBody::size_hint(&body);
    if hint.lower() > max as u64 {
        return Err(too_large());
    }
    if hint.exact() == Some(0) {
        return Ok((Bytes::new(), None));
    }
    // A declared length is reserved as is; a chunked body may grow to the maximum.
    let reserve = hint.exact().map_or(max, |n| usize::try_from(n).unwrap_or(max));
    let deadline = tokio::time::Instant::now() + shared.settings.limits.body_read;
    let timed_out = || {
        ApiError::dbss(
            StatusCode::REQUEST_TIMEOUT,
            codes::BAD_REQUEST,
            format!(
                "request body: not received within {} ms",
                shared.settings.limits.body_read.as_millis()
            ),
        )
    };
    let reserved = tokio::time::timeout_at(deadline, shared.bodies.reserve(reserve))
        .await
        .map_err(|_| timed_out())?;
    match tokio::time::timeout_at(deadline, to_bytes(body, max)).await {
        Err(_) => Err(timed_out()),
        Ok(Ok(bytes)) => Ok((bytes, reserved)),
        // A chunked body is cut off at the maximum; any other failure is the client's.
        Ok(Err(e)) if is_length_limit(&e) => Err(too_large()),
        Ok(Err(e)) => Err(ApiError::bad_request(format!("request body: unreadable ({e})"))),
    }
}

/// Whether reading a body failed because it outgrew its limit (`http-body-util`'s
/// `LengthLimitError`, which the error wraps).
fn is_length_limit(error: &axum::Error) -> bool {
    let mut current: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = current {
        if e.to_string().contains("length limit exceeded") {
            return true;
        }
        current = e.source();
    }
    false
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
