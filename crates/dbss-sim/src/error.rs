//! Error answers in the two shapes the real service uses.

use std::borrow::Cow;

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

/// A refusal, rendered as the real service renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// A DBSS error: nested `{"error":{"error_code","error_msg"}}`, as the eu edition documents.
    Dbss {
        /// HTTP status.
        status: StatusCode,
        /// `DBSS.*` code.
        code: Cow<'static, str>,
        /// Explanation naming the offending field or resource.
        message: String,
    },
    /// An API-gateway (or IAM) refusal: flat `{"error_code","error_msg"}`.
    Gateway {
        /// HTTP status.
        status: StatusCode,
        /// `APIGW.*` or `IAM.*` code.
        code: Cow<'static, str>,
        /// Explanation.
        message: String,
    },
}

/// Error codes the simulator uses. The `DBSS.*` codes other than `DBSS.10000001`,
/// `DBSS.10020100` and `DBSS.11000000` (documented by the spec) are the simulator's choice.
pub mod codes {
    /// The request body or a parameter is malformed.
    pub const BAD_REQUEST: &str = "DBSS.10000001";
    /// An id in the request does not name an existing resource.
    pub const INVALID_ID: &str = "DBSS.10020021";
    /// The instance's state does not allow the operation (it is busy, stopped, or being deleted).
    pub const INVALID_STATE: &str = "DBSS.10020004";
    /// The instance already audits as many databases as its specification allows.
    pub const DATABASE_LIMIT: &str = "DBSS.10020118";
    /// The token failed authentication, or the project is not the credential's.
    pub const TOKEN_REJECTED: &str = "DBSS.10020100";
    /// No operation has this method and path.
    pub const NO_SUCH_API: &str = "DBSS.10021004";
    /// Internal error.
    pub const INTERNAL: &str = "DBSS.11000000";
    /// Gateway: the credential or signature is wrong.
    pub const GATEWAY_AUTH: &str = "APIGW.0301";
    /// Gateway: the request carries no credential at all.
    pub const GATEWAY_NO_AUTH: &str = "APIGW.0101";
    /// Gateway: the request was throttled.
    pub const THROTTLED: &str = "APIGW.0308";
    /// IAM: wrong user name or password.
    pub const IAM_BAD_PASSWORD: &str = "IAM.0004";
    /// IAM: a malformed token request.
    pub const IAM_BAD_REQUEST: &str = "IAM.0011";
}

impl ApiError {
    /// A DBSS error with any status and code.
    pub fn dbss(status: StatusCode, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> ApiError {
        ApiError::Dbss {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// 400 with `DBSS.10000001`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::dbss(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }

    /// 400 with `DBSS.10020021`.
    pub fn invalid_id(message: impl Into<String>) -> ApiError {
        ApiError::dbss(StatusCode::BAD_REQUEST, codes::INVALID_ID, message)
    }

    /// 400 with `DBSS.10020004`.
    pub fn invalid_state(message: impl Into<String>) -> ApiError {
        ApiError::dbss(StatusCode::BAD_REQUEST, codes::INVALID_STATE, message)
    }

    /// 404 with `DBSS.10021004`.
    pub fn no_such_api(message: impl Into<String>) -> ApiError {
        ApiError::dbss(StatusCode::NOT_FOUND, codes::NO_SUCH_API, message)
    }

    /// 500 with `DBSS.11000000`.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::dbss(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, message)
    }

    /// 401 from the gateway.
    pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Gateway {
            status: StatusCode::UNAUTHORIZED,
            code: code.into(),
            message: message.into(),
        }
    }

    /// 403 with `DBSS.10020100`.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::dbss(StatusCode::FORBIDDEN, codes::TOKEN_REJECTED, message)
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Dbss { status, .. } | ApiError::Gateway { status, .. } => *status,
        }
    }

    /// The explanation of the answer.
    pub fn message(&self) -> &str {
        match self {
            ApiError::Dbss { message, .. } | ApiError::Gateway { message, .. } => message,
        }
    }

    /// The error code of the answer.
    pub fn code(&self) -> &str {
        match self {
            ApiError::Dbss { code, .. } | ApiError::Gateway { code, .. } => code,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Dbss { status, code, message } => (
                status,
                Json(json!({ "error": { "error_code": code, "error_msg": message } })),
            )
                .into_response(),
            ApiError::Gateway { status, code, message } => {
                (status, Json(json!({ "error_code": code, "error_msg": message }))).into_response()
            }
        }
    }
}
