//! Audit data made on the fly: SQL records, alarms and operation logs of an instance are pure
//! functions of the seed, the instance and the row's index, so a million rows cost no memory.
//!
//! Row `i` of a dataset happened at `anchor - i × step`: row 0 is the newest, rows are evenly
//! spread over the 30 days before the simulator started, and a time window is a range of
//! indices, found by arithmetic.

pub mod alarm;
pub mod live;
pub mod oplog;
pub mod sql;

use std::ops::Range;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use crate::{error::ApiError, rng};

/// How far back the data goes.
pub const SPAN_MS: i64 = 30 * 24 * 3_600_000;

/// Where the rows of one dataset sit in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// Time of row 0, epoch milliseconds.
    pub anchor_ms: i64,
    /// Time between consecutive rows.
    pub step_ms: i64,
    /// Number of rows.
    pub rows: u64,
}

impl Timeline {
    /// `rows` rows spread over [`SPAN_MS`] before `anchor_ms`.
    pub fn new(anchor_ms: i64, rows: u64) -> Timeline {
        let step_ms = (SPAN_MS / i64::try_from(rows.max(1)).unwrap_or(i64::MAX)).max(1);
        Timeline {
            anchor_ms,
            step_ms,
            rows,
        }
    }

    /// When row `i` happened.
    pub fn time_of(&self, i: u64) -> i64 {
        self.anchor_ms - i64::try_from(i).unwrap_or(i64::MAX).saturating_mul(self.step_ms)
    }

    /// The rows that happened in `from..=to` (epoch milliseconds), newest first.
    pub fn window(&self, from: i64, to: i64) -> Range<u64> {
        if from > to || self.rows == 0 {
            return 0..0;
        }
        // Rows newer than `to` come first: skip them (ceiling division).
        let newest = self.anchor_ms.saturating_sub(to).max(0);
        let first = u64::try_from(newest.saturating_add(self.step_ms - 1) / self.step_ms).unwrap_or(u64::MAX);
        // Row i is in the window while anchor - i*step >= from.
        let oldest = self.anchor_ms.saturating_sub(from);
        if oldest < 0 {
            return 0..0;
        }
        let last = u64::try_from(oldest / self.step_ms)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        first.min(self.rows)..last.min(self.rows)
    }
}

/// A time window of a request: `time_range` (relative, ending now) wins over
/// `start_time`/`end_time` (`YYYY-MM-DD HH:MM:SS`, UTC); neither means everything.
pub fn requested_window(time: Option<&Value>, now: DateTime<Utc>, field: &str) -> Result<(i64, i64), ApiError> {
    let now_ms = now.timestamp_millis();
    let Some(time) = time.filter(|t| !t.is_null()) else {
        return Ok((i64::MIN, i64::MAX));
    };
    if let Some(range) = time.get("time_range").and_then(Value::as_str) {
        let minutes = match range {
            "HALF_HOUR" => 30,
            "HOUR" => 60,
            "THREE_HOUR" => 180,
            "TWELVE_HOUR" => 720,
            "DAY" => 1440,
            "WEEK" => 7 * 1440,
            "MONTH" => 30 * 1440,
            other => {
                return Err(ApiError::bad_request(format!(
                    "{field}.time_range: unknown range {other:?}"
                )));
            }
        };
        return Ok((now_ms - minutes * 60_000, now_ms));
    }
    let bound = |name: &str| -> Result<Option<i64>, ApiError> {
        match time.get(name).and_then(Value::as_str) {
            None => Ok(None),
            Some(text) => parse_time(text).map(Some).ok_or_else(|| {
                ApiError::bad_request(format!("{field}.{name}: expected yyyy-MM-dd HH:mm:ss, got {text:?}"))
            }),
        }
    };
    match (bound("start_time")?, bound("end_time")?) {
        (Some(start), Some(end)) if start <= end => Ok((start, end)),
        (Some(_), Some(_)) => Err(ApiError::bad_request(format!("{field}: start_time is after end_time"))),
        (None, None) => Ok((i64::MIN, i64::MAX)),
        _ => Err(ApiError::bad_request(format!(
            "{field}: start_time and end_time go together (or use time_range)"
        ))),
    }
}

/// Parses `YYYY-MM-DD HH:MM:SS` (UTC) into epoch milliseconds.
pub fn parse_time(text: &str) -> Option<i64> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

/// Formats epoch milliseconds as `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn format_time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// The id of row `i` of a dataset: UUID-shaped, with the index in its last 48 bits.
pub fn row_id(dataset: u64, i: u64) -> String {
    let high = rng::combine(dataset, i);
    rng::uuid_like(high, (rng::mix(high) & !0xffff_ffff_ffff) | (i & 0xffff_ffff_ffff))
}

/// The row an id names in a dataset of `rows` rows, if it names one.
pub fn row_of(dataset: u64, rows: u64, id: &str) -> Option<u64> {
    let tail = id.rsplit('-').next()?;
    let i = u64::from_str_radix(tail, 16).ok()?;
    (i < rows && row_id(dataset, i) == id).then_some(i)
}

/// The hash that identifies one dataset of one instance.
pub fn dataset(seed: u64, instance_id: &str, kind: &str) -> u64 {
    rng::combine(rng::combine(seed, rng::hash_str(instance_id)), rng::hash_str(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_the_rows_inside_them() {
        let t = Timeline::new(1_000_000, 100);
        assert_eq!(t.step_ms, SPAN_MS / 100);
        let all = t.window(i64::MIN, i64::MAX);
        assert_eq!(all, 0..100);
        for (from, to) in [
            (t.time_of(10), t.time_of(3)),
            (t.time_of(10) + 1, t.time_of(3) - 1),
            (0, 5),
        ] {
            let w = t.window(from, to);
            for i in 0..100 {
                let inside = (from..=to).contains(&t.time_of(i));
                assert_eq!(w.contains(&i), inside, "row {i} window {from}..={to} gave {w:?}");
            }
        }
        assert_eq!(t.window(5, 4), 0..0);
        assert_eq!(t.window(2_000_000, 3_000_000), 0..0, "the future is empty");
    }

    #[test]
    fn ids_name_their_row_and_nothing_else() {
        let d = dataset(1, "instance", "sql");
        let id = row_id(d, 42);
        assert_eq!(row_of(d, 100, &id), Some(42));
        assert_eq!(row_of(d, 10, &id), None, "beyond the dataset");
        assert_eq!(row_of(dataset(2, "instance", "sql"), 100, &id), None);
        assert_eq!(row_of(d, 100, "garbage"), None);
    }

    #[test]
    fn requested_windows() {
        let now = Utc::now();
        let half_hour = serde_json::json!({"time_range": "HALF_HOUR", "start_time": "junk"});
        let (from, to) = requested_window(Some(&half_hour), now, "body.time").unwrap_or_default();
        assert_eq!(to - from, 30 * 60_000);
        let explicit = serde_json::json!({"start_time": "2025-06-01 08:00:00", "end_time": "2025-06-01 09:00:00"});
        let (from, to) = requested_window(Some(&explicit), now, "body.time").unwrap_or_default();
        assert_eq!(to - from, 3_600_000);
        assert_eq!(format_time(from), "2025-06-01 08:00:00");
        let half = serde_json::json!({"start_time": "2025-06-01 08:00:00"});
        assert!(requested_window(Some(&half), now, "body.time").is_err());
        let bad = serde_json::json!({"start_time": "yesterday", "end_time": "today"});
        let message = requested_window(Some(&bad), now, "body.time")
            .err()
            .map(|e| e.message().to_owned());
        assert_eq!(
            message.as_deref(),
            Some("body.time.start_time: expected yyyy-MM-dd HH:mm:ss, got \"yesterday\"")
        );
    }
}
