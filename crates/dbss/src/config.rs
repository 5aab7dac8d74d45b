//! Client configuration: where to send requests, as whom, and how patiently.
//!
//! Whatever is not set explicitly is looked up the way Huawei's official SDKs look it up:
//! credentials and project id from the environment, then from the profile file; endpoints
//! from the per-region override variable, then the regions file, then the built-in table.

use std::{collections::HashMap, time::Duration};

use crate::{
    credentials::Credentials,
    env,
    error::Error,
    provider,
    region::{self, Region},
    retry::RetryPolicy,
};

/// A complete, validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) endpoint: String,
    pub(crate) region: Option<String>,
    pub(crate) project_id: String,
    pub(crate) domain_id: Option<String>,
    pub(crate) credentials: Credentials,
    pub(crate) iam_endpoint: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) total_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: u64,
    /// Prepare and sign requests, but hand them back instead of sending them.
    pub(crate) dry_run: bool,
}

/// Builds a [`Client`](crate::Client).
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
    domain_id: Option<String>,
    credentials: Option<Credentials>,
    iam_endpoint: Option<String>,
    connect_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    max_response_bytes: Option<u64>,
    dry_run: bool,
    /// Variables to read instead of the process environment.
    environment: Option<HashMap<String, String>>,
}

impl ClientBuilder {
    /// A builder that reads nothing from the environment beyond what [`ClientBuilder::build`]
    /// always consults; kept for readability at call sites that rely on the environment.
    pub fn from_env() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The region whose endpoint to use (see [`crate::REGIONS`]).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An explicit endpoint (`https://host[:port]`, or `http://` for a local simulator);
    /// it wins over [`ClientBuilder::region`]. An endpoint holding a user name or password
    /// (`http://user:pass@host`) is refused by [`ClientBuilder::build`]: credentials never
    /// travel in URLs.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The project the calls act in.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// The account (domain) id, for the operations whose path holds `{domain_id}`.
    pub fn domain_id(mut self, domain_id: impl Into<String>) -> Self {
        self.domain_id = Some(domain_id.into());
        self
    }

    /// Who the calls are made as. Without this, credentials come from the environment
    /// (`HUAWEICLOUD_SDK_AK`/`_SK`/`_SECURITY_TOKEN`), then from the profile file; values found
    /// there are trimmed (see [`env`]). Credentials given here are used exactly as given.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The IAM endpoint for token exchange and project lookup (default:
    /// `$HUAWEICLOUD_SDK_IAM_ENDPOINT`, the profile's `iam_endpoint`, the region's IAM, or for
    /// an explicit endpoint without a region, that endpoint).
    pub fn iam_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.iam_endpoint = Some(endpoint.into());
        self
    }

    /// Reads these variables instead of the process environment (for tools and tests).
    pub fn environment(mut self, vars: impl IntoIterator<Item = (String, String)>) -> Self {
        self.environment = Some(vars.into_iter().collect());
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

    /// The largest success response body the client reads, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](crate::DEFAULT_MAX_RESPONSE_BYTES), 32 MiB; at least 1).
    ///
    /// A larger body is refused with [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge),
    /// naming the operation and the limit: before reading it when its `Content-Length`
    /// announces more, else as soon as more has arrived; it is never held whole. Error bodies
    /// are read up to 64 KiB whatever this limit (enough for a code and a message) and the rest
    /// is left unread. Downloads (reports, agent packages) are streamed and not limited.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// A dry run: every call prepares and signs its request as usual, then fails with
    /// [`Error::DryRun`] holding that request (credentials redacted) instead of sending it.
    /// Password credentials are not exchanged at IAM either.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Everything but the project-id lookup; the reason the project id is missing, if it is.
    pub(crate) fn resolve(self) -> Result<(Config, Option<String>), Error> {
        let environment = self.environment;
        let var = |name: &str| -> Option<String> {
            match &environment {
                Some(vars) => vars.get(name).cloned(),
                None => std::env::var(name).ok(),
            }
            .filter(|v| !v.is_empty())
        };

        let endpoint = match (&self.endpoint, &self.region) {
            (Some(endpoint), _) => explicit_endpoint("endpoint", endpoint)?,
            (None, Some(region)) => region_endpoint(region, &var)?,
            (None, None) => return Err(Error::Config("no endpoint: set a region or an endpoint".into())),
        };

        // Credentials: explicit, then environment, then profile file; the project id and IAM
        // endpoint come along from wherever credentials were found, unless set explicitly.
        let mut looked = Vec::new();
        let mut found = provider::Found::default();
        let mut credentials = self.credentials;
        if credentials.is_none() {
            looked.push("explicit configuration (none given)".to_owned());
        }
        let from_env = provider::from_env(&var).map_err(Error::Config)?;
        let profile_path = crate::profile_file::path_in(&var);
        let from_profile = match &profile_path {
            Some(path) => provider::from_profile(path)?,
            None => None,
        };
        for source in [Some(from_env), from_profile] {
            let Some(source) = source else { continue };
            if credentials.is_none() {
                credentials = source.credentials.clone();
            }
            found.project_id = found.project_id.or(source.project_id);
            found.iam_endpoint = found.iam_endpoint.or(source.iam_endpoint);
        }
        let Some(credentials) = credentials else {
            looked.push(format!("environment ({} and {} not set)", env::AK, env::SK));
            looked.push(match &profile_path {
                Some(path) if path.exists() => format!("profile file {} (no keys in it)", path.display()),
                Some(path) => format!("profile file {} (not found)", path.display()),
                None => "profile file (no home directory to look in)".to_owned(),
            });
            return Err(Error::Config(format!(
                "no credentials found; looked in: {}",
                looked.join("; ")
            )));
        };
        credentials.validate().map_err(Error::Config)?;

        let project_id = self.project_id.or(found.project_id).filter(|p| !p.is_empty());
        let missing_project = project_id.is_none().then(|| {
            format!(
                "no project id: set one, or the {} environment variable, or project_id in the profile file",
                env::PROJECT_ID
            )
        });
        if let Some(project) = &project_id {
            check_project_id(project)?;
        }
        let iam_endpoint = match self
            .iam_endpoint
            .or_else(|| var(env::IAM_ENDPOINT))
            .or(found.iam_endpoint)
        {
            Some(explicit) => explicit_endpoint("IAM endpoint", &explicit)?,
            None => match (&self.endpoint, &self.region) {
                (None, Some(region)) => region::iam_endpoint(region),
                _ => endpoint.clone(),
            },
        };
        let config = Config {
            endpoint,
            region: self.region,
            project_id: project_id.unwrap_or_default(),
            domain_id: self.domain_id.or_else(|| var(env::DOMAIN_ID)),
            credentials,
            iam_endpoint,
            connect_timeout: self.connect_timeout.unwrap_or(Duration::from_secs(10)),
            attempt_timeout: self.attempt_timeout.unwrap_or(Duration::from_secs(60)),
            total_timeout: self.total_timeout,
            retry: self.retry.unwrap_or_default(),
            max_response_bytes: self.max_response_bytes.unwrap_or(crate::DEFAULT_MAX_RESPONSE_BYTES),
            dry_run: self.dry_run,
        };
        if config.max_response_bytes == 0 {
            return Err(Error::Config("max_response_bytes must be at least 1".into()));
        }
        if config.retry.max_attempts == 0 {
            return Err(Error::Config("retry.max_attempts must be at least 1".into()));
        }
        Ok((config, missing_project))
    }
}

pub(crate) fn check_project_id(project_id: &str) -> Result<(), Error> {
    if project_id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(())
    } else {
        Err(Error::Config(
            "the project id may only hold letters, digits, '-' and '_'".into(),
        ))
    }
}

/// An endpoint (`what` says which, for messages) checked: an http(s) URL with a host and no
/// user name or password. Credentials in a URL would be sent by the HTTP client as a Basic
/// `Authorization` header, in place of the signature (a 401 every time), and end up in logs.
fn explicit_endpoint(what: &str, endpoint: &str) -> Result<String, Error> {
    let shown = without_userinfo(endpoint);
    let url = url::Url::parse(endpoint).map_err(|e| Error::Config(format!("{what} {shown:?} is not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(format!(
            "{what} {shown:?} holds a user name or password (`user:password@`): credentials never go in \
             a URL; give them as credentials (explicitly, in the environment or in the profile file)"
        )));
    }
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Config(format!(
            "{what} {shown:?} must be an http(s) URL with a host"
        )));
    }
    Ok(endpoint.trim_end_matches('/').to_owned())
}

/// `endpoint` as it may be shown in a message: whatever lies between the scheme and the last
/// `@` (a user name and password, perhaps mistyped so that the URL does not parse) masked.
fn without_userinfo(endpoint: &str) -> std::borrow::Cow<'_, str> {
    let start = endpoint.find("://").map_or(0, |i| i + 3);
    match endpoint[start..].rfind('@') {
        Some(at) => format!("{}***@{}", &endpoint[..start], &endpoint[start + at + 1..]).into(),
        None => endpoint.into(),
    }
}

/// A region's endpoint: the override variable, then the regions file, then the built-in table.
/// Derived endpoints must use https.
fn region_endpoint(region: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<String, Error> {
    let variable = format!(
        "{}{}",
        env::REGION_OVERRIDE_PREFIX,
        region.to_uppercase().replace('-', "_")
    );
    let from_variable =
        var(&variable).and_then(|v| v.split(',').map(str::trim).find(|e| !e.is_empty()).map(str::to_owned));
    let from_file = || region::from_regions_file(var, region).map_err(Error::Config);
    let (endpoint, source) = match from_variable {
        Some(endpoint) => (endpoint, variable),
        None => match from_file()? {
            Some(endpoint) => (endpoint, "the regions file".to_owned()),
            None => Region::find(region)
                .map(|r| (r.endpoint.to_owned(), "the built-in table".to_owned()))
                .ok_or_else(|| {
                    Error::Config(format!(
                        "unknown region {region:?}; set an endpoint, {variable}, or a regions file entry"
                    ))
                })?,
        },
    };
    // Checked before anything else, so that no message shows a password it holds.
    let endpoint = explicit_endpoint(&format!("endpoint of region {region} (from {source})"), &endpoint)?;
    if !endpoint.starts_with("https://") {
        return Err(Error::Config(format!(
            "endpoint {endpoint:?} for region {region} (from {source}) must use https"
        )));
    }
    Ok(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ClientBuilder {
        ClientBuilder::default()
            .project_id("p1")
            .credentials(Credentials::ak_sk("AK", "SK"))
            .environment([])
    }

    fn endpoint_of(builder: ClientBuilder) -> Option<String> {
        builder.build().ok().map(|c| c.endpoint().to_owned())
    }

    #[test]
    fn endpoint_comes_from_region_or_is_taken_as_given() {
        assert_eq!(
            endpoint_of(base().region("eu-west-101")).as_deref(),
            Some("https://dbss.eu-west-101.myhuaweicloud.eu")
        );
        assert_eq!(
            endpoint_of(base().endpoint("http://127.0.0.1:8080/")).as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert!(matches!(base().region("nowhere-1").build(), Err(Error::Config(m)) if m.contains("unknown region")));
        assert!(matches!(base().endpoint("ftp://x").build(), Err(Error::Config(_))));
        assert!(matches!(base().build(), Err(Error::Config(m)) if m.contains("no endpoint")));
    }

    #[test]
    fn the_override_variable_wins_and_must_be_https() {
        let vars = |v: &str| [(format!("{}CN_NORTH_4", env::REGION_OVERRIDE_PREFIX), v.to_owned())];
        assert_eq!(
            endpoint_of(
                base()
                    .environment(vars(" https://a.example , https://b.example"))
                    .region("cn-north-4")
            )
            .as_deref(),
            Some("https://a.example")
        );
        assert!(
            matches!(base().environment(vars("http://plain")).region("cn-north-4").build(), Err(Error::Config(m)) if m.contains("https"))
        );
    }

    #[test]
    fn credentials_in_an_endpoint_are_refused_without_showing_them() {
        let refused = |builder: ClientBuilder| match builder.build() {
            Err(Error::Config(message)) => message,
            other => panic!("expected a configuration error, got {other:?}"),
        };
        let message = refused(base().endpoint("http://u:hunter2@127.0.0.1:8080"));
        assert!(
            message.contains("user name or password") && message.contains("http://***@127.0.0.1:8080"),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
        let user_only = refused(base().endpoint("https://admin@dbss.example"));
        assert!(user_only.contains("user name or password"), "{user_only}");
        let iam = refused(
            base()
                .endpoint("http://127.0.0.1:8080")
                .iam_endpoint("https://u:hunter2@iam.example"),
        );
        assert!(iam.starts_with("IAM endpoint") && !iam.contains("hunter2"), "{iam}");
        let variable = format!("{}CN_NORTH_4", env::REGION_OVERRIDE_PREFIX);
        let overridden = refused(
            base()
                .environment([(variable.clone(), "https://u:hunter2@dbss.example".to_owned())])
                .region("cn-north-4"),
        );
        assert!(
            overridden.contains(&variable) && !overridden.contains("hunter2"),
            "{overridden}"
        );
        // Even a URL that does not parse is shown without what precedes its `@`.
        let garbled = refused(base().endpoint("http://u:hunter2/x@host:port"));
        assert!(!garbled.contains("hunter2"), "{garbled}");
    }

    #[test]
    fn missing_or_bad_settings_are_named() {
        let no_project = ClientBuilder::default()
            .region("cn-north-4")
            .credentials(Credentials::ak_sk("AK", "SK"))
            .environment([])
            .build();
        assert!(matches!(no_project, Err(Error::Config(m)) if m.contains("project id") && m.contains("build_async")));
        let no_credentials = ClientBuilder::default()
            .region("cn-north-4")
            .project_id("p")
            .environment([("HOME".to_owned(), "/nonexistent".to_owned())])
            .build();
        let Err(Error::Config(message)) = no_credentials else {
            panic!("expected a configuration error")
        };
        for place in [
            "explicit configuration",
            "environment (HUAWEICLOUD_SDK_AK",
            "/nonexistent/.huaweicloud/credentials (not found)",
        ] {
            assert!(message.contains(place), "{message}");
        }
        let bad_project = base().region("cn-north-4").project_id("../x").build();
        assert!(matches!(bad_project, Err(Error::Config(_))));
    }
}
