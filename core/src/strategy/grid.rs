//! The grid as a [`Strategy`]: its JSON config (the product's names) and its AI prompt.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{AiContext, FillReport, MarketData, MarketSnapshot, Signal, Strategy};
use crate::{
    Error, FeeAsset, GridConfig, GridConfigInput, GridEngine, Spacing, SymbolFilters,
    config::{MAX_LEVELS, MIN_LEVELS, default_fee_rate},
    error::FieldError,
    money::serde_decimal,
};

/// A grid bot's config as the API and the `bots` table hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridParams {
    #[serde(with = "serde_decimal")]
    pub capital: Decimal,
    #[serde(with = "serde_decimal")]
    pub lower_bound: Decimal,
    #[serde(with = "serde_decimal")]
    pub upper_bound: Decimal,
    pub grid_levels: usize,
    #[serde(default)]
    pub spacing: Spacing,
    #[serde(default, with = "serde_decimal::option", skip_serializing_if = "Option::is_none")]
    pub fee_rate: Option<Decimal>,
    /// What pays the fees: `base` (Binance's default without BNB, and a bot's) or `quote` (fees paid in BNB).
    #[serde(default = "bot_fee_asset")]
    pub fee_asset: FeeAsset,
    #[serde(default, with = "serde_decimal::option")]
    pub stop_loss_pct: Option<Decimal>,
    #[serde(default, with = "serde_decimal::option")]
    pub take_profit_pct: Option<Decimal>,
    #[serde(default, with = "serde_decimal::option")]
    pub max_daily_loss: Option<Decimal>,
    /// What the bot does when the price leaves the grid's range.
    #[serde(default, skip_serializing_if = "OutOfRange::is_hold")]
    pub out_of_range: OutOfRange,
    /// Sell the base held when the bot is stopped by the user (stop loss and take profit always sell).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sell_on_stop: bool,
}

/// The policy when the price leaves `[lower, upper]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutOfRange {
    /// Keep the orders; the grid waits for the price to come back.
    #[default]
    Hold,
    /// Sell the lots at market and start the same grid again centred on the price.
    Trail,
    /// Stop the bot (selling the lots when `sell_on_stop`).
    Stop,
}

/// A bot pays its fees as an account without BNB does: in the asset each fill delivers.
pub fn bot_fee_asset() -> FeeAsset {
    FeeAsset::Base
}

impl OutOfRange {
    fn is_hold(&self) -> bool {
        *self == OutOfRange::Hold
    }
}

impl GridParams {
    /// Validates into a [`GridConfig`]; errors name the product's fields (`lower_bound`, `grid_levels`, …).
    pub fn to_config(&self) -> Result<GridConfig, Error> {
        GridConfig::new(GridConfigInput {
            lower: self.lower_bound,
            upper: self.upper_bound,
            levels: self.grid_levels,
            spacing: self.spacing,
            capital: self.capital,
            fee_rate: self.fee_rate.unwrap_or_else(default_fee_rate),
            fee_asset: self.fee_asset,
            stop_loss_pct: self.stop_loss_pct,
            take_profit_pct: self.take_profit_pct,
            max_daily_loss: self.max_daily_loss,
        })
        .map_err(|e| match e {
            Error::Invalid(fields) => Error::Invalid(
                fields
                    .into_iter()
                    .map(|f| FieldError {
                        field: match f.field {
                            "lower" => "lower_bound",
                            "upper" => "upper_bound",
                            "levels" => "grid_levels",
                            other => other,
                        },
                        reason: f.reason.replace("below upper", "below upper_bound"),
                    })
                    .collect(),
            ),
            other => other,
        })
    }

    pub fn from_config(c: &GridConfig) -> Self {
        GridParams {
            capital: c.capital(),
            lower_bound: c.lower(),
            upper_bound: c.upper(),
            grid_levels: c.levels(),
            spacing: c.spacing(),
            fee_rate: (c.fee_rate() != default_fee_rate()).then_some(c.fee_rate()),
            fee_asset: c.fee_asset(),
            stop_loss_pct: c.stop_loss_pct(),
            take_profit_pct: c.take_profit_pct(),
            max_daily_loss: c.max_daily_loss(),
            out_of_range: OutOfRange::Hold,
            sell_on_stop: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct GridStrategy {
    config: GridConfig,
    engine: Option<GridEngine>,
    last_price: Option<Decimal>,
}

impl GridStrategy {
    pub fn new(config: GridConfig) -> Self {
        GridStrategy { config, engine: None, last_price: None }
    }

    pub fn from_json(value: &serde_json::Value) -> Result<Box<dyn Strategy>, Error> {
        let params: GridParams =
            serde_json::from_value(value.clone()).map_err(|e| Error::Strategy(format!("grid config: {e}")))?;
        Ok(Box::new(GridStrategy::new(params.to_config()?)))
    }

    pub fn engine(&self) -> Option<&GridEngine> {
        self.engine.as_ref()
    }

    fn engine_mut(&mut self) -> Result<&mut GridEngine, Error> {
        self.engine.as_mut().ok_or_else(|| Error::State("the grid has not started".into()))
    }
}

impl Strategy for GridStrategy {
    fn name(&self) -> &'static str {
        "grid"
    }

    fn start(&mut self, filters: &SymbolFilters, data: &MarketData) -> Result<Vec<Signal>, Error> {
        let engine = GridEngine::start(&self.config, filters, data.price)?;
        let signals = engine.initial_buy().into_iter().chain(engine.resting_orders()).map(Signal::Place).collect();
        self.engine = Some(engine);
        self.last_price = Some(data.price);
        Ok(signals)
    }

    fn on_market(&mut self, data: &MarketData) -> Result<Vec<Signal>, Error> {
        let from = self.last_price.replace(data.price).unwrap_or(data.price);
        let engine = self.engine_mut()?;
        let mut out = Vec::new();
        for (side, level) in engine.on_segment(from, data.price)? {
            out.push(Signal::Filled { side, level });
        }
        if let Some(stop) = engine.ledger().stop() {
            out.push(Signal::Stop { reason: stop.reason, price: stop.price });
        }
        Ok(out)
    }

    fn on_fill(&mut self, fill: &FillReport) -> Result<Vec<Signal>, Error> {
        Ok(vec![Signal::Place(self.engine_mut()?.book_fill(fill.side, fill.level)?)])
    }

    fn ai_context(&self, m: &MarketSnapshot) -> AiContext {
        let i = &m.indicators;
        let list = |v: &[Decimal]| v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        let prompt = format!(
            "Propose a spot grid for {pair} on Binance.\n\
             Current price: {price}\n24h range: {low} - {high}\n24h volume (base): {vol}\n\
             Volatility of 1-minute log returns: {v:.6} (annualized {va:.4})\nATR(14, 1h): {atr}\n\
             Support levels: {sup}\nResistance levels: {res}\n\
             Capital: {cap} {quote}\nTick size: {tick}; step size: {step}; minimum order value: {mn} {quote}\n\
             Fee per fill: 0.1% of notional.\nCurrent config: {cur} .\n\
             Each grid round trip earns one level's spacing minus two fees, so spacing must exceed 0.2% of price. \
             The price must lie strictly inside [grid_lower, grid_upper]; every order must be worth at least the minimum \
             order value (capital / levels per order).",
            pair = m.symbol.pair(),
            price = i.price,
            low = i.low_24h,
            high = i.high_24h,
            vol = i.volume_24h,
            v = i.volatility,
            va = i.volatility_annualized,
            atr = i.atr,
            sup = list(&i.support),
            res = list(&i.resistance),
            cap = m.capital,
            quote = m.symbol.quote(),
            tick = m.filters.tick_size,
            step = m.filters.step_size,
            mn = m.filters.min_notional,
            cur = serde_json::to_string(&GridParams::from_config(&self.config)).unwrap_or_default(),
        );
        AiContext {
            system: "You are a quantitative trader who sizes spot grid-trading bots. Use the market data to choose a range \
                     the price is likely to oscillate in over the next days, and a number of levels whose spacing earns \
                     well above fees. Answer only through the tool."
                .into(),
            prompt,
            tool_name: "propose_grid".into(),
            schema: json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["grid_lower", "grid_upper", "num_levels", "confidence", "reasoning", "risk_level"],
                "properties": {
                    "grid_lower": {"type": "number", "description": "lowest grid price, below the current price"},
                    "grid_upper": {"type": "number", "description": "highest grid price, above the current price"},
                    "num_levels": {"type": "integer", "minimum": MIN_LEVELS, "maximum": MAX_LEVELS},
                    "confidence": {"type": "integer", "minimum": 0, "maximum": 100},
                    "reasoning": {"type": "string"},
                    "risk_level": {"type": "string", "enum": ["low", "medium", "high"]}
                }
            }),
        }
    }
}
