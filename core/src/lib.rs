//! Gridbot's domain, with no I/O: exact money types, symbols and exchange filters, the grid of `spec/grid.md`
//! (levels, sizing, the engine and its ledger), the candle price path, the backtester and parameter sweeps,
//! market indicators, the `Strategy` trait with its registry, and the mean-reversion strategy of
//! `spec/mean-reversion.md` (`strategy::mean_reversion`).
//!
//! Everything that trades — backtest, paper and live — drives [`engine::GridEngine`], so a backtest predicts
//! exactly what paper mode does on the same prices.

pub mod backtest;
pub mod candles;
pub mod config;
pub mod engine;
pub mod error;
pub mod filters;
pub mod ids;
pub mod indicators;
pub mod ledger;
pub mod levels;
pub mod money;
pub mod strategy;
pub mod sweep;
pub mod symbol;
mod units;
mod wide;

pub use backtest::{BacktestResult, backtest};
pub use candles::{Candle, Candles};
pub use config::{FeeAsset, GridConfig, GridConfigInput, Spacing};
pub use engine::GridEngine;
pub use error::{Error, FieldError};
pub use filters::SymbolFilters;
pub use ids::{BotId, ClientOrderId, Side};
pub use money::{Price, Qty};
pub use rust_decimal::Decimal;
pub use symbol::Symbol;
