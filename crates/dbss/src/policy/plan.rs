//! Comparing a policy with an instance: the changes that would make the instance match.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    Policy,
    document::{AuditScope, MaskingRule, Named, RiskRule, RuleSet, SqlInjectionRule, Switch},
    error::PolicyError,
    export::{Observed, observe},
    rule_calls::RuleKind,
};
use crate::Client;

/// How a plan treats items the instance has and the document does not name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Delete custom rules, tags and whitelist entries absent from the document (in the
    /// parts it manages).
    pub prune: bool,
}

/// The part of the policy a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// Risk rules.
    RiskRules,
    /// Audit scopes.
    AuditScopes,
    /// SQL-injection rules.
    SqlInjectionRules,
    /// Masking rules.
    MaskingRules,
    /// Instance-wide settings.
    Settings,
    /// Tags.
    Tags,
    /// Whitelisted SQL statements.
    Whitelists,
}

impl Part {
    /// How the plan titles the part.
    pub fn title(self) -> &'static str {
        match self {
            Part::RiskRules => "risk rules",
            Part::AuditScopes => "audit scopes",
            Part::SqlInjectionRules => "SQL-injection rules",
            Part::MaskingRules => "masking rules",
            Part::Settings => "settings",
            Part::Tags => "tags",
            Part::Whitelists => "whitelists",
        }
    }
}

/// What a change does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Creates an item (`+`).
    Create,
    /// Changes an item in place (`~`).
    Update,
    /// Deletes an item (`−`).
    Delete,
    /// Turns a rule on or off (`⇄`).
    Switch,
}

impl ChangeKind {
    /// The plan's sign for the change.
    pub fn sign(self) -> char {
        match self {
            ChangeKind::Create => '+',
            ChangeKind::Update => '~',
            ChangeKind::Delete => '\u{2212}',
            ChangeKind::Switch => '\u{21c4}',
        }
    }
}

/// The call a change makes.
#[derive(Clone, Debug)]
pub(crate) enum Action {
    SwitchRule {
        kind: RuleKind,
        id: String,
        to: Switch,
    },
    DeleteRule {
        kind: RuleKind,
        id: String,
    },
    CreateRisk(Box<RiskRule>),
    UpdateRisk {
        id: String,
        rule: Box<RiskRule>,
    },
    CreateScope(Box<AuditScope>),
    UpdateScope {
        id: String,
        scope: Box<AuditScope>,
    },
    CreateSql(SqlInjectionRule),
    UpdateSql {
        id: String,
        rule: SqlInjectionRule,
    },
    CreateMask(MaskingRule),
    UpdateMask {
        id: String,
        rule: MaskingRule,
    },
    SetMaskingSwitch(Switch),
    SetRetention(u32),
    SetAlarm(Box<super::document::AlarmNotification>),
    SetTag {
        key: String,
        value: String,
    },
    DeleteTag {
        key: String,
    },
    CreateWhitelist(super::document::WhitelistEntry),
    UpdateWhitelist {
        id: String,
        entry: super::document::WhitelistEntry,
    },
    DeleteWhitelist {
        ids: Vec<String>,
    },
    /// Moves the risk rule `name` to `rank` (its id is looked up when applied: a rule the
    /// plan creates has none yet).
    RankRisk {
        name: String,
        rank: u32,
    },
    /// Puts the SQL-injection rules in the order of `names` (every rule of the instance).
    RankSql {
        names: Vec<String>,
    },
}

/// One change of a plan.
#[derive(Clone, Debug)]
pub struct Change {
    /// The part it belongs to.
    pub part: Part,
    /// What it does.
    pub kind: ChangeKind,
    /// The item's name (a tag's key).
    pub name: String,
    /// What changes, for people.
    pub detail: String,
    pub(crate) action: Action,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}", self.kind.sign(), self.name)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// The changes that make an instance match a policy, in the order they are applied.
#[derive(Clone, Debug)]
pub struct Plan {
    instance: String,
    pub(crate) resource_id: String,
    changes: Vec<Change>,
}

impl Plan {
    /// The instance the plan is for.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The changes, grouped by part.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Whether the instance already matches.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

impl std::fmt::Display for Plan {
    /// The plan for people: one block per part, one line per change.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.changes.is_empty() {
            return writeln!(f, "instance {}: no changes", self.instance);
        }
        let count = |k: ChangeKind| self.changes.iter().filter(|c| c.kind == k).count();
        writeln!(
            f,
            "instance {}: {} to create, {} to change, {} to delete, {} to switch",
            self.instance,
            count(ChangeKind::Create),
            count(ChangeKind::Update),
            count(ChangeKind::Delete),
            count(ChangeKind::Switch),
        )?;
        let mut part = None;
        for change in &self.changes {
            if part != Some(change.part) {
                writeln!(f, "  {}", change.part.title())?;
                part = Some(change.part);
            }
            writeln!(f, "    {change}")?;
        }
        Ok(())
    }
}

impl Policy {
    /// The changes that would make `instance` match this policy, leaving alone what the
    /// document does not name. Reads only.
    pub async fn plan(&self, client: &Client, instance: &str) -> Result<Plan, PolicyError> {
        self.plan_with(client, instance, PlanOptions::default()).await
    }

    /// [`Policy::plan`] with options (pruning).
    pub async fn plan_with(&self, client: &Client, instance: &str, options: PlanOptions) -> Result<Plan, PolicyError> {
        self.check()?;
        let observed = observe(client, instance).await?;
        let changes = diff(self, &observed, options)?;
        Ok(Plan {
            instance: instance.to_owned(),
            resource_id: observed.resource_id.clone(),
            changes,
        })
    }
}

/// The changes from `observed` to `wanted`. Within a part deletions come first (so a name
/// freed by a prune can be reused), then changes, creations and switches.
pub(crate) fn diff(wanted: &Policy, observed: &Observed, options: PlanOptions) -> Result<Vec<Change>, PolicyError> {
    let mut changes = Vec::new();
    let have = &observed.policy;
    if let (Some(want), Some(have)) = (&wanted.risk_rules, &have.risk_rules) {
        let kinds = Kinds {
            part: Part::RiskRules,
            field: "risk_rules",
            kind: RuleKind::Risk,
            create: |r: &RiskRule| Action::CreateRisk(Box::new(r.clone())),
            update: |id, r: &RiskRule| Action::UpdateRisk {
                id,
                rule: Box::new(r.clone()),
            },
            describe: describe_risk,
            rank: Some(|name, rank, _| Action::RankRisk {
                name: name.to_owned(),
                rank,
            }),
        };
        let ranks = Some(observed.risk_order.as_slice());
        rules(&mut changes, &kinds, want, have, &observed.risk_ids, ranks, options)?;
    }
    if let (Some(want), Some(have)) = (&wanted.audit_scopes, &have.audit_scopes) {
        let kinds = Kinds {
            part: Part::AuditScopes,
            field: "audit_scopes",
            kind: RuleKind::Scope,
            create: |r: &AuditScope| Action::CreateScope(Box::new(r.clone())),
            update: |id, r: &AuditScope| Action::UpdateScope {
                id,
                scope: Box::new(r.clone()),
            },
            describe: |r| format!("{}, databases {:?}", r.status.as_str(), r.db_names),
            rank: None,
        };
        rules(&mut changes, &kinds, want, have, &observed.scope_ids, None, options)?;
    }
    if let (Some(want), Some(have)) = (&wanted.sql_injection_rules, &have.sql_injection_rules) {
        let kinds = Kinds {
            part: Part::SqlInjectionRules,
            field: "sql_injection_rules",
            kind: RuleKind::SqlInjection,
            create: |r: &SqlInjectionRule| Action::CreateSql(r.clone()),
            update: |id, r: &SqlInjectionRule| Action::UpdateSql { id, rule: r.clone() },
            describe: |r| format!("{} {}, regex {:?}", r.risk_level.as_str(), r.status.as_str(), r.regex),
            rank: Some(|_, _, order| Action::RankSql { names: order.to_vec() }),
        };
        let ranks = Some(observed.sql_order.as_slice());
        rules(&mut changes, &kinds, want, have, &observed.sql_ids, ranks, options)?;
    }
    if let (Some(want), Some(have)) = (&wanted.masking_rules, &have.masking_rules) {
        let kinds = Kinds {
            part: Part::MaskingRules,
            field: "masking_rules",
            kind: RuleKind::Masking,
            create: |r: &MaskingRule| Action::CreateMask(r.clone()),
            update: |id, r: &MaskingRule| Action::UpdateMask { id, rule: r.clone() },
            describe: |r| {
                format!(
                    "{}, regex {:?} masked as {:?}",
                    r.status.as_str(),
                    r.regex,
                    r.mask_value
                )
            },
            rank: None,
        };
        rules(&mut changes, &kinds, want, have, &observed.mask_ids, None, options)?;
    }
    super::settings::diff(&mut changes, wanted, have);
    if let (Some(want), Some(have)) = (&wanted.tags, &have.tags) {
        tags(&mut changes, want, have, options);
    }
    if let (Some(want), Some(have)) = (&wanted.whitelists, &have.whitelists) {
        super::whitelists::diff(&mut changes, want, have, &observed.whitelist_ids, options);
    }
    Ok(changes)
}

/// How one kind of rule turns into changes.
struct Kinds<C> {
    part: Part,
    field: &'static str,
    kind: RuleKind,
    create: fn(&C) -> Action,
    update: fn(String, &C) -> Action,
    describe: fn(&C) -> String,
    /// For a kind with ranks: how a rule is moved.
    rank: Option<RankCall>,
}

/// The call that moves the rule `name` to `rank`, given every rule's name in the order the
/// move leaves them in.
type RankCall = fn(&str, u32, &[String]) -> Action;

fn rules<C: Named + PartialEq + Serialize>(
    changes: &mut Vec<Change>,
    kinds: &Kinds<C>,
    want: &RuleSet<C>,
    have: &RuleSet<C>,
    ids: &BTreeMap<String, String>,
    order: Option<&[String]>,
    options: PlanOptions,
) -> Result<(), PolicyError> {
    let mut deleted = Vec::new();
    let mut created = Vec::new();
    let id_of = |name: &str| ids.get(name).cloned().unwrap_or_default();
    let change = |kind, name: &str, detail: String, action| Change {
        part: kinds.part,
        kind,
        name: name.to_owned(),
        detail,
        action,
    };
    // Built-in rules cannot be created: a name the instance lacks is a mistake in the file.
    for name in want.builtin.keys() {
        if !have.builtin.contains_key(name) {
            return Err(PolicyError::field(
                format!("{}.builtin.{name:?}", kinds.field),
                "no built-in rule of this name on the instance",
            ));
        }
    }
    if options.prune {
        for rule in have
            .custom
            .iter()
            .filter(|h| !want.custom.iter().any(|w| w.name() == h.name()))
        {
            let action = Action::DeleteRule {
                kind: kinds.kind,
                id: id_of(rule.name()),
            };
            changes.push(change(ChangeKind::Delete, rule.name(), String::new(), action));
            deleted.push(rule.name());
        }
    }
    for rule in &want.custom {
        match have.custom.iter().find(|h| h.name() == rule.name()) {
            Some(current) if current == rule => {}
            Some(current) => {
                let detail = differences(current, rule);
                let action = (kinds.update)(id_of(rule.name()), rule);
                changes.push(change(ChangeKind::Update, rule.name(), detail, action));
            }
            None if have.builtin.contains_key(rule.name()) => {
                return Err(PolicyError::field(
                    format!("{}.custom", kinds.field),
                    format!("{:?} is a built-in rule: list it under builtin", rule.name()),
                ));
            }
            None => {
                let action = (kinds.create)(rule);
                changes.push(change(ChangeKind::Create, rule.name(), (kinds.describe)(rule), action));
                created.push(rule.name());
            }
        }
    }
    for (name, to) in &want.builtin {
        if have.builtin.get(name).is_some_and(|now| now != to) {
            let from = if *to == Switch::On { Switch::Off } else { Switch::On };
            let detail = format!("{} \u{2192} {}", from.as_str(), to.as_str());
            changes.push(change(
                ChangeKind::Switch,
                name,
                detail,
                Action::SwitchRule {
                    kind: kinds.kind,
                    id: id_of(name),
                    to: *to,
                },
            ));
        }
    }
    // Ranks last, on the order the deletions and creations above leave: a deleted rule is
    // gone, a created one is listed last (in the file's order).
    if let (Some(order), Some(rank)) = (order, kinds.rank) {
        let mut after: Vec<String> = order
            .iter()
            .filter(|name| !deleted.contains(&name.as_str()))
            .cloned()
            .collect();
        after.extend(created.iter().map(|name| (*name).to_owned()));
        let listed: Vec<&str> = want.custom.iter().map(|r| r.name()).collect();
        for step in super::ranks::moves(&after, &listed) {
            let detail = format!("rank {} \u{2192} {}", step.from, step.to);
            let action = rank(&step.name, step.to, &step.order);
            changes.push(change(ChangeKind::Update, &step.name, detail, action));
        }
    }
    Ok(())
}

/// The fields that differ, `field old → new`, from the items' serialized forms.
pub(crate) fn differences<C: Serialize>(old: &C, new: &C) -> String {
    let (Ok(serde_json::Value::Object(old)), Ok(serde_json::Value::Object(new))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return String::new();
    };
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let show = |v: Option<&serde_json::Value>| v.map_or_else(|| "(none)".to_owned(), |v| v.to_string());
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| format!("{k} {} \u{2192} {}", show(old.get(k)), show(new.get(k))))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_risk(rule: &RiskRule) -> String {
    let mut detail = format!("{} {}", rule.risk_level.as_str(), rule.status.as_str());
    if !rule.action.is_empty() {
        detail.push_str(&format!(", action {}", rule.action));
    }
    detail
}

fn tags(
    changes: &mut Vec<Change>,
    want: &BTreeMap<String, String>,
    have: &BTreeMap<String, String>,
    options: PlanOptions,
) {
    let change = |kind, key: &str, detail: String, action| Change {
        part: Part::Tags,
        kind,
        name: key.to_owned(),
        detail,
        action,
    };
    if options.prune {
        for key in have.keys().filter(|k| !want.contains_key(*k)) {
            changes.push(change(
                ChangeKind::Delete,
                key,
                String::new(),
                Action::DeleteTag { key: key.clone() },
            ));
        }
    }
    for (key, value) in want {
        let action = Action::SetTag {
            key: key.clone(),
            value: value.clone(),
        };
        match have.get(key) {
            Some(now) if now == value => {}
            Some(now) => changes.push(change(
                ChangeKind::Update,
                key,
                format!("{now:?} \u{2192} {value:?}"),
                action,
            )),
            None => changes.push(change(ChangeKind::Create, key, format!("{value:?}"), action)),
        }
    }
}
