//! `dbss whitelists list|add|delete`: SQL statements the audit rules leave alone.

use clap::Subcommand;
use dbss::{Operation, paging::Paged};
use serde_json::json;

use super::{Ctx, InstanceArg, InstanceList, check_result, instance_ref::NamesInstances, print_list};
use crate::{api_support::decode_body, error::CliError};

const COLUMNS: &[&str] = &["id", "sql", "enabled", "desc", "db_ids"];

/// `dbss whitelists`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the whitelist of an instance (ListWhitelists)
    List(InstanceList),
    /// Whitelist a SQL statement (BatchAddAuditWhitelist)
    Add {
        #[command(flatten)]
        instance: InstanceArg,
        /// The statement
        #[arg(long)]
        sql: String,
        /// Only for these databases (repeatable; default: every database)
        #[arg(long = "database", short = 'd', value_name = "DB_ID")]
        databases: Vec<String>,
        /// Description
        #[arg(long)]
        desc: Option<String>,
        /// Add it switched off
        #[arg(long)]
        disabled: bool,
    },
    /// Remove whitelist entries (DeleteAuditWhitelist)
    Delete {
        #[command(flatten)]
        instance: InstanceArg,
        /// Entry ids
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

impl NamesInstances for Command {
    fn instance_refs(&mut self) -> Vec<&mut String> {
        match self {
            Command::List(InstanceList { instance, .. })
            | Command::Add { instance, .. }
            | Command::Delete { instance, .. } => instance.instance_refs(),
        }
    }
}

/// Runs `dbss whitelists ...`.
pub async fn run(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    let client = ctx.client()?;
    let ops = client.ops();
    match command {
        Command::List(InstanceList { instance, list }) => {
            let items = ops
                .list_whitelists()
                .instance_id(instance.instance.as_str())
                .items(list.page_size());
            print_list(ctx, &list, items, COLUMNS).await
        }
        Command::Add {
            instance,
            sql,
            databases,
            desc,
            disabled,
        } => {
            let mut entry = json!({ "sql": sql, "enabled": !disabled });
            if !databases.is_empty() {
                entry["db_ids"] = json!(databases);
            }
            if let Some(desc) = desc {
                entry["desc"] = json!(desc);
            }
            let body = decode_body::<dbss::types::AddWhitelistRequest>(
                "BatchAddAuditWhitelist",
                json!({ "whitelists": [entry] }),
            )?;
            let answer = ops
                .batch_add_audit_whitelist()
                .instance_id(instance.instance.as_str())
                .body(body)
                .call()
                .await?;
            let status = answer.status.map(|s| s.to_string());
            check_result("BatchAddAuditWhitelist", status.as_deref())?;
            ctx.printer
                .object(&json!({ "instance_id": instance.instance, "sql": sql, "result": status }))
        }
        Command::Delete { instance, ids } => {
            crate::confirm::destructive(
                &ctx.global,
                &format!(
                    "delete whitelist entries {} of audit instance {}",
                    ids.join(", "),
                    instance.instance
                ),
            )?;
            let body = decode_body::<dbss::types::WhitelistBatchDeleteRequest>(
                "DeleteAuditWhitelist",
                json!({ "whitelists": ids }),
            )?;
            let answer = ops
                .delete_audit_whitelist()
                .instance_id(instance.instance.as_str())
                .body(body)
                .call()
                .await?;
            let status = answer.status.map(|s| s.to_string());
            check_result("DeleteAuditWhitelist", status.as_deref())?;
            ctx.printer
                .object(&json!({ "instance_id": instance.instance, "ids": ids, "result": status }))
        }
    }
}
