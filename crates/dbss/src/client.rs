//! The client users hold, and the raw operations it exposes.

use std::sync::Arc;

use crate::{
    config::{ClientBuilder, Config, check_project_id},
    credentials::Credentials,
    error::Error,
    iam::{self, IssuedToken},
    ops::Ops,
    transport::SigningTransport,
};

/// A DBSS client: configuration, credentials and a connection pool. Cheap to clone.
///
/// Build one with [`Client::builder`]. Everyday work goes through the resource facade
/// ([`Client::instances`], [`Client::databases`], ... — current operations only); every
/// operation of the API, deprecated ones included, is reachable through [`Client::ops`].
#[derive(Clone, Debug)]
pub struct Client {
    api: dbss_api::Client,
    config: Arc<Config>,
    transport: Arc<SigningTransport>,
}

/// Settings that may differ from the client's for some calls (see [`Client::with_options`]).
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Time allowed to each attempt.
    pub attempt_timeout: Option<std::time::Duration>,
    /// Time allowed to a call, attempts and backoff included.
    pub total_timeout: Option<std::time::Duration>,
    /// Retry policy.
    pub retry: Option<crate::RetryPolicy>,
    /// Whether requests are only shown, not sent (see [`crate::ClientBuilder::dry_run`]).
    /// `Some(false)` on a dry-run client gives one that sends: for the reads a dry run needs
    /// to show what it would do (finding an instance by name), with the same token.
    pub dry_run: Option<bool>,
}

impl Client {
    /// A builder with nothing set.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    pub(crate) fn from_config(config: Arc<Config>, first_token: Option<IssuedToken>) -> Result<Client, Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(crate::USER_AGENT)
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let transport = Arc::new(SigningTransport::new(config.clone(), first_token));
        let api = dbss_api::Client::new_with_client(&config.endpoint, http, dbss_api::Inner::new(transport.clone()));
        Ok(Client { api, config, transport })
    }

    /// A client for some calls with other timeouts, retries or dry-run setting; it shares this
    /// client's connections and token, and its retry budget unless a new retry policy is given.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use std::time::Duration;
    /// let patient = client.with_options(dbss::CallOptions { total_timeout: Some(Duration::from_secs(300)), ..Default::default() });
    /// let instance = patient.instances().get("062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
    /// # Ok(()) }
    /// ```
    pub fn with_options(&self, options: CallOptions) -> Client {
        let mut config = (*self.config).clone();
        if let Some(timeout) = options.attempt_timeout {
            config.attempt_timeout = timeout;
        }
        if options.total_timeout.is_some() {
            config.total_timeout = options.total_timeout;
        }
        if let Some(dry_run) = options.dry_run {
            config.dry_run = dry_run;
        }
        let new_budget = options.retry.is_some();
        if let Some(retry) = options.retry {
            config.retry = retry;
        }
        let config = Arc::new(config);
        let transport = Arc::new(self.transport.with_config(config.clone(), new_budget));
        use progenitor_client::ClientInfo;
        let http = self.api.client().clone();
        let api = dbss_api::Client::new_with_client(&config.endpoint, http, dbss_api::Inner::new(transport.clone()));
        Client { api, config, transport }
    }

    /// Every operation of the API as a request builder, with the project id already set.
    /// Finish a builder with [`crate::Operation::call`].
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use dbss::Operation;
    /// let page = client.ops().list_audit_instances_last().offset("0").limit("50").call().await?;
    /// # Ok(()) }
    /// ```
    pub fn ops(&self) -> Ops<'_> {
        Ops {
            api: &self.api,
            project_id: &self.config.project_id,
            domain_id: self.config.domain_id.as_deref(),
        }
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &str {
        &self.config.endpoint
    }

    /// The project the calls act in.
    pub fn project_id(&self) -> &str {
        &self.config.project_id
    }
}

// Building lives beside the client rather than in `config`, so that the configuration does not
// depend on the client it configures (no import cycle between the two modules).
impl ClientBuilder {
    /// Validates the configuration and builds the client, without any network call. The
    /// project id must be known (set, in the environment or in the profile file); use
    /// [`ClientBuilder::build_async`] to look it up from the region through IAM.
    pub fn build(self) -> Result<Client, Error> {
        let (config, missing_project) = self.resolve()?;
        if let Some(reason) = missing_project {
            return Err(Error::Config(format!(
                "{reason}; or call build_async() to look it up from the region"
            )));
        }
        Client::from_config(Arc::new(config), None)
    }

    /// Like [`ClientBuilder::build`], and when no project id is configured, finds the region's
    /// project through IAM (`GET /v3/projects?name=<region>` for AK/SK; for a password, the
    /// token exchange scoped to the region's project reports it). Cached per credential and region.
    pub async fn build_async(self) -> Result<Client, Error> {
        let (mut config, missing_project) = self.resolve()?;
        let mut first_token = None;
        if let Some(reason) = missing_project {
            let region = config
                .region
                .clone()
                .ok_or_else(|| Error::Config(format!("{reason}; a region is needed to look it up")))?;
            let http = reqwest::Client::builder()
                .connect_timeout(config.connect_timeout)
                .timeout(config.attempt_timeout)
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
            config.project_id = match &config.credentials {
                Credentials::Password(auth) => {
                    let issued = iam::issue_token(&http, &config.iam_endpoint, auth, iam::Scope::Name(&region)).await?;
                    let id = issued
                        .project_id
                        .clone()
                        .ok_or_else(|| Error::Credentials("IAM's token names no project".into()))?;
                    first_token = Some(issued);
                    id
                }
                credentials => iam::project_id(&http, &config.iam_endpoint, credentials, &region).await?,
            };
            check_project_id(&config.project_id)?;
        }
        Client::from_config(Arc::new(config), first_token)
    }
}
