//! Exact money values: [`Price`] (strictly positive) and [`Qty`] (not negative), both decimal, parsed once.

use std::{fmt, str::FromStr};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Error;

/// A price in quote per base; always > 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Price(Decimal);

/// A quantity of base; always >= 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Qty(Decimal);

impl Price {
    pub fn new(value: Decimal) -> Result<Self, Error> {
        if value > Decimal::ZERO {
            Ok(Price(value.normalize()))
        } else {
            Err(Error::field("price", format!("must be greater than 0, got {value}")))
        }
    }
    pub fn get(self) -> Decimal {
        self.0
    }
}

impl Qty {
    pub const ZERO: Qty = Qty(Decimal::ZERO);

    pub fn new(value: Decimal) -> Result<Self, Error> {
        if value >= Decimal::ZERO {
            Ok(Qty(value.normalize()))
        } else {
            Err(Error::field("quantity", format!("must not be negative, got {value}")))
        }
    }
    pub fn get(self) -> Decimal {
        self.0
    }
}

macro_rules! decimal_newtype {
    ($t:ident) => {
        impl TryFrom<Decimal> for $t {
            type Error = Error;
            fn try_from(d: Decimal) -> Result<Self, Error> {
                $t::new(d)
            }
        }
        impl From<$t> for Decimal {
            fn from(v: $t) -> Decimal {
                v.0
            }
        }
        impl FromStr for $t {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                $t::new(parse_decimal(s, stringify!($t))?)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
decimal_newtype!(Price);
decimal_newtype!(Qty);

/// Parses a plain decimal (`123.45`, `-0.5`, `1e-8` is refused: exchanges never send exponents).
pub fn parse_decimal(s: &str, what: &str) -> Result<Decimal, Error> {
    let t = s.trim();
    Decimal::from_str_exact(t).map_err(|_| Error::State(format!("{what}: not a decimal number: {t:?}")))
}

/// Rounds `value` to the nearest multiple of `step`, ties away from zero.
pub fn round_to_multiple(value: Decimal, step: Decimal) -> Decimal {
    ((value / step).round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero) * step).normalize()
}

/// Rounds `value` down to a multiple of `step` (towards zero for positive values).
pub fn floor_to_multiple(value: Decimal, step: Decimal) -> Decimal {
    ((value / step).floor() * step).normalize()
}

/// Whether `value` is an exact multiple of `step`.
pub fn is_multiple(value: Decimal, step: Decimal) -> bool {
    (value % step).is_zero()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn price_must_be_positive() {
        assert!(Price::new(dec!(0)).is_err());
        assert!(Price::new(dec!(-1)).is_err());
        assert_eq!("100.50".parse::<Price>().unwrap().get(), dec!(100.5));
    }

    #[test]
    fn qty_rejects_negative_and_garbage() {
        assert!(Qty::new(dec!(-0.1)).is_err());
        assert!("abc".parse::<Qty>().is_err());
        assert_eq!(Qty::new(dec!(0)).unwrap(), Qty::ZERO);
    }

    #[test]
    fn rounding_ties_away_from_zero() {
        assert_eq!(round_to_multiple(dec!(100.005), dec!(0.01)), dec!(100.01));
        assert_eq!(round_to_multiple(dec!(100.004), dec!(0.01)), dec!(100));
        assert_eq!(round_to_multiple(dec!(12.5), dec!(5)), dec!(15));
        assert_eq!(floor_to_multiple(dec!(0.123456789), dec!(0.00001)), dec!(0.12345));
        assert!(is_multiple(dec!(95000.10), dec!(0.01)));
        assert!(!is_multiple(dec!(95000.105), dec!(0.01)));
    }
}

/// Serde helpers for decimals that arrive as JSON strings (`"95000.5"`) or numbers (`95000.5`).
pub mod serde_decimal {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, de::Error as _};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Str(String),
        Int(i64),
        Float(f64),
    }

    fn parse<E: serde::de::Error>(raw: Raw) -> Result<Decimal, E> {
        match raw {
            Raw::Str(s) => {
                Decimal::from_str_exact(s.trim()).map_err(|_| E::custom(format!("not a decimal number: {s:?}")))
            }
            Raw::Int(i) => Ok(Decimal::from(i)),
            // A JSON number with a fraction: its shortest round-trip text is what the user wrote.
            Raw::Float(f) if f.is_finite() => {
                Decimal::from_str_exact(&f.to_string()).map_err(|_| E::custom(format!("number out of range: {f}")))
            }
            Raw::Float(f) => Err(E::custom(format!("not a decimal number: {f}"))),
        }
    }

    /// Decimals go out as strings, normalized (`"95000.5"`).
    pub fn serialize<S: serde::Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.normalize().to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        parse(Raw::deserialize(d).map_err(|_| D::Error::custom("expected a decimal as a string or a number"))?)
    }

    pub mod option {
        use super::*;
        pub fn serialize<S: serde::Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => super::serialize(v, s),
                None => s.serialize_none(),
            }
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            match Option::<Raw>::deserialize(d)
                .map_err(|_| D::Error::custom("expected a decimal as a string or a number"))?
            {
                None => Ok(None),
                Some(raw) => parse(raw).map(Some),
            }
        }
    }
}
