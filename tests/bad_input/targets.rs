//! The operations under test, each with its typed client call.

use std::{collections::BTreeMap, future::Future, pin::Pin};

use dbss::{Error, Operation, types};
use serde_json::Value;
/// Path parameters of a request (without `project_id`, which the client fills in).
pub(crate) type Params = BTreeMap<String, String>;

/// What the client did with an input.
#[derive(Debug)]
pub(crate) enum ClientVerdict {
    /// The JSON does not decode into the operation's typed body.
    Undecodable(String),
    /// `.call()` refused it with `dbss::Error::InvalidRequest`.
    Invalid(String),
    /// The client sent it; what came back.
    Sent(String),
}

pub(crate) type Sending = Pin<Box<dyn Future<Output = ClientVerdict> + Send>>;

pub(crate) struct Target {
    pub(crate) operation: &'static str,
    /// Decodes the body into the typed body and, if that works, calls the operation.
    pub(crate) send: fn(dbss::Client, Params, Value) -> Sending,
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

pub(crate) fn param<'a>(params: &'a Params, name: &str) -> &'a str {
    params.get(name).map_or("", String::as_str)
}

// UpdateAuditSecurityGroup is deprecated in favour of ...New; its body is still checked.
#[allow(deprecated)]
pub(crate) fn targets() -> Vec<Target> {
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
