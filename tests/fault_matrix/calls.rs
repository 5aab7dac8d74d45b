//! The four kinds of call of the matrix: an idempotent read, an idempotent setting and two
//! non-idempotent creates, with their bodies and how each is made through the client.

use dbss::{Error, Operation, types};
use serde_json::{Value, json};

use crate::NEW_GROUP;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Call {
    Read,
    Setting,
    Order,
    Whitelist,
}

impl Call {
    pub(crate) const ALL: [Call; 4] = [Call::Read, Call::Setting, Call::Order, Call::Whitelist];

    pub(crate) fn operation(self) -> &'static str {
        match self {
            Call::Read => "ListAuditInstancesLast",
            Call::Setting => "UpdateAuditSecurityGroupNew",
            Call::Order => "CreateInstancesPeriodOrderNew",
            Call::Whitelist => "BatchAddAuditWhitelist",
        }
    }

    pub(crate) fn heading(self) -> &'static str {
        match self {
            Call::Read => "idempotent read (ListAuditInstancesLast)",
            Call::Setting => "idempotent setting (UpdateAuditSecurityGroupNew)",
            Call::Order => "create (CreateInstancesPeriodOrderNew)",
            Call::Whitelist => "create (BatchAddAuditWhitelist)",
        }
    }

    pub(crate) fn idempotent(self) -> bool {
        matches!(self, Call::Read | Call::Setting)
    }
}

pub(crate) fn setting_body(instance: &str) -> types::SecurityGroupRequest {
    decode(json!({ "instance_id": instance, "securitygroup_ids": [NEW_GROUP] }))
}

pub(crate) fn order_body() -> types::CreateInstancePeriodRequest {
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

pub(crate) fn whitelist_body() -> types::AddWhitelistRequest {
    decode(json!({ "whitelists": [{ "sql": "SELECT 1 FROM dual", "desc": "fault matrix", "enabled": true }] }))
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("a valid body does not decode: {e}"))
}

/// Makes the call; a successful read returns how many instances it listed.
pub(crate) async fn invoke(client: &dbss::Client, call: Call, instance: &str) -> Result<usize, Error> {
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
