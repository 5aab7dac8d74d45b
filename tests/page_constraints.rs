//! What the API reference pages say and the spec now states too (issue 12, point 10):
//!
//! * `project_id` is 32 to 64 characters on every operation;
//! * the path `instance_id` of the 8 operations that lacked it is 32 to 64 characters;
//! * `SecurityGroupRequest.instance_id` is 32 to 64 characters;
//! * `risk_levels` of ListSqlInjectionRules(New) is one level or several joined by commas;
//! * a 404 answer (the error-code pages list DBSS.10021004 under 404) is the typed service error.
//!
//! Each constraint is checked on both sides: the client refuses a value that breaks it before
//! anything is sent (a catch-all mock server counts what arrives), and dbss-sim, which validates
//! requests from the same spec, answers a raw request carrying it with `400 DBSS.10000001`
//! naming the field. Values at the limits go through, so a refusal is due to the limit alone.

use std::future::Future;

use dbss::{Error, Operation, ServiceError, types};
use dbss_sim::{
    Simulator,
    spec::{Location, Spec},
};
use dbss_tests::{AK, INSTANCE, PROJECT, SK};
use httpmock::{Method, MockServer};
use serde_json::{Value, json};

/// The error code of a malformed request.
const BAD_REQUEST: &str = "DBSS.10000001";

/// An id of `length` characters.
fn id_of(length: usize) -> String {
    "0123456789abcdef".chars().cycle().take(length).collect()
}

/// A mock server that answers every request `200 {}`, and the mock counting them.
async fn catch_all(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|_when, then| {
            then.status(200).header("content-type", "application/json").body("{}");
        })
        .await
}

fn client_for(endpoint: &str, project: &str) -> dbss::Client {
    dbss::Client::builder()
        .endpoint(endpoint)
        .project_id(project)
        .credentials(dbss::Credentials::ak_sk(AK, SK))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// Whether `outcome` is the client's refusal naming `field`.
fn refused_naming<T>(outcome: &Result<T, Error>, field: &str) -> bool {
    matches!(outcome, Err(Error::InvalidRequest { reason, .. }) if reason.contains(field))
}

/// The raw request of `operation` (path parameters from `params`, the rest from the spec's
/// example), signed like the official SDK signs it and sent to `sim`: status and decoded error.
async fn send_raw(
    sim: &Simulator,
    operation: &'static str,
    params: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, ServiceError) {
    let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
    let example = spec
        .operation(operation)
        .and_then(|op| op.body.as_ref())
        .and_then(|b| b.example.clone());
    let body = body.cloned().or(example).map_or(String::new(), |b| b.to_string());
    let (status, bytes) = dbss_tests::send_operation(
        &reqwest::Client::new(),
        sim,
        spec,
        operation,
        params.iter().copied(),
        &body,
    )
    .await;
    (status, ServiceError::from_body(operation, status, None, &bytes))
}

/// Whether the simulator's answer is a 400 `DBSS.10000001` whose message names `field`
/// (`path.instance_id`, `body.risk_levels`).
fn simulator_names(status: u16, refusal: &ServiceError, field: &str) -> bool {
    status == 400
        && refusal.error_code.as_deref() == Some(BAD_REQUEST)
        && refusal
            .error_msg
            .as_deref()
            .is_some_and(|m| m.split("; ").any(|v| v.starts_with(&format!("{field}: "))))
}

async fn seeded(project: Option<&str>) -> Simulator {
    let builder = Simulator::builder().seed(7);
    let builder = match project {
        Some(project) => builder.project_id(project),
        None => builder,
    };
    builder.start().await.unwrap_or_else(|e| panic!("simulator: {e}"))
}

#[tokio::test]
async fn a_project_id_outside_32_to_64_characters_is_refused_by_the_client_and_the_simulator() {
    let server = MockServer::start_async().await;
    let mock = catch_all(&server).await;
    for length in [31, 65, 32, 64] {
        let client = client_for(&server.base_url(), &id_of(length));
        #[allow(deprecated)]
        let outcome = client.ops().show_audit_quota().call().await;
        let allowed = (32..=64).contains(&length);
        assert_eq!(
            refused_naming(&outcome, "project_id"),
            !allowed,
            "{length} characters: {:?}",
            outcome.err()
        );
    }
    assert_eq!(mock.calls_async().await, 2, "only the two allowed lengths are sent");

    // A simulator run with a project id the pages forbid refuses its own project, naming it.
    for length in [31, 65] {
        let project = id_of(length);
        let sim = seeded(Some(&project)).await;
        let (status, refusal) = send_raw(&sim, "ShowAuditQuota", &[], None).await;
        assert!(
            simulator_names(status, &refusal, "path.project_id"),
            "{length} characters: HTTP {status}: {refusal}"
        );
    }
    let sim = seeded(Some(&id_of(64))).await;
    let (status, refusal) = send_raw(&sim, "ShowAuditQuota", &[], None).await;
    assert_eq!(status, 200, "{refusal}");
}

/// Runs the call of `operation` with `instance_id` and says whether the client refused it
/// naming `instance_id` (other parameters may be missing: the instance id is checked first).
fn instance_call<'c>(
    client: &'c dbss::Client,
    operation: &str,
    instance_id: String,
) -> std::pin::Pin<Box<dyn Future<Output = bool> + 'c>> {
    macro_rules! run {
        ($builder:ident) => {{
            #[allow(deprecated)]
            let call = client.ops().$builder().instance_id(instance_id);
            Box::pin(async move { refused_naming(&call.call().await, "instance_id") })
        }};
    }
    match operation {
        "BindDbOmEip" => run!(bind_db_om_eip),
        "UpdateAuditInstance" => run!(update_audit_instance),
        "ListAlarmTopicConfigInfo" => run!(list_alarm_topic_config_info),
        "SetAlarmTopicConfigInfo" => run!(set_alarm_topic_config_info),
        "ListAuditRuleRisks" => run!(list_audit_rule_risks),
        "ListAuditRuleScopes" => run!(list_audit_rule_scopes),
        "SetAuditSqlRuleSwitch" => run!(set_audit_sql_rule_switch),
        "DeleteAuditAgent" => run!(delete_audit_agent),
        other => panic!("no call for {other}"),
    }
}

/// The operations whose path `instance_id` had no documented length in the spec.
const NEWLY_LIMITED: [&str; 8] = [
    "BindDbOmEip",
    "UpdateAuditInstance",
    "ListAlarmTopicConfigInfo",
    "SetAlarmTopicConfigInfo",
    "ListAuditRuleRisks",
    "ListAuditRuleScopes",
    "SetAuditSqlRuleSwitch",
    "DeleteAuditAgent",
];

#[tokio::test]
async fn the_path_instance_id_of_every_operation_is_32_to_64_characters() {
    // Every operation with an instance id in its path now documents the same length.
    let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
    let mut limited = 0;
    for op in spec.operations() {
        for p in op
            .params
            .iter()
            .filter(|p| p.name == "instance_id" && p.location == Location::Path)
        {
            let schema = spec.resolve(&p.schema);
            assert_eq!(
                (schema.get("minLength"), schema.get("maxLength")),
                (Some(&json!(32)), Some(&json!(64))),
                "{}",
                op.id
            );
            limited += 1;
        }
    }
    assert_eq!(limited, 127, "operations with a path instance_id");

    let server = MockServer::start_async().await;
    let mock = catch_all(&server).await;
    let client = dbss_tests::client(&server.base_url());
    let sim = seeded(None).await;
    for operation in NEWLY_LIMITED {
        for length in [31, 65] {
            let before = mock.calls_async().await;
            assert!(
                instance_call(&client, operation, id_of(length)).await,
                "{operation}: a {length}-character instance id is not refused naming it"
            );
            assert_eq!(mock.calls_async().await, before, "{operation}: a refused call was sent");
            let id = id_of(length);
            let (status, refusal) = send_raw(&sim, operation, &[("instance_id", &id), ("agent_id", "a1")], None).await;
            assert!(
                simulator_names(status, &refusal, "path.instance_id"),
                "{operation}, {length} characters: HTTP {status}: {refusal}"
            );
        }
        // At the limits the instance id is not what the client complains about.
        for length in [32, 64] {
            assert!(
                !instance_call(&client, operation, id_of(length)).await,
                "{operation}: a {length}-character instance id is refused"
            );
        }
    }
}

#[tokio::test]
async fn the_security_group_request_instance_id_is_32_to_64_characters() {
    for length in [31, 65] {
        let body = dbss::from_json::<types::SecurityGroupRequest>(json!({
            "instance_id": id_of(length),
            "securitygroup_ids": ["f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd"],
        }));
        assert!(
            matches!(&body, Err(Error::InvalidInput { path, .. }) if path == "instance_id"),
            "{length} characters: {body:?}"
        );
    }
    for length in [32, 64] {
        let body = dbss::from_json::<types::SecurityGroupRequest>(json!({
            "instance_id": id_of(length),
            "securitygroup_ids": ["f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd"],
        }));
        assert!(body.is_ok(), "{length} characters: {body:?}");
    }
    // The facade refuses it before sending too.
    let server = MockServer::start_async().await;
    let mock = catch_all(&server).await;
    let client = dbss_tests::client(&server.base_url());
    let outcome = client.instances().set_security_group(&id_of(31), "sg").await;
    assert!(refused_naming(&outcome, "instance_id"), "{:?}", outcome.err());
    assert_eq!(mock.calls_async().await, 0);

    let sim = seeded(None).await;
    for operation in ["UpdateAuditSecurityGroup", "UpdateAuditSecurityGroupNew"] {
        let body = json!({"instance_id": id_of(31), "securitygroup_ids": ["f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd"]});
        let (status, refusal) = send_raw(&sim, operation, &[], Some(&body)).await;
        assert!(
            simulator_names(status, &refusal, "body.instance_id"),
            "{operation}: HTTP {status}: {refusal}"
        );
    }
}

#[tokio::test]
async fn risk_levels_take_a_comma_separated_list_of_known_levels() {
    let decode =
        |levels: &str| dbss::from_json::<types::SqlRuleRequest>(json!({"page": 1, "size": 10, "risk_levels": levels}));
    for good in ["HIGH", "NO_RISK", "HIGH,MEDIUM", "LOW,MEDIUM,HIGH,NO_RISK"] {
        assert!(decode(good).is_ok(), "{good}: {:?}", decode(good).err());
    }
    for bad in ["SEVERE", "HIGH,SEVERE", "high", "HIGH,", ",HIGH", "HIGH, MEDIUM", ""] {
        let refused = decode(bad);
        assert!(
            matches!(&refused, Err(Error::InvalidInput { path, .. }) if path == "risk_levels"),
            "{bad:?}: {refused:?}"
        );
    }

    // A list is sent as the one string the page describes.
    let server = MockServer::start_async().await;
    let listed = server
        .mock_async(|when, then| {
            when.method(Method::POST)
                .path(format!("/v1/{PROJECT}/audit/{INSTANCE}/rule/sqls"))
                .json_body_includes(r#"{"risk_levels": "HIGH,MEDIUM"}"#);
            then.status(200).json_body(json!({"rules": [], "total": 0}));
        })
        .await;
    let client = dbss_tests::client(&server.base_url());
    let body = decode("HIGH,MEDIUM").unwrap_or_else(|e| panic!("{e}"));
    let page = client
        .ops()
        .list_sql_injection_rules_new()
        .instance_id(INSTANCE)
        .body(body)
        .call()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.total, Some(0));
    listed.assert_async().await;

    // The simulator takes the list and refuses an unknown level, naming the field.
    let sim = seeded(None).await;
    let instance = sim
        .state()
        .world()
        .instances
        .values()
        .next()
        .map(|i| i.id.clone())
        .unwrap_or_else(|| panic!("no seeded instance"));
    for operation in ["ListSqlInjectionRules", "ListSqlInjectionRulesNew"] {
        let good = json!({"page": 1, "size": 10, "risk_levels": "HIGH,MEDIUM"});
        let (status, refusal) = send_raw(&sim, operation, &[("instance_id", &instance)], Some(&good)).await;
        assert_eq!(status, 200, "{operation}: {refusal}");
        let bad = json!({"page": 1, "size": 10, "risk_levels": "HIGH,SEVERE"});
        let (status, refusal) = send_raw(&sim, operation, &[("instance_id", &instance)], Some(&bad)).await;
        assert!(
            simulator_names(status, &refusal, "body.risk_levels"),
            "{operation}: HTTP {status}: {refusal}"
        );
    }
}

#[tokio::test]
async fn a_404_from_the_service_is_the_typed_error_with_its_code_message_and_request_id() {
    let server = MockServer::start_async().await;
    let client = dbss_tests::client(&server.base_url());
    let shapes = [
        (
            "flat",
            json!({"error_code": "DBSS.10021004", "error_msg": "The requested page does not exist.", "details": []}),
        ),
        (
            "nested",
            json!({"error": {"error_code": "DBSS.10021004", "error_msg": "The requested page does not exist."}}),
        ),
    ];
    for (shape, body) in shapes {
        let request_id = format!("req-404-{shape}");
        let mock = server
            .mock_async(|when, then| {
                when.method(Method::GET).path(format!("/v2/{PROJECT}/audit/quota"));
                then.status(404)
                    .header("content-type", "application/json")
                    .header("x-request-id", &request_id)
                    .json_body(body.clone());
            })
            .await;
        let outcome = client.ops().show_audit_quota_new().call().await;
        let Err(Error::Service(error)) = outcome else {
            panic!("{shape}: expected a service error, got {outcome:?}");
        };
        assert_eq!(error.status, 404, "{shape}");
        assert_eq!(error.error_code.as_deref(), Some("DBSS.10021004"), "{shape}");
        assert_eq!(
            error.error_msg.as_deref(),
            Some("The requested page does not exist."),
            "{shape}"
        );
        assert_eq!(error.request_id.as_deref(), Some(request_id.as_str()), "{shape}");
        assert_eq!(error.operation, "ShowAuditQuotaNew");
        assert_eq!(mock.calls_async().await, 1, "{shape}: a 404 is not retried");
        mock.delete_async().await;
    }

    // The spec declares it, with the DBSS error shape.
    let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
    for response in ["NotFound", "Error"] {
        let schema = spec
            .pointer(&format!("#/components/responses/{response}"))
            .and_then(|r| r.pointer("/content/application~1json/schema/$ref"));
        assert_eq!(schema, Some(&json!("#/components/schemas/ErrorResponse")), "{response}");
    }
}
