//! The simulator without a socket: a request handed over in memory goes through the same
//! pipeline as one read off a connection (routing, faults, authentication, validation, the
//! operation, the answer's check against the spec). The fuzz target of the simulator's request
//! handling drives it this way: a connection per input would cost more than the request.

use std::sync::Arc;

use axum::{
    body::{Body, to_bytes},
    http::{Request, Response},
};

use crate::{
    Shared,
    pipeline::{self, Reset},
};

/// A simulator answering requests in memory, made by
/// [`SimulatorBuilder::in_memory`](crate::SimulatorBuilder::in_memory).
#[derive(Debug)]
pub struct InMemory {
    shared: Arc<Shared>,
}

impl InMemory {
    pub(crate) fn new(shared: Arc<Shared>) -> InMemory {
        InMemory { shared }
    }

    /// Answers `request` as the server answers it on a connection. The request carries what a
    /// client sends, `Host` header included. `Err(Reset)` is a `reset` fault: the server would
    /// close the connection without answering.
    pub async fn answer(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Reset> {
        let response = pipeline::handle(self.shared.clone(), request.map(Body::from)).await?;
        let (parts, body) = response.into_parts();
        // The pipeline's bodies are bytes in memory, or a stream of such chunks that never
        // fails: there is no read error to report.
        let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
        Ok(Response::from_parts(parts, body.to_vec()))
    }
}
