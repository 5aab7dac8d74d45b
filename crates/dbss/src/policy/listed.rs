//! Turning what the rule list operations return into a document part: each listed rule is
//! built in (only its switch is managed) or custom, and every rule's id is kept by name.

use std::collections::BTreeMap;

use dbss_api::types as api;
use serde::de::DeserializeOwned;

use super::{
    document::{AuditScope, MaskingRule, Named, RuleSet, SqlInjectionRule, Switch},
    error::PolicyError,
};

/// The id of every rule of one kind, by name.
pub(crate) type Ids = BTreeMap<String, String>;

/// A value of one of the document's enums from the service's spelling.
pub(crate) fn from_wire<T: DeserializeOwned>(
    instance: &str,
    what: &str,
    value: Option<&str>,
) -> Result<T, PolicyError> {
    let text = value.unwrap_or_default();
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| PolicyError::Unexpected {
        instance: instance.to_owned(),
        message: format!("{what} {text:?} is not one the policy document knows"),
    })
}

pub(crate) fn switch(instance: &str, status: Option<&str>) -> Result<Switch, PolicyError> {
    from_wire(instance, "status", status)
}

/// One listed rule, sorted.
pub(crate) enum Listed<C> {
    Builtin { id: String, name: String, status: Switch },
    Custom { id: String, rule: C },
}

/// The listed rules of one kind as a document part, and the id of every rule by name. Custom
/// rules of a `ranked` kind keep the order they are listed in (the caller lists them by rank:
/// the order is their rank order); the others are sorted by name.
pub(crate) fn gather<C: Named>(listed: Vec<Listed<C>>, ranked: bool) -> (RuleSet<C>, Ids) {
    let mut set = RuleSet::default();
    let mut ids = BTreeMap::new();
    for item in listed {
        match item {
            Listed::Builtin { id, name, status } => {
                ids.insert(name.clone(), id);
                set.builtin.insert(name, status);
            }
            Listed::Custom { id, rule } => {
                ids.insert(rule.name().to_owned(), id);
                set.custom.push(rule);
            }
        }
    }
    if !ranked {
        set.custom.sort_by(|a, b| a.name().cmp(b.name()));
    }
    (set, ids)
}

/// An item of a rule list whose custom rules need nothing more than the list tells (risk rules
/// do: their criteria come from a second call, so their reader sorts them itself).
pub(crate) trait ListedRule: Sized {
    /// The document's custom rule.
    type Rule: Named;
    /// Whether rules of this kind have a rank (their order in the document is their rank order).
    const RANKED: bool = false;
    /// The rule's id and name; a rule without either is passed over.
    fn key(&mut self) -> Option<(String, String)>;
    /// Whether the rule is on.
    fn status(&self, instance: &str) -> Result<Switch, PolicyError>;
    /// Whether the operator defined the rule.
    fn is_custom(&self) -> bool;
    /// The custom rule in the document's terms.
    fn into_rule(self, instance: &str, name: String, status: Switch) -> Result<Self::Rule, PolicyError>;
}

/// A whole list as a document part, ids by name (a ranked kind's items are expected in rank
/// order: see [`by_rank`]).
pub(crate) fn read_listed<T: ListedRule>(
    instance: &str,
    items: Vec<T>,
) -> Result<(RuleSet<T::Rule>, Ids), PolicyError> {
    let mut found = Vec::new();
    for mut item in items {
        let Some((id, name)) = item.key() else {
            continue;
        };
        let status = item.status(instance)?;
        found.push(if item.is_custom() {
            let rule = item.into_rule(instance, name, status)?;
            Listed::Custom { id, rule }
        } else {
            Listed::Builtin { id, name, status }
        });
    }
    Ok(gather(found, T::RANKED))
}

/// Sorts listed rules by their rank (a rule without one goes last; ties keep the service's
/// order), so that their order is the rank order.
pub(crate) fn by_rank<T>(items: &mut [T], rank: impl Fn(&T) -> Option<i32>) {
    items.sort_by_key(|item| rank(item).unwrap_or(i32::MAX));
}

impl ListedRule for api::SqlRuleResponseRules {
    type Rule = SqlInjectionRule;
    const RANKED: bool = true;

    fn key(&mut self) -> Option<(String, String)> {
        Some((self.id.take()?, self.name.take()?))
    }

    fn status(&self, instance: &str) -> Result<Switch, PolicyError> {
        switch(instance, self.status.as_deref())
    }

    fn is_custom(&self) -> bool {
        self.type_.as_deref() == Some("CUSTOMIZE")
    }

    fn into_rule(self, instance: &str, name: String, status: Switch) -> Result<SqlInjectionRule, PolicyError> {
        Ok(SqlInjectionRule {
            name,
            risk_level: from_wire(instance, "risk level", self.risk_level.as_deref())?,
            status,
            regex: self.regex.unwrap_or_default(),
        })
    }
}

impl ListedRule for api::SensitiveMaskResponseRules {
    type Rule = MaskingRule;

    fn key(&mut self) -> Option<(String, String)> {
        Some((self.id.take()?, self.name.take()?))
    }

    fn status(&self, instance: &str) -> Result<Switch, PolicyError> {
        switch(instance, self.status.as_deref())
    }

    fn is_custom(&self) -> bool {
        self.type_.as_deref() == Some("USER_DEFINE")
    }

    fn into_rule(self, _: &str, name: String, status: Switch) -> Result<MaskingRule, PolicyError> {
        Ok(MaskingRule {
            name,
            status,
            regex: self.regex.unwrap_or_default(),
            mask_value: self.mask_value.unwrap_or_default(),
        })
    }
}

impl ListedRule for api::RuleScopeInfo {
    type Rule = AuditScope;

    fn key(&mut self) -> Option<(String, String)> {
        Some((self.id.take()?, self.name.take()?))
    }

    /// This list spells an unknown status however it likes: anything but `ON` is off.
    fn status(&self, _: &str) -> Result<Switch, PolicyError> {
        Ok(if self.status.as_deref() == Some("ON") {
            Switch::On
        } else {
            Switch::Off
        })
    }

    /// The built-in scope is the one marked `all_audit`.
    fn is_custom(&self) -> bool {
        self.all_audit != Some(true)
    }

    fn into_rule(self, _: &str, name: String, status: Switch) -> Result<AuditScope, PolicyError> {
        Ok(AuditScope {
            name,
            status,
            action: self.action.unwrap_or_default(),
            db_ids: self.db_ids.unwrap_or_default(),
            db_names: self.db_names.unwrap_or_default(),
            db_users: self.db_users.unwrap_or_default(),
            source_ips: self.source_ips.unwrap_or_default(),
            source_ports: self.source_ports.unwrap_or_default(),
            exception_ips: self.exception_ips.unwrap_or_default(),
        })
    }
}
