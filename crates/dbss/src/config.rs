//! Client configuration: where to send requests, as whom, and how patiently.

use std::{sync::Arc, time::Duration};

use crate::{Client, credentials::Credentials, error::Error, region::Region};

/// Environment variables read by [`ClientBuilder::from_env`], named as the official SDKs name them.
pub mod env {
    /// Access key.
    pub const AK: &str = "HUAWEICLOUD_SDK_AK";
    /// Secret key.
    pub const SK: &str = "HUAWEICLOUD_SDK_SK";
    /// Security token of temporary keys.
    pub const SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
    /// Project id.
    pub const PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
    /// Prefix of the per-region endpoint override, followed by the upper-cased region id with
    /// `-` replaced by `_` (`HUAWEICLOUD_SDK_REGION_DBSS_CN_NORTH_4`); comma-separated, first wins.
    pub const REGION_OVERRIDE_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_DBSS_";
}

/// How failed attempts are retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Backoff ceiling of the first retry; it doubles each retry, up to `max_delay`.
    pub base_delay: Duration,
    /// Largest backoff ceiling.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

/// A complete, validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) endpoint: String,
    pub(crate) project_id: String,
    pub(crate) credentials: Credentials,
    pub(crate) connect_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) total_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
}

/// Builds a [`Client`].
///
/// ```
/// # fn main() -> Result<(), dbss::Error> {
/// let client = dbss::Client::builder()
///     .region("cn-north-4")
///     .project_id("0123456789abcdef0123456789abcdef")
///     .credentials(dbss::Credentials::ak_sk("AK", "SK"))
///     .build()?;
/// assert_eq!(client.endpoint(), "https://dbss.cn-north-4.myhuaweicloud.com");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct ClientBuilder {
    endpoint: Option<String>,
    region: Option<String>,
    project_id: Option<String>,
    credentials: Option<Credentials>,
    connect_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl ClientBuilder {
    /// A builder pre-filled from the official SDKs' environment variables ([`env`]):
    /// credentials (AK/SK, with the security token when set) and project id.
    pub fn from_env() -> ClientBuilder {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let credentials = match (var(env::AK), var(env::SK), var(env::SECURITY_TOKEN)) {
            (Some(ak), Some(sk), Some(token)) => Some(Credentials::temporary(ak, sk, token)),
            (Some(ak), Some(sk), None) => Some(Credentials::ak_sk(ak, sk)),
            _ => None,
        };
        ClientBuilder {
            credentials,
            project_id: var(env::PROJECT_ID),
            ..ClientBuilder::default()
        }
    }

    /// The region whose endpoint to use (see [`crate::REGIONS`]).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An explicit endpoint (`https://host[:port]`, or `http://` for a local simulator);
    /// it wins over [`ClientBuilder::region`].
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The project the calls act in.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// Who the calls are made as.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed to each attempt, from sending to the end of the response (default 60 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Time allowed to a call, all attempts and backoff included (default: unlimited).
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// How failed attempts are retried (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let endpoint = match (self.endpoint, self.region) {
            (Some(endpoint), _) => explicit_endpoint(&endpoint)?,
            (None, Some(region)) => region_endpoint(&region)?,
            (None, None) => {
                return Err(Error::Config("no endpoint: set a region or an endpoint".into()));
            }
        };
        let project_id = self.project_id.filter(|p| !p.is_empty()).ok_or_else(|| {
            Error::Config(format!(
                "no project id: set one, or the {} environment variable",
                env::PROJECT_ID
            ))
        })?;
        if !project_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::Config(
                "the project id may only hold letters, digits, '-' and '_'".into(),
            ));
        }
        let credentials = self.credentials.ok_or_else(|| {
            Error::Config(format!(
                "no credentials: set them, or the {} and {} environment variables",
                env::AK,
                env::SK
            ))
        })?;
        credentials.validate().map_err(Error::Config)?;
        let config = Config {
            endpoint,
            project_id,
            credentials,
            connect_timeout: self.connect_timeout.unwrap_or(Duration::from_secs(10)),
            attempt_timeout: self.attempt_timeout.unwrap_or(Duration::from_secs(60)),
            total_timeout: self.total_timeout,
            retry: self.retry.unwrap_or_default(),
        };
        if config.retry.max_attempts == 0 {
            return Err(Error::Config("retry.max_attempts must be at least 1".into()));
        }
        Client::from_config(Arc::new(config))
    }
}

fn explicit_endpoint(endpoint: &str) -> Result<String, Error> {
    let url =
        url::Url::parse(endpoint).map_err(|e| Error::Config(format!("endpoint {endpoint:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Config(format!(
            "endpoint {endpoint:?} must be an http(s) URL with a host"
        )));
    }
    Ok(endpoint.trim_end_matches('/').to_owned())
}

fn region_endpoint(region: &str) -> Result<String, Error> {
    let variable = format!(
        "{}{}",
        env::REGION_OVERRIDE_PREFIX,
        region.to_uppercase().replace('-', "_")
    );
    let endpoint = match std::env::var(&variable)
        .ok()
        .and_then(|v| v.split(',').map(str::trim).find(|e| !e.is_empty()).map(str::to_owned))
    {
        Some(endpoint) => endpoint,
        None => Region::find(region)
            .map(|r| r.endpoint.to_owned())
            .ok_or_else(|| Error::Config(format!("unknown region {region:?}; set an endpoint, or {variable}")))?,
    };
    if !endpoint.starts_with("https://") {
        return Err(Error::Config(format!(
            "endpoint {endpoint:?} for region {region} must use https"
        )));
    }
    explicit_endpoint(&endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ClientBuilder {
        Client::builder()
            .project_id("p1")
            .credentials(Credentials::ak_sk("AK", "SK"))
    }

    #[test]
    fn endpoint_comes_from_region_or_is_taken_as_given() {
        assert_eq!(
            base()
                .region("eu-west-101")
                .build()
                .map(|c| c.endpoint().to_owned())
                .ok()
                .as_deref(),
            Some("https://dbss.eu-west-101.myhuaweicloud.eu")
        );
        assert_eq!(
            base()
                .endpoint("http://127.0.0.1:8080/")
                .build()
                .map(|c| c.endpoint().to_owned())
                .ok()
                .as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert!(matches!(base().region("nowhere-1").build(), Err(Error::Config(m)) if m.contains("unknown region")));
        assert!(matches!(base().endpoint("ftp://x").build(), Err(Error::Config(_))));
        assert!(matches!(base().build(), Err(Error::Config(m)) if m.contains("no endpoint")));
    }

    #[test]
    fn missing_or_bad_settings_are_named() {
        let no_project = Client::builder()
            .region("cn-north-4")
            .credentials(Credentials::ak_sk("AK", "SK"))
            .build();
        assert!(matches!(no_project, Err(Error::Config(m)) if m.contains("project id")));
        let no_credentials = Client::builder().region("cn-north-4").project_id("p").build();
        assert!(matches!(no_credentials, Err(Error::Config(m)) if m.contains("credentials")));
        let bad_project = base().region("cn-north-4").project_id("../x").build();
        assert!(matches!(bad_project, Err(Error::Config(_))));
    }
}
