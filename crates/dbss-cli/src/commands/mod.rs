//! The everyday commands, noun then verb (`dbss instances list`), and what they share:
//! the context, list flags and how lists are printed.

pub mod agents;
pub mod audit;
pub mod configure;
pub mod databases;
pub mod instance_ref;
pub mod instances;
pub mod policy;
pub mod regions;
pub mod reports;
pub mod rules;
pub mod tags;
pub mod tail;
pub mod whitelists;

use std::cell::Cell;

use clap::{Args, Subcommand};
use futures::{Stream, StreamExt};
use serde_json::Value;

use crate::{error::CliError, output::Printer, settings::Global};
use instance_ref::NamesInstances;

/// The everyday commands.
#[derive(Subcommand, Debug)]
pub enum Everyday {
    /// Audit instances: list, show, create, start, stop, reboot, delete, security groups
    #[command(subcommand)]
    Instances(instances::Command),
    /// Databases audited by an instance
    #[command(subcommand)]
    Databases(databases::Command),
    /// Agents capturing a database's traffic
    #[command(subcommand)]
    Agents(agents::Command),
    /// Audit rules: risk, scope, SQL injection and masking
    #[command(subcommand)]
    Rules(rules::Command),
    /// SQL statements the audit rules ignore
    #[command(subcommand)]
    Whitelists(whitelists::Command),
    /// Audited SQL statements: list, export or tail (follow) them
    #[command(subcommand)]
    Sql(audit::Command),
    /// Alarms raised by an instance: list, export or tail (follow) them
    #[command(subcommand)]
    Alarms(audit::Command),
    /// Audit reports: list, download
    #[command(subcommand)]
    Reports(reports::Command),
    /// Tags of an audit instance
    #[command(subcommand)]
    Tags(tags::Command),
    /// Audit policy as code: export, plan and apply a YAML policy file
    #[command(subcommand)]
    Policy(policy::Command),
    /// Quotas of the project
    #[command(subcommand)]
    Quotas(QuotasCommand),
    /// Regions where DBSS is offered
    #[command(subcommand)]
    Regions(regions::Command),
    /// Write credentials and the project id to the profile file the official SDKs read
    Configure(configure::ConfigureArgs),
}

/// `dbss quotas`.
#[derive(Subcommand, Debug)]
pub enum QuotasCommand {
    /// Audit instances, CPUs and memory the project may still use (ShowAuditQuotaNew)
    Show,
}

/// What every everyday command works with.
pub struct Ctx {
    /// The global flags.
    pub global: Global,
    /// How results are printed.
    pub printer: Printer,
    /// The client, built once per run: each built client would exchange a password for an
    /// IAM token of its own.
    client: std::sync::Arc<std::sync::OnceLock<dbss::Client>>,
}

impl Ctx {
    /// The context of a run.
    pub fn new(global: Global, printer: Printer) -> Ctx {
        Ctx {
            global,
            printer,
            client: Default::default(),
        }
    }

    /// The client configured by the flags, the environment and the profile file.
    pub fn client(&self) -> Result<dbss::Client, CliError> {
        if let Some(client) = self.client.get() {
            return Ok(client.clone());
        }
        let client = self.global.client()?;
        Ok(self.client.get_or_init(|| client).clone())
    }
}

impl Everyday {
    /// What the command lists, for the line an empty table shows ("no whitelists").
    fn things(&self) -> Option<&'static str> {
        Some(match self {
            Everyday::Instances(_) => "instances",
            Everyday::Databases(_) => "databases",
            Everyday::Agents(_) => "agents",
            Everyday::Rules(rules::Command::Risk(_)) => "risk rules",
            Everyday::Rules(rules::Command::Scope(_)) => "audit scopes",
            Everyday::Rules(rules::Command::SqlInjection(_)) => "SQL injection rules",
            Everyday::Rules(rules::Command::Masking(_)) => "masking rules",
            Everyday::Whitelists(_) => "whitelists",
            Everyday::Sql(_) => "SQL statements",
            Everyday::Alarms(_) => "alarms",
            Everyday::Reports(_) => "reports",
            Everyday::Tags(_) => "tags",
            Everyday::Regions(_) => "regions",
            Everyday::Quotas(_) | Everyday::Configure(_) | Everyday::Policy(_) => return None,
        })
    }
}

impl NamesInstances for Everyday {
    fn instance_refs(&mut self) -> Vec<&mut String> {
        match self {
            Everyday::Instances(c) => c.instance_refs(),
            Everyday::Databases(c) => c.instance_refs(),
            Everyday::Agents(c) => c.instance_refs(),
            Everyday::Rules(c) => c.instance_refs(),
            Everyday::Whitelists(c) => c.instance_refs(),
            Everyday::Sql(c) | Everyday::Alarms(c) => c.instance_refs(),
            Everyday::Reports(c) => c.instance_refs(),
            Everyday::Tags(c) => c.instance_refs(),
            Everyday::Policy(c) => c.instance_refs(),
            Everyday::Quotas(_) | Everyday::Regions(_) | Everyday::Configure(_) => Vec::new(),
        }
    }

    fn check(&self) -> Result<(), CliError> {
        match self {
            Everyday::Sql(c) | Everyday::Alarms(c) => c.check(),
            Everyday::Tags(c) => c.check(),
            _ => Ok(()),
        }
    }
}

/// Runs an everyday command, with the instances it names by name replaced by their ids first.
pub async fn run(ctx: &Ctx, mut command: Everyday) -> Result<(), CliError> {
    command.check()?;
    instance_ref::resolve_names(ctx, command.instance_refs()).await?;
    let ctx = &Ctx {
        global: ctx.global.clone(),
        printer: ctx.printer.clone().listing(command.things()),
        client: ctx.client.clone(),
    };
    match command {
        Everyday::Instances(c) => instances::run(ctx, c).await,
        Everyday::Databases(c) => databases::run(ctx, c).await,
        Everyday::Agents(c) => agents::run(ctx, c).await,
        Everyday::Rules(c) => rules::run(ctx, c).await,
        Everyday::Whitelists(c) => whitelists::run(ctx, c).await,
        Everyday::Sql(c) => audit::run(ctx, audit::Kind::Sql, c).await,
        Everyday::Alarms(c) => audit::run(ctx, audit::Kind::Alarms, c).await,
        Everyday::Reports(c) => reports::run(ctx, c).await,
        Everyday::Tags(c) => tags::run(ctx, c).await,
        Everyday::Policy(c) => policy::run(ctx, c).await,
        Everyday::Quotas(QuotasCommand::Show) => {
            use dbss::Operation;
            let quota = ctx.client()?.ops().show_audit_quota_new().call().await?;
            ctx.printer.object(&to_value(quota)?)
        }
        Everyday::Regions(c) => regions::run(ctx, c).await,
        Everyday::Configure(args) => configure::run(ctx, args).await,
    }
}

/// The audit instance a command acts on.
#[derive(Args, Debug, Clone)]
pub struct InstanceArg {
    /// Audit instance id or name (`dbss instances list` shows them)
    #[arg(long, short = 'i', value_name = "ID|NAME")]
    pub instance: String,
}

impl NamesInstances for InstanceArg {
    fn instance_refs(&mut self) -> Vec<&mut String> {
        vec![&mut self.instance]
    }
}

/// What listing the items of an audit instance takes: the instance and paging.
#[derive(Args, Debug, Clone)]
pub struct InstanceList {
    #[command(flatten)]
    pub instance: InstanceArg,
    #[command(flatten)]
    pub list: ListArgs,
}

/// One item (a database, an agent) of an audit instance.
#[derive(Args, Debug, Clone)]
pub struct InstanceItem {
    #[command(flatten)]
    pub instance: InstanceArg,
    /// Its id (`list` shows them)
    pub id: String,
}

/// Paging flags of every list command.
#[derive(Args, Debug, Clone)]
pub struct ListArgs {
    /// Every item: follow pagination, fetching page after page as the output is written
    #[arg(long)]
    pub all: bool,
    /// How many items to show at most, with or without --all [default: 50 without --all]
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub limit: Option<u64>,
}

/// Items shown without `--all` or `--limit`.
pub const DEFAULT_LIMIT: u64 = 50;

/// Items per request when following pagination.
pub const PAGE_SIZE: u64 = 100;

impl ListArgs {
    /// Every item, as a command that prints a short fixed list passes.
    pub const EVERY: ListArgs = ListArgs { all: true, limit: None };

    /// The most items to show: `--limit`, else none with `--all`, else [`DEFAULT_LIMIT`].
    pub fn cap(&self) -> Option<u64> {
        match (self.limit, self.all) {
            (Some(limit), _) => Some(limit),
            (None, true) => None,
            (None, false) => Some(DEFAULT_LIMIT),
        }
    }

    /// The page size to request: no more than will be shown (plus one, to know whether there
    /// is more), and no more than [`PAGE_SIZE`].
    pub fn page_size(&self) -> u64 {
        match self.cap() {
            None => PAGE_SIZE,
            Some(limit) => limit.saturating_add(1).min(PAGE_SIZE),
        }
    }
}

/// A typed result as JSON.
pub fn to_value<T: serde::Serialize>(item: T) -> Result<Value, CliError> {
    serde_json::to_value(item).map_err(|e| CliError::Io(std::io::Error::other(format!("cannot render: {e}"))))
}

/// Prints a lazily fetched list: the first `--limit` items, or every item with `--all`
/// (streamed as they arrive); says on stderr when more were left out.
pub async fn print_list<T, S>(ctx: &Ctx, args: &ListArgs, items: S, columns: &[&str]) -> Result<(), CliError>
where
    T: serde::Serialize,
    S: Stream<Item = Result<T, dbss::Error>>,
{
    let values = items.map(|item| to_value(item?));
    print_values(ctx, args, values, columns).await
}

/// [`print_list`] for items already turned into JSON.
pub async fn print_values<S>(ctx: &Ctx, args: &ListArgs, values: S, columns: &[&str]) -> Result<(), CliError>
where
    S: Stream<Item = Result<Value, CliError>>,
{
    let Some(limit) = args.cap() else {
        ctx.printer.list(values, columns).await?;
        return Ok(());
    };
    // One item beyond the limit is fetched to tell whether anything was left out.
    let more = Cell::new(false);
    let shown = values
        .take(usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX))
        .enumerate()
        .filter_map(|(i, item)| {
            let keep = (i as u64) < limit;
            if !keep {
                more.set(true);
            }
            futures::future::ready(keep.then_some(item))
        });
    ctx.printer.list(shown, columns).await?;
    if more.get() && !args.all {
        eprintln!("note: showing the first {limit} items; --all for every item, or --limit N");
    }
    Ok(())
}

/// Turns a facade answer like `Some("SUCCESS")` into a printable result.
pub fn outcome(fields: &[(&str, &str)], result: Option<String>) -> Value {
    let mut map = serde_json::Map::new();
    for (key, value) in fields {
        map.insert((*key).to_owned(), Value::String((*value).to_owned()));
    }
    map.insert("result".to_owned(), result.map(Value::String).unwrap_or(Value::Null));
    Value::Object(map)
}

/// Refuses a result that the service reports as failed (some operations answer 200 with
/// `FAILED`): a script must not take it for success.
pub fn check_result(operation: &str, result: Option<&str>) -> Result<(), CliError> {
    match result {
        Some(r) if r.eq_ignore_ascii_case("failed") => Err(CliError::Failed(format!("{operation} answered {r}"))),
        _ => Ok(()),
    }
}
