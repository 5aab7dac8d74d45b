//! Audit instances.

use futures::{Stream, TryStreamExt};

use dbss_api::types::{
    AuditInstanceBean, AuditUpgradeStatus, CreateInstancePeriodRequest, CreateInstancesPeriodOrderNewResponse,
    DeleteInstanceDemandRequest, JobBean, SecurityGroupRequest, ServerIdBean,
};

use super::{DEFAULT_PAGE_SIZE, invalid};
use crate::{
    Client, Error, Operation,
    paging::{Page, Paged},
    wait::{InstanceState, Seen, Waiter, poll},
};

/// The audit instances of the project (see [`Client::instances`]).
#[derive(Clone, Copy, Debug)]
pub struct Instances<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Instances<'a> {
    /// Every audit instance, fetched lazily page by page (`ListAuditInstancesLast`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client.instances().list().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> impl Stream<Item = Result<AuditInstanceBean, Error>> + 'a {
        self.client.ops().list_audit_instances_last().items(DEFAULT_PAGE_SIZE)
    }

    /// The pages of audit instances, `page_size` at a time (`ListAuditInstancesLast`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use futures::TryStreamExt;
    /// let mut pages = std::pin::pin!(client.instances().pages(50));
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} of {:?}", page.items.len(), page.total);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(&self, page_size: u64) -> impl Stream<Item = Result<Page<AuditInstanceBean>, Error>> + 'a {
        self.client.ops().list_audit_instances_last().pages(page_size)
    }

    /// One instance, if it exists (pages through `ListAuditInstancesLast`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let instance = client.instances().get("062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: &str) -> Result<Option<AuditInstanceBean>, Error> {
        let mut instances = std::pin::pin!(self.list());
        while let Some(instance) = instances.try_next().await? {
            if instance.id.as_deref() == Some(id) {
                return Ok(Some(instance));
            }
        }
        Ok(None)
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
        let call = self.client.ops().start_audit_instance_new().body(server(id));
        Ok(call.call().await?.result)
    }

    /// Stops an instance (`StopAuditInstanceNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.instances().stop("062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
    /// # Ok(()) }
    /// ```
    pub async fn stop(&self, id: &str) -> Result<Option<String>, Error> {
        let call = self.client.ops().stop_audit_instance_new().body(server(id));
        Ok(call.call().await?.result)
    }

    /// Reboots an instance (`RebootAuditInstanceNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.instances().reboot("062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
    /// # Ok(()) }
    /// ```
    pub async fn reboot(&self, id: &str) -> Result<Option<String>, Error> {
        let call = self.client.ops().reboot_audit_instance_new().body(server(id));
        Ok(call.call().await?.result)
    }

    /// Deletes a pay-per-use instance (`DeleteInstancesNew`), with its EIP and disks if asked.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.instances().delete("062212d8-8e30-4783-9671-43f3f1f3bb1e", true, true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, id: &str, delete_public_ip: bool, delete_volume: bool) -> Result<Option<String>, Error> {
        let request = DeleteInstanceDemandRequest {
            id: id.parse().map_err(|e| invalid("DeleteInstancesNew", "id", e))?,
            delete_publicip: Some(delete_public_ip),
            delete_volume: Some(delete_volume),
        };
        let call = self.client.ops().delete_instances_new().body(request);
        Ok(call.call().await?.result)
    }

    /// Binds a security group to an instance (`UpdateAuditSecurityGroupNew`). The API models
    /// a list but accepts exactly one group today; ids outside the documented lengths are
    /// refused before sending.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.instances().set_security_group("062212d8-8e30-4783-9671-43f3f1f3bb1e", "f0fbec06-bcf6-4c7e-99fa-f0ddfbb1d9bd").await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_security_group(&self, id: &str, security_group_id: &str) -> Result<Option<String>, Error> {
        let request = security_group_request(id, security_group_id)?;
        let call = self.client.ops().update_audit_security_group_new().body(request);
        Ok(call.call().await?.result)
    }

    /// Waits until the instance reaches `state`; an instance in `ERROR` ends the wait at
    /// once. Returns the instance as last seen (`None` once deleted); see [`crate::wait`].
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
        target: InstanceState,
        waiter: &Waiter,
    ) -> Result<Option<AuditInstanceBean>, Error> {
        let what = format!("audit instance {id} to be {target:?}");
        poll(what, waiter, || async move {
            let Some(instance) = self.get(id).await? else {
                return Ok(if target == InstanceState::Deleted {
                    Seen::Done(None)
                } else {
                    Seen::Pending("not listed".into())
                });
            };
            let status = instance.status.clone().unwrap_or_default();
            let task = instance.task.clone().unwrap_or_else(|| "NO_TASK".into());
            let idle = task == "NO_TASK" || task.is_empty();
            let state = format!("status {status}, task {task}");
            Ok(match (target, status.as_str()) {
                (_, "ERROR") => Seen::Failed(state),
                (InstanceState::Active, "ACTIVE") if idle => Seen::Done(Some(instance)),
                (InstanceState::Stopped, "SHUTOFF") if idle => Seen::Done(Some(instance)),
                (InstanceState::Deleted, "DELETED") => Seen::Done(None),
                _ => Seen::Pending(state),
            })
        })
        .await
    }

    /// Waits until the job `job_id` of the instance resource `resource_id` succeeds
    /// (`ListAuditInstanceJobsNew`), e.g. after [`Instances::order`]; a failed job ends the
    /// wait with its reason.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use dbss::wait::Waiter;
    /// let job = client.instances().wait_for_job("b80bb774-0288-fda1-f201-890375a60c8f", "job-1", &Waiter::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_job(&self, resource_id: &str, job_id: &str, waiter: &Waiter) -> Result<JobBean, Error> {
        let what = format!("job {job_id} of {resource_id} to succeed");
        poll(what, waiter, || async move {
            let jobs = self
                .client
                .ops()
                .list_audit_instance_jobs_new()
                .resource_id(resource_id)
                .call()
                .await?
                .jobs;
            let Some(job) = jobs.into_iter().find(|j| j.job_id.as_deref() == Some(job_id)) else {
                return Ok(Seen::Pending("job not listed yet".into()));
            };
            let status = job.status.clone().unwrap_or_default();
            Ok(match status.as_str() {
                "SUCCESS" => Seen::Done(job),
                "FAIL" => Seen::Failed(format!(
                    "FAIL: {}",
                    job.fail_reason.clone().or(job.error_code.clone()).unwrap_or_default()
                )),
                other => Seen::Pending(other.to_owned()),
            })
        })
        .await
    }

    /// Waits until the upgrade of audit instance `instance_id` is no longer in progress
    /// (`ShowAuditUpgradeStatus`: status 0 is upgrading).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use dbss::wait::Waiter;
    /// client.instances().wait_for_upgrade("062212d8-8e30-4783-9671-43f3f1f3bb1e", &Waiter::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_upgrade(&self, instance_id: &str, waiter: &Waiter) -> Result<AuditUpgradeStatus, Error> {
        let what = format!("upgrade of audit instance {instance_id} to finish");
        poll(what, waiter, || async move {
            let infos = self
                .client
                .ops()
                .show_audit_upgrade_status()
                .call()
                .await?
                .audit_upgrade_infos;
            let Some(info) = infos
                .into_iter()
                .find(|i| i.instance_id.as_deref() == Some(instance_id))
            else {
                return Ok(Seen::Pending("instance not in the upgrade list".into()));
            };
            Ok(match info.status {
                Some(0) => Seen::Pending(format!("upgrading, {} step(s)", info.steps.len())),
                _ => Seen::Done(info),
            })
        })
        .await
    }
}

/// The body naming one instance, shared by start, stop and reboot.
fn server(id: &str) -> ServerIdBean {
    ServerIdBean {
        instance_id: id.to_owned(),
    }
}

const SECURITY_GROUP: &str = "UpdateAuditSecurityGroupNew";

fn security_group_request(instance_id: &str, security_group_id: &str) -> Result<SecurityGroupRequest, Error> {
    Ok(SecurityGroupRequest {
        instance_id: instance_id
            .parse()
            .map_err(|e| invalid(SECURITY_GROUP, "instance_id", e))?,
        securitygroup_ids: [security_group_id
            .parse()
            .map_err(|e| invalid(SECURITY_GROUP, "securitygroup_ids[0]", e))?],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An instance id of the documented length (32 to 64 characters).
    const INSTANCE: &str = "062212d8-8e30-4783-9671-43f3f1f3bb1e";

    #[test]
    fn an_empty_id_is_refused_before_sending() {
        assert!(security_group_request("", "sg").is_err());
        assert!(security_group_request(INSTANCE, "").is_err());
        assert!(security_group_request(INSTANCE, "sg").is_ok());
    }

    #[test]
    fn an_instance_id_outside_32_to_64_characters_is_refused_naming_it() {
        for length in [31, 65] {
            let id = "a".repeat(length);
            let err = security_group_request(&id, "sg")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("instance_id"), "{length} characters: {err}");
            assert!(err.contains(SECURITY_GROUP), "{err}");
        }
        assert!(security_group_request(&"a".repeat(32), "sg").is_ok());
        assert!(security_group_request(&"a".repeat(64), "sg").is_ok());
    }
}
