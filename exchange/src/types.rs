//! What exchanges answer, in Gridbot's own types (decimals, core symbols and filters).

use gridbot_core::{Candle, ClientOrderId, Decimal, Side, Symbol, SymbolFilters};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SymbolInfo {
    pub symbol: Symbol,
    /// `TRADING` when orders are accepted.
    pub status: String,
    pub filters: SymbolFilters,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticker24h {
    pub last_price: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub volume: Decimal,
    pub quote_volume: Decimal,
    pub price_change_percent: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderType {
    Limit,
    Market,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    New,
    PartiallyFilled,
    Filled,
    Canceled,
    Rejected,
    Expired,
}

impl OrderStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "NEW" | "PENDING_NEW" => OrderStatus::New,
            "PARTIALLY_FILLED" => OrderStatus::PartiallyFilled,
            "FILLED" => OrderStatus::Filled,
            "CANCELED" | "PENDING_CANCEL" => OrderStatus::Canceled,
            "REJECTED" => OrderStatus::Rejected,
            "EXPIRED" | "EXPIRED_IN_MATCH" => OrderStatus::Expired,
            _ => return None,
        })
    }
    /// Still resting on the book.
    pub fn is_open(self) -> bool {
        matches!(self, OrderStatus::New | OrderStatus::PartiallyFilled)
    }
}

/// An order as the exchange knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExchangeOrder {
    pub symbol: String,
    pub order_id: i64,
    pub client_order_id: String,
    pub side: Side,
    pub order_type: OrderType,
    pub price: Decimal,
    pub orig_qty: Decimal,
    pub executed_qty: Decimal,
    pub cumulative_quote: Decimal,
    pub status: OrderStatus,
    /// Milliseconds since the epoch.
    pub time: i64,
    /// Why an expired order expired (`expiryReason`), e.g. `EXECUTION_RULE_PRICE_RANGE_EXCEEDED`: neither a fill nor
    /// a cancel of ours.
    pub expiry_reason: Option<String>,
}

impl ExchangeOrder {
    /// Average fill price; `None` before any fill.
    pub fn avg_price(&self) -> Option<Decimal> {
        (!self.executed_qty.is_zero()).then(|| (self.cumulative_quote / self.executed_qty).normalize())
    }
}

/// What to place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    pub symbol: Symbol,
    pub side: Side,
    pub order_type: OrderType,
    /// The limit price (ignored for market orders).
    pub price: Option<Decimal>,
    pub qty: Decimal,
    pub client_order_id: ClientOrderId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub asset: String,
    pub free: Decimal,
    pub locked: Decimal,
}

/// One of the account's trades (a fill).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trade {
    pub id: i64,
    pub order_id: i64,
    pub symbol: String,
    pub price: Decimal,
    pub qty: Decimal,
    pub quote_qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: String,
    pub time: i64,
    pub is_buyer: bool,
    pub is_maker: bool,
}

/// One of the market's trades as `aggTrades` lists it: trades of one taker order at one price, summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AggTrade {
    /// The aggregate trade id (`fromId` pages by it).
    pub id: i64,
    pub price: Decimal,
    pub qty: Decimal,
    /// Execution time (ms).
    pub time: i64,
    /// The first and last trade ids it sums (the stream's `t`).
    pub first_trade_id: i64,
    pub last_trade_id: i64,
}

/// A market stream message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MarketEvent {
    Trade {
        symbol: String,
        price: Decimal,
        qty: Decimal,
        time: i64,
        trade_id: i64,
    },
    Kline {
        symbol: String,
        candle: Candle,
        closed: bool,
    },
    BookTicker {
        symbol: String,
        bid: Decimal,
        bid_qty: Decimal,
        ask: Decimal,
        ask_qty: Decimal,
    },
    /// The stream was down between these times (ms): events may have been missed; reconcile.
    Gap {
        from: i64,
        to: i64,
    },
}

/// A user-data message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UserEvent {
    Execution(Box<ExecutionReport>),
    Balances {
        balances: Vec<Balance>,
        time: i64,
    },
    /// The stream was down between these times (ms): reconcile.
    Gap {
        from: i64,
        to: i64,
    },
}

/// `executionReport`: one change of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecutionReport {
    pub symbol: String,
    pub client_order_id: String,
    pub side: Side,
    pub order_type: OrderType,
    pub qty: Decimal,
    pub price: Decimal,
    /// NEW, TRADE, CANCELED, …
    pub execution_type: String,
    pub status: OrderStatus,
    pub order_id: i64,
    pub last_qty: Decimal,
    pub last_price: Decimal,
    pub cumulative_qty: Decimal,
    pub cumulative_quote: Decimal,
    pub commission: Decimal,
    pub commission_asset: Option<String>,
    pub time: i64,
    /// -1 when the change is not a trade.
    pub trade_id: i64,
    /// `eR`: why an expired order expired.
    pub expiry_reason: Option<String>,
}

/// How the connection to an exchange is doing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    pub reachable: bool,
    /// Round trip of a ping, ms.
    pub latency_ms: Option<u64>,
    /// Server time minus local time, ms.
    pub time_offset_ms: i64,
    /// `X-MBX-USED-WEIGHT-1M` last seen.
    pub weight_used: u32,
    pub weight_limit: u32,
    /// Age of the last stream message, ms; `None` when no stream runs.
    pub last_stream_message_ms: Option<u64>,
    pub error: Option<String>,
}
