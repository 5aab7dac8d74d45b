//! Audit scopes: read, and written like masking rules (the status is a separate switch).

use std::collections::BTreeMap;

use dbss_api::types as api;
use futures::TryStreamExt;

use super::{
    document::{AuditScope, RuleSet, Switch},
    error::PolicyError,
};
use crate::{Client, DEFAULT_PAGE_SIZE, Operation, paging::Paged};

/// The instance's scopes (the built-in one is the scope marked `all_audit`), ids by name.
pub(crate) async fn read(
    client: &Client,
    instance: &str,
) -> Result<(RuleSet<AuditScope>, BTreeMap<String, String>), PolicyError> {
    let listed: Vec<_> = client
        .ops()
        .list_audit_rule_scopes_new()
        .instance_id(instance)
        .items(DEFAULT_PAGE_SIZE)
        .try_collect()
        .await?;
    let mut set = RuleSet::default();
    let mut ids = BTreeMap::new();
    for scope in listed {
        let (Some(id), Some(name)) = (scope.id, scope.name) else {
            continue;
        };
        ids.insert(name.clone(), id);
        let status = if scope.status.as_deref() == Some("ON") {
            Switch::On
        } else {
            Switch::Off
        };
        if scope.all_audit == Some(true) {
            set.builtin.insert(name, status);
            continue;
        }
        set.custom.push(AuditScope {
            name,
            status,
            action: scope.action.unwrap_or_default(),
            db_ids: scope.db_ids.unwrap_or_default(),
            db_names: scope.db_names.unwrap_or_default(),
            db_users: scope.db_users.unwrap_or_default(),
            source_ips: scope.source_ips.unwrap_or_default(),
            source_ports: scope.source_ports.unwrap_or_default(),
            exception_ips: scope.exception_ips.unwrap_or_default(),
        });
    }
    set.custom.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((set, ids))
}

fn request(scope: &AuditScope) -> api::RuleScopeRequest {
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    api::RuleScopeRequest {
        action: text(&scope.action),
        db_ids: scope.db_ids.clone(),
        db_names: scope.db_names.clone(),
        db_users: text(&scope.db_users),
        exception_ips: text(&scope.exception_ips),
        rule_name: scope.name.clone(),
        source_ips: text(&scope.source_ips),
        source_ports: text(&scope.source_ports),
    }
}

pub(crate) async fn switch(
    client: &Client,
    instance: &str,
    id: &str,
    to: Switch,
) -> Result<Option<String>, PolicyError> {
    let status = to.as_str().parse().map_err(|_| {
        PolicyError::Api(crate::Error::InvalidRequest {
            operation: "SetAuditScopeRuleSwitch",
            reason: format!("{:?} is not accepted", to.as_str()),
        })
    })?;
    let body = api::AuditScopeSwitchRequestNew {
        ids: vec![id.to_owned()],
        status,
    };
    let call = client.ops().set_audit_scope_rule_switch().instance_id(instance);
    Ok(call.body(body).call().await?.status.map(|s| s.to_string()))
}

pub(crate) async fn create(client: &Client, instance: &str, scope: &AuditScope) -> Result<Option<String>, PolicyError> {
    let call = client.ops().create_audit_scope_rule().instance_id(instance);
    let answer = call.body(request(scope)).call().await?.status.map(|s| s.to_string());
    // A new scope starts switched on.
    if scope.status == Switch::Off {
        let (_, ids) = read(client, instance).await?;
        let id = ids.get(&scope.name).ok_or_else(|| PolicyError::Unexpected {
            instance: instance.to_owned(),
            message: format!("the audit scope {:?} just created is not listed", scope.name),
        })?;
        return switch(client, instance, id, Switch::Off).await;
    }
    Ok(answer)
}

pub(crate) async fn update(
    client: &Client,
    instance: &str,
    id: &str,
    scope: &AuditScope,
) -> Result<Option<String>, PolicyError> {
    let call = client.ops().update_audit_scope_rule().instance_id(instance).id(id);
    let answer = call.body(request(scope)).call().await?.status.map(|s| s.to_string());
    if answer.as_deref().is_some_and(|a| a.eq_ignore_ascii_case("failed")) {
        return Ok(answer);
    }
    switch(client, instance, id, scope.status).await
}

pub(crate) async fn delete(client: &Client, instance: &str, id: &str) -> Result<Option<String>, PolicyError> {
    let call = client.ops().delete_audit_scope().instance_id(instance).id(id);
    Ok(call.call().await?.status.map(|s| s.to_string()))
}
