//! Everyday calls on audit instances, over the operations the service is retiring
//! (`UpdateAuditSecurityGroup`, `ListAuditInstances`): with the `deprecated` feature. The
//! facade's `client.instances()` uses their successors.

#[cfg(feature = "deprecated")]
use futures::Stream;

#[cfg(feature = "deprecated")]
use dbss_api::types::{
    AuditInstanceListBean, ListAuditInstancesResponse, SecurityGroupRequest, UpdateAuditSecurityGroupResponse,
};

#[cfg(feature = "deprecated")]
use crate::{
    Client, Error, Operation,
    paging::{self, Page},
};

/// Default page size of the list streams.
pub const DEFAULT_PAGE_SIZE: u64 = 100;

#[cfg(feature = "deprecated")]
impl Client {
    /// Binds `security_group_id` to the audit instance `instance_id`
    /// (`UpdateAuditSecurityGroup`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let outcome = client
    ///     .update_audit_security_group("062212d8-8e30-4783-9671-43f3f1f3bb1e", "f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd")
    ///     .await?;
    /// println!("{:?}", outcome.result);
    /// # Ok(()) }
    /// ```
    pub async fn update_audit_security_group(
        &self,
        instance_id: &str,
        security_group_id: &str,
    ) -> Result<UpdateAuditSecurityGroupResponse, Error> {
        self.update_audit_security_group_ids(instance_id, &[security_group_id])
            .await
    }

    /// Like [`Client::update_audit_security_group`], with the id list as the API models it.
    /// The service accepts exactly one id today: any other count is refused before sending.
    pub async fn update_audit_security_group_ids(
        &self,
        instance_id: &str,
        security_group_ids: &[&str],
    ) -> Result<UpdateAuditSecurityGroupResponse, Error> {
        let body = security_group_body(instance_id, security_group_ids)?;
        #[allow(deprecated)]
        let call = self.ops().update_audit_security_group().body(body);
        call.call().await
    }

    /// One page of audit instances (`ListAuditInstances`).
    pub async fn list_audit_instances(&self, offset: u64, limit: u64) -> Result<Page<AuditInstanceListBean>, Error> {
        #[allow(deprecated)]
        let call = self
            .ops()
            .list_audit_instances()
            .offset(offset.to_string())
            .limit(limit.to_string());
        let ListAuditInstancesResponse { servers, total } = call.call().await?;
        Ok(Page {
            items: servers,
            total: total.and_then(|t| u64::try_from(t).ok()),
            offset,
        })
    }

    /// Every audit instance, fetched lazily page by page.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client.audit_instances().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn audit_instances(&self) -> impl Stream<Item = Result<AuditInstanceListBean, Error>> + '_ {
        paging::items(self.audit_instance_pages(DEFAULT_PAGE_SIZE))
    }

    /// The pages of audit instances, `page_size` at a time.
    pub fn audit_instance_pages(
        &self,
        page_size: u64,
    ) -> impl Stream<Item = Result<Page<AuditInstanceListBean>, Error>> + '_ {
        paging::offset_pages(page_size, paging::Step::ByItems, move |offset, limit| {
            self.list_audit_instances(offset, limit)
        })
    }
}

#[cfg(feature = "deprecated")]
const OPERATION: &str = "UpdateAuditSecurityGroup";

#[cfg(feature = "deprecated")]
fn security_group_body(instance_id: &str, security_group_ids: &[&str]) -> Result<SecurityGroupRequest, Error> {
    let invalid = |reason: String| Error::InvalidRequest {
        operation: OPERATION,
        reason,
    };
    let [id] = security_group_ids else {
        return Err(invalid(format!(
            "securitygroup_ids must hold exactly one security group id (DBSS accepts one today), got {}",
            security_group_ids.len()
        )));
    };
    Ok(SecurityGroupRequest {
        instance_id: instance_id.parse().map_err(|e| invalid(format!("instance_id: {e}")))?,
        securitygroup_ids: [id.parse().map_err(|e| invalid(format!("securitygroup_ids[0]: {e}")))?],
    })
}

#[cfg(all(test, feature = "deprecated"))]
mod tests {
    use super::*;

    /// An instance id of the documented length (32 to 64 characters).
    const INSTANCE: &str = "062212d8-8e30-4783-9671-43f3f1f3bb1e";

    #[test]
    fn only_exactly_one_non_empty_id_is_accepted() {
        for ids in [&[][..], &["a", "b"][..]] {
            let err = security_group_body(INSTANCE, ids)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("exactly one security group id"), "{err}");
        }
        assert!(security_group_body("", &["sg"]).is_err());
        assert!(security_group_body(INSTANCE, &[""]).is_err());
        assert!(security_group_body(INSTANCE, &["sg"]).is_ok());
    }

    #[test]
    fn an_instance_id_outside_32_to_64_characters_is_refused_naming_it() {
        for length in [31, 65] {
            let id = "a".repeat(length);
            let err = security_group_body(&id, &["sg"])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("instance_id"), "{length} characters: {err}");
        }
        assert!(security_group_body(&"a".repeat(32), &["sg"]).is_ok());
        assert!(security_group_body(&"a".repeat(64), &["sg"]).is_ok());
    }
}
