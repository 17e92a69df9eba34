//! The signals of `spec/mean-reversion.md`, exactly as written: over the last n closes, `S1` (their sum) and `S2`
//! (the sum of their squares); an entry when `D = S1 - n*c > 0` and `D^2 > k^2 * (n*S2 - S1^2)`, an exit at the
//! mean when `n*c >= S1`. No division and no square root: closes are integers (× 10^8), the band is `kn / 10^kd`,
//! and the entry compares `D^2 * 10^(2 kd)` with `kn^2 * (n*S2 - S1^2)` in 256-bit integers. Every step is checked:
//! an overflow is an [`Error::Overflow`], never a wrapped or rounded value.

use rust_decimal::Decimal;

use crate::{Error, units::to_int, wide::U256};

/// The band `k` as the entry test uses it: `kn^2` and `10^(2 kd)`, where `k = kn / 10^kd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Band {
    kn2: U256,
    scale2: U256,
    /// The same in 128 bits, when they fit: the common case's fast path.
    kn2_128: Option<u128>,
    scale2_128: Option<u128>,
}

impl Band {
    pub(crate) fn new(k: Decimal) -> Result<Self, Error> {
        let k = k.normalize();
        let kd = k.scale();
        let kn = to_int(k, kd)
            .and_then(|v| u128::try_from(v).ok())
            .ok_or_else(|| Error::field("band", format!("must be greater than 0, got {k}")))?;
        let scale = 10u128.checked_pow(kd).ok_or_else(|| Error::Overflow(format!("band {k}")))?;
        Ok(Band {
            kn2: U256::mul_u128(kn, kn),
            scale2: U256::mul_u128(scale, scale),
            kn2_128: kn.checked_mul(kn),
            scale2_128: scale.checked_mul(scale),
        })
    }
}

/// The last `n` closes (× 10^8), oldest first, with `S1` and `S2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Window {
    n: usize,
    /// A ring: once full, `head` is the oldest close.
    closes: Vec<i64>,
    head: usize,
    s1: i128,
    s2: i128,
}

fn overflow() -> Error {
    Error::Overflow("the window's sum of squared closes exceeds 128 bits".into())
}

impl Window {
    pub(crate) fn new(n: usize) -> Self {
        Window { n, closes: Vec::with_capacity(n), head: 0, s1: 0, s2: 0 }
    }

    /// Adds the close of the candle that just closed (> 0), dropping the oldest once `n` are held.
    #[inline]
    pub(crate) fn push(&mut self, c: i64) -> Result<(), Error> {
        if c <= 0 {
            return Err(Error::field("price", format!("a close must be greater than 0, got {c}e-8")));
        }
        let sq = |v: i64| i128::from(v) * i128::from(v);
        if self.closes.len() < self.n {
            self.s2 = self.s2.checked_add(sq(c)).ok_or_else(overflow)?;
            self.s1 += i128::from(c);
            self.closes.push(c);
            return Ok(());
        }
        let old = self.closes[self.head];
        self.s2 = (self.s2 - sq(old)).checked_add(sq(c)).ok_or_else(overflow)?;
        self.s1 += i128::from(c) - i128::from(old);
        self.closes[self.head] = c;
        self.head += 1;
        if self.head == self.n {
            self.head = 0;
        }
        Ok(())
    }

    /// Whether `n` candles have closed: only then are there signals.
    #[inline]
    pub(crate) fn is_full(&self) -> bool {
        self.closes.len() == self.n
    }

    /// The exit at the mean, `n * c >= S1`, for the close `c` just pushed.
    #[inline]
    pub(crate) fn exit(&self, c: i64) -> bool {
        self.is_full() && self.n as i128 * i128::from(c) >= self.s1
    }

    /// The entry below the lower band for the close `c` just pushed: `D = S1 - n*c > 0` and
    /// `D^2 > k^2 * (n*S2 - S1^2)`.
    #[inline]
    pub(crate) fn entry(&self, c: i64, band: &Band) -> Result<bool, Error> {
        if !self.is_full() {
            return Ok(false);
        }
        let d = self.s1 - self.n as i128 * i128::from(c);
        if d <= 0 {
            return Ok(false);
        }
        self.entry_slow(d as u128, band)
    }

    /// The entry test in 128 bits when nothing overflows (the common case), else in 256.
    #[inline]
    fn entry_slow(&self, d: u128, band: &Band) -> Result<bool, Error> {
        // S1 and S2 are sums of positive closes: never negative.
        let (s1, s2) = (self.s1.unsigned_abs(), self.s2.unsigned_abs());
        let fast = || {
            let lhs = d.checked_mul(d)?.checked_mul(band.scale2_128?)?;
            let spread = (self.n as u128).checked_mul(s2)?.checked_sub(s1.checked_mul(s1)?)?;
            Some(lhs > spread.checked_mul(band.kn2_128?)?)
        };
        match fast() {
            Some(entry) => Ok(entry),
            None => self.entry_wide(d, s1, s2, band),
        }
    }

    #[inline(never)]
    fn entry_wide(&self, d: u128, s1: u128, s2: u128, band: &Band) -> Result<bool, Error> {
        let n_s2 = U256::mul_u128(self.n as u128, s2);
        let s1_sq = U256::mul_u128(s1, s1);
        // n * S2 >= S1^2 for any n numbers (Cauchy-Schwarz), exactly so in integers.
        let spread = n_s2
            .checked_sub(s1_sq)
            .ok_or_else(|| Error::State("n * S2 < S1^2: the window's sums are inconsistent".into()))?;
        let lhs = U256::mul_u128(d, d).checked_mul(band.scale2).ok_or_else(overflow)?;
        let rhs = spread.checked_mul(band.kn2).ok_or_else(overflow)?;
        Ok(lhs > rhs)
    }

    /// The closes held, oldest first.
    pub(crate) fn closes(&self) -> impl Iterator<Item = i64> + '_ {
        let (newer, older) = self.closes.split_at(self.head);
        older.iter().chain(newer).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::price_to_int;
    use rust_decimal_macros::dec;

    fn window(closes: &[Decimal]) -> (Window, i64) {
        let mut w = Window::new(closes.len());
        let mut last = 0;
        for c in closes {
            last = price_to_int(*c).unwrap();
            w.push(last).unwrap();
        }
        (w, last)
    }

    fn band(k: Decimal) -> Band {
        Band::new(k).unwrap()
    }

    // closes 10, 10, 10, 10, c: n = 5, S1 = 40 + c, S2 = 400 + c^2, D = 40 - 4c,
    // n*S2 - S1^2 = 2000 + 5c^2 - 1600 - 80c - c^2 = 4 (c - 10)^2.
    // With c = 9: D = 4, D^2 = 16, n*S2 - S1^2 = 4: an entry exactly when k^2 < 4, i.e. k < 2.
    // (mean 9.8, population stdev 0.4: c = 9 is exactly 2 stdevs below the mean.)
    #[test]
    fn entry_exactly_at_the_band_is_not_an_entry() {
        let (w, c) = window(&[dec!(10), dec!(10), dec!(10), dec!(10), dec!(9)]);
        assert!(!w.entry(c, &band(dec!(2))).unwrap(), "c = mean - 2 stdev exactly: not below the band");
        assert!(w.entry(c, &band(dec!(1.99999999))).unwrap(), "just inside a narrower band");
        assert!(!w.entry(c, &band(dec!(2.00000001))).unwrap());
        assert!(!w.exit(c));
    }

    #[test]
    fn exit_exactly_at_the_mean_is_an_exit() {
        // 9, 11, 10: mean 10, the close 10 is exactly the mean.
        let (w, c) = window(&[dec!(9), dec!(11), dec!(10)]);
        assert!(w.exit(c));
        assert!(!w.entry(c, &band(dec!(0.00000001))).unwrap(), "D = 0 is not an entry");
        // One unit below the mean: no exit, and D = 2 > 0 but far inside the narrowest band
        // (D^2 = 4 <= 1e-16 * (n*S2 - S1^2), about 6).
        let (w, c) = window(&[dec!(9), dec!(11), dec!(9.99999999)]);
        assert!(!w.exit(c));
        assert_eq!(w.s1 - 3 * i128::from(c), 2);
        assert!(!w.entry(c, &band(dec!(0.00000001))).unwrap());
    }

    #[test]
    fn a_flat_window_never_enters() {
        let (w, c) = window(&[dec!(105000.01); 20]);
        assert!(w.exit(c));
        assert!(!w.entry(c, &band(dec!(0.00000001))).unwrap(), "D = 0");
    }

    #[test]
    fn the_window_rolls_and_signals_only_when_full() {
        let mut w = Window::new(3);
        for c in [5, 1, 2] {
            assert!(!w.is_full() && !w.exit(c));
            w.push(c).unwrap();
        }
        w.push(9).unwrap();
        assert_eq!(w.closes().collect::<Vec<_>>(), [1, 2, 9]);
        assert_eq!((w.s1, w.s2), (12, 86));
        w.push(3).unwrap();
        assert_eq!(w.closes().collect::<Vec<_>>(), [2, 9, 3]);
        assert_eq!((w.s1, w.s2), (14, 94));
        // D = 14 - 9 = 5, n*S2 - S1^2 = 282 - 196 = 86; 25 > k^2 * 86 holds for k = 0.5 (21.5), not for 0.6 (30.96).
        assert!(w.entry(3, &band(dec!(0.5))).unwrap());
        assert!(!w.entry(3, &band(dec!(0.6))).unwrap());
        assert!(w.push(0).is_err() && w.push(-1).is_err());
    }

    #[test]
    fn huge_closes_overflow_into_an_error() {
        // 5e10 quote per base is 5e18 units: one square fits 128 bits, seven do not.
        let mut w = Window::new(500);
        let huge = price_to_int(dec!(50000000000)).unwrap();
        let results: Vec<_> = (0..10).map(|_| w.push(huge)).collect();
        assert!(results[..6].iter().all(Result::is_ok));
        assert!(matches!(results[6], Err(Error::Overflow(_))), "{:?}", results[6]);
    }

    #[test]
    fn products_beyond_128_bits_stay_exact() {
        // 250 closes at 125474.13 and 250 at 123474.11 (the last one included): mean 124474.12, population stdev
        // 1000.01, and the close is exactly one stdev below the mean. D^2 * 10^16 and k^2 * (n*S2 - S1^2) are
        // both about 2.5e43, far past i128.
        let mut closes = vec![dec!(125474.13); 250];
        closes.extend([dec!(123474.11); 250]);
        let (w, c) = window(&closes);
        assert!(!w.entry(c, &band(dec!(1))).unwrap(), "exactly one stdev below: not below a band of 1");
        assert!(w.entry(c, &band(dec!(0.99999999))).unwrap());
        assert!(!w.exit(c));
    }

    #[test]
    fn the_128_bit_fast_path_agrees_with_the_256_bit_one() {
        let mut w = Window::new(7);
        let mut state: u64 = 11;
        let mut seen = [0; 2];
        for step in 0..2_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let c = 10_000_000_000_000 + (state >> 40) as i64 % 50_000_000_000 - 25_000_000_000;
            w.push(c).unwrap();
            let d = w.s1 - 7 * i128::from(c);
            if !w.is_full() || d <= 0 {
                continue;
            }
            for k in [dec!(0.5), dec!(1), dec!(1.5), dec!(2), dec!(2.25)] {
                let b = band(k);
                let (s1, s2) = (w.s1.unsigned_abs(), w.s2.unsigned_abs());
                let wide = w.entry_wide(d as u128, s1, s2, &b).unwrap();
                assert_eq!(w.entry(c, &b).unwrap(), wide, "step {step}, k {k}");
                seen[usize::from(wide)] += 1;
            }
        }
        assert!(seen[0] > 100 && seen[1] > 100, "{seen:?}");
    }
}
