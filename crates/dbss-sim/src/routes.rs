//! The DBSS operations the simulator serves.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    routing::{get, post},
};
use bytes::Bytes;
use dbss_api::types::{ListAuditInstancesResponse, SecurityGroupRequest, UpdateAuditSecurityGroupResponse};
use serde::Deserialize;

use crate::{Shared, auth::check_project, error::ApiError};

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/{project_id}/dbss/audit/instances", get(list_audit_instances))
        .route(
            "/v1/{project_id}/dbss/audit/security-group",
            post(update_audit_security_group),
        )
        .with_state(shared)
}

/// Paging parameters as the API types them: strings holding integers.
#[derive(Deserialize)]
struct OffsetLimit {
    offset: Option<String>,
    limit: Option<String>,
}

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 10_000;

fn parse_count(
    name: &str,
    value: Option<&str>,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, ApiError> {
    let Some(text) = value else {
        return Ok(default);
    };
    let n: usize = text
        .parse()
        .map_err(|_| ApiError::bad_request(format!("{name} must be a non-negative integer, got {text:?}")))?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(ApiError::bad_request(format!(
            "{name} must be between {} and {}, got {n}",
            range.start(),
            range.end()
        )))
    }
}

async fn list_audit_instances(
    State(shared): State<Arc<Shared>>,
    Path(project_id): Path<String>,
    Query(query): Query<OffsetLimit>,
) -> Result<Json<ListAuditInstancesResponse>, ApiError> {
    check_project(&shared.identity, &project_id)?;
    let offset = parse_count("offset", query.offset.as_deref(), 0, 0..=usize::MAX)?;
    let limit = parse_count("limit", query.limit.as_deref(), DEFAULT_LIMIT, 1..=MAX_LIMIT)?;
    let (page, total) = shared.state.list(offset, limit);
    Ok(Json(ListAuditInstancesResponse {
        servers: page.iter().map(|i| i.to_list_bean()).collect(),
        total: Some(i32::try_from(total).unwrap_or(i32::MAX)),
    }))
}

async fn update_audit_security_group(
    State(shared): State<Arc<Shared>>,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Result<Json<UpdateAuditSecurityGroupResponse>, ApiError> {
    check_project(&shared.identity, &project_id)?;
    let request: SecurityGroupRequest = parse_body(&body)?;
    let [security_group_id] = &request.securitygroup_ids;
    shared
        .state
        .set_security_group(&request.instance_id, security_group_id)
        .ok_or_else(|| {
            ApiError::invalid_id(format!(
                "instance_id {} does not name an audit instance",
                request.instance_id.as_str()
            ))
        })?;
    Ok(Json(UpdateAuditSecurityGroupResponse {
        result: Some("SUCCESS".to_owned()),
    }))
}

/// Decodes a JSON body into the spec's request type, naming the offending field on failure.
fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            ApiError::bad_request(format!("request body: {inner}"))
        } else {
            ApiError::bad_request(format!("request body field {path}: {inner}"))
        }
    })
}
