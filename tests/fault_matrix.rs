//! Faults end to end: every kind of fault the network or the service can throw at a call,
//! against every kind of call, as a table.
//!
//! Faults come from dbss-sim's fault injection (fixed seed, `times` for storms that end), from
//! a scripted TCP server for what the simulator cannot produce (truncated and non-JSON
//! answers, a proxy's HTML 502), and from requests signed by hand with a clock 20 minutes
//! off. Calls are an idempotent read, an idempotent setting and two non-idempotent creates.
//! Every cell has an expected outcome — how the call ended, after how many attempts, and what
//! the server's state shows afterwards — and the whole matrix is printed
//! (`cargo test --test fault_matrix -- --nocapture`) before the cells are compared.
//!
//! The invariants behind the expectations: an idempotent call succeeds within its retry
//! policy or fails with an error naming the status, kind and attempts; a non-idempotent call
//! is never sent twice once it may have reached the server, so what the server created never
//! exceeds one per call, and equals what the client acknowledged whenever the client got an
//! answer.

use std::{
    collections::BTreeMap,
    fmt,
    sync::{
        Arc,
        atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use chrono::{Duration as Span, Utc};
use dbss::{CallOptions, Error, Operation, OperationMeta, RetryPolicy, ServiceError, types};
use dbss_sim::{Fault, Simulator};
use dbss_tests::HandSigned;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};
use tracing::{
    Event, Metadata, Subscriber,
    instrument::WithSubscriber,
    span::{Attributes, Id, Record},
};

/// Seed of every simulator (ids, fault decisions).
const SEED: u64 = 7;
/// Attempts per call, the first included.
const ATTEMPTS: u32 = 4;
/// The attempt timeout of cells whose fault is not about time.
const PATIENT: Duration = Duration::from_secs(5);
/// The attempt timeout of cells whose fault outlasts it.
const IMPATIENT: Duration = Duration::from_secs(1);
/// The security group the setting binds.
const NEW_GROUP: &str = "5d0c1b8e-7f3a-4e29-9c61-2b8f4a7d3e10";
/// Instance id used against the scripted server (any id of a valid length).
const SCRIPTED_INSTANCE: &str = "a1b2c3d4-0000-4000-8000-00000000f00d";

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: ATTEMPTS,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
        ..RetryPolicy::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Calls

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Call {
    Read,
    Setting,
    Order,
    Whitelist,
}

impl Call {
    const ALL: [Call; 4] = [Call::Read, Call::Setting, Call::Order, Call::Whitelist];

    fn operation(self) -> &'static str {
        match self {
            Call::Read => "ListAuditInstancesLast",
            Call::Setting => "UpdateAuditSecurityGroupNew",
            Call::Order => "CreateInstancesPeriodOrderNew",
            Call::Whitelist => "BatchAddAuditWhitelist",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Call::Read => "idempotent read (ListAuditInstancesLast)",
            Call::Setting => "idempotent setting (UpdateAuditSecurityGroupNew)",
            Call::Order => "create (CreateInstancesPeriodOrderNew)",
            Call::Whitelist => "create (BatchAddAuditWhitelist)",
        }
    }

    fn idempotent(self) -> bool {
        matches!(self, Call::Read | Call::Setting)
    }
}

fn setting_body(instance: &str) -> types::SecurityGroupRequest {
    decode(json!({ "instance_id": instance, "securitygroup_ids": [NEW_GROUP] }))
}

fn order_body() -> types::CreateInstancePeriodRequest {
    decode(json!({
        "name": "fault-matrix", "flavor_ref": "c7.xlarge.4", "vpc_id": "0a6c5e1e-33a4-4d1c-9a0d-6f1d2c3b4a59",
        "availability_zone": "cn-north-4a", "nics": [{ "subnet_id": "7e2b1c4d-5f60-4a7b-8c9d-0e1f2a3b4c5d" }],
        "security_groups": [{ "id": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f" }], "region": "cn-north-4",
        "cloud_service_type": "hws.service.type.dbss", "charging_mode": 0, "period_type": 2, "period_num": 1,
        "subscription_num": 1, "is_auto_renew": 0,
        "product_infos": [{ "product_id": "00301-225396-0--0", "cloud_service_type": "hws.service.type.dbss",
            "resource_type": "hws.resource.type.dbss", "resource_spec_code": "dbss.bypassaudit.low" }]
    }))
}

fn whitelist_body() -> types::AddWhitelistRequest {
    decode(json!({ "whitelists": [{ "sql": "SELECT 1 FROM dual", "desc": "fault matrix", "enabled": true }] }))
}

fn decode<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("a valid body does not decode: {e}"))
}

/// Makes the call; a successful read returns how many instances it listed.
async fn invoke(client: &dbss::Client, call: Call, instance: &str) -> Result<usize, Error> {
    let ops = client.ops();
    match call {
        Call::Read => ops
            .list_audit_instances_last()
            .offset("0")
            .limit("10")
            .call()
            .await
            .map(|page| page.instances.len()),
        Call::Setting => ops
            .update_audit_security_group_new()
            .body(setting_body(instance))
            .call()
            .await
            .map(|_| 0),
        Call::Order => ops
            .create_instances_period_order_new()
            .body(order_body())
            .call()
            .await
            .map(|_| 0),
        Call::Whitelist => ops
            .batch_add_audit_whitelist()
            .instance_id(instance)
            .body(whitelist_body())
            .call()
            .await
            .map(|_| 0),
    }
}

// ---------------------------------------------------------------------------------------------
// Faults

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FaultKind {
    ResetBefore,
    ResetAfter,
    Storm503,
    Storm503Endless,
    Storm429RetryAfter0,
    Storm429RetryAfter1,
    SlowBody,
    SlowBodyBeyondTimeout,
    LatencyBeyondTimeout,
    TruncatedHead,
    TruncatedBody,
    NonJson,
    ProxyHtml502,
    ClockBehind,
    ClockAhead,
}

/// Where a fault comes from.
enum Source {
    /// dbss-sim's fault injection.
    Simulator(Fault),
    /// The scripted server: these replies, then a good answer.
    Scripted(Vec<Reply>),
    /// A request signed by hand with the clock this many minutes off.
    Skew(i64),
}

impl FaultKind {
    const ALL: [FaultKind; 15] = [
        FaultKind::ResetBefore,
        FaultKind::ResetAfter,
        FaultKind::Storm503,
        FaultKind::Storm503Endless,
        FaultKind::Storm429RetryAfter0,
        FaultKind::Storm429RetryAfter1,
        FaultKind::SlowBody,
        FaultKind::SlowBodyBeyondTimeout,
        FaultKind::LatencyBeyondTimeout,
        FaultKind::TruncatedHead,
        FaultKind::TruncatedBody,
        FaultKind::NonJson,
        FaultKind::ProxyHtml502,
        FaultKind::ClockBehind,
        FaultKind::ClockAhead,
    ];

    fn label(self) -> &'static str {
        match self {
            FaultKind::ResetBefore => "reset before processing (x1)",
            FaultKind::ResetAfter => "reset after processing (x1)",
            FaultKind::Storm503 => "503 storm (x2, then ok)",
            FaultKind::Storm503Endless => "503 storm (every attempt)",
            FaultKind::Storm429RetryAfter0 => "429 storm, Retry-After: 0 (x2)",
            FaultKind::Storm429RetryAfter1 => "429, Retry-After: 1 (x1)",
            FaultKind::SlowBody => "slow body (2 ms per 64 B)",
            FaultKind::SlowBodyBeyondTimeout => "slow body beyond attempt timeout (x1)",
            FaultKind::LatencyBeyondTimeout => "latency beyond attempt timeout (x1)",
            FaultKind::TruncatedHead => "truncated head (x1, scripted)",
            FaultKind::TruncatedBody => "truncated body (x1, scripted)",
            FaultKind::NonJson => "200 with non-JSON body (x1, scripted)",
            FaultKind::ProxyHtml502 => "proxy HTML 502 (x1, scripted)",
            FaultKind::ClockBehind => "clock skew -20 min (hand-signed)",
            FaultKind::ClockAhead => "clock skew +20 min (hand-signed)",
        }
    }

    fn attempt_timeout(self) -> Duration {
        match self {
            FaultKind::SlowBodyBeyondTimeout | FaultKind::LatencyBeyondTimeout => IMPATIENT,
            _ => PATIENT,
        }
    }

    fn source(self, operation: &str) -> Source {
        let fault = |text: String| text.parse::<Fault>().unwrap_or_else(|e| panic!("{e}"));
        match self {
            FaultKind::ResetBefore => Source::Simulator(Fault::reset_before(operation).times(1)),
            FaultKind::ResetAfter => Source::Simulator(Fault::reset_after(operation).times(1)),
            FaultKind::Storm503 => Source::Simulator(Fault::status(operation, 503).rate(1.0).times(2)),
            FaultKind::Storm503Endless => Source::Simulator(Fault::status(operation, 503).rate(1.0)),
            FaultKind::Storm429RetryAfter0 => Source::Simulator(Fault::status(operation, 429).retry_after(0).times(2)),
            FaultKind::Storm429RetryAfter1 => Source::Simulator(Fault::status(operation, 429).retry_after(1).times(1)),
            FaultKind::SlowBody => Source::Simulator(Fault::slow_body(operation, Duration::from_millis(2))),
            // Two bytes every 500 ms: even the shortest answer (20 bytes) takes five seconds,
            // five times the attempt timeout, while its head is sent at once.
            FaultKind::SlowBodyBeyondTimeout => {
                Source::Simulator(fault(format!("op={operation},slow-body-ms=500,chunk=2,times=1")))
            }
            // Far beyond the attempt timeout: the request is not processed while the cell runs.
            FaultKind::LatencyBeyondTimeout => {
                Source::Simulator(fault(format!("op={operation},latency-ms=30000,times=1")))
            }
            FaultKind::TruncatedHead => Source::Scripted(vec![Reply::TruncatedHead]),
            FaultKind::TruncatedBody => Source::Scripted(vec![Reply::TruncatedBody]),
            FaultKind::NonJson => Source::Scripted(vec![Reply::NonJson]),
            FaultKind::ProxyHtml502 => Source::Scripted(vec![Reply::ProxyHtml502]),
            FaultKind::ClockBehind => Source::Skew(-20),
            FaultKind::ClockAhead => Source::Skew(20),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Outcomes

/// How a call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Succeeded { attempts: u32 },
    Failed { error: String, attempts: u32 },
}

/// What the server shows afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Effect {
    /// A read that returned this many instances.
    Listed(usize),
    /// A read that returned nothing.
    NothingRead,
    /// Whether the new security group is bound.
    Applied(bool),
    /// Objects the server created, and how many of them the client acknowledged.
    Created { created: usize, acknowledged: usize },
    /// Requests that reached the scripted server.
    Reached(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Cell {
    outcome: Outcome,
    effect: Effect,
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u32| if n == 1 { "attempt" } else { "attempts" };
        match &self.outcome {
            Outcome::Succeeded { attempts } => write!(f, "succeeded after {attempts} {}", plural(*attempts))?,
            Outcome::Failed { error, attempts } => {
                write!(f, "failed: {error}, {attempts} {}", plural(*attempts))?;
            }
        }
        match &self.effect {
            Effect::Listed(n) => write!(f, "; listed {n}"),
            Effect::NothingRead => Ok(()),
            Effect::Applied(applied) => write!(f, "; group {}", if *applied { "bound" } else { "unchanged" }),
            Effect::Created { created, acknowledged } => write!(f, "; created {created}, acked {acknowledged}"),
            Effect::Reached(n) => write!(f, "; server saw {n}"),
        }
    }
}

/// The error, named by what matters to a caller: status and DBSS code, or transport kind.
fn name_error(error: &Error) -> String {
    match error {
        Error::Transport { kind, .. } => format!("transport ({kind:?})"),
        Error::Service(e) => service_name(e),
        Error::Decode { status, reason, .. } => {
            let mut name = format!("decode (HTTP {status}, ");
            if reason.contains("timed out") {
                name.push_str("body timed out");
            } else if reason.contains("expected value") || reason.contains("expected ident") {
                name.push_str("not JSON");
            } else if reason.starts_with("error decoding response body") {
                // reqwest's words without their cause: a body cut short and a body that
                // outlived the attempt timeout read the same (known gap, see the report).
                name.push_str("body unreadable, cause not given");
            } else {
                name.push_str("body unreadable");
            }
            // Errors never carry the request URL (its query may hold private values).
            if reason.contains("127.0.0.1") {
                name.push_str(", URL in reason");
            }
            name.push(')');
            name
        }
        Error::Timeout { limit, .. } => format!("total timeout {limit:?}"),
        other => format!("unexpected: {other}"),
    }
}

fn service_name(e: &ServiceError) -> String {
    let mut name = format!("HTTP {}", e.status);
    match &e.error_code {
        Some(code) => {
            name.push(' ');
            name.push_str(code);
        }
        None if e.body.starts_with("<html>") => name.push_str(" (no code, HTML body kept)"),
        None => name.push_str(" (no code)"),
    }
    // The gateway's clock-skew refusal says how far off the date was; name it in minutes.
    if let Some(seconds) = e
        .error_msg
        .as_deref()
        .and_then(|m| m.split_once("X-Sdk-Date is "))
        .and_then(|(_, rest)| rest.split_once("s away from the server time"))
        .and_then(|(n, _)| n.parse::<u64>().ok())
    {
        name.push_str(&format!(", X-Sdk-Date {} min off", (seconds + 30) / 60));
    }
    name
}

fn ok(attempts: u32, effect: Effect) -> Cell {
    Cell {
        outcome: Outcome::Succeeded { attempts },
        effect,
    }
}

fn failed(error: &str, attempts: u32, effect: Effect) -> Cell {
    Cell {
        outcome: Outcome::Failed {
            error: error.to_owned(),
            attempts,
        },
        effect,
    }
}

fn created(created: usize, acknowledged: usize) -> Effect {
    Effect::Created { created, acknowledged }
}

/// A body that outlived the attempt timeout, on a call that is not retried: `Error::Decode`
/// naming the timeout and the status of the head that did arrive, without the URL.
const BODY_TIMED_OUT: &str = "decode (HTTP 200, body timed out)";
/// A body cut short, on a call that is not retried: `Error::Decode` with reqwest's cause, without
/// the URL.
const BODY_CUT_SHORT: &str = "decode (HTTP 200, body unreadable)";

/// What each cell must show.
fn expected(fault: FaultKind, call: Call) -> Cell {
    use Call::*;
    use FaultKind::*;
    const SEEDED: usize = 3;
    const SCRIPTED_LISTED: usize = 1;
    let create = matches!(call, Order | Whitelist);
    // The answer a call gets once the fault has passed.
    let fine = |attempts: u32| match call {
        Read => ok(attempts, Effect::Listed(SEEDED)),
        Setting => ok(attempts, Effect::Applied(true)),
        Order | Whitelist => ok(attempts, created(1, 1)),
    };
    // A failure after which the server did (or did not) act.
    let refused = |error: &str, attempts: u32, processed: bool| match call {
        Read => failed(error, attempts, Effect::NothingRead),
        Setting => failed(error, attempts, Effect::Applied(processed)),
        Order | Whitelist => failed(error, attempts, created(usize::from(processed), 0)),
    };
    match fault {
        // The connection drops without an answer: an idempotent call is sent again; a create
        // is not, whether or not the server acted, and says so with a transport error.
        ResetBefore if create => refused("transport (Other)", 1, false),
        ResetAfter if create => refused("transport (Other)", 1, true),
        ResetBefore | ResetAfter => fine(2),
        // 503: retried for idempotent calls only; the fault answers without processing.
        Storm503 if create => refused("HTTP 503 DBSS.11000000", 1, false),
        Storm503 => fine(3),
        Storm503Endless if create => refused("HTTP 503 DBSS.11000000", 1, false),
        Storm503Endless => refused("HTTP 503 DBSS.11000000", ATTEMPTS, false),
        // 429 means "not processed": every call is retried, creates included, once each.
        Storm429RetryAfter0 => fine(3),
        Storm429RetryAfter1 => fine(2),
        SlowBody => fine(1),
        // The head (200) arrived, the body did not: the server acted and the client cannot
        // read the answer. A create is not sent again (it would be created twice) and says so;
        // an idempotent call tries again and gets its answer.
        SlowBodyBeyondTimeout if create => refused(BODY_TIMED_OUT, 1, true),
        SlowBodyBeyondTimeout => fine(2),
        LatencyBeyondTimeout if create => refused("transport (Timeout)", 1, false),
        LatencyBeyondTimeout => fine(2),
        // Scripted server: "server saw" counts requests that reached it.
        TruncatedHead if create => failed("transport (Other)", 1, Effect::Reached(1)),
        TruncatedHead if call == Read => ok(2, Effect::Listed(SCRIPTED_LISTED)),
        TruncatedHead => ok(2, Effect::Reached(2)),
        TruncatedBody if create => failed(BODY_CUT_SHORT, 1, Effect::Reached(1)),
        TruncatedBody if call == Read => ok(2, Effect::Listed(SCRIPTED_LISTED)),
        TruncatedBody => ok(2, Effect::Reached(2)),
        NonJson if call == Read => failed("decode (HTTP 200, not JSON)", 1, Effect::NothingRead),
        NonJson => failed("decode (HTTP 200, not JSON)", 1, Effect::Reached(1)),
        ProxyHtml502 if create => failed("HTTP 502 (no code, HTML body kept)", 1, Effect::Reached(1)),
        ProxyHtml502 if call == Read => ok(2, Effect::Listed(SCRIPTED_LISTED)),
        ProxyHtml502 => ok(2, Effect::Reached(2)),
        // Refused by the gateway before anything happens.
        ClockBehind | ClockAhead => refused("HTTP 401 APIGW.0301, X-Sdk-Date 20 min off", 1, false),
    }
}

// ---------------------------------------------------------------------------------------------
// Counting attempts: the client opens a `dbss.attempt` span per attempt.

struct AttemptCounter {
    attempts: Arc<AtomicU32>,
    next_id: AtomicU64,
}

impl Subscriber for AttemptCounter {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        if span.metadata().name() == "dbss.attempt" {
            self.attempts.fetch_add(1, Ordering::SeqCst);
        }
        Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Runs the call, counting its attempts.
async fn counted(client: &dbss::Client, call: Call, instance: &str) -> (Result<usize, Error>, u32) {
    let attempts = Arc::new(AtomicU32::new(0));
    let counter = AttemptCounter {
        attempts: attempts.clone(),
        next_id: AtomicU64::new(0),
    };
    let result = invoke(client, call, instance).with_subscriber(counter).await;
    (result, attempts.load(Ordering::SeqCst))
}

/// The outcome of a client call, checking that a transport error counts attempts truly.
fn outcome(result: &Result<usize, Error>, attempts: u32) -> Outcome {
    match result {
        Ok(_) => Outcome::Succeeded { attempts },
        Err(error) => {
            if let Error::Transport { attempts: told, .. } = error
                && *told != attempts
            {
                return Outcome::Failed {
                    error: format!("transport error claims {told} attempts: {error}"),
                    attempts,
                };
            }
            Outcome::Failed {
                error: name_error(error),
                attempts,
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running one cell
//
// Cells are prepared one after the other (simulators started, servers bound, clients built:
// the slow, synchronous part), then run all at once, so that no cell's attempt timeout runs
// while another cell holds the thread with set-up work.

/// A cell ready to run.
enum Prepared {
    /// A simulator with the fault injected, and a client for it.
    Simulator {
        sim: Simulator,
        before: SimTargets,
        client: dbss::Client,
    },
    /// A simulator without faults, and a plain HTTP client to send a hand-signed request.
    Skewed {
        sim: Simulator,
        before: SimTargets,
        http: reqwest::Client,
        minutes: i64,
    },
    /// The scripted server, and a client for it.
    Scripted { server: Scripted, client: dbss::Client },
}

async fn prepare(fault: FaultKind, call: Call) -> Prepared {
    let options = CallOptions {
        attempt_timeout: Some(fault.attempt_timeout()),
        retry: Some(policy()),
        ..CallOptions::default()
    };
    let simulator = |injected: Option<Fault>| async move {
        let mut builder = Simulator::builder().seed(SEED);
        if let Some(injected) = injected {
            builder = builder.fault(injected);
        }
        builder.start().await.unwrap_or_else(|e| panic!("simulator: {e}"))
    };
    match fault.source(call.operation()) {
        Source::Simulator(injected) => {
            let sim = simulator(Some(injected)).await;
            let before = targets(&sim);
            let client = dbss_tests::sim_client(&sim).with_options(options);
            Prepared::Simulator { sim, before, client }
        }
        Source::Skew(minutes) => {
            let sim = simulator(None).await;
            let before = targets(&sim);
            Prepared::Skewed {
                sim,
                before,
                http: reqwest::Client::new(),
                minutes,
            }
        }
        Source::Scripted(replies) => {
            let server = Scripted::start(replies, scripted_answer(call)).await;
            let client = dbss_tests::client(&server.url).with_options(options);
            Prepared::Scripted { server, client }
        }
    }
}

async fn run(prepared: Prepared, call: Call) -> Cell {
    match prepared {
        Prepared::Simulator { sim, before, client } => {
            let (result, attempts) = counted(&client, call, instance_for(call, &before)).await;
            Cell {
                outcome: outcome(&result, attempts),
                effect: sim_effect(&sim, call, &before, result.as_ref().ok().copied()),
            }
        }
        Prepared::Skewed {
            sim,
            before,
            http,
            minutes,
        } => {
            let outcome = send_skewed(&sim, &http, call, instance_for(call, &before), minutes).await;
            let answered = matches!(outcome, Outcome::Succeeded { .. }).then_some(0);
            Cell {
                outcome,
                effect: sim_effect(&sim, call, &before, answered),
            }
        }
        Prepared::Scripted { server, client } => {
            let (result, attempts) = counted(&client, call, SCRIPTED_INSTANCE).await;
            let effect = match (&result, call) {
                (Ok(n), Call::Read) => Effect::Listed(*n),
                (Err(_), Call::Read) => Effect::NothingRead,
                _ => Effect::Reached(server.received()),
            };
            Cell {
                outcome: outcome(&result, attempts),
                effect,
            }
        }
    }
}

struct SimTargets {
    whitelist_instance: String,
    setting_instance: String,
    instances: usize,
    whitelists: usize,
}

fn targets(sim: &Simulator) -> SimTargets {
    let world = sim.state().world();
    let ids: Vec<&String> = world.instances.keys().collect();
    let whitelist_instance = ids.first().map(|s| (*s).clone()).unwrap_or_default();
    let setting_instance = ids.get(1).map(|s| (*s).clone()).unwrap_or_default();
    let whitelists = world.audit.get(&whitelist_instance).map_or(0, |a| a.whitelists.len());
    SimTargets {
        whitelist_instance,
        setting_instance,
        instances: world.instances.len(),
        whitelists,
    }
}

fn instance_for(call: Call, targets: &SimTargets) -> &str {
    match call {
        Call::Setting => &targets.setting_instance,
        _ => &targets.whitelist_instance,
    }
}

/// What the simulator shows after `call`, which the client acknowledged (`Some`, with the
/// number of instances a read listed) or not.
fn sim_effect(sim: &Simulator, call: Call, before: &SimTargets, answered: Option<usize>) -> Effect {
    let acknowledged = usize::from(answered.is_some());
    match call {
        Call::Read => answered.map_or(Effect::NothingRead, Effect::Listed),
        Call::Setting => Effect::Applied(
            sim.state()
                .get(&before.setting_instance)
                .is_some_and(|i| i.security_group_id == NEW_GROUP),
        ),
        Call::Order => {
            let now = sim.state().world().instances.len();
            created(now.saturating_sub(before.instances), acknowledged)
        }
        Call::Whitelist => {
            let world = sim.state().world();
            let now = world
                .audit
                .get(&before.whitelist_instance)
                .map_or(0, |a| a.whitelists.len());
            created(now.saturating_sub(before.whitelists), acknowledged)
        }
    }
}

/// The call's request signed by hand at a date `minutes` away from now, sent once.
async fn send_skewed(sim: &Simulator, http: &reqwest::Client, call: Call, instance: &str, minutes: i64) -> Outcome {
    let project = sim.project_id().to_owned();
    let (method, path, query, body): (_, _, &[(&str, &str)], _) = match call {
        Call::Read => (
            "GET",
            format!("/v2/{project}/audit/instances"),
            &[("offset", "0"), ("limit", "10")],
            String::new(),
        ),
        Call::Setting => (
            "POST",
            format!("/v1/{project}/audit/security-group"),
            &[],
            to_text(&setting_body(instance)),
        ),
        Call::Order => (
            "POST",
            format!("/v2/{project}/audit/charge/period/order"),
            &[],
            to_text(&order_body()),
        ),
        Call::Whitelist => (
            "POST",
            format!("/v1/{project}/audit/{instance}/whitelists"),
            &[],
            to_text(&whitelist_body()),
        ),
    };
    let content_type = OperationMeta::find(call.operation()).map_or("application/json", |m| m.content_type);
    let request = HandSigned {
        query,
        date: Utc::now() + Span::minutes(minutes),
        ..HandSigned::new(method, &path, content_type, &body)
    };
    match request.send(http, sim).await {
        Ok(response) => {
            let status = response.status().as_u16();
            let bytes = response.bytes().await.unwrap_or_default();
            if (200..300).contains(&status) {
                Outcome::Succeeded { attempts: 1 }
            } else {
                let error = ServiceError::from_body(call.operation(), status, None, &bytes);
                Outcome::Failed {
                    error: service_name(&error),
                    attempts: 1,
                }
            }
        }
        Err(e) => Outcome::Failed {
            error: format!("unexpected: {e}"),
            attempts: 1,
        },
    }
}

fn to_text(body: &impl serde::Serialize) -> String {
    serde_json::to_string(body).unwrap_or_else(|e| panic!("{e}"))
}

/// The scripted server's good answer to `call`.
fn scripted_answer(call: Call) -> &'static str {
    match call {
        Call::Read => r#"{"instances":[{"id":"a1b2c3d4-0000-4000-8000-00000000f00d","name":"scripted"}],"total":1}"#,
        Call::Setting => r#"{"result":"SUCCESS"}"#,
        Call::Order => r#"{"order_id":"CS2506011200ABCDE"}"#,
        Call::Whitelist => r#"{"status":"SUCCESS"}"#,
    }
}

// ---------------------------------------------------------------------------------------------
// A scripted HTTP/1.1 server for answers the simulator cannot give

/// What the scripted server does with one request (one connection each).
#[derive(Clone, Copy, Debug)]
enum Reply {
    /// Close in the middle of the status line's headers.
    TruncatedHead,
    /// A 200 whose body stops half-way through its `content-length`.
    TruncatedBody,
    /// A 200 with an HTML body.
    NonJson,
    /// A 502 with HTML, as a proxy in front of the service would send it.
    ProxyHtml502,
    /// The good answer.
    Good,
}

struct Scripted {
    url: String,
    received: Arc<AtomicUsize>,
}

impl Scripted {
    /// Serves `replies` in order, then the good answer `good` for every later request.
    async fn start(replies: Vec<Reply>, good: &'static str) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let url = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
        let received = Arc::new(AtomicUsize::new(0));
        let counter = received.clone();
        tokio::spawn(async move {
            let mut replies = replies.into_iter();
            while let Ok((mut socket, _)) = listener.accept().await {
                if !read_whole_request(&mut socket).await {
                    continue;
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let reply = replies.next().unwrap_or(Reply::Good);
                let _ = socket.write_all(&render(reply, good)).await;
                let _ = socket.shutdown().await;
            }
        });
        Scripted { url, received }
    }

    fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}

fn render(reply: Reply, good: &str) -> Vec<u8> {
    let whole = |status: &str, content_type: &str, body: &str| {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let text = match reply {
        Reply::TruncatedHead => "HTTP/1.1 200 OK\r\ncontent-type: appli".to_owned(),
        Reply::TruncatedBody => {
            let full = whole("200 OK", "application/json", good);
            let cut = full.len() - good.len() / 2;
            full[..cut].to_owned()
        }
        Reply::NonJson => whole(
            "200 OK",
            "text/html",
            "<html><body>Service maintenance in progress</body></html>",
        ),
        Reply::ProxyHtml502 => whole(
            "502 Bad Gateway",
            "text/html",
            "<html><head><title>502 Bad Gateway</title></head><body>upstream failed</body></html>",
        ),
        Reply::Good => whole("200 OK", "application/json", good),
    };
    text.into_bytes()
}

/// Reads a request's head and its `content-length` body; false if the peer went away first.
async fn read_whole_request(socket: &mut TcpStream) -> bool {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 2048];
    let mut wanted: Option<usize> = None;
    loop {
        if let Some(total) = wanted
            && seen.len() >= total
        {
            return true;
        }
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
        }
        if wanted.is_none()
            && let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n")
        {
            let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .filter_map(|line| line.strip_prefix("content-length:"))
                .find_map(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            wanted = Some(end + 4 + length);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The matrix

#[tokio::test]
async fn the_fault_matrix_holds() {
    // The calls are what the spec says they are.
    for call in Call::ALL {
        let meta = OperationMeta::find(call.operation()).unwrap_or_else(|| panic!("{} is unknown", call.operation()));
        assert_eq!(meta.idempotent, call.idempotent(), "x-idempotent of {}", meta.id);
    }

    let mut prepared = Vec::new();
    for fault in FaultKind::ALL {
        for call in Call::ALL {
            prepared.push(((fault, call), prepare(fault, call).await));
        }
    }
    let cells = futures::future::join_all(
        prepared
            .into_iter()
            .map(|((fault, call), ready)| async move { ((fault, call), run(ready, call).await) }),
    )
    .await;
    let observed: BTreeMap<(usize, Call), Cell> = cells
        .into_iter()
        .map(|((fault, call), cell)| {
            let row = FaultKind::ALL.iter().position(|f| *f == fault).unwrap_or(usize::MAX);
            ((row, call), cell)
        })
        .collect();

    println!("{}", table(&observed));

    let mut mismatches = Vec::new();
    for (row, fault) in FaultKind::ALL.iter().enumerate() {
        for call in Call::ALL {
            let want = expected(*fault, call);
            match observed.get(&(row, call)) {
                Some(got) if *got == want => {}
                got => mismatches.push(format!(
                    "{} x {}:\n    expected {want}\n    observed {}",
                    fault.label(),
                    call.heading(),
                    got.map_or_else(|| "nothing".to_owned(), ToString::to_string)
                )),
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} cells differ:\n{}",
        mismatches.len(),
        observed.len(),
        mismatches.join("\n")
    );

    // The invariants, restated over the whole matrix.
    for ((row, call), cell) in &observed {
        if let Effect::Created { created, acknowledged } = cell.effect {
            assert!(created <= 1, "row {row}, {call:?}: a create was duplicated ({created})");
            if matches!(cell.outcome, Outcome::Succeeded { .. }) {
                assert_eq!(created, acknowledged, "row {row}, {call:?}");
            }
        }
        if !call.idempotent()
            && let Outcome::Failed { error, attempts } = &cell.outcome
            && !error.starts_with("HTTP 429")
        {
            assert_eq!(*attempts, 1, "row {row}, {call:?}: a create was retried after {error}");
        }
    }
}

fn table(observed: &BTreeMap<(usize, Call), Cell>) -> String {
    let first = FaultKind::ALL.iter().map(|f| f.label().len()).max().unwrap_or(0).max(5);
    let widths: Vec<usize> = Call::ALL
        .iter()
        .map(|call| {
            observed
                .iter()
                .filter(|((_, c), _)| c == call)
                .map(|(_, cell)| cell.to_string().len())
                .chain([call.heading().len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let mut line = format!("| {:first$} |", "fault");
    for (call, width) in Call::ALL.iter().zip(&widths) {
        line.push_str(&format!(" {:width$} |", call.heading()));
    }
    out.push_str(&line);
    out.push('\n');
    let mut rule = format!("|{}|", "-".repeat(first + 2));
    for width in &widths {
        rule.push_str(&format!("{}|", "-".repeat(width + 2)));
    }
    out.push_str(&rule);
    out.push('\n');
    for (row, fault) in FaultKind::ALL.iter().enumerate() {
        let mut line = format!("| {:first$} |", fault.label());
        for (call, width) in Call::ALL.iter().zip(&widths) {
            let text = observed.get(&(row, *call)).map(ToString::to_string).unwrap_or_default();
            line.push_str(&format!(" {text:width$} |"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}
