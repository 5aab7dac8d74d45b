//! Records made while the simulator runs (`--audit-rate N`): `per_period` new records every
//! `period_ms`, from the simulator's start on, each a pure function of its index like the
//! historical rows. One record in [`LATE_ONE_IN`] becomes visible up to [`MAX_DELAY_MS`] after
//! its time, as on a real audit pipeline, so followers must re-read recent windows.

use std::ops::Range;

use crate::rng;

/// The longest delay between a record's time and the moment it becomes visible.
pub const MAX_DELAY_MS: i64 = 3_000;
/// One record in this many is visible late.
pub const LATE_ONE_IN: u64 = 8;
/// Salt of the lateness hash, so it does not follow the record's other properties.
const LATE_SALT: u64 = 0x1a7e_1a7e;

/// A growing dataset: record `j` happened at `anchor + (j + 1) × period_ms / per_period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveFeed {
    /// Dataset hash (ids and contents).
    pub dataset: u64,
    /// When the feed started (epoch milliseconds).
    pub anchor_ms: i64,
    /// Records per period.
    pub per_period: u64,
    /// Length of a period, milliseconds.
    pub period_ms: i64,
}

/// The visible records of a window, oldest first: a range whose records are all visible, then
/// the recent ones that already are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveRows {
    /// Records old enough that every one is visible.
    pub settled: Range<u64>,
    /// Younger records that are visible, ascending.
    pub recent: Vec<u64>,
}

impl LiveRows {
    /// How many.
    pub fn len(&self) -> usize {
        usize::try_from(self.settled.end - self.settled.start).unwrap_or(usize::MAX) + self.recent.len()
    }

    /// The `p`-th record, oldest first.
    pub fn ascending(&self, p: usize) -> Option<u64> {
        let settled = usize::try_from(self.settled.end - self.settled.start).unwrap_or(usize::MAX);
        if p < settled {
            Some(self.settled.start + p as u64)
        } else {
            self.recent.get(p - settled).copied()
        }
    }

    /// The `p`-th record, newest first.
    pub fn descending(&self, p: usize) -> Option<u64> {
        let len = self.len();
        (p < len).then(|| self.ascending(len - 1 - p)).flatten()
    }

    /// Every record, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = u64> + '_ {
        self.settled.clone().chain(self.recent.iter().copied())
    }
}

impl LiveFeed {
    /// When record `j` happened (epoch milliseconds).
    pub fn time_of(&self, j: u64) -> i64 {
        let offset = (i128::from(j) + 1) * i128::from(self.period_ms) / i128::from(self.per_period.max(1));
        self.anchor_ms.saturating_add(i64::try_from(offset).unwrap_or(i64::MAX))
    }

    /// How long after its time record `j` becomes visible.
    pub fn delay_of(&self, j: u64) -> i64 {
        let h = rng::combine(self.dataset ^ LATE_SALT, j);
        if h.is_multiple_of(LATE_ONE_IN) {
            i64::try_from((h >> 8) % (MAX_DELAY_MS as u64 + 1)).unwrap_or(0)
        } else {
            0
        }
    }

    /// How many records happened at or before `t` (epoch milliseconds).
    pub fn count_until(&self, t: i64) -> u64 {
        if t < self.anchor_ms || self.per_period == 0 || self.period_ms <= 0 {
            return 0;
        }
        // time_of(j) <= t  ⇔  (j + 1) × period < (t - anchor + 1) × per_period.
        let span = i128::from(t - self.anchor_ms) + 1;
        let n = (span * i128::from(self.per_period) - 1) / i128::from(self.period_ms);
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    /// The records of `from..=to` that are visible at `now`.
    pub fn visible(&self, from: i64, to: i64, now: i64) -> LiveRows {
        let to = to.min(now);
        if from > to {
            return LiveRows::default();
        }
        let lo = self.count_until(from.saturating_sub(1));
        let hi = self.count_until(to).max(lo);
        let settled_end = self.count_until(to.min(now - MAX_DELAY_MS)).clamp(lo, hi);
        LiveRows {
            settled: lo..settled_end,
            recent: (settled_end..hi)
                .filter(|&j| self.time_of(j) + self.delay_of(j) <= now)
                .collect(),
        }
    }

    /// The record an id names, if it is one of the `count_until(now)` made so far.
    pub fn row_of(&self, id: &str, now: i64) -> Option<u64> {
        super::row_of(self.dataset, self.count_until(now), id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed() -> LiveFeed {
        LiveFeed {
            dataset: 7,
            anchor_ms: 1_000_000,
            per_period: 200,
            period_ms: 1_000,
        }
    }

    #[test]
    fn counts_agree_with_times() {
        for f in [
            feed(),
            LiveFeed {
                per_period: 3,
                period_ms: 20_000,
                ..feed()
            },
        ] {
            for t in (f.anchor_ms - 10..f.anchor_ms + 50_000).step_by(7) {
                let n = f.count_until(t);
                assert!(n == 0 || f.time_of(n - 1) <= t, "t {t} n {n}");
                assert!(f.time_of(n) > t, "t {t} n {n}");
            }
        }
    }

    #[test]
    fn rate_and_lateness() {
        let f = feed();
        assert_eq!(f.count_until(f.anchor_ms + 10_000 - 1), 1999);
        assert_eq!(f.count_until(f.anchor_ms + 10_000), 2000, "200 per second");
        let late = (0..10_000).filter(|&j| f.delay_of(j) > 0).count();
        assert!((800..1700).contains(&late), "{late} late of 10000");
        assert!((0..10_000).all(|j| f.delay_of(j) <= MAX_DELAY_MS));
    }

    #[test]
    fn late_records_appear_when_their_delay_has_passed() {
        let f = feed();
        let (from, to) = (f.anchor_ms, f.anchor_ms + 5_000);
        let all: Vec<u64> = f.visible(from, to, to + MAX_DELAY_MS).iter().collect();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
        let early = f.visible(from, to, to);
        let expected: Vec<u64> = (0..1000).filter(|&j| f.time_of(j) + f.delay_of(j) <= to).collect();
        assert_eq!(early.iter().collect::<Vec<_>>(), expected);
        assert!(early.len() < 1000, "some records are not visible yet");
        assert_eq!(early.descending(0), expected.last().copied());
        assert_eq!(early.ascending(early.len()), None);
    }
}
