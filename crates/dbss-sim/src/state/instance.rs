//! Audit instances and their lifecycle: orders build them, start/stop/reboot/delete move them
//! through tasks (`powering-on`, ...) that finish after the simulator's transition delay.

use std::{collections::BTreeMap, time::Instant};

/// An audit instance as the simulator keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// Instance id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Lifecycle state (`ACTIVE`, `SHUTOFF`, `BUILD`, `DELETING`, ...).
    pub status: String,
    /// Bound security group.
    pub security_group_id: String,
    /// Availability zone.
    pub zone: String,
    /// Specification code (`dbss.bypassaudit.low|medium|high`).
    pub spec_code: String,
    /// Creation time (RFC 3339).
    pub created: String,
    /// Billing resource id (tags and jobs are addressed by it).
    pub resource_id: String,
    /// Remark.
    pub comment: String,
    /// Operation in progress (`NO_TASK` when idle).
    pub task: String,
    /// `Period` (yearly/monthly) or `Demand` (pay-per-use).
    pub charge_model: String,
    /// VPC.
    pub vpc_id: String,
    /// Subnet.
    pub subnet_id: String,
    /// IPv4 address in the subnet.
    pub connect_ip: String,
    /// NIC port id.
    pub port_id: String,
    /// Software version.
    pub version: String,
    /// Time zone of the audit data.
    pub timezone: String,
    /// Expiry of a yearly/monthly subscription (RFC 3339, empty for pay-per-use).
    pub expired: String,
    /// Enterprise project.
    pub enterprise_project_id: String,
    /// Tags (TMS), key to value.
    pub tags: BTreeMap<String, String>,
    /// System tags, key to value.
    pub sys_tags: BTreeMap<String, String>,
    /// A change in progress, applied when its time comes.
    pub pending: Option<Transition>,
}

/// A state change that completes at `until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// When it completes.
    pub until: Instant,
    /// The status afterwards.
    pub status: String,
    /// The instance disappears afterwards (deletion).
    pub remove: bool,
    /// The job that tracks it.
    pub job_id: Option<String>,
}

/// What a specification provides: vCPUs, memory (MiB) and how many databases it audits.
pub fn capacity(spec_code: &str) -> (i64, i64, usize) {
    match spec_code {
        "dbss.bypassaudit.high" => (16, 65_536, 30),
        "dbss.bypassaudit.medium" => (8, 32_768, 6),
        _ => (4, 16_384, 3),
    }
}

impl Instance {
    /// An `ACTIVE` instance with default settings, for scenarios and tests.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Instance {
        let id = id.into();
        Instance {
            // Distinct from the id, as on the real service, and stable for a given id.
            resource_id: crate::rng::uuid_like(
                crate::rng::hash_str(&id),
                crate::rng::combine(crate::rng::hash_str(&id), 0x7265_736f_7572_6365),
            ),
            name: name.into(),
            status: "ACTIVE".into(),
            security_group_id: "sg-default-0000-4000-8000-000000000000".into(),
            zone: "cn-north-4a".into(),
            spec_code: "dbss.bypassaudit.low".into(),
            created: "2025-06-01T08:00:00Z".into(),
            comment: String::new(),
            task: "NO_TASK".into(),
            charge_model: "Period".into(),
            vpc_id: "a2b4c6d8-0000-4000-8000-00000000c0de".into(),
            subnet_id: "b3c5d7e9-0000-4000-8000-00000000c0de".into(),
            connect_ip: "192.168.0.10".into(),
            port_id: "c4d6e8f0-0000-4000-8000-00000000c0de".into(),
            version: "23.02.27.181013".into(),
            timezone: "UTC+08:00".into(),
            expired: "2026-06-01T08:00:00Z".into(),
            enterprise_project_id: "0".into(),
            tags: BTreeMap::new(),
            sys_tags: BTreeMap::new(),
            pending: None,
            id,
        }
    }

    /// How many databases the instance may audit.
    pub fn database_limit(&self) -> usize {
        capacity(&self.spec_code).2
    }

    /// Whether the instance is being created, changed or deleted.
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Starts `task`, ending in `status` at `until`.
    pub(crate) fn begin(&mut self, task: &str, status_now: &str, transition: Transition) {
        self.task = task.to_owned();
        self.status = status_now.to_owned();
        self.pending = Some(transition);
    }

    /// Completes the pending change if its time has come; true when the instance is gone.
    pub(crate) fn settle(&mut self, now: Instant) -> Option<Transition> {
        let due = self.pending.as_ref().is_some_and(|t| t.until <= now);
        if !due {
            return None;
        }
        let done = self.pending.take()?;
        self.status = done.status.clone();
        self.task = "NO_TASK".into();
        Some(done)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_transition_completes_only_when_due() {
        let start = Instant::now();
        let mut instance = Instance::new("06220001-8e30-4783-9671-43f3f1f3bb1e", "a");
        assert_eq!(instance.resource_id.len(), 36);
        instance.begin(
            "powering-off",
            "ACTIVE",
            Transition {
                until: start + Duration::from_millis(50),
                status: "SHUTOFF".into(),
                remove: false,
                job_id: None,
            },
        );
        assert!(instance.settle(start).is_none());
        assert_eq!(
            (instance.status.as_str(), instance.task.as_str()),
            ("ACTIVE", "powering-off")
        );
        assert!(instance.settle(start + Duration::from_millis(50)).is_some());
        assert_eq!(
            (instance.status.as_str(), instance.task.as_str()),
            ("SHUTOFF", "NO_TASK")
        );
        assert_eq!(capacity("dbss.bypassaudit.medium").2, 6);
    }
}
