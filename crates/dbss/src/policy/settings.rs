//! The instance-wide settings of a policy — masking master switch, log retention, alarm
//! notification — each read, compared and written whole.

use std::{collections::BTreeSet, str::FromStr};

use dbss_api::types as api;

use super::{
    Policy,
    document::{AlarmNotification, AlarmRisk, Switch},
    error::PolicyError,
    plan::{Action, Change, ChangeKind, Part},
};
use crate::{Client, Operation};

/// The settings as the instance has them.
pub(crate) struct Settings {
    pub masking_switch: Switch,
    pub log_retention_days: u32,
    pub alarm_notification: AlarmNotification,
}

fn unexpected(instance: &str, message: String) -> PolicyError {
    PolicyError::Unexpected {
        instance: instance.to_owned(),
        message,
    }
}

/// A number the service sends as text (the alarm thresholds) or as a number.
fn number<T: FromStr>(instance: &str, field: &str, text: Option<&str>) -> Result<T, PolicyError> {
    let text = text.unwrap_or_default();
    text.trim().parse().map_err(|_| {
        unexpected(
            instance,
            format!("{field} {text:?} is not a number the policy can hold"),
        )
    })
}

pub(crate) async fn read(client: &Client, instance: &str) -> Result<Settings, PolicyError> {
    let ops = client.ops();
    let switch = ops.show_sensitive_mask_switch().instance_id(instance).call().await?;
    let masking_switch = match switch.status.as_deref() {
        Some("ON") => Switch::On,
        _ => Switch::Off,
    };
    let common = ops
        .show_log_retention_common_settings()
        .instance_id(instance)
        .call()
        .await?;
    let days = common.log_retention.and_then(|r| r.retention_days).unwrap_or_default();
    let log_retention_days =
        u32::try_from(days).map_err(|_| unexpected(instance, format!("retention of {days} days")))?;
    let alarm = ops
        .list_alarm_topic_config_info_new()
        .instance_id(instance)
        .call()
        .await?;
    let mut risk_levels = BTreeSet::new();
    for level in &alarm.alarm_risk {
        let level = serde_json::from_value(serde_json::Value::String(level.to_lowercase()))
            .map_err(|_| unexpected(instance, format!("alarm risk level {level:?}")))?;
        risk_levels.insert(level);
    }
    let alarm_notification = AlarmNotification {
        switch: if alarm.alarm_switch.as_deref() == Some("ON") {
            Switch::On
        } else {
            Switch::Off
        },
        topic_urn: alarm.alarm_topic_urn.unwrap_or_default(),
        risk_levels,
        cpu_percent: number(instance, "alarm_cpu", alarm.alarm_cpu.as_deref())?,
        memory_percent: number(instance, "alarm_memory", alarm.alarm_memory.as_deref())?,
        disk_percent: number(instance, "alarm_disk", alarm.alarm_disk.as_deref())?,
        alarms_per_day: number(instance, "alarm_num", alarm.alarm_num.as_deref())?,
    };
    Ok(Settings {
        masking_switch,
        log_retention_days,
        alarm_notification,
    })
}

/// The settings the document names that differ from the instance's.
pub(crate) fn diff(changes: &mut Vec<Change>, wanted: &Policy, have: &Policy) {
    let change = |kind, name: &str, detail: String, action| Change {
        part: Part::Settings,
        kind,
        name: name.to_owned(),
        detail,
        action,
    };
    if let (Some(want), Some(now)) = (wanted.masking_switch, have.masking_switch)
        && want != now
    {
        let detail = format!("{} \u{2192} {}", now.as_str(), want.as_str());
        changes.push(change(
            ChangeKind::Switch,
            "masking_switch",
            detail,
            Action::SetMaskingSwitch(want),
        ));
    }
    if let (Some(want), Some(now)) = (wanted.log_retention_days, have.log_retention_days)
        && want != now
    {
        let detail = format!("{now} \u{2192} {want} days");
        changes.push(change(
            ChangeKind::Update,
            "log_retention_days",
            detail,
            Action::SetRetention(want),
        ));
    }
    if let (Some(want), Some(now)) = (&wanted.alarm_notification, &have.alarm_notification)
        && want != now
    {
        let detail = super::plan::differences(now, want);
        let action = Action::SetAlarm(Box::new(want.clone()));
        changes.push(change(ChangeKind::Update, "alarm_notification", detail, action));
    }
}

fn wire<T: FromStr>(operation: &'static str, text: &str) -> Result<T, PolicyError> {
    text.parse().map_err(|_| {
        PolicyError::Api(crate::Error::InvalidRequest {
            operation,
            reason: format!("{text:?} is not accepted by this operation"),
        })
    })
}

pub(crate) async fn set_masking_switch(
    client: &Client,
    instance: &str,
    to: Switch,
) -> Result<Option<String>, PolicyError> {
    let body = api::SwitchStatus {
        status: wire("SetSensitiveSwitch", to.as_str())?,
    };
    let answer = client
        .ops()
        .set_sensitive_switch()
        .instance_id(instance)
        .body(body)
        .call()
        .await?;
    Ok(answer.status.map(|s| s.to_string()))
}

pub(crate) async fn set_retention(client: &Client, instance: &str, days: u32) -> Result<Option<String>, PolicyError> {
    const OP: &str = "UpdateLogRetentionCommonSettings";
    let days = std::num::NonZeroU32::new(days).ok_or_else(|| {
        PolicyError::Api(crate::Error::InvalidRequest {
            operation: OP,
            reason: "log_retention_days must be at least 1".into(),
        })
    })?;
    let body = api::UpdateLogRetention {
        retention_days: Some(days),
    };
    let call = client
        .ops()
        .update_log_retention_common_settings()
        .instance_id(instance);
    Ok(call.body(body).call().await?.status.map(|s| s.to_string()))
}

pub(crate) async fn set_alarm(
    client: &Client,
    instance: &str,
    alarm: &AlarmNotification,
) -> Result<Option<String>, PolicyError> {
    const OP: &str = "SetAlarmTopicConfigInfoNew";
    let alarm_risk = alarm
        .risk_levels
        .iter()
        .map(|r: &AlarmRisk| wire(OP, r.as_str()))
        .collect::<Result<Vec<_>, _>>()?;
    let body = api::ConfigAlarmTopicRequest {
        alarm_cpu: i32::from(alarm.cpu_percent),
        alarm_disk: i32::from(alarm.disk_percent),
        alarm_memory: i32::from(alarm.memory_percent),
        alarm_num: i32::try_from(alarm.alarms_per_day).unwrap_or(i32::MAX),
        alarm_risk,
        alarm_switch: wire(OP, alarm.switch.as_str())?,
        alarm_topic_urn: (!alarm.topic_urn.is_empty()).then(|| alarm.topic_urn.clone()),
    };
    let call = client.ops().set_alarm_topic_config_info_new().instance_id(instance);
    Ok(call.body(body).call().await?.status.map(|s| s.to_string()))
}
