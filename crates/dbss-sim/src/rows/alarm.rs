//! Alarms of an instance: one for every twenty audited statements, mostly risk-rule hits,
//! some resource alarms. Users' marks (confirmed, deleted) are kept in the instance's state
//! and applied over the generated rows.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{Timeline, format_time, live::LiveFeed, row_id};
use crate::{rng, state::AlarmMark};

/// Alarm types and their share, in hundredths.
const TYPES: [(&str, u64); 7] = [
    ("RISK_RULE", 70),
    ("RISK_CPU", 6),
    ("RISK_MEMORY", 6),
    ("RISK_DISK", 5),
    ("RISK_DISK_CAPACITY", 5),
    ("RISK_AGENT", 5),
    ("AUDIT_BACKUP_FAILED", 3),
];
const LEVELS: [&str; 3] = ["LOW", "MEDIUM", "HIGH"];

/// Alarms per audited statement.
pub const ALARMS_PER_SQL: u64 = 20;

/// One alarm.
#[derive(Clone, Debug)]
pub struct Alarm {
    /// Id.
    pub id: String,
    /// When it was raised.
    pub time_ms: i64,
    /// Type (`RISK_RULE`, ...).
    pub kind: &'static str,
    /// `LOW`, `MEDIUM` or `HIGH`.
    pub risk: &'static str,
    /// `DONE` (confirmed) or `UNDO`.
    pub status: &'static str,
    /// What happened.
    pub description: String,
}

/// The alarm dataset of one instance.
pub struct AlarmData<'a> {
    /// Dataset hash.
    pub dataset: u64,
    /// Where rows sit in time.
    pub timeline: Timeline,
    /// Users' marks.
    pub marks: &'a HashMap<u64, AlarmMark>,
    /// Names of the instance's risk rules, for descriptions.
    pub rule_names: Vec<&'a str>,
    /// Alarms raised while the simulator runs, if it raises any.
    pub live: Option<LiveFeed>,
}

impl AlarmData<'_> {
    /// Alarm `i`, or `None` when it was deleted.
    pub fn alarm(&self, i: u64) -> Option<Alarm> {
        let mark = self.marks.get(&i).copied();
        if mark == Some(AlarmMark::Deleted) {
            return None;
        }
        // Older alarms have mostly been looked at.
        let h = rng::combine(self.dataset, i);
        let looked_at = i > self.timeline.rows / 10 && !(h >> 16).is_multiple_of(3);
        Some(self.make(
            row_id(self.dataset, i),
            h,
            self.timeline.time_of(i),
            mark == Some(AlarmMark::Done) || looked_at,
        ))
    }

    /// Alarm `j` of the live feed (new, so not confirmed).
    pub fn live_alarm(&self, j: u64) -> Option<Alarm> {
        let feed = self.live?;
        let h = rng::combine(feed.dataset, j);
        Some(self.make(row_id(feed.dataset, j), h, feed.time_of(j), false))
    }

    fn make(&self, id: String, h: u64, time_ms: i64, confirmed: bool) -> Alarm {
        let share = h % 100;
        let mut acc = 0;
        let kind = TYPES
            .iter()
            .find(|(_, s)| {
                acc += s;
                share < acc
            })
            .map_or("RISK_RULE", |(k, _)| k);
        let risk = LEVELS[usize::try_from((h >> 8) % 3).unwrap_or(0)];
        let description = match kind {
            "RISK_RULE" => {
                let n = self.rule_names.len().max(1) as u64;
                let rule = self
                    .rule_names
                    .get(usize::try_from((h >> 24) % n).unwrap_or(0))
                    .copied()
                    .unwrap_or("risk rule");
                format!("Statement matched risk rule '{rule}'")
            }
            "RISK_CPU" => format!("CPU usage {}% exceeded the threshold", 80 + (h >> 24) % 20),
            "RISK_MEMORY" => format!("Memory usage {}% exceeded the threshold", 80 + (h >> 24) % 20),
            "RISK_DISK" | "RISK_DISK_CAPACITY" => format!("Disk usage {}% exceeded the threshold", 80 + (h >> 24) % 20),
            "RISK_AGENT" => "An audit agent stopped reporting".to_owned(),
            _ => "The scheduled backup of audit logs failed".to_owned(),
        };
        Alarm {
            id,
            time_ms,
            kind,
            risk,
            status: if confirmed { "DONE" } else { "UNDO" },
            description,
        }
    }

    /// The alarm as the list shows it; `new_names` picks the newer snake_case field names.
    pub fn json(&self, alarm: &Alarm, new_names: bool) -> Value {
        let fixed = if alarm.status == "DONE" {
            format_time(alarm.time_ms + 3_600_000)
        } else {
            String::new()
        };
        let (life, email) = if new_names {
            ("alarm_life", "send_email")
        } else {
            ("alarmLife", "sendEmail")
        };
        json!({
            "id": alarm.id, life: "ON", email: false, "alarm_time": format_time(alarm.time_ms),
            "alarm_type": alarm.kind, "alarm_fix_time": fixed, "alarm_status": alarm.status,
            "alarm_risk": alarm.risk, "alarm_description": alarm.description,
        })
    }
}
