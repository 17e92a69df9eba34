//! The grid's price lines, exactly as `spec/grid.md` defines them.

use rust_decimal::Decimal;

use crate::{Error, Spacing, money::round_to_multiple};

/// The `n` levels between `lower` and `upper`, rounded to `tick` (ties away from zero) and strictly increasing.
///
/// - arithmetic: `p_i = L + i * (U - L) / (N - 1)` in exact decimal arithmetic;
/// - geometric: `p_i = L * (U / L) ^ (i / (N - 1))` in `f64`, in that order, taken as a decimal by its shortest
///   round-trip representation, with `p_0 = L` and `p_(N-1) = U` exactly.
pub fn grid_levels(
    lower: Decimal,
    upper: Decimal,
    n: usize,
    spacing: Spacing,
    tick: Decimal,
) -> Result<Vec<Decimal>, Error> {
    if n < 2 {
        return Err(Error::field("levels", format!("must be at least 2, got {n}")));
    }
    let last = n - 1;
    let too_large = || Error::field("upper", format!("{upper} with {n} levels is too large to compute exactly"));
    let raw: Vec<Decimal> = match spacing {
        Spacing::Arithmetic => {
            let span = upper.checked_sub(lower).ok_or_else(too_large)?;
            let steps = Decimal::from(last);
            (0..n)
                .map(|i| {
                    Decimal::from(i)
                        .checked_mul(span)
                        .and_then(|v| v.checked_div(steps))
                        .and_then(|v| lower.checked_add(v))
                        .ok_or_else(too_large)
                })
                .collect::<Result<_, _>>()?
        }
        Spacing::Geometric => {
            let (l, u) = (to_f64(lower), to_f64(upper));
            (0..n)
                .map(|i| match i {
                    0 => Ok(lower),
                    i if i == last => Ok(upper),
                    i => from_f64(l * (u / l).powf(i as f64 / last as f64)),
                })
                .collect::<Result<_, _>>()?
        }
    };
    let levels: Vec<Decimal> = raw
        .into_iter()
        .map(|p| p.checked_div(tick).map(|_| round_to_multiple(p, tick)).ok_or_else(too_large))
        .collect::<Result<_, _>>()?;
    if levels[0] <= Decimal::ZERO {
        return Err(Error::field("lower", format!("rounds to {} at tick size {tick}; must stay above 0", levels[0])));
    }
    if let Some(i) = (1..n).find(|&i| levels[i] <= levels[i - 1]) {
        return Err(Error::TooDense { tick: tick.to_string(), a: i - 1, b: i, price: levels[i].to_string() });
    }
    Ok(levels)
}

/// A decimal as the nearest `f64` (correctly rounded, through its decimal text).
fn to_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(f64::NAN)
}

/// An `f64` as the decimal of its shortest round-trip representation.
fn from_f64(v: f64) -> Result<Decimal, Error> {
    let text = format!("{v}");
    Decimal::from_str_exact(&text)
        .or_else(|_| text.parse::<Decimal>())
        .map_err(|_| Error::field("upper", format!("geometric level {text} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn arithmetic_levels_by_hand() {
        let l = grid_levels(dec!(100), dec!(200), 5, Spacing::Arithmetic, dec!(0.01)).unwrap();
        assert_eq!(l, [dec!(100), dec!(125), dec!(150), dec!(175), dec!(200)]);
        // (200-100)/3 = 33.333…: rounded to tick.
        let l = grid_levels(dec!(100), dec!(200), 4, Spacing::Arithmetic, dec!(0.01)).unwrap();
        assert_eq!(l, [dec!(100), dec!(133.33), dec!(166.67), dec!(200)]);
    }

    #[test]
    fn geometric_levels_by_hand() {
        let l = grid_levels(dec!(100), dec!(400), 3, Spacing::Geometric, dec!(0.01)).unwrap();
        assert_eq!(l, [dec!(100), dec!(200), dec!(400)]);
        let l = grid_levels(dec!(1000), dec!(2000), 4, Spacing::Geometric, dec!(0.01)).unwrap();
        // 1000 * 2^(1/3) = 1259.9210498948732, 1000 * 2^(2/3) = 1587.401051968199
        assert_eq!(l, [dec!(1000), dec!(1259.92), dec!(1587.4), dec!(2000)]);
    }

    #[test]
    fn ties_round_away_from_zero_and_ends_round_too() {
        // 100.005 and 100.015 sit exactly between ticks.
        let l = grid_levels(dec!(100.005), dec!(100.025), 3, Spacing::Arithmetic, dec!(0.01)).unwrap();
        assert_eq!(l, [dec!(100.01), dec!(100.02), dec!(100.03)]);
    }

    #[test]
    fn too_dense_is_refused() {
        let e = grid_levels(dec!(100), dec!(100.05), 10, Spacing::Arithmetic, dec!(0.01)).unwrap_err();
        assert!(matches!(e, Error::TooDense { .. }), "{e}");
        assert!(e.to_string().starts_with("grid too dense for tick size 0.01"));
    }
}
