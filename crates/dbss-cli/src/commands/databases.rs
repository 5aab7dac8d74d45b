//! `dbss databases ...`: the databases an instance audits.

use clap::{Args, Subcommand};
use futures::StreamExt;
use serde_json::{Map, Value, json};

use super::{
    Ctx, InstanceArg, InstanceItem, InstanceList, check_result, instance_ref::NamesInstances, outcome, print_list,
};
use crate::{
    api_support::{decode_body, one_of, read_json_arg},
    error::CliError,
};

/// The engines a database can run (the `type` enum of the spec's `CreateDatabaseRequestDatabase`).
const ENGINES: &[&str] = &[
    "MYSQL",
    "ORACLE",
    "POSTGRESQL",
    "SQLSERVER",
    "DAMENG",
    "TAURUS",
    "DWS",
    "KINGBASE",
    "GAUSSDBOPENGAUSS",
    "GREENPLUM",
    "HIGHGO",
    "SHENTONG",
    "GBASE8A",
    "GBASE8S",
    "GBASEXDM",
    "MONGODB",
    "DDS",
];

/// Table columns of a database.
const COLUMNS: &[&str] = &["id", "name", "type", "version", "ip", "port", "status", "audit_status"];

/// `dbss databases`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the databases of an instance (ListAuditDatabasesNew)
    List(InstanceList),
    /// Add a database to audit (AddAuditDatabaseNew)
    Add(Box<AddArgs>),
    /// Turn auditing of a database on (SwitchAuditDatabaseNew)
    Enable(InstanceItem),
    /// Turn auditing of a database off (SwitchAuditDatabaseNew)
    Disable(InstanceItem),
    /// Remove a database from the instance (DeleteAuditDatabaseNew)
    Delete(InstanceItem),
}

/// Flags of `dbss databases add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    #[command(flatten)]
    instance: InstanceArg,
    /// Database name
    #[arg(long)]
    name: Option<String>,
    /// Engine
    #[arg(long = "type", value_name = "ENGINE", value_parser = one_of(ENGINES), ignore_case = true)]
    engine: Option<String>,
    /// Engine version
    #[arg(long)]
    version: Option<String>,
    /// IP address of the database
    #[arg(long)]
    ip: Option<String>,
    /// Port of the database
    #[arg(long)]
    port: Option<String>,
    /// Operating system of the database host
    #[arg(long, value_parser = one_of(&["LINUX64", "WINDOWS64", "UNIX"]), ignore_case = true, default_value = "LINUX64")]
    os: String,
    /// Character set
    #[arg(long, value_parser = one_of(&["UTF8", "GBK"]), ignore_case = true, default_value = "UTF8")]
    charset: String,
    /// Where the database runs: RDS (managed) or ECS (self-built)
    #[arg(long, value_parser = one_of(&["RDS", "ECS"]), ignore_case = true, default_value = "ECS")]
    classification: String,
    /// Name of the RDS or database instance
    #[arg(long)]
    instance_name: Option<String>,
    /// The full request (JSON, @file or @- for stdin); flags given as well override its fields
    #[arg(long, value_name = "JSON|@FILE")]
    body: Option<String>,
}

impl NamesInstances for Command {
    fn instance_refs(&mut self) -> Vec<&mut String> {
        match self {
            Command::List(l) => l.instance.instance_refs(),
            Command::Add(args) => args.instance.instance_refs(),
            Command::Enable(r) | Command::Disable(r) | Command::Delete(r) => r.instance.instance_refs(),
        }
    }
}

/// Runs `dbss databases ...`.
pub async fn run(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    let client = ctx.client()?;
    match command {
        Command::List(InstanceList { instance, list }) => {
            use dbss::paging::Paged;
            let items = client
                .ops()
                .list_audit_databases_new()
                .instance_id(instance.instance.as_str())
                .items(list.page_size())
                .map(|bean| bean.map(|b| b.database.map(|d| json!(d)).unwrap_or(Value::Null)));
            print_list(ctx, &list, items, COLUMNS).await
        }
        Command::Add(args) => {
            let request = add_request(&args)?;
            let id = client.databases(&args.instance.instance).add(request).await?;
            ctx.printer
                .object(&json!({ "instance_id": args.instance.instance, "id": id }))
        }
        Command::Enable(r) => switch(ctx, &client, r, true).await,
        Command::Disable(r) => switch(ctx, &client, r, false).await,
        Command::Delete(r) => {
            crate::confirm::destructive(
                &ctx.global,
                &format!("remove database {} from audit instance {}", r.id, r.instance.instance),
            )?;
            let result = client.databases(&r.instance.instance).delete(&r.id).await?;
            check_result("DeleteAuditDatabaseNew", result.as_deref())?;
            ctx.printer.object(&outcome(
                &[("instance_id", &r.instance.instance), ("id", &r.id)],
                result,
            ))
        }
    }
}

async fn switch(ctx: &Ctx, client: &dbss::Client, r: InstanceItem, on: bool) -> Result<(), CliError> {
    let result = client.databases(&r.instance.instance).switch(&r.id, on).await?;
    check_result("SwitchAuditDatabaseNew", result.as_deref())?;
    ctx.printer.object(&outcome(
        &[
            ("instance_id", &r.instance.instance),
            ("id", &r.id),
            ("audit", if on { "ON" } else { "OFF" }),
        ],
        result,
    ))
}

/// The request of `add`: `--body` (its `database` object), the flags on top.
fn add_request(args: &AddArgs) -> Result<dbss::types::CreateDatabaseRequest, CliError> {
    let mut database = match &args.body {
        Some(raw) => match read_json_arg("--body", raw)? {
            Value::Object(mut map) => match map.remove("database") {
                Some(Value::Object(inner)) => inner,
                _ => return Err(CliError::Usage("--body must be {\"database\": {...}}".into())),
            },
            _ => return Err(CliError::Usage("--body must be a JSON object".into())),
        },
        None => Map::new(),
    };
    for (key, value) in [
        ("name", &args.name),
        ("type", &args.engine),
        ("version", &args.version),
        ("ip", &args.ip),
        ("port", &args.port),
        ("instance_name", &args.instance_name),
    ] {
        if let Some(value) = value {
            database.insert(key.to_owned(), json!(value));
        }
    }
    for (key, value) in [
        ("os", &args.os),
        ("charset", &args.charset),
        ("db_classification", &args.classification),
    ] {
        database.entry(key).or_insert_with(|| json!(value));
    }
    let missing: Vec<&str> = [
        ("name", "--name"),
        ("type", "--type"),
        ("version", "--version"),
        ("ip", "--ip"),
        ("port", "--port"),
    ]
    .into_iter()
    .filter(|(key, _)| !database.contains_key(*key))
    .map(|(_, flag)| flag)
    .collect();
    if !missing.is_empty() {
        return Err(CliError::Usage(format!("a database needs {}", missing.join(", "))));
    }
    decode_body("--body", json!({ "database": database }))
}
