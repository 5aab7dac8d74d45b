//! `dbss sql list|export` and `dbss alarms list|export`: audit records of a time window.
//!
//! Both read the same lazy page stream the client's `audit_logs()` facade wraps
//! (`ListAuditSqlsNew` / `ListAuditAlarmLogNew` through `Paged::pages`), used directly here
//! because the facade's item stream neither reports the total (needed for the ETA) nor accepts
//! explicit start and end times (needed for spans that are not a named window).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use dbss::{Page, paging::Paged};
use futures::{Stream, StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};

use super::{Ctx, InstanceArg, ListArgs, instance_ref::NamesInstances, print_values, to_value};
use crate::{
    api_support::{decode_body, one_of},
    error::CliError,
    export::{ExportFormat, RecordWriter},
    progress,
    since::{Window, WindowFlags, with_zone},
};

/// Which records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Audited SQL statements.
    Sql,
    /// Alarms.
    Alarms,
}

pub const SQL_TABLE: &[&str] = &[
    "id",
    "start_time",
    "db_user",
    "client_ip",
    "query_type",
    "risk_level",
    "sql_statement",
];
pub const SQL_CSV: &[&str] = &[
    "id",
    "start_time",
    "sql_statement",
    "client_ip",
    "client_name",
    "db_ip",
    "db_user",
    "db_instance",
    "query_type",
    "rule_name",
    "risk_level",
    "sql_response",
    "operated_obj_info",
];
pub const ALARM_TABLE: &[&str] = &[
    "id",
    "alarm_time",
    "alarm_type",
    "alarm_risk",
    "alarm_status",
    "alarm_description",
];
pub const ALARM_CSV: &[&str] = &[
    "id",
    "alarm_time",
    "alarm_type",
    "alarm_risk",
    "alarm_status",
    "alarm_life",
    "alarm_fix_time",
    "send_email",
    "alarm_description",
];

/// `dbss sql` / `dbss alarms`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the records of a time window, newest first
    List {
        #[command(flatten)]
        filter: Filter,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Export every record of a time window, in constant memory
    Export {
        #[command(flatten)]
        filter: Filter,
        /// Format of the file
        #[arg(long, value_enum, ignore_case = true, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// File to write (completed files only: see "Files the CLI writes" in the README);
        /// stdout if absent or -
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Records per request
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=1000))]
        page_size: u64,
        /// Requests in flight at once after the first page (the records keep their order)
        #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=32))]
        concurrency: u64,
    },
    /// Follow new records as they are written (for a SIEM), resumable from a checkpoint file
    Tail(super::tail::TailArgs),
}

/// Which records of an instance.
#[derive(Args, Debug)]
pub struct Filter {
    #[command(flatten)]
    instance: InstanceArg,
    /// The window, ending now (or at --end): 30m, 1h, 3h, 12h, 24h, 7d and 30d are the
    /// service's named windows; other spans (2h, 90m, 3d, ...), and every span of an export (so
    /// the window does not slide while it pages), are sent as start and end times (UTC)
    /// [default: 1h]
    #[arg(long, value_name = "SPAN", conflicts_with = "start")]
    since: Option<String>,
    /// Start of the window, RFC 3339 (2026-01-02T03:04:05Z or with an offset, +08:00)
    #[arg(long, value_name = "TIME")]
    start: Option<String>,
    /// End of the window, RFC 3339 [default: now]
    #[arg(long, value_name = "TIME")]
    end: Option<String>,
    /// Only records of this risk level
    #[arg(long, value_parser = one_of(&["HIGH", "MEDIUM", "LOW", "NO_RISK"]), ignore_case = true)]
    risk: Option<String>,
}

impl Filter {
    /// The window the flags name, now; `pinned` for an export (see [`Window::from_flags`]).
    fn window(&self, pinned: bool) -> Result<Window, CliError> {
        let flags = WindowFlags {
            since: self.since.as_deref(),
            start: self.start.as_deref(),
            end: self.end.as_deref(),
        };
        Window::from_flags(&flags, chrono::Utc::now(), pinned).map_err(CliError::Usage)
    }
}

impl NamesInstances for Command {
    fn instance_refs(&mut self) -> Vec<&mut String> {
        match self {
            Command::List { filter, .. } | Command::Export { filter, .. } => filter.instance.instance_refs(),
            Command::Tail(args) => args.instance_refs(),
        }
    }

    fn check(&self) -> Result<(), CliError> {
        match self {
            Command::List { filter, .. } | Command::Export { filter, .. } => filter.window(false).map(drop),
            Command::Tail(_) => Ok(()),
        }
    }
}

/// Runs `dbss sql ...` or `dbss alarms ...`.
pub async fn run(ctx: &Ctx, kind: Kind, command: Command) -> Result<(), CliError> {
    match command {
        Command::Tail(args) => super::tail::run(ctx, kind, args).await,
        Command::List { filter, list } => {
            let client = ctx.client()?;
            let window = filter.window(false)?;
            let pages = pages(&client, kind, &filter, &window, list.page_size(), 1)?;
            let field = if kind == Kind::Sql { "start_time" } else { "alarm_time" };
            let items = pages
                .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
                .try_flatten()
                .map_ok(move |record| zoned(record, field));
            let columns = if kind == Kind::Sql { SQL_TABLE } else { ALARM_TABLE };
            print_values(ctx, &list, items, columns).await
        }
        Command::Export {
            filter,
            format,
            out,
            page_size,
            concurrency,
        } => {
            let window = filter.window(true)?;
            let client = ctx.client()?;
            let columns = if kind == Kind::Sql { SQL_CSV } else { ALARM_CSV };
            let mut writer = RecordWriter::create(out.as_deref(), format, columns)?;
            let pages = pages(&client, kind, &filter, &window, page_size, concurrency as usize)?;
            let bar = progress::records();
            let outcome = export(pages, &mut writer, &bar).await;
            bar.finish_and_clear();
            let written = match outcome {
                Ok(written) => written,
                Err(error) => {
                    // A file being written is removed; the target is left as it was.
                    drop(writer);
                    return Err(error);
                }
            };
            writer.finish()?;
            if let Some(path) = out.filter(|p| p.as_os_str() != "-") {
                eprintln!("{written} records written to {}", path.display());
            }
            Ok(())
        }
    }
}

/// `record` with its time `field` marked as UTC for people reading a list (exports keep the
/// service's records exactly as received).
fn zoned(mut record: Value, field: &str) -> Value {
    if let Some(time) = record.get(field).and_then(Value::as_str).and_then(with_zone) {
        record[field] = Value::String(time);
    }
    record
}

/// Writes every record of every page, advancing `bar`; the number written.
pub async fn export<S>(pages: S, writer: &mut RecordWriter, bar: &indicatif::ProgressBar) -> Result<u64, CliError>
where
    S: Stream<Item = Result<Page<Value>, CliError>>,
{
    let mut pages = std::pin::pin!(pages);
    let mut written = 0u64;
    let mut total_known = false;
    while let Some(page) = pages.try_next().await? {
        if let (false, Some(total)) = (total_known, page.total) {
            progress::records_total(bar, total);
            total_known = true;
        }
        for record in &page.items {
            writer.write(record)?;
        }
        written += page.items.len() as u64;
        bar.set_position(written);
    }
    Ok(written)
}

/// The lazy page stream of records of the window, each record as JSON (an SQL record is the
/// `sql` object inside each item).
pub fn pages<'a>(
    client: &'a dbss::Client,
    kind: Kind,
    filter: &Filter,
    window: &Window,
    size: u64,
    concurrency: usize,
) -> Result<RecordPages<'a>, CliError> {
    record_pages(
        client,
        kind,
        &filter.instance.instance,
        window,
        filter.risk.as_deref(),
        size,
        concurrency,
    )
}

/// Pages of records as JSON, fetched lazily.
pub type RecordPages<'a> = std::pin::Pin<Box<dyn Stream<Item = Result<Page<Value>, CliError>> + 'a>>;

/// The records of `instance` in `window`, optionally of one risk level, `size` per request,
/// up to `concurrency` requests at a time once the first page has told the total.
pub fn record_pages<'a>(
    client: &'a dbss::Client,
    kind: Kind,
    instance: &str,
    window: &Window,
    risk: Option<&str>,
    size: u64,
    concurrency: usize,
) -> Result<RecordPages<'a>, CliError> {
    let instance = instance.to_owned();
    let mut body = json!({ "time": window.to_json(), "page": 1, "size": size });
    match kind {
        Kind::Sql => {
            body["time_order"] = json!("DESC");
            if let Some(risk) = risk {
                body["risk_levels"] = json!(risk);
            }
            let request = decode_body::<dbss::types::AuditSqlRequest>("ListAuditSqlsNew", body)?;
            let call = client.ops().list_audit_sqls_new().instance_id(instance).body(request);
            Ok(Box::pin(call.pages_concurrent(size, concurrency).map(|page| {
                let page = page?;
                let items = page
                    .items
                    .into_iter()
                    .filter_map(|item| item.sql)
                    .map(to_value)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Page {
                    items,
                    total: page.total,
                    offset: page.offset,
                })
            })))
        }
        Kind::Alarms => {
            if let Some(risk) = risk {
                if risk == "NO_RISK" {
                    return Err(CliError::Usage("alarms have no NO_RISK level".into()));
                }
                body["risk"] = json!([risk]);
            }
            let request = decode_body::<dbss::types::AlarmLogRequest>("ListAuditAlarmLogNew", body)?;
            let call = client
                .ops()
                .list_audit_alarm_log_new()
                .instance_id(instance)
                .body(request);
            Ok(Box::pin(call.pages_concurrent(size, concurrency).map(|page| {
                let page = page?;
                let items = page.items.into_iter().map(to_value).collect::<Result<Vec<_>, _>>()?;
                Ok(Page {
                    items,
                    total: page.total,
                    offset: page.offset,
                })
            })))
        }
    }
}
