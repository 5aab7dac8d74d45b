//! # dbss — Huawei Cloud Database Security Service for Rust
//!
//! A typed, signed, retrying client for the DBSS API. Requests are built by a client
//! generated from the OpenAPI description (`dbss-api`); this crate adds configuration,
//! credentials, `SDK-HMAC-SHA256` signing identical to Huawei's official SDKs, retries,
//! paging and one error type.
//!
//! ```no_run
//! # async fn demo() -> Result<(), dbss::Error> {
//! let client = dbss::Client::builder()
//!     .region("cn-north-4")
//!     .project_id("0123456789abcdef0123456789abcdef")
//!     .credentials(dbss::Credentials::ak_sk("AK", "SK"))
//!     .build()?;
//! client
//!     .instances()
//!     .set_security_group("062212d8-8e30-4783-9671-43f3f1f3bb1e", "f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd")
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! ## Cargo features
//!
//! [`Client::ops`] and [`types`] have, by default, the database-audit operations the rest of
//! this crate is built on (25 of the 106 current ones) and the tag operations; `audit` adds
//! every other current audit operation. `db-encrypt`, `db-om` and
//! `resource-manager` add those product lines; `deprecated` adds the operations the service
//! is retiring (through [`Client::ops`] only); `type-builders` adds builders to
//! the types that are no request body; `policy` adds audit policy as code (`policy`),
//! `follow` the never-ending audit-record streams (`follow`, `AuditLogs::follow`); `full` is
//! all of them.
#![deny(missing_docs)]

pub mod atomic_file;
mod client;
mod config;
mod credentials;
pub mod download;
mod dry_run;
mod dry_run_request;
pub mod env;
mod error;
#[cfg(feature = "follow")]
pub mod follow;
mod generated;
mod iam;
mod input;
mod operation;
mod ops;
pub mod paging;
#[cfg(feature = "policy")]
pub mod policy;
mod profile_file;
mod provider;
mod region;
mod request_signer;
pub mod resources;
mod response_body;
mod retry;
mod settings_file;
pub use dbss_signing as signing;
mod throttle;
mod transport;
pub mod wait;

pub use client::{CallOptions, Client};
pub use config::ClientBuilder;
pub use credentials::Credentials;
pub use dry_run_request::{DryRunRequest, REDACTED};
pub use error::{Error, ServiceError, TransportKind};
pub use generated::OPERATIONS;
pub use input::from_json;
pub use operation::{Dispatched, Operation, OperationMeta, Response};
pub use ops::Ops;
pub use paging::Page;
pub use profile_file::{ProfileFile, ProfileSection};
pub use region::{REGIONS, Region};
pub use resources::DEFAULT_PAGE_SIZE;
pub use response_body::DEFAULT_MAX_RESPONSE_BYTES;
pub use retry::RetryPolicy;

/// The generated client and types, for direct use.
pub use dbss_api as api;
pub use dbss_api::types;

/// `User-Agent` of every request: this crate and its version.
pub const USER_AGENT: &str = concat!("dbss-rs/", env!("CARGO_PKG_VERSION"));
