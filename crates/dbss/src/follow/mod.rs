//! Following audit records as they are written: a never-ending, resumable stream (cargo feature
//! `follow`).
//!
//! [`AuditLogs::follow`](crate::resources::AuditLogs::follow) and
//! [`AuditLogs::follow_alarms`](crate::resources::AuditLogs::follow_alarms) poll
//! `ListAuditSqlsNew` / `ListAuditAlarmLogNew` in ascending time windows. Each window starts
//! [`FollowOptions::overlap`] before the end of the previous one, so records the service makes
//! visible a little after their time are still read; records of the re-read part that were
//! already delivered are recognised by id and skipped. On 429 and 5xx answers (after the
//! client's own retries) and on transport failures the follower waits, doubling the wait up to
//! a minute, and reads the same window again.
//!
//! Every record comes with a [`Checkpoint`]; save the checkpoint of the last record you have
//! durably handled and start again from it with [`Start::Checkpoint`]: nothing is missed and
//! nothing is delivered twice.
//!
//! Limits: a record that becomes visible more than `overlap` after its time, or with a time
//! before the start of the window being read, is not delivered. Windows are computed with this
//! machine's clock; a clock ahead of the service's shortens the effective overlap by the gap.
//!
//! ```no_run
//! # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
//! use dbss::follow::{FollowOptions, Start};
//! use futures::TryStreamExt;
//! let logs = client.audit_logs("062212d8-8e30-4783-9671-43f3f1f3bb1e");
//! let mut records = std::pin::pin!(logs.follow(FollowOptions::new(Start::Ago(std::time::Duration::from_secs(600)))));
//! while let Some(followed) = records.try_next().await? {
//!     println!("{:?}", followed.record.sql.and_then(|s| s.sql_statement));
//!     let _resume_from = serde_json::to_string(&followed.checkpoint);
//! }
//! # Ok(()) }
//! ```

mod audit_logs;
mod checkpoint;
pub(crate) mod cursor;
mod poll;
mod records;

use std::time::Duration;

pub use checkpoint::Checkpoint;
pub use cursor::{Window, format_api_time, parse_api_time};
pub(crate) use poll::follow;
pub use records::FollowRecord;

/// Where following begins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// With records from now on.
    Now,
    /// With records from this long ago.
    Ago(Duration),
    /// With records from this time (epoch seconds) on.
    At(i64),
    /// Right after the record that carried this checkpoint.
    Checkpoint(Checkpoint),
}

/// How to follow.
#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// Where to begin.
    pub start: Start,
    /// How far back each window re-reads: the longest delay, after its time, with which a
    /// record still gets delivered. Default 10 s.
    pub overlap: Duration,
    /// Pause between polls once caught up. Default 1 s.
    pub poll_interval: Duration,
    /// The longest window read at once, when catching up. Default 60 s; raised to at least
    /// twice the overlap so that every window moves forward.
    pub max_window: Duration,
    /// Records per request. Default 500.
    pub page_size: u64,
    /// Stop once the records up to this time (epoch seconds) were read, instead of following
    /// forever. `None` (the default) follows forever.
    pub until: Option<i64>,
}

impl FollowOptions {
    /// The defaults, starting at `start`.
    pub fn new(start: Start) -> FollowOptions {
        FollowOptions {
            start,
            overlap: Duration::from_secs(10),
            poll_interval: Duration::from_secs(1),
            max_window: Duration::from_secs(60),
            page_size: 500,
            until: None,
        }
    }
}

/// A record and the checkpoint to resume right after it.
#[derive(Clone, Debug)]
pub struct Followed<T> {
    /// The record, as the list operation returns it.
    pub record: T,
    /// Resume here to continue after this record.
    pub checkpoint: Checkpoint,
}
