//! Mean reversion (Bollinger), `spec/mean-reversion.md`: buy when a candle closes far below its moving average,
//! sell when the price returns to the average or falls to a stop. Its [`config`](MeanReversionConfig), the exact
//! signal arithmetic, the [engine](MeanReversionEngine) and its books, the [backtest], sweeps, and the registry's
//! [`MeanReversionStrategy`].

mod backtest;
mod books;
mod config;
mod engine;
mod runtime;
mod schema;
mod signal;
mod state;
mod strategy;
pub mod sweep;

pub use backtest::{MeanReversionResult, backtest};
pub use books::FRACTION_DP;
pub use config::{FIELDS, MAX_BAND, MAX_WINDOW, MIN_WINDOW, MeanReversionConfig, MeanReversionParams};
pub use engine::{MeanReversionEngine, Order, OrderReason};
pub use runtime::{MeanReversionRuntime, bot_config, bot_params};
pub use schema::schema;
pub use state::{MeanReversionState, PositionState};
pub(crate) use strategy::plugin;
pub use strategy::{DESCRIPTION, MeanReversionStrategy, NAME};
