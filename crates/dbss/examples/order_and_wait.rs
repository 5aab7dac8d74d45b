//! Order a yearly/monthly audit instance and wait until it is running.
//!
//! The order is never retried automatically (it could be placed twice); the waiter polls with
//! backoff until the instance is ACTIVE, and reports the last state seen if it is not in time.
//!
//! ```sh
//! cargo run -p dbss --example order_and_wait
//! ```

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use dbss::{
    types::{
        CreateInstancePeriodRequest, CreateInstancePeriodRequestCloudServiceType as ServiceType,
        CreateInstancePeriodRequestNics, CreateInstancePeriodRequestProductInfos,
        CreateInstancePeriodRequestProductInfosResourceSpecCode as Edition, CreateInstancePeriodRequestSecurityGroups,
    },
    wait::{InstanceState, Waiter},
};
use futures::TryStreamExt;

const OPERATION: &str = "CreateInstancesPeriodOrderNew";

#[tokio::main]
async fn main() -> Result<(), dbss::Error> {
    let client = support::connect()?;
    let request = order_request()?;
    let order = client.instances().order(request).await?;
    println!("order {} placed", order.order_id.unwrap_or_default());

    // The order names no instance id: find the new instance by name.
    let waiter = Waiter {
        deadline: Duration::from_secs(600),
        first_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(10),
    };
    let instances: Vec<_> = client.instances().list().try_collect().await?;
    let id = instances
        .into_iter()
        .find(|i| i.name.as_deref() == Some("audit-example"))
        .and_then(|i| i.id)
        .ok_or_else(|| dbss::Error::Config("the ordered instance is not listed".into()))?;
    let instance = client.instances().wait(&id, InstanceState::Active, &waiter).await?;
    println!("{id} is {}", instance.and_then(|i| i.status).unwrap_or_default());
    Ok(())
}

/// A one-month order of the low edition, built from the generated typed request: a field of
/// the wrong type does not compile, a value outside its documented range is refused here.
fn order_request() -> Result<CreateInstancePeriodRequest, dbss::Error> {
    let invalid = |field: &str, reason: String| dbss::Error::InvalidRequest {
        operation: OPERATION,
        reason: format!("{field}: {reason}"),
    };
    Ok(CreateInstancePeriodRequest {
        name: "audit-example"
            .try_into()
            .map_err(|e| invalid("name", format!("{e}")))?,
        flavor_ref: "c6.xlarge.4".into(),
        vpc_id: "b26086b0-8257-21c4-6b34-3c2486e643b7".into(),
        availability_zone: "cn-north-4a".into(),
        nics: vec![CreateInstancePeriodRequestNics {
            subnet_id: "fe866fcb-2725-fcd8-0b02-4a7957795b65".into(),
            ip_address: None,
        }],
        security_groups: vec![CreateInstancePeriodRequestSecurityGroups {
            id: "b80bb774-0288-fda1-f201-890375a60c8f".into(),
        }],
        comment: Some("ordered by an example".into()),
        region: "cn-north-4".into(),
        cloud_service_type: ServiceType::HwsServiceTypeDbss,
        // 0: yearly/monthly; period type 2: months; 0: no automatic renewal.
        charging_mode: 0.try_into().map_err(|e| invalid("charging_mode", format!("{e}")))?,
        period_type: 2.try_into().map_err(|e| invalid("period_type", format!("{e}")))?,
        period_num: 1,
        subscription_num: 1,
        is_auto_renew: 0.try_into().map_err(|e| invalid("is_auto_renew", format!("{e}")))?,
        product_infos: vec![CreateInstancePeriodRequestProductInfos {
            product_id: "00301-225396-0--0".into(),
            cloud_service_type: "hws.service.type.dbss".into(),
            resource_type: "hws.resource.type.dbss".into(),
            resource_spec_code: Edition::DbssBypassauditLow,
            product_spec_desc: Some("low".into()),
        }],
        enterprise_project_id: None,
        promotion_info: None,
        tags: Vec::new(),
    })
}
