//! Reading a policy from YAML (JSON is YAML too), strictly: unknown keys, wrong types and
//! duplicate names are refused with the line and the field, before anything is sent.

use std::collections::BTreeSet;

use super::{
    Policy,
    document::{Named, RuleSet},
    error::PolicyError,
};

impl Policy {
    /// Parses and checks a policy document.
    ///
    /// ```
    /// let policy = dbss::policy::Policy::from_yaml("tags: {env: prod}\n")?;
    /// assert_eq!(policy.tags.map(|t| t.len()), Some(1));
    /// # Ok::<(), dbss::policy::PolicyError>(())
    /// ```
    pub fn from_yaml(text: &str) -> Result<Policy, PolicyError> {
        let deserializer = serde_yaml::Deserializer::from_str(text);
        let policy: Policy = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.into_inner();
            let location = inner.location();
            PolicyError::Document {
                line: location.as_ref().map(|l| l.line()),
                column: location.as_ref().map(|l| l.column()),
                field: if field == "." { "(document)".into() } else { field },
                message: inner.to_string(),
            }
        })?;
        policy.check()?;
        Ok(policy)
    }

    /// The document as YAML, in the stable order of its types.
    pub fn to_yaml(&self) -> Result<String, PolicyError> {
        serde_yaml::to_string(self).map_err(|e| PolicyError::field("(document)", e.to_string()))
    }

    /// Checks what types alone cannot: names present and unique.
    pub(crate) fn check(&self) -> Result<(), PolicyError> {
        if let Some(rules) = &self.risk_rules {
            check_set("risk_rules", rules)?;
        }
        if let Some(rules) = &self.audit_scopes {
            check_set("audit_scopes", rules)?;
        }
        if let Some(rules) = &self.sql_injection_rules {
            check_set("sql_injection_rules", rules)?;
        }
        if let Some(rules) = &self.masking_rules {
            check_set("masking_rules", rules)?;
        }
        if self.log_retention_days == Some(0) {
            return Err(PolicyError::field(
                "log_retention_days",
                "audit logs are kept at least 1 day",
            ));
        }
        if let Some(alarm) = &self.alarm_notification {
            let percents = [
                ("cpu_percent", alarm.cpu_percent),
                ("memory_percent", alarm.memory_percent),
                ("disk_percent", alarm.disk_percent),
            ];
            if let Some((name, value)) = percents.iter().find(|(_, v)| !(1..=100).contains(v)) {
                return Err(PolicyError::field(
                    format!("alarm_notification.{name}"),
                    format!("a percentage from 1 to 100, not {value}"),
                ));
            }
            if alarm.switch == super::Switch::On && alarm.topic_urn.is_empty() {
                return Err(PolicyError::field(
                    "alarm_notification.topic_urn",
                    "alarms switched ON need the SMN topic to send them to",
                ));
            }
        }
        if let Some(key) = self.tags.iter().flat_map(|t| t.keys()).find(|k| k.trim().is_empty()) {
            return Err(PolicyError::field(format!("tags.{key:?}"), "a tag key cannot be empty"));
        }
        Ok(())
    }
}

fn check_set<C: Named>(part: &str, rules: &RuleSet<C>) -> Result<(), PolicyError> {
    let mut seen = BTreeSet::new();
    for (i, rule) in rules.custom.iter().enumerate() {
        let field = format!("{part}.custom[{i}].name");
        if rule.name().trim().is_empty() {
            return Err(PolicyError::field(field, "a rule needs a name"));
        }
        if !seen.insert(rule.name()) {
            return Err(PolicyError::field(
                field,
                format!("a second rule named {:?}", rule.name()),
            ));
        }
        if rules.builtin.contains_key(rule.name()) {
            return Err(PolicyError::field(
                field,
                format!("{:?} is also listed as a built-in rule", rule.name()),
            ));
        }
    }
    Ok(())
}
