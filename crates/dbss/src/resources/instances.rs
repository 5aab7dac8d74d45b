//! Audit instances.

use futures::Stream;

use dbss_api::types::{AuditInstanceBean, CreateInstancePeriodRequest, CreateInstancesPeriodOrderNewResponse};

use super::body;
use crate::{
    Client, Error, Operation,
    paging::Paged,
    wait::{InstanceState, Waiter},
};

/// The audit instances of the project (see [`Client::instances`]).
#[derive(Clone, Copy, Debug)]
pub struct Instances<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Instances<'a> {
    /// Every audit instance, page by page (`ListAuditInstancesLast`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client.instances().list().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> impl Stream<Item = Result<AuditInstanceBean, Error>> + 'a {
        self.client
            .ops()
            .list_audit_instances_last()
            .items(crate::DEFAULT_PAGE_SIZE)
    }

    /// One instance, if it exists.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let instance = client.instances().get("062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: &str) -> Result<Option<AuditInstanceBean>, Error> {
        self.client.find_audit_instance(id).await
    }

    /// Orders a yearly/monthly instance (`CreateInstancesPeriodOrderNew`); never retried
    /// automatically, so an order is never placed twice.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let request: dbss::types::CreateInstancePeriodRequest = serde_json::from_str(r#"{...}"#).map_err(|e| dbss::Error::Io(e.to_string()))?;
    /// let order = client.instances().order(request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn order(
        &self,
        request: CreateInstancePeriodRequest,
    ) -> Result<CreateInstancesPeriodOrderNewResponse, Error> {
        self.client
            .ops()
            .create_instances_period_order_new()
            .body(request)
            .call()
            .await
    }

    /// Starts an instance (`StartAuditInstanceNew`); see [`Instances::wait`].
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.instances().start("062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(&self, id: &str) -> Result<Option<String>, Error> {
        let request =
            body::<dbss_api::types::ServerIdBean>("StartAuditInstanceNew", serde_json::json!({ "instance_id": id }))?;
        Ok(self
            .client
            .ops()
            .start_audit_instance_new()
            .body(request)
            .call()
            .await?
            .result)
    }

    /// Stops an instance (`StopAuditInstanceNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.instances().stop("062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
    /// # Ok(()) }
    /// ```
    pub async fn stop(&self, id: &str) -> Result<Option<String>, Error> {
        let request =
            body::<dbss_api::types::ServerIdBean>("StopAuditInstanceNew", serde_json::json!({ "instance_id": id }))?;
        Ok(self
            .client
            .ops()
            .stop_audit_instance_new()
            .body(request)
            .call()
            .await?
            .result)
    }

    /// Reboots an instance (`RebootAuditInstanceNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.instances().reboot("062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
    /// # Ok(()) }
    /// ```
    pub async fn reboot(&self, id: &str) -> Result<Option<String>, Error> {
        let request =
            body::<dbss_api::types::ServerIdBean>("RebootAuditInstanceNew", serde_json::json!({ "instance_id": id }))?;
        Ok(self
            .client
            .ops()
            .reboot_audit_instance_new()
            .body(request)
            .call()
            .await?
            .result)
    }

    /// Deletes a pay-per-use instance (`DeleteInstancesNew`), with its EIP and disks if asked.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.instances().delete("062212d8-8e30-4783-9671-43f3f1f3bb1e", true, true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, id: &str, delete_public_ip: bool, delete_volume: bool) -> Result<Option<String>, Error> {
        let request = body::<dbss_api::types::DeleteInstanceDemandRequest>(
            "DeleteInstancesNew",
            serde_json::json!({ "id": id, "delete_publicip": delete_public_ip, "delete_volume": delete_volume }),
        )?;
        Ok(self
            .client
            .ops()
            .delete_instances_new()
            .body(request)
            .call()
            .await?
            .result)
    }

    /// Binds a security group (`UpdateAuditSecurityGroupNew`; exactly one is accepted).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.instances().set_security_group("062212d8-8e30-4783-9671-43f3f1f3bb1e", "f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd").await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_security_group(&self, id: &str, security_group_id: &str) -> Result<Option<String>, Error> {
        let request = body::<dbss_api::types::SecurityGroupRequest>(
            "UpdateAuditSecurityGroupNew",
            serde_json::json!({ "instance_id": id, "securitygroup_ids": [security_group_id] }),
        )?;
        Ok(self
            .client
            .ops()
            .update_audit_security_group_new()
            .body(request)
            .call()
            .await?
            .result)
    }

    /// Waits until the instance reaches `state` (see [`crate::wait`]).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use dbss::wait::{InstanceState, Waiter};
    /// client.instances().wait("062212d8-8e30-4783-9671-43f3f1f3bb1e", InstanceState::Stopped, &Waiter::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait(
        &self,
        id: &str,
        state: InstanceState,
        waiter: &Waiter,
    ) -> Result<Option<AuditInstanceBean>, Error> {
        self.client.wait_for_audit_instance(id, state, waiter).await
    }
}
