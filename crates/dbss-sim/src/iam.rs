//! A minimal IAM, enough for clients that sign in with a password or look their project up:
//!
//! * `POST /v3/auth/tokens` (password method, optional project scope) answers 201 with the
//!   token in `X-Subject-Token`; the token is then accepted as `X-Auth-Token` until it expires;
//! * `GET /v3/projects?name=<region>` (authenticated like any request) lists the project.

use std::{fmt, time::Instant};

use axum::{
    Json,
    http::{HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use crate::{
    Shared,
    error::{ApiError, codes},
};

/// The IAM user whose password the simulator accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct IamUser {
    /// User name.
    pub name: String,
    /// Password.
    pub password: String,
    /// Account (domain) name.
    pub domain: String,
}

impl fmt::Debug for IamUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IamUser")
            .field("name", &self.name)
            .field("password", &"[redacted]")
            .field("domain", &self.domain)
            .finish()
    }
}

/// The IAM operations, named as the official IAM SDK names them (faults can target them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IamOperation {
    /// `POST /v3/auth/tokens`.
    CreateToken,
    /// `GET /v3/projects`.
    ListProjects,
}

impl IamOperation {
    /// The operation a request is for, if it is an IAM one.
    pub fn route(method: &Method, path: &str) -> Option<IamOperation> {
        match (method, path.trim_end_matches('/')) {
            (&Method::POST, "/v3/auth/tokens") => Some(IamOperation::CreateToken),
            (&Method::GET, "/v3/projects") => Some(IamOperation::ListProjects),
            _ => None,
        }
    }

    /// The methods the simulated IAM serves at `path` (empty when it serves nothing there).
    pub fn methods(path: &str) -> Vec<Method> {
        match path.trim_end_matches('/') {
            "/v3/auth/tokens" => vec![Method::POST],
            "/v3/projects" => vec![Method::GET],
            _ => Vec::new(),
        }
    }

    /// Its operation id.
    pub fn id(self) -> &'static str {
        match self {
            IamOperation::CreateToken => "KeystoneCreateUserTokenByPassword",
            IamOperation::ListProjects => "KeystoneListProjects",
        }
    }
}

#[derive(Deserialize)]
struct TokenRequest {
    auth: Auth,
}

#[derive(Deserialize)]
struct Auth {
    identity: Identity,
    #[serde(default)]
    scope: Option<Scope>,
}

#[derive(Deserialize)]
struct Identity {
    methods: Vec<String>,
    password: Option<PasswordIdentity>,
}

#[derive(Deserialize)]
struct PasswordIdentity {
    user: User,
}

#[derive(Deserialize)]
struct User {
    name: String,
    password: String,
    domain: Named,
}

#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct Scope {
    #[serde(default)]
    project: Option<Named>,
}

fn iam_error(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Gateway {
        status,
        code: code.into(),
        message: message.into(),
    }
}

/// The account id the simulated IAM reports, derived from its name.
pub fn domain_id(domain: &str) -> String {
    format!(
        "{:016x}{:016x}",
        crate::rng::hash_str(domain),
        crate::rng::mix(crate::rng::hash_str(domain))
    )
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `POST /v3/auth/tokens`.
pub fn create_token(shared: &Shared, body: &[u8]) -> Result<Response, ApiError> {
    let malformed = |why: String| iam_error(StatusCode::BAD_REQUEST, codes::IAM_BAD_REQUEST, why);
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let request: TokenRequest = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| malformed(format!("request body: {} at {}", e.inner(), e.path())))?;
    let auth = request.auth;
    if !auth.identity.methods.iter().any(|m| m == "password") {
        return Err(malformed(
            "auth.identity.methods: only the password method is supported".into(),
        ));
    }
    let user = auth
        .identity
        .password
        .ok_or_else(|| malformed("auth.identity.password: required for the password method".into()))?
        .user;
    let wrong = || {
        iam_error(
            StatusCode::UNAUTHORIZED,
            codes::IAM_BAD_PASSWORD,
            "The username or password is wrong.",
        )
    };
    let account = shared.settings.iam_user.as_ref().ok_or_else(wrong)?;
    let domain_matches = user.domain.name.as_deref() == Some(account.domain.as_str())
        || user.domain.id.as_deref() == Some(domain_id(&account.domain).as_str());
    let password_matches = dbss_signing::constant_time_eq(user.password.as_bytes(), account.password.as_bytes());
    if user.name != account.name || !domain_matches || !password_matches {
        return Err(wrong());
    }
    let project = &shared.identity.project_id;
    let region = &shared.facts.region;
    if let Some(wanted) = auth.scope.and_then(|s| s.project) {
        let known = wanted.id.as_deref() == Some(project.as_str()) || wanted.name.as_deref() == Some(region.as_str());
        if !known {
            return Err(iam_error(
                StatusCode::UNAUTHORIZED,
                codes::IAM_BAD_PASSWORD,
                "The project in the scope does not exist or the user has no access to it.",
            ));
        }
    }
    let ttl = shared.settings.token_ttl;
    let token = shared.tokens.issue(Instant::now(), ttl);
    let issued = Utc::now();
    let expires = issued + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(1));
    let domain = json!({ "id": domain_id(&account.domain), "name": account.domain });
    let body = json!({ "token": {
        "expires_at": iso(expires), "issued_at": iso(issued), "methods": ["password"], "catalog": [],
        "roles": [{ "id": "0", "name": "te_admin" }],
        "user": { "domain": domain, "id": domain_id(&account.name), "name": account.name, "password_expires_at": "" },
        "project": { "domain": domain, "id": project, "name": region },
    }});
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    let header = HeaderValue::from_str(&token).map_err(|_| ApiError::internal("token not representable"))?;
    response.headers_mut().insert("x-subject-token", header);
    Ok(response)
}

/// `GET /v3/projects`.
pub fn list_projects(shared: &Shared, query: Option<&str>) -> Response {
    let name = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "name")
            .map(|(_, v)| v.into_owned())
    });
    let region = &shared.facts.region;
    let project = &shared.identity.project_id;
    let domain = shared
        .settings
        .iam_user
        .as_ref()
        .map_or_else(|| domain_id("dbss-sim"), |u| domain_id(&u.domain));
    let projects: Vec<_> = [json!({
        "id": project, "name": region, "domain_id": domain, "parent_id": domain, "is_domain": false,
        "enabled": true, "description": "",
        "links": { "self": format!("https://iam.myhuaweicloud.com/v3/projects/{project}") },
    })]
    .into_iter()
    .filter(|_| name.as_deref().is_none_or(|n| n == region))
    .collect();
    let body = json!({
        "projects": projects,
        "links": { "self": "https://iam.myhuaweicloud.com/v3/projects", "previous": null, "next": null },
    });
    (StatusCode::OK, Json(body)).into_response()
}
