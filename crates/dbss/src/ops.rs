//! The handle on every generated operation (see [`Client::ops`](crate::Client::ops)). A leaf
//! module: the generated builders hang off [`Ops`] without depending on the client itself.

/// The request builders of every operation (see [`Client::ops`](crate::Client::ops)).
#[derive(Clone, Copy, Debug)]
pub struct Ops<'a> {
    pub(crate) api: &'a dbss_api::Client,
    pub(crate) project_id: &'a str,
    // Read only by the operations whose path holds `{domain_id}`: audit backups and the
    // resource manager, which a default build leaves out.
    #[cfg_attr(not(any(feature = "audit", feature = "resource-manager")), allow(dead_code))]
    pub(crate) domain_id: Option<&'a str>,
}
