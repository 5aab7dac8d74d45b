//! The simulator's in-memory DBSS: audit instances of one project.

use std::{collections::BTreeMap, sync::Mutex};

use dbss_api::types::AuditInstanceListBean;

/// An audit instance as the simulator keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// Instance id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Lifecycle state.
    pub status: String,
    /// Bound security group.
    pub security_group_id: String,
    /// Availability zone.
    pub zone: String,
    /// Specification code.
    pub spec_code: String,
    /// Creation time (RFC 3339).
    pub created: String,
}

/// All mutable state, behind one lock: writes are serialised and never lost.
#[derive(Debug, Default)]
pub struct State {
    instances: Mutex<BTreeMap<String, Instance>>,
}

impl State {
    /// A state holding `instances`.
    pub fn with_instances(instances: impl IntoIterator<Item = Instance>) -> State {
        State {
            instances: Mutex::new(instances.into_iter().map(|i| (i.id.clone(), i)).collect()),
        }
    }

    /// The default scenario: three audit instances in different states.
    pub fn seeded() -> State {
        let instance = |n: u32, name: &str, status: &str| Instance {
            id: format!("0622{n:04}-8e30-4783-9671-43f3f1f3bb1e"),
            name: name.to_owned(),
            status: status.to_owned(),
            security_group_id: format!("sg-{n:04}-bcf6-4c7e-99fa-f0ddfbb1d9bd"),
            zone: "cn-north-4a".to_owned(),
            spec_code: "dbss.bypassaudit.low".to_owned(),
            created: format!("2025-06-{:02}T08:00:00Z", n + 1),
        };
        State::with_instances([
            instance(1, "audit-prod", "ACTIVE"),
            instance(2, "audit-staging", "ACTIVE"),
            instance(3, "audit-archive", "SHUTOFF"),
        ])
    }

    /// A page of instances, in id order, and the total.
    pub fn list(&self, offset: usize, limit: usize) -> (Vec<Instance>, usize) {
        let instances = self.lock();
        let page = instances.values().skip(offset).take(limit).cloned().collect();
        (page, instances.len())
    }

    /// One instance.
    pub fn get(&self, id: &str) -> Option<Instance> {
        self.lock().get(id).cloned()
    }

    /// Binds a security group; `None` when the instance does not exist.
    pub fn set_security_group(&self, id: &str, security_group_id: &str) -> Option<Instance> {
        let mut instances = self.lock();
        let instance = instances.get_mut(id)?;
        instance.security_group_id = security_group_id.to_owned();
        Some(instance.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Instance>> {
        // A panic while holding the lock cannot leave a half-written map (every write is a
        // single assignment), so a poisoned lock is still consistent.
        self.instances.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Instance {
    /// The instance as the list operation returns it.
    pub fn to_list_bean(&self) -> AuditInstanceListBean {
        AuditInstanceListBean {
            id: Some(self.id.clone()),
            name: Some(self.name.clone()),
            status: Some(self.status.clone()),
            task: Some("NO_TASK".to_owned()),
            security_group_id: Some(self.security_group_id.clone()),
            zone: Some(self.zone.clone()),
            resource_spec_code: Some(self.spec_code.clone()),
            created: Some(self.created.clone()),
            charge_model: Some("Period".to_owned()),
            cpu: Some(4),
            ram: Some(16384),
            database_limit: Some(3),
            config_num: Some(0),
            ..AuditInstanceListBean::default()
        }
    }
}
