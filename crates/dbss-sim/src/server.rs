//! Accepts connections and serves HTTP/1.1 on them.
//!
//! The connection loop is hyper's, not `axum::serve`'s, for one reason: a `reset` fault must
//! close the connection without answering, which a request handler can only ask for by
//! failing, and hyper (unlike `axum::serve`, whose services cannot fail) then drops the
//! connection. What a connection may cost (timeouts, the cap) is in [`crate::connections`].

use std::{collections::VecDeque, sync::Arc, time::Duration};

use axum::{body::Body, http::Request};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use tokio::{
    net::{TcpListener, TcpStream},
    sync::oneshot,
    task::JoinSet,
};

use crate::{
    Shared,
    connections::{Connections, Slot, Watched},
    pipeline::{self, Authenticated, Reset},
};

/// Serves until `stop` fires (or its sender is dropped); open connections are then closed.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let registry = Arc::new(Connections::new());
    let cap = shared.settings.limits.max_connections.max(1);
    let mut tasks = JoinSet::new();
    // Accepted while no connection could make room: served in order once one can.
    let mut waiting: VecDeque<TcpStream> = VecDeque::new();
    loop {
        while !waiting.is_empty() && (registry.len() < cap || registry.evict_one()) {
            if let Some(stream) = waiting.pop_front() {
                spawn(&mut tasks, stream, &shared, &registry);
            }
        }
        tokio::select! {
            _ = &mut stop => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            _ = tokio::time::sleep(RETRY), if !waiting.is_empty() => {}
            accepted = listener.accept(), if waiting.len() < cap => match accepted {
                Ok((stream, _)) => waiting.push_back(stream),
                Err(e) => {
                    // Typically out of file descriptors: an idle connection makes room, else
                    // wait for one to close.
                    tracing::warn!("accept failed: {e}");
                    let pause = if registry.evict_one() { Duration::from_millis(1) } else { RETRY };
                    tokio::time::sleep(pause).await;
                }
            },
        }
    }
}

/// How often waiting connections look for room.
const RETRY: Duration = Duration::from_millis(20);

fn spawn(tasks: &mut JoinSet<()>, stream: TcpStream, shared: &Arc<Shared>, registry: &Arc<Connections>) {
    let slot = registry.open();
    let (shared, registry) = (shared.clone(), registry.clone());
    tasks.spawn(async move {
        connection(stream, shared, &slot).await;
        registry.close(&slot);
    });
}

/// Serves one connection until the client closes it or it runs out of time.
async fn connection(stream: TcpStream, shared: Arc<Shared>, slot: &Arc<Slot>) {
    let limits = shared.settings.limits;
    let io = TokioIo::new(Watched {
        inner: stream,
        slot: slot.clone(),
    });
    let request_slot = slot.clone();
    let service = service_fn(move |request: Request<Incoming>| {
        let (shared, slot) = (shared.clone(), request_slot.clone());
        async move {
            if !slot.begin_request() {
                // Chosen to make room just as this request arrived.
                return Err(Reset);
            }
            let answer = pipeline::handle(shared, request.map(Body::new)).await;
            let authenticated = matches!(&answer, Ok(r) if r.extensions().get::<Authenticated>().is_some());
            slot.end_request(authenticated);
            answer
        }
    });
    let serving = http1::Builder::new().serve_connection(io, service);
    tokio::select! {
        // Errors here are clients going away, or a reset fault: nothing to do.
        served = serving => if let Err(e) = served {
            tracing::debug!("connection ended: {e}");
        },
        reason = slot.expiry(&limits) => tracing::debug!("connection closed: {reason}"),
    }
}
