//! [`GridConfig`]: a grid's parameters, built only through validation that names every failing field.

use std::{fmt, str::FromStr};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Error, error::FieldError};

/// Fewest and most price lines a grid may have (`spec/grid.md`).
pub const MIN_LEVELS: usize = 2;
pub const MAX_LEVELS: usize = 200;
/// Most decimal places accepted for prices and capital (Binance's precision).
const MAX_DP: u32 = 8;
/// The largest price a grid may have: above every `PRICE_FILTER` maximum Binance lists (BTCUSDT's is 1,000,000).
pub const MAX_PRICE: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// The largest capital a grid may commit: a trillion of its quote asset.
pub const MAX_CAPITAL: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Spacing {
    /// Equal difference between levels.
    #[default]
    Arithmetic,
    /// Equal ratio between levels.
    Geometric,
}

impl FromStr for Spacing {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "arithmetic" => Ok(Spacing::Arithmetic),
            "geometric" => Ok(Spacing::Geometric),
            _ => Err(Error::field("spacing", format!("must be arithmetic or geometric, got {s:?}"))),
        }
    }
}

impl fmt::Display for Spacing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Spacing::Arithmetic => "arithmetic",
            Spacing::Geometric => "geometric",
        })
    }
}

/// What pays a fill's fee (`spec/grid.md`, "Fees in the base asset").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeeAsset {
    /// Every fee in quote; also how fees paid in BNB are modelled.
    #[default]
    Quote,
    /// Binance's default without BNB: a buy pays in the base it receives, a sell in the quote it receives.
    Base,
}

impl FromStr for FeeAsset {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "quote" => Ok(FeeAsset::Quote),
            "base" => Ok(FeeAsset::Base),
            _ => Err(Error::field("fee_asset", format!("must be quote or base, got {s:?}"))),
        }
    }
}

impl fmt::Display for FeeAsset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FeeAsset::Quote => "quote",
            FeeAsset::Base => "base",
        })
    }
}

/// Unvalidated grid parameters, as they arrive from a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridConfigInput {
    pub lower: Decimal,
    pub upper: Decimal,
    pub levels: usize,
    #[serde(default)]
    pub spacing: Spacing,
    pub capital: Decimal,
    #[serde(default = "default_fee_rate")]
    pub fee_rate: Decimal,
    #[serde(default)]
    pub fee_asset: FeeAsset,
    #[serde(default)]
    pub stop_loss_pct: Option<Decimal>,
    #[serde(default)]
    pub take_profit_pct: Option<Decimal>,
    #[serde(default)]
    pub max_daily_loss: Option<Decimal>,
}

/// The spec's default fee: 0.1 % of notional.
pub fn default_fee_rate() -> Decimal {
    Decimal::new(1, 3)
}

/// Validated grid parameters; every value is in range (see [`GridConfig::new`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GridConfig {
    lower: Decimal,
    upper: Decimal,
    levels: usize,
    spacing: Spacing,
    capital: Decimal,
    fee_rate: Decimal,
    fee_asset: FeeAsset,
    stop_loss_pct: Option<Decimal>,
    take_profit_pct: Option<Decimal>,
    max_daily_loss: Option<Decimal>,
}

impl GridConfig {
    /// Validates every field and reports all failures at once.
    pub fn new(input: GridConfigInput) -> Result<Self, Error> {
        let mut errs = Vec::new();
        let mut fail = |field: &'static str, reason: String| errs.push(FieldError { field, reason });
        let places = |v: Decimal| v.normalize().scale();
        if input.lower <= Decimal::ZERO {
            fail("lower", format!("must be greater than 0, got {}", input.lower));
        } else if places(input.lower) > MAX_DP {
            fail("lower", format!("at most {MAX_DP} decimal places, got {}", input.lower));
        }
        if places(input.upper) > MAX_DP {
            fail("upper", format!("at most {MAX_DP} decimal places, got {}", input.upper));
        }
        if input.lower > MAX_PRICE {
            fail("lower", format!("must be at most {MAX_PRICE}, got {}", input.lower));
        }
        if input.upper > MAX_PRICE {
            fail("upper", format!("must be at most {MAX_PRICE}, got {}", input.upper));
        }
        if input.lower >= input.upper {
            fail("lower", format!("must be below upper ({} >= {})", input.lower, input.upper));
        }
        if !(MIN_LEVELS..=MAX_LEVELS).contains(&input.levels) {
            fail("levels", format!("must be between {MIN_LEVELS} and {MAX_LEVELS}, got {}", input.levels));
        }
        if input.capital <= Decimal::ZERO {
            fail("capital", format!("must be greater than 0, got {}", input.capital));
        } else if input.capital > MAX_CAPITAL {
            fail("capital", format!("must be at most {MAX_CAPITAL}, got {}", input.capital));
        } else if places(input.capital) > MAX_DP {
            fail("capital", format!("at most {MAX_DP} decimal places, got {}", input.capital));
        }
        if input.fee_rate < Decimal::ZERO || input.fee_rate >= Decimal::new(1, 1) {
            fail("fee_rate", format!("must be at least 0 and below 0.1 (10%), got {}", input.fee_rate));
        } else if places(input.fee_rate) > MAX_DP {
            fail("fee_rate", format!("at most {MAX_DP} decimal places, got {}", input.fee_rate));
        }
        if let Some(s) = input.stop_loss_pct {
            // 0 stops at the lower bound; 100 puts the stop at 0, where it never triggers.
            if s < Decimal::ZERO || s > Decimal::ONE_HUNDRED {
                fail("stop_loss_pct", format!("must be between 0 and 100, got {s}"));
            }
        }
        if let Some(t) = input.take_profit_pct {
            // 0 takes profit at the upper bound.
            if t < Decimal::ZERO || t > Decimal::new(10_000, 0) {
                fail("take_profit_pct", format!("must be between 0 and 10000, got {t}"));
            }
        }
        if let Some(m) = input.max_daily_loss
            && (m <= Decimal::ZERO || m > MAX_CAPITAL)
        {
            fail("max_daily_loss", format!("must be greater than 0 and at most {MAX_CAPITAL}, got {m}"));
        }
        if !errs.is_empty() {
            return Err(Error::Invalid(errs));
        }
        let n = |d: Decimal| d.normalize();
        Ok(GridConfig {
            lower: n(input.lower),
            upper: n(input.upper),
            levels: input.levels,
            spacing: input.spacing,
            capital: n(input.capital),
            fee_rate: n(input.fee_rate),
            fee_asset: input.fee_asset,
            stop_loss_pct: input.stop_loss_pct.map(n),
            take_profit_pct: input.take_profit_pct.map(n),
            max_daily_loss: input.max_daily_loss.map(n),
        })
    }

    pub fn lower(&self) -> Decimal {
        self.lower
    }
    pub fn upper(&self) -> Decimal {
        self.upper
    }
    pub fn levels(&self) -> usize {
        self.levels
    }
    pub fn spacing(&self) -> Spacing {
        self.spacing
    }
    pub fn capital(&self) -> Decimal {
        self.capital
    }
    pub fn fee_rate(&self) -> Decimal {
        self.fee_rate
    }
    pub fn fee_asset(&self) -> FeeAsset {
        self.fee_asset
    }
    pub fn stop_loss_pct(&self) -> Option<Decimal> {
        self.stop_loss_pct
    }
    pub fn take_profit_pct(&self) -> Option<Decimal> {
        self.take_profit_pct
    }
    pub fn max_daily_loss(&self) -> Option<Decimal> {
        self.max_daily_loss
    }
    /// `S = L * (1 - s/100)`, when a stop loss is set.
    pub fn stop_loss_price(&self) -> Option<Decimal> {
        self.stop_loss_pct.map(|s| (self.lower * (Decimal::ONE - s / Decimal::ONE_HUNDRED)).normalize())
    }
    /// `T = U * (1 + t/100)`, when a take profit is set.
    pub fn take_profit_price(&self) -> Option<Decimal> {
        self.take_profit_pct.map(|t| (self.upper * (Decimal::ONE + t / Decimal::ONE_HUNDRED)).normalize())
    }
    /// The unvalidated form, for editing and storage.
    pub fn to_input(&self) -> GridConfigInput {
        GridConfigInput {
            lower: self.lower,
            upper: self.upper,
            levels: self.levels,
            spacing: self.spacing,
            capital: self.capital,
            fee_rate: self.fee_rate,
            fee_asset: self.fee_asset,
            stop_loss_pct: self.stop_loss_pct,
            take_profit_pct: self.take_profit_pct,
            max_daily_loss: self.max_daily_loss,
        }
    }
}

impl TryFrom<GridConfigInput> for GridConfig {
    type Error = Error;
    fn try_from(input: GridConfigInput) -> Result<Self, Error> {
        GridConfig::new(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    pub(crate) fn input() -> GridConfigInput {
        GridConfigInput {
            lower: dec!(95000),
            upper: dec!(105000),
            levels: 20,
            spacing: Spacing::Arithmetic,
            capital: dec!(10000),
            fee_rate: dec!(0.001),
            fee_asset: FeeAsset::Quote,
            stop_loss_pct: Some(dec!(2)),
            take_profit_pct: None,
            max_daily_loss: Some(dec!(500)),
        }
    }

    #[test]
    fn valid_config_and_stop_prices() {
        let c = GridConfig::new(input()).unwrap();
        assert_eq!(c.stop_loss_price(), Some(dec!(93100)));
        assert_eq!(c.take_profit_price(), None);
        assert_eq!(GridConfig::new(c.to_input()).unwrap(), c);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = GridConfigInput {
            lower: dec!(105000),
            upper: dec!(95000),
            levels: 201,
            capital: dec!(0),
            fee_rate: dec!(-0.1),
            stop_loss_pct: Some(dec!(100.5)),
            take_profit_pct: Some(dec!(-1)),
            max_daily_loss: Some(dec!(-1)),
            ..input()
        };
        let e = GridConfig::new(bad).unwrap_err();
        let fields: Vec<_> = e.fields().iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            ["lower", "levels", "capital", "fee_rate", "stop_loss_pct", "take_profit_pct", "max_daily_loss"]
        );
        assert!(e.to_string().contains("lower: must be below upper"));
        let one = GridConfig::new(GridConfigInput { levels: 1, ..input() }).unwrap_err();
        assert_eq!(one.fields()[0].field, "levels");
    }

    #[test]
    fn spacing_parses() {
        assert_eq!("Geometric".parse::<Spacing>().unwrap(), Spacing::Geometric);
        assert!("linear".parse::<Spacing>().is_err());
    }
}
