//! The [`Exchange`] trait — what Gridbot needs from a spot exchange — and its implementation [`binance`] (signed
//! REST with weight limits and clock sync, market and user-data WebSockets with reconnects and gap signals). Paper
//! trading has one venue, the worker's, whose book is the database.

pub mod binance;
pub mod error;
pub mod types;

use async_trait::async_trait;
use gridbot_core::{Candle, Decimal, Symbol};
use tokio::sync::mpsc;

pub use error::{ExchangeError, Result};
pub use types::*;

/// A spot exchange. Every call is safe to retry when its error says so; order placement never creates a second
/// order for one client order id.
#[async_trait]
pub trait Exchange: Send + Sync + std::fmt::Debug {
    /// Every tradable symbol with its filters.
    async fn symbols(&self) -> Result<Vec<SymbolInfo>>;
    async fn symbol_info(&self, symbol: &Symbol) -> Result<SymbolInfo>;
    async fn price(&self, symbol: &Symbol) -> Result<Decimal>;
    async fn ticker_24h(&self, symbol: &Symbol) -> Result<Ticker24h>;
    /// Up to `limit` (≤ 1000) candles of `interval` (`1m`, `1h`, …) from `start` (ms), oldest first.
    async fn klines(&self, symbol: &Symbol, interval: &str, start: Option<i64>, limit: u16) -> Result<Vec<Candle>>;
    /// Up to `limit` (≤ 1000) of the market's aggregate trades, oldest first: from aggregate id `from_id`, or in
    /// the window `start`..=`end` (ms; at most an hour wide), or the most recent ones when neither is given.
    async fn agg_trades(
        &self,
        symbol: &Symbol,
        from_id: Option<i64>,
        start: Option<i64>,
        end: Option<i64>,
        limit: u16,
    ) -> Result<Vec<AggTrade>>;
    /// Places a limit (GTC) or market order, checked against the symbol's filters first.
    async fn place(&self, order: &OrderRequest) -> Result<ExchangeOrder>;
    async fn cancel(&self, symbol: &Symbol, client_order_id: &str) -> Result<ExchangeOrder>;
    /// Cancels every open order on the symbol; an empty list when there was none.
    async fn cancel_all(&self, symbol: &Symbol) -> Result<Vec<ExchangeOrder>>;
    /// The order with this client id; `None` when the exchange has none.
    async fn order(&self, symbol: &Symbol, client_order_id: &str) -> Result<Option<ExchangeOrder>>;
    async fn open_orders(&self, symbol: &Symbol) -> Result<Vec<ExchangeOrder>>;
    async fn balances(&self) -> Result<Vec<Balance>>;
    /// The account's trades on the symbol with id ≥ `from_id` (all recent ones when `None`), oldest first.
    async fn trades_since(&self, symbol: &Symbol, from_id: Option<i64>) -> Result<Vec<Trade>>;
    /// The account's trades of one order (`myTrades?orderId=`): what it executed and the commission charged.
    async fn order_trades(&self, symbol: &Symbol, order_id: i64) -> Result<Vec<Trade>>;
    /// Trades, 1-minute klines and book tickers of the symbols, reconnecting by itself; a `Gap` follows every
    /// reconnect. Dropping the receiver ends the stream.
    async fn market_stream(&self, symbols: &[Symbol]) -> Result<mpsc::Receiver<MarketEvent>>;
    /// The account's execution reports and balance changes, reconnecting and re-subscribing by itself.
    async fn user_stream(&self) -> Result<mpsc::Receiver<UserEvent>>;
    async fn health(&self) -> Health;
}
