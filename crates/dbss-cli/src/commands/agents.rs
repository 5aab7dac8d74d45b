//! `dbss agents ...`: agents capturing the traffic of audited databases.

use clap::{Args, Subcommand};
use dbss::Operation;
use futures::{StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};

use super::{
    Ctx, InstanceArg, InstanceItem, ListArgs, check_result, instance_ref::NamesInstances, outcome, print_values,
    to_value,
};
use crate::{
    error::CliError,
    write::{self, OutArg},
};

/// Table columns of an agent.
const COLUMNS: &[&str] = &[
    "agent_id",
    "db_id",
    "db_name",
    "agent_type",
    "agent_os",
    "agent_ip",
    "status",
];

/// `dbss agents`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List agents, of one database or of every database of the instance (ListAuditAgentNew)
    List {
        #[command(flatten)]
        instance: InstanceArg,
        /// Only this database's agents
        #[arg(long, short = 'd', value_name = "DB_ID")]
        database: Option<String>,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Add an agent to a database (AddAuditAgentNew)
    Add(Box<AddArgs>),
    /// Turn an agent on (SwitchAgentNew)
    Enable(InstanceItem),
    /// Turn an agent off (SwitchAgentNew)
    Disable(InstanceItem),
    /// Remove an agent of a database (DeleteAuditAgentNew)
    Delete {
        #[command(flatten)]
        agent: InstanceItem,
        /// Database the agent belongs to
        #[arg(long, short = 'd', value_name = "DB_ID")]
        database: String,
    },
    /// Download an agent's installation package to a file (DownloadAuditAgentNew), checked
    /// against the SHA-256 digest the agent list gives for it
    Download {
        #[command(flatten)]
        agent: InstanceItem,
        /// Database the agent belongs to (saves looking through every database of the
        /// instance for the agent's checksum)
        #[arg(long, short = 'd', value_name = "DB_ID")]
        database: Option<String>,
        #[command(flatten)]
        out: OutArg,
    },
}

/// Flags of `dbss agents add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    #[command(flatten)]
    instance: InstanceArg,
    /// Database the agent captures
    #[arg(long, short = 'd', value_name = "DB_ID")]
    database: String,
    /// Where the agent runs: on the database host (DB) or on an application host (APP)
    #[arg(long = "type", value_parser = crate::api_support::one_of(&["DB", "APP"]), ignore_case = true, default_value = "DB")]
    agent_type: String,
    /// Operating system of the host
    #[arg(long, value_parser = crate::api_support::one_of(&["LINUX64_X86", "LINUX64_ARM", "WINDOWS64"]), ignore_case = true, default_value = "LINUX64_X86")]
    os: String,
    /// IP address of the host (APP agents)
    #[arg(long)]
    ip: Option<String>,
    /// Network interface to capture on
    #[arg(long)]
    nic: Option<String>,
    /// Reuse this existing agent instead of creating one
    #[arg(long)]
    existing: Option<String>,
    /// CPU usage (%) above which the agent pauses
    #[arg(long, value_parser = clap::value_parser!(i32).range(1..=100))]
    cpu_threshold: Option<i32>,
    /// Memory usage (%) above which the agent pauses
    #[arg(long, value_parser = clap::value_parser!(i32).range(1..=100))]
    mem_threshold: Option<i32>,
}

impl NamesInstances for Command {
    fn instance_refs(&mut self) -> Vec<&mut String> {
        match self {
            Command::List { instance, .. } => instance.instance_refs(),
            Command::Add(args) => args.instance.instance_refs(),
            Command::Enable(agent)
            | Command::Disable(agent)
            | Command::Delete { agent, .. }
            | Command::Download { agent, .. } => agent.instance.instance_refs(),
        }
    }
}

/// Runs `dbss agents ...`.
pub async fn run(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    let client = ctx.client()?;
    match command {
        Command::List {
            instance,
            database,
            list,
        } => {
            let instance = instance.instance;
            let databases: Vec<String> = match database {
                Some(db) => vec![db],
                None => {
                    client
                        .databases(&instance)
                        .list()
                        .try_filter_map(|d| async move { Ok(d.id) })
                        .try_collect()
                        .await?
                }
            };
            // The API lists agents per database: one call per database, each agent tagged
            // with the database it belongs to.
            let client = &client;
            let instance = &instance;
            let agents = stream::iter(databases)
                .then(move |db| async move {
                    let agents = client.agents(instance).list(&db).await?;
                    let rows = agents
                        .into_iter()
                        .map(|agent| {
                            let mut value = to_value(agent)?;
                            if let Value::Object(map) = &mut value {
                                map.insert("db_id".into(), json!(db));
                            }
                            Ok(value)
                        })
                        .collect::<Vec<Result<Value, CliError>>>();
                    Ok::<_, CliError>(stream::iter(rows))
                })
                .try_flatten();
            print_values(ctx, &list, agents, COLUMNS).await
        }
        Command::Add(args) => {
            let mode = i32::from(args.existing.is_some());
            let mut body = json!({
                "db_id": args.database, "mode": mode, "agent_type": args.agent_type, "agent_os": args.os,
            });
            for (key, value) in [
                ("agent_ip", args.ip.as_ref().map(|v| json!(v))),
                ("agent_nic", args.nic.as_ref().map(|v| json!(v))),
                ("agent_id", args.existing.as_ref().map(|v| json!(v))),
                ("cpu_threshold", args.cpu_threshold.map(|v| json!(v))),
                ("mem_threshold", args.mem_threshold.map(|v| json!(v))),
            ] {
                if let (Some(value), Value::Object(map)) = (value, &mut body) {
                    map.insert(key.into(), value);
                }
            }
            let request = crate::api_support::decode_body::<dbss::types::AuditAgentRequest>("agent", body)?;
            let result = client.agents(&args.instance.instance).add(request).await?;
            check_result("AddAuditAgentNew", result.as_deref())?;
            ctx.printer.object(&outcome(
                &[("instance_id", &args.instance.instance), ("db_id", &args.database)],
                result,
            ))
        }
        Command::Enable(agent) => switch(ctx, &client, agent, true).await,
        Command::Disable(agent) => switch(ctx, &client, agent, false).await,
        Command::Delete { agent, database } => {
            crate::confirm::destructive(
                &ctx.global,
                &format!(
                    "delete agent {} of audit instance {}",
                    agent.id, agent.instance.instance
                ),
            )?;
            let result = client
                .agents(&agent.instance.instance)
                .delete(&agent.id, &database)
                .await?;
            check_result("DeleteAuditAgentNew", result.as_deref())?;
            ctx.printer.object(&outcome(
                &[("instance_id", &agent.instance.instance), ("agent_id", &agent.id)],
                result,
            ))
        }
        Command::Download { agent, database, out } => {
            let what = format!("agent {}", agent.id);
            // Opened first: a bad --out is refused before any request is sent.
            let file = out.open_binary()?;
            let listed = listed_sha256(&client, &agent, database.as_deref()).await?;
            let expected = match &listed {
                Some(text) => Some(write::download::parse_sha256(&what, text)?),
                None => {
                    eprintln!("note: the agent list gives no checksum for {what}; the download is not verified");
                    None
                }
            };
            let call = client
                .ops()
                .download_audit_agent_new()
                .instance_id(agent.instance.instance.as_str())
                .agent_id(agent.id.as_str());
            let stream = call.call().await?;
            out.report(
                ctx,
                write::download::save(stream, file, "DownloadAuditAgentNew", &what, expected).await?,
            )
        }
    }
}

/// The SHA-256 digest the agent list gives for the agent: looked up in `database`'s agents,
/// or in those of every database of the instance.
async fn listed_sha256(
    client: &dbss::Client,
    agent: &InstanceItem,
    database: Option<&str>,
) -> Result<Option<String>, CliError> {
    let instance = &agent.instance.instance;
    let databases: Vec<String> = match database {
        Some(db) => vec![db.to_owned()],
        None => {
            client
                .databases(instance)
                .list()
                .try_filter_map(|d| async move { Ok(d.id) })
                .try_collect()
                .await?
        }
    };
    for db in databases {
        let listed = client.agents(instance).list(&db).await?;
        if let Some(found) = listed
            .into_iter()
            .find(|a| a.agent_id.as_deref() == Some(agent.id.as_str()))
        {
            return Ok(found.sha256.filter(|s| !s.trim().is_empty()));
        }
    }
    Ok(None)
}

async fn switch(ctx: &Ctx, client: &dbss::Client, agent: InstanceItem, on: bool) -> Result<(), CliError> {
    let result = client.agents(&agent.instance.instance).switch(&agent.id, on).await?;
    check_result("SwitchAgentNew", result.as_deref())?;
    ctx.printer.object(&outcome(
        &[
            ("instance_id", &agent.instance.instance),
            ("agent_id", &agent.id),
            ("status", if on { "ON" } else { "OFF" }),
        ],
        result,
    ))
}
