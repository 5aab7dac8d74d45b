//! Risk rules of an audit instance.

use futures::Stream;

use dbss_api::types::{
    BatchSwitchesRequest, BatchSwitchesRequestStatus, RuleAddRiskRuleRequest, RuleRiskResponseRules,
};

use super::DEFAULT_PAGE_SIZE;
use crate::{Client, Error, Operation, paging::Paged};

/// The risk rules of one audit instance (see [`Client::risk_rules`]).
#[derive(Clone, Copy, Debug)]
pub struct RiskRules<'a> {
    pub(crate) client: &'a Client,
    pub(crate) instance_id: &'a str,
}

impl<'a> RiskRules<'a> {
    /// Every risk rule, page by page (`ListAuditRuleRisksNew`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// use futures::TryStreamExt;
    /// let rules: Vec<_> = client.risk_rules("062212d8-8e30-4783-9671-43f3f1f3bb1e").list().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> impl Stream<Item = Result<RuleRiskResponseRules, Error>> + 'a {
        self.client
            .ops()
            .list_audit_rule_risks_new()
            .instance_id(self.instance_id)
            .items(DEFAULT_PAGE_SIZE)
    }

    /// Creates a risk rule (`CreateAuditRiskRule`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// let request: dbss::types::RuleAddRiskRuleRequest = serde_json::from_str(r#"{...}"#).map_err(|e| dbss::Error::Io(e.to_string()))?;
    /// client.risk_rules("062212d8-8e30-4783-9671-43f3f1f3bb1e").create(request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, request: RuleAddRiskRuleRequest) -> Result<Option<String>, Error> {
        let response = self
            .client
            .ops()
            .create_audit_risk_rule()
            .instance_id(self.instance_id)
            .body(request)
            .call()
            .await?;
        Ok(response.status)
    }

    /// Turns rules on or off (`SwitchRiskRuleNew`; the API takes the ids comma-joined).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.risk_rules("062212d8-8e30-4783-9671-43f3f1f3bb1e").switch(&["r1", "r2"], true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn switch(&self, rule_ids: &[&str], on: bool) -> Result<Option<String>, Error> {
        let request = BatchSwitchesRequest {
            ids: rule_ids.join(","),
            status: if on {
                BatchSwitchesRequestStatus::On
            } else {
                BatchSwitchesRequestStatus::Off
            },
        };
        let response = self
            .client
            .ops()
            .switch_risk_rule_new()
            .instance_id(self.instance_id)
            .body(request)
            .call()
            .await?;
        Ok(response.status)
    }

    /// Deletes a risk rule (`DeleteAuditRuleRisk`).
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::Error> {
    /// client.risk_rules("062212d8-8e30-4783-9671-43f3f1f3bb1e").delete("b80bb774-0288-fda1-f201-890375a60c8f").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, rule_id: &str) -> Result<Option<String>, Error> {
        let response = self
            .client
            .ops()
            .delete_audit_rule_risk()
            .instance_id(self.instance_id)
            .id(rule_id)
            .call()
            .await?;
        Ok(response.status)
    }
}
