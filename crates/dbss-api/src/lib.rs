//! Client and types for Huawei Cloud's Database Security Service (DBSS) API.
//!
//! Everything in [`Client`], [`builder`] and [`types`] is generated at build time by
//! progenitor from `spec/dbss.progenitor.yaml`, the generator-ready form that
//! `cargo xtask codegen` derives from `openapi/dbss.yaml`. Nothing generated is edited by hand.
//!
//! Most users want the `dbss` crate instead: it configures credentials, signs requests,
//! retries, pages and turns every failure into one error type. This crate only adds the
//! seam that makes that possible: every request the generated code makes goes through the
//! [`Transport`] installed in [`Inner`].
#![allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));

mod hooks;
pub use hooks::{Inner, Transport, TransportFuture};
