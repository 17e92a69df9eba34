//! The strategy plugin interface: a [`Strategy`] turns market data into order signals, reacts to fills, and says
//! what it tells the AI; a [`Registry`] builds strategies by name (`"grid"` → [`GridStrategy`], `"mean_reversion"`
//! → [`MeanReversionStrategy`]) and describes them, so the rest of the system never names a concrete strategy.

mod grid;
pub mod mean_reversion;

use std::{collections::BTreeMap, fmt};

use rust_decimal::Decimal;
use serde::Serialize;

pub use grid::{GridParams, GridStrategy, OutOfRange, bot_fee_asset};
pub use mean_reversion::MeanReversionStrategy;

use crate::{Error, Side, Symbol, SymbolFilters, engine::OrderIntent, indicators::Indicators, ledger::StopReason};

/// A point of the market as a strategy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketData {
    pub price: Decimal,
    /// Milliseconds since the epoch.
    pub time: i64,
}

/// A fill the exchange reported for one of the strategy's orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FillReport {
    pub side: Side,
    pub level: usize,
}

/// What a strategy asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Signal {
    /// Place this order.
    Place(OrderIntent),
    /// A resting order was touched by the price and should be treated as filled (paper and backtest).
    Filled { side: Side, level: usize },
    /// Stop: cancel everything and sell the lots at `price`.
    Stop { reason: StopReason, price: Decimal },
}

/// The market facts an AI prompt is built from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketSnapshot {
    pub symbol: Symbol,
    pub indicators: Indicators,
    pub capital: Decimal,
    pub filters: SymbolFilters,
}

/// What a strategy hands the AI: instructions, the facts, and the JSON schema its answer must follow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AiContext {
    pub system: String,
    pub prompt: String,
    /// The tool's name and its input schema (`additionalProperties: false`).
    pub tool_name: String,
    pub schema: serde_json::Value,
}

pub trait Strategy: Send + fmt::Debug {
    /// The registry name.
    fn name(&self) -> &'static str;
    /// Starts at the first price seen: the orders to place.
    fn start(&mut self, filters: &SymbolFilters, data: &MarketData) -> Result<Vec<Signal>, Error>;
    /// A new market price: fills it implies on the strategy's own book, and stops.
    fn on_market(&mut self, data: &MarketData) -> Result<Vec<Signal>, Error>;
    /// A fill reported by the exchange: the orders to place in response.
    fn on_fill(&mut self, fill: &FillReport) -> Result<Vec<Signal>, Error>;
    /// The strategy's prompt for the AI, from a market snapshot.
    fn ai_context(&self, market: &MarketSnapshot) -> AiContext;
}

/// Builds a strategy from its JSON config.
pub type Factory = fn(&serde_json::Value) -> Result<Box<dyn Strategy>, Error>;

/// What the registry says about a strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StrategyInfo {
    /// The registry name, what a bot's `strategy` and `gridbot backtest --strategy` name.
    pub name: &'static str,
    pub description: &'static str,
    /// Whether paper and live bots run it; a strategy without it is backtested only, for now.
    pub bots: bool,
}

pub const GRID_DESCRIPTION: &str = "Grid: buy orders on price levels below the price and sell orders above it, each \
                                    fill answered by its counter-order one level away.";

/// Strategies by name.
#[derive(Clone)]
pub struct Registry {
    entries: BTreeMap<&'static str, (StrategyInfo, Factory)>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries.values().map(|(info, _)| info)).finish()
    }
}

impl Default for Registry {
    /// The built-in strategies: `grid`, and `mean_reversion` (backtests only until bots run it).
    fn default() -> Self {
        let mut r = Registry::empty();
        r.register(StrategyInfo { name: "grid", description: GRID_DESCRIPTION, bots: true }, GridStrategy::from_json);
        r.register(
            StrategyInfo { name: mean_reversion::NAME, description: mean_reversion::DESCRIPTION, bots: false },
            MeanReversionStrategy::from_json,
        );
        r
    }
}

impl Registry {
    pub fn empty() -> Self {
        Registry { entries: BTreeMap::new() }
    }
    pub fn register(&mut self, info: StrategyInfo, factory: Factory) {
        self.entries.insert(info.name, (info, factory));
    }
    /// Every strategy's name, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.entries.keys().copied().collect()
    }
    /// The strategies bots can run.
    pub fn bot_names(&self) -> Vec<&'static str> {
        self.entries.values().filter(|(i, _)| i.bots).map(|(i, _)| i.name).collect()
    }
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }
    pub fn runs_bots(&self, name: &str) -> bool {
        self.info(name).is_some_and(|i| i.bots)
    }
    pub fn info(&self, name: &str) -> Option<StrategyInfo> {
        self.entries.get(name).map(|(info, _)| *info)
    }
    pub fn infos(&self) -> Vec<StrategyInfo> {
        self.entries.values().map(|(info, _)| *info).collect()
    }
    pub fn build(&self, name: &str, config: &serde_json::Value) -> Result<Box<dyn Strategy>, Error> {
        let (_, factory) = self.entries.get(name).ok_or_else(|| {
            Error::field("strategy", format!("unknown strategy {name:?}; known: {}", self.names().join(", ")))
        })?;
        factory(config)
    }
}
