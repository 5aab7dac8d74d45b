//! Running one cell.
//!
//! Cells are prepared one after the other (simulators started, servers bound, clients built:
//! the slow, synchronous part), then run all at once, so that no cell's attempt timeout runs
//! while another cell holds the thread with set-up work.

use chrono::{Duration as Span, Utc};
use dbss::{CallOptions, OperationMeta, ServiceError};
use dbss_sim::{Fault, Simulator};
use dbss_tests::HandSigned;

use crate::attempts::{counted, outcome};
use crate::calls::{Call, order_body, setting_body, whitelist_body};
use crate::faults::{FaultKind, Source};
use crate::outcomes::{Cell, Effect, Outcome, created, service_name};
use crate::scripted::Scripted;
use crate::{NEW_GROUP, SCRIPTED_INSTANCE, SEED, policy};

/// A cell ready to run.
pub(crate) enum Prepared {
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

pub(crate) async fn prepare(fault: FaultKind, call: Call) -> Prepared {
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

pub(crate) async fn run(prepared: Prepared, call: Call) -> Cell {
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

pub(crate) struct SimTargets {
    pub(crate) whitelist_instance: String,
    pub(crate) setting_instance: String,
    pub(crate) instances: usize,
    pub(crate) whitelists: usize,
}

pub(crate) fn targets(sim: &Simulator) -> SimTargets {
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

pub(crate) fn instance_for(call: Call, targets: &SimTargets) -> &str {
    match call {
        Call::Setting => &targets.setting_instance,
        _ => &targets.whitelist_instance,
    }
}

/// What the simulator shows after `call`, which the client acknowledged (`Some`, with the
/// number of instances a read listed) or not.
pub(crate) fn sim_effect(sim: &Simulator, call: Call, before: &SimTargets, answered: Option<usize>) -> Effect {
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
pub(crate) async fn send_skewed(
    sim: &Simulator,
    http: &reqwest::Client,
    call: Call,
    instance: &str,
    minutes: i64,
) -> Outcome {
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

pub(crate) fn to_text(body: &impl serde::Serialize) -> String {
    serde_json::to_string(body).unwrap_or_else(|e| panic!("{e}"))
}

/// The scripted server's good answer to `call`.
pub(crate) fn scripted_answer(call: Call) -> &'static str {
    match call {
        Call::Read => r#"{"instances":[{"id":"a1b2c3d4-0000-4000-8000-00000000f00d","name":"scripted"}],"total":1}"#,
        Call::Setting => r#"{"result":"SUCCESS"}"#,
        Call::Order => r#"{"order_id":"CS2506011200ABCDE"}"#,
        Call::Whitelist => r#"{"status":"SUCCESS"}"#,
    }
}
