//! `dbss tags list|add|remove`: tags of an audit instance.
//!
//! The tag operations address an instance by its `resource_id` (a field of the instance
//! list), not by its id; `--instance` is looked up, `--resource-id` is taken as given.

use clap::{Args, Subcommand};
use futures::stream;
use serde_json::json;

use super::{Ctx, ListArgs, instance_ref::NamesInstances, print_values};
use crate::error::CliError;

/// The tagged resource type of audit instances.
const RESOURCE_TYPE: &str = "auditInstance";

/// `dbss tags`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the tags of an instance (ListAuditTags)
    List {
        #[command(flatten)]
        target: Target,
    },
    /// Add or overwrite tags (BatchAddResourceTag)
    Add {
        #[command(flatten)]
        target: Target,
        /// Tags as KEY=VALUE
        #[arg(required = true, value_name = "KEY=VALUE")]
        tags: Vec<String>,
    },
    /// Remove tags by key (BatchDeleteResourceTag)
    Remove {
        #[command(flatten)]
        target: Target,
        /// Tag keys
        #[arg(required = true, value_name = "KEY")]
        keys: Vec<String>,
    },
}

/// Which instance.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// Audit instance id or name
    #[arg(long, short = 'i', value_name = "ID")]
    instance: Option<String>,
    /// Resource id of the instance (the resource_id field of `dbss instances show`)
    #[arg(long, value_name = "RESOURCE_ID")]
    resource_id: Option<String>,
}

impl Target {
    /// The target as named on the command line.
    fn described(&self) -> String {
        match (&self.instance, &self.resource_id) {
            (Some(id), _) => format!("audit instance {id}"),
            (None, Some(resource)) => format!("resource {resource}"),
            (None, None) => "nothing".to_owned(),
        }
    }

    async fn resource_id(&self, client: &dbss::Client) -> Result<String, CliError> {
        match (&self.resource_id, &self.instance) {
            (Some(resource), _) => Ok(resource.clone()),
            (None, Some(id)) => {
                let instance = client
                    .instances()
                    .get(id)
                    .await?
                    .ok_or_else(|| CliError::NotFound(format!("no audit instance {id}")))?;
                instance
                    .resource_id
                    .filter(|r| !r.is_empty())
                    .ok_or_else(|| CliError::NotFound(format!("audit instance {id} has no resource_id to tag")))
            }
            (None, None) => Err(CliError::Usage("name the instance: --instance or --resource-id".into())),
        }
    }
}

impl NamesInstances for Command {
    fn instance_refs(&mut self) -> Vec<&mut String> {
        let (Command::List { target } | Command::Add { target, .. } | Command::Remove { target, .. }) = self;
        target.instance.iter_mut().collect()
    }

    fn check(&self) -> Result<(), CliError> {
        match self {
            Command::Add { tags, .. } => pairs(tags).map(drop),
            Command::List { .. } | Command::Remove { .. } => Ok(()),
        }
    }
}

/// `KEY=VALUE` arguments as pairs.
fn pairs(tags: &[String]) -> Result<Vec<(&str, &str)>, CliError> {
    tags.iter()
        .map(|t| match t.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k, v)),
            _ => Err(CliError::Usage(format!("{t:?}: expected KEY=VALUE"))),
        })
        .collect()
}

/// Runs `dbss tags ...`.
pub async fn run(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    let client = ctx.client()?;
    match command {
        Command::List { target } => {
            let resource = target.resource_id(&client).await?;
            let tags = client.tags(RESOURCE_TYPE, &resource).list().await?;
            let rows = tags.into_iter().map(|t| Ok(json!({ "key": t.key, "value": t.value })));
            print_values(ctx, &ListArgs::EVERY, stream::iter(rows), &["key", "value"]).await
        }
        Command::Add { target, tags } => {
            let pairs = pairs(&tags)?;
            let resource = target.resource_id(&client).await?;
            client.tags(RESOURCE_TYPE, &resource).add(&pairs).await?;
            let added: serde_json::Map<_, _> = pairs.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
            ctx.printer.object(&json!({ "resource_id": resource, "added": added }))
        }
        Command::Remove { target, keys } => {
            crate::confirm::destructive(
                &ctx.global,
                &format!("remove tags {} from {}", keys.join(", "), target.described()),
            )?;
            let resource = target.resource_id(&client).await?;
            let tags = client.tags(RESOURCE_TYPE, &resource);
            // The service answers 204 whether or not a key exists: look first, so a mistyped
            // key is reported instead of silently "removed".
            let existing: Vec<String> = tags.list().await?.into_iter().filter_map(|t| t.key).collect();
            let absent: Vec<&str> = keys
                .iter()
                .map(String::as_str)
                .filter(|key| !existing.iter().any(|e| e == key))
                .collect();
            if !absent.is_empty() {
                return Err(CliError::NotFound(format!(
                    "resource {resource} has no tag {}; its tags: {}",
                    absent.join(", "),
                    if existing.is_empty() {
                        "none".to_owned()
                    } else {
                        existing.join(", ")
                    }
                )));
            }
            let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            tags.remove(&refs).await?;
            ctx.printer.object(&json!({ "resource_id": resource, "removed": keys }))
        }
    }
}
