//! Reading an instance's configuration into a [`Policy`], with the ids the service gave each
//! named item (the document has names; changes need ids).

use futures::TryStreamExt;

use super::{
    Policy,
    document::{MaskingRule, RiskRule, RuleSet, SchemaObject, SqlInjectionRule},
    error::PolicyError,
    listed::{Ids, Listed, by_rank, from_wire, gather, read_listed, switch},
};
use crate::{Client, DEFAULT_PAGE_SIZE, Operation, paging::Paged};

/// Tags of audit instances live under this resource type.
pub(crate) const RESOURCE_TYPE: &str = "auditInstance";

/// An instance's configuration as a document, with the id of every rule by name.
pub(crate) struct Observed {
    /// The id the tag operations know the instance by.
    pub resource_id: String,
    pub policy: Policy,
    pub risk_ids: Ids,
    /// Every risk rule's name (built-in and custom), in rank order.
    pub risk_order: Vec<String>,
    pub scope_ids: Ids,
    pub sql_ids: Ids,
    /// Every SQL-injection rule's name, in rank order.
    pub sql_order: Vec<String>,
    pub mask_ids: Ids,
    pub whitelist_ids: super::whitelists::WhitelistIds,
}

impl Policy {
    /// Reads the whole policy of `instance`: every part, no ids; custom risk and SQL-injection
    /// rules in rank order (their order in the document is their rank), other rules by name.
    ///
    /// ```no_run
    /// # async fn demo(client: dbss::Client) -> Result<(), dbss::policy::PolicyError> {
    /// let policy = dbss::policy::Policy::export(&client, "062212d8-8e30-4783-9671-43f3f1f3bb1e").await?;
    /// print!("{}", policy.to_yaml()?);
    /// # Ok(()) }
    /// ```
    pub async fn export(client: &Client, instance: &str) -> Result<Policy, PolicyError> {
        Ok(observe(client, instance).await?.policy)
    }
}

pub(crate) async fn observe(client: &Client, instance: &str) -> Result<Observed, PolicyError> {
    let found = client
        .instances()
        .get(instance)
        .await?
        .ok_or_else(|| PolicyError::Unexpected {
            instance: instance.to_owned(),
            message: "no such audit instance".into(),
        })?;
    // Tags address the instance by its resource id; fall back on the id where it has none.
    let resource_id = found
        .resource_id
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| instance.to_owned());
    let (risk_rules, risk_ids, risk_order) = risk(client, instance).await?;
    let (audit_scopes, scope_ids) = super::scopes::read(client, instance).await?;
    let (sql_rules, sql_ids, sql_order) = sql(client, instance).await?;
    let (masking_rules, mask_ids) = masking(client, instance).await?;
    let settings = super::settings::read(client, instance).await?;
    let (whitelists, whitelist_ids) = super::whitelists::read(client, instance).await?;
    let tags = client
        .tags(RESOURCE_TYPE, &resource_id)
        .list()
        .await?
        .into_iter()
        .filter_map(|t| Some((t.key?, t.value.unwrap_or_default())))
        .collect();
    Ok(Observed {
        resource_id,
        policy: Policy {
            risk_rules: Some(risk_rules),
            audit_scopes: Some(audit_scopes),
            sql_injection_rules: Some(sql_rules),
            masking_rules: Some(masking_rules),
            masking_switch: Some(settings.masking_switch),
            log_retention_days: Some(settings.log_retention_days),
            alarm_notification: Some(settings.alarm_notification),
            tags: Some(tags),
            whitelists: Some(whitelists),
        },
        risk_ids,
        risk_order,
        scope_ids,
        sql_ids,
        sql_order,
        mask_ids,
        whitelist_ids,
    })
}

/// The instance's risk rules as listed (no criteria), in rank order.
async fn list_risk(
    client: &Client,
    instance: &str,
) -> Result<Vec<dbss_api::types::RuleRiskResponseRules>, PolicyError> {
    let mut listed: Vec<_> = client
        .ops()
        .list_audit_rule_risks_new()
        .instance_id(instance)
        .items(DEFAULT_PAGE_SIZE)
        .try_collect()
        .await?;
    by_rank(&mut listed, |r| r.rank);
    Ok(listed)
}

/// The id of every risk rule by name, and the names in rank order (one list, no criteria).
pub(crate) async fn risk_ids(client: &Client, instance: &str) -> Result<(Ids, Vec<String>), PolicyError> {
    let mut ids = Ids::new();
    let mut order = Vec::new();
    for rule in list_risk(client, instance).await? {
        if let (Some(id), Some(name)) = (rule.id, rule.name) {
            order.push(name.clone());
            ids.insert(name, id);
        }
    }
    Ok((ids, order))
}

async fn risk(client: &Client, instance: &str) -> Result<(RuleSet<RiskRule>, Ids, Vec<String>), PolicyError> {
    let listed = list_risk(client, instance).await?;
    let mut order = Vec::new();
    let mut found = Vec::new();
    for rule in listed {
        let (Some(id), Some(name)) = (rule.id, rule.name) else {
            continue;
        };
        order.push(name.clone());
        let status = switch(instance, rule.status.as_deref())?;
        if rule.rule_type.as_deref() != Some("CUSTOMIZE") {
            found.push(Listed::Builtin { id, name, status });
            continue;
        }
        // The list shows a summary; the criteria come with the rule itself.
        let shown = client
            .ops()
            .show_audit_rule_risk_new()
            .instance_id(instance)
            .id(id.as_str())
            .call()
            .await?;
        let rule = RiskRule {
            name,
            risk_level: from_wire(instance, "risk level", shown.risk_level.as_deref())?,
            status: switch(instance, shown.status.as_deref())?,
            action: shown.action.unwrap_or_default(),
            db_ids: shown.db_ids.unwrap_or_default(),
            client_ips: shown.client_ips.unwrap_or_default(),
            ignore_case: shown.ignore_case.unwrap_or(false),
            execution_symbol: from_wire(instance, "execution_symbol", shown.execution_symbol.as_deref())?,
            execution_time: shown.execution_time.map(i64::from).unwrap_or(0),
            affect_symbol: from_wire(instance, "affect_symbol", shown.affect_symbol.as_deref())?,
            affect_rows: shown.affect_rows.unwrap_or(0),
            schemas: shown
                .schemas
                .into_iter()
                .map(|s| SchemaObject {
                    schema: s.schema.unwrap_or_default(),
                    table: s.table.unwrap_or_default(),
                    column: s.column.unwrap_or_default(),
                })
                .collect(),
        };
        found.push(Listed::Custom { id, rule });
    }
    let (set, ids) = gather(found, true);
    Ok((set, ids, order))
}

/// The instance's SQL-injection rules, the id of each by name, and every name in rank order.
pub(crate) async fn sql(
    client: &Client,
    instance: &str,
) -> Result<(RuleSet<SqlInjectionRule>, Ids, Vec<String>), PolicyError> {
    let mut listed: Vec<_> = client
        .ops()
        .list_sql_injection_rules_new()
        .instance_id(instance)
        .body(dbss_api::types::SqlRuleRequest::default())
        .items(DEFAULT_PAGE_SIZE)
        .try_collect()
        .await?;
    by_rank(&mut listed, |r| r.rank);
    let order = listed
        .iter()
        .filter(|r| r.id.is_some())
        .filter_map(|r| r.name.clone())
        .collect();
    let (set, ids) = read_listed(instance, listed)?;
    Ok((set, ids, order))
}

pub(crate) async fn masking(client: &Client, instance: &str) -> Result<(RuleSet<MaskingRule>, Ids), PolicyError> {
    let listed: Vec<_> = client
        .ops()
        .list_audit_sensitive_masks_new()
        .instance_id(instance)
        .items(DEFAULT_PAGE_SIZE)
        .try_collect()
        .await?;
    read_listed(instance, listed)
}
