//! Audit scopes: read, and written like masking rules (the status is a separate switch;
//! switching and deleting are [`super::rule_calls`]).

use dbss_api::types as api;
use futures::TryStreamExt;

use super::{
    document::{AuditScope, RuleSet, Switch},
    error::PolicyError,
    listed::{Ids, read_listed},
    rule_calls::{RuleKind, answered, switch_rules},
};
use crate::{Client, DEFAULT_PAGE_SIZE, Operation, paging::Paged};

/// The instance's scopes (the built-in one is the scope marked `all_audit`), ids by name.
pub(crate) async fn read(client: &Client, instance: &str) -> Result<(RuleSet<AuditScope>, Ids), PolicyError> {
    let listed: Vec<_> = client
        .ops()
        .list_audit_rule_scopes_new()
        .instance_id(instance)
        .items(DEFAULT_PAGE_SIZE)
        .try_collect()
        .await?;
    read_listed(instance, listed)
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

pub(crate) async fn create(client: &Client, instance: &str, scope: &AuditScope) -> Result<Option<String>, PolicyError> {
    let call = client.ops().create_audit_scope_rule().instance_id(instance);
    let answer = call.body(request(scope)).call().await?.status.map(|s| s.to_string());
    let answer = answered("CreateAuditScopeRule", answer)?;
    // A new scope starts switched on.
    if scope.status == Switch::Off {
        let (_, ids) = read(client, instance).await?;
        let id = ids.get(&scope.name).ok_or_else(|| PolicyError::Unexpected {
            instance: instance.to_owned(),
            message: format!("the audit scope {:?} just created is not listed", scope.name),
        })?;
        return switch_rules(client, instance, RuleKind::Scope, &[id.as_str()], Switch::Off).await;
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
    answered("UpdateAuditScopeRule", answer)?;
    switch_rules(client, instance, RuleKind::Scope, &[id], scope.status).await
}
