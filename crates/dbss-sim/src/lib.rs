//! # dbss-sim — a local Huawei Cloud DBSS
//!
//! A real HTTP server that serves every operation of `openapi/dbss.yaml`, authenticates
//! requests like the real API gateway (AK/SK signatures, IAM tokens), checks them against the
//! spec and refuses bad ones with DBSS error codes. Run it as the `dbss-sim` binary, or
//! in-process from tests:
//!
//! ```no_run
//! # async fn demo() -> Result<(), std::io::Error> {
//! let sim = dbss_sim::Simulator::builder().seed(7).start().await?;
//! println!("DBSS at {} for project {}", sim.url(), sim.project_id());
//! # Ok(()) }
//! ```
//!
//! [`SimulatorBuilder::in_memory`] makes one without a socket, answering the requests handed
//! to [`InMemory::answer`] through the same pipeline (what the simulator's fuzz target drives).
//!
//! ## What it answers
//!
//! * **Every operation of the spec.** Path and query parameters and JSON bodies are checked
//!   against the spec (required fields, types, integer widths and ranges, enums, lengths,
//!   item counts, patterns, and the documented bounds of integers carried as strings): a
//!   violation is `400` `DBSS.10000001` naming the field (`body.securitygroup_ids: expected
//!   1 item, got 2`). An unknown path is `404` `DBSS.10021004`; a known path with another
//!   method is `405` with `Allow`. The project id in
//!   the path must be the credential's (`403`). Every JSON answer is checked against the
//!   operation's response schema before it is sent.
//! * **State where it matters**, behind one lock: audit instances (orders build them, and
//!   start, stop, reboot and delete move them through tasks that finish after
//!   [`SimulatorBuilder::transition_delay`]; jobs; security groups; time zone; quota),
//!   databases (at most as many as the specification allows: `DBSS.10020118`), agents, risk,
//!   scope, SQL-injection and masking rules, whitelists, alarm and log-retention settings,
//!   tags, reports, and the encryption and O&M instances (name, password, security groups,
//!   elastic IP, lifecycle). The old `/v1/{project_id}/dbss/audit/*` operations and their
//!   `...New`/`...Last` successors read and write the same state.
//! * **Audit data made on the fly**: SQL records, alarms, operation logs and statistics are
//!   functions of the seed and the row index ([`SimulatorBuilder::audit_rows`] rows per
//!   instance with databases, over the 30 days before start), filtered and paginated as
//!   documented, so a million rows cost no memory.
//! * **Live audit data** with [`SimulatorBuilder::audit_rate`] (`--audit-rate N`): N new SQL
//!   records per second per instance with databases from the start on, and one alarm per 20
//!   of them (N/20 per second); one record in 8 becomes visible up to 3 s after its time, so
//!   a follower must re-read recent windows. Live records are listed with the history and
//!   their SQL details can be read; live alarms cannot be confirmed or deleted.
//! * **Everything else** is answered from its response schema with plausible values,
//!   deterministic for a given seed and request.
//! * **A minimal IAM**: `POST /v3/auth/tokens` (password method, for the user set with
//!   [`SimulatorBuilder::iam_user`]) answers `201` with `X-Subject-Token`, accepted as
//!   `X-Auth-Token` until it expires; `GET /v3/projects?name=<region>` returns the project.
//!
//! ## Limits
//!
//! Plain HTTP/1.1 (no TLS, no HTTP/2). Account ids in `/v1/{domain_id}/...` and
//! resource-manager paths are not checked. Backups, upgrades, monitoring, specifications,
//! availability zones, report templates and schedules, and the account-wide summaries are
//! answered from their schemas, without state.
//!
//! ## What a client may cost
//!
//! The credential is checked as far as the headers allow before a body is read (`401`
//! without reading it); bodies are at most 4 MiB (`413`) and those being read share a 32 MiB
//! budget. A request head must arrive within [`SimulatorBuilder::header_read_timeout`] of its
//! first byte, a body within [`SimulatorBuilder::body_read_timeout`] (`408`), and a connection
//! with nothing in progress and no byte moving is closed after
//! [`SimulatorBuilder::idle_timeout`]. At [`SimulatorBuilder::max_connections`], or out of file
//! descriptors, a new connection replaces an idle one quiet for a second (never-authenticated
//! first, oldest first), never one with a request in progress; when none can make room the
//! new one waits.
//!
//! ## Faults
//!
//! [`SimulatorBuilder::fault`] and `--fault` inject errors, dropped connections, latency and
//! slow bodies per operation, deterministically from the seed. The `--fault` syntax is a
//! comma-separated list of `key=value`:
//!
//! | key | meaning |
//! |---|---|
//! | `op` | `operationId` the fault applies to, or `*` for every operation (required); the IAM operations are `KeystoneCreateUserTokenByPassword` and `KeystoneListProjects` |
//! | `rate` | probability in `0..=1` that a matching request is hit (default `1`) |
//! | `times` | hit at most this many requests |
//! | `status` | answer this HTTP status instead of processing the request |
//! | `code` | that answer's error code (default `APIGW.0308` for 429, `DBSS.11000000` for 5xx, else `DBSS.10000001`) |
//! | `retry-after` | with `status`: send `Retry-After: <seconds>` |
//! | `reset` | `before`: close the connection without processing or answering; `after`: process the request (its changes stay), then close without answering |
//! | `slow-body-ms` | send the answer in chunks, this many milliseconds apart |
//! | `chunk` | with `slow-body-ms`: bytes per chunk (default 64) |
//! | `latency-ms` | wait this long before answering (combines with the others) |
//!
//! At most one of `status`, `reset` and `slow-body-ms` per fault; `--fault` may be repeated,
//! and `--latency-ms N` delays every answer. Examples:
//! `--fault 'op=ListAuditSqlsNew,status=503,rate=0.5,retry-after=1'`,
//! `--fault 'op=*,reset=after,times=1'`, `--fault 'op=ListAuditInstances,slow-body-ms=100'`.
//!
//! ## Scenarios
//!
//! `--state FILE` (or [`State::from_scenario_json`]) starts from a JSON scenario instead of
//! the seeded one. Every field but the ids and names is optional:
//!
//! ```json
//! {
//!   "instances": [{"id": "0123456789abcdef0123456789abcdef", "name": "lab", "status": "ACTIVE",
//!                  "spec_code": "dbss.bypassaudit.low", "security_group_id": "sg-1",
//!                  "zone": "cn-north-4a", "charge_model": "Period", "tags": {"env": "lab"}}],
//!   "databases": [{"instance_id": "0123456789abcdef0123456789abcdef", "id": "db00000000000001",
//!                  "name": "shop", "type": "MYSQL", "ip": "192.168.0.20", "port": "3306",
//!                  "status": "ON"}],
//!   "agents": [{"instance_id": "0123456789abcdef0123456789abcdef", "db_id": "db00000000000001",
//!               "agent_id": "ag00000000000001", "agent_type": "DB", "agent_os": "LINUX64_X86"}]
//! }
//! ```
#![deny(missing_docs)]
// `json!` literals of the widest response objects (an SQL record has 40 fields) need more
// macro recursion than the default 128.
#![recursion_limit = "256"]

pub mod auth;
mod connections;
pub mod error;
pub mod faults;
pub mod iam;
mod in_memory;
pub mod limits;
mod pipeline;
mod resources;
mod rng;
mod rows;
mod server;
pub mod spec;
pub mod state;
mod synth;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub use auth::{Identity, IssuedTokens};
pub use faults::{Fault, FaultEffect};
pub use iam::IamUser;
pub use in_memory::InMemory;
pub use limits::Limits;
pub use pipeline::Reset;
pub use resources::stateful_operations;
pub use state::State;

/// Settings of a running simulator.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Seed of every synthetic value.
    pub seed: u64,
    /// SQL records per audit instance with databases.
    pub audit_rows: u64,
    /// Time of the newest audit row (the start), epoch milliseconds.
    pub anchor_ms: i64,
    /// New SQL records per second per audited instance, from the start on (0: none).
    pub audit_rate: u64,
    /// How long issued IAM tokens stay valid.
    pub token_ttl: Duration,
    /// The IAM user whose password is accepted.
    pub iam_user: Option<IamUser>,
    /// Timeouts and the connection cap.
    pub limits: Limits,
}

/// What every request handler shares.
#[derive(Debug)]
pub struct Shared {
    /// Who may call.
    pub identity: Identity,
    /// The service's data.
    pub state: State,
    /// The spec the simulator serves.
    pub(crate) spec: &'static spec::Spec,
    /// Settings.
    pub(crate) settings: Settings,
    /// Facts synthetic answers repeat (project, region).
    pub(crate) facts: synth::Facts,
    /// Configured faults.
    pub(crate) faults: faults::Faults,
    /// IAM tokens issued so far.
    pub(crate) tokens: IssuedTokens,
    /// Memory the request bodies being read may hold together.
    pub(crate) bodies: limits::BodyBudget,
}

/// Configures a simulator.
#[derive(Debug)]
pub struct SimulatorBuilder {
    listen: SocketAddr,
    identity: Identity,
    state: Option<State>,
    seed: u64,
    audit_rows: u64,
    audit_rate: u64,
    transition_delay: Duration,
    faults: Vec<Fault>,
    latency: Duration,
    region: String,
    iam_user: Option<IamUser>,
    token_ttl: Duration,
    limits: Limits,
}

/// Credentials and settings the simulator uses unless told otherwise.
pub mod defaults {
    use std::time::Duration;

    /// Access key.
    pub const AK: &str = "SIMULATORAK0000000000";
    /// Secret key.
    pub const SK: &str = "simulator-secret-key-0000000000000000000";
    /// Project id.
    pub const PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";
    /// Region (the project's name in IAM).
    pub const REGION: &str = "cn-north-4";
    /// SQL records per audit instance with databases.
    pub const AUDIT_ROWS: u64 = 1000;
    /// How long lifecycle tasks (start, stop, build, ...) take.
    pub const TRANSITION_DELAY: Duration = Duration::from_secs(2);
    /// How long IAM tokens stay valid, as on the real IAM.
    pub const TOKEN_TTL: Duration = Duration::from_secs(24 * 3600);
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
            seed: 0,
            audit_rows: defaults::AUDIT_ROWS,
            audit_rate: 0,
            transition_delay: defaults::TRANSITION_DELAY,
            faults: Vec::new(),
            latency: Duration::ZERO,
            region: defaults::REGION.into(),
            iam_user: None,
            token_ttl: defaults::TOKEN_TTL,
            limits: Limits::default(),
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
    /// Also accept this IAM token as `X-Auth-Token`, forever.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.identity.token = Some(token.into());
        self
    }
    /// Start from this state instead of the seeded scenario.
    pub fn state(mut self, state: State) -> Self {
        self.state = Some(state);
        self
    }
    /// Seed of every synthetic value: ids, audit data, generic answers, fault decisions.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// SQL records per audit instance with databases (default 1000).
    pub fn audit_rows(mut self, rows: u64) -> Self {
        self.audit_rows = rows;
        self
    }

    /// Makes `per_second` new SQL records every second for each audit instance with databases,
    /// from the start on, and one alarm per twenty of them; one record in eight becomes
    /// visible up to three seconds after its time. 0 (the default) makes none.
    pub fn audit_rate(mut self, per_second: u64) -> Self {
        self.audit_rate = per_second;
        self
    }
    /// How long lifecycle tasks take (default 2 s).
    pub fn transition_delay(mut self, delay: Duration) -> Self {
        self.transition_delay = delay;
        self
    }
    /// Injects a fault (see the crate documentation).
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }
    /// Delays every answer.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }
    /// The region, which is also the project's name in IAM (default `cn-north-4`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }
    /// Accept this IAM user's password at `POST /v3/auth/tokens`.
    pub fn iam_user(mut self, name: impl Into<String>, password: impl Into<String>, domain: impl Into<String>) -> Self {
        self.iam_user = Some(IamUser {
            name: name.into(),
            password: password.into(),
            domain: domain.into(),
        });
        self
    }
    /// How long issued IAM tokens stay valid (default 24 h).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Time allowed to receive a request head, from its first byte (default 10 s).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read = timeout;
        self
    }
    /// Time allowed to receive a request body, from the end of its head (default 30 s).
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.body_read = timeout;
        self
    }
    /// Time a connection may stay open with no request in progress and no byte moving
    /// (default 30 s): silent sockets and idle keep-alive connections are closed after it.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle = timeout;
        self
    }
    /// Most connections open at once (default 4096, at least 1). Beyond it a new connection
    /// takes the place of an idle one, never of one with a request in progress (see the
    /// crate documentation).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max;
        self
    }

    /// Binds the port and starts serving in the background.
    pub async fn start(self) -> std::io::Result<Simulator> {
        let listen = self.listen;
        let shared = self
            .into_shared()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, shared.clone(), stopped));
        Ok(Simulator {
            addr,
            shared,
            stop: Some(stop),
            task,
        })
    }

    /// A simulator without a socket, answering the requests handed to
    /// [`InMemory::answer`] (the listen address is unused).
    pub fn in_memory(self) -> Result<InMemory, spec::SpecError> {
        self.into_shared().map(InMemory::new)
    }

    /// What every request handler of the configured simulator shares.
    fn into_shared(self) -> Result<Arc<Shared>, spec::SpecError> {
        let spec = spec::Spec::embedded()?;
        let state = self.state.unwrap_or_else(State::seeded);
        state.configure(self.seed, self.transition_delay);
        Ok(Arc::new(Shared {
            facts: synth::Facts {
                project_id: self.identity.project_id.clone(),
                region: self.region,
            },
            identity: self.identity,
            state,
            spec,
            settings: Settings {
                seed: self.seed,
                audit_rows: self.audit_rows,
                // Whole seconds: audit rows keep their times across restarts in one second.
                anchor_ms: chrono::Utc::now().timestamp() * 1000,
                audit_rate: self.audit_rate,
                token_ttl: self.token_ttl,
                iam_user: self.iam_user,
                limits: self.limits,
            },
            faults: faults::Faults::new(self.seed, self.faults, self.latency),
            tokens: IssuedTokens::default(),
            bodies: limits::BodyBudget::new(limits::defaults::BODY_MEMORY),
        }))
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
    /// The region (the project's name in IAM).
    pub fn region(&self) -> &str {
        &self.shared.facts.region
    }
    /// The simulator's data, for assertions.
    pub fn state(&self) -> &State {
        &self.shared.state
    }
    /// How many IAM tokens it issued (`POST /v3/auth/tokens`), for assertions.
    pub fn tokens_issued(&self) -> u64 {
        self.shared.tokens.issued()
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
