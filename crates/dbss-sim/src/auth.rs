//! Authentication as the API gateway in front of DBSS does it: AK/SK signatures verified
//! exactly as Huawei's signer makes them (15-minute clock-skew window, security token), or an
//! IAM token; and the project in the path must be the credential's.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use axum::http::{HeaderMap, Method, Uri};
use chrono::{DateTime, Utc};
use dbss_signing::{self as signing, SignableRequest, constant_time_eq};

use crate::error::{ApiError, codes};

/// Largest accepted difference between `X-Sdk-Date` and the simulator's clock.
pub const CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// Who may call the simulator.
#[derive(Clone)]
pub struct Identity {
    /// Accepted access key.
    pub ak: String,
    /// Its secret key.
    pub sk: String,
    /// The project the credential belongs to.
    pub project_id: String,
    /// An accepted IAM token, if token authentication is enabled.
    pub token: Option<String>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("ak", &self.ak)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

/// Tokens issued by the simulated IAM (`POST /v3/auth/tokens`), with their expiry.
#[derive(Default)]
pub struct IssuedTokens {
    tokens: Mutex<HashMap<String, Instant>>,
    /// Every token issued since the start, expired ones included.
    issued: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for IssuedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens are credentials: only their number is shown.
        f.debug_struct("IssuedTokens")
            .field("count", &self.lock().len())
            .finish()
    }
}

/// What the simulator knows of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// Accepted.
    Valid,
    /// Issued, but past its expiry.
    Expired,
    /// Never issued.
    Unknown,
}

impl IssuedTokens {
    /// Issues a new random token valid for `ttl` from `now`.
    pub fn issue(&self, now: Instant, ttl: Duration) -> String {
        // Two random UUIDs: unguessable, and free of characters a header cannot carry.
        let token = format!(
            "MIIsim{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let mut tokens = self.lock();
        tokens.retain(|_, expiry| *expiry > now);
        tokens.insert(token.clone(), now + ttl);
        self.issued.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        token
    }

    /// How many tokens were issued since the start (for tests: each is an IAM round trip a
    /// client paid).
    pub fn issued(&self) -> u64 {
        self.issued.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether `token` was issued and is still valid at `now`.
    pub fn status(&self, token: &str, now: Instant) -> TokenStatus {
        match self.lock().get(token) {
            Some(expiry) if *expiry > now => TokenStatus::Valid,
            Some(_) => TokenStatus::Expired,
            None => TokenStatus::Unknown,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        // Every write is a single insert or retain: a poisoned map is still consistent.
        self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What the headers of a request prove before its body is read.
#[derive(Debug)]
pub enum Credential<'a> {
    /// A valid IAM token: the request is authenticated.
    Token,
    /// An AK/SK signature whose key is known and whose date is within the window; only the
    /// signature itself, which covers the body, is left to check.
    Signature(signing::AuthorizationHeader<'a>),
}

/// Checks the credential of a request; `body` is the exact body received.
pub fn authenticate(
    identity: &Identity,
    issued: &IssuedTokens,
    request: (&Method, &Uri, &HeaderMap),
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    match precheck(identity, issued, request.2, now)? {
        Credential::Token => Ok(()),
        Credential::Signature(parsed) => verify_signature(identity, request, body, &parsed),
    }
}

/// Everything about the credential that the headers alone settle: a token's validity, or the
/// shape of the `Authorization` header, its access key, the signed headers and the
/// `X-Sdk-Date` window. The server runs it before reading a body, so that a request that
/// cannot be authenticated is refused without its body being buffered.
pub fn precheck<'a>(
    identity: &Identity,
    issued: &IssuedTokens,
    headers: &'a HeaderMap,
    now: DateTime<Utc>,
) -> Result<Credential<'a>, ApiError> {
    if let Some(token) = header(headers, "x-auth-token") {
        if let Some(expected) = &identity.token
            && constant_time_eq(expected.as_bytes(), token.as_bytes())
        {
            return Ok(Credential::Token);
        }
        return match issued.status(token, Instant::now()) {
            TokenStatus::Valid => Ok(Credential::Token),
            TokenStatus::Expired => Err(ApiError::unauthenticated(
                codes::GATEWAY_AUTH,
                "Incorrect IAM authentication information: the token has expired",
            )),
            TokenStatus::Unknown => Err(ApiError::unauthenticated(
                codes::GATEWAY_AUTH,
                "Incorrect IAM authentication information: the token is not valid",
            )),
        };
    }
    let Some(authorization) = header(headers, "authorization") else {
        return Err(ApiError::unauthenticated(
            codes::GATEWAY_NO_AUTH,
            "Incorrect IAM authentication information: no Authorization or X-Auth-Token header",
        ));
    };
    let parsed = signing::parse_authorization(authorization).ok_or_else(|| {
        ApiError::unauthenticated(
            codes::GATEWAY_AUTH,
            "Incorrect IAM authentication information: the Authorization header is not SDK-HMAC-SHA256",
        )
    })?;
    if parsed.access != identity.ak {
        return Err(ApiError::unauthenticated(
            codes::GATEWAY_AUTH,
            "Incorrect IAM authentication information: unknown access key",
        ));
    }
    let signed: Vec<&str> = parsed.signed_headers.split(';').collect();
    if !signed.contains(&"x-sdk-date") || !signed.contains(&"host") {
        return Err(ApiError::unauthenticated(
            codes::GATEWAY_AUTH,
            "Incorrect IAM authentication information: host and x-sdk-date must be signed",
        ));
    }
    let date = header(headers, "x-sdk-date")
        .and_then(signing::parse_date)
        .ok_or_else(|| {
            ApiError::unauthenticated(
                codes::GATEWAY_AUTH,
                "Incorrect IAM authentication information: X-Sdk-Date is missing or malformed",
            )
        })?;
    let skew = (now - date).abs().to_std().unwrap_or(Duration::MAX);
    if skew > CLOCK_SKEW {
        return Err(ApiError::unauthenticated(
            codes::GATEWAY_AUTH,
            format!(
                "Incorrect IAM authentication information: X-Sdk-Date is {}s away from the server time (limit {}s)",
                skew.as_secs(),
                CLOCK_SKEW.as_secs()
            ),
        ));
    }
    Ok(Credential::Signature(parsed))
}

/// The part of AK/SK authentication that needs the body: the signature, then the project
/// header (checked after it, so an unsigned request learns nothing about projects).
fn verify_signature(
    identity: &Identity,
    request: (&Method, &Uri, &HeaderMap),
    body: &[u8],
    parsed: &signing::AuthorizationHeader<'_>,
) -> Result<(), ApiError> {
    let (method, uri, headers) = request;
    // A view of the request as received, borrowed from it.
    let request = SignableRequest {
        method: method.as_str().into(),
        host: "".into(),
        path: uri.path().into(),
        query: uri
            .query()
            .map(|q| url::form_urlencoded::parse(q.as_bytes()).collect())
            .unwrap_or_default(),
        headers: headers
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().into(), v.to_str().ok()?.into())))
            .collect(),
        body: body.into(),
    };
    if !signing::verify(&request, parsed.signed_headers, &identity.sk, parsed.signature) {
        return Err(ApiError::unauthenticated(
            codes::GATEWAY_AUTH,
            "Incorrect IAM authentication information: verify aksk signature fail",
        ));
    }
    if let Some(project) = header(headers, "x-project-id").filter(|p| *p != identity.project_id) {
        return Err(ApiError::forbidden(format!(
            "X-Project-Id {project} is not the credential's project"
        )));
    }
    Ok(())
}

/// The project id in the path must be the credential's.
pub fn check_project(identity: &Identity, project_id: &str) -> Result<(), ApiError> {
    if project_id == identity.project_id {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "project {project_id} in the path is not the credential's project"
        )))
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
