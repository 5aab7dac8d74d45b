//! Database-encryption and O&M instances: the sibling product lines that share the API. The
//! simulator keeps their name, lifecycle, security groups and elastic IP.

use super::instance::Transition;

/// Which product line an instance belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProductLine {
    /// Database encryption (`/db-encrypt/`).
    Encrypt,
    /// Database O&M (`/db-om/`).
    Om,
}

impl ProductLine {
    /// How paths and messages name it.
    pub fn name(self) -> &'static str {
        match self {
            ProductLine::Encrypt => "db-encrypt",
            ProductLine::Om => "db-om",
        }
    }
}

/// A database-encryption or O&M instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Instance id.
    pub id: String,
    /// Product line.
    pub line: ProductLine,
    /// Name.
    pub name: String,
    /// Remark.
    pub comment: String,
    /// `ACTIVE`, `SHUTOFF`, `BUILD`, `DELETING`, ...
    pub status: String,
    /// Task in progress.
    pub task: String,
    /// Bound security groups.
    pub security_group_ids: Vec<String>,
    /// Bound elastic IP address and its id.
    pub eip: Option<(String, String)>,
    /// Private address.
    pub float_ip: String,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// `Period` or `Demand`.
    pub charge_model: String,
    /// Availability zone.
    pub zone: String,
    /// How many times the administrator password was reset.
    pub password_resets: u32,
    /// A change in progress.
    pub pending: Option<Transition>,
}
