//! Operations of the spec as typed calls: metadata, and how a generated builder's `send()`
//! becomes a `Result<Output, dbss::Error>`.

use std::{cell::RefCell, future::Future, pin::Pin, time::Duration};

use futures::{FutureExt, future::Either};
use progenitor_client::ResponseValue;
use tracing::Instrument;

use crate::{
    error::{Error, ServiceError, TransportKind},
    response_body::too_large,
};

/// Facts about one operation, from the spec (see `generated/operations.rs`; look one up with
/// [`OperationMeta::find`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperationMeta {
    /// Operation id, as in the official SDKs (`UpdateAuditSecurityGroup`).
    pub id: &'static str,
    /// The snake_case id the generated client reports (`update_audit_security_group`).
    pub snake_id: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path template.
    pub path: &'static str,
    /// The documented request content type, sent on every request of the operation.
    pub content_type: &'static str,
    /// The documented success status.
    pub success_status: u16,
    /// Safe to send twice: retried after failures where the request may have reached the server.
    pub idempotent: bool,
    /// The success answer is a file, handed to the caller as a stream (never read whole).
    pub streamed: bool,
    /// The service is retiring the operation.
    pub deprecated: bool,
    /// The operation that replaces it.
    pub replaced_by: Option<&'static str>,
}

/// What a generated builder's `send()` resolves to.
pub type Dispatched<T> = Result<ResponseValue<T>, progenitor_client::Error<()>>;

/// A generated request builder of one operation. Implemented for every builder of
/// `dbss_api::builder` by generated code; [`Operation::call`] is what users call.
pub trait Operation: Sized + Send {
    /// The decoded success response.
    type Output: Send;

    /// The operation's metadata.
    fn meta() -> &'static OperationMeta;

    /// Sends the request through the generated client.
    fn dispatch(self) -> impl Future<Output = Dispatched<Self::Output>> + Send;

    /// Sends the request and returns the decoded response, or a [`dbss::Error`](Error).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use dbss::Operation;
    /// let page = client.ops().list_audit_instances_last().limit("10").call().await?;
    /// println!("{} instances", page.total.unwrap_or(0));
    /// # Ok(()) }
    /// ```
    fn call(self) -> impl Future<Output = Result<Self::Output, Error>> + Send {
        // The generated request future (KiBs) is boxed before anything holds it, and the result
        // is mapped rather than awaited in an async block (which would hold the call future
        // twice over): every future that held it by value would be copied whole when it moves.
        run(Self::meta(), Box::pin(self.dispatch())).map(|outcome| outcome.map(ResponseValue::into_inner))
    }

    /// Like [`Operation::call`], also returning the status and request id.
    fn call_with_metadata(self) -> impl Future<Output = Result<Response<Self::Output>, Error>> + Send {
        run(Self::meta(), Box::pin(self.dispatch())).map(|outcome| {
            outcome.map(|response| Response {
                status: response.status().as_u16(),
                request_id: request_id(response.headers()),
                value: response.into_inner(),
            })
        })
    }
}

/// A decoded response and its metadata.
#[derive(Debug)]
pub struct Response<T> {
    /// The decoded body.
    pub value: T,
    /// HTTP status.
    pub status: u16,
    /// `X-Request-Id` of the response.
    pub request_id: Option<String>,
}

/// What the transport saw of the last attempt of the current call.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallRecord {
    pub status: u16,
    pub request_id: Option<String>,
    pub attempts: u32,
    pub transport_kind: Option<TransportKind>,
    pub total_timeout: Option<Duration>,
    /// The request a dry run kept instead of sending it.
    pub dry_run: Option<Box<crate::DryRunRequest>>,
}

tokio::task_local! {
    /// Per-call record, filled in by the transport while the call's future runs.
    pub(crate) static CALL: RefCell<CallRecord>;
}

pub(crate) fn record(update: impl FnOnce(&mut CallRecord)) {
    let _ = CALL.try_with(|cell| update(&mut cell.borrow_mut()));
}

/// Runs one call: the transport's record of it in scope, inside its span; failures become
/// [`Error`]s.
pub(crate) async fn run<T>(
    meta: &'static OperationMeta,
    dispatched: Pin<Box<impl Future<Output = Dispatched<T>>>>,
) -> Result<ResponseValue<T>, Error> {
    let span = tracing::info_span!(
        "dbss.call",
        operation = meta.id,
        status = tracing::field::Empty,
        request_id = tracing::field::Empty
    );
    let call = CALL.scope(RefCell::new(CallRecord::default()), async move {
        let outcome = dispatched.await;
        (outcome, CALL.with(RefCell::take))
    });
    let (outcome, mut record) = in_span(call, &span).await;
    // Whatever the generated code made of the stand-in answer, the caller gets the request.
    if let Some(request) = record.dry_run.take() {
        return Err(Error::DryRun(request));
    }
    if !span.is_disabled() {
        span.record("status", record.status);
        if let Some(id) = &record.request_id {
            span.record("request_id", id.as_str());
        }
    }
    match outcome {
        Ok(response) => Ok(response),
        Err(error) => Err(convert(meta, error, record).await),
    }
}

/// `future` inside `span` when a subscriber listens to it; otherwise as it is, because a
/// disabled span still costs a little on every poll.
pub(crate) fn in_span<F: Future>(future: F, span: &tracing::Span) -> Either<F, tracing::instrument::Instrumented<F>> {
    if span.is_disabled() {
        Either::Left(future)
    } else {
        Either::Right(future.instrument(span.clone()))
    }
}

pub(crate) fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn convert(meta: &'static OperationMeta, error: progenitor_client::Error<()>, record: CallRecord) -> Error {
    use progenitor_client::Error as P;
    let operation = meta.id;
    match error {
        P::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let request_id = request_id(response.headers());
            match response.bytes().await {
                Ok(body) => Error::Service(Box::new(ServiceError::from_body(operation, status, request_id, &body))),
                Err(e) => match too_large(&e) {
                    Some(limit) => Error::ResponseTooLarge {
                        operation,
                        status,
                        request_id,
                        limit,
                    },
                    None => Error::Decode {
                        operation,
                        status,
                        request_id,
                        reason: format!("the body could not be read: {e}"),
                    },
                },
            }
        }
        P::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let request_id = request_id(response.headers());
            Error::Service(Box::new(ServiceError::from_body(operation, status, request_id, b"")))
        }
        P::InvalidResponsePayload(_, e) => Error::Decode {
            operation,
            status: record.status,
            request_id: record.request_id,
            reason: e.to_string(),
        },
        // The body could not be read (cut off, or slower than the attempt timeout): keep the
        // cause, never the URL (its query may hold values the caller considers private).
        P::ResponseBodyError(e) => match too_large(&e) {
            Some(limit) => Error::ResponseTooLarge {
                operation,
                status: record.status,
                request_id: record.request_id,
                limit,
            },
            None => Error::Decode {
                operation,
                status: record.status,
                request_id: record.request_id,
                reason: format!("the body could not be read: {}", without_url(&e)),
            },
        },
        P::InvalidRequest(reason) => Error::InvalidRequest { operation, reason },
        // Only the transport's `prepare` produces custom errors: it fetches credentials.
        P::Custom(reason) => Error::Credentials(reason),
        P::CommunicationError(e) | P::InvalidUpgrade(e) => {
            if let Some(limit) = record.total_timeout {
                return Error::Timeout { operation, limit };
            }
            let kind = record.transport_kind.unwrap_or(if e.is_connect() {
                TransportKind::Connect
            } else if e.is_timeout() {
                TransportKind::Timeout
            } else {
                TransportKind::Other
            });
            Error::Transport {
                operation,
                kind,
                attempts: record.attempts.max(1),
                message: without_url(&e),
            }
        }
    }
}

/// A reqwest error's text without its URL (URLs can carry query values the caller considers private).
pub(crate) fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "<url>");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
