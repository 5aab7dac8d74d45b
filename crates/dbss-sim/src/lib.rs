//! # dbss-sim — a local Huawei Cloud DBSS
//!
//! A real HTTP server that answers DBSS API calls from in-memory state, authenticates them
//! like the real API gateway (AK/SK signatures, tokens) and refuses bad requests with DBSS
//! error codes. Run it as the `dbss-sim` binary, or in-process from tests:
//!
//! ```no_run
//! # async fn demo() -> Result<(), std::io::Error> {
//! let sim = dbss_sim::Simulator::builder().start().await?;
//! println!("DBSS at {} for project {}", sim.url(), sim.project_id());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod auth;
pub mod error;
mod middleware;
mod routes;
pub mod state;

use std::{net::SocketAddr, sync::Arc};

use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub use auth::Identity;
pub use state::State;

/// What every request handler shares.
#[derive(Debug)]
pub struct Shared {
    /// Who may call.
    pub identity: Identity,
    /// The service's data.
    pub state: State,
}

/// Configures a simulator.
#[derive(Debug)]
pub struct SimulatorBuilder {
    listen: SocketAddr,
    identity: Identity,
    state: Option<State>,
}

/// Credentials the simulator accepts unless told otherwise.
pub mod defaults {
    /// Access key.
    pub const AK: &str = "SIMULATORAK0000000000";
    /// Secret key.
    pub const SK: &str = "simulator-secret-key-0000000000000000000";
    /// Project id.
    pub const PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            identity: Identity {
                ak: defaults::AK.into(),
                sk: defaults::SK.into(),
                project_id: defaults::PROJECT_ID.into(),
                token: None,
            },
            state: None,
        }
    }
}

impl SimulatorBuilder {
    /// Address to listen on (default `127.0.0.1:0`, a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }
    /// The accepted access key pair.
    pub fn credentials(mut self, ak: impl Into<String>, sk: impl Into<String>) -> Self {
        self.identity.ak = ak.into();
        self.identity.sk = sk.into();
        self
    }
    /// The project of the credentials.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.identity.project_id = project_id.into();
        self
    }
    /// Also accept this IAM token as `X-Auth-Token`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.identity.token = Some(token.into());
        self
    }
    /// Start from this state instead of the seeded scenario.
    pub fn state(mut self, state: State) -> Self {
        self.state = Some(state);
        self
    }

    /// Binds the port and starts serving in the background.
    pub async fn start(self) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind(self.listen).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            identity: self.identity,
            state: self.state.unwrap_or_else(State::seeded),
        });
        let app = middleware::wrap(routes::router(shared.clone()), shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = server.await {
                tracing::error!("dbss-sim stopped: {e}");
            }
        });
        Ok(Simulator {
            addr,
            shared,
            stop: Some(stop),
            task,
        })
    }
}

/// A running simulator; it stops when dropped.
#[derive(Debug)]
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Simulator {
    /// A builder with the default credentials, project and seeded state.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }
    /// `http://host:port` of the simulator.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// Accepted access key.
    pub fn ak(&self) -> &str {
        &self.shared.identity.ak
    }
    /// Accepted secret key.
    pub fn sk(&self) -> &str {
        &self.shared.identity.sk
    }
    /// The credentials' project.
    pub fn project_id(&self) -> &str {
        &self.shared.identity.project_id
    }
    /// The simulator's data, for assertions.
    pub fn state(&self) -> &State {
        &self.shared.state
    }
    /// Serves until the task ends (used by the binary).
    pub async fn wait(mut self) {
        let task = std::mem::replace(&mut self.task, tokio::spawn(async {}));
        let _ = task.await;
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
