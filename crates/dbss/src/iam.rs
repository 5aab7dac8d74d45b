//! The two IAM calls the client makes on the caller's behalf: exchanging a password for a
//! project-scoped token (`POST /v3/auth/tokens`), and finding the project id of a region
//! (`GET /v3/projects?name=<region>`, signed).

use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
};

use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use crate::{
    Error,
    credentials::{Credentials, PasswordAuth},
    error::ServiceError,
    operation::{request_id, without_url},
    request_signer::sign_request,
};

/// A token is exchanged again when less than this remains of its validity.
pub(crate) const REFRESH_MARGIN: Duration = Duration::minutes(15);

/// Which project a token is scoped to.
pub(crate) enum Scope<'a> {
    /// By project id.
    Id(&'a str),
    /// By project name, which for a region's default project is the region id.
    Name(&'a str),
}

/// A token IAM issued.
pub(crate) struct IssuedToken {
    pub token: SecretString,
    pub expires_at: DateTime<Utc>,
    pub project_id: Option<String>,
}

impl IssuedToken {
    /// Whether the token must be exchanged again before use at `now`.
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        self.expires_at - REFRESH_MARGIN <= now
    }
}

/// Exchanges a password for a project-scoped token.
pub(crate) async fn issue_token(
    http: &reqwest::Client,
    iam_endpoint: &str,
    auth: &PasswordAuth,
    scope: Scope<'_>,
) -> Result<IssuedToken, Error> {
    let project = match scope {
        Scope::Id(id) => json!({ "id": id }),
        Scope::Name(name) => json!({ "name": name }),
    };
    let body = json!({
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": { "user": {
                    "name": auth.user,
                    "password": auth.password.expose_secret(),
                    "domain": { "name": auth.domain },
                } },
            },
            "scope": { "project": project },
        }
    });
    let url = format!("{}/v3/auth/tokens", iam_endpoint.trim_end_matches('/'));
    let response = http.post(&url).json(&body).send().await.map_err(|e| {
        Error::Credentials(format!(
            "IAM token request to {iam_endpoint} failed: {}",
            without_url(&e)
        ))
    })?;
    let status = response.status();
    let id = request_id(response.headers());
    let token = response
        .headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = read_answer(response, "token").await?;
    if !status.is_success() {
        return Err(iam_refusal("token", status.as_u16(), id, &bytes));
    }
    let token = token.ok_or_else(|| Error::Credentials("IAM answered without an X-Subject-Token header".into()))?;

    #[derive(Deserialize)]
    struct Body {
        token: TokenBody,
    }
    #[derive(Deserialize)]
    struct TokenBody {
        expires_at: Option<String>,
        project: Option<Project>,
    }
    let parsed: Option<Body> = serde_json::from_slice(&bytes).ok();
    let expires_at = parsed
        .as_ref()
        .and_then(|b| b.token.expires_at.as_deref())
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        // IAM tokens are valid for 24 hours; assume less when IAM does not say.
        .unwrap_or_else(|| Utc::now() + Duration::hours(1));
    let project_id = parsed.and_then(|b| b.token.project).map(|p| p.id);
    Ok(IssuedToken {
        token: SecretString::from(token),
        expires_at,
        project_id,
    })
}

#[derive(Deserialize)]
struct Project {
    id: String,
}

/// Project ids found so far, by credential and region (they never change).
fn project_cache() -> &'static Mutex<HashMap<(String, String), String>> {
    static CACHE: OnceLock<Mutex<HashMap<(String, String), String>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The id of the project named after `region`, looked up once per access key and region.
pub(crate) async fn project_id(
    http: &reqwest::Client,
    iam_endpoint: &str,
    credentials: &Credentials,
    region: &str,
) -> Result<String, Error> {
    let (ak, sk, token) = match credentials {
        Credentials::AkSk(keys) => (
            keys.ak.clone(),
            keys.sk.expose_secret().to_owned(),
            keys.security_token.clone(),
        ),
        _ => {
            return Err(Error::Credentials(
                "project lookup by signature needs AK/SK credentials".into(),
            ));
        }
    };
    let key = (ak.clone(), region.to_owned());
    if let Some(id) = project_cache()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&key)
    {
        return Ok(id.clone());
    }
    let url = format!("{}/v3/projects", iam_endpoint.trim_end_matches('/'));
    let mut request = http
        .get(&url)
        .query(&[("name", region)])
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, crate::USER_AGENT)
        .build()
        .map_err(|e| Error::Config(format!("IAM endpoint {iam_endpoint} is unusable: {}", without_url(&e))))?;
    let extra: Vec<(&str, &str)> = token.iter().map(|t| ("X-Security-Token", t.expose_secret())).collect();
    sign_request(&mut request, &ak, &sk, &extra);
    let response = http.execute(request).await.map_err(|e| {
        Error::Credentials(format!(
            "IAM project lookup at {iam_endpoint} failed: {}",
            without_url(&e)
        ))
    })?;
    let status = response.status();
    let id = request_id(response.headers()).or_else(|| {
        response
            .headers()
            .get("x-iam-trace-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    let bytes = read_answer(response, "project").await?;
    if !status.is_success() {
        return Err(iam_refusal("project lookup", status.as_u16(), id, &bytes));
    }
    #[derive(Deserialize)]
    struct Projects {
        #[serde(default)]
        projects: Vec<Project>,
    }
    let projects: Projects = serde_json::from_slice(&bytes)
        .map_err(|e| Error::Credentials(format!("IAM project list is not the expected JSON: {e}")))?;
    let project = match projects.projects.as_slice() {
        [one] => one.id.clone(),
        [] => {
            return Err(Error::Credentials(format!(
                "IAM knows no project named {region}{}",
                id.map(|i| format!(" (trace id {i})")).unwrap_or_default()
            )));
        }
        several => {
            let ids: Vec<&str> = several.iter().map(|p| p.id.as_str()).collect();
            return Err(Error::Credentials(format!(
                "IAM has several projects named {region} ({}); set the project id",
                ids.join(", ")
            )));
        }
    };
    project_cache()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(key, project.clone());
    Ok(project)
}

fn iam_refusal(what: &str, status: u16, request_id: Option<String>, body: &[u8]) -> Error {
    let detail = ServiceError::from_body("IAM", status, request_id, body);
    Error::Credentials(format!("IAM refused the {what}: {detail}"))
}

/// An IAM answer's body, read like the service's (see `response_body`): a success body within
/// the default limit, an error body up to its cap.
async fn read_answer(mut response: reqwest::Response, what: &str) -> Result<bytes::Bytes, Error> {
    use crate::response_body::{self, Unread};
    let limit = crate::DEFAULT_MAX_RESPONSE_BYTES;
    response_body::read(&mut response, limit)
        .await
        .map_err(|unread| match unread {
            Unread::TooLarge => {
                Error::Credentials(format!("IAM {what} response is larger than the limit of {limit} bytes"))
            }
            Unread::Failed(e) => Error::Credentials(format!("IAM {what} response unreadable: {}", without_url(&e))),
        })
}
