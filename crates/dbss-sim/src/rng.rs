//! Deterministic pseudo-randomness.
//!
//! Every synthetic value (ids, audit rows, generic answers, fault decisions) is a pure function
//! of the seed and of what it describes, so one seed gives the same answers in every run, on
//! every platform. `std`'s hasher is randomised per process and `rand`'s generators may change
//! between versions, hence these few lines of SplitMix64 and FNV-1a.

/// One SplitMix64 output for `z`: a well-mixed 64-bit function of its input.
pub fn mix(z: u64) -> u64 {
    let mut z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Combines two values into one hash (order matters).
pub fn combine(a: u64, b: u64) -> u64 {
    mix(a ^ mix(b))
}

/// FNV-1a of `text`.
pub fn hash_str(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A uniform number in `[0, 1)` from a hash.
pub fn unit(h: u64) -> f64 {
    // The top 53 bits fill an f64 mantissa exactly.
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// A sequence of pseudo-random numbers.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence is determined by `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// An integer in `lo..=hi` (`lo` when the range is empty).
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = hi.abs_diff(lo).saturating_add(1);
        // `span` fits in u64; the sum stays within lo..=hi.
        lo.wrapping_add(self.below(span) as i64)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        unit(self.next_u64()) < p
    }

    /// One element of a non-empty slice (`None` for an empty one).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let n = items.len() as u64;
        if n == 0 {
            return None;
        }
        items.get(usize::try_from(self.below(n)).unwrap_or(0))
    }
}

/// A UUID-shaped id (`8-4-4-4-12` lower-case hex) made of `high` and `low`.
pub fn uuid_like(high: u64, low: u64) -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xffff,
        low >> 48,
        low & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_depend_only_on_the_seed() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
    }

    #[test]
    fn ranges_are_respected() {
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let v = r.between(-3, 5);
            assert!((-3..=5).contains(&v));
            assert!(r.below(10) < 10);
        }
        assert_eq!(r.between(4, 4), 4);
        assert_eq!(r.below(0), 0);
        let _full_range_does_not_overflow = r.between(i64::MIN, i64::MAX);
    }

    #[test]
    fn uuid_like_has_the_uuid_shape() {
        let id = uuid_like(u64::MAX, 0x1234);
        assert_eq!(id.len(), 36);
        assert!(id.ends_with("-000000001234"));
        assert_eq!(hash_str("abc"), 0xe71f_a219_0541_574b);
    }
}
