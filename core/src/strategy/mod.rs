//! The strategy plugins: each is a [`Plugin`] — its [`Runtime`] (what backtest, paper and live drive), its config's
//! JSON Schema and validation, and a [`Strategy`] that says what it tells the AI; a [`Registry`] builds strategies by name (`"grid"` → [`GridStrategy`], `"mean_reversion"`
//! → [`MeanReversionStrategy`]) and describes them, so the rest of the system never names a concrete strategy.

mod grid;
mod grid_runtime;
pub mod mean_reversion;
pub mod runtime;
pub mod schema;

use std::{collections::BTreeMap, fmt};

use rust_decimal::Decimal;
use serde::Serialize;

pub use grid::{GridParams, GridStrategy, OutOfRange, bot_fee_asset};
pub use grid_runtime::{GridRuntime, grid_tag, parse_grid_tag};
pub use mean_reversion::{MeanReversionRuntime, MeanReversionStrategy};
pub use runtime::Runtime;

use crate::{Error, Symbol, SymbolFilters, indicators::Indicators};

/// The market facts an AI prompt is built from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketSnapshot {
    pub symbol: Symbol,
    pub indicators: Indicators,
    pub capital: Decimal,
    pub filters: SymbolFilters,
}

impl MarketSnapshot {
    /// The market's facts as every strategy's prompt states them, one a line (each line ends with a newline).
    pub fn facts(&self) -> String {
        let i = &self.indicators;
        let list = |v: &[Decimal]| v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        format!(
            "Current price: {price}\n24h range: {low} - {high}\n24h volume (base): {vol}\n\
             Volatility of 1-minute log returns: {v:.6} (annualized {va:.4})\nATR(14, 1h): {atr}\n\
             Support levels: {sup}\nResistance levels: {res}\n",
            price = i.price,
            low = i.low_24h,
            high = i.high_24h,
            vol = i.volume_24h,
            v = i.volatility,
            va = i.volatility_annualized,
            atr = i.atr,
            sup = list(&i.support),
            res = list(&i.resistance),
        )
    }
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

/// A strategy as the AI sees it: its name and the context its proposals are asked with. Trading goes through its
/// [`Runtime`].
pub trait Strategy: Send + fmt::Debug {
    /// The registry name.
    fn name(&self) -> &'static str;
    /// The strategy's prompt for the AI, from a market snapshot.
    fn ai_context(&self, market: &MarketSnapshot) -> AiContext;
}

/// Builds a strategy from its JSON config.
pub type Factory = fn(&serde_json::Value) -> Result<Box<dyn Strategy>, Error>;

/// A bot's runtime: its stored config, the exchange's filters, the run's start price and its snapshot (if any).
pub type RuntimeFactory = fn(
    config: &serde_json::Value,
    filters: &SymbolFilters,
    start_price: Decimal,
    snapshot: Option<&serde_json::Value>,
) -> Result<Box<dyn Runtime>, Error>;

/// What the registry says about a strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StrategyInfo {
    /// The registry name, what a bot's `strategy` and `gridbot backtest --strategy` name.
    pub name: &'static str,
    /// Its name for people.
    pub title: &'static str,
    pub description: &'static str,
    /// Whether paper and live bots run it; a strategy without it is backtested only.
    pub bots: bool,
    /// Whether live bots run it (else paper only, for now).
    pub live: bool,
    /// Whether the AI proposes configs for it.
    pub ai: bool,
}

/// Everything the registry holds of a strategy: how to build it, its config schema, how a bot's config is checked
/// and stored, and its runtime.
#[derive(Debug, Clone, Copy)]
pub struct Plugin {
    pub info: StrategyInfo,
    pub factory: Factory,
    /// Its bot config's JSON Schema.
    pub schema: fn() -> serde_json::Value,
    /// Validates a bot's config (errors name the field) and returns it as stored.
    pub bot_config: fn(&serde_json::Value) -> Result<serde_json::Value, Error>,
    pub runtime: RuntimeFactory,
}

pub const GRID_DESCRIPTION: &str = "Grid: buy orders on price levels below the price and sell orders above it, each \
                                    fill answered by its counter-order one level away.";

/// Strategies by name.
#[derive(Clone)]
pub struct Registry {
    entries: BTreeMap<&'static str, Plugin>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries.values().map(|p| p.info)).finish()
    }
}

impl Default for Registry {
    /// The built-in strategies: `grid` and `mean_reversion`.
    fn default() -> Self {
        let mut r = Registry::empty();
        r.register(grid::plugin());
        r.register(mean_reversion::plugin());
        r
    }
}

impl Registry {
    pub fn empty() -> Self {
        Registry { entries: BTreeMap::new() }
    }
    pub fn register(&mut self, plugin: Plugin) {
        self.entries.insert(plugin.info.name, plugin);
    }
    /// Every strategy's name, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.entries.keys().copied().collect()
    }
    /// The strategies bots can run.
    pub fn bot_names(&self) -> Vec<&'static str> {
        self.entries.values().filter(|p| p.info.bots).map(|p| p.info.name).collect()
    }
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }
    pub fn runs_bots(&self, name: &str) -> bool {
        self.info(name).is_some_and(|i| i.bots)
    }
    pub fn info(&self, name: &str) -> Option<StrategyInfo> {
        self.entries.get(name).map(|p| p.info)
    }
    pub fn infos(&self) -> Vec<StrategyInfo> {
        self.entries.values().map(|p| p.info).collect()
    }
    pub fn plugins(&self) -> impl Iterator<Item = &Plugin> {
        self.entries.values()
    }
    fn plugin(&self, name: &str) -> Result<&Plugin, Error> {
        self.entries.get(name).ok_or_else(|| {
            Error::field("strategy", format!("unknown strategy {name:?}; known: {}", self.names().join(", ")))
        })
    }
    pub fn build(&self, name: &str, config: &serde_json::Value) -> Result<Box<dyn Strategy>, Error> {
        (self.plugin(name)?.factory)(config)
    }
    /// A bot's config of strategy `name`, validated (errors name the field), as stored.
    pub fn bot_config(&self, name: &str, config: &serde_json::Value) -> Result<serde_json::Value, Error> {
        let plugin = self.plugin(name)?;
        if !plugin.info.bots {
            return Err(Error::field("strategy", format!("strategy {name:?} is backtested only")));
        }
        (plugin.bot_config)(config)
    }
    /// The runtime of a bot of strategy `name`.
    pub fn runtime(
        &self,
        name: &str,
        config: &serde_json::Value,
        filters: &SymbolFilters,
        start_price: Decimal,
        snapshot: Option<&serde_json::Value>,
    ) -> Result<Box<dyn Runtime>, Error> {
        (self.plugin(name)?.runtime)(config, filters, start_price, snapshot)
    }
}
