//! `--since 24h`: the window of an audit-record query, as one of the API's named windows when
//! it is one, else as explicit start and end times.

use std::time::Duration;

use dbss::resources::TimeRange;
use serde_json::{Value, json};

/// A time window ending now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Window {
    /// One of the documented `time_range` values.
    Named(TimeRange),
    /// Any other span, as `start_time`/`end_time` (`yyyy-MM-dd HH:mm:ss`, UTC).
    Between {
        /// Start.
        start: String,
        /// End.
        end: String,
    },
}

/// The named windows and the spans they stand for.
const NAMED: [(u64, TimeRange); 7] = [
    (30 * 60, TimeRange::HalfHour),
    (3600, TimeRange::Hour),
    (3 * 3600, TimeRange::ThreeHours),
    (12 * 3600, TimeRange::TwelveHours),
    (24 * 3600, TimeRange::Day),
    (7 * 24 * 3600, TimeRange::Week),
    (30 * 24 * 3600, TimeRange::Month),
];

/// The longest span accepted (the service keeps audit data for months, not decades).
const LONGEST: u64 = 366 * 24 * 3600;

/// Parses `30m`, `1h`, `24h`, `7d`, `2w`, `90s`, or combinations like `1h30m`.
pub fn parse_span(text: &str) -> Result<Duration, String> {
    let bad = || format!("--since {text:?}: expected a span like 30m, 1h, 24h, 7d or 1h30m");
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 24 * 3600,
            'w' => 7 * 24 * 3600,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        number.clear();
        total = n.checked_mul(unit).and_then(|s| total.checked_add(s)).ok_or_else(bad)?;
    }
    if !number.is_empty() || total == 0 {
        return Err(bad());
    }
    if total > LONGEST {
        return Err(format!("--since {text:?}: at most 366 days"));
    }
    Ok(Duration::from_secs(total))
}

impl Window {
    /// The window of the last `span` before `now`: named when the API has a name for it.
    pub fn ending(now: chrono::DateTime<chrono::Utc>, span: Duration) -> Window {
        match NAMED.iter().find(|(secs, _)| *secs == span.as_secs()) {
            Some((_, range)) => Window::Named(*range),
            None => Window::between(now, span),
        }
    }

    /// The last `span` before `now` as explicit start and end times.
    pub fn between(now: chrono::DateTime<chrono::Utc>, span: Duration) -> Window {
        let format = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
        // `parse_span` keeps spans under a year, so the subtraction cannot fail in practice.
        let start = chrono::Duration::from_std(span)
            .ok()
            .and_then(|d| now.checked_sub_signed(d))
            .unwrap_or(now);
        Window::Between {
            start: format(start),
            end: format(now),
        }
    }

    /// Parses `--since` against the current time.
    pub fn since(text: &str) -> Result<Window, String> {
        Ok(Window::ending(chrono::Utc::now(), parse_span(text)?))
    }

    /// Parses `--since` into explicit start and end times, even for a named window: a named
    /// window slides with the service's clock while a long export pages through it, so
    /// records at its old edge would drop out between pages (and, newest first, new ones would
    /// push the rest down). Pinned, every page reads the same set.
    pub fn pinned(text: &str) -> Result<Window, String> {
        Ok(Window::between(chrono::Utc::now(), parse_span(text)?))
    }

    /// The request's `time` object.
    pub fn to_json(&self) -> Value {
        match self {
            Window::Named(range) => json!({ "time_range": range.as_str() }),
            Window::Between { start, end } => json!({ "start_time": start, "end_time": end }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(text: &str) -> Window {
        let now = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap_or_default();
        Window::ending(now, parse_span(text).unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn documented_spans_become_named_windows() {
        for (text, name) in [
            ("30m", "HALF_HOUR"),
            ("1h", "HOUR"),
            ("60m", "HOUR"),
            ("3h", "THREE_HOUR"),
            ("12h", "TWELVE_HOUR"),
            ("24h", "DAY"),
            ("1d", "DAY"),
            ("7d", "WEEK"),
            ("1w", "WEEK"),
            ("30d", "MONTH"),
        ] {
            assert_eq!(window(text).to_json(), json!({ "time_range": name }), "{text}");
        }
    }

    #[test]
    fn other_spans_become_start_and_end_in_utc() {
        assert_eq!(
            window("2h").to_json(),
            json!({ "start_time": "2025-06-15 13:06:40", "end_time": "2025-06-15 15:06:40" })
        );
        assert_eq!(
            window("1h30m"),
            Window::Between {
                start: "2025-06-15 13:36:40".into(),
                end: "2025-06-15 15:06:40".into()
            }
        );
    }

    #[test]
    fn pinned_windows_are_always_explicit() {
        assert!(matches!(Window::pinned("24h"), Ok(Window::Between { .. })));
        assert!(Window::pinned("soon").is_err());
    }

    #[test]
    fn nonsense_is_refused_without_panicking() {
        for text in [
            "",
            "h",
            "10",
            "5x",
            "-1h",
            "0m",
            "99999999999999999999d",
            "400d",
            "1.5h",
        ] {
            assert!(parse_span(text).is_err(), "{text}");
        }
    }
}
