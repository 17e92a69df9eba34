//! Decimal formatting the way Binance prints amounts: JSON strings with eight decimals.

use rust_decimal::{Decimal, RoundingStrategy};

/// `d` with eight decimals (`"0.00100000"`), or all of its digits when it has more than eight.
pub(crate) fn fmt8(d: Decimal) -> String {
    let mut x = if d.scale() > 8 { d.normalize() } else { d };
    if x.scale() <= 8 {
        x.rescale(8);
    }
    x.to_string()
}

/// `d` rounded down to a multiple of `step` (`step` > 0).
pub(crate) fn floor_to(d: Decimal, step: Decimal) -> Decimal {
    ((d / step).round_dp_with_strategy(0, RoundingStrategy::ToZero) * step).normalize()
}

/// Whether `d` is a whole multiple of `step`.
pub(crate) fn is_multiple(d: Decimal, step: Decimal) -> bool {
    (d % step).is_zero()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn formats_like_binance() {
        assert_eq!(fmt8(dec!(0.001)), "0.00100000");
        assert_eq!(fmt8(dec!(100000)), "100000.00000000");
        assert_eq!(fmt8(dec!(0.0001230000123)), "0.0001230000123");
        assert_eq!(fmt8(dec!(9008.0200000000)), "9008.02000000");
        assert_eq!(floor_to(dec!(0.123456), dec!(0.00001)), dec!(0.12345));
        assert!(is_multiple(dec!(100.01), dec!(0.01)));
        assert!(!is_multiple(dec!(100.001), dec!(0.01)));
    }
}
