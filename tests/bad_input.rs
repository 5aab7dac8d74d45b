//! Bad input, generated from the spec: for the request bodies and path ids of a
//! representative set of operations, every required field missing (one at a time), every
//! field of the wrong JSON type, every string beyond its documented `maxLength`, every path id
//! outside its documented length, and `securitygroup_ids` of zero and two items.
//!
//! Each bad input is checked twice:
//!
//! * **the client refuses it before sending, naming the field**: the bad JSON does not decode
//!   into the operation's typed body (`dbss::from_json::<dbss::types::X>`, whose
//!   `Error::InvalidInput` gives the field's path), or the bad path id makes `.call()` fail with
//!   `dbss::Error::InvalidRequest` naming the parameter — and a catch-all mock server receives
//!   nothing (an input the typed body accepts is sent to it, so a gap shows as a hit);
//! * **the simulator refuses it**: the same JSON, signed by hand and sent raw, is answered
//!   `400` `DBSS.10000001` with an `error_msg` naming the field, and the simulator's state is
//!   unchanged.
//!
//! The spec is read through `dbss_sim::spec::Spec::embedded()`, which parses
//! `openapi/dbss.yaml` with serde_yaml (serde_yaml is not a dependency of this test crate);
//! cases start from each operation's request-body example and walk its schema. The counts per
//! category are printed (`-- --nocapture`).

use std::{collections::BTreeMap, fmt, future::Future, pin::Pin};

use dbss::{Error, Operation, ServiceError, types};
use dbss_sim::{
    Simulator,
    spec::{Location, Spec},
};
use dbss_tests::HandSigned;
use httpmock::MockServer;
use serde_json::{Value, json};

const SEED: u64 = 7;
/// The error code of a malformed request.
const BAD_REQUEST: &str = "DBSS.10000001";

// ---------------------------------------------------------------------------------------------
// The operations under test, each with its typed client call

/// Path parameters of a request (without `project_id`, which the client fills in).
type Params = BTreeMap<String, String>;

/// What the client did with an input.
#[derive(Debug)]
enum ClientVerdict {
    /// The JSON does not decode into the operation's typed body.
    Undecodable(String),
    /// `.call()` refused it with `dbss::Error::InvalidRequest`.
    Invalid(String),
    /// The client sent it; what came back.
    Sent(String),
}

type Sending = Pin<Box<dyn Future<Output = ClientVerdict> + Send>>;

struct Target {
    operation: &'static str,
    /// Decodes the body into the typed body and, if that works, calls the operation.
    send: fn(dbss::Client, Params, Value) -> Sending,
}

/// A [`Target`] whose call is `$call` (a builder made from `$ops`, with path parameters from
/// `$params`), taking a body of type `$body`.
macro_rules! target {
    ($operation:literal, $body:ty, |$ops:ident, $params:ident| $call:expr) => {
        Target {
            operation: $operation,
            send: |client, $params, body| {
                Box::pin(async move {
                    let typed: $body = match dbss::from_json(body) {
                        Ok(typed) => typed,
                        Err(e) => return ClientVerdict::Undecodable(e.to_string()),
                    };
                    let $ops = client.ops();
                    match Operation::call($call.body(typed)).await {
                        Ok(_) => ClientVerdict::Sent("a success".to_owned()),
                        Err(Error::InvalidRequest { reason, .. }) => ClientVerdict::Invalid(reason),
                        Err(other) => ClientVerdict::Sent(other.to_string()),
                    }
                })
            },
        }
    };
}

fn param<'a>(params: &'a Params, name: &str) -> &'a str {
    params.get(name).map_or("", String::as_str)
}

// UpdateAuditSecurityGroup is deprecated in favour of ...New; its body is still checked.
#[allow(deprecated)]
fn targets() -> Vec<Target> {
    vec![
        target!("UpdateAuditSecurityGroup", types::SecurityGroupRequest, |ops, _p| ops
            .update_audit_security_group()),
        target!("UpdateAuditSecurityGroupNew", types::SecurityGroupRequest, |ops, _p| {
            ops.update_audit_security_group_new()
        }),
        target!(
            "CreateInstancesPeriodOrderNew",
            types::CreateInstancePeriodRequest,
            |ops, _p| ops.create_instances_period_order_new()
        ),
        target!("AddAuditDatabaseNew", types::CreateDatabaseRequest, |ops, p| ops
            .add_audit_database_new()
            .instance_id(param(&p, "instance_id"))),
        target!("AddAuditAgentNew", types::AuditAgentRequest, |ops, p| ops
            .add_audit_agent_new()
            .instance_id(param(&p, "instance_id"))),
        target!("CreateAuditRiskRule", types::RuleAddRiskRuleRequest, |ops, p| ops
            .create_audit_risk_rule()
            .instance_id(param(&p, "instance_id"))),
        target!("BatchAddAuditWhitelist", types::AddWhitelistRequest, |ops, p| ops
            .batch_add_audit_whitelist()
            .instance_id(param(&p, "instance_id"))),
        target!(
            "SetAlarmTopicConfigInfoNew",
            types::ConfigAlarmTopicRequest,
            |ops, p| ops
                .set_alarm_topic_config_info_new()
                .instance_id(param(&p, "instance_id"))
        ),
        target!("ListAuditSqlsNew", types::AuditSqlRequest, |ops, p| ops
            .list_audit_sqls_new()
            .instance_id(param(&p, "instance_id"))),
        target!("BatchAddResourceTag", types::ResourceTagRequest, |ops, p| ops
            .batch_add_resource_tag()
            .resource_type(param(&p, "resource_type"))
            .resource_id(param(&p, "resource_id"))),
    ]
}

// ---------------------------------------------------------------------------------------------
// Cases, generated from the spec

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Category {
    MissingRequired,
    WrongType,
    Oversize,
    PathId,
    SecurityGroupCount,
}

impl Category {
    const ALL: [Category; 5] = [
        Category::MissingRequired,
        Category::WrongType,
        Category::Oversize,
        Category::PathId,
        Category::SecurityGroupCount,
    ];

    fn label(self) -> &'static str {
        match self {
            Category::MissingRequired => "required field missing/null",
            Category::WrongType => "field of the wrong JSON type",
            Category::Oversize => "string beyond maxLength",
            Category::PathId => "path id outside its length",
            Category::SecurityGroupCount => "securitygroup_ids of 0 or 2",
        }
    }
}

/// A step into a JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// One bad input.
#[derive(Clone, Debug)]
struct Case {
    operation: &'static str,
    category: Category,
    /// The field as the simulator names it: `body.nics[0].subnet_id`, `path.instance_id`.
    field: String,
    /// What was done to it.
    change: String,
    body: Value,
    /// Path parameters; one is bad for [`Category::PathId`].
    params: Params,
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.operation, self.field, self.change)
    }
}

fn field_name(location: &str, steps: &[Step]) -> String {
    let mut name = location.to_owned();
    for step in steps {
        match step {
            Step::Key(key) => {
                name.push('.');
                name.push_str(key);
            }
            Step::Index(i) => name.push_str(&format!("[{i}]")),
        }
    }
    name
}

/// The value at `steps`, mutable.
fn at<'v>(value: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    steps.iter().try_fold(value, |current, step| match step {
        Step::Key(key) => current.get_mut(key.as_str()),
        Step::Index(i) => current.get_mut(*i),
    })
}

/// `example` with the value at `steps` replaced by `new` (or removed when `None`).
fn changed(example: &Value, steps: &[Step], new: Option<Value>) -> Value {
    let mut body = example.clone();
    let Some((last, parent)) = steps.split_last() else {
        return new.unwrap_or(Value::Null);
    };
    let Some(parent) = at(&mut body, parent) else {
        panic!("no {parent:?} in the example");
    };
    match (last, new) {
        (Step::Key(key), Some(new)) => {
            if let Some(map) = parent.as_object_mut() {
                map.insert(key.clone(), new);
            }
        }
        (Step::Key(key), None) => {
            if let Some(map) = parent.as_object_mut() {
                map.remove(key);
            }
        }
        (Step::Index(i), Some(new)) => {
            if let Some(slot) = parent.get_mut(*i) {
                *slot = new;
            }
        }
        (Step::Index(i), None) => {
            if let Some(items) = parent.as_array_mut() {
                items.remove(*i);
            }
        }
    }
    body
}

/// The kind a schema declares (`object` when it only lists properties).
fn kind(schema: &Value) -> Option<&str> {
    schema
        .get("type")
        .and_then(Value::as_str)
        .or_else(|| schema.get("properties").map(|_| "object"))
}

/// Two values of other JSON types than `schema` declares.
fn wrong_types(schema: &Value) -> Vec<(Value, &'static str)> {
    match kind(schema) {
        Some("string") => vec![
            (json!(12345), "an integer instead of a string"),
            (json!(true), "a boolean instead of a string"),
        ],
        Some("integer") => vec![
            (json!("12"), "a string instead of an integer"),
            (json!(1.5), "a fraction instead of an integer"),
        ],
        Some("number") => vec![
            (json!("1.5"), "a string instead of a number"),
            (json!(true), "a boolean instead of a number"),
        ],
        Some("boolean") => vec![
            (json!("yes"), "a string instead of a boolean"),
            (json!(1), "an integer instead of a boolean"),
        ],
        Some("array") => vec![
            (json!("not-an-array"), "a string instead of an array"),
            (json!({}), "an object instead of an array"),
        ],
        Some("object") => vec![
            (json!("not-an-object"), "a string instead of an object"),
            (json!([]), "an array instead of an object"),
        ],
        _ => vec![],
    }
}

/// A string one character beyond the schema's `maxLength`, for strings that document one
/// (and no `enum`, which would refuse it for another reason).
fn oversize(schema: &Value) -> Option<(Value, String)> {
    if kind(schema) != Some("string") || schema.get("enum").is_some() {
        return None;
    }
    let max = schema.get("maxLength").and_then(Value::as_u64)?;
    let length = usize::try_from(max).ok()? + 1;
    Some((
        Value::String("o".repeat(length)),
        format!("{length} characters (maxLength {max})"),
    ))
}

struct Walk<'a> {
    spec: &'a Spec,
    operation: &'static str,
    example: &'a Value,
    params: &'a Params,
    cases: Vec<Case>,
}

impl Walk<'_> {
    fn push(&mut self, category: Category, steps: &[Step], new: Option<Value>, change: String) {
        self.cases.push(Case {
            operation: self.operation,
            category,
            field: field_name("body", steps),
            change,
            body: changed(self.example, steps, new),
            params: self.params.clone(),
        });
    }

    /// Every case inside `value` (the example's value at `steps`), described by `schema`.
    fn walk(&mut self, schema: &Value, value: &Value, steps: &[Step]) {
        let spec = self.spec;
        let schema = spec.resolve(schema);
        match kind(schema) {
            Some("object") => {
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                for name in &required {
                    let inner = [steps, &[Step::Key((*name).to_owned())]].concat();
                    assert!(
                        value.get(*name).is_some(),
                        "{}: the example lacks the required {}",
                        self.operation,
                        field_name("body", &inner)
                    );
                    self.push(Category::MissingRequired, &inner, None, "removed".into());
                    self.push(Category::MissingRequired, &inner, Some(Value::Null), "null".into());
                }
                let properties = schema.get("properties").and_then(Value::as_object);
                for (name, property) in properties.into_iter().flatten() {
                    let inner = [steps, &[Step::Key(name.clone())]].concat();
                    match value.get(name) {
                        Some(present) => self.property(property, present, &inner),
                        // Not in the example: a documented length limit is still tried.
                        None => {
                            if let Some((long, change)) = oversize(spec.resolve(property)) {
                                self.push(Category::Oversize, &inner, Some(long), change);
                            }
                        }
                    }
                }
            }
            Some("array") => {
                if let (Some(items), Some(first)) = (schema.get("items"), value.get(0)) {
                    let inner = [steps, &[Step::Index(0)]].concat();
                    self.property(items, first, &inner);
                }
            }
            _ => {}
        }
    }

    /// The cases of one property (or array item) present in the example.
    fn property(&mut self, schema: &Value, value: &Value, steps: &[Step]) {
        let resolved = self.spec.resolve(schema);
        for (wrong, change) in wrong_types(resolved) {
            self.push(Category::WrongType, steps, Some(wrong), change.to_owned());
        }
        if let Some((long, change)) = oversize(resolved) {
            self.push(Category::Oversize, steps, Some(long), change);
        }
        self.walk(schema, value, steps);
    }
}

/// Valid path parameters for the operation, naming things that exist in a seeded simulator.
fn valid_params(spec: &Spec, operation: &str, fixtures: &Fixtures) -> Params {
    let op = spec
        .operation(operation)
        .unwrap_or_else(|| panic!("{operation} is not in the spec"));
    op.params
        .iter()
        .filter(|p| p.location == Location::Path && p.name != "project_id")
        .map(|p| {
            let value = match p.name.as_str() {
                "instance_id" => fixtures.instance_id.clone(),
                "resource_id" => fixtures.resource_id.clone(),
                "resource_type" => "auditInstance".to_owned(),
                other => panic!("{operation}: no fixture for path parameter {other}"),
            };
            (p.name.clone(), value)
        })
        .collect()
}

struct Fixtures {
    instance_id: String,
    resource_id: String,
}

fn cases_of(spec: &Spec, operation: &'static str, fixtures: &Fixtures) -> Vec<Case> {
    let op = spec
        .operation(operation)
        .unwrap_or_else(|| panic!("{operation} is not in the spec"));
    let body = op.body.as_ref().unwrap_or_else(|| panic!("{operation} takes no body"));
    let example = body
        .example
        .as_ref()
        .unwrap_or_else(|| panic!("{operation} has no body example"));
    let params = valid_params(spec, operation, fixtures);
    let mut walk = Walk {
        spec,
        operation,
        example,
        params: &params,
        cases: Vec::new(),
    };
    walk.walk(&body.schema, example, &[]);
    let mut cases = walk.cases;

    // securitygroup_ids of zero and two items.
    let schema = spec.resolve(&body.schema);
    if schema.pointer("/properties/securitygroup_ids").is_some() {
        let first = example.pointer("/securitygroup_ids/0").cloned().unwrap_or(json!("sg"));
        for (ids, change) in [
            (json!([]), "no id"),
            (json!([first, "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"]), "two ids"),
        ] {
            cases.push(Case {
                operation,
                category: Category::SecurityGroupCount,
                field: "body.securitygroup_ids".into(),
                change: change.into(),
                body: changed(example, &[Step::Key("securitygroup_ids".into())], Some(ids)),
                params: params.clone(),
            });
        }
    }

    // Path ids one character outside their documented lengths. The project id is not a
    // parameter of the calls (the client fills it from its configuration): tests/page_constraints.rs
    // covers it.
    for p in op
        .params
        .iter()
        .filter(|p| p.location == Location::Path && p.name != "project_id")
    {
        let schema = spec.resolve(&p.schema);
        let bound = |key: &str| {
            schema
                .get(key)
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
        };
        let lengths = [
            bound("minLength")
                .filter(|&min| min > 1)
                .map(|min| (min - 1, format!("minLength {min}"))),
            bound("maxLength").map(|max| (max + 1, format!("maxLength {max}"))),
        ];
        for (length, limit) in lengths.into_iter().flatten() {
            let id: String = "0123456789abcdef".chars().cycle().take(length).collect();
            let mut bad = params.clone();
            bad.insert(p.name.clone(), id);
            cases.push(Case {
                operation,
                category: Category::PathId,
                field: format!("path.{}", p.name),
                change: format!("{length} characters ({limit})"),
                body: example.clone(),
                params: bad,
            });
        }
    }
    cases
}

// ---------------------------------------------------------------------------------------------
// Sending raw to the simulator

/// The request of `operation` with `params` and the raw `body`, signed by hand like the
/// official SDK signs it; the status and body of the answer.
async fn send_raw(
    http: &reqwest::Client,
    sim: &Simulator,
    spec: &Spec,
    operation: &str,
    params: &Params,
    body: &str,
) -> (u16, Vec<u8>) {
    let op = spec
        .operation(operation)
        .unwrap_or_else(|| panic!("{operation} is not in the spec"));
    let mut path = op.path.replace("{project_id}", sim.project_id());
    for (name, value) in params {
        path = path.replace(&format!("{{{name}}}"), value);
    }
    let content_type = op
        .body
        .as_ref()
        .map_or("application/json".to_owned(), |b| b.content_type.clone());
    let response = HandSigned::new(op.method.as_str(), &path, &content_type, body)
        .send(http, sim)
        .await
        .unwrap_or_else(|e| panic!("{operation}: the simulator did not answer: {e}"));
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap_or_default();
    (status, bytes.to_vec())
}

/// A snapshot of everything the simulator holds.
fn snapshot(sim: &Simulator) -> String {
    format!("{:?}", *sim.state().world())
}

async fn seeded_simulator() -> Simulator {
    Simulator::builder()
        .seed(SEED)
        .start()
        .await
        .unwrap_or_else(|e| panic!("simulator: {e}"))
}

fn fixtures(sim: &Simulator) -> Fixtures {
    let world = sim.state().world();
    let first = world
        .instances
        .values()
        .next()
        .unwrap_or_else(|| panic!("no seeded instance"));
    Fixtures {
        instance_id: first.id.clone(),
        resource_id: first.resource_id.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Known gaps: bad inputs that are not refused as they should be. Each is asserted as it
// behaves today, so that the test fails when it changes (and the entry must go).

/// Which side lets a bad input through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Client,
    Simulator,
}

/// `(operation, field, change, side)` of every known gap. None today: every generated bad
/// input is refused by both sides.
const KNOWN_GAPS: &[(&str, &str, &str, Side)] = &[];

/// A bad input one side let through, and what happened to it.
struct Gap {
    case: Case,
    side: Side,
    what: String,
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}: {}", self.side, self.case, self.what)
    }
}

// ---------------------------------------------------------------------------------------------
// The test

#[derive(Default, Clone, Copy)]
struct Tally {
    cases: usize,
    client_refused: usize,
    /// Client refusals whose message names the field.
    client_named: usize,
    simulator_refused: usize,
}

/// Whether a client refusal names the field: by its path in the body, as `dbss::from_json`
/// reports it (`invalid input at rules[0].name: ...`), or by its last name, without array
/// indices, the way serde (`` missing field `name` ``) or progenitor (`for name failed`) would.
fn names_field(message: &str, field: &str) -> bool {
    let path = field.trim_start_matches("body.");
    let last = field.rsplit('.').next().unwrap_or(field);
    let last = last.split('[').next().unwrap_or(last);
    message.contains(&format!("at {path}:"))
        || message.contains(&format!("`{last}`"))
        || message.contains(&format!(" {last} "))
}

#[tokio::test]
async fn bad_input_is_refused_by_the_client_before_sending_and_by_the_simulator_with_a_400_naming_the_field() {
    let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
    let targets = targets();

    // Whatever the client sends lands here.
    let mock = MockServer::start_async().await;
    let catch_all = mock
        .mock_async(|_when, then| {
            then.status(200).header("content-type", "application/json").body("{}");
        })
        .await;
    let client = dbss_tests::client(&mock.base_url());

    let sim = seeded_simulator().await;
    let fixtures = fixtures(&sim);
    let http = reqwest::Client::new();

    // Controls: each example decodes, is sent by the client (one request each), and passes the
    // simulator's checks — so each refusal below is due to the one thing changed.
    let control_sim = seeded_simulator().await;
    for target in &targets {
        let op = spec
            .operation(target.operation)
            .unwrap_or_else(|| panic!("{}", target.operation));
        let example = op.body.as_ref().and_then(|b| b.example.clone()).unwrap_or(Value::Null);
        let params = valid_params(spec, target.operation, &fixtures);
        let verdict = (target.send)(client.clone(), params.clone(), example.clone()).await;
        assert!(
            matches!(&verdict, ClientVerdict::Sent(outcome) if outcome == "a success"),
            "{}: the example is not sent as is: {verdict:?}",
            target.operation
        );
        let (status, answer) = send_raw(
            &http,
            &control_sim,
            spec,
            target.operation,
            &params,
            &example.to_string(),
        )
        .await;
        let refusal = ServiceError::from_body("control", status, None, &answer);
        assert!(
            status < 400 || refusal.error_code.as_deref() != Some(BAD_REQUEST),
            "{}: the simulator refuses the example: {refusal}",
            target.operation
        );
    }
    assert_eq!(
        catch_all.calls_async().await,
        targets.len(),
        "the mock server sees what the client sends"
    );
    drop(control_sim);

    let mut cases = Vec::new();
    for target in &targets {
        cases.extend(cases_of(spec, target.operation, &fixtures));
    }

    let mut tally: BTreeMap<Category, Tally> = BTreeMap::new();
    // The first case of each category, with what the client and the simulator said.
    let mut samples: BTreeMap<Category, [String; 3]> = BTreeMap::new();
    let mut gaps: Vec<Gap> = Vec::new();
    let mut before = snapshot(&sim);
    let mut hits = catch_all.calls_async().await;
    for case in &cases {
        let counts = tally.entry(case.category).or_default();
        counts.cases += 1;
        let target = targets
            .iter()
            .find(|t| t.operation == case.operation)
            .unwrap_or_else(|| panic!("{} has no target", case.operation));

        // (a) The client.
        let verdict = (target.send)(client.clone(), case.params.clone(), case.body.clone()).await;
        let now = catch_all.calls_async().await;
        let sent = now - hits;
        hits = now;
        let client_refused = match &verdict {
            ClientVerdict::Undecodable(_) => case.category != Category::PathId,
            ClientVerdict::Invalid(reason) => {
                case.category == Category::PathId && reason.contains(case.field.trim_start_matches("path."))
            }
            ClientVerdict::Sent(_) => false,
        };
        if client_refused && sent == 0 {
            counts.client_refused += 1;
            if let ClientVerdict::Undecodable(message) | ClientVerdict::Invalid(message) = &verdict
                && names_field(message, &case.field)
            {
                counts.client_named += 1;
            }
        } else {
            gaps.push(Gap {
                case: case.clone(),
                side: Side::Client,
                what: format!("{verdict:?}; requests sent: {sent}"),
            });
        }

        // (b) The simulator, sent the same JSON raw.
        let (status, answer) = send_raw(&http, &sim, spec, case.operation, &case.params, &case.body.to_string()).await;
        let refusal = ServiceError::from_body(case.operation, status, None, &answer);
        let names_the_field = refusal
            .error_msg
            .as_deref()
            .is_some_and(|m| m.split("; ").any(|v| v.starts_with(&format!("{}: ", case.field))));
        samples.entry(case.category).or_insert_with(|| {
            let client_said = match &verdict {
                ClientVerdict::Undecodable(message) => format!("serde: {message}"),
                ClientVerdict::Invalid(reason) => format!("Error::InvalidRequest: {reason}"),
                ClientVerdict::Sent(outcome) => format!("sent, got {outcome}"),
            };
            [case.to_string(), client_said, refusal.to_string()]
        });
        let unchanged = snapshot(&sim) == before;
        // Each case is judged by its own change only: whatever it started (an instance being
        // built) is completed now, not while the next case runs.
        sim.state().complete_pending();
        before = snapshot(&sim);
        if status == 400 && refusal.error_code.as_deref() == Some(BAD_REQUEST) && names_the_field && unchanged {
            counts.simulator_refused += 1;
        } else {
            let mut what = format!("HTTP {status}: {refusal}");
            if !unchanged {
                what.push_str("; the state changed");
            }
            gaps.push(Gap {
                case: case.clone(),
                side: Side::Simulator,
                what,
            });
        }
    }

    println!("{}", report(&tally, &samples, &gaps));

    // Enough cases, from every operation, in every category.
    for category in Category::ALL {
        let n = tally.get(&category).map_or(0, |t| t.cases);
        assert!(n > 0, "no case of {}", category.label());
    }
    for target in &targets {
        let of_it = cases.iter().filter(|c| c.operation == target.operation);
        let categories: Vec<Category> = of_it.map(|c| c.category).collect();
        assert!(
            categories.contains(&Category::MissingRequired) && categories.contains(&Category::WrongType)
                || target.operation == "BatchAddResourceTag" && categories.contains(&Category::WrongType),
            "{}: too few cases: {categories:?}",
            target.operation
        );
    }

    // Nothing slipped through but the known gaps, and every known gap is still there.
    let mut found: Vec<(&str, &str, &str, Side)> = gaps
        .iter()
        .map(|g| (g.case.operation, g.case.field.as_str(), g.case.change.as_str(), g.side))
        .collect();
    found.sort();
    let mut known = KNOWN_GAPS.to_vec();
    known.sort();
    assert_eq!(
        found,
        known,
        "bad inputs let through (left) differ from the known gaps (right):\n{}",
        gaps.iter().map(|g| format!("  {g}")).collect::<Vec<_>>().join("\n")
    );
    // Every refusal by the client says which field (through `dbss::from_json`'s path, or the
    // builder's own message for path ids).
    for (category, t) in &tally {
        assert_eq!(
            t.client_named, t.client_refused,
            "{category:?}: some client refusals do not name the field"
        );
    }
    // The mock saw the controls and nothing else.
    assert_eq!(
        catch_all.calls_async().await,
        targets.len() + gaps.iter().filter(|g| g.side == Side::Client).count()
    );
}

fn report(tally: &BTreeMap<Category, Tally>, samples: &BTreeMap<Category, [String; 3]>, gaps: &[Gap]) -> String {
    let mut out = String::from(
        "| category                     | cases | client refused, nothing sent | client message names the field | simulator 400 DBSS.10000001 naming the field |\n\
         |------------------------------|-------|------------------------------|----------------------------------|----------------------------------------------|\n",
    );
    let mut total = Tally::default();
    let row = |label: &str, t: Tally| {
        format!(
            "| {label:28} | {:5} | {:28} | {:32} | {:44} |\n",
            t.cases, t.client_refused, t.client_named, t.simulator_refused
        )
    };
    for category in Category::ALL {
        let t = tally.get(&category).copied().unwrap_or_default();
        total.cases += t.cases;
        total.client_refused += t.client_refused;
        total.client_named += t.client_named;
        total.simulator_refused += t.simulator_refused;
        out.push_str(&row(category.label(), t));
    }
    out.push_str(&row("total", total));
    out.push_str("\nfor example:\n");
    for [case, client_said, simulator_said] in samples.values() {
        out.push_str(&format!(
            "  {case}\n    client:    {client_said}\n    simulator: {simulator_said}\n"
        ));
    }
    if gaps.is_empty() {
        out.push_str("\nno bad input slipped through\n");
    } else {
        out.push_str(&format!("\n{} gap(s):\n", gaps.len()));
        for gap in gaps {
            out.push_str(&format!("  {gap}\n"));
        }
    }
    out
}
