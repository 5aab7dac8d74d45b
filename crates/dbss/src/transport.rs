//! How every request leaves the client: documented content type, credentials, a fresh
//! signature per attempt, retries with backoff, and a record of what came back.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::Instant,
};

use chrono::Utc;
use reqwest::{ResponseBuilderExt, header::HeaderValue};
use secrecy::ExposeSecret;

use crate::{
    Error,
    config::Config,
    credentials::{Credentials, PasswordAuth},
    error::TransportKind,
    iam::{self, IssuedToken},
    operation::{OperationMeta, in_span, record, request_id},
    request_signer::{PROJECT_HEADER, PROJECT_NAME, sign_request},
    response_body::{self, Unread},
    retry::{self, Outcome, Verdict},
    throttle::Throttle,
};

/// The `dbss_api::Transport` of a [`crate::Client`].
pub(crate) struct SigningTransport {
    pub(crate) config: Arc<Config>,
    /// The IAM token of password credentials, exchanged again before it expires (shared by
    /// the clients derived with different call options).
    token: Arc<tokio::sync::Mutex<Option<IssuedToken>>>,
    /// Retries left to spend (see [`RetryPolicy::budget`]), shared likewise.
    budget: Arc<AtomicU32>,
    /// The instant a 429's `Retry-After` holds every request back to, shared likewise.
    throttle: Arc<Throttle>,
    /// `X-Project-Id`'s value, made once: set on the request before signing, the signer finds
    /// it there unchanged and nothing is written back (`None`: not a header value, then signed
    /// and set as the other added headers are).
    project_header: Option<HeaderValue>,
}

impl std::fmt::Debug for SigningTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningTransport")
            .field("config", &self.config)
            .field("budget", &self.budget.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl SigningTransport {
    pub(crate) fn new(config: Arc<Config>, first_token: Option<IssuedToken>) -> SigningTransport {
        let budget = Arc::new(AtomicU32::new(config.retry.budget));
        SigningTransport {
            project_header: HeaderValue::from_str(&config.project_id).ok(),
            config,
            token: Arc::new(tokio::sync::Mutex::new(first_token)),
            budget,
            throttle: Arc::default(),
        }
    }

    /// The same transport state under another configuration: the same token, and the same
    /// retry budget unless `new_budget` (a new retry policy brings its own).
    pub(crate) fn with_config(&self, config: Arc<Config>, new_budget: bool) -> SigningTransport {
        let budget = if new_budget {
            Arc::new(AtomicU32::new(config.retry.budget))
        } else {
            self.budget.clone()
        };
        SigningTransport {
            project_header: HeaderValue::from_str(&config.project_id).ok(),
            config,
            token: self.token.clone(),
            budget,
            throttle: self.throttle.clone(),
        }
    }

    /// A valid token for password credentials, exchanged at IAM when missing or stale.
    async fn token(&self, client: &reqwest::Client, auth: &PasswordAuth) -> Result<HeaderValue, Error> {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_none_or(|t| t.is_stale(Utc::now())) {
            let scope = iam::Scope::Id(&self.config.project_id);
            *slot = Some(iam::issue_token(client, &self.config.iam_endpoint, auth, scope).await?);
            tracing::debug!("obtained an IAM token");
        }
        let token = slot.as_ref().map(|t| t.token.expose_secret()).unwrap_or_default();
        let mut value = HeaderValue::from_str(token)
            .map_err(|_| Error::Credentials("IAM issued a token that cannot be sent as a header".into()))?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Takes the cost of one retry from the budget, if it has that much left.
    fn spend_retry(&self) -> bool {
        let cost = self.config.retry.retry_cost;
        self.budget
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| left.checked_sub(cost))
            .is_ok()
    }

    /// A success gives one retry back, up to the configured budget.
    fn refund(&self) {
        let cap = self.config.retry.budget;
        let _ = self.budget.fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
            (left < cap).then_some(left + 1)
        });
    }
}

impl dbss_api::Transport for SigningTransport {
    fn prepare<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: &'a mut reqwest::Request,
        _operation_id: &'static str,
    ) -> dbss_api::PrepareFuture<'a> {
        Box::pin(async move {
            if let Credentials::Password(auth) = &self.config.credentials {
                if self.config.dry_run {
                    request
                        .headers_mut()
                        .insert("x-auth-token", crate::dry_run::placeholder_token());
                    return Ok(());
                }
                let value = self.token(client, auth).await.map_err(|e| match e {
                    Error::Credentials(message) => message,
                    other => other.to_string(),
                })?;
                request.headers_mut().insert("x-auth-token", value);
            }
            Ok(())
        })
    }

    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> dbss_api::TransportFuture<'a> {
        Box::pin(self.send(client, request, operation_id))
    }
}

impl SigningTransport {
    async fn send(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let meta = OperationMeta::find(operation_id);
        let idempotent = meta.is_some_and(|m| m.idempotent);
        self.prepare(&mut request, meta);

        let policy = &self.config.retry;
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut pending = request;
        loop {
            attempt += 1;
            let request = pending;
            // A 429 told to any request of this client pauses this one too.
            if !self.config.dry_run {
                self.throttle.wait().await;
            }
            let remaining = self.config.total_timeout.map(|t| t.saturating_sub(started.elapsed()));
            let attempt_timeout = match remaining {
                Some(left) => self.config.attempt_timeout.min(left),
                None => self.config.attempt_timeout,
            };
            let bound_by_total = remaining.is_some_and(|left| left <= self.config.attempt_timeout);
            // The body is in memory (JSON), so a clone is always possible; a streamed body
            // cannot be replayed, and is then sent once.
            let replay = request.try_clone();
            let mut this_attempt = request;
            *this_attempt.timeout_mut() = Some(attempt_timeout);
            self.authenticate(&mut this_attempt);
            if self.config.dry_run {
                return Ok(crate::dry_run::intercept(&this_attempt, operation_id));
            }

            let span = tracing::debug_span!(
                "dbss.attempt",
                operation = operation_id,
                attempt,
                method = %this_attempt.method(),
                url = %crate::dry_run::Shown(this_attempt.url()),
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
                duration_ms = tracing::field::Empty
            );
            let sent_at = Instant::now();
            let outcome = in_span(client.execute(this_attempt), &span).await;
            // A JSON answer is read whole within the attempt (its timeout still running), so
            // that a body lost after the head counts as a failed attempt; the generated code
            // would read it whole anyway. It is read within the client's limit, and an error
            // body only up to its cap. A file stays a stream for the caller.
            let (outcome, body) = match outcome {
                Ok(response) if !(meta.is_some_and(|m| m.streamed) && response.status().is_success()) => {
                    let (response, body) = read_whole(response, self.config.max_response_bytes).await;
                    (Ok(response), body)
                }
                other => (other, Body::Read),
            };
            let body_lost = matches!(body, Body::Lost);
            // Recording into a disabled span still looks the field up by name and offers the value
            // to the `log` bridge: skipped when nothing listens (see `in_span`).
            let listened = !span.is_disabled();
            if listened {
                span.record("duration_ms", sent_at.elapsed().as_millis() as u64);
            }
            match &outcome {
                Ok(response) if body_lost => {
                    tracing::debug!(parent: &span, status = response.status().as_u16(), "attempt answered, body lost")
                }
                Ok(response) if matches!(body, Body::TooLarge) => {
                    tracing::debug!(parent: &span, status = response.status().as_u16(), "attempt answered, body over the limit")
                }
                Ok(response) => tracing::debug!(parent: &span, status = response.status().as_u16(), "attempt answered"),
                Err(error) => {
                    tracing::debug!(parent: &span, error = %crate::operation::without_url(error), "attempt failed")
                }
            }

            let classified = match &outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let id = request_id(response.headers());
                    if listened {
                        span.record("status", status);
                        if let Some(id) = &id {
                            span.record("request_id", id.as_str());
                        }
                    }
                    record(|r| {
                        r.status = status;
                        r.request_id = id;
                        r.attempts = attempt;
                        r.transport_kind = None;
                    });
                    if response.status().is_success() && matches!(body, Body::Read) {
                        self.refund();
                    }
                    let retry_after = response.headers().get(reqwest::header::RETRY_AFTER);
                    Outcome::Answered {
                        status,
                        retry_after: retry::retry_after(retry_after.and_then(|v| v.to_str().ok())),
                        body_lost,
                    }
                }
                Err(error) => {
                    let kind = if error.is_connect() {
                        TransportKind::Connect
                    } else if error.is_timeout() {
                        TransportKind::Timeout
                    } else {
                        TransportKind::Other
                    };
                    record(|r| {
                        r.attempts = attempt;
                        r.transport_kind = Some(kind);
                        if kind == TransportKind::Timeout && bound_by_total {
                            r.total_timeout = self.config.total_timeout;
                        }
                    });
                    Outcome::Failed(kind)
                }
            };
            let verdict = retry::classify(classified, idempotent, policy.retry_non_idempotent);
            // A 429 told to one request pauses every request of this client (see the wait above).
            if let Verdict::RetryAfter(delay, _) = verdict {
                self.throttle.hold(delay);
            }
            let (hint, reason) = match verdict {
                Verdict::GiveUp(reason) => (None, reason),
                Verdict::Retry(reason) => (Some(None), reason),
                Verdict::RetryAfter(delay, reason) => (Some(Some(delay)), reason),
            };

            // Why the call does or does not go on, for `--debug` readers.
            let (retry, decision) = match (hint, replay) {
                (None, _) => (None, "no"),
                (Some(_), None) => (None, "no: the body cannot be sent again"),
                (Some(_), Some(_)) if attempt >= policy.max_attempts => (None, "no: no attempts left"),
                (Some(_), Some(_)) if !self.spend_retry() => (None, "no: retry budget spent"),
                (Some(hint), Some(next)) => {
                    let delay = hint.unwrap_or_else(|| policy.backoff(attempt));
                    if self.config.total_timeout.is_none_or(|t| started.elapsed() + delay < t) {
                        (Some((delay, next)), "yes")
                    } else {
                        (None, "no: the total timeout would pass")
                    }
                }
            };
            let delay_ms = retry.as_ref().map(|(delay, _)| delay.as_millis() as u64);
            tracing::debug!(parent: &span, retry = decision, reason, delay_ms, "attempt finished");
            let Some((delay, next)) = retry else {
                return outcome.map(|response| documented_empty_success(response, meta));
            };
            tokio::time::sleep(delay).await;
            pending = next;
        }
    }

    /// Headers that are the same for every attempt.
    fn prepare(&self, request: &mut reqwest::Request, meta: Option<&OperationMeta>) {
        let content_type = meta.map_or("application/json", |m| m.content_type);
        let headers = request.headers_mut();
        // The spec's content types are static text: no copy of them per request.
        headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers.insert(reqwest::header::USER_AGENT, HeaderValue::from_static(crate::USER_AGENT));
    }

    /// Credentials of one attempt: a token header, or a fresh AK/SK signature.
    fn authenticate(&self, request: &mut reqwest::Request) {
        match &self.config.credentials {
            Credentials::Token(token) => {
                if let Ok(mut value) = HeaderValue::from_str(token.expose_secret()) {
                    value.set_sensitive(true);
                    request.headers_mut().insert("x-auth-token", value);
                }
            }
            // The token was set once for the whole call, in `prepare`.
            Credentials::Password(_) => {}
            Credentials::AkSk(keys) => {
                let sk = keys.sk.expose_secret();
                let mut extra = Vec::new();
                match &self.project_header {
                    Some(value) => {
                        request.headers_mut().insert(PROJECT_NAME, value.clone());
                    }
                    None => extra.push((PROJECT_HEADER, self.config.project_id.as_str())),
                }
                if let Some(token) = &keys.security_token {
                    extra.push(("X-Security-Token", token.expose_secret()));
                }
                sign_request(request, &keys.ak, sk, &extra);
            }
        }
    }
}

/// What became of an answer's body.
enum Body {
    /// Read, or left a stream for the caller.
    Read,
    /// Cut off or too slow: the answer handed on fails, when read, with the error that
    /// stopped this read, and is reported as a body that could not be read, with the status
    /// and request id of its head.
    Lost,
    /// A success body over the limit: the answer handed on fails, when read, with
    /// [`response_body::TooLarge`].
    TooLarge,
}

/// Reads an answer's body (see [`response_body::read`]) into an answer that holds it.
async fn read_whole(mut response: reqwest::Response, limit: u64) -> (reqwest::Response, Body) {
    let (status, version, url) = (response.status(), response.version(), response.url().clone());
    let read = response_body::read(&mut response, limit).await;
    let headers = std::mem::take(response.headers_mut());
    // Whatever was left unread is dropped with the connection that carried it.
    drop(response);
    let (body, what) = match read {
        Ok(bytes) => (reqwest::Body::from(bytes), Body::Read),
        Err(Unread::TooLarge) => (failing(response_body::TooLarge { limit }), Body::TooLarge),
        // Without the URL: its query may hold values the caller considers private.
        Err(Unread::Failed(error)) => (failing(error.without_url()), Body::Lost),
    };
    (assemble(status, version, url, headers, body), what)
}

/// A body that fails with `error` when read.
fn failing(error: impl std::error::Error + Send + Sync + 'static) -> reqwest::Body {
    let error: Box<dyn std::error::Error + Send + Sync> = Box::new(error);
    reqwest::Body::wrap_stream(futures::stream::once(async { Err::<bytes::Bytes, _>(error) }))
}

/// A response with this head and `body`: reqwest builds one only from an `http::Response`, and
/// takes its URL from an extension that only its builder extension sets.
fn assemble(
    status: http::StatusCode,
    version: http::Version,
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
    body: reqwest::Body,
) -> reqwest::Response {
    let mut response = http::Response::new(body);
    if let Ok(head) = http::Response::builder().url(url).body(()) {
        *response.extensions_mut() = head.into_parts().0.extensions;
    }
    *response.status_mut() = status;
    *response.version_mut() = version;
    *response.headers_mut() = headers;
    reqwest::Response::from(response)
}

/// The documentation gives some body-less operations a 204 success (tag create/delete), while
/// the official SDK also reads a 200 with a text body there. Any 2xx answer to an operation
/// whose documented success has no body is that success: it is handed on as the documented
/// status, without its body, instead of failing as an unexpected status.
fn documented_empty_success(response: reqwest::Response, meta: Option<&OperationMeta>) -> reqwest::Response {
    let Some(meta) = meta.filter(|m| m.success_status == 204) else {
        return response;
    };
    let status = response.status();
    if !status.is_success() || status.as_u16() == meta.success_status {
        return response;
    }
    let mut headers = response.headers().clone();
    headers.remove(reqwest::header::CONTENT_LENGTH);
    let (version, url) = (response.version(), response.url().clone());
    assemble(
        http::StatusCode::NO_CONTENT,
        version,
        url,
        headers,
        reqwest::Body::from(Vec::new()),
    )
}
