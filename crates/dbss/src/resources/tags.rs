//! Tags of a resource.

use dbss_api::types::ResourceTagInfoBeanRead;

use super::body;
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
        let tags: Vec<_> = tags
            .iter()
            .map(|(k, v)| serde_json::json!({ "key": k, "value": v }))
            .collect();
        let request =
            body::<dbss_api::types::ResourceTagRequest>("BatchAddResourceTag", serde_json::json!({ "tags": tags }))?;
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
        let tags: Vec<_> = keys.iter().map(|k| serde_json::json!({ "key": k })).collect();
        let request = body::<dbss_api::types::ResourceTagDeleteRequest>(
            "BatchDeleteResourceTag",
            serde_json::json!({ "tags": tags }),
        )?;
        let call = self
            .client
            .ops()
            .batch_delete_resource_tag()
            .resource_type(self.resource_type)
            .resource_id(self.resource_id);
        call.body(request).call().await
    }
}
