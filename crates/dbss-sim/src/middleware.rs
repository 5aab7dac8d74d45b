//! What wraps every route: a request id on every answer, and authentication.

use std::sync::Arc;

use axum::{
    Router,
    body::{Body, to_bytes},
    extract::{Request, State},
    http::HeaderValue,
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use chrono::Utc;

use crate::{Shared, auth::authenticate, error::ApiError};

/// Largest request body accepted.
const MAX_BODY: usize = 4 * 1024 * 1024;

pub fn wrap(router: Router, shared: Arc<Shared>) -> Router {
    router
        .fallback(|| async {
            ApiError::Dbss {
                status: axum::http::StatusCode::NOT_FOUND,
                code: "DBSS.10021004",
                message: "no such API".into(),
            }
        })
        .layer(middleware::from_fn_with_state(shared, authenticate_request))
        .layer(middleware::from_fn(request_id))
}

async fn request_id(request: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

async fn authenticate_request(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return ApiError::bad_request(format!("request body larger than {MAX_BODY} bytes or unreadable"))
                .into_response();
        }
    };
    if let Err(refusal) = authenticate(
        &shared.identity,
        &parts.method,
        &parts.uri,
        &parts.headers,
        &bytes,
        Utc::now(),
    ) {
        tracing::info!(method = %parts.method, path = parts.uri.path(), "refused: {refusal:?}");
        return refusal.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}
