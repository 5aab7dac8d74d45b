//! `dbss rules risk|scope|sql-injection|masking list|enable|disable|delete`: the four kinds
//! of audit rules, each on its current (`...New`) operations.

use clap::{Args, Subcommand};
use dbss::{Operation, paging::Paged};
use serde_json::json;

use dbss::policy::{RuleKind, Switch, delete_rule, switch_rules};

use super::{
    Ctx, InstanceArg, InstanceList, check_result, instance_ref::NamesInstances, policy::policy_error, print_list,
};
use crate::{api_support::decode_body, error::CliError};

/// `dbss rules`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Risk rules: statements that raise alarms
    #[command(subcommand)]
    Risk(Verb),
    /// Audit scopes: which traffic is audited
    #[command(subcommand)]
    Scope(Verb),
    /// SQL injection rules
    #[command(subcommand)]
    SqlInjection(Verb),
    /// Privacy masking rules for audited statements
    #[command(subcommand)]
    Masking(Verb),
}

/// What can be done to rules of any kind.
#[derive(Subcommand, Debug)]
pub enum Verb {
    /// List the rules of an instance
    List(InstanceList),
    /// Turn rules on
    Enable(RuleIds),
    /// Turn rules off
    Disable(RuleIds),
    /// Delete rules
    Delete(RuleIds),
}

/// Rules of one instance.
#[derive(Args, Debug)]
pub struct RuleIds {
    #[command(flatten)]
    instance: InstanceArg,
    /// Rule ids
    #[arg(required = true)]
    ids: Vec<String>,
}

const RISK_COLUMNS: &[&str] = &["id", "name", "type", "risk_level", "status", "rank", "rule_type"];
const SCOPE_COLUMNS: &[&str] = &["id", "name", "action", "status", "all_audit", "db_names"];
const SQL_COLUMNS: &[&str] = &["id", "name", "risk_level", "status", "type", "rank"];
const MASK_COLUMNS: &[&str] = &["id", "name", "type", "mask_value", "status"];

impl NamesInstances for Command {
    fn instance_refs(&mut self) -> Vec<&mut String> {
        let (Command::Risk(verb) | Command::Scope(verb) | Command::SqlInjection(verb) | Command::Masking(verb)) = self;
        match verb {
            Verb::List(l) => l.instance.instance_refs(),
            Verb::Enable(rules) | Verb::Disable(rules) | Verb::Delete(rules) => rules.instance.instance_refs(),
        }
    }
}

/// Runs `dbss rules ...`.
pub async fn run(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    let (kind, verb) = match command {
        Command::Risk(v) => (RuleKind::Risk, v),
        Command::Scope(v) => (RuleKind::Scope, v),
        Command::SqlInjection(v) => (RuleKind::SqlInjection, v),
        Command::Masking(v) => (RuleKind::Masking, v),
    };
    let client = ctx.client()?;
    match verb {
        Verb::List(InstanceList { instance, list }) => {
            let id = instance.instance.as_str();
            let ops = client.ops();
            let size = list.page_size();
            match kind {
                RuleKind::Risk => print_list(ctx, &list, client.risk_rules(id).list(), RISK_COLUMNS).await,
                RuleKind::Scope => {
                    let items = ops.list_audit_rule_scopes_new().instance_id(id).items(size);
                    print_list(ctx, &list, items, SCOPE_COLUMNS).await
                }
                RuleKind::SqlInjection => {
                    let body = decode_body::<dbss::types::SqlRuleRequest>(
                        "ListSqlInjectionRulesNew",
                        json!({ "page": 1, "size": size }),
                    )?;
                    let items = ops
                        .list_sql_injection_rules_new()
                        .instance_id(id)
                        .body(body)
                        .items(size);
                    print_list(ctx, &list, items, SQL_COLUMNS).await
                }
                RuleKind::Masking => {
                    let items = ops.list_audit_sensitive_masks_new().instance_id(id).items(size);
                    print_list(ctx, &list, items, MASK_COLUMNS).await
                }
            }
        }
        Verb::Enable(rules) => switch(ctx, &client, kind, rules, true).await,
        Verb::Disable(rules) => switch(ctx, &client, kind, rules, false).await,
        Verb::Delete(rules) => delete(ctx, &client, kind, rules).await,
    }
}

async fn switch(ctx: &Ctx, client: &dbss::Client, kind: RuleKind, rules: RuleIds, on: bool) -> Result<(), CliError> {
    let instance = rules.instance.instance.as_str();
    let to = if on { Switch::On } else { Switch::Off };
    let ids: Vec<&str> = rules.ids.iter().map(String::as_str).collect();
    let result = switch_rules(client, instance, kind, &ids, to)
        .await
        .map_err(policy_error)?;
    ctx.printer
        .object(&json!({ "instance_id": instance, "ids": ids, "status": to.as_str(), "result": result }))
}

async fn delete(ctx: &Ctx, client: &dbss::Client, kind: RuleKind, rules: RuleIds) -> Result<(), CliError> {
    let instance = rules.instance.instance.as_str();
    let what = match kind {
        RuleKind::Risk => "risk",
        RuleKind::Scope => "scope",
        RuleKind::SqlInjection => "SQL injection",
        RuleKind::Masking => "masking",
    };
    crate::confirm::destructive(
        &ctx.global,
        &format!(
            "delete {what} rule(s) {} of audit instance {instance}",
            rules.ids.join(", ")
        ),
    )?;
    let ops = client.ops();
    let mut result = None;
    if kind == RuleKind::Scope && rules.ids.len() > 1 {
        // Scopes have a batch operation: one call for any number.
        let body =
            decode_body::<dbss::types::AuditScopeRequestNew>("BatchDeleteAuditScope", json!({ "ids": rules.ids }))?;
        let answer = ops
            .batch_delete_audit_scope()
            .instance_id(instance)
            .body(body)
            .call()
            .await?;
        result = answer.status.map(|s| s.to_string());
        check_result("BatchDeleteAuditScope", result.as_deref())?;
    } else {
        for id in &rules.ids {
            result = delete_rule(client, instance, kind, id).await.map_err(policy_error)?;
        }
    }
    ctx.printer
        .object(&json!({ "instance_id": instance, "ids": rules.ids, "deleted": true, "result": result }))
}
