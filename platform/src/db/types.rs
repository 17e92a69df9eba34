//! Plain rows returned by the repositories, built from core types; and the string enums stored in status columns.

use chrono::{DateTime, Utc};
use gridbot_core::{
    BotId, ClientOrderId, Decimal, FeeAsset, Price, Qty, Side, Symbol, SymbolFilters, money::serde_decimal,
};
use serde::{Deserialize, Serialize};

use super::DbError;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($v),+ }
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }
        }
        impl std::str::FromStr for $name {
            type Err = DbError;
            fn from_str(s: &str) -> Result<Self, DbError> {
                match s { $($s => Ok($name::$v),)+ _ => Err(DbError::invalid(stringify!($name), s)) }
            }
        }
    };
}

string_enum!(BotMode { Paper = "paper", Live = "live" });
string_enum!(BotStatus { Stopped = "stopped", Starting = "starting", Running = "running", Stopping = "stopping", Error = "error" });
string_enum!(OrderStatus {
    New = "new", Open = "open", PartiallyFilled = "partially_filled", Filled = "filled",
    Cancelled = "cancelled", Rejected = "rejected", Expired = "expired",
});
string_enum!(SuggestionStatus { Pending = "pending", Accepted = "accepted", Rejected = "rejected" });
string_enum!(SuggestionSource { Claude = "claude", Heuristic = "heuristic" });
string_enum!(
    /// Why a job is in the quarantine: its process died while it ran, or it failed for good (its last attempt, or a
    /// panic).
    DeadJobKind { Crashed = "crashed", Failed = "failed" }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub api_key_enc: Option<String>,
    pub api_secret_enc: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The version the user's access tokens must carry (bumped by "log out everywhere" and a password change).
    pub token_version: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewBot {
    pub user_id: i64,
    pub strategy: String,
    pub symbol: Symbol,
    pub mode: BotMode,
    pub config: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bot {
    pub id: BotId,
    pub user_id: i64,
    pub strategy: String,
    pub symbol: Symbol,
    pub mode: BotMode,
    pub status: BotStatus,
    pub config: serde_json::Value,
    pub generation: u32,
    pub stop_reason: Option<String>,
    /// What a running grid was started with; see the worker's `RunState`.
    pub run_state: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OrderStatus {
    /// Still (possibly) resting at the exchange: written, sent or partly filled.
    pub const LIVE: [OrderStatus; 3] = [OrderStatus::New, OrderStatus::Open, OrderStatus::PartiallyFilled];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub bot: BotId,
    pub client_order_id: ClientOrderId,
    pub side: Side,
    pub level: Option<u32>,
    pub price: Price,
    pub amount: Qty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub bot: BotId,
    pub client_order_id: ClientOrderId,
    pub exchange_order_id: Option<String>,
    pub side: Side,
    pub level: Option<u32>,
    pub price: Price,
    pub amount: Qty,
    pub filled: Qty,
    pub avg_fill_price: Option<Price>,
    pub fee: Decimal,
    pub fee_asset: Option<String>,
    pub status: OrderStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fill {
    pub bot: BotId,
    pub order_id: i64,
    pub side: Side,
    pub level: Option<u32>,
    pub price: Price,
    pub qty: Qty,
    /// The commission as the exchange charged it, in `fee_asset`.
    pub fee: Decimal,
    pub fee_asset: Option<String>,
    /// The quote value of a commission paid in neither of the symbol's assets (BNB), as booked.
    pub fee_quote: Option<Decimal>,
    pub exchange_trade_id: String,
    pub pnl: Option<Decimal>,
    pub time: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trade {
    pub bot: BotId,
    pub buy_order_id: i64,
    pub sell_order_id: i64,
    pub profit: Decimal,
    pub fees: Decimal,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperBalance {
    pub user_id: i64,
    pub asset: String,
    pub free: Decimal,
    pub locked: Decimal,
}

/// The paper matcher's mark on a symbol: the last trade it processed. A restarted scheduler replays the trades
/// after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketMark {
    /// The trade's id (the stream's `t`, `aggTrades`' `l`).
    pub trade_id: i64,
    /// The trade's time in milliseconds since the epoch, by the exchange's clock.
    pub time: i64,
    pub price: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AiSuggestion {
    pub id: i64,
    pub bot: Option<BotId>,
    pub pair: Option<Symbol>,
    pub request: serde_json::Value,
    pub response: Option<serde_json::Value>,
    pub backtest: Option<serde_json::Value>,
    pub status: SuggestionStatus,
    pub source: SuggestionSource,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotEvent {
    pub bot: BotId,
    pub kind: String,
    pub from_status: Option<BotStatus>,
    pub to_status: Option<BotStatus>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A job delivery inside its work: written before the work starts, deleted when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningJob {
    /// The queue's id of the task; the same when a dead worker's task is delivered again.
    pub task_id: String,
    pub bot: BotId,
    /// The job's name.
    pub job: String,
    /// The worker running it (an id per worker, new each time one starts).
    pub owner: String,
    pub started_at: DateTime<Utc>,
}

/// A job put in the quarantine: never run again, listed for its user and the operator.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadJob {
    pub id: i64,
    pub bot: BotId,
    pub user_id: i64,
    /// The job's name (`place_grid`, …).
    pub job_name: String,
    /// The job as it was queued.
    pub job: serde_json::Value,
    /// The queue's id of the task, when it came from the queue.
    pub task_id: Option<String>,
    pub kind: DeadJobKind,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// A level index as stored (`i32`), and back.
pub(crate) fn level_to_db(l: Option<u32>) -> Result<Option<i32>, DbError> {
    l.map(|v| i32::try_from(v).map_err(|_| DbError::invalid("level", v))).transpose()
}
pub(crate) fn level_from_db(l: Option<i32>) -> Result<Option<u32>, DbError> {
    l.map(|v| u32::try_from(v).map_err(|_| DbError::invalid("level", v))).transpose()
}

/// What changing a bot's settings changes; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct BotChanges {
    pub pair: Option<String>,
    pub mode: Option<BotMode>,
    pub config: Option<serde_json::Value>,
    /// Ends the bot's last run (clears `run_state`; the run stays in `bot_runs`): its next start is a new run with the
    /// new settings, and until then the bot reads as never started.
    pub end_run: bool,
}

/// A run (generation) a bot started, as archived in `bot_runs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotRun {
    pub bot: BotId,
    pub symbol: gridbot_core::Symbol,
    pub mode: BotMode,
    pub state: RunState,
}

/// What a grid was started with, stored in `bots.run_state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunState {
    #[serde(with = "serde_decimal")]
    pub start_price: Decimal,
    pub filters: SymbolFilters,
    pub generation: u32,
    pub started_at: DateTime<Utc>,
    /// What paid the fees the grid was sized for (runs started before fees in base were modelled: quote).
    #[serde(default)]
    pub fee_asset: FeeAsset,
    /// The config the run was started with (runs started before it was recorded: the bot's config, which could not
    /// change while they ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<serde_json::Value>,
    /// The stop booked into the ledger, once stopped by a stop loss, a take profit or a stop with `sell_on_stop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<RunStop>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStop {
    /// `stop_loss`, `take_profit`, …
    pub reason: String,
    #[serde(with = "serde_decimal")]
    pub price: Decimal,
}

impl RunState {
    pub fn from_bot(bot: &Bot) -> Result<Option<RunState>, DbError> {
        bot.run_state
            .clone()
            .map(|v| serde_json::from_value(v).map_err(|e| DbError::invalid("run_state", e)))
            .transpose()
    }
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}
