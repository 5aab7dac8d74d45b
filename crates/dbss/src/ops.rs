//! The handle on every generated operation (see [`Client::ops`](crate::Client::ops)). A leaf
//! module: the generated builders hang off [`Ops`] without depending on the client itself.

/// The request builders of every operation (see [`Client::ops`](crate::Client::ops)).
#[derive(Clone, Copy, Debug)]
pub struct Ops<'a> {
    pub(crate) api: &'a dbss_api::Client,
    pub(crate) project_id: &'a str,
    pub(crate) domain_id: Option<&'a str>,
}
