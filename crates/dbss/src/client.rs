//! The client users hold, and the raw operations it exposes.

use std::sync::Arc;

use crate::{
    config::{ClientBuilder, Config},
    error::Error,
    iam::IssuedToken,
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

    /// A client for some calls with other timeouts or retries; it shares this client's
    /// connections and token, and its retry budget unless a new retry policy is given.
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

/// The request builders of every operation (see [`Client::ops`]).
#[derive(Clone, Copy, Debug)]
pub struct Ops<'a> {
    pub(crate) api: &'a dbss_api::Client,
    pub(crate) project_id: &'a str,
    pub(crate) domain_id: Option<&'a str>,
}
