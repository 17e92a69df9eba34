//! The grid as a [`Strategy`]: its JSON config (the product's names) and its AI prompt.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    AiContext, GRID_DESCRIPTION, GridRuntime, MarketSnapshot, Plugin, Runtime, Strategy, StrategyInfo, schema,
};
use crate::{
    Error, FeeAsset, GridConfig, GridConfigInput, Spacing,
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

/// The grid as the AI sees it.
#[derive(Debug, Clone)]
pub struct GridStrategy {
    config: GridConfig,
}

impl GridStrategy {
    pub fn new(config: GridConfig) -> Self {
        GridStrategy { config }
    }

    pub fn from_json(value: &serde_json::Value) -> Result<Box<dyn Strategy>, Error> {
        Ok(Box::new(GridStrategy::new(GridParams::from_json(value)?.to_config()?)))
    }
}

impl Strategy for GridStrategy {
    fn name(&self) -> &'static str {
        "grid"
    }

    fn ai_context(&self, m: &MarketSnapshot) -> AiContext {
        let prompt = format!(
            "Propose a spot grid for {pair} on Binance.\n\
             {facts}\
             Capital: {cap} {quote}\nTick size: {tick}; step size: {step}; minimum order value: {mn} {quote}\n\
             Fee per fill: 0.1% of notional.\nCurrent config: {cur} .\n\
             Each grid round trip earns one level's spacing minus two fees, so spacing must exceed 0.2% of price. \
             The price must lie strictly inside [grid_lower, grid_upper]; every order must be worth at least the minimum \
             order value (capital / levels per order).",
            pair = m.symbol.pair(),
            facts = m.facts(),
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

/// The grid as the registry holds it.
pub(super) fn plugin() -> Plugin {
    Plugin {
        info: StrategyInfo {
            name: "grid",
            title: "Grid",
            description: GRID_DESCRIPTION,
            bots: true,
            live: true,
            ai: true,
        },
        factory: GridStrategy::from_json,
        schema: schema::grid,
        bot_config: |value| {
            let params = GridParams::from_json(value)?;
            params.to_config()?;
            serde_json::to_value(&params).map_err(|e| Error::Strategy(format!("grid config: {e}")))
        },
        runtime: |config, filters, start_price, _| {
            let config = GridParams::from_json(config)?.to_config()?;
            Ok(Box::new(GridRuntime::start(&config, filters, start_price)?) as Box<dyn Runtime>)
        },
    }
}

/// The JSON field names of [`GridParams`].
const FIELDS: [&str; 12] = [
    "capital",
    "lower_bound",
    "upper_bound",
    "grid_levels",
    "spacing",
    "fee_rate",
    "fee_asset",
    "stop_loss_pct",
    "take_profit_pct",
    "max_daily_loss",
    "out_of_range",
    "sell_on_stop",
];

impl GridParams {
    /// Reads the JSON config; a field of the wrong type, a missing one or an unknown one is an error naming it.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, Error> {
        crate::error::parse_config(value, "grid", &FIELDS)
    }
}
