//! Instance-wide settings that are set, then read back: alarm notification, log retention,
//! and the two sensitive-data switches. The alarm thresholds are integers when set and
//! strings when read, as the service documents them.

use serde::Deserialize;
use serde_json::json;

use super::{Call, Ctx, Handler, Reply, audit, audit_mut, ok};
use crate::{
    error::ApiError,
    state::{AlarmTopic, RETENTION_DAYS},
};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("SetAlarmTopicConfigInfo", set_alarm_topic),
    ("SetAlarmTopicConfigInfoNew", set_alarm_topic),
    ("ListAlarmTopicConfigInfo", show_alarm_topic),
    ("ListAlarmTopicConfigInfoNew", show_alarm_topic),
    ("ShowLogRetentionCommonSettings", show_retention),
    ("UpdateLogRetentionCommonSettings", set_retention),
    ("SetSensitiveSwitch", set_switch),
    ("SetSensitiveResultSwitch", set_switch),
    ("ShowSensitiveMaskSwitch", show_switch),
    ("ShowSensitiveResultSwitch", show_switch),
];

#[derive(Deserialize)]
struct AlarmTopicBody {
    alarm_cpu: i64,
    alarm_disk: i64,
    alarm_memory: i64,
    alarm_num: i64,
    #[serde(default)]
    alarm_risk: Vec<String>,
    alarm_switch: String,
    #[serde(default)]
    alarm_topic_urn: Option<String>,
}

fn percent(name: &str, value: i64) -> Result<i64, ApiError> {
    if (1..=100).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad_request(format!(
            "body.{name}: a percentage from 1 to 100, got {value}"
        )))
    }
}

fn set_alarm_topic(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: AlarmTopicBody = call.body_as()?;
    let topic_urn = body.alarm_topic_urn.unwrap_or_default();
    if body.alarm_switch == "ON" && topic_urn.is_empty() {
        return Err(ApiError::bad_request(
            "body.alarm_topic_urn: required when alarm_switch is ON",
        ));
    }
    if body.alarm_num < 1 {
        return Err(ApiError::bad_request(format!(
            "body.alarm_num: at least 1 alarm a day, got {}",
            body.alarm_num
        )));
    }
    let topic = AlarmTopic {
        cpu: percent("alarm_cpu", body.alarm_cpu)?,
        disk: percent("alarm_disk", body.alarm_disk)?,
        memory: percent("alarm_memory", body.alarm_memory)?,
        num: body.alarm_num,
        risk: body.alarm_risk,
        switch: body.alarm_switch,
        topic_urn,
    };
    let mut world = ctx.world();
    audit_mut(&mut world, call.path("instance_id"))?.1.alarm_topic = topic;
    Ok(ok(ctx, "status"))
}

fn show_alarm_topic(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let world = ctx.world();
    let topic = &audit(&world, call.path("instance_id"))?.1.alarm_topic;
    Ok(Reply::Json(json!({
        "alarm_cpu": topic.cpu.to_string(),
        "alarm_disk": topic.disk.to_string(),
        "alarm_memory": topic.memory.to_string(),
        "alarm_num": topic.num.to_string(),
        "alarm_risk": topic.risk,
        "alarm_switch": topic.switch,
        "alarm_topic_urn": topic.topic_urn,
        "smn_effective": topic.switch == "ON" && !topic.topic_urn.is_empty(),
    })))
}

fn show_retention(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let world = ctx.world();
    let days = audit(&world, call.path("instance_id"))?.1.retention_days;
    Ok(Reply::Json(json!({
        "log_retention": {
            "retention_days": days,
            "range_days_min": RETENTION_DAYS.start(),
            "range_days_max": RETENTION_DAYS.end(),
        },
        "data_usage_limit": 90,
    })))
}

fn set_retention(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let days = call.body.get("retention_days").and_then(serde_json::Value::as_i64);
    let mut world = ctx.world();
    let (_, data) = audit_mut(&mut world, call.path("instance_id"))?;
    if let Some(days) = days {
        if !RETENTION_DAYS.contains(&days) {
            return Err(ApiError::bad_request(format!(
                "body.retention_days: must be between {} and {}, got {days}",
                RETENTION_DAYS.start(),
                RETENTION_DAYS.end()
            )));
        }
        data.retention_days = days;
    }
    Ok(ok(ctx, "status"))
}

/// Whether the operation is about the masking switch (else the discovery-result switch).
fn masking(ctx: &Ctx<'_>) -> bool {
    ctx.op.path.contains("/sensitive/mask/")
}

fn set_switch(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let on = call.body_str("status") == Some("ON");
    let mut world = ctx.world();
    let (_, data) = audit_mut(&mut world, call.path("instance_id"))?;
    if masking(ctx) {
        data.mask_switch = on;
    } else {
        data.result_switch = on;
    }
    Ok(ok(ctx, "status"))
}

fn show_switch(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let world = ctx.world();
    let (_, data) = audit(&world, call.path("instance_id"))?;
    let on = if masking(ctx) {
        data.mask_switch
    } else {
        data.result_switch
    };
    Ok(Reply::Json(json!({ "status": if on { "ON" } else { "OFF" } })))
}
