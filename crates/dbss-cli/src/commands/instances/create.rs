//! `dbss instances create`: an order for a yearly/monthly instance, from flags for the
//! essentials and `--body` for everything else.

use std::time::Duration;

use clap::Args;
use dbss::wait::InstanceState;
use futures::TryStreamExt;
use serde_json::{Map, Value, json};

use super::{WaitArgs, ids, wait};
use crate::{
    api_support::read_json_arg,
    commands::{Ctx, to_value},
    error::CliError,
    progress,
};

/// Flags of `dbss instances create`.
#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Instance name
    #[arg(long)]
    pub name: Option<String>,
    /// ECS flavor id backing the instance (`dbss api list-ecs-specification-new`)
    #[arg(long)]
    pub flavor: Option<String>,
    /// VPC id
    #[arg(long)]
    pub vpc: Option<String>,
    /// Subnet id of the instance's NIC
    #[arg(long)]
    pub subnet: Option<String>,
    /// Security group id
    #[arg(long)]
    pub security_group: Option<String>,
    /// Availability zone (primary,standby for two)
    #[arg(long)]
    pub zone: Option<String>,
    /// Product id of the edition, from the price calculator
    #[arg(long)]
    pub product_id: Option<String>,
    /// Edition
    #[arg(long, value_parser = crate::api_support::one_of(&["low", "medium", "high"]), ignore_case = true, default_value = "low")]
    pub edition: String,
    /// Unit of the subscription period
    #[arg(long, value_parser = crate::api_support::one_of(&["month", "year"]), ignore_case = true, default_value = "month")]
    pub period_unit: String,
    /// Number of periods
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i32).range(1..=9))]
    pub period: i32,
    /// Renew automatically at the end of the period
    #[arg(long)]
    pub auto_renew: bool,
    /// Description
    #[arg(long)]
    pub comment: Option<String>,
    /// Tag to attach, as key=value (repeatable)
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// The full request (JSON, @file or @- for stdin); flags given as well override its fields
    #[arg(long, value_name = "JSON|@FILE")]
    pub body: Option<String>,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// Places the order; with `--wait`, waits for the new instance to be ACTIVE.
pub async fn run(ctx: &Ctx, client: &dbss::Client, args: CreateArgs) -> Result<(), CliError> {
    let request = request(&args, ctx.global.region.as_deref())?;
    let name = request.name.to_string();
    let before = if args.wait.wait { ids(client).await? } else { Vec::new() };
    let order = client.instances().order(request).await?;
    if !args.wait.wait {
        return ctx.printer.object(&to_value(order)?);
    }
    // The order answers with an order id only; the instance is the new one of that name.
    let order_id = order.order_id.clone().unwrap_or_else(|| "?".into());
    let spinner = progress::spinner(format!("waiting for order {order_id} to list instance {name}"));
    let found = ordered_instance(client, &name, &before, args.wait.waiter().deadline).await;
    spinner.finish_and_clear();
    let id = found?.ok_or_else(|| {
        CliError::Failed(format!(
            "order {order_id} placed, but no new instance named {name} was listed within {}s",
            args.wait.wait_timeout
        ))
    })?;
    let instance = wait(client, &id, InstanceState::Active, &args.wait).await?;
    let mut value = to_value(instance)?;
    if let Value::Object(map) = &mut value {
        map.insert("order_id".into(), json!(order.order_id));
    }
    ctx.printer.object(&value)
}

/// The id of the instance an order created: one named `name` that was not among `before`,
/// polled for until `deadline` (`None` if it never appears).
pub async fn ordered_instance(
    client: &dbss::Client,
    name: &str,
    before: &[String],
    deadline: Duration,
) -> Result<Option<String>, CliError> {
    let started = tokio::time::Instant::now();
    loop {
        let found = client.instances().list().try_filter(|i| {
            let new = i.id.as_ref().is_some_and(|id| !before.contains(id));
            futures::future::ready(new && i.name.as_deref() == Some(name))
        });
        let mut found = std::pin::pin!(found);
        if let Some(id) = found.try_next().await?.and_then(|i| i.id) {
            return Ok(Some(id));
        }
        if started.elapsed() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The order request: `--body` (or nothing), the flags on top, then the documented constants
/// for whatever is still missing.
pub fn request(args: &CreateArgs, region: Option<&str>) -> Result<dbss::types::CreateInstancePeriodRequest, CliError> {
    let mut body = match &args.body {
        Some(raw) => match read_json_arg("--body", raw)? {
            Value::Object(map) => map,
            _ => return Err(CliError::Usage("--body must be a JSON object".into())),
        },
        None => Map::new(),
    };
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            body.insert(key.to_owned(), value);
        }
    };
    set("name", args.name.clone().map(Value::from));
    set("flavor_ref", args.flavor.clone().map(Value::from));
    set("vpc_id", args.vpc.clone().map(Value::from));
    set("availability_zone", args.zone.clone().map(Value::from));
    set("region", region.map(Value::from));
    set("comment", args.comment.clone().map(Value::from));
    set("nics", args.subnet.as_ref().map(|s| json!([{ "subnet_id": s }])));
    set(
        "security_groups",
        args.security_group.as_ref().map(|g| json!([{ "id": g }])),
    );
    if let Some(product) = &args.product_id {
        set(
            "product_infos",
            Some(json!([{
                "product_id": product,
                "cloud_service_type": "hws.service.type.dbss",
                "resource_type": "hws.resource.type.dbss",
                "resource_spec_code": format!("dbss.bypassaudit.{}", args.edition),
            }])),
        );
    }
    if !args.tags.is_empty() {
        let tags = args
            .tags
            .iter()
            .map(|t| match t.split_once('=') {
                Some((k, v)) if !k.is_empty() => Ok(json!({ "key": k, "value": v })),
                _ => Err(CliError::Usage(format!("--tag {t:?}: expected KEY=VALUE"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        set("tags", Some(Value::Array(tags)));
    }
    let period_type = if args.period_unit == "year" { 3 } else { 2 };
    for (key, value) in [
        ("cloud_service_type", json!("hws.service.type.dbss")),
        ("charging_mode", json!(0)),
        ("period_type", json!(period_type)),
        ("period_num", json!(args.period)),
        ("subscription_num", json!(1)),
        ("is_auto_renew", json!(i32::from(args.auto_renew))),
    ] {
        body.entry(key).or_insert(value);
    }
    let missing: Vec<&str> = [
        ("name", "--name"),
        ("flavor_ref", "--flavor"),
        ("vpc_id", "--vpc"),
        ("availability_zone", "--zone"),
        ("nics", "--subnet"),
        ("security_groups", "--security-group"),
        ("product_infos", "--product-id"),
        ("region", "--region"),
    ]
    .into_iter()
    .filter(|(key, _)| !body.contains_key(*key))
    .map(|(_, flag)| flag)
    .collect();
    if !missing.is_empty() {
        return Err(CliError::Usage(format!(
            "an order needs {} (or those fields in --body)",
            missing.join(", ")
        )));
    }
    crate::api_support::decode_body("--body", Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Harness {
        #[command(flatten)]
        args: CreateArgs,
    }

    fn args(flags: &[&str]) -> CreateArgs {
        let argv = std::iter::once("create").chain(flags.iter().copied());
        Harness::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}")).args
    }

    #[test]
    fn flags_make_a_complete_order() {
        let a = args(&[
            "--name",
            "audit-1",
            "--flavor",
            "f",
            "--vpc",
            "v",
            "--subnet",
            "s",
            "--security-group",
            "g",
            "--zone",
            "z",
            "--product-id",
            "p",
            "--edition",
            "high",
            "--period-unit",
            "year",
            "--tag",
            "env=prod",
        ]);
        let request = request(&a, Some("cn-north-4")).unwrap_or_else(|e| panic!("{e}"));
        let value = serde_json::to_value(request).unwrap_or_default();
        assert_eq!(value["period_type"], 3);
        assert_eq!(value["product_infos"][0]["resource_spec_code"], "dbss.bypassaudit.high");
        assert_eq!(value["tags"][0]["key"], "env");
        assert_eq!(value["nics"][0]["subnet_id"], "s");
    }

    #[test]
    fn missing_essentials_are_all_named() {
        let error = request(&args(&["--name", "x"]), None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        for flag in [
            "--flavor",
            "--vpc",
            "--zone",
            "--subnet",
            "--security-group",
            "--product-id",
            "--region",
        ] {
            assert!(error.contains(flag), "{error}");
        }
    }

    #[test]
    fn a_body_is_completed_and_flags_override_it() {
        let body = r#"{"name":"from-body","flavor_ref":"f","vpc_id":"v","availability_zone":"z","region":"r",
            "nics":[{"subnet_id":"s"}],"security_groups":[{"id":"g"}],
            "product_infos":[{"product_id":"p","cloud_service_type":"c","resource_type":"t","resource_spec_code":"dbss.bypassaudit.low"}]}"#;
        let request = request(&args(&["--body", body, "--name", "flag"]), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(request.name.to_string(), "flag");
        assert_eq!(request.region, "r");
    }
}
