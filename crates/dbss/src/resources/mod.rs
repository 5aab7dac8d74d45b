//! The resource facade: the everyday work on instances, databases, agents, risk rules, audit
//! logs and tags, one method per action. Each method builds the typed request of the current
//! (`...New`/`...Last`) operation and sends it through the generated builder; every operation,
//! deprecated ones included, stays reachable through [`Client::ops`](crate::Client::ops).
//!
//! ```no_run
//! # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
//! use futures::TryStreamExt;
//! let instance = "062212d8-8e30-4783-9671-43f3f1f3bb1e";
//! client.instances().start(instance).await?;
//! let databases: Vec<_> = client.databases(instance).list().try_collect().await?;
//! client.tags("auditInstance", instance).add(&[("env", "prod")]).await?;
//! # Ok(()) }
//! ```

mod agents;
mod databases;
mod instances;
mod logs;
mod rules;
mod tags;

pub use agents::Agents;
pub use databases::Databases;
pub use instances::Instances;
pub use logs::{AuditLogs, TimeRange};
pub use rules::RiskRules;
pub use tags::Tags;

use crate::Client;

impl Client {
    /// Audit instances of the project.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let instances = client.instances();
    /// # Ok(()) }
    /// ```
    pub fn instances(&self) -> Instances<'_> {
        Instances { client: self }
    }

    /// Databases audited by `instance_id`.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let databases = client.databases("062212d8-8e30-4783-9671-43f3f1f3bb1e");
    /// # Ok(()) }
    /// ```
    pub fn databases<'a>(&'a self, instance_id: &'a str) -> Databases<'a> {
        Databases {
            client: self,
            instance_id,
        }
    }

    /// Agents of `instance_id`.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let agents = client.agents("062212d8-8e30-4783-9671-43f3f1f3bb1e");
    /// # Ok(()) }
    /// ```
    pub fn agents<'a>(&'a self, instance_id: &'a str) -> Agents<'a> {
        Agents {
            client: self,
            instance_id,
        }
    }

    /// Risk rules of `instance_id`.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let rules = client.risk_rules("062212d8-8e30-4783-9671-43f3f1f3bb1e");
    /// # Ok(()) }
    /// ```
    pub fn risk_rules<'a>(&'a self, instance_id: &'a str) -> RiskRules<'a> {
        RiskRules {
            client: self,
            instance_id,
        }
    }

    /// Audit records (SQL statements, alarms, operation logs) of `instance_id`.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let logs = client.audit_logs("062212d8-8e30-4783-9671-43f3f1f3bb1e");
    /// # Ok(()) }
    /// ```
    pub fn audit_logs<'a>(&'a self, instance_id: &'a str) -> AuditLogs<'a> {
        AuditLogs {
            client: self,
            instance_id,
        }
    }

    /// Tags of one resource; `resource_type` is `auditInstance` for audit instances.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let tags = client.tags("auditInstance", "062212d8-8e30-4783-9671-43f3f1f3bb1e");
    /// # Ok(()) }
    /// ```
    pub fn tags<'a>(&'a self, resource_type: &'a str, resource_id: &'a str) -> Tags<'a> {
        Tags {
            client: self,
            resource_type,
            resource_id,
        }
    }
}

/// Default page size of the list streams.
pub const DEFAULT_PAGE_SIZE: u64 = 100;

/// A request field the typed request refuses, reported before anything is sent.
pub(crate) fn invalid(operation: &'static str, field: &str, error: impl std::fmt::Display) -> crate::Error {
    crate::Error::InvalidRequest {
        operation,
        reason: format!("{field}: {error}"),
    }
}
