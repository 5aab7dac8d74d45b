//! `dbss policy export|plan|apply`: an instance's audit policy as a YAML file, compared with
//! and applied to one instance or a fleet (see `dbss::policy`).
//!
//! `plan` exits 0 when every instance matches the file and 2 when there are changes (like
//! `terraform plan -detailed-exitcode`); a refused policy file exits 3, before any call.

use std::{
    io::{IsTerminal, Read, Write},
    path::{Path, PathBuf},
};

use clap::{Args, Subcommand};
use dbss::policy::{Plan, PlanOptions, Policy, PolicyError};
use futures::TryStreamExt;

use super::Ctx;
use crate::{error::CliError, output::write_stdout};

/// Exit code of `plan` when there are changes.
const CHANGES_PENDING: i32 = 2;

/// Largest policy file read (a policy is a few kilobytes; this keeps memory bounded).
const MAX_POLICY_BYTES: u64 = 4 * 1024 * 1024;

/// `dbss policy`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write an instance's audit policy as YAML (stdout, or --out FILE)
    Export {
        /// Audit instance id
        #[arg(long, short = 'i', value_name = "ID")]
        instance: String,
        /// Write to this file (atomically) instead of stdout. There is no `-o`: that is the
        /// global output format.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Show the changes that would make the instances match the policy file; exit 0 when
    /// there are none, 2 when there are
    Plan(PlanArgs),
    /// Make the instances match the policy file
    Apply {
        #[command(flatten)]
        plan: PlanArgs,
        /// Apply without asking
        #[arg(long)]
        yes: bool,
    },
}

/// What `plan` and `apply` share: the file, the instances, pruning.
#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The policy file (YAML)
    #[arg(long, short = 'f', value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    targets: Targets,
    /// Also delete custom rules and tags the file does not list (in the parts it has)
    #[arg(long)]
    prune: bool,
}

/// Which instances.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Targets {
    /// One audit instance id
    #[arg(long, short = 'i', value_name = "ID")]
    instance: Option<String>,
    /// Several instance ids, comma-separated
    #[arg(long, value_name = "ID,ID", value_delimiter = ',')]
    instances: Option<Vec<String>>,
    /// Every audit instance of the project
    #[arg(long)]
    all_instances: bool,
}

impl Targets {
    async fn ids(&self, client: &dbss::Client) -> Result<Vec<String>, CliError> {
        if let Some(id) = &self.instance {
            return Ok(vec![id.clone()]);
        }
        if let Some(ids) = &self.instances {
            let ids: Vec<String> = ids
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            if ids.is_empty() {
                return Err(CliError::Usage("--instances names no instance".into()));
            }
            return Ok(ids);
        }
        let instances: Vec<_> = client.instances().list().try_collect().await?;
        Ok(instances.into_iter().filter_map(|i| i.id).collect())
    }
}

/// Runs `dbss policy ...`.
pub async fn run(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    match command {
        Command::Export { instance, out } => {
            let client = ctx.client()?;
            let text = Policy::export(&client, &instance)
                .await
                .map_err(cli_error)?
                .to_yaml()
                .map_err(cli_error)?;
            match out {
                Some(path) => write_atomically(&path, text.as_bytes()),
                None => write_stdout(text.trim_end()),
            }
        }
        Command::Plan(args) => {
            // The file is checked before a client exists, so a bad one makes no call.
            let policy = read_policy(&args.file)?;
            let client = ctx.client()?;
            let mut pending = false;
            for id in args.targets.ids(&client).await? {
                let plan = plan(&policy, &client, &id, args.prune).await?;
                write_stdout(plan.to_string().trim_end())?;
                pending |= !plan.is_empty();
            }
            if pending {
                std::io::stdout().flush()?;
                std::process::exit(CHANGES_PENDING);
            }
            Ok(())
        }
        Command::Apply { plan: args, yes } => {
            let policy = read_policy(&args.file)?;
            let client = ctx.client()?;
            let ids = args.targets.ids(&client).await?;
            apply_fleet(&policy, &client, &ids, args.prune, yes).await
        }
    }
}

async fn plan(policy: &Policy, client: &dbss::Client, id: &str, prune: bool) -> Result<Plan, CliError> {
    policy
        .plan_with(client, id, PlanOptions { prune })
        .await
        .map_err(cli_error)
}

/// Applies to each instance in turn, stopping at the first failure; ends with one line per
/// instance: applied, failed or not attempted.
async fn apply_fleet(
    policy: &Policy,
    client: &dbss::Client,
    ids: &[String],
    prune: bool,
    yes: bool,
) -> Result<(), CliError> {
    let mut report = Vec::new();
    let mut failure = None;
    for (n, id) in ids.iter().enumerate() {
        let outcome = apply_one(policy, client, id, prune, yes).await;
        match outcome {
            Ok(line) => report.push(format!("{id}: {line}")),
            Err(error) => {
                report.push(format!("{id}: failed"));
                report.extend(ids[n + 1..].iter().map(|rest| format!("{rest}: not attempted")));
                failure = Some(error);
                break;
            }
        }
    }
    if ids.len() > 1 || failure.is_some() {
        eprintln!("summary:");
        for line in &report {
            eprintln!("  {line}");
        }
    }
    failure.map_or(Ok(()), Err)
}

async fn apply_one(
    policy: &Policy,
    client: &dbss::Client,
    id: &str,
    prune: bool,
    yes: bool,
) -> Result<String, CliError> {
    let plan = plan(policy, client, id, prune).await?;
    write_stdout(plan.to_string().trim_end())?;
    if plan.is_empty() {
        return Ok("no changes".into());
    }
    if !yes && !confirm(id)? {
        return Err(CliError::Usage(format!(
            "instance {id}: not applied (confirm, or pass --yes when not on a terminal)"
        )));
    }
    match plan.apply(client).await {
        Ok(applied) => {
            write_stdout(&format!("instance {id}: applied {} change(s)", applied.changes.len()))?;
            Ok(format!("applied {} change(s)", applied.changes.len()))
        }
        Err(PolicyError::Apply {
            applied,
            failed,
            source,
            ..
        }) => {
            eprintln!(
                "instance {id}: stopped; {} change(s) applied before the failure:",
                applied.len()
            );
            for line in &applied {
                eprintln!("  done   {line}");
            }
            eprintln!("  failed {failed}");
            eprintln!("running the same apply again continues from here");
            Err(cli_error(*source))
        }
        Err(other) => Err(cli_error(other)),
    }
}

/// Asks on the terminal; anything but yes is no. Off a terminal there is no one to ask.
fn confirm(id: &str) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    eprint!("apply these changes to {id}? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

fn read_policy(path: &Path) -> Result<Policy, CliError> {
    let file = std::fs::File::open(path).map_err(|e| CliError::file(path, e))?;
    let mut text = String::new();
    file.take(MAX_POLICY_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| CliError::file(path, e))?;
    if text.len() as u64 > MAX_POLICY_BYTES {
        return Err(CliError::Config(format!(
            "{}: larger than {MAX_POLICY_BYTES} bytes; not a policy file",
            path.display()
        )));
    }
    Policy::from_yaml(&text).map_err(|e| CliError::Config(format!("{}: {e}", path.display())))
}

fn cli_error(error: PolicyError) -> CliError {
    match error {
        PolicyError::Api(e) => CliError::Api(e),
        PolicyError::Document { .. } => CliError::Config(error.to_string()),
        PolicyError::Unexpected { .. } | PolicyError::Refused { .. } => CliError::Failed(error.to_string()),
        PolicyError::Apply { source, .. } => cli_error(*source),
        other => CliError::Failed(other.to_string()),
    }
}

/// Writes `bytes` to `path` through a new temp file beside it (never a half-written file;
/// never over a device, FIFO or socket).
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    if std::fs::symlink_metadata(path).is_ok_and(|meta| !meta.is_file()) {
        return Err(CliError::file(
            path,
            std::io::Error::other("exists and is not a regular file; not replaced"),
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        CliError::file(path, e)
    })
}
