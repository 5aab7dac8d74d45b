//! Waiters: poll until asynchronous work (instance lifecycle, jobs, upgrades) is finished, with
//! backoff and a deadline, and say what was last seen when it does not finish.

use std::time::Duration;

use dbss_api::types::{AuditUpgradeStatus, JobBean};

use crate::{Client, Error, Operation};

/// How long and how often to poll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiter {
    /// Give up after this long.
    pub deadline: Duration,
    /// Delay before the second poll; it doubles up to `max_delay`.
    pub first_delay: Duration,
    /// Longest delay between polls.
    pub max_delay: Duration,
}

impl Default for Waiter {
    fn default() -> Self {
        Waiter {
            deadline: Duration::from_secs(30 * 60),
            first_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// The lifecycle state an instance waiter waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceState {
    /// Running, with no operation in progress (after create, start, reboot).
    Active,
    /// Stopped, with no operation in progress.
    Stopped,
    /// Gone from the list, or listed as deleted.
    Deleted,
}

/// One observation of the polled resource.
pub(crate) enum Seen<T> {
    Done(T),
    Pending(String),
    Failed(String),
}

/// Polls `check` until it reports done or failed, or the deadline passes.
pub(crate) async fn poll<T, F, Fut>(what: String, waiter: &Waiter, mut check: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Seen<T>, Error>>,
{
    let started = tokio::time::Instant::now();
    let mut delay = waiter.first_delay;
    loop {
        let last = match check().await {
            Ok(Seen::Done(value)) => return Ok(value),
            Ok(Seen::Failed(state)) => {
                return Err(Error::Wait {
                    what,
                    last_state: state,
                    waited: started.elapsed(),
                    finished: true,
                });
            }
            Ok(Seen::Pending(state)) => state,
            // A failed poll is not the end: the service may be briefly unavailable.
            Err(error) => format!("poll failed: {error}"),
        };
        let left = waiter.deadline.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(Error::Wait {
                what,
                last_state: last,
                waited: started.elapsed(),
                finished: false,
            });
        }
        tracing::debug!(what, state = last.as_str(), "waiting");
        tokio::time::sleep(delay.min(left)).await;
        delay = (delay * 2).min(waiter.max_delay);
    }
}

impl Client {
    /// Waits until the job `job_id` of the instance resource `resource_id` succeeds
    /// (`ListAuditInstanceJobsNew`); a failed job ends the wait with its reason.
    pub async fn wait_for_job(&self, resource_id: &str, job_id: &str, waiter: &Waiter) -> Result<JobBean, Error> {
        let what = format!("job {job_id} of {resource_id} to succeed");
        poll(what, waiter, || async move {
            let jobs = self
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
    pub async fn wait_for_upgrade(&self, instance_id: &str, waiter: &Waiter) -> Result<AuditUpgradeStatus, Error> {
        let what = format!("upgrade of audit instance {instance_id} to finish");
        poll(what, waiter, || async move {
            let infos = self.ops().show_audit_upgrade_status().call().await?.audit_upgrade_infos;
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
