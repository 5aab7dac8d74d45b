//! Reading an instance's configuration into a [`Policy`], with the ids the service gave each
//! named item (the document has names; changes need ids).

use std::collections::BTreeMap;

use futures::TryStreamExt;
use serde::de::DeserializeOwned;

use super::{
    Policy,
    document::{MaskingRule, RiskRule, RuleSet, SchemaObject, SqlInjectionRule},
    error::PolicyError,
};
use crate::{Client, DEFAULT_PAGE_SIZE, Operation, paging::Paged};

/// Tags of audit instances live under this resource type.
pub(crate) const RESOURCE_TYPE: &str = "auditInstance";

/// An instance's configuration as a document, with the id of every rule by name.
pub(crate) struct Observed {
    /// The id the tag operations know the instance by.
    pub resource_id: String,
    pub policy: Policy,
    pub risk_ids: BTreeMap<String, String>,
    pub scope_ids: BTreeMap<String, String>,
    pub sql_ids: BTreeMap<String, String>,
    pub mask_ids: BTreeMap<String, String>,
}

impl Policy {
    /// Reads the whole policy of `instance`: every part, rules sorted by name, no ids.
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
    let (risk_rules, risk_ids) = risk(client, instance).await?;
    let (audit_scopes, scope_ids) = super::scopes::read(client, instance).await?;
    let (sql_rules, sql_ids) = sql(client, instance).await?;
    let (masking_rules, mask_ids) = masking(client, instance).await?;
    let settings = super::settings::read(client, instance).await?;
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
        },
        risk_ids,
        scope_ids,
        sql_ids,
        mask_ids,
    })
}

/// A value of one of the document's enums from the service's spelling.
fn from_wire<T: DeserializeOwned>(instance: &str, what: &str, value: Option<&str>) -> Result<T, PolicyError> {
    let text = value.unwrap_or_default();
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| PolicyError::Unexpected {
        instance: instance.to_owned(),
        message: format!("{what} {text:?} is not one the policy document knows"),
    })
}

fn switch(instance: &str, status: Option<&str>) -> Result<super::Switch, PolicyError> {
    from_wire(instance, "status", status)
}

async fn risk(client: &Client, instance: &str) -> Result<(RuleSet<RiskRule>, BTreeMap<String, String>), PolicyError> {
    let listed: Vec<_> = client.risk_rules(instance).list().try_collect().await?;
    let mut set = RuleSet::default();
    let mut ids = BTreeMap::new();
    for rule in listed {
        let (Some(id), Some(name)) = (rule.id, rule.name) else {
            continue;
        };
        ids.insert(name.clone(), id.clone());
        if rule.rule_type.as_deref() != Some("CUSTOMIZE") {
            set.builtin.insert(name, switch(instance, rule.status.as_deref())?);
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
        set.custom.push(RiskRule {
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
        });
    }
    set.custom.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((set, ids))
}

async fn sql(
    client: &Client,
    instance: &str,
) -> Result<(RuleSet<SqlInjectionRule>, BTreeMap<String, String>), PolicyError> {
    let listed: Vec<_> = client
        .ops()
        .list_sql_injection_rules_new()
        .instance_id(instance)
        .body(dbss_api::types::SqlRuleRequest::default())
        .items(DEFAULT_PAGE_SIZE)
        .try_collect()
        .await?;
    let mut set = RuleSet::default();
    let mut ids = BTreeMap::new();
    for rule in listed {
        let (Some(id), Some(name)) = (rule.id, rule.name) else {
            continue;
        };
        ids.insert(name.clone(), id);
        let status = switch(instance, rule.status.as_deref())?;
        if rule.type_.as_deref() != Some("CUSTOMIZE") {
            set.builtin.insert(name, status);
            continue;
        }
        set.custom.push(SqlInjectionRule {
            name,
            risk_level: from_wire(instance, "risk level", rule.risk_level.as_deref())?,
            status,
            regex: rule.regex.unwrap_or_default(),
        });
    }
    set.custom.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((set, ids))
}

async fn masking(
    client: &Client,
    instance: &str,
) -> Result<(RuleSet<MaskingRule>, BTreeMap<String, String>), PolicyError> {
    let listed: Vec<_> = client
        .ops()
        .list_audit_sensitive_masks_new()
        .instance_id(instance)
        .items(DEFAULT_PAGE_SIZE)
        .try_collect()
        .await?;
    let mut set = RuleSet::default();
    let mut ids = BTreeMap::new();
    for rule in listed {
        let (Some(id), Some(name)) = (rule.id, rule.name) else {
            continue;
        };
        ids.insert(name.clone(), id);
        let status = switch(instance, rule.status.as_deref())?;
        if rule.type_.as_deref() != Some("USER_DEFINE") {
            set.builtin.insert(name, status);
            continue;
        }
        set.custom.push(MaskingRule {
            name,
            status,
            regex: rule.regex.unwrap_or_default(),
            mask_value: rule.mask_value.unwrap_or_default(),
        });
    }
    set.custom.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((set, ids))
}
