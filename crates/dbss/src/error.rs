//! `dbss::Error`: one error type for every way a call can fail.
//!
//! Whatever the failure, the error keeps what is needed to act on it or report it: the
//! operation, the HTTP status, DBSS's `error_code` and `error_msg` (from either documented
//! error shape), and the `X-Request-Id` the service gave the request.

use std::{fmt, time::Duration};

use serde::Deserialize;

/// What went wrong in a DBSS call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with a status that is not a success.
    #[error("{0}")]
    Service(Box<ServiceError>),
    /// The request was refused before anything was sent.
    #[error("{operation}: invalid request: {reason}")]
    InvalidRequest {
        /// Operation id.
        operation: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A request value given as JSON does not fit its type (see [`crate::from_json`]).
    #[error("invalid input{}: {reason}", if path.is_empty() { String::new() } else { format!(" at {path}") })]
    InvalidInput {
        /// Where in the value: `field.sub[2]`, empty for the value as a whole.
        path: String,
        /// What is wrong there.
        reason: String,
    },
    /// A success response whose body could not be read or decoded.
    #[error("{operation}: HTTP {status}: could not decode the response: {reason}{}", request_id_suffix(request_id.as_deref()))]
    Decode {
        /// Operation id.
        operation: &'static str,
        /// HTTP status of the response (0 if unknown).
        status: u16,
        /// `X-Request-Id` of the response.
        request_id: Option<String>,
        /// Why decoding failed.
        reason: String,
    },
    /// A success response larger than the client reads (see
    /// [`crate::ClientBuilder::max_response_bytes`]): it was refused when announced, or
    /// abandoned once the limit was passed, never held whole.
    #[error("{operation}: HTTP {status}: the response is larger than the limit of {limit} bytes (max_response_bytes){}", request_id_suffix(request_id.as_deref()))]
    ResponseTooLarge {
        /// Operation id.
        operation: &'static str,
        /// HTTP status of the response.
        status: u16,
        /// `X-Request-Id` of the response.
        request_id: Option<String>,
        /// The limit that was passed, in bytes.
        limit: u64,
    },
    /// No response: the connection failed or an attempt timed out, after every retry.
    #[error("{operation}: {kind} after {attempts} attempt(s): {message}")]
    Transport {
        /// Operation id.
        operation: &'static str,
        /// What failed: connecting, timing out, or sending.
        kind: TransportKind,
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error, as text (it never holds credentials).
        message: String,
    },
    /// The call as a whole ran out of time.
    #[error("{operation}: no result within {limit:?}")]
    Timeout {
        /// Operation id.
        operation: &'static str,
        /// The total time limit that was reached.
        limit: Duration,
    },
    /// The client configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A waiter gave up: the resource failed, or did not reach its target before the deadline.
    #[error("waiting for {what}: {} after {waited:?}; last seen: {last_state}", if *finished { "it failed" } else { "deadline reached" })]
    Wait {
        /// What was awaited.
        what: String,
        /// The last state observed (or the last polling error).
        last_state: String,
        /// How long the waiter waited.
        waited: Duration,
        /// True when the resource reached a failed state, false when the deadline passed.
        finished: bool,
    },
    /// A local file or writer failed (downloads).
    #[error("{0}")]
    Io(String),
    /// Credentials could not be obtained or refreshed (IAM token exchange, project lookup).
    #[error("credentials: {0}")]
    Credentials(String),
    /// A dry run (see [`crate::ClientBuilder::dry_run`]): the request that would have been
    /// sent, signed and with its credentials redacted. Nothing was sent.
    #[error("{}: not sent (dry run)", .0.operation)]
    DryRun(Box<crate::DryRunRequest>),
}

/// Which kind of transport failure ended a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// The connection could not be made (nothing reached the server).
    Connect,
    /// An attempt ran longer than its time limit.
    Timeout,
    /// The request or response was cut off in flight.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connection failed",
            TransportKind::Timeout => "timed out",
            TransportKind::Other => "transport error",
        })
    }
}

/// A non-success answer of the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    /// Operation id.
    pub operation: &'static str,
    /// HTTP status.
    pub status: u16,
    /// DBSS or API-gateway error code, such as `DBSS.10020021` or `APIGW.0301`.
    pub error_code: Option<String>,
    /// The service's explanation.
    pub error_msg: Option<String>,
    /// `X-Request-Id` of the response: quote it to Huawei support.
    pub request_id: Option<String>,
    /// The start of the raw body (at most 2 KiB), kept when it is not a documented error shape.
    pub body: String,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        if let Some(code) = &self.error_code {
            write!(f, " {code}")?;
        }
        match &self.error_msg {
            Some(message) => write!(f, ": {message}")?,
            None if !self.body.is_empty() => write!(f, ": {}", self.body)?,
            None => {}
        }
        f.write_str(&request_id_suffix(self.request_id.as_deref()))
    }
}

fn request_id_suffix(request_id: Option<&str>) -> String {
    request_id.map(|id| format!(" (request id {id})")).unwrap_or_default()
}

const BODY_KEPT: usize = 2048;

impl ServiceError {
    /// Reads an error response body in either documented shape: nested
    /// `{"error":{"error_code","error_msg"}}` or flat `{"error_code","error_msg",...}`.
    /// Anything else (HTML from a proxy, an empty body) keeps its start in `body`.
    pub fn from_body(operation: &'static str, status: u16, request_id: Option<String>, body: &[u8]) -> ServiceError {
        #[derive(Deserialize)]
        struct Detail {
            error_code: Option<serde_json::Value>,
            error_msg: Option<serde_json::Value>,
        }
        #[derive(Deserialize)]
        struct Shapes {
            error: Option<Detail>,
            error_code: Option<serde_json::Value>,
            error_msg: Option<serde_json::Value>,
            // The API gateway sometimes spells the message `message`.
            message: Option<serde_json::Value>,
        }
        let text = |v: Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        let (mut error_code, mut error_msg) = (None, None);
        if let Ok(shapes) = serde_json::from_slice::<Shapes>(body) {
            if let Some(detail) = shapes.error {
                error_code = text(detail.error_code);
                error_msg = text(detail.error_msg);
            }
            error_code = error_code.or_else(|| text(shapes.error_code));
            error_msg = error_msg
                .or_else(|| text(shapes.error_msg))
                .or_else(|| text(shapes.message));
        }
        let body = if error_code.is_some() || error_msg.is_some() {
            String::new()
        } else {
            let cut = body.len().min(BODY_KEPT);
            String::from_utf8_lossy(&body[..cut]).trim().to_owned()
        };
        ServiceError {
            operation,
            status,
            error_code,
            error_msg,
            request_id,
            body,
        }
    }
}

impl Error {
    /// HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Service(e) => Some(e.status),
            Error::Decode { status, .. } | Error::ResponseTooLarge { status, .. } if *status != 0 => Some(*status),
            _ => None,
        }
    }

    /// DBSS error code, when the service gave one.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.error_code.as_deref(),
            _ => None,
        }
    }

    /// The service's error message, when it gave one.
    pub fn error_msg(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.error_msg.as_deref(),
            _ => None,
        }
    }

    /// `X-Request-Id` of the response, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.request_id.as_deref(),
            Error::Decode { request_id, .. } | Error::ResponseTooLarge { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The service error, if the service answered with one.
    pub fn as_service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_documented_shapes_are_read() {
        let nested = ServiceError::from_body(
            "Op",
            400,
            None,
            br#"{"error":{"error_code":"DBSS.10020021","error_msg":"bad id"}}"#,
        );
        assert_eq!(
            (nested.error_code.as_deref(), nested.error_msg.as_deref()),
            (Some("DBSS.10020021"), Some("bad id"))
        );
        let flat = ServiceError::from_body(
            "Op",
            403,
            Some("r1".into()),
            br#"{"error_code":"APIGW.0301","error_msg":"denied","details":[]}"#,
        );
        assert_eq!(
            (flat.error_code.as_deref(), flat.error_msg.as_deref()),
            (Some("APIGW.0301"), Some("denied"))
        );
        assert_eq!(flat.to_string(), "Op: HTTP 403 APIGW.0301: denied (request id r1)");
    }

    #[test]
    fn other_bodies_are_kept_truncated_and_never_panic() {
        let html = ServiceError::from_body("Op", 502, None, b"<html>Bad gateway</html>");
        assert_eq!(html.body, "<html>Bad gateway</html>");
        let big = vec![b'x'; 10_000];
        assert_eq!(ServiceError::from_body("Op", 500, None, &big).body.len(), BODY_KEPT);
        let odd = ServiceError::from_body("Op", 400, None, br#"{"error":{"error_code":12,"error_msg":null}}"#);
        assert_eq!(odd.error_code.as_deref(), Some("12"));
        let invalid_utf8 = ServiceError::from_body("Op", 500, None, &[0xff, 0xfe]);
        assert!(!invalid_utf8.body.is_empty());
    }
}
