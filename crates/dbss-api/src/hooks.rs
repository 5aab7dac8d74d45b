//! The one hand-written seam in this crate: how requests leave the generated client.

use std::{fmt, future::Future, pin::Pin, sync::Arc};

use progenitor_client::{ClientHooks, OperationInfo};

/// The future a [`Transport`] returns.
pub type TransportFuture<'a> = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// The future [`Transport::prepare`] returns.
pub type PrepareFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Sends the requests of the generated client.
///
/// The `dbss` crate implements this to sign each attempt, retry, and record response
/// metadata. `operation_id` is the snake_case id of the operation being called.
pub trait Transport: Send + Sync + fmt::Debug {
    /// Runs once per call, before the first attempt: may add credentials that must be fetched
    /// first (an IAM token). An error stops the call; its text is the reason.
    fn prepare<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: &'a mut reqwest::Request,
        operation_id: &'static str,
    ) -> PrepareFuture<'a> {
        let _ = (client, request, operation_id);
        Box::pin(async { Ok(()) })
    }

    /// Sends `request` with `client` and returns the final response.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> TransportFuture<'a>;
}

/// State carried by the generated [`crate::Client`]: the transport its requests go through.
#[derive(Clone, Debug, Default)]
pub struct Inner {
    transport: Option<Arc<dyn Transport>>,
}

impl Inner {
    /// Routes requests through `transport`.
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        Self {
            transport: Some(transport),
        }
    }

    /// Sends requests as they are, unsigned: only useful against servers that need no auth.
    pub fn unsigned() -> Self {
        Self { transport: None }
    }
}

impl ClientHooks<Inner> for crate::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        match &self.inner.transport {
            Some(transport) => transport
                .prepare(&self.client, request, info.operation_id)
                .await
                .map_err(progenitor_client::Error::Custom),
            None => Ok(()),
        }
    }

    async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        match &self.inner.transport {
            Some(transport) => transport.execute(&self.client, request, info.operation_id).await,
            None => self.client.execute(request).await,
        }
    }
}
