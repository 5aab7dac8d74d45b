//! How every request leaves the client: documented content type, credentials, a fresh
//! signature per attempt, retries with backoff, and a record of what came back.

use std::{
    borrow::Cow,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::Utc;
use rand::Rng;
use reqwest::{
    ResponseBuilderExt,
    header::{HeaderName, HeaderValue},
};
use secrecy::ExposeSecret;

use crate::{
    Error,
    config::{Config, RetryPolicy},
    credentials::{Credentials, PasswordAuth},
    error::TransportKind,
    iam::{self, IssuedToken},
    operation::{OperationMeta, in_span, record, request_id},
    response_body::{self, Unread},
    signing::{self, SignableRequest},
    throttle::Throttle,
};

/// The header naming the project of an AK/SK-signed request.
const PROJECT_HEADER: &str = "X-Project-Id";

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

/// Why one attempt should or should not be followed by another.
enum Verdict {
    Done,
    Retry(Option<Duration>),
}

impl SigningTransport {
    async fn send(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let meta = OperationMeta::find(operation_id);
        let idempotent = meta.is_some_and(|m| m.idempotent) || self.config.retry.retry_non_idempotent;
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
                url = %crate::dry_run::without_credentials(this_attempt.url()),
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
            span.record("duration_ms", sent_at.elapsed().as_millis() as u64);
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

            let verdict = match &outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let id = request_id(response.headers());
                    span.record("status", status);
                    if let Some(id) = &id {
                        span.record("request_id", id.as_str());
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
                    match status {
                        429 => {
                            let hint = retry_after(response);
                            if let Some(delay) = hint {
                                self.throttle.hold(delay);
                            }
                            Verdict::Retry(hint)
                        }
                        502..=504 if idempotent => Verdict::Retry(None),
                        // The server may have acted on it: like a lost connection.
                        _ if body_lost && idempotent => Verdict::Retry(None),
                        _ => Verdict::Done,
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
                    // A refused connection never reached the server: always safe to retry.
                    // Anything else may have been processed, so only idempotent calls retry.
                    if kind == TransportKind::Connect || idempotent {
                        Verdict::Retry(None)
                    } else {
                        Verdict::Done
                    }
                }
            };

            // Why the call does or does not go on, for `--debug` readers.
            let (retry, decision) = match (verdict, replay) {
                (Verdict::Done, _) => (None, "no"),
                (Verdict::Retry(_), None) => (None, "no: the body cannot be sent again"),
                (Verdict::Retry(_), Some(_)) if attempt >= policy.max_attempts => (None, "no: no attempts left"),
                (Verdict::Retry(_), Some(_)) if !self.spend_retry() => (None, "no: retry budget spent"),
                (Verdict::Retry(hint), Some(next)) => {
                    let delay = hint.unwrap_or_else(|| policy.backoff(attempt));
                    if self.config.total_timeout.is_none_or(|t| started.elapsed() + delay < t) {
                        (Some((delay, next)), "yes")
                    } else {
                        (None, "no: the total timeout would pass")
                    }
                }
            };
            let delay_ms = retry.as_ref().map(|(delay, _)| delay.as_millis() as u64);
            tracing::debug!(parent: &span, retry = decision, delay_ms, "attempt finished");
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
        if let Ok(value) = HeaderValue::from_str(content_type) {
            headers.insert(reqwest::header::CONTENT_TYPE, value);
        }
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
                let project = (PROJECT_HEADER, self.config.project_id.as_str());
                let sk = keys.sk.expose_secret();
                match &keys.security_token {
                    Some(token) => sign_request(
                        request,
                        &keys.ak,
                        sk,
                        &[project, ("X-Security-Token", token.expose_secret())],
                    ),
                    None => sign_request(request, &keys.ak, sk, &[project]),
                }
            }
        }
    }
}

/// Signs a reqwest request in place, as the official SDK would sign it, after adding `extra`
/// headers. The query is rewritten to the canonical query, exactly as the official SDK sends it.
pub(crate) fn sign_request(request: &mut reqwest::Request, ak: &str, sk: &str, extra: &[(&str, &str)]) {
    let Some(signed) = signature_of(request, ak, sk, extra) else {
        return;
    };
    let query = (!signed.query.is_empty()).then_some(signed.query.as_str());
    if request.url().query() != query {
        request.url_mut().set_query(query);
    }
    let headers = request.headers_mut();
    for (name, value) in signed.headers {
        headers.insert(name, value);
    }
    if let Ok(mut value) = HeaderValue::from_str(&signed.authorization) {
        value.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
}

/// What signing changes on a request: its query, the headers signing added or trimmed, and
/// the `Authorization` value.
struct Signed {
    query: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    authorization: String,
}

/// Signs a view of `request` borrowed from it (nothing is copied but what signing adds), and
/// says what must change on it.
fn signature_of(request: &reqwest::Request, ak: &str, sk: &str, extra: &[(&str, &str)]) -> Option<Signed> {
    let url = request.url();
    // `host[:port]`, which is the URL's authority unless that carries credentials.
    let host: Cow<'_, str> = match url.port() {
        _ if url.username().is_empty() && url.password().is_none() => url.authority().into(),
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()).into(),
        None => url.host_str().unwrap_or_default().into(),
    };
    let mut signable = SignableRequest {
        method: request.method().as_str().into(),
        host,
        path: url.path().into(),
        query: url.query_pairs().collect(),
        // Room for what signing adds: date, host, and the payload-hash marker.
        headers: Vec::with_capacity(request.headers().len() + extra.len() + 3),
        body: request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .map(Cow::Borrowed)
            .unwrap_or_default(),
    };
    // The request's own values, to tell afterwards which of them signing left as they were.
    let mut own: Vec<&str> = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        // Headers already on the request are what progenitor set (content type, api-version,
        // user agent, accept). The official SDK signs every header it sets itself, and leaves
        // out `Accept`, which its HTTP library adds after signing: we sign the same set. A
        // date is always the signer's own.
        if name == reqwest::header::ACCEPT || name.as_str().eq_ignore_ascii_case(signing::DATE_HEADER) {
            continue;
        }
        if let Ok(value) = value.to_str() {
            signable
                .headers
                .push((canonical_case(name.as_str()).into(), value.into()));
            own.push(value);
        }
    }
    for (name, value) in extra {
        signable.headers.push(((*name).into(), (*value).into()));
    }

    let signature = signing::sign(&mut signable, ak, sk, Utc::now()).ok()?;
    // `sign` updates values in place and appends what it adds, so the first entries are still
    // the request's own: those that hold the very same text need no writing back; trimmed or
    // replaced ones, and everything after them, do.
    let headers = signable
        .headers
        .iter()
        .enumerate()
        .filter(|(i, (_, value))| own.get(*i).is_none_or(|own| !std::ptr::eq(*own, value.as_ref())))
        // reqwest writes Host from the URL, the same value.
        .filter(|(_, (name, _))| !name.eq_ignore_ascii_case("host"))
        .filter_map(|(_, (name, value))| {
            let name = header_name(name)?;
            let mut value = HeaderValue::from_str(value).ok()?;
            if name.as_str() == "x-security-token" {
                value.set_sensitive(true);
            }
            Some((name, value))
        })
        .collect();
    Some(Signed {
        query: signature.canonical_query,
        headers,
        authorization: signature.authorization,
    })
}

/// The `HeaderName` of a header signing writes, without parsing the two it writes every time.
fn header_name(name: &str) -> Option<HeaderName> {
    if name == signing::DATE_HEADER {
        Some(HeaderName::from_static("x-sdk-date"))
    } else if name == PROJECT_HEADER {
        Some(HeaderName::from_static("x-project-id"))
    } else {
        HeaderName::from_bytes(name.as_bytes()).ok()
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

/// `Content-Type` is looked up by its exact spelling by the official signer; give it that.
fn canonical_case(name: &str) -> &str {
    match name {
        "content-type" => "Content-Type",
        other => other,
    }
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value
        .trim()
        .parse::<u64>()
        .ok()
        .map(|secs| Duration::from_secs(secs.min(60)))
}

impl RetryPolicy {
    /// Exponential backoff with full jitter: a random delay in `[0, min(cap, base * 2^n))`.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let ceiling = exp.min(self.max_delay);
        let nanos = ceiling.as_nanos().min(u128::from(u64::MAX)) as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(rand::rng().random_range(0..nanos))
    }
}
