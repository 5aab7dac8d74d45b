//! What the follower needs to know of a record: its id and its time.

use dbss_api::types::{AlarmLogResponseNewAlarmLog, AuditSqlResponseSqls};

/// A record that can be followed: recognised by its id, placed in time by its timestamp.
pub trait FollowRecord {
    /// The record's id, if it has one.
    fn record_id(&self) -> Option<&str>;
    /// Its time as the API writes it (`yyyy-MM-dd HH:mm:ss`, UTC).
    fn record_time(&self) -> Option<&str>;
}

impl FollowRecord for AuditSqlResponseSqls {
    fn record_id(&self) -> Option<&str> {
        self.sql.as_ref().and_then(|s| s.id.as_deref())
    }

    fn record_time(&self) -> Option<&str> {
        self.sql.as_ref().and_then(|s| s.start_time.as_deref())
    }
}

impl FollowRecord for AlarmLogResponseNewAlarmLog {
    fn record_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn record_time(&self) -> Option<&str> {
        self.alarm_time.as_deref()
    }
}
