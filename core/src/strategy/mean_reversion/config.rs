//! The mean-reversion strategy's config: [`MeanReversionParams`] as its JSON arrives (the inputs and defaults of
//! `spec/mean-reversion.md`), and [`MeanReversionConfig`], built only through validation that names every failing
//! field.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    Error, FeeAsset, SymbolFilters,
    config::{MAX_CAPITAL, default_fee_rate},
    error::FieldError,
    money::serde_decimal,
};

/// Fewest and most candles in the moving average.
pub const MIN_WINDOW: usize = 2;
pub const MAX_WINDOW: usize = 500;
/// The widest band, in standard deviations.
pub const MAX_BAND_SD: u32 = 10;
pub const MAX_BAND: Decimal = Decimal::from_parts(MAX_BAND_SD, 0, 0, false, 0);
/// Most decimal places accepted for any decimal input (Binance's precision); it bounds the books' integer units.
const MAX_DP: u32 = 8;

/// The JSON field names, in order.
pub const FIELDS: [&str; 9] =
    ["capital", "window", "band", "stop_loss_pct", "fee_rate", "fee_asset", "tick_size", "step_size", "min_notional"];

/// A mean-reversion bot's config as it arrives. Decimals may be JSON strings or numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeanReversionParams {
    /// Quote committed to the bot.
    #[serde(with = "serde_decimal")]
    pub capital: Decimal,
    /// Candles in the moving average, `2..=500`.
    #[serde(default = "default_window")]
    pub window: usize,
    /// Standard deviations below the mean an entry needs, `0 < band <= 10`.
    #[serde(default = "default_band", with = "serde_decimal")]
    pub band: Decimal,
    /// A long position is sold when the price falls to `entry * (1 - s/100)`; `0 < s < 100`.
    #[serde(default, with = "serde_decimal::option")]
    pub stop_loss_pct: Option<Decimal>,
    #[serde(default = "default_fee_rate", with = "serde_decimal")]
    pub fee_rate: Decimal,
    #[serde(default)]
    pub fee_asset: FeeAsset,
    #[serde(default = "default_tick_size", with = "serde_decimal")]
    pub tick_size: Decimal,
    #[serde(default = "default_step_size", with = "serde_decimal")]
    pub step_size: Decimal,
    #[serde(default = "default_min_notional", with = "serde_decimal")]
    pub min_notional: Decimal,
}

fn default_window() -> usize {
    20
}
fn default_band() -> Decimal {
    Decimal::TWO
}
fn default_tick_size() -> Decimal {
    SymbolFilters::btcusdt().tick_size
}
fn default_step_size() -> Decimal {
    SymbolFilters::btcusdt().step_size
}
fn default_min_notional() -> Decimal {
    SymbolFilters::btcusdt().min_notional
}

impl MeanReversionParams {
    /// Every input at the spec's default but the capital.
    pub fn with_capital(capital: Decimal) -> Self {
        MeanReversionParams {
            capital,
            window: default_window(),
            band: default_band(),
            stop_loss_pct: None,
            fee_rate: default_fee_rate(),
            fee_asset: FeeAsset::default(),
            tick_size: default_tick_size(),
            step_size: default_step_size(),
            min_notional: default_min_notional(),
        }
    }

    /// Reads the JSON config; a field of the wrong type, a missing `capital` or an unknown field is an error that
    /// names it.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, Error> {
        crate::error::parse_config(value, super::NAME, &FIELDS)
    }
}

/// Validated mean-reversion parameters; every value is in range (see [`MeanReversionConfig::new`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeanReversionConfig {
    params: MeanReversionParams,
    filters: SymbolFilters,
}

impl MeanReversionConfig {
    /// Validates every field and reports all failures at once.
    pub fn new(p: MeanReversionParams) -> Result<Self, Error> {
        let mut errs = Vec::new();
        let mut fail = |field: &'static str, reason: String| errs.push(FieldError { field, reason });
        let places = |v: Decimal| v.normalize().scale();
        if p.capital <= Decimal::ZERO || p.capital > MAX_CAPITAL {
            fail("capital", format!("must be greater than 0 and at most {MAX_CAPITAL}, got {}", p.capital));
        } else if places(p.capital) > MAX_DP {
            fail("capital", format!("at most {MAX_DP} decimal places, got {}", p.capital));
        }
        if !(MIN_WINDOW..=MAX_WINDOW).contains(&p.window) {
            fail("window", format!("must be between {MIN_WINDOW} and {MAX_WINDOW}, got {}", p.window));
        }
        if p.band <= Decimal::ZERO || p.band > MAX_BAND {
            fail("band", format!("must be greater than 0 and at most {MAX_BAND}, got {}", p.band));
        } else if places(p.band) > MAX_DP {
            fail("band", format!("at most {MAX_DP} decimal places, got {}", p.band));
        }
        if let Some(s) = p.stop_loss_pct {
            if s <= Decimal::ZERO || s >= Decimal::ONE_HUNDRED {
                fail("stop_loss_pct", format!("must be greater than 0 and below 100, got {s}"));
            } else if places(s) > MAX_DP {
                fail("stop_loss_pct", format!("at most {MAX_DP} decimal places, got {s}"));
            }
        }
        if p.fee_rate < Decimal::ZERO || p.fee_rate >= Decimal::new(1, 1) {
            fail("fee_rate", format!("must be at least 0 and below 0.1 (10%), got {}", p.fee_rate));
        } else if places(p.fee_rate) > MAX_DP {
            fail("fee_rate", format!("at most {MAX_DP} decimal places, got {}", p.fee_rate));
        }
        if p.min_notional > MAX_CAPITAL {
            fail("min_notional", format!("must be at most {MAX_CAPITAL}, got {}", p.min_notional));
        } else if places(p.min_notional) > MAX_DP {
            fail("min_notional", format!("at most {MAX_DP} decimal places, got {}", p.min_notional));
        }
        let filters = SymbolFilters::new(p.tick_size, p.step_size, p.min_notional);
        if let Err(Error::Invalid(v)) = &filters {
            errs.extend(v.iter().cloned());
        }
        let filters = match filters {
            Ok(f) if errs.is_empty() => f,
            _ => return Err(Error::Invalid(errs)),
        };
        let n = |d: Decimal| d.normalize();
        let params = MeanReversionParams {
            capital: n(p.capital),
            band: n(p.band),
            stop_loss_pct: p.stop_loss_pct.map(n),
            fee_rate: n(p.fee_rate),
            tick_size: n(p.tick_size),
            step_size: n(p.step_size),
            min_notional: n(p.min_notional),
            ..p
        };
        Ok(MeanReversionConfig { params, filters })
    }

    /// Reads and validates the JSON config.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, Error> {
        MeanReversionConfig::new(MeanReversionParams::from_json(value)?)
    }

    /// The validated inputs, for display and storage.
    pub fn params(&self) -> &MeanReversionParams {
        &self.params
    }
    pub fn capital(&self) -> Decimal {
        self.params.capital
    }
    pub fn window(&self) -> usize {
        self.params.window
    }
    pub fn band(&self) -> Decimal {
        self.params.band
    }
    pub fn stop_loss_pct(&self) -> Option<Decimal> {
        self.params.stop_loss_pct
    }
    pub fn fee_rate(&self) -> Decimal {
        self.params.fee_rate
    }
    pub fn fee_asset(&self) -> FeeAsset {
        self.params.fee_asset
    }
    pub fn filters(&self) -> &SymbolFilters {
        &self.filters
    }
}

impl TryFrom<MeanReversionParams> for MeanReversionConfig {
    type Error = Error;
    fn try_from(p: MeanReversionParams) -> Result<Self, Error> {
        MeanReversionConfig::new(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    #[test]
    fn defaults_are_the_specs() {
        let c = MeanReversionConfig::from_json(&json!({"capital": "1000"})).unwrap();
        assert_eq!((c.window(), c.band(), c.stop_loss_pct()), (20, dec!(2), None));
        assert_eq!((c.fee_rate(), c.fee_asset()), (dec!(0.001), FeeAsset::Quote));
        assert_eq!(c.filters(), &SymbolFilters::btcusdt());
        let same = MeanReversionConfig::new(MeanReversionParams::with_capital(dec!(1000))).unwrap();
        assert_eq!(same, c);
        let text = serde_json::to_value(c.params()).unwrap();
        assert_eq!(MeanReversionConfig::from_json(&text).unwrap(), c);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = json!({"capital": "0", "window": 1, "band": "10.5", "stop_loss_pct": "100", "fee_rate": "0.1",
                         "tick_size": "0", "step_size": "-1", "min_notional": "-1"});
        let e = MeanReversionConfig::from_json(&bad).unwrap_err();
        let fields: Vec<_> = e.fields().iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            ["capital", "window", "band", "stop_loss_pct", "fee_rate", "tick_size", "step_size", "min_notional"]
        );
        assert!(e.to_string().contains("window: must be between 2 and 500, got 1"), "{e}");
        let fine = json!({"capital": "1000", "band": "0.000000001"});
        assert_eq!(MeanReversionConfig::from_json(&fine).unwrap_err().fields()[0].field, "band");
        let zero_stop = json!({"capital": "1000", "stop_loss_pct": 0});
        assert_eq!(MeanReversionConfig::from_json(&zero_stop).unwrap_err().fields()[0].field, "stop_loss_pct");
        let huge = json!({"capital": "1e28"});
        assert!(MeanReversionConfig::from_json(&huge).is_err());
    }

    #[test]
    fn unreadable_json_names_the_field() {
        let e = MeanReversionConfig::from_json(&json!({"window": 20})).unwrap_err();
        assert_eq!(e.to_string(), "capital: required");
        let e = MeanReversionConfig::from_json(&json!({"capital": "1000", "window": "twenty"})).unwrap_err();
        assert_eq!(e.fields()[0].field, "window", "{e}");
        let e = MeanReversionConfig::from_json(&json!({"capital": "1000", "band": "wide"})).unwrap_err();
        assert_eq!(e.fields()[0].field, "band", "{e}");
        let e = MeanReversionConfig::from_json(&json!({"capital": "1000", "fee_asset": "bnb"})).unwrap_err();
        assert_eq!(e.fields()[0].field, "fee_asset", "{e}");
        let e = MeanReversionConfig::from_json(&json!({"capital": "1000", "levels": 20})).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("levels: unknown field; the mean_reversion config has {}", FIELDS.join(", "))
        );
        assert!(MeanReversionConfig::from_json(&json!([1, 2])).is_err());
    }
}
