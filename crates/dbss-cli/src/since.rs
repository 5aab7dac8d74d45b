//! `--since 24h` or `--start`/`--end` (RFC 3339): the window of an audit-record query, as one of
//! the API's named windows when it is one, else as explicit start and end times.

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

/// The span of `--since` when no window is given.
pub const DEFAULT_SPAN: &str = "1h";

/// The window flags as given.
#[derive(Clone, Copy, Debug, Default)]
pub struct WindowFlags<'a> {
    /// `--since SPAN`.
    pub since: Option<&'a str>,
    /// `--start TIME`.
    pub start: Option<&'a str>,
    /// `--end TIME`.
    pub end: Option<&'a str>,
}

/// Parses an RFC 3339 time (`2026-01-02T03:04:05Z`, `2026-01-02T11:04:05+08:00`) given to `flag`.
fn instant(flag: &str, text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("{flag} {text:?}: expected an RFC 3339 time such as 2026-01-02T03:04:05Z or 2026-01-02T11:04:05+08:00 ({e})"))
}

/// `2026-01-02 03:04:05`, a time of an audit record (UTC, like the times the window is sent in),
/// as `2026-01-02T03:04:05Z`, so a reader does not take it for local time. Anything else (an
/// unexpected format) is left as it is.
pub fn with_zone(text: &str) -> Option<String> {
    let time = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok()?;
    Some(time.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

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

    /// The window the flags of a list or export name, at `now`: `--start` (RFC 3339) to `--end`
    /// (default now), or the `--since` span (default 1h) ending at `--end` or now.
    ///
    /// `pinned` (exports) asks for explicit times even for a named window: a named window
    /// slides with the service's clock while a long export pages through it, so records at its
    /// old edge would drop out between pages (and, newest first, new ones would push the rest
    /// down). Pinned, every page reads the same set.
    pub fn from_flags(
        flags: &WindowFlags<'_>,
        now: chrono::DateTime<chrono::Utc>,
        pinned: bool,
    ) -> Result<Window, String> {
        let end = match flags.end {
            Some(text) => instant("--end", text)?,
            None => now,
        };
        let Some(start) = flags.start else {
            let span = parse_span(flags.since.unwrap_or(DEFAULT_SPAN))?;
            return Ok(match (pinned, flags.end) {
                (false, None) => Window::ending(now, span),
                _ => Window::between(end, span),
            });
        };
        let start = instant("--start", start)?;
        let span = (end - start).to_std().ok().filter(|span| !span.is_zero());
        match span {
            None => Err("--start must be before --end (or before now without --end)".to_owned()),
            Some(span) if span.as_secs() > LONGEST => Err("--start to --end: at most 366 days".to_owned()),
            Some(span) => Ok(Window::between(end, span)),
        }
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

    fn flags<'a>(since: Option<&'a str>, start: Option<&'a str>, end: Option<&'a str>) -> WindowFlags<'a> {
        WindowFlags { since, start, end }
    }

    fn at_noon() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn start_and_end_in_any_zone_become_utc_times() {
        let window = Window::from_flags(
            &flags(None, Some("2026-01-02T11:04:05+08:00"), Some("2026-01-02T05:00:00Z")),
            at_noon(),
            false,
        );
        assert_eq!(
            window.map(|w| w.to_json()),
            Ok(json!({ "start_time": "2026-01-02 03:04:05", "end_time": "2026-01-02 05:00:00" }))
        );
    }

    #[test]
    fn start_alone_ends_now_and_since_with_end_ends_there() {
        let window = Window::from_flags(&flags(None, Some("2025-06-15T14:06:40Z"), None), at_noon(), false);
        assert_eq!(
            window.map(|w| w.to_json()),
            Ok(json!({ "start_time": "2025-06-15 14:06:40", "end_time": "2025-06-15 15:06:40" }))
        );
        let window = Window::from_flags(&flags(Some("1h"), None, Some("2026-01-02T05:00:00Z")), at_noon(), false);
        assert_eq!(
            window.map(|w| w.to_json()),
            Ok(json!({ "start_time": "2026-01-02 04:00:00", "end_time": "2026-01-02 05:00:00" }))
        );
    }

    #[test]
    fn no_flags_is_the_last_hour_named_unless_pinned() {
        let named = Window::from_flags(&WindowFlags::default(), at_noon(), false);
        assert_eq!(named.map(|w| w.to_json()), Ok(json!({ "time_range": "HOUR" })));
        let pinned = Window::from_flags(&WindowFlags::default(), at_noon(), true);
        assert!(matches!(pinned, Ok(Window::Between { .. })));
        let bad = Window::from_flags(&flags(Some("soon"), None, None), at_noon(), true);
        assert!(bad.is_err());
    }

    #[test]
    fn bad_or_backwards_times_are_refused() {
        for (start, end) in [
            ("yesterday", None),
            ("2026-01-02 03:04:05", None),
            ("2026-01-02T05:00:00Z", Some("2026-01-02T04:00:00Z")),
            ("2026-01-02T05:00:00Z", Some("2026-01-02T05:00:00Z")),
            ("2020-01-01T00:00:00Z", Some("2026-01-01T00:00:00Z")),
        ] {
            let result = Window::from_flags(&flags(None, Some(start), end), at_noon(), false);
            assert!(result.is_err(), "{start} {end:?}: {result:?}");
        }
    }

    #[test]
    fn record_times_get_their_zone() {
        assert_eq!(
            with_zone("2026-01-02 03:04:05").as_deref(),
            Some("2026-01-02T03:04:05Z")
        );
        assert_eq!(with_zone("2026-01-02T03:04:05Z"), None);
        assert_eq!(with_zone("soon"), None);
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
