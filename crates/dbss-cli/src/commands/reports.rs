//! `dbss reports list|download`: audit reports of an instance.

use clap::Subcommand;
use dbss::{Operation, paging::Paged};
use futures::StreamExt;
use serde_json::{Value, json};

use super::{Ctx, InstanceArg, ListArgs, instance_ref::NamesInstances, print_list};
use crate::{
    api_support::decode_body,
    error::CliError,
    write::{self, OutArg},
};

const COLUMNS: &[&str] = &["id", "name", "type", "format", "percentum", "start_time", "end_time"];

/// `dbss reports`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the reports of an instance (ListAuditReports)
    List {
        #[command(flatten)]
        instance: InstanceArg,
        /// Only reports whose name contains this
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Download a report to a file (DownloadAuditReport)
    Download {
        #[command(flatten)]
        instance: InstanceArg,
        /// Report id
        id: String,
        /// Language of the report
        #[arg(long, value_parser = crate::api_support::one_of(&["en-us", "zh-cn"]), ignore_case = true, default_value = "en-us")]
        lang: String,
        #[command(flatten)]
        out: OutArg,
    },
}

impl NamesInstances for Command {
    fn instance_refs(&mut self) -> Vec<&mut String> {
        match self {
            Command::List { instance, .. } | Command::Download { instance, .. } => instance.instance_refs(),
        }
    }
}

/// Runs `dbss reports ...`.
pub async fn run(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    let client = ctx.client()?;
    match command {
        Command::List { instance, name, list } => {
            let size = list.page_size();
            let mut body = json!({ "page": 1, "size": size });
            if let Some(name) = name {
                body["name"] = json!(name);
            }
            let request = decode_body::<dbss::types::ReportGetReportsRequest>("ListAuditReports", body)?;
            let items = client
                .ops()
                .list_audit_reports()
                .instance_id(instance.instance.as_str())
                .body(request)
                .items(size)
                // Each item wraps the report in a `report` object.
                .map(|item| item.map(|i| i.report.map(|r| json!(r)).unwrap_or(Value::Null)));
            print_list(ctx, &list, items, COLUMNS).await
        }
        Command::Download {
            instance,
            id,
            lang,
            out,
        } => {
            // Opened first: a bad --out is refused before any request is sent.
            let file = out.open_binary()?;
            let call = client
                .ops()
                .download_audit_report()
                .instance_id(instance.instance.as_str())
                .id(id.as_str())
                .local(lang);
            let stream = call.call().await?;
            let what = format!("report {id}");
            out.report(
                ctx,
                write::download::save(stream, file, "DownloadAuditReport", &what, None).await?,
            )
        }
    }
}
