//! The mean-reversion bot's books: quote, realized P&L, fees and counts in exact `i128` money units, and an exact
//! max drawdown. Fractions (`max_drawdown`, `win_rate`) are rounded once, to [`FRACTION_DP`] places, half to even.

use rust_decimal::Decimal;

use crate::{Error, wide::U256};

/// Decimal places of the fractions the books report.
pub const FRACTION_DP: u32 = 28;

/// `v / 10^dp` as a decimal, exactly, or an error when it has more digits than a decimal holds.
pub(crate) fn exact(v: i128, dp: u32) -> Result<Decimal, Error> {
    let (mut v, mut dp) = (v, dp);
    while dp > 0 && v % 10 == 0 {
        v /= 10;
        dp -= 1;
    }
    Decimal::try_from_i128_with_scale(v, dp)
        .map_err(|_| Error::Overflow(format!("{v}e-{dp} has more digits than a decimal holds")))
}

/// `num / den` (`0 <= num <= den`, `den > 0`) rounded to [`FRACTION_DP`] places, half to even, by long division.
pub(crate) fn fraction(num: u128, den: u128) -> Result<Decimal, Error> {
    if den == 0 || num > den {
        return Err(Error::State(format!("fraction {num}/{den} is not between 0 and 1")));
    }
    let too_large = || Error::Overflow(format!("fraction {num}/{den}"));
    let (mut q, mut r) = (num / den, num % den);
    for _ in 0..FRACTION_DP {
        r = r.checked_mul(10).ok_or_else(too_large)?;
        q = q * 10 + r / den;
        r %= den;
    }
    let twice = r.checked_mul(2).ok_or_else(too_large)?;
    if twice > den || (twice == den && q % 2 == 1) {
        q += 1;
    }
    exact(q as i128, FRACTION_DP)
}

/// The largest fall of equity from a running peak, as a fraction of that peak, compared exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Drawdown {
    pub(crate) peak: i128,
    /// The lowest equity since the peak.
    pub(crate) low: i128,
    /// The worst `(peak, low)` of the peaks before the current one.
    pub(crate) worst: Option<(i128, i128)>,
}

impl Drawdown {
    pub(crate) fn new(start: i128) -> Self {
        Drawdown { peak: start, low: start, worst: None }
    }

    #[inline(always)]
    pub(crate) fn sample(&mut self, equity: i128) {
        if equity > self.peak {
            self.worst = self.worst_with_current();
            self.peak = equity;
            self.low = equity;
        } else if equity < self.low {
            self.low = equity;
        }
    }

    /// The worse of `worst` and the current peak's fall: `(p - l) / p > (wp - wl) / wp` compared as
    /// `(p - l) * wp > (wp - wl) * p`.
    fn worst_with_current(&self) -> Option<(i128, i128)> {
        let (p, l) = (self.peak, self.low);
        if l >= p || p <= 0 || l < 0 {
            return self.worst;
        }
        match self.worst {
            Some((wp, wl)) => {
                let current = U256::mul_u128((p - l) as u128, wp as u128);
                let before = U256::mul_u128((wp - wl) as u128, p as u128);
                Some(if current > before { (p, l) } else { (wp, wl) })
            }
            None => Some((p, l)),
        }
    }

    pub(crate) fn max(&self) -> Result<Decimal, Error> {
        match self.worst_with_current() {
            Some((p, l)) => fraction((p - l) as u128, p as u128),
            None => Ok(Decimal::ZERO),
        }
    }
}

/// Quote, P&L, fees and counts; money in units of `10^-dp` quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Books {
    pub(crate) dp: u32,
    pub(crate) capital: i128,
    pub(crate) quote: i128,
    pub(crate) realized: i128,
    pub(crate) fees: i128,
    pub(crate) orders_filled: u64,
    pub(crate) round_trips: u64,
    pub(crate) wins: u64,
    /// Positions sold by the stop loss.
    pub(crate) stop_losses: u64,
    /// Entry signals with no buy: `q == 0` or `q * c < min_notional`.
    pub(crate) skipped_entries: u64,
    pub(crate) drawdown: Drawdown,
}

impl Books {
    pub(crate) fn new(dp: u32, capital: i128) -> Self {
        Books {
            dp,
            capital,
            quote: capital,
            realized: 0,
            fees: 0,
            orders_filled: 0,
            round_trips: 0,
            wins: 0,
            stop_losses: 0,
            skipped_entries: 0,
            drawdown: Drawdown::new(capital),
        }
    }

    pub(crate) fn money(&self, v: i128) -> Result<Decimal, Error> {
        exact(v, self.dp)
    }

    /// Wins over round trips; `None` without round trips.
    pub(crate) fn win_rate(&self) -> Result<Option<Decimal>, Error> {
        match self.round_trips {
            0 => Ok(None),
            n => fraction(u128::from(self.wins), u128::from(n)).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn fractions_round_half_to_even_at_28_places() {
        assert_eq!(fraction(2, 3).unwrap(), dec!(0.6666666666666666666666666667));
        assert_eq!(fraction(1, 3).unwrap(), dec!(0.3333333333333333333333333333));
        assert_eq!(fraction(1, 4).unwrap(), dec!(0.25));
        assert_eq!(fraction(5, 5).unwrap(), dec!(1));
        assert_eq!(fraction(0, 7).unwrap(), dec!(0));
        // Exactly half-way at the 29th place: 1 / (2 * 10^28) = 0.5e-28 and 3 / (2 * 10^28) = 1.5e-28.
        let den = 2 * 10u128.pow(28);
        assert_eq!(fraction(1, den).unwrap(), dec!(0), "0.00…005 (29th place) rounds to the even 0");
        assert_eq!(fraction(3, den).unwrap(), dec!(0.0000000000000000000000000002), "…015 rounds up to even");
        assert!(fraction(4, 3).is_err());
    }

    #[test]
    fn drawdown_is_the_worst_fall_from_a_running_peak() {
        let mut d = Drawdown::new(100);
        for eq in [90, 95, 200, 150, 160, 300, 290] {
            d.sample(eq);
        }
        // Falls: 10% from 100, 25% from 200, 3.33% from 300.
        assert_eq!(d.max().unwrap(), dec!(0.25));
        d.sample(60);
        assert_eq!(d.max().unwrap(), dec!(0.8));
        assert_eq!(Drawdown::new(100).max().unwrap(), dec!(0));
    }

    #[test]
    fn exact_refuses_what_a_decimal_cannot_hold() {
        assert_eq!(exact(1_234_500, 4).unwrap(), dec!(123.45));
        assert_eq!(
            exact(-5, 30).unwrap_err().to_string(),
            "amounts too large to compute exactly: -5e-30 has more digits than a decimal holds"
        );
        assert_eq!(exact(10i128.pow(35), 30).unwrap(), dec!(100000));
    }
}
