//! `dbss sql tail` and `dbss alarms tail`: ship audit records continuously, e.g. into a SIEM.
//!
//! Records are read with the client's `follow` stream (overlapping windows, de-duplication by
//! id) and written to stdout or `--out`. After each batch the output is flushed (and synced,
//! for a file) before the checkpoint file is replaced, so a crash at any moment loses nothing:
//! on restart, what was written after the last saved checkpoint is read again, and skipped if
//! it was already written before the checkpoint. SIGINT and SIGTERM end the command quietly
//! once the current batch and its checkpoint are saved.

mod checkpoint_file;
mod sink;

use std::{path::PathBuf, time::Duration};

use clap::{Args, ValueEnum};
use dbss::follow::{Checkpoint, FollowOptions, Start};
use futures::{StreamExt, TryStreamExt, stream::LocalBoxStream};
use serde_json::Value;

use super::{Ctx, audit::Kind, to_value};
use crate::{error::CliError, since::parse_span};
use checkpoint_file::CheckpointFile;
use sink::Sink;

/// Records written before the output is flushed and the checkpoint saved, at most.
const BATCH: usize = 1000;

/// Output formats of `tail`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TailFormat {
    /// One JSON object per line, the API's own fields
    Jsonl,
    /// CSV with a header line
    Csv,
    /// One OCSF Datastore Activity event (JSON) per line
    Ocsf,
}

/// `dbss sql tail` / `dbss alarms tail`.
#[derive(Args, Debug)]
pub struct TailArgs {
    /// Audit instance id (`dbss instances list` shows them)
    #[arg(long, short = 'i', value_name = "ID", required_unless_present = "all_instances")]
    instance: Option<String>,
    /// Every audit instance of the project (one checkpoint each, in the same file)
    #[arg(long, conflicts_with = "instance")]
    all_instances: bool,
    /// Keep following new records until SIGINT/SIGTERM (without it: stop once caught up)
    #[arg(long)]
    follow: bool,
    /// Where to start when the checkpoint file has no position for an instance: a span ago
    /// (30m, 1h, 2d) or a UTC time (`2026-01-31 08:00:00` or RFC 3339). Default: now with
    /// --follow, else 1h
    #[arg(long, value_name = "SPAN|TIME")]
    since: Option<String>,
    /// Resume from, and keep saving the position to, this file
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TailFormat::Jsonl)]
    format: TailFormat,
    /// Append records to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// How far back each poll re-reads, for records the service shows late
    #[arg(long, default_value = "10s", value_name = "SPAN")]
    overlap: String,
    /// Pause between polls once caught up
    #[arg(long, default_value = "1s", value_name = "SPAN")]
    poll: String,
    /// Records per request
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=1000))]
    page_size: u64,
}

/// One followed record: its instance, the record as JSON, and where to resume after it.
type Item<'a> = (&'a str, Option<Value>, Checkpoint);

/// Runs `tail`.
pub async fn run(ctx: &Ctx, kind: Kind, args: TailArgs) -> Result<(), CliError> {
    let start = start(args.since.as_deref(), args.follow)?;
    let span = |flag: &str, text: &str| parse_span(text).map_err(|e| CliError::Usage(e.replace("--since", flag)));
    let overlap = span("--overlap", &args.overlap)?;
    let poll = span("--poll", &args.poll)?;
    let mut checkpoints = match &args.checkpoint {
        Some(path) => CheckpointFile::load(path, kind)?,
        None => CheckpointFile::new(kind),
    };
    let client = ctx.client()?;
    let instances = match &args.instance {
        Some(id) => vec![id.clone()],
        None => all_instances(&client).await?,
    };
    let now = chrono::Utc::now().timestamp();
    let until = (!args.follow).then_some(now);
    // An instance without a saved position starts where asked, and that position is saved
    // before anything is read: a restart resumes there, not at a new "1h ago".
    let from = match start {
        Start::Now => now,
        Start::Ago(span) => now.saturating_sub(i64::try_from(span.as_secs()).unwrap_or(i64::MAX)),
        Start::At(at) => at,
        Start::Checkpoint(ref c) => c.from(),
    };
    for id in &instances {
        if checkpoints.get(id).is_none() {
            checkpoints.set(id, Checkpoint::at(from));
        }
    }
    if let Some(path) = &args.checkpoint {
        checkpoints.save(path)?;
    }
    let streams = instances.iter().map(|id| {
        let mut options = FollowOptions::new(checkpoints.get(id).map_or(Start::At(from), Start::Checkpoint));
        options.overlap = overlap;
        options.poll_interval = poll;
        options.page_size = args.page_size;
        options.until = until;
        follow(&client, kind, id, options)
    });
    let mut batches = futures::stream::select_all(streams).ready_chunks(BATCH);
    let mut sink = Sink::open(args.out.as_deref(), args.format, kind, args.all_instances)?;
    let shutdown = shutdown();
    tokio::pin!(shutdown);
    loop {
        let batch = tokio::select! {
            batch = batches.next() => batch,
            _ = &mut shutdown => None,
        };
        let Some(batch) = batch else { break };
        let mut failure = None;
        for item in batch {
            match item {
                Ok((instance, record, checkpoint)) => {
                    if let Some(record) = record {
                        sink.write(instance, &record)?;
                    }
                    checkpoints.set(instance, checkpoint);
                }
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            }
        }
        // The new checkpoint is written and synced first, the records next, and only then is
        // the checkpoint renamed into place: a kill at any moment loses nothing, and repeats
        // at most the batch being written.
        let prepared = match &args.checkpoint {
            Some(path) => Some(checkpoints.prepare(path)?),
            None => None,
        };
        sink.flush()?;
        if let Some(prepared) = prepared {
            prepared.commit()?;
        }
        if let Some(error) = failure {
            return Err(error);
        }
    }
    sink.flush()?;
    if let Some(path) = &args.checkpoint {
        checkpoints.save(path)?;
    }
    Ok(())
}

/// The followed records of one instance, as JSON.
fn follow<'a>(
    client: &'a dbss::Client,
    kind: Kind,
    instance: &'a str,
    options: FollowOptions,
) -> LocalBoxStream<'a, Result<Item<'a>, CliError>> {
    let logs = client.audit_logs(instance);
    match kind {
        Kind::Sql => logs
            .follow(options)
            .map_err(CliError::from)
            .and_then(move |f| async move {
                let record = f.record.sql.map(to_value).transpose()?;
                Ok((instance, record, f.checkpoint))
            })
            .boxed_local(),
        Kind::Alarms => logs
            .follow_alarms(options)
            .map_err(CliError::from)
            .and_then(move |f| async move { Ok((instance, Some(to_value(f.record)?), f.checkpoint)) })
            .boxed_local(),
    }
}

/// Ids of every audit instance of the project.
async fn all_instances(client: &dbss::Client) -> Result<Vec<String>, CliError> {
    let instances: Vec<_> = client.instances().list().try_collect().await?;
    Ok(instances.into_iter().filter_map(|i| i.id).collect())
}

/// Where to start without a checkpoint: `--since` (a span ago, or a time), else now when
/// following, else an hour ago.
fn start(since: Option<&str>, follow: bool) -> Result<Start, CliError> {
    let Some(text) = since else {
        return Ok(if follow {
            Start::Now
        } else {
            Start::Ago(Duration::from_secs(3600))
        });
    };
    if let Ok(span) = parse_span(text) {
        return Ok(Start::Ago(span));
    }
    if let Some(at) = dbss::follow::parse_api_time(text) {
        return Ok(Start::At(at));
    }
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| Start::At(t.timestamp()))
        .map_err(|_| {
            CliError::Usage(format!(
                "--since {text:?}: expected a span (30m, 1h, 2d) or a UTC time (2026-01-31 08:00:00 or RFC 3339)"
            ))
        })
}

/// Resolves on SIGINT or (on Unix) SIGTERM.
async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts() {
        assert_eq!(start(None, true).ok(), Some(Start::Now));
        assert_eq!(start(None, false).ok(), Some(Start::Ago(Duration::from_secs(3600))));
        assert_eq!(
            start(Some("90m"), true).ok(),
            Some(Start::Ago(Duration::from_secs(5400)))
        );
        assert_eq!(
            start(Some("2026-01-02 03:04:05"), true).ok(),
            Some(Start::At(1_767_323_045))
        );
        assert_eq!(
            start(Some("2026-01-02T04:04:05+01:00"), true).ok(),
            Some(Start::At(1_767_323_045))
        );
        assert!(matches!(start(Some("soon"), true), Err(CliError::Usage(_))));
    }
}
