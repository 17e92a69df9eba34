//! The strategy plugin interface: a [`Strategy`] turns market data into order signals, reacts to fills, and says
//! what it tells the AI; a [`Registry`] builds strategies by name (`"grid"` → [`GridStrategy`]), so the rest of the
//! system never names a concrete strategy.

mod grid;

use std::{collections::BTreeMap, fmt};

use rust_decimal::Decimal;
use serde::Serialize;

pub use grid::{GridParams, GridStrategy, OutOfRange, bot_fee_asset};

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

/// Strategies by name.
#[derive(Clone)]
pub struct Registry {
    factories: BTreeMap<&'static str, Factory>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.factories.keys()).finish()
    }
}

impl Default for Registry {
    /// The built-in strategies: `grid`.
    fn default() -> Self {
        let mut r = Registry::empty();
        r.register("grid", GridStrategy::from_json);
        r
    }
}

impl Registry {
    pub fn empty() -> Self {
        Registry { factories: BTreeMap::new() }
    }
    pub fn register(&mut self, name: &'static str, factory: Factory) {
        self.factories.insert(name, factory);
    }
    pub fn names(&self) -> Vec<&'static str> {
        self.factories.keys().copied().collect()
    }
    pub fn contains(&self, name: &str) -> bool {
        self.factories.contains_key(name)
    }
    pub fn build(&self, name: &str, config: &serde_json::Value) -> Result<Box<dyn Strategy>, Error> {
        let factory = self.factories.get(name).ok_or_else(|| {
            Error::field("strategy", format!("unknown strategy {name:?}; known: {}", self.names().join(", ")))
        })?;
        factory(config)
    }
}
