//! `dbss instances ...`: the lifecycle of audit instances.

use std::time::Duration;

use clap::{Args, Subcommand};
use dbss::wait::{InstanceState, Waiter};
use futures::TryStreamExt;

use super::{Ctx, ListArgs, check_result, instance_ref::NamesInstances, outcome, print_list, to_value};
use crate::{error::CliError, progress};

pub mod create;

pub use create::CreateArgs;

/// Table columns of an instance.
pub const COLUMNS: &[&str] = &[
    "id",
    "name",
    "status",
    "task",
    "resource_spec_code",
    "zone",
    "security_group_id",
];

/// `dbss instances`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List audit instances (ListAuditInstancesLast)
    List(ListArgs),
    /// Show one audit instance
    Show {
        /// Instance id or name
        id: String,
    },
    /// Order a yearly/monthly audit instance (CreateInstancesPeriodOrderNew)
    Create(Box<CreateArgs>),
    /// Start a stopped instance (StartAuditInstanceNew)
    Start(Lifecycle),
    /// Stop an instance (StopAuditInstanceNew)
    Stop(Lifecycle),
    /// Reboot an instance (RebootAuditInstanceNew)
    Reboot(Lifecycle),
    /// Delete a pay-per-use instance (DeleteInstancesNew)
    Delete {
        #[command(flatten)]
        lifecycle: Lifecycle,
        /// Also release the instance's elastic IP
        #[arg(long)]
        delete_public_ip: bool,
        /// Also delete the instance's disks
        #[arg(long)]
        delete_volume: bool,
    },
    /// Security group of an instance
    #[command(subcommand)]
    SecurityGroup(SecurityGroupCommand),
    /// Elastic IP of a database-encryption or O&M instance (audit instances have no EIP API)
    #[command(subcommand)]
    Eip(EipCommand),
    /// Wait until an instance reaches a state (after an action run without --wait)
    Wait {
        /// Instance id or name
        id: String,
        /// The state to wait for
        #[arg(long = "for", value_enum, ignore_case = true, default_value_t = Target::Active)]
        target: Target,
        /// Give up after this many seconds
        #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
        wait_timeout: u64,
    },
}

/// States `dbss instances wait` can wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Running, no task in progress.
    Active,
    /// Stopped, no task in progress.
    Stopped,
    /// Gone.
    Deleted,
}

/// `dbss instances security-group`.
#[derive(Subcommand, Debug)]
pub enum SecurityGroupCommand {
    /// Bind a security group (DBSS accepts exactly one) (UpdateAuditSecurityGroupNew)
    Set {
        /// Instance id or name
        id: String,
        /// Security group id
        security_group: String,
    },
}

/// The product lines whose instances carry an elastic IP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EipProduct {
    /// Database encryption (`db-encrypt`).
    Encrypt,
    /// Database O&M (`db-om`).
    Om,
}

/// `dbss instances eip`.
#[derive(Subcommand, Debug)]
pub enum EipCommand {
    /// Bind an elastic IP (BindDbEncryptEip / BindDbOmEip)
    Bind {
        /// Instance id
        id: String,
        /// The elastic IP address
        #[arg(long)]
        eip: String,
        /// The elastic IP's id
        #[arg(long)]
        eip_id: String,
        /// Product line of the instance
        #[arg(long, value_enum, ignore_case = true)]
        product: EipProduct,
    },
    /// Unbind the elastic IP (UnbindDbEncryptEip / UnbindDbOmEip)
    Unbind {
        /// Instance id
        id: String,
        /// Product line of the instance
        #[arg(long, value_enum, ignore_case = true)]
        product: EipProduct,
    },
}

/// An instance and whether to wait for the change to finish.
#[derive(Args, Debug, Clone)]
pub struct Lifecycle {
    /// Instance id or name
    pub id: String,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `--wait` and how long.
#[derive(Args, Debug, Clone)]
pub struct WaitArgs {
    /// Wait until the instance has settled (a spinner shows on a terminal)
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this many seconds
    #[arg(long, default_value_t = 1800, value_name = "SECONDS", requires = "wait")]
    pub wait_timeout: u64,
}

impl WaitArgs {
    /// How the client's waiter polls: soon at first (the simulator and small changes finish
    /// in seconds), then every 10 s so a long build is not polled needlessly.
    pub fn waiter(&self) -> Waiter {
        Waiter {
            deadline: Duration::from_secs(self.wait_timeout),
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
        }
    }
}

/// Runs `dbss instances ...`.
pub async fn run(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    let client = ctx.client()?;
    let instances = client.instances();
    match command {
        Command::List(args) => {
            use dbss::paging::Paged;
            let items = client.ops().list_audit_instances_last().items(args.page_size());
            print_list(ctx, &args, items, COLUMNS).await
        }
        Command::Show { id } => {
            let instance = instances
                .get(&id)
                .await?
                .ok_or_else(|| CliError::NotFound(format!("no audit instance {id}")))?;
            ctx.printer.object(&to_value(instance)?)
        }
        Command::Create(args) => create::run(ctx, &client, *args).await,
        Command::Start(l) => {
            let result = instances.start(&l.id).await?;
            finish(ctx, &client, "start", &l, result, InstanceState::Active).await
        }
        Command::Stop(l) => {
            crate::confirm::destructive(&ctx.global, &format!("stop audit instance {}", l.id))?;
            let result = instances.stop(&l.id).await?;
            finish(ctx, &client, "stop", &l, result, InstanceState::Stopped).await
        }
        Command::Reboot(l) => {
            crate::confirm::destructive(&ctx.global, &format!("reboot audit instance {}", l.id))?;
            let result = instances.reboot(&l.id).await?;
            finish(ctx, &client, "reboot", &l, result, InstanceState::Active).await
        }
        Command::Delete {
            lifecycle,
            delete_public_ip,
            delete_volume,
        } => {
            crate::confirm::destructive(&ctx.global, &format!("delete audit instance {}", lifecycle.id))?;
            let result = instances.delete(&lifecycle.id, delete_public_ip, delete_volume).await?;
            finish(ctx, &client, "delete", &lifecycle, result, InstanceState::Deleted).await
        }
        Command::Wait {
            id,
            target,
            wait_timeout,
        } => {
            let state = match target {
                Target::Active => InstanceState::Active,
                Target::Stopped => InstanceState::Stopped,
                Target::Deleted => InstanceState::Deleted,
            };
            let args = WaitArgs {
                wait: true,
                wait_timeout,
            };
            match wait(&client, &id, state, &args).await? {
                Some(instance) => ctx.printer.object(&to_value(instance)?),
                None => ctx
                    .printer
                    .object(&outcome(&[("instance_id", &id)], Some("DELETED".into()))),
            }
        }
        Command::Eip(command) => eip(ctx, &client, command).await,
        Command::SecurityGroup(SecurityGroupCommand::Set { id, security_group }) => {
            let result = instances.set_security_group(&id, &security_group).await?;
            check_result("UpdateAuditSecurityGroupNew", result.as_deref())?;
            ctx.printer.object(&outcome(
                &[("instance_id", &id), ("security_group_id", &security_group)],
                result,
            ))
        }
    }
}

impl NamesInstances for Command {
    fn instance_refs(&mut self) -> Vec<&mut String> {
        match self {
            Command::Show { id }
            | Command::Wait { id, .. }
            | Command::Start(Lifecycle { id, .. })
            | Command::Stop(Lifecycle { id, .. })
            | Command::Reboot(Lifecycle { id, .. })
            | Command::Delete {
                lifecycle: Lifecycle { id, .. },
                ..
            }
            | Command::SecurityGroup(SecurityGroupCommand::Set { id, .. }) => vec![id],
            // Encryption and O&M instances are not audit instances: their ids are not in the
            // audit instance list, so names cannot be looked up there.
            Command::List(_) | Command::Create(_) | Command::Eip(_) => Vec::new(),
        }
    }
}

/// Binds or unbinds the elastic IP of an encryption or O&M instance.
async fn eip(ctx: &Ctx, client: &dbss::Client, command: EipCommand) -> Result<(), CliError> {
    use dbss::Operation;
    let (id, result, operation) = match command {
        EipCommand::Bind {
            id,
            eip,
            eip_id,
            product,
        } => {
            let body = dbss::types::BindEipRequest { eip, eip_id };
            match product {
                EipProduct::Encrypt => {
                    let call = client.ops().bind_db_encrypt_eip().instance_id(id.as_str()).body(body);
                    (id, call.call().await?.result, "BindDbEncryptEip")
                }
                EipProduct::Om => {
                    let call = client.ops().bind_db_om_eip().instance_id(id.as_str()).body(body);
                    (id, call.call().await?.result, "BindDbOmEip")
                }
            }
        }
        EipCommand::Unbind { id, product } => {
            crate::confirm::destructive(&ctx.global, &format!("unbind the elastic IP of instance {id}"))?;
            match product {
                EipProduct::Encrypt => {
                    let result = client
                        .ops()
                        .unbind_db_encrypt_eip()
                        .instance_id(id.as_str())
                        .call()
                        .await?
                        .result;
                    (id, result, "UnbindDbEncryptEip")
                }
                EipProduct::Om => {
                    let result = client
                        .ops()
                        .unbind_db_om_eip()
                        .instance_id(id.as_str())
                        .call()
                        .await?
                        .result;
                    (id, result, "UnbindDbOmEip")
                }
            }
        }
    };
    check_result(operation, result.as_deref())?;
    ctx.printer.object(&outcome(&[("instance_id", &id)], result))
}

/// Reports a lifecycle action, after waiting for it when asked.
async fn finish(
    ctx: &Ctx,
    client: &dbss::Client,
    action: &str,
    lifecycle: &Lifecycle,
    result: Option<String>,
    target: InstanceState,
) -> Result<(), CliError> {
    check_result(action, result.as_deref())?;
    if !lifecycle.wait.wait {
        return ctx
            .printer
            .object(&outcome(&[("instance_id", &lifecycle.id), ("action", action)], result));
    }
    let instance = wait(client, &lifecycle.id, target, &lifecycle.wait).await?;
    match instance {
        Some(instance) => ctx.printer.object(&to_value(instance)?),
        None => ctx.printer.object(&outcome(
            &[("instance_id", &lifecycle.id), ("action", action)],
            Some("DELETED".into()),
        )),
    }
}

/// Waits for an instance with the client's waiter, a spinner on stderr meanwhile.
pub async fn wait(
    client: &dbss::Client,
    id: &str,
    target: InstanceState,
    args: &WaitArgs,
) -> Result<Option<dbss::types::AuditInstanceBean>, CliError> {
    let spinner = progress::spinner(format!("waiting for instance {id} to be {target:?}"));
    let outcome = client.instances().wait(id, target, &args.waiter()).await;
    spinner.finish_and_clear();
    outcome.map_err(|e| match e {
        dbss::Error::Wait { .. } => CliError::Failed(e.to_string()),
        other => CliError::Api(other),
    })
}

/// The ids of every instance now (to tell which one an order creates).
pub async fn ids(client: &dbss::Client) -> Result<Vec<String>, CliError> {
    Ok(client
        .instances()
        .list()
        .try_filter_map(|i| async move { Ok(i.id) })
        .try_collect()
        .await?)
}
