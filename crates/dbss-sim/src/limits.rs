//! What one client may cost the simulator: time allowed per phase of a connection, how many
//! connections are open at once, and how much memory request bodies may hold.

use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Limits of a running simulator, set with the [`SimulatorBuilder`](crate::SimulatorBuilder).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time allowed to receive a whole request head, from its first byte.
    pub header_read: Duration,
    /// Time allowed to receive a whole request body, from the end of its head.
    pub body_read: Duration,
    /// Time a connection may stay with no request in progress and no byte moving.
    pub idle: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
}

/// The limits the simulator uses unless told otherwise.
pub mod defaults {
    use std::time::Duration;

    /// A request head is a few hundred bytes: 10 s is generous even on a loaded CI machine.
    pub const HEADER_READ: Duration = Duration::from_secs(10);
    /// Bodies are at most [`MAX_BODY`] (4 MiB): 30 s is 140 KB/s.
    pub const BODY_READ: Duration = Duration::from_secs(30);
    /// Idle keep-alive connections of a client's pool (reqwest keeps them 90 s) are closed
    /// sooner; the client sees the close and dials again when it needs one.
    pub const IDLE: Duration = Duration::from_secs(30);
    /// Connections open at once (above it, or out of file descriptors, idle ones make room).
    pub const MAX_CONNECTIONS: usize = 4096;
    /// Largest request body of an API operation.
    pub const MAX_BODY: usize = 4 * 1024 * 1024;
    /// Largest body of an IAM token request (a user name, a password and a project name).
    pub const MAX_TOKEN_BODY: usize = 64 * 1024;
    /// Memory all request bodies being read may hold together: 8 largest bodies.
    pub const BODY_MEMORY: usize = 8 * MAX_BODY;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read: defaults::HEADER_READ,
            body_read: defaults::BODY_READ,
            idle: defaults::IDLE,
            max_connections: defaults::MAX_CONNECTIONS,
        }
    }
}

/// Unit of the body-memory budget: permits of a semaphore count KiB.
const UNIT: usize = 1024;

/// The memory request bodies may hold together. A body reserves its declared length (or the
/// largest allowed, when it is sent chunked) before it is read, and gives it back once its
/// request is answered; a request that cannot reserve waits, within its body-read timeout.
#[derive(Debug)]
pub(crate) struct BodyBudget {
    units: std::sync::Arc<Semaphore>,
    total_units: usize,
}

impl BodyBudget {
    pub(crate) fn new(bytes: usize) -> BodyBudget {
        let total_units = bytes.div_ceil(UNIT).max(1);
        BodyBudget {
            units: std::sync::Arc::new(Semaphore::new(total_units)),
            total_units,
        }
    }

    /// Waits until `bytes` of the budget are free and holds them until the permit drops.
    pub(crate) async fn reserve(&self, bytes: usize) -> Option<OwnedSemaphorePermit> {
        // A reservation larger than the whole budget would never be granted: it takes all of it.
        let units = bytes.div_ceil(UNIT).min(self.total_units);
        let units = u32::try_from(units).unwrap_or(u32::MAX);
        // The semaphore is never closed, so this fails only in theory.
        self.units.clone().acquire_many_owned(units).await.ok()
    }
}
