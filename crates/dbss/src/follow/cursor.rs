//! The pure core of following: which time window to read next, which records of it are new,
//! and how far the start of the next window may move. No I/O and no clock, so a property test
//! can drive it against a simple model (see the tests below).
//!
//! Times are whole seconds since the epoch: the audit APIs take and return times to the second.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One query: every record whose time lies in `from..=end` (seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First second read.
    pub from: i64,
    /// Last second read.
    pub end: i64,
}

/// A window to read, and what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The window.
    pub window: Window,
    /// It ends more than the overlap in the past: every record in it is visible and stays
    /// where it is while it is read.
    pub settled: bool,
    /// It ends at the horizon it was planned for.
    pub reaches_horizon: bool,
}

/// Where a follower stands: the start of the next window, and the records already delivered
/// whose time is at or after it (those may come back in the next window and must be skipped).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Start of the next window (epoch seconds).
    pub from: i64,
    /// Delivered records still inside the re-read part: id → time (epoch seconds).
    pub seen: BTreeMap<String, i64>,
}

impl Cursor {
    /// A cursor that delivers everything from `from` (epoch seconds) on.
    pub fn starting_at(from: i64) -> Cursor {
        Cursor {
            from,
            seen: BTreeMap::new(),
        }
    }

    /// The next window to read at `now`: from the cursor to `now`, at most `max_span` seconds
    /// long; `None` while `now` is before the cursor.
    pub fn window(&self, now: i64, max_span: i64) -> Option<Window> {
        (now >= self.from).then(|| Window {
            from: self.from,
            end: now.min(self.from.saturating_add(max_span.max(1))),
        })
    }

    /// The next window to read at `now`, reading at most up to `horizon` (`now`, or an end
    /// time): the part more than `overlap` in the past (which can no longer change) on its
    /// own, then the recent part. `None` while there is nothing to read.
    pub fn plan(&self, now: i64, horizon: i64, overlap: i64, max_span: i64) -> Option<Plan> {
        let horizon = horizon.min(now);
        let settled_horizon = now.saturating_sub(overlap).saturating_sub(1).min(horizon);
        let target = if self.from < settled_horizon {
            settled_horizon
        } else {
            horizon
        };
        self.window(target, max_span).map(|window| Plan {
            window,
            settled: window.end.saturating_add(overlap) < now,
            reaches_horizon: window.end == horizon,
        })
    }

    /// Ends a fully read window: a settled one is done up to its end, a recent one is closed
    /// with the overlap ([`Cursor::close`]).
    pub fn finish(&mut self, plan: Plan, overlap: i64) {
        if plan.settled {
            self.settle(plan.window.end);
        } else {
            self.close(plan.window, overlap);
        }
    }

    /// Whether a record read in `window` is new; remembers it if so. A record without an id
    /// cannot be recognised again and is always new; one without a readable time is kept as
    /// long as a record at the window's end would be.
    pub fn admit(&mut self, id: Option<&str>, time: Option<i64>, window: Window) -> bool {
        let Some(id) = id else { return true };
        if self.seen.contains_key(id) {
            return false;
        }
        self.seen.insert(id.to_owned(), time.unwrap_or(window.end));
        true
    }

    /// Ends a fully read window: the next one starts `overlap` seconds before its end (never
    /// earlier than this one), so a record that becomes visible up to `overlap` seconds after
    /// its time is still read; records before the new start are forgotten.
    pub fn close(&mut self, window: Window, overlap: i64) {
        let next = window.end.saturating_sub(overlap.max(0)).max(self.from);
        self.from = next;
        self.seen.retain(|_, time| *time >= next);
    }

    /// Moves the start up to `time` while a window is read oldest first and can no longer
    /// change (its end is more than the overlap in the past): every record before `time` was
    /// on a page already read. Keeps the remembered ids, and so the checkpoint, small while
    /// catching up.
    pub fn settle(&mut self, time: i64) {
        if time > self.from {
            self.from = time;
            self.seen.retain(|_, t| *t >= time);
        }
    }
}

/// Parses the API's `yyyy-MM-dd HH:mm:ss` (UTC) into epoch seconds.
pub fn parse_api_time(text: &str) -> Option<i64> {
    chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

/// Formats epoch seconds as the API's `yyyy-MM-dd HH:mm:ss` (UTC).
pub fn format_api_time(seconds: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use proptest::prelude::*;

    use super::*;

    /// One record of the model: id, its time, and how long after it it becomes visible.
    #[derive(Clone, Debug)]
    struct Rec {
        id: u32,
        time: i64,
        delay: i64,
    }

    fn records() -> impl Strategy<Value = Vec<Rec>> {
        prop::collection::vec((0i64..120, 0i64..6), 0..200).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (time, delay))| Rec {
                    id: u32::try_from(i).unwrap_or(u32::MAX),
                    time,
                    delay,
                })
                .collect()
        })
    }

    /// What a service answers for `window` at `now`: the visible records inside it, in an
    /// arbitrary order, some of them twice (pages that shifted while being read).
    fn answer(records: &[Rec], window: Window, now: i64, shuffle: u64) -> Vec<Rec> {
        let mut out: Vec<Rec> = records
            .iter()
            .filter(|r| (window.from..=window.end).contains(&r.time) && r.time + r.delay <= now)
            .cloned()
            .collect();
        let repeats: Vec<Rec> = out
            .iter()
            .filter(|r| (u64::from(r.id) ^ shuffle).is_multiple_of(7))
            .cloned()
            .collect();
        out.extend(repeats);
        out.sort_by_key(|r| (u64::from(r.id).wrapping_mul(shuffle | 1)) % 1009);
        out
    }

    /// Runs a follower from second 0 over `polls` (steps of the clock), saving and restoring
    /// its checkpoint (through JSON) at `restarts`; returns how often each id was delivered.
    fn follow(
        records: &[Rec],
        polls: &[i64],
        restarts: &BTreeSet<usize>,
        overlap: i64,
        max_span: i64,
        shuffle: u64,
    ) -> HashMap<u32, usize> {
        let mut delivered = HashMap::new();
        let mut cursor = Cursor::starting_at(0);
        let mut now = 0;
        for (step, advance) in polls.iter().enumerate() {
            now += advance;
            let killed = restarts.contains(&step);
            if let Some(plan) = cursor.plan(now, now, overlap, max_span) {
                let window = plan.window;
                let answer = answer(records, window, now, shuffle.wrapping_add(step as u64));
                // A follower killed in the middle of a window delivered only part of it and
                // never closed it.
                let read = if killed { answer.len() / 2 } else { answer.len() };
                for r in &answer[..read] {
                    if cursor.admit(Some(&r.id.to_string()), Some(r.time), window) {
                        *delivered.entry(r.id).or_insert(0) += 1;
                    }
                }
                if !killed {
                    cursor.finish(plan, overlap);
                }
            }
            if killed {
                let saved = serde_json::to_string(&cursor).unwrap_or_default();
                cursor = serde_json::from_str(&saved).unwrap_or_default();
            }
        }
        // A final catch-up long after everything became visible.
        now += 1_000;
        while let Some(plan) = cursor.plan(now, now, overlap, max_span) {
            for r in answer(records, plan.window, now, shuffle) {
                if cursor.admit(Some(&r.id.to_string()), Some(r.time), plan.window) {
                    *delivered.entry(r.id).or_insert(0) += 1;
                }
            }
            cursor.finish(plan, overlap);
            if plan.reaches_horizon {
                break;
            }
        }
        delivered
    }

    proptest! {
        /// With an overlap at least as long as the longest delay, every record is delivered
        /// exactly once, whatever the poll rhythm, the answer order, repeats and restarts.
        #[test]
        fn late_records_within_the_overlap_arrive_exactly_once(
            records in records(),
            polls in prop::collection::vec(0i64..8, 1..80),
            restarts in prop::collection::btree_set(0usize..80, 0..10),
            overlap in 5i64..10,
            extra_span in 1i64..30,
            shuffle in any::<u64>(),
        ) {
            let delivered = follow(&records, &polls, &restarts, overlap, overlap + extra_span, shuffle);
            for r in &records {
                prop_assert_eq!(delivered.get(&r.id).copied(), Some(1), "record {:?}", r);
            }
            prop_assert_eq!(delivered.len(), records.len());
        }

        /// With too short an overlap some late records may be missed, but nothing is ever
        /// delivered twice and nothing is invented.
        #[test]
        fn nothing_repeats_even_when_records_are_later_than_the_overlap(
            records in records(),
            polls in prop::collection::vec(0i64..8, 1..80),
            restarts in prop::collection::btree_set(0usize..80, 0..10),
            overlap in 0i64..3,
            extra_span in 1i64..30,
            shuffle in any::<u64>(),
        ) {
            let delivered = follow(&records, &polls, &restarts, overlap, overlap + extra_span, shuffle);
            let ids: BTreeSet<u32> = records.iter().map(|r| r.id).collect();
            for (id, times) in &delivered {
                prop_assert_eq!(*times, 1, "id {}", id);
                prop_assert!(ids.contains(id));
            }
        }
    }

    #[test]
    fn the_cursor_forgets_what_cannot_come_back() {
        let mut cursor = Cursor::starting_at(100);
        let window = cursor.window(130, 60).unwrap_or(Window { from: 0, end: 0 });
        assert_eq!(window, Window { from: 100, end: 130 });
        assert!(cursor.admit(Some("a"), Some(101), window));
        assert!(cursor.admit(Some("b"), Some(127), window));
        assert!(!cursor.admit(Some("b"), Some(127), window));
        assert!(
            cursor.admit(None, None, window),
            "a record without id cannot be recognised"
        );
        cursor.close(window, 5);
        assert_eq!(cursor.from, 125);
        assert_eq!(cursor.seen.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(cursor.window(124, 60), None, "nothing to read before the cursor");
    }

    #[test]
    fn the_settled_past_is_read_once_then_the_recent_part() {
        let mut cursor = Cursor::starting_at(100);
        let plan = cursor.plan(200, 200, 10, 1000);
        let settled = Plan {
            window: Window { from: 100, end: 189 },
            settled: true,
            reaches_horizon: false,
        };
        assert_eq!(plan, Some(settled));
        cursor.finish(settled, 10);
        assert_eq!(cursor.from, 189, "a settled window is done up to its end");
        let recent = cursor.plan(200, 200, 10, 1000);
        assert_eq!(
            recent,
            Some(Plan {
                window: Window { from: 189, end: 200 },
                settled: false,
                reaches_horizon: true
            })
        );
        if let Some(recent) = recent {
            cursor.finish(recent, 10);
        }
        assert_eq!(cursor.from, 190);
        // A second later only the recent part is read again.
        assert_eq!(
            cursor.plan(201, 201, 10, 1000).map(|p| p.window),
            Some(Window { from: 190, end: 201 })
        );
    }

    #[test]
    fn settling_forgets_only_what_was_read_before() {
        let mut cursor = Cursor::starting_at(100);
        let window = Window { from: 100, end: 200 };
        for (id, time) in [("a", 100), ("b", 150), ("c", 150)] {
            assert!(cursor.admit(Some(id), Some(time), window));
        }
        cursor.settle(150);
        assert_eq!(cursor.from, 150);
        assert_eq!(
            cursor.seen.keys().collect::<Vec<_>>(),
            ["b", "c"],
            "the last second may go on on the next page"
        );
        cursor.settle(120);
        assert_eq!(cursor.from, 150, "never back");
    }

    #[test]
    fn api_times_round_trip() {
        assert_eq!(
            parse_api_time("2026-01-02 03:04:05").map(format_api_time).as_deref(),
            Some("2026-01-02 03:04:05")
        );
        assert_eq!(parse_api_time("yesterday"), None);
    }
}
