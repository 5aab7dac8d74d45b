//! Operation logs of an instance: what its administrators did, one for every fifty audited
//! statements.

use serde_json::{Value, json};

use super::{Timeline, format_time, row_id};
use crate::rng;

const USERS: [&str; 3] = ["admin", "ops-bot", "auditor"];
const ACTIONS: [&str; 4] = ["create", "update", "delete", "download"];
const FUNCTIONS: [&str; 5] = ["Risk rule", "Database", "Whitelist", "Report", "Agent"];

/// Operation logs per audited statement.
pub const LOGS_PER_SQL: u64 = 50;

/// One operation log.
#[derive(Clone, Debug)]
pub struct OperationLog {
    /// Row index.
    pub i: u64,
    /// Who.
    pub user: &'static str,
    /// `create`, `update`, `delete` or `download`.
    pub action: &'static str,
    /// On what kind of object.
    pub function: &'static str,
    /// `success` or `fail`.
    pub result: &'static str,
    /// Object number, for its name.
    pub object: u64,
}

/// The operation-log dataset of one instance.
pub struct LogData {
    /// Dataset hash.
    pub dataset: u64,
    /// Where rows sit in time.
    pub timeline: Timeline,
}

impl LogData {
    /// Log `i`.
    pub fn log(&self, i: u64) -> OperationLog {
        let h = rng::combine(self.dataset, i);
        let pick = |bits: u32, n: usize| usize::try_from((h >> bits) % n as u64).unwrap_or(0);
        OperationLog {
            i,
            user: USERS[pick(0, USERS.len())],
            action: ACTIONS[pick(8, ACTIONS.len())],
            function: FUNCTIONS[pick(16, FUNCTIONS.len())],
            result: if (h >> 24).is_multiple_of(25) {
                "fail"
            } else {
                "success"
            },
            object: (h >> 32) % 1000,
        }
    }

    /// The log as the list shows it.
    pub fn json(&self, log: &OperationLog) -> Value {
        json!({
            "id": row_id(self.dataset, log.i), "user": log.user, "time": format_time(self.timeline.time_of(log.i)),
            "action": log.action, "function": log.function,
            "name": format!("{} {}", log.function.to_lowercase(), log.object), "result": log.result,
        })
    }
}
