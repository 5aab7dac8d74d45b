//! Answers made from a response schema, for operations the simulator keeps no state for.
//!
//! Values are plausible for their field (ids look like ids, times like times, IPs like IPs),
//! always valid for the schema (enums, ranges, lengths, widths), every documented property is
//! present (the official SDK's models mark many as required), and a list's `total` is its
//! length. All of it is drawn from a generator seeded by the simulator's seed and the request,
//! so the same request gets the same answer.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

use crate::{rng::Rng, spec::Spec};

/// Facts of the simulated account that synthetic answers repeat.
#[derive(Clone, Debug)]
pub struct Facts {
    /// The project id.
    pub project_id: String,
    /// The region name.
    pub region: String,
}

/// A generator of schema-valid values.
pub struct Synth<'a> {
    spec: &'a Spec,
    rng: Rng,
    now: DateTime<Utc>,
    facts: &'a Facts,
}

/// Deeper than any schema of the spec: guards against a `$ref` cycle.
const MAX_DEPTH: usize = 12;

impl<'a> Synth<'a> {
    /// A generator drawing from `rng`, with times around `now`.
    pub fn new(spec: &'a Spec, rng: Rng, now: DateTime<Utc>, facts: &'a Facts) -> Synth<'a> {
        Synth { spec, rng, now, facts }
    }

    /// A value of `schema`, for a field called `name` (empty at the top level).
    pub fn value(&mut self, schema: &Value, name: &str) -> Value {
        self.at_depth(schema, name, 0)
    }

    fn at_depth(&mut self, schema: &Value, name: &str, depth: usize) -> Value {
        let schema = self.spec.resolve(schema);
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        if let Some(choices) = schema.get("enum").and_then(Value::as_array)
            && let Some(choice) = self.rng.pick(choices)
        {
            return choice.clone();
        }
        let kind = schema
            .get("type")
            .and_then(Value::as_str)
            .or_else(|| schema.get("properties").map(|_| "object"));
        match kind {
            Some("object") => self.object(schema, depth),
            Some("array") => {
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(u64::MAX);
                let count = 2u64.clamp(min, max.max(min));
                let items = schema.get("items").cloned().unwrap_or(Value::Null);
                Value::Array((0..count).map(|_| self.at_depth(&items, name, depth + 1)).collect())
            }
            Some("string") => Value::String(self.string(schema, name)),
            Some("integer") => Value::from(self.integer(schema, name)),
            Some("number") => serde_json::Number::from_f64(self.rng.between(0, 10_000) as f64 / 100.0)
                .map_or(Value::from(0), Value::Number),
            Some("boolean") => Value::Bool(self.rng.chance(0.5)),
            _ => Value::Object(Map::new()),
        }
    }

    fn object(&mut self, schema: &Value, depth: usize) -> Value {
        let mut map = Map::new();
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return Value::Object(map);
        };
        for (name, property) in properties {
            let value = self.at_depth(property, name, depth + 1);
            map.insert(name.clone(), value);
        }
        // A page's count fields agree with the page: one list, and a total-like integer.
        let lists: Vec<usize> = map.values().filter_map(Value::as_array).map(Vec::len).collect();
        if let [len] = lists[..] {
            for key in ["total", "total_num", "total_count", "count", "current_count"] {
                if map.get(key).is_some_and(Value::is_i64) {
                    map.insert(key.to_owned(), Value::from(len));
                }
            }
        }
        Value::Object(map)
    }

    fn integer(&mut self, schema: &Value, name: &str) -> i64 {
        let int32 = schema.get("format").and_then(Value::as_str) == Some("int32");
        let width_max = if int32 { i64::from(i32::MAX) } else { i64::MAX };
        let lo = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
        let hi = schema.get("maximum").and_then(Value::as_i64).unwrap_or(width_max);
        let word = |w: &str| words(name).any(|x| x == w);
        let wanted = if is_time(name) && !int32 {
            // Epoch milliseconds within the last 30 days.
            self.now.timestamp_millis() - self.rng.between(0, 30 * 24 * 3_600_000)
        } else if word("port") {
            3306
        } else if word("cpu") {
            4
        } else if word("ram") {
            16_384
        } else {
            self.rng.between(1, 100)
        };
        wanted.clamp(lo, hi.max(lo))
    }

    fn string(&mut self, schema: &Value, name: &str) -> String {
        let mut text = if schema.get("pattern").and_then(Value::as_str) == Some("^[0-9]+$") {
            self.rng.between(1, 100).to_string()
        } else {
            self.text_for(name)
        };
        let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
        while (text.chars().count() as u64) < min {
            text.push('0');
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && let Some((cut, _)) = text.char_indices().nth(usize::try_from(max).unwrap_or(usize::MAX))
        {
            text.truncate(cut);
        }
        text
    }

    /// A plausible value for a string field, judged by its name.
    fn text_for(&mut self, name: &str) -> String {
        let lower = name.to_ascii_lowercase();
        let has = |w: &str| words(&lower).any(|x| x == w);
        let n = self.rng.between(1, 250);
        if lower == "timezone" {
            "UTC+08:00".into()
        } else if is_time(&lower) || lower == "period" {
            let at = self.now - Duration::minutes(self.rng.between(0, 30 * 24 * 60));
            at.format("%Y-%m-%d %H:%M:%S").to_string()
        } else if lower.contains("ipv6") {
            format!("fd00::{n:x}")
        } else if has("ip") || has("ips") || has("eip") {
            format!("192.168.{}.{n}", self.rng.between(0, 20))
        } else if has("mac") {
            format!("fa:16:3e:00:{:02x}:{:02x}", self.rng.below(256), self.rng.below(256))
        } else if lower == "project_id" {
            self.facts.project_id.clone()
        } else if lower == "region" || lower == "region_id" {
            self.facts.region.clone()
        } else if has("zone") {
            format!("{}a", self.facts.region)
        } else if lower == "id" || has("id") || has("ids") || lower.ends_with("id") {
            let (a, b) = (self.rng.next_u64(), self.rng.next_u64());
            crate::rng::uuid_like(a, b)
        } else if has("urn") || has("urnext") {
            format!("urn:smn:{}:{}:dbss-sim-{n}", self.facts.region, self.facts.project_id)
        } else if has("url") {
            format!("https://dbss-sim.invalid/files/{n}")
        } else if has("sha256") {
            format!(
                "{:016x}{:016x}{:016x}{:016x}",
                self.rng.next_u64(),
                self.rng.next_u64(),
                self.rng.next_u64(),
                self.rng.next_u64()
            )
        } else if has("port") || has("cpu") || has("ram") || has("days") || has("num") || lower.starts_with("alarm_") {
            self.rng.between(1, 100).to_string()
        } else if has("version") {
            format!("23.{:02}.{:02}.1", self.rng.between(1, 12), self.rng.between(1, 28))
        } else if has("sql") || has("statement") {
            format!("SELECT * FROM orders WHERE id = {n}")
        } else if lower == "result" || lower == "status" {
            "SUCCESS".into()
        } else if has("code") {
            "0".into()
        } else {
            format!("{}-{n}", lower.replace('_', "-"))
        }
    }
}

fn words(name: &str) -> impl Iterator<Item = &str> {
    name.split('_')
}

/// Whether a field holds a point in time.
fn is_time(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower != "timezone"
        && lower != "time_range"
        && (words(&lower).any(|w| matches!(w, "time" | "date" | "timestamp" | "created" | "expired" | "at" | "ms"))
            || lower == "created"
            || lower == "expired")
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;

    use super::{Facts, Synth};
    use crate::{
        rng::Rng,
        spec::{Spec, SuccessBody},
    };

    fn facts() -> Facts {
        Facts {
            project_id: "p".into(),
            region: "cn-north-4".into(),
        }
    }

    #[test]
    fn every_success_schema_yields_a_valid_deterministic_value() {
        let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
        let facts = facts();
        let now = Utc::now();
        for op in spec.operations() {
            let SuccessBody::Json(schema) = &op.success else {
                continue;
            };
            for seed in 0..5 {
                let value = Synth::new(spec, Rng::new(seed), now, &facts).value(schema, "");
                let again = Synth::new(spec, Rng::new(seed), now, &facts).value(schema, "");
                assert_eq!(value, again, "{} is not deterministic", op.id);
                if let Err(v) = spec.validate(schema, &value, "response") {
                    panic!("{}: {value}\n{v:?}", op.id);
                }
            }
        }
    }

    #[test]
    fn fields_look_like_what_they_hold_and_totals_count_the_list() {
        let spec = Spec::embedded().unwrap_or_else(|e| panic!("{e}"));
        let facts = facts();
        let schema = json!({"$ref": "#/components/schemas/ListAuditInstancesLastResponse"});
        let value = Synth::new(spec, Rng::new(3), Utc::now(), &facts).value(&schema, "");
        let instances = value["instances"].as_array().map(Vec::len);
        assert_eq!(value["total"].as_u64().map(|n| n as usize), instances);
        let first = &value["instances"][0];
        assert_eq!(first["id"].as_str().map(str::len), Some(36));
        assert!(
            first["connect_ip"]
                .as_str()
                .is_some_and(|ip| ip.starts_with("192.168."))
        );
        assert_eq!(first["region"], "cn-north-4");
        assert_eq!(first["created"].as_str().map(str::len), Some(19));
    }
}
