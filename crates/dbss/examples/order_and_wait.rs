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

use dbss::wait::{InstanceState, Waiter};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), dbss::Error> {
    let client = support::connect()?;
    let request = serde_json::from_value(serde_json::json!({
        "name": "audit-example", "flavor_ref": "c6.xlarge.4", "vpc_id": "b26086b0-8257-21c4-6b34-3c2486e643b7",
        "availability_zone": "cn-north-4a", "nics": [{"subnet_id": "fe866fcb-2725-fcd8-0b02-4a7957795b65"}],
        "security_groups": [{"id": "b80bb774-0288-fda1-f201-890375a60c8f"}], "comment": "ordered by an example",
        "region": "cn-north-4", "cloud_service_type": "hws.service.type.dbss", "charging_mode": 0, "period_type": 2,
        "period_num": 1, "subscription_num": 1, "is_auto_renew": 0,
        "product_infos": [{"product_id": "00301-225396-0--0", "cloud_service_type": "hws.service.type.dbss",
            "resource_type": "hws.resource.type.dbss", "resource_spec_code": "dbss.bypassaudit.low", "product_spec_desc": "low"}]
    }))
    .map_err(|e| dbss::Error::InvalidRequest { operation: "CreateInstancesPeriodOrderNew", reason: e.to_string() })?;
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
