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
/// Build one with [`Client::builder`]. Everyday calls are methods of the client
/// ([`Client::update_audit_security_group`], [`Client::list_audit_instances`], ...); every
/// operation of the API is reachable through [`Client::ops`].
#[derive(Clone, Debug)]
pub struct Client {
    api: dbss_api::Client,
    config: Arc<Config>,
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
        let api = dbss_api::Client::new_with_client(&config.endpoint, http, dbss_api::Inner::new(transport));
        Ok(Client { api, config })
    }

    /// Every operation of the API as a request builder, with the project id already set.
    /// Finish a builder with [`crate::Operation::call`].
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use dbss::Operation;
    /// let page = client.ops().list_audit_instances().offset("0").limit("50").call().await?;
    /// # Ok(()) }
    /// ```
    pub fn ops(&self) -> Ops<'_> {
        Ops {
            api: &self.api,
            project_id: &self.config.project_id,
            domain_id: self.config.domain_id.as_deref(),
        }
    }

    /// The generated client itself, for what `ops` does not cover.
    pub fn api(&self) -> &dbss_api::Client {
        &self.api
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
