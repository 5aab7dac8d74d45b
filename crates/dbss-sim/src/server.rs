//! Accepts connections and serves HTTP/1.1 on them.
//!
//! The connection loop is hyper's, not `axum::serve`'s, for one reason: a `reset` fault must
//! close the connection without answering, which a request handler can only ask for by
//! failing, and hyper (unlike `axum::serve`, whose services cannot fail) then drops the
//! connection.

use std::{sync::Arc, time::Duration};

use axum::{body::Body, http::Request};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use tokio::{net::TcpListener, sync::oneshot, task::JoinSet};

use crate::{Shared, pipeline};

/// Serves until `stop` fires (or its sender is dropped); open connections are then closed.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shared = shared.clone();
                    connections.spawn(async move {
                        let service = service_fn(move |request: Request<Incoming>| {
                            pipeline::handle(shared.clone(), request.map(Body::new))
                        });
                        // Errors here are clients going away, or a reset fault: nothing to do.
                        if let Err(e) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
                            tracing::debug!("connection ended: {e}");
                        }
                    });
                }
                Err(e) => {
                    // Typically out of file descriptors: wait for connections to close.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
        }
    }
}
