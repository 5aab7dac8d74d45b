//! `dbss-sim`: run a local DBSS.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::Parser;
use dbss_sim::{Fault, State};

/// A local Huawei Cloud DBSS for development and tests. Fault syntax, scenario format and
/// behaviour: see the `dbss_sim` crate documentation.
// No `Debug`: the arguments hold the secret key and the IAM password.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Access key the simulator accepts.
    #[arg(long, env = "DBSS_SIM_AK", default_value = dbss_sim::defaults::AK)]
    ak: String,
    /// Secret key of that access key. Prefer the environment variable: a command line is
    /// visible to every user of the machine (`ps`).
    #[arg(
        long,
        env = "DBSS_SIM_SK",
        hide_env_values = true,
        default_value = dbss_sim::defaults::SK,
        hide_default_value = true
    )]
    sk: String,
    /// Project id of the credentials.
    #[arg(long, default_value = dbss_sim::defaults::PROJECT_ID)]
    project_id: String,
    /// Also accept this IAM token (`X-Auth-Token`).
    #[arg(long)]
    token: Option<String>,
    /// Region, also the project's name in IAM.
    #[arg(long, default_value = dbss_sim::defaults::REGION)]
    region: String,
    /// Seed of every synthetic value (ids, audit data, generic answers, faults).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// SQL records per audit instance with databases (made on the fly).
    #[arg(long, default_value_t = dbss_sim::defaults::AUDIT_ROWS)]
    audit_rows: u64,
    /// New SQL records per second per audit instance with databases, made while running (one
    /// alarm per 20 of them; one in 8 becomes visible up to 3 s after its time). 0: none
    #[arg(long, default_value_t = 0, value_name = "N")]
    audit_rate: u64,
    /// How long lifecycle tasks (build, start, stop, reboot, delete) take, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    transition_ms: u64,
    /// Start from this JSON scenario instead of the seeded one.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Inject a fault, e.g. 'op=ListAuditSqlsNew,status=503,rate=0.5,retry-after=1' (repeatable).
    #[arg(long, value_name = "SPEC")]
    fault: Vec<Fault>,
    /// Delay every answer by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Time allowed to receive a request head, from its first byte, in milliseconds.
    #[arg(long, default_value_t = millis(dbss_sim::limits::defaults::HEADER_READ))]
    header_timeout_ms: u64,
    /// Time allowed to receive a request body, from the end of its head, in milliseconds.
    #[arg(long, default_value_t = millis(dbss_sim::limits::defaults::BODY_READ))]
    body_timeout_ms: u64,
    /// Time a connection may stay open with no request in progress and no byte moving, in
    /// milliseconds (silent sockets, idle keep-alive connections).
    #[arg(long, default_value_t = millis(dbss_sim::limits::defaults::IDLE))]
    idle_timeout_ms: u64,
    /// Most connections open at once; beyond it a new connection replaces an idle one
    /// (unauthenticated first), never one with a request in progress.
    #[arg(long, default_value_t = dbss_sim::limits::defaults::MAX_CONNECTIONS)]
    max_connections: usize,
    /// IAM user whose password `POST /v3/auth/tokens` accepts (with --iam-password and --iam-domain).
    #[arg(long, requires_all = ["iam_password", "iam_domain"])]
    iam_user: Option<String>,
    /// That user's password.
    #[arg(long, env = "DBSS_SIM_IAM_PASSWORD", hide_env_values = true)]
    iam_password: Option<String>,
    /// That user's account (domain) name.
    #[arg(long)]
    iam_domain: Option<String>,
}

const fn millis(duration: Duration) -> u64 {
    duration.as_secs() * 1000 + duration.subsec_millis() as u64
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut builder = dbss_sim::Simulator::builder()
        .listen(args.listen)
        .credentials(args.ak, args.sk)
        .project_id(args.project_id)
        .region(args.region)
        .seed(args.seed)
        .audit_rows(args.audit_rows)
        .audit_rate(args.audit_rate)
        .transition_delay(Duration::from_millis(args.transition_ms))
        .latency(Duration::from_millis(args.latency_ms))
        .header_read_timeout(Duration::from_millis(args.header_timeout_ms))
        .body_read_timeout(Duration::from_millis(args.body_timeout_ms))
        .idle_timeout(Duration::from_millis(args.idle_timeout_ms))
        .max_connections(args.max_connections);
    if let Some(token) = args.token {
        builder = builder.token(token);
    }
    for fault in args.fault {
        builder = builder.fault(fault);
    }
    if let (Some(user), Some(password), Some(domain)) = (args.iam_user, args.iam_password, args.iam_domain) {
        builder = builder.iam_user(user, password, domain);
    }
    if let Some(path) = args.state {
        match State::from_scenario_file(&path) {
            Ok(state) => builder = builder.state(state),
            Err(e) => {
                eprintln!("dbss-sim: {e}");
                return std::process::ExitCode::from(2);
            }
        }
    }
    match builder.start().await {
        Ok(sim) => {
            println!("dbss-sim listening on {}", sim.url());
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = sim.wait() => {}
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dbss-sim: cannot listen on {}: {e}", args.listen);
            std::process::ExitCode::FAILURE
        }
    }
}
