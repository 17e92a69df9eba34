//! Exact integer fixed-point forms of decimals, for the engine's hot loop.
//!
//! Prices are `i64` at [`PRICE_DP`] decimal places; money is `i128` at a per-grid number of places that makes every
//! fill's notional and fee an exact integer. Converting back to [`Decimal`] is exact.

use rust_decimal::Decimal;

/// Decimal places of integer prices: Binance quotes at most 8.
pub const PRICE_DP: u32 = 8;

/// `value * 10^dp` when it is an integer that fits; `None` when `value` has more than `dp` places or overflows.
pub fn to_int(value: Decimal, dp: u32) -> Option<i128> {
    let v = value.normalize();
    let scale = v.scale();
    if scale > dp {
        return None;
    }
    v.mantissa().checked_mul(10i128.checked_pow(dp - scale)?)
}

/// A price as the hot loop's integer (× 10^8); `None` with more than 8 places or out of range.
pub fn price_to_int(price: Decimal) -> Option<i64> {
    to_int(price, PRICE_DP).and_then(|v| i64::try_from(v).ok())
}

/// `value * 10^dp` rounded down (`ceil` false) or up (`ceil` true) to an integer, saturating.
pub fn to_int_rounded(value: Decimal, dp: u32, ceil: bool) -> i64 {
    let scaled = value * Decimal::from(10i64.pow(dp));
    let r = if ceil { scaled.ceil() } else { scaled.floor() };
    i64::try_from(r.mantissa() / 10i128.pow(r.scale())).unwrap_or(if r.is_sign_negative() {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// `value / 10^dp` as a decimal; exact while `|value| < 2^96`, else rounded to the places that fit.
pub fn from_int(value: i128, dp: u32) -> Decimal {
    let (mut v, mut dp) = (value, dp);
    while v.unsigned_abs() >= 1u128 << 96 && dp > 0 {
        v /= 10;
        dp -= 1;
    }
    if dp <= 28
        && let Ok(d) = Decimal::try_from_i128_with_scale(v, dp)
    {
        return d.normalize();
    }
    // More places than a Decimal holds: drop the excess digits (only for sub-1e-28 precision).
    while dp > 28 {
        v /= 10;
        dp -= 1;
    }
    Decimal::try_from_i128_with_scale(v, dp).map(|d| d.normalize()).unwrap_or(Decimal::MAX)
}

/// `num / den` as a decimal, with both reduced until they fit a `Decimal`.
pub fn ratio(num: i128, den: i128) -> Decimal {
    let (mut n, mut d) = (num, den);
    while n.unsigned_abs() >= 1u128 << 95 || d.unsigned_abs() >= 1u128 << 95 {
        n /= 10;
        d /= 10;
    }
    if d == 0 {
        return Decimal::ZERO;
    }
    (Decimal::from_i128_with_scale(n, 0) / Decimal::from_i128_with_scale(d, 0)).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn round_trips_exactly() {
        assert_eq!(to_int(dec!(105573.73), PRICE_DP), Some(10_557_373_000_000));
        assert_eq!(to_int(dec!(0.000000001), PRICE_DP), None);
        assert_eq!(from_int(10_557_373_000_000, PRICE_DP), dec!(105573.73));
        assert_eq!(from_int(-5, 1), dec!(-0.5));
        assert_eq!(to_int_rounded(dec!(1.000000005), PRICE_DP, false), 100_000_000);
        assert_eq!(to_int_rounded(dec!(1.000000005), PRICE_DP, true), 100_000_001);
        assert_eq!(ratio(1, 4), dec!(0.25));
    }
}
