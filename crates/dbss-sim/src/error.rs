//! Error answers in the two shapes the real service uses.

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
        code: &'static str,
        /// Explanation naming the offending field or resource.
        message: String,
    },
    /// An API-gateway refusal (authentication): flat `{"error_code","error_msg"}`.
    Gateway {
        /// HTTP status.
        status: StatusCode,
        /// `APIGW.*` code.
        code: &'static str,
        /// Explanation.
        message: String,
    },
}

/// DBSS error codes the simulator uses (from the service's error-code page).
pub mod codes {
    /// The request body or a parameter is malformed.
    pub const BAD_REQUEST: &str = "DBSS.10000001";
    /// An id in the request does not name an existing resource.
    pub const INVALID_ID: &str = "DBSS.10020021";
    /// The token failed authentication.
    pub const TOKEN_REJECTED: &str = "DBSS.10020100";
    /// Internal error.
    pub const INTERNAL: &str = "DBSS.11000000";
    /// Gateway: the credential or signature is wrong.
    pub const GATEWAY_AUTH: &str = "APIGW.0301";
    /// Gateway: the request carries no credential at all.
    pub const GATEWAY_NO_AUTH: &str = "APIGW.0101";
}

impl ApiError {
    /// 400 with `DBSS.10000001`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::Dbss {
            status: StatusCode::BAD_REQUEST,
            code: codes::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// 400 with `DBSS.10020021`.
    pub fn invalid_id(message: impl Into<String>) -> ApiError {
        ApiError::Dbss {
            status: StatusCode::BAD_REQUEST,
            code: codes::INVALID_ID,
            message: message.into(),
        }
    }

    /// 401 from the gateway.
    pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Gateway {
            status: StatusCode::UNAUTHORIZED,
            code,
            message: message.into(),
        }
    }

    /// 403 with `DBSS.10020100`.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::Dbss {
            status: StatusCode::FORBIDDEN,
            code: codes::TOKEN_REJECTED,
            message: message.into(),
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
