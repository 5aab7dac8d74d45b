//! Tags of a resource.

use dbss_api::types::{
    ResourceTagDeleteRequest, ResourceTagDeleteRequestTags, ResourceTagInfoBeanRead, ResourceTagRequest,
    ResourceTagRequestTags,
};

use super::invalid;
use crate::{Client, Error, Operation};

/// The tags of one resource (see [`Client::tags`]).
#[derive(Clone, Copy, Debug)]
pub struct Tags<'a> {
    pub(crate) client: &'a Client,
    pub(crate) resource_type: &'a str,
    pub(crate) resource_id: &'a str,
}

impl Tags<'_> {
    /// The resource's tags (`ListAuditTags`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let tags = client.tags("auditInstance", "062212d8-8e30-4783-9671-43f3f1f3bb1e").list().await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(&self) -> Result<Vec<ResourceTagInfoBeanRead>, Error> {
        let call = self
            .client
            .ops()
            .list_audit_tags()
            .resource_type(self.resource_type)
            .resource_id(self.resource_id);
        Ok(call.call().await?.tags)
    }

    /// Adds (or overwrites) tags (`BatchAddResourceTag`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.tags("auditInstance", "062212d8-8e30-4783-9671-43f3f1f3bb1e").add(&[("env", "prod")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add(&self, tags: &[(&str, &str)]) -> Result<(), Error> {
        const OPERATION: &str = "BatchAddResourceTag";
        let tags = tags
            .iter()
            .map(|(key, value)| {
                Ok(ResourceTagRequestTags {
                    key: key.parse().map_err(|e| invalid(OPERATION, "tags[].key", e))?,
                    value: value.parse().map_err(|e| invalid(OPERATION, "tags[].value", e))?,
                })
            })
            .collect::<Result<_, Error>>()?;
        let request = ResourceTagRequest {
            tags,
            sys_tags: Vec::new(),
        };
        let call = self
            .client
            .ops()
            .batch_add_resource_tag()
            .resource_type(self.resource_type)
            .resource_id(self.resource_id);
        call.body(request).call().await
    }

    /// Removes tags by key (`BatchDeleteResourceTag`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.tags("auditInstance", "062212d8-8e30-4783-9671-43f3f1f3bb1e").remove(&["env"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove(&self, keys: &[&str]) -> Result<(), Error> {
        let tags = keys
            .iter()
            .map(|key| {
                Ok(ResourceTagDeleteRequestTags {
                    key: key
                        .parse()
                        .map_err(|e| invalid("BatchDeleteResourceTag", "tags[].key", e))?,
                    value: None,
                })
            })
            .collect::<Result<_, Error>>()?;
        let request = ResourceTagDeleteRequest {
            tags,
            sys_tags: Vec::new(),
        };
        let call = self
            .client
            .ops()
            .batch_delete_resource_tag()
            .resource_type(self.resource_type)
            .resource_id(self.resource_id);
        call.body(request).call().await
    }
}
